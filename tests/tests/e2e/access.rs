//! The authorization matrix, generated from the route declarations (`shared::api::TABLES`):
//! every signed operation × every role × {own object, another party's object of the same
//! role, no `org` claim, empty `org`, a foreign (unknown) `org`}, on real objects created
//! through the API, over HTTP through the wasm components. It asserts 401 / 403 / 404
//! exactly where the declared policy says, that an object outside the caller's scope gets
//! exactly the answer of a missing id, and that no refused request changed a row.
//!
//! Also the named regressions of the four leaks the policy issue reported.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2e::scenario::*;
use e2e::{TestApp, DEV_SECRET, FAR_FUTURE_EXP};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use shared::access::Scope;
use shared::api::{Access, Route, TABLES};
use shared::auth::Role;
use std::collections::BTreeMap;

const ROLES: [Role; 6] = [Role::Applicant, Role::Unit, Role::Dept, Role::CommitteeOrg, Role::Judge, Role::Province];
/// Another hospital, under another department: the "other party" of units and depts.
const OTHER_UNIT: &str = "ORG-OTHER-HOSPITAL";
/// A nonexistent id: the answer for an object outside the scope must equal this one's.
const MISSING: &str = "987654321";

/// A token signed with the dev secret from raw claims (so a claim can be left out).
fn raw_token(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{payload}");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(DEV_SECRET.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

fn token_without_org(sub: &str, role: Role) -> String {
    raw_token(&json!({"sub": sub, "name": sub, "role": role.as_str(), "exp": FAR_FUTURE_EXP}))
}

/// Every table's contents, for "nothing changed" (audit events included).
fn snapshot(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let db = app.db();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = db.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

/// The world the matrix runs in: the health province plus a second hospital under the
/// education department, applications at known places, and the objects each scope names.
struct World {
    p: Province,
    /// doc-wang's application at the committee's recheck (held by the committee office;
    /// the department and the city HR bureau have acted on it).
    at_recheck: i64,
    /// doc-9's application recommended and held by the health commission.
    at_dept: i64,
    /// Another hospital's application, submitted (nobody on a path has touched it).
    other: i64,
    other_unit: String,
    /// The edge hospital → health commission (upper: the health commission).
    edge_dept: i64,
    /// The edge other hospital → education department (upper: the education department).
    edge_other: i64,
    /// The hospital's quota (auditor: the health commission) and the other hospital's
    /// (auditor: the education department).
    quota_dept: i64,
    quota_other: i64,
    /// A unit registration by a signed-in person, reviewed by the city HR bureau.
    registration: i64,
}

fn world() -> World {
    let p = health_province();
    p.app.set_clock("2024-08-01T02:00:00Z");
    expect(
        p.app.post(
            "/api/province/organisations",
            p.province.as_str(),
            &json!({"id": OTHER_UNIT, "kind": "unit", "name": "株洲某医院", "region_code": "430200", "public_institution": true}),
        ),
        201,
    );
    let edge_other = expect(
        p.app.post(
            "/api/chain/lowers",
            p.other_dept.as_str(),
            &json!({"lower_org": OTHER_UNIT, "level": "deputy_senior", "step": "audit"}),
        ),
        201,
    )["id"]
        .as_i64()
        .unwrap();
    let edges = expect(p.app.get("/api/chain/lowers", p.dept.as_str()), 200);
    let edge_dept = edges.as_array().unwrap().iter().find(|e| e["lower_org"] == UNIT).unwrap()["id"].as_i64().unwrap();
    let other_unit = p.app.token("hr-other", "其他医院人事", Role::Unit, OTHER_UNIT);
    let quota = |token: &str| {
        expect(
            p.app.post(
                "/api/quotas",
                token,
                &json!({"batch_year": 2024, "series": "卫生", "level": "deputy_senior", "vacant_posts": 4, "requested": 3}),
            ),
            201,
        )["id"]
            .as_i64()
            .unwrap()
    };
    let quota_dept = quota(&p.unit);
    let quota_other = quota(&other_unit);
    expect(p.app.post(&format!("/api/quotas/{quota_dept}/audit"), p.dept.as_str(), &json!({"approve": true})), 200);
    expect(
        p.app.post(
            "/api/evaluation/experts",
            p.province.as_str(),
            &json!({"id": "EXP-MATRIX", "name": "矩阵专家", "citizen_id": citizen_id(400), "specialty": "内科学",
                    "org": "ORG-HOSP-9", "title": "主任医师"}),
        ),
        201,
    );
    let registrant = p.app.token("reg-qian", "钱经办", Role::Applicant, "");
    let registration = expect(
        p.app.post(
            "/api/registrations",
            registrant.as_str(),
            &json!({"credit_code": "91350100M000100Y43", "name": "湖南某科技公司", "region_code": "430104",
                    "legal_representative": "孙法人", "contact_name": "钱经办", "contact_phone": "0731-88888888",
                    "review_org": CITY}),
        ),
        201,
    )["id"]
        .as_i64()
        .unwrap();
    let at_recheck = p.at_recheck("内科学");
    let at_dept = p.recommendable_nth(9, "外科学");
    expect(p.app.post(&format!("/api/unit/applications/{at_dept}/recommend"), p.unit.as_str(), &json!({})), 200);
    let other_applicant = p.app.token("doc-other", "外院医生", Role::Applicant, "");
    let mut form = form_of(&citizen_id(77), "内科学");
    form["unit_org"] = json!(OTHER_UNIT);
    let other = expect(
        p.app.post("/api/applications", other_applicant.as_str(), &json!({"batch_year": 2024, "form": form})),
        201,
    )["id"]
        .as_i64()
        .unwrap();
    expect(p.app.submit(other, other_applicant.as_str()), 200);
    World { p, at_recheck, at_dept, other, other_unit, edge_dept, edge_other, quota_dept, quota_other, registration }
}

impl World {
    /// The caller of each role with its own organisation.
    fn token(&self, role: Role) -> String {
        match role {
            Role::Applicant => self.p.applicant.clone(),
            Role::Unit => self.p.unit.clone(),
            Role::Dept => self.p.dept.clone(),
            Role::CommitteeOrg => self.p.cmt.clone(),
            // No judge has been drawn in this world: a judge is an expert of the pool.
            Role::Judge => self.p.app.token("EXP-MATRIX", "评委", Role::Judge, ""),
            Role::Province => self.p.province.clone(),
        }
    }

    /// The role's own object and another party's object for `scope`, when this world
    /// has them (`None`: the scope has no object of that role here; its refusals are
    /// still checked with the missing id).
    fn objects(&self, scope: Scope, role: Role) -> (Option<String>, Option<String>) {
        let s = |n: i64| Some(n.to_string());
        match (scope, role) {
            (Scope::Application, Role::Applicant | Role::Unit | Role::CommitteeOrg) => {
                (s(self.at_recheck), s(self.other))
            }
            (Scope::Application, Role::Dept) => (s(self.at_dept), s(self.other)),
            (Scope::Application, Role::Province) => (s(self.at_recheck), None),
            (Scope::EdgeUpper, Role::Dept) => (s(self.edge_dept), s(self.edge_other)),
            (Scope::EdgeUpper, Role::Province) => (s(self.edge_dept), None),
            (Scope::QuotaAuditor, Role::Dept) => (s(self.quota_dept), s(self.quota_other)),
            (Scope::OwnRegistration, Role::Applicant) => (None, s(self.registration)),
            (Scope::RegistrationReviewer, Role::Province) => (s(self.registration), None),
            (Scope::RegistrationReviewer, Role::Dept) => (None, s(self.registration)),
            (Scope::OfficeCommittee, Role::CommitteeOrg | Role::Province) => (Some(COMMITTEE.to_owned()), None),
            _ => (None, None),
        }
    }
}

/// The path with its first parameter set to `first` and the others to plausible values.
fn path_of(route: &Route, first: &str) -> String {
    let mut n = 0;
    route
        .path
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                n += 1;
                match (n, seg) {
                    (1, _) => first.to_owned(),
                    (_, "{committee}") => COMMITTEE.to_owned(),
                    (_, "{year}") => "2024".to_owned(),
                    _ => "1".to_owned(),
                }
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A plausible first parameter for a route whose scope names no object.
fn caller_param(route: &Route) -> &'static str {
    match route.path.split('/').find(|s| s.starts_with('{')) {
        Some("{year}") => "2024",
        Some("{kind}") => "committees",
        Some("{no}") => "B04249900000001",
        _ => "1",
    }
}

fn check(failures: &mut Vec<String>, tried: &mut usize, what: String, got: (u16, Value), want: u16) {
    *tried += 1;
    if got.0 != want {
        failures.push(format!("{what}: expected {want}, got {} {}", got.0, got.1));
    }
}

fn send(app: &TestApp, method: &str, path: &str, token: &str) -> (u16, Value) {
    send_body(app, method, path, token, &json!({}))
}

fn send_body(app: &TestApp, method: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
    match method {
        "GET" => app.get(path, token),
        "DELETE" => app.delete(path, token),
        "PUT" => app.put(path, token, body),
        _ => app.post(path, token, body),
    }
}

#[test]
fn every_declared_operation_answers_401_403_404_exactly_where_its_policy_says_and_refusals_change_nothing() {
    let w = world();
    let app = &w.p.app;
    let signed: Vec<(&str, &Route)> = TABLES
        .iter()
        .flat_map(|(component, routes)| routes.iter().map(move |r| (*component, r)))
        .filter(|(_, r)| matches!(r.access, Access::Signed(_)))
        .collect();
    assert!(signed.len() > 150, "the tables declare every operation: {}", signed.len());
    let before = snapshot(app);
    let mut tried = 0usize;
    let mut failures: Vec<String> = Vec::new();

    // 1. Refusals: bad claims (401), roles the policy does not list (403), objects
    //    outside the scope (404 = the missing id's answer). None may change a row.
    for (_, route) in &signed {
        let Access::Signed(policy) = route.access else { unreachable!("filtered to signed routes") };
        let first = if policy.scope == Scope::Caller { caller_param(route) } else { MISSING };
        let path = path_of(route, first);
        for role in ROLES {
            let op = format!("{} {} as {}", route.method, route.path, role.as_str());
            let org_role = shared::access::needs_organisation(role);
            // A foreign organisation: unknown for organisation roles, any at all for a person.
            let foreign = app.token(&format!("x-{}", role.as_str()), "外部", role, "ORG-NOBODY");
            check(
                &mut failures,
                &mut tried,
                format!("{op} with a foreign org"),
                send(app, route.method, &path, &foreign),
                401,
            );
            if org_role {
                let empty = app.token(&format!("x-{}", role.as_str()), "外部", role, "");
                check(
                    &mut failures,
                    &mut tried,
                    format!("{op} with an empty org"),
                    send(app, route.method, &path, &empty),
                    401,
                );
                let none = token_without_org(&format!("x-{}", role.as_str()), role);
                check(
                    &mut failures,
                    &mut tried,
                    format!("{op} without an org claim"),
                    send(app, route.method, &path, &none),
                    401,
                );
            }
            let own = w.token(role);
            if !policy.roles.contains(&role) {
                check(
                    &mut failures,
                    &mut tried,
                    format!("{op} (role not declared)"),
                    send(app, route.method, &path, &own),
                    403,
                );
                continue;
            }
            if policy.scope == Scope::Caller {
                continue;
            }
            if policy.scope == Scope::OrgAdministrator {
                // This world's organisation tokens act through no administrator record.
                check(
                    &mut failures,
                    &mut tried,
                    format!("{op} (not an administrator)"),
                    send(app, route.method, &path, &own),
                    403,
                );
                continue;
            }
            let missing = send(app, route.method, &path, &own);
            check(&mut failures, &mut tried, format!("{op} on a missing id"), missing.clone(), 404);
            if let (_, Some(other)) = w.objects(policy.scope, role) {
                let got = send(app, route.method, &path_of(route, &other), &own);
                tried += 1;
                if got != missing {
                    failures.push(format!(
                        "{op} on another party's object: {} {} (missing id: {})",
                        got.0, got.1, missing.1
                    ));
                }
            }
        }
    }
    let after = snapshot(app);
    let changed: Vec<&String> = after.keys().filter(|t| before.get(*t) != after.get(*t)).collect();
    assert!(changed.is_empty(), "refused requests changed tables {changed:?}");

    // 2. Admitted: the role's own object (or no object) passes the policy — whatever the
    //    operation then says, it is not a refusal of the policy.
    for (_, route) in &signed {
        let Access::Signed(policy) = route.access else { unreachable!("filtered to signed routes") };
        for role in policy.roles.iter().copied() {
            let first = match policy.scope {
                Scope::Caller => Some(caller_param(route).to_owned()),
                scope => w.objects(scope, role).0,
            };
            let Some(first) = first else { continue };
            // A body no operation accepts (a bare string): the policy is what is checked here, and
            // no admitted write may move the world under the checks that follow.
            let got = send_body(app, route.method, &path_of(route, &first), &w.token(role), &json!("probe"));
            tried += 1;
            let refused = matches!(got.0, 401 | 403)
                || (got.0 == 404
                    && got.1["message"] == format!("{}不存在", policy.scope.object())
                    && policy.scope != Scope::Caller);
            if refused {
                failures.push(format!(
                    "{} {} as {} on its own object: {} {}",
                    route.method,
                    route.path,
                    role.as_str(),
                    got.0,
                    got.1
                ));
            }
        }
    }
    println!("authorization matrix: {} operations, {tried} combinations tried", signed.len());
    assert!(
        failures.is_empty(),
        "{} of {tried} combinations disagree with the policy:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------- the four reported leaks

#[test]
fn a_token_of_another_role_carrying_the_auditors_org_cannot_audit_a_quota() {
    let w = world();
    let app = &w.p.app;
    for role in [Role::Applicant, Role::Judge, Role::Unit, Role::CommitteeOrg] {
        let t = app.token("intruder", "冒用者", role, DEPT);
        let (s, _) = app.post(
            &format!("/api/quotas/{}/audit", w.quota_other),
            t.as_str(),
            &json!({"approve": false, "opinion": "驳回"}),
        );
        assert!(s == 401 || s == 403, "{role:?} with the auditor's org: {s}");
    }
    let (s, _) = app.get(&format!("/api/quotas?unit_org={OTHER_UNIT}"), w.p.dept.as_str());
    assert_eq!(s, 200);
    let q = expect(app.get("/api/quotas", w.other_unit.as_str()), 200);
    assert_eq!(q["items"][0]["status"], "pending", "the other hospital's quota is untouched: {q}");
}

#[test]
fn an_applicant_token_with_the_uppers_org_cannot_cancel_an_audit_path_edge() {
    let w = world();
    let app = &w.p.app;
    let t = app.token("doc-wang", "王医生", Role::Applicant, DEPT);
    let (s, _) = app.post(&format!("/api/chain/lowers/{}/cancel", w.edge_dept), t.as_str(), &json!({"reason": "x"}));
    assert_eq!(s, 401, "a person's token never carries an organisation");
    let t = app.token("hr", "hr", Role::Unit, UNIT);
    let (s, _) = app.post(&format!("/api/chain/lowers/{}/cancel", w.edge_dept), t.as_str(), &json!({"reason": "x"}));
    assert_eq!(s, 403);
    let edge = expect(app.get(&format!("/api/admin/audit-paths/{}", w.edge_dept), w.p.province.as_str()), 200);
    assert_eq!(edge["status"], "active");
}

#[test]
fn a_dept_or_committee_token_with_an_empty_or_missing_org_reads_nothing() {
    let w = world();
    let app = &w.p.app;
    // A draft that applicants' own events (org "") touch.
    let draft = expect(
        app.post("/api/applications", w.p.applicant.as_str(), &json!({"batch_year": 2024, "form": form("内科学")})),
        201,
    )["id"]
        .as_i64()
        .unwrap();
    for role in [Role::Dept, Role::CommitteeOrg] {
        for t in [app.token("op", "op", role, ""), token_without_org("op", role)] {
            for path in [
                format!("/api/chain/applications/{draft}"),
                format!("/api/chain/applications/{}", w.at_recheck),
                format!("/api/chain/applications/{}/tracking", w.at_recheck),
                format!("/api/chain/applications/{}/materials", w.at_recheck),
                "/api/chain/applications?scope=history".to_owned(),
                "/api/chain/applications/export?scope=history".to_owned(),
            ] {
                let (s, _) = app.get(&path, t.as_str());
                assert_eq!(s, 401, "{role:?} without an org: {path}");
            }
        }
    }
    // With its org, a department never sees a draft, even one an applicant's event touched.
    let (s, _) = app.get(&format!("/api/chain/applications/{draft}"), w.p.dept.as_str());
    assert_eq!(s, 404);
}

#[test]
fn another_committee_office_cannot_record_a_recusal_and_cannot_tell_which_applications_exist() {
    let w = world();
    let app = &w.p.app;
    expect(
        app.post(
            "/api/evaluation/experts",
            w.p.province.as_str(),
            &json!({"id": "EXP-R", "name": "回避专家", "citizen_id": citizen_id(300), "specialty": "内科学", "org": "ORG-X", "title": "主任医师"}),
        ),
        201,
    );
    let other_office = app.token("op-x", "x", Role::CommitteeOrg, OTHER_CMT_ORG);
    let relation = |app_id: i64| json!({"application_id": app_id, "relation": "同事"});
    let foreign = app.post("/api/evaluation/experts/EXP-R/relations", other_office.as_str(), &relation(w.at_recheck));
    let missing = app.post("/api/evaluation/experts/EXP-R/relations", other_office.as_str(), &relation(987_654));
    assert_eq!(foreign.0, 404, "{}", foreign.1);
    assert_eq!(foreign, missing, "an existing application of another committee answers exactly like a missing one");
    // Its own office may.
    expect(app.post("/api/evaluation/experts/EXP-R/relations", w.p.cmt.as_str(), &relation(w.at_recheck)), 201);
}

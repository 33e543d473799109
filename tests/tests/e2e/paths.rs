//! The other paths of annex 3 besides the 高评会 (issue 13): a 中级 title through a 中评会
//! (§1.7), 初定 (§1.4) and 认定 (§1.5) approved by their acceptance institution with no
//! vote, each carried to its certificate; and the lower unit's confirmation of its
//! designation (annex 2 §1.6.2), whose refusal the path simulation names.

use e2e::scenario::*;
use e2e::TestApp;
use serde_json::{json, Value};

/// The health series' 中评会, organised by the same office as the 高评会.
const MID_COMMITTEE: &str = "CMT-HEALTH-MID";

/// The province configures the three edges of `level` and `method` for the hospital's
/// path (on behalf of each upper, so they stand at once).
fn province_path(p: &Province, level: &str, method: &str, top: &[(&str, &str, &str)]) {
    for (lower, upper, step) in top {
        let e = expect(
            p.app.post(
                &format!("/api/chain/lowers?upper_org={upper}"),
                p.province.as_str(),
                &json!({"lower_org": lower, "level": level, "method": method, "step": step}),
            ),
            201,
        );
        assert_eq!(e["confirmation"], "confirmed", "the province's configuration stands at once");
    }
}

/// Submitted, publicised, recommended by the hospital: returns the id.
fn recommended(p: &Province, form: Value) -> i64 {
    p.app.set_clock("2024-09-20T02:00:00Z");
    let v =
        expect(p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": form})), 201);
    let id = v["id"].as_i64().unwrap();
    expect(p.app.submit(id, p.applicant.as_str()), 200);
    let body =
        json!({"publicity_start": "2024-09-23", "complaint_office": "医院人事处", "complaint_phone": "0731-84327000"});
    expect(p.app.post(&format!("/api/unit/applications/{id}/approve"), p.unit.as_str(), &body), 200);
    p.app.set_clock("2024-09-30T02:00:00Z");
    p.app.fire_cron("publicity-timer");
    expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), p.unit.as_str(), &json!({})), 200);
    id
}

fn title(p: &Province, name: &str, level: &str) {
    expect(
        p.app.post(
            "/api/admin/titles",
            p.province.as_str(),
            &json!({"series": "卫生", "name": name, "level": level, "mohrss_title": name}),
        ),
        201,
    );
}

/// The one certificate of the main applicant, as its holder sees it.
fn my_certificate(p: &Province) -> Value {
    let mine = expect(p.app.get("/api/certificates", p.applicant.as_str()), 200);
    assert_eq!(mine["total"], 1, "{mine}");
    let cid = mine["items"][0]["id"].as_i64().unwrap();
    expect(p.app.get(&format!("/api/certificates/{cid}"), p.applicant.as_str()), 200)
}

#[test]
fn an_intermediate_title_goes_through_the_intermediate_committee_to_its_certificate() {
    let p = health_province();
    expect(
        p.app.post(
            "/api/province/committees",
            p.province.as_str(),
            &json!({"id": MID_COMMITTEE, "name": "湖南省卫生系列中级职称评审委员会", "organising_org": CMT_ORG,
                    "series": "卫生", "max_level": "intermediate", "valid_until": "2025-12-31",
                    "specialties": ["内科学"]}),
        ),
        201,
    );
    province_path(
        &p,
        "intermediate",
        "review",
        &[(UNIT, DEPT, "audit"), (DEPT, CITY, "formal_review"), (CITY, CMT_ORG, "audit")],
    );
    let mut form = form("内科学");
    form["target_level"] = json!("intermediate");
    form["current_title"] = json!({"series": "卫生", "level": "assistant", "obtained_on": "2018-12-01"});

    // A 中评会 judges 中级 only; the 高评会 does not judge 中级 (annex 3 §1.6–1.8).
    let mut senior = form.clone();
    senior["committee"] = json!(MID_COMMITTEE);
    senior["target_level"] = json!("deputy_senior");
    let r = p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": senior}));
    assert_eq!((r.0, r.1["code"].as_str()), (409, Some("COMMITTEE_LEVEL_EXCEEDED")), "{}", r.1);
    let r = p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": form.clone()}));
    assert_eq!((r.0, r.1["code"].as_str()), (409, Some("COMMITTEE_TIER_MISMATCH")), "{}", r.1);

    form["committee"] = json!(MID_COMMITTEE);
    let id = recommended(&p, form);
    expect(p.act(&p.dept, id, "approve", json!({})), 200);
    expect(p.act(&p.city, id, "approve", json!({})), 200);
    expect(p.act(&p.cmt, id, "recheck", json!({"pass": true})), 200);
    // No quota of posts binds an intermediate title (三(二) is the senior titles' control).
    voted_passed(&p, &[id], "2024-09-30");
    p.app.set_clock("2024-10-08T01:00:00Z");
    let sessions = expect(p.app.get("/api/results/sessions", p.cmt.as_str()), 200);
    let plan = sessions["awaiting_publicity"].as_array().unwrap()[0]["plan_id"].clone();
    let pb = expect(
        p.app.post(
            "/api/results/publicities",
            p.cmt.as_str(),
            &json!({"committee": MID_COMMITTEE, "voted_on": "2024-09-30", "plan_id": plan, "start_on": "2024-10-08",
                    "complaint_office": "卫生中评会办公室", "complaint_phone": "0731-84000000"}),
        ),
        201,
    );
    p.app.set_clock("2024-10-15T01:00:00Z");
    p.app.fire_cron("publicity-timer");
    let f = expect(
        p.app.post("/api/results/filings", p.cmt.as_str(), &json!({"publicity_id": pb["id"].as_i64().unwrap()})),
        201,
    );
    audit_filing(&p, f["id"].as_i64().unwrap(), "湘人社职备〔2024〕31号", "2024-10-21");
    issuing_unit(&p);
    title(&p, "主治医师", "中级");
    p.app.set_clock("2024-10-30T02:00:00Z");
    let job = expect(p.app.post("/api/certificates/jobs", p.province.as_str(), &json!({"application_ids": [id]})), 201);
    assert_eq!(job["issued"], 1, "{job}");
    assert_eq!(p.state(id), "certified");
    let doc = &my_certificate(&p)["document"]["certificate"];
    assert_eq!(
        (doc["level"].as_str(), doc["title"].as_str(), doc["committee"].as_str()),
        (Some("中级"), Some("主治医师"), Some("湖南省卫生系列中级职称评审委员会"))
    );
    assert!(doc["certificate_no"].as_str().unwrap().starts_with("C04"), "level letter C: {doc}");
    assert!(doc.get("method").is_none(), "a title by review carries no method mark: {doc}");
}

/// An acceptance institution (annex 3 §1.3) at the city HR bureau for `level` and
/// `method`; returns its id.
fn institution(p: &Province, level: &str, method: &str) -> i64 {
    expect(
        p.app.post(
            "/api/admin/institutions",
            p.province.as_str(),
            &json!({"node_type": "city_hr", "org_id": CITY, "certificate_name": "长沙市职称改革工作领导小组办公室",
                    "level": level, "method": method, "notice": "请携带原件"}),
        ),
        201,
    )["id"]
        .as_i64()
        .unwrap()
}

/// A 初定 or 认定 carried through its path: the department audits, the city HR bureau
/// (the acceptance institution) rechecks and approves with `doc_no`; no plan, no vote.
/// Returns the application id, filed.
fn approved_without_vote(p: &Province, form: Value, doc_no: &str) -> i64 {
    let id = recommended(p, form);
    expect(p.act(&p.dept, id, "approve", json!({})), 200);
    let v = expect(p.act(&p.city, id, "recheck", json!({"pass": true})), 200);
    assert_eq!(v["state"], "qualified");
    // Only the institution approves, and only with a document number.
    let r = p.act(&p.cmt, id, "approve-title", json!({"doc_no": doc_no}));
    assert_eq!(r.0, 404, "the committee office was never on this path: {}", r.1);
    let r = p.act(&p.city, id, "approve-title", json!({"doc_no": " "}));
    assert_eq!((r.0, r.1["field"].as_str()), (400, Some("doc_no")));
    let v = expect(p.act(&p.city, id, "approve-title", json!({"doc_no": doc_no, "opinion": "符合条件"})), 200);
    assert_eq!(v["state"], "filed");
    let r = p.act(&p.city, id, "approve-title", json!({"doc_no": doc_no}));
    assert_eq!(r.0, 409, "approved once: {}", r.1);
    id
}

fn issue_by_doc_no(p: &Province, doc_no: &str, id: i64) -> Value {
    issuing_unit(p);
    p.app.set_clock("2024-10-30T02:00:00Z");
    let job = expect(p.app.post("/api/certificates/jobs", p.province.as_str(), &json!({"doc_no": doc_no})), 201);
    assert_eq!((job["issued"].as_i64(), job["total"].as_i64()), (Some(1), Some(1)), "{job}");
    assert_eq!(p.state(id), "certified");
    my_certificate(p)
}

#[test]
fn an_initial_appointment_is_approved_by_its_institution_without_a_vote_and_certified_as_such() {
    let p = health_province();
    let inst = institution(&p, "assistant", "initial");
    province_path(&p, "assistant", "initial", &[(UNIT, DEPT, "audit"), (DEPT, CITY, "audit")]);
    let mut f = form("内科学");
    f["method"] = json!("initial");
    f["target_level"] = json!("deputy_senior");
    f["institution"] = json!(inst);
    f.as_object_mut().unwrap().remove("committee");
    f.as_object_mut().unwrap().remove("current_title");
    p.app.set_clock("2024-09-20T02:00:00Z");
    let draft =
        expect(p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": f})), 201);
    let r = p.app.submit(draft["id"].as_i64().unwrap(), p.applicant.as_str());
    assert_eq!((r.0, r.1["violations"][0]["code"].as_str()), (422, Some("INITIAL_LEVEL_TOO_HIGH")), "{}", r.1);
    f["target_level"] = json!("assistant");
    let id = approved_without_vote(&p, f, "长职改〔2024〕8号");
    // Never judged: it cannot enter a review plan.
    p.app.set_clock("2024-10-08T02:00:00Z");
    let plan = json!({"committee": COMMITTEE, "batch_year": 2024, "offline": true, "review_start": "2024-11-29",
                      "judging_end": "2024-11-29", "place": "线下评审会场", "participants": [id],
                      "pass_rate_limit_percent": 100});
    let r = p.app.post("/api/evaluation/plans", p.cmt.as_str(), &plan);
    assert_eq!((r.0, r.1["code"].as_str()), (409, Some("METHOD_MISMATCH")), "{}", r.1);
    title(&p, "医师", "助理级");
    let doc = issue_by_doc_no(&p, "长职改〔2024〕8号", id);
    let c = &doc["document"]["certificate"];
    assert_eq!(
        (c["method"].as_str(), c["committee"].as_str(), c["approval_doc_no"].as_str(), c["level"].as_str()),
        (Some("初定"), Some("长沙市职称改革工作领导小组办公室"), Some("长职改〔2024〕8号"), Some("助理级"))
    );
    assert!(c["certificate_no"].as_str().unwrap().starts_with("DCD04"), "level D, then 初定's mark: {c}");
    assert_eq!(c["obtained_on"], "2024-09-30", "the approval date");
}

#[test]
fn a_title_from_the_yangtze_belt_is_recognised_by_the_institution_and_certified_as_a_recognition() {
    let p = health_province();
    let inst = institution(&p, "intermediate", "recognition");
    province_path(&p, "intermediate", "recognition", &[(UNIT, DEPT, "audit"), (DEPT, CITY, "audit")]);
    let mut f = form("内科学");
    f["method"] = json!("recognition");
    f["target_level"] = json!("intermediate");
    f["institution"] = json!(inst + 1000);
    f.as_object_mut().unwrap().remove("committee");
    // The held title must be the one recognised: same level, with its certificate number.
    p.app.set_clock("2024-09-20T02:00:00Z");
    let draft = expect(
        p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": f.clone()})),
        201,
    );
    let r = p.app.submit(draft["id"].as_i64().unwrap(), p.applicant.as_str());
    assert_eq!((r.0, r.1["violations"][0]["code"].as_str()), (422, Some("RECOGNITION_TITLE_MISMATCH")), "{}", r.1);
    f["current_title"] = json!({"series": "卫生", "level": "intermediate", "obtained_on": "2019-12-01",
                               "certificate_no": "HB-2019-04-0001", "issued_province": "湖北省"});
    // A missing institution is the path's break, named by the simulation and the recommendation.
    let sim = expect(
        p.app.get(
            &format!(
                "/api/chain/simulate?unit_org={UNIT}&series=%E5%8D%AB%E7%94%9F&specialty=%E5%86%85%E7%A7%91%E5%AD%A6\
                 &level=intermediate&method=recognition&institution={}",
                inst + 1000
            ),
            p.province.as_str(),
        ),
        200,
    );
    assert_eq!(sim["broken"]["code"], "INSTITUTION_NOT_ACCEPTING", "{sim}");
    f["institution"] = json!(inst);
    let id = approved_without_vote(&p, f, "长职改〔2024〕9号");
    title(&p, "主治医师", "中级");
    let doc = issue_by_doc_no(&p, "长职改〔2024〕9号", id);
    let c = &doc["document"]["certificate"];
    assert_eq!(
        (c["method"].as_str(), c["committee"].as_str(), c["level"].as_str()),
        (Some("认定"), Some("长沙市职称改革工作领导小组办公室"), Some("中级"))
    );
    assert!(c["certificate_no"].as_str().unwrap().starts_with("CRD04"), "level C, then 认定's mark: {c}");
    let html = p.app.request("GET", &format!("/api/certificates/{}/html", doc["id"]), Some(p.applicant.as_str()), None);
    let text = String::from_utf8(html.body).unwrap();
    assert!(text.contains("<th>取得方式</th><td>认定</td>") && text.contains("<th>认定机构</th>"), "{text}");
}

#[test]
fn a_declined_designation_is_the_break_the_path_simulation_names() {
    let p = health_province();
    let sim = |app: &TestApp| {
        expect(
            app.get(
                &format!(
                    "/api/chain/simulate?unit_org={UNIT}&series=%E5%8D%AB%E7%94%9F&specialty=%E5%86%85%E7%A7%91%E5%AD%A6\
                     &level=full_senior&committee={COMMITTEE}"
                ),
                p.unit.as_str(),
            ),
            200,
        )
    };
    let e = expect(
        p.app.post(
            "/api/chain/lowers",
            p.dept.as_str(),
            &json!({"lower_org": UNIT, "level": "full_senior", "step": "audit"}),
        ),
        201,
    );
    let id = e["id"].as_i64().unwrap();
    let pending = expect(p.app.get("/api/chain/designations", p.unit.as_str()), 200);
    assert_eq!(pending.as_array().unwrap().iter().map(|e| e["id"].as_i64()).collect::<Vec<_>>(), vec![Some(id)]);
    let b = sim(&p.app);
    assert_eq!((b["broken"]["code"].as_str(), b["broken"]["at"].as_str()), (Some("DESIGNATION_PENDING"), Some(UNIT)));

    // Only the designated lower answers; a decline needs its reason.
    let r = p.app.post(&format!("/api/chain/designations/{id}/confirm"), p.city.as_str(), &json!({}));
    assert_eq!(r.0, 404, "another organisation's designation does not exist for it");
    let r = p.app.post(&format!("/api/chain/designations/{id}/decline"), p.unit.as_str(), &json!({}));
    assert_eq!((r.0, r.1["field"].as_str()), (400, Some("reason")));
    let d = expect(
        p.app.post(
            &format!("/api/chain/designations/{id}/decline"),
            p.unit.as_str(),
            &json!({"reason": "本院正高级由省卫健委直接审核"}),
        ),
        200,
    );
    assert_eq!(d["confirmation"], "declined");
    let r = p.app.post(&format!("/api/chain/designations/{id}/confirm"), p.unit.as_str(), &json!({}));
    assert_eq!((r.0, r.1["code"].as_str()), (409, Some("DESIGNATION_NOT_PENDING")));

    let b = sim(&p.app);
    assert_eq!(b["ok"], false);
    assert_eq!((b["broken"]["code"].as_str(), b["broken"]["at"].as_str()), (Some("DESIGNATION_DECLINED"), Some(UNIT)));
    assert!(b["broken"]["message"].as_str().unwrap().contains(DEPT), "{b}");
    assert!(b["broken"]["fixer"].as_str().unwrap().contains("重新指定"), "{b}");
    assert!(expect(p.app.get("/api/chain/designations", p.unit.as_str()), 200).as_array().unwrap().is_empty());
}

#[test]
fn work_done_while_seconded_to_a_listed_host_counts_and_the_reviewers_see_it() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    let mut f = form("内科学");
    f["secondments"] = json!([{"host": "合肥国家实验室", "kind": "posting", "from": "2022-03-01", "to": "2023-02-28"}]);
    f["achievements"]
        .as_array_mut()
        .unwrap()
        .push(json!({"kind": "project", "title": "量子精密测量项目", "date": "2023-03-15", "host": "合肥国家实验室"}));
    let v = expect(p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": f})), 201);
    let id = v["id"].as_i64().unwrap();
    // After the secondment ended: refused, naming the achievement's host field.
    let r = p.app.submit(id, p.applicant.as_str());
    assert_eq!(r.0, 422, "{}", r.1);
    let vs = r.1["violations"].as_array().unwrap();
    assert_eq!(
        (vs[0]["code"].as_str(), vs[0]["field"].as_str()),
        (Some("SECONDMENT_ACHIEVEMENT_OUTSIDE_PERIOD"), Some("achievements[1].host"))
    );
    let now = expect(p.app.get(&format!("/api/applications/{id}"), p.applicant.as_str()), 200);
    let mut f = now["form"].clone();
    f["citizen_id"] = json!("430102198503151236");
    f["achievements"][1]["date"] = json!("2022-11-30");
    let body = json!({"version": now["version"], "form": f});
    let v = expect(p.app.put(&format!("/api/applications/{id}"), p.applicant.as_str(), &body), 200);
    assert_eq!(v["form"]["secondments"][0]["host"], "合肥国家实验室");
    expect(p.app.submit(id, p.applicant.as_str()), 200);
    // The unit (and every reviewer after it) sees the secondment and the work it counts.
    let seen = expect(p.app.get(&format!("/api/unit/applications/{id}"), p.unit.as_str()), 200);
    let flags: Vec<&str> = seen["flags"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
    assert!(flags.contains(&"SECONDMENT") && flags.contains(&"SECONDMENT_WORK_COUNTED"), "{seen}");
    assert!(seen["flags"].to_string().contains("量子精密测量项目"), "{seen}");
}

#[test]
fn a_park_session_evaluates_its_introduced_talent_one_by_one_to_a_certificate() {
    use shared::auth::Role;
    const PARK: &str = "ORG-PARK-XJ";
    const PARK_CO: &str = "ORG-PARK-BIO";
    const PARK_CMT: &str = "CMT-PARK-XJ";
    let p = health_province();
    for (id, kind, name) in [(PARK, "committee_org", "湘江新区五好园区管委会"), (PARK_CO, "unit", "园区某生物医药企业")]
    {
        expect(
            p.app.post(
                "/api/province/organisations",
                p.province.as_str(),
                &json!({"id": id, "kind": kind, "name": name, "region_code": "430100"}),
            ),
            201,
        );
    }
    // The province delegates a dedicated session to the park, with its document number.
    let committee = json!({"id": PARK_CMT, "name": "湘江新区五好园区卫生系列专场评审委员会", "organising_org": PARK,
                           "series": "卫生", "max_level": "full_senior", "valid_until": "2025-12-31",
                           "specialties": ["内科学"]});
    let mut no_doc = committee.clone();
    no_doc["park"] = json!({"delegation_doc_no": " ", "scope": "园区引进高层次人才"});
    let r = p.app.post("/api/province/committees", p.province.as_str(), &no_doc);
    assert_eq!((r.0, r.1["field"].as_str()), (400, Some("park.delegation_doc_no")));
    let mut park = committee;
    park["park"] = json!({"delegation_doc_no": "湘人社函〔2024〕88号", "scope": "湘江新区引进的高层次卫生人才"});
    let c = expect(p.app.post("/api/province/committees", p.province.as_str(), &park), 201);
    assert_eq!((c["kind"].as_str(), c["delegation_doc_no"].as_str()), (Some("park"), Some("湘人社函〔2024〕88号")));
    let parks = expect(p.app.get("/api/province/park-committees", p.province.as_str()), 200);
    assert_eq!(
        (parks["total"].as_i64(), parks["items"][0]["scope"].as_str()),
        (Some(1), Some("湘江新区引进的高层次卫生人才"))
    );
    assert_eq!(p.app.get("/api/province/park-committees", p.unit.as_str()).0, 403, "the province's list");
    province_path(&p, "deputy_senior", "review", &[(PARK_CO, PARK, "audit")]);

    let park_cmt = p.app.token("op-park", "园区专场办公室", Role::CommitteeOrg, PARK);
    let park_unit = p.app.token("hr-bio", "园区企业人事", Role::Unit, PARK_CO);
    p.app.set_clock("2024-09-20T02:00:00Z");
    let mut f = form("内科学");
    f["unit_org"] = json!(PARK_CO);
    f["committee"] = json!(PARK_CMT);
    let id =
        expect(p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": f})), 201)
            ["id"]
            .as_i64()
            .unwrap();
    expect(p.app.submit(id, p.applicant.as_str()), 200);
    let body =
        json!({"publicity_start": "2024-09-23", "complaint_office": "企业人事部", "complaint_phone": "0731-88880000"});
    expect(p.app.post(&format!("/api/unit/applications/{id}/approve"), park_unit.as_str(), &body), 200);
    p.app.set_clock("2024-09-30T02:00:00Z");
    p.app.fire_cron("publicity-timer");
    expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), park_unit.as_str(), &json!({})), 200);
    expect(p.act(&park_cmt, id, "recheck", json!({"pass": true})), 200);

    // 一人一议: one participant, a dedicated (special) session, its own justification.
    p.app.set_clock("2024-10-08T02:00:00Z");
    let plan = |participants: Value, kind: &str| {
        json!({"committee": PARK_CMT, "batch_year": 2024, "kind": kind, "offline": true, "review_start": "2024-11-15",
               "judging_end": "2024-11-15", "place": "园区专场评审会场", "participants": participants,
               "pass_rate_limit_percent": 100,
               "individual": {"justification": "园区引进的国家级领军人才，业绩突出，按一人一议单独评定"}})
    };
    let r = p.app.post("/api/evaluation/plans", park_cmt.as_str(), &plan(json!([id, id + 1]), "special"));
    assert_eq!((r.0, r.1["field"].as_str()), (400, Some("participants")), "{}", r.1);
    let r = p.app.post("/api/evaluation/plans", park_cmt.as_str(), &plan(json!([id]), "normal"));
    assert_eq!((r.0, r.1["field"].as_str()), (400, Some("kind")), "{}", r.1);
    let pl = expect(p.app.post("/api/evaluation/plans", park_cmt.as_str(), &plan(json!([id]), "special")), 201);
    let plan_id = pl["id"].as_i64().unwrap();
    let recorded: String = p
        .app
        .db()
        .query_row("SELECT justification FROM individual_plans WHERE plan_id = ?", [plan_id], |r| r.get(0))
        .unwrap();
    assert!(recorded.contains("一人一议"), "{recorded}");
    expect(p.app.post(&format!("/api/evaluation/plans/{plan_id}/submit"), park_cmt.as_str(), &json!({})), 200);
    let special_desk = p.app.token("op-special", "专场审核", Role::Province, "ORG-PROVINCE-SPECIAL");
    expect(
        p.app.post(&format!("/api/evaluation/plans/{plan_id}/audit"), special_desk.as_str(), &json!({"approve": true})),
        200,
    );
    p.app.set_clock("2024-11-15T10:00:00Z");
    let out = expect(
        p.app.post(
            &format!("/api/evaluation/plans/{plan_id}/offline-results"),
            park_cmt.as_str(),
            &json!({"voted_on": "2024-11-15", "results": [{"application_id": id, "agree": 7, "disagree": 0, "present": 7}]}),
        ),
        200,
    );
    assert_eq!(out[0]["outcome"], "passed", "{out}");
    p.app.set_clock("2024-11-18T01:00:00Z");
    let pb = expect(
        p.app.post(
            "/api/results/publicities",
            park_cmt.as_str(),
            &json!({"committee": PARK_CMT, "voted_on": "2024-11-15", "plan_id": plan_id, "start_on": "2024-11-18",
                    "complaint_office": "园区专场办公室", "complaint_phone": "0731-88880001"}),
        ),
        201,
    );
    p.app.set_clock("2024-11-26T01:00:00Z");
    p.app.fire_cron("publicity-timer");
    assert_eq!(p.state(id), "publicity_passed");
    let fr = expect(
        p.app.post("/api/results/filings", park_cmt.as_str(), &json!({"publicity_id": pb["id"].as_i64().unwrap()})),
        201,
    );
    audit_filing(&p, fr["id"].as_i64().unwrap(), "湘人社职备〔2024〕60号", "2024-11-27");
    issuing_unit(&p);
    title_tree(&p);
    p.app.set_clock("2024-11-28T02:00:00Z");
    let job = expect(p.app.post("/api/certificates/jobs", p.province.as_str(), &json!({"application_ids": [id]})), 201);
    assert_eq!(job["issued"], 1, "{job}");
    let doc = &my_certificate(&p)["document"]["certificate"];
    assert_eq!(
        (doc["committee"].as_str(), doc["unit"].as_str(), doc["title"].as_str()),
        (Some("湘江新区五好园区卫生系列专场评审委员会"), Some("园区某生物医药企业"), Some("副主任医师"))
    );
}

#[test]
fn a_self_evaluating_unit_applies_its_higher_standard_and_files_its_annual_plan_with_the_province() {
    use shared::auth::Role;
    const SELF: &str = "ORG-SELF-HOSP";
    const SELF_CMT: &str = "CMT-SELF-HOSP";
    let p = health_province();
    expect(
        p.app.post(
            "/api/province/organisations",
            p.province.as_str(),
            &json!({"id": SELF, "kind": "unit", "name": "某大学附属医院（自主评审）", "region_code": "430100",
                    "self_review": true}),
        ),
        201,
    );
    expect(
        p.app.post(
            "/api/province/committees",
            p.province.as_str(),
            &json!({"id": SELF_CMT, "name": "某大学附属医院卫生系列高级职称评审委员会", "organising_org": SELF,
                    "series": "卫生", "max_level": "full_senior", "valid_until": "2025-12-31", "specialties": ["内科学"]}),
        ),
        201,
    );
    let self_unit = p.app.token("hr-self", "自主评审医院人事处", Role::Unit, SELF);
    let self_office = p.app.token("op-self", "自主评审办公室", Role::CommitteeOrg, SELF);
    let rule = json!({"series": "卫生", "ce_hours_required": 60, "grassroots_service_required": true});
    expect(p.app.put("/api/admin/field-rules", p.province.as_str(), &rule), 200);

    // 三(一): higher than the province's standard, never lower; only a self-evaluating unit.
    let standard = |hours: u32| {
        json!({"series": "卫生", "ce_hours_required": hours, "min_achievements": 2,
                                       "filing_doc_no": "湘人社职备〔2024〕自评3号"})
    };
    let r = p.app.put("/api/province/unit-rules", self_unit.as_str(), &standard(40));
    assert_eq!((r.0, r.1["code"].as_str()), (422, Some("UNIT_RULE_BELOW_PROVINCE")), "{}", r.1);
    let r = p.app.put("/api/province/unit-rules", p.unit.as_str(), &standard(120));
    assert_eq!((r.0, r.1["code"].as_str()), (422, Some("NOT_SELF_REVIEW_UNIT")), "{}", r.1);
    expect(p.app.put("/api/province/unit-rules", self_unit.as_str(), &standard(120)), 200);
    // The province lists every unit's filed standard; a unit only its own.
    let listed = expect(p.app.get("/api/province/unit-rules?series=卫生", p.province.as_str()), 200);
    assert_eq!((listed["total"].as_i64(), listed["items"][0]["unit_org"].as_str()), (Some(1), Some(SELF)), "{listed}");
    assert_eq!(listed["items"][0]["ce_hours_required"], 120);
    assert_eq!(expect(p.app.get("/api/province/unit-rules", p.unit.as_str()), 200)["total"], 0, "its own only");

    // Checked at submission: 100 hours and one achievement meet the province's, not the unit's.
    p.app.set_clock("2024-09-20T02:00:00Z");
    let mut f = form("内科学");
    f["unit_org"] = json!(SELF);
    f["committee"] = json!(SELF_CMT);
    let v = expect(p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": f})), 201);
    let id = v["id"].as_i64().unwrap();
    let r = p.app.submit(id, p.applicant.as_str());
    assert_eq!(r.0, 422, "{}", r.1);
    let refused: Vec<(&str, &str)> = r.1["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["code"].as_str().unwrap(), v["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        vec![("UNIT_RULE_NOT_MET", "continuing_education_hours"), ("UNIT_RULE_NOT_MET", "achievements")]
    );
    let now = expect(p.app.get(&format!("/api/applications/{id}"), p.applicant.as_str()), 200);
    let mut f = now["form"].clone();
    f["citizen_id"] = json!("430102198503151236");
    f["continuing_education_hours"] = json!(130);
    f["achievements"]
        .as_array_mut()
        .unwrap()
        .push(json!({"kind": "award", "title": "省科技进步奖", "date": "2023-06-01"}));
    expect(
        p.app.put(
            &format!("/api/applications/{id}"),
            p.applicant.as_str(),
            &json!({"version": now["version"], "form": f}),
        ),
        200,
    );
    expect(p.app.submit(id, p.applicant.as_str()), 200);
    // Its own committee under the same flow: the unit publicises, recommends, and rechecks.
    let body =
        json!({"publicity_start": "2024-09-23", "complaint_office": "医院人事处", "complaint_phone": "0731-84320000"});
    expect(p.app.post(&format!("/api/unit/applications/{id}/approve"), self_unit.as_str(), &body), 200);
    p.app.set_clock("2024-09-30T02:00:00Z");
    p.app.fire_cron("publicity-timer");
    let v = expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), self_unit.as_str(), &json!({})), 200);
    assert_eq!(v["state"], "recheck", "{v}");
    expect(p.act(&self_office, id, "recheck", json!({"pass": true})), 200);

    // 二(五): the annual evaluation plan is filed with the province, which records its decision.
    let plan = json!({"year": 2024, "title": "2024年度卫生系列高级职称自主评审方案", "content": "评审范围、条件、时间安排、评委会组成"});
    let filed = expect(p.app.post("/api/province/self-review-plans", self_unit.as_str(), &plan), 201);
    assert_eq!(filed["status"], "submitted");
    let r = p.app.post("/api/province/self-review-plans", self_unit.as_str(), &plan);
    assert_eq!((r.0, r.1["code"].as_str()), (409, Some("SELF_REVIEW_PLAN_FILED")));
    let r = p.app.post("/api/province/self-review-plans", p.unit.as_str(), &plan);
    assert_eq!((r.0, r.1["code"].as_str()), (422, Some("NOT_SELF_REVIEW_UNIT")));
    let all = expect(p.app.get("/api/province/self-review-plans?year=2024", p.province.as_str()), 200);
    assert_eq!(all["total"], 1);
    assert_eq!(expect(p.app.get("/api/province/self-review-plans", p.unit.as_str()), 200)["total"], 0, "its own only");
    let audit = json!({"id": filed["id"], "approve": false, "version": filed["version"]});
    let r = p.app.post("/api/province/self-review-plans/audit", p.province.as_str(), &audit);
    assert_eq!((r.0, r.1["field"].as_str()), (400, Some("opinion")));
    assert_eq!(p.app.post("/api/province/self-review-plans/audit", self_unit.as_str(), &audit).0, 403);
    let audit = json!({"id": filed["id"], "approve": true, "opinion": "同意备案", "version": filed["version"]});
    let done = expect(p.app.post("/api/province/self-review-plans/audit", p.province.as_str(), &audit), 200);
    assert_eq!(done["status"], "approved");
    let mine = expect(p.app.get("/api/province/self-review-plans", self_unit.as_str()), 200);
    assert_eq!(mine["items"][0]["status"], "approved");
}

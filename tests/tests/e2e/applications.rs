//! The first slice end to end: the built `submit`, `review`, `jobs` and
//! `publicity-timer` components, driven over HTTP through the local host in test mode,
//! on a fresh SQLite file per test.

use e2e::{submit_body, TestApp};
use serde_json::{json, Value};
use shared::auth::{mint, Claims, Role};

const UNIT: &str = "ORG-CSU-HOSPITAL";
const OTHER_UNIT: &str = "ORG-OTHER";

/// A host with this file's two hospitals registered: a unit's token is admitted only with
/// an organisation that exists.
fn started() -> TestApp {
    let app = TestApp::start();
    app.add_organisations(&[(UNIT, "unit"), (OTHER_UNIT, "unit")]);
    app
}

/// The people of a scenario and their tokens.
struct Cast {
    applicant: String,
    other_applicant: String,
    unit: String,
    other_unit: String,
    province: String,
}

fn cast(app: &TestApp) -> Cast {
    Cast {
        applicant: app.token("app-zhang", "张三", Role::Applicant, ""),
        other_applicant: app.token("app-li", "李四", Role::Applicant, ""),
        unit: app.token("hr-1", "王人事", Role::Unit, UNIT),
        other_unit: app.token("hr-9", "赵人事", Role::Unit, OTHER_UNIT),
        province: app.token("prov-1", "省厅", Role::Province, "ORG-PROVINCE"),
    }
}

/// An engineer with an intermediate title since 2018 and five qualified assessments.
fn eligible_form() -> Value {
    json!({
        "citizen_id": "11010519491231002X",
        "unit_org": UNIT,
        "series": "工程",
        "target_level": "deputy_senior",
        "specialty": "土木工程",
        "committee": "CMT-ENG-HIGH",
        "current_title": {"series": "工程", "level": "intermediate", "obtained_on": "2018-12-01"},
        "assessments": (2019..=2023).map(|y| json!({"year": y, "result": "qualified"})).collect::<Vec<_>>(),
        "continuing_education_hours": 96,
        "achievements": [{"kind": "paper", "title": "大跨桥梁抗震研究", "date": "2023-03-01"}]
    })
}

fn create(app: &TestApp, token: &str, form: Value) -> (i64, i64) {
    let (s, v) = app.post("/api/applications", token, &json!({"batch_year": 2024, "form": form}));
    assert_eq!(s, 201, "{v}");
    (v["id"].as_i64().unwrap(), v["version"].as_i64().unwrap())
}

fn submitted(app: &TestApp, c: &Cast) -> i64 {
    let (id, _) = create(app, &c.applicant, eligible_form());
    let (s, v) = app.submit(id, c.applicant.as_str());
    assert_eq!(s, 200, "{v}");
    id
}

fn approve_body(start: &str) -> Value {
    json!({"publicity_start": start, "complaint_office": "医院人事处", "complaint_phone": "0731-84327000", "opinion": "材料真实完整，同意公示"})
}

fn state(app: &TestApp, c: &Cast, id: i64) -> String {
    let (s, v) = app.get(&format!("/api/applications/{id}"), c.applicant.as_str());
    assert_eq!(s, 200, "{v}");
    v["state"].as_str().unwrap().to_owned()
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Everything a failed request must leave untouched.
fn snapshot(app: &TestApp) -> Vec<(String, String)> {
    let db = app.db();
    let mut out = Vec::new();
    for table in ["applications", "materials", "objections", "audit_events"] {
        let mut stmt = db.prepare(&format!("SELECT * FROM {table} ORDER BY 1")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|")))
            .unwrap();
        for row in rows {
            out.push((table.to_owned(), row.unwrap()));
        }
    }
    out
}

#[test]
fn r11_an_application_goes_from_draft_through_refusal_and_five_working_days_of_publicity_to_recommendable() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");

    // A draft that breaks R1 (assistant title) and R3 (an unqualified counted year).
    let mut form = eligible_form();
    form["current_title"]["level"] = json!("assistant");
    form["assessments"][2]["result"] = json!("unqualified");
    let (id, version) = create(&app, &c.applicant, form);

    let (s, body) = app.post_bytes(
        &format!("/api/applications/{id}/materials?kind=degree&filename=%E5%AD%A6%E4%BD%8D%E8%AF%81.pdf"),
        c.applicant.as_str(),
        "application/pdf",
        b"%PDF-1.7 degree scan".to_vec(),
    );
    assert_eq!(s, 201, "{}", String::from_utf8_lossy(&body));
    let material: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(material["filename"], "学位证.pdf");

    // Submission is refused with R1 and R3 listed together.
    let (s, err) = app.submit(id, c.applicant.as_str());
    assert_eq!(s, 422, "{err}");
    let rules: Vec<&str> = err["violations"].as_array().unwrap().iter().filter_map(|v| v["rule"].as_str()).collect();
    assert!(rules.contains(&"R1") && rules.contains(&"R3"), "{err}");
    assert_eq!(state(&app, &c, id), "draft");

    // Fixed, then submitted.
    let (s, v) = app.put(
        &format!("/api/applications/{id}"),
        c.applicant.as_str(),
        &json!({"version": version, "form": eligible_form()}),
    );
    assert_eq!(s, 200, "{v}");
    let (s, v) = app.submit(id, c.applicant.as_str());
    assert_eq!((s, v["state"].as_str()), (200, Some("unit_review")), "{v}");

    // The unit approves into publicity opened on Monday 2024-09-30.
    app.set_clock("2024-09-29T03:00:00Z");
    let (s, v) =
        app.post(&format!("/api/unit/applications/{id}/approve"), c.unit.as_str(), &approve_body("2024-09-30"));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["publicity"]["end"], "2024-10-12", "National Day is off; Saturday 10-12 is an adjusted workday");

    // Not closed on 10-11, nor at the last second of 10-12 (Asia/Shanghai).
    app.set_clock("2024-10-11T08:00:00Z");
    app.fire_cron("publicity-timer");
    assert_eq!(state(&app, &c, id), "unit_publicity");
    app.set_clock("2024-10-12T15:59:59Z");
    app.fire_cron("publicity-timer");
    assert_eq!(state(&app, &c, id), "unit_publicity");

    // Closed once 10-13 begins: recommendable.
    app.advance_clock(1);
    app.fire_cron("publicity-timer");
    assert_eq!(state(&app, &c, id), "recommendable");

    // The history shows every step, the chain verifies.
    let (s, events) = app.get(&format!("/api/applications/{id}/events"), c.applicant.as_str());
    assert_eq!(s, 200);
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        // The second upload: the 评审表 the catalogue requires (一), before the first submit.
        [
            "create_draft",
            "upload_material",
            "upload_material",
            "edit",
            "submit",
            "approve_into_publicity",
            "close_publicity"
        ]
    );
    let (_, chain) = app.get("/api/jobs/audit-chain", c.province.as_str());
    // Seven for the application, two for registering the hospitals (`started`).
    assert_eq!((chain["events"].as_i64(), &chain["first_broken_seq"]), (Some(9), &Value::Null), "{chain}");
}

#[test]
fn the_material_hash_recorded_is_the_sha256_of_the_uploaded_bytes_and_downloads_match() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let (id, _) = create(&app, &c.applicant, eligible_form());
    let bytes = b"\x89PNG\r\n\x1a\n pretend scan".to_vec();
    let (s, body) = app.post_bytes(
        &format!("/api/applications/{id}/materials?kind=id_card&filename=id.png"),
        c.applicant.as_str(),
        "image/png",
        bytes.clone(),
    );
    assert_eq!(s, 201);
    let meta: Value = serde_json::from_slice(&body).unwrap();
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(meta["sha256"], expected);
    let mid = meta["id"].as_i64().unwrap();
    let (s, got) = app.get_bytes(&format!("/api/applications/{id}/materials/{mid}"), c.applicant.as_str());
    assert_eq!((s, got), (200, bytes));
    let (s, _) = app.get_bytes(&format!("/api/applications/{id}/materials/{mid}"), c.other_applicant.as_str());
    assert_eq!(s, 404);
}

#[test]
fn an_applicant_cannot_read_anothers_application() {
    let app = started();
    let c = cast(&app);
    let (id, _) = create(&app, &c.applicant, eligible_form());
    let (s, v) = app.get(&format!("/api/applications/{id}"), c.other_applicant.as_str());
    assert_eq!((s, v["code"].as_str()), (404, Some("NOT_FOUND")));
    let (s, _) = app.get(&format!("/api/applications/{id}/events"), c.other_applicant.as_str());
    assert_eq!(s, 404);
    let (s, _) = app.post(&format!("/api/applications/{id}/submit"), c.other_applicant.as_str(), &submit_body());
    assert_eq!(s, 404);
    let (_, list) = app.get("/api/applications", c.other_applicant.as_str());
    assert_eq!(list["total"], 0);
}

#[test]
fn a_unit_cannot_see_or_act_on_another_units_application() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let id = submitted(&app, &c);
    let (s, _) = app.get(&format!("/api/unit/applications/{id}"), c.other_unit.as_str());
    assert_eq!(s, 404);
    let (s, _) =
        app.post(&format!("/api/unit/applications/{id}/approve"), c.other_unit.as_str(), &approve_body("2024-09-30"));
    assert_eq!(s, 404);
    let (_, list) = app.get("/api/unit/applications", c.other_unit.as_str());
    assert_eq!(list["total"], 0);
    let (_, list) = app.get("/api/unit/applications", c.unit.as_str());
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["citizen_id"], "110***********002X");
}

#[test]
fn a_unit_never_sees_an_applicants_draft() {
    let app = started();
    let c = cast(&app);
    let (id, _) = create(&app, &c.applicant, eligible_form());
    let (s, _) = app.get(&format!("/api/unit/applications/{id}"), c.unit.as_str());
    assert_eq!(s, 404);
}

#[test]
fn no_token_a_bad_token_or_an_expired_token_is_401() {
    let app = started();
    let (s, v) = app.get("/api/applications", None);
    assert_eq!((s, v["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    let (s, _) = app.get("/api/applications", "not.a.token");
    assert_eq!(s, 401);
    let forged = mint(
        b"some-other-secret-entirely",
        &Claims {
            sub: "x".into(),
            name: "x".into(),
            role: Role::Province,
            org: String::new(),
            exp: e2e::FAR_FUTURE_EXP,
            sid: None,
            op: None,
        },
    );
    let (s, _) = app.get("/api/jobs/audit-chain", forged.as_str());
    assert_eq!(s, 401);
    app.set_clock("2024-10-01T00:00:00Z");
    let expired = mint(
        e2e::DEV_SECRET.as_bytes(),
        &Claims {
            sub: "x".into(),
            name: "x".into(),
            role: Role::Applicant,
            org: String::new(),
            exp: 1_727_740_799,
            sid: None,
            op: None,
        },
    );
    let (s, _) = app.get("/api/applications", expired.as_str());
    assert_eq!(s, 401);
}

#[test]
fn a_role_acting_outside_its_role_is_403() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let id = submitted(&app, &c);
    let (s, v) =
        app.post(&format!("/api/unit/applications/{id}/approve"), c.applicant.as_str(), &approve_body("2024-09-30"));
    assert_eq!((s, v["code"].as_str()), (403, Some("FORBIDDEN")));
    let (s, _) = app.post("/api/applications", c.unit.as_str(), &json!({"batch_year": 2024}));
    assert_eq!(s, 403);
    let (s, _) = app.post("/api/jobs/publicity-timer", c.unit.as_str(), &json!({}));
    assert_eq!(s, 403);
}

#[test]
fn bad_input_is_a_4xx_naming_the_field_and_changes_nothing() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let (id, version) = create(&app, &c.applicant, eligible_form());
    let before = snapshot(&app);

    let malformed = app.request(
        "POST",
        "/api/applications",
        Some(&c.applicant),
        Some(("application/json", b"{\"form\": {".to_vec())),
    );
    assert_eq!((malformed.status, malformed.json()["code"].as_str()), (400, Some("MALFORMED_BODY")));

    let (s, v) = app.post("/api/applications", c.applicant.as_str(), &json!({"batch_year": "2024"}));
    assert_eq!((s, v["field"].as_str()), (400, Some("batch_year")), "{v}");

    let (s, v) = app.put(
        &format!("/api/applications/{id}"),
        c.applicant.as_str(),
        &json!({"version": version, "form": {"continuing_education_hours": -3}}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("form.continuing_education_hours")), "{v}");

    let (s, v) =
        app.post("/api/applications", c.applicant.as_str(), &json!({"batch_year": 2024, "form": {"salary": 1}}));
    assert_eq!(s, 400, "{v}");
    assert!(v["field"].as_str().unwrap().contains("salary"), "{v}");

    let (s, v) = app.post(
        "/api/applications",
        c.applicant.as_str(),
        &json!({"batch_year": 2024, "form": {"citizen_id": "110105194912310021"}}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("form.citizen_id")), "{v}");
    assert!(!v.to_string().contains("110105194912310021"), "the ID number is never echoed: {v}");

    let (s, body) = app.post_bytes(
        &format!("/api/applications/{id}/materials?kind=degree&filename=big.pdf"),
        c.applicant.as_str(),
        "application/pdf",
        vec![b'%'; 10 * 1024 * 1024 + 1],
    );
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((s, v["field"].as_str()), (413, Some("body")), "{v}");

    let (s, body) = app.post_bytes(
        &format!("/api/applications/{id}/materials?kind=degree&filename=x.exe"),
        c.applicant.as_str(),
        "application/x-msdownload",
        b"MZ".to_vec(),
    );
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((s, v["field"].as_str()), (415, Some("content-type")), "{v}");

    let (s, v) = app.post(
        &format!("/api/unit/applications/{id}/approve"),
        c.unit.as_str(),
        &json!({"publicity_start": "2024-09-31", "complaint_office": "x", "complaint_phone": "0731-1"}),
    );
    assert!(s == 400 || s == 404, "{s} {v}");

    assert_eq!(snapshot(&app), before, "a refused request left the data as it was");
}

/// Eight unit approvals of application `id` sent at once, spread round-robin over `hosts`;
/// their statuses.
fn approve_at_once(hosts: &[&TestApp], unit: &str, id: i64) -> Vec<u16> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let host = hosts[i % hosts.len()];
                s.spawn(move || {
                    host.post(&format!("/api/unit/applications/{id}/approve"), unit, &approve_body("2024-09-30")).0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn eight_simultaneous_approvals_give_one_200_and_seven_409_and_one_audit_event() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let id = submitted(&app, &c);
    let statuses = approve_at_once(&[&app], c.unit.as_str(), id);
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'approve_into_publicity'"), 1);
}

#[test]
fn the_timer_fired_twice_or_after_a_30_day_gap_moves_each_application_once() {
    let app = started();
    let c = cast(&app);
    // Within the online qualification audit (二(一): by 09-30).
    app.set_clock("2024-09-02T02:00:00Z");
    let ids: Vec<i64> = (0..3).map(|_| submitted(&app, &c)).collect();
    for id in &ids {
        let (s, v) =
            app.post(&format!("/api/unit/applications/{id}/approve"), c.unit.as_str(), &approve_body("2024-09-02"));
        assert_eq!(s, 200, "{v}");
    }
    app.set_clock("2024-12-11T02:00:00Z"); // 30+ days later
    app.fire_cron("publicity-timer");
    app.fire_cron("publicity-timer");
    let (s, v) = app.post("/api/jobs/publicity-timer", c.province.as_str(), &json!({}));
    assert_eq!(
        (s, &v["closed_unit_publicity"]),
        (200, &json!([])),
        "the HTTP route runs the same code and finds nothing left"
    );
    for id in &ids {
        assert_eq!(state(&app, &c, *id), "recommendable");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'close_publicity'"), 3);
}

#[test]
fn a_return_lists_every_item_and_the_corrected_application_is_reviewed_again() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let id = submitted(&app, &c);
    let items = json!([
        {"field": "materials.degree", "reason": "学位证书扫描件不清晰"},
        {"field": "achievements[0]", "reason": "论文缺少检索证明"}
    ]);
    let (s, v) = app.post(
        &format!("/api/unit/applications/{id}/return"),
        c.unit.as_str(),
        &json!({"items": items, "opinion": "请一次性补正"}),
    );
    assert_eq!(s, 200, "{v}");
    let (_, mine) = app.get(&format!("/api/applications/{id}"), c.applicant.as_str());
    assert_eq!((mine["state"].as_str(), &mine["return_items"]), (Some("returned"), &items));
    let (s, _) = app.put(
        &format!("/api/applications/{id}"),
        c.applicant.as_str(),
        &json!({"version": mine["version"], "form": eligible_form()}),
    );
    assert_eq!(s, 200);
    let (s, v) = app.submit(id, c.applicant.as_str());
    assert_eq!((s, v["state"].as_str()), (200, Some("unit_review")));
    let (s, v) = app.post(&format!("/api/unit/applications/{id}/return"), c.unit.as_str(), &json!({"items": []}));
    assert_eq!((s, v["field"].as_str()), (400, Some("items")));
}

#[test]
fn an_upheld_objection_rejects_and_a_pending_one_holds_the_publicity_open() {
    let app = started();
    let c = cast(&app);
    // Within the online qualification audit (二(一): by 09-30).
    app.set_clock("2024-09-02T02:00:00Z");
    let upheld = submitted(&app, &c);
    let dismissed = submitted(&app, &c);
    for id in [upheld, dismissed] {
        let (s, _) =
            app.post(&format!("/api/unit/applications/{id}/approve"), c.unit.as_str(), &approve_body("2024-09-02"));
        assert_eq!(s, 200);
    }
    let objection = |id: i64| {
        let (s, v) = app.post(
            &format!("/api/unit/applications/{id}/objections"),
            c.unit.as_str(),
            &json!({"content": "实名反映论文涉嫌代写"}),
        );
        assert_eq!(s, 201, "{v}");
        v["id"].as_i64().unwrap()
    };
    let o1 = objection(upheld);
    let o2 = objection(dismissed);
    app.set_clock("2024-11-20T02:00:00Z");
    app.fire_cron("publicity-timer");
    assert_eq!(state(&app, &c, dismissed), "unit_publicity", "a pending objection holds the publicity");
    let (s, v) = app.post(
        &format!("/api/unit/applications/{upheld}/objections/{o1}/resolve"),
        c.unit.as_str(),
        &json!({"upheld": true, "finding": "经查实论文系代写"}),
    );
    assert_eq!((s, v["state"].as_str()), (200, Some("rejected")), "{v}");
    let (s, _) = app.post(
        &format!("/api/unit/applications/{dismissed}/objections/{o2}/resolve"),
        c.unit.as_str(),
        &json!({"upheld": false, "finding": "经核实反映不实"}),
    );
    assert_eq!(s, 200);
    app.fire_cron("publicity-timer");
    assert_eq!(state(&app, &c, dismissed), "recommendable");
    assert_eq!(state(&app, &c, upheld), "rejected");
}

#[test]
fn a_blacklisted_person_is_refused_at_submission_r5() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    {
        app.execute_sql(
            "INSERT INTO blacklist (citizen_id, name, reason, recorded_on, expires_on, created_at) VALUES ('11010519491231002X', '张三', '2023年提供虚假论文', '2023-06-01', '2026-05-31', '2023-06-01T00:00:00Z')",
        );
    }
    // Written in clear as before issue 10: the reseal turns it into the number's token,
    // which the submission's keyed look-up finds.
    let province = app.token("prov-1", "省人社厅", shared::auth::Role::Province, "ORG-PROVINCE");
    let r = app.post("/api/jobs/pii-reseal", province.as_str(), &serde_json::json!({}));
    assert_eq!((r.0, r.1["tokenised"].as_i64()), (200, Some(1)), "{}", r.1);
    let (id, _) = create(&app, &c.applicant, eligible_form());
    let (s, v) = app.submit(id, c.applicant.as_str());
    assert_eq!(s, 422);
    assert_eq!(v["violations"][0]["code"], "R5_BLACKLISTED", "{v}");
}

#[test]
fn a_retried_submit_with_the_same_idempotency_key_returns_the_same_result() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let (id, _) = create(&app, &c.applicant, eligible_form());
    app.upload_required_materials(id, &c.applicant);
    let submit = |key: &str| {
        let url = format!("{}/api/applications/{id}/submit", app.base_url());
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut r = agent
            .post(&url)
            .header("authorization", format!("Bearer {}", c.applicant))
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .send(submit_body().to_string().as_bytes())
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    let (s1, _) = submit("k-1");
    let (s2, b2) = submit("k-1");
    assert_eq!((s1, s2), (200, 200), "{b2}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'submit'"), 1);
    let (s3, _) = submit("k-2");
    assert_eq!(s3, 409);
}

#[test]
fn working_days_through_the_api_follow_the_official_calendars_and_refuse_2027() {
    let app = started();
    let t = app.token("anyone", "某人", Role::Applicant, "");
    let wd = |q: &str| app.get(&format!("/api/admin/calendar/working-days?{q}"), t.as_str());
    assert_eq!(wd("from=2025-10-15&subtract=10").1["result"], "2025-09-25");
    assert_eq!(wd("from=2026-09-30&add=3").1["result"], "2026-10-10");
    assert_eq!(wd("from=2024-09-30&add=5").1["result"], "2024-10-12");
    assert_eq!(wd("from=2024-10-12").1["working_day"], true, "调休 Saturday");
    assert_eq!(wd("from=2026-01-02").1["working_day"], false, "New Year holiday, a Friday");
    assert_eq!(wd("from=2025-01-27&to=2025-02-08").1["count"], 4);
    let (s, v) = wd("from=2026-12-28&add=10");
    assert_eq!((s, v["code"].as_str()), (422, Some("CALENDAR_YEAR_NOT_PUBLISHED")), "{v}");
    let (s, v) = wd("from=2026-13-01&add=1");
    assert_eq!((s, v["field"].as_str()), (400, Some("from")));
}

/// 告知承诺 (notice 四(一)): submission requires accepting the batch's commitment as worded
/// now; the submit event keeps the accepted text's hash and the time; refused, nothing moves.
#[test]
fn submission_requires_accepting_the_batchs_current_commitment_text() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let (id, _) = create(&app, &c.applicant, eligible_form());
    app.upload_required_materials(id, &c.applicant);
    let url = format!("/api/applications/{id}/submit");

    // The applicant reads the text of the application's batch (the notice's wording).
    let (s, shown) = app.get(&format!("/api/applications/{id}/commitment"), c.applicant.as_str());
    assert_eq!((s, shown["batch_year"].as_i64(), shown["default_text"].as_bool()), (200, Some(2024), Some(true)));
    assert!(shown["text"].as_str().unwrap().contains("告知承诺制"), "{shown}");
    assert_eq!(shown["text_sha256"], submit_body()["commitment"]["text_sha256"]);

    // Without it, or unticked: 422 naming the field, the draft untouched.
    for body in [json!({}), json!({"commitment": {"accepted": false, "text_sha256": shown["text_sha256"]}})] {
        let (s, e) = app.post(&url, c.applicant.as_str(), &body);
        assert_eq!(
            (s, e["code"].as_str(), e["field"].as_str()),
            (422, Some("COMMITMENT_REQUIRED"), Some("commitment.accepted")),
            "{e}"
        );
    }
    assert_eq!(state(&app, &c, id), "draft");

    // The province rewords the 2024 text: an acceptance of the old wording is refused.
    let new_text = "本人承诺：所提交的2024年度职称申报材料真实、准确、有效，如有弄虚作假，自愿承担相应责任。";
    let (s, v) = app.put("/api/admin/batches/2024/commitment", c.province.as_str(), &json!({"text": new_text}));
    assert_eq!((s, v["default_text"].as_bool(), v["version"].as_i64()), (200, Some(false), Some(1)), "{v}");
    let (s, e) = app.post(&url, c.applicant.as_str(), &submit_body());
    assert_eq!(
        (s, e["code"].as_str(), e["field"].as_str()),
        (422, Some("COMMITMENT_TEXT_CHANGED"), Some("commitment.text_sha256")),
        "{e}"
    );
    assert_eq!(state(&app, &c, id), "draft");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'submit'"), 0);
    // Only the province words it.
    let (s, _) = app.put("/api/admin/batches/2024/commitment", c.unit.as_str(), &json!({"text": "x"}));
    assert_eq!(s, 403);

    // Accepting the current wording submits; the event records its hash and the time.
    let (_, now) = app.get(&format!("/api/applications/{id}/commitment"), c.applicant.as_str());
    assert_eq!(now["text"], new_text);
    let body = json!({"commitment": {"accepted": true, "text_sha256": now["text_sha256"]}});
    let (s, v) = app.post(&url, c.applicant.as_str(), &body);
    assert_eq!((s, v["state"].as_str()), (200, Some("unit_review")), "{v}");
    let detail: Value = serde_json::from_str(
        &app.db()
            .query_row(
                "SELECT detail FROM audit_events WHERE action = 'submit' AND subject_id = ?",
                [id.to_string()],
                |r| r.get::<_, String>(0),
            )
            .unwrap(),
    )
    .unwrap();
    assert_eq!(detail["commitment"]["text_sha256"], now["text_sha256"]);
    assert_eq!(detail["commitment"]["accepted_at"].as_str().map(|t| &t[..10]), Some("2024-09-20"), "{detail}");
}

/// Issue 10, bodies: a JSON body is bounded (256 KiB), one document with nothing after it,
/// and declared as JSON when its type is declared; refused, nothing is stored.
#[test]
fn oversized_trailing_or_mislabelled_json_bodies_are_refused_and_nothing_is_stored() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let before = snapshot(&app);
    let mut huge = eligible_form();
    huge["specialty"] = json!("土".repeat(20 * 1024 * 1024 / 3));
    let body = json!({"batch_year": 2024, "form": huge}).to_string().into_bytes();
    let r = app.request("POST", "/api/applications", Some(c.applicant.as_str()), Some(("application/json", body)));
    assert_eq!((r.status, r.json()["code"].as_str()), (413, Some("PAYLOAD_TOO_LARGE")));
    let mut trailing = json!({"batch_year": 2024, "form": eligible_form()}).to_string().into_bytes();
    trailing.extend_from_slice(b" {\"batch_year\": 2025}");
    let r = app.request("POST", "/api/applications", Some(c.applicant.as_str()), Some(("application/json", trailing)));
    assert_eq!((r.status, r.json()["code"].as_str()), (400, Some("MALFORMED_BODY")), "{}", r.json());
    let plain = json!({"batch_year": 2024, "form": eligible_form()}).to_string().into_bytes();
    let r = app.request("POST", "/api/applications", Some(c.applicant.as_str()), Some(("text/plain", plain.clone())));
    assert_eq!(
        (r.status, r.json()["code"].as_str(), r.json()["field"].as_str()),
        (415, Some("UNSUPPORTED_MEDIA_TYPE"), Some("content-type"))
    );
    assert_eq!(snapshot(&app), before);
    // The same document, declared as JSON (with a charset), is accepted.
    let r = app.request(
        "POST",
        "/api/applications",
        Some(c.applicant.as_str()),
        Some(("application/json; charset=utf-8", plain)),
    );
    assert_eq!(r.status, 201);
}

/// Issue 10, uploads: the bytes must be what the declared type says, and a file name with a
/// control or direction-changing character, a path, or nothing but dots is refused.
#[test]
fn an_upload_whose_bytes_are_not_its_declared_type_or_whose_name_deceives_is_refused() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let (id, _) = create(&app, &c.applicant, eligible_form());
    let before = snapshot(&app);
    let upload = |filename: &str, ct: &str, bytes: &[u8]| {
        app.post_bytes(
            &format!("/api/applications/{id}/materials?kind=degree&filename={filename}"),
            c.applicant.as_str(),
            ct,
            bytes.to_vec(),
        )
    };
    // A Windows program and an ELF binary labelled as PDF; a PNG labelled as JPEG.
    for (ct, bytes) in [
        ("application/pdf", &b"MZ\x90\x00\x03\x00\x00\x00"[..]),
        ("application/pdf", &b"\x7fELF\x02\x01\x01"[..]),
        ("image/jpeg", &b"\x89PNG\r\n\x1a\n...."[..]),
    ] {
        let (s, body) = upload("degree.pdf", ct, bytes);
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (s, e["code"].as_str(), e["field"].as_str()),
            (415, Some("UNSUPPORTED_MEDIA_TYPE"), Some("body")),
            "{e}"
        );
    }
    // NUL, right-to-left override (U+202E before "fdp.exe" shows as "exe.pdf"), a path, dots only.
    for name in ["a%00.pdf", "%E2%80%AEfdp.exe", "..%2F..%2Fetc%2Fpasswd", ".", "..", "%20"] {
        let (s, body) = upload(name, "application/pdf", b"%PDF-1.7 scan");
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!((s, e["field"].as_str()), (400, Some("filename")), "{name}: {e}");
    }
    assert_eq!(snapshot(&app), before);
    // A decomposed name is stored in NFC: "é" as e + U+0301 becomes U+00E9.
    let (s, body) = upload("caf%65%CC%81.pdf", "application/pdf", b"%PDF-1.7 scan");
    let m: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((s, m["filename"].as_str()), (201, Some("caf\u{e9}.pdf")), "{m}");
}

/// 一: the qualification-review materials of the catalogue (资格审查材料目录) must be
/// uploaded before submitting; every missing one is listed with the rule failures, naming
/// its field, and nothing moves. The province keeps the catalogue per series and level.
/// 二(二): the paper performance materials' receipt is recorded against the application,
/// in or out of the collection window (2024: 09-29, an adjusted workday, and 09-30).
#[test]
fn submission_lists_every_missing_qualification_material_and_the_paper_receipt_is_recorded() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let (id, _) = create(&app, &c.applicant, eligible_form());
    let before = count(&app, "SELECT COUNT(*) FROM audit_events");
    let (s, e) = app.post(&format!("/api/applications/{id}/submit"), c.applicant.as_str(), &submit_body());
    assert_eq!(s, 422, "{e}");
    let fields: Vec<&str> = e["violations"].as_array().unwrap().iter().filter_map(|v| v["field"].as_str()).collect();
    assert!(fields.contains(&"materials.evaluation_form") && fields.contains(&"materials.degree"), "{e}");
    assert!(e["violations"].as_array().unwrap().iter().all(|v| v["code"] == "MATERIALS_MISSING"), "{e}");
    assert_eq!((state(&app, &c, id), count(&app, "SELECT COUNT(*) FROM audit_events")), ("draft".into(), before));

    // The province adds the 工程 series' annual assessment to the catalogue.
    let set =
        json!({"series": "工程", "level": "", "materials": [{"kind": "assessment", "label": "近五年年度考核登记表"}]});
    let (s, _) = app.put("/api/admin/required-materials", c.unit.as_str(), &set);
    assert_eq!(s, 403, "only the province keeps the catalogue");
    let bad = json!({"series": "工程", "materials": [{"kind": "tax_return", "label": "纳税证明"}]});
    let (s, e) = app.put("/api/admin/required-materials", c.province.as_str(), &bad);
    assert_eq!((s, e["field"].as_str()), (400, Some("materials[0].kind")), "{e}");
    let (s, catalogue) = app.put("/api/admin/required-materials", c.province.as_str(), &set);
    assert_eq!(s, 200, "{catalogue}");
    let (_, list) = app.get(&format!("/api/applications/{id}/material-checklist"), c.applicant.as_str());
    let kinds: Vec<&str> = list["required"].as_array().unwrap().iter().filter_map(|i| i["kind"].as_str()).collect();
    assert_eq!(kinds, ["degree", "evaluation_form", "assessment"], "{list}");
    assert_eq!(list["complete"], false);
    assert_eq!(
        (list["paper_window"]["start"].as_str(), list["paper_window"]["end"].as_str()),
        (Some("2024-09-29"), Some("2024-09-30"))
    );

    // Uploading only two: the third is still listed, alone.
    for kind in ["degree", "evaluation_form"] {
        let (s, _) = app.post_bytes(
            &format!("/api/applications/{id}/materials?kind={kind}&filename={kind}.pdf"),
            c.applicant.as_str(),
            "application/pdf",
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        );
        assert_eq!(s, 201);
    }
    let (s, e) = app.post(&format!("/api/applications/{id}/submit"), c.applicant.as_str(), &submit_body());
    let missing: Vec<&str> = e["violations"].as_array().unwrap().iter().filter_map(|v| v["field"].as_str()).collect();
    assert_eq!((s, missing), (422, vec!["materials.assessment"]), "{e}");
    let (s, v) = app.submit(id, c.applicant.as_str());
    assert_eq!((s, v["state"].as_str()), (200, Some("unit_review")), "{v}");

    // The paper materials: received 09-29 by the province's collection point (in the
    // window), corrected to 10-08 (recorded, out of the window); not in the future.
    app.set_clock("2024-10-08T02:00:00Z");
    let receive = |token: &str, on: &str| {
        app.put(
            &format!("/api/chain/applications/{id}/paper-materials"),
            token,
            &json!({"received_on": on, "pieces": 3, "note": "业绩材料三册"}),
        )
    };
    let (s, e) = receive(c.province.as_str(), "2024-10-09");
    assert_eq!((s, e["field"].as_str()), (400, Some("received_on")), "{e}");
    let (s, v) = receive(c.province.as_str(), "2024-09-29");
    assert_eq!((s, v["paper"]["in_window"].as_bool()), (200, Some(true)), "{v}");
    let (s, v) = receive(c.province.as_str(), "2024-10-08");
    assert_eq!(
        (s, v["paper"]["in_window"].as_bool(), v["paper"]["pieces"].as_i64()),
        (200, Some(false), Some(3)),
        "{v}"
    );
    let (s, _) = receive(c.unit.as_str(), "2024-09-30");
    assert_eq!(s, 403, "a unit does not receive paper materials");
    let (_, seen) = app.get(&format!("/api/applications/{id}/material-checklist"), c.applicant.as_str());
    assert_eq!(
        (seen["paper"]["received_on"].as_str(), seen["complete"].as_bool()),
        (Some("2024-10-08"), Some(true)),
        "{seen}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'receive_paper_materials'"), 2);
}

/// Issue 10, the audit chain: closing publicity anchors the chain's head (signed with the
/// seal key, exported to the province); then several tampers are all reported, text that
/// is not JSON in `detail` is a break, and removing the last events shows as truncation.
#[test]
fn the_verifier_reports_every_tamper_and_the_removal_of_the_last_events_against_the_signed_anchor() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-02T02:00:00Z");
    let ids: Vec<i64> = (0..3).map(|_| submitted(&app, &c)).collect();
    for id in &ids {
        let (s, v) =
            app.post(&format!("/api/unit/applications/{id}/approve"), c.unit.as_str(), &approve_body("2024-09-02"));
        assert_eq!(s, 200, "{v}");
    }
    app.set_clock("2024-12-11T02:00:00Z");
    let (s, v) = app.post("/api/jobs/publicity-timer", c.province.as_str(), &json!({}));
    assert_eq!((s, v["closed_unit_publicity"].as_array().map(Vec::len)), (200, Some(3)), "{v}");
    let head = count(&app, "SELECT MAX(seq) FROM audit_events");

    let (s, anchors) = app.get("/api/jobs/audit-anchors", c.province.as_str());
    assert_eq!(s, 200, "{anchors}");
    let a = &anchors[0];
    assert_eq!(
        (anchors.as_array().unwrap().len(), a["reason"].as_str(), a["head_seq"].as_i64()),
        (1, Some("publicity_close"), Some(head))
    );
    let message = shared::audit::anchor::message(
        head,
        a["head_hash"].as_str().unwrap(),
        "publicity_close",
        a["reference"].as_str().unwrap(),
        a["at"].as_str().unwrap(),
    );
    let signed = shared::certificates::seal::verify(
        a["public_key"].as_str().unwrap(),
        &message,
        a["signature"].as_str().unwrap(),
    );
    assert_eq!(signed, Ok(true), "the anchor is signed with the seal key");
    assert_eq!(a["key_id"], shared::certificates::seal::SealKey::from_hex(e2e::DEV_SEAL_KEY).unwrap().key_id());
    let (_, clean) = app.get("/api/jobs/audit-chain", c.province.as_str());
    assert_eq!((&clean["breaks"], clean["latest_anchor"]["head_seq"].as_i64()), (&json!([]), Some(head)), "{clean}");

    // Tamper: edit an early event, write text into a NULL detail, remove the last two.
    let db = app.db();
    let bare: i64 = db
        .query_row("SELECT MIN(seq) FROM audit_events WHERE detail IS NULL AND seq > 2 AND seq < ?", [head - 2], |r| {
            r.get(0)
        })
        .unwrap();
    drop(db);
    app.execute_sql("UPDATE audit_events SET opinion = '伪造的意见' WHERE seq = 2");
    app.execute_sql(&format!("UPDATE audit_events SET detail = 'not json' WHERE seq = {bare}"));
    app.execute_sql(&format!("DELETE FROM audit_events WHERE seq > {}", head - 2));
    let (s, report) = app.get("/api/jobs/audit-chain", c.province.as_str());
    assert_eq!(s, 200);
    let breaks: Vec<(i64, String)> = report["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["seq"].as_i64().unwrap(), b["kind"].as_str().unwrap().to_string()))
        .collect();
    let expected: Vec<(i64, String)> = vec![
        (2, "edited".into()),
        (bare, "detail_not_json".into()),
        (bare, "edited".into()),
        (head, "truncated".into()),
    ];
    assert_eq!(breaks, expected, "{report}");
    assert_eq!((report["breaks_total"].as_i64(), report["first_broken_seq"].as_i64()), (Some(4), Some(2)));
}

/// Issue 10, field lengths: a name, a specialty or an opinion longer than the domain
/// allows is refused with 422 naming the field, and nothing is stored.
#[test]
fn an_overlong_name_specialty_or_opinion_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = started();
    let c = cast(&app);
    app.set_clock("2024-09-20T02:00:00Z");
    let id = submitted(&app, &c);
    let before = snapshot(&app);
    let mut form = eligible_form();
    form["specialty"] = json!("土".repeat(201));
    let (s, v) = app.post("/api/applications", c.applicant.as_str(), &json!({"batch_year": 2024, "form": form}));
    assert_eq!(
        (s, v["code"].as_str(), v["field"].as_str()),
        (422, Some("FIELD_TOO_LONG"), Some("form.specialty")),
        "{v}"
    );
    let mut form = eligible_form();
    form["achievements"][0]["title"] = json!("论".repeat(201));
    let (s, v) = app.post("/api/applications", c.applicant.as_str(), &json!({"batch_year": 2024, "form": form}));
    assert_eq!((s, v["field"].as_str()), (422, Some("form.achievements[0].title")), "{v}");
    let mut approve = approve_body("2024-09-20");
    approve["opinion"] = json!("同".repeat(2001));
    let (s, v) = app.post(&format!("/api/unit/applications/{id}/approve"), c.unit.as_str(), &approve);
    assert_eq!((s, v["field"].as_str()), (422, Some("opinion")), "{v}");
    assert_eq!(snapshot(&app), before);
    // At the limit it is accepted.
    let mut form = eligible_form();
    form["specialty"] = json!("土".repeat(200));
    let (s, v) = app.post("/api/applications", c.applicant.as_str(), &json!({"batch_year": 2024, "form": form}));
    assert_ne!(v["field"].as_str(), Some("form.specialty"), "{s} {v}");
}

// ---------------------------------------------------------------- several replicas (issue 15)

/// Two hosts on one PostgreSQL (only when the suite runs on PostgreSQL: SQLite is one file
/// beside one process).
fn two_replicas() -> Option<(TestApp, TestApp)> {
    let a = started();
    let Some(b) = a.replica() else {
        eprintln!("the store is SQLite: no replicas to test");
        return None;
    };
    Some((a, b))
}

#[test]
fn eight_simultaneous_approvals_split_across_two_replicas_give_one_200_and_one_audit_event() {
    let Some((a, b)) = two_replicas() else { return };
    let c = cast(&a);
    a.set_clock("2024-09-20T02:00:00Z");
    b.set_clock("2024-09-20T02:00:00Z");
    let id = submitted(&a, &c);
    let statuses = approve_at_once(&[&a, &b], c.unit.as_str(), id);
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
    assert_eq!(count(&a, "SELECT COUNT(*) FROM audit_events WHERE action = 'approve_into_publicity'"), 1);
    assert_eq!(state(&b, &c, id), "unit_publicity", "the other replica reads the same store");
}

#[test]
fn the_publicity_timer_fired_on_two_replicas_at_once_moves_each_application_once() {
    let Some((a, b)) = two_replicas() else { return };
    let c = cast(&a);
    a.set_clock("2024-09-02T02:00:00Z");
    let ids: Vec<i64> = (0..4).map(|_| submitted(&a, &c)).collect();
    for id in &ids {
        let (s, v) =
            a.post(&format!("/api/unit/applications/{id}/approve"), c.unit.as_str(), &approve_body("2024-09-02"));
        assert_eq!(s, 200, "{v}");
    }
    a.set_clock("2024-12-11T02:00:00Z");
    b.set_clock("2024-12-11T02:00:00Z");
    std::thread::scope(|s| {
        let x = s.spawn(|| a.fire_cron("publicity-timer"));
        let y = s.spawn(|| b.fire_cron("publicity-timer"));
        x.join().unwrap();
        y.join().unwrap();
    });
    for id in &ids {
        assert_eq!(state(&b, &c, *id), "recommendable");
    }
    assert_eq!(count(&a, "SELECT COUNT(*) FROM audit_events WHERE action = 'close_publicity'"), 4, "each moved once");
}

#[test]
fn a_sqlite_database_moved_up_to_postgres_keeps_its_rows_and_its_audit_chain() {
    let Some(server) = e2e::postgres_server() else {
        return eprintln!("no PostgreSQL server: moving up not tested");
    };
    // A province on SQLite with applications and audit events.
    let sqlite = TestApp::builder(e2e::app_manifest()).var("database_url", "").start().unwrap();
    assert!(sqlite.database_url().is_none());
    sqlite.add_organisations(&[(UNIT, "unit"), (OTHER_UNIT, "unit")]);
    let c = cast(&sqlite);
    sqlite.set_clock("2024-09-20T02:00:00Z");
    let id = submitted(&sqlite, &c);
    let (s, v) =
        sqlite.post(&format!("/api/unit/applications/{id}/approve"), c.unit.as_str(), &approve_body("2024-09-30"));
    assert_eq!(s, 200, "{v}");
    let events = count(&sqlite, "SELECT COUNT(*) FROM audit_events");
    assert!(events >= 3, "{events}");

    let name = format!("zh_moveup_{}", std::process::id());
    let admin = e2e::zhicheng_host::pg::with_database(&server, "postgres");
    e2e::zhicheng_host::app::block_on(e2e::zhicheng_host::pg::create_database(&admin, &name, None)).unwrap();
    let url = e2e::zhicheng_host::pg::with_database(&server, &name);
    let report = e2e::zhicheng_host::pg::move_up(sqlite.db_path(), &url, &e2e::repo_root().join("migrations")).unwrap();
    assert_eq!(report.audit_events, events as u64);
    let apps = report.tables.iter().find(|(t, _)| t == "applications").unwrap();
    assert_eq!(apps.1, 1);

    // The same application, served from PostgreSQL, and new ids continue after the copied ones.
    let pg = TestApp::builder(e2e::app_manifest())
        .var("database_url", &url)
        .var("database_host", &e2e::zhicheng_host::pg::host_port(&url).unwrap())
        .start()
        .unwrap();
    pg.set_clock("2024-09-20T02:00:00Z");
    assert_eq!(state(&pg, &c, id), "unit_publicity");
    let next = submitted(&pg, &c);
    assert!(next > id, "{next} after {id}");
    let (s, chain) = pg.get("/api/jobs/audit-chain", c.province.as_str());
    assert_eq!((s, &chain["breaks"]), (200, &json!([])), "{chain}");
}

//! The notice's rules and deadlines, round two (issue 12): each refusal names its rule and
//! dates with its own code and leaves the stored rows exactly as they were; the allowed
//! path is taken right at the boundary (the last allowed day).

use e2e::scenario::*;
use serde_json::{json, Value};
use shared::auth::Role;

/// Every row of `sql` (all columns as text), to compare before and after a refusal.
pub fn rows(p: &Province, sql: &str) -> Vec<Vec<String>> {
    let db = p.app.db();
    let mut stmt = db.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Real(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(b) => format!("blob:{}", b.len()),
                })
            })
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The application's row and its audit events.
pub fn application_rows(p: &Province, id: i64) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    (
        rows(p, &format!("SELECT * FROM applications WHERE id = {id}")),
        rows(p, &format!("SELECT * FROM audit_events WHERE subject_kind = 'application' AND subject_id = '{id}'")),
    )
}

#[test]
fn qualification_audit_steps_close_after_september_30th_unless_the_province_extends_them() {
    let p = health_province();
    p.approve_quota(3);
    let a = p.recommendable("内科学");
    let b = p.recommendable_nth(1, "内科学");
    // A draft of a third applicant, not yet submitted.
    let late = p.app.token("doc-late", "医生晚", Role::Applicant, "");
    let body = json!({"batch_year": 2024, "form": form_of(&citizen_id(7), "内科学")});
    let draft = expect(p.app.post("/api/applications", late.as_str(), &body), 201)["id"].as_i64().unwrap();

    // 09-30 (Beijing) is the last day: the unit recommends and the department approves.
    p.app.set_clock("2024-09-30T15:59:00Z");
    expect(p.app.post(&format!("/api/unit/applications/{a}/recommend"), p.unit.as_str(), &json!({})), 200);
    expect(p.act(&p.dept, a, "approve", json!({"opinion": "同意上报"})), 200);

    // 10-01: submission, recommendation, upper audit and formal review are closed.
    p.app.set_clock("2024-09-30T16:00:00Z");
    p.app.upload_required_materials(draft, late.as_str());
    let before = application_rows(&p, draft);
    let r = expect(p.app.post(&format!("/api/applications/{draft}/submit"), late.as_str(), &submit_body()), 422);
    assert_eq!(r["code"], "QUALIFICATION_AUDIT_CLOSED", "{r}");
    assert!(r["message"].as_str().unwrap().contains("2024-09-30"), "{r}");
    assert!(r["message"].as_str().unwrap().contains("二(一)"), "{r}");
    assert_eq!(application_rows(&p, draft), before);

    let before = application_rows(&p, b);
    let r = expect(p.app.post(&format!("/api/unit/applications/{b}/recommend"), p.unit.as_str(), &json!({})), 422);
    assert_eq!(r["code"], "QUALIFICATION_AUDIT_CLOSED");
    assert_eq!(application_rows(&p, b), before);

    let before = application_rows(&p, a);
    let r = expect(p.act(&p.city, a, "approve", json!({"opinion": "形式审查通过"})), 422);
    assert_eq!(r["code"], "QUALIFICATION_AUDIT_CLOSED");
    assert!(r["message"].as_str().unwrap().contains("形式审查"), "{r}");
    assert_eq!(application_rows(&p, a), before);
    // Returning it is still possible — but not needed here: the committee's own recheck is
    // not part of the online qualification audit.

    // The province records an extension for the city HR bureau until 10-08, with why.
    let bad = p.app.post(
        "/api/admin/rule-exceptions",
        p.province.as_str(),
        &json!({"kind": "qualification_audit_extension", "year": 2024, "org": CITY, "until": "2024-10-08"}),
    );
    assert_eq!(expect(bad, 400)["field"], "reason");
    assert_eq!(
        p.app.post(
            "/api/admin/rule-exceptions",
            p.cmt.as_str(),
            &json!({"kind": "qualification_audit_extension", "year": 2024, "org": CITY, "until": "2024-10-08", "reason": "x"}),
        )
        .0,
        403
    );
    let ext = expect(
        p.app.post(
            "/api/admin/rule-exceptions",
            p.province.as_str(),
            &json!({"kind": "qualification_audit_extension", "year": 2024, "org": CITY, "until": "2024-10-08",
                    "reason": "国庆假期顺延，湘人社函〔2024〕99号"}),
        ),
        201,
    );
    assert_eq!((ext["granted_by"].as_str(), ext["granted_org"].as_str()), (Some("op-prov"), Some("ORG-PROVINCE")));
    let listed = expect(p.app.get("/api/admin/rule-exceptions?year=2024", p.province.as_str()), 200);
    assert_eq!(listed[0]["id"], ext["id"]);

    // The extension's last day, and not the day after; the unit's own steps stay closed.
    p.app.set_clock("2024-10-08T15:59:00Z");
    let r = expect(p.app.post(&format!("/api/unit/applications/{b}/recommend"), p.unit.as_str(), &json!({})), 422);
    assert_eq!(r["code"], "QUALIFICATION_AUDIT_CLOSED");
    expect(p.act(&p.city, a, "approve", json!({"opinion": "形式审查通过"})), 200);
    assert_eq!(p.state(a), "recheck");
}

#[test]
fn a_committee_with_its_own_schedule_keeps_its_own_qualification_deadline() {
    let p = health_province();
    p.approve_quota(2);
    let a = p.recommendable("内科学");
    let batch = expect(p.app.get("/api/admin/batches/2024", p.province.as_str()), 200);
    assert_eq!(batch["qualification_audit_deadline"], "2024-09-30", "the notice's value by default");
    // 二(五): the committee's own schedule runs to 10-15, kept by its own office (annex 2
    // §1.4.2); another committee's office may neither read nor set it.
    let other_office = p.app.token("other-office", "工程高评会办公室", Role::CommitteeOrg, OTHER_CMT_ORG);
    let path = format!("/api/admin/committees/{COMMITTEE}/batches/2024");
    let before = rows(&p, "SELECT * FROM committee_batches");
    let t = other_office.as_str();
    expect(p.app.put(&path, t, &json!({"qualification_audit_deadline": "2024-10-15"})), 404);
    expect(p.app.get(&format!("/api/admin/committees/{COMMITTEE}/batches"), t), 404);
    expect(p.app.put(&path, p.unit.as_str(), &json!({"qualification_audit_deadline": "2024-10-15"})), 403);
    assert_eq!(rows(&p, "SELECT * FROM committee_batches"), before);
    let own = expect(p.app.put(&path, p.cmt.as_str(), &json!({"qualification_audit_deadline": "2024-10-15"})), 200);
    assert_eq!(own["qualification_audit_deadline"], "2024-10-15", "{own}");
    let years = expect(p.app.get(&format!("/api/admin/committees/{COMMITTEE}/batches"), p.cmt.as_str()), 200);
    let y2024 = years.as_array().unwrap().iter().find(|y| y["year"] == 2024).expect("2024 listed").clone();
    assert_eq!(y2024["qualification_audit_deadline"], "2024-10-15");
    assert_eq!(y2024["material_cutoff"], batch["material_cutoff"], "the batch's cutoff applies where none is set");
    p.app.set_clock("2024-10-15T09:00:00Z");
    expect(p.app.post(&format!("/api/unit/applications/{a}/recommend"), p.unit.as_str(), &json!({})), 200);
    p.app.set_clock("2024-10-16T01:00:00Z");
    let before = application_rows(&p, a);
    let r = expect(p.act(&p.dept, a, "approve", json!({})), 422);
    assert_eq!(r["code"], "QUALIFICATION_AUDIT_CLOSED");
    assert!(r["message"].as_str().unwrap().contains("2024-10-15"), "{r}");
    assert_eq!(application_rows(&p, a), before);
    // The batch's own deadline may not reach the voting deadline.
    let mut b = batch.clone();
    b["qualification_audit_deadline"] = json!("2024-12-15");
    for k in ["committees", "year"] {
        b.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(
        expect(p.app.put("/api/admin/batches/2024", p.province.as_str(), &b), 400)["field"],
        "qualification_audit_deadline"
    );
}

#[test]
fn r11_unit_publicity_may_not_start_before_today() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    let body = json!({"batch_year": 2024, "form": form("内科学")});
    let id = expect(p.app.post("/api/applications", p.applicant.as_str(), &body), 201)["id"].as_i64().unwrap();
    expect(p.app.submit(id, p.applicant.as_str()), 200);
    let approve = |start: &str| {
        p.app.post(
            &format!("/api/unit/applications/{id}/approve"),
            p.unit.as_str(),
            &json!({"publicity_start": start, "complaint_office": "医院人事处", "complaint_phone": "0731-84327000"}),
        )
    };
    // Submitted and approved a few days later: a start on the submission day is now past.
    p.app.set_clock("2024-09-23T02:00:00Z");
    let before = application_rows(&p, id);
    let r = expect(approve("2024-09-20"), 422);
    assert_eq!((r["code"].as_str(), r["field"].as_str()), (Some("R11_PUBLICITY_START_PAST"), Some("publicity_start")));
    assert!(r["message"].as_str().unwrap().contains("2024-09-23"), "{r}");
    assert_eq!(application_rows(&p, id), before);
    // Today is allowed: five full working days after it.
    let v = expect(approve("2024-09-23"), 200);
    assert_eq!(v["publicity"]["end"], "2024-09-29", "24, 25, 26, 27 and Sunday 29 (an adjusted workday)");
}

#[test]
fn r18_result_publicity_opens_by_the_third_working_day_or_with_a_recorded_exception() {
    let p = health_province();
    p.approve_quota(2);
    let a = p.qualified("内科学");
    e2e::scenario::voted_passed(&p, &[a], "2024-09-30");
    let open = |start: &str| {
        p.app.post(
            "/api/results/publicities",
            p.cmt.as_str(),
            &json!({"committee": COMMITTEE, "voted_on": "2024-09-30", "plan_id": plan_of(&p), "start_on": start,
                    "complaint_office": "卫生高评会办公室", "complaint_phone": "0731-84000000"}),
        )
    };
    // 10-10 is the third working day after the 09-30 vote (National Day 10-01..07).
    p.app.set_clock("2024-10-10T01:00:00Z");
    let publicities = || rows(&p, "SELECT * FROM result_publicities");
    let (before, before_pub) = (application_rows(&p, a), publicities());
    let r = expect(open("2024-10-11"), 422);
    assert_eq!((r["code"].as_str(), r["field"].as_str()), (Some("R18_RESULT_PUBLICITY_LATE"), Some("start_on")));
    assert!(r["message"].as_str().unwrap().contains("2024-10-10"), "{r}");
    assert_eq!((application_rows(&p, a), publicities()), (before, before_pub));

    // With an exception the province recorded for this session, up to its last day.
    let e = json!({"kind": "late_result_publicity", "year": 2024, "committee": COMMITTEE, "voted_on": "2024-09-30",
                   "until": "2024-10-11", "reason": "评委会办公室搬迁，经厅务会同意延后一日"});
    assert_eq!(expect(p.app.post("/api/admin/rule-exceptions", p.province.as_str(), &e), 201)["until"], "2024-10-11");
    assert_eq!(expect(open("2024-10-14"), 422)["code"], "R18_RESULT_PUBLICITY_LATE", "beyond the exception");
    let pb = expect(open("2024-10-11"), 201);
    assert_eq!((pb["opened_late"].as_bool(), pb["open_deadline"].as_str()), (Some(true), Some("2024-10-10")));
}

#[test]
fn r18_result_publicity_opened_on_the_third_working_day_is_on_time() {
    let p = health_province();
    p.approve_quota(2);
    let a = p.qualified("内科学");
    e2e::scenario::voted_passed(&p, &[a], "2024-09-30");
    p.app.set_clock("2024-10-10T01:00:00Z");
    let pb = expect(
        p.app.post(
            "/api/results/publicities",
            p.cmt.as_str(),
            &json!({"committee": COMMITTEE, "voted_on": "2024-09-30", "plan_id": plan_of(&p), "start_on": "2024-10-10",
                    "complaint_office": "卫生高评会办公室", "complaint_phone": "0731-84000000"}),
        ),
        201,
    );
    assert_eq!(pb["opened_late"], false);
}

fn plan_of(p: &Province) -> Value {
    let s = expect(p.app.get("/api/results/sessions", p.cmt.as_str()), 200);
    s["awaiting_publicity"][0]["plan_id"].clone()
}

#[test]
fn a_filing_deadline_in_a_year_without_its_calendar_is_kept_pending_and_computed_when_it_is_loaded() {
    let p = health_province();
    // The 2026 batch with the notice's dates, and a committee valid through 2028.
    expect(
        p.app.post(
            "/api/admin/batches",
            p.province.as_str(),
            &json!({"year": 2026, "material_cutoff": "2026-09-30", "voting_deadline": "2026-12-15",
                    "quota_audit_deadline": "2026-08-15", "special_quota_start": "2026-07-01",
                    "special_quota_end": "2026-07-20", "notice": "湘人社函〔2026〕1号"}),
        ),
        201,
    );
    const CMT_2026: &str = "CMT-HEALTH-2026";
    expect(
        p.app.post(
            "/api/province/committees",
            p.province.as_str(),
            &json!({"id": CMT_2026, "name": "湖南省卫生系列高级职称评审委员会（2026）", "organising_org": CMT_ORG,
                    "series": "卫生", "max_level": "full_senior", "valid_until": "2028-12-31", "specialties": ["内科学"]}),
        ),
        201,
    );
    p.app.set_clock("2026-08-03T02:00:00Z");
    let q = json!({"batch_year": 2026, "series": "卫生", "level": "deputy_senior", "vacant_posts": 2, "requested": 1});
    let q = expect(p.app.post("/api/quotas", p.unit.as_str(), &q), 201)["id"].as_i64().unwrap();
    expect(p.app.post(&format!("/api/quotas/{q}/audit"), p.dept.as_str(), &json!({"approve": true})), 200);

    // Applied, publicised, recommended and audited in September 2026.
    p.app.set_clock("2026-09-14T02:00:00Z");
    let mut form = form("内科学");
    form["committee"] = json!(CMT_2026);
    form["assessments"] = json!((2021..=2025).map(|y| json!({"year": y, "result": "qualified"})).collect::<Vec<_>>());
    let body = json!({"batch_year": 2026, "form": form});
    let id = expect(p.app.post("/api/applications", p.applicant.as_str(), &body), 201)["id"].as_i64().unwrap();
    expect(p.app.submit(id, p.applicant.as_str()), 200);
    let body =
        json!({"publicity_start": "2026-09-14", "complaint_office": "医院人事处", "complaint_phone": "0731-84327000"});
    let v = expect(p.app.post(&format!("/api/unit/applications/{id}/approve"), p.unit.as_str(), &body), 200);
    assert_eq!(v["publicity"]["end"], "2026-09-20", "Sunday 09-20 is an adjusted workday");
    p.app.set_clock("2026-09-21T02:00:00Z");
    p.app.fire_cron("publicity-timer");
    expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), p.unit.as_str(), &json!({})), 200);
    expect(p.act(&p.dept, id, "approve", json!({})), 200);
    expect(p.act(&p.city, id, "approve", json!({})), 200);
    expect(p.act(&p.cmt, id, "recheck", json!({"pass": true})), 200);
    e2e::scenario::voted_passed(&p, &[id], "2026-12-14");

    // Before the session needs it, the province sees that 2027's calendar is missing.
    p.app.set_clock("2026-12-15T01:00:00Z");
    let needs = expect(p.app.get("/api/admin/calendar-needs", p.province.as_str()), 200);
    let y2027 = needs.as_array().unwrap().iter().find(|n| n["year"] == 2027).cloned().unwrap_or_default();
    assert_eq!(
        (y2027["loaded"].as_bool(), y2027["needed_from"].as_str()),
        (Some(false), Some("2026-12-15")),
        "{needs}"
    );
    assert_eq!(p.app.get("/api/admin/calendar-needs", p.cmt.as_str()).0, 403);

    // Opening the publicity the day after the vote is lawful: its 15-working-day filing
    // deadline (in 2027) is kept pending, not a refusal.
    let pb = expect(
        p.app.post(
            "/api/results/publicities",
            p.cmt.as_str(),
            &json!({"committee": CMT_2026, "voted_on": "2026-12-14", "plan_id": plan_of(&p), "start_on": "2026-12-15",
                    "complaint_office": "卫生高评会办公室", "complaint_phone": "0731-84000000"}),
        ),
        201,
    );
    let pid = pb["id"].as_i64().unwrap();
    assert_eq!(
        (
            pb["open_deadline"].as_str(),
            pb["end_on"].as_str(),
            pb["filing_deadline"].as_str(),
            pb["opened_late"].as_bool()
        ),
        (Some("2026-12-17"), Some("2026-12-22"), Some(""), Some(false))
    );
    let needs = expect(p.app.get("/api/admin/calendar-needs", p.province.as_str()), 200);
    let y2027 = needs.as_array().unwrap().iter().find(|n| n["year"] == 2027).cloned().unwrap_or_default();
    assert!(y2027["reasons"].to_string().contains(&format!("评审结果公示 {pid}")), "{needs}");

    // The timer neither flags the session "not opened" nor fails on the missing year.
    p.app.set_clock("2026-12-21T01:00:00Z");
    let r = expect(p.app.post("/api/jobs/publicity-timer", p.province.as_str(), &json!({})), 200);
    assert_eq!(
        (r["late_result_publicity_sessions"].clone(), r["overdue_filing_sessions"].clone()),
        (json!([]), json!([]))
    );

    // The calendar is loaded: the pending deadline is computed (12-14 + 15 working days:
    // 13 in December, New Year's Day off, 01-04 and 01-05).
    expect(
        p.app.put(
            "/api/admin/calendar/2027",
            p.province.as_str(),
            &json!({"notice": "国办发明电〔2026〕1号", "off": ["2027-01-01"], "workdays": []}),
        ),
        200,
    );
    let pb = expect(p.app.get(&format!("/api/results/publicities/{pid}"), p.cmt.as_str()), 200);
    assert_eq!(pb["filing_deadline"], "2027-01-05");
    let needs = expect(p.app.get("/api/admin/calendar-needs", p.province.as_str()), 200);
    assert!(needs.as_array().unwrap().iter().all(|n| n["loaded"] == true), "{needs}");
}

fn violations(body: &Value) -> Vec<String> {
    body["violations"]
        .as_array()
        .map_or_else(Vec::new, |v| v.iter().map(|x| x["code"].as_str().unwrap_or_default().to_owned()).collect())
}

#[test]
fn r8_grassroots_service_binds_primary_teachers_and_forestry_and_water_engineers_and_r7_hours_are_the_provinces() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    for (id, series, specialties) in [
        ("CMT-TEACHERS", "中小学教师", json!(["中学数学"])),
        ("CMT-ENGINEERS", "工程", json!(["林业工程", "水利水电工程", "机械工程"])),
    ] {
        expect(
            p.app.post(
                "/api/province/committees",
                p.province.as_str(),
                &json!({"id": id, "name": format!("{series}高评会"), "organising_org": OTHER_CMT_ORG, "series": series,
                        "max_level": "full_senior", "valid_until": "2025-12-31", "specialties": specialties}),
            ),
            201,
        );
    }
    let committee = |series: &str| match series {
        "中小学教师" => "CMT-TEACHERS",
        "工程" => "CMT-ENGINEERS",
        _ => COMMITTEE,
    };
    let submit = |n: u32, series: &str, specialty: &str, months: u32, hours: u32| {
        let token = p.app.token(&format!("eng-{n}"), &format!("申报人{n}"), Role::Applicant, "");
        let mut f = form_of(&citizen_id(n), specialty);
        // 八(二) 定向评价: applicants 30.. apply for a directed title.
        f["directed_evaluation"] = json!(n >= 30);
        f["series"] = json!(series);
        f["current_title"]["series"] = json!(series);
        f["grassroots_service_months"] = json!(months);
        f["continuing_education_hours"] = json!(hours);
        f["committee"] = json!(committee(series));
        let id = expect(p.app.post("/api/applications", token.as_str(), &json!({"batch_year": 2024, "form": f})), 201)
            ["id"]
            .as_i64()
            .unwrap();
        p.app.submit(id, token.as_str())
    };
    // 八(二) names fields: education is the 中小学教师 series, forestry and water are
    // specialties of the 工程 series.
    for (n, series, specialty) in
        [(20, "中小学教师", "中学数学"), (21, "工程", "林业工程"), (22, "工程", "水利水电工程")]
    {
        let r = expect(submit(n, series, specialty, 0, 100), 422);
        assert_eq!(violations(&r), vec!["R8_GRASSROOTS_SERVICE_REQUIRED"], "{series}/{specialty}: {r}");
    }
    expect(submit(23, "工程", "机械工程", 0, 100), 200);
    // 定向评价 exists only in the five fields, and is flagged for every reviewer there.
    let r = expect(submit(30, "工程", "机械工程", 0, 100), 422);
    assert_eq!(violations(&r), vec!["R8_DIRECTED_EVALUATION_OUTSIDE_FIELDS"], "{r}");
    let v = expect(submit(31, "中小学教师", "中学数学", 12, 100), 200);
    assert_eq!(v["flags"][0]["code"], "DIRECTED_EVALUATION", "{v}");

    // The province sets the CE hours of a series; the exact threshold passes.
    let rule = json!({"series": "卫生", "field": "卫生", "ce_hours_required": 90, "grassroots_service_required": true});
    assert_eq!(p.app.put("/api/admin/field-rules", p.unit.as_str(), &rule).0, 403);
    let bad = json!({"series": "卫生技术", "ce_hours_required": 90, "grassroots_service_required": true});
    assert_eq!(expect(p.app.put("/api/admin/field-rules", p.province.as_str(), &bad), 400)["field"], "series");
    expect(p.app.put("/api/admin/field-rules", p.province.as_str(), &rule), 200);
    let listed = expect(p.app.get("/api/admin/field-rules", p.applicant.as_str()), 200);
    assert!(listed.as_array().unwrap().iter().any(|r| r["series"] == "卫生" && r["ce_hours_required"] == 90));
    let r = expect(submit(24, "卫生", "内科学", 12, 89), 422);
    assert_eq!(violations(&r), vec!["R7_CONTINUING_EDUCATION_HOURS"], "{r}");
    expect(submit(25, "卫生", "内科学", 12, 90), 200);
}

#[test]
fn r20_a_draft_may_not_name_a_specialty_its_committee_does_not_review() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    let count = || rows(&p, "SELECT COUNT(*) FROM applications");
    let before = count();
    let r = expect(
        p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": form("儿科学")})),
        409,
    );
    assert_eq!(
        (r["code"].as_str(), r["field"].as_str()),
        (Some("COMMITTEE_SPECIALTY_NOT_COVERED"), Some("form.specialty"))
    );
    assert_eq!(count(), before);
    let mut f = form("内科学");
    f["series"] = json!("工程");
    let r = expect(p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": f})), 409);
    assert_eq!(r["code"], "COMMITTEE_SERIES_MISMATCH");
    // A covered specialty is accepted; changing the draft to an uncovered one is refused.
    let v = expect(
        p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": form("外科学")})),
        201,
    );
    let id = v["id"].as_i64().unwrap();
    let before = application_rows(&p, id);
    let r = p.app.put(
        &format!("/api/applications/{id}"),
        p.applicant.as_str(),
        &json!({"version": v["version"], "form": form("儿科学")}),
    );
    assert_eq!(expect(r, 409)["code"], "COMMITTEE_SPECIALTY_NOT_COVERED");
    assert_eq!(application_rows(&p, id), before);
}

#[test]
fn a_quota_auditor_may_approve_fewer_posts_than_requested_and_recommendation_counts_the_approved() {
    let p = health_province();
    p.app.set_clock("2024-08-01T02:00:00Z");
    let q = json!({"batch_year": 2024, "series": "卫生", "level": "deputy_senior", "vacant_posts": 3, "requested": 3});
    let id = expect(p.app.post("/api/quotas", p.unit.as_str(), &q), 201)["id"].as_i64().unwrap();
    let quotas = || (rows(&p, "SELECT * FROM review_quotas"), rows(&p, "SELECT * FROM quota_approvals"));
    let before = quotas();
    let r =
        p.app.post(&format!("/api/quotas/{id}/audit"), p.dept.as_str(), &json!({"approve": true, "approved_count": 4}));
    assert_eq!(expect(r, 400)["field"], "approved_count");
    assert_eq!(quotas(), before);
    let r =
        p.app.post(&format!("/api/quotas/{id}/audit"), p.dept.as_str(), &json!({"approve": true, "approved_count": 1}));
    let v = expect(r, 200);
    assert_eq!(
        (v["requested"].as_i64(), v["approved"].as_i64(), v["status"].as_str()),
        (Some(3), Some(1), Some("approved"))
    );

    // One post approved: the first recommendation fits, the second does not (R10).
    let a = p.recommendable("内科学");
    let b = p.recommendable_nth(1, "内科学");
    expect(p.app.post(&format!("/api/unit/applications/{a}/recommend"), p.unit.as_str(), &json!({})), 200);
    let before = application_rows(&p, b);
    let r = expect(p.app.post(&format!("/api/unit/applications/{b}/recommend"), p.unit.as_str(), &json!({})), 422);
    assert_eq!(r["code"], "R10_QUOTA_EXCEEDED");
    assert_eq!(application_rows(&p, b), before);
}

#[test]
fn r15_the_provinces_pass_rate_binds_every_plan_which_may_only_lower_it() {
    let p = health_province();
    p.approve_quota(3);
    let a = p.qualified("内科学");
    let b = p.qualified_nth(1, "内科学");
    p.app.set_clock("2024-10-08T02:00:00Z");
    let set = json!({"series": "卫生", "percent": 50});
    assert_eq!(p.app.put("/api/admin/pass-rates", p.cmt.as_str(), &set).0, 403);
    expect(p.app.put("/api/admin/pass-rates", p.province.as_str(), &set), 200);
    let plan = |participant: i64, extra: Value| {
        let mut body = json!({"committee": COMMITTEE, "batch_year": 2024, "offline": true, "review_start": "2024-11-04",
                              "judging_end": "2024-11-04", "place": "线下评审会场", "participants": [participant]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        p.app.post("/api/evaluation/plans", p.cmt.as_str(), &body)
    };
    let plans = || (rows(&p, "SELECT * FROM review_plans"), rows(&p, "SELECT * FROM plan_participants"));
    let before = plans();
    let r = expect(plan(a, json!({})), 422);
    assert_eq!(
        (r["code"].as_str(), r["field"].as_str()),
        (Some("R15_PASS_RATE_REQUIRED"), Some("pass_rate_limit_percent"))
    );
    let r = expect(plan(a, json!({"pass_rate_limit_percent": 51})), 422);
    assert_eq!(r["code"], "R15_PASS_RATE_ABOVE_LIMIT");
    assert!(r["message"].as_str().unwrap().contains("50%"), "{r}");
    assert_eq!(plans(), before);
    expect(plan(a, json!({"pass_rate_limit_percent": 50})), 201);

    // The committee's own rate wins over its series'.
    expect(
        p.app.put("/api/admin/pass-rates", p.province.as_str(), &json!({"committee": COMMITTEE, "percent": 40})),
        200,
    );
    let r = expect(plan(b, json!({"pass_rate_limit_percent": 50})), 422);
    assert!(r["message"].as_str().unwrap().contains("40%"), "{r}");
    expect(plan(b, json!({"pass_rate_limit_percent": 40})), 201);
}

/// 八(六), issue 13: the 中小学教师 series is for teachers of ordinary primary and secondary
/// schools, kindergartens, special-education and specialised schools and the education
/// departments' teaching institutions. The province records each unit's institution kind;
/// a declaration from a unit recorded outside the scope is refused at submission, naming
/// the unit field, and nothing moves; once the kind is corrected it goes through.
#[test]
fn a_teacher_at_an_institution_outside_the_series_scope_is_refused_at_submission() {
    let p = health_province();
    expect(
        p.app.post(
            "/api/province/committees",
            p.province.as_str(),
            &json!({"id": "CMT-TEACHERS", "name": "中小学教师高评会", "organising_org": OTHER_CMT_ORG,
                    "series": "中小学教师", "max_level": "full_senior", "valid_until": "2025-12-31",
                    "specialties": ["中学数学"]}),
        ),
        201,
    );
    let kind = |k: &str| {
        p.app.put(
            &format!("/api/admin/organisations/{UNIT}/institution-kind"),
            p.province.as_str(),
            &json!({"kind": k}),
        )
    };
    assert_eq!(expect(kind("shop"), 400)["field"], "kind");
    assert_eq!(
        p.app
            .put(
                &format!("/api/admin/organisations/{UNIT}/institution-kind"),
                p.unit.as_str(),
                &json!({"kind": "hospital"})
            )
            .0,
        403
    );
    expect(kind("hospital"), 200);
    let token = p.app.token("teacher-1", "李老师", Role::Applicant, "");
    let mut f = form_of(&citizen_id(61), "中学数学");
    f["series"] = json!("中小学教师");
    f["current_title"]["series"] = json!("中小学教师");
    f["committee"] = json!("CMT-TEACHERS");
    let id = expect(p.app.post("/api/applications", token.as_str(), &json!({"batch_year": 2024, "form": f})), 201)
        ["id"]
        .as_i64()
        .unwrap();
    p.app.upload_required_materials(id, token.as_str());
    let before = application_rows(&p, id);
    let r = expect(p.app.post(&format!("/api/applications/{id}/submit"), token.as_str(), &submit_body()), 422);
    let v = r["violations"].as_array().unwrap();
    assert_eq!(
        (v.len(), v[0]["code"].as_str(), v[0]["field"].as_str()),
        (1, Some("TEACHER_INSTITUTION_INELIGIBLE"), Some("form.unit_org")),
        "{r}"
    );
    assert!(v[0]["message"].as_str().unwrap().contains("医疗卫生机构"), "{r}");
    assert_eq!(application_rows(&p, id), before);
    // The province corrects the record: a school. The declaration goes through.
    expect(kind("primary_secondary_school"), 200);
    let shown =
        expect(p.app.get(&format!("/api/admin/organisations/{UNIT}/institution-kind"), p.applicant.as_str()), 200);
    assert_eq!(shown["label"], "普通中小学");
    let v = expect(p.app.post(&format!("/api/applications/{id}/submit"), token.as_str(), &submit_body()), 200);
    assert_eq!(v["state"], "unit_review");
}

//! The public publicity pages (issue 17), through the `public` component without a token:
//! what a notice shows (the one projection: no ID number, nothing private), objections
//! recorded against the right person for the right office, the rate limit per client
//! address, closed notices kept only for the configured days, and bad input named.

use e2e::scenario::{citizen_id, expect, form_of, health_province, Province, COMMITTEE, OTHER_CMT_ORG, UNIT};
use e2e::scenario::{open_publicity, voted_passed};
use serde_json::{json, Value};
use shared::auth::Role;

/// A full 18-character ID number anywhere in a text.
fn has_full_id(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(17)).any(|i| {
        b[i..i + 17].iter().all(u8::is_ascii_digit)
            && (b[i + 17].is_ascii_digit() || b[i + 17] == b'X')
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 18).is_none_or(|c| !c.is_ascii_digit())
    })
}

/// The `n`-th applicant submitted on 2024-09-20 and approved into the unit's publicity of
/// 2024-09-23 .. 09-29 (R11); the clock is left on 2024-09-20.
fn in_unit_publicity(p: &Province, n: u32) -> i64 {
    p.app.set_clock("2024-09-20T02:00:00Z");
    let token = p.app.token(&format!("doc-{n}"), &format!("医生{n}"), Role::Applicant, "");
    let body = json!({"batch_year": 2024, "form": form_of(&citizen_id(n), "内科学")});
    let id = expect(p.app.post("/api/applications", token.as_str(), &body), 201)["id"].as_i64().unwrap();
    expect(p.app.submit(id, token.as_str()), 200);
    let body =
        json!({"publicity_start": "2024-09-23", "complaint_office": "医院人事处", "complaint_phone": "0731-84327000"});
    expect(p.app.post(&format!("/api/unit/applications/{id}/approve"), p.unit.as_str(), &body), 200);
    id
}

fn object(p: &Province, kind: &str, item: i64, content: &str) -> (u16, Value) {
    p.app.post(
        "/api/public/objections",
        None,
        &json!({"kind": kind, "item": item, "content": content, "contact_name": "王先生", "contact_phone": "13900000000"}),
    )
}

fn board(p: &Province) -> Value {
    expect(p.app.get(&format!("/api/public/units/{UNIT}/publicities"), None), 200)
}

#[test]
fn anyone_reads_a_units_publicity_with_name_unit_specialty_and_title_only_never_an_id_number() {
    let p = health_province();
    let a = in_unit_publicity(&p, 1);
    let b = in_unit_publicity(&p, 2);
    p.app.set_clock("2024-09-24T02:00:00Z");
    let raw = p.app.request("GET", &format!("/api/public/units/{UNIT}/publicities"), None, None);
    assert_eq!(raw.status, 200);
    let text = String::from_utf8(raw.body.clone()).unwrap();
    assert!(!has_full_id(&text), "{text}");
    for private in [citizen_id(1).as_str(), "citizen", "applicant_id", "doc-1", "form", "state", "version", "materials"]
    {
        assert!(!text.contains(private), "{private} in {text}");
    }
    let v = raw.json();
    let notices = v["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "one notice: same dates and complaint office");
    let n = &notices[0];
    assert_eq!(n["kind"], "unit");
    assert_eq!((n["start_on"].as_str(), n["end_on"].as_str()), (Some("2024-09-23"), Some("2024-09-29")));
    assert_eq!(n["working_days"], 5, "09-29 is an adjusted Sunday workday");
    assert_eq!((n["status"].as_str(), n["accepting_objections"].as_bool()), (Some("open"), Some(true)));
    assert_eq!(
        (n["complaint_office"].as_str(), n["complaint_phone"].as_str()),
        (Some("医院人事处"), Some("0731-84327000"))
    );
    let people = n["people"].as_array().unwrap();
    assert_eq!(people.iter().map(|x| x["item"].as_i64().unwrap()).collect::<Vec<_>>(), vec![a, b]);
    let keys: Vec<&String> = people[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["item", "name", "specialty", "title", "unit"]);
    assert_eq!(people[0]["name"], "医生1");
    assert_eq!(people[0]["title"], "卫生系列副高级");
    assert_eq!(people[0]["specialty"], "内科学");
    // The index lists the notice with its count, not its people.
    let index = p.app.request("GET", "/api/public/publicities", None, None);
    assert!(!has_full_id(&String::from_utf8_lossy(&index.body)));
    let index = index.json();
    let n = &index["notices"][0];
    assert_eq!((n["owner"].as_str(), n["people_count"].as_i64()), (Some(UNIT), Some(2)));
    assert!(n.get("people").is_none());
    assert_eq!(index["retention_days"], 30);
}

#[test]
fn an_objection_is_recorded_against_the_person_named_for_the_unit_that_publicised_and_changes_no_application() {
    let p = health_province();
    let a = in_unit_publicity(&p, 1);
    let b = in_unit_publicity(&p, 2);
    // Before the first day: not yet.
    assert_eq!(expect(object(&p, "unit", b, "该同志论文存在抄袭"), 409)["code"], "PUBLICITY_NOT_STARTED");
    p.app.set_clock("2024-09-25T02:00:00Z");
    let receipt = expect(object(&p, "unit", b, "该同志论文存在抄袭"), 201);
    assert_eq!((receipt["item"].as_i64(), receipt["name"].as_str()), (Some(b), Some("医生2")));
    assert_eq!(receipt["kind"], "unit");
    let no = receipt["receipt_no"].as_str().unwrap();
    assert!(no.starts_with("YY20240925"), "{no}");
    // The unit reads it, against b only, with the contact the public page never shows.
    let got = expect(p.app.get(&format!("/api/unit/applications/{b}/public-objections"), p.unit.as_str()), 200);
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0]["receipt_no"].as_str(), got[0]["application_id"].as_i64()), (Some(no), Some(b)));
    assert_eq!(
        (got[0]["content"].as_str(), got[0]["contact_phone"].as_str()),
        (Some("该同志论文存在抄袭"), Some("13900000000"))
    );
    let none = expect(p.app.get(&format!("/api/unit/applications/{a}/public-objections"), p.unit.as_str()), 200);
    assert_eq!(none, json!([]));
    // Nothing changed for either application; the public board shows no contact.
    for id in [a, b] {
        let v = expect(p.app.get(&format!("/api/unit/applications/{id}"), p.unit.as_str()), 200);
        assert_eq!(v["state"], "unit_publicity");
    }
    assert!(!board(&p).to_string().contains("13900000000"));
    // Another unit reads nothing of it (404, as a missing application).
    let other = p.app.token("hr-x", "x", Role::Unit, "ORG-EDU-DEPT");
    assert_eq!(p.app.get(&format!("/api/unit/applications/{b}/public-objections"), other.as_str()).0, 404);
    // An item not in a unit publicity is not found; after the last day it is over.
    assert_eq!(expect(object(&p, "unit", b + 100, "该同志论文存在抄袭"), 404)["code"], "NOT_FOUND");
    p.app.set_clock("2024-09-30T02:00:00Z");
    assert_eq!(expect(object(&p, "unit", a, "该同志论文存在抄袭"), 409)["code"], "PUBLICITY_ENDED");
}

#[test]
fn a_result_publicity_is_public_per_committee_and_its_objections_go_to_the_committee_office() {
    let p = health_province();
    p.approve_quota(1);
    let a = p.qualified("内科学");
    voted_passed(&p, &[a], "2024-10-21");
    p.app.set_clock("2024-10-22T01:00:00Z");
    let pid = expect(open_publicity(&p, "2024-10-21", "2024-10-22"), 201)["id"].as_i64().unwrap();
    let raw = p.app.request("GET", &format!("/api/public/committees/{COMMITTEE}/publicities"), None, None);
    assert_eq!(raw.status, 200);
    assert!(!has_full_id(&String::from_utf8_lossy(&raw.body)));
    let v = raw.json();
    let n = &v["notices"][0];
    assert_eq!((n["kind"].as_str(), n["status"].as_str()), (Some("result"), Some("open")));
    assert_eq!(n["complaint_office"], "卫生高评会办公室");
    assert_eq!(n["people"][0]["item"], a);
    // Filed as a unit objection it is refused: that publicity is over.
    assert_eq!(expect(object(&p, "unit", a, "评审结果有异议"), 409)["code"], "PUBLICITY_ENDED");
    let r = expect(object(&p, "result", a, "评审结果有异议"), 201);
    let got = expect(p.app.get("/api/results/public-objections", p.cmt.as_str()), 200);
    assert_eq!(got.as_array().unwrap().len(), 1);
    assert_eq!((got[0]["receipt_no"].as_str(), got[0]["publicity_id"].as_i64()), (r["receipt_no"].as_str(), Some(pid)));
    assert_eq!(got[0]["application_id"], a);
    let filtered =
        expect(p.app.get(&format!("/api/results/public-objections?publicity_id={}", pid + 1), p.cmt.as_str()), 200);
    assert_eq!(filtered, json!([]));
    // The person is not held by a public letter; the office records the formal objection.
    assert_eq!(p.state(a), "result_publicity");
    // Another committee office sees none; the unit sees none of a result objection.
    let other = p.app.token("op-x", "x", Role::CommitteeOrg, OTHER_CMT_ORG);
    assert_eq!(expect(p.app.get("/api/results/public-objections", other.as_str()), 200), json!([]));
    assert_eq!(
        expect(p.app.get(&format!("/api/unit/applications/{a}/public-objections"), p.unit.as_str()), 200),
        json!([])
    );
}

#[test]
fn a_client_address_filing_more_than_five_objections_in_an_hour_gets_429_with_a_json_error() {
    let p = health_province();
    let a = in_unit_publicity(&p, 1);
    p.app.set_clock("2024-09-24T02:00:00Z");
    for i in 0..5 {
        expect(object(&p, "unit", a, &format!("第{i}条异议内容")), 201);
        p.app.advance_clock(60);
    }
    let r = p.app.request(
        "POST",
        "/api/public/objections",
        None,
        Some((
            "application/json",
            json!({"kind": "unit", "item": a, "content": "第六条异议内容"}).to_string().into_bytes(),
        )),
    );
    assert_eq!(r.status, 429);
    assert!(r.content_type.as_deref().unwrap_or_default().starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["code"], "OBJECTION_RATE_LIMITED");
    assert!(v["message"].as_str().unwrap().contains('5'), "{v}");
    let stored: i64 = p.app.db().query_row("SELECT COUNT(*) FROM public_objections", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 5, "the refused one is not stored");
    // An hour after the first, the window has room again.
    p.app.advance_clock(3600 - 4 * 60);
    expect(object(&p, "unit", a, "一小时后的异议内容"), 201);
}

#[test]
fn a_closed_notice_stays_public_for_the_configured_days_after_its_last_day_then_disappears() {
    let p = health_province();
    in_unit_publicity(&p, 1);
    p.app.execute_sql("UPDATE public_settings SET retention_days = 3 WHERE id = 1");
    p.app.set_clock("2024-09-30T02:00:00Z");
    p.app.fire_cron("publicity-timer");
    let n = &board(&p)["notices"][0];
    assert_eq!((n["status"].as_str(), n["accepting_objections"].as_bool()), (Some("closed"), Some(false)));
    // Last day 09-29 + 3 days: still shown on 10-02 (Asia/Shanghai), gone on 10-03.
    p.app.set_clock("2024-10-02T15:59:00Z");
    assert_eq!(board(&p)["notices"].as_array().unwrap().len(), 1);
    p.app.set_clock("2024-10-02T16:00:00Z");
    assert_eq!(board(&p)["notices"], json!([]));
    assert_eq!(expect(p.app.get("/api/public/publicities", None), 200)["notices"], json!([]));
}

#[test]
fn bad_input_is_a_4xx_json_error_naming_the_field() {
    let p = health_province();
    let a = in_unit_publicity(&p, 1);
    p.app.set_clock("2024-09-24T02:00:00Z");
    let post = |body: Value| p.app.post("/api/public/objections", None, &body);
    let cases = [
        (json!({"kind": "unit", "item": a}), "content"),
        (json!({"kind": "branch", "item": a, "content": "异议内容很长"}), "kind"),
        (json!({"kind": "unit", "item": "a1", "content": "异议内容很长"}), "item"),
        (json!({"kind": "unit", "item": 0, "content": "异议内容很长"}), "item"),
        (json!({"kind": "unit", "item": a, "content": "短"}), "content"),
        (json!({"kind": "unit", "item": a, "content": "异议内容很长", "contact_phone": "call me"}), "contact_phone"),
        (json!({"kind": "unit", "item": a, "content": "异议内容很长", "citizen_id": "1"}), "citizen_id"),
    ];
    // Issue 10: text over its field's length limit is 422 FIELD_TOO_LONG, naming the field.
    let (status, v) = post(json!({"kind": "unit", "item": a, "content": "x".repeat(2001)}));
    assert_eq!(
        (status, v["code"].as_str(), v["field"].as_str()),
        (422, Some("FIELD_TOO_LONG"), Some("content")),
        "{v}"
    );
    for (body, field) in cases {
        let (status, v) = post(body.clone());
        assert_eq!(status, 400, "{body}: {v}");
        assert_eq!(v["code"], "INVALID_FIELD", "{body}");
        assert!(v["field"].as_str().unwrap_or_default().contains(field), "{body}: {v}");
        assert!(v["message"].is_string());
    }
    let r = p.app.request("POST", "/api/public/objections", None, Some(("application/json", b"{\"kind\":".to_vec())));
    assert_eq!((r.status, r.json()["field"].as_str()), (400, Some("body")));
    let (status, v) = p.app.get("/api/public/units/ORG-NOBODY/publicities", None);
    assert_eq!((status, v["code"].as_str()), (404, Some("NOT_FOUND")));
    let (status, v) = p.app.get("/api/results/public-objections?publicity_id=x", p.cmt.as_str());
    assert_eq!((status, v["field"].as_str()), (400, Some("publicity_id")));
    let stored: i64 = p.app.db().query_row("SELECT COUNT(*) FROM public_objections", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 0);
}

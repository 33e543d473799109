//! The qualification audit chain end to end: organisations and paths set up over the API,
//! the four-level climb, returns that travel back level by level, path simulation,
//! quotas (R10), transfers, rollback, authorization and concurrency.

use crate::rules::rows;
use e2e::scenario::*;
use serde_json::{json, Value};

#[test]
fn a_four_level_climb_reaches_qualified_and_each_organisation_sees_it_only_in_its_turn() {
    let p = health_province();
    p.approve_quota(2);
    let id = p.recommendable("内科学");
    let v = expect(
        p.app.post(&format!("/api/unit/applications/{id}/recommend"), p.unit.as_str(), &json!({"opinion": "同意推荐"})),
        200,
    );
    assert_eq!(v["state"], "upper_audit");

    // Only the holder sees it now; the levels above do not yet.
    let path = |tok: &str| p.app.get(&format!("/api/chain/applications/{id}"), tok).0;
    assert_eq!((path(&p.dept), path(&p.city), path(&p.cmt), path(&p.other_dept)), (200, 404, 404, 404));
    let (_, mine) = p.app.get("/api/chain/applications", p.dept.as_str());
    assert_eq!(mine["total"], 1);

    // Nobody else may act at the department's step; the city cannot skip it.
    assert_eq!(p.act(&p.unit, id, "approve", json!({})).0, 403);
    assert_eq!(p.act(&p.applicant, id, "approve", json!({})).0, 403);
    assert_eq!(expect(p.act(&p.city, id, "approve", json!({})), 404)["code"], "NOT_FOUND");

    expect(p.act(&p.dept, id, "approve", json!({"opinion": "同意"})), 200);
    assert_eq!(p.state(id), "formal_review");
    assert_eq!(expect(p.act(&p.dept, id, "approve", json!({})), 409)["code"], "NOT_YOUR_STEP", "no level acts twice");
    assert_eq!(path(&p.dept), 200, "the department still sees it in its history");
    let (_, hist) = p.app.get("/api/chain/applications?scope=history", p.dept.as_str());
    assert_eq!(hist["total"], 1);

    expect(p.act(&p.city, id, "approve", json!({"opinion": "形式审查通过"})), 200);
    assert_eq!(p.state(id), "recheck");
    let v = expect(p.act(&p.cmt, id, "recheck", json!({"pass": true})), 200);
    assert_eq!(v["state"], "qualified");

    let t = expect(p.app.get(&format!("/api/applications/{id}/tracking"), p.applicant.as_str()), 200);
    let kinds: Vec<(&str, &str)> = t["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["org"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, vec![(DEPT, "audit"), (CITY, "formal_review"), (CMT_ORG, "recheck")]);
    assert!(t["path"].as_array().unwrap().iter().all(|s| s["status"] == "done"), "{t}");
    let actions: Vec<&str> = t["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(&actions[actions.len() - 4..], ["recommend", "approve_step", "approve_step", "recheck_pass"]);
    assert_eq!(t["history"][actions.len() - 2]["org"], CITY);
}

#[test]
fn r12_a_return_with_three_items_steps_back_level_by_level_and_the_resubmission_climbs_again() {
    let p = health_province();
    p.approve_quota(1);
    let id = p.at_upper_audit("内科学");
    expect(p.act(&p.dept, id, "approve", json!({})), 200);
    let items = json!([
        {"field": "materials.degree", "reason": "学历证书未加盖公章"},
        {"field": "materials.assessment", "reason": "缺2021年度考核表"},
        {"field": "publicity", "reason": "公示结果未签字"}
    ]);
    assert_eq!(
        expect(p.act(&p.city, id, "return", json!({"items": []})), 400)["field"],
        "items",
        "R12: all items at once"
    );
    let v = expect(p.act(&p.city, id, "return", json!({"items": items, "opinion": "一次性告知"})), 200);
    assert_eq!(v["state"], "return_descending");
    assert_eq!(p.app.get(&format!("/api/chain/applications/{id}"), p.city.as_str()).0, 200, "history");
    // One level at a time: the department passes it down to the unit, the unit to the applicant.
    assert_eq!(p.act(&p.city, id, "pass-down", json!({})).0, 409);
    expect(p.act(&p.dept, id, "pass-down", json!({"opinion": "请按要求补正"})), 200);
    assert_eq!(p.state(id), "returned_to_unit");
    expect(p.app.post(&format!("/api/unit/applications/{id}/return"), p.unit.as_str(), &json!({"items": []})), 200);
    let mine = expect(p.app.get(&format!("/api/applications/{id}"), p.applicant.as_str()), 200);
    assert_eq!((mine["state"].as_str(), &mine["return_items"]), (Some("returned"), &items));

    // Corrected and resubmitted: the unit recommends again (publicity already done).
    expect(
        p.app.put(
            &format!("/api/applications/{id}"),
            p.applicant.as_str(),
            &json!({"version": mine["version"], "form": form("内科学")}),
        ),
        200,
    );
    expect(p.app.submit(id, p.applicant.as_str()), 200);
    expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), p.unit.as_str(), &json!({})), 200);
    expect(p.act(&p.dept, id, "approve", json!({})), 200);
    expect(p.act(&p.city, id, "approve", json!({})), 200);
    expect(p.act(&p.cmt, id, "recheck", json!({"pass": true})), 200);
    assert_eq!(p.state(id), "qualified");
}

#[test]
fn path_simulation_names_each_break_and_after_the_fix_shows_the_full_chain() {
    let p = health_province();
    let sim = |level: &str, specialty: &str| {
        expect(
            p.app.get(
                &format!("/api/chain/simulate?unit_org={UNIT}&series=%E5%8D%AB%E7%94%9F&specialty={specialty}&level={level}&committee={COMMITTEE}"),
                p.province.as_str(),
            ),
            200,
        )
    };
    let ok = sim("deputy_senior", "%E5%86%85%E7%A7%91%E5%AD%A6"); // 内科学
    assert_eq!(ok["ok"], true, "{ok}");
    assert_eq!(ok["chain"].as_array().unwrap().len(), 3);

    let b = sim("deputy_senior", "%E5%84%BF%E7%A7%91%E5%AD%A6"); // 儿科学: not the committee's
    assert_eq!(
        (b["ok"].as_bool(), b["broken"]["code"].as_str()),
        (Some(false), Some("COMMITTEE_SPECIALTY_NOT_COVERED"))
    );

    // 正高级: the hospital and the department have uppers only for 副高级.
    let e = expect(
        p.app.post(
            "/api/chain/lowers",
            p.dept.as_str(),
            &json!({"lower_org": UNIT, "level": "full_senior", "step": "audit"}),
        ),
        201,
    );
    // Until the hospital confirms the designation (annex 2 §1.6.2) the edge is not used.
    let b = sim("full_senior", "%E5%86%85%E7%A7%91%E5%AD%A6");
    assert_eq!((b["broken"]["code"].as_str(), b["broken"]["at"].as_str()), (Some("DESIGNATION_PENDING"), Some(UNIT)));
    confirm_designation(&p.app, &p.unit, e["id"].as_i64().unwrap());
    let b = sim("full_senior", "%E5%86%85%E7%A7%91%E5%AD%A6");
    assert_eq!((b["broken"]["code"].as_str(), b["broken"]["at"].as_str()), (Some("NO_UPPER"), Some(DEPT)), "{b}");
    assert!(b["broken"]["fixer"].as_str().unwrap().contains("指定下级"));

    let e = expect(
        p.app.post(
            "/api/chain/lowers",
            p.city.as_str(),
            &json!({"lower_org": DEPT, "level": "full_senior", "step": "formal_review"}),
        ),
        201,
    );
    confirm_designation(&p.app, &p.dept, e["id"].as_i64().unwrap());
    let e = expect(
        p.app.post(
            "/api/chain/lowers",
            p.cmt.as_str(),
            &json!({"lower_org": CITY, "level": "full_senior", "step": "audit"}),
        ),
        201,
    );
    confirm_designation(&p.app, &p.city, e["id"].as_i64().unwrap());
    let ok = sim("full_senior", "%E5%86%85%E7%A7%91%E5%AD%A6");
    let orgs: Vec<&str> = ok["chain"].as_array().unwrap().iter().map(|s| s["org"].as_str().unwrap()).collect();
    assert_eq!(orgs, vec![DEPT, CITY, CMT_ORG], "{ok}");

    let uppers = expect(p.app.get("/api/chain/uppers", p.unit.as_str()), 200);
    assert_eq!(uppers.as_array().unwrap().len(), 2);
    let lowers = expect(p.app.get("/api/chain/lowers", p.city.as_str()), 200);
    assert_eq!(lowers.as_array().unwrap().len(), 2);
}

#[test]
fn r10_the_recommendation_one_over_the_approved_quota_is_refused_with_the_numbers() {
    let p = health_province();
    let first = p.recommendable("内科学");
    let r = p.app.post(&format!("/api/unit/applications/{first}/recommend"), p.unit.as_str(), &json!({}));
    assert_eq!(
        (r.0, r.1["violations"][0]["code"].as_str()),
        (422, Some("R10_QUOTA_EXCEEDED")),
        "no quota approved yet"
    );
    p.approve_quota(1);
    let second = p.recommendable("外科学");
    p.app.set_clock("2024-09-30T03:00:00Z");
    expect(p.app.post(&format!("/api/unit/applications/{first}/recommend"), p.unit.as_str(), &json!({})), 200);
    let v = expect(p.app.post(&format!("/api/unit/applications/{second}/recommend"), p.unit.as_str(), &json!({})), 422);
    let msg = v["violations"][0]["message"].as_str().unwrap();
    assert!(msg.contains("已核定 1 个") && msg.contains("已推荐 1 人"), "{msg}");
    assert_eq!(p.state(second), "recommendable");
    let totals = expect(p.app.get("/api/quotas?batch_year=2024", p.province.as_str()), 200);
    assert_eq!((totals["total_requested"].as_i64(), totals["total_approved"].as_i64()), (Some(1), Some(1)));
}

#[test]
fn a_quota_declared_after_the_deadline_or_beyond_vacant_posts_is_refused() {
    let p = health_province();
    let body = |vacant: u32, requested: u32| json!({"batch_year": 2024, "series": "卫生", "level": "deputy_senior", "vacant_posts": vacant, "requested": requested});
    assert_eq!(expect(p.app.post("/api/quotas", p.unit.as_str(), &body(1, 2)), 400)["field"], "requested");
    p.app.set_clock("2024-08-16T02:00:00Z");
    assert_eq!(expect(p.app.post("/api/quotas", p.unit.as_str(), &body(3, 2)), 409)["code"], "QUOTA_DEADLINE_PASSED");
}

/// 三(二)2: special-case requests are checked and summarised by the city HR bureau or the
/// department (初核汇总), which submits its special report to the province 07-01..07-20;
/// the province audits only what reached it.
#[test]
fn special_quota_requests_are_checked_and_summarised_by_the_upper_office_then_audited_by_the_province() {
    let p = health_province();
    let special = |requested: u32| {
        json!({"batch_year": 2024, "series": "卫生", "level": "deputy_senior", "vacant_posts": 0,
               "requested": requested, "special_category": "high_level_talent", "reason": "引进高层次人才"})
    };
    let quotas = "SELECT * FROM review_quotas";
    let side = "SELECT (SELECT COUNT(*) FROM special_quota_prechecks), (SELECT COUNT(*) FROM special_quota_reports)";
    // Filed in June (before the window) to the health commission, its upper organisation.
    p.app.set_clock("2024-06-20T02:00:00Z");
    let a = expect(p.app.post("/api/quotas/special", p.unit.as_str(), &special(2)), 201);
    assert_eq!(a["auditor_org"], DEPT, "checked first by the upper organisation: {a}");
    let a = a["id"].as_i64().unwrap();
    let b = expect(p.app.post("/api/quotas/special", p.unit.as_str(), &special(1)), 201)["id"].as_i64().unwrap();
    // The province cannot audit what no summary brought it.
    let before = (rows(&p, quotas), rows(&p, side));
    let r = expect(p.app.post(&format!("/api/quotas/{a}/audit"), p.province.as_str(), &json!({"approve": true})), 409);
    assert_eq!(r["code"], "SPECIAL_QUOTA_NOT_SUBMITTED");
    // Another department cannot check it.
    let r = p.app.post(&format!("/api/quotas/{a}/audit"), p.other_dept.as_str(), &json!({"approve": true}));
    assert_eq!(r.0, 404, "{r:?}");
    // The check approves no number.
    let r = expect(
        p.app.post(&format!("/api/quotas/{a}/audit"), p.dept.as_str(), &json!({"approve": true, "approved_count": 1})),
        400,
    );
    assert_eq!(r["field"], "approved_count");
    assert_eq!((rows(&p, quotas), rows(&p, side)), before);
    // Checked: a passes, b does not (with the opinion).
    let q = expect(p.app.post(&format!("/api/quotas/{a}/audit"), p.dept.as_str(), &json!({"approve": true})), 200);
    assert_eq!((q["status"].as_str(), q["precheck_passed"].as_bool()), (Some("pending"), Some(true)));
    let r = expect(p.app.post(&format!("/api/quotas/{a}/audit"), p.dept.as_str(), &json!({"approve": true})), 409);
    assert_eq!(r["code"], "SPECIAL_QUOTA_PRECHECKED");
    let q = expect(
        p.app.post(
            &format!("/api/quotas/{b}/audit"),
            p.dept.as_str(),
            &json!({"approve": false, "opinion": "不符合引才工程条件"}),
        ),
        200,
    );
    assert_eq!(q["status"], "rejected");
    // The summary goes up only inside the window: 06-30 and 07-21 are refused, unchanged.
    let report =
        |ids: Value| json!({"batch_year": 2024, "report": "2024年度特殊情况评审职数专项报告", "quota_ids": ids});
    for day in ["2024-06-30", "2024-07-21"] {
        p.app.set_clock(&format!("{day}T02:00:00Z"));
        let before = (rows(&p, quotas), rows(&p, side));
        let r = expect(p.app.post("/api/quotas/special/reports", p.dept.as_str(), &report(json!([a]))), 409);
        assert_eq!(r["code"], "SPECIAL_QUOTA_WINDOW_CLOSED", "{day}: {r}");
        assert!(r["message"].as_str().unwrap().contains("2024-07-01"), "{r}");
        assert_eq!((rows(&p, quotas), rows(&p, side)), before, "{day}");
    }
    // On the last day of the window: a request that did not pass cannot be summarised.
    p.app.set_clock("2024-07-20T09:00:00Z");
    let r = expect(p.app.post("/api/quotas/special/reports", p.dept.as_str(), &report(json!([a, b]))), 400);
    assert_eq!(r["field"], "quota_ids[1]");
    let sent = expect(p.app.post("/api/quotas/special/reports", p.dept.as_str(), &report(json!([a]))), 201);
    assert_eq!((sent["quota_count"].as_i64(), sent["requested_total"].as_i64()), (Some(1), Some(2)));
    assert_eq!(sent["by_category"][0]["special_category"], "high_level_talent");
    let listed = expect(p.app.get("/api/quotas/special/reports?batch_year=2024", p.province.as_str()), 200);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(expect(p.app.get("/api/quotas/special/reports", p.other_dept.as_str()), 200), json!([]));
    // Now the province audits it, here approving one of the two posts.
    let q = expect(
        p.app.post(
            &format!("/api/quotas/{a}/audit"),
            p.province.as_str(),
            &json!({"approve": true, "approved_count": 1}),
        ),
        200,
    );
    assert_eq!((q["status"].as_str(), q["approved"].as_i64()), (Some("approved"), Some(1)));
    // A request filed after the window closed cannot reach the province this year.
    p.app.set_clock("2024-07-21T02:00:00Z");
    let r = expect(p.app.post("/api/quotas/special", p.unit.as_str(), &special(1)), 409);
    assert_eq!(r["code"], "SPECIAL_QUOTA_WINDOW_CLOSED");
}

#[test]
fn a_transfer_by_query_moves_exactly_the_matching_applications_or_nothing() {
    let p = health_province();
    p.approve_quota(3);
    let a = p.qualified("内科学");
    let b = p.qualified("外科学");
    let c = p.recommendable("内科学"); // not qualified: excluded by the state filter
    for (id, spec) in [("CMT-HEALTH-B", vec!["内科学", "外科学"]), ("CMT-HEALTH-C", vec!["内科学"])] {
        expect(
            p.app.post(
                "/api/province/committees",
                p.province.as_str(),
                &json!({"id": id, "name": id, "organising_org": CMT_ORG, "series": "卫生", "max_level": "full_senior",
                        "valid_until": "2025-12-31", "specialties": spec}),
            ),
            201,
        );
    }
    let query = json!({"batch_year": 2024, "committee": COMMITTEE, "state": "qualified"});
    // C cannot review 外科学: the whole move refuses, nothing moved.
    let v = expect(
        p.app.post(
            "/api/province/transfers",
            p.province.as_str(),
            &json!({"query": query, "to_committee": "CMT-HEALTH-C", "reason": "调整"}),
        ),
        409,
    );
    assert_eq!(v["code"], "COMMITTEE_SPECIALTY_NOT_COVERED");
    let committee_of = |id: i64| -> String {
        p.app.db().query_row("SELECT committee FROM applications WHERE id = ?", [id], |r| r.get(0)).unwrap()
    };
    assert_eq!((committee_of(a), committee_of(b)), (COMMITTEE.to_owned(), COMMITTEE.to_owned()));

    let dry = expect(
        p.app.post(
            "/api/province/transfers",
            p.province.as_str(),
            &json!({"query": query, "to_committee": "CMT-HEALTH-B", "reason": "调整", "dry_run": true}),
        ),
        200,
    );
    assert_eq!((dry["count"].as_i64(), &dry["application_ids"]), (Some(2), &json!([a, b])));
    assert_eq!(committee_of(a), COMMITTEE, "a dry run moves nothing");
    expect(
        p.app.post(
            "/api/province/transfers",
            p.province.as_str(),
            &json!({"query": query, "to_committee": "CMT-HEALTH-B", "reason": "评委会调整"}),
        ),
        200,
    );
    assert_eq!(
        (committee_of(a).as_str(), committee_of(b).as_str(), committee_of(c).as_str()),
        ("CMT-HEALTH-B", "CMT-HEALTH-B", COMMITTEE)
    );
    let n: i64 = p
        .app
        .db()
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'transfer_committee'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    // §1.27: qualified under the old committee, they go to the new committee's recheck.
    assert_eq!((p.state(a), p.state(b)), ("recheck".to_owned(), "recheck".to_owned()));
    expect(p.act(&p.cmt, a, "recheck", json!({"pass": true})), 200);
    assert_eq!(p.state(a), "qualified");
}

/// §1.27: an application already on its audit path keeps its place with the organisation
/// holding it, on the path resolved for the new committee; the new committee's office
/// rechecks it at the end.
#[test]
fn a_transfer_of_an_application_on_its_audit_path_re_resolves_the_path_and_keeps_its_holder() {
    let p = health_province();
    p.approve_quota(2);
    let a = p.recommendable("内科学");
    p.app.set_clock("2024-09-30T03:00:00Z");
    expect(p.app.post(&format!("/api/unit/applications/{a}/recommend"), p.unit.as_str(), &json!({})), 200);
    assert_eq!(p.state(a), "upper_audit");
    expect(
        p.app.post(
            "/api/province/committees",
            p.province.as_str(),
            &json!({"id": "CMT-HEALTH-B", "name": "卫生高评会B", "organising_org": CMT_ORG, "series": "卫生",
                    "max_level": "full_senior", "valid_until": "2025-12-31", "specialties": ["内科学"]}),
        ),
        201,
    );
    let move_to = |to: &str| {
        p.app.post(
            "/api/province/transfers",
            p.province.as_str(),
            &json!({"application_ids": [a], "to_committee": to, "reason": "申报人选错评委会"}),
        )
    };
    let v = expect(move_to("CMT-HEALTH-B"), 200);
    assert_eq!(v["count"], 1);
    let (committee, holder, pos): (String, String, i64) = p
        .app
        .db()
        .query_row("SELECT committee, holder_org, path_position FROM applications WHERE id = ?", [a], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((committee.as_str(), holder.as_str(), pos), ("CMT-HEALTH-B", DEPT, 0));
    assert_eq!(p.state(a), "upper_audit", "still with the health commission");
    // It climbs on to the new committee's recheck.
    expect(p.act(&p.dept, a, "approve", json!({})), 200);
    expect(p.act(&p.city, a, "approve", json!({})), 200);
    assert_eq!(p.state(a), "recheck");
    expect(p.act(&p.cmt, a, "recheck", json!({"pass": true})), 200);
    // An unknown committee is refused by its field.
    let r = expect(
        p.app.post(
            "/api/province/transfers",
            p.province.as_str(),
            &json!({"application_ids": [a], "to_committee": "CMT-NOWHERE", "reason": "x"}),
        ),
        400,
    );
    assert_eq!(r["field"], "to_committee");
}

#[test]
fn rollback_of_a_recheck_restores_the_prior_state_and_history_shows_the_act_and_the_undo() {
    let p = health_province();
    p.approve_quota(1);
    let id = p.at_recheck("内科学");
    let before: (String, Option<String>, Option<i64>) = p
        .app
        .db()
        .query_row("SELECT state, holder_org, path_position FROM applications WHERE id = ?", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let v = expect(p.act(&p.cmt, id, "recheck", json!({"pass": false, "reason": "论文与申报专业不符"})), 200);
    assert_eq!(v["state"], "terminated");
    let mine = expect(p.app.get(&format!("/api/applications/{id}"), p.applicant.as_str()), 200);
    assert!(
        mine["decision_reason"].as_str().unwrap().contains("论文与申报专业不符"),
        "the reason is visible to the applicant"
    );

    assert_eq!(
        p.app.post(&format!("/api/province/applications/{id}/undo"), p.cmt.as_str(), &json!({"reason": "x"})).0,
        403
    );
    expect(
        p.app.post(
            &format!("/api/province/applications/{id}/undo"),
            p.province.as_str(),
            &json!({"reason": "复核结论有误"}),
        ),
        200,
    );
    let after: (String, Option<String>, Option<i64>) = p
        .app
        .db()
        .query_row("SELECT state, holder_org, path_position FROM applications WHERE id = ?", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(after, before);
    let v = expect(
        p.app.post(&format!("/api/province/applications/{id}/undo"), p.province.as_str(), &json!({"reason": "再退"})),
        409,
    );
    assert_eq!(v["code"], "NOTHING_TO_UNDO");
    let events = expect(p.app.get(&format!("/api/applications/{id}/events"), p.applicant.as_str()), 200);
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(&actions[actions.len() - 2..], ["recheck_fail", "undo"]);
    // The committee can decide again.
    expect(p.act(&p.cmt, id, "recheck", json!({"pass": true})), 200);
    let ops = expect(p.app.get(&format!("/api/province/applications/{id}/operations"), p.province.as_str()), 200);
    assert_eq!(ops.as_array().unwrap().len(), 2);
}

#[test]
fn two_operators_acting_on_one_step_at_once_one_wins() {
    let p = health_province();
    p.approve_quota(1);
    let id = p.recommendable("内科学");
    expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), p.unit.as_str(), &json!({})), 200);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let h: Vec<_> = [&p.dept, &p.dept_2, &p.dept, &p.dept_2]
            .into_iter()
            .map(|tok| s.spawn(|| p.act(tok, id, "approve", json!({})).0))
            .collect();
        h.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let n: i64 = p
        .app
        .db()
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'approve_step'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_rejection_for_false_materials_records_the_person_in_the_integrity_file() {
    let p = health_province();
    p.approve_quota(1);
    let id = p.recommendable("内科学");
    expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), p.unit.as_str(), &json!({})), 200);
    expect(p.act(&p.dept, id, "approve", json!({})), 200);
    let v = expect(p.act(&p.city, id, "reject", json!({"reason": "学历证书系伪造", "false_materials": true})), 200);
    assert_eq!(v["state"], "rejected");
    let (until,): (String,) = p
        .app
        .db()
        .query_row(
            "SELECT expires_on FROM blacklist WHERE citizen_id = ?1",
            [e2e::pii_token("430102198503151236")],
            |r| Ok((r.get(0)?,)),
        )
        .unwrap();
    assert_eq!(until, "2027-09-29", "three years from 2024-09-30");
    // R5: the next submission is refused.
    let v = expect(
        p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": form("内科学")})),
        201,
    );
    let r = p.app.post(&format!("/api/applications/{}/submit", v["id"]), p.applicant.as_str(), &submit_body());
    assert_eq!((r.0, r.1["violations"][0]["code"].as_str()), (422, Some("R5_BLACKLISTED")));
}

#[test]
fn the_unit_chain_and_quota_lists_export_their_full_result_sets_with_masked_ids() {
    use calamine::Reader;
    let p = health_province();
    p.approve_quota(30);
    let ids: Vec<i64> = (0..25).map(|n| p.recommendable_nth(n, "内科学")).collect();
    for id in &ids[..21] {
        expect(p.app.post(&format!("/api/unit/applications/{id}/recommend"), p.unit.as_str(), &json!({})), 200);
    }
    let rows = |path: &str, token: &str| -> Vec<Vec<String>> {
        let (status, bytes) = p.app.get_bytes(path, token);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    };
    let unit = rows("/api/unit/applications/export", &p.unit);
    assert_eq!(unit.len(), 26, "header + all 25 applications, not a page of 20");
    let id_col = unit[0].iter().position(|h| h == "公民身份号码").unwrap();
    assert!(unit[1..].iter().all(|r| r[id_col].contains("***********")), "masked");
    let held = rows("/api/chain/applications/export", &p.dept);
    assert_eq!(held.len(), 22, "the department holds the 21 recommended ones");
    let quotas = rows("/api/quotas/export?batch_year=2024", &p.province);
    assert_eq!(quotas.len(), 2);
    assert_eq!(p.app.get_bytes("/api/unit/applications/export", p.applicant.as_str()).0, 403);
}

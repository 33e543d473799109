//! The declared transition table against what the suite did. Every test host checks on
//! stop that each application state change it recorded is declared (`TestApp`'s `Drop`)
//! and appends what it exercised to `target/transitions-exercised.tsv`; `scripts/test`
//! then runs this report (ignored in a plain run: it needs the whole suite first).

use shared::domain::application::unexercised;

#[test]
#[ignore = "run by scripts/test after the whole suite"]
fn report_the_declared_transitions_no_scenario_exercised() {
    let path = e2e::repo_root().join("target").join("transitions-exercised.tsv");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run the suite first)", path.display()));
    let rows: Vec<Vec<&str>> =
        text.lines().map(|l| l.split('\t').collect()).filter(|r: &Vec<&str>| r.len() == 4).collect();
    assert!(!rows.is_empty(), "the suite recorded no transitions");
    let events: Vec<(&str, &str, &str, &str)> = rows.iter().map(|r| (r[0], r[1], r[2], r[3])).collect();
    let missing = unexercised(&events);
    println!("declared transitions exercised by the suite: {} events read", events.len());
    println!("declared transitions no scenario exercised ({}):", missing.len());
    for (from, action, actor, to) in &missing {
        println!("  {} --{}({actor:?})--> {}", from.as_str(), action.as_str(), to.as_str());
    }
}

// ---------------------------------------------------------------- transitions the report listed

use e2e::scenario::*;
use serde_json::json;

#[test]
fn a_unit_rejects_a_submitted_application_with_a_reason_and_it_ends_for_the_year() {
    let p = health_province();
    p.app.set_clock("2024-09-20T02:00:00Z");
    let id = expect(
        p.app.post("/api/applications", p.applicant.as_str(), &json!({"batch_year": 2024, "form": form("内科学")})),
        201,
    )["id"]
        .as_i64()
        .unwrap();
    expect(p.app.submit(id, p.applicant.as_str()), 200);
    let (s, e) = p.app.post(&format!("/api/unit/applications/{id}/reject"), p.unit.as_str(), &json!({"reason": " "}));
    assert_eq!((s, e["field"].as_str()), (400, Some("reason")), "a rejection needs its reason");
    let v = expect(
        p.app.post(&format!("/api/unit/applications/{id}/reject"), p.unit.as_str(), &json!({"reason": "任职年限不足"})),
        200,
    );
    assert_eq!((v["state"].as_str(), v["decision_reason"].as_str()), (Some("rejected"), Some("任职年限不足")));
    // Ended: the applicant can neither edit nor resubmit it.
    let (s, _) = p.app.post(&format!("/api/applications/{id}/submit"), p.applicant.as_str(), &submit_body());
    assert_eq!(s, 409);
}

#[test]
fn an_upper_audit_rejection_ends_the_application_and_false_materials_enter_the_integrity_file() {
    let p = health_province();
    p.approve_quota(2);
    let id = p.at_upper_audit("内科学");
    assert_eq!(p.state(id), "upper_audit");
    let v = expect(p.act(&p.dept, id, "reject", json!({"reason": "学历证书系伪造", "false_materials": true})), 200);
    assert_eq!(v["state"], "rejected");
    let listed = expect(p.app.get("/api/admin/blacklist", p.province.as_str()), 200);
    assert_eq!(listed["total"], 1, "recorded in the integrity file: {listed}");
    // The next level never sees it as its own to act on.
    assert_eq!(p.act(&p.city, id, "approve", json!({"opinion": "同意"})).0, 404);
}

#[test]
fn the_province_undoes_a_recheck_pass_and_the_application_is_back_at_the_recheck() {
    let p = health_province();
    p.approve_quota(2);
    let id = p.qualified("内科学");
    assert_eq!(p.state(id), "qualified");
    let ops = expect(p.app.get(&format!("/api/province/applications/{id}/operations"), p.province.as_str()), 200);
    assert!(!ops.as_array().unwrap().is_empty(), "{ops}");
    let (s, e) = p.app.post(&format!("/api/province/applications/{id}/undo"), p.province.as_str(), &json!({}));
    assert_eq!((s, e["field"].as_str()), (400, Some("reason")), "{e}");
    expect(
        p.app.post(
            &format!("/api/province/applications/{id}/undo"),
            p.province.as_str(),
            &json!({"reason": "复核结论有误"}),
        ),
        200,
    );
    assert_eq!(p.state(id), "recheck");
    // The committee office rechecks again.
    expect(p.act(&p.cmt, id, "recheck", json!({"pass": false, "reason": "业绩材料不实"})), 200);
    assert_eq!(p.state(id), "terminated");
}

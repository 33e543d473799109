//! The committee's evaluation end to end: plan → audit → draw the day before → judges
//! re-review, score, vote, opine → tally with pass-rate control; the verifiable draw;
//! anonymous ballots; the offline path; R13, R16, R17; rollback of judges' operations.

use e2e::scenario::*;
use serde_json::{json, Value};
use sha2::Digest;
use shared::auth::Role;
use shared::domain::evaluation::{draw, ExpertNeed, PoolExpert, Recusal};

const SEED: &str = "hunan-health-2024-seed-7f3a";

fn commitment(seed: &str) -> String {
    sha2::Sha256::digest(seed.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Ten qualified participants, the pool of experts, and an approved plan starting Monday
/// 2024-11-04 (limit 60 %).
struct Session {
    p: Province,
    plan: i64,
    participants: Vec<i64>,
}

fn add_experts(p: &Province) {
    for i in 0..10u32 {
        // Two experts work at the participants' hospital: they must never be drawn.
        let org = if i < 2 { UNIT.to_owned() } else { format!("ORG-HOSP-{}", i % 4) };
        expect(
            p.app.post(
                "/api/evaluation/experts",
                p.province.as_str(),
                &json!({"id": format!("EXP-{i:02}"), "name": format!("专家{i}"), "citizen_id": citizen_id(500 + i),
                        "specialty": "内科学", "org": org, "title": "主任医师"}),
            ),
            201,
        );
    }
}

fn plan_body(participants: &[i64], review_start: &str, extra: Value) -> Value {
    let mut b = json!({
        "committee": COMMITTEE, "batch_year": 2024, "review_start": review_start, "judging_end": "2024-11-08",
        "place": "长沙市评审中心", "pass_rate_limit_percent": 60,
        "scoring_rules": [{"item": "业绩成果", "weight": 60}, {"item": "基层服务", "weight": 20}, {"item": "开源贡献", "weight": 20}],
        "expert_needs": [{"specialty": "内科学", "count": 5}],
        "participants": participants, "seed_commitment": commitment(SEED)
    });
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

fn session(n: u32) -> Session {
    let p = health_province();
    p.approve_quota(n + 2);
    let participants: Vec<i64> = (0..n).map(|i| p.qualified_nth(i, "内科学")).collect();
    add_experts(&p);
    p.app.set_clock("2024-10-08T02:00:00Z");
    let plan = expect(
        p.app.post("/api/evaluation/plans", p.cmt.as_str(), &plan_body(&participants, "2024-11-04", json!({}))),
        201,
    );
    let plan = plan["id"].as_i64().unwrap();
    expect(p.app.post(&format!("/api/evaluation/plans/{plan}/submit"), p.cmt.as_str(), &json!({})), 200);
    let v = expect(
        p.app.post(
            &format!("/api/evaluation/plans/{plan}/audit"),
            p.province.as_str(),
            &json!({"approve": true, "opinion": "同意"}),
        ),
        200,
    );
    assert_eq!(v["status"], "approved");
    Session { p, plan, participants }
}

impl Session {
    fn draw(&self) -> Value {
        self.p.app.set_clock("2024-11-03T02:00:00Z");
        expect(
            self.p.app.post(
                &format!("/api/evaluation/plans/{}/draw", self.plan),
                self.p.cmt.as_str(),
                &json!({"seed": SEED, "supervisor": "省卫健委机关纪委 刘某"}),
            ),
            200,
        )
    }

    fn judges(&self, rec: &Value) -> Vec<String> {
        rec["panel"][0].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    }

    fn judge_token(&self, expert: &str) -> String {
        self.p.app.token(expert, expert, Role::Judge, "")
    }

    fn judge(&self, expert: &str, app: i64, body: Value) -> (u16, Value) {
        self.p.app.post(
            &format!("/api/judging/plans/{}/participants/{app}", self.plan),
            self.judge_token(expert).as_str(),
            &body,
        )
    }
}

/// An expert of the pool who was not drawn for the session's plan (the two who work at the
/// participants' hospital never are).
fn undrawn(s: &Session) -> String {
    let rec = expect(s.p.app.get(&format!("/api/evaluation/plans/{}/draw", s.plan), s.p.cmt.as_str()), 200);
    let drawn: Vec<&str> = rec["judges"].as_array().unwrap().iter().filter_map(|j| j["expert_id"].as_str()).collect();
    (0..10).map(|i| format!("EXP-{i:02}")).find(|e| !drawn.contains(&e.as_str())).expect("an undrawn expert")
}

#[test]
fn a_plan_is_audited_judges_are_drawn_the_day_before_and_the_tally_applies_the_sixty_percent_limit() {
    let s = session(10);
    let p = &s.p;
    // Interview notice, visible to the applicant.
    let first = s.participants[0];
    expect(
        p.app.post(
            &format!("/api/evaluation/plans/{}/interviews", s.plan),
            p.cmt.as_str(),
            &json!({"application_id": first, "scheduled_at": "2024-11-05T09:30:00", "place": "答辩室3"}),
        ),
        201,
    );
    let doc0 = p.app.token("doc-0", "医生0", Role::Applicant, "");
    let notes = expect(p.app.get(&format!("/api/evaluation/applications/{first}/interviews"), doc0.as_str()), 200);
    assert_eq!(notes[0]["place"], "答辩室3");

    // The draw happens only the day before, with the committed seed.
    p.app.set_clock("2024-11-01T02:00:00Z");
    let v = p.app.post(
        &format!("/api/evaluation/plans/{}/draw", s.plan),
        p.cmt.as_str(),
        &json!({"seed": SEED, "supervisor": "纪委"}),
    );
    assert_eq!((v.0, v.1["code"].as_str()), (409, Some("DRAW_NOT_TODAY")));
    p.app.set_clock("2024-11-03T02:00:00Z");
    let v = p.app.post(
        &format!("/api/evaluation/plans/{}/draw", s.plan),
        p.cmt.as_str(),
        &json!({"seed": "guess", "supervisor": "纪委"}),
    );
    assert_eq!((v.0, v.1["field"].as_str()), (400, Some("seed")));
    let rec = s.draw();
    let judges = s.judges(&rec);
    assert_eq!(judges.len(), 5);
    assert!(
        !judges.contains(&"EXP-00".to_owned()) && !judges.contains(&"EXP-01".to_owned()),
        "recusal: the participants' unit"
    );

    // Judges act only inside the window (from 11-04).
    assert_eq!(s.judge(&judges[0], first, json!({"kind": "vote", "choice": "agree"})).0, 409);
    p.app.set_clock("2024-11-04T02:00:00Z");
    // 8 participants pass by votes (5 or 4 of 5 agree), 2 fail (1 of 5).
    for (i, app) in s.participants.iter().enumerate() {
        let agrees = match i {
            0..=3 => 5,
            4..=7 => 4,
            _ => 1,
        };
        for (j, judge) in judges.iter().enumerate() {
            expect(s.judge(judge, *app, json!({"kind": "material_review", "pass": true})), 200);
            expect(s.judge(judge, *app, json!({"kind": "material_score", "scores": {"业绩成果": 90 - i as u32, "基层服务": 80, "开源贡献": 70}})), 200);
            expect(s.judge(judge, *app, json!({"kind": "interview_score", "score": 85 - i as u32})), 200);
            let choice = if j < agrees { "agree" } else { "disagree" };
            expect(s.judge(judge, *app, json!({"kind": "vote", "choice": choice})), 200);
            expect(s.judge(judge, *app, json!({"kind": "opinion", "text": "业绩突出"})), 200);
        }
    }
    let again = s.judge(&judges[0], first, json!({"kind": "vote", "choice": "disagree"}));
    assert_eq!((again.0, again.1["code"].as_str()), (409, Some("ALREADY_VOTED")));
    // A judge cannot read the archive (other judges' ballots) before or after the tally:
    // the archive is the committee office's and the province's (403 for any judge).
    assert_eq!(
        p.app.get(&format!("/api/evaluation/plans/{}/archive", s.plan), s.judge_token(&judges[0]).as_str()).0,
        403
    );

    let results =
        expect(p.app.post(&format!("/api/evaluation/plans/{}/tally", s.plan), p.cmt.as_str(), &json!({})), 200);
    let outcome = |app: i64| {
        results.as_array().unwrap().iter().find(|r| r["application_id"] == app).unwrap()["outcome"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let passed: Vec<i64> = s.participants.iter().copied().filter(|a| outcome(*a) == "passed").collect();
    let over: Vec<i64> = s.participants.iter().copied().filter(|a| outcome(*a) == "over_pass_rate").collect();
    assert_eq!(passed, s.participants[..6].to_vec(), "ranked by votes, then total score");
    assert_eq!(over, s.participants[6..8].to_vec());
    assert_eq!(
        (outcome(s.participants[8]).as_str(), p.state(s.participants[8]).as_str()),
        ("failed_vote", "not_passed")
    );
    assert_eq!(p.state(s.participants[0]), "passed");
    let voted_on: String =
        p.app.db().query_row("SELECT voted_on FROM applications WHERE id = ?", [first], |r| r.get(0)).unwrap();
    assert_eq!(voted_on, "2024-11-04");
    let archive = expect(p.app.get(&format!("/api/evaluation/plans/{}/archive", s.plan), p.cmt.as_str()), 200);
    assert_eq!(archive["participants"][0]["ballots"]["agree"], 5);
    assert_eq!(
        p.app.get(&format!("/api/evaluation/plans/{}/archive", s.plan), p.unit.as_str()).0,
        403,
        "R16: confidential"
    );

    // R16: a failed applicant is never judged again that year.
    let failed = s.participants[8];
    let v = p.app.post(
        "/api/evaluation/plans",
        p.cmt.as_str(),
        &plan_body(&[failed], "2024-12-09", json!({"judging_end": "2024-12-10"})),
    );
    assert_eq!(v.0, 422, "{}", v.1);
    assert_eq!(v.1["violations"][0]["code"], "R16_NO_REJUDGING");
}

#[test]
fn r14_replaying_the_draw_from_the_revealed_seed_and_snapshot_gives_the_same_panel() {
    let s = session(2);
    let rec = s.draw();
    let pool: Vec<PoolExpert> = serde_json::from_value(rec["snapshot"].clone()).unwrap();
    let recusal: Recusal = serde_json::from_value(rec["recusal"].clone()).unwrap();
    let needs = vec![ExpertNeed { specialty: "内科学".into(), count: 5 }];
    let replay = draw(rec["seed"].as_str().unwrap(), &pool, &needs, &recusal).unwrap();
    assert_eq!(serde_json::to_value(&replay).unwrap(), rec["panel"]);
    assert_eq!(rec["supervisor"], "省卫健委机关纪委 刘某");
    let different = (0..20).any(|k| draw(&format!("other-{k}"), &pool, &needs, &recusal).unwrap() != replay);
    assert!(different, "another seed gives another panel");
    // A judge who declines is replaced by the next in the same order.
    let first = s.judges(&rec)[0].clone();
    let sub = expect(
        s.p.app.post(&format!("/api/evaluation/plans/{}/judges/{first}/decline", s.plan), s.p.cmt.as_str(), &json!({})),
        200,
    );
    assert!(!s.judges(&rec).contains(&sub["substitute"].as_str().unwrap().to_owned()));
    s.p.app.set_clock("2024-11-04T02:00:00Z");
    let declined = s.judge(&first, s.participants[0], json!({"kind": "vote", "choice": "agree"}));
    assert_eq!(declined.0, 404, "a declined judge no longer sees the plan");
}

#[test]
fn r16_the_ballot_table_holds_no_judge_reference_and_a_judge_of_another_plan_gets_404() {
    let s = session(1);
    let db = s.p.app.db();
    let cols: Vec<String> = db
        .prepare("SELECT name FROM pragma_table_info('ballots')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(cols, ["ballot_id", "plan_id", "application_id", "choice"]);
    let sql: String = db.query_row("SELECT sql FROM sqlite_master WHERE name = 'ballots'", [], |r| r.get(0)).unwrap();
    assert!(sql.contains("WITHOUT ROWID"), "no insertion-ordered rowid to correlate with participation");
    let rec = s.draw();
    let judge = s.judges(&rec)[0].clone();
    s.p.app.set_clock("2024-11-04T02:00:00Z");
    expect(s.judge(&judge, s.participants[0], json!({"kind": "vote", "choice": "agree"})), 200);
    // An expert outside the pool is refused at admission (401); one of the pool not drawn
    // for this plan gets the plan's 404.
    assert_eq!(
        s.p.app.get(&format!("/api/judging/plans/{}/participants", s.plan), s.judge_token("EXP-99").as_str()).0,
        401
    );
    let stranger = s.judge_token(&undrawn(&s));
    let v = s.p.app.post(
        &format!("/api/judging/plans/{}/participants/{}", s.plan, s.participants[0]),
        stranger.as_str(),
        &json!({"kind": "vote", "choice": "agree"}),
    );
    assert_eq!(v.0, 404);
    // Read again: on PostgreSQL `db()` is a snapshot taken when called.
    let db = s.p.app.db();
    let ballot_ids: Vec<String> = db
        .prepare("SELECT ballot_id FROM ballots")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ballot_ids.len(), 1);
    assert!(!ballot_ids[0].contains(&judge));
}

#[test]
fn r13_a_plan_submitted_nine_working_days_before_the_start_is_refused_for_a_non_self_review_committee() {
    let p = health_province();
    p.approve_quota(2);
    let a = p.qualified_nth(0, "内科学");
    p.app.set_clock("2024-10-21T02:00:00Z");
    // 10-22 .. 11-01 are 9 working days.
    let plan = expect(
        p.app.post(
            "/api/evaluation/plans",
            p.cmt.as_str(),
            &plan_body(&[a], "2024-11-01", json!({"judging_end": "2024-11-01"})),
        ),
        201,
    );
    let v = p.app.post(&format!("/api/evaluation/plans/{}/submit", plan["id"]), p.cmt.as_str(), &json!({}));
    assert_eq!((v.0, v.1["violations"][0]["code"].as_str()), (422, Some("R13_PLAN_TOO_LATE")), "{}", v.1);
    assert!(v.1["violations"][0]["message"].as_str().unwrap().contains("15"));
    // No plan, no judging: the draw is refused for a plan that is not approved.
    p.app.set_clock("2024-10-31T02:00:00Z");
    let v = p.app.post(
        &format!("/api/evaluation/plans/{}/draw", plan["id"]),
        p.cmt.as_str(),
        &json!({"seed": SEED, "supervisor": "纪委"}),
    );
    assert_eq!((v.0, v.1["code"].as_str()), (409, Some("PLAN_NOT_APPROVED")));
}

#[test]
fn the_offline_path_enters_results_directly_and_a_declared_exception_lets_all_pass() {
    let p = health_province();
    p.approve_quota(12);
    let participants: Vec<i64> = (0..10).map(|i| p.qualified_nth(i, "内科学")).collect();
    p.app.set_clock("2024-10-08T02:00:00Z");
    // The province's rate for the series is 60 %; the plan declares 80 % in advance (五(三)).
    expect(p.app.put("/api/admin/pass-rates", p.province.as_str(), &json!({"series": "卫生", "percent": 60})), 200);
    let body = plan_body(
        &participants,
        "2024-11-04",
        json!({"offline": true, "kind": "special", "pass_rate_limit_percent": 80, "pass_rate_exception": true, "exception_reason": "基层专场定向评价，通过率倾斜", "seed_commitment": null, "expert_needs": []}),
    );
    let plan = expect(p.app.post("/api/evaluation/plans", p.cmt.as_str(), &body), 201)["id"].as_i64().unwrap();
    expect(p.app.post(&format!("/api/evaluation/plans/{plan}/submit"), p.cmt.as_str(), &json!({})), 200);
    let v = p.app.post(&format!("/api/evaluation/plans/{plan}/audit"), p.province.as_str(), &json!({"approve": true}));
    assert_eq!((v.0, v.1["code"].as_str()), (409, Some("PLAN_AUDIT_DESK")), "special plans go to the special desk");
    let special_desk = p.app.token("op-special", "专场审核", Role::Province, "ORG-PROVINCE-SPECIAL");
    let v =
        p.app.post(&format!("/api/evaluation/plans/{plan}/audit"), special_desk.as_str(), &json!({"approve": true}));
    assert_eq!(expect(v, 422)["code"], "R15_PASS_RATE_EXCEPTION_NOT_APPROVED", "the exception is approved explicitly");
    expect(
        p.app.post(
            &format!("/api/evaluation/plans/{plan}/audit"),
            special_desk.as_str(),
            &json!({"approve": true, "approve_pass_rate_exception": true}),
        ),
        200,
    );
    p.app.set_clock("2024-11-05T02:00:00Z");
    let results: Vec<Value> = participants
        .iter()
        .enumerate()
        .map(|(i, a)| json!({"application_id": a, "agree": if i < 8 { 7 } else { 2 }, "disagree": if i < 8 { 2 } else { 7 }, "present": 9}))
        .collect();
    let v = p.app.post(
        &format!("/api/evaluation/plans/{plan}/offline-results"),
        p.cmt.as_str(),
        &json!({"voted_on": "2024-12-16", "results": results}),
    );
    assert_eq!((v.0, v.1["field"].as_str()), (422, Some("voted_on")), "R17: no vote after 12-15");
    assert_eq!(v.1["code"], "R17_VOTING_CLOSED");
    let out = expect(
        p.app.post(
            &format!("/api/evaluation/plans/{plan}/offline-results"),
            p.cmt.as_str(),
            &json!({"voted_on": "2024-11-04", "results": results}),
        ),
        200,
    );
    let passed = out.as_array().unwrap().iter().filter(|r| r["outcome"] == "passed").count();
    assert_eq!(passed, 8, "the exception declared in advance lifts the 60 % limit");
    let n: i64 = p
        .app
        .db()
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'enter_offline_result'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 10, "still audited");
}

#[test]
fn r17_a_vote_after_the_judging_window_and_the_deadline_is_refused() {
    let s = session(1);
    let rec = s.draw();
    let judge = s.judges(&rec)[0].clone();
    s.p.app.set_clock("2024-12-16T02:00:00Z");
    let v = s.judge(&judge, s.participants[0], json!({"kind": "vote", "choice": "agree"}));
    assert_eq!(v.0, 409, "{}", v.1);
    assert_eq!(v.1["code"], "OUTSIDE_JUDGING_WINDOW");
    let n: i64 = s.p.app.db().query_row("SELECT COUNT(*) FROM ballots", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn rollback_undoes_a_vote_then_a_score_in_that_order_and_refuses_the_reverse() {
    let s = session(1);
    let rec = s.draw();
    let judges = s.judges(&rec);
    let app = s.participants[0];
    s.p.app.set_clock("2024-11-04T02:00:00Z");
    expect(
        s.judge(
            &judges[0],
            app,
            json!({"kind": "material_score", "scores": {"业绩成果": 90, "基层服务": 80, "开源贡献": 70}}),
        ),
        200,
    );
    for j in &judges {
        expect(s.judge(j, app, json!({"kind": "vote", "choice": "agree"})), 200);
    }
    let ops = expect(s.p.app.get(&format!("/api/province/applications/{app}/operations"), s.p.province.as_str()), 200);
    let kinds: Vec<&str> = ops.as_array().unwrap().iter().map(|o| o["kind"].as_str().unwrap()).collect();
    assert_eq!(&kinds[..2], ["judge_vote", "judge_material_score"], "latest first: {ops}");
    assert_eq!(ops[0]["actor"], "judges", "the log never names the voter");
    let score_op = ops[1]["id"].as_i64().unwrap();
    let undo =
        |body: Value| s.p.app.post(&format!("/api/province/applications/{app}/undo"), s.p.province.as_str(), &body);
    let v = undo(json!({"reason": "评分录入错误", "operation_id": score_op}));
    assert_eq!((v.0, v.1["code"].as_str()), (409, Some("UNDO_OUT_OF_ORDER")), "the score cannot go before the vote");
    expect(undo(json!({"reason": "投票程序有误"})), 200);
    let n: i64 = s.p.app.db().query_row("SELECT COUNT(*) FROM ballots", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    expect(undo(json!({"reason": "评分录入错误", "operation_id": score_op})), 200);
    let left: i64 =
        s.p.app
            .db()
            .query_row("SELECT COUNT(*) FROM judge_reviews WHERE kind = 'material_score'", [], |r| r.get(0))
            .unwrap();
    assert_eq!(left, 0);
    // The judges may vote again.
    expect(s.judge(&judges[0], app, json!({"kind": "vote", "choice": "agree"})), 200);
}

#[test]
fn a_committee_with_its_own_schedule_is_held_to_its_own_voting_deadline() {
    let p = health_province();
    p.approve_quota(2);
    let a = p.qualified_nth(0, "内科学");
    // 二(五): this committee votes by 2024-11-08 instead of the province's 12-15.
    expect(
        p.app.put(
            &format!("/api/admin/batches/2024/committees/{COMMITTEE}"),
            p.province.as_str(),
            &json!({"voting_deadline": "2024-11-08"}),
        ),
        200,
    );
    p.app.set_clock("2024-10-08T02:00:00Z");
    let late = plan_body(&[a], "2024-11-04", json!({"judging_end": "2024-11-11"}));
    let v = p.app.post("/api/evaluation/plans", p.cmt.as_str(), &late);
    assert_eq!((v.0, v.1["field"].as_str()), (422, Some("judging_end")), "{}", v.1);
    assert_eq!(v.1["code"], "R17_VOTING_CLOSED");
    assert!(v.1["message"].as_str().unwrap().contains("2024-11-08"));
    expect(p.app.post("/api/evaluation/plans", p.cmt.as_str(), &plan_body(&[a], "2024-11-04", json!({}))), 201);
}

/// Issue 16, the province's expert pool page: the pool is listed by id, paginated, each
/// expert with the suspension or removal in force (kind, last day, reason); `status`
/// filters; a suspension whose last day passed is lifted before the list is read.
#[test]
fn the_expert_pool_lists_each_expert_with_the_suspension_in_force_and_filters_by_status() {
    let p = health_province();
    add_experts(&p);
    p.app.set_clock("2024-10-08T02:00:00Z");
    assert_eq!(p.app.get("/api/evaluation/experts", p.unit.as_str()).0, 403);
    assert_eq!(p.app.get("/api/evaluation/experts", p.applicant.as_str()).0, 403);
    let r = expect(p.app.get("/api/evaluation/experts?status=banned", p.province.as_str()), 400);
    assert_eq!(r["field"], "status", "{r}");

    let page = expect(p.app.get("/api/evaluation/experts?page=2&page_size=4", p.province.as_str()), 200);
    assert_eq!(page["total"], 10, "{page}");
    let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["EXP-04", "EXP-05", "EXP-06", "EXP-07"]);
    assert!(page["items"][0]["suspension"].is_null() && page["items"][0]["status"] == "active", "{page}");
    assert!(page["items"][0].get("person_hash").is_none(), "the ID number's hash is not shown");

    let body = json!({"kind": "suspend", "reason": "无故缺席评审", "until": "2024-10-20"});
    expect(p.app.post("/api/evaluation/experts/EXP-05/suspend", p.province.as_str(), &body), 200);
    let body = json!({"kind": "remove", "reason": "评审中收受礼品"});
    expect(p.app.post("/api/evaluation/experts/EXP-07/suspend", p.province.as_str(), &body), 200);
    // The committee office sees the same pool (it adds experts and declares relations).
    let out = expect(p.app.get("/api/evaluation/experts?status=suspended", p.cmt.as_str()), 200);
    assert_eq!(out["total"], 2, "{out}");
    let (a, b) = (&out["items"][0], &out["items"][1]);
    assert_eq!((a["id"].as_str(), a["status"].as_str()), (Some("EXP-05"), Some("suspended")));
    assert_eq!(
        (a["suspension"]["kind"].as_str(), a["suspension"]["until_on"].as_str()),
        (Some("suspend"), Some("2024-10-20"))
    );
    assert_eq!((b["suspension"]["kind"].as_str(), b["suspension"]["until_on"].as_str()), (Some("remove"), None));
    assert_eq!(expect(p.app.get("/api/evaluation/experts?status=active", p.province.as_str()), 200)["total"], 8);

    // The last day passed: the list shows EXP-05 back in the pool, lifted as the system's act.
    p.app.set_clock("2024-10-21T02:00:00Z");
    let out = expect(p.app.get("/api/evaluation/experts?status=suspended", p.province.as_str()), 200);
    let ids: Vec<&str> = out["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["EXP-07"]);
    let all = expect(p.app.get("/api/evaluation/experts?page_size=100", p.province.as_str()), 200);
    let five = all["items"].as_array().unwrap().iter().find(|e| e["id"] == "EXP-05").unwrap();
    assert!(five["suspension"].is_null() && five["status"] == "active", "{five}");
}

/// 七(二)–(四), issue 13: the province suspends an expert for a period or removes them, with
/// the reason; a suspended or removed expert is never drawn; a suspension ends after its last
/// day (lifted at the draw, as the system's act) or by reinstatement. Judges' and staff
/// members' integrity records are kept. Refusals change nothing.
#[test]
fn a_suspended_or_removed_expert_is_never_drawn_and_a_suspension_ends_after_its_last_day() {
    let s = session(3);
    let p = &s.p;
    let suspend = |token: &str, expert: &str, body: Value| {
        p.app.post(&format!("/api/evaluation/experts/{expert}/suspend"), token, &body)
    };
    let tables = || {
        (
            crate::rules::rows(p, "SELECT * FROM experts ORDER BY id"),
            crate::rules::rows(p, "SELECT * FROM expert_suspensions ORDER BY id"),
        )
    };
    let before = tables();
    assert_eq!(suspend(p.unit.as_str(), "EXP-02", json!({"kind": "remove", "reason": "x"})).0, 403);
    assert_eq!(suspend(p.cmt.as_str(), "EXP-02", json!({"kind": "remove", "reason": "x"})).0, 403);
    let r = expect(suspend(p.province.as_str(), "EXP-02", json!({"kind": "ban", "reason": "x"})), 400);
    assert_eq!(r["field"], "kind");
    let r = expect(
        suspend(p.province.as_str(), "EXP-04", json!({"kind": "suspend", "reason": "x", "until": "2024-10-07"})),
        400,
    );
    assert_eq!(r["field"], "until", "the clock is at 2024-10-08");
    let r = expect(suspend(p.province.as_str(), "EXP-02", json!({"kind": "remove", "reason": " "})), 400);
    assert_eq!(r["field"], "reason");
    assert_eq!(suspend(p.province.as_str(), "EXP-NOBODY", json!({"kind": "remove", "reason": "x"})).0, 404);
    assert_eq!(tables(), before, "refusals change nothing");

    // EXP-02 removed; EXP-03 suspended until 10-20 (over before the draw); EXP-04 until 11-30.
    expect(suspend(p.province.as_str(), "EXP-02", json!({"kind": "remove", "reason": "评审中收受礼品"})), 200);
    expect(
        suspend(
            p.province.as_str(),
            "EXP-03",
            json!({"kind": "suspend", "reason": "无故缺席评审", "until": "2024-10-20"}),
        ),
        200,
    );
    let v = expect(
        suspend(
            p.province.as_str(),
            "EXP-04",
            json!({"kind": "suspend", "reason": "违反回避规定", "until": "2024-11-30"}),
        ),
        200,
    );
    assert_eq!((v[0]["kind"].as_str(), v[0]["until_on"].as_str()), (Some("suspend"), Some("2024-11-30")), "{v}");
    let again = expect(suspend(p.province.as_str(), "EXP-04", json!({"kind": "remove", "reason": "x"})), 409);
    assert_eq!(again["code"], "INVALID_STATE");

    // The draw the day before the session: EXP-02 and EXP-04 are out; EXP-03 is back.
    let rec = s.draw();
    let judges = s.judges(&rec);
    assert_eq!(judges.len(), 5, "{rec}");
    assert!(!judges.contains(&"EXP-02".to_owned()) && !judges.contains(&"EXP-04".to_owned()), "{judges:?}");
    let history = expect(p.app.get("/api/evaluation/experts/EXP-03/suspensions", p.cmt.as_str()), 200);
    assert_eq!(
        (history[0]["lifted_by"].as_str(), history[0]["lift_reason"].as_str()),
        (Some("system"), Some("暂停期满"))
    );
    // A suspended expert cannot act as a judge either: the pool says who is a judge.
    let status: String =
        p.app.db().query_row("SELECT status FROM experts WHERE id = 'EXP-04'", [], |r| r.get(0)).unwrap();
    assert_eq!(status, "suspended");

    // Reinstated by the province, with the reason.
    let r = p.app.post(
        "/api/evaluation/experts/EXP-04/reinstate",
        p.province.as_str(),
        &json!({"reason": "经复核，回避事项系误报"}),
    );
    let v = expect(r, 200);
    assert!(v[0]["lifted_at"].is_string(), "{v}");
    let r = p.app.post("/api/evaluation/experts/EXP-04/reinstate", p.province.as_str(), &json!({"reason": "再次"}));
    assert_eq!(expect(r, 409)["code"], "INVALID_STATE");

    // Integrity records of judges and staff.
    let rec = json!({"subject_kind": "judge", "subject_ref": "EXP-02", "subject_name": "专家2", "org": "ORG-HOSP-2",
                     "conduct": "评审期间收受申报人礼品", "decision": "取消评委资格，记入诚信档案", "from_on": "2024-10-08"});
    let made = expect(p.app.post("/api/province/integrity-records", p.province.as_str(), &rec), 201);
    assert_eq!(made["subject_ref"], "EXP-02");
    let mut bad = rec.clone();
    bad["subject_kind"] = json!("applicant");
    assert_eq!(
        expect(p.app.post("/api/province/integrity-records", p.province.as_str(), &bad), 400)["field"],
        "subject_kind"
    );
    bad = rec.clone();
    bad["subject_ref"] = json!("EXP-NOBODY");
    assert_eq!(
        expect(p.app.post("/api/province/integrity-records", p.province.as_str(), &bad), 400)["field"],
        "subject_ref"
    );
    let list = expect(p.app.get("/api/province/integrity-records?subject_kind=judge", p.province.as_str()), 200);
    assert_eq!(list["total"], 1);
    assert_eq!(p.app.get("/api/province/integrity-records", p.unit.as_str()).0, 403);
    let actions: i64 = p
        .app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('remove_expert', 'suspend_expert', 'reinstate_expert', 'record_integrity')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(actions, 6, "remove, 2 suspend, the system's lift, the reinstatement, the record");
}

#[test]
fn a_judge_lists_only_the_plans_it_was_drawn_for_with_its_window_and_scoring_items() {
    let s = session(2);
    let rec = s.draw();
    let judges = s.judges(&rec);
    let list = |expert: &str| expect(s.p.app.get("/api/judging/plans", s.judge_token(expert).as_str()), 200);
    let mine = list(&judges[0]);
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["id"], s.plan);
    assert_eq!(mine[0]["scoring_rules"][0]["item"], "业绩成果");
    assert_eq!(mine[0]["participants"], json!(s.participants));
    assert_eq!(mine[0]["window_open"], false, "the day before the review");
    assert!(mine[0].get("seed_commitment").is_none(), "nothing of the draw");
    assert_eq!(list(&undrawn(&s)), json!([]), "an expert not drawn sees no plan");
    let materials = |expert: &str, app: i64| {
        s.p.app
            .get(&format!("/api/judging/plans/{}/participants/{app}/materials", s.plan), s.judge_token(expert).as_str())
    };
    let early = materials(&judges[1], s.participants[0]);
    assert_eq!(
        (early.0, early.1["code"].as_str()),
        (409, Some("OUTSIDE_JUDGING_WINDOW")),
        "materials only in the window"
    );
    s.p.app.set_clock("2024-11-04T02:00:00Z");
    assert_eq!(list(&judges[1])[0]["window_open"], true);
    assert!(expect(materials(&judges[1], s.participants[0]), 200).is_array());
    assert_eq!(materials(&judges[1], s.participants[0] + 1000).0, 404, "not a participant of the plan");
    assert_eq!(materials(&undrawn(&s), s.participants[0]).0, 404, "an expert not drawn for the plan");
    s.p.app.set_clock("2024-11-03T02:00:00Z");
    expect(
        s.p.app.post(
            &format!("/api/evaluation/plans/{}/judges/{}/decline", s.plan, judges[0]),
            s.p.cmt.as_str(),
            &json!({}),
        ),
        200,
    );
    assert_eq!(list(&judges[0]), json!([]), "a judge who declined no longer lists the plan");
    assert_eq!(s.p.app.get("/api/judging/plans", s.p.cmt.as_str()).0, 403, "judges only");
}

/// Issue 10, 五(四): nothing a vote leaves behind carries the time it was cast — the
/// rollback log stamps the vote phase with its day only, ballots and participation have
/// no time and no insertion order — so no one can tie a ballot to a judge by time.
#[test]
fn a_vote_leaves_no_time_that_ties_it_to_its_judge() {
    let s = session(1);
    let rec = s.draw();
    let judges = s.judges(&rec);
    let app = s.participants[0];
    s.p.app.set_clock("2024-11-04T02:00:00Z");
    let scores = json!({"kind": "material_score", "scores": {"业绩成果": 90, "基层服务": 80, "开源贡献": 70}});
    expect(s.judge(&judges[0], app, scores), 200);
    let mut vote_times = Vec::new();
    for j in &judges {
        s.p.app.advance_clock(61);
        vote_times.push(s.p.app.clock());
        expect(s.judge(j, app, json!({"kind": "vote", "choice": "agree"})), 200);
    }
    let db = s.p.app.db();
    let times = |sql: &str| -> Vec<String> {
        let mut stmt = db.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
    };
    let stamped: Vec<String> = [
        times("SELECT at FROM reversible_operations"),
        times("SELECT at FROM audit_events"),
        times("SELECT at FROM judge_reviews"),
    ]
    .concat();
    for t in &vote_times {
        assert!(!stamped.contains(t), "a row carries the time of the vote at {t}: {stamped:?}");
    }
    let phase = times("SELECT at FROM reversible_operations WHERE kind = 'judge_vote'");
    assert_eq!(phase, vec!["2024-11-03T16:00:00Z".to_string()], "the vote phase carries its day (Asia/Shanghai) only");
    for table in ["ballots", "ballot_participation"] {
        let columns = times(&format!("SELECT name FROM pragma_table_info('{table}')"));
        assert!(columns.iter().all(|c| c != "at" && !c.ends_with("_at")), "{table} has a time column: {columns:?}");
        let rowid = db.prepare(&format!("SELECT rowid FROM {table}"));
        assert!(rowid.is_err(), "{table} keeps no insertion order (WITHOUT ROWID)");
    }
}

//! Supervision (issue 13, notice 七): 职称巡查 — a sampling run drawn verifiably and replayed
//! from its seed, findings → rectification with a working-day deadline → response →
//! closure, a special inspection opened from a complaint — and the fraud records reaching
//! the national credit platform exactly once across failures.

use crate::certificates::{import, import_province, read_request, respond, row};
use e2e::scenario::{citizen_id, expect, form_of, health_province, Province, CMT_ORG, COMMITTEE, OTHER_CMT_ORG, UNIT};
use e2e::TestApp;
use serde_json::{json, Value};
use shared::auth::Role;
use shared::domain::evaluation::commitment;
use shared::domain::inspection::{sample, Sample, Target};
use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const SELF_REVIEW_UNIT: &str = "ORG-CSU";

/// The `n`-th applicant submitted on 2024-09-20 and approved into the unit's publicity of
/// 2024-09-23 .. 09-29 (R11).
fn submitted(p: &Province, n: u32) -> i64 {
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

/// A province with two committees, a self-evaluating university and three applications.
fn inspected_province() -> (Province, Vec<i64>) {
    let p = health_province();
    expect(
        p.app.post(
            "/api/province/committees",
            p.province.as_str(),
            &json!({"id": "CMT-ENG-SENIOR", "name": "湖南省工程系列高级职称评审委员会", "organising_org": OTHER_CMT_ORG,
                    "series": "工程", "max_level": "full_senior", "valid_until": "2025-12-31", "specialties": ["土木工程"]}),
        ),
        201,
    );
    expect(
        p.app.post(
            "/api/province/organisations",
            p.province.as_str(),
            &json!({"id": SELF_REVIEW_UNIT, "kind": "unit", "name": "中南某大学", "region_code": "430100",
                    "public_institution": true, "self_review": true}),
        ),
        201,
    );
    let apps = (1..=3).map(|n| submitted(&p, n)).collect();
    (p, apps)
}

fn audit_actions(app: &TestApp, kind: &str) -> Vec<String> {
    let db = app.db();
    let mut st = db.prepare("SELECT action FROM audit_events WHERE subject_kind = ?1 ORDER BY seq").unwrap();
    st.query_map([kind], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn an_inspection_run_replayed_from_its_seed_gives_the_same_sample_and_its_findings_go_through_rectification_to_closure()
{
    let (p, apps) = inspected_province();
    let app = &p.app;
    app.set_clock("2024-09-27T02:00:00Z"); // a Friday before the National Day holiday
    let seed = "2024年度职称巡查-监督人见证-7f3a";
    let create = json!({"year": 2024, "title": "2024年度职称评审巡查", "ratio_percent": 50,
                        "departments": "省卫生健康委、省教育厅", "seed_commitment": commitment(seed)});

    // Only the province inspects; a malformed commitment is named.
    assert_eq!(app.post("/api/province/inspections", p.cmt.as_str(), &create).0, 403);
    let mut bad = create.clone();
    bad["seed_commitment"] = json!("abc");
    let e = app.post("/api/province/inspections", p.province.as_str(), &bad);
    assert_eq!((e.0, e.1["field"].as_str()), (400, Some("seed_commitment")), "{}", e.1);

    // 1. Committed first: the seed stays secret, its SHA-256 is on record.
    let run = expect(app.post("/api/province/inspections", p.province.as_str(), &create), 201);
    let id = run["id"].as_i64().unwrap();
    assert_eq!((run["status"].as_str(), run["seed"].as_str()), (Some("committed"), None));
    assert_eq!(run["seed_commitment"], commitment(seed));
    let draw = format!("/api/province/inspections/{id}/draw");
    let wrong = app.post(&draw, p.province.as_str(), &json!({"seed": "another seed"}));
    assert_eq!((wrong.0, wrong.1["field"].as_str()), (400, Some("seed")), "{}", wrong.1);
    let still = expect(app.get(&format!("/api/province/inspections/{id}"), p.province.as_str()), 200);
    assert_eq!((still["status"].as_str(), still["items"].as_array().unwrap().len()), (Some("committed"), 0));

    // 2. Revealed: the sample is drawn from the recorded population.
    let drawn = expect(app.post(&draw, p.province.as_str(), &json!({"seed": seed})), 200);
    assert_eq!((drawn["status"].as_str(), drawn["seed"].as_str()), (Some("open"), Some(seed)));
    assert_eq!(drawn["population"], json!({"applications": 3, "committees": 2, "units": 1}));
    let recorded: Sample = serde_json::from_value(drawn["sample"].clone()).unwrap();
    assert_eq!(
        (recorded.committees.len(), recorded.units.clone(), recorded.applications.len() <= 2),
        (1, vec![SELF_REVIEW_UNIT.to_owned()], true)
    );
    assert_eq!(app.post(&draw, p.province.as_str(), &json!({"seed": seed})).0, 409, "drawn once");

    // 3. Replayed: by the service, and here from the published seed and snapshot alone.
    let replay = expect(app.get(&format!("/api/province/inspections/{id}/replay"), p.province.as_str()), 200);
    assert_eq!(
        (replay["matches"].as_bool(), replay["commitment_matches"].as_bool(), replay["snapshot_matches"].as_bool()),
        (Some(true), Some(true), Some(true))
    );
    let snapshot: Vec<Target> = serde_json::from_value(replay["snapshot"].clone()).unwrap();
    assert_eq!(sample(seed, &snapshot, 50), recorded, "anyone replays the draw from the seed and the snapshot");
    let drawn_apps: BTreeSet<i64> = recorded.applications.iter().map(|a| a.parse().unwrap()).collect();
    if recorded.committees == [COMMITTEE] {
        assert_eq!(drawn_apps.len(), 2, "half of the drawn committee's three applications, rounded up");
        assert!(drawn_apps.iter().all(|a| apps.contains(a)));
    } else {
        assert!(drawn_apps.is_empty(), "the engineering committee has no application this year");
    }

    // Items: three aspects of the drawn committee, the university, each drawn application.
    let items = drawn["items"].as_array().unwrap().clone();
    let aspects: Vec<&str> = items.iter().map(|i| i["aspect"].as_str().unwrap()).collect();
    assert_eq!(&aspects[..4], ["policy_execution", "material_review", "judging", "self_evaluation"]);
    assert_eq!(items.len(), 4 + drawn_apps.len());
    let office = items[0]["office_org"].as_str().unwrap().to_owned();
    let (own, other) = if office == CMT_ORG {
        (p.cmt.clone(), app.token("op-eng", "工程办", Role::CommitteeOrg, OTHER_CMT_ORG))
    } else {
        assert_eq!(office, OTHER_CMT_ORG);
        (app.token("op-eng", "工程办", Role::CommitteeOrg, OTHER_CMT_ORG), p.cmt.clone())
    };

    // 4. A finding with a rectification request: 5 working days from Friday 09-27 are 09-29
    //    (the adjusted Sunday), 09-30, then 10-08 .. 10-10 after the National Day holiday.
    let item = items[0]["id"].as_i64().unwrap();
    let finding = format!("/api/province/inspections/{id}/items/{item}/finding");
    let body = json!({"result": "rectify", "finding": "评审会议记录不完整", "requirement": "补齐会议记录并说明", "working_days": 5});
    assert_eq!(app.post(&finding, own.as_str(), &body).0, 403, "the inspected office records no finding");
    let r = expect(app.post(&finding, p.province.as_str(), &body), 200);
    assert_eq!((r["status"].as_str(), r["deadline"].as_str()), (Some("rectifying"), Some("2024-10-10")));

    // 5. The office sees and answers its own items only.
    let mine = expect(app.get("/api/inspections/items?status=rectifying", own.as_str()), 200);
    assert_eq!(mine["total"], 1);
    assert_eq!(
        (mine["items"][0]["id"].as_i64(), mine["items"][0]["inspection_title"].as_str()),
        (Some(item), Some("2024年度职称评审巡查"))
    );
    let theirs = expect(app.get("/api/inspections/items", other.as_str()), 200);
    assert_eq!(theirs["total"], 0);
    let respond_to = format!("/api/inspections/items/{item}/response");
    let answer = json!({"response": "已补齐会议记录"});
    assert_eq!(app.post(&respond_to, other.as_str(), &answer).0, 404, "another office's item is a missing one");
    assert_eq!(app.post(&respond_to, p.province.as_str(), &answer).0, 403);
    assert_eq!(app.post(&respond_to, p.applicant.as_str(), &answer).0, 403);
    app.set_clock("2024-10-08T02:00:00Z");
    let r = expect(app.post(&respond_to, own.as_str(), &answer), 200);
    assert_eq!((r["status"].as_str(), r["response"].as_str()), (Some("responded"), Some("已补齐会议记录")));
    assert_eq!(app.post(&respond_to, own.as_str(), &answer).0, 409, "answered once per request");

    // 6. Asked again with a new deadline, answered, accepted.
    let decision = format!("/api/province/inspections/{id}/items/{item}/decision");
    let r = expect(
        app.post(
            &decision,
            p.province.as_str(),
            &json!({"accept": false, "opinion": "缺少评委签字页", "working_days": 3}),
        ),
        200,
    );
    assert_eq!((r["status"].as_str(), r["deadline"].as_str()), (Some("rectifying"), Some("2024-10-11")));
    expect(app.post(&respond_to, own.as_str(), &json!({"response": "已补签字页"})), 200);
    let r = expect(app.post(&decision, p.province.as_str(), &json!({"accept": true, "opinion": "整改到位"})), 200);
    assert_eq!(r["status"], "rectified");

    // 7. Closed only once every item is settled.
    let close = format!("/api/province/inspections/{id}/close");
    let c = app.post(&close, p.province.as_str(), &json!({"conclusion": "总体规范"}));
    assert_eq!((c.0, c.1["code"].as_str()), (409, Some("INVALID_STATE")), "{}", c.1);
    for it in &items[1..] {
        let f = format!("/api/province/inspections/{id}/items/{}/finding", it["id"]);
        expect(app.post(&f, p.province.as_str(), &json!({"result": "compliant", "finding": "未发现问题"})), 200);
    }
    let closed = expect(app.post(&close, p.province.as_str(), &json!({"conclusion": "总体规范，个别问题已整改"})), 200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(app.post(&respond_to, own.as_str(), &answer).0, 409, "a closed inspection takes nothing");

    // The dashboard list pages; everything is in the audit trail.
    let list = expect(app.get("/api/province/inspections?year=2024&page_size=1", p.province.as_str()), 200);
    assert_eq!((list["total"].as_i64(), list["items"][0]["id"].as_i64()), (Some(1), Some(id)));
    assert_eq!(app.get("/api/province/inspections", own.as_str()).0, 403);
    assert_eq!(audit_actions(app, "inspection"), ["create_inspection", "draw_inspection", "close_inspection"]);
    let item_actions = audit_actions(app, "inspection_item");
    assert_eq!(
        &item_actions[..5],
        ["request_rectification", "respond", "request_rectification", "respond", "accept_rectification"]
    );
    assert_eq!(item_actions.iter().filter(|a| *a == "find_compliant").count(), items.len() - 1);
}

#[test]
fn a_special_inspection_is_opened_from_a_complaint_and_answered_by_the_office_that_received_it() {
    let p = health_province();
    let a = submitted(&p, 1);
    p.app.set_clock("2024-09-24T02:00:00Z");
    expect(
        p.app.post(
            "/api/public/objections",
            None,
            &json!({"kind": "unit", "item": a, "content": "论文涉嫌抄袭", "contact_name": "王先生", "contact_phone": "13900000000"}),
        ),
        201,
    );
    let received = expect(p.app.get(&format!("/api/unit/applications/{a}/public-objections"), p.unit.as_str()), 200);
    let complaint = received[0]["id"].as_i64().or_else(|| received["items"][0]["id"].as_i64()).unwrap();
    let body =
        json!({"complaint_id": complaint, "title": "关于某医院申报材料的专项巡查", "reason": "群众投诉论文抄袭"});
    assert_eq!(p.app.post("/api/province/inspections/special", p.unit.as_str(), &body).0, 403);
    let missing = p.app.post(
        "/api/province/inspections/special",
        p.province.as_str(),
        &json!({"complaint_id": 999_999, "title": "x", "reason": "y"}),
    );
    assert_eq!((missing.0, missing.1["field"].as_str()), (400, Some("complaint_id")));
    let s = expect(p.app.post("/api/province/inspections/special", p.province.as_str(), &body), 201);
    assert_eq!(
        (s["kind"].as_str(), s["status"].as_str(), s["complaint_id"].as_i64()),
        (Some("special"), Some("open"), Some(complaint))
    );
    let item = &s["items"][0];
    assert_eq!(
        (item["target_ref"].as_str(), item["office_org"].as_str(), item["aspect"].as_str()),
        (Some(a.to_string().as_str()), Some(UNIT), Some("complaint"))
    );
    let id = s["id"].as_i64().unwrap();
    let iid = item["id"].as_i64().unwrap();
    expect(
        p.app.post(
            &format!("/api/province/inspections/{id}/items/{iid}/finding"),
            p.province.as_str(),
            &json!({"result": "rectify", "finding": "投诉属实", "requirement": "撤回推荐并说明", "working_days": 10}),
        ),
        200,
    );
    let r = expect(
        p.app.post(
            &format!("/api/inspections/items/{iid}/response"),
            p.unit.as_str(),
            &json!({"response": "已撤回推荐"}),
        ),
        200,
    );
    assert_eq!((r["status"].as_str(), r["inspection_kind"].as_str()), (Some("responded"), Some("special")));
    assert_eq!(p.app.get(&format!("/api/inspections/items/{iid}"), p.cmt.as_str()).0, 404);
    assert_eq!(audit_actions(&p.app, "inspection"), ["open_special_inspection"]);
}

// ---------------------------------------------------------------- the credit platform

/// A fake national credit platform on loopback, speaking `shared::credit`: it answers each
/// request with the next queued status (200 when none), keeps each record key once, and
/// remembers every delivery's idempotency key.
struct FakePlatform {
    port: u16,
    state: Arc<Mutex<PlatformState>>,
}

#[derive(Default)]
struct PlatformState {
    statuses: Vec<u16>,
    records: BTreeMap<String, Value>,
    /// (idempotency-key header, lower-cased by the reader; record_key of the body) of every
    /// request.
    deliveries: Vec<(String, String)>,
}

impl FakePlatform {
    fn start() -> FakePlatform {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(PlatformState::default()));
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some((key, body)) = read_request(&mut stream) else { continue };
                let record: Value = serde_json::from_slice(&body).unwrap();
                let rk = record["record_key"].as_str().unwrap_or_default().to_owned();
                let mut s = st.lock().unwrap();
                s.deliveries.push((key, rk.clone()));
                let status = if s.statuses.is_empty() { 200 } else { s.statuses.remove(0) };
                if status != 200 {
                    drop(s);
                    respond(&mut stream, &format!("{status} Unavailable"), b"{\"error\":\"busy\"}");
                    continue;
                }
                let answer = if s.records.contains_key(&rk) { "duplicate" } else { "accepted" };
                s.records.entry(rk.clone()).or_insert(record);
                drop(s);
                let a = json!({"record_key": rk, "status": answer, "receipt": format!("CREDIT-{rk}")});
                respond(&mut stream, "200 OK", a.to_string().as_bytes());
            }
        });
        FakePlatform { port, state }
    }

    fn answer_next(&self, statuses: &[u16]) {
        self.state.lock().unwrap().statuses = statuses.to_vec();
    }

    fn requests(&self) -> usize {
        self.state.lock().unwrap().deliveries.len()
    }
}

fn outbox(app: &TestApp, province: &str, query: &str) -> Value {
    expect(app.get(&format!("/api/credit/outbox?{query}"), province), 200)
}

#[test]
fn a_fraud_revocation_reaches_the_fake_credit_platform_exactly_once_across_failures_and_a_dead_letter_is_visible() {
    let fake = FakePlatform::start();
    let app = TestApp::builder(e2e::app_manifest())
        .var("credit_platform_origin", &format!("http://127.0.0.1:{}", fake.port))
        .var("credit_timeout_ms", "1500")
        .start()
        .unwrap();
    let (app, province) = import_province(app);
    app.set_clock("2024-11-01T02:00:00Z");
    let ids = import(
        &app,
        &province,
        vec![
            row("张三", "430102198503151236", "副高级", "2024-09-30"),
            row("李四", &citizen_id(1), "副高级", "2024-09-30"),
        ],
    );
    // A revocation without fraud is not a credit record; one for false materials is.
    expect(
        app.post(&format!("/api/certificates/{}/revoke", ids[0]), province.as_str(), &json!({"reason": "重复发证"})),
        200,
    );
    assert_eq!(outbox(&app, &province, "")["total"], 0);
    expect(
        app.post(
            &format!("/api/certificates/{}/revoke", ids[1]),
            province.as_str(),
            &json!({"reason": "论文造假", "fraud": true}),
        ),
        200,
    );
    let no = expect(app.get(&format!("/api/certificates/{}", ids[1]), province.as_str()), 200)["certificate_no"]
        .as_str()
        .unwrap()
        .to_owned();
    let o = outbox(&app, &province, "");
    assert_eq!((o["total"].as_i64(), o["counts"]["pending"].as_i64()), (Some(1), Some(1)));
    let key = format!("fraud_revocation:{no}");
    assert_eq!(
        (o["items"][0]["kind"].as_str(), o["items"][0]["record_key"].as_str()),
        (Some("fraud_revocation"), Some(key.as_str()))
    );

    // 1. The platform fails (500): the record waits for its backoff, then fails again.
    fake.answer_next(&[500, 500]);
    app.fire_cron("credit-report");
    let o = outbox(&app, &province, "");
    assert_eq!((o["items"][0]["status"].as_str(), o["items"][0]["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert!(o["items"][0]["last_error"].as_str().unwrap().contains("500"), "{o}");
    app.fire_cron("credit-report");
    assert_eq!(fake.requests(), 1, "not again before the backoff");
    app.advance_clock(61);
    app.fire_cron("credit-report");
    assert_eq!(fake.requests(), 2);
    // 2. Then it answers 200: acknowledged with the platform's receipt.
    app.advance_clock(121);
    app.fire_cron("credit-report");
    let o = outbox(&app, &province, "status=acknowledged");
    assert_eq!((o["total"].as_i64(), o["items"][0]["attempts"].as_i64()), (Some(1), Some(3)));
    assert_eq!(o["items"][0]["receipt"], format!("CREDIT-{key}"));
    app.advance_clock(6 * 3600);
    app.fire_cron("credit-report");
    assert_eq!(fake.requests(), 3, "an acknowledged record is never sent again");
    {
        let s = fake.state.lock().unwrap();
        assert!(
            s.deliveries.iter().all(|(h, rk)| h.eq_ignore_ascii_case(&key) && rk == &key),
            "every attempt carries the same key: {:?}",
            s.deliveries
        );
        assert_eq!(s.records.len(), 1, "held once");
        let r = &s.records[&key];
        assert_eq!(
            (r["schema"].as_str(), r["kind"].as_str(), r["certificate_no"].as_str()),
            (Some("zhicheng.credit-report/1"), Some("fraud_revocation"), Some(no.as_str()))
        );
        assert_eq!(
            (r["citizen_id"].as_str(), r["until_on"].as_str()),
            (Some(citizen_id(1).as_str()), Some("2027-10-31"))
        );
    }

    // 3. An integrity-file entry: the platform keeps failing; after 8 sends, the dead letter.
    expect(
        app.post(
            "/api/admin/blacklist",
            province.as_str(),
            &json!({"citizen_id": citizen_id(2), "name": "王五", "reason": "伪造学历证明"}),
        ),
        201,
    );
    fake.answer_next(&[503; 8]);
    for _ in 0..8 {
        app.fire_cron("credit-report");
        app.advance_clock(6 * 3600);
    }
    let dead = outbox(&app, &province, "status=failed");
    assert_eq!((dead["total"].as_i64(), dead["items"][0]["kind"].as_str()), (Some(1), Some("blacklist")));
    assert_eq!(dead["items"][0]["attempts"], 8);
    assert!(dead["items"][0]["last_error"].as_str().unwrap().starts_with("after 8 send(s)"), "{dead}");
    app.fire_cron("credit-report");
    assert_eq!(fake.requests(), 11, "a dead letter is not sent on schedule");
    let applicant = app.token("doc", "doc", Role::Applicant, "");
    assert_eq!(app.get("/api/credit/outbox", applicant.as_str()).0, 403);
    assert_eq!(app.post("/api/credit/report", applicant.as_str(), &json!({"all": true})).0, 403);
    // The province reports it again by hand: delivered once.
    let rid = dead["items"][0]["id"].as_i64().unwrap();
    let r = expect(app.post("/api/credit/report", province.as_str(), &json!({"record_ids": [rid]})), 200);
    assert_eq!((r["requeued"].as_i64(), r["run"]["acknowledged"].as_i64()), (Some(1), Some(1)));
    let s = fake.state.lock().unwrap();
    assert_eq!(s.records.len(), 2);
    assert_eq!(s.records.keys().filter(|k| k.starts_with("blacklist:")).count(), 1);
}

// ---------------------------------------------------------------- 七(四): outside approval

#[test]
fn results_of_a_committee_acting_outside_its_approval_are_not_filed() {
    let p = health_province();
    p.approve_quota(1);
    let ids = e2e::scenario::qualified_many(&p, 100, 1, 1);
    e2e::scenario::voted_passed(&p, &ids, "2024-09-30");
    p.app.set_clock("2024-10-08T01:00:00Z");
    let pid = expect(e2e::scenario::open_publicity(&p, "2024-09-30", "2024-10-08"), 201)["id"].as_i64().unwrap();
    p.app.set_clock("2024-10-15T01:00:00Z");
    p.app.fire_cron("publicity-timer");
    assert_eq!(p.state(ids[0]), "publicity_passed");
    // The province finds the committee is not a final authority for this (七(四)): its
    // approval is corrected to a non-final committee.
    for (code, name) in [("1002", "内科学"), ("1003", "外科学")] {
        let body = json!({"parent_code": "10", "code": code, "name": name});
        expect(p.app.post("/api/admin/specialties", p.province.as_str(), &body), 201);
    }
    let c = expect(p.app.get(&format!("/api/admin/committees/{COMMITTEE}"), p.province.as_str()), 200);
    let edit = json!({"name": c["name"], "series": "卫生", "max_level": "full_senior", "is_final": false,
        "valid_until": "2025-12-31", "organisers": [CMT_ORG], "specialties": ["内科学", "外科学"], "fees": [],
        "operator": {"name": "王五", "citizen_id": "11010519491231002X", "phone": "0731-84327000"}, "version": c["version"]});
    expect(p.app.put(&format!("/api/admin/committees/{COMMITTEE}"), p.province.as_str(), &edit), 200);
    let (s, e) = p.app.post("/api/results/filings", p.cmt.as_str(), &json!({"publicity_id": pid}));
    assert_eq!((s, e["code"].as_str()), (422, Some("COMMITTEE_OUTSIDE_APPROVAL")), "{e}");
    assert!(e["message"].as_str().unwrap().contains(COMMITTEE), "the refusal names the committee: {e}");
    assert_eq!(p.state(ids[0]), "publicity_passed", "nothing filed, nothing changed");
    let filings = expect(p.app.get("/api/results/filings", p.province.as_str()), 200);
    assert_eq!(filings["total"], 0);
}

//! The province-year workload (issue 14): a synthetic province — departments, formal-review
//! bureaus, committee offices and committees for three series, a few dozen employing units,
//! and `PROVINCE_N` applicants spread over series, levels, specialties and units the way a
//! real year is lopsided (a few large hospitals and institutes, many small units; four in
//! five declare 副高级) — pushed through every stage of the 2024 batch over HTTP on the
//! in-process host: drafts, material uploads, submission, unit review into publicity, the
//! publicity timer, recommendation, upper audit, formal review, recheck, plans and their
//! audit, the draw, online judging for a sample panel of each committee and offline results
//! for the rest, tallies, result publicity, filing, certificate jobs and the registry report
//! (to a stand-in registry on loopback). Each stage prints its time and rate; the whole too.
//!
//! `PROVINCE_N` (0 skips; `scripts/bench` sets it), `PROVINCE_UNITS` (default 36),
//! `PROVINCE_ONLINE` (participants judged online per committee, default 8), and the
//! benchmark's `BENCH_CLIENTS`. Every request must answer its expected status, or the stage
//! counts an error and the run fails.

use super::{drive, id_of, Call, Outcome, Stats};
use e2e::scenario::citizen_id;
use e2e::TestApp;
use serde_json::{json, Value};
use shared::auth::Role;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// One series of the synthetic province: its department, formal-review bureau, committee
/// office and committee, specialties, the two titles, and its share of applicants (percent).
struct Series {
    name: &'static str,
    key: &'static str,
    specialties: &'static [&'static str],
    deputy: (&'static str, &'static str),
    full: (&'static str, &'static str),
    share: u64,
}

const SERIES: [Series; 3] = [
    Series {
        name: "卫生",
        key: "HEALTH",
        specialties: &["内科学", "外科学", "儿科学", "护理学"],
        deputy: ("副主任医师", "232"),
        full: ("主任医师", "231"),
        share: 50,
    },
    Series {
        name: "工程",
        key: "ENG",
        specialties: &["土木工程", "机械工程", "电气工程"],
        deputy: ("高级工程师", "062"),
        full: ("正高级工程师", "061"),
        share: 35,
    },
    Series {
        name: "经济",
        key: "ECON",
        specialties: &["工商管理", "金融"],
        deputy: ("高级经济师", "122"),
        full: ("正高级经济师", "121"),
        share: 15,
    },
];

const YEAR: i32 = 2024;
const LEVELS: [&str; 2] = ["deputy_senior", "full_senior"];
const SEED: &str = "province-year-draw-seed";

/// A small deterministic generator (SplitMix64): the same province every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn dept(s: &Series) -> String {
    format!("ORG-PY-DEPT-{}", s.key)
}
fn bureau(s: &Series) -> String {
    format!("ORG-PY-FR-{}", s.key)
}
fn office(s: &Series) -> String {
    format!("ORG-PY-OFFICE-{}", s.key)
}
fn committee(s: &Series) -> String {
    format!("CMT-PY-{}", s.key)
}

/// One applicant of the synthetic year.
struct Person {
    n: u32,
    series: usize,
    unit: usize,
    full: bool,
    specialty: &'static str,
    token: String,
    id: i64,
}

fn form(p: &Person, unit: &str) -> Value {
    let s = &SERIES[p.series];
    let (level, current) = if p.full { ("full_senior", "deputy_senior") } else { ("deputy_senior", "intermediate") };
    json!({
        "citizen_id": citizen_id(p.n), "unit_org": unit, "series": s.name, "target_level": level,
        "specialty": p.specialty, "committee": committee(s),
        "current_title": {"series": s.name, "level": current, "obtained_on": "2018-12-01"},
        "assessments": (2019..=2023).map(|y| json!({"year": y, "result": "qualified"})).collect::<Vec<_>>(),
        "continuing_education_hours": 100, "grassroots_service_months": 12,
        "achievements": [{"kind": "paper", "title": "年度成果", "date": "2023-03-01"}]
    })
}

/// The body of a chunked message once its last (empty) chunk has arrived.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = rest.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..line]).ok()?.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        let data = rest.get(line + 2..line + 2 + size)?;
        body.extend_from_slice(data);
        rest = rest.get(line + 4 + size..)?;
    }
}

/// A stand-in for the national registry: accepts every record of every batch.
fn start_registry() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the registry stand-in");
    let origin = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = Vec::new();
                let mut tmp = [0u8; 65536];
                let body = loop {
                    let Ok(n) = stream.read(&mut tmp) else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4) else { continue };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    if head.contains("transfer-encoding: chunked") {
                        if let Some(body) = dechunk(&buf[end..]) {
                            break body;
                        }
                        continue;
                    }
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + len {
                        break buf[end..end + len].to_vec();
                    }
                };
                let batch: Value = serde_json::from_slice(&body).unwrap_or_default();
                let results: Vec<Value> = batch["records"]
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .map(|r| {
                                json!({"record_key": r["record_key"], "status": "accepted",
                                             "receipt": format!("MOHRSS-{}", r["record_key"].as_str().unwrap_or(""))})
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let out = json!({"batch_key": batch["batch_key"], "results": results}).to_string();
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{out}",
                    out.len()
                );
                let _ignored = stream.write_all(reply.as_bytes());
            });
        }
    });
    origin
}

/// The stages' rows and the failures seen.
struct Run<'a> {
    app: &'a TestApp,
    clients: usize,
    rows: Vec<Stats>,
    started: Instant,
}

impl Run<'_> {
    /// Sends `calls` with the benchmark's clients and records a row; every answer must be
    /// `expect`.
    fn stage(&mut self, what: &str, calls: &[Call<'_>], expect: u16) -> Vec<Outcome> {
        let (outcomes, wall) = drive(&self.app.base_url(), self.clients, calls);
        self.rows.push(Stats::new(what, self.clients, &outcomes, wall, expect));
        outcomes
    }

    /// A stage that is one host-side job (the timer, a report run): `n` items in `wall`.
    fn job(&mut self, what: &str, n: usize, wall: Duration, ok: bool) {
        self.rows.push(Stats {
            what: what.to_owned(),
            clients: 1,
            n,
            rps: n as f64 / wall.as_secs_f64(),
            p50: wall,
            p99: wall,
            errors: usize::from(!ok),
        });
    }

    fn post(&self, path: &str, token: &str, body: &Value) -> Value {
        let (status, v) = self.app.post(path, token, body);
        assert!(status == 200 || status == 201, "province-year setup: POST {path}: {status} {v}");
        v
    }
}

/// An upper designates its lower for a level's step, and the lower confirms it (annex 2
/// §1.6.2: an edge is used only once confirmed).
fn designate(run: &Run<'_>, upper: &str, lower: &str, lower_org: &str, level: &str, step: &str) {
    let edge = run.post("/api/chain/lowers", upper, &json!({"lower_org": lower_org, "level": level, "step": step}));
    if edge["confirmation"] == "pending" {
        let id = edge["id"].as_i64().unwrap_or(0);
        run.post(&format!("/api/chain/designations/{id}/confirm"), lower, &json!({}));
    }
}

fn call<'a>(path: String, token: &'a str, body: &Value) -> Call<'a> {
    Call { method: "POST", path, token: Some(token), body: Some(body.to_string().into_bytes()) }
}

fn count_state(app: &TestApp, state: &str) -> usize {
    app.db()
        .query_row("SELECT COUNT(*) FROM applications WHERE state = ?1", [state], |r| r.get::<_, i64>(0))
        .unwrap_or(0) as usize
}

/// Runs the province-year workload with `n` applicants; returns its rows.
pub fn run(n: usize, clients: usize) -> Vec<Stats> {
    let units = super::env_usize("PROVINCE_UNITS", 36).max(SERIES.len());
    let online = super::env_usize("PROVINCE_ONLINE", 8);
    let registry = start_registry();
    let app =
        TestApp::builder(e2e::app_manifest()).var("mohrss_registry_origin", &registry).start().expect("start the host");
    let mut run = Run { app: &app, clients, rows: Vec::new(), started: Instant::now() };
    let province = app.token("op-prov", "省人社厅", Role::Province, "ORG-PROVINCE");
    let tok = |org: &str, role| app.token(&format!("op-{org}"), &format!("{org}经办人"), role, org);

    // ---------------------------------------------------------------- the province
    let setup = Instant::now();
    app.set_clock("2024-08-01T02:00:00Z");
    let mut rng = Rng(20_240_801);
    // Units: each of a series drawn by the series' share; sizes fall off with rank
    // (weight 1/(rank+1)), so every series has large and small units.
    let unit_series: Vec<usize> = (0..units)
        .map(|u| {
            if u < SERIES.len() {
                return u;
            }
            let mut x = rng.below(100);
            SERIES
                .iter()
                .position(|s| {
                    let hit = x < s.share;
                    x = x.saturating_sub(s.share);
                    hit
                })
                .unwrap_or(0)
        })
        .collect();
    let unit_id = |u: usize| format!("ORG-PY-UNIT-{u:03}");
    let mut orgs: Vec<(String, &str, String)> = Vec::new();
    for s in &SERIES {
        orgs.push((dept(s), "dept", format!("省{}主管部门", s.name)));
        orgs.push((bureau(s), "city_hr", format!("{}系列形式审查人社局", s.name)));
        orgs.push((office(s), "committee_org", format!("{}高评会办公室", s.name)));
    }
    for (u, s) in unit_series.iter().enumerate() {
        orgs.push((unit_id(u), "unit", format!("{}单位{u:03}", SERIES[*s].name)));
    }
    for (id, kind, name) in &orgs {
        run.post(
            "/api/province/organisations",
            &province,
            &json!({"id": id, "kind": kind, "name": name, "region_code": "430100", "public_institution": kind == &"unit"}),
        );
    }
    for s in &SERIES {
        run.post(
            "/api/province/committees",
            &province,
            &json!({"id": committee(s), "name": format!("湖南省{}系列高级职称评审委员会", s.name),
                    "organising_org": office(s), "series": s.name, "max_level": "full_senior",
                    "valid_until": "2025-12-31", "specialties": s.specialties}),
        );
        for (name, code, level) in [(s.deputy.0, s.deputy.1, "副高级"), (s.full.0, s.full.1, "正高级")] {
            run.post(
                "/api/admin/titles",
                &province,
                &json!({"series": s.name, "name": name, "level": level, "mohrss_title": name, "mohrss_code": code}),
            );
        }
        for level in LEVELS {
            designate(&run, &tok(&bureau(s), Role::Dept), &tok(&dept(s), Role::Dept), &dept(s), level, "formal_review");
            designate(
                &run,
                &tok(&office(s), Role::CommitteeOrg),
                &tok(&bureau(s), Role::Dept),
                &bureau(s),
                level,
                "audit",
            );
        }
        for e in 0..9 {
            run.post(
                "/api/evaluation/experts",
                &province,
                &json!({"id": format!("EXP-PY-{}-{e}", s.key), "name": format!("{}专家{e}", s.name),
                        "citizen_id": citizen_id(900_000 + e), "specialty": s.specialties[0],
                        "org": format!("ORG-PY-EXPERT-HOME-{e}"), "title": s.full.0}),
            );
        }
    }
    for (u, s) in unit_series.iter().enumerate() {
        for level in LEVELS {
            let (upper, lower) = (tok(&dept(&SERIES[*s]), Role::Dept), tok(&unit_id(u), Role::Unit));
            designate(&run, &upper, &lower, &unit_id(u), level, "audit");
        }
    }
    run.post("/api/certificates/issuing-units", &province, &json!({"org_id": "ORG-PROVINCE"}));

    // Applicants: a unit by rank-weighted choice (1/(rank+1)), its series, a level and a
    // specialty of the series.
    let weights: Vec<f64> = (0..units).map(|u| 1.0 / (u as f64 + 1.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut people: Vec<Person> = (0..n as u32)
        .map(|i| {
            let mut x = (rng.below(1_000_000) as f64 / 1_000_000.0) * total;
            let unit = weights
                .iter()
                .position(|w| {
                    x -= w;
                    x < 0.0
                })
                .unwrap_or(units - 1);
            let series = unit_series[unit];
            let specialty = SERIES[series].specialties[rng.below(SERIES[series].specialties.len() as u64) as usize];
            let num = 10_000 + i;
            Person {
                n: num,
                series,
                unit,
                full: rng.below(5) == 0,
                specialty,
                token: app.token(&format!("py-{num}"), &format!("申报人{num}"), Role::Applicant, ""),
                id: 0,
            }
        })
        .collect();
    // Quotas (the double control): each unit declares what its applicants need, its
    // department approves.
    for u in 0..units {
        let s = &SERIES[unit_series[u]];
        for (li, level) in LEVELS.iter().enumerate() {
            let need = people.iter().filter(|p| p.unit == u && usize::from(p.full) == li).count();
            if need == 0 {
                continue;
            }
            let q = run.post(
                "/api/quotas",
                &tok(&unit_id(u), Role::Unit),
                &json!({"batch_year": YEAR, "series": s.name, "level": level, "vacant_posts": need + 1, "requested": need}),
            );
            let qid = q["id"].as_i64().unwrap_or(0);
            run.post(&format!("/api/quotas/{qid}/audit"), &tok(&dept(s), Role::Dept), &json!({"approve": true}));
        }
    }
    let by_series: Vec<usize> = (0..SERIES.len()).map(|s| people.iter().filter(|p| p.series == s).count()).collect();
    let full = people.iter().filter(|p| p.full).count();
    let largest = (0..units).map(|u| people.iter().filter(|p| p.unit == u).count()).max().unwrap_or(0);
    eprintln!(
        "province-year: {n} applicants in {units} units (largest {largest}), series {:?} = {by_series:?}, \
         正高级 {full}; {} organisations, {} committees set up in {:.1}s",
        SERIES.iter().map(|s| s.name).collect::<Vec<_>>(),
        orgs.len() + 1,
        SERIES.len(),
        setup.elapsed().as_secs_f64()
    );
    run.job("setup (organisations, committees, paths, quotas)", orgs.len(), setup.elapsed(), true);

    // ---------------------------------------------------------------- declarations
    app.set_clock("2024-09-20T02:00:00Z");
    let drafts: Vec<Call<'_>> = people
        .iter()
        .map(|p| {
            call("/api/applications".into(), &p.token, &json!({"batch_year": YEAR, "form": form(p, &unit_id(p.unit))}))
        })
        .collect();
    let o = run.stage("drafts", &drafts, 201);
    for (p, o) in people.iter_mut().zip(&o) {
        p.id = id_of(o);
    }
    let pdf = |label: &str| format!("%PDF-1.4\n% {label}\n%%EOF\n").into_bytes();
    let uploads: Vec<Call<'_>> = people
        .iter()
        .flat_map(|p| {
            ["evaluation_form", "degree"].map(|kind| Call {
                method: "POST",
                path: format!("/api/applications/{}/materials?kind={kind}&filename={kind}.pdf", p.id),
                token: Some(p.token.as_str()),
                body: Some(pdf(kind)),
            })
        })
        .collect();
    run.stage("material uploads (2 each)", &uploads, 201);
    let submits: Vec<Call<'_>> = people
        .iter()
        .map(|p| call(format!("/api/applications/{}/submit", p.id), &p.token, &e2e::submit_body()))
        .collect();
    run.stage("submit", &submits, 200);

    // ---------------------------------------------------------------- the audit chain
    let unit_tokens: Vec<String> = (0..units).map(|u| tok(&unit_id(u), Role::Unit)).collect();
    let approve =
        json!({"publicity_start": "2024-09-23", "complaint_office": "单位人事处", "complaint_phone": "0731-84327000"});
    let approvals: Vec<Call<'_>> = people
        .iter()
        .map(|p| call(format!("/api/unit/applications/{}/approve", p.id), &unit_tokens[p.unit], &approve))
        .collect();
    run.stage("unit review into publicity", &approvals, 200);
    app.set_clock("2024-09-30T02:00:00Z");
    let t = Instant::now();
    app.fire_cron("publicity-timer");
    let moved = count_state(&app, "recommendable");
    run.job("publicity timer (closes every unit's publicity)", moved, t.elapsed(), moved == n);
    let recommends: Vec<Call<'_>> = people
        .iter()
        .map(|p| call(format!("/api/unit/applications/{}/recommend", p.id), &unit_tokens[p.unit], &json!({})))
        .collect();
    run.stage("unit recommendation", &recommends, 200);
    let step_tokens = |f: fn(&Series) -> String, role| SERIES.iter().map(|s| tok(&f(s), role)).collect::<Vec<_>>();
    let (depts, bureaus, offices) =
        (step_tokens(dept, Role::Dept), step_tokens(bureau, Role::Dept), step_tokens(office, Role::CommitteeOrg));
    for (what, tokens, op, body) in [
        ("upper audit (department)", &depts, "approve", json!({"opinion": "同意上报"})),
        ("formal review (HR bureau)", &bureaus, "approve", json!({"opinion": "形式审查通过"})),
        ("recheck (committee office)", &offices, "recheck", json!({"pass": true})),
    ] {
        let calls: Vec<Call<'_>> = people
            .iter()
            .map(|p| call(format!("/api/chain/applications/{}/{op}", p.id), &tokens[p.series], &body))
            .collect();
        run.stage(what, &calls, 200);
    }

    // ---------------------------------------------------------------- evaluation
    // Per committee: one plan judged online (a sample of the first specialty, judges drawn
    // the day before) and offline plans of at most 1,000 for the rest (results entered).
    app.set_clock("2024-10-08T02:00:00Z");
    let commitment = {
        use sha2::Digest;
        sha2::Sha256::digest(SEED.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let t = Instant::now();
    let mut online_plans: Vec<(usize, i64, Vec<i64>)> = Vec::new();
    let mut offline_plans: Vec<(usize, i64, Vec<i64>)> = Vec::new();
    for (si, s) in SERIES.iter().enumerate() {
        let mine: Vec<&Person> = people.iter().filter(|p| p.series == si).collect();
        let judged: Vec<i64> =
            mine.iter().filter(|p| p.specialty == s.specialties[0]).take(online).map(|p| p.id).collect();
        let rest: Vec<i64> = mine.iter().map(|p| p.id).filter(|id| !judged.contains(id)).collect();
        let plan = |body: Value| -> i64 {
            let id = run.post("/api/evaluation/plans", &offices[si], &body)["id"].as_i64().unwrap_or(0);
            run.post(&format!("/api/evaluation/plans/{id}/submit"), &offices[si], &json!({}));
            run.post(
                &format!("/api/evaluation/plans/{id}/audit"),
                &province,
                &json!({"approve": true, "opinion": "同意"}),
            );
            id
        };
        if !judged.is_empty() {
            let id = plan(json!({
                "committee": committee(s), "batch_year": YEAR, "review_start": "2024-11-04", "judging_end": "2024-11-08",
                "place": "长沙市评审中心", "pass_rate_limit_percent": 100,
                "scoring_rules": [{"item": "业绩成果", "weight": 60}, {"item": "能力水平", "weight": 40}],
                "expert_needs": [{"specialty": s.specialties[0], "count": 5}],
                "participants": judged, "seed_commitment": commitment}));
            online_plans.push((si, id, judged));
        }
        for chunk in rest.chunks(1000) {
            let id = plan(json!({
                "committee": committee(s), "batch_year": YEAR, "offline": true, "review_start": "2024-11-05",
                "judging_end": "2024-11-05", "place": "线下评审会场", "participants": chunk,
                "pass_rate_limit_percent": 100}));
            offline_plans.push((si, id, chunk.to_vec()));
        }
    }
    let plans = online_plans.len() + offline_plans.len();
    run.job("plans filed and audited", plans, t.elapsed(), true);

    app.set_clock("2024-11-03T02:00:00Z");
    let t = Instant::now();
    let mut panels: Vec<Vec<String>> = Vec::new();
    for (si, plan, _) in &online_plans {
        let rec = run.post(
            &format!("/api/evaluation/plans/{plan}/draw"),
            &offices[*si],
            &json!({"seed": SEED, "supervisor": "纪检监察 监督员"}),
        );
        panels.push(
            rec["panel"][0]
                .as_array()
                .map_or(Vec::new(), |a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()),
        );
    }
    run.job("draws (seed revealed, panel drawn)", panels.iter().map(Vec::len).sum(), t.elapsed(), true);

    app.set_clock("2024-11-04T02:00:00Z");
    let judge_tokens: Vec<Vec<String>> =
        panels.iter().map(|p| p.iter().map(|e| app.token(e, e, Role::Judge, "")).collect()).collect();
    let mut judging: Vec<Call<'_>> = Vec::new();
    for ((_, plan, ids), judges) in online_plans.iter().zip(&judge_tokens) {
        for (k, id) in ids.iter().enumerate() {
            let agree = k % 5 != 4;
            for judge in judges {
                let at = format!("/api/judging/plans/{plan}/participants/{id}");
                for body in [
                    json!({"kind": "material_review", "pass": true}),
                    json!({"kind": "material_score", "scores": {"业绩成果": 85, "能力水平": 82}}),
                    json!({"kind": "interview_score", "score": 84}),
                    json!({"kind": "vote", "choice": if agree { "agree" } else { "disagree" }}),
                    json!({"kind": "opinion", "text": "评审意见"}),
                ] {
                    judging.push(call(at.clone(), judge, &body));
                }
            }
        }
    }
    run.stage("online judging (review, scores, vote, opinion)", &judging, 200);
    let t = Instant::now();
    for (si, plan, _) in &online_plans {
        run.post(&format!("/api/evaluation/plans/{plan}/tally"), &offices[*si], &json!({}));
    }
    run.job("tallies of the online plans", online_plans.iter().map(|p| p.2.len()).sum(), t.elapsed(), true);
    app.set_clock("2024-11-05T10:00:00Z");
    let results: Vec<(usize, i64, Value)> = offline_plans
        .iter()
        .map(|(si, plan, ids)| {
            let rows: Vec<Value> = ids
                .iter()
                .enumerate()
                .map(|(k, id)| {
                    let agree = if k % 5 == 4 { 4 } else { 9 };
                    json!({"application_id": id, "agree": agree, "disagree": 9 - agree, "present": 9})
                })
                .collect();
            (*si, *plan, json!({"voted_on": "2024-11-05", "results": rows}))
        })
        .collect();
    let calls: Vec<Call<'_>> = results
        .iter()
        .map(|(si, plan, body)| call(format!("/api/evaluation/plans/{plan}/offline-results"), &offices[*si], body))
        .collect();
    run.stage("offline results entered (one request per plan)", &calls, 200);
    let passed = count_state(&app, "passed");

    // ---------------------------------------------------------------- results to certificates
    app.set_clock("2024-11-06T01:00:00Z");
    let t = Instant::now();
    let mut publicities: Vec<(usize, i64)> = Vec::new();
    for (si, s) in SERIES.iter().enumerate() {
        let sessions = app.get("/api/results/sessions", offices[si].as_str()).1;
        for session in sessions["awaiting_publicity"].as_array().cloned().unwrap_or_default() {
            let p = run.post(
                "/api/results/publicities",
                &offices[si],
                &json!({"committee": committee(s), "voted_on": session["voted_on"], "plan_id": session["plan_id"],
                        "start_on": "2024-11-06", "complaint_office": format!("{}高评会办公室", s.name),
                        "complaint_phone": "0731-84000000"}),
            );
            publicities.push((si, p["id"].as_i64().unwrap_or(0)));
        }
    }
    run.job("result publicities opened", publicities.len(), t.elapsed(), !publicities.is_empty());
    app.set_clock("2024-11-20T01:00:00Z");
    let t = Instant::now();
    app.fire_cron("publicity-timer");
    let mut docs: Vec<String> = Vec::new();
    for (k, (si, publicity)) in publicities.iter().enumerate() {
        let f = run.post("/api/results/filings", &offices[*si], &json!({"publicity_id": publicity}));
        let doc = format!("湘人社职备〔{YEAR}〕{}号", 100 + k);
        run.post(
            &format!("/api/results/filings/{}/audit", f["id"].as_i64().unwrap_or(0)),
            &province,
            &json!({"approve": true, "doc_no": doc, "filed_on": "2024-11-20", "opinion": "同意备案"}),
        );
        docs.push(doc);
    }
    run.job("publicities closed, filings requested and audited", docs.len(), t.elapsed(), true);

    app.set_clock("2024-11-25T02:00:00Z");
    let jobs: Vec<Call<'_>> = docs
        .iter()
        .map(|d| call("/api/certificates/jobs".into(), &province, &json!({"doc_no": d, "run": true})))
        .collect();
    let t = Instant::now();
    let o = drive(&app.base_url(), 1, &jobs).0;
    let issued: i64 = o
        .iter()
        .map(|o| serde_json::from_slice::<Value>(&o.body).ok().and_then(|v| v["issued"].as_i64()).unwrap_or(0))
        .sum();
    let ok = o.iter().all(|o| o.status == 201 || o.status == 200) && issued as usize == passed;
    if !ok {
        eprintln!("province-year: certificates issued {issued}, passers {passed}");
    }
    run.job("certificates issued (number, SM2 seal, outbox)", issued as usize, t.elapsed(), ok);
    let t = Instant::now();
    let pending = |app: &TestApp| {
        app.db()
            .query_row("SELECT COUNT(*) FROM mohrss_outbox WHERE status <> 'acknowledged'", [], |r| r.get::<_, i64>(0))
            .unwrap_or(-1)
    };
    let mut rounds = 0;
    while pending(&app) > 0 && rounds < 1000 {
        app.fire_cron("mohrss-report");
        rounds += 1;
    }
    let acknowledged = app
        .db()
        .query_row("SELECT COUNT(*) FROM mohrss_outbox WHERE status = 'acknowledged'", [], |r| r.get::<_, i64>(0))
        .unwrap_or(0);
    run.job(
        &format!("registry report ({rounds} cron runs)"),
        acknowledged as usize,
        t.elapsed(),
        pending(&app) == 0 && acknowledged == issued,
    );
    let certified = count_state(&app, "certified");
    eprintln!(
        "province-year: {passed} passed of {n}; {certified} certified and reported; whole year {:.1}s",
        run.started.elapsed().as_secs_f64()
    );
    let whole = run.started.elapsed();
    run.job("the whole year (applicants per second)", n, whole, certified == passed && passed > 0);
    run.rows
}

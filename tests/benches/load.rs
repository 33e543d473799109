//! Load benchmark (not a test): the built components on an in-process `zhicheng-host`,
//! loaded over loopback by concurrent keep-alive clients, against the same submit and
//! approve logic run natively over rusqlite in the same run. The host at 1 client and the
//! native run alternate every 10 requests, on databases of the same size, so drifting
//! machine load (and fsync latency, which dominates writes here) weighs on both sides of a
//! ratio alike.
//!
//! Run it with `scripts/bench` (builds the wasm, sends the host's access log to a file and
//! adds an external load generator's figures for the trivial route). Directly:
//! `cargo bench -p e2e --bench load 2>host.log`. `BENCH_N` (default 2000): drafts per
//! side and health requests per phase; `BENCH_CLIENTS` (default 8): concurrent clients;
//! `BENCH_OHA_JSON`: a file of `oha --output-format json` output to show in the table.
//!
//! Every figure is valid only with 0 errors: each request must answer its expected status.

use e2e::{repo_root, TestApp, DEV_SECRET, FAR_FUTURE_EXP};
use serde_json::{json, Value};
use shared::api::{self, Env, Request, Response};
use shared::auth::{mint, Claims, Role};
use shared::store::native::{apply_migrations_dir, NativeDb};
use shared::store::Db;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const UNIT: &str = "ORG-CSU-HOSPITAL";
/// 2024-09-20 10:00 in Asia/Shanghai: the 2024 batch is open.
const NOW: &str = "2024-09-20T02:00:00Z";

/// The eligible engineer of `tests/tests/applications.rs`.
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

fn create_body() -> Vec<u8> {
    json!({"batch_year": 2024, "form": eligible_form()}).to_string().into_bytes()
}

fn approve_body() -> Vec<u8> {
    let body = json!({"publicity_start": "2024-09-30", "complaint_office": "医院人事处",
                      "complaint_phone": "0731-84327000", "opinion": "材料真实完整，同意公示"});
    body.to_string().into_bytes()
}

fn token(sub: &str, role: Role, org: &str) -> String {
    let claims = Claims {
        sub: sub.into(),
        name: format!("{sub}名"),
        role,
        org: org.into(),
        exp: FAR_FUTURE_EXP,
        sid: None,
        op: None,
    };
    mint(DEV_SECRET.as_bytes(), &claims)
}

/// One request of a phase.
struct Call<'a> {
    method: &'static str,
    path: String,
    token: Option<&'a str>,
    body: Option<Vec<u8>>,
}

/// What one request got: status (0 = transport error), latency, body.
struct Outcome {
    status: u16,
    latency: Duration,
    body: Vec<u8>,
}

/// One line of the result table.
struct Stats {
    what: String,
    clients: usize,
    n: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

impl Stats {
    fn new(what: &str, clients: usize, outcomes: &[Outcome], wall: Duration, expect: u16) -> Stats {
        let mut lat: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
        lat.sort();
        // Nearest-rank percentile.
        let pct = |p: usize| lat.get((lat.len() * p).div_ceil(100).saturating_sub(1)).copied().unwrap_or_default();
        if let Some(bad) = outcomes.iter().find(|o| o.status != expect) {
            eprintln!("{what}: expected {expect}, got {}: {}", bad.status, String::from_utf8_lossy(&bad.body));
        }
        Stats {
            what: what.to_owned(),
            clients,
            n: outcomes.len(),
            rps: outcomes.len() as f64 / wall.as_secs_f64(),
            p50: pct(50),
            p99: pct(99),
            errors: outcomes.iter().filter(|o| o.status != expect).count(),
        }
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn send(agent: &ureq::Agent, base: &str, call: &Call<'_>) -> Outcome {
    let mut req = ureq::http::Request::builder().method(call.method).uri(format!("{base}{}", call.path));
    if let Some(t) = call.token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let started = Instant::now();
    let result = match &call.body {
        Some(b) => agent.run(req.header("content-type", "application/json").body(b.clone()).expect("valid request")),
        None => agent.run(req.body(()).expect("valid request")),
    };
    let (status, body) = match result {
        Ok(mut resp) => (resp.status().as_u16(), resp.body_mut().read_to_vec().unwrap_or_default()),
        Err(e) => (0, e.to_string().into_bytes()),
    };
    Outcome { status, latency: started.elapsed(), body }
}

/// Runs `calls` with `clients` threads, each on its own keep-alive connection, taking the
/// next call as it finishes one. Outcomes are in call order; the wall time is the phase's.
fn drive(base: &str, clients: usize, calls: &[Call<'_>]) -> (Vec<Outcome>, Duration) {
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(calls.len()));
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                let agent = agent();
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(call) = calls.get(i) else { break };
                    mine.push((i, send(&agent, base, call)));
                }
                done.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
            });
        }
    });
    let wall = started.elapsed();
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    (done.into_iter().map(|(_, o)| o).collect(), wall)
}

fn id_of(o: &Outcome) -> i64 {
    serde_json::from_slice::<Value>(&o.body).ok().and_then(|v| v["id"].as_i64()).unwrap_or(0)
}

/// The benchmark drafts carry no uploads: the materials catalogue (一) is emptied on both
/// sides, so submit still runs its catalogue and materials look-ups but finds nothing missing.
const WITHOUT_MATERIAL_CATALOGUE: &str = "DELETE FROM required_materials";

fn submit_call(id: i64, applicant: &str) -> Call<'_> {
    Call {
        method: "POST",
        path: format!("/api/applications/{id}/submit"),
        token: Some(applicant),
        body: Some(e2e::submit_body().to_string().into_bytes()),
    }
}

fn approve_call(id: i64, unit: &str) -> Call<'_> {
    Call {
        method: "POST",
        path: format!("/api/unit/applications/{id}/approve"),
        token: Some(unit),
        body: Some(approve_body()),
    }
}

/// The same logic natively: the API router the component calls, on one rusqlite
/// connection to a WAL file opened as the host opens its connections, single-threaded and
/// sequential.
struct Native {
    db: NativeDb,
    env: Env,
    _dir: tempfile::TempDir,
}

impl Native {
    fn new() -> Native {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = NativeDb::open_file(&dir.path().join("native.db")).expect("open native db");
        apply_migrations_dir(&db, &repo_root().join("migrations")).expect("migrations");
        db.execute_batch(WITHOUT_MATERIAL_CATALOGUE).expect("catalogue emptied");
        let now = NOW.parse().expect("NOW");
        Native {
            db,
            env: Env {
                auth_secret: DEV_SECRET.as_bytes().to_vec(),
                now,
                max_upload_bytes: 10 << 20,
                federation_issuers: String::new(),
                public_origin: "http://127.0.0.1:3000".into(),
            },
            _dir: dir,
        }
    }

    fn run(&self, calls: &[Call<'_>]) -> (Vec<Outcome>, Duration) {
        type Router = fn(&Request, &dyn Db, &Env) -> Response;
        let started = Instant::now();
        let outcomes = calls
            .iter()
            .map(|c| {
                let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
                headers.extend(c.token.map(|t| ("authorization".to_owned(), format!("Bearer {t}"))));
                let (method, path, body) = (c.method.to_owned(), c.path.clone(), c.body.clone().unwrap_or_default());
                let req = Request { method, path, query: String::new(), headers, body };
                let router: Router =
                    if c.path.starts_with("/api/unit/") { api::unit::handle } else { api::applicant::handle };
                let t = Instant::now();
                let r = router(&req, &self.db, &self.env);
                Outcome { status: r.status, latency: t.elapsed(), body: r.body }
            })
            .collect();
        (outcomes, started.elapsed())
    }
}

fn accumulate(into: &mut (Vec<Outcome>, Duration), (outcomes, wall): (Vec<Outcome>, Duration)) {
    into.0.extend(outcomes);
    into.1 += wall;
}

/// Every phase, in order; returns the table's rows and the ratio lines.
fn phases(n: usize, clients: usize) -> (Vec<Stats>, Vec<String>) {
    let app = TestApp::start();
    app.set_clock(NOW);
    rusqlite::Connection::open(app.db_path())
        .and_then(|c| c.execute(WITHOUT_MATERIAL_CATALOGUE, []))
        .expect("catalogue emptied");
    let base = app.base_url();
    let native = Native::new();
    let (applicant, unit) = (token("bench-applicant", Role::Applicant, ""), token("bench-hr", Role::Unit, UNIT));
    let (mut rows, mut ratios) = (Vec::new(), Vec::new());

    let health: Vec<_> =
        (0..n).map(|_| Call { method: "GET", path: "/api/health".into(), token: None, body: None }).collect();
    drive(&base, clients, &health[..n.min(200)]); // warm-up
    for c in [1, clients] {
        let (o, wall) = drive(&base, c, &health);
        rows.push(Stats::new("host GET /api/health", c, &o, wall, 200));
    }

    // Setup: N drafts on each side, all of one applicant, all eligible.
    let creates: Vec<_> = (0..n)
        .map(|_| Call {
            method: "POST",
            path: "/api/applications".into(),
            token: Some(&applicant),
            body: Some(create_body()),
        })
        .collect();
    let (o, wall) = drive(&base, clients, &creates);
    rows.push(Stats::new("host create draft (setup)", clients, &o, wall, 201));
    let ids: Vec<i64> = o.iter().map(id_of).filter(|id| *id > 0).collect();
    let (o, wall) = native.run(&creates);
    rows.push(Stats::new("native create draft (setup)", 1, &o, wall, 201));
    let native_ids: Vec<i64> = o.iter().map(id_of).collect();

    // A quarter of the drafts at 1 client, in chunks of CHUNK alternating with the native run
    // on as many of its own (same database size, same positions); then the rest at C.
    const CHUNK: usize = 10;
    let (solo, many) = ids.split_at(ids.len() / 4);
    let native_ids = &native_ids[..solo.len().min(native_ids.len())];
    type MakeCall<'a> = &'a dyn Fn(i64) -> Call<'a>;
    let ops: [(&str, MakeCall<'_>); 2] =
        [("submit", &|id| submit_call(id, &applicant)), ("approve", &|id| approve_call(id, &unit))];
    for (op, make) in ops {
        let calls = |ids: &[i64]| ids.iter().map(|id| make(*id)).collect::<Vec<_>>();
        let (mut host1, mut nat) = ((Vec::new(), Duration::ZERO), (Vec::new(), Duration::ZERO));
        for (h, n) in solo.chunks(CHUNK).zip(native_ids.chunks(CHUNK)) {
            accumulate(&mut host1, drive(&base, 1, &calls(h)));
            accumulate(&mut nat, native.run(&calls(n)));
        }
        let host1 = Stats::new(&format!("host {op}"), 1, &host1.0, host1.1, 200);
        let nat = Stats::new(&format!("native {op}"), 1, &nat.0, nat.1, 200);
        let (o, wall) = drive(&base, clients, &calls(many));
        let host_c = Stats::new(&format!("host {op}"), clients, &o, wall, 200);
        ratios.push(format!(
            "{op}: host/native p50 {:.1}× (1 client); native/host req/s {:.1}× (1 client), {:.1}× ({clients} clients)",
            ms(host1.p50) / ms(nat.p50),
            nat.rps / host1.rps,
            nat.rps / host_c.rps
        ));
        rows.extend([host1, nat, host_c]);
    }
    (rows, ratios)
}

/// The external load generator's figures for `GET /api/health`, if `BENCH_OHA_JSON` names them.
fn oha_row(clients: usize) -> Option<Stats> {
    let path = std::env::var("BENCH_OHA_JSON").ok()?;
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?).ok()?;
    let secs = |x: &Value| Duration::from_secs_f64(x.as_f64().unwrap_or(0.0));
    let codes = v["statusCodeDistribution"].as_object()?;
    let n: u64 = codes.values().filter_map(Value::as_u64).sum();
    let ok = codes.get("200").and_then(Value::as_u64).unwrap_or(0);
    let failed: u64 = v["errorDistribution"].as_object().map_or(0, |e| e.values().filter_map(Value::as_u64).sum());
    Some(Stats {
        what: "oha → zhicheng-host up, /api/health".into(),
        clients,
        n: (n + failed) as usize,
        rps: v["summary"]["requestsPerSec"].as_f64()?,
        p50: secs(&v["latencyPercentiles"]["p50"]),
        p99: secs(&v["latencyPercentiles"]["p99"]),
        errors: (n - ok + failed) as usize,
    })
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The 1-minute load average, to judge how noisy the run was.
fn loadavg() -> String {
    let s = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    s.split_whitespace().next().unwrap_or("?").to_owned()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("load: a benchmark; run it with scripts/bench or cargo bench (skipped)");
        return;
    }
    let (n, clients) = (env_usize("BENCH_N", 2000).max(8), env_usize("BENCH_CLIENTS", 8).max(1));
    let (started, load_before) = (Instant::now(), loadavg());
    let mut rows: Vec<Stats> = oha_row(clients).into_iter().collect();
    let (host_rows, ratios) = phases(n, clients);
    rows.extend(host_rows);

    println!("\nload benchmark, N={n}: submit and approve on N/4 at 1 client, alternating with N/4 native, then 3N/4");
    println!("{:<38} {:>3} {:>6} {:>9} {:>9} {:>9} {:>6}", "what", "C", "n", "req/s", "p50 ms", "p99 ms", "errors");
    for r in &rows {
        let (p50, p99) = (ms(r.p50), ms(r.p99));
        println!("{:<38} {:>3} {:>6} {:>9.1} {p50:>9.2} {p99:>9.2} {:>6}", r.what, r.clients, r.n, r.rps, r.errors);
    }
    for line in ratios {
        println!("{line}");
    }
    println!("total {:.1}s; load average before {load_before}, after {}", started.elapsed().as_secs_f64(), loadavg());
    if rows.iter().any(|r| r.errors > 0) {
        eprintln!("load: some requests failed; the figures above are not valid");
        std::process::exit(1);
    }
}

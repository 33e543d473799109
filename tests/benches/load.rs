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
//! `BENCH_OHA_JSON`: a file of `oha --output-format json` output to show in the table;
//! `BENCH_CERTS` (default 500, 0 skips): filed passers one certificate generation job
//! issues for, on the host and natively on a copy of the same database, run by
//! `BENCH_RUNNERS` (default 2) concurrent runners on each side. `BENCH_N=0` skips
//! those phases. `PROVINCE_N` (default 0 here, 5000 in `scripts/bench`): the province-year
//! workload of `load/province_year.rs`.
//!
//! PostgreSQL (issue 15): with `ZHICHENG_TEST_POSTGRES` set (`scripts/bench` runs it under
//! `scripts/with-postgres`), the draft, submit and approval phases run a second time with
//! the host on a fresh PostgreSQL database and the native baseline on another one of the
//! same server (`shared::store::pg_native`, one connection per client thread, writers
//! serialised by the same advisory lock); everything else stays on SQLite.
//!
//! Every figure is valid only with 0 errors: each request must answer its expected status.

#[path = "load/province_year.rs"]
mod province_year;

use e2e::zhicheng_host::sqlite::SlotReport;
use e2e::{repo_root, TestApp, DEV_PII_INDEX_KEY, DEV_PII_KEY, DEV_SEAL_KEY, DEV_SECRET, FAR_FUTURE_EXP};
use serde_json::{json, Value};
use shared::api::{self, Env, Request};
use shared::auth::{mint, Claims, Role};
use shared::certificates::seal::SealKey;
use shared::store::native::{apply_migrations_dir, NativeDb};
use shared::store::pg_native::PgNativeDb;
use shared::store::{Db, StoreError};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
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
#[derive(Clone)]
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
        Some(b) => {
            // The province-year workload uploads PDF materials; everything else is JSON.
            let content_type = if b.starts_with(b"%PDF-") { "application/pdf" } else { "application/json" };
            agent.run(req.header("content-type", content_type).body(b.clone()).expect("valid request"))
        }
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

/// The native side's write queue, as the host's: a writer takes it at `BEGIN IMMEDIATE` and
/// gives it back at `COMMIT`/`ROLLBACK`, so concurrent native writers wait in line instead
/// of in SQLite's busy handler.
#[derive(Default)]
struct Gate {
    taken: Mutex<bool>,
    free: Condvar,
}

impl Gate {
    fn take(&self) {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        while *taken {
            taken = self.free.wait(taken).unwrap_or_else(|e| e.into_inner());
        }
        *taken = true;
    }

    fn give(&self) {
        *self.taken.lock().unwrap_or_else(|e| e.into_inner()) = false;
        self.free.notify_one();
    }
}

/// One native connection behind the gate.
struct GatedDb<'a> {
    db: NativeDb,
    gate: &'a Gate,
    holding: Cell<bool>,
}

impl Db for GatedDb<'_> {
    fn query(&self, sql: &str, params: &[shared::store::Value]) -> Result<Vec<shared::store::Row>, StoreError> {
        if sql.starts_with("BEGIN IMMEDIATE") && !self.holding.get() {
            self.gate.take();
            self.holding.set(true);
        }
        let r = self.db.query(sql, params);
        if self.holding.get() && self.db.connection().is_autocommit() {
            self.holding.set(false);
            self.gate.give();
        }
        r
    }

    /// Writers wait in the gate's line, as in the host (a certificate job goes on without
    /// the pause it makes for SQLite's busy handler).
    fn queues_writers(&self) -> bool {
        true
    }
}

/// The native side's one connection of the single-client phases: writers queue as in the
/// host (there is no other writer), so a certificate job does not pause between chunks.
struct QueuedDb(NativeDb);

impl Db for QueuedDb {
    fn query(&self, sql: &str, params: &[shared::store::Value]) -> Result<Vec<shared::store::Row>, StoreError> {
        self.0.query(sql, params)
    }

    fn queues_writers(&self) -> bool {
        true
    }
}

/// The host's SQLite write slot so far, from `GET /_host/store` (all zero on PostgreSQL, which
/// has no write slot).
fn slot_counts(app: &TestApp) -> Option<SlotReport> {
    let (status, v) = app.get("/_host/store", None);
    if status == 200 {
        serde_json::from_value(v).ok()
    } else {
        None
    }
}

/// What a phase of `wall` did to the slot, from `before` to `after`, as one line.
fn slot_line(before: &SlotReport, after: &SlotReport, wall: Duration) -> Option<String> {
    let t = after.grouped_transactions - before.grouped_transactions;
    let g = (after.group_commits - before.group_commits).max(1) as f64;
    let held = (after.slot_held_micros - before.slot_held_micros) as f64;
    let committing = (after.commit_micros - before.commit_micros) as f64;
    let begins = (after.slot_begins - before.slot_begins).max(1) as f64;
    let share = |micros: f64| micros / 1e4 / wall.as_secs_f64();
    (t > 0).then(|| {
        format!(
            "{t} transactions in {g} group commits ({:.1} each); the write slot held {:.0} µs a transaction \
             ({:.0}% of the phase), {:.0} µs a group COMMIT ({:.0}%); a writer waited {:.0} µs for the slot \
             and {:.0} µs in its COMMIT; checkpoints: {} beside the writers, {} in the slot",
            t as f64 / g,
            held / t as f64,
            share(held),
            committing / g,
            share(committing),
            (after.slot_wait_micros - before.slot_wait_micros) as f64 / begins,
            (after.commit_wait_micros - before.commit_wait_micros) as f64 / t as f64,
            after.checkpoints_beside_writers - before.checkpoints_beside_writers,
            after.checkpoints_in_slot - before.checkpoints_in_slot
        )
    })
}

/// A connection that prints each statement it runs, with its time (`BENCH_TRACE=1`).
struct TracedDb<'a>(&'a dyn Db);

impl Db for TracedDb<'_> {
    fn query(&self, sql: &str, params: &[shared::store::Value]) -> Result<Vec<shared::store::Row>, StoreError> {
        let t = Instant::now();
        let r = self.0.query(sql, params);
        let one_line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        eprintln!(
            "trace {:>7.1} µs  {}",
            t.elapsed().as_secs_f64() * 1e6,
            one_line.chars().take(160).collect::<String>()
        );
        r
    }

    fn queues_writers(&self) -> bool {
        self.0.queues_writers()
    }
}

/// Which store a side of the benchmark runs on.
#[derive(Debug, Clone, PartialEq)]
enum Store {
    Sqlite,
    /// A PostgreSQL server (`postgres://user@host:port`); each side gets its own database.
    Postgres(String),
}

impl Store {
    fn label(&self) -> &'static str {
        match self {
            Store::Sqlite => "SQLite",
            Store::Postgres(_) => "PostgreSQL",
        }
    }
}

/// Where the native side's connections go.
enum Backend {
    /// A WAL file opened as the host opens its connections, writers queued as in the host.
    Sqlite { path: PathBuf, gate: Gate },
    /// A PostgreSQL database, writers serialised by the store's advisory lock as in the host.
    Postgres { url: String },
}

/// The same logic natively: the API router the component calls, on native connections to
/// the same kind of store as the host's (one per client thread).
struct Native {
    db: Box<dyn Db>,
    backend: Backend,
    env: Env,
    _dir: tempfile::TempDir,
}

/// A new, migrated database of `server`, its URL.
fn fresh_postgres(server: &str, name: &str) -> String {
    use e2e::zhicheng_host::{app::block_on, pg};
    let name = format!("{name}_{}", std::process::id());
    let url = pg::with_database(server, &name);
    block_on(pg::create_database(&pg::with_database(server, "postgres"), &name, None)).expect("create database");
    block_on(pg::migrate(&url, &repo_root().join("migrations"))).expect("migrations");
    url
}

impl Native {
    fn new(store: &Store) -> Native {
        let dir = tempfile::tempdir().expect("temp dir");
        match store {
            Store::Sqlite => {
                let path = dir.path().join("native.db");
                let db = NativeDb::open_file(&path).expect("open native db");
                apply_migrations_dir(&db, &repo_root().join("migrations")).expect("migrations");
                db.execute_batch(WITHOUT_MATERIAL_CATALOGUE).expect("catalogue emptied");
                Native::on(db, path, NOW, dir)
            }
            Store::Postgres(server) => {
                let url = fresh_postgres(server, "bench_native");
                let db = PgNativeDb::connect(&url).expect("connect to PostgreSQL");
                db.execute(WITHOUT_MATERIAL_CATALOGUE, &[]).expect("catalogue emptied");
                Native::with(Box::new(db), Backend::Postgres { url }, NOW, dir)
            }
        }
    }

    /// The native side over SQLite `db` (at `path`) with the clock at `now`.
    fn on(db: NativeDb, path: PathBuf, now: &str, dir: tempfile::TempDir) -> Native {
        Native::with(Box::new(QueuedDb(db)), Backend::Sqlite { path, gate: Gate::default() }, now, dir)
    }

    fn with(db: Box<dyn Db>, backend: Backend, now: &str, dir: tempfile::TempDir) -> Native {
        let now = now.parse().expect("now");
        Native {
            db,
            backend,
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

    /// The calls in order on one connection.
    fn run(&self, calls: &[Call<'_>]) -> (Vec<Outcome>, Duration) {
        let started = Instant::now();
        let outcomes = calls.iter().map(|c| call_natively(&self.env, self.db.as_ref(), c)).collect();
        (outcomes, started.elapsed())
    }

    /// The calls by `clients` threads, each on its own connection, writers queued.
    fn run_parallel(&self, clients: usize, calls: &[Call<'_>]) -> (Vec<Outcome>, Duration) {
        let (env, backend) = (&self.env, &self.backend);
        let next = AtomicUsize::new(0);
        let done = Mutex::new(Vec::with_capacity(calls.len()));
        let started = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..clients {
                s.spawn(|| {
                    let db: Box<dyn Db + '_> = match backend {
                        Backend::Sqlite { path, gate } => Box::new(GatedDb {
                            db: NativeDb::open_file(path).expect("open native db"),
                            gate,
                            holding: Cell::new(false),
                        }),
                        Backend::Postgres { url } => Box::new(PgNativeDb::connect(url).expect("connect")),
                    };
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(call) = calls.get(i) else { break };
                        mine.push((i, call_natively(env, db.as_ref(), call)));
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
}

/// One call through the router of its component, natively.
fn call_natively(env: &Env, db: &dyn Db, c: &Call<'_>) -> Outcome {
    // The keys are per thread (a wasm instance has one); the same as the test hosts'.
    if shared::pii::keys().is_err() {
        shared::pii::install(Some(shared::pii::Keys::parse(DEV_PII_KEY, "", DEV_PII_INDEX_KEY).expect("keys")));
    }
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    headers.extend(c.token.map(|t| ("authorization".to_owned(), format!("Bearer {t}"))));
    let (method, path, body) = (c.method.to_owned(), c.path.clone(), c.body.clone().unwrap_or_default());
    let req = Request { method, path, query: String::new(), headers, body };
    let key = || SealKey::from_hex(DEV_SEAL_KEY).map_err(|e| shared::error::DomainError::Internal(e.to_string()));
    let t = Instant::now();
    let r = if c.path.starts_with("/api/unit/") {
        api::unit::handle(&req, db, env)
    } else if c.path.starts_with("/api/province/") {
        api::province::handle(&req, db, env)
    } else if c.path.starts_with("/api/certificates/") {
        api::certificates::handle(&req, db, env, &key)
    } else {
        api::applicant::handle(&req, db, env)
    };
    Outcome { status: r.status, latency: t.elapsed(), body: r.body }
}

fn accumulate(into: &mut (Vec<Outcome>, Duration), (outcomes, wall): (Vec<Outcome>, Duration)) {
    into.0.extend(outcomes);
    into.1 += wall;
}

/// Appends a row; returns its index.
fn push(rows: &mut Vec<Stats>, s: Stats) -> usize {
    rows.push(s);
    rows.len() - 1
}

/// A figure of the issue's table: the host's and the native baseline's row of one run.
struct Figure {
    what: String,
    host: usize,
    native: usize,
}

/// Every phase, in order, with the host and the native baseline on `store`; returns the
/// table's rows and the figures of the issue's table (indices into the rows). On
/// PostgreSQL only the draft, submit and approval phases run (the store's figures).
fn phases(store: &Store, n: usize, clients: usize) -> (Vec<Stats>, Vec<Figure>) {
    let app = match store {
        Store::Sqlite => TestApp::builder(e2e::app_manifest()).var("database_url", "").start(),
        Store::Postgres(server) => {
            let url = fresh_postgres(server, "bench_host");
            let host = e2e::zhicheng_host::pg::host_port(&url).unwrap_or_default();
            TestApp::builder(e2e::app_manifest()).var("database_url", &url).var("database_host", &host).start()
        }
    }
    .expect("start the host");
    app.set_clock(NOW);
    app.execute_sql(WITHOUT_MATERIAL_CATALOGUE);
    let base = app.base_url();
    let native = Native::new(store);
    let tag = match store {
        Store::Sqlite => String::new(),
        Store::Postgres(_) => " (PG)".to_owned(),
    };
    let figure = |what: String| format!("{}: {what}", store.label());
    let (applicant, unit) = (token("bench-applicant", Role::Applicant, ""), token("bench-hr", Role::Unit, UNIT));
    let (mut rows, mut figures) = (Vec::new(), Vec::new());
    // A unit's token is admitted only while its organisation is registered and active.
    app.add_organisations(&[(UNIT, "unit")]);
    let province = token("bench-province", Role::Province, "ORG-PROVINCE");
    let body = json!({"id": UNIT, "kind": "unit", "name": "测试机构", "region_code": "430100"});
    let add = Call {
        method: "POST",
        path: "/api/province/organisations".into(),
        token: Some(&province),
        body: Some(body.to_string().into_bytes()),
    };
    let (o, _) = native.run(std::slice::from_ref(&add));
    assert_eq!(o[0].status, 201, "native organisation: {}", String::from_utf8_lossy(&o[0].body));

    let health: Vec<_> =
        (0..n).map(|_| Call { method: "GET", path: "/api/health".into(), token: None, body: None }).collect();
    drive(&base, clients, &health[..n.min(200)]); // warm-up
    if *store == Store::Sqlite {
        for c in [1, clients] {
            let (o, wall) = drive(&base, c, &health);
            push(&mut rows, Stats::new("host GET /api/health", c, &o, wall, 200));
        }
    }

    // N drafts on each side, all of one applicant, all eligible, by C clients.
    let creates: Vec<_> = (0..n)
        .map(|_| Call {
            method: "POST",
            path: "/api/applications".into(),
            token: Some(&applicant),
            body: Some(create_body()),
        })
        .collect();
    let (o, wall) = drive(&base, clients, &creates);
    let host = push(&mut rows, Stats::new(&format!("host create draft{tag}"), clients, &o, wall, 201));
    let ids: Vec<i64> = o.iter().map(id_of).filter(|id| *id > 0).collect();
    let (o, wall) = native.run_parallel(clients, &creates);
    let nat = push(&mut rows, Stats::new(&format!("native create draft{tag}"), clients, &o, wall, 201));
    figures.push(Figure { what: figure(format!("draft creation, {clients} clients")), host, native: nat });
    let mut native_ids: Vec<i64> = o.iter().map(id_of).collect();
    native_ids.sort_unstable();

    // A quarter of the drafts at 1 client, in chunks of CHUNK alternating with the native run
    // on as many of its own (same database size, same positions); then the rest at C on both.
    const CHUNK: usize = 10;
    let (solo, many) = ids.split_at(ids.len() / 4);
    let (native_solo, native_many) = native_ids.split_at(solo.len().min(native_ids.len()));
    // BENCH_TRACE: one more native draft, submitted and approved with each statement printed.
    let traced = if std::env::var_os("BENCH_TRACE").is_some() { id_of(&native.run(&creates[..1]).0[0]) } else { 0 };
    type MakeCall<'a> = &'a dyn Fn(i64) -> Call<'a>;
    let ops: [(&str, &str, MakeCall<'_>); 2] = [
        ("submit", "submit", &|id| submit_call(id, &applicant)),
        ("approve", "unit approval", &|id| approve_call(id, &unit)),
    ];
    for (op, label, make) in ops {
        let calls = |ids: &[i64]| ids.iter().map(|id| make(*id)).collect::<Vec<_>>();
        let (mut host1, mut nat1) = ((Vec::new(), Duration::ZERO), (Vec::new(), Duration::ZERO));
        if std::env::var_os("BENCH_TRACE").is_some() {
            eprintln!("trace: one native {op}{tag}");
            let t = Instant::now();
            let o = call_natively(&native.env, &TracedDb(native.db.as_ref()), &make(traced));
            eprintln!("trace: {op} answered {} in {:.1} µs", o.status, t.elapsed().as_secs_f64() * 1e6);
        }
        for (h, n) in solo.chunks(CHUNK).zip(native_solo.chunks(CHUNK)) {
            accumulate(&mut host1, drive(&base, 1, &calls(h)));
            accumulate(&mut nat1, native.run(&calls(n)));
        }
        let host = push(&mut rows, Stats::new(&format!("host {op}{tag}"), 1, &host1.0, host1.1, 200));
        let nat = push(&mut rows, Stats::new(&format!("native {op}{tag}"), 1, &nat1.0, nat1.1, 200));
        figures.push(Figure { what: figure(format!("{label}, 1 client")), host, native: nat });
        let before = slot_counts(&app);
        let (o, wall) = drive(&base, clients, &calls(many));
        let host = push(&mut rows, Stats::new(&format!("host {op}{tag}"), clients, &o, wall, 200));
        if let Some(line) = before.zip(slot_counts(&app)).and_then(|(b, a)| slot_line(&b, &a, wall)) {
            eprintln!("bench: host {op}{tag}, {clients} clients: {line}");
        }
        let (o, wall) = native.run_parallel(clients, &calls(native_many));
        let nat = push(&mut rows, Stats::new(&format!("native {op}{tag}"), clients, &o, wall, 200));
        figures.push(Figure { what: figure(format!("{label}, {clients} clients")), host, native: nat });
    }
    drop(app);
    if *store != Store::Sqlite {
        return (rows, figures);
    }

    // Certificates: BENCH_CERTS filed passers, then one generation job (number, SM2 seal,
    // outbox, audit) on the host; the same job natively on a copy of the database taken
    // just before it.
    let certs = env_usize("BENCH_CERTS", 500);
    if certs > 0 {
        let (host, nat) = certificate_phase(certs as u32, clients, &mut rows);
        figures.push(Figure { what: figure("certificate issue (jobs of ≤ 20,000)".into()), host, native: nat });
    }
    (rows, figures)
}

/// Issues `n` certificates on the host and natively; returns the rows' indices. A job covers
/// at most `MAX_JOB` (20,000) applications, so past that the jobs run one after another,
/// each created by document number, until nothing is left to issue (409), and the figure is
/// every certificate over the time from the first job's creation to the last one's end. A
/// job is run by `BENCH_RUNNERS` (default 2, as the portal sends) concurrent `…/run`
/// requests while another client reads its progress; natively by as many threads, each on
/// its own connection, writers queued.
fn certificate_phase(n: u32, clients: usize, rows: &mut Vec<Stats>) -> (usize, usize) {
    const DOC: &str = "湘人社职备〔2024〕99号";
    let runners = env_usize("BENCH_RUNNERS", 2).max(1);
    let setup = Instant::now();
    let p = e2e::scenario::health_province();
    e2e::scenario::filed_passers(&p, n, DOC, clients);
    eprintln!("bench: {n} filed passers set up in {:.1}s", setup.elapsed().as_secs_f64());
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("certs.db");
    p.app.db().execute("VACUUM INTO ?1", [copy.to_string_lossy().into_owned()]).expect("copy the database");

    let body = serde_json::json!({"doc_no": DOC, "run": false}).to_string().into_bytes();
    let create = Call {
        method: "POST",
        path: "/api/certificates/jobs".into(),
        token: Some(p.province.as_str()),
        body: Some(body),
    };
    let run = |job: i64| Call {
        method: "POST",
        path: format!("/api/certificates/jobs/{job}/run"),
        token: Some(p.province.as_str()),
        body: Some(b"{}".to_vec()),
    };
    let get = |job: i64| Call {
        method: "GET",
        path: format!("/api/certificates/jobs/{job}"),
        token: Some(p.province.as_str()),
        body: None,
    };
    let jobs = CertificateJobs { create, run: &run, get: &get, runners };
    let (base, running, current) =
        (p.app.base_url(), std::sync::atomic::AtomicBool::new(true), std::sync::atomic::AtomicI64::new(0));
    let (o, wall, issued, n_jobs, seen) = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            // Progress while it runs: the largest `done` below `total` a reader saw.
            let (agent, mut seen) = (agent(), Vec::new());
            while running.load(Ordering::Relaxed) {
                let job = current.load(Ordering::Relaxed);
                if job > 0 {
                    let v: Value = serde_json::from_slice(&send(&agent, &base, &get(job)).body).unwrap_or_default();
                    if v["done"].as_i64() < v["total"].as_i64() {
                        seen.push(format!(
                            "{}/{} at {}/s, eta {}s",
                            v["done"], v["total"], v["rate_per_s"], v["eta_s"]
                        ));
                    }
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            seen
        });
        let (outcomes, issued, n_jobs, wall) = issue_all(
            &jobs,
            &|c| drive(&base, 1, std::slice::from_ref(c)).0.remove(0),
            &|calls| drive(&base, runners, calls).0,
            &|job| current.store(job, Ordering::Relaxed),
        );
        running.store(false, Ordering::Relaxed);
        (outcomes, wall, issued, n_jobs, watcher.join().unwrap_or_default())
    });
    if let Some(last) = seen.last() {
        eprintln!("bench: progress seen while the jobs ran ({} reads), last: {last}", seen.len());
    }
    let host = per_item(&format!("host certificate issue, {n_jobs} job(s), {runners} runners"), issued, &o, wall, rows);

    let db = NativeDb::open_file(&copy).expect("open the copy");
    let native = Native::on(db, copy.clone(), "2024-10-30T02:00:00Z", dir);
    let (outcomes, issued, n_jobs, wall) = issue_all(
        &jobs,
        &|c| native.run(std::slice::from_ref(c)).0.remove(0),
        &|calls| native.run_parallel(runners, calls).0,
        &|_| {},
    );
    let nat = per_item(
        &format!("native certificate issue, {n_jobs} job(s), {runners} threads"),
        issued,
        &outcomes,
        wall,
        rows,
    );
    (host, nat)
}

/// The calls of the certificate phase: `create` makes the next job by document number (409
/// when nothing is left), `runners` copies of its `run` call go side by side, `get` reads back
/// what it issued.
struct CertificateJobs<'a> {
    create: Call<'a>,
    run: &'a dyn Fn(i64) -> Call<'a>,
    get: &'a dyn Fn(i64) -> Call<'a>,
    runners: usize,
}

/// Certificate jobs one after another until nothing is left to issue; `one` sends a single
/// call, `side_by_side` several at once, and `started_job` is told each job as it starts.
/// Stops as well at a refused creation or a job that issued nothing (it would be created
/// again). Returns every outcome, the certificates issued, the jobs run and the time from the
/// first creation to the last job's end.
fn issue_all<'a>(
    jobs: &CertificateJobs<'a>,
    one: &dyn Fn(&Call<'a>) -> Outcome,
    side_by_side: &dyn Fn(&[Call<'a>]) -> Vec<Outcome>,
    started_job: &dyn Fn(i64),
) -> (Vec<Outcome>, i64, usize, Duration) {
    let issued_by = |o: &Outcome| serde_json::from_slice::<Value>(&o.body).ok().and_then(|v| v["issued"].as_i64());
    let (mut outcomes, mut issued, mut n, started) = (Vec::new(), 0, 0, Instant::now());
    loop {
        let created = one(&jobs.create);
        if created.status == 409 {
            break; // nothing left to issue
        }
        let (ok, job) = (created.status == 201, id_of(&created));
        outcomes.push(created);
        if !ok {
            break;
        }
        started_job(job);
        outcomes.extend(side_by_side(&vec![(jobs.run)(job); jobs.runners]));
        let this = issued_by(&one(&(jobs.get)(job))).unwrap_or(0);
        (issued, n) = (issued + this, n + 1);
        if this == 0 {
            break; // a job that issued nothing would be created again
        }
    }
    (outcomes, issued, n, started.elapsed())
}

/// A row for a job: its rate is certificates per second (n = certificates issued; p50 and
/// p99 are the job's own time). An error when the request failed or issued nothing.
fn per_item(what: &str, issued: i64, o: &[Outcome], wall: Duration, rows: &mut Vec<Stats>) -> usize {
    let ok = o.iter().all(|o| o.status == 200 || o.status == 201) && issued > 0;
    if !ok {
        match o.iter().find(|o| o.status != 200 && o.status != 201) {
            Some(bad) => eprintln!("{what}: {} {}", bad.status, String::from_utf8_lossy(&bad.body)),
            None => eprintln!("{what}: nothing issued"),
        }
    }
    rows.push(Stats {
        what: what.to_owned(),
        clients: 1,
        n: issued.max(0) as usize,
        rps: issued as f64 / wall.as_secs_f64(),
        p50: wall,
        p99: wall,
        errors: usize::from(!ok),
    });
    rows.len() - 1
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
    // BENCH_N=0 skips the phases (e.g. to run only the province-year workload).
    let (n, clients) = (env_usize("BENCH_N", 2000), env_usize("BENCH_CLIENTS", 8).max(1));
    // The PostgreSQL server is used only where a phase asks for it: every other host of
    // this run (certificates, the province year) stays on SQLite.
    let postgres = e2e::postgres_server();
    std::env::remove_var(e2e::POSTGRES_ENV);
    let (started, load_before) = (Instant::now(), loadavg());
    let mut rows: Vec<Stats> = oha_row(clients).into_iter().collect();
    let offset = rows.len();
    let mut figures = Vec::new();
    let stores = std::iter::once(Store::Sqlite).chain(postgres.map(Store::Postgres));
    for store in stores.filter(|_| n > 0) {
        let (store_rows, store_figures) = phases(&store, n.max(8), clients);
        let shift = rows.len() - offset;
        rows.extend(store_rows);
        figures.extend(store_figures.into_iter().map(|f| Figure {
            host: f.host + shift,
            native: f.native + shift,
            ..f
        }));
    }
    let province_n = env_usize("PROVINCE_N", 0);
    let province = if province_n > 0 { province_year::run(province_n, clients) } else { Vec::new() };

    println!(
        "\nload benchmark, N={n}: submit and approve on N/4 at 1 client, alternating with N/4 native, then 3N/4 \
         (certificate rows: n = certificates, p50/p99 = the whole job)"
    );
    println!("{:<38} {:>3} {:>6} {:>9} {:>9} {:>9} {:>6}", "what", "C", "n", "req/s", "p50 ms", "p99 ms", "errors");
    for r in &rows {
        let (p50, p99) = (ms(r.p50), ms(r.p99));
        println!("{:<38} {:>3} {:>6} {:>9.1} {p50:>9.2} {p99:>9.2} {:>6}", r.what, r.clients, r.n, r.rps, r.errors);
    }
    println!("\nthe issue's figures, host against the native baseline on the same store in this run (ratio = host/native req/s)");
    println!(
        "{:<44} {:>9} {:>8} {:>8} | {:>9} {:>8} {:>8} | {:>6}",
        "figure", "host/s", "p50 ms", "p99 ms", "native/s", "p50 ms", "p99 ms", "ratio"
    );
    for f in &figures {
        let (h, nat) = (&rows[offset + f.host], &rows[offset + f.native]);
        println!(
            "{:<44} {:>9.1} {:>8.2} {:>8.2} | {:>9.1} {:>8.2} {:>8.2} | {:>5.2}×",
            f.what,
            h.rps,
            ms(h.p50),
            ms(h.p99),
            nat.rps,
            ms(nat.p50),
            ms(nat.p99),
            h.rps / nat.rps
        );
    }
    if !province.is_empty() {
        println!(
            "\nthe province-year workload, PROVINCE_N={province_n} (job rows: n = items, p50/p99 = the whole stage)"
        );
        println!(
            "{:<52} {:>3} {:>7} {:>9} {:>9} {:>9} {:>6}",
            "stage", "C", "n", "per s", "p50 ms", "p99 ms", "errors"
        );
        for r in &province {
            let (p50, p99) = (ms(r.p50), ms(r.p99));
            println!("{:<52} {:>3} {:>7} {:>9.1} {p50:>9.2} {p99:>9.2} {:>6}", r.what, r.clients, r.n, r.rps, r.errors);
        }
    }
    println!("total {:.1}s; load average before {load_before}, after {}", started.elapsed().as_secs_f64(), loadavg());
    if rows.iter().chain(&province).any(|r| r.errors > 0) {
        eprintln!("load: some requests failed; the figures above are not valid");
        std::process::exit(1);
    }
}

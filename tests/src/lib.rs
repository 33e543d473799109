//! Support for the end-to-end tests: each [`TestApp`] is a `zhicheng-host` serving a Spin
//! manifest (by default the app's `spin.toml`) in test mode, on its own ephemeral port and
//! its own fresh SQLite file, with a fixed development `auth_secret`.
//!
//! Components are compiled once per test binary (and cached on disk across runs); starting
//! a host is then cheap, so every test can have its own. The `.wasm` files must be built
//! first: `cargo build --target wasm32-wasip2 --release -p <each function> -p probe`.

#![warn(missing_docs)]

use serde_json::Value;
use shared::auth::{mint, Claims, Role};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use zhicheng_host::{App, RunningHost, ServeOptions};

pub use zhicheng_host;

pub mod scenario;

/// The body of "submit" that accepts the commitment (告知承诺) in the notice's default
/// wording, which every test batch uses unless a test sets its own.
pub fn submit_body() -> Value {
    let hash = shared::domain::commitment::text_sha256(shared::domain::commitment::DEFAULT_TEXT);
    serde_json::json!({ "commitment": { "accepted": true, "text_sha256": hash } })
}

/// The `auth_secret` every test host runs with.
pub const DEV_SECRET: &str = "e2e-development-secret-not-for-production";

/// The `seal_private_key` every test host runs with (an SM2 key for tests only).
pub const DEV_SEAL_KEY: &str = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";

/// The `pii_key` every test host runs with (issue 10; tests only).
pub const DEV_PII_KEY: &str = "e2e1:6a1c0f4e9b2d7a3c5e8f1b0d2c4a6e8f0a1b3c5d7e9f2a4c6e8b0d1f3a5c7e9b";

/// The `pii_index_key` every test host runs with (tests only).
pub const DEV_PII_INDEX_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

/// The token the store holds in place of ID number `citizen` under the test hosts' keys
/// (issue 10, `shared::pii`): what SQL comparisons in tests look for.
pub fn pii_token(citizen: &str) -> String {
    let keys = shared::pii::Keys::parse(DEV_PII_KEY, "", DEV_PII_INDEX_KEY).unwrap();
    keys.token(&shared::domain::citizen_id::CitizenId::parse(citizen).unwrap())
}

/// Token expiry used by [`TestApp::token`]: 2100-01-01T00:00:00Z, far beyond any test clock.
pub const FAR_FUTURE_EXP: i64 = 4_102_444_800;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The app's manifest.
pub fn app_manifest() -> PathBuf {
    repo_root().join("spin.toml")
}

/// The probe fixture's manifest.
pub fn probe_manifest() -> PathBuf {
    repo_root().join("tests").join("fixtures").join("probe.toml")
}

/// The loaded [`App`] for `manifest`, compiled at most once per test binary (and read from
/// the disk cache when an earlier run compiled the same `.wasm`).
pub fn load_app(manifest: &Path) -> App {
    static APPS: OnceLock<Mutex<HashMap<PathBuf, App>>> = OnceLock::new();
    let mut apps = APPS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(app) = apps.get(manifest) {
        return app.clone();
    }
    // One compiled-code cache for every manifest, in the repository's git-ignored `.spin/`.
    let cache = repo_root().join(".spin").join("cache");
    let app = App::load_with_cache(manifest, &cache).unwrap_or_else(|e| {
        panic!(
            "cannot load {}: {e:#}\n\nBuild the wasm components first:\n  \
             cargo build --target wasm32-wasip2 --release -p <each function> -p probe",
            manifest.display()
        )
    });
    apps.insert(manifest.to_path_buf(), app.clone());
    app
}

/// An HTTP reply.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The raw body.
    pub body: Vec<u8>,
    /// The `content-type` header, if any.
    pub content_type: Option<String>,
    /// Every header, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body as JSON: `Null` when empty, a JSON string of the text when not JSON.
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()))
    }
}

/// Configures a [`TestApp`] before starting it.
pub struct TestAppBuilder {
    manifest: PathBuf,
    options: ServeOptions,
}

impl TestAppBuilder {
    /// Sets an application variable.
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.options.variables.insert(name.to_string(), value.to_string());
        self
    }

    /// Leaves `auth_secret` unset (to test the required-variable check).
    pub fn without_secret(mut self) -> Self {
        self.options.variables.remove("auth_secret");
        self
    }

    /// Enables or disables the `/_host/…` test routes (on by default).
    pub fn test_mode(mut self, on: bool) -> Self {
        self.options.test_mode = on;
        self
    }

    /// Sets the host's limits (concurrency, queue, read timeouts).
    pub fn limits(mut self, limits: zhicheng_host::Limits) -> Self {
        self.options.limits = limits;
        self
    }

    /// Uses `path` as the database instead of a fresh temporary file.
    pub fn sqlite_path(mut self, path: &Path) -> Self {
        self.options.sqlite_path = Some(path.to_path_buf());
        self
    }

    /// Starts the host.
    pub fn start(mut self) -> anyhow::Result<TestApp> {
        let app = load_app(&self.manifest);
        let dir = tempfile::tempdir()?;
        let restartable = self.options.sqlite_path.clone();
        if self.options.sqlite_path.is_none() {
            self.options.sqlite_path = Some(dir.path().join("sqlite_db.db"));
        }
        if let Some(server) = postgres_server() {
            if app.manifest().variables.contains_key("database_url")
                && !self.options.variables.contains_key("database_url")
            {
                let url = fresh_postgres_database(&server, restartable.as_deref())?;
                self.options
                    .variables
                    .insert("database_host".into(), zhicheng_host::pg::host_port(&url).unwrap_or_default());
                self.options.variables.insert("database_url".into(), url);
            }
        }
        let host = app.serve_in_background(self.options)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Ok(TestApp { host, agent, _dir: dir })
    }
}

/// The environment variable naming a PostgreSQL server (`postgres://user@host:port`) the
/// end-to-end tests then run on: each test host gets its own fresh database there (copied
/// from a template the migrations made once per test binary). Unset: SQLite.
pub const POSTGRES_ENV: &str = "ZHICHENG_TEST_POSTGRES";

/// The PostgreSQL server of [`POSTGRES_ENV`], if set.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().map(|s| s.trim().trim_end_matches('/').to_owned()).filter(|s| !s.is_empty())
}

/// A new database for one test host (or, for a host restarted on the same `sqlite_path`,
/// the same database again), its URL.
fn fresh_postgres_database(server: &str, restart_key: Option<&Path>) -> anyhow::Result<String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static TEMPLATE: OnceLock<Result<String, String>> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let pid = std::process::id();
    let admin = zhicheng_host::pg::with_database(server, "postgres");
    let template = TEMPLATE
        .get_or_init(|| {
            let name = format!("zh_tpl_{pid}");
            let url = zhicheng_host::pg::with_database(server, &name);
            zhicheng_host::app::block_on(async {
                zhicheng_host::pg::create_database(&admin, &name, None).await?;
                zhicheng_host::pg::migrate(&url, &repo_root().join("migrations")).await
            })
            .map(|_| name)
            .map_err(|e| format!("{e:#}"))
        })
        .clone()
        .map_err(|e| anyhow::anyhow!("PostgreSQL template database: {e}"))?;
    let name = match restart_key {
        Some(p) => {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            p.hash(&mut h);
            format!("zh_{pid}_p{:x}", h.finish())
        }
        None => format!("zh_{pid}_{}", NEXT.fetch_add(1, Ordering::Relaxed)),
    };
    zhicheng_host::app::block_on(zhicheng_host::pg::create_database(&admin, &name, Some(&template)))?;
    Ok(zhicheng_host::pg::with_database(server, &name))
}

/// A running test host and an HTTP client for it.
pub struct TestApp {
    host: RunningHost,
    agent: ureq::Agent,
    _dir: tempfile::TempDir,
}

/// Every application state change a test host recorded must be a declared transition
/// (`shared::domain::application::TRANSITIONS`): checked when each test's host stops, over
/// that host's whole audit trail. What the suite exercised is appended to
/// `target/transitions-exercised.tsv`, from which `scripts/test` lists the declared
/// transitions no scenario took.
impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        if self.snapshot().is_err() {
            return;
        }
        let Ok(db) = rusqlite::Connection::open_with_flags(self.db_path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        else {
            return;
        };
        let rows: Vec<(String, String, String, String)> = match db.prepare(
            "SELECT from_state, to_state, action, role FROM audit_events WHERE subject_kind = 'application' \
             AND from_state IS NOT NULL AND to_state IS NOT NULL",
        ) {
            Ok(mut stmt) => stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map(|it| it.filter_map(Result::ok).collect())
                .unwrap_or_default(),
            Err(_) => return, // not the app's schema (the probe fixture)
        };
        let events: Vec<(&str, &str, &str, &str)> =
            rows.iter().map(|(f, t, a, r)| (f.as_str(), t.as_str(), a.as_str(), r.as_str())).collect();
        let undeclared = shared::domain::application::undeclared(&events);
        if !events.is_empty() {
            let lines: String = events.iter().map(|(f, t, a, r)| format!("{f}\t{t}\t{a}\t{r}\n")).collect();
            let path = repo_root().join("target").join("transitions-exercised.tsv");
            if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                use std::io::Write;
                let _ = f.write_all(lines.as_bytes());
            }
        }
        assert!(undeclared.is_empty(), "transitions that happened but are not declared: {undeclared:?}");
    }
}

impl TestApp {
    /// A builder for a host of `manifest`: test mode, no cron schedules, `auth_secret` =
    /// [`DEV_SECRET`], `SPIN_VARIABLE_*` from the environment ignored, a fresh database.
    pub fn builder(manifest: impl AsRef<Path>) -> TestAppBuilder {
        let mut variables = HashMap::new();
        variables.insert("auth_secret".to_string(), DEV_SECRET.to_string());
        variables.insert("seal_private_key".to_string(), DEV_SEAL_KEY.to_string());
        variables.insert("pii_key".to_string(), DEV_PII_KEY.to_string());
        variables.insert("pii_index_key".to_string(), DEV_PII_INDEX_KEY.to_string());
        TestAppBuilder {
            manifest: manifest.as_ref().to_path_buf(),
            options: ServeOptions {
                test_mode: true,
                cron: false,
                inherit_env: false,
                variables,
                ..ServeOptions::default()
            },
        }
    }

    /// A host of the app's `spin.toml`.
    pub fn start() -> TestApp {
        TestApp::with_manifest(app_manifest())
    }

    /// A host of another manifest (e.g. [`probe_manifest`]).
    pub fn with_manifest(manifest: impl AsRef<Path>) -> TestApp {
        TestApp::builder(manifest).start().unwrap_or_else(|e| panic!("cannot start the test host: {e:#}"))
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        self.host.url()
    }

    /// The host's SQLite file.
    pub fn db_path(&self) -> &Path {
        self.host.db_path()
    }

    /// Another host (a second replica) of the same manifest on the same PostgreSQL database,
    /// with its own port, instances and test clock; `None` when the store is SQLite.
    pub fn replica(&self) -> Option<TestApp> {
        let url = self.database_url()?;
        let app = TestApp::builder(app_manifest())
            .var("database_url", url)
            .var("database_host", &zhicheng_host::pg::host_port(url).unwrap_or_default())
            .start()
            .unwrap_or_else(|e| panic!("cannot start the replica: {e:#}"));
        Some(app)
    }

    /// Another replica on the same PostgreSQL database as a separate OS process: the real
    /// `zhicheng-host up` binary (see [`host_binary`]) in test mode, so that a test can kill
    /// it outright (SIGKILL) mid-request; `None` when the store is SQLite.
    pub fn replica_process(&self) -> Option<HostProcess> {
        let url = self.database_url()?;
        Some(HostProcess::start(url).unwrap_or_else(|e| panic!("cannot start the replica process: {e:#}")))
    }

    /// Runs one SQL statement on the host's store (SQLite file or PostgreSQL), for tests
    /// that set up data no API writes (e.g. an imported blacklist entry).
    pub fn execute_sql(&self, sql: &str) {
        match self.database_url() {
            Some(url) => {
                let db = shared::store::pg_native::PgNativeDb::connect(url).expect("connect to PostgreSQL");
                shared::store::Db::execute(&db, sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            None => {
                let db = rusqlite::Connection::open(self.db_path()).expect("open the test database");
                db.busy_timeout(Duration::from_secs(5)).expect("busy timeout");
                db.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }

    /// The PostgreSQL database the host's components use, when the store is PostgreSQL.
    pub fn database_url(&self) -> Option<&str> {
        self.host.database_url()
    }

    /// On PostgreSQL, copies the database into the host's (otherwise unused, same-schema)
    /// SQLite file, so assertions read one engine's rows the same way on both stores.
    fn snapshot(&self) -> anyhow::Result<()> {
        if let Some(url) = self.host.database_url() {
            zhicheng_host::app::block_on(zhicheng_host::pg::snapshot_to_sqlite(url, self.db_path()))?;
        }
        Ok(())
    }

    /// A read-only connection to the host's database, for assertions (on PostgreSQL: a
    /// snapshot of it taken now).
    pub fn db(&self) -> rusqlite::Connection {
        self.snapshot().expect("snapshot the PostgreSQL database");
        rusqlite::Connection::open_with_flags(self.db_path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the test database read-only")
    }

    /// A token signed with [`DEV_SECRET`], valid until [`FAR_FUTURE_EXP`].
    pub fn token(&self, sub: &str, name: &str, role: Role, org: &str) -> String {
        let claims = Claims {
            sub: sub.into(),
            name: name.into(),
            role,
            org: org.into(),
            exp: FAR_FUTURE_EXP,
            sid: None,
            op: None,
        };
        mint(DEV_SECRET.as_bytes(), &claims)
    }

    /// Registers organisations `(id, kind)` through the province's API (tokens of
    /// organisation roles are admitted only with an active organisation).
    pub fn add_organisations(&self, orgs: &[(&str, &str)]) {
        let province = self.token("op-prov", "省人社厅", Role::Province, "ORG-PROVINCE");
        for (id, kind) in orgs {
            let body =
                serde_json::json!({"id": id, "kind": kind, "name": format!("测试机构{id}"), "region_code": "430100"});
            let (status, reply) = self.post("/api/province/organisations", province.as_str(), &body);
            assert_eq!(status, 201, "add_organisations({id}): {reply}");
        }
    }

    /// Sends a request; `body` is `(content type, bytes)`. Never fails on a non-2xx status.
    pub fn request(&self, method: &str, path: &str, token: Option<&str>, body: Option<(&str, Vec<u8>)>) -> Reply {
        let url = format!("{}{path}", self.base_url());
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let result = match body {
            Some((ct, bytes)) => {
                let req = req.header("content-type", ct).body(bytes).expect("valid request");
                self.agent.run(req)
            }
            None => self.agent.run(req.body(()).expect("valid request")),
        };
        let mut resp = result.unwrap_or_else(|e| panic!("{method} {path} failed: {e}"));
        let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .unwrap_or_else(|e| panic!("{method} {path}: reading body: {e}"));
        Reply { status, body, content_type, headers }
    }

    fn json_request<'a>(
        &self,
        method: &str,
        path: &str,
        token: impl Into<Option<&'a str>>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let body = body.map(|v| ("application/json", v.to_string().into_bytes()));
        let r = self.request(method, path, token.into(), body);
        (r.status, r.json())
    }

    /// `GET path` → (status, JSON body).
    pub fn get<'a>(&self, path: &str, token: impl Into<Option<&'a str>>) -> (u16, Value) {
        self.json_request("GET", path, token, None)
    }

    /// `POST path` with a JSON body → (status, JSON body).
    pub fn post<'a>(&self, path: &str, token: impl Into<Option<&'a str>>, json: &Value) -> (u16, Value) {
        self.json_request("POST", path, token, Some(json))
    }

    /// `PUT path` with a JSON body → (status, JSON body).
    pub fn put<'a>(&self, path: &str, token: impl Into<Option<&'a str>>, json: &Value) -> (u16, Value) {
        self.json_request("PUT", path, token, Some(json))
    }

    /// `DELETE path` → (status, JSON body).
    pub fn delete<'a>(&self, path: &str, token: impl Into<Option<&'a str>>) -> (u16, Value) {
        self.json_request("DELETE", path, token, None)
    }

    /// `GET path` → (status, raw body), e.g. for file downloads.
    pub fn get_bytes<'a>(&self, path: &str, token: impl Into<Option<&'a str>>) -> (u16, Vec<u8>) {
        let r = self.request("GET", path, token.into(), None);
        (r.status, r.body)
    }

    /// `POST path` with a raw body of `content_type` → (status, raw body).
    pub fn post_bytes<'a>(
        &self,
        path: &str,
        token: impl Into<Option<&'a str>>,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (u16, Vec<u8>) {
        let r = self.request("POST", path, token.into(), Some((content_type, bytes)));
        (r.status, r.body)
    }

    /// Uploads a small PDF for every qualification-review material the application's
    /// checklist (资格审查材料目录, 一) still misses, as the applicant does before submitting.
    pub fn upload_required_materials(&self, id: impl std::fmt::Display, applicant: &str) {
        let (status, list) = self.get(&format!("/api/applications/{id}/material-checklist"), applicant);
        assert_eq!(status, 200, "checklist of {id}: {list}");
        for item in list["required"].as_array().into_iter().flatten().filter(|i| i["uploaded"] == false) {
            let kind = item["kind"].as_str().unwrap_or_default();
            let (status, body) = self.post_bytes(
                &format!("/api/applications/{id}/materials?kind={kind}&filename={kind}.pdf"),
                applicant,
                "application/pdf",
                format!("%PDF-1.4\n% {kind} scan\n%%EOF\n").into_bytes(),
            );
            assert_eq!(status, 201, "upload {kind} to {id}: {}", String::from_utf8_lossy(&body));
        }
    }

    /// The applicant completes the required materials and submits, accepting the batch's
    /// commitment in the notice's wording → (status, JSON body).
    pub fn submit(&self, id: impl std::fmt::Display, applicant: &str) -> (u16, Value) {
        self.upload_required_materials(&id, applicant);
        self.post(&format!("/api/applications/{id}/submit"), applicant, &submit_body())
    }

    /// Freezes the components' wall clock at `rfc3339` (e.g. `2024-10-13T01:00:00Z`).
    pub fn set_clock(&self, rfc3339: &str) {
        let (status, body) = self.post("/_host/clock", None, &serde_json::json!({ "now": rfc3339 }));
        assert_eq!(status, 200, "set_clock({rfc3339}): {body}");
    }

    /// Moves the frozen clock by `seconds`.
    pub fn advance_clock(&self, seconds: i64) {
        let (status, body) = self.post("/_host/clock/advance", None, &serde_json::json!({ "seconds": seconds }));
        assert_eq!(status, 200, "advance_clock({seconds}): {body}");
    }

    /// The test clock's current time (RFC 3339).
    pub fn clock(&self) -> String {
        let (_, body) = self.get("/_host/clock", None);
        body["now"].as_str().unwrap_or_default().to_string()
    }

    /// Runs cron component `component` once now → (status, `{"ok":…}` body).
    pub fn try_fire_cron(&self, component: &str) -> (u16, Value) {
        self.post(&format!("/_host/cron/{component}"), None, &Value::Null)
    }

    /// Runs cron component `component` once now and asserts it succeeded.
    pub fn fire_cron(&self, component: &str) {
        let (status, body) = self.try_fire_cron(component);
        assert_eq!((status, &body["ok"]), (200, &Value::Bool(true)), "fire_cron({component}): {body}");
    }
}

/// The `zhicheng-host` executable the tests run as a separate process: `ZHICHENG_HOST_BIN`
/// if set, else the one beside this test binary's build (`target/<profile>/zhicheng-host`,
/// built by `cargo build -p zhicheng-host`, which `scripts/test` runs; a test cannot build it
/// itself while `cargo test` holds the build directory's lock).
pub fn host_binary() -> anyhow::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("ZHICHENG_HOST_BIN").filter(|b| !b.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    // <target>/<profile>/deps/e2e_suite-<hash> → <target>/<profile>/zhicheng-host
    let exe = std::env::current_exe()?;
    let profile = exe.parent().and_then(Path::parent).ok_or_else(|| anyhow::anyhow!("no build directory"))?;
    let bin = profile.join(format!("zhicheng-host{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        bin.is_file(),
        "{} is missing: build it first with `cargo build -p zhicheng-host` (or set ZHICHENG_HOST_BIN)",
        bin.display()
    );
    Ok(bin)
}

/// Sends `method base_url+path` with a JSON body on a new connection → (status, JSON body);
/// `Err` when the connection fails (e.g. the server was killed while answering).
pub fn send_json(
    base_url: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: &Value,
) -> anyhow::Result<(u16, Value)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let mut req = ureq::http::Request::builder().method(method).uri(format!("{base_url}{path}"));
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = req.header("content-type", "application/json").body(json.to_string().into_bytes())?;
    let mut resp = agent.run(req)?;
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_vec()?;
    Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
}

/// A `zhicheng-host up` child process on a PostgreSQL database (a replica that a test can
/// kill like a crashed machine). Killed when dropped.
pub struct HostProcess {
    child: Mutex<std::process::Child>,
    url: String,
    started: String,
    dir: tempfile::TempDir,
}

impl HostProcess {
    /// Starts the binary on database `database_url` with the test hosts' variables, test
    /// mode, no cron, an ephemeral port and the tests' compiled-component cache, and waits
    /// until it serves.
    pub fn start(database_url: &str) -> anyhow::Result<HostProcess> {
        HostProcess::start_with(&repo_root().join("spin.toml"), Some(database_url))
    }

    /// Like [`HostProcess::start`], for `manifest`, on its own SQLite file
    /// ([`HostProcess::sqlite_path`]) when `database_url` is `None`.
    pub fn start_with(manifest: &Path, database_url: Option<&str>) -> anyhow::Result<HostProcess> {
        use std::io::BufRead;
        let dir = tempfile::tempdir()?;
        let log = std::fs::File::create(dir.path().join("host.log"))?;
        let mut command = std::process::Command::new(host_binary()?);
        command
            .current_dir(repo_root())
            .arg("up")
            .arg("--manifest")
            .arg(manifest)
            .args(["--listen", "127.0.0.1:0", "--test-mode", "--no-cron"])
            .arg("--sqlite-file")
            .arg(dir.path().join("sqlite_db.db"))
            .arg("--cache-dir")
            .arg(repo_root().join(".spin").join("cache"))
            .env("SPIN_VARIABLE_AUTH_SECRET", DEV_SECRET);
        if manifest == repo_root().join("spin.toml") {
            // The app's keys (with the personal-data key, `up` reseals the app's tables).
            command
                .env("SPIN_VARIABLE_SEAL_PRIVATE_KEY", DEV_SEAL_KEY)
                .env("SPIN_VARIABLE_PII_KEY", DEV_PII_KEY)
                .env("SPIN_VARIABLE_PII_INDEX_KEY", DEV_PII_INDEX_KEY);
        }
        if let Some(url) = database_url {
            command
                .env("SPIN_VARIABLE_DATABASE_URL", url)
                .env("SPIN_VARIABLE_DATABASE_HOST", zhicheng_host::pg::host_port(url).unwrap_or_default());
        }
        let mut child =
            command.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped()).stderr(log).spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut seen = String::new();
        let url = loop {
            match lines.next() {
                Some(line) => {
                    let line = line?;
                    seen.push_str(&line);
                    seen.push('\n');
                    if let Some(u) = line.strip_prefix("Serving ") {
                        break u.trim().to_owned();
                    }
                }
                None => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = std::fs::read_to_string(dir.path().join("host.log")).unwrap_or_default();
                    anyhow::bail!("zhicheng-host exited before serving:\n{seen}{log}");
                }
            }
        };
        // The rest of stdout (the routes) is drained so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(HostProcess { child: Mutex::new(child), url, started: seen, dir })
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.url
    }

    /// The process's SQLite file (its store when started without a database URL).
    pub fn sqlite_path(&self) -> PathBuf {
        self.dir.path().join("sqlite_db.db")
    }

    /// What the process printed on stdout up to its `Serving …` line.
    pub fn startup_output(&self) -> &str {
        &self.started
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.lock().unwrap_or_else(|e| e.into_inner()).id()
    }

    /// What the process wrote to stderr so far (its log).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("host.log")).unwrap_or_default()
    }

    /// Sends `method path` with a JSON body; `Err` when the connection fails (e.g. the
    /// process was killed while answering).
    pub fn send(&self, method: &str, path: &str, token: Option<&str>, json: &Value) -> anyhow::Result<(u16, Value)> {
        send_json(&self.url, method, path, token, json)
    }

    /// Freezes the process's test clock at `rfc3339`.
    pub fn set_clock(&self, rfc3339: &str) {
        let r = self.send("POST", "/_host/clock", None, &serde_json::json!({ "now": rfc3339 }));
        assert!(matches!(r, Ok((200, _))), "set_clock({rfc3339}) on the replica process: {r:?}");
    }

    /// Kills the process at once (SIGKILL on Unix: no clean-up of any kind, like a machine
    /// that died) and reaps it.
    pub fn kill(&self) {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

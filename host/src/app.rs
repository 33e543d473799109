//! Loading an application (manifest + compiled components) and starting hosts for it.

use crate::bindings::cron::fermyon::spin_cron::cron_types::{Error as CronError, Metadata};
use crate::bindings::cron::SpinCronPre;
use crate::clock::TestClock;
use crate::cron::{wait_for, RunGuard};
use crate::manifest::Manifest;
use crate::outbound::AllowedHosts;
use crate::router::Router;
use crate::server::{accept_loop, Served};
use crate::sqlite::{migrate, Database, DEFAULT_DATABASE};
use crate::state::{ComponentConfig, HostState};
use crate::variables::{render, resolve_app_variables, resolve_component_variables};
use anyhow::{anyhow, bail, Context, Result};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

/// The process-wide multi-thread tokio runtime every host runs on, so hosts can be started
/// from plain (non-async) code such as `#[test]` functions.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("zhicheng-host")
            .build()
            .expect("cannot start the tokio runtime")
    })
}

/// A loaded application: its manifest and its compiled, pre-linked components. Loading is
/// the expensive step (compilation, or deserialisation from the disk cache); cloning is cheap
/// and any number of hosts can be served from one `App`.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

pub(crate) struct AppInner {
    pub(crate) engine: Engine,
    pub(crate) manifest: Manifest,
    pub(crate) components: HashMap<String, Loaded>,
}

/// A component's pre-instantiated exports.
pub(crate) struct Loaded {
    pub(crate) proxy: Option<ProxyPre<HostState>>,
    pub(crate) cron: Option<SpinCronPre<HostState>>,
}

/// How to run a host.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The SQLite file; `None` means `.spin/sqlite_db.db` beside the manifest.
    pub sqlite_path: Option<PathBuf>,
    /// The listen address; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Enables the `/_host/…` test routes (settable clock, cron firing).
    pub test_mode: bool,
    /// Application variable values; they win over `SPIN_VARIABLE_*` and defaults.
    pub variables: HashMap<String, String>,
    /// Whether `SPIN_VARIABLE_<NAME>` environment variables are read.
    pub inherit_env: bool,
    /// Whether cron schedules run (test-mode firing works either way).
    pub cron: bool,
    /// Concurrency, queue, per-client and read-time limits.
    pub limits: crate::limits::Limits,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            sqlite_path: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            test_mode: false,
            variables: HashMap::new(),
            inherit_env: true,
            cron: true,
            limits: crate::limits::Limits::default(),
        }
    }
}

/// A host serving in the background on [`runtime`]. Dropping it stops accepting requests,
/// closes its connections and stops its cron schedules.
pub struct RunningHost {
    addr: SocketAddr,
    db_path: PathBuf,
    database_url: Option<String>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl RunningHost {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The SQLite database file.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The PostgreSQL address the components use, when the store is PostgreSQL.
    pub fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref()
    }
}

/// The application variable that chooses PostgreSQL (empty: the SQLite file).
pub const DATABASE_URL_VARIABLE: &str = "database_url";

/// Runs `f` to completion on [`runtime`] from synchronous code (not from a runtime thread).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

/// Set (to anything) to write a perf map of the compiled components for `perf report`.
pub const PERFMAP_ENV: &str = "ZHICHENG_PERFMAP";

/// How much of an instance's linear memory (and a sixteenth of it, of its tables) is reset
/// in place and kept resident when its slot is reused: more than a request's working set.
const KEEP_RESIDENT_BYTES: usize = 16 << 20;

fn engine() -> Result<Engine> {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(256)
        .total_core_instances(1024)
        .total_memories(256)
        .total_tables(1024)
        .total_stacks(256)
        .max_memory_size(1 << 30);
    // A finished instance's memory is reset for the next one in place: with Linux's
    // PAGEMAP_SCAN (6.7+) Wasmtime finds the pages the instance wrote and restores just those,
    // so they stay resident. By default it `madvise`d the whole memory away and the next
    // instance page-faulted its working set back in, one copy-on-write fault per page, with a
    // TLB shootdown across cores per reset: 7.7 % of the host's time over the load benchmark,
    // and drafts/s at 8 clients +17 % without it (issue 14). Without the ioctl, the default stays:
    // keeping memory resident would then `memset` the first bytes of every memory whether
    // written or not.
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(wasmtime::Enabled::Yes)
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(KEEP_RESIDENT_BYTES / 16);
    }
    let mut config = Config::new();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    // For `perf record`: names the guest's JIT-compiled functions in /tmp/perf-<pid>.map.
    if std::env::var_os(PERFMAP_ENV).is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    Engine::new(&config).map_err(|e| anyhow!("{e:#}"))
}

fn linker(engine: &Engine) -> Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    crate::bindings::fermyon::spin::sqlite::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
    crate::bindings::fermyon::spin::variables::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
    crate::bindings::spin::postgres::postgres::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
    Ok(linker)
}

impl App {
    /// Loads the manifest at `manifest_path` and its triggered components, caching compiled
    /// code in `.spin/cache` beside the manifest.
    pub fn load(manifest_path: impl AsRef<Path>) -> Result<App> {
        let manifest = Manifest::load(manifest_path.as_ref())?;
        let cache_dir = manifest.dir.join(".spin").join("cache");
        App::from_manifest(manifest, &cache_dir)
    }

    /// Like [`App::load`], with an explicit compiled-code cache directory.
    pub fn load_with_cache(manifest_path: impl AsRef<Path>, cache_dir: &Path) -> Result<App> {
        App::from_manifest(Manifest::load(manifest_path.as_ref())?, cache_dir)
    }

    fn from_manifest(manifest: Manifest, cache_dir: &Path) -> Result<App> {
        let engine = engine()?;
        let linker = linker(&engine)?;
        let mut compiled: HashMap<PathBuf, wasmtime::component::Component> = HashMap::new();
        let mut components = HashMap::new();
        for decl in manifest.triggered_components() {
            let component = match compiled.get(&decl.source) {
                Some(c) => c.clone(),
                None => {
                    if !decl.source.is_file() {
                        bail!(
                            "component `{}`: {} does not exist; build the wasm components first (cargo build --target wasm32-wasip2 --release)",
                            decl.id,
                            decl.source.display()
                        );
                    }
                    let c = crate::cache::load_component(&engine, &decl.source, cache_dir)?;
                    compiled.insert(decl.source.clone(), c.clone());
                    c
                }
            };
            let pre = linker
                .instantiate_pre(&component)
                .map_err(|e| anyhow!("component `{}` cannot be linked: {e:#}", decl.id))?;
            let is_http = manifest.http_triggers.iter().any(|t| t.component == decl.id);
            let is_cron = manifest.cron_triggers.iter().any(|t| t.component == decl.id);
            let proxy = if is_http {
                Some(ProxyPre::new(pre.clone()).map_err(|e| {
                    anyhow!("component `{}` does not export wasi:http/incoming-handler: {e:#}", decl.id)
                })?)
            } else {
                None
            };
            let cron = if is_cron {
                Some(
                    SpinCronPre::new(pre)
                        .map_err(|e| anyhow!("component `{}` does not export handle-cron-event: {e:#}", decl.id))?,
                )
            } else {
                None
            };
            components.insert(decl.id.clone(), Loaded { proxy, cron });
        }
        Ok(App { inner: Arc::new(AppInner { engine, manifest, components }) })
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.inner.manifest
    }

    /// Resolves variables, applies migrations, binds `options.listen` and serves in the
    /// background on [`runtime`]. Errors (a required variable without value, a bad
    /// allow-list entry, a failed migration, a busy port) are returned before serving.
    pub fn serve_in_background(&self, options: ServeOptions) -> Result<RunningHost> {
        let manifest = &self.inner.manifest;
        let env = |k: &str| {
            if options.inherit_env {
                std::env::var(k).ok()
            } else {
                None
            }
        };
        let app_vars = resolve_app_variables(&manifest.variables, &options.variables, env)?;

        let mut configs = HashMap::new();
        for id in self.inner.components.keys() {
            let decl = &manifest.components[id];
            let hosts = decl
                .allowed_outbound_hosts
                .iter()
                .map(|h| render(h, &app_vars))
                .collect::<Result<Vec<_>>>()
                .with_context(|| format!("component `{id}`"))?;
            if let Some(db) = decl.sqlite_databases.iter().find(|d| *d != DEFAULT_DATABASE) {
                bail!("component `{id}` uses SQLite database `{db}`, which is not defined (only `default` is)");
            }
            let config = ComponentConfig {
                variables: resolve_component_variables(&decl.variables, &app_vars)
                    .with_context(|| format!("component `{id}` variables"))?,
                sqlite_databases: decl.sqlite_databases.clone(),
                allowed_hosts: Arc::new(AllowedHosts::parse(&hosts).with_context(|| format!("component `{id}`"))?),
            };
            configs.insert(id.clone(), Arc::new(config));
        }

        let db_path = match &options.sqlite_path {
            Some(p) => p.clone(),
            None => manifest.dir.join(".spin").join("sqlite_db.db"),
        };
        if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        migrate(&db_path, &manifest.dir.join("migrations"))?;
        // PostgreSQL (issue 15): the `database_url` variable chooses it for the components;
        // the host applies the same migrations there, translated.
        let database_url = app_vars.get(DATABASE_URL_VARIABLE).map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        if let Some(url) = &database_url {
            let dir = manifest.dir.join("migrations");
            block_on(crate::pg::migrate(url, &dir)).context("PostgreSQL migrations")?;
        }

        let router = Router::new(manifest.http_triggers.iter().map(|t| (t.route.as_str(), t.component.as_str())))?;
        let crons =
            manifest.cron_triggers.iter().map(|t| (t.component.clone(), Arc::new(RunGuard::default()))).collect();
        let listener = std::net::TcpListener::bind(options.listen)
            .with_context(|| format!("cannot listen on {}", options.listen))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;

        let served = Arc::new(Served {
            app: self.inner.clone(),
            router,
            configs,
            db: Arc::new(Database::new(db_path.clone())),
            pg: Arc::default(),
            clock: options.test_mode.then(|| Arc::new(TestClock::default())),
            crons,
            admission: crate::limits::Admission::new(options.limits.clone()),
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let _guard = runtime().enter();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let schedules = if options.cron { manifest.cron_triggers.clone() } else { Vec::new() };
        runtime().spawn(accept_loop(listener, served, schedules, rx));
        Ok(RunningHost { addr, db_path, database_url, _shutdown: tx })
    }
}

impl Served {
    /// Runs one tick of cron component `id` with `timestamp` (Unix seconds).
    pub(crate) async fn run_cron(&self, id: &str, timestamp: u64) -> Result<()> {
        let pre = self
            .app
            .components
            .get(id)
            .and_then(|l| l.cron.clone())
            .with_context(|| format!("`{id}` is not a cron component"))?;
        let config = self.configs.get(id).cloned().with_context(|| format!("no component `{id}`"))?;
        let mut store =
            Store::new(&self.app.engine, HostState::new(config, self.db.clone(), self.pg.clone(), self.clock.clone()));
        let instance = pre.instantiate_async(&mut store).await.map_err(|e| anyhow!("{e:#}"))?;
        match instance.call_handle_cron_event(&mut store, Metadata { timestamp }).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(CronError::Other(msg))) => {
                bail!("cron component `{id}` returned an error: {msg}")
            }
            Err(e) => bail!("cron component `{id}` trapped: {e:#}"),
        }
    }

    /// Fires `trigger` at each scheduled time, skipping ticks while one is running.
    pub(crate) async fn schedule(self: Arc<Self>, trigger: crate::manifest::CronTrigger) {
        let Some(guard) = self.crons.get(&trigger.component).cloned() else {
            return;
        };
        for due in trigger.schedule.upcoming_owned(chrono::Utc) {
            let Some(wait) = wait_for(due, chrono::Utc::now()) else {
                continue;
            };
            tokio::time::sleep(wait).await;
            let Some(running) = guard.try_start() else {
                eprintln!("zhicheng-host: cron `{}` still running; tick skipped", trigger.component);
                continue;
            };
            let served = self.clone();
            let id = trigger.component.clone();
            tokio::spawn(async move {
                let _running = running;
                let started = std::time::Instant::now();
                let result = served.run_cron(&id, served.now_unix()).await;
                let ms = started.elapsed().as_millis();
                match result {
                    Ok(()) => eprintln!("CRON {id} ok {ms}ms"),
                    Err(e) => eprintln!("CRON {id} failed {ms}ms: {e:#}"),
                }
            });
        }
    }
}

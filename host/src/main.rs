//! `zhicheng-host` command line: `up` serves a Spin manifest, `mint-token` signs a bearer token.

use anyhow::{bail, Context, Result};
use shared::auth::{mint, Claims, Role};
use std::net::SocketAddr;
use std::path::PathBuf;
use zhicheng_host::{runtime, App, Limits, ServeOptions};

const USAGE: &str = "\
usage:
  zhicheng-host up [--manifest spin.toml] [--listen 127.0.0.1:3000] [--sqlite-file <path>]
                   [--cache-dir <dir>] [--seed <file.sql>] [--test-mode] [--no-cron]
                   [--max-concurrent 64] [--max-queued 256] [--queue-timeout-ms 10000]
                   [--max-per-client 32] [--header-timeout-ms 10000] [--body-timeout-ms 60000]
                   [--max-body-bytes 1048576]
  zhicheng-host compile [--manifest spin.toml] [--cache-dir <dir>]
  zhicheng-host mint-token --sub <id> --name <name> --role <role> [--org <org>] [--ttl-seconds 86400]
  zhicheng-host migrate --database-url <postgres://…> [--migrations migrations]
  zhicheng-host copy-to-postgres --sqlite-file <path> --database-url <postgres://…> [--migrations migrations]

`up` uses PostgreSQL when SPIN_VARIABLE_DATABASE_URL (the `database_url` variable) is set, and
applies the migrations, the --seed script and the personal-data reseal there. `migrate` prepares a PostgreSQL database for real Spin, which does
not run migrations. `copy-to-postgres` moves a province's SQLite database into a new PostgreSQL
database (migrated first), verifying every table's row count and the audit chain. `compile`
compiles the manifest's components into the cache `up` reads (default .spin/cache beside the
manifest) and exits, so that hosts started next, side by side, do not each compile them.

Application variables come from SPIN_VARIABLE_<NAME> (e.g. SPIN_VARIABLE_AUTH_SECRET) or their
manifest defaults. Each limit can also be set by its ZHICHENG_HOST_* variable (the flag wins):
ZHICHENG_HOST_MAX_CONCURRENT, _MAX_QUEUED, _QUEUE_TIMEOUT_MS, _MAX_PER_CLIENT,
_HEADER_TIMEOUT_MS, _BODY_TIMEOUT_MS, _MAX_BODY_BYTES. Roles: applicant, unit, dept, committee_org, judge, province.";

/// Parsed `--flag value` / `--switch` arguments.
struct Args {
    values: Vec<(String, Option<String>)>,
}

impl Args {
    fn parse(args: &[String], switches: &[&str], options: &[&str]) -> Result<Args> {
        let mut values = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if switches.contains(&a.as_str()) {
                values.push((a.clone(), None));
            } else if options.contains(&a.as_str()) {
                let v = it.next().with_context(|| format!("{a} needs a value"))?;
                values.push((a.clone(), Some(v.clone())));
            } else {
                bail!("unexpected argument `{a}`\n\n{USAGE}");
            }
        }
        Ok(Args { values })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().rev().find(|(n, _)| n == name).and_then(|(_, v)| v.as_deref())
    }

    fn has(&self, name: &str) -> bool {
        self.values.iter().any(|(n, _)| n == name)
    }
}

/// The manifest's app, its components compiled (or read from the cache) as `up` does.
fn load(manifest: &std::path::Path, cache_dir: Option<&str>) -> Result<App> {
    match cache_dir {
        Some(dir) => App::load_with_cache(manifest, &PathBuf::from(dir)),
        None => App::load(manifest),
    }
}

fn compile(args: &[String]) -> Result<()> {
    let a = Args::parse(args, &[], &["--manifest", "--cache-dir"])?;
    let manifest = PathBuf::from(a.get("--manifest").unwrap_or("spin.toml"));
    let app = load(&manifest, a.get("--cache-dir"))?;
    println!("compiled the {} components of {}", app.manifest().triggered_components().len(), manifest.display());
    Ok(())
}

fn up(args: &[String]) -> Result<()> {
    let mut options: Vec<&str> = vec!["--manifest", "--listen", "--sqlite-file", "--cache-dir", "--seed"];
    options.extend(zhicheng_host::limits::SETTINGS.iter().map(|(flag, _)| *flag));
    let a = Args::parse(args, &["--test-mode", "--no-cron"], &options)?;
    let limits = Limits::configured(|flag, env| {
        a.get(flag).map(str::to_string).or_else(|| std::env::var(env).ok().filter(|v| !v.is_empty()))
    })?;
    let manifest = PathBuf::from(a.get("--manifest").unwrap_or("spin.toml"));
    let listen: SocketAddr =
        a.get("--listen").unwrap_or("127.0.0.1:3000").parse().context("--listen must be ip:port")?;
    let app = load(&manifest, a.get("--cache-dir"))?;
    let options = ServeOptions {
        sqlite_path: a.get("--sqlite-file").map(PathBuf::from),
        listen,
        test_mode: a.has("--test-mode"),
        cron: !a.has("--no-cron"),
        limits,
        ..ServeOptions::default()
    };
    let host = app.serve_in_background(options)?;
    if let Some(seed) = a.get("--seed") {
        // Demo data (idempotent SQL), applied after the migrations at every start.
        // On the store the components use: PostgreSQL when `database_url` is set.
        let sql = std::fs::read_to_string(seed).with_context(|| format!("cannot read --seed {seed}"))?;
        match host.database_url() {
            Some(url) => {
                runtime()
                    .block_on(zhicheng_host::pg::apply_script(url, &sql))
                    .with_context(|| format!("--seed {seed} failed on PostgreSQL"))?;
            }
            None => {
                let conn = rusqlite::Connection::open(host.db_path())?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn.execute_batch(&sql).with_context(|| format!("--seed {seed} failed"))?;
            }
        }
        println!("Applied seed data from {seed}");
    }
    // The store the components use: PostgreSQL when `database_url` is set, else the file.
    match host.database_url() {
        Some(url) => {
            let db = shared::store::pg_native::PgNativeDb::connect(url)
                .map_err(|e| anyhow::anyhow!("cannot reach PostgreSQL for the personal-data reseal: {e}"))?;
            reseal_personal_data(&db)?;
        }
        None => {
            let conn = rusqlite::Connection::open(host.db_path())?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            reseal_personal_data(&shared::store::native::NativeDb::new(conn))?;
        }
    }
    println!("Serving {}", host.url());
    println!("Available Routes:");
    for t in &app.manifest().http_triggers {
        println!("  {}: {}{}", t.component, host.url(), t.route);
    }
    for t in &app.manifest().cron_triggers {
        println!("  {}: cron `{}`", t.component, t.cron_expression);
    }
    if a.has("--test-mode") {
        println!("Test mode: /_host/clock, /_host/clock/advance, /_host/cron/<component>");
    }
    runtime().block_on(tokio::signal::ctrl_c())?;
    drop(host);
    Ok(())
}

/// Issue 10: the seed (and any older database) carries ID numbers in clear; at every start,
/// with the app's personal-data keys, the same idempotent step as `POST /api/jobs/pii-reseal`
/// moves them into the vault (and rekeys) before the first request is served from them.
/// Without `SPIN_VARIABLE_PII_KEY` it is skipped (the components then refuse to start work).
/// `db` is the store the components use (issue 15: PostgreSQL when `database_url` is set);
/// replicas starting together each run it, and the reseal is one transaction under the
/// writer lock, so the second finds nothing left to do.
fn reseal_personal_data(db: &dyn shared::store::Db) -> Result<()> {
    let var = |n: &str| std::env::var(format!("SPIN_VARIABLE_{n}")).ok().filter(|v| !v.is_empty());
    let (Some(key), Some(index)) = (var("PII_KEY"), var("PII_INDEX_KEY")) else {
        return Ok(());
    };
    let keys = shared::pii::Keys::parse(&key, &var("PII_OLD_KEYS").unwrap_or_default(), &index)
        .map_err(|e| anyhow::anyhow!(e))?;
    shared::pii::install(Some(keys));
    let r = shared::pii::reseal(db).map_err(|e| anyhow::anyhow!("personal-data reseal failed: {}", e.code()))?;
    println!("Personal data resealed: {} tokenised, {} rehashed, {} rekeyed", r.tokenised, r.rehashed, r.rekeyed);
    shared::pii::install(None);
    Ok(())
}

fn mint_token(args: &[String]) -> Result<()> {
    let a = Args::parse(args, &[], &["--sub", "--name", "--role", "--org", "--ttl-seconds"])?;
    let secret = std::env::var("SPIN_VARIABLE_AUTH_SECRET").ok().filter(|s| !s.is_empty()).context(
        "SPIN_VARIABLE_AUTH_SECRET is not set: export SPIN_VARIABLE_AUTH_SECRET=<the app's auth_secret> first",
    )?;
    let role = a.get("--role").context("--role is required")?;
    let role = Role::parse(role).with_context(|| format!("unknown role `{role}`\n\n{USAGE}"))?;
    let ttl: i64 = a.get("--ttl-seconds").unwrap_or("86400").parse().context("--ttl-seconds must be an integer")?;
    let claims = Claims {
        sub: a.get("--sub").context("--sub is required")?.to_string(),
        name: a.get("--name").context("--name is required")?.to_string(),
        role,
        org: a.get("--org").unwrap_or_default().to_string(),
        exp: chrono::Utc::now().timestamp() + ttl,
        sid: None,
        op: None,
    };
    println!("{}", mint(secret.as_bytes(), &claims));
    Ok(())
}

fn migrate_pg(args: &[String]) -> Result<()> {
    let a = Args::parse(args, &[], &["--database-url", "--migrations"])?;
    let url = a.get("--database-url").context("--database-url is required")?;
    let dir = PathBuf::from(a.get("--migrations").unwrap_or("migrations"));
    let applied = runtime().block_on(zhicheng_host::pg::migrate(url, &dir))?;
    println!("applied {} migration(s): {}", applied.len(), applied.join(", "));
    Ok(())
}

fn copy_to_postgres(args: &[String]) -> Result<()> {
    let a = Args::parse(args, &[], &["--sqlite-file", "--database-url", "--migrations"])?;
    let url = a.get("--database-url").context("--database-url is required")?;
    let file = PathBuf::from(a.get("--sqlite-file").context("--sqlite-file is required")?);
    let dir = PathBuf::from(a.get("--migrations").unwrap_or("migrations"));
    let report = zhicheng_host::pg::move_up(&file, url, &dir)?;
    for (table, rows) in &report.tables {
        println!("  {table}: {rows} rows");
    }
    println!("copied {} tables; audit chain verified: {} events", report.tables.len(), report.audit_events);
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("up") => up(&args[1..]),
        Some("compile") => compile(&args[1..]),
        Some("mint-token") => mint_token(&args[1..]),
        Some("migrate") => migrate_pg(&args[1..]),
        Some("copy-to-postgres") => copy_to_postgres(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(anyhow::anyhow!("{USAGE}")),
    };
    if let Err(e) = result {
        eprintln!("zhicheng-host: {e:#}");
        std::process::exit(1);
    }
}

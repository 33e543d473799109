//! The glue every component uses inside Spin: read the request, the variables and the
//! clock, open the request's one connection, call a router of [`crate::api`], and
//! convert the response back. Nothing else happens in a component.

use crate::api::{self, Env};
use crate::error::DomainError;
use crate::store::pg::PgDb;
use crate::store::spin::SpinDb;
use crate::store::{Db, StoreError};
use chrono::{DateTime, Utc};

/// Spin variable holding the HS256 token secret.
pub const VAR_AUTH_SECRET: &str = "auth_secret";
/// Spin variable holding the upload limit in bytes.
pub const VAR_MAX_UPLOAD_BYTES: &str = "max_upload_bytes";
/// Spin variable holding the identity providers of federated sign-in (JSON; optional).
pub const VAR_FEDERATION_ISSUERS: &str = "federation_issuers";
/// Spin variable holding the portal's public origin (certificates' QR codes).
pub const VAR_PUBLIC_ORIGIN: &str = "public_origin";
/// Spin variable holding the PostgreSQL address (`postgres://user@host:port/db`); empty or
/// absent means the component's SQLite database `default`. Configuration, not a rebuild.
pub const VAR_DATABASE_URL: &str = "database_url";
/// Upload limit when the variable is absent: 10 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// A router of the API.
pub type Router = fn(&api::Request, &dyn Db, &Env) -> api::Response;

/// The wall clock as the host gives it to the component (`wasi:clocks/wall-clock`).
pub fn now() -> DateTime<Utc> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    DateTime::<Utc>::from_timestamp(d.as_secs() as i64, d.subsec_nanos()).unwrap_or_default()
}

fn env() -> Result<Env, DomainError> {
    let secret = spin_sdk::variables::get(VAR_AUTH_SECRET)
        .map_err(|e| DomainError::Internal(format!("variable {VAR_AUTH_SECRET}: {e:?}")))?;
    if secret.len() < 16 {
        return Err(DomainError::Internal(format!("variable {VAR_AUTH_SECRET} shorter than 16 bytes")));
    }
    let max_upload_bytes = spin_sdk::variables::get(VAR_MAX_UPLOAD_BYTES)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MAX_UPLOAD_BYTES);
    // Only the session component declares it; elsewhere it is absent and means none.
    let federation_issuers = spin_sdk::variables::get(VAR_FEDERATION_ISSUERS).unwrap_or_default();
    let public_origin = match spin_sdk::variables::get(VAR_PUBLIC_ORIGIN) {
        Ok(o) => api::check_public_origin(&o)
            .map_err(|e| DomainError::Internal(format!("variable {VAR_PUBLIC_ORIGIN}: {e}")))?,
        Err(_) => api::DEFAULT_PUBLIC_ORIGIN.to_owned(),
    };
    Ok(Env { auth_secret: secret.into_bytes(), now: now(), max_upload_bytes, federation_issuers, public_origin })
}

fn to_api(req: &spin_sdk::http::Request) -> api::Request {
    api::Request {
        method: req.method().to_string().to_ascii_uppercase(),
        path: req.path().to_owned(),
        query: req.query().to_owned(),
        headers: req
            .headers()
            .map(|(k, v)| (k.to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: req.body().to_vec(),
    }
}

fn from_api(r: api::Response) -> spin_sdk::http::Response {
    let mut b = spin_sdk::http::Response::builder();
    b.status(r.status);
    for (k, v) in r.headers {
        b.header(k, v);
    }
    b.body(r.body).build()
}

/// Installs the personal-data keys of this component (`crate::pii`) from its variables:
/// none when it is not granted `pii_key` (it then never touches ID numbers); a granted but
/// malformed key is an error (named, never echoed).
pub fn install_pii_keys() -> Result<(), DomainError> {
    use crate::pii::{Keys, VAR_PII_INDEX_KEY, VAR_PII_KEY, VAR_PII_OLD_KEYS};
    let keys = match spin_sdk::variables::get(VAR_PII_KEY) {
        Err(_) => None,
        Ok(current) => {
            let old = spin_sdk::variables::get(VAR_PII_OLD_KEYS).unwrap_or_default();
            let index = spin_sdk::variables::get(VAR_PII_INDEX_KEY)
                .map_err(|_| DomainError::Internal(format!("variable {VAR_PII_INDEX_KEY} is missing")))?;
            Some(Keys::parse(&current, &old, &index).map_err(DomainError::Internal)?)
        }
    };
    crate::pii::install(keys);
    Ok(())
}

/// Opens the request's one connection: PostgreSQL when `database_url` is set, else SQLite.
pub fn open_db() -> Result<Box<dyn Db>, StoreError> {
    match spin_sdk::variables::get(VAR_DATABASE_URL) {
        Ok(url) if !url.trim().is_empty() => Ok(Box::new(PgDb::open(url.trim())?)),
        _ => Ok(Box::new(SpinDb::open_default()?)),
    }
}

/// Serves one HTTP request with `router`.
pub fn serve(req: spin_sdk::http::Request, router: Router) -> spin_sdk::http::Response {
    let api_req = to_api(&req);
    let resp = match install_pii_keys().and_then(|()| env()) {
        Err(e) => api::Response::error(&e),
        Ok(env) => match open_db() {
            Ok(db) => router(&api_req, db.as_ref(), &env),
            Err(e) => api::Response::error(&DomainError::from(e)),
        },
    };
    from_api(resp)
}

/// Runs a scheduled job with the request's connection and clock; the error text is
/// what the cron trigger logs.
pub fn run_job<T: serde::Serialize>(
    job: impl FnOnce(&dyn Db, DateTime<Utc>) -> Result<T, DomainError>,
) -> Result<String, String> {
    install_pii_keys().map_err(|e| format!("{}: {e:?}", e.code()))?;
    let db = open_db().map_err(|e| e.to_string())?;
    let out = job(db.as_ref(), now()).map_err(|e| format!("{}: {e:?}", e.code()))?;
    serde_json::to_string(&out).map_err(|e| e.to_string())
}

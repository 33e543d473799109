use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use spin_sdk::http::{IntoResponse, Request, Response};
use spin_sdk::http_component;

/// The answer of `/api/health`: liveness, and the server's clock — the instant (UTC) and
/// the day in Asia/Shanghai — so the portal counts deadlines from the server's today,
/// never the browser's (the host's test clock moves both). Tested through the host:
/// `health_tells_the_server_s_instant_and_its_day_in_shanghai` (tests/tests/e2e/limits.rs).
fn body(now: DateTime<Utc>) -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    format!(
        r#"{{"status":"ok","now":"{}","today":"{}"}}"#,
        now.to_rfc3339_opts(SecondsFormat::Secs, true),
        now.with_timezone(&cst).date_naive()
    )
}

#[http_component]
fn handle(_req: Request) -> anyhow::Result<impl IntoResponse> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let now = DateTime::<Utc>::from_timestamp(d.as_secs() as i64, 0).unwrap_or_default();
    Ok(Response::builder().status(200).header("content-type", "application/json").body(body(now)).build())
}

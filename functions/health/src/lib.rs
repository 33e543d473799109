use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use spin_sdk::http::{IntoResponse, Request, Response};
use spin_sdk::http_component;

/// The answer of `/api/health`: liveness, and the server's clock — the instant (UTC) and
/// the day in Asia/Shanghai — so the portal counts deadlines from the server's today,
/// never the browser's (the host's test clock moves both).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_is_shanghai_s_and_turns_at_16_utc() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            body(t("2026-11-27T15:59:59Z")),
            r#"{"status":"ok","now":"2026-11-27T15:59:59Z","today":"2026-11-27"}"#
        );
        assert_eq!(
            body(t("2026-11-27T16:00:00Z")),
            r#"{"status":"ok","now":"2026-11-27T16:00:00Z","today":"2026-11-28"}"#
        );
    }
}

//! Outbound HTTP (`wasi:http/outgoing-handler`) restricted to a component's
//! `allowed_outbound_hosts`, in the forms Spin accepts: `https://example.com` (the scheme's
//! default port), `http://127.0.0.1:8080`, `http://127.0.0.1:*` (any port),
//! `https://*.example.com` (any subdomain), `*://example.com:*` (any scheme) and `*://*:*`.
//! A request to anything else fails with `ErrorCode::HttpRequestDenied` before any
//! connection is made.

use anyhow::{bail, Context, Result};
use std::future::Future;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Port {
    Any,
    Exact(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowedHost {
    /// `None` means any scheme.
    scheme: Option<String>,
    /// Lowercase host; `*` for any host, `*.suffix` for subdomains of `suffix`.
    host: String,
    port: Port,
}

/// A component's parsed `allowed_outbound_hosts`.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    entries: Vec<AllowedHost>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        "postgres" => Some(5432),
        _ => None,
    }
}

impl AllowedHosts {
    /// Parses the (already templated) entries; a malformed entry is an error.
    pub fn parse(entries: &[String]) -> Result<AllowedHosts> {
        let entries = entries
            .iter()
            .map(|e| parse_entry(e).with_context(|| format!("allowed_outbound_hosts entry `{e}`")))
            .collect::<Result<_>>()?;
        Ok(AllowedHosts { entries })
    }

    /// Whether a request to `scheme://host[:port]` is allowed (`port` `None` = default port).
    pub fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        let scheme = scheme.to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let Some(port) = port.or_else(|| default_port(&scheme)) else {
            return false;
        };
        self.entries.iter().any(|e| {
            let scheme_ok = e.scheme.as_deref().is_none_or(|s| s == scheme);
            let host_ok = match e.host.strip_prefix("*.") {
                _ if e.host == "*" => true,
                Some(suffix) => {
                    host.len() > suffix.len() + 1
                        && host.ends_with(suffix)
                        && host[..host.len() - suffix.len()].ends_with('.')
                }
                None => e.host == host,
            };
            let port_ok = match e.port {
                Port::Any => true,
                Port::Exact(p) => p == port,
            };
            scheme_ok && host_ok && port_ok
        })
    }

    /// Whether a request URI is allowed.
    pub fn allows_uri(&self, uri: &http::Uri) -> bool {
        match (uri.scheme_str(), uri.host()) {
            (Some(scheme), Some(host)) => self.allows(scheme, host, uri.port_u16()),
            _ => false,
        }
    }
}

fn parse_entry(entry: &str) -> Result<AllowedHost> {
    let Some((scheme, rest)) = entry.split_once("://") else {
        bail!("expected `scheme://host[:port]`");
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() || rest.contains('/') {
        bail!("expected `scheme://host[:port]` without a path");
    }
    let scheme = scheme.to_ascii_lowercase();
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (rest, None),
    };
    let port = match port {
        Some("*") => Port::Any,
        Some(p) => Port::Exact(p.parse().with_context(|| format!("bad port `{p}`"))?),
        None if scheme == "*" => bail!("a `*` scheme needs an explicit port (e.g. `:*`)"),
        None => Port::Exact(default_port(&scheme).with_context(|| format!("no default port for scheme `{scheme}`"))?),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    // `*` alone, `*.suffix`, or a plain name / address.
    let well_formed = match host.strip_prefix("*.") {
        Some(suffix) => !suffix.is_empty() && !suffix.contains('*'),
        None => host == "*" || (!host.is_empty() && !host.contains('*')),
    };
    if !well_formed {
        bail!("bad host `{host}`");
    }
    Ok(AllowedHost { scheme: (scheme != "*").then_some(scheme), host, port })
}

/// The `wasi:http` hooks of one store: the default sender behind the allow-list check.
pub struct OutboundHooks {
    /// The component's allow-list.
    pub allowed: std::sync::Arc<AllowedHosts>,
}

type SendFuture = Box<
    dyn Future<
            Output = Result<
                (http::Response<WasiBody>, Box<dyn Future<Output = Result<(), HttpError>> + Send>),
                HttpError,
            >,
        > + Send,
>;

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> SendFuture {
        if !self.allowed.allows_uri(request.uri()) {
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        wasmtime_wasi_http::default_hooks().send_request(request, options, fut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(entries: &[&str]) -> AllowedHosts {
        AllowedHosts::parse(&entries.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn an_entry_without_port_allows_only_the_default_port() {
        let h = hosts(&["https://example.com"]);
        assert!(h.allows("https", "example.com", None));
        assert!(h.allows("https", "EXAMPLE.com", Some(443)));
        assert!(!h.allows("https", "example.com", Some(8443)));
        assert!(!h.allows("http", "example.com", None));
        assert!(!h.allows("https", "api.example.com", None));
    }

    #[test]
    fn port_and_host_wildcards_match_like_spin() {
        let h = hosts(&["http://127.0.0.1:*", "https://*.example.org", "*://svc.local:8080"]);
        assert!(h.allows("http", "127.0.0.1", Some(1234)));
        assert!(h.allows("http", "127.0.0.1", None));
        assert!(!h.allows("http", "127.0.0.2", Some(1234)));
        assert!(!h.allows("http", "localhost", Some(1234)));
        assert!(h.allows("https", "a.example.org", None));
        assert!(h.allows("https", "b.a.example.org", None));
        assert!(!h.allows("https", "example.org", None));
        assert!(!h.allows("https", "badexample.org", None));
        assert!(h.allows("http", "svc.local", Some(8080)));
        assert!(h.allows("https", "svc.local", Some(8080)));
        assert!(!h.allows("https", "svc.local", None));
        assert!(hosts(&["*://*:*"]).allows("https", "anything.test", Some(1)));
        assert!(!hosts(&[]).allows("https", "example.com", None));
    }

    #[test]
    fn malformed_entries_are_rejected() {
        for bad in ["example.com", "https://", "https://a/b", "http://a:x", "*://a", "https://a*b.com"] {
            assert!(AllowedHosts::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn uris_are_checked_by_scheme_host_and_port() {
        let h = hosts(&["http://127.0.0.1:*"]);
        assert!(h.allows_uri(&"http://127.0.0.1:9/x?y".parse().unwrap()));
        assert!(!h.allows_uri(&"https://127.0.0.1:9/".parse().unwrap()));
        assert!(!h.allows_uri(&"/relative".parse().unwrap()));
    }
}

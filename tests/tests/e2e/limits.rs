//! Issue 10, host limits: a slow or greedy client cannot take the service down. Bodies
//! are read before an instance is taken, instances are bounded with a bounded queue, and
//! what does not fit is told `503` + `Retry-After` (never `500`).

use e2e::{probe_manifest, zhicheng_host::Limits, TestApp};
use serde_json::json;
use shared::auth::Role;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A raw HTTP/1.1 exchange on a fresh connection → (status, lower-cased head, body).
fn raw(base_url: &str, request: &str) -> (u16, String, String) {
    let addr = base_url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

/// Opens a connection that sends the head of `POST /api/applications` declaring a
/// 1024-byte body, sends one byte of it, and stalls.
fn stalled_body(base_url: &str) -> TcpStream {
    let addr = base_url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(
        b"POST /api/applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Authorization: Bearer x\r\nContent-Length: 1024\r\n\r\n{",
    )
    .unwrap();
    s
}

#[test]
fn hundreds_of_stalled_bodies_take_no_instance_and_health_and_a_signed_request_still_succeed() {
    let limits = Limits { body_read_timeout: Duration::from_secs(4), ..Limits::default() };
    let app = TestApp::builder(e2e::app_manifest()).limits(limits).start().unwrap();
    let province = app.token("op-prov", "省人社厅", Role::Province, "ORG-PROVINCE");
    let stalled: Vec<TcpStream> = (0..300).map(|_| stalled_body(&app.base_url())).collect();
    std::thread::sleep(Duration::from_millis(300)); // every head has reached the host
    let started = Instant::now();
    assert_eq!(app.get("/api/health", None).0, 200);
    let (status, body) = app.get("/api/admin/organisations", province.as_str());
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.post(
        "/api/province/organisations",
        province.as_str(),
        &json!({"id": "ORG-U-STALL", "kind": "unit", "name": "测试单位", "region_code": "430100"}),
    );
    assert_eq!(status, 201, "{body}");
    assert!(started.elapsed() < Duration::from_secs(3), "served while 300 bodies stall: {:?}", started.elapsed());
    // Past the body timeout each stalled client is told 408 and its connection closed.
    for mut s in stalled {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("REQUEST_TIMEOUT"), "{text}");
    }
    assert_eq!(app.get("/api/health", None).0, 200);
}

/// A server on 127.0.0.1 that accepts one connection, signals it, waits `hold`, and
/// answers `200 ok`: the probe's outbound call to it holds the probe's instance that long.
fn slow_server(hold: Duration) -> (u16, std::sync::mpsc::Receiver<()>, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else { return };
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let _ = tx.send(());
        std::thread::sleep(hold);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    });
    (port, rx, handle)
}

#[test]
fn beyond_the_instance_slots_and_the_queue_a_request_gets_503_with_retry_after_never_500() {
    let limits = Limits { max_concurrent: 1, max_queued: 0, ..Limits::default() };
    let app = TestApp::builder(probe_manifest()).limits(limits).start().unwrap();
    let (port, accepted, server) = slow_server(Duration::from_millis(1500));
    std::thread::scope(|s| {
        let busy = s.spawn(|| app.get(&format!("/probe/outbound?url=http://127.0.0.1:{port}/"), None));
        accepted.recv_timeout(Duration::from_secs(20)).expect("the probe called the slow server");
        // The one instance slot is taken and nobody may queue.
        let (status, head, body) =
            raw(&app.base_url(), "GET /probe/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_eq!(status, 503, "{head}\n{body}");
        assert!(head.contains("\r\nretry-after: 2"), "{head}");
        assert!(body.contains("SERVICE_BUSY"), "{body}");
        assert_eq!(busy.join().unwrap(), (200, json!({ "status": 200 })));
    });
    server.join().unwrap();
    assert_eq!(app.get("/probe/echo", None).0, 200, "the slot is free again");
}

#[test]
fn a_queued_request_runs_when_a_slot_frees_and_one_client_cannot_take_every_slot() {
    let limits = Limits { max_concurrent: 1, max_queued: 4, ..Limits::default() };
    let app = TestApp::builder(probe_manifest()).limits(limits).start().unwrap();
    let (port, accepted, server) = slow_server(Duration::from_millis(800));
    std::thread::scope(|s| {
        let busy = s.spawn(|| app.get(&format!("/probe/outbound?url=http://127.0.0.1:{port}/"), None));
        accepted.recv_timeout(Duration::from_secs(20)).unwrap();
        let started = Instant::now();
        assert_eq!(app.get("/probe/echo", None).0, 200, "queued, then served");
        assert!(started.elapsed() >= Duration::from_millis(300), "it waited for the slot");
        busy.join().unwrap();
    });
    server.join().unwrap();

    let limits = Limits { max_concurrent: 8, max_per_client: 1, ..Limits::default() };
    let app = TestApp::builder(probe_manifest()).limits(limits).start().unwrap();
    let (port, accepted, server) = slow_server(Duration::from_millis(1500));
    std::thread::scope(|s| {
        let busy = s.spawn(|| app.get(&format!("/probe/outbound?url=http://127.0.0.1:{port}/"), None));
        accepted.recv_timeout(Duration::from_secs(20)).unwrap();
        let (status, head, body) =
            raw(&app.base_url(), "GET /probe/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_eq!((status, head.contains("retry-after: 2")), (429, true), "{head}\n{body}");
        busy.join().unwrap();
    });
    server.join().unwrap();
}

#[test]
fn a_body_declared_beyond_the_components_limit_is_refused_413_before_any_instance() {
    let limits = Limits { body_read_timeout: Duration::from_secs(1), ..Limits::default() };
    let app = TestApp::builder(e2e::app_manifest()).limits(limits).start().unwrap();
    // `health` has no upload limit: the host's 1 MiB applies. The client sends 2 of the
    // 2 000 000 bytes it declares; the host drains what comes (for at most the body
    // timeout) and refuses.
    let (status, _, body) = raw(
        &app.base_url(),
        "POST /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n{}",
    );
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("PAYLOAD_TOO_LARGE") && body.contains("1048576"), "{body}");
}

/// Issue 16: `/api/health` tells the server's clock — the instant and the day in
/// Asia/Shanghai — so the portal counts deadlines from the server's today (the test
/// clock moves it), never from the browser's date.
#[test]
fn health_tells_the_server_s_instant_and_its_day_in_shanghai() {
    let app = TestApp::start();
    app.set_clock("2026-11-27T15:59:59Z");
    let (status, v) = app.get("/api/health", None);
    assert_eq!((status, v["status"].as_str()), (200, Some("ok")), "{v}");
    assert_eq!((v["now"].as_str(), v["today"].as_str()), (Some("2026-11-27T15:59:59Z"), Some("2026-11-27")));
    app.set_clock("2026-11-27T16:00:00Z");
    assert_eq!(app.get("/api/health", None).1["today"], "2026-11-28", "the day turns at 16:00 UTC");
}

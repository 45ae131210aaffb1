//! Hostile servers: answers built to exhaust memory, hang the client, overflow its stack or
//! redirect it somewhere it must not go. Each must end in a typed error, quickly.
//!
//! Over TLS against pixiv-mock (`Fault::Raw`, `Fault::Trickle`, `/size/{N}/x[.json]`), through
//! the whole `Transport` stack or the `pixiv` facade.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use http_body_util::BodyExt as _;
use pixiv_errors::{PixivError, RedirectErrorKind, TimeoutPhase};
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::Timeouts;
use pixiv_transport::config::DEFAULT_MAX_JSON_BODY;
use pixiv_transport::retry::RetryPolicy;
use serde_json::Value;

const TEN_GIB: u64 = 10 << 30;

fn raw_json(status: u16, body: impl Into<Bytes>) -> Fault {
    Fault::Raw {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Size: 10 GiB to a JSON call.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_gib_json_answer_is_refused_from_its_content_length_without_reading_it() {
    let mock = mock().await;
    let t = transport(&mock);
    let err = t
        .json::<Value>(get(&mock, &format!("/size/{TEN_GIB}/x.json")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PixivError::BodyTooLarge { limit } if limit == DEFAULT_MAX_JSON_BODY as u64),
        "{err:?}"
    );
    // Not retried (BodyTooLarge is not transient), and hardly a byte of it was sent.
    assert_eq!(mock.requests().len(), 1);
    assert!(
        mock.body_bytes_sent() < 4 << 20,
        "{}",
        mock.body_bytes_sent()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_gib_answer_of_another_type_to_a_json_call_stops_at_the_cap() {
    let mock = mock().await;
    let t = transport(&mock);
    // No JSON content type: ErrorMap streams it and `json()` collects with its cap. How soon it
    // stops is told by the bytes the mock sent, not by a clock.
    let err = t
        .json::<Value>(get(&mock, &format!("/size/{TEN_GIB}/x")))
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::BodyTooLarge { .. }), "{err:?}");
    let sent = mock.body_bytes_sent();
    assert!(
        sent < DEFAULT_MAX_JSON_BODY as u64 + (8 << 20),
        "the mock sent {sent} bytes: more than the cap plus socket buffers"
    );
    assert_eq!(mock.requests().len(), 1);
    // The connection was dropped, not drained: the mock sees it close.
    drop(t);
    for _ in 0..100 {
        if mock.open_connections() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(mock.open_connections(), 0);
}

// ---------------------------------------------------------------------------------------------
// Headers: 100,000 of them, or one line of 1 MiB.

fn many_headers(n: usize) -> Fault {
    Fault::Raw {
        status: 200,
        headers: (0..n)
            .map(|i| (format!("x-h{i}"), "v".to_owned()))
            .chain([("content-type".to_owned(), "application/json".to_owned())])
            .collect(),
        body: Bytes::from_static(b"{}"),
    }
}

fn huge_header_line(len: usize) -> Fault {
    Fault::Raw {
        status: 200,
        headers: vec![
            ("x-big".into(), "a".repeat(len)),
            ("content-type".into(), "application/json".into()),
        ],
        body: Bytes::from_static(b"{}"),
    }
}

async fn head_case(http2: bool, fault: Fault) -> (PixivError, usize) {
    let mock = MockPixiv::builder().http2(http2).start().await.unwrap();
    let t = builder(&mock).retry(RetryPolicy::none()).build().unwrap();
    mock.push_faults(RouteMatch::any(), [fault]);
    let res = tokio::time::timeout(
        Duration::from_secs(20),
        t.json::<Value>(get(&mock, "/v1/illust/detail?illust_id=1")),
    )
    .await
    .expect("an oversized head must not hang the client");
    (res.unwrap_err(), mock.requests().len())
}

/// A bare HTTP/1.1 server on 127.0.0.1 that answers every request with `head` (status line and
/// headers, written as given) and a 2-byte JSON body, then keeps the connection open. For heads
/// no `http::HeaderMap` can hold (it stops at 32,768 entries), so pixiv-mock cannot send them.
async fn raw_server(head: Vec<u8>) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = tcp.write_all(&head).await;
            let _ = tcp.write_all(b"content-length: 2\r\n\r\n{}").await;
            held.push(tcp);
        }
    });
    (url, task)
}

fn head_with(extra: impl Iterator<Item = String>) -> Vec<u8> {
    let mut head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n".to_vec();
    for line in extra {
        head.extend_from_slice(line.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head
}

async fn raw_case(head: Vec<u8>) -> PixivError {
    let (url, server) = raw_server(head).await;
    let t = pixiv_transport::Transport::builder()
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let req = http::Request::get(format!("{url}/v1/x"))
        .body(pixiv_transport::RequestBody::default())
        .unwrap();
    let res = tokio::time::timeout(Duration::from_secs(20), t.json::<Value>(req))
        .await
        .expect("an oversized head must not hang the client");
    server.abort();
    res.unwrap_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_headers_over_http1_are_refused_by_hyper_s_limit() {
    // hyper's HTTP/1 client parses at most 100 headers (DEFAULT_MAX_HEADERS), and buffers at most
    // ~400 KiB of head: 100,000 headers are "message head is too large", typed `Decode`.
    let err = raw_case(head_with((0..100_000).map(|i| format!("x-h{i}: v")))).await;
    assert!(
        matches!(&err, PixivError::Decode { message, .. } if message.contains("too large")),
        "{err:?}"
    );
    // So are 101: the limit is the count, not the size.
    let err = raw_case(head_with((0..101).map(|i| format!("x-h{i}: v")))).await;
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    // 90 pass.
    let (url, server) = raw_server(head_with((0..90).map(|i| format!("x-h{i}: v")))).await;
    let t = pixiv_transport::Transport::builder()
        .no_rate_limit()
        .build()
        .unwrap();
    let req = http::Request::get(format!("{url}/v1/x"))
        .body(pixiv_transport::RequestBody::default())
        .unwrap();
    assert_eq!(t.json::<Value>(req).await.unwrap(), serde_json::json!({}));
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_mib_header_line_over_http1_is_refused_by_hyper_s_buffer_limit() {
    let err = raw_case(head_with(std::iter::once(format!(
        "x-big: {}",
        "a".repeat(1 << 20)
    ))))
    .await;
    assert!(
        matches!(&err, PixivError::Decode { message, .. } if message.contains("too large")),
        "{err:?}"
    );
}

/// Over pixiv-mock, HTTP/1.1 and HTTP/2 (ALPN), as many headers as the mock sends (20,000: an
/// `http::HeaderMap` holds no more than about 24,000) and a 1 MiB line: the client refuses each
/// (HTTP/1.1: `Decode`, head too large; HTTP/2: `Connect`, h2's `header_list_way_too_large`
/// against hyper's 16 KiB `SETTINGS_MAX_HEADER_LIST_SIZE`, or `too_many_continuations`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_heads_from_pixiv_mock_are_errors_over_http1_and_http2() {
    for http2 in [false, true] {
        for (what, fault) in [
            (
                "100,000 headers (the mock sends its cap, 20,000)",
                many_headers(100_000),
            ),
            ("a 1 MiB header", huge_header_line(1 << 20)),
        ] {
            let (err, n) = head_case(http2, fault).await;
            eprintln!("http2={http2} {what}: {err}");
            assert!(
                matches!(err, PixivError::Decode { .. } | PixivError::Connect { .. }),
                "http2={http2} {what}: {err:?}"
            );
            assert_eq!(n, 1, "not retried with RetryPolicy::none()");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Time: a server that trickles one byte a second.

#[tokio::test(start_paused = true)]
async fn a_trickling_stream_trips_the_body_idle_timeout() {
    let mock = mock().await;
    let t = builder(&mock)
        .timeouts(Timeouts::new().body_idle(Some(Duration::from_millis(500))))
        .build()
        .unwrap();
    mock.push_faults(
        RouteMatch::any(),
        [Fault::Trickle {
            every: Duration::from_secs(1),
        }],
    );
    let started = tokio::time::Instant::now();
    let resp = t.send(get(&mock, "/size/100/x")).await.unwrap();
    let err = resp.into_body().collect().await.unwrap_err();
    assert!(
        matches!(
            err,
            PixivError::Timeout {
                phase: TimeoutPhase::BodyIdle
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        started.elapsed().as_millis(),
        500,
        "one byte, then 500 ms of silence"
    );
}

/// A JSON answer is read inside the call (ErrorMap buffers it), so the time-to-headers timeout
/// bounds the whole body: a trickle cannot hold a JSON call longer than 10 s per attempt.
#[tokio::test(start_paused = true)]
async fn a_trickling_json_answer_is_bounded_by_the_per_attempt_timeout_and_retried() {
    let mock = mock().await;
    let t = transport(&mock);
    mock.push_faults(
        RouteMatch::path_prefix("/v1/"),
        [Fault::Trickle {
            every: Duration::from_secs(1),
        }],
    );
    let started = tokio::time::Instant::now();
    let v: Value = t
        .json(get(&mock, "/v1/illust/detail?illust_id=12"))
        .await
        .unwrap();
    assert_eq!(v["illust"]["id"], 12);
    let log = mock.requests();
    assert_eq!(
        log.len(),
        2,
        "the trickled attempt timed out and was retried once"
    );
    // 10 s headers timeout, then PixivPy's first backoff (1 s without jitter... or 0 s: urllib3's
    // first retry) — the retry started 10-11 s after the first.
    let gap = log[1].at - log[0].at;
    assert!(
        gap >= Duration::from_secs(10) && gap <= Duration::from_secs(11),
        "{gap:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(12));
}

/// With the default settings a download-style stream is bounded only by body idle (10 s), which
/// a byte a second never trips: the total deadline is what bounds a trickle. This pins the real
/// behaviour (documented in docs/reliability.md).
#[tokio::test(start_paused = true)]
async fn a_trickling_stream_is_bounded_by_the_total_deadline_not_by_body_idle() {
    let mock = mock().await;
    let t = builder(&mock)
        .timeouts(Timeouts::new().total(Some(Duration::from_secs(30))))
        .build()
        .unwrap();
    mock.push_faults(
        RouteMatch::any(),
        [Fault::Trickle {
            every: Duration::from_secs(1),
        }],
    );
    let started = tokio::time::Instant::now();
    let resp = t.send(get(&mock, "/size/100000/x")).await.unwrap();
    let err = resp.into_body().collect().await.unwrap_err();
    assert!(
        matches!(
            err,
            PixivError::Timeout {
                phase: TimeoutPhase::Total
            }
        ),
        "{err:?}"
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(29) && took <= Duration::from_secs(31),
        "{took:?}: body idle (10 s) never tripped, the 30 s total did"
    );
}

// ---------------------------------------------------------------------------------------------
// Bodies that attack the decoder.

async fn decode_case(body: Bytes) -> PixivError {
    let mock = mock().await;
    let t = transport(&mock);
    mock.push_faults(RouteMatch::path_prefix("/v1/"), [raw_json(200, body)]);
    let err = t
        .json::<Value>(get(&mock, "/v1/illust/detail?illust_id=1"))
        .await
        .unwrap_err();
    assert_eq!(mock.requests().len(), 1, "a Decode error is not retried");
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_deep_nesting_and_huge_numbers_are_decode_errors() {
    let cases: Vec<(&str, Bytes)> = vec![
        (
            "invalid UTF-8",
            Bytes::from_static(b"{\"illust\": \"\xff\xfe\xc0\x80\"}"),
        ),
        (
            "lone surrogate escape",
            Bytes::from_static(b"{\"a\": \"\\udc00\"}"),
        ),
        (
            "10,000 nested arrays",
            Bytes::from(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))),
        ),
        (
            "10,000 nested objects",
            Bytes::from(format!(
                "{}1{}",
                "{\"a\":".repeat(10_000),
                "}".repeat(10_000)
            )),
        ),
        ("1e999999", Bytes::from_static(b"{\"n\": 1e999999}")),
        (
            "a 10,000-digit integer",
            Bytes::from(format!("{{\"n\": {}}}", "9".repeat(10_000))),
        ),
        ("truncated", Bytes::from_static(b"{\"illust\": {\"id\": 1")),
    ];
    for (what, body) in cases {
        let err = decode_case(body).await;
        assert!(matches!(err, PixivError::Decode { .. }), "{what}: {err:?}");
        assert!(!err.is_retryable(), "{what}");
    }
}

/// The same bodies through the facade's typed models: `Decode`, no panic, no stack overflow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_facade_s_typed_models_refuse_hostile_json_with_decode() {
    let mock = mock().await;
    let client = client_builder(&mock).build().unwrap();
    client.login().await.unwrap();
    for (what, body) in [
        (
            "nested",
            format!(
                "{{\"illust\": {}{}}}",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
        ),
        (
            "huge id",
            format!("{{\"illust\": {{\"id\": 1{}}}}}", "0".repeat(400)),
        ),
        ("negative id", "{\"illust\": {\"id\": -1}}".to_owned()),
        ("id as a float", "{\"illust\": {\"id\": 1e308}}".to_owned()),
    ] {
        mock.push_faults(
            RouteMatch::path_prefix("/v1/illust/detail"),
            [raw_json(200, body)],
        );
        let err = client.illust_detail(1).await.unwrap_err();
        assert!(matches!(err, PixivError::Decode { .. }), "{what}: {err:?}");
    }
}

/// 10,000 levels in an *error* body: classify's depth check stops it before serde_json recurses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_error_bodies_are_classified_by_status() {
    let err = {
        let mock = mock().await;
        let t = builder(&mock).retry(RetryPolicy::none()).build().unwrap();
        mock.push_faults(
            RouteMatch::any(),
            [raw_json(
                400,
                format!("{}{}", "{\"error\":".repeat(10_000), "}".repeat(10_000)),
            )],
        );
        t.json::<Value>(get(&mock, "/v1/illust/detail?illust_id=1"))
            .await
            .unwrap_err()
    };
    assert!(
        matches!(err, PixivError::Http { status, .. } if status == 400),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Redirects out of HTTP.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_to_file_and_other_non_http_schemes_are_refused() {
    for location in [
        "file:///etc/passwd",
        "file://localhost/etc/shadow",
        "ftp://127.0.0.1/x",
        "data:text/plain,hello",
        "javascript:alert(1)",
        "gopher://127.0.0.1:70/",
        "ws://127.0.0.1/x",
    ] {
        let mock = mock().await;
        let t = transport(&mock);
        mock.push_faults(
            RouteMatch::any(),
            [Fault::Redirect {
                status: 302,
                location: location.into(),
            }],
        );
        let err = t
            .send(get(&mock, "/v1/illust/detail?illust_id=1"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                &err,
                PixivError::Redirect {
                    kind: RedirectErrorKind::RefusedScheme { .. },
                    ..
                }
            ),
            "{location}: {err:?}"
        );
        assert_eq!(mock.requests().len(), 1, "{location}: nothing followed");
    }
}

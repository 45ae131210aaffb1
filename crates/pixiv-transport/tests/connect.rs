//! Connecting: refused port, connect timeout against a listener whose backlog is full, the
//! static resolver, absolute URIs required.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpStream as StdTcpStream;
use std::time::Duration;

use common::{ClosedPort, get_with_referer, timeout_phase, trusting};
use http_body_util::BodyExt;
use pixiv_errors::TimeoutPhase;
use pixiv_mock::MockPixiv;
use pixiv_transport::PixivError;
use pixiv_transport::connect::{ConnectConfig, HttpClient, StaticResolver};
use tokio::net::TcpSocket;
use tower::ServiceExt;

#[tokio::test]
async fn refused_port_is_a_connect_error() {
    let closed = ClosedPort::new();
    let client = HttpClient::new(ConnectConfig::new()).unwrap();
    let err = client
        .oneshot(get_with_referer(&format!("http://{}/", closed.addr())))
        .await
        .unwrap_err();
    match &err {
        PixivError::Connect { source } => {
            assert!(source.to_string().contains("refused"), "{source}")
        }
        other => panic!("expected Connect, got {other:?}"),
    }
}

/// A listener with backlog 1 that never accepts: once its queue holds its connections, the
/// kernel drops further SYNs and `connect` hangs in SYN retries (Linux).
fn full_backlog_listener() -> (tokio::net::TcpListener, Vec<StdTcpStream>, u16) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match StdTcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(s) => fillers.push(s),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                return (listener, fillers, addr.port());
            }
            Err(e) => panic!("filling the backlog: {e}"),
        }
    }
    panic!("the listener's backlog never filled: connect does not hang on this platform");
}

#[tokio::test(start_paused = true)]
async fn hanging_connect_is_a_connect_timeout() {
    let (_listener, _fillers, port) = full_backlog_listener();
    let client =
        HttpClient::new(ConnectConfig::new().connect_timeout(Some(Duration::from_secs(3))))
            .unwrap();
    let start = tokio::time::Instant::now();
    let err = client
        .oneshot(get_with_referer(&format!("http://127.0.0.1:{port}/")))
        .await
        .unwrap_err();
    assert_eq!(timeout_phase(&err), Some(TimeoutPhase::Connect), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[tokio::test]
async fn static_resolver_maps_pixiv_hosts_to_the_mock() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let tls = trusting(&mock);
    let resolver = StaticResolver::new().with("i.pximg.net", ["127.0.0.1".parse().unwrap()]);
    let client = HttpClient::new(ConnectConfig::new().tls(tls).resolver(resolver)).unwrap();
    let url = format!("https://i.pximg.net:{}/size/42/a.bin", mock.addr().port());
    let resp = client
        .clone()
        .oneshot(get_with_referer(&url))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.into_body().collect().await.unwrap().to_bytes().len(),
        42
    );
    let log = mock.requests();
    assert_eq!(log[0].sni.as_deref(), Some("i.pximg.net"));
    assert_eq!(
        log[0].host.as_deref(),
        Some(format!("i.pximg.net:{}", mock.addr().port()).as_str())
    );

    // A name outside the table fails to resolve: a Connect error naming it.
    let url = format!("https://s.pximg.net:{}/size/1/a", mock.addr().port());
    match client.oneshot(get_with_referer(&url)).await.unwrap_err() {
        PixivError::Connect { source } => {
            assert!(source.to_string().contains("s.pximg.net"), "{source}")
        }
        other => panic!("expected Connect, got {other:?}"),
    }
}

#[tokio::test]
async fn relative_uri_is_invalid_input() {
    let client = HttpClient::new(ConnectConfig::new()).unwrap();
    let err = client
        .oneshot(get_with_referer("/v1/illust/detail"))
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::InvalidInput { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn a_burst_to_an_unreachable_host_fails_in_parallel() {
    let (_listener, _fillers, port) = full_backlog_listener();
    let client =
        HttpClient::new(ConnectConfig::new().connect_timeout(Some(Duration::from_secs(3))))
            .unwrap();
    let url = format!("http://127.0.0.1:{port}/");
    let start = tokio::time::Instant::now();
    let results = futures_util::future::join_all(
        (0..10).map(|_| client.clone().oneshot(get_with_referer(&url))),
    )
    .await;
    for r in results {
        assert_eq!(
            r.as_ref().err().and_then(timeout_phase),
            Some(TimeoutPhase::Connect),
            "{r:?}"
        );
    }
    // One pioneer alone (3 s), then the rest together (3 s): not 10 x 3 s.
    assert_eq!(start.elapsed(), Duration::from_secs(6));
}

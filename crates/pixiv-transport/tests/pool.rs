//! The pool, measured by the server's accept count (`mock.connections_opened()`).
//!
//! What hyper-util's legacy pool does, measured here: sequential requests reuse one connection;
//! over HTTP/1.1, concurrent requests that find no idle connection each open one (the pool caps
//! idle connections, not open ones), hence `max_connections_per_host`; over HTTP/2 they share one
//! connection, but only because the client lets one "pioneer" request connect first (without it a
//! burst of 100 opened 100 TLS connections before ALPN said h2, then used one; see
//! `src/connect/hosts.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{get_with_referer, trusting};
use futures_util::future::join_all;
use http::Version;
use http_body_util::BodyExt;
use pixiv_mock::MockPixiv;
use pixiv_transport::connect::{ConnectConfig, HttpClient};
use tower::ServiceExt;

fn client(mock: &MockPixiv, config: ConnectConfig) -> HttpClient {
    HttpClient::new(config.tls(trusting(mock))).unwrap()
}

async fn fetch(client: &HttpClient, url: &str) -> (Version, usize) {
    let resp = client.clone().oneshot(get_with_referer(url)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let version = resp.version();
    (
        version,
        resp.into_body().collect().await.unwrap().to_bytes().len(),
    )
}

async fn concurrent(client: &HttpClient, url: &str, n: usize) -> Vec<(Version, usize)> {
    join_all((0..n).map(|_| {
        let client = client.clone();
        let url = url.to_owned();
        tokio::spawn(async move { fetch(&client, &url).await })
    }))
    .await
    .into_iter()
    .map(|r| r.unwrap())
    .collect()
}

#[tokio::test]
async fn thousand_sequential_requests_use_one_connection() {
    for http2 in [true, false] {
        let mock = MockPixiv::builder()
            .record_requests(false)
            .start()
            .await
            .unwrap();
        let client = client(&mock, ConnectConfig::new().http2(http2));
        let url = format!("{}/size/256/a.bin", mock.base_url());
        for _ in 0..1000 {
            assert_eq!(fetch(&client, &url).await.1, 256);
        }
        assert_eq!(mock.connections_opened(), 1, "http2: {http2}");
        assert_eq!(client.connections_opened(), 1, "http2: {http2}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_without_a_cap_opens_a_connection_per_concurrent_request() {
    let mock = MockPixiv::builder().http2(false).start().await.unwrap();
    let client = client(&mock, ConnectConfig::new());
    let url = format!("{}/size/4096/a.bin", mock.base_url());
    let results = concurrent(&client, &url, 100).await;
    assert!(results.iter().all(|r| *r == (Version::HTTP_11, 4096)));
    let opened = mock.connections_opened();
    println!("100 concurrent HTTP/1.1 requests, no cap: {opened} connections");
    assert!(opened > 10, "expected many connections, got {opened}");
    assert!(opened <= 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_with_a_cap_opens_at_most_that_many() {
    let mock = MockPixiv::builder().http2(false).start().await.unwrap();
    let client = client(
        &mock,
        ConnectConfig::new().max_connections_per_host(Some(4)),
    );
    let url = format!("{}/size/4096/a.bin", mock.base_url());
    for _ in 0..3 {
        let results = concurrent(&client, &url, 100).await;
        assert!(results.iter().all(|r| *r == (Version::HTTP_11, 4096)));
    }
    let opened = mock.connections_opened();
    println!("3 x 100 concurrent HTTP/1.1 requests, cap 4: {opened} connections");
    assert_eq!(client.connections_opened(), opened);
    // The cap is on connections open at once. A connection beyond 4 may only replace one that
    // closed (hyper-util may start a connect that waits for a slot and takes the one a closed
    // connection freed), so: opened <= 4 + closed, i.e. at most 4 still open. Without the cap the
    // pool alone would keep up to 10 idle. The mock sees a close a moment after the client.
    let mut open_now = mock.open_connections();
    for _ in 0..100 {
        if open_now <= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        open_now = mock.open_connections();
    }
    assert!(
        open_now <= 4,
        "{open_now} open of {opened} opened: more than the cap at once"
    );
    assert!(opened <= 4 || open_now < opened, "opened {opened}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_shares_one_connection_between_concurrent_requests() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock, ConnectConfig::new());
    let url = format!("{}/size/4096/a.bin", mock.base_url());
    let results = concurrent(&client, &url, 100).await;
    assert!(results.iter().all(|r| *r == (Version::HTTP_2, 4096)));
    let conns: std::collections::HashSet<u64> = mock.requests().iter().map(|r| r.conn_id).collect();
    println!(
        "100 concurrent HTTP/2 requests: {} accepted, {} carried requests",
        mock.connections_opened(),
        conns.len()
    );
    assert_eq!(conns.len(), 1, "every request on one connection");
    assert_eq!(mock.connections_opened(), 1);
}

#[tokio::test(start_paused = true)]
async fn idle_connections_close_after_the_idle_timeout() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock, ConnectConfig::new());
    let url = format!("{}/size/10/a.bin", mock.base_url());
    fetch(&client, &url).await;
    assert_eq!(mock.open_connections(), 1);
    tokio::time::sleep(Duration::from_secs(59)).await;
    assert_eq!(mock.open_connections(), 1, "still pooled before 60 s");
    // hyper-util sweeps idle connections every `pool_idle_timeout`, so one idle since t=0 goes
    // at the second sweep (120 s). Without `pool_timer` it would never go.
    tokio::time::sleep(Duration::from_secs(62)).await;
    // Let the close reach the server.
    for _ in 0..100 {
        if mock.open_connections() == 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(
        mock.open_connections(),
        0,
        "closed by the pool's idle timeout"
    );
    fetch(&client, &url).await;
    assert_eq!(mock.connections_opened(), 2);
}

/// Found by tests/tests/load.rs (fds did not come back after the load): with a connection cap,
/// connects hyper-util lets finish in the background wait for a slot while holding the pool, so
/// a dropped client kept its idle connections (sockets, tasks) open for the whole 10 s slot wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_client_with_a_connection_cap_closes_its_connections_at_once() {
    let mock = MockPixiv::builder().http2(false).start().await.unwrap();
    let c = client(
        &mock,
        ConnectConfig::new().max_connections_per_host(Some(4)),
    );
    let url = format!("{}/size/1000/x", mock.base_url());
    join_all((0..20).map(|_| fetch(&c, &url))).await;
    assert!(mock.open_connections() > 0);
    drop(c);
    let started = std::time::Instant::now();
    // The bug held them for the 10 s slot wait: all closed within 5 s means it is gone (a
    // real-time bound, since the closing happens in the mock's and the pool's own tasks; in
    // practice it takes milliseconds).
    while mock.open_connections() > 0 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        mock.open_connections(),
        0,
        "still open after {:?}",
        started.elapsed()
    );
}

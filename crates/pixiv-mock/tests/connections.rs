//! Connection ids, counters, the request log, and shutdown.

mod common;

use std::time::Duration;

use common::*;
use http::{Method, StatusCode};
use pixiv_mock::MockPixiv;

/// Waits (briefly, polling) until `f` holds.
async fn eventually(mut f: impl FnMut() -> bool) -> bool {
    for _ in 0..500 {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn connections_are_counted_and_ids_follow_accept_order() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let first = client_h1(&mock);
    get_image(&first, &mock, "/size/1/a", &[]).await;
    get_image(&first, &mock, "/size/1/b", &[]).await;
    let second = client_h1(&mock);
    get_image(&second, &mock, "/size/1/c", &[]).await;
    let ids: Vec<u64> = mock.requests().iter().map(|r| r.conn_id).collect();
    assert_eq!(ids, [1, 1, 2], "keep-alive reuses the first connection");
    assert_eq!(mock.connections_opened(), 2);
    assert_eq!(mock.open_connections(), 2);
    drop(first);
    assert!(eventually(|| mock.open_connections() == 1).await);
    drop(second);
    assert!(eventually(|| mock.open_connections() == 0).await);
    assert_eq!(mock.connections_opened(), 2);
}

#[tokio::test]
async fn the_log_keeps_method_query_body_and_time_order() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let token = mock.issue_access_token();
    send(
        &client,
        Method::POST,
        &format!(
            "{}/v2/illust/bookmark/add?x=a+b&y=%E3%81%82&seed_illust_ids[]=1&seed_illust_ids[]=2",
            mock.base_url()
        ),
        &[
            ("authorization", &format!("Bearer {token}")),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        form(&[("illust_id", "5"), ("restrict", "public")]),
    )
    .await;
    get_image(&client, &mock, "/size/1/x", &[]).await;
    let log = mock.requests();
    assert_eq!(log.len(), 2);
    let r = &log[0];
    assert_eq!(r.method, Method::POST);
    assert_eq!(r.path, "/v2/illust/bookmark/add");
    assert_eq!(r.uri.path(), "/v2/illust/bookmark/add");
    assert_eq!(r.query_value("x"), Some("a b"));
    assert_eq!(r.query_value("y"), Some("あ"));
    let seeds: Vec<&str> = r
        .query
        .iter()
        .filter(|(k, _)| k == "seed_illust_ids[]")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(seeds, ["1", "2"]);
    assert_eq!(&r.body[..], b"illust_id=5&restrict=public");
    assert_eq!(
        r.form(),
        [
            ("illust_id".to_owned(), "5".to_owned()),
            ("restrict".to_owned(), "public".to_owned())
        ]
    );
    assert!(log[1].at >= r.at);
    assert_eq!(mock.requests_to("/size/").len(), 1);
    mock.clear_requests();
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn shutdown_closes_connections_and_stops_accepting() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client_h1(&mock);
    assert_eq!(
        get_image(&client, &mock, "/size/1/x", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(mock.open_connections(), 1);
    mock.shutdown().await;
    assert_eq!(mock.open_connections(), 0);
    assert!(tokio::net::TcpStream::connect(mock.addr()).await.is_err());
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    let addr = mock.addr();
    drop(mock);
    let mut refused = false;
    for _ in 0..100 {
        tokio::task::yield_now().await;
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused);
}

#[tokio::test]
async fn recording_can_be_turned_off_for_load_tests() {
    let mock = MockPixiv::builder()
        .record_requests(false)
        .start()
        .await
        .unwrap();
    let client = client(&mock);
    assert_eq!(
        get_image(&client, &mock, "/size/1/x", &[]).await.status,
        StatusCode::OK
    );
    assert!(mock.requests().is_empty());
    assert_eq!(mock.connections_opened(), 1);
}

#[tokio::test(start_paused = true)]
async fn shutdown_does_not_wait_for_a_stalled_body() {
    let mock = MockPixiv::builder().start().await.unwrap();
    mock.push_faults(
        pixiv_mock::RouteMatch::any(),
        [pixiv_mock::Fault::StallBody {
            after: 10,
            stall: Duration::from_secs(3600),
        }],
    );
    let client = client_h1(&mock);
    let resp = try_get(&client, &format!("{}/size/100/x", mock.base_url()))
        .await
        .unwrap();
    let reader = tokio::spawn(read(resp));
    let start = tokio::time::Instant::now();
    mock.shutdown().await;
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    let answer = reader.await.unwrap();
    assert!(answer.body.is_err());
    assert_eq!(answer.received, 10);
    assert_eq!(mock.open_connections(), 0);
}

//! Every fault, observed on the wire.

mod common;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use common::*;
use http::{Method, StatusCode, Version};
use http_body_util::BodyExt as _;
use pixiv_mock::{DEMO_REFRESH_TOKEN, Fault, MockPixiv, RetryAfter, RouteMatch, content};
use serde_json::json;
use tokio::time::Instant;

fn rate_limit_body() -> serde_json::Value {
    json!({"error": {"user_message": "", "message": "Rate Limit", "reason": "", "user_message_details": {}}})
}

#[tokio::test]
async fn queued_statuses_are_consumed_in_order_then_normal_answers() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    mock.push_faults(
        RouteMatch::path_prefix("/size/"),
        [Fault::Status(503), Fault::Status(502)],
    );
    assert_eq!(mock.pending_faults(), 2);
    let a = get_image(&client, &mock, "/size/3/x", &[]).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.json()["error"]["message"], "Service Unavailable");
    assert!(a.header("content-type").starts_with("application/json"));
    // Another route is not affected.
    assert_eq!(
        get_image(&client, &mock, "/other.png", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get_image(&client, &mock, "/size/3/x", &[]).await.status,
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(
        get_image(&client, &mock, "/size/3/x", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(mock.pending_faults(), 0);
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test]
async fn route_match_by_exact_path_and_method() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    mock.push_faults(
        RouteMatch::path("/size/3/x").method(Method::HEAD),
        [Fault::Status(500)],
    );
    assert_eq!(
        get_image(&client, &mock, "/size/3/x", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get_image(&client, &mock, "/size/3/xy", &[]).await.status,
        StatusCode::OK
    );
    let head = send(
        &client,
        Method::HEAD,
        &format!("{}/size/3/x", mock.base_url()),
        &[("referer", REFERER)],
        Bytes::new(),
    )
    .await;
    assert_eq!(head.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn too_many_requests_with_retry_after_seconds_or_date() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    mock.push_faults(
        RouteMatch::any(),
        [
            Fault::TooManyRequests {
                retry_after: Some(RetryAfter::Seconds(7)),
            },
            Fault::TooManyRequests {
                retry_after: Some(RetryAfter::Date(date)),
            },
            Fault::TooManyRequests { retry_after: None },
        ],
    );
    let a = get_image(&client, &mock, "/x", &[]).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.header("retry-after"), "7");
    assert_eq!(a.json(), rate_limit_body());
    let b = get_image(&client, &mock, "/x", &[]).await;
    assert_eq!(b.header("retry-after"), httpdate::fmt_http_date(date));
    let c = get_image(&client, &mock, "/x", &[]).await;
    assert!(c.headers.get("retry-after").is_none());
}

#[tokio::test]
async fn pixiv_error_bodies() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let token = mock.issue_access_token();
    let auth = format!("Bearer {token}");
    let url = format!("{}/v1/illust/detail?illust_id=1", mock.base_url());
    mock.push_faults(
        RouteMatch::path_prefix("/v1/"),
        [Fault::RateLimitBody, Fault::InvalidGrant, Fault::Restricted],
    );
    let a = get(&client, &url, &[("authorization", &auth)]).await;
    assert_eq!(
        (a.status, a.json()),
        (StatusCode::FORBIDDEN, rate_limit_body())
    );
    let b = get(&client, &url, &[("authorization", &auth)]).await;
    assert_eq!(b.status, StatusCode::BAD_REQUEST);
    assert!(
        b.json()["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("Error Message: invalid_grant")
    );
    let c = get(&client, &url, &[("authorization", &auth)]).await;
    assert_eq!(c.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.json()["error"]["user_message"],
        "Your access is currently restricted."
    );
}

#[tokio::test]
async fn api_faults_come_after_the_bearer_check() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    mock.push_faults(RouteMatch::path_prefix("/v1/"), [Fault::Status(503)]);
    let url = format!("{}/v1/illust/detail?illust_id=1", mock.base_url());
    let unauthenticated = get(&client, &url, &[]).await;
    assert_eq!(unauthenticated.status, StatusCode::BAD_REQUEST);
    assert_eq!(mock.pending_faults(), 1);
    let auth = format!("Bearer {}", mock.issue_access_token());
    assert_eq!(
        get(&client, &url, &[("authorization", &auth)]).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn cloudflare_challenge_looks_like_cloudflare() {
    let mock = MockPixiv::builder().start().await.unwrap();
    mock.push_faults(RouteMatch::any(), [Fault::CloudflareChallenge]);
    let a = get_image(&client(&mock), &mock, "/x", &[]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.header("server"), "cloudflare");
    assert_eq!(a.header("cf-mitigated"), "challenge");
    assert!(a.header("content-type").starts_with("text/html"));
    let ray = a.header("cf-ray");
    let (id, colo) = ray.split_once('-').unwrap();
    assert_eq!((id.len(), colo), (16, "NRT"));
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    let html = std::str::from_utf8(a.bytes()).unwrap();
    assert!(html.contains("Just a moment...") && html.contains("_cf_chl_opt"));
}

#[tokio::test(start_paused = true)]
async fn delay_headers_sleeps_in_tokio_time() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    mock.push_faults(
        RouteMatch::any(),
        [Fault::DelayHeaders(Duration::from_secs(30))],
    );
    let start = Instant::now();
    let a = get_image(&client, &mock, "/size/10/x", &[]).await;
    let elapsed = start.elapsed();
    assert_eq!(a.bytes().len(), 10);
    assert!(
        elapsed >= Duration::from_secs(30) && elapsed < Duration::from_secs(31),
        "{elapsed:?}"
    );
    let start = Instant::now();
    get_image(&client, &mock, "/size/10/x", &[]).await;
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn stall_body_sends_some_bytes_then_stalls_then_the_rest() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    mock.push_faults(
        RouteMatch::any(),
        [Fault::StallBody {
            after: 1000,
            stall: Duration::from_secs(20),
        }],
    );
    let start = Instant::now();
    let resp = try_get(&client, &format!("{}/size/5000/x", mock.base_url()))
        .await
        .unwrap();
    let mut body = resp.into_body();
    let mut got = Vec::new();
    let mut first_part_at = None;
    while let Some(frame) = body.frame().await {
        got.extend_from_slice(&frame.unwrap().into_data().unwrap());
        if got.len() == 1000 {
            first_part_at = Some(start.elapsed());
        }
    }
    let total = start.elapsed();
    assert_eq!(got, content::expected_bytes("/size/5000/x"));
    assert!(
        first_part_at.unwrap() < Duration::from_secs(1),
        "{first_part_at:?}"
    );
    assert!(total >= Duration::from_secs(20), "{total:?}");
}

#[tokio::test]
async fn reset_body_over_http1_resets_the_tcp_connection() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client_h1(&mock);
    mock.push_faults(RouteMatch::any(), [Fault::ResetBody { after: 3000 }]);
    let resp = try_get(&client, &format!("{}/size/100000/x", mock.base_url()))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-length"], "100000");
    let a = read(resp).await;
    let err = a.body.unwrap_err();
    assert!(err.contains("ConnectionReset"), "{err}");
    assert_eq!(a.received, 3000);
    // The next request needs a new connection.
    let next = get_image(&client, &mock, "/size/10/x", &[]).await;
    assert_eq!(next.bytes().len(), 10);
    let ids: Vec<u64> = mock.requests().iter().map(|r| r.conn_id).collect();
    assert_eq!(ids, [1, 2]);
}

#[tokio::test]
async fn reset_body_over_http2_resets_the_stream_only() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    mock.push_faults(
        RouteMatch::path("/size/100000/x"),
        [Fault::ResetBody { after: 3000 }],
    );
    let resp = try_get(&client, &format!("{}/size/100000/x", mock.base_url()))
        .await
        .unwrap();
    assert_eq!(resp.version(), Version::HTTP_2);
    let a = read(resp).await;
    assert!(a.body.unwrap_err().contains("Reset"));
    assert!(a.received <= 3000);
    let next = get_image(&client, &mock, "/size/10/x", &[]).await;
    assert_eq!(next.bytes().len(), 10);
    // Same connection: an HTTP/2 stream reset leaves the connection up.
    let ids: Vec<u64> = mock.requests().iter().map(|r| r.conn_id).collect();
    assert_eq!(ids, [1, 1]);
}

#[tokio::test]
async fn reset_before_headers_answers_nothing() {
    let mock = MockPixiv::builder().start().await.unwrap();
    for client in [client_h1(&mock), client(&mock)] {
        mock.push_faults(RouteMatch::any(), [Fault::ResetBeforeHeaders]);
        let err = try_get(&client, &format!("{}/size/10/x", mock.base_url()))
            .await
            .unwrap_err();
        assert!(!err.is_empty());
        assert_eq!(
            get_image(&client, &mock, "/size/10/x", &[]).await.status,
            StatusCode::OK
        );
    }
    // The faulted requests were read and logged.
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test]
async fn short_body_announces_more_than_it_sends() {
    let mock = MockPixiv::builder().start().await.unwrap();
    for client in [client_h1(&mock), client(&mock)] {
        mock.push_faults(RouteMatch::any(), [Fault::ShortBody { missing: 100 }]);
        let resp = try_get(&client, &format!("{}/size/5000/x", mock.base_url()))
            .await
            .unwrap();
        assert_eq!(resp.headers()["content-length"], "5000");
        let a = read(resp).await;
        assert!(a.body.is_err(), "{:?}", a.version);
        assert_eq!(a.received, 4900);
    }
}

#[tokio::test]
async fn redirects_and_redirect_loops() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    mock.push_faults(
        RouteMatch::path("/a"),
        [Fault::Redirect {
            status: 302,
            location: "https://elsewhere.example/b".into(),
        }],
    );
    let a = get_image(&client, &mock, "/a", &[]).await;
    assert_eq!(a.status, StatusCode::FOUND);
    assert_eq!(a.header("location"), "https://elsewhere.example/b");

    mock.push_faults(RouteMatch::path("/loop"), [Fault::RedirectLoop]);
    for _ in 0..3 {
        let r = get_image(&client, &mock, "/loop?x=1", &[]).await;
        assert_eq!(r.status, StatusCode::FOUND);
        assert_eq!(
            r.header("location"),
            format!("{}/loop?x=1", mock.base_url())
        );
    }
    mock.clear_faults();
    assert_eq!(
        get_image(&client, &mock, "/loop?x=1", &[]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn raw_answers_are_sent_as_given() {
    let mock = MockPixiv::builder().start().await.unwrap();
    mock.push_faults(
        RouteMatch::any(),
        [Fault::Raw {
            status: 418,
            headers: vec![("x-test".into(), "yes".into())],
            body: Bytes::from_static(b"teapot"),
        }],
    );
    let a = get_image(&client(&mock), &mock, "/x", &[]).await;
    assert_eq!(a.status, StatusCode::IM_A_TEAPOT);
    assert_eq!(a.header("x-test"), "yes");
    assert_eq!(&a.bytes()[..], b"teapot");
}

#[tokio::test]
async fn faults_apply_to_oauth_and_doh_too() {
    let mock = MockPixiv::builder()
        .dns("app-api.pixiv.net", vec!["127.0.0.1".parse().unwrap()], 60)
        .start()
        .await
        .unwrap();
    let client = client(&mock);
    mock.push_faults(RouteMatch::path("/auth/token"), [Fault::Status(500)]);
    mock.push_faults(RouteMatch::path("/dns-query"), [Fault::Status(502)]);
    assert_eq!(
        refresh(&client, &mock, DEMO_REFRESH_TOKEN).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        refresh(&client, &mock, DEMO_REFRESH_TOKEN).await.status,
        StatusCode::OK
    );
    assert_eq!(mock.oauth_calls(), 2);
    let url = format!(
        "{}/dns-query?name=app-api.pixiv.net&type=A",
        mock.base_url()
    );
    let accept = [("accept", "application/dns-json")];
    assert_eq!(
        get(&client, &url, &accept).await.status,
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(get(&client, &url, &accept).await.status, StatusCode::OK);
}

#[tokio::test]
async fn random_faults_are_seeded_and_clearable() {
    async fn pattern(seed: u64) -> Vec<bool> {
        let mock = MockPixiv::builder()
            .tls(false)
            .fault_seed(seed)
            .start()
            .await
            .unwrap();
        mock.set_fault_rate(RouteMatch::any(), 0.5, Fault::Status(503));
        let client = plain_client(false);
        let mut out = Vec::new();
        for _ in 0..40 {
            let a = get(
                &client,
                &format!("{}/size/1/x", mock.base_url()),
                &[("referer", REFERER)],
            )
            .await;
            out.push(a.status == StatusCode::SERVICE_UNAVAILABLE);
        }
        mock.clear_faults();
        let a = get(
            &client,
            &format!("{}/size/1/x", mock.base_url()),
            &[("referer", REFERER)],
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        out
    }
    let a = pattern(42).await;
    let faulted = a.iter().filter(|f| **f).count();
    assert!((5..35).contains(&faulted), "{faulted}");
    assert_eq!(a, pattern(42).await);
}

#[tokio::test(start_paused = true)]
async fn trickle_sends_the_body_one_byte_per_interval() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    mock.push_faults(
        RouteMatch::any(),
        [Fault::Trickle {
            every: Duration::from_secs(1),
        }],
    );
    let start = Instant::now();
    let a = get_image(&client, &mock, "/size/4/x", &[]).await;
    assert_eq!(a.bytes().as_ref(), content::expected_bytes("/size/4/x"));
    assert!(
        start.elapsed() >= Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn body_bytes_sent_counts_what_went_out_and_a_json_extension_says_json() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    assert_eq!(mock.body_bytes_sent(), 0);
    let a = get_image(&client, &mock, "/size/1234/x.json", &[]).await;
    assert_eq!(a.header("content-type"), "application/json");
    assert_eq!(a.bytes().len(), 1234);
    assert_eq!(mock.body_bytes_sent(), 1234);
}

#[tokio::test]
async fn raw_with_more_headers_than_a_header_map_holds_answers_instead_of_panicking() {
    // Found by tests/tests/hostile.rs: 100,000 headers made `HeaderMap::append` panic in the
    // connection task, so the client saw a dropped connection instead of the answer.
    let mock = MockPixiv::builder().http2(false).start().await.unwrap();
    mock.push_faults(
        RouteMatch::any(),
        [Fault::Raw {
            status: 200,
            headers: (0..100_000)
                .map(|i| (format!("x-h{i}"), "v".into()))
                .collect(),
            body: Bytes::from_static(b"ok"),
        }],
    );
    let req = http::Request::get(format!("{}/x", mock.base_url()))
        .header("referer", REFERER)
        .body(http_body_util::Full::new(Bytes::new()))
        .unwrap();
    // A raw client reads at most 100 headers; the point is that an answer head was sent at all:
    // hyper says it is too large, not that the connection closed.
    let err = client_h1(&mock).request(req).await.unwrap_err();
    let text = format!("{err:?}");
    assert!(
        text.contains("TooLarge") || text.contains("too large"),
        "{text}"
    );
}

//! The assembled `Transport` against pixiv-mock over TLS (trusting the mock's CA).
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::{LogCapture, header, mock};
use http::{HeaderName, HeaderValue, Request, Uri};
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::RequestBody;
use pixiv_transport::auth::StaticToken;
use pixiv_transport::headers::{APP_OS, APP_OS_VERSION, USER_AGENT};
use pixiv_transport::retry::RetryPolicy;
use pixiv_transport::transport::{Transport, TransportBuilder};

const _: () = {
    const fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Transport>();
};

/// A transport trusting the mock's CA, the Bearer going to the mock's origin.
fn builder(mock: &MockPixiv) -> TransportBuilder {
    Transport::builder()
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(StaticToken::new(mock.issue_access_token())))
        .auth_origins([mock.base_url().parse::<Uri>().unwrap()])
}

fn detail_url(mock: &MockPixiv) -> String {
    format!("{}/v1/illust/detail", mock.base_url())
}

#[derive(Debug, serde::Deserialize)]
struct Detail {
    illust: Illust,
}

#[derive(Debug, serde::Deserialize)]
struct Illust {
    id: u64,
}

#[tokio::test]
async fn json_call_sends_every_default_header_and_the_bearer() {
    let mock = mock().await;
    let t = builder(&mock).build().unwrap();
    let url = format!("{}?illust_id=42", detail_url(&mock));
    let d: Detail = t
        .json(Request::get(url).body(RequestBody::default()).unwrap())
        .await
        .unwrap();
    assert_eq!(d.illust.id, 42);
    let log = mock.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(header(&log[0], "user-agent"), Some(USER_AGENT));
    assert_eq!(header(&log[0], "app-os"), Some(APP_OS));
    assert_eq!(header(&log[0], "app-os-version"), Some(APP_OS_VERSION));
    assert_eq!(header(&log[0], "accept-language"), Some("en-us"));
    assert!(header(&log[0], "authorization").is_some_and(|v| v.starts_with("Bearer ")));
}

#[tokio::test]
async fn request_headers_and_builder_defaults_override() {
    let mock = mock().await;
    let t = builder(&mock)
        .default_header(
            HeaderName::from_static("accept-language"),
            HeaderValue::from_static("ja"),
        )
        .build()
        .unwrap();
    let req = Request::get(format!("{}/size/16/x.bin", mock.base_url()))
        .header("referer", common::REFERER)
        .header("user-agent", "mine/1")
        .body(RequestBody::default())
        .unwrap();
    t.send(req).await.unwrap();
    let log = mock.requests();
    assert_eq!(header(&log[0], "user-agent"), Some("mine/1"));
    assert_eq!(header(&log[0], "accept-language"), Some("ja"));
}

#[tokio::test]
async fn bearer_never_sent_to_a_host_not_configured() {
    let mock = mock().await;
    let t = builder(&mock).build().unwrap();
    // The same server under another name: `localhost` is not the configured `127.0.0.1` origin.
    let image = format!("https://localhost:{}/size/16/x.bin", mock.addr().port());
    let req = Request::get(image)
        .header("referer", common::REFERER)
        .body(RequestBody::default())
        .unwrap();
    t.send(req).await.unwrap();
    assert_eq!(header(&mock.requests()[0], "authorization"), None);
}

#[tokio::test]
async fn get_post_form_and_delete_build_their_requests() {
    let mock = mock().await;
    let t = builder(&mock).build().unwrap();
    t.get(
        &detail_url(&mock),
        &[("illust_id", "7"), ("filter", "for ios")],
    )
    .await
    .unwrap();
    let add = format!("{}/v2/illust/bookmark/add", mock.base_url());
    t.post_form(&add, &[("illust_id", "7"), ("restrict", "public")])
        .await
        .unwrap();
    let _ = t
        .delete(&format!("{}/size/1/x", mock.base_url()), &[("a", "b c")])
        .await;
    let _ = t
        .post_json(
            &format!("{}/v1/anything", mock.base_url()),
            &serde_json::json!({"illust_id": 7}),
        )
        .await;
    let log = mock.requests();
    assert_eq!(header(&log[3], "content-type"), Some("application/json"));
    assert_eq!(log[3].body, Bytes::from(r#"{"illust_id":7}"#));
    assert_eq!(
        log[0].query,
        vec![
            ("illust_id".to_owned(), "7".to_owned()),
            ("filter".to_owned(), "for ios".to_owned())
        ]
    );
    assert_eq!(log[1].method, http::Method::POST);
    assert_eq!(
        header(&log[1], "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(log[1].body, Bytes::from("illust_id=7&restrict=public"));
    assert_eq!(log[2].method, http::Method::DELETE);
    assert_eq!(log[2].uri.query(), Some("a=b+c"));
}

#[tokio::test]
async fn json_over_the_cap_is_body_too_large() {
    let mock = mock().await;
    let t = builder(&mock)
        .max_json_body(100)
        .add_root_certificate_pem(mock.ca_pem())
        .build()
        .unwrap();
    let err = t
        .json::<serde_json::Value>(
            Request::get(format!("{}?illust_id=1", detail_url(&mock)))
                .body(RequestBody::default())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, PixivError::BodyTooLarge { limit: 100, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_json_is_decode_with_its_position_and_no_body() {
    let mock = mock().await;
    let t = builder(&mock).build().unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        [Fault::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(r#"{"access_token": "SECRET-abc123", "illust": [1, 2"#),
        }],
    );
    let err = t
        .json::<Detail>(
            Request::get(format!("{}?illust_id=1", detail_url(&mock)))
                .body(RequestBody::default())
                .unwrap(),
        )
        .await
        .unwrap_err();
    let body_len = r#"{"access_token": "SECRET-abc123", "illust": [1, 2"#.len() as u64;
    match &err {
        PixivError::Decode {
            message,
            line,
            column,
            body_len: len,
            ..
        } => {
            assert!(message.contains("at line 1 column 49"), "{message}");
            assert_eq!((*line, *column, *len), (Some(1), Some(49), Some(body_len)));
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    // The body is not kept: nothing of it, the token included, is shown.
    let shown = format!("{err} {err:?} {err:#?}");
    assert!(!shown.contains("SECRET-abc123"), "{shown}");
    assert!(!shown.contains("illust"), "{shown}");
}

#[tokio::test]
async fn wrong_shape_json_is_decode() {
    let mock = mock().await;
    let t = builder(&mock).build().unwrap();
    #[derive(Debug, serde::Deserialize)]
    struct Wrong {
        #[allow(dead_code)]
        not_there: u8,
    }
    let err = t
        .json::<Wrong>(
            Request::get(format!("{}?illust_id=1", detail_url(&mock)))
                .body(RequestBody::default())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn metrics_count_requests_and_connections() {
    let mock = mock().await;
    let t = builder(&mock).build().unwrap();
    for id in 1..=3 {
        t.get(&detail_url(&mock), &[("illust_id", &id.to_string())])
            .await
            .unwrap();
    }
    let _ = t
        .get(
            &format!("{}/v1/illust/detail", mock.base_url()),
            &[("illust_id", "0")],
        )
        .await;
    let m = t.metrics();
    assert_eq!(m.requests, 4);
    assert_eq!(m.attempts, 4);
    assert_eq!(m.retries, 0);
    assert_eq!(m.errors, 1);
    assert_eq!(m.in_flight, 0);
    assert_eq!(m.connections_opened, mock.connections_opened());
    assert!(m.connections_opened >= 1);
}

#[tokio::test]
async fn clones_share_pool_and_metrics() {
    let mock = mock().await;
    let t = builder(&mock).build().unwrap();
    let t2 = t.clone();
    t.get(&detail_url(&mock), &[("illust_id", "1")])
        .await
        .unwrap();
    t2.get(&detail_url(&mock), &[("illust_id", "2")])
        .await
        .unwrap();
    assert_eq!(t.metrics().requests, 2);
    assert_eq!(
        mock.connections_opened(),
        1,
        "the second call reuses the pooled connection"
    );
}

#[tokio::test]
async fn auth_replay_is_counted() {
    let mock = Arc::new(mock().await);
    let m2 = mock.clone();
    let source = pixiv_transport::auth::Refresher::new(move || {
        let m = m2.clone();
        async move {
            Ok(pixiv_transport::auth::FreshToken::new(
                m.issue_access_token(),
            ))
        }
    });
    let t = Transport::builder()
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(source))
        .auth_origins([mock.base_url().parse::<Uri>().unwrap()])
        .build()
        .unwrap();
    t.get(&detail_url(&mock), &[("illust_id", "1")])
        .await
        .unwrap();
    mock.expire_access_tokens();
    t.get(&detail_url(&mock), &[("illust_id", "1")])
        .await
        .unwrap();
    let m = t.metrics();
    assert_eq!((m.requests, m.attempts, m.auth_replays), (2, 3, 1));
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn traces_show_the_path_but_never_the_query_or_the_token() {
    let mock = mock().await;
    let token = mock.issue_access_token();
    let t = Transport::builder()
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(StaticToken::new(token.clone())))
        .auth_origins([mock.base_url().parse::<Uri>().unwrap()])
        .build()
        .unwrap();
    let (capture, _guard) = LogCapture::start("pixiv_transport=trace");

    t.get(
        &detail_url(&mock),
        &[("illust_id", "1"), ("code", "SECRET-CODE-1")],
    )
    .await
    .unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        [Fault::Status(404)],
    );
    let _ = t
        .get(
            &detail_url(&mock),
            &[("illust_id", "2"), ("code", "SECRET-CODE-2")],
        )
        .await;

    let out = capture.text();
    assert!(out.contains("pixiv.request"), "{out}");
    assert!(out.contains(r#"path="/v1/illust/detail""#), "{out}");
    assert!(out.contains("status=200"), "{out}");
    assert!(out.contains("status=404"), "{out}");
    assert!(out.contains("attempt=1"), "{out}");
    assert!(!out.contains("SECRET-CODE"), "the query leaked: {out}");
    assert!(!out.contains(&token), "the token leaked: {out}");
}

#[tokio::test(start_paused = true)]
async fn rate_limit_waits_are_counted_and_host_groups_have_their_own_limiter() {
    let mock = mock().await;
    let window = Duration::from_millis(300);
    let t = builder(&mock)
        .rate_limit(1, window)
        .rate_limit_for_hosts(["localhost"], 100, Duration::from_secs(60))
        .build()
        .unwrap();
    let api = detail_url(&mock);
    let image = format!("https://localhost:{}/size/16/x.bin", mock.addr().port());
    let image_req = || {
        Request::get(&image)
            .header("referer", common::REFERER)
            .body(RequestBody::default())
            .unwrap()
    };

    t.get(&api, &[("illust_id", "1")]).await.unwrap();
    // The default limiter is spent for 300 ms; the image host's limiter is not (virtual time:
    // the images take none of it).
    let started = tokio::time::Instant::now();
    for _ in 0..3 {
        t.send(image_req()).await.unwrap();
    }
    assert_eq!(started.elapsed(), Duration::ZERO, "images did not wait");
    assert_eq!(t.metrics().rate_limit_waits, 0);

    t.get(&api, &[("illust_id", "2")]).await.unwrap();
    let m = t.metrics();
    assert_eq!(m.rate_limit_waits, 1);
    assert_eq!(m.rate_limit_wait_time, window, "{m:?}");
    let log = mock.requests();
    // The second API call starts exactly one window after the first.
    assert_eq!(log[4].at - log[0].at, window);
}

/// PixivPy's policy with a 10 ms backoff factor, so retries take milliseconds of real time.
fn fast_retry() -> RetryPolicy {
    RetryPolicy::new()
        .backoff_factor(Duration::from_millis(10))
        .jitter(false)
}

#[tokio::test]
async fn full_stack_503_503_200_succeeds_on_the_third_attempt() {
    let mock = mock().await;
    let t = builder(&mock).retry(fast_retry()).build().unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        [Fault::Status(503), Fault::Status(503)],
    );
    let url = format!("{}?illust_id=5", detail_url(&mock));
    let d: Detail = t
        .json(Request::get(url).body(RequestBody::default()).unwrap())
        .await
        .unwrap();
    assert_eq!(d.illust.id, 5);
    let log = mock.requests();
    assert_eq!(log.len(), 3, "two 503s, then the answer");
    for r in &log {
        assert!(
            header(r, "authorization").is_some(),
            "every attempt carries the Bearer"
        );
        assert_eq!(header(r, "user-agent"), Some(USER_AGENT));
    }
    let m = t.metrics();
    assert_eq!((m.requests, m.attempts, m.retries, m.errors), (1, 3, 2, 0));
}

#[tokio::test]
async fn retries_give_up_after_three_and_return_the_typed_error() {
    let mock = mock().await;
    let t = builder(&mock).retry(fast_retry()).build().unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        std::iter::repeat_n(Fault::Status(503), 5),
    );
    let err = t
        .get(&detail_url(&mock), &[("illust_id", "5")])
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        mock.requests().len(),
        4,
        "the first attempt and PixivPy's 3 retries"
    );
}

#[tokio::test]
async fn a_json_body_cut_midway_is_retried() {
    let mock = mock().await;
    let t = builder(&mock).retry(fast_retry()).build().unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        [
            Fault::ResetBody { after: 20 },
            Fault::ShortBody { missing: 5 },
        ],
    );
    let url = format!("{}?illust_id=9", detail_url(&mock));
    let d: Detail = t
        .json(Request::get(url).body(RequestBody::default()).unwrap())
        .await
        .unwrap();
    assert_eq!(d.illust.id, 9);
    assert_eq!(mock.requests().len(), 3);
    assert_eq!(t.metrics().retries, 2);
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let mock = mock().await;
    let t = builder(&mock).retry(fast_retry()).build().unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        [Fault::Status(404)],
    );
    let err = t
        .get(&detail_url(&mock), &[("illust_id", "5")])
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::Http { .. }), "{err:?}");
    assert_eq!(mock.requests().len(), 1);
}

/// A gzip member holding `data` in one stored (uncompressed) deflate block: enough to prove the
/// stack decompresses, without a compression crate.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let len = u16::try_from(data.len()).unwrap();
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.push(1); // final block, stored
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
    out
}

#[tokio::test]
async fn gzip_answers_are_decompressed_before_errors_are_classified() {
    let mock = mock().await;
    // No limiter: a "Rate Limit" answer would pause it for its 60 s cool-down.
    let t = builder(&mock)
        .retry(RetryPolicy::none())
        .no_rate_limit()
        .build()
        .unwrap();
    let rate_limit = br#"{"error":{"user_message":"","message":"Rate Limit","reason":"","user_message_details":{}}}"#;
    let ok = br#"{"illust":{"id":77}}"#;
    let gz = |status: u16, body: &[u8]| Fault::Raw {
        status,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("content-encoding".into(), "gzip".into()),
        ],
        body: Bytes::from(gzip_stored(body)),
    };
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        [gz(403, rate_limit), gz(200, ok)],
    );
    let url = format!("{}?illust_id=77", detail_url(&mock));
    let err = t
        .json::<Detail>(Request::get(&url).body(RequestBody::default()).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");
    let d: Detail = t
        .json(Request::get(&url).body(RequestBody::default()).unwrap())
        .await
        .unwrap();
    assert_eq!(d.illust.id, 77);
    let accept = header(&mock.requests()[0], "accept-encoding")
        .unwrap_or_default()
        .to_owned();
    assert!(accept.contains("gzip") && accept.contains("br"), "{accept}");
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_cooldown_is_configurable() {
    let mock = mock().await;
    let cooldown = Duration::from_secs(7);
    let t = builder(&mock)
        .retry(RetryPolicy::new().jitter(false))
        .rate_limit_cooldown(cooldown)
        .build()
        .unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/detail"),
        [Fault::RateLimitBody],
    );
    let url = format!("{}?illust_id=3", detail_url(&mock));
    let d: Detail = t
        .json(Request::get(url).body(RequestBody::default()).unwrap())
        .await
        .unwrap();
    assert_eq!(d.illust.id, 3);
    let log = mock.requests();
    assert_eq!(log.len(), 2);
    // The retry's 1 s backoff ends inside the pause: the replay starts when the cool-down ends.
    assert_eq!(log[1].at - log[0].at, cooldown);
}

//! What errors echo of their input (issue #19.9): a value that cannot be a credential is shown
//! as it is (a decode error named the string `"12"` as `"<redacted>"`), and an echoed input (a
//! server's message, a `Location`, a URL) is cut to 200 characters with its length, never shown
//! whole. And what they keep of an answer (issue #17.5): the fields `classify` parsed and facts
//! about the body, never the body. Against the mock over real TLS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, RouteMatch};
use pixiv_transport::retry::RetryPolicy;

fn json_answer(status: u16, body: String) -> Fault {
    Fault::Raw {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    }
}

/// A work whose `id` must be a number.
type Work = std::collections::HashMap<String, u64>;

#[tokio::test]
async fn a_decode_error_shows_an_innocent_value_and_hides_a_long_one() {
    let mock = mock().await;
    let t = builder(&mock).retry(RetryPolicy::none()).build().unwrap();
    let route = RouteMatch::path("/v1/work");
    mock.push_faults(route.clone(), [json_answer(200, r#"{"id": "12"}"#.into())]);
    let err = t.json::<Work>(get(&mock, "/v1/work")).await.unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    assert!(
        err.to_string().contains(r#"string "12", expected u64"#),
        "{err}"
    );
    assert!(!err.to_string().contains("<redacted>"), "{err}");

    // A value that may be a token stays hidden.
    mock.push_faults(
        route,
        [json_answer(200, r#"{"id": "AT-SECRET-0123456789"}"#.into())],
    );
    let err = t.json::<Work>(get(&mock, "/v1/work")).await.unwrap_err();
    assert!(!err.to_string().contains("AT-SECRET"), "{err}");
    assert!(err.to_string().contains("<redacted>"), "{err}");
}

/// `shown` holds an echo cut at 200 characters, then `… (N bytes)`.
fn assert_cut(shown: &str, len: usize) {
    let tail = format!("… ({len} bytes)");
    assert!(shown.contains(&tail), "{shown}");
    assert!(
        shown.chars().count() < 200 + 150,
        "{} chars",
        shown.chars().count()
    );
}

#[tokio::test]
async fn long_echoes_are_cut_with_their_length() {
    let mock = mock().await;
    let t = builder(&mock).retry(RetryPolicy::none()).build().unwrap();
    let route = RouteMatch::path("/v1/echo");

    // A server message of 5,000 characters (multi-byte, so the cut must find a boundary).
    let message = "é".repeat(5_000);
    mock.push_faults(
        route.clone(),
        [json_answer(
            400,
            format!(r#"{{"error": {{"user_message": "{message}"}}}}"#),
        )],
    );
    let err = t.send(get(&mock, "/v1/echo")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    assert_cut(&err.to_string(), message.len());
    // `Debug` also shows the details' parsed `user_message`, cut the same way.
    assert!(format!("{err:?}").contains(&format!("… ({} bytes)", message.len())));
    assert_cut(
        err.details().unwrap().user_message().unwrap(),
        message.len(),
    );
    if let PixivError::Http { message: m, .. } = &err {
        assert_cut(m, message.len());
    }

    // A 10 KB `Location` the redirect layer refuses.
    let location = format!("ftp://127.0.0.1/{}", "a".repeat(10_000));
    mock.push_faults(
        route,
        [Fault::Redirect {
            status: 302,
            location: location.clone(),
        }],
    );
    let err = t.send(get(&mock, "/v1/echo")).await.unwrap_err();
    assert!(matches!(err, PixivError::Redirect { .. }), "{err:?}");
    assert_cut(&err.to_string(), location.len());
}

/// A token no one registered, written where an error keeps nothing.
const STRAY: &str = "StRaY-ToKeN-0123456789abcdef";

fn assert_not_shown(err: &PixivError, what: &str) {
    let shown = format!("{err} {err:?} {err:#?}");
    assert!(!shown.contains(what), "{shown}");
}

#[tokio::test]
async fn an_error_answer_keeps_its_parsed_fields_and_nothing_else_of_the_body() {
    let mock = mock().await;
    let t = builder(&mock).retry(RetryPolicy::none()).build().unwrap();
    let body = format!(
        r#"{{"error": {{"user_message": "Your access is currently restricted.", "message": "",
            "reason": "restricted", "user_message_details": {{"limit": 3, "refresh_token": "{STRAY}"}}}},
            "access_token": "{STRAY}", "debug": {{"session": "{STRAY}"}}}}"#
    );
    mock.push_faults(
        RouteMatch::path("/v1/kept"),
        [json_answer(403, body.clone())],
    );
    let err = t.send(get(&mock, "/v1/kept")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "HTTP 403 Forbidden: Your access is currently restricted."
    );
    let d = err.details().unwrap();
    assert_eq!(d.reason(), Some("restricted"));
    assert_eq!(
        d.user_message_details(),
        [("limit".to_owned(), "3".to_owned())]
    );
    assert_eq!(d.body_len(), body.len() as u64);
    assert_eq!(d.content_type(), Some("application/json"));
    assert_not_shown(&err, STRAY);
}

#[tokio::test]
async fn an_html_502_page_gives_its_title() {
    let mock = mock().await;
    let t = builder(&mock).retry(RetryPolicy::none()).build().unwrap();
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center>\
         <!-- upstream said Authorization: Bearer {STRAY} --></body></html>"
    );
    mock.push_faults(
        RouteMatch::path("/v1/gateway"),
        [Fault::Raw {
            status: 502,
            headers: vec![("content-type".into(), "text/html".into())],
            body: page.clone().into(),
        }],
    );
    let err = t.send(get(&mock, "/v1/gateway")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.is_retryable());
    let d = err.details().unwrap();
    assert_eq!(d.title(), Some("502 Bad Gateway"));
    assert_eq!(d.body_len(), page.len() as u64);
    assert!(format!("{err:?}").contains("502 Bad Gateway"), "{err:?}");
    assert_not_shown(&err, STRAY);
    assert_not_shown(&err, "nginx</center>");
}

#[tokio::test]
async fn a_decode_error_keeps_its_position_and_no_body() {
    let mock = mock().await;
    let t = builder(&mock).retry(RetryPolicy::none()).build().unwrap();
    let body = format!(r#"{{"id": 12, "access_token": "{STRAY}", "n": "#);
    mock.push_faults(
        RouteMatch::path("/v1/cut"),
        [json_answer(200, body.clone())],
    );
    let err = t.json::<Work>(get(&mock, "/v1/cut")).await.unwrap_err();
    match &err {
        PixivError::Decode { line, body_len, .. } => {
            assert_eq!((*line, *body_len), (Some(1), Some(body.len() as u64)))
        }
        other => panic!("{other:?}"),
    }
    assert_not_shown(&err, STRAY);
    assert_not_shown(&err, "access_token");
}

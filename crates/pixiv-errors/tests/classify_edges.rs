//! Edges of `classify` that mutation testing showed no test pinned down (docs/reliability.md).
// Helpers outside #[test] fns may unwrap too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use http::header::{CONTENT_TYPE, SERVER};
use http::{HeaderMap, HeaderValue, StatusCode};
use pixiv_errors::redact::MAX_ECHO_CHARS;
use pixiv_errors::{AuthErrorKind, MAX_JSON_DEPTH, PixivError, classify};

/// A long message: longer than any echo is shown.
const LONG: usize = 1024;

fn cloudflare_headers(content_type: Option<&'static str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(SERVER, HeaderValue::from_static("cloudflare"));
    if let Some(ct) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    headers
}

#[test]
fn a_plain_text_cloudflare_403_that_says_just_a_moment_is_no_challenge() {
    // Not HTML (declared text/plain, no <html>): the challenge signs are for pages.
    let err = classify(
        StatusCode::FORBIDDEN,
        &cloudflare_headers(Some("text/plain")),
        b"Just a moment... _cf_chl_opt",
    )
    .unwrap();
    assert!(matches!(err, PixivError::Http { .. }), "{err:?}");
}

#[test]
fn an_html_challenge_is_recognised_by_its_markup_without_a_content_type() {
    for body in [
        &b"<HTML><head><title>Just a moment...</title></head></html>"[..],
        &b"<!DOCTYPE html><p>_cf_chl_opt</p>"[..],
    ] {
        let err = classify(
            StatusCode::SERVICE_UNAVAILABLE,
            &cloudflare_headers(None),
            body,
        )
        .unwrap();
        assert!(
            matches!(err, PixivError::CloudflareChallenge { .. }),
            "{err:?}"
        );
    }
}

/// A Pixiv "Rate Limit" body with `extra` nesting of arrays beside the error object.
fn rate_limit_body_nested(extra: usize) -> Vec<u8> {
    let mut body = br#"{"error":{"message":"Rate Limit"},"x":"#.to_vec();
    body.extend(std::iter::repeat_n(b'[', extra));
    body.extend(std::iter::repeat_n(b']', extra));
    body.push(b'}');
    body
}

#[test]
fn an_error_body_nested_exactly_to_the_depth_limit_is_read_and_one_deeper_is_not() {
    // The object itself is one level: `extra` arrays make the depth 1 + extra.
    let at_limit = rate_limit_body_nested(MAX_JSON_DEPTH - 1);
    let err = classify(StatusCode::FORBIDDEN, &HeaderMap::new(), &at_limit).unwrap();
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");

    let too_deep = rate_limit_body_nested(MAX_JSON_DEPTH);
    let err = classify(StatusCode::FORBIDDEN, &HeaderMap::new(), &too_deep).unwrap();
    assert!(matches!(err, PixivError::Http { .. }), "{err:?}");
}

#[test]
fn closing_brackets_bring_the_depth_back_down() {
    // 200 sibling arrays at depth 2: never deeper than 3, however many there are.
    let mut body = br#"{"error":{"message":"Rate Limit"},"x":["#.to_vec();
    for _ in 0..200 {
        body.extend_from_slice(b"[],");
    }
    body.extend_from_slice(b"[]]}");
    let err = classify(StatusCode::FORBIDDEN, &HeaderMap::new(), &body).unwrap();
    assert!(matches!(err, PixivError::RateLimited { .. }), "{err:?}");
}

#[test]
fn an_oauth_system_error_counts_without_has_error() {
    // Some OAuth answers carry `errors.system` alone; the block itself marks an error body.
    let body = br#"{"errors":{"system":{"message":"Invalid refresh token","code":1508}}}"#;
    let err = classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body).unwrap();
    assert_eq!(
        err.auth_kind(),
        Some(AuthErrorKind::InvalidRefreshToken),
        "{err:?}"
    );
    assert_eq!(err.details().unwrap().code(), Some(1508));
}

/// The `message` a 400 with an App API error carrying `message` gets.
fn http_message(message: &str) -> String {
    let body = serde_json::json!({ "error": { "message": message } }).to_string();
    match classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), body.as_bytes()).unwrap() {
        PixivError::Http { message, .. } => message,
        other => panic!("not Http: {other:?}"),
    }
}

#[test]
fn a_server_message_of_the_echo_limit_is_shown_whole() {
    let exact = "m".repeat(MAX_ECHO_CHARS);
    assert_eq!(http_message(&exact), exact);
}

#[test]
fn a_longer_server_message_is_cut_with_its_length() {
    // Issue #19.9: an echo is cut at 200 characters and says how long the whole was.
    let shown = http_message(&"m".repeat(LONG + 1));
    assert_eq!(
        shown,
        format!("{}… ({} bytes)", "m".repeat(MAX_ECHO_CHARS), LONG + 1)
    );
    let shown = http_message(&"é".repeat(4 * LONG));
    assert!(shown.starts_with(&"é".repeat(MAX_ECHO_CHARS)), "{shown}");
    assert!(
        shown.ends_with(&format!("… ({} bytes)", 8 * LONG)),
        "{shown}"
    );
}

/// `classify`'s fast path (a status below 400 whose body never names `error`) decides as
/// `classify_at` does, whatever the headers; a body naming `error` still goes the whole way.
#[test]
fn the_success_fast_path_agrees_with_the_full_rules() {
    use pixiv_errors::classify_at;
    use std::time::SystemTime;

    let mut headers = cloudflare_headers(Some("application/json"));
    headers.insert("cf-mitigated", HeaderValue::from_static("challenge"));
    headers.insert("retry-after", HeaderValue::from_static("5"));
    let now = SystemTime::now();
    let bodies: [&[u8]; 6] = [
        br#"{"illust":{"id":1,"title":"t"}}"#,
        b"",
        b"<html>Just a moment... _cf_chl_opt</html>",
        br#"{"illust":{"caption":"no error here"}}"#,
        br#"{"error":{"user_message":"","message":"Rate Limit","reason":"","user_message_details":{}}}"#,
        b"\xEF\xBB\xBF {\"has_error\": true, \"errors\": {\"system\": {\"message\": \"x\", \"code\": 1508}}}",
    ];
    for status in [200, 201, 204, 302, 399, 400, 401, 403, 429, 503] {
        let status = StatusCode::from_u16(status).unwrap();
        for body in bodies {
            for h in [&headers, &HeaderMap::new()] {
                let fast = classify(status, h, body).map(|e| format!("{e:?}"));
                let full = classify_at(status, h, body, now).map(|e| format!("{e:?}"));
                assert_eq!(fast, full, "{status} {:?}", String::from_utf8_lossy(body));
            }
        }
    }
    // The fast path never hides Pixiv's error object in a 200.
    let rate = classify(StatusCode::OK, &HeaderMap::new(), bodies[4]).unwrap();
    assert!(matches!(rate, PixivError::RateLimited { .. }), "{rate:?}");
    assert!(classify(StatusCode::OK, &headers, bodies[0]).is_none());
}

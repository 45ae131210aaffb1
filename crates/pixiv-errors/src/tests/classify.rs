//! How `classify` reads answers: rate limits, auth, Cloudflare, plain HTTP errors, deep nesting.

use std::time::Duration;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};

use super::*;
use crate::*;

// ---- rate limits ----

#[test]
fn rate_limit_body_is_rate_limited_at_403_400_and_200() {
    for status in [403, 400, 200] {
        let err = classify_now(status, &HeaderMap::new(), RATE_LIMIT).unwrap();
        match &err {
            PixivError::RateLimited {
                status: s,
                retry_after,
                ..
            } => {
                assert_eq!(s.as_u16(), status);
                assert_eq!(*retry_after, None, "Pixiv sends no Retry-After");
            }
            other => panic!("{status}: {other:?}"),
        }
        assert!(err.is_retryable());
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    }
}

#[test]
fn status_429_with_retry_after_seconds() {
    let h = headers(&[("retry-after", "42")]);
    let err = classify_now(429, &h, "").unwrap();
    assert!(
        matches!(err, PixivError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(42))
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(42)));
    assert_eq!(
        err.to_string(),
        "rate limited (HTTP 429 Too Many Requests), retry after 42s"
    );
}

#[test]
fn status_429_with_retry_after_http_date() {
    let date = httpdate::fmt_http_date(now() + Duration::from_secs(120));
    let h = headers(&[("retry-after", &date)]);
    let err = classify_now(429, &h, "").unwrap();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(err.is_retryable());
}

#[test]
fn status_429_without_retry_after_and_with_garbage() {
    let err = classify_now(429, &HeaderMap::new(), "slow down").unwrap();
    assert!(matches!(
        err,
        PixivError::RateLimited {
            retry_after: None,
            ..
        }
    ));
    let err = classify_now(429, &headers(&[("retry-after", "later")]), "").unwrap();
    assert_eq!(err.retry_after(), None);
}

#[test]
fn rate_limit_body_wins_over_invalid_grant_status_rules() {
    // "Rate Limit" at 401 is still a rate limit: the body decides, whatever the status.
    let err = classify_now(401, &HeaderMap::new(), RATE_LIMIT).unwrap();
    assert!(matches!(err, PixivError::RateLimited { .. }));
}

// ---- auth ----

#[test]
fn invalid_grant_body_is_an_invalid_access_token() {
    let err = classify_now(400, &HeaderMap::new(), INVALID_GRANT).unwrap();
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::InvalidAccessToken));
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert!(err.is_auth());
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "authentication failed (invalid or expired access token): Error occurred at the OAuth process. \
         Please check your Access Token to fix this. Error Message: invalid_grant"
    );
}

#[test]
fn oauth_has_error_body_is_an_invalid_refresh_token_with_its_code() {
    for body in [OAUTH_INVALID_REFRESH, OAUTH_INVALID_REFRESH_GRANT] {
        let err = classify_now(400, &HeaderMap::new(), body).unwrap();
        assert_eq!(
            err.auth_kind(),
            Some(AuthErrorKind::InvalidRefreshToken),
            "{body}"
        );
        assert_eq!(err.details().unwrap().code(), Some(1508));
        assert_eq!(
            err.to_string(),
            "authentication failed (invalid refresh token): Invalid refresh token"
        );
        assert!(!err.is_retryable());
    }
}

#[test]
fn oauth_invalid_grant_string_alone_is_an_invalid_refresh_token() {
    let err = classify_now(400, &HeaderMap::new(), r#"{"error": "invalid_grant"}"#).unwrap();
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::InvalidRefreshToken));
    assert_eq!(err.details().unwrap().code(), None);
}

#[test]
fn other_oauth_errors_are_http_with_their_code() {
    let body =
        r#"{"has_error": true, "errors": {"system": {"message": "Invalid client", "code": 1503}}}"#;
    let err = classify_now(400, &HeaderMap::new(), body).unwrap();
    assert!(matches!(err, PixivError::Http { .. }), "{err:?}");
    assert_eq!(err.to_string(), "HTTP 400 Bad Request: Invalid client");
    assert_eq!(err.details().unwrap().code(), Some(1503));
}

#[test]
fn plain_401_is_unauthorized() {
    let err = classify_now(401, &HeaderMap::new(), "").unwrap();
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::Unauthorized));
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(
        err.to_string(),
        "authentication failed (unauthorized): Unauthorized"
    );
}

#[test]
fn a_401_with_a_pixiv_body_shows_its_message() {
    let body = r#"{"error": {"user_message": "", "message": "Bad token", "reason": "", "user_message_details": {}}}"#;
    let err = classify_now(401, &HeaderMap::new(), body).unwrap();
    assert_eq!(
        err.to_string(),
        "authentication failed (unauthorized): Bad token"
    );
}

// ---- cloudflare ----

#[test]
fn cloudflare_by_header_keeps_the_ray_id() {
    let mut h = cloudflare_headers();
    h.insert("cf-mitigated", HeaderValue::from_static("challenge"));
    h.insert("cf-ray", HeaderValue::from_static("8c1f2a3b4c5d6e7f-NRT"));
    for status in [403, 503] {
        let err = classify_now(status, &h, "").unwrap();
        match &err {
            PixivError::CloudflareChallenge { ray_id, .. } => {
                assert_eq!(ray_id.as_deref(), Some("8c1f2a3b4c5d6e7f-NRT"));
            }
            other => panic!("{other:?}"),
        }
        assert!(!err.is_retryable());
    }
    let err = classify_now(403, &h, "").unwrap();
    assert_eq!(
        err.to_string(),
        "blocked by a Cloudflare challenge (HTTP 403 Forbidden, cf-ray 8c1f2a3b4c5d6e7f-NRT)"
    );
}

#[test]
fn cloudflare_by_header_without_ray_and_without_body() {
    let h = headers(&[("server", "Cloudflare"), ("cf-mitigated", "challenge")]);
    let err = classify_now(503, &h, "").unwrap();
    assert!(
        matches!(err, PixivError::CloudflareChallenge { ray_id: None, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "blocked by a Cloudflare challenge (HTTP 503 Service Unavailable)"
    );
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.retry_after(), None);
}

#[test]
fn cloudflare_by_html_body_with_and_without_ray() {
    let h = cloudflare_headers();
    let err = classify_now(403, &h, CHALLENGE_HTML).unwrap();
    assert!(
        matches!(err, PixivError::CloudflareChallenge { ray_id: None, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "blocked by a Cloudflare challenge (HTTP 403 Forbidden)"
    );

    let mut h = cloudflare_headers();
    h.insert("cf-ray", HeaderValue::from_static("8c1f2a3b4c5d6e7f-LAX"));
    let err = classify_now(503, &h, "<html><title>Just a moment...</title></html>").unwrap();
    assert!(
        matches!(&err, PixivError::CloudflareChallenge { ray_id: Some(r), .. } if r == "8c1f2a3b4c5d6e7f-LAX")
    );
    // The page's title is kept, not the page.
    assert_eq!(err.details().unwrap().title(), Some("Just a moment..."));
}

#[test]
fn cloudflare_body_markers_without_content_type_still_count_when_html() {
    let h = headers(&[("server", "cloudflare")]);
    let err = classify_now(403, &h, CHALLENGE_HTML).unwrap();
    assert!(matches!(err, PixivError::CloudflareChallenge { .. }));
}

#[test]
fn not_cloudflare_without_the_server_header_or_at_other_statuses() {
    // Same page, no `Server: cloudflare`: an ordinary 403.
    let h = headers(&[("content-type", "text/html")]);
    let err = classify_now(403, &h, CHALLENGE_HTML).unwrap();
    assert!(matches!(err, PixivError::Http { .. }));
    // Cloudflare's server but a 500: not a challenge.
    let err = classify_now(500, &cloudflare_headers(), CHALLENGE_HTML).unwrap();
    assert!(matches!(err, PixivError::Http { .. }));
    // Cloudflare's server, a 403 and an ordinary page: not a challenge.
    let err = classify_now(403, &cloudflare_headers(), "<html>Forbidden</html>").unwrap();
    assert!(matches!(err, PixivError::Http { .. }));
}

#[test]
fn cloudflare_wins_over_a_pixiv_body() {
    let mut h = headers(&[("server", "cloudflare"), ("cf-mitigated", "challenge")]);
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let err = classify_now(403, &h, RATE_LIMIT).unwrap();
    assert!(matches!(err, PixivError::CloudflareChallenge { .. }));
}

#[test]
fn odd_ray_ids_are_dropped() {
    let mut h = headers(&[("server", "cloudflare"), ("cf-mitigated", "challenge")]);
    h.insert("cf-ray", HeaderValue::from_str(&"a".repeat(200)).unwrap());
    let err = classify_now(403, &h, "").unwrap();
    assert!(matches!(
        err,
        PixivError::CloudflareChallenge { ray_id: None, .. }
    ));
}

// ---- http ----

#[test]
fn restricted_body_shows_the_user_message() {
    let err = classify_now(403, &HeaderMap::new(), RESTRICTED).unwrap();
    assert!(matches!(err, PixivError::Http { .. }));
    assert_eq!(
        err.to_string(),
        "HTTP 403 Forbidden: Your access is currently restricted."
    );
    assert!(!err.is_retryable());
}

#[test]
fn work_missing_404() {
    let err = classify_now(404, &HeaderMap::new(), WORK_MISSING).unwrap();
    assert_eq!(
        err.to_string(),
        "HTTP 404 Not Found: 該当作品は削除されたか、存在しない作品IDです。"
    );
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert!(!err.is_retryable());
}

#[test]
fn message_falls_back_to_message_then_reason_phrase_and_keeps_reason() {
    let body = r#"{"error": {"user_message": "", "message": "", "reason": "Not Found", "user_message_details": {}}}"#;
    let err = classify_now(404, &HeaderMap::new(), body).unwrap();
    assert_eq!(err.to_string(), "HTTP 404 Not Found: Not Found");
    assert_eq!(err.details().unwrap().reason(), Some("Not Found"));

    let body = r#"{"error": {"user_message": "  ", "message": "Method Not Allowed", "reason": "", "user_message_details": {}}}"#;
    let err = classify_now(405, &HeaderMap::new(), body).unwrap();
    assert_eq!(
        err.to_string(),
        "HTTP 405 Method Not Allowed: Method Not Allowed"
    );
    assert_eq!(err.details().unwrap().reason(), None);
}

#[test]
fn plain_500_with_html_is_retryable_http() {
    let h = headers(&[("content-type", "text/html"), ("server", "nginx")]);
    let body = "<html><body><h1>500 Internal Server Error</h1></body></html>";
    let err = classify_now(500, &h, body).unwrap();
    assert!(matches!(err, PixivError::Http { .. }));
    assert_eq!(
        err.to_string(),
        "HTTP 500 Internal Server Error: Internal Server Error"
    );
    assert!(err.is_retryable());
    let d = err.details().unwrap();
    assert_eq!(d.body_len(), body.len() as u64);
    assert_eq!(d.content_type(), Some("text/html"));
    assert_eq!(d.title(), None);
    assert_eq!(d.headers()["server"], "nginx");
}

#[test]
fn an_html_502_page_gives_its_title_and_nothing_else() {
    let h = headers(&[("content-type", "text/html; charset=utf-8")]);
    let body = "<!DOCTYPE html>\n<html><head>\n<TITLE>\n  502 Bad Gateway &amp; co\n</TITLE>\n\
                <meta name=\"csrf-token\" content=\"CSRF-0123456789\"></head>\n\
                <body>session=SESS-0123456789</body></html>";
    let err = classify_now(502, &h, body).unwrap();
    assert!(err.is_retryable());
    let d = err.details().unwrap();
    assert_eq!(d.title(), Some("502 Bad Gateway & co"));
    assert_eq!(d.body_len(), body.len() as u64);
    let debug = format!("{err:?}");
    assert!(debug.contains("502 Bad Gateway & co"), "{debug}");
    for secret in ["CSRF-0123456789", "SESS-0123456789"] {
        assert!(!debug.contains(secret), "{debug}");
        assert!(!err.to_string().contains(secret));
    }
    // A title is capped like any echo; an empty one is none; a page without one has none.
    let long = format!("<html><title>{}</title></html>", "t".repeat(5_000));
    let err = classify_now(503, &h, &long).unwrap();
    assert!(
        err.details()
            .unwrap()
            .title()
            .unwrap()
            .ends_with("… (5000 bytes)")
    );
    let err = classify_now(503, &h, "<html><title>  </title></html>").unwrap();
    assert_eq!(err.details().unwrap().title(), None);
    // Not HTML: no title looked for.
    let plain = headers(&[("content-type", "text/plain")]);
    let err = classify_now(502, &plain, "<title>x</title> upstream died").unwrap();
    assert_eq!(err.details().unwrap().title(), None);
    assert_eq!(err.details().unwrap().content_type(), Some("text/plain"));
    // Undeclared: sniffed from the start of the body.
    let err = classify_now(
        502,
        &HeaderMap::new(),
        "<html><title>Sniffed</title></html>",
    )
    .unwrap();
    assert_eq!(err.details().unwrap().title(), Some("Sniffed"));
}

#[test]
fn pixiv_fields_are_kept_parsed_and_the_rest_of_the_body_is_not() {
    let body = r#"{"error": {"user_message": "u", "message": "m", "reason": "r",
        "user_message_details": {"limit": 5, "kind": "bookmark", "ok": true, "nested": {"a": 1},
        "access_token": "AT-DETAIL-0123456789"}},
        "access_token": "AT-TOP-0123456789", "debug": "AT-DEBUG-0123456789"}"#;
    let err = classify_now(400, &HeaderMap::new(), body).unwrap();
    let d = err.details().unwrap();
    assert_eq!(
        (d.user_message(), d.message(), d.reason()),
        (Some("u"), Some("m"), Some("r"))
    );
    let entries: Vec<(&str, &str)> = d
        .user_message_details()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        entries,
        [("kind", "bookmark"), ("limit", "5"), ("ok", "true")]
    );
    assert_eq!(d.body_len(), body.len() as u64);
    let shown = format!("{err} {err:?} {err:#?}");
    assert!(!shown.contains("AT-"), "{shown}");

    let err = classify_now(400, &HeaderMap::new(), OAUTH_INVALID_REFRESH_GRANT).unwrap();
    let d = err.details().unwrap();
    assert_eq!(
        (d.code(), d.system_message(), d.error()),
        (
            Some(1508),
            Some("Invalid refresh token"),
            Some("invalid_grant")
        )
    );
}

#[test]
fn exactly_500_502_503_504_retry() {
    for code in 400..600u16 {
        let err = classify_now(code, &HeaderMap::new(), "").unwrap();
        let expected = matches!(code, 429 | 500 | 502 | 503 | 504);
        assert_eq!(err.is_retryable(), expected, "{code}: {err:?}");
    }
}

#[test]
fn a_503_keeps_its_retry_after() {
    let err = classify_now(503, &headers(&[("retry-after", "7")]), "").unwrap();
    assert!(matches!(err, PixivError::Http { .. }));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[test]
fn success_json_with_an_error_object_is_http() {
    let err = classify_now(200, &HeaderMap::new(), RESTRICTED).unwrap();
    assert!(matches!(
        err,
        PixivError::Http {
            status: StatusCode::OK,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "HTTP 200 OK: Your access is currently restricted."
    );
    let err = classify_now(200, &HeaderMap::new(), r#"{"error": {}}"#).unwrap();
    assert_eq!(err.to_string(), "HTTP 200 OK: OK");
}

#[test]
fn success_without_a_pixiv_error_is_none() {
    let none = [
        "",
        "not json at all",
        r#"{"illust": {"id": 1}}"#,
        r#"{"error": null, "illusts": []}"#,
        r#"[{"error": {"message": "Rate Limit"}}]"#,
        r#"{"error": {"message": "Rate Limit"}"#, // not JSON: cut short
        "\u{feff}{\"ok\": true}",
    ];
    for body in none {
        assert!(
            classify_now(200, &HeaderMap::new(), body).is_none(),
            "{body:?}"
        );
    }
    assert!(classify_at(StatusCode::OK, &HeaderMap::new(), b"\xff\xfe\x00", now()).is_none());
    assert!(classify_now(204, &HeaderMap::new(), "").is_none());
    assert!(classify_now(302, &headers(&[("location", "https://x/")]), "").is_none());
    assert!(classify_now(304, &HeaderMap::new(), "").is_none());
}

#[test]
fn unknown_status_codes_get_a_generic_reason() {
    let err = classify_now(599, &HeaderMap::new(), "").unwrap();
    assert_eq!(
        err.to_string(),
        "HTTP 599 <unknown status code>: unknown status"
    );
}

#[test]
fn non_string_fields_are_ignored() {
    let body = r#"{"error": {"user_message": 5, "message": ["Rate Limit"], "reason": null}}"#;
    let err = classify_now(400, &HeaderMap::new(), body).unwrap();
    assert_eq!(err.to_string(), "HTTP 400 Bad Request: Bad Request");
    let body = r#"{"has_error": true, "errors": {"system": {"message": "Invalid refresh token", "code": "1508"}}}"#;
    let err = classify_now(400, &HeaderMap::new(), body).unwrap();
    assert_eq!(err.details().unwrap().code(), Some(1508));
}

// ---- deep nesting ----

fn nested(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

#[test]
fn ten_thousand_levels_do_not_overflow_the_stack() {
    let deep = nested(10_000);
    // In the error object, at the top, and in a key classification skips.
    let bodies = [
        format!(r#"{{"error": {{"message": "Rate Limit", "x": {deep}}}}}"#),
        deep.clone(),
        format!(r#"{{"illusts": {deep}}}"#),
        "{\"a\":".repeat(10_000),
    ];
    for body in &bodies {
        let err = classify_now(403, &HeaderMap::new(), body).unwrap();
        assert!(matches!(err, PixivError::Http { .. }), "{err:?}");
        assert!(classify_now(200, &HeaderMap::new(), body).is_none());
        assert_eq!(err.details().unwrap().body_len(), body.len() as u64);
    }
}

#[test]
fn serde_json_recursion_limit_becomes_a_decode_error() {
    let deep = nested(10_000);
    let err: PixivError = serde_json::from_str::<serde_json::Value>(&deep)
        .unwrap_err()
        .into();
    assert!(matches!(err, PixivError::Decode { body_len: None, .. }));
    assert!(
        err.to_string().contains("recursion limit exceeded"),
        "{err}"
    );
    let err = PixivError::decode_json(
        &serde_json::from_str::<serde_json::Value>(&deep).unwrap_err(),
        deep.as_bytes(),
    );
    match err {
        PixivError::Decode {
            body_len: Some(n),
            line: Some(1),
            column: Some(_),
            ..
        } => assert_eq!(n, deep.len() as u64),
        other => panic!("{other:?}"),
    }
}

#[test]
fn depth_scanner_ignores_brackets_in_strings() {
    let s = format!(r#"{{"a": "{}"}}"#, "[".repeat(1000));
    assert!(!crate::classify::json_depth_exceeds(
        s.as_bytes(),
        MAX_JSON_DEPTH
    ));
    assert!(crate::classify::json_depth_exceeds(
        nested(MAX_JSON_DEPTH + 1).as_bytes(),
        MAX_JSON_DEPTH
    ));
    assert!(!crate::classify::json_depth_exceeds(
        nested(MAX_JSON_DEPTH).as_bytes(),
        MAX_JSON_DEPTH
    ));
}

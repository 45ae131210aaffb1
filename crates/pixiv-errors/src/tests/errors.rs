//! The errors themselves: details, redaction on the error, constructors, `Display`, copies.

use std::time::Duration;

use http::header::{AUTHORIZATION, RETRY_AFTER, SERVER, SET_COOKIE};
use http::{HeaderMap, HeaderValue, StatusCode};

use super::*;
use crate::*;

// ---- details, redaction on the error ----

#[test]
fn details_keep_redacted_headers_and_the_parsed_fields_not_the_body() {
    let mut h = HeaderMap::new();
    h.insert(
        SET_COOKIE,
        HeaderValue::from_static("PHPSESSID=sess-123; path=/"),
    );
    h.insert(SERVER, HeaderValue::from_static("nginx"));
    let mut body = RESTRICTED.as_bytes().to_vec();
    body.extend(std::iter::repeat_n(b' ', 5000));
    let err = classify_at(StatusCode::FORBIDDEN, &h, &body, now()).unwrap();
    let d = err.details().unwrap();
    assert_eq!(d.headers()[SET_COOKIE], "<redacted>");
    assert_eq!(d.headers()[SERVER], "nginx");
    assert_eq!(
        d.user_message(),
        Some("Your access is currently restricted.")
    );
    assert_eq!(d.body_len(), body.len() as u64);
    assert!(!format!("{err:?}").contains("sess-123"));
}

#[test]
fn a_token_elsewhere_in_an_error_body_is_not_kept_at_all() {
    // Never registered: only not keeping the body hides it.
    let unknown = "UnKnOwN-ToKeN-0123456789";
    let body = format!(
        r#"{{"error": {{"user_message": "", "message": "bad request", "reason": "", "user_message_details": {{"access_token": "{unknown}"}}}}, "access_token": "{unknown}", "refresh_token": "{unknown}"}}"#
    );
    for status in [200, 400, 401, 429, 500] {
        let err = classify_now(status, &HeaderMap::new(), &body).unwrap();
        let shown = format!("{err} {err:?} {err:#?}");
        assert!(!shown.contains(unknown), "{shown}");
        assert!(shown.contains("bad request") || status == 429, "{shown}");
    }
}

#[test]
fn tokens_in_bodies_headers_and_messages_never_show() {
    // The process holds this one (a `Secret`), so a server quoting it in a message is scrubbed.
    let secret = "SeCrEt-ToKeN-0123456789";
    let _held = Secret::new(secret);
    let body = format!(
        r#"{{"error": {{"user_message": "", "message": "bad refresh_token={secret}", "reason": "Bearer {secret}", "user_message_details": {{}}}}, "access_token": "{secret}"}}"#
    );
    let mut h = HeaderMap::new();
    h.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {secret}")).unwrap(),
    );
    h.insert(
        "location",
        HeaderValue::from_str(&format!("https://a/?code={secret}")).unwrap(),
    );
    let err = classify_at(StatusCode::BAD_REQUEST, &h, body.as_bytes(), now()).unwrap();
    assert!(!err.to_string().contains(secret), "{err}");
    assert!(!format!("{err:?}").contains(secret), "{err:?}");
    assert!(!format!("{err:#?}").contains(secret));
}

#[derive(Debug)]
struct LeakyError(String);

impl std::fmt::Display for LeakyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LeakyError {}

#[test]
fn wrapped_sources_are_shown_redacted_but_kept_for_downcasting() {
    let _password = Secret::new("pa55word");
    let _token = Secret::new("abcdefgh");
    let err = PixivError::connect(LeakyError(
        "dial http://user:pa55word@proxy:3128 failed".into(),
    ));
    assert_eq!(
        err.to_string(),
        "connection failed: dial http://user:<redacted>@proxy:3128 failed"
    );
    assert!(!format!("{err:?}").contains("pa55word"));
    let source = std::error::Error::source(&err).unwrap();
    assert!(source.downcast_ref::<LeakyError>().is_some());
    assert!(err.is_retryable());

    let err = PixivError::tls(LeakyError("bad cert for Bearer abcdefgh".into()));
    assert!(!err.to_string().contains("abcdefgh"));
    assert!(!format!("{err:?}").contains("abcdefgh"));
    assert!(!err.is_retryable());
}

#[test]
fn free_text_is_scrubbed_by_value_when_it_enters_and_shown_as_stored() {
    let _held = Secret::new("RT-entered-0123");
    let err = PixivError::invalid_input("refresh token", "RT-entered-0123 rejected");
    let PixivError::InvalidInput { why, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(why, "<redacted> rejected");
    assert_eq!(
        err.to_string(),
        "invalid refresh token: <redacted> rejected"
    );
    assert!(!format!("{err:?}").contains("RT-entered"));
    // Free text is not scanned for patterns: what names no known secret stays readable.
    let err = PixivError::proxy("407: refresh_token=abc was not sent");
    assert_eq!(
        err.to_string(),
        "proxy failed: 407: refresh_token=abc was not sent"
    );
    // A struct literal is shown as written, only cut (the constructors are the way in).
    let err = PixivError::InvalidInput {
        what: "line".into(),
        why: "y".repeat(1_000),
    };
    assert!(err.to_string().ends_with("… (1000 bytes)"), "{err}");
}

// ---- constructors, helpers, Display ----

#[test]
fn constructors_build_the_variants() {
    let io = PixivError::io("/tmp/x.png", std::io::Error::other("disk full"));
    assert_eq!(io.to_string(), "I/O error on /tmp/x.png: disk full");
    let plain: PixivError = std::io::Error::new(std::io::ErrorKind::NotFound, "gone").into();
    assert!(matches!(plain, PixivError::Io { path: None, .. }));
    assert_eq!(plain.to_string(), "I/O error: gone");
    assert!(format!("{plain:?}").contains("NotFound"));

    assert_eq!(
        PixivError::body_too_large(10).to_string(),
        "body larger than 10 bytes"
    );
    let t = PixivError::truncated(Some(100), 40);
    assert_eq!(t.to_string(), "body truncated: received 40 of 100 bytes");
    assert!(t.is_retryable());
    assert_eq!(
        PixivError::truncated(None, 3).to_string(),
        "body truncated: received 3 bytes before the body ended early"
    );
    let body = br#"{"access_token":"AT-9-0123456789"#;
    let d = PixivError::decode("expected value", body);
    assert_eq!(
        d.to_string(),
        "could not decode the response: expected value"
    );
    assert!(matches!(
        &d,
        PixivError::Decode { body_len: Some(n), line: None, column: None, .. } if *n == body.len() as u64
    ));
    assert!(!format!("{d:?}").contains("AT-9"), "{d:?}");
    assert!(matches!(
        PixivError::decode("m", b""),
        PixivError::Decode { body_len: None, .. }
    ));
    let h = PixivError::http(StatusCode::BAD_GATEWAY, "upstream");
    assert_eq!(h.to_string(), "HTTP 502 Bad Gateway: upstream");
    assert!(h.is_retryable());
    assert_eq!(h.details(), Some(&ResponseDetails::default()));
    let a = PixivError::auth(None, AuthErrorKind::InvalidRefreshToken, "no");
    assert_eq!(a.status(), None);
    assert!(a.is_auth());
    let c = PixivError::cloudflare(StatusCode::FORBIDDEN, None);
    assert!(!c.is_retryable());
    let r = PixivError::rate_limited(StatusCode::TOO_MANY_REQUESTS, Some(Duration::from_secs(1)));
    assert_eq!(r.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(
        PixivError::proxy("refused").to_string(),
        "proxy failed: refused"
    );
}

#[test]
fn timeouts_retry_except_total() {
    use TimeoutPhase::*;
    for (phase, retry) in [
        (Connect, true),
        (Headers, true),
        (BodyIdle, true),
        (Total, false),
    ] {
        let e = PixivError::timeout(phase);
        assert_eq!(e.is_retryable(), retry, "{phase:?}");
        assert!(e.is_timeout());
        assert_eq!(e.status(), None);
    }
    assert_eq!(
        PixivError::timeout(Headers).to_string(),
        "timed out (waiting for response headers)"
    );
}

#[test]
fn non_retryable_kinds() {
    let never = [
        PixivError::invalid_input("url", "no host"),
        PixivError::decode("x", b""),
        PixivError::tls(std::io::Error::other("x")),
        PixivError::proxy("x"),
        PixivError::body_too_large(1),
        PixivError::io("/x", std::io::Error::other("x")),
        PixivError::auth(
            Some(StatusCode::BAD_REQUEST),
            AuthErrorKind::InvalidAccessToken,
            "x",
        ),
        PixivError::cloudflare(StatusCode::SERVICE_UNAVAILABLE, Some("r".into())),
        PixivError::redirect(RedirectErrorKind::Loop, None),
    ];
    for e in never {
        assert!(!e.is_retryable(), "{e:?}");
    }
}

#[test]
fn redirects_show_a_redacted_location() {
    let e = PixivError::redirect(
        RedirectErrorKind::RefusedScheme {
            scheme: "pixiv".into(),
        },
        Some("pixiv://account/login?code=C0DE-1&via=login"),
    );
    assert_eq!(
        e.to_string(),
        r#"redirect refused: scheme "pixiv" not allowed (Location: pixiv://account/login?code=<redacted>&via=login)"#
    );
    assert!(!format!("{e:?}").contains("C0DE-1"));
    let e = PixivError::redirect(RedirectErrorKind::TooManyHops { max: 5 }, None);
    assert_eq!(e.to_string(), "redirect refused: more than 5 redirects");
    let e = PixivError::redirect(RedirectErrorKind::Loop, Some("https://h/?access_token=AT"));
    assert!(!e.to_string().contains("=AT"));
    assert!(!format!("{e:?}").contains("=AT"));
}

#[test]
fn with_details_attaches_to_answer_variants_only() {
    let mut h = HeaderMap::new();
    h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
    let d = ResponseDetails::from_response(&h, b"body")
        .with_reason("r")
        .with_code(7);
    let e = PixivError::http(StatusCode::IM_A_TEAPOT, "m").with_details(d.clone());
    assert_eq!(e.details(), Some(&d));
    let t = PixivError::timeout(TimeoutPhase::Connect).with_details(d);
    assert!(t.details().is_none());
}

#[test]
fn serde_messages_elide_input_values() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Token {
        expires_in: u64,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    enum Kind {
        A,
    }
    let err = serde_json::from_str::<Token>(r#"{"expires_in": "AT-SECRET"}"#).unwrap_err();
    let e = PixivError::from(err);
    assert!(!e.to_string().contains("AT-SECRET"), "{e}");
    assert!(e.to_string().contains("invalid type: string"), "{e}");
    let err = serde_json::from_str::<Kind>(r#""VARIANT-SECRET""#).unwrap_err();
    let e = PixivError::from(err);
    assert!(!e.to_string().contains("VARIANT-SECRET"), "{e}");
    assert!(e.to_string().contains("unknown variant"), "{e}");
    let err = serde_json::from_str::<Token>("{}").unwrap_err();
    assert_eq!(
        PixivError::from(err).to_string(),
        "could not decode the response: missing field `expires_in` at line 1 column 2"
    );
}

#[test]
fn pixiv_error_stays_small() {
    // Result<T, PixivError> is returned everywhere; clippy's result_large_err starts at 128.
    assert!(
        std::mem::size_of::<PixivError>() <= 64,
        "{}",
        std::mem::size_of::<PixivError>()
    );
}

#[test]
fn pixiv_error_crosses_threads() {
    fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<PixivError>();
    assert_send_sync_static::<ResponseDetails>();
}

#[test]
fn copies_keep_every_field_and_lossy_copies_keep_the_text() {
    let h = headers(&[("retry-after", "3"), ("authorization", "Bearer AT-1")]);
    let original = classify_at(
        StatusCode::SERVICE_UNAVAILABLE,
        &h,
        RESTRICTED.as_bytes(),
        now(),
    )
    .unwrap();
    let copy = original.clone();
    assert_eq!(format!("{copy:?}"), format!("{original:?}"));
    assert_eq!(copy.details(), original.details());

    let _password = Secret::new("pw-9-0123456789");
    let connect = PixivError::connect(LeakyError("refused by http://u:pw-9-0123456789@p:1".into()));
    let copy = connect.clone();
    assert_eq!(copy.to_string(), connect.to_string());
    assert!(copy.is_retryable());
    assert!(!format!("{copy:?}").contains("pw-9"), "{copy:?}");
    assert!(!copy.to_string().contains("pw-9"), "{copy}");
    // The copy shares the original source: downcasting still finds its type.
    let source = std::error::Error::source(&copy).unwrap();
    assert!(source.downcast_ref::<LeakyError>().is_some());

    let io = PixivError::io(
        "/x",
        std::io::Error::new(std::io::ErrorKind::PermissionDenied, "no"),
    );
    match io.clone() {
        PixivError::Io { path, source } => {
            assert_eq!(path.as_deref(), Some(std::path::Path::new("/x")));
            assert_eq!(source.kind(), std::io::ErrorKind::PermissionDenied);
        }
        other => panic!("{other:?}"),
    }
    let source = std::error::Error::source(&io).unwrap();
    assert!(source.downcast_ref::<std::io::Error>().is_some());
    let tls = PixivError::tls(std::io::Error::other("bad cert"));
    assert_eq!(tls.clone().to_string(), "TLS failed: bad cert");
}

#[test]
fn debug_is_the_variant_its_redacted_display_and_the_redacted_details() {
    let plain: PixivError = std::io::Error::new(std::io::ErrorKind::NotFound, "gone").into();
    assert_eq!(
        format!("{plain:?}"),
        r#"Io { display: "I/O error: gone", kind: NotFound }"#
    );
    let e = PixivError::decode("bad JSON", br#"{"refresh_token": "RT-0123456789"}"#);
    assert_eq!(
        format!("{e:?}"),
        r#"Decode { display: "could not decode the response: bad JSON", body_len: 34 }"#
    );
    let err = serde_json::from_str::<serde_json::Value>("{\n  \"a\": x}").unwrap_err();
    let e = PixivError::decode_json(&err, b"{}");
    assert!(
        matches!(
            e,
            PixivError::Decode {
                line: Some(2),
                column: Some(8),
                body_len: Some(2),
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn serde_messages_keep_values_that_cannot_be_credentials() {
    // Issue #19.9: `"12"` was shown as `"<redacted>"`.
    let err = serde_json::from_str::<std::collections::HashMap<String, u64>>(r#"{"id": "12"}"#)
        .unwrap_err();
    let e = PixivError::from(err);
    assert!(
        e.to_string()
            .contains(r#"invalid type: string "12", expected u64"#),
        "{e}"
    );
    let err = serde_json::from_str::<std::collections::HashMap<String, u64>>(
        r#"{"id": "1234567890123456789"}"#,
    )
    .unwrap_err();
    assert!(
        PixivError::from(err)
            .to_string()
            .contains("1234567890123456789")
    );
}

#[test]
fn constructors_store_echoes_cut_with_their_length() {
    let line = "x".repeat(10_000_000);
    let e = PixivError::invalid_input("input line", format!("{line:?} is not an id"));
    let PixivError::InvalidInput { why, .. } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(why, &format!("\"{}… (10000015 bytes)", "x".repeat(199)));
    assert!(e.to_string().len() < 300, "{}", e.to_string().len());
    // Cutting again changes nothing.
    assert_eq!(
        PixivError::invalid_input("input line", why.clone()).to_string(),
        e.to_string()
    );
}

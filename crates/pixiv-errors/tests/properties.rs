//! Property tests: nothing a server sends makes `classify`, `retry_after` or redaction panic; a
//! secret the process holds (a [`Secret`]) never comes back in `Display` or `Debug`, wherever a
//! server or a library quotes it; and a token anywhere in a body outside the fields an error
//! keeps, in a sensitive header or a URL parameter never does, whether known or not.

// The strategies below are test code outside `#[test]` fns; their unwraps are on values they
// built valid themselves, and a panic there fails the test, as clippy.toml intends for tests.
#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use pixiv_errors::{PixivError, Secret, classify_at, redact, retry_after};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Any JSON value, a few levels deep.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "(Rate Limit|invalid_grant|Just a moment...|_cf_chl_opt|Bearer x|code=1|)"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Keys, biased towards the ones classification and redaction care about.
fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        1 => prop::sample::select(vec![
            "error", "errors", "has_error", "system", "message", "user_message", "reason", "code",
            "user_message_details", "token_type", "next_url",
        ])
        .prop_map(str::to_owned),
    ]
}

/// A JSON object shaped more or less like a Pixiv answer.
fn arb_body_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(arb_key(), arb_json(), 0..6).prop_map(|m| m.into_iter().collect())
}

fn arb_status() -> impl Strategy<Value = StatusCode> {
    (100u16..600).prop_map(|s| StatusCode::from_u16(s).unwrap())
}

/// Bytes `HeaderValue::from_bytes` accepts (visible ASCII, space, tab, obs-text).
fn arb_header_value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff], 0..64),
        "(cloudflare|challenge|[0-9]{1,30}|text/html|Bearer [a-z]{1,10}|-1|Wed, 21 Oct 2015 07:28:00 GMT)"
            .prop_map(String::into_bytes),
    ]
    .prop_map(|b| HeaderValue::from_bytes(&b).unwrap())
}

fn arb_headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop::sample::select(vec![
        "server",
        "cf-mitigated",
        "cf-ray",
        "retry-after",
        "content-type",
        "authorization",
        "set-cookie",
        "location",
        "x-anything",
    ]);
    prop::collection::vec((name, arb_header_value()), 0..8).prop_map(|pairs| {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(HeaderName::from_static(n), v);
        }
        h
    })
}

fn arb_now() -> impl Strategy<Value = SystemTime> {
    (0u64..(1 << 36)).prop_map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}

/// A token that cannot turn up in any text of ours by chance (and that the process does not
/// know: only where an error keeps nothing of it can it be hidden).
fn arb_token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{18,40}"
}

/// Tokens the process holds, as [`Secret`]s for the whole run. A fixed few, far under
/// [`redact::MAX_KNOWN_SECRETS`], so that no case makes another case's token forgotten.
static HELD: LazyLock<Vec<Secret>> = LazyLock::new(|| {
    (0..8)
        .map(|i| Secret::new(format!("HeLd{i}xTokenQ7{}", "z".repeat(10 + 3 * i))))
        .collect()
});

/// One of the tokens the process holds.
fn held_token() -> impl Strategy<Value = String> {
    (0..8usize).prop_map(|i| HELD[i].expose().to_owned())
}

fn sensitive_key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "access_token",
        "refresh_token",
        "password",
        "client_secret",
        "code_verifier",
        "code",
        "Access_Token",
        "X-Refresh-Token",
        "id_token",
        "PHPSESSID",
    ])
}

/// Puts `key: token` into `value` at a place chosen by `path` (objects and arrays only).
fn embed(value: &mut Value, path: &[usize], key: &str, token: &str) {
    match value {
        Value::Object(map) => {
            if let Some((&first, rest)) = path.split_first() {
                let n = map.len();
                if n > 0 {
                    if let Some((_, child)) = map.iter_mut().nth(first % n) {
                        if child.is_object() || child.is_array() {
                            embed(child, rest, key, token);
                            return;
                        }
                    }
                }
            }
            map.insert(key.to_owned(), Value::String(token.to_owned()));
        }
        Value::Array(items) => {
            if let Some((&first, rest)) = path.split_first() {
                if !items.is_empty() {
                    let i = first % items.len();
                    if items[i].is_object() || items[i].is_array() {
                        embed(&mut items[i], rest, key, token);
                        return;
                    }
                }
            }
            let mut obj = Map::new();
            obj.insert(key.to_owned(), Value::String(token.to_owned()));
            items.push(Value::Object(obj));
        }
        _ => {}
    }
}

fn assert_hidden(err: &PixivError, token: &str) -> Result<(), TestCaseError> {
    let display = err.to_string();
    let debug = format!("{err:?}");
    prop_assert!(
        !display.contains(token),
        "Display leaked {token}: {display}"
    );
    prop_assert!(!debug.contains(token), "Debug leaked {token}: {debug}");
    Ok(())
}

proptest! {
    #[test]
    fn classify_never_panics_on_bytes(status in arb_status(), headers in arb_headers(),
                                      body in prop::collection::vec(any::<u8>(), 0..2048), now in arb_now()) {
        if let Some(err) = classify_at(status, &headers, &body, now) {
            let _ = (err.to_string(), format!("{err:?}"), err.is_retryable(), err.retry_after());
            if let Some(d) = err.details() {
                prop_assert_eq!(d.body_len(), body.len() as u64);
                prop_assert!(d.title().is_none_or(|t| t.chars().count() <= redact::MAX_ECHO_CHARS + 40));
            }
        } else {
            prop_assert!(status.as_u16() < 400);
        }
    }

    #[test]
    fn classify_never_panics_on_json(status in arb_status(), headers in arb_headers(), value in arb_json(),
                                     wrap in any::<bool>(), now in arb_now()) {
        let value = if wrap { serde_json::json!({"error": value}) } else { value };
        let body = serde_json::to_vec(&value).unwrap();
        let result = classify_at(status, &headers, &body, now);
        if let Some(err) = &result {
            prop_assert!(err.status().is_none_or(|s| s == status));
            let _ = (err.to_string(), format!("{err:?}"));
        }
    }

    #[test]
    fn success_objects_without_pixiv_error_keys_are_none(status in 200u16..400, mut obj in arb_body_object()) {
        obj.remove("error");
        obj.remove("errors");
        obj.remove("has_error");
        let body = serde_json::to_vec(&Value::Object(obj)).unwrap();
        let status = StatusCode::from_u16(status).unwrap();
        prop_assert!(classify_at(status, &HeaderMap::new(), &body, SystemTime::now()).is_none());
    }

    #[test]
    fn the_rate_limit_body_is_rate_limited_at_any_status(status in arb_status(), mut extra in arb_body_object()) {
        extra.insert("error".into(), serde_json::json!(
            {"user_message": "", "message": "Rate Limit", "reason": "", "user_message_details": {}}));
        let body = serde_json::to_vec(&Value::Object(extra)).unwrap();
        let err = classify_at(status, &HeaderMap::new(), &body, SystemTime::now());
        prop_assert!(matches!(err, Some(PixivError::RateLimited { .. })), "{err:?}");
    }

    #[test]
    fn deep_nesting_never_overflows(depth in 100usize..20_000, open in prop::sample::select(vec!["[", "{\"a\":"])) {
        let body = open.repeat(depth);
        let err = classify_at(StatusCode::FORBIDDEN, &HeaderMap::new(), body.as_bytes(), SystemTime::now());
        prop_assert!(matches!(err, Some(PixivError::Http { .. })), "{:?}", err);
    }

    #[test]
    fn tokens_in_json_bodies_and_headers_never_show(
        status in arb_status(), mut value in arb_body_object(), token in arb_token(),
        key in sensitive_key(), path in prop::collection::vec(any::<usize>(), 0..4),
        error_shape in 0u8..4, header in 0u8..5, held in held_token(),
    ) {
        let mut root = Value::Object(std::mem::take(&mut value));
        embed(&mut root, &path, key, &token);
        if let Value::Object(map) = &mut root {
            // Pixiv's own error shapes, with a token the process holds where a confused server
            // might echo it (the fields an error keeps: scrubbed by value).
            match error_shape {
                0 => { map.insert("error".into(), serde_json::json!({
                        "user_message": format!("{key}={held}"), "message": "Rate Limit",
                        "reason": format!("Bearer {held}"),
                        "user_message_details": {"echo": held.clone(), key: token.clone()}})); }
                1 => { map.insert("error".into(), serde_json::json!({
                        "user_message": "", "message": format!("invalid_grant for {key}: {held}"),
                        "reason": "", "user_message_details": {}})); }
                2 => { map.insert("has_error".into(), Value::Bool(true));
                       map.insert("error".into(), Value::String(held.clone()));
                       map.insert("errors".into(), serde_json::json!({"system": {
                        "message": format!("Invalid refresh token \"{key}\": \"{held}\""), "code": 1508}})); }
                _ => {}
            }
        }
        let body = serde_json::to_vec(&root).unwrap();
        let mut headers = HeaderMap::new();
        let (name, value) = match header {
            0 => ("authorization", format!("Bearer {token}")),
            1 => ("cookie", format!("PHPSESSID={token}; a=b")),
            2 => ("set-cookie", format!("device_token={token}; Path=/")),
            3 => ("proxy-authorization", format!("Basic {token}")),
            _ => ("location", format!("https://app-api.pixiv.net/cb?{key}={token}&x=1")),
        };
        headers.insert(HeaderName::from_static(name), HeaderValue::from_str(&value).unwrap());
        headers.insert("server", HeaderValue::from_static("cloudflare"));
        if let Some(err) = classify_at(status, &headers, &body, SystemTime::now()) {
            assert_hidden(&err, &token)?;
            assert_hidden(&err, &held)?;
        }
    }

    #[test]
    fn tokens_in_form_bodies_never_show(status in 400u16..600, token in arb_token(), key in sensitive_key(),
                                        before in "[a-z_]{1,8}=[a-z0-9]{0,8}") {
        let body = format!("{before}&{key}={token}&grant_type=refresh_token");
        let status = StatusCode::from_u16(status).unwrap();
        let err = classify_at(status, &HeaderMap::new(), body.as_bytes(), SystemTime::now()).unwrap();
        assert_hidden(&err, &token)?;
    }

    #[test]
    fn held_tokens_in_wrapped_errors_and_messages_never_show(token in held_token(), form in 0u8..5, noise in ".{0,40}") {
        let text = match form {
            0 => format!("{noise} http://user:{token}@proxy.example:3128 {noise}"),
            1 => format!("{noise} Authorization: Bearer {token}"),
            2 => format!("{noise} bearer {token}"),
            3 => format!("{noise} ?refresh_token={token}&a=b"),
            _ => format!(r#"{noise} {{"access_token": "{token}"}}"#),
        };
        let errors = [
            PixivError::connect(std::io::Error::other(text.clone())),
            PixivError::tls(std::io::Error::other(text.clone())),
            PixivError::io("/tmp/file", std::io::Error::other(text.clone())),
            PixivError::proxy(text.clone()),
            PixivError::invalid_input(text.clone(), text.clone()),
            PixivError::decode(text.clone(), text.as_bytes()),
            PixivError::http(StatusCode::BAD_REQUEST, text.clone()),
            PixivError::redirect(pixiv_errors::RedirectErrorKind::Loop, Some(&text)),
        ];
        for err in &errors {
            assert_hidden(err, &token)?;
        }
    }

    #[test]
    fn userinfo_passwords_never_show(pw in "[A-Za-z0-9/?#%!$&()*+,;=:.~-]{12,24}", user in "[a-z]{0,8}",
                                     scheme in prop::sample::select(vec!["http", "https", "socks5"]),
                                     tail in "(/[a-z]{0,8})?(\\?[a-z]=[0-9])?") {
        let url = format!("{scheme}://{user}:{pw}@proxy.example:3128{tail}");
        let shown = redact::redact_url(&url);
        prop_assert!(!shown.contains(&pw), "{} -> {}", url, shown);
    }

    #[test]
    fn redaction_never_panics_and_caps(text in any::<String>(), bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = redact::redact_url(&text);
        let lossy = String::from_utf8_lossy(&bytes);
        for t in [text.as_str(), &lossy] {
            let shown = redact::redact_echo(t);
            prop_assert!(shown.chars().count() <= redact::MAX_ECHO_CHARS + 40, "{}", shown);
        }
    }

    #[test]
    fn redacted_headers_hide_sensitive_values(headers in arb_headers()) {
        let out = redact::redact_headers(&headers);
        prop_assert_eq!(out.len(), headers.len());
        for (name, value) in &out {
            if redact::is_sensitive_header(name) {
                prop_assert_eq!(value, redact::REDACTED);
            }
        }
    }

    #[test]
    fn retry_after_never_panics_and_respects_the_cap(value in arb_header_value(), now in arb_now(),
                                                     cap_secs in 0u64..100_000) {
        if let Some(d) = retry_after::parse(&value, now) {
            prop_assert!(d <= retry_after::MAX_RETRY_AFTER);
        }
        let cap = Duration::from_secs(cap_secs);
        if let Some(d) = retry_after::parse_with_cap(&value, now, cap) {
            prop_assert!(d <= cap);
        }
    }

    #[test]
    fn retry_after_text_never_panics(text in any::<String>(), now in arb_now()) {
        let _ = retry_after::parse_str(&text, now, retry_after::MAX_RETRY_AFTER);
    }

    #[test]
    fn retry_after_seconds_are_read_and_capped(n in any::<u64>(), now in arb_now()) {
        let value = HeaderValue::from_str(&n.to_string()).unwrap();
        let expected = Duration::from_secs(n).min(retry_after::MAX_RETRY_AFTER);
        prop_assert_eq!(retry_after::parse(&value, now), Some(expected));
    }

    #[test]
    fn retry_after_dates_are_relative_to_now(now in arb_now(), delta in -100_000i64..100_000) {
        let at = if delta >= 0 {
            now + Duration::from_secs(delta.unsigned_abs())
        } else {
            now.checked_sub(Duration::from_secs(delta.unsigned_abs())).unwrap_or(SystemTime::UNIX_EPOCH)
        };
        let value = HeaderValue::from_str(&httpdate::fmt_http_date(at)).unwrap();
        let expected = at.duration_since(now).unwrap_or(Duration::ZERO).min(retry_after::MAX_RETRY_AFTER);
        prop_assert_eq!(retry_after::parse(&value, now), Some(expected));
    }
}

//! Unit tests of the structural rules (URLs, headers) and of the echo cut.

use http::header::{AUTHORIZATION, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

use super::*;

#[test]
fn userinfo_passwords_are_redacted() {
    assert_eq!(
        redact_url("http://u:p%40ss@proxy:8080"),
        "http://u:<redacted>@proxy:8080"
    );
    assert_eq!(redact_url("https://host:443/path"), "https://host:443/path");
    assert_eq!(redact_url("https://u@host/"), "https://u@host/");
    assert_eq!(
        redact_url("socks5://u:pa/ss?#@proxy:1080/x"),
        "socks5://u:<redacted>@proxy:1080/x"
    );
    // Already redacted: unchanged.
    assert_eq!(
        redact_url("http://u:<redacted>@proxy:8080"),
        "http://u:<redacted>@proxy:8080"
    );
}

#[test]
fn redact_url_handles_fragments_and_encoded_names() {
    assert_eq!(
        redact_url("https://h/cb#access_token=AT&state=s"),
        "https://h/cb#access_token=<redacted>&state=s"
    );
    assert_eq!(
        redact_url("https://h/?refresh%5Ftoken=RT"),
        "https://h/?refresh%5Ftoken=<redacted>"
    );
    assert_eq!(
        redact_url("https://h/?a=1&code=C&token_type=bearer"),
        "https://h/?a=1&code=<redacted>&token_type=bearer"
    );
    assert_eq!(redact_url("not a url"), "not a url");
}

#[test]
fn redact_url_scrubs_known_secrets_anywhere_in_it() {
    remember_secret("url-path-secret-0123");
    assert_eq!(
        redact_url("https://h/users/url-path-secret-0123/x"),
        "https://h/users/<redacted>/x"
    );
}

#[test]
fn headers_are_redacted_by_name_and_marked_sensitive() {
    remember_secret("header-known-secret-42");
    let mut h = HeaderMap::new();
    h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer AT"));
    h.append(SET_COOKIE, HeaderValue::from_static("PHPSESSID=S1"));
    h.append(SET_COOKIE, HeaderValue::from_static("b=S2"));
    h.insert("x-auth-token", HeaderValue::from_static("XT"));
    h.insert(
        "location",
        HeaderValue::from_static("pixiv://account/login?code=C"),
    );
    h.insert(
        "x-echo",
        HeaderValue::from_static("you sent header-known-secret-42"),
    );
    h.insert("server", HeaderValue::from_static("nginx"));
    let r = redact_headers(&h);
    assert_eq!(r.get(AUTHORIZATION).unwrap(), REDACTED);
    assert!(r.get(AUTHORIZATION).unwrap().is_sensitive());
    assert_eq!(r.get_all(SET_COOKIE).iter().count(), 2);
    assert_eq!(r["x-auth-token"], REDACTED);
    assert_eq!(r["location"], "pixiv://account/login?code=<redacted>");
    assert_eq!(r["x-echo"], "you sent <redacted>");
    assert_eq!(r["server"], "nginx");
    let debug = format!("{r:?}");
    for secret in ["AT", "S1", "S2", "XT", "=C", "header-known"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

#[test]
fn echoes_are_scrubbed_by_value_and_cut_once() {
    remember_secret("echo-known-secret-77");
    assert_eq!(
        redact_echo("token echo-known-secret-77 is dead"),
        "token <redacted> is dead"
    );
    // Free text is not scanned for key=value pairs: only known values go.
    assert_eq!(redact_echo("refresh_token=abc"), "refresh_token=abc");
    let long = "é".repeat(1000);
    let cut = redact_echo(&long).into_owned();
    assert_eq!(cut, format!("{}… (2000 bytes)", "é".repeat(200)));
    assert_eq!(redact_echo(&cut), cut);
    // Past the scrub window the text is cut whatever its length in characters.
    let huge = "a".repeat(200_000);
    assert!(redact_echo(&huge).ends_with("… (200000 bytes)"));
}

//! Unit tests of the pattern rules.

use super::*;

#[test]
fn json_string_values_of_sensitive_keys_are_redacted() {
    let body =
        r#"{"access_token":"AT","refresh_token" : "RT","token_type":"bearer","user":{"id":"1"}}"#;
    assert_eq!(
        redact_text(body),
        r#"{"access_token":"<redacted>","refresh_token" : "<redacted>","token_type":"bearer","user":{"id":"1"}}"#
    );
}

#[test]
fn escaped_json_inside_a_string_is_redacted() {
    let body = r#"{"message":"{\"refresh_token\":\"RT-1\",\"x\":1}"}"#;
    let out = redact_text(body);
    assert!(!out.contains("RT-1"), "{out}");
    let double = r#"\\\"access_token\\\":\\\"AT-2\\\""#;
    assert!(!redact_text(double).contains("AT-2"));
}

#[test]
fn escaped_quotes_inside_a_value_do_not_end_it() {
    let out = redact_text(r#"{"password":"a\"b-secret","n":1}"#);
    assert_eq!(out, r#"{"password":"<redacted>","n":1}"#);
}

#[test]
fn unterminated_values_are_redacted_to_the_end() {
    assert_eq!(
        redact_text(r#"{"access_token": "AT-cut-"#),
        r#"{"access_token": "<redacted>"#
    );
    assert_eq!(redact_text("refresh_token=RT"), "refresh_token=<redacted>");
}

#[test]
fn html_fields_named_like_secrets_are_redacted() {
    assert_eq!(
        redact_text(
            r#"<meta name="csrf-token" content="CSRF-1"><input name="password" value='pw'>"#
        ),
        r#"<meta name="csrf-token" content="<redacted>"><input name="password" value='<redacted>'>"#
    );
    assert_eq!(
        redact_text(r#"<p class="token">x</p>"#),
        r#"<p class="token">x</p>"#
    );
}

#[test]
fn a_sensitive_key_before_a_slash_is_still_redacted() {
    assert_eq!(redact_text("password:/abc"), "password:<redacted>");
}

#[test]
fn only_the_code_number_and_literals_are_kept() {
    assert_eq!(redact_text(r#"{"code": 1508}"#), r#"{"code": 1508}"#);
    assert_eq!(redact_text(r#"{"code":-1}"#), r#"{"code":-1}"#);
    assert_eq!(redact_text("code=1508"), "code=<redacted>");
    assert_eq!(
        redact_text(r#"{"password": 123456}"#),
        r#"{"password": <redacted>}"#
    );
    assert_eq!(redact_text("code: 15abc08"), "code: <redacted>");
    assert_eq!(
        redact_text("access_token: 000Aa0"),
        "access_token: <redacted>"
    );
    assert_eq!(
        redact_text(r#"{"access_token": null}"#),
        r#"{"access_token": null}"#
    );
    assert_eq!(
        redact_text("access_token: nullable"),
        "access_token: <redacted>"
    );
    assert_eq!(
        redact_text(r#"{"session": {"id": "S", "user_session_token": "T"}}"#),
        r#"{"session": {"id": "S", "user_session_token": "<redacted>"}}"#
    );
}

#[test]
fn form_bodies_and_query_strings_are_redacted() {
    let form = "client_id=MOB&client_secret=lsA&grant_type=authorization_code&code=C0DE&code_verifier=V&include_policy=true";
    assert_eq!(
        redact_text(form),
        "client_id=MOB&client_secret=<redacted>&grant_type=authorization_code&code=<redacted>&code_verifier=<redacted>&include_policy=true"
    );
}

#[test]
fn header_lines_in_text_lose_their_whole_value() {
    assert_eq!(
        redact_text("Authorization: Bearer abc def\r\nHost: x"),
        "Authorization: <redacted>\r\nHost: x"
    );
    assert_eq!(
        redact_text("proxy-authorization: Basic dTpw"),
        "proxy-authorization: <redacted>"
    );
}

#[test]
fn bearer_tokens_are_redacted_but_auth_params_are_not() {
    assert_eq!(redact_text("bearer abc/def=="), "bearer <redacted>");
    assert_eq!(
        redact_text(r#"Bearer realm="pixiv""#),
        r#"Bearer realm="pixiv""#
    );
    assert_eq!(redact_text("token_type bearer"), "token_type bearer");
}

#[test]
fn userinfo_passwords_are_redacted() {
    assert_eq!(
        redact_text("proxy http://u:p%40ss@proxy:8080 failed"),
        "proxy http://u:<redacted>@proxy:8080 failed"
    );
    assert_eq!(
        redact_text("https://host:443/path"),
        "https://host:443/path"
    );
    assert_eq!(redact_url("https://u@host/"), "https://u@host/");
    assert_eq!(
        redact_text("socks5://u:pa/ss?#@proxy:1080/x"),
        "socks5://u:<redacted>@proxy:1080/x"
    );
    assert_eq!(
        redact_text("a http://u:p@h/ b https://v:q@k/"),
        "a http://u:<redacted>@h/ b https://v:<redacted>@k/"
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
    assert_eq!(redact_url("not a url"), "not a url");
}

#[test]
fn headers_are_redacted_and_marked_sensitive() {
    let mut h = HeaderMap::new();
    h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer AT"));
    h.append(SET_COOKIE, HeaderValue::from_static("PHPSESSID=S1"));
    h.append(SET_COOKIE, HeaderValue::from_static("b=S2"));
    h.insert("x-auth-token", HeaderValue::from_static("XT"));
    h.insert(
        "location",
        HeaderValue::from_static("pixiv://account/login?code=C"),
    );
    h.insert("server", HeaderValue::from_static("nginx"));
    let r = redact_headers(&h);
    assert_eq!(r.get(AUTHORIZATION).unwrap(), REDACTED);
    assert!(r.get(AUTHORIZATION).unwrap().is_sensitive());
    assert_eq!(r.get_all(SET_COOKIE).iter().count(), 2);
    assert_eq!(r["x-auth-token"], REDACTED);
    assert_eq!(r["location"], "pixiv://account/login?code=<redacted>");
    assert_eq!(r["server"], "nginx");
    let debug = format!("{r:?}");
    for secret in ["AT", "S1", "S2", "XT", "=C"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

#[test]
fn snippets_are_capped_on_a_char_boundary() {
    let body = "あ".repeat(1000); // 3000 bytes
    let s = redact_body_snippet(body.as_bytes());
    assert!(s.len() <= SNIPPET_LIMIT);
    assert!(s.ends_with('…'));
    let short = redact_body_snippet(b"short");
    assert_eq!(short, "short");
    let exact = "a".repeat(SNIPPET_LIMIT);
    assert_eq!(redact_body_snippet(exact.as_bytes()), exact);
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    assert_eq!(
        redact_body_snippet(b"ok \xff\xfe end"),
        "ok \u{fffd}\u{fffd} end"
    );
}

#[test]
fn a_huge_token_cannot_pull_the_rest_of_a_huge_body_in() {
    let mut body = br#"{"access_token":""#.to_vec();
    body.extend(std::iter::repeat_n(b'x', 200_000));
    let s = redact_body_snippet(&body);
    assert!(s.starts_with(r#"{"access_token":"<redacted>"#), "{s}");
    assert!(!s.contains('x'));
}

//! Redaction: keeping secrets out of error messages, `Debug` output and logs.
//!
//! Everything [`PixivError`](crate::PixivError) shows goes through these functions, and the
//! transport uses them for its traces. Secrets are replaced by [`REDACTED`] (`<redacted>`).
//!
//! What counts as a secret:
//! - headers: `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, and any header
//!   whose name [`is_sensitive_param`] (e.g. `X-Csrf-Token`); see [`is_sensitive_header`];
//! - parameters and keys ([`is_sensitive_param`]): `code`, `code_verifier`, and every name that
//!   contains `token`, `secret`, `password`, `passwd`, `session` or `sessid` (case-insensitive),
//!   except `token_type` (whose value is always `bearer`);
//! - the token after `Bearer ` anywhere in text;
//! - the password of a URL's userinfo (`https://user:<redacted>@host`);
//! - by value: every secret the process registered with [`remember_secret`] (tokens, client
//!   and hash secrets, a PKCE code), wherever it appears, bounded ([`MAX_KNOWN_SECRETS`]).
//!
//! ```
//! use pixiv_errors::redact;
//!
//! let body = br#"{"access_token": "abc123", "expires_in": 3600, "code": 1508}"#;
//! assert_eq!(
//!     redact::redact_body_snippet(body),
//!     r#"{"access_token": "<redacted>", "expires_in": 3600, "code": 1508}"#,
//! );
//! assert_eq!(
//!     redact::redact_url("https://u:pw@example.com/cb?code=xyz&state=1"),
//!     "https://u:<redacted>@example.com/cb?code=<redacted>&state=1",
//! );
//! assert_eq!(redact::redact_text("sent Bearer abc.def"), "sent Bearer <redacted>");
//! ```

mod known;

use std::borrow::Cow;

pub use known::{MAX_KNOWN_SECRETS, MIN_SECRET_LEN, remember_secret, scrub_known_secrets};

use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};

/// What a secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// The most bytes a body snippet keeps (1 KiB): enough to recognise an error page or a JSON
/// error object, small enough to log and to carry inside an error.
pub const SNIPPET_LIMIT: usize = 1024;

/// How many bytes of a body [`redact_body_snippet`] reads before redacting. Redaction runs
/// before the snippet is cut to [`SNIPPET_LIMIT`], so a long token shrunk to `<redacted>` does
/// not pull more of the body into the snippet than this; 64 KiB bounds the work on a huge body.
pub const REDACT_WINDOW: usize = 64 * 1024;

/// Whether a header's value is a credential: `Authorization`, `Proxy-Authorization`, `Cookie`,
/// `Set-Cookie`, or a name for which [`is_sensitive_param`] holds (such as `X-Auth-Token`).
pub fn is_sensitive_header(name: &HeaderName) -> bool {
    *name == AUTHORIZATION
        || *name == PROXY_AUTHORIZATION
        || *name == COOKIE
        || *name == SET_COOKIE
        || is_sensitive_param(name.as_str())
}

/// Whether a JSON key, form field, query parameter or cookie name holds a secret:
/// `code`, `code_verifier`, or any name containing `token`, `secret`, `password`, `passwd`,
/// `session` or `sessid` (ASCII case-insensitive), except `token_type`.
///
/// ```
/// use pixiv_errors::redact::is_sensitive_param;
/// assert!(is_sensitive_param("refresh_token"));
/// assert!(is_sensitive_param("client_secret"));
/// assert!(is_sensitive_param("PHPSESSID"));
/// assert!(!is_sensitive_param("token_type"));
/// assert!(!is_sensitive_param("error_code"));
/// ```
pub fn is_sensitive_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "token_type" {
        return false;
    }
    lower == "code"
        || lower == "code_verifier"
        || ["token", "secret", "password", "passwd", "session", "sessid"]
            .iter()
            .any(|needle| lower.contains(needle))
}

/// A copy of `headers` with every sensitive value ([`is_sensitive_header`]) replaced by
/// `<redacted>` (and marked sensitive), and every other value run through [`redact_text`]
/// (so a `Location` carrying `?code=` loses it). Values that are not UTF-8 are kept as they are
/// unless the header is sensitive.
pub fn redact_headers(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        out.append(name.clone(), redact_header_value(name, value));
    }
    out
}

fn redact_header_value(name: &HeaderName, value: &HeaderValue) -> HeaderValue {
    if is_sensitive_header(name) {
        let mut v = HeaderValue::from_static(REDACTED);
        v.set_sensitive(true);
        return v;
    }
    match value.to_str() {
        Ok(text) => {
            let redacted = redact_text(text);
            if redacted == text {
                value.clone()
            } else {
                // `redact_text` only swaps ASCII-visible text for `<redacted>`, so this parses;
                // the fallback keeps the contract (no secret) even if it did not.
                HeaderValue::from_str(&redacted)
                    .unwrap_or_else(|_| HeaderValue::from_static(REDACTED))
            }
        }
        Err(_) => value.clone(),
    }
}

/// A printable, redacted snippet of a body: at most [`REDACT_WINDOW`] bytes are read, decoded as
/// UTF-8 (invalid bytes become U+FFFD), run through [`redact_text`], and cut on a character
/// boundary to at most [`SNIPPET_LIMIT`] bytes (ending in `…` when cut).
pub fn redact_body_snippet(body: &[u8]) -> String {
    let window = &body[..body.len().min(REDACT_WINDOW)];
    let text = String::from_utf8_lossy(window);
    let mut out = redact_text(&text);
    if out.len() > SNIPPET_LIMIT || body.len() > window.len() {
        truncate_with_ellipsis(&mut out, SNIPPET_LIMIT);
    }
    out
}

/// The most characters of an input an error shows (a URL, a line, a message, a `Location`):
/// past it, the text is cut at a character boundary and ends in `… (N bytes)`, N being the
/// whole input's length, so a 10 MB line is reported, not echoed.
pub const MAX_ECHO_CHARS: usize = 200;

/// `text` as an error may show it: redacted ([`redact_text`], on at most the first
/// [`REDACT_WINDOW`] bytes) and, when longer than [`MAX_ECHO_CHARS`] characters plus room for
/// the marker, cut to [`MAX_ECHO_CHARS`] characters followed by `… (N bytes)`. Cutting a cut
/// text again changes nothing. Borrows when there was nothing to change.
///
/// ```
/// use pixiv_errors::redact::redact_echo;
/// assert_eq!(redact_echo("12 is not an id"), "12 is not an id");
/// let line = "x".repeat(10_000);
/// assert_eq!(redact_echo(&line), format!("{}… (10000 bytes)", "x".repeat(200)));
/// ```
pub fn redact_echo(text: &str) -> Cow<'_, str> {
    let mut window_end = text.len().min(REDACT_WINDOW);
    while !text.is_char_boundary(window_end) {
        window_end -= 1;
    }
    let redacted = redact_text(&text[..window_end]);
    // Room for the `… (N bytes)` an echo cut before ends with, so cutting twice changes nothing.
    const MARKER_ROOM: usize = 32;
    let too_long = redacted
        .char_indices()
        .nth(MAX_ECHO_CHARS + MARKER_ROOM)
        .is_some();
    if let Some((cut, _)) = redacted
        .char_indices()
        .nth(MAX_ECHO_CHARS)
        .filter(|_| too_long)
    {
        return Cow::Owned(format!("{}… ({} bytes)", &redacted[..cut], text.len()));
    }
    if window_end < text.len() {
        return Cow::Owned(format!("{redacted}… ({} bytes)", text.len()));
    }
    if redacted == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(redacted)
    }
}

/// Cuts `s` to at most `max` bytes on a char boundary, ending it with `…`.
pub(crate) fn truncate_with_ellipsis(s: &mut String, max: usize) {
    const ELLIPSIS: &str = "…";
    if s.len() + ELLIPSIS.len() <= max {
        s.push_str(ELLIPSIS);
        return;
    }
    let mut cut = max.saturating_sub(ELLIPSIS.len());
    while cut > 0 && !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s.push_str(ELLIPSIS);
}

/// Redacts secrets in free text (a message, a body, a log line, another library's error):
/// userinfo passwords in URLs, values of sensitive keys ([`is_sensitive_param`]) written as
/// `key=value`, `key: value`, `"key": "value"` (also inside escaped JSON such as
/// `\"key\":\"value\"`), HTML `name="key" content="value"` / `value="value"`, the token
/// after `Bearer `, and every value registered with [`remember_secret`].
///
/// A sensitive key's value after `:` is kept when it is `true`, `false`, `null`, an object or
/// an array (whose own keys are scanned), or a number after the key `code` (so Pixiv's
/// `"code": 1508` stays readable). A
/// quoted value that never closes is redacted to the end of the text, so a cut body cannot leak
/// the start of a token.
///
/// ```
/// use pixiv_errors::redact::redact_text;
/// assert_eq!(
///     redact_text(r#"{"refresh_token":"r-123","user":{"name":"a"}}"#),
///     r#"{"refresh_token":"<redacted>","user":{"name":"a"}}"#,
/// );
/// assert_eq!(
///     redact_text("grant_type=refresh_token&refresh_token=r-123&get_secure_url=1"),
///     "grant_type=refresh_token&refresh_token=<redacted>&get_secure_url=1",
/// );
/// assert_eq!(redact_text("Cookie: PHPSESSID=1; a=b"), "Cookie: <redacted>");
/// ```
pub fn redact_text(text: &str) -> String {
    let step1 = redact_userinfo(text);
    let step2 = redact_key_values(&step1);
    let step3 = redact_bearer(&step2);
    match scrub_known_secrets(&step3) {
        Cow::Borrowed(_) => step3,
        Cow::Owned(scrubbed) => scrubbed,
    }
}

/// Redacts a URL for display: the userinfo password, and the values of sensitive query and
/// fragment parameters ([`is_sensitive_param`], compared after percent-decoding the name);
/// then the result goes through [`redact_text`], so a string that is not a URL at all is
/// still safe to show. Never fails, never rejects.
///
/// ```
/// use pixiv_errors::redact::redact_url;
/// assert_eq!(
///     redact_url("pixiv://account/login?code=abc&via=login"),
///     "pixiv://account/login?code=<redacted>&via=login",
/// );
/// assert_eq!(
///     redact_url("http://proxy-user:hunter2@10.0.0.1:3128/"),
///     "http://proxy-user:<redacted>@10.0.0.1:3128/",
/// );
/// ```
pub fn redact_url(url: &str) -> String {
    let with_userinfo = redact_userinfo(url);
    let (before_fragment, fragment) = match with_userinfo.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (with_userinfo.as_str(), None),
    };
    let mut out = String::with_capacity(with_userinfo.len());
    match before_fragment.split_once('?') {
        Some((base, query)) => {
            out.push_str(base);
            out.push('?');
            out.push_str(&redact_pairs(query));
        }
        None => out.push_str(before_fragment),
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(&redact_pairs(fragment));
    }
    // Whatever is not a URL (a `Location` can hold anything) still gets the text rules.
    redact_text(&out)
}

/// Redacts `k=v` pairs separated by `&` whose decoded key is sensitive.
fn redact_pairs(pairs: &str) -> String {
    let mut out = String::with_capacity(pairs.len());
    for (i, pair) in pairs.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, _)) if is_sensitive_param(&percent_decode_lossy(key)) => {
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// Percent-decodes (and turns `+` into a space), lossily; only used to compare names.
fn percent_decode_lossy(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// `scheme://user:password@host` -> `scheme://user:<redacted>@host`, for every `://` in `text`.
///
/// The userinfo ends at the last `@` of the authority (up to `/`, `?` or `#`). When the
/// authority has no `@`, a password holding an unencoded `/`, `?` or `#` (invalid, but people
/// write it) is caught by looking on to the end of the word: `host:443/a@b` then loses `443/a`,
/// which errs on the side of hiding too much.
fn redact_userinfo(text: &str) -> String {
    // How far past `://` a userinfo is looked for. Bounds the work on a hostile body full of
    // `://` (without it, 64 KiB of `a://b` took 1.8 s in a debug build); real userinfo and
    // hosts are far shorter.
    const MAX_USERINFO_SCAN: usize = 512;

    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = find(&b[search..], b"://") {
        let start = search + found + 3;
        let scan_end = b.len().min(start + MAX_USERINFO_SCAN);
        let word_end = b[start..scan_end]
            .iter()
            .position(|&c| {
                matches!(c, b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`') || c.is_ascii_whitespace()
            })
            .map_or(scan_end, |p| start + p);
        let authority_end = b[start..word_end]
            .iter()
            .position(|&c| matches!(c, b'/' | b'?' | b'#'))
            .map_or(word_end, |p| start + p);
        let at = b[start..authority_end]
            .iter()
            .rposition(|&c| c == b'@')
            .or_else(|| b[start..word_end].iter().rposition(|&c| c == b'@'))
            .map(|p| start + p);
        if let Some(at) = at {
            if let Some(colon) = b[start..at].iter().position(|&c| c == b':') {
                let pw_start = start + colon + 1;
                if &text[pw_start..at] != REDACTED {
                    out.push_str(&text[copied..pw_start]);
                    out.push_str(REDACTED);
                    copied = at;
                }
            }
        }
        search = at.map_or(authority_end, |a| a + 1).max(start);
    }
    out.push_str(&text[copied..]);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Header names whose value, after `name:`, runs to the end of the line.
fn is_header_like(key: &str) -> bool {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
    ]
    .iter()
    .any(|h| key.eq_ignore_ascii_case(h))
}

/// Replaces the values of sensitive keys (see [`redact_text`]).
fn redact_key_values(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if !is_key_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_key_byte(b[i]) {
            i += 1;
        }
        let key = &text[start..i];
        if !(is_sensitive_param(key) || is_header_like(key)) {
            continue;
        }
        if let Some((value_start, value_end)) = find_value(b, key, i, is_header_like(key)) {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_end;
            i = value_end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// After a key ending at `pos`, finds the byte range of its value, if there is one to redact.
fn find_value(b: &[u8], key: &str, pos: usize, header_like: bool) -> Option<(usize, usize)> {
    let mut j = pos;
    // The key's closing quote, possibly escaped (`\"`, `\\\"`).
    while j < b.len() && b[j] == b'\\' {
        j += 1;
    }
    let quoted_key = j < b.len() && (b[j] == b'"' || b[j] == b'\'');
    if quoted_key {
        j += 1;
    }
    while j < b.len() && b[j].is_ascii_whitespace() {
        j += 1;
    }
    // HTML: `<meta name="csrf-token" content="...">`, `<input name="password" value="...">`.
    if quoted_key {
        j = skip_html_value_attribute(b, j);
    }
    let sep = *b.get(j)?;
    if sep != b':' && sep != b'=' {
        return None;
    }
    j += 1;
    while j < b.len()
        && (b[j] == b' ' || b[j] == b'\t' || (sep == b':' && b[j].is_ascii_whitespace()))
    {
        j += 1;
    }
    if b[j.min(b.len())..].starts_with(REDACTED.as_bytes()) {
        return None;
    }
    // A quoted value: count the backslashes before the quote, it closes at the same sequence.
    let mut k = j;
    while k < b.len() && b[k] == b'\\' {
        k += 1;
    }
    if k < b.len() && (b[k] == b'"' || b[k] == b'\'') {
        let quote = b[k];
        let escapes = k - j;
        let value_start = k + 1;
        if b[value_start.min(b.len())..].starts_with(REDACTED.as_bytes()) {
            return None;
        }
        let value_end = if escapes == 0 {
            closing_quote(b, value_start, quote)
        } else {
            let mut closer = b[j..k].to_vec();
            closer.push(quote);
            find(&b[value_start..], &closer).map_or(b.len(), |p| value_start + p)
        };
        return Some((value_start, value_end));
    }
    if j >= b.len() {
        return None;
    }
    let value_start = j;
    if sep == b':' && !header_like && is_kept_json_value(key, &b[value_start..]) {
        return None;
    }
    let end = b[value_start..]
        .iter()
        .position(|&c| {
            if header_like && sep == b':' {
                matches!(c, b'\r' | b'\n' | b'"' | b'\'')
            } else if sep == b':' {
                matches!(
                    c,
                    b'\r'
                        | b'\n'
                        | b','
                        | b';'
                        | b'}'
                        | b']'
                        | b'"'
                        | b'\''
                        | b'<'
                        | b'>'
                        | b'&'
                        | b'\\'
                )
            } else {
                matches!(
                    c,
                    b'&' | b'#'
                        | b';'
                        | b','
                        | b'"'
                        | b'\''
                        | b'<'
                        | b'>'
                        | b'\\'
                        | b')'
                        | b'}'
                        | b']'
                ) || c.is_ascii_whitespace()
            }
        })
        .map_or(b.len(), |p| value_start + p);
    if end == value_start {
        return None;
    }
    Some((value_start, end))
}

/// If `b[j..]` starts with `content` or `value` and then `=` (an HTML attribute holding the
/// value of the named field), the index of that `=`; else `j`.
fn skip_html_value_attribute(b: &[u8], j: usize) -> usize {
    for attr in [&b"content"[..], &b"value"[..]] {
        let end = j + attr.len();
        if b.len() >= end && b[j..end].eq_ignore_ascii_case(attr) {
            let mut k = end;
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            if b.get(k) == Some(&b'=') {
                return k;
            }
        }
    }
    j
}

/// The index of the next unescaped `quote` from `from`, or the end of the text.
fn closing_quote(b: &[u8], from: usize, quote: u8) -> usize {
    let mut i = from;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            return i;
        }
        i += 1;
    }
    b.len()
}

/// Whether the unquoted value after `key:` is kept: an object or array (its own keys are
/// scanned), `true`/`false`/`null`, or a JSON number after the key `code` (Pixiv's error code,
/// e.g. 1508). Any other number is redacted: a numeric secret is still a secret.
fn is_kept_json_value(key: &str, v: &[u8]) -> bool {
    let word_end = |w: &[u8]| {
        v.starts_with(w)
            && v.get(w.len())
                .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
    };
    match v.first() {
        Some(b'{' | b'[') => true,
        Some(b'0'..=b'9' | b'-') if key.eq_ignore_ascii_case("code") => {
            let end = v
                .iter()
                .position(|c| {
                    !(c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
                })
                .unwrap_or(v.len());
            v.get(end)
                .is_none_or(|c| !c.is_ascii_alphabetic() && *c != b'_')
        }
        _ => word_end(b"true") || word_end(b"false") || word_end(b"null"),
    }
}

/// The parameters of a `WWW-Authenticate: Bearer ...` challenge (RFC 6750, section 3).
const AUTH_PARAMS: [&str; 5] = ["realm", "scope", "error", "error_description", "error_uri"];

/// `Bearer <token68>` -> `Bearer <redacted>`, unless what follows is an auth-param (`realm="x"`).
fn redact_bearer(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 6 <= b.len() {
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if !(word_start && b[i..i + 6].eq_ignore_ascii_case(b"bearer")) {
            i += 1;
            continue;
        }
        let mut j = i + 6;
        let spaces_start = j;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        if j == spaces_start {
            i += 6;
            continue;
        }
        let token_start = j;
        while j < b.len()
            && (b[j].is_ascii_alphanumeric()
                || matches!(b[j], b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
        {
            j += 1;
        }
        while j < b.len() && b[j] == b'=' {
            j += 1;
        }
        // `Bearer realm="pixiv", error="invalid_token"` is a challenge, not a credential.
        let name_end = b[token_start..j]
            .iter()
            .position(|&c| c == b'=')
            .map_or(j, |p| token_start + p);
        let auth_param = name_end < j
            && AUTH_PARAMS
                .iter()
                .any(|p| b[token_start..name_end].eq_ignore_ascii_case(p.as_bytes()));
        if j > token_start && !auth_param {
            out.push_str(&text[copied..token_start]);
            out.push_str(REDACTED);
            copied = j;
        }
        i = j.max(i + 6);
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_string_values_of_sensitive_keys_are_redacted() {
        let body = r#"{"access_token":"AT","refresh_token" : "RT","token_type":"bearer","user":{"id":"1"}}"#;
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
}

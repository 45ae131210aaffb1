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
#[cfg(test)]
mod tests;
mod text;
mod urls;

use std::borrow::Cow;

pub use known::{MAX_KNOWN_SECRETS, MIN_SECRET_LEN, remember_secret, scrub_known_secrets};
pub use urls::redact_url;

use text::{redact_bearer, redact_key_values};
use urls::redact_userinfo;

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

//! Redaction: keeping secrets out of error messages, `Debug` output and logs.
//!
//! Secrets are kept out where they could enter an error, not by scanning text afterwards:
//!
//! - **by type**: a secret the process holds is a [`Secret`](crate::Secret), which never
//!   prints and registers its value here ([`remember_secret`]); every free-text field an error
//!   stores (a message, a reason, a serde message, a `Location`) is scrubbed of those values when
//!   the constructor or [`classify`](crate::classify()) stores it ([`redact_echo`]), and so is the
//!   `Display` of a wrapped library error (hyper, io) when it is shown;
//! - **by structure**: headers by name ([`is_sensitive_header`]: `Authorization`,
//!   `Proxy-Authorization`, `Cookie`, `Set-Cookie` and names like `X-Auth-Token`), and URLs by
//!   their parts ([`redact_url`]: the userinfo password, query and fragment parameters named like
//!   secrets, see [`is_sensitive_param`]);
//! - **by not keeping it**: an error never holds a response body, only the fields
//!   [`classify`](crate::classify()) parsed out of it (docs/errors.md), so a token a server puts
//!   in a body has no way into the error.
//!
//! Secrets are replaced by [`REDACTED`] (`<redacted>`).
//!
//! ```
//! use pixiv_errors::{redact, Secret};
//!
//! assert_eq!(
//!     redact::redact_url("https://u:pw@example.com/cb?code=xyz&state=1"),
//!     "https://u:<redacted>@example.com/cb?code=<redacted>&state=1",
//! );
//! let token = Secret::new("r-0123456789abcdef");
//! assert_eq!(
//!     redact::redact_echo("Invalid refresh token r-0123456789abcdef"),
//!     "Invalid refresh token <redacted>",
//! );
//! # drop(token);
//! ```

mod known;
#[cfg(test)]
mod tests;
mod urls;

use std::borrow::Cow;

pub use known::{MAX_KNOWN_SECRETS, MIN_SECRET_LEN, remember_secret, scrub_known_secrets};
pub use urls::redact_url;

use http::header::{
    AUTHORIZATION, CONTENT_LOCATION, COOKIE, LOCATION, PROXY_AUTHORIZATION, SET_COOKIE,
};
use http::{HeaderMap, HeaderName, HeaderValue};

/// What a secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// How many bytes of a text [`redact_echo`] scrubs: past it, the text is cut anyway. Bounds the
/// work on a huge message.
const SCRUB_WINDOW: usize = 64 * 1024;

/// Whether a header's value is a credential: `Authorization`, `Proxy-Authorization`, `Cookie`,
/// `Set-Cookie`, or a name for which [`is_sensitive_param`] holds (such as `X-Auth-Token`).
pub fn is_sensitive_header(name: &HeaderName) -> bool {
    *name == AUTHORIZATION
        || *name == PROXY_AUTHORIZATION
        || *name == COOKIE
        || *name == SET_COOKIE
        || is_sensitive_param(name.as_str())
}

/// Whether a header, query parameter or field name holds a secret:
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

/// A copy of `headers` as an error keeps them: a sensitive header ([`is_sensitive_header`]) has
/// its value replaced by `<redacted>` (and marked sensitive), `Location` and `Content-Location`
/// go through [`redact_url`], and every other value is scrubbed of known secrets
/// ([`scrub_known_secrets`]). Values that are not UTF-8 are kept as they are unless the header is
/// sensitive.
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
    let Ok(text) = value.to_str() else {
        return value.clone();
    };
    let redacted = if *name == LOCATION || *name == CONTENT_LOCATION {
        Cow::Owned(redact_url(text))
    } else {
        scrub_known_secrets(text)
    };
    if redacted == text {
        value.clone()
    } else {
        // Redaction only swaps visible ASCII text for `<redacted>`, so this parses; the
        // fallback keeps the contract (no secret) even if it did not.
        HeaderValue::from_str(&redacted).unwrap_or_else(|_| HeaderValue::from_static(REDACTED))
    }
}

/// The most characters of an input an error shows (a URL, a line, a message, a `Location`):
/// past it, the text is cut at a character boundary and ends in `… (N bytes)`, N being the
/// whole input's length, so a 10 MB line is reported, not echoed.
pub const MAX_ECHO_CHARS: usize = 200;

/// `text` as an error stores it: scrubbed of known secrets ([`scrub_known_secrets`], on at most
/// the first 64 KiB) and, when longer than [`MAX_ECHO_CHARS`] characters plus room for the
/// marker, cut to [`MAX_ECHO_CHARS`] characters followed by `… (N bytes)`. Cutting a cut text
/// again changes nothing. Borrows when there was nothing to change.
///
/// ```
/// use pixiv_errors::redact::redact_echo;
/// assert_eq!(redact_echo("12 is not an id"), "12 is not an id");
/// let line = "x".repeat(10_000);
/// assert_eq!(redact_echo(&line), format!("{}… (10000 bytes)", "x".repeat(200)));
/// ```
pub fn redact_echo(text: &str) -> Cow<'_, str> {
    let mut window_end = text.len().min(SCRUB_WINDOW);
    while !text.is_char_boundary(window_end) {
        window_end -= 1;
    }
    let scrubbed = scrub_known_secrets(&text[..window_end]);
    match cut_echo(&scrubbed, text.len()) {
        Some(cut) => Cow::Owned(cut),
        None if window_end < text.len() => {
            Cow::Owned(format!("{scrubbed}… ({} bytes)", text.len()))
        }
        None => match scrubbed {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            Cow::Owned(s) => Cow::Owned(s),
        },
    }
}

/// `text` cut to [`MAX_ECHO_CHARS`] characters and `… (N bytes)` (N = `whole_len`), or `None`
/// when it is short enough to show whole.
pub(crate) fn cut_echo(text: &str, whole_len: usize) -> Option<String> {
    // Room for the `… (N bytes)` an echo cut before ends with, so cutting twice changes nothing.
    const MARKER_ROOM: usize = 32;
    let too_long = text
        .char_indices()
        .nth(MAX_ECHO_CHARS + MARKER_ROOM)
        .is_some();
    let (cut, _) = text
        .char_indices()
        .nth(MAX_ECHO_CHARS)
        .filter(|_| too_long)?;
    Some(format!("{}… ({whole_len} bytes)", &text[..cut]))
}

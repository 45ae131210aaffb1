//! [`ResponseDetails`]: what an error answer said, as parsed fields, never its body.

use std::fmt;
use std::time::Duration;

use http::HeaderMap;
use http::header::CONTENT_TYPE;

use crate::redact;
use crate::show::entered;

/// The most entries of Pixiv's `user_message_details` kept (it is `{}` in every answer seen).
pub const MAX_DETAIL_ENTRIES: usize = 8;

/// How far into an HTML body its `<title>` is looked for (it is in the `<head>`).
const TITLE_WINDOW: usize = 16 * 1024;

/// What an error answer said, kept on [`PixivError`](crate::PixivError)'s answer variants
/// (`Http`, `RateLimited`, `Auth`, `CloudflareChallenge`) so callers can inspect it.
///
/// The body itself is never kept: only what [`classify`](crate::classify()) parsed out of it
/// (Pixiv's `user_message`, `message`, `reason` and `user_message_details`; the OAuth
/// endpoint's `errors.system.code` and `message` and its `error` string) and, for any answer,
/// facts about it (its length, its content type, an HTML page's `<title>`). Each text is
/// scrubbed of known secrets and cut at [`redact::MAX_ECHO_CHARS`] characters when stored. The
/// headers are kept with sensitive ones redacted by name ([`redact::redact_headers`]). The fields
/// are private to keep it that way; [`Default`] is "nothing known", for errors built by hand.
///
/// ```
/// use http::{HeaderMap, HeaderValue, StatusCode};
/// use pixiv_errors::{PixivError, ResponseDetails};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("set-cookie", HeaderValue::from_static("PHPSESSID=secret"));
/// headers.insert("content-type", HeaderValue::from_static("text/html"));
/// let body = b"<html><head><title>502 Bad Gateway</title></head></html>";
/// let details = ResponseDetails::from_response(&headers, body).with_reason("not_found");
/// let err = PixivError::http(StatusCode::NOT_FOUND, "x").with_details(details);
///
/// let d = err.details().unwrap();
/// assert_eq!(d.headers()["set-cookie"], "<redacted>");
/// assert_eq!(d.reason(), Some("not_found"));
/// assert_eq!(d.title(), Some("502 Bad Gateway"));
/// assert_eq!(d.content_type(), Some("text/html"));
/// assert_eq!(d.body_len(), body.len() as u64);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseDetails {
    headers: HeaderMap,
    body_len: u64,
    title: Option<String>,
    user_message: Option<String>,
    message: Option<String>,
    reason: Option<String>,
    user_message_details: Vec<(String, String)>,
    code: Option<i64>,
    system_message: Option<String>,
    error: Option<String>,
    retry_after: Option<Duration>,
}

impl ResponseDetails {
    /// Nothing known (the same as [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The facts of an answer: its headers (sensitive ones redacted by name), its body's length,
    /// and, when the body is HTML, its `<title>` (capped). The body itself is not kept.
    pub fn from_response(headers: &HeaderMap, body: &[u8]) -> Self {
        let head = &body[..body.len().min(TITLE_WINDOW)];
        // A declared type decides; only an undeclared body is sniffed (its start only).
        let html = match headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
            Some(declared) => declared.to_ascii_lowercase().contains("html"),
            None => is_html(headers, head),
        };
        let title = html
            .then(|| html_title(head))
            .flatten()
            .and_then(|t| non_empty(&t));
        Self {
            headers: redact::redact_headers(headers),
            body_len: body.len() as u64,
            title,
            ..Self::default()
        }
    }

    /// Sets Pixiv's `error.user_message` (an empty one is none).
    #[must_use]
    pub fn with_user_message(mut self, text: impl AsRef<str>) -> Self {
        self.user_message = non_empty(text.as_ref());
        self
    }

    /// Sets Pixiv's `error.message` (an empty one is none).
    #[must_use]
    pub fn with_message(mut self, text: impl AsRef<str>) -> Self {
        self.message = non_empty(text.as_ref());
        self
    }

    /// Sets Pixiv's `error.reason` (an empty reason is no reason).
    #[must_use]
    pub fn with_reason(mut self, reason: impl AsRef<str>) -> Self {
        self.reason = non_empty(reason.as_ref());
        self
    }

    /// Adds an entry of Pixiv's `error.user_message_details`. Ignored past
    /// [`MAX_DETAIL_ENTRIES`], and when the key names a secret ([`redact::is_sensitive_param`]).
    #[must_use]
    pub fn with_user_message_detail(mut self, key: &str, value: &str) -> Self {
        if self.user_message_details.len() < MAX_DETAIL_ENTRIES && !redact::is_sensitive_param(key)
        {
            self.user_message_details
                .push((entered(key.to_owned()), entered(value.to_owned())));
        }
        self
    }

    /// Sets Pixiv's numeric error code (the OAuth endpoint's `errors.system.code`, e.g. 1508).
    #[must_use]
    pub fn with_code(mut self, code: i64) -> Self {
        self.code = Some(code);
        self
    }

    /// Sets the OAuth endpoint's `errors.system.message` (an empty one is none).
    #[must_use]
    pub fn with_system_message(mut self, text: impl AsRef<str>) -> Self {
        self.system_message = non_empty(text.as_ref());
        self
    }

    /// Sets the OAuth endpoint's top-level `error` string (`invalid_grant`).
    #[must_use]
    pub fn with_error(mut self, text: impl AsRef<str>) -> Self {
        self.error = non_empty(text.as_ref());
        self
    }

    /// Sets the wait the answer's `Retry-After` asked for (already parsed and capped).
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The answer's headers, sensitive values replaced by `<redacted>`.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The answer's `Content-Type`, when it sent a readable one.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// How many bytes the body had (0 when unknown or empty). The body itself is not kept.
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// An HTML answer's `<title>` (whitespace collapsed, cut at [`redact::MAX_ECHO_CHARS`]
    /// characters), when it had a non-empty one: what a proxy's or a CDN's error page says.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// Pixiv's `error.user_message`, when non-empty.
    pub fn user_message(&self) -> Option<&str> {
        self.user_message.as_deref()
    }

    /// Pixiv's `error.message`, when non-empty.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Pixiv's `error.reason`, when it gave a non-empty one.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The scalar entries of Pixiv's `error.user_message_details` (strings, numbers and booleans
    /// as text; nested values and keys naming secrets are not kept), at most
    /// [`MAX_DETAIL_ENTRIES`].
    pub fn user_message_details(&self) -> &[(String, String)] {
        &self.user_message_details
    }

    /// Pixiv's numeric error code, when it gave one.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// The OAuth endpoint's `errors.system.message`, when non-empty.
    pub fn system_message(&self) -> Option<&str> {
        self.system_message.as_deref()
    }

    /// The OAuth endpoint's top-level `error` string (`invalid_grant`), when it sent one.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The answer's `Retry-After`, parsed relative to when the answer was classified and capped
    /// at [`crate::retry_after::MAX_RETRY_AFTER`].
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

/// A server's text as stored: trimmed, `None` when empty, else scrubbed and cut ([`entered`]).
fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| entered(text.to_owned()))
}

/// Whether the answer is HTML: declared so, or starting like a page.
pub(crate) fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let declared = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
    declared
        || find_ignore_case(body, b"<html").is_some()
        || find_ignore_case(body, b"<!doctype html").is_some()
}

/// The text of the first `<title>` in `head` (the first [`TITLE_WINDOW`] bytes), whitespace
/// collapsed and the five XML entities decoded. Not an HTML parser: an error page's title is
/// plain text.
fn html_title(head: &[u8]) -> Option<String> {
    let open = find_ignore_case(head, b"<title")?;
    let start = open + head[open..].iter().position(|&b| b == b'>')? + 1;
    let len = find_ignore_case(&head[start..], b"</title").unwrap_or(head.len() - start);
    let raw = String::from_utf8_lossy(&head[start..start + len]);
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(
        collapsed
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Short: only what is known, headers as a `{name: "value"}` map.
impl fmt::Debug for ResponseDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ResponseDetails");
        if !self.headers.is_empty() {
            d.field("headers", &DebugHeaders(&self.headers));
        }
        if self.body_len > 0 {
            d.field("body_len", &self.body_len);
        }
        let texts = [
            ("title", &self.title),
            ("user_message", &self.user_message),
            ("message", &self.message),
            ("reason", &self.reason),
            ("system_message", &self.system_message),
            ("error", &self.error),
        ];
        for (name, value) in texts {
            if let Some(value) = value {
                d.field(name, value);
            }
        }
        if !self.user_message_details.is_empty() {
            d.field("user_message_details", &self.user_message_details);
        }
        if let Some(code) = self.code {
            d.field("code", &code);
        }
        if let Some(wait) = self.retry_after {
            d.field("retry_after", &wait);
        }
        d.finish()
    }
}

/// Headers as a `{name: "value"}` map, values as (lossy) text. They were redacted on the way in;
/// a value marked sensitive is still shown as `<redacted>`, whatever it holds.
struct DebugHeaders<'a>(&'a HeaderMap);

impl fmt::Debug for DebugHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, value)| {
                let text = if value.is_sensitive() {
                    redact::REDACTED.into()
                } else {
                    String::from_utf8_lossy(value.as_bytes())
                };
                (name.as_str(), text)
            }))
            .finish()
    }
}

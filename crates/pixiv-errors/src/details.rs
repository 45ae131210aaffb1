//! [`ResponseDetails`]: what an error answer looked like, redacted.

use std::fmt;
use std::time::Duration;

use http::HeaderMap;

use crate::redact;

/// What an error answer looked like, kept on [`PixivError`](crate::PixivError)'s answer variants
/// (`Http`, `RateLimited`, `Auth`, `CloudflareChallenge`) so callers can inspect it.
///
/// The headers and body are redacted when they go in ([`redact::redact_headers`],
/// [`redact::redact_body_snippet`]), so they are safe to log; the fields are private to keep it
/// that way. [`Default`] is "nothing known", for errors built by hand.
///
/// ```
/// use http::{HeaderMap, HeaderValue, StatusCode};
/// use pixiv_errors::{PixivError, ResponseDetails};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("set-cookie", HeaderValue::from_static("PHPSESSID=secret"));
/// let details = ResponseDetails::from_response(&headers, br#"{"error":{"message":"x"}}"#)
///     .with_reason("not_found");
/// let err = PixivError::http(StatusCode::NOT_FOUND, "x").with_details(details);
///
/// let d = err.details().unwrap();
/// assert_eq!(d.headers()["set-cookie"], "<redacted>");
/// assert_eq!(d.reason(), Some("not_found"));
/// assert_eq!(d.body_snippet(), r#"{"error":{"message":"x"}}"#);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseDetails {
    headers: HeaderMap,
    body_snippet: String,
    reason: Option<String>,
    code: Option<i64>,
    retry_after: Option<Duration>,
}

impl ResponseDetails {
    /// Nothing known (the same as [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The redacted headers and a redacted, capped snippet of `body`.
    pub fn from_response(headers: &HeaderMap, body: &[u8]) -> Self {
        Self {
            headers: redact::redact_headers(headers),
            body_snippet: redact::redact_body_snippet(body),
            ..Self::default()
        }
    }

    /// Sets Pixiv's `error.reason` (redacted; an empty reason is no reason).
    #[must_use]
    pub fn with_reason(mut self, reason: impl AsRef<str>) -> Self {
        let reason = reason.as_ref().trim();
        self.reason = (!reason.is_empty()).then(|| capped(reason));
        self
    }

    /// Sets Pixiv's numeric error code (the OAuth endpoint's `errors.system.code`, e.g. 1508).
    #[must_use]
    pub fn with_code(mut self, code: i64) -> Self {
        self.code = Some(code);
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

    /// The start of the body (at most [`redact::SNIPPET_LIMIT`] bytes, UTF-8, redacted); empty
    /// when unknown or empty.
    pub fn body_snippet(&self) -> &str {
        &self.body_snippet
    }

    /// Pixiv's `error.reason`, when it gave a non-empty one.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Pixiv's numeric error code, when it gave one.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// The answer's `Retry-After`, parsed relative to when the answer was classified and capped
    /// at [`crate::retry_after::MAX_RETRY_AFTER`].
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

fn capped(text: &str) -> String {
    let mut s = redact::redact_text(text);
    if s.len() > redact::SNIPPET_LIMIT {
        redact::truncate_with_ellipsis(&mut s, redact::SNIPPET_LIMIT);
    }
    s
}

impl fmt::Debug for ResponseDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseDetails")
            .field("headers", &DebugHeaders(&self.headers))
            .field("body_snippet", &self.body_snippet)
            .field("reason", &self.reason)
            .field("code", &self.code)
            .field("retry_after", &self.retry_after)
            .finish()
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

//! Classification of a finished HTTP answer into a [`PixivError`].
//!
//! (The rules are documented on [`classify`], which is what the crate exports.)

use std::sync::LazyLock;
use std::time::SystemTime;

use http::header::SERVER;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use crate::details::is_html;
use crate::show::entered;
use crate::{AuthErrorKind, PixivError, ResponseDetails, retry_after};

/// The deepest JSON body read for a Pixiv error object. Pixiv's error bodies are 3 levels deep;
/// 64 stays well inside serde_json's own recursion limit (128), so a hostile body of 10,000
/// nested arrays is refused by a linear scan before any recursive parser sees it.
pub const MAX_JSON_DEPTH: usize = 64;

/// The `message` Pixiv's App API sends when it rate-limits an account.
const RATE_LIMIT_MESSAGE: &str = "Rate Limit";

/// The OAuth endpoint's code for "Invalid refresh token" (docs/protocol.md).
const INVALID_REFRESH_TOKEN_CODE: i64 = 1508;

/// The longest `cf-ray` id kept (real ones are 16 hex digits, a dash and a 3-letter colo).
const MAX_RAY_ID_LEN: usize = 64;

/// Classifies a finished answer, using the current time for an HTTP-date `Retry-After`.
///
/// `None` means success: a status below 400 with no Pixiv error object in a JSON body.
///
/// The checks, in order (the first that matches decides):
/// 1. **Cloudflare challenge**: status 403 or 503, a `Server: cloudflare` header, and either
///    `cf-mitigated: challenge` or an HTML body holding `_cf_chl_opt` or `Just a moment...`.
///    First, so a challenge page is never mistaken for an ordinary 403/503 or decoded.
/// 2. The body is read as a Pixiv error body when it is a JSON object (no more than
///    [`MAX_JSON_DEPTH`] levels deep; anything else counts as "no Pixiv body"):
///    the App API's `{"error": {...}}`, or the OAuth endpoint's `{"has_error": true, "errors":
///    {"system": {...}}}` / `{"error": "invalid_grant"}`.
/// 3. **Rate limit**: status 429, or an App API `error.message` equal to `Rate Limit` (any
///    status: Pixiv sends it with 403, 400 or even 200). `Retry-After` is read if present.
/// 4. **Auth, invalid access token**: an App API `error.message` containing `invalid_grant`
///    (Pixiv's "Error occurred at the OAuth process. ... Error Message: invalid_grant").
/// 5. **Auth, invalid refresh token**: an OAuth error body whose code is 1508, whose `error` is
///    `invalid_grant`, or whose message mentions the refresh token.
/// 6. **Auth, unauthorized**: any other 401.
/// 7. **Success**: status below 400 with no Pixiv error object → `None` (1xx and 3xx too: a
///    redirect is the redirect layer's business, not an error).
/// 8. **Http**: everything else (4xx/5xx, or a success status carrying a Pixiv error object).
///
/// Every answer variant carries [`ResponseDetails`]: the fields parsed from a Pixiv body
/// (`user_message`, `message`, `reason`, `user_message_details`, the OAuth code, message and
/// `error`), facts about any other body (length, content type, an HTML `<title>`), the headers
/// with sensitive ones redacted by name, and the parsed `Retry-After`. The body itself is not
/// kept, so nothing a server wrote outside those fields reaches the error.
///
/// ```
/// use http::{HeaderMap, StatusCode};
/// use pixiv_errors::{classify, PixivError, AuthErrorKind};
///
/// let h = HeaderMap::new();
/// assert!(classify(StatusCode::OK, &h, br#"{"illust":{"id":1}}"#).is_none());
///
/// let body = br#"{"error": {"user_message": "", "message": "Rate Limit", "reason": "", "user_message_details": {}}}"#;
/// let err = classify(StatusCode::FORBIDDEN, &h, body).unwrap();
/// assert!(matches!(err, PixivError::RateLimited { .. }));
/// assert!(err.is_retryable());
///
/// let body = br#"{"has_error": true, "errors": {"system": {"message": "Invalid refresh token", "code": 1508}}}"#;
/// let err = classify(StatusCode::BAD_REQUEST, &h, body).unwrap();
/// assert_eq!(err.auth_kind(), Some(AuthErrorKind::InvalidRefreshToken));
/// assert_eq!(err.details().unwrap().code(), Some(1508));
/// ```
pub fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Option<PixivError> {
    // The common case first: every 2xx JSON answer of the App API comes through here. A status
    // below 400 whose body never names `error` is a success whatever the headers say (rules 1-6
    // need a status of 400 or more, or a Pixiv error body, which always names `error`), so it is
    // decided without reading the clock or `Retry-After`.
    if status.as_u16() < 400 && ERROR_WORD.find(body).is_none() {
        return None;
    }
    classify_at(status, headers, body, SystemTime::now())
}

/// The searcher for `error` in [`classify`]'s fast path, built once: `memmem::find` builds one
/// for every call (its SIMD prefilter and fallback tables), which showed in profiles of the
/// sequential typed call next to the search itself.
static ERROR_WORD: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"error"));

/// [`classify`] with an explicit `now` for the `Retry-After` HTTP-date (for tests and replays).
pub fn classify_at(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Option<PixivError> {
    let wait = retry_after::from_headers(headers, now);
    let details = || ResponseDetails::from_response(headers, body).with_retry_after(wait);

    if is_cloudflare_challenge(status, headers, body) {
        return Some(PixivError::CloudflareChallenge {
            status,
            ray_id: ray_id(headers),
            details: Box::new(details()),
        });
    }

    let pixiv = PixivBody::parse(body);

    if status == StatusCode::TOO_MANY_REQUESTS
        || pixiv.as_ref().is_some_and(|p| {
            p.app_message()
                .is_some_and(|m| m.trim() == RATE_LIMIT_MESSAGE)
        })
    {
        let d = pixiv
            .as_ref()
            .map_or_else(details, |p| p.decorate(details()));
        return Some(PixivError::RateLimited {
            status,
            retry_after: wait,
            details: Box::new(d),
        });
    }

    if let Some(p) = &pixiv {
        if p.app_message().is_some_and(|m| m.contains("invalid_grant")) {
            return Some(PixivError::Auth {
                status: Some(status),
                kind: AuthErrorKind::InvalidAccessToken,
                message: p.message(status),
                details: Box::new(p.decorate(details())),
            });
        }
        if p.is_invalid_refresh_token() {
            return Some(PixivError::Auth {
                status: Some(status),
                kind: AuthErrorKind::InvalidRefreshToken,
                message: p.message(status),
                details: Box::new(p.decorate(details())),
            });
        }
    }

    // A success: decided before any details are built, since building them copies the headers
    // (measured: doing it first made every 2xx JSON answer cost a redaction pass).
    if status.as_u16() < 400 && pixiv.is_none() {
        return None;
    }
    let message = pixiv
        .as_ref()
        .map_or_else(|| status_reason(status), |p| p.message(status));
    let d = pixiv
        .as_ref()
        .map_or_else(details, |p| p.decorate(details()));

    if status == StatusCode::UNAUTHORIZED {
        return Some(PixivError::Auth {
            status: Some(status),
            kind: AuthErrorKind::Unauthorized,
            message,
            details: Box::new(d),
        });
    }
    Some(PixivError::Http {
        status,
        message,
        details: Box::new(d),
    })
}

/// The status's reason phrase, or a generic text for codes without one.
pub(crate) fn status_reason(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("unknown status")
        .to_owned()
}

fn is_cloudflare_challenge(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> bool {
    if status != StatusCode::FORBIDDEN && status != StatusCode::SERVICE_UNAVAILABLE {
        return false;
    }
    let from_cloudflare = headers.get_all(SERVER).iter().any(|v| {
        v.to_str()
            .is_ok_and(|s| s.trim().eq_ignore_ascii_case("cloudflare"))
    });
    if !from_cloudflare {
        return false;
    }
    let mitigated = headers.get_all("cf-mitigated").iter().any(|v| {
        v.to_str()
            .is_ok_and(|s| s.trim().eq_ignore_ascii_case("challenge"))
    });
    mitigated
        || (is_html(headers, body)
            && (contains(body, b"_cf_chl_opt") || contains(body, b"Just a moment...")))
}

/// memchr's SIMD substring search: this runs over every 2xx JSON answer (the check for
/// `error` in `PixivBody::parse`), where a byte-by-byte `windows` compare showed in profiles.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// The `cf-ray` header, if it is short visible ASCII (it names the blocked request for
/// Cloudflare's support; anything else is not a ray id).
fn ray_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("cf-ray")?.to_str().ok()?.trim();
    let ok = !value.is_empty()
        && value.len() <= MAX_RAY_ID_LEN
        && value.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| value.to_owned())
}

/// The parts of a Pixiv error body classification needs.
#[derive(Debug, Default)]
struct PixivBody {
    /// App API `error.user_message`.
    user_message: Option<String>,
    /// App API `error.message`.
    message: Option<String>,
    /// App API `error.reason`.
    reason: Option<String>,
    /// App API `error.user_message_details`: its scalar entries, as text.
    user_message_details: Vec<(String, String)>,
    /// OAuth `errors.system.message`.
    system_message: Option<String>,
    /// OAuth `errors.system.code`.
    code: Option<i64>,
    /// OAuth top-level `"error": "invalid_grant"` (a string, not the App API's object).
    error_text: Option<String>,
    /// Whether the App API's `error` was an object.
    app_error: bool,
}

/// The top level of a body, only the keys classification reads; any other key is skipped by
/// serde_json without recursion, whatever its depth.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    has_error: Option<Value>,
    #[serde(default)]
    errors: Option<Value>,
}

impl PixivBody {
    /// `Some` when `body` is a JSON object carrying a Pixiv error (App API or OAuth form).
    fn parse(body: &[u8]) -> Option<Self> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let first = body.iter().copied().find(|b| !b.is_ascii_whitespace())?;
        // Every Pixiv error body names `error`, `errors` or `has_error`: a body without the word
        // is no error body, decided without parsing it (every 2xx JSON answer comes through here,
        // so this saves a second parse of each; measured with `cargo xtask bench transport`).
        if first != b'{' || !contains(body, b"error") || json_depth_exceeds(body, MAX_JSON_DEPTH) {
            return None;
        }
        let env: Envelope = serde_json::from_slice(body).ok()?;
        let mut out = Self::default();
        let mut found = false;
        match &env.error {
            Some(Value::Object(obj)) => {
                found = true;
                out.app_error = true;
                out.user_message = text(obj.get("user_message"));
                out.message = text(obj.get("message"));
                out.reason = text(obj.get("reason"));
                out.user_message_details = scalar_entries(obj.get("user_message_details"));
            }
            Some(Value::String(s)) => {
                found = true;
                out.error_text = Some(s.clone());
            }
            _ => {}
        }
        let has_error = matches!(env.has_error, Some(Value::Bool(true)));
        if let Some(Value::Object(errors)) = &env.errors {
            let system = errors.get("system").and_then(Value::as_object);
            if let Some(system) = system {
                out.system_message = text(system.get("message"));
                out.code = system.get("code").and_then(|c| match c {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                });
            }
            found |= has_error || system.is_some();
        }
        found |= has_error;
        found.then_some(out)
    }

    /// The App API's `error.message`, only when `error` was an object.
    fn app_message(&self) -> Option<&str> {
        if self.app_error {
            self.message.as_deref()
        } else {
            None
        }
    }

    fn is_invalid_refresh_token(&self) -> bool {
        !self.app_error
            && (self.code == Some(INVALID_REFRESH_TOKEN_CODE)
                || self
                    .error_text
                    .as_deref()
                    .is_some_and(|e| e.trim() == "invalid_grant")
                || self
                    .system_message
                    .as_deref()
                    .is_some_and(|m| m.to_ascii_lowercase().contains("refresh token")))
    }

    /// What to show: `user_message`, else `message`, else the OAuth message, else the OAuth
    /// `error` string, else the status reason. Scrubbed of known secrets and cut.
    fn message(&self, status: StatusCode) -> String {
        [
            &self.user_message,
            &self.message,
            &self.system_message,
            &self.error_text,
        ]
        .into_iter()
        .flatten()
        .map(|m| m.trim())
        .find(|m| !m.is_empty())
        .map_or_else(|| status_reason(status), |m| entered(m.to_owned()))
    }

    /// `details` with every field read from the body (each scrubbed and cut as it is stored).
    fn decorate(&self, mut details: ResponseDetails) -> ResponseDetails {
        type Set = fn(ResponseDetails, &str) -> ResponseDetails;
        let texts: [(&Option<String>, Set); 5] = [
            (&self.user_message, |d, t| d.with_user_message(t)),
            (&self.message, |d, t| d.with_message(t)),
            (&self.reason, |d, t| d.with_reason(t)),
            (&self.system_message, |d, t| d.with_system_message(t)),
            (&self.error_text, |d, t| d.with_error(t)),
        ];
        for (value, set) in texts {
            if let Some(value) = value {
                details = set(details, value);
            }
        }
        for (key, value) in &self.user_message_details {
            details = details.with_user_message_detail(key, value);
        }
        if let Some(code) = self.code {
            details = details.with_code(code);
        }
        details
    }
}

/// The string, number and boolean members of a JSON object, as text (at most
/// [`MAX_DETAIL_ENTRIES`](crate::details::MAX_DETAIL_ENTRIES); nested values are skipped).
fn scalar_entries(v: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Object(map)) = v else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k.clone(), s.clone())),
            Value::Number(n) => Some((k.clone(), n.to_string())),
            Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .take(crate::details::MAX_DETAIL_ENTRIES)
        .collect()
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Whether a JSON text nests arrays/objects more than `limit` deep (strings are skipped, so a
/// `[` inside one does not count). Linear, no recursion.
pub(crate) fn json_depth_exceeds(body: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

//! The one error taxonomy of pixiv-rs.
//!
//! Every fallible call in the workspace returns [`PixivError`]: a `#[non_exhaustive]` enum whose
//! variants carry what a caller needs to decide what to do next. [`classify`] turns a finished
//! HTTP answer into the right variant, [`retry_after`] reads `Retry-After`, and [`redact`] keeps
//! secrets out of everything this crate shows. `docs/errors.md` has the taxonomy as a table.
//!
//! ```
//! use http::{HeaderMap, HeaderValue, StatusCode};
//! use pixiv_errors::{classify, PixivError};
//!
//! let body = br#"{"error": {"user_message": "Your access is currently restricted.", "message": "", "reason": "", "user_message_details": {}}}"#;
//! let err = classify(StatusCode::FORBIDDEN, &HeaderMap::new(), body).unwrap();
//! assert_eq!(err.to_string(), "HTTP 403 Forbidden: Your access is currently restricted.");
//! assert_eq!(err.status(), Some(StatusCode::FORBIDDEN));
//! assert!(!err.is_retryable());
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("retry-after", HeaderValue::from_static("30"));
//! let err = classify(StatusCode::TOO_MANY_REQUESTS, &headers, b"").unwrap();
//! assert!(err.is_retryable());
//! assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(30)));
//! ```
//!
//! Build errors with the constructors ([`PixivError::http`], [`PixivError::io`],
//! [`PixivError::decode`], ...) rather than struct literals: the constructors keep compiling when
//! a variant gains a field.
//!
//! Secrets: `Display` and `Debug` of every error run what they show through
//! [`redact::redact_text`] (messages, the `Display` of wrapped sources, locations), and the
//! response headers and body snippets are redacted when they are stored. The *source* of a
//! `Connect`/`Tls`/`Io` error is kept untouched for [`std::error::Error::source`] (retry code
//! downcasts it), so a caller who prints the source chain itself prints that library's text.

mod classify;
mod details;
pub mod redact;
pub mod retry_after;

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;

pub use classify::{MAX_JSON_DEPTH, classify, classify_at};
pub use details::ResponseDetails;

/// A boxed error, the source type of the variants that wrap another library's error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every error pixiv-rs returns.
///
/// See the [crate docs](crate) for an example and `docs/errors.md` for what a caller should do
/// with each variant. `Debug` is written by hand so it shows no secret (see [`redact`]).
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum PixivError {
    /// The server answered with an error status that no more specific variant describes (or a
    /// success status with a Pixiv `error` object in its body).
    #[error("HTTP {status}: {}", shown(.message))]
    Http {
        /// The HTTP status.
        status: StatusCode,
        /// Pixiv's non-empty `user_message`, else `message`, else the status reason.
        message: String,
        /// Pixiv's `reason`, the redacted headers and body snippet, `Retry-After`.
        details: Box<ResponseDetails>,
    },
    /// Pixiv asked us to slow down (429, or a body whose `error.message` is "Rate Limit").
    #[error("rate limited (HTTP {status}){}", wait_suffix(*.retry_after))]
    RateLimited {
        /// The HTTP status (429, or whatever Pixiv sent with its "Rate Limit" body).
        status: StatusCode,
        /// How long the server asked us to wait, if it said (capped, see [`retry_after`]).
        retry_after: Option<Duration>,
        /// The redacted headers and body snippet.
        details: Box<ResponseDetails>,
    },
    /// Authentication failed.
    #[error("authentication failed ({kind}): {}", shown(.message))]
    Auth {
        /// The HTTP status, if the failure came from an answer.
        status: Option<StatusCode>,
        /// What went wrong, and so what to do.
        kind: AuthErrorKind,
        /// Pixiv's message (or the status reason).
        message: String,
        /// The OAuth error `code` (e.g. 1508), the redacted headers and body snippet.
        details: Box<ResponseDetails>,
    },
    /// Cloudflare answered with a challenge page (no client can pass it honestly).
    #[error("blocked by a Cloudflare challenge (HTTP {status}{})", ray_suffix(.ray_id.as_deref()))]
    CloudflareChallenge {
        /// The HTTP status (403 or 503).
        status: StatusCode,
        /// The `cf-ray` id, which names the blocked request.
        ray_id: Option<String>,
        /// The redacted headers and body snippet.
        details: Box<ResponseDetails>,
    },
    /// A timeout elapsed.
    #[error("timed out ({phase})")]
    Timeout {
        /// Which timeout.
        phase: TimeoutPhase,
    },
    /// The connection could not be made.
    #[error("connection failed: {}", shown_error(.source))]
    Connect {
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// TLS failed.
    #[error("TLS failed: {}", shown_error(.source))]
    Tls {
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// The proxy refused or failed.
    #[error("proxy failed: {}", shown(.message))]
    Proxy {
        /// What happened.
        message: String,
    },
    /// A body could not be decoded.
    #[error("could not decode the response: {}", shown(.message))]
    Decode {
        /// What went wrong.
        message: String,
        /// The start of the body, redacted and capped at 1 KiB (`None` when not known).
        snippet: Option<String>,
    },
    /// A local I/O error.
    #[error("I/O error{}: {}", path_suffix(.path.as_ref()), shown_error(.source))]
    Io {
        /// The file involved, if any.
        path: Option<PathBuf>,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The caller gave something unusable.
    #[error("invalid {}: {}", shown(.what), shown(.why))]
    InvalidInput {
        /// What was invalid.
        what: String,
        /// Why.
        why: String,
    },
    /// A body was larger than the configured cap.
    #[error("body larger than {limit} bytes")]
    BodyTooLarge {
        /// The cap.
        limit: u64,
    },
    /// A body ended before its announced length.
    #[error("body truncated: {}", truncated_detail(*.expected, *.received))]
    Truncated {
        /// The announced length.
        expected: Option<u64>,
        /// The bytes received.
        received: u64,
    },
    /// A redirect could not be followed.
    #[error("redirect refused: {kind}{}", location_suffix(.location.as_deref()))]
    Redirect {
        /// Why it was refused.
        kind: RedirectErrorKind,
        /// The `Location` the server gave, if any (redacted by [`PixivError::redirect`]).
        location: Option<String>,
    },
    /// The client refused to connect to `host` because of where it resolves: a link-local address
    /// (169.254.0.0/16, fe80::/10: cloud metadata services), or a loopback/private address reached
    /// by a redirect from a public host. Nothing was sent; never retried.
    #[error("refused to connect to {} ({address}): {reason}", shown(.host))]
    AddressRefused {
        /// The host name (or IP literal) of the refused URL.
        host: String,
        /// The address it resolved to that the policy refuses.
        address: std::net::IpAddr,
        /// Which rule refused it.
        reason: AddressRefusal,
    },
}

/// Why [`PixivError::AddressRefused`] refused an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressRefusal {
    /// A link-local address (169.254.0.0/16, fe80::/10, or their IPv4-mapped forms): refused
    /// always, since cloud metadata services live there.
    LinkLocal,
    /// A loopback or private address (127.0.0.0/8, ::1, 10/8, 172.16/12, 192.168/16, fc00::/7,
    /// ...) reached by a redirect whose original request went to a public host.
    PrivateFromPublic,
}

impl fmt::Display for AddressRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LinkLocal => "a link-local address (cloud metadata space) is never connected to",
            Self::PrivateFromPublic => {
                "a redirect from a public host may not lead to a loopback or private address"
            }
        })
    }
}

/// What kind of authentication failure, and so what the caller should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// The OAuth endpoint rejected the refresh token: log in again (a new refresh token).
    InvalidRefreshToken,
    /// The App API rejected the access token (expired or unknown): refresh it and replay.
    InvalidAccessToken,
    /// A plain 401.
    Unauthorized,
}

impl fmt::Display for AuthErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidRefreshToken => "invalid refresh token",
            Self::InvalidAccessToken => "invalid or expired access token",
            Self::Unauthorized => "unauthorized",
        })
    }
}

/// Which timeout elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Establishing the connection.
    Connect,
    /// Waiting for the response headers.
    Headers,
    /// No body bytes for the idle timeout.
    BodyIdle,
    /// The whole call's deadline.
    Total,
    /// The TCP connection was up but the TLS handshake (or, through a proxy, the tunnel and
    /// handshake) did not finish before the time-to-headers timeout.
    TlsHandshake,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Headers => "waiting for response headers",
            Self::BodyIdle => "body idle",
            Self::Total => "total deadline",
            Self::TlsHandshake => "TLS handshake",
        })
    }
}

/// Why a redirect was refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedirectErrorKind {
    /// More hops than the policy allows.
    TooManyHops {
        /// The policy's maximum.
        max: usize,
    },
    /// The redirect points back to a URL already visited.
    Loop,
    /// The target's scheme is not allowed (only http and https are).
    RefusedScheme {
        /// The refused scheme.
        scheme: String,
    },
    /// A 307/308 asked to send the request's body (a POST form, say) to another origin (scheme,
    /// host or port): refused before any byte of it left.
    CrossOriginBody {
        /// The redirect's status (307 or 308).
        status: StatusCode,
    },
}

impl fmt::Display for RedirectErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyHops { max } => write!(f, "more than {max} redirects"),
            Self::Loop => f.write_str("redirect loop"),
            Self::RefusedScheme { scheme } => write!(f, "scheme {:?} not allowed", shown(scheme)),
            Self::CrossOriginBody { status } => write!(
                f,
                "a {} redirect would resend the request body to another origin",
                status.as_u16()
            ),
        }
    }
}

/// Constructors: prefer these to struct literals, they keep working when variants gain fields.
impl PixivError {
    /// An error answer with `status` and a message (no details; add them with
    /// [`with_details`](Self::with_details)).
    pub fn http(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Http {
            status,
            message: message.into(),
            details: Box::default(),
        }
    }

    /// Rate limited at `status`, with the wait the server asked for, if any.
    pub fn rate_limited(status: StatusCode, retry_after: Option<Duration>) -> Self {
        Self::RateLimited {
            status,
            retry_after,
            details: Box::default(),
        }
    }

    /// An authentication failure.
    pub fn auth(
        status: Option<StatusCode>,
        kind: AuthErrorKind,
        message: impl Into<String>,
    ) -> Self {
        Self::Auth {
            status,
            kind,
            message: message.into(),
            details: Box::default(),
        }
    }

    /// A Cloudflare challenge page.
    pub fn cloudflare(status: StatusCode, ray_id: Option<String>) -> Self {
        Self::CloudflareChallenge {
            status,
            ray_id,
            details: Box::default(),
        }
    }

    /// A timeout in `phase`.
    pub fn timeout(phase: TimeoutPhase) -> Self {
        Self::Timeout { phase }
    }

    /// A connection failure caused by `source`.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::Connect {
            source: source.into(),
        }
    }

    /// A TLS failure caused by `source`.
    pub fn tls(source: impl Into<BoxError>) -> Self {
        Self::Tls {
            source: source.into(),
        }
    }

    /// A proxy failure.
    pub fn proxy(message: impl Into<String>) -> Self {
        Self::Proxy {
            message: message.into(),
        }
    }

    /// A body that could not be decoded. `body` is the raw body: a redacted snippet of at most
    /// 1 KiB is kept ([`redact::redact_body_snippet`]); pass `&[]` when there is none.
    pub fn decode(message: impl Into<String>, body: &[u8]) -> Self {
        Self::Decode {
            message: message.into(),
            snippet: (!body.is_empty()).then(|| redact::redact_body_snippet(body)),
        }
    }

    /// A JSON body that serde_json could not decode into the expected type; the message is
    /// serde_json's with the input values it quotes elided (see [`From<serde_json::Error>`]).
    pub fn decode_json(err: &serde_json::Error, body: &[u8]) -> Self {
        Self::decode(serde_message(err), body)
    }

    /// A local I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: Some(path.into()),
            source,
        }
    }

    /// Unusable input from the caller: `what` was invalid because `why`.
    pub fn invalid_input(what: impl Into<String>, why: impl Into<String>) -> Self {
        Self::InvalidInput {
            what: what.into(),
            why: why.into(),
        }
    }

    /// A body over `limit` bytes.
    pub fn body_too_large(limit: u64) -> Self {
        Self::BodyTooLarge { limit }
    }

    /// A body that ended after `received` bytes of `expected` (if announced).
    pub fn truncated(expected: Option<u64>, received: u64) -> Self {
        Self::Truncated { expected, received }
    }

    /// A refused redirect; `location` is stored redacted ([`redact::redact_url`]).
    pub fn redirect(kind: RedirectErrorKind, location: Option<&str>) -> Self {
        Self::Redirect {
            kind,
            location: location.map(redact::redact_url),
        }
    }

    /// A connection refused by the address policy: `host` resolved to `address`.
    pub fn address_refused(
        host: impl Into<String>,
        address: std::net::IpAddr,
        reason: AddressRefusal,
    ) -> Self {
        Self::AddressRefused {
            host: host.into(),
            address,
            reason,
        }
    }

    /// Attaches `details` to an answer variant (`Http`, `RateLimited`, `Auth`,
    /// `CloudflareChallenge`); other variants are returned unchanged.
    #[must_use]
    pub fn with_details(mut self, new: ResponseDetails) -> Self {
        if let Self::Http { details, .. }
        | Self::RateLimited { details, .. }
        | Self::Auth { details, .. }
        | Self::CloudflareChallenge { details, .. } = &mut self
        {
            **details = new;
        }
        self
    }
}

/// Questions callers ask of an error.
impl PixivError {
    /// The HTTP status of the answer behind this error, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Http { status, .. }
            | Self::RateLimited { status, .. }
            | Self::CloudflareChallenge { status, .. } => Some(*status),
            Self::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// How long the server asked us to wait before trying again: `RateLimited`'s
    /// `retry_after`, or an `Http` answer's `Retry-After` (a 503 may carry one). Capped at
    /// [`retry_after::MAX_RETRY_AFTER`] when it came through [`classify`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited {
                retry_after,
                details,
                ..
            } => retry_after.or(details.retry_after()),
            Self::Http { details, .. } => details.retry_after(),
            _ => None,
        }
    }

    /// Whether trying the same request again may succeed. Exactly these retry:
    ///
    /// - `RateLimited` (after [`retry_after`](Self::retry_after) or a backoff);
    /// - `Http` with status 500, 502, 503 or 504 (the seed's list, with 429 as `RateLimited`);
    /// - `Timeout` in phase `Connect`, `Headers` or `BodyIdle` (not `Total`: the caller's whole
    ///   budget is spent);
    /// - `Connect` (nothing was sent);
    /// - `Truncated` (the connection broke mid-body).
    ///
    /// Everything else does not: `Auth` (the auth layer refreshes and replays an
    /// `InvalidAccessToken` itself; nothing else is fixed by repeating), `CloudflareChallenge`,
    /// `Http` with any other status (other 4xx, 501, 505...), `Decode`, `InvalidInput`, `Tls`,
    /// `Proxy`, `Io`, `BodyTooLarge`, `Redirect`, `AddressRefused`.
    ///
    /// This says nothing about whether a retry is *safe*: the retry layer also checks the
    /// method and that the request body can be replayed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Connect { .. } | Self::Truncated { .. } => true,
            Self::Http { status, .. } => matches!(status.as_u16(), 500 | 502 | 503 | 504),
            Self::Timeout { phase } => !matches!(phase, TimeoutPhase::Total),
            _ => false,
        }
    }

    /// Whether this is an authentication failure.
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Auth { .. })
    }

    /// The kind of authentication failure, if this is one.
    pub fn auth_kind(&self) -> Option<AuthErrorKind> {
        match self {
            Self::Auth { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// Whether this is a timeout (any phase).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// The answer's redacted details (`Http`, `RateLimited`, `Auth`, `CloudflareChallenge`).
    pub fn details(&self) -> Option<&ResponseDetails> {
        match self {
            Self::Http { details, .. }
            | Self::RateLimited { details, .. }
            | Self::Auth { details, .. }
            | Self::CloudflareChallenge { details, .. } => Some(details),
            _ => None,
        }
    }
}

/// Copies: `PixivError` is not `Clone` because `Connect`, `Tls` and `Io` own their source.
impl PixivError {
    /// An equal copy, or `None` for `Connect`, `Tls` and `Io` (their source cannot be cloned).
    pub fn try_clone(&self) -> Option<Self> {
        self.copy(false)
    }

    /// A copy that always succeeds: equal to [`try_clone`](Self::try_clone)'s where that gives
    /// one; for `Connect`, `Tls` and `Io` the source becomes a plain error carrying the
    /// original's redacted `Display` (and, for `Io`, the same [`std::io::ErrorKind`]), so
    /// downcasting it no longer finds the original type. For handing one failure to several
    /// waiters (a shared token refresh, say).
    pub fn clone_lossy(&self) -> Self {
        match self.copy(true) {
            Some(copy) => copy,
            // `copy(true)` answers every variant; this arm only keeps the function total.
            None => Self::invalid_input("error", shown_error(self)),
        }
    }

    fn copy(&self, lossy: bool) -> Option<Self> {
        let text = |e: &dyn fmt::Display| -> BoxError { Box::new(TextError(shown_error(e))) };
        Some(match self {
            Self::Http {
                status,
                message,
                details,
            } => Self::Http {
                status: *status,
                message: message.clone(),
                details: details.clone(),
            },
            Self::RateLimited {
                status,
                retry_after,
                details,
            } => Self::RateLimited {
                status: *status,
                retry_after: *retry_after,
                details: details.clone(),
            },
            Self::Auth {
                status,
                kind,
                message,
                details,
            } => Self::Auth {
                status: *status,
                kind: *kind,
                message: message.clone(),
                details: details.clone(),
            },
            Self::CloudflareChallenge {
                status,
                ray_id,
                details,
            } => Self::CloudflareChallenge {
                status: *status,
                ray_id: ray_id.clone(),
                details: details.clone(),
            },
            Self::Timeout { phase } => Self::Timeout { phase: *phase },
            Self::Proxy { message } => Self::Proxy {
                message: message.clone(),
            },
            Self::Decode { message, snippet } => Self::Decode {
                message: message.clone(),
                snippet: snippet.clone(),
            },
            Self::InvalidInput { what, why } => Self::InvalidInput {
                what: what.clone(),
                why: why.clone(),
            },
            Self::BodyTooLarge { limit } => Self::BodyTooLarge { limit: *limit },
            Self::Truncated { expected, received } => Self::Truncated {
                expected: *expected,
                received: *received,
            },
            Self::Redirect { kind, location } => Self::Redirect {
                kind: kind.clone(),
                location: location.clone(),
            },
            Self::AddressRefused {
                host,
                address,
                reason,
            } => Self::AddressRefused {
                host: host.clone(),
                address: *address,
                reason: *reason,
            },
            Self::Connect { source } if lossy => Self::Connect {
                source: text(source),
            },
            Self::Tls { source } if lossy => Self::Tls {
                source: text(source),
            },
            Self::Io { path, source } if lossy => Self::Io {
                path: path.clone(),
                source: std::io::Error::new(source.kind(), TextError(shown_error(source))),
            },
            Self::Connect { .. } | Self::Tls { .. } | Self::Io { .. } => return None,
        })
    }
}

/// The stand-in source of a [`PixivError::clone_lossy`] copy: the original's redacted text.
#[derive(Debug)]
struct TextError(String);

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TextError {}

/// An I/O error with no path. To name the file, use [`PixivError::io`].
impl From<std::io::Error> for PixivError {
    fn from(source: std::io::Error) -> Self {
        Self::Io { path: None, source }
    }
}

/// A `Decode` error without a snippet (use [`PixivError::decode_json`] to keep one).
///
/// The message is serde_json's, with the input values it quotes elided: the contents of
/// double-quoted strings (`invalid type: string "<redacted>", expected u64`) and the value named
/// by `unknown variant`. Field names (`missing field `x``) stay. The serde_json error itself is
/// not kept as a source, because its `Display` would show those values again.
impl From<serde_json::Error> for PixivError {
    fn from(err: serde_json::Error) -> Self {
        Self::Decode {
            message: serde_message(&err),
            snippet: None,
        }
    }
}

impl From<std::convert::Infallible> for PixivError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// serde_json's message with quoted input values elided (see `From<serde_json::Error>`).
fn serde_message(err: &serde_json::Error) -> String {
    elide_quoted_values(&err.to_string())
}

fn elide_quoted_values(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    loop {
        let quote = rest.find('"');
        let variant = rest.find("unknown variant `");
        match (quote, variant) {
            (Some(q), v) if v.is_none_or(|v| q < v) => {
                out.push_str(&rest[..=q]);
                let after = &rest[q + 1..];
                // serde writes strings with `{:?}`-style escapes: skip `\"` inside.
                let close = closing_debug_quote(after);
                out.push_str(redact::REDACTED);
                match close {
                    Some(c) => {
                        out.push('"');
                        rest = &after[c + 1..];
                    }
                    None => return out,
                }
            }
            (_, Some(v)) => {
                let start = v + "unknown variant `".len();
                out.push_str(&rest[..start]);
                out.push_str(redact::REDACTED);
                match rest[start..].find('`') {
                    Some(c) => rest = &rest[start + c..],
                    None => return out,
                }
            }
            _ => {
                out.push_str(rest);
                return redact::redact_text(&out);
            }
        }
    }
}

fn closing_debug_quote(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// What `Display`/`Debug` show of a free-text field: redacted.
fn shown(text: &str) -> Cow<'_, str> {
    let redacted = redact::redact_text(text);
    if redacted == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(redacted)
    }
}

fn shown_error<E: fmt::Display + ?Sized>(err: &E) -> String {
    redact::redact_text(&err.to_string())
}

fn wait_suffix(wait: Option<Duration>) -> String {
    match wait {
        Some(d) => format!(", retry after {}s", d.as_secs_f64()),
        None => String::new(),
    }
}

fn ray_suffix(ray: Option<&str>) -> String {
    ray.map_or_else(String::new, |r| format!(", cf-ray {}", shown(r)))
}

fn path_suffix(path: Option<&PathBuf>) -> String {
    path.map_or_else(String::new, |p| format!(" on {}", p.display()))
}

fn truncated_detail(expected: Option<u64>, received: u64) -> String {
    match expected {
        Some(e) => format!("received {received} of {e} bytes"),
        None => format!("received {received} bytes before the body ended early"),
    }
}

fn location_suffix(location: Option<&str>) -> String {
    location.map_or_else(String::new, |l| {
        format!(" (Location: {})", redact::redact_url(l))
    })
}

/// Redacted `Debug` for a free-text field.
struct DebugText<'a>(&'a str);

impl fmt::Debug for DebugText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*shown(self.0), f)
    }
}

/// `Debug` of a wrapped error: its redacted `Display`, quoted.
struct DebugSource<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Debug for DebugSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&shown_error(self.0), f)
    }
}

/// Written by hand: messages and the `Display` of wrapped errors go through
/// [`redact::redact_text`], so `{:?}` is as safe to log as `{}`.
impl fmt::Debug for PixivError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http {
                status,
                message,
                details,
            } => f
                .debug_struct("Http")
                .field("status", status)
                .field("message", &DebugText(message))
                .field("details", details)
                .finish(),
            Self::RateLimited {
                status,
                retry_after,
                details,
            } => f
                .debug_struct("RateLimited")
                .field("status", status)
                .field("retry_after", retry_after)
                .field("details", details)
                .finish(),
            Self::Auth {
                status,
                kind,
                message,
                details,
            } => f
                .debug_struct("Auth")
                .field("status", status)
                .field("kind", kind)
                .field("message", &DebugText(message))
                .field("details", details)
                .finish(),
            Self::CloudflareChallenge {
                status,
                ray_id,
                details,
            } => f
                .debug_struct("CloudflareChallenge")
                .field("status", status)
                .field("ray_id", &ray_id.as_deref().map(DebugText))
                .field("details", details)
                .finish(),
            Self::Timeout { phase } => f.debug_struct("Timeout").field("phase", phase).finish(),
            Self::Connect { source } => f
                .debug_struct("Connect")
                .field("source", &DebugSource(&**source))
                .finish(),
            Self::Tls { source } => f
                .debug_struct("Tls")
                .field("source", &DebugSource(&**source))
                .finish(),
            Self::Proxy { message } => f
                .debug_struct("Proxy")
                .field("message", &DebugText(message))
                .finish(),
            Self::Decode { message, snippet } => f
                .debug_struct("Decode")
                .field("message", &DebugText(message))
                .field("snippet", &snippet.as_deref().map(DebugText))
                .finish(),
            Self::Io { path, source } => f
                .debug_struct("Io")
                .field("path", path)
                .field("kind", &source.kind())
                .field("source", &DebugSource(source))
                .finish(),
            Self::InvalidInput { what, why } => f
                .debug_struct("InvalidInput")
                .field("what", &DebugText(what))
                .field("why", &DebugText(why))
                .finish(),
            Self::BodyTooLarge { limit } => f
                .debug_struct("BodyTooLarge")
                .field("limit", limit)
                .finish(),
            Self::Truncated { expected, received } => f
                .debug_struct("Truncated")
                .field("expected", expected)
                .field("received", received)
                .finish(),
            Self::Redirect { kind, location } => f
                .debug_struct("Redirect")
                .field("kind", kind)
                .field("location", &location.as_deref().map(redact::redact_url))
                .finish(),
            Self::AddressRefused {
                host,
                address,
                reason,
            } => f
                .debug_struct("AddressRefused")
                .field("host", &DebugText(host))
                .field("address", address)
                .field("reason", reason)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests;

//! The one error taxonomy of pixiv-rs.
//!
//! Every fallible call in the workspace returns [`PixivError`]: a `#[non_exhaustive]` enum whose
//! variants carry what a caller needs to decide what to do next. [`classify()`] turns a finished
//! HTTP answer into the right variant, keeping the fields it parsed (Pixiv's `user_message`,
//! `message`, `reason`, the OAuth code...) in [`ResponseDetails`], never the body;
//! [`retry_after`] reads `Retry-After`, and [`redact`] keeps secrets out of what an error stores.
//! `docs/errors.md` has the taxonomy as a table and says what each variant keeps.
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
//! Secrets are kept out where they could enter, not by scanning text afterwards
//! (docs/security.md):
//!
//! - hold them as [`Secret`], which never prints and registers its value, so that every text an
//!   error stores from then on (a message, a server's field, a `Location`) is scrubbed of it by
//!   value when the constructor or [`classify()`] stores it;
//! - an error keeps no response body, only parsed fields and facts, so a token a server sends
//!   in a body has no way in;
//! - headers are redacted by name and URLs by their structure ([`redact::redact_url`]: userinfo
//!   password, query parameters named like secrets).
//!
//! `Display` shows the stored fields as they are (they were made safe on the way in); the
//! `Display` of a wrapped library error (`Connect`, `Tls`, `Io`) is scrubbed by value when
//! shown. That *source* is kept untouched for [`std::error::Error::source`] (retry code
//! downcasts it), so a caller who prints the source chain itself prints that library's text.

mod classify;
mod convert;
mod details;
mod kinds;
mod methods;
pub mod redact;
pub mod retry_after;
mod secret;
mod shared;
mod show;

use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;

pub use classify::{MAX_JSON_DEPTH, classify, classify_at};
pub use details::{MAX_DETAIL_ENTRIES, ResponseDetails};
pub use kinds::{AddressRefusal, AuthErrorKind, RedirectErrorKind, TimeoutPhase};
pub use secret::{SECRET_SHOWN, Secret};
pub use shared::{Shared, SharedError};

use show::{
    location_suffix, path_suffix, ray_suffix, shown, shown_error, truncated_detail, wait_suffix,
};

/// A boxed error: what the constructors of the variants that wrap another library's error take
/// (stored as a [`SharedError`]), and the error type of the transport's services.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every error pixiv-rs returns.
///
/// See the [crate docs](crate) for an example and `docs/errors.md` for what a caller should do
/// with each variant. `Clone` is cheap (wrapped errors are shared, see [`Shared`]); `Debug` shows
/// the variant, its `Display` and the answer's details, never a secret (see [`redact`]).
///
/// Build errors with the constructors ([`PixivError::http`], [`PixivError::decode`]...): they are
/// where free text is scrubbed of known secrets and cut; a struct literal is shown as written.
#[derive(Clone, thiserror::Error)]
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
        /// The fields parsed from the answer (Pixiv's `reason`...), facts about its body, the
        /// redacted headers, `Retry-After`.
        details: Box<ResponseDetails>,
    },
    /// Pixiv asked us to slow down (429, or a body whose `error.message` is "Rate Limit").
    #[error("rate limited (HTTP {status}){}", wait_suffix(*.retry_after))]
    RateLimited {
        /// The HTTP status (429, or whatever Pixiv sent with its "Rate Limit" body).
        status: StatusCode,
        /// How long the server asked us to wait, if it said (capped, see [`retry_after`]).
        retry_after: Option<Duration>,
        /// The fields parsed from the answer, facts about its body, the redacted headers.
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
        /// The OAuth error `code` (e.g. 1508) and message, Pixiv's fields, the redacted headers.
        details: Box<ResponseDetails>,
    },
    /// Cloudflare answered with a challenge page (no client can pass it honestly).
    #[error("blocked by a Cloudflare challenge (HTTP {status}{})", ray_suffix(.ray_id.as_deref()))]
    CloudflareChallenge {
        /// The HTTP status (403 or 503).
        status: StatusCode,
        /// The `cf-ray` id, which names the blocked request.
        ray_id: Option<String>,
        /// Facts about the page (its `<title>`, length), the redacted headers.
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
        source: SharedError,
    },
    /// TLS failed.
    #[error("TLS failed: {}", shown_error(.source))]
    Tls {
        /// The cause.
        #[source]
        source: SharedError,
    },
    /// The proxy refused or failed.
    #[error("proxy failed: {}", shown(.message))]
    Proxy {
        /// What happened.
        message: String,
    },
    /// A body could not be decoded. The body itself is not kept.
    #[error("could not decode the response: {}", shown(.message))]
    Decode {
        /// What went wrong (for JSON, serde_json's message with the input values it quotes
        /// elided unless they cannot be a credential).
        message: String,
        /// The 1-based line where serde_json stopped, when the error came from it.
        line: Option<u32>,
        /// The 1-based column where serde_json stopped, when the error came from it.
        column: Option<u32>,
        /// How many bytes the undecodable body had, when the caller passed it.
        body_len: Option<u64>,
    },
    /// A local I/O error.
    #[error("I/O error{}: {}", path_suffix(.path.as_ref()), shown_error(.source))]
    Io {
        /// The file involved, if any.
        path: Option<PathBuf>,
        /// The cause.
        #[source]
        source: Shared<std::io::Error>,
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
        /// The `Location` the server gave, if any (redacted by [`PixivError::redirect`]: by
        /// [`redact::redact_url`], then cut).
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

#[cfg(test)]
mod tests;

//! The one error taxonomy of pixiv-rs.
//!
//! (Skeleton: the types below are the contract the other crates code against; classification,
//! Retry-After parsing, redaction and the tests are being filled in.)

use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;

/// A boxed error, the source type of the variants that wrap another library's error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every error pixiv-rs returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PixivError {
    /// The server answered with an error status that no more specific variant describes.
    #[error("HTTP {status}: {message}")]
    Http {
        /// The HTTP status.
        status: StatusCode,
        /// Pixiv's `user_message` or `message`, else the status reason.
        message: String,
    },
    /// Pixiv asked us to slow down (429, or a body whose `error.message` is "Rate Limit").
    #[error("rate limited (HTTP {status})")]
    RateLimited {
        /// The HTTP status.
        status: StatusCode,
        /// How long the server asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// Authentication failed.
    #[error("authentication failed: {message}")]
    Auth {
        /// The HTTP status, if the failure came from an answer.
        status: Option<StatusCode>,
        /// What went wrong.
        kind: AuthErrorKind,
        /// Pixiv's message.
        message: String,
    },
    /// Cloudflare answered with a challenge page.
    #[error("Cloudflare challenge (HTTP {status})")]
    CloudflareChallenge {
        /// The HTTP status (403 or 503).
        status: StatusCode,
        /// The `cf-ray` id.
        ray_id: Option<String>,
    },
    /// A timeout elapsed.
    #[error("timed out ({phase})")]
    Timeout {
        /// Which timeout.
        phase: TimeoutPhase,
    },
    /// The connection could not be made.
    #[error("connection failed: {source}")]
    Connect {
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// TLS failed.
    #[error("TLS failed: {source}")]
    Tls {
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// The proxy refused or failed.
    #[error("proxy failed: {message}")]
    Proxy {
        /// What happened.
        message: String,
    },
    /// A body could not be decoded.
    #[error("could not decode the response: {message}")]
    Decode {
        /// What went wrong.
        message: String,
    },
    /// A local I/O error.
    #[error("I/O error: {source}")]
    Io {
        /// The file involved, if any.
        path: Option<PathBuf>,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The caller gave something unusable.
    #[error("invalid {what}: {why}")]
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
    #[error("body truncated")]
    Truncated {
        /// The announced length.
        expected: Option<u64>,
        /// The bytes received.
        received: u64,
    },
    /// A redirect could not be followed.
    #[error("redirect refused: {kind}")]
    Redirect {
        /// Why it was refused.
        kind: RedirectErrorKind,
        /// The `Location` the server gave, if any.
        location: Option<String>,
    },
}

/// Why a redirect was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl std::fmt::Display for RedirectErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooManyHops { max } => write!(f, "more than {max} redirects"),
            Self::Loop => f.write_str("redirect loop"),
            Self::RefusedScheme { scheme } => write!(f, "scheme {scheme:?} not allowed"),
        }
    }
}

/// Constructors: prefer these to struct literals, they keep working when variants gain fields.
impl PixivError {
    /// An error answer with `status` and a message.
    pub fn http(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Http {
            status,
            message: message.into(),
        }
    }
    /// Rate limited at `status`, with the wait the server asked for, if any.
    pub fn rate_limited(status: StatusCode, retry_after: Option<Duration>) -> Self {
        Self::RateLimited {
            status,
            retry_after,
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
        }
    }
    /// A Cloudflare challenge page.
    pub fn cloudflare(status: StatusCode, ray_id: Option<String>) -> Self {
        Self::CloudflareChallenge { status, ray_id }
    }
    /// A timeout in `phase`.
    pub fn timeout(phase: TimeoutPhase) -> Self {
        Self::Timeout { phase }
    }
    /// A connection failure.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::Connect {
            source: source.into(),
        }
    }
    /// A TLS failure.
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
    /// A body that could not be decoded; `body` is the raw body (kept as a capped, redacted snippet).
    pub fn decode(message: impl Into<String>, body: &[u8]) -> Self {
        let _ = body;
        Self::Decode {
            message: message.into(),
        }
    }
    /// A local I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: Some(path.into()),
            source,
        }
    }
    /// Unusable input from the caller.
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
    /// A body that ended after `received` bytes of `expected`.
    pub fn truncated(expected: Option<u64>, received: u64) -> Self {
        Self::Truncated { expected, received }
    }
    /// A refused redirect.
    pub fn redirect(kind: RedirectErrorKind, location: Option<&str>) -> Self {
        Self::Redirect {
            kind,
            location: location.map(str::to_owned),
        }
    }
}

/// What kind of authentication failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// The OAuth endpoint rejected the refresh token.
    InvalidRefreshToken,
    /// The App API rejected the access token (expired or unknown).
    InvalidAccessToken,
    /// A plain 401.
    Unauthorized,
}

/// Which timeout elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl std::fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Headers => "waiting for response headers",
            Self::BodyIdle => "body idle",
            Self::Total => "total deadline",
        })
    }
}

impl From<std::convert::Infallible> for PixivError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

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

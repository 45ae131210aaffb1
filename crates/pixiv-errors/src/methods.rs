//! [`PixivError`]'s constructors and the questions callers ask of it.

use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;

use crate::convert::serde_message;
use crate::show::entered;
use crate::{
    AddressRefusal, AuthErrorKind, BoxError, PixivError, RedirectErrorKind, ResponseDetails,
    SharedError, TimeoutPhase, redact,
};

/// Constructors: prefer these to struct literals, they keep working when variants gain fields.
impl PixivError {
    /// An error answer with `status` and a message (no details; add them with
    /// [`with_details`](Self::with_details)).
    pub fn http(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Http {
            status,
            message: entered(message.into()),
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
            message: entered(message.into()),
            details: Box::default(),
        }
    }

    /// A Cloudflare challenge page.
    pub fn cloudflare(status: StatusCode, ray_id: Option<String>) -> Self {
        Self::CloudflareChallenge {
            status,
            ray_id: ray_id.map(entered),
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
            source: SharedError::from(source.into()),
        }
    }

    /// A TLS failure caused by `source`.
    pub fn tls(source: impl Into<BoxError>) -> Self {
        Self::Tls {
            source: SharedError::from(source.into()),
        }
    }

    /// A proxy failure.
    pub fn proxy(message: impl Into<String>) -> Self {
        Self::Proxy {
            message: entered(message.into()),
        }
    }

    /// A body that could not be decoded. `body` is the raw body, or `&[]` when there is none:
    /// only its length is kept, never its bytes.
    pub fn decode(message: impl Into<String>, body: &[u8]) -> Self {
        Self::Decode {
            message: entered(message.into()),
            line: None,
            column: None,
            body_len: (!body.is_empty()).then_some(body.len() as u64),
        }
    }

    /// A JSON body that serde_json could not decode into the expected type: serde_json's message
    /// with the input values it quotes elided (see [`From<serde_json::Error>`]), and where it
    /// stopped. Of `body`, only its length is kept.
    pub fn decode_json(err: &serde_json::Error, body: &[u8]) -> Self {
        let position = |n: usize| (err.line() > 0).then(|| u32::try_from(n).unwrap_or(u32::MAX));
        Self::Decode {
            message: entered(serde_message(err)),
            line: position(err.line()),
            column: position(err.column()),
            body_len: (!body.is_empty()).then_some(body.len() as u64),
        }
    }

    /// A local I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: Some(path.into()),
            source: source.into(),
        }
    }

    /// Unusable input from the caller: `what` was invalid because `why`.
    pub fn invalid_input(what: impl Into<String>, why: impl Into<String>) -> Self {
        Self::InvalidInput {
            what: entered(what.into()),
            why: entered(why.into()),
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
            location: location.map(|l| entered(redact::redact_url(l))),
        }
    }

    /// A connection refused by the address policy: `host` resolved to `address`.
    pub fn address_refused(
        host: impl Into<String>,
        address: std::net::IpAddr,
        reason: AddressRefusal,
    ) -> Self {
        Self::AddressRefused {
            host: entered(host.into()),
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
    /// [`MAX_RETRY_AFTER`](crate::retry_after::MAX_RETRY_AFTER) when it came through
    /// [`classify`](crate::classify()).
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
    /// - `Http` with status 500, 502, 503 or 504 (PixivPy's list, with 429 as `RateLimited`);
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

    /// The answer's details (parsed fields, facts, redacted headers) (`Http`, `RateLimited`, `Auth`, `CloudflareChallenge`).
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

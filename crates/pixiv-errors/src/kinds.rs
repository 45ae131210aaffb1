//! The kinds inside [`PixivError`](crate::PixivError)'s variants: what kind of authentication
//! failure, which timeout, why a redirect was refused.

use std::fmt;

use crate::show::shown;

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
    /// The OAuth token endpoint answered with a redirect. A token request never follows one (its
    /// form holds the client secret and the refresh token or code): the OAuth base URL is wrong,
    /// or something between the client and Pixiv is hostile. The message names the status and the
    /// `Location`'s origin only.
    Redirected,
}

impl fmt::Display for AuthErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidRefreshToken => "invalid refresh token",
            Self::InvalidAccessToken => "invalid or expired access token",
            Self::Unauthorized => "unauthorized",
            Self::Redirected => "the OAuth server answered with a redirect",
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
        status: http::StatusCode,
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

/// Why [`PixivError::AddressRefused`](crate::PixivError::AddressRefused) refused an address.
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

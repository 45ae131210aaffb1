//! What errors show: free-text fields redacted and cut on the way in ([`entered`]) and on the way
//! out (`Display` helpers), and the hand-written redacted `Debug`.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::{PixivError, redact};

/// A free-text field as the constructors store it: redacted (by pattern and by value) and cut
/// ([`redact::redact_echo`]), so even a caller reading the field itself sees no secret.
pub(crate) fn entered(text: String) -> String {
    match redact::redact_echo(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(shown) => shown,
    }
}

/// What `Display`/`Debug` show of a free-text field: redacted and cut, again (a struct literal
/// bypasses the constructors, and a secret may have become known since).
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    redact::redact_echo(text)
}

pub(crate) fn shown_error<E: fmt::Display + ?Sized>(err: &E) -> String {
    redact::redact_text(&err.to_string())
}

pub(crate) fn wait_suffix(wait: Option<Duration>) -> String {
    match wait {
        Some(d) => format!(", retry after {}s", d.as_secs_f64()),
        None => String::new(),
    }
}

pub(crate) fn ray_suffix(ray: Option<&str>) -> String {
    ray.map_or_else(String::new, |r| format!(", cf-ray {}", shown(r)))
}

pub(crate) fn path_suffix(path: Option<&PathBuf>) -> String {
    path.map_or_else(String::new, |p| format!(" on {}", p.display()))
}

pub(crate) fn truncated_detail(expected: Option<u64>, received: u64) -> String {
    match expected {
        Some(e) => format!("received {received} of {e} bytes"),
        None => format!("received {received} bytes before the body ended early"),
    }
}

pub(crate) fn location_suffix(location: Option<&str>) -> String {
    location.map_or_else(String::new, |l| {
        format!(
            " (Location: {})",
            redact::redact_echo(&redact::redact_url(l))
        )
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
                .field(
                    "location",
                    &location
                        .as_deref()
                        .map(|l| redact::redact_echo(&redact::redact_url(l)).into_owned()),
                )
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

//! What errors show: free-text fields redacted and cut on the way in ([`entered`]) and on the way
//! out (`Display` helpers), and the short redacted `Debug`.

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

/// Short by design: the variant's name, its `Display` (redacted, as above, so even a struct
/// literal's text is safe), the I/O error kind, a `Decode` body snippet, and the answer's already-redacted
/// [`ResponseDetails`](crate::ResponseDetails). `{:?}` is as safe to log as `{}`.
impl fmt::Debug for PixivError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct(self.variant_name());
        d.field("display", &self.to_string());
        match self {
            Self::Io { source, .. } => d.field("kind", &source.kind()),
            Self::Decode {
                snippet: Some(snippet),
                ..
            } => d.field("snippet", &shown(snippet)),
            _ => &mut d,
        };
        if let Some(details) = self.details() {
            d.field("details", details);
        }
        d.finish()
    }
}

impl PixivError {
    fn variant_name(&self) -> &'static str {
        match self {
            Self::Http { .. } => "Http",
            Self::RateLimited { .. } => "RateLimited",
            Self::Auth { .. } => "Auth",
            Self::CloudflareChallenge { .. } => "CloudflareChallenge",
            Self::Timeout { .. } => "Timeout",
            Self::Connect { .. } => "Connect",
            Self::Tls { .. } => "Tls",
            Self::Proxy { .. } => "Proxy",
            Self::Decode { .. } => "Decode",
            Self::Io { .. } => "Io",
            Self::InvalidInput { .. } => "InvalidInput",
            Self::BodyTooLarge { .. } => "BodyTooLarge",
            Self::Truncated { .. } => "Truncated",
            Self::Redirect { .. } => "Redirect",
            Self::AddressRefused { .. } => "AddressRefused",
        }
    }
}

//! What errors show: free-text fields scrubbed of known secrets and cut on the way in
//! ([`entered`]), the `Display` helpers, and the short `Debug`.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::{PixivError, redact};

/// A free-text field as the constructors and `classify` store it: scrubbed of known secrets and
/// cut ([`redact::redact_echo`]), so even a caller reading the field itself sees no secret.
pub(crate) fn entered(text: String) -> String {
    match redact::redact_echo(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(shown) => shown,
    }
}

/// What `Display` shows of a free-text field: the stored text, only cut if a struct literal
/// put a longer one there (no scan: the constructors made it safe when it entered).
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    redact::cut_echo(text, text.len()).map_or(Cow::Borrowed(text), Cow::Owned)
}

/// Another library's error as shown: its `Display`, scrubbed of known secrets (it was not
/// written by us, so this is where it enters).
pub(crate) fn shown_error<E: fmt::Display + ?Sized>(err: &E) -> String {
    let text = err.to_string();
    match redact::scrub_known_secrets(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(scrubbed) => scrubbed,
    }
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
    location.map_or_else(String::new, |l| format!(" (Location: {})", shown(l)))
}

/// Short by design: the variant's name, its `Display`, the I/O error kind, and the answer's
/// [`ResponseDetails`](crate::ResponseDetails) (parsed fields, redacted headers). `{:?}` is as
/// safe to log as `{}`.
impl fmt::Debug for PixivError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct(self.variant_name());
        d.field("display", &self.to_string());
        match self {
            Self::Io { source, .. } => d.field("kind", &source.kind()),
            Self::Decode {
                body_len: Some(len),
                ..
            } => d.field("body_len", len),
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

//! [`Secret`]: a value that never prints.

use std::fmt;
use std::sync::Arc;

use crate::redact;

/// A secret string (a token, a password, a proxy credential, a PKCE verifier, a form value):
/// `Debug` and `Display` print `[redacted]`, it does not deref to `str`, and the value is only
/// reachable by name, through [`expose`](Self::expose). Cheap to clone.
///
/// Making one registers its value with [`redact::remember_secret`], so an error that quotes it
/// anyway (a server echoing it in a message, say) stores `<redacted>` instead: redaction by value,
/// where the text enters the error (see [`redact`]).
///
/// ```
/// use pixiv_errors::{PixivError, Secret};
///
/// let password = Secret::new("hunter2-and-more");
/// assert_eq!(format!("{password} {password:?}"), "[redacted] Secret([redacted])");
/// assert_eq!(password.expose(), "hunter2-and-more");
///
/// // The server quoted it back: the error does not show it.
/// let err = PixivError::proxy("407: bad password hunter2-and-more");
/// assert_eq!(err.to_string(), "proxy failed: 407: bad password <redacted>");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Arc<str>);

/// What [`Secret`]'s `Debug` and `Display` print instead of the value.
pub const SECRET_SHOWN: &str = "[redacted]";

impl Secret {
    /// Wraps `value` and remembers it for redaction by value ([`redact::remember_secret`]; values
    /// shorter than [`redact::MIN_SECRET_LEN`] bytes are wrapped but not remembered).
    pub fn new(value: impl Into<String>) -> Self {
        let value: Arc<str> = Arc::from(value.into());
        redact::remember_secret(&value);
        Self(value)
    }

    /// The value itself, for the one place that must send it (a header, a form field).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({SECRET_SHOWN})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SECRET_SHOWN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_and_is_scrubbed_by_value_from_errors() {
        let s = Secret::new(String::from("pkce-verifier-0123456789"));
        for shown in [
            format!("{s}"),
            format!("{s:?}"),
            format!("{s:#?}"),
            format!("{:?}", Some(&s)),
        ] {
            assert!(!shown.contains("pkce-verifier"), "{shown}");
        }
        assert_eq!(s.expose(), "pkce-verifier-0123456789");
        let err = crate::PixivError::invalid_input("code", "pkce-verifier-0123456789 was refused");
        assert_eq!(err.to_string(), "invalid code: <redacted> was refused");
        assert!(!format!("{err:?}").contains("pkce-verifier"));
    }

    #[test]
    fn a_short_secret_still_never_prints() {
        let s = Secret::from("pw");
        assert_eq!(format!("{s}/{s:?}"), "[redacted]/Secret([redacted])");
        assert!(!s.is_empty());
    }
}

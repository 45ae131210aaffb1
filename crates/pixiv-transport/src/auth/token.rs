use std::fmt;

use futures_util::future::BoxFuture;
use pixiv_errors::{AuthErrorKind, PixivError};

/// An OAuth access token. `Debug` and `Display` print `<redacted>`; the secret is only reachable
/// through [`secret`](Self::secret). Cheap to clone.
///
/// Making one registers its value with [`pixiv_errors::redact::remember_secret`], so an error
/// message or log line that quotes it shows `<redacted>` instead.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccessToken(pixiv_errors::Secret);

impl AccessToken {
    /// Wraps a token string (a [`pixiv_errors::Secret`], which remembers it).
    pub fn new(token: impl Into<String>) -> Self {
        Self(pixiv_errors::Secret::new(token))
    }

    /// The token itself, for building the `Authorization` header.
    pub fn secret(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where [`AuthLayer`](super::AuthLayer) gets its Bearer token. Object-safe and shared
/// (`Arc<dyn TokenSource>`) by every clone of the stack.
pub trait TokenSource: Send + Sync {
    /// A currently valid token; may refresh first if the known one has expired.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, PixivError>>;

    /// A token newer than `stale`, which the server just rejected: refreshes, unless another
    /// caller already refreshed past `stale`, in which case that newer token is returned.
    /// Implementations must be single-flight: many callers with the same `stale` token cause one
    /// refresh ([`Refresher`](super::Refresher) does this).
    fn refresh(&self, stale: &AccessToken) -> BoxFuture<'_, Result<AccessToken, PixivError>>;
}

impl fmt::Debug for dyn TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dyn TokenSource")
    }
}

/// A fixed token that cannot be refreshed (for tests and short scripts): [`refresh`] fails with
/// [`PixivError::Auth`] (`InvalidAccessToken`), so the rejected call's error is what the caller sees.
///
/// [`refresh`]: TokenSource::refresh
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A source that always hands out `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self(AccessToken::new(token))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, PixivError>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }

    fn refresh(&self, _stale: &AccessToken) -> BoxFuture<'_, Result<AccessToken, PixivError>> {
        Box::pin(async {
            Err(PixivError::auth(
                None,
                AuthErrorKind::InvalidAccessToken,
                "the access token was rejected and a static token cannot be refreshed",
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_prints_its_secret() {
        let t = AccessToken::new("very-secret");
        assert_eq!(format!("{t}"), "<redacted>");
        assert!(!format!("{t:?}").contains("very-secret"));
        assert!(!format!("{:?}", StaticToken::new("very-secret")).contains("very-secret"));
        assert_eq!(t.secret(), "very-secret");
    }
}

//! [`Shared`]: a wrapped error held behind an `Arc`, so that [`PixivError`](crate::PixivError)
//! is `Clone` (one failure handed to many waiters, as a shared token refresh does) without
//! losing the original's type.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Another library's error inside a [`PixivError`](crate::PixivError) (`Connect`, `Tls`, `Io`),
/// shared: cloning the error clones the `Arc`, not the error.
///
/// It derefs to the wrapped error, and [`std::error::Error::source`] of the `PixivError` returns
/// that error itself (not this wrapper), so downcasting works as before:
///
/// ```
/// use pixiv_errors::PixivError;
///
/// let err = PixivError::connect(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
/// let copy = err.clone();
/// let source = std::error::Error::source(&copy).unwrap();
/// assert!(source.downcast_ref::<std::io::Error>().is_some());
/// ```
///
/// `Display` is the wrapped error's own; `Debug` is its `Display` scrubbed of known secrets
/// ([`crate::redact::scrub_known_secrets`]), as the `PixivError`'s own `Display` shows it. It deliberately
/// does not implement `Error` itself (the error it holds does).
pub struct Shared<E: ?Sized>(Arc<E>);

/// The source of `Connect` and `Tls`: any error, shared.
pub type SharedError = Shared<dyn std::error::Error + Send + Sync + 'static>;

impl<E: ?Sized> Shared<E> {
    /// The `Arc` holding the error.
    pub fn as_arc(&self) -> &Arc<E> {
        &self.0
    }
}

impl<E: ?Sized> Clone for Shared<E> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<E: ?Sized> Deref for Shared<E> {
    type Target = E;
    fn deref(&self) -> &E {
        &self.0
    }
}

impl<E: fmt::Display + ?Sized> fmt::Display for Shared<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl<E: fmt::Display + ?Sized> fmt::Debug for Shared<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&crate::show::shown_error(&*self.0), f)
    }
}

impl From<std::io::Error> for Shared<std::io::Error> {
    fn from(err: std::io::Error) -> Self {
        Self(Arc::new(err))
    }
}

impl From<crate::BoxError> for SharedError {
    fn from(err: crate::BoxError) -> Self {
        Self(Arc::from(err))
    }
}

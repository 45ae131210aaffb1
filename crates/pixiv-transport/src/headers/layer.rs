use std::sync::Arc;

use http::header::{ACCEPT_LANGUAGE as ACCEPT_LANGUAGE_NAME, USER_AGENT as USER_AGENT_NAME};
use http::{HeaderMap, HeaderName, HeaderValue};
use tower_layer::Layer;

use super::{ACCEPT_LANGUAGE, APP_OS, APP_OS_VERSION, DefaultHeaders, USER_AGENT};

/// The `App-OS` header name.
const APP_OS_NAME: HeaderName = HeaderName::from_static("app-os");
/// The `App-OS-Version` header name.
const APP_OS_VERSION_NAME: HeaderName = HeaderName::from_static("app-os-version");

/// Pixiv's client headers (see the [module docs](super)) as a [`HeaderMap`].
pub fn pixiv_headers() -> HeaderMap {
    let mut h = HeaderMap::with_capacity(4);
    h.insert(USER_AGENT_NAME, HeaderValue::from_static(USER_AGENT));
    h.insert(APP_OS_NAME, HeaderValue::from_static(APP_OS));
    h.insert(
        APP_OS_VERSION_NAME,
        HeaderValue::from_static(APP_OS_VERSION),
    );
    h.insert(
        ACCEPT_LANGUAGE_NAME,
        HeaderValue::from_static(ACCEPT_LANGUAGE),
    );
    h
}

/// Adds default headers to requests that lack them. See the [module docs](super).
#[derive(Debug, Clone)]
#[must_use]
pub struct DefaultHeadersLayer {
    pub(crate) headers: Arc<HeaderMap>,
}

impl Default for DefaultHeadersLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultHeadersLayer {
    /// Pixiv's client headers ([`pixiv_headers`]).
    pub fn new() -> Self {
        Self::from_headers(pixiv_headers())
    }

    /// No defaults; add them with [`header`](Self::header).
    pub fn empty() -> Self {
        Self::from_headers(HeaderMap::new())
    }

    /// Exactly these defaults.
    pub fn from_headers(headers: HeaderMap) -> Self {
        Self {
            headers: Arc::new(headers),
        }
    }

    /// Sets one default, replacing any default of that name.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        Arc::make_mut(&mut self.headers).insert(name, value);
        self
    }

    /// Removes the default of that name (the header is then not sent unless the request has it).
    pub fn without(mut self, name: &HeaderName) -> Self {
        Arc::make_mut(&mut self.headers).remove(name);
        self
    }

    /// The `Accept-Language` default.
    ///
    /// Default: [`ACCEPT_LANGUAGE`] (`en-us`).
    pub fn accept_language(self, value: HeaderValue) -> Self {
        self.header(ACCEPT_LANGUAGE_NAME, value)
    }

    /// The defaults this layer adds.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl<S> Layer<S> for DefaultHeadersLayer {
    type Service = DefaultHeaders<S>;

    fn layer(&self, inner: S) -> Self::Service {
        DefaultHeaders {
            inner,
            headers: Arc::clone(&self.headers),
        }
    }
}

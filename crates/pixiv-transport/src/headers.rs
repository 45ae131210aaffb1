//! Pixiv's client headers on every request; a request's own headers win.
//!
//! [`DefaultHeadersLayer::new`] sends what the iOS app (and PixivPy) sends on every call
//! (docs/protocol.md, "Client identity"):
//!
//! | header | value | constant |
//! |---|---|---|
//! | `User-Agent` | `PixivIOSApp/7.13.3 (iOS 14.6; iPhone13,2)` | [`USER_AGENT`] |
//! | `App-OS` | `ios` | [`APP_OS`] |
//! | `App-OS-Version` | `14.6` | [`APP_OS_VERSION`] |
//! | `Accept-Language` | `en-us` (configurable) | [`ACCEPT_LANGUAGE`] |
//!
//! A header the request already carries is left alone (all its values), so a caller can override
//! any default per request, e.g. the download's `Referer` or another `Accept-Language`.
//!
//! Why one layer with a [`HeaderMap`] rather than tower-http's `SetRequestHeaderLayer::if_not_present`
//! once per header: the set is data (the builder adds `default_header(..)`s at run time), a
//! `HeaderMap` carries several values per name, and one layer is one service type in the stack
//! instead of four nested ones. The behaviour is exactly `if_not_present`, per header name.
//!
//! # Example
//!
//! ```
//! use http::{HeaderValue, Request, header::ACCEPT_LANGUAGE};
//! use pixiv_transport::headers::{DefaultHeadersLayer, USER_AGENT};
//! use pixiv_transport::RequestBody;
//! use tower::{ServiceBuilder, ServiceExt as _};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let svc = ServiceBuilder::new()
//!     .layer(DefaultHeadersLayer::new().accept_language(HeaderValue::from_static("ja")))
//!     .service_fn(|req: Request<RequestBody>| async move {
//!         Ok::<_, std::convert::Infallible>(req.headers().clone())
//!     });
//! let req = Request::get("https://app-api.pixiv.net/v1/illust/detail?illust_id=1")
//!     .header("app-os", "android") // the request's own header wins
//!     .body(RequestBody::default())
//!     .unwrap();
//! let sent = svc.oneshot(req).await.unwrap();
//! assert_eq!(sent["user-agent"], USER_AGENT);
//! assert_eq!(sent["app-os"], "android");
//! assert_eq!(sent[ACCEPT_LANGUAGE], "ja");
//! # }
//! ```

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{ACCEPT_LANGUAGE as ACCEPT_LANGUAGE_NAME, USER_AGENT as USER_AGENT_NAME};
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use tower_layer::Layer;
use tower_service::Service;

/// `User-Agent` of Pixiv's iOS app 7.13.3, as PixivPy sends it.
pub const USER_AGENT: &str = "PixivIOSApp/7.13.3 (iOS 14.6; iPhone13,2)";
/// `App-OS`: the iOS app's (docs/protocol.md, "Client identity").
pub const APP_OS: &str = "ios";
/// `App-OS-Version`: the iOS version in [`USER_AGENT`] (docs/protocol.md, "Client identity").
pub const APP_OS_VERSION: &str = "14.6";
/// `Accept-Language`: PixivPy's session default `en-us`; Pixiv localises tags and messages by it.
pub const ACCEPT_LANGUAGE: &str = "en-us";

/// The `App-OS` header name.
const APP_OS_NAME: HeaderName = HeaderName::from_static("app-os");
/// The `App-OS-Version` header name.
const APP_OS_VERSION_NAME: HeaderName = HeaderName::from_static("app-os-version");

/// Pixiv's client headers (see the [module docs](self)) as a [`HeaderMap`].
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

/// Adds default headers to requests that lack them. See the [module docs](self).
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

/// Adds default headers to requests that lack them. See the [module docs](self).
///
/// The response future is the inner service's: nothing happens after the call, so there is no
/// future type of our own (as tower-http's `SetRequestHeader`).
#[derive(Debug, Clone)]
pub struct DefaultHeaders<S> {
    pub(crate) inner: S,
    pub(crate) headers: Arc<HeaderMap>,
}

inner_accessors!(DefaultHeaders);

impl<S, B> Service<Request<B>> for DefaultHeaders<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        apply(&self.headers, req.headers_mut());
        self.inner.call(req)
    }
}

/// Appends every value of each default whose name `target` lacks.
fn apply(defaults: &HeaderMap, target: &mut HeaderMap) {
    for name in defaults.keys() {
        if target.contains_key(name) {
            continue;
        }
        for value in defaults.get_all(name) {
            target.append(name.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn every_value_of_a_missing_default_is_added_and_present_ones_win() {
        let mut defaults = HeaderMap::new();
        defaults.append("x-a", HeaderValue::from_static("1"));
        defaults.append("x-a", HeaderValue::from_static("2"));
        defaults.insert("x-b", HeaderValue::from_static("default"));
        let mut target = HeaderMap::new();
        target.insert("x-b", HeaderValue::from_static("mine"));
        apply(&defaults, &mut target);
        assert_eq!(target.get_all("x-a").iter().count(), 2);
        assert_eq!(target["x-b"], "mine");
        assert_eq!(target.get_all("x-b").iter().count(), 1);
    }
}

//! [`Transport`]: the default stack, assembled in one readable place, behind a cheap `Clone`.
//!
//! The stack, outermost first (see `docs/architecture.md` for each layer's file and defaults):
//!
//! ```text
//! RequestSpan           trace.rs      span per call (method, host, path; never the query), metrics
//! SetSensitiveHeaders   tower-http    Authorization / Cookie / Proxy-Authorization never logged
//! DefaultHeaders        headers.rs    Pixiv's client headers; the request's own win
//! Auth                  auth/         Bearer to configured hosts; refresh once + replay
//! Retry                 retry/        tower's Retry + Attempts policy; replays the Full<Bytes> request
//! AttemptCount          trace.rs      numbers and counts attempts
//! Bypass (feature)      bypass/       direct or SNI-less route; one fallback on a challenge
//! RateLimit (per host)  ratelimit/    100 starts / 60 s; image hosts may get their own limiter
//! Timeout               timeout/      headers + body idle per attempt
//! Redirect              redirect.rs   5 hops, credentials dropped across origins
//! ErrorMap              error_map/    error answers and transport errors -> PixivError;
//!                                     2xx JSON buffered (so its body failures are retried)
//! Decompression         decompress.rs gzip / br / deflate (tower-http); not for a request
//!                                     that asks `Accept-Encoding: identity` (downloads)
//! HttpClient            connect/      hyper-util pool, rustls, proxy, resolver, connect timeout
//! ```
//!
//! # Why JSON bodies are read inside the retry loop
//!
//! `json()` must retry a body that breaks off (reset, truncated) like any other transient failure.
//! Rather than a second retry loop in `json()` or a private collect layer, the work is done by
//! [`ErrorMap`](crate::error_map), which already has to buffer 2xx `application/json` answers to
//! find Pixiv's `error` object in a 200: the buffering happens inside the call, so a cut body is an
//! `Err` of the call, below Retry and Timeout, and is retried with the same policy, counted in the
//! same metrics, and bounded by the same per-attempt timeouts. Downloads (non-JSON) stream: their
//! mid-body failures reach the caller as `Truncated`, for a resumable download to handle.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, PROXY_AUTHORIZATION};
use http::{HeaderValue, Method, Request, Response, Uri};
use http_body_util::{BodyExt as _, Full};
use pixiv_errors::PixivError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower::util::{BoxCloneSyncService, Either, Oneshot};
use tower::{Layer as _, ServiceBuilder, ServiceExt as _};
use tower_http::decompression::DecompressionLayer;
use tower_http::sensitive_headers::{SetSensitiveRequestHeaders, SetSensitiveRequestHeadersLayer};
use tower_service::Service;

use crate::auth::{AccessToken, Auth, AuthLayer, TokenSource};
use crate::body::BodyBuffer;
pub use crate::builder::TransportBuilder;
use crate::config::TransportConfig;
use crate::connect::HttpClient;
use crate::decompress::PerRequestDecompression;
use crate::error_map::ErrorMapLayer;
use crate::headers::DefaultHeaders;
use crate::metrics::{Metrics, MetricsSnapshot};
use crate::ratelimit::{RateLimitLayer, RateLimiter};
use crate::redirect::{RedirectLayer, RedirectPolicy};
use crate::retry::{Retry, RetryLayer};
use crate::trace::{AttemptCount, AttemptLayer, RequestLayer, RequestSpan};
use crate::wait::WaitReason;
use crate::{Body, RequestBody};

/// The type-erased stack: what [`Transport::service`] returns and the [`Service`] impl of
/// [`Transport`] calls.
pub type BoxedStack = BoxCloneSyncService<Request<RequestBody>, Response<Body>, PixivError>;

/// The layers from the retry down: the type-erased stack below the retry layer, attempts counted.
type Retried = Retry<AttemptCount<BoxedStack>>;

/// The whole stack as its own type, which [`Transport::send`] calls directly: a clone per call
/// is then a handful of reference counts, and the call's future is not boxed (a
/// [`BoxedStack`] costs an allocation for each).
type Stack =
    RequestSpan<SetSensitiveRequestHeaders<DefaultHeaders<Either<Auth<Retried>, Retried>>>>;

/// The pixiv-rs HTTP client: the default tower stack over hyper-util, shared by every clone.
///
/// `Clone` is cheap (reference counts), and every clone shares the pool, the rate limiters, the
/// token source and the metrics. See the [crate docs](crate) for an example.
#[derive(Clone)]
pub struct Transport {
    stack: Stack,
    metrics: Arc<Metrics>,
    max_json_body: usize,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("metrics", &self.metrics.snapshot())
            .field("max_json_body", &self.max_json_body)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A builder with PixivPy's defaults (see [`TransportBuilder`] and [`crate::config`]).
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    /// A transport with PixivPy's defaults and no token source.
    pub fn new() -> Result<Self, PixivError> {
        Self::builder().build()
    }

    /// Sends a request through the stack; the answer's body streams. Error answers (status >= 400,
    /// Cloudflare pages, Pixiv `error` objects) are `Err`.
    pub async fn send(&self, req: Request<RequestBody>) -> Result<Response<Body>, PixivError> {
        self.stack.clone().oneshot(req).await
    }

    /// The stack type-erased, as [`service`](Self::service) hands it out.
    fn erased(&self) -> BoxedStack {
        BoxCloneSyncService::new(self.stack.clone())
    }

    /// Sends a request and decodes its JSON answer. The body is read up to the JSON cap
    /// ([`DEFAULT_MAX_JSON_BODY`](crate::config::DEFAULT_MAX_JSON_BODY), 16 MiB by default): a
    /// larger one is [`PixivError::BodyTooLarge`], refused without reading the rest. JSON that does
    /// not decode into `T` is [`PixivError::Decode`] with serde_json's message, where it stopped
    /// and the body's length (never the body: it may hold tokens).
    pub async fn json<T: DeserializeOwned>(
        &self,
        req: Request<RequestBody>,
    ) -> Result<T, PixivError> {
        let resp = self.send(req).await?;
        let bytes = collect_capped(resp.into_body(), self.max_json_body).await?;
        serde_json::from_slice(&bytes).map_err(|e| PixivError::decode_json(&e, &bytes))
    }

    /// `GET url?query` (the pairs are appended to any query the URL already has).
    pub async fn get(
        &self,
        url: &str,
        query: &[(&str, &str)],
    ) -> Result<Response<Body>, PixivError> {
        self.send(request(Method::GET, url, query, None)?).await
    }

    /// `DELETE url?query`.
    pub async fn delete(
        &self,
        url: &str,
        query: &[(&str, &str)],
    ) -> Result<Response<Body>, PixivError> {
        self.send(request(Method::DELETE, url, query, None)?).await
    }

    /// `POST url` with an `application/x-www-form-urlencoded` body.
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<Response<Body>, PixivError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let content = (
            HeaderValue::from_static("application/x-www-form-urlencoded"),
            Bytes::from(body),
        );
        self.send(request(Method::POST, url, &[], Some(content))?)
            .await
    }

    /// `POST url` with a JSON body.
    pub async fn post_json<T: Serialize + ?Sized>(
        &self,
        url: &str,
        body: &T,
    ) -> Result<Response<Body>, PixivError> {
        let json = serde_json::to_vec(body)
            .map_err(|e| PixivError::invalid_input("JSON body", e.to_string()))?;
        let content = (
            HeaderValue::from_static("application/json"),
            Bytes::from(json),
        );
        self.send(request(Method::POST, url, &[], Some(content))?)
            .await
    }

    /// The counters now.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.metrics.snapshot()
    }

    /// The stack as a tower service, to wrap in more layers or to call with `ServiceExt`.
    pub fn service(&self) -> BoxedStack {
        self.erased()
    }
}

impl Service<Request<RequestBody>> for Transport {
    type Response = Response<Body>;
    type Error = PixivError;
    type Future = Oneshot<BoxedStack, Request<RequestBody>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Every call drives its own clone of the stack to readiness.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<RequestBody>) -> Self::Future {
        self.erased().oneshot(req)
    }
}

/// Reads a body up to `cap` bytes; more is [`PixivError::BodyTooLarge`], without reading on.
///
/// A body of one frame (every JSON answer, which [`ErrorMap`](crate::error_map) has already
/// buffered) comes back as that frame's bytes, not copied.
async fn collect_capped(mut body: Body, cap: usize) -> Result<Bytes, PixivError> {
    let mut buf = BodyBuffer::default();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        if data.len() > cap.saturating_sub(buf.len()) {
            return Err(PixivError::body_too_large(cap as u64));
        }
        buf.push(data);
    }
    Ok(buf.take())
}

/// Builds a request: `url` plus `query` (with the `url` crate), and an optional typed body.
fn request(
    method: Method,
    url: &str,
    query: &[(&str, &str)],
    body: Option<(HeaderValue, Bytes)>,
) -> Result<Request<RequestBody>, PixivError> {
    let mut parsed =
        url::Url::parse(url).map_err(|e| PixivError::invalid_input("URL", format!("{e}")))?;
    if !query.is_empty() {
        parsed.query_pairs_mut().extend_pairs(query);
    }
    let uri: Uri = parsed
        .as_str()
        .parse()
        .map_err(|e| PixivError::invalid_input("URL", format!("{e}")))?;
    let mut builder = Request::builder().method(method).uri(uri);
    let body = match body {
        Some((content_type, bytes)) => {
            builder = builder.header(CONTENT_TYPE, content_type);
            Full::new(bytes)
        }
        None => Full::default(),
    };
    builder
        .body(body)
        .map_err(|e| PixivError::invalid_input("request", e.to_string()))
}

/// The assembly: [`TransportBuilder`]'s setters are in `builder.rs`.
impl TransportBuilder {
    /// Builds the stack. Errors: a zero timeout, an unusable TLS setting or root certificate
    /// ([`PixivError::InvalidInput`] / [`PixivError::Tls`]).
    pub fn build(self) -> Result<Transport, PixivError> {
        let TransportBuilder {
            mut config,
            token_source,
            auth_hosts,
            auth_origins,
        } = self;
        config.validate()?;
        for pem in std::mem::take(&mut config.root_pems) {
            config.connect.tls = config.connect.tls.clone().add_root_pem(&pem)?;
        }
        let client = HttpClient::new(config.connect.clone())?;
        let metrics = Arc::new(Metrics::with_connections(client.connection_counter()));

        // Below the rate limiter: one stack, cloned into each host group's limiter.
        let below_limit = |client: HttpClient| {
            let below_limit = ServiceBuilder::new()
                .layer(config.timeouts)
                .layer(RedirectLayer::with_policy(RedirectPolicy::limited(
                    config.max_redirects,
                )))
                .layer(
                    ErrorMapLayer::new()
                        .max_json_body(config.max_json_body)
                        .max_error_body(config.max_error_body),
                )
                .layer_fn(|client| {
                    PerRequestDecompression::new(
                        DecompressionLayer::new()
                            .gzip(config.decompression)
                            .br(config.decompression)
                            .deflate(config.decompression)
                            .layer(client),
                    )
                })
                .service(client);
            rate_limited(&config, BoxCloneSyncService::new(below_limit), &metrics)
        };
        let limited = below_limit(client);
        // The alternate route (feature `bypass`): another client under the same stack, chosen
        // here, below the retry layer, so a fallback is one more start for the rate limiter.
        #[cfg(feature = "bypass")]
        let (limited, route) = crate::bypass::routes(&config, limited, below_limit)?;
        #[cfg(feature = "bypass")]
        let route = route.map(crate::bypass::Route::as_str);
        #[cfg(not(feature = "bypass"))]
        let route = Some("direct");

        let auth = token_source.map(|source| {
            let counted: Arc<dyn TokenSource> = Arc::new(CountingSource {
                inner: source,
                metrics: Arc::clone(&metrics),
            });
            AuthLayer::new(counted)
                .for_hosts(auth_hosts)
                .for_origins(auth_origins)
        });
        let stack = ServiceBuilder::new()
            .layer(RequestLayer {
                metrics: Arc::clone(&metrics),
                route,
            })
            .layer(SetSensitiveRequestHeadersLayer::new([
                AUTHORIZATION,
                COOKIE,
                PROXY_AUTHORIZATION,
            ]))
            .layer(config.headers.clone())
            .option_layer(auth)
            .layer(retry_layer(&config))
            .layer(AttemptLayer {
                metrics: Arc::clone(&metrics),
            })
            .service(limited);
        Ok(Transport {
            stack,
            metrics,
            max_json_body: config.max_json_body,
        })
    }
}

/// The retry layer, telling the config's `on_retry` hook of each retry and its `on_wait` hook of
/// each wait, before the wait starts.
fn retry_layer(config: &TransportConfig) -> RetryLayer {
    let layer = RetryLayer::new(config.retry.clone());
    let (on_wait, on_retry) = (config.on_wait.clone(), config.on_retry.clone());
    if on_wait.is_none() && on_retry.is_none() {
        return layer;
    }
    let policy = config.retry.clone();
    layer.on_retry(move |event| {
        if let Some(hook) = &on_retry {
            (hook.0)(event);
        }
        if let Some(hook) = &on_wait {
            let reason = if policy.retry_after(event.error).is_some() {
                WaitReason::RetryAfter
            } else {
                WaitReason::Backoff
            };
            hook.announce(event.wait, reason);
        }
    })
}

/// The rate-limit layer, per host group: each group's limiter over a clone of the stack below.
fn rate_limited(config: &TransportConfig, below: BoxedStack, metrics: &Arc<Metrics>) -> BoxedStack {
    let limit = |limiter: &RateLimiter| {
        let metrics = Arc::clone(metrics);
        let mut layer = RateLimitLayer::new(limiter.clone())
            .cooldown(config.rate_limit_cooldown)
            .on_wait(move |waited| metrics.rate_limit_wait(waited));
        if let Some(hook) = &config.on_wait {
            layer = layer.announce_waits(hook.clone());
        }
        BoxCloneSyncService::new(layer.layer(below.clone()))
    };
    let default = match &config.rate_limit {
        Some(limiter) => limit(limiter),
        None => below.clone(),
    };
    if config.host_rate_limits.is_empty() {
        return default;
    }
    let groups = config
        .host_rate_limits
        .iter()
        .map(|(hosts, limiter)| (hosts.clone(), limit(limiter)))
        .collect();
    BoxCloneSyncService::new(HostRouter {
        groups: Arc::new(groups),
        default,
    })
}

/// Sends each request to the stack of the first host group naming its host, else to `default`.
#[derive(Clone)]
struct HostRouter {
    groups: Arc<Vec<(Vec<String>, BoxedStack)>>,
    default: BoxedStack,
}

impl Service<Request<RequestBody>> for HostRouter {
    type Response = Response<Body>;
    type Error = PixivError;
    type Future = Oneshot<BoxedStack, Request<RequestBody>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Which stack serves a request is known only in `call`; each call drives its own clone
        // to readiness (the limiters below are always ready anyway).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<RequestBody>) -> Self::Future {
        let host = req.uri().host().map(str::to_ascii_lowercase);
        let chosen = host
            .and_then(|host| {
                self.groups
                    .iter()
                    .find(|(hosts, _)| hosts.contains(&host))
                    .map(|(_, svc)| svc.clone())
            })
            .unwrap_or_else(|| self.default.clone());
        chosen.oneshot(req)
    }
}

/// Counts auth replays: [`AuthLayer`] calls `refresh` exactly once per replay.
struct CountingSource {
    inner: Arc<dyn TokenSource>,
    metrics: Arc<Metrics>,
}

impl TokenSource for CountingSource {
    fn token(&self) -> futures_util::future::BoxFuture<'_, Result<AccessToken, PixivError>> {
        self.inner.token()
    }

    fn refresh(
        &self,
        stale: &AccessToken,
    ) -> futures_util::future::BoxFuture<'_, Result<AccessToken, PixivError>> {
        self.metrics.auth_replay();
        self.inner.refresh(stale)
    }
}

// `Transport` is shared across tasks and threads: keep it so.
const _: () = {
    const fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Transport>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_appends_query_pairs_encoded() {
        let req = request(
            Method::GET,
            "https://app-api.pixiv.net/v1/search/illust?word=a",
            &[("sort", "date desc"), ("tag", "猫&犬")],
            None,
        )
        .unwrap();
        assert_eq!(
            req.uri().to_string(),
            "https://app-api.pixiv.net/v1/search/illust?word=a&sort=date+desc&tag=%E7%8C%AB%26%E7%8A%AC"
        );
    }

    #[test]
    fn send_and_json_futures_are_send() {
        // `send` calls the stack's own type (not the boxed one): its future must stay `Send`.
        fn is_send<T: Send>(_: &T) {}
        fn check(transport: &Transport) {
            is_send(&transport.send(Request::default()));
            is_send(&transport.json::<serde_json::Value>(Request::default()));
        }
        let _ = check;
    }

    #[test]
    fn bad_url_is_invalid_input() {
        let err = request(Method::GET, "not a url", &[], None).unwrap_err();
        assert!(matches!(err, PixivError::InvalidInput { .. }));
    }
}

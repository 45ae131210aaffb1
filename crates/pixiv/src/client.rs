//! [`Client`] and its builder.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Uri};
use pixiv_errors::PixivError;
use pixiv_transport::auth::TokenSource;
use pixiv_transport::connect::ProxyConfig;
use pixiv_transport::ratelimit::RateLimiter;
use pixiv_transport::{Body, RequestBody, Transport, TransportConfig};
use serde::de::DeserializeOwned;
use url::Url;

use crate::models::AuthUser;
use crate::oauth::{OAuthTokenSource, REFRESH_MARGIN, RefreshToken, RefreshTokenHook};

/// The real App API: `https://app-api.pixiv.net`.
pub const DEFAULT_API_BASE: &str = "https://app-api.pixiv.net";

/// The real OAuth host: `https://oauth.secure.pixiv.net`.
pub const DEFAULT_OAUTH_BASE: &str = "https://oauth.secure.pixiv.net";

/// The real image host: `https://i.pximg.net`.
pub const DEFAULT_IMAGE_BASE: &str = "https://i.pximg.net";

/// The real web host: `https://www.pixiv.net` (its `/ajax/` answers, e.g.
/// [`showcase_article`](Client::showcase_article); no Bearer is sent there).
pub const DEFAULT_WEB_BASE: &str = "https://www.pixiv.net";

/// Request starts per [`DEFAULT_IMAGE_RATE_WINDOW`] allowed to the image host (and the OAuth host,
/// which shares its transport) by default: a budget of its own, so that downloads do not eat the
/// App API's (the seed's 100 per 60 s would otherwise cap a batch at 100 files a minute). Pixiv
/// publishes no limit for `i.pximg.net`; five starts a second keeps the default batch
/// concurrency of 5 busy with typical originals. Our choice, configurable with
/// [`ClientBuilder::image_rate_limit`].
pub const DEFAULT_IMAGE_RATE_LIMIT: u32 = 300;

/// The window of [`DEFAULT_IMAGE_RATE_LIMIT`]: 60 s, as the seed's limiter.
pub const DEFAULT_IMAGE_RATE_WINDOW: Duration = Duration::from_secs(60);

/// A client for Pixiv's App API: OAuth login, typed endpoints, pagination, downloads.
///
/// `Clone` is cheap (one `Arc`), and every clone shares the connection pool, the rate limiter and
/// the login, so hand clones to as many tasks as you like.
///
/// Two transports are inside, built from one [`TransportConfig`]: the App API's, whose auth layer
/// adds the Bearer token for the App API base's origin only, and a Bearer-less one for the OAuth
/// host and the image host (so a token never reaches them, even when one server plays every
/// host, as `pixiv-mock` does).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = pixiv_mock::MockPixiv::builder().start().await?;
/// # let (base, ca) = (mock.base_url(), mock.ca_pem().to_owned());
/// # let refresh_token = pixiv_mock::DEMO_REFRESH_TOKEN;
/// use futures_util::TryStreamExt as _;
/// use pixiv::{Client, RankingMode};
///
/// let client = Client::builder()
///     .refresh_token(refresh_token)
///     .base_url(&base)                 // pixiv-mock serves App API, OAuth and images on one origin
///     .add_root_certificate_pem(&ca)   // and is signed by its own CA
///     .build()?;
///
/// let me = client.login().await?;
/// assert_eq!(me.account, "pixivrs_demo");
///
/// let illust = client.illust_detail(12).await?;
/// assert_eq!(illust.page_count, 3);
///
/// let first_page = client.illust_ranking(RankingMode::Week).await?;
/// let all: Vec<_> = first_page.into_stream().try_collect().await?;
/// assert_eq!(all.len(), 150);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// App API calls: Bearer for `api_base`'s origin.
    pub(crate) api: Transport,
    /// OAuth and images: no token source at all.
    pub(crate) plain: Transport,
    pub(crate) token: Arc<OAuthTokenSource>,
    pub(crate) api_base: Url,
    pub(crate) image_base: Url,
    /// The paging bounds every `Page` starts with.
    pub(crate) paging: crate::page::Bounds,
    /// `Accept-Language` of App API calls; `None`: the transport's default (`en-us`).
    pub(crate) accept_language: RwLock<Option<HeaderValue>>,
    /// The web host (`www.pixiv.net`), reached with the Bearer-less transport.
    pub(crate) web_base: Url,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_base", &self.inner.api_base.as_str())
            .field("image_base", &self.inner.image_base.as_str())
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the real hosts and the seed's transport defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Logs in (a token call, unless a valid access token is already held) and returns the
    /// account. A refresh token Pixiv rejects is [`PixivError::Auth`] with kind
    /// `InvalidRefreshToken` and the message "the refresh token was rejected by Pixiv: ...".
    ///
    /// Calling it is optional: the first App API call logs in by itself.
    pub async fn login(&self) -> Result<AuthUser, PixivError> {
        self.inner.token.login().await
    }

    /// The refresh token in use now (Pixiv may rotate it; see
    /// [`ClientBuilder::on_refresh_token`]).
    pub fn refresh_token(&self) -> RefreshToken {
        self.inner.token.refresh_token()
    }

    /// The token source the App API transport draws its Bearer from.
    pub fn token_source(&self) -> &Arc<OAuthTokenSource> {
        &self.inner.token
    }

    /// The App API transport (Bearer to the App API base only), for calls this crate does not
    /// model at the HTTP level.
    pub fn api_transport(&self) -> &Transport {
        &self.inner.api
    }

    /// The Bearer-less transport used for OAuth and the image host.
    pub fn plain_transport(&self) -> &Transport {
        &self.inner.plain
    }

    /// The configured App API base.
    pub fn api_base(&self) -> &Url {
        &self.inner.api_base
    }

    /// The configured image host base.
    pub fn image_base(&self) -> &Url {
        &self.inner.image_base
    }

    /// The configured web host base (`www.pixiv.net`).
    pub fn web_base(&self) -> &Url {
        &self.inner.web_base
    }

    /// The App API URL for `target`: a path (`/v1/illust/detail`, with or without a query) or an
    /// absolute URL, of which only the path and query are kept, on the configured App API base,
    /// with `query` appended (repeated keys stay repeated). So a `next_url` naming another host
    /// is still sent to the configured one, and the Bearer never leaves it.
    pub(crate) fn api_uri<K, V>(&self, target: &str, query: &[(K, V)]) -> Result<Uri, PixivError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let invalid =
            |e: &dyn fmt::Display| PixivError::invalid_input("App API URL", e.to_string());
        let parsed = if target.starts_with('/') {
            // Only the path and query of a relative target matter; any base resolves them.
            Url::parse("https://app-api.pixiv.net")
                .and_then(|b| b.join(target))
                .map_err(|e| invalid(&e))?
        } else {
            Url::parse(target).map_err(|e| invalid(&e))?
        };
        let mut url = on_base(&self.inner.api_base, &parsed);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k.as_ref(), v.as_ref());
            }
        }
        url.as_str()
            .parse()
            .map_err(|e: http::uri::InvalidUri| invalid(&e))
    }

    /// Sends one App API request and decodes its JSON answer.
    pub(crate) async fn api_call<T: DeserializeOwned>(
        &self,
        method: Method,
        uri: Uri,
        body: Option<(&'static str, Bytes)>,
    ) -> Result<T, PixivError> {
        let req = self.api_request(method, uri, body)?;
        self.inner.api.json(req).await
    }

    /// One App API request, with the `Accept-Language` set on the client.
    pub(crate) fn api_request(
        &self,
        method: Method,
        uri: Uri,
        body: Option<(&'static str, Bytes)>,
    ) -> Result<Request<RequestBody>, PixivError> {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(language) = self
            .inner
            .accept_language
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            req = req.header(ACCEPT_LANGUAGE, language);
        }
        let body = match body {
            Some((content_type, bytes)) => {
                req = req.header(CONTENT_TYPE, HeaderValue::from_static(content_type));
                RequestBody::new(bytes)
            }
            None => RequestBody::default(),
        };
        req.body(body)
            .map_err(|e| PixivError::invalid_input("request", e.to_string()))
    }

    /// Sends one App API request through the Bearer transport, or without any `Authorization`
    /// (PixivPy's `req_auth=False`) through the plain one; the answer's body streams.
    pub(crate) async fn api_send(
        &self,
        req: Request<RequestBody>,
        auth: bool,
    ) -> Result<http::Response<Body>, PixivError> {
        if auth {
            self.inner.api.send(req).await
        } else {
            self.inner.plain.send(req).await
        }
    }

    /// `GET` on the App API with query pairs.
    #[allow(dead_code)] // the endpoints use `api::request::Call`; kept for raw helpers
    pub(crate) async fn api_get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, PixivError> {
        let uri = self.api_uri(path, query)?;
        self.api_call(Method::GET, uri, None).await
    }

    /// `POST` on the App API with a form body.
    #[allow(dead_code)] // the endpoints use `api::request::Call`; kept for raw helpers
    pub(crate) async fn api_post_form<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, String)],
    ) -> Result<T, PixivError> {
        let uri = self.api_uri::<&str, &str>(path, &[])?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        self.api_call(
            Method::POST,
            uri,
            Some(("application/x-www-form-urlencoded", Bytes::from(body))),
        )
        .await
    }
}

/// Builds a [`Client`]. Setters are by value; nothing touches the network until a call.
#[must_use]
pub struct ClientBuilder {
    refresh_token: Option<String>,
    api_base: String,
    oauth_base: String,
    image_base: String,
    web_base: String,
    config: TransportConfig,
    hook: Option<RefreshTokenHook>,
    refresh_margin: Duration,
    /// The image and OAuth transport's own limiter; `None`: they share the App API's.
    image_rate_limit: Option<RateLimiter>,
    paging: crate::page::Bounds,
    /// PixivPy's `set_auth`: an access token to use as it is.
    access_token: Option<String>,
    /// `Accept-Language` of App API calls.
    accept_language: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            refresh_token: None,
            api_base: DEFAULT_API_BASE.to_owned(),
            oauth_base: DEFAULT_OAUTH_BASE.to_owned(),
            image_base: DEFAULT_IMAGE_BASE.to_owned(),
            web_base: DEFAULT_WEB_BASE.to_owned(),
            config: TransportConfig::new(),
            hook: None,
            refresh_margin: REFRESH_MARGIN,
            image_rate_limit: Some(RateLimiter::new(
                DEFAULT_IMAGE_RATE_LIMIT,
                DEFAULT_IMAGE_RATE_WINDOW,
            )),
            paging: crate::page::Bounds::default(),
            access_token: None,
            accept_language: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("api_base", &self.api_base)
            .field("oauth_base", &self.oauth_base)
            .field("image_base", &self.image_base)
            .field("web_base", &self.web_base)
            .field("config", &self.config)
            .field("refresh_margin", &self.refresh_margin)
            .field("image_rate_limit", &self.image_rate_limit)
            .field("paging", &self.paging)
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<redacted>"),
            )
            .field("accept_language", &self.accept_language)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The refresh token to log in with (required). Get a first one with
    /// [`oauth::pkce`](crate::oauth::pkce).
    pub fn refresh_token(mut self, token: impl Into<String>) -> Self {
        self.refresh_token = Some(token.into());
        self
    }

    /// An access token to send as it is, PixivPy's `set_auth(access_token)`: no token call until
    /// Pixiv rejects it. With a [`refresh_token`](Self::refresh_token) as well, a rejected or
    /// expired access token is refreshed as usual; without one (an access-token-only client), a
    /// rejected token is [`PixivError::Auth`] with kind `InvalidAccessToken`, and
    /// [`Client::login`] has no account to report.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// `Accept-Language` of App API calls (`en-us`, `zh-cn`, `ja`...): Pixiv answers tags'
    /// `translated_name` in that language. Default: the transport's, `en-us`. Change it later
    /// with [`Client::set_accept_language`].
    pub fn accept_language(mut self, language: impl Into<String>) -> Self {
        self.accept_language = Some(language.into());
        self
    }

    /// The App API base. Default: [`DEFAULT_API_BASE`].
    pub fn api_base(mut self, base: impl Into<String>) -> Self {
        self.api_base = base.into();
        self
    }

    /// The OAuth base. Default: [`DEFAULT_OAUTH_BASE`].
    pub fn oauth_base(mut self, base: impl Into<String>) -> Self {
        self.oauth_base = base.into();
        self
    }

    /// The image host base: originals whose URL is on another origin are fetched from this one,
    /// same path. Default: [`DEFAULT_IMAGE_BASE`].
    pub fn image_base(mut self, base: impl Into<String>) -> Self {
        self.image_base = base.into();
        self
    }

    /// The web host base (`/ajax/` calls such as
    /// [`showcase_article`](Client::showcase_article); no Bearer is sent there). Default:
    /// [`DEFAULT_WEB_BASE`].
    pub fn web_base(mut self, base: impl Into<String>) -> Self {
        self.web_base = base.into();
        self
    }

    /// The rate limit of the image host (and of the OAuth host, which shares its transport): a
    /// budget of its own, apart from the App API's. Default: [`DEFAULT_IMAGE_RATE_LIMIT`] starts
    /// per [`DEFAULT_IMAGE_RATE_WINDOW`]. [`RateLimiter::unlimited`] lifts it.
    pub fn image_rate_limit(mut self, limiter: RateLimiter) -> Self {
        self.image_rate_limit = Some(limiter);
        self
    }

    /// Makes images and OAuth share the App API's rate limit (the transport config's), as
    /// PixivPy's single limiter does, instead of having a budget of their own.
    pub fn shared_rate_limit(mut self) -> Self {
        self.image_rate_limit = None;
        self
    }

    /// Sets every base (App API, OAuth, image host, web host) to one origin (a local server such
    /// as `pixiv-mock`).
    pub fn base_url(self, base: &str) -> Self {
        self.api_base(base)
            .oauth_base(base)
            .image_base(base)
            .web_base(base)
    }

    /// Every transport setting (timeouts, retry, rate limit, pool, proxy, TLS, headers). Default:
    /// [`TransportConfig::new`], the seed's.
    pub fn config(mut self, config: TransportConfig) -> Self {
        self.config = config;
        self
    }

    /// Changes the transport settings in place: `.transport(|c| c.timeout(Duration::from_secs(30)))`.
    pub fn transport(mut self, f: impl FnOnce(TransportConfig) -> TransportConfig) -> Self {
        self.config = f(self.config);
        self
    }

    /// Shorthand for [`TransportConfig::timeout`].
    pub fn timeout(self, timeout: Duration) -> Self {
        self.transport(|c| c.timeout(timeout))
    }

    /// Shorthand for [`TransportConfig::proxy`].
    pub fn proxy(self, proxy: ProxyConfig) -> Self {
        self.transport(|c| c.proxy(proxy))
    }

    /// Shorthand for [`TransportConfig::on_wait`]: `hook` is told of every wait of 1 s or more
    /// (`Retry-After`, rate-limit pause or budget, retry backoff) before it starts, on the API,
    /// image and OAuth transports alike. Default: none.
    pub fn on_wait(
        self,
        hook: impl Fn(&pixiv_transport::wait::WaitEvent) + Send + Sync + 'static,
    ) -> Self {
        self.transport(|c| c.on_wait(hook))
    }

    /// The route to Pixiv (cargo feature `bypass`): [`Route::Direct`](crate::Route::Direct) or
    /// [`Route::Bypass`](crate::Route::Bypass) (DoH address, TLS without SNI, certificate still
    /// verified). Shorthand for [`TransportConfig::route`]; see `docs/bypass.md`.
    ///
    /// Default: [`Route::Direct`](crate::Route::Direct).
    #[cfg(feature = "bypass")]
    pub fn route(self, route: crate::Route) -> Self {
        self.transport(|c| c.route(route))
    }

    /// Send a request that Cloudflare answers with a challenge once more on the bypass route, and
    /// keep that host on it for a while (cargo feature `bypass`). Shorthand for
    /// [`TransportConfig::fallback_on_challenge`]; see `docs/bypass.md`.
    ///
    /// Default: `false`.
    #[cfg(feature = "bypass")]
    pub fn fallback_on_challenge(self, enabled: bool) -> Self {
        self.transport(|c| c.fallback_on_challenge(enabled))
    }

    /// Shorthand for [`TransportConfig::add_root_certificate_pem`]: trusts this PEM CA too.
    pub fn add_root_certificate_pem(self, pem: impl AsRef<[u8]>) -> Self {
        let pem = pem.as_ref().to_vec();
        self.transport(|c| c.add_root_certificate_pem(pem))
    }

    /// Calls `hook` with the new refresh token whenever Pixiv rotates it (only when it changed),
    /// so the application can store it for the next run.
    pub fn on_refresh_token(mut self, hook: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// How many pages a list's stream follows at most (at least 1), the first included; more is
    /// an error after the items received. Each [`Page`](crate::Page) may set its own
    /// ([`Page::max_pages`](crate::Page::max_pages)). Default:
    /// [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES) (10,000).
    pub fn max_pages(mut self, n: usize) -> Self {
        self.paging.max_pages = n.max(1);
        self
    }

    /// How many pages in a row (at least 1) may have no item yet carry a `next_url` before a
    /// list's stream stops with an error. Default:
    /// [`DEFAULT_MAX_EMPTY_PAGES`](crate::DEFAULT_MAX_EMPTY_PAGES) (3).
    pub fn max_empty_pages(mut self, n: usize) -> Self {
        self.paging.max_empty = n.max(1);
        self
    }

    /// How long before expiry the access token is refreshed. Default: [`REFRESH_MARGIN`] (60 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Builds the client. Errors: neither a refresh token nor an access token, a base URL that
    /// does not parse, an `Accept-Language` that is not a header value, or a TLS or proxy setting
    /// the transport refuses.
    pub fn build(self) -> Result<Client, PixivError> {
        if self.refresh_token.is_none() && self.access_token.is_none() {
            return Err(PixivError::invalid_input(
                "client",
                "a refresh token (or an access token) is required to log in",
            ));
        }
        let refresh_token = self.refresh_token.unwrap_or_default();
        let accept_language = self
            .accept_language
            .as_deref()
            .map(crate::language::header)
            .transpose()?;
        let api_base = parse_base("App API base", &self.api_base)?;
        let oauth_base = parse_base("OAuth base", &self.oauth_base)?;
        let image_base = parse_base("image base", &self.image_base)?;
        let web_base = parse_base("web base", &self.web_base)?;
        let plain_config = match &self.image_rate_limit {
            Some(limiter) => self.config.clone().rate_limit(Some(limiter.clone())),
            None => self.config.clone(),
        };
        let plain = Transport::builder().config(plain_config).build()?;
        let mut token = OAuthTokenSource::with_margin(
            plain.clone(),
            oauth_base.as_str().trim_end_matches('/'),
            refresh_token,
            self.refresh_margin,
        );
        if let Some(hook) = self.hook {
            token = token.on_refresh_token(move |t| hook(t));
        }
        if let Some(access_token) = self.access_token {
            token = token.with_access_token(access_token);
        }
        let token = Arc::new(token);
        let origin: Uri = api_base.origin().ascii_serialization().parse().map_err(
            |e: http::uri::InvalidUri| PixivError::invalid_input("App API base", e.to_string()),
        )?;
        let api = Transport::builder()
            .config(self.config)
            .token_source(Arc::clone(&token) as Arc<dyn TokenSource>)
            .auth_origins([origin])
            .build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                api,
                plain,
                token,
                api_base,
                image_base,
                paging: self.paging,
                accept_language: RwLock::new(accept_language),
                web_base,
            }),
        })
    }
}

/// `url`'s path and query on `base` (whose own path, if any, is kept as a prefix); no fragment.
pub(crate) fn on_base(base: &Url, url: &Url) -> Url {
    let mut out = base.clone();
    let base_path = out.path().trim_end_matches('/').to_owned();
    out.set_path(&format!("{base_path}{}", url.path()));
    out.set_query(url.query());
    out.set_fragment(None);
    out
}

fn parse_base(what: &str, base: &str) -> Result<Url, PixivError> {
    let url = Url::parse(base).map_err(|e| PixivError::invalid_input(what, e.to_string()))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(PixivError::invalid_input(
            what,
            "must be an http(s) URL with a host",
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Client {
        Client::builder()
            .refresh_token("r")
            .api_base(base)
            .build()
            .unwrap()
    }

    #[test]
    fn api_uri_keeps_the_configured_base_and_repeats_keys() {
        let c = client("https://127.0.0.1:4443");
        let uri = c
            .api_uri(
                "https://app-api.pixiv.net/v2/illust/related?illust_id=1#x",
                &[("seed_illust_ids[]", "1"), ("seed_illust_ids[]", "2")],
            )
            .unwrap();
        assert_eq!(
            uri.to_string(),
            "https://127.0.0.1:4443/v2/illust/related?illust_id=1&seed_illust_ids%5B%5D=1&seed_illust_ids%5B%5D=2"
        );
        let uri = c.api_uri("/v1/a?b=c", &[("d", "e f")]).unwrap();
        assert_eq!(uri.to_string(), "https://127.0.0.1:4443/v1/a?b=c&d=e+f");
        let prefixed = client("https://127.0.0.1:4443/proxy/");
        let uri = prefixed.api_uri::<&str, &str>("/v1/a", &[]).unwrap();
        assert_eq!(uri.to_string(), "https://127.0.0.1:4443/proxy/v1/a");
        let uri = c.api_uri::<&str, &str>("/v1/illust/detail", &[]).unwrap();
        assert_eq!(uri.to_string(), "https://127.0.0.1:4443/v1/illust/detail");
    }

    #[test]
    fn build_needs_a_refresh_token_and_sane_bases() {
        assert!(Client::builder().build().is_err());
        assert!(
            Client::builder()
                .refresh_token("r")
                .api_base("not a url")
                .build()
                .is_err()
        );
    }
}

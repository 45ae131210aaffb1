//! [`ClientBuilder`]: every setting of a [`Client`], checked when it is built.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http::Uri;
use pixiv_errors::PixivError;
use pixiv_transport::auth::TokenSource;
use pixiv_transport::ratelimit::RateLimiter;
use pixiv_transport::{Transport, TransportBuilder};
use url::Url;

use super::{
    Client, DEFAULT_API_BASE, DEFAULT_IMAGE_BASE, DEFAULT_IMAGE_RATE_WINDOW, DEFAULT_OAUTH_BASE,
    DEFAULT_OAUTH_RATE_LIMIT, DEFAULT_WEB_BASE, Inner,
};
use crate::oauth::{OAuthTokenSource, REFRESH_MARGIN, RefreshTokenHook};

/// Builds a [`Client`]. Setters are by value; nothing touches the network until a call.
#[must_use]
pub struct ClientBuilder {
    refresh_token: Option<String>,
    api_base: String,
    oauth_base: String,
    image_base: String,
    web_base: String,
    transport: TransportBuilder,
    hook: Option<RefreshTokenHook>,
    refresh_margin: Duration,
    /// The image and OAuth transport's own limiter; `None`: they share the App API's.
    /// The image host's budget (`None`: none, throttled by concurrency).
    image_rate_limit: Option<RateLimiter>,
    /// Images and OAuth use the App API's limiter.
    shared_rate_limit: bool,
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
            transport: Transport::builder(),
            hook: None,
            refresh_margin: REFRESH_MARGIN,
            image_rate_limit: None,
            shared_rate_limit: false,
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
            .field("transport", &self.transport)
            .field("refresh_margin", &self.refresh_margin)
            .field("image_rate_limit", &self.image_rate_limit)
            .field("shared_rate_limit", &self.shared_rate_limit)
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

    /// A rate limit for the image host (and the other calls without a Bearer: the web host's
    /// `/ajax/` answers): at most `n` request starts in any window of `per`, a budget of its own,
    /// apart from the App API's. Default: none, images are throttled by concurrency; see
    /// [`DEFAULT_IMAGE_RATE_LIMIT`](crate::DEFAULT_IMAGE_RATE_LIMIT) for why, and for the figure
    /// to pass here to get the earlier default back. Overrides
    /// [`shared_rate_limit`](Self::shared_rate_limit) for images.
    pub fn image_rate_limit(self, n: u32, per: Duration) -> Self {
        self.image_rate_limiter(RateLimiter::new(n, per))
    }

    /// As [`image_rate_limit`](Self::image_rate_limit), with a limiter that may be shared (with
    /// another client, or a [`Downloader`](crate::download::Downloader)'s transport): every
    /// holder of a clone of `limiter` draws on one budget. Default: none.
    pub fn image_rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.image_rate_limit = Some(limiter);
        self
    }

    /// Makes images and OAuth share the App API's rate limit (the one set with
    /// [`transport`](Self::transport), 100 per 60 s by default), as
    /// PixivPy's single limiter does, instead of images having none and OAuth its own
    /// [`DEFAULT_OAUTH_RATE_LIMIT`].
    pub fn shared_rate_limit(mut self) -> Self {
        self.shared_rate_limit = true;
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

    /// Changes the transport settings in place (timeouts, retry, the App API's rate limit, pool,
    /// proxy, TLS, headers, waits, the alternate route): the closure gets the current
    /// [`TransportBuilder`] and returns it, e.g.
    /// `.transport(|t| t.timeout(Duration::from_secs(30)).proxy(proxy))`. Every setting there
    /// documents its default (PixivPy's). Called twice, the second closure sees what the first
    /// set.
    ///
    /// The App API, image and OAuth transports are all built from it; the client then sets the
    /// OAuth token source and the image/OAuth rate limits itself, so leave `token_source` and
    /// `auth_*` unset here.
    pub fn transport(mut self, f: impl FnOnce(TransportBuilder) -> TransportBuilder) -> Self {
        self.transport = f(self.transport);
        self
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
        // Images: no budget unless asked for (or shared); OAuth: a small one of its own, on a
        // transport of its own so that the budget counts the OAuth host only, whatever the bases.
        // Clones of one builder share its limiters: with `shared_rate_limit`, one budget.
        let (plain, oauth) = if self.shared_rate_limit {
            let shared = self.transport.clone();
            let plain = match &self.image_rate_limit {
                Some(limiter) => shared.clone().rate_limiter(limiter.clone()),
                None => shared.clone(),
            };
            (plain, shared)
        } else {
            let plain = match &self.image_rate_limit {
                Some(limiter) => self.transport.clone().rate_limiter(limiter.clone()),
                None => self.transport.clone().no_rate_limit(),
            };
            let oauth = self
                .transport
                .clone()
                .rate_limit(DEFAULT_OAUTH_RATE_LIMIT, DEFAULT_IMAGE_RATE_WINDOW);
            (plain, oauth)
        };
        let plain = plain.build()?;
        let oauth = oauth.build()?;
        let mut token = OAuthTokenSource::with_margin(
            oauth,
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
        let api = self
            .transport
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

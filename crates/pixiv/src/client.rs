//! [`Client`]: the typed App API calls share its transports, login and settings; the builder is
//! in `client/builder.rs`.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Uri};
use pixiv_errors::PixivError;
use pixiv_transport::{Body, RequestBody, Transport};
use serde::de::DeserializeOwned;
use url::Url;

use crate::models::AuthUser;
use crate::oauth::{OAuthTokenSource, RefreshToken};

mod builder;
pub use builder::ClientBuilder;

/// The real App API: `https://app-api.pixiv.net`.
pub const DEFAULT_API_BASE: &str = "https://app-api.pixiv.net";

/// The real OAuth host: `https://oauth.secure.pixiv.net`.
pub const DEFAULT_OAUTH_BASE: &str = "https://oauth.secure.pixiv.net";

/// The real image host: `https://i.pximg.net`.
pub const DEFAULT_IMAGE_BASE: &str = "https://i.pximg.net";

/// The real web host: `https://www.pixiv.net` (its `/ajax/` answers, e.g.
/// [`showcase_article`](Client::showcase_article); no Bearer is sent there).
pub const DEFAULT_WEB_BASE: &str = "https://www.pixiv.net";

/// Request starts per [`DEFAULT_IMAGE_RATE_WINDOW`] a caller who asks for an image budget
/// without choosing one may use (the CLI's and earlier versions' figure): 300, five a second.
///
/// It is **not** applied by default any more: the image host is throttled by concurrency (the
/// batch's, [`pixiv_download::DEFAULT_CONCURRENCY`]), not by request count. Pixiv publishes no
/// limit for `i.pximg.net`, and the tools people use against it (gallery-dl, PixivUtil2, aria2c)
/// bound image downloads by the number at once; a budget of 300 a minute held a batch of 2,000
/// thumbnails for over 6 minutes and capped full-size originals at about 15 MB/s
/// (`docs/benchmarks.md`, "small files"). [`ClientBuilder::image_rate_limit`] sets one.
pub const DEFAULT_IMAGE_RATE_LIMIT: u32 = 300;

/// The window of [`DEFAULT_IMAGE_RATE_LIMIT`] and [`DEFAULT_OAUTH_RATE_LIMIT`]: 60 s.
pub const DEFAULT_IMAGE_RATE_WINDOW: Duration = Duration::from_secs(60);

/// Request starts per [`DEFAULT_IMAGE_RATE_WINDOW`] allowed to the OAuth host by default: 30, a
/// small budget of its own (a token lasts an hour, so a working client makes one refresh an
/// hour; the budget only stops a loop of failed logins from hammering the host). Apart from the
/// App API's 100 per 60 s, so a refresh never waits behind API calls.
pub const DEFAULT_OAUTH_RATE_LIMIT: u32 = 30;

/// A client for Pixiv's App API: OAuth login, typed endpoints, pagination, downloads.
///
/// `Clone` is cheap (one `Arc`), and every clone shares the connection pool, the rate limiter and
/// the login, so hand clones to as many tasks as you like.
///
/// Transports are inside, built from one [`TransportBuilder`](pixiv_transport::TransportBuilder)
/// ([`ClientBuilder::transport`]): the App API's, whose auth layer adds the Bearer token for the
/// App API base's origin only, and Bearer-less ones for the OAuth host and the image host (so a token never reaches them, even when one server plays every
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
///     .transport(|t| t.add_root_certificate_pem(&ca)) // and is signed by its own CA
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
    /// A builder with the real hosts and PixivPy's transport defaults.
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
        if is_plain_path(target) {
            return self.plain_api_uri(target, query);
        }
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

    /// [`api_uri`](Self::api_uri) for a target that [`is_plain_path`]: what every endpoint
    /// sends. The URL is written once into one `String`, which the `Uri` then owns, instead of
    /// parsing a placeholder base, joining the path, copying the configured base, setting its path
    /// and query, and parsing the result again (measured with `cargo xtask bench transport`,
    /// `docs/benchmarks.md`). The text is the same: the base as the `url` crate serialised it, up
    /// to its path, the base's path without its trailing `/`, the target, and the pairs encoded by
    /// the same `form_urlencoded` serializer `Url::query_pairs_mut` uses.
    fn plain_api_uri<K, V>(&self, path: &str, query: &[(K, V)]) -> Result<Uri, PixivError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let base = &self.inner.api_base;
        let prefix = &base[..url::Position::BeforePath];
        let base_path = base.path().trim_end_matches('/');
        let mut text = String::with_capacity(prefix.len() + base_path.len() + path.len() + 64);
        text.push_str(prefix);
        text.push_str(base_path);
        text.push_str(path);
        if !query.is_empty() {
            text.push('?');
            let start = text.len();
            let mut pairs = url::form_urlencoded::Serializer::for_suffix(text, start);
            for (k, v) in query {
                pairs.append_pair(k.as_ref(), v.as_ref());
            }
            text = pairs.finish();
        }
        Uri::try_from(text).map_err(|e| PixivError::invalid_input("App API URL", e.to_string()))
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

/// Whether `target` is a path the `url` crate would keep as it is when joined to a base: a `/`,
/// then only ASCII letters, digits, `_`, `-` and single `/`s (no `.` segment to resolve, no `//`
/// that would name another host, no query, fragment or byte to percent-encode). Every endpoint's
/// path is one.
fn is_plain_path(target: &str) -> bool {
    target.starts_with('/')
        && !target.contains("//")
        && target
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
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

    /// The general path of `api_uri`, for comparison with the plain-path one.
    fn general_api_uri(c: &Client, target: &str, query: &[(&str, &str)]) -> String {
        let parsed = Url::parse("https://app-api.pixiv.net")
            .and_then(|b| b.join(target))
            .unwrap();
        let mut url = on_base(&c.inner.api_base, &parsed);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        url.as_str().parse::<Uri>().unwrap().to_string()
    }

    #[test]
    fn plain_paths_give_the_general_paths_uri() {
        let bases = [
            "https://127.0.0.1:4443",
            "https://127.0.0.1:4443/",
            "http://LOCALHOST:80/proxy/",
            "https://user:pa%20ss@app-api.pixiv.net/a/b//",
            "https://app-api.pixiv.net/?q=1#f",
            "https://[::1]:8080/x",
        ];
        let queries: [&[(&str, &str)]; 4] = [
            &[],
            &[("illust_id", "1")],
            &[("word", "猫 & dog=?#+%"), ("tags[]", "a"), ("tags[]", "b")],
            &[("", ""), ("k", "")],
        ];
        for base in bases {
            let c = client(base);
            for target in [
                "/v1/illust/detail",
                "/",
                "/v2/user/bookmarks-tags/illust",
                "/a_b/",
            ] {
                assert!(is_plain_path(target), "{target}");
                for query in queries {
                    let fast = c.api_uri(target, query).unwrap().to_string();
                    assert_eq!(fast, general_api_uri(&c, target, query), "{base} {target}");
                }
            }
        }
        for target in [
            "//evil.example/v1/a",
            "/v1/../a",
            "/v1/./a",
            "/v1/a?b=c",
            "/v1/a#f",
            "/v1/a b",
            "/v1/%41",
            "/v1/é",
            "v1/a",
            "",
            "https://app-api.pixiv.net/v1/a",
        ] {
            assert!(!is_plain_path(target), "{target}");
        }
        // A `//` is a host for the general path, which keeps only the path: never a host change.
        let c = client("https://127.0.0.1:4443");
        let uri = c.api_uri::<&str, &str>("//evil.example/v1/a", &[]).unwrap();
        assert_eq!(uri.to_string(), "https://127.0.0.1:4443/v1/a");
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

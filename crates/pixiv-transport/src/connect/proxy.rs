//! [`ProxyConfig`]: which proxy, if any, a destination goes through.
//!
//! The decision is hyper-util's [`Matcher`] (curl's rules for `HTTP_PROXY`, `HTTPS_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`, upper or lower case); the CONNECT handshake is hyper-util's
//! [`Tunnel`](hyper_util::client::legacy::connect::proxy::Tunnel). What pixiv-rs adds:
//!
//! - `https://` targets go through a CONNECT tunnel, then TLS to the target inside it;
//! - `http://` targets are sent to the proxy in absolute form (`GET http://host/path`), as curl
//!   does, with `Proxy-Authorization` added by the client;
//! - proxy URLs may be `http://` or `https://` (TLS to the proxy, then CONNECT inside it), or
//!   SOCKS5: `socks5h://` (the proxy resolves the target's name) and `socks5://` (this client
//!   resolves it, so the address policy applies), RFC 1929 credentials from the userinfo, port
//!   1080 by default (the handshake is in `socks.rs`; docs/security.md, "SOCKS proxies");
//! - credentials come from the URL's userinfo (percent-decoded) and are never shown: `Debug`
//!   prints `http://<redacted>@host:port`, and a URL with a password is held as a
//!   `Secret`, as is the password (as written and percent-decoded), so an error that quotes it
//!   is scrubbed by value;
//! - failures are `PixivError::Proxy` saying what the proxy answered (the status line of a refused
//!   CONNECT, "proxy authentication required" for 407).
//!
//! ```
//! use pixiv_transport::connect::ProxyConfig;
//! let proxy = ProxyConfig::url("http://user:p%40ss@127.0.0.1:3128")
//!     .unwrap()
//!     .no_proxy("localhost, .internal.example");
//! assert!(!format!("{proxy:?}").contains("p%40ss"));
//!
//! let socks = ProxyConfig::url("socks5h://user:p%40ss@127.0.0.1:1080").unwrap();
//! assert!(format!("{socks:?}").contains("socks5h://<redacted>@127.0.0.1:1080"));
//! assert!(ProxyConfig::url("socks4://127.0.0.1:1080").is_err());
//!
//! let env = [("HTTPS_PROXY", "http://127.0.0.1:3128"), ("no_proxy", "127.0.0.1")];
//! let from_env = ProxyConfig::from_env_vars(|k| {
//!     env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
//! })
//! .unwrap();
//! assert!(from_env.is_enabled());
//!
//! // A malformed value is an error naming the variable, never a direct connection; the
//! // password is not shown (curl refuses the same value).
//! let env = [("HTTPS_PROXY", "http://user:hunter 2@127.0.0.1:3128")];
//! let err = ProxyConfig::from_env_vars(|k| {
//!     env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
//! })
//! .unwrap_err();
//! assert!(err.to_string().contains("HTTPS_PROXY"));
//! assert!(!err.to_string().contains("hunter"));
//! ```

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use pixiv_errors::{BoxError, PixivError};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::socks::is_socks;

mod held;
use held::ProxyUrl;

/// Proxy settings. See the [module docs](self).
#[derive(Clone, Default)]
#[must_use]
pub struct ProxyConfig {
    url: Option<ProxyUrl>,
    no_proxy: String,
    env: Option<EnvProxies>,
    matcher: Option<Arc<Matcher>>,
}

#[derive(Clone, Default)]
struct EnvProxies {
    all: ProxyUrl,
    http: ProxyUrl,
    https: ProxyUrl,
}

impl ProxyConfig {
    /// No proxy: every connection is direct (the default).
    pub fn none() -> Self {
        Self::default()
    }

    /// Every destination through the proxy at `url`: `http://[user:pass@]host:port`,
    /// `https://...` (TLS to the proxy), `socks5h://[user:pass@]host[:port]` (the proxy resolves
    /// the target's name) or `socks5://...` (this client resolves it, with the address checks);
    /// userinfo percent-decoded; a SOCKS port defaults to 1080. `InvalidInput` for another scheme
    /// (`socks4` included) or a bad URL.
    pub fn url(url: &str) -> Result<Self, PixivError> {
        let held = ProxyUrl::new(url);
        let uri: Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| invalid(url, e.to_string()))?;
        match uri.scheme_str() {
            Some("http" | "https" | "socks5" | "socks5h") => {}
            Some(other @ ("socks4" | "socks4a" | "socks")) => {
                return Err(invalid(
                    url,
                    format!(
                        "{other}:// is not supported: use socks5h:// (the proxy resolves names) \
                         or socks5:// (this client resolves them), or an http:// or https:// proxy"
                    ),
                ));
            }
            Some(other) => {
                return Err(invalid(
                    url,
                    format!("unsupported proxy scheme {other:?} (http, https, socks5 or socks5h)"),
                ));
            }
            None => {
                return Err(invalid(
                    url,
                    "the proxy URL needs a scheme (http://, https://, socks5:// or socks5h://)"
                        .into(),
                ));
            }
        }
        if is_socks(uri.scheme_str()) {
            check_socks_userinfo(url, &uri)?;
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(invalid(url, "the proxy URL has no host".into()));
        }
        // `http::Uri` keeps an authority whose port is not a u16 (`:99999`) and then reports no
        // port at all, which would mean the scheme's default port.
        let host_port = uri
            .authority()
            .map_or("", |a| a.as_str().rsplit('@').next().unwrap_or_default());
        let port = match host_port.rfind(']') {
            Some(end) => host_port[end + 1..].strip_prefix(':'),
            None => host_port.rsplit_once(':').map(|(_, p)| p),
        };
        if port.is_some_and(|p| !p.is_empty() && p.parse::<u16>().is_err()) {
            return Err(invalid(
                url,
                "the proxy URL's port is not a number up to 65535".into(),
            ));
        }
        let mut config = Self {
            url: Some(held),
            ..Self::default()
        };
        config.rebuild();
        if config
            .matcher
            .as_ref()
            .and_then(|m| m.intercept(&Uri::from_static("https://example.com/")))
            .is_none()
        {
            return Err(invalid(url, "not a usable proxy URL".into()));
        }
        Ok(config)
    }

    /// Destinations that bypass the proxy: curl's `NO_PROXY` syntax (comma-separated host names,
    /// matching subdomains too, IPs, CIDR ranges, `*` for all).
    ///
    /// Default: empty (everything through the proxy).
    pub fn no_proxy(mut self, list: &str) -> Self {
        self.no_proxy = list.to_owned();
        self.rebuild();
        self
    }

    /// Reads `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (upper case first, then lower
    /// case) from the process environment; a value may be any URL [`url`](Self::url) takes,
    /// `socks5h://` and `socks5://` included, as curl reads them. Nothing set: no proxy.
    ///
    /// Errors: `InvalidInput` naming the variable (its password redacted) when a proxy variable
    /// is set but malformed, by the rules of [`url`](Self::url) (a value without a scheme means
    /// `http://`, as in curl). Ignoring it would connect directly, silently, which is what a user
    /// setting a proxy wants least.
    pub fn from_env() -> Result<Self, PixivError> {
        Self::from_env_vars(|k| std::env::var(k).ok())
    }

    /// [`from_env`](Self::from_env) with the variables looked up by `get` (for tests, and for
    /// callers holding their own environment). As curl and hyper-util do, the variables are ignored
    /// when `REQUEST_METHOD` is set (a CGI process: "httpoxy").
    pub fn from_env_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, PixivError> {
        let first = |names: [&'static str; 2]| {
            names
                .iter()
                .find_map(|n| get(n).map(|v| (*n, v)))
                .unwrap_or_default()
        };
        if get("REQUEST_METHOD").is_some() {
            return Ok(Self::none());
        }
        let [all, http, https] = [
            first(["ALL_PROXY", "all_proxy"]),
            first(["HTTP_PROXY", "http_proxy"]),
            first(["HTTPS_PROXY", "https_proxy"]),
        ]
        .map(|(name, value)| (name, ProxyUrl::new(&value)));
        for (name, value) in [&all, &http, &https] {
            check_env_proxy(name, value.expose())?;
        }
        let mut config = Self {
            url: None,
            no_proxy: first(["NO_PROXY", "no_proxy"]).1,
            env: Some(EnvProxies {
                all: all.1,
                http: http.1,
                https: https.1,
            }),
            matcher: None,
        };
        config.rebuild();
        Ok(config)
    }

    /// Whether any destination goes through a proxy.
    pub fn is_enabled(&self) -> bool {
        self.matcher.is_some()
    }

    /// The proxy `dst` goes through, if any (with its credentials; never logged).
    pub(crate) fn intercept(&self, dst: &Uri) -> Option<Intercept> {
        self.matcher.as_ref()?.intercept(dst)
    }

    fn rebuild(&mut self) {
        let builder = Matcher::builder().no(self.no_proxy.as_str());
        let builder = match (&self.url, &self.env) {
            (Some(url), _) => builder.all(url.expose()),
            (None, Some(env)) => builder
                .all(env.all.expose())
                .http(env.http.expose())
                .https(env.https.expose()),
            (None, None) => {
                self.matcher = None;
                return;
            }
        };
        let enabled = self.url.is_some()
            || self.env.as_ref().is_some_and(|e| {
                [&e.all, &e.http, &e.https]
                    .iter()
                    .any(|u| !u.expose().is_empty())
            });
        self.matcher = enabled.then(|| Arc::new(builder.build()));
    }
}

/// RFC 1929 carries the user name and the password in one length byte each: longer ones cannot
/// be sent, so they are refused here rather than at the first connect.
fn check_socks_userinfo(url: &str, uri: &Uri) -> Result<(), PixivError> {
    let Some((userinfo, _)) = uri.authority().and_then(|a| a.as_str().rsplit_once('@')) else {
        return Ok(());
    };
    let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    for (what, part) in [("user name", user), ("password", pass)] {
        let len = percent_encoding::percent_decode_str(part).count();
        if len > 255 {
            return Err(invalid(
                url,
                format!("the SOCKS5 {what} is {len} bytes long; RFC 1929 allows at most 255"),
            ));
        }
    }
    Ok(())
}

/// A proxy variable's value must be what [`ProxyConfig::url`] accepts (with `http://` assumed
/// when it has no scheme, as curl and hyper-util's matcher do). Empty: not set.
fn check_env_proxy(name: &str, value: &str) -> Result<(), PixivError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    let url = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    ProxyConfig::url(&url).map(drop).map_err(|e| {
        let why = match e {
            PixivError::InvalidInput { why, .. } => why,
            other => other.to_string(),
        };
        PixivError::invalid_input(
            format!("proxy variable {name}={}", redact_all_userinfo(value)),
            format!("{why}; fix or unset it (it is not ignored: that would connect directly)"),
        )
    })
}

/// Like [`redact_url`], but for a value that may not parse: everything between the scheme and
/// the *last* `@` is redacted, wherever a `/` or a space sits (a password may hold either).
fn redact_all_userinfo(value: &str) -> String {
    let (scheme, rest) = match value.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, value),
    };
    let rest = match rest.rfind('@') {
        Some(at) => format!("<redacted>@{}", &rest[at + 1..]),
        None => rest.to_owned(),
    };
    match scheme {
        Some(s) => format!("{s}://{rest}"),
        None => rest,
    }
}

fn invalid(url: &str, why: String) -> PixivError {
    PixivError::invalid_input(format!("proxy URL {}", redact_url(url)), why)
}

/// `scheme://user:pass@host` → `scheme://<redacted>@host`.
pub(crate) fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let sep = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{sep}<redacted>@{}", &rest[at + 1..])
        }
        None => url.to_owned(),
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ProxyConfig");
        if let Some(url) = &self.url {
            d.field("url", &redact_url(url.expose()));
        }
        if let Some(env) = &self.env {
            d.field("all", &redact_url(env.all.expose()))
                .field("http", &redact_url(env.http.expose()))
                .field("https", &redact_url(env.https.expose()));
        }
        d.field("no_proxy", &self.no_proxy).finish()
    }
}

/// A proxy failure, with a message saying what the proxy did. Becomes `PixivError::Proxy`.
#[derive(Debug)]
pub(crate) struct ProxyError {
    pub(crate) message: String,
    pub(crate) source: Option<BoxError>,
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProxyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// `Basic` credentials of an intercept, if any.
pub(crate) fn basic_auth(intercept: &Intercept) -> Option<HeaderValue> {
    intercept.basic_auth().cloned()
}

/// How many bytes of the proxy's first answer are kept to explain a refused CONNECT.
const RECORD_LIMIT: usize = 512;

/// Keeps a copy of the first bytes read from the proxy (its answer to CONNECT), so a refusal can
/// be reported with the proxy's status line; afterwards it only forwards.
pub(crate) struct Recording<T> {
    inner: T,
    record: Option<Arc<Mutex<Vec<u8>>>>,
}

impl<T> Recording<T> {
    pub(crate) fn new(inner: T, record: Arc<Mutex<Vec<u8>>>) -> Self {
        Self {
            inner,
            record: Some(record),
        }
    }

    pub(crate) fn get_ref(&self) -> &T {
        &self.inner
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Recording<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Some(record) = &self.record {
            let new = &buf.filled()[before..];
            let full = match record.lock() {
                Ok(mut r) => {
                    let room = RECORD_LIMIT.saturating_sub(r.len());
                    r.extend_from_slice(&new[..new.len().min(room)]);
                    r.len() >= RECORD_LIMIT || r.windows(4).any(|w| w == b"\r\n\r\n")
                }
                Err(_) => true,
            };
            if full {
                self.record = None;
            }
        }
        res
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Recording<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The status line of a recorded proxy answer (`HTTP/1.1 403 Forbidden`), if one was read.
pub(crate) fn status_line(recorded: &[u8]) -> Option<String> {
    let end = recorded
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or(recorded.len());
    let line = String::from_utf8_lossy(&recorded[..end]).trim().to_owned();
    line.starts_with("HTTP/").then_some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(redact_url("http://u:p@h:1"), "http://<redacted>@h:1");
        assert_eq!(redact_url("http://h:1/x@y"), "http://h:1/x@y");
        assert_eq!(redact_url("u:p@h:1"), "<redacted>@h:1");
        assert_eq!(redact_url(""), "");
    }

    #[test]
    fn explicit_url_and_no_proxy() {
        let p = ProxyConfig::url("http://u:p%40ss@127.0.0.1:3128")
            .unwrap()
            .no_proxy("localhost,.skip.example");
        let i = p
            .intercept(&Uri::from_static("https://app-api.pixiv.net/"))
            .unwrap();
        assert_eq!(i.uri().authority().unwrap().as_str(), "127.0.0.1:3128");
        // "u:p@ss" in base64
        assert_eq!(basic_auth(&i).unwrap(), "Basic dTpwQHNz");
        assert!(
            p.intercept(&Uri::from_static("http://localhost:1/"))
                .is_none()
        );
        assert!(
            p.intercept(&Uri::from_static("http://a.skip.example/"))
                .is_none()
        );
        assert!(!format!("{p:?}").contains("p%40ss"));
    }

    #[test]
    fn bad_urls_are_invalid_input() {
        for url in [
            "socks4://127.0.0.1:1080",
            "socks4a://127.0.0.1:1080",
            "127.0.0.1:3128",
            "http://",
            "not a url",
        ] {
            assert!(
                matches!(ProxyConfig::url(url), Err(PixivError::InvalidInput { .. })),
                "{url}"
            );
        }
    }

    #[test]
    fn env_cases_and_cgi() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let p = ProxyConfig::from_env_vars(env(&[
            ("https_proxy", "http://127.0.0.1:1"),
            ("NO_PROXY", "pixiv.net"),
        ]))
        .unwrap();
        assert!(
            p.intercept(&Uri::from_static("https://example.com/"))
                .is_some()
        );
        assert!(
            p.intercept(&Uri::from_static("http://example.com/"))
                .is_none()
        );
        assert!(
            p.intercept(&Uri::from_static("https://app-api.pixiv.net/"))
                .is_none()
        );
        let all = ProxyConfig::from_env_vars(env(&[("ALL_PROXY", "http://127.0.0.1:1")])).unwrap();
        assert!(
            all.intercept(&Uri::from_static("http://example.com/"))
                .is_some()
        );
        let cgi = ProxyConfig::from_env_vars(env(&[
            ("HTTP_PROXY", "http://127.0.0.1:1"),
            ("REQUEST_METHOD", "GET"),
        ]))
        .unwrap();
        assert!(!cgi.is_enabled());
        assert!(!ProxyConfig::from_env_vars(|_| None).unwrap().is_enabled());
        // A value without a scheme means http://, as in curl.
        let bare = ProxyConfig::from_env_vars(env(&[("http_proxy", "127.0.0.1:3128")])).unwrap();
        assert!(bare.is_enabled());
    }

    #[test]
    fn malformed_env_values_are_errors_naming_the_variable() {
        for (name, value) in [
            ("HTTP_PROXY", "http://u:p ss@127.0.0.1:3128"),
            ("http_proxy", "http://u:pss@[::1"),
            ("HTTPS_PROXY", "http://u:p/ss@127.0.0.1:3128 x"),
            ("https_proxy", "http://"),
            ("ALL_PROXY", "socks4://u:pss@127.0.0.1:1080"),
            ("all_proxy", "http://u:pss@127.0.0.1:99999"),
        ] {
            let err =
                ProxyConfig::from_env_vars(|k| (k == name).then(|| value.to_owned())).unwrap_err();
            let text = err.to_string();
            assert!(
                matches!(err, PixivError::InvalidInput { .. }),
                "{name}={value}: {err:?}"
            );
            assert!(text.contains(name), "{text}");
            assert!(!text.contains("pss") && !text.contains("p ss"), "{text}");
        }
    }

    #[test]
    fn status_line_parsing() {
        assert_eq!(
            status_line(b"HTTP/1.0 403 Access violation\r\nX: y\r\n\r\n").as_deref(),
            Some("HTTP/1.0 403 Access violation")
        );
        assert_eq!(status_line(b"garbage"), None);
    }
}

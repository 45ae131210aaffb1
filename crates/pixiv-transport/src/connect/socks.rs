//! SOCKS5 proxies: `socks5://` and `socks5h://` (curl's names for them).
//!
//! The handshake is hyper-util's [`SocksV5`] (RFC 1928, with RFC 1929 username/password when the
//! proxy URL has userinfo). What pixiv-rs adds around it:
//!
//! - **Who resolves the target's name.** `socks5h://`: the proxy (the name goes in the request,
//!   nothing is looked up here). `socks5://`: this client, with the connector's own resolver, so
//!   the address policy (`address.rs`) applies to what the name resolves to; the proxy is then
//!   asked for the first address. hyper-util's own local lookup (`SocksV5::local_dns`) is not
//!   used: it calls the blocking `getaddrinfo` and bypasses both the configured resolver and the
//!   address checks.
//! - **Dialling the proxy** is done here, before the handshake, so that "the proxy is down" is its
//!   own error (hyper-util's errors are private types that only print a fixed text).
//! - **The handshake is bounded** by the connect timeout (a proxy that accepts and says nothing
//!   is a [`Timeout`](pixiv_errors::PixivError::Timeout) of the connect phase).
//! - **Errors** are `PixivError::Proxy` naming the proxy by `host:port` (never its credentials):
//!   credentials refused, credentials required, the target unreachable or refused by the proxy.
//! - TLS to the target then runs inside the tunnel (hyper-rustls around the connector), with the
//!   target's host name for SNI and certificate checks, whichever way the name was resolved.

use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::{Ready, ready};
use http::Uri;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::proxy::SocksV5;
use hyper_util::client::proxy::matcher::Intercept;
use hyper_util::rt::TokioIo;
use pixiv_errors::BoxError;
use tower::ServiceExt;
use tower_service::Service;

use super::connector::Tcp;
use super::proxy::{ProxyError, Recording};
use super::resolve::{DynResolver, Name};
use super::stream::{ConnKind, ProxyIo};

/// The port of a SOCKS proxy URL without one (curl's default, RFC 1928's well-known port).
pub(crate) const DEFAULT_SOCKS_PORT: u16 = 1080;

/// Whether `scheme` is a SOCKS scheme this crate speaks.
pub(crate) fn is_socks(scheme: Option<&str>) -> bool {
    matches!(scheme, Some("socks5" | "socks5h"))
}

/// Everything one SOCKS connect needs, cloned out of the connector.
pub(crate) struct SocksConnect {
    pub(crate) dial: HttpsConnector<Tcp>,
    pub(crate) resolver: DynResolver,
    pub(crate) handshake_timeout: Option<Duration>,
}

impl SocksConnect {
    /// A tunnel to `dst` through the SOCKS proxy of `intercept`.
    pub(crate) async fn connect(
        self,
        intercept: Intercept,
        dst: Uri,
    ) -> Result<ConnKind, BoxError> {
        let proxy = intercept.uri();
        let remote_dns = proxy.scheme_str() == Some("socks5h");
        let proxy_host = proxy.host().unwrap_or_default();
        let proxy_name = format!(
            "{proxy_host}:{}",
            proxy.port_u16().unwrap_or(DEFAULT_SOCKS_PORT)
        );
        let target_host = dst.host().unwrap_or_default();
        let target_host = target_host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(target_host)
            .to_owned();
        // hyper-util's SocksV5 assumes 443 for a URI without a port; plain http means 80.
        let target_port = dst.port_u16().unwrap_or(match dst.scheme_str() {
            Some("http") => 80,
            _ => 443,
        });
        let target = match target_host.parse::<IpAddr>() {
            Ok(ip) => authority(ip, target_port),
            Err(_) => format!("{target_host}:{target_port}"),
        };

        // socks5: the name is resolved here (the resolver checks the addresses); an IP literal
        // was checked by `HttpClient` before the connect.
        let asked = match target_host.parse::<IpAddr>() {
            Ok(ip) => authority(ip, target_port),
            Err(_) if remote_dns => target.clone(),
            Err(_) => {
                let name: Name = target_host
                    .parse()
                    .map_err(|e| format!("{target_host:?} is not a valid host name: {e}"))?;
                let mut resolver = self.resolver.clone();
                let first = resolver.call(name).await?.next().ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("{target_host} resolved to no address"),
                    )
                })?;
                authority(first.ip(), target_port)
            }
        };
        let asked = format!("http://{asked}/");
        let asked: Uri = asked
            .parse()
            .map_err(|e| format!("target {target} is not a valid authority: {e}"))?;

        // Dial the proxy first (plain TCP), so a proxy that is down says so.
        let dial_uri: Uri = format!("http://{}/", bracketed(proxy_host, &proxy_name))
            .parse()
            .map_err(|e| format!("proxy {proxy_name} is not a valid authority: {e}"))?;
        let tcp = match self.dial.oneshot(dial_uri.clone()).await {
            Ok(io) => io,
            Err(e) => {
                return Err(ProxyError {
                    message: format!(
                        "could not connect to the SOCKS proxy {proxy_name}: {}",
                        crate::error_map::chain_message(&*e)
                    ),
                    source: Some(e),
                }
                .into());
            }
        };
        let io: ProxyIo = TokioIo::new(Recording::new(
            TokioIo::new(tcp),
            Arc::new(Mutex::new(Vec::new())),
        ));

        let mut socks = SocksV5::new(dial_uri, Dialled(Some(io))).local_dns(false);
        let had_auth = intercept.raw_auth().is_some();
        if let Some((user, pass)) = intercept.raw_auth() {
            socks = socks.with_auth(user.to_owned(), pass.to_owned());
        }
        let handshake = socks.oneshot(asked);
        let result = match self.handshake_timeout {
            Some(limit) => match tokio::time::timeout(limit, handshake).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("the SOCKS proxy {proxy_name} did not finish its handshake within {limit:?}"),
                    )
                    .into());
                }
            },
            None => handshake.await,
        };
        match result {
            Ok(io) => Ok(ConnKind::Proxy {
                io: Box::new(io),
                absolute_form: false,
            }),
            Err(e) => {
                let text = e.to_string();
                Err(ProxyError {
                    message: explain(&text, &proxy_name, &target, had_auth),
                    source: Some(text.into()),
                }
                .into())
            }
        }
    }
}

/// `ip:port`, an IPv6 address in brackets.
fn authority(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(v4) => format!("{v4}:{port}"),
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    }
}

/// `host:port`, with an IPv6 host in brackets.
fn bracketed(host: &str, name: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        let port = name.rsplit_once(':').map_or("", |(_, p)| p);
        format!("[{host}]:{port}")
    } else {
        name.to_owned()
    }
}

/// A message for a failed handshake. hyper-util's `SocksError` is not exported, so its text (RFC
/// 1928's reply names, RFC 1929's outcome) is what there is to go on.
fn explain(text: &str, proxy: &str, target: &str, had_auth: bool) -> String {
    let reason = text.strip_prefix("SOCKS error: ").unwrap_or(text);
    match reason {
        "credentials not accepted" => format!(
            "SOCKS proxy authentication failed: {proxy} rejected the username and password in \
             the proxy URL"
        ),
        "server does not support user/pass authentication" if had_auth => format!(
            "the SOCKS proxy {proxy} accepts none of the offered authentication methods \
             (username/password)"
        ),
        "server does not support user/pass authentication"
        | "server implements authentication incorrectly"
            if !had_auth =>
        {
            format!(
                "SOCKS proxy authentication required: {proxy} does not accept clients without \
                 credentials (put them in the proxy URL: socks5h://user:pass@host:port)"
            )
        }
        "host unreachable" | "network unreachable" | "connection refused" | "ttl expired" => {
            format!("the SOCKS proxy {proxy} could not reach {target}: {reason}")
        }
        "connection not allowed" => {
            format!("the SOCKS proxy {proxy} refused the connection to {target} by its rules")
        }
        "io error during SOCKS handshake" => format!(
            "the SOCKS proxy {proxy} closed the connection during the handshake (is it a SOCKS5 \
             proxy?)"
        ),
        _ => format!("the SOCKS proxy {proxy} failed the handshake for {target}: {reason}"),
    }
}

/// A connection already made, handed to `SocksV5` as its "connector" (it dials nothing).
struct Dialled(Option<ProxyIo>);

impl Service<Uri> for Dialled {
    type Response = ProxyIo;
    type Error = io::Error;
    type Future = Ready<Result<ProxyIo, io::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _proxy: Uri) -> Self::Future {
        ready(
            self.0
                .take()
                .ok_or_else(|| io::Error::other("the SOCKS connection was already used")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanations_name_the_proxy_only() {
        let m = explain(
            "SOCKS error: credentials not accepted",
            "127.0.0.1:1080",
            "a:443",
            true,
        );
        assert!(m.contains("authentication failed") && m.contains("127.0.0.1:1080"));
        let m = explain(
            "SOCKS error: server does not support user/pass authentication",
            "p:1",
            "a:443",
            false,
        );
        assert!(m.contains("authentication required"), "{m}");
        let m = explain("SOCKS error: host unreachable", "p:1", "a:443", false);
        assert!(m.contains("could not reach a:443"), "{m}");
        assert_eq!(bracketed("::1", "::1:1080"), "[::1]:1080");
        assert_eq!(bracketed("h", "h:1"), "h:1");
    }
}

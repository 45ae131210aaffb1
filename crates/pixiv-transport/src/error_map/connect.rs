//! Mapping the errors of [`HttpClient`](crate::connect::HttpClient) (its connector's
//! [`ProxyError`]s and I/O errors, hyper-util's and hyper's errors) to [`PixivError`]s: connect
//! timeout, proxy, TLS, connect. The connect module only reports what failed; this is the one
//! place that decides which [`PixivError`] that is (see the [module docs](super)).
//!
//! hyper-util reports a connect timeout as `ConnectError("tcp connect error")` whose cause is an
//! `io::Error` of kind `TimedOut` (its own timer, or the kernel's `ETIMEDOUT`); TLS failures are an
//! `io::Error` wrapping a `rustls::Error`. Both sit a few levels down the source chain, and
//! `io::Error::source()` skips the error it wraps, so the walk below also follows
//! `io::Error::get_ref()`.

use std::error::Error as StdError;
use std::fmt;
use std::io;

use pixiv_errors::{BoxError, PixivError, TimeoutPhase};
use rustls::CertificateError;

use super::source::{find, links, map_transport_error};
use crate::connect::error::Refusal;
use crate::connect::proxy::ProxyError;
use crate::connect::{ConnectError, ConnectErrorKind};

/// Maps an error of [`HttpClient`](crate::connect::HttpClient)'s connector or hyper-util's client (or of a
/// client built the same way) to its [`PixivError`]: an elapsed connect timeout to
/// `Timeout { phase: Connect }`, a proxy failure to `Proxy`, a TLS failure to `Tls` (with a
/// readable message, e.g. "certificate not trusted (unknown issuer)"), a refused address to
/// `AddressRefused`, a `PixivError` to itself, anything else to `Connect`.
///
/// The error is first sorted into a [`ConnectErrorKind`] (a [`ConnectError`] anywhere in its chain
/// gives its own), then mapped by [`map_connect_error`].
pub fn map_client_error(err: BoxError) -> PixivError {
    let err = match err.downcast::<PixivError>() {
        Ok(pixiv) => return *pixiv,
        Err(other) => other,
    };
    let err = match err.downcast::<ConnectError>() {
        Ok(connect) => return map_connect_error(*connect),
        Err(other) => other,
    };
    let chain = links(&*err);
    // A typed error made below hyper-util by a resolver of the user's (or the DoH resolver)
    // keeps its type.
    if let Some(pixiv) = find::<PixivError>(&chain).cloned() {
        return pixiv;
    }
    let is_connect =
        find::<hyper_util::client::legacy::Error>(&chain).is_none_or(|e| e.is_connect());
    if !is_connect {
        // After the connection: closed or reset before the head, a malformed answer. The error
        // map's rules (shared with users' own clients) apply.
        return map_transport_error(err);
    }
    // What the connect code said failed, else what the chain shows.
    let found = find::<ConnectError>(&chain);
    let (kind, message) = match found {
        Some(c) if c.kind() != ConnectErrorKind::Other => (c.kind(), c.message().to_owned()),
        _ => connect_kind(&chain),
    };
    let message = if message.is_empty() {
        chain_message(&*err)
    } else {
        message
    };
    let refusal = found.and_then(ConnectError::refusal).cloned();
    to_pixiv(kind, message, refusal, Some(err))
}

/// Which step failed, from an error chain hyper-util handed back, and a message for it.
fn connect_kind(chain: &[&(dyn StdError + 'static)]) -> (ConnectErrorKind, String) {
    let io_kind = |want: io::ErrorKind| {
        chain.iter().any(|e| {
            e.downcast_ref::<io::Error>()
                .is_some_and(|io| io.kind() == want)
        })
    };
    if io_kind(io::ErrorKind::TimedOut) {
        return (ConnectErrorKind::Timeout, "connect timed out".to_owned());
    }
    if let Some(proxy) = find::<ProxyError>(chain) {
        return (ConnectErrorKind::Proxy, proxy.message.clone());
    }
    if let Some(tls) = find::<rustls::Error>(chain) {
        return (ConnectErrorKind::Tls, tls_message(tls));
    }
    // hyper-util's resolver step reports "dns error" around the resolver's own error.
    if chain.iter().any(|e| e.to_string() == "dns error") {
        return (ConnectErrorKind::Dns, String::new());
    }
    if io_kind(io::ErrorKind::ConnectionRefused) || io_kind(io::ErrorKind::ConnectionReset) {
        return (ConnectErrorKind::Refused, String::new());
    }
    (ConnectErrorKind::Other, String::new())
}

/// The one mapping from a [`ConnectError`] to its [`PixivError`]: `Timeout { phase: Connect }`,
/// `Proxy`, `Tls`, `AddressRefused`, `InvalidInput` for a request that cannot be sent, and
/// `Connect` for DNS, a refused connection and the rest.
pub fn map_connect_error(err: ConnectError) -> PixivError {
    let (kind, message, refusal, source) = err.into_parts();
    to_pixiv(kind, message, refusal, source)
}

fn to_pixiv(
    kind: ConnectErrorKind,
    message: String,
    refusal: Option<Refusal>,
    source: Option<BoxError>,
) -> PixivError {
    let described = |message: String| Described {
        source: source.unwrap_or_else(|| message.clone().into()),
        message,
    };
    match kind {
        ConnectErrorKind::Timeout => PixivError::timeout(TimeoutPhase::Connect),
        ConnectErrorKind::Proxy => PixivError::proxy(message),
        ConnectErrorKind::InvalidRequest => PixivError::invalid_input("request URI", message),
        ConnectErrorKind::AddressRefused => match refusal {
            Some(r) => PixivError::address_refused(r.host, r.ip, r.reason),
            None => PixivError::connect(described(message)),
        },
        ConnectErrorKind::Tls => PixivError::tls(described(message)),
        _ => PixivError::connect(described(message)),
    }
}

fn tls_message(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "certificate not trusted (unknown issuer): its CA is not among the trusted roots \
             (add it with TlsConfig::add_root_pem)"
                .to_owned()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!("certificate not valid for this host name ({e})"),
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => format!("certificate expired ({e})"),
        other => format!("TLS handshake failed: {other}"),
    }
}

/// An error with a readable message in front of the original chain.
#[derive(Debug)]
struct Described {
    message: String,
    source: BoxError,
}

impl fmt::Display for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Described {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// "a: b: c" from the chain, skipping hyper-util's contentless "client error (Connect)" and
/// repeats (an `io::Error` displays the error it wraps).
pub(crate) fn chain_message(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in links(err) {
        let s = e.to_string();
        if s.is_empty() || s.starts_with("client error (") || parts.last() == Some(&s) {
            continue;
        }
        parts.push(s);
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_out_in_chain_is_connect_timeout() {
        let inner = io::Error::new(io::ErrorKind::TimedOut, "deadline has elapsed");
        let outer: BoxError = Box::new(io::Error::other(inner));
        assert!(matches!(
            map_client_error(outer),
            PixivError::Timeout {
                phase: TimeoutPhase::Connect
            }
        ));
    }

    #[test]
    fn rustls_error_behind_io_is_tls() {
        let rustls = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = io::Error::other(io::Error::new(io::ErrorKind::InvalidData, rustls));
        let err = map_client_error(Box::new(io));
        match err {
            PixivError::Tls { source } => {
                assert!(source.to_string().contains("unknown issuer"), "{source}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn proxy_error_is_proxy() {
        let e = ProxyError {
            message: "proxy authentication required".into(),
            source: None,
        };
        assert!(
            matches!(map_client_error(Box::new(e)), PixivError::Proxy { message } if message.contains("407") || message.contains("required"))
        );
    }

    #[test]
    fn refused_is_connect_with_the_os_reason() {
        let e = io::Error::from(io::ErrorKind::ConnectionRefused);
        match map_client_error(Box::new(e)) {
            PixivError::Connect { source } => {
                assert!(source.to_string().contains("refused"), "{source}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_address_refusal_inside_a_resolver_error_stays_typed() {
        let ip: std::net::IpAddr = "169.254.169.254".parse().unwrap();
        let refused = ConnectError::address_refused(
            "metadata.example",
            ip,
            pixiv_errors::AddressRefusal::LinkLocal,
        );
        // As the resolver adapter reports it: wrapped in an io::Error, under hyper-util's error.
        let outer: BoxError = Box::new(io::Error::other(io::Error::other(refused)));
        match map_client_error(outer) {
            PixivError::AddressRefused { host, reason, .. } => {
                assert_eq!(host, "metadata.example");
                assert_eq!(reason, pixiv_errors::AddressRefusal::LinkLocal);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_kind_maps_to_its_variant() {
        let map = |kind| map_connect_error(ConnectError::new(kind, "what failed"));
        assert!(matches!(
            map(ConnectErrorKind::InvalidRequest),
            PixivError::InvalidInput { .. }
        ));
        assert!(matches!(
            map(ConnectErrorKind::Proxy),
            PixivError::Proxy { message } if message == "what failed"
        ));
        assert!(matches!(
            map(ConnectErrorKind::Timeout),
            PixivError::Timeout {
                phase: TimeoutPhase::Connect
            }
        ));
        assert!(matches!(map(ConnectErrorKind::Tls), PixivError::Tls { .. }));
        for kind in [
            ConnectErrorKind::Dns,
            ConnectErrorKind::Refused,
            ConnectErrorKind::Other,
            // Without the refused address there is nothing typed to report.
            ConnectErrorKind::AddressRefused,
        ] {
            match map(kind) {
                PixivError::Connect { source } => assert_eq!(source.to_string(), "what failed"),
                other => panic!("{kind:?}: {other:?}"),
            }
        }
    }
}

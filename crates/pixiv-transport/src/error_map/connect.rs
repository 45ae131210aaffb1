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
use crate::connect::proxy::ProxyError;

/// Maps an error of [`HttpClient`](crate::connect::HttpClient)'s connector or hyper-util's client (or of a
/// client built the same way) to its [`PixivError`]: an elapsed connect timeout to
/// `Timeout { phase: Connect }`, a proxy failure to `Proxy`, a TLS failure to `Tls` (with a
/// readable message, e.g. "certificate not trusted (unknown issuer)"), a `PixivError` to itself,
/// anything else to `Connect`.
pub fn map_client_error(err: BoxError) -> PixivError {
    let err = match err.downcast::<PixivError>() {
        Ok(pixiv) => return *pixiv,
        Err(other) => other,
    };
    let chain = links(&*err);
    // A typed refusal made below hyper-util (the resolver's address policy) keeps its type.
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
    let timed_out = chain.iter().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
    });
    if timed_out {
        return PixivError::timeout(TimeoutPhase::Connect);
    }
    if let Some(proxy) = find::<ProxyError>(&chain) {
        return PixivError::proxy(proxy.message.clone());
    }
    if let Some(tls) = find::<rustls::Error>(&chain) {
        let message = tls_message(tls);
        return PixivError::tls(Described {
            message,
            source: err,
        });
    }
    let message = chain_message(&*err);
    PixivError::connect(Described {
        message,
        source: err,
    })
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
}

//! Turning the client's errors into [`PixivError`]s: connect timeout, proxy, TLS, connect.
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

use super::proxy::ProxyError;

/// Maps an error of [`HttpClient`](super::HttpClient)'s connector or hyper-util's client (or of a
/// client built the same way) to its [`PixivError`]: an elapsed connect timeout to
/// `Timeout { phase: Connect }`, a proxy failure to `Proxy`, a TLS failure to `Tls` (with a
/// readable message, e.g. "certificate not trusted (unknown issuer)"), a `PixivError` to itself,
/// anything else to `Connect`.
pub fn classify_error(err: BoxError) -> PixivError {
    let err = match err.downcast::<PixivError>() {
        Ok(pixiv) => return *pixiv,
        Err(other) => other,
    };
    // A typed refusal made below hyper-util (the resolver's address policy) keeps its type.
    if let Some(pixiv) = find::<PixivError>(&*err).and_then(PixivError::try_clone) {
        return pixiv;
    }
    let is_connect =
        find::<hyper_util::client::legacy::Error>(&*err).is_none_or(|e| e.is_connect());
    if !is_connect {
        // After the connection: closed or reset before the head, a malformed answer. The error
        // map's rules (shared with users' own clients) apply.
        return crate::error_map::map_transport_error(err);
    }
    let timed_out = chain(&*err).any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
    });
    if timed_out {
        return PixivError::timeout(TimeoutPhase::Connect);
    }
    if let Some(proxy) = find::<ProxyError>(&*err) {
        return PixivError::proxy(proxy.message.clone());
    }
    if let Some(tls) = find::<rustls::Error>(&*err) {
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

/// Every error in the chain, following `io::Error::get_ref()` where `source()` would skip it.
pub(crate) fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let mut next = Some(err);
    std::iter::from_fn(move || {
        let current = next?;
        next = match current.downcast_ref::<io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => current.source(),
        };
        Some(current)
    })
}

fn find<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(err).find_map(|e| e.downcast_ref::<T>())
}

/// "a: b: c" from the chain, skipping hyper-util's contentless "client error (Connect)" and
/// repeats (an `io::Error` displays the error it wraps).
pub(crate) fn chain_message(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in chain(err) {
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
            classify_error(outer),
            PixivError::Timeout {
                phase: TimeoutPhase::Connect
            }
        ));
    }

    #[test]
    fn rustls_error_behind_io_is_tls() {
        let rustls = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = io::Error::other(io::Error::new(io::ErrorKind::InvalidData, rustls));
        let err = classify_error(Box::new(io));
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
            matches!(classify_error(Box::new(e)), PixivError::Proxy { message } if message.contains("407") || message.contains("required"))
        );
    }

    #[test]
    fn refused_is_connect_with_the_os_reason() {
        let e = io::Error::from(io::ErrorKind::ConnectionRefused);
        match classify_error(Box::new(e)) {
            PixivError::Connect { source } => {
                assert!(source.to_string().contains("refused"), "{source}")
            }
            other => panic!("{other:?}"),
        }
    }
}

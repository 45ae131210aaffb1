//! [`ConnectError`]: what the connect module reports when it cannot make or use a connection.
//!
//! The connect code (the client's own checks, the resolver's address policy, the connector) says
//! *what* failed with a [`ConnectErrorKind`]; which [`PixivError`] that becomes is decided in one
//! place, `error_map::map_connect_error` (and `error_map::map_client_error` for the errors
//! hyper-util hands back, which sorts them into the same kinds first). No code under `connect/`
//! decides a `PixivError` for a failed connection.

use std::error::Error as StdError;
use std::fmt;
use std::net::IpAddr;

use pixiv_errors::{AddressRefusal, BoxError};

#[cfg(doc)]
use pixiv_errors::PixivError;

/// The kind of a [`ConnectError`]: which step of reaching the server failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectErrorKind {
    /// The request cannot be sent at all (its URI has no scheme or host).
    InvalidRequest,
    /// The host name did not resolve.
    Dns,
    /// The server (or the network) refused or reset the TCP connection.
    Refused,
    /// The address policy refused the resolved address (link-local always, private addresses
    /// for a chain that began on a public host; `connect/address.rs`).
    AddressRefused,
    /// The TLS handshake failed (an untrusted or mismatched certificate, for one).
    Tls,
    /// The proxy could not be reached, refused the tunnel or asked for credentials.
    Proxy,
    /// The TCP connect did not finish within the connect timeout.
    Timeout,
    /// Anything else while connecting (no free connection slot, the client dropped).
    Other,
}

impl ConnectErrorKind {
    /// A short name, as in a log line: `"dns"`, `"refused"`, `"tls"`...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid request",
            Self::Dns => "dns",
            Self::Refused => "refused",
            Self::AddressRefused => "address refused",
            Self::Tls => "tls",
            Self::Proxy => "proxy",
            Self::Timeout => "timeout",
            Self::Other => "other",
        }
    }
}

/// An address the policy refused, kept typed for [`PixivError::AddressRefused`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) host: String,
    pub(crate) ip: IpAddr,
    pub(crate) reason: AddressRefusal,
}

/// A failure to reach the server: a [`ConnectErrorKind`], a readable message (never a
/// credential: proxy URLs are redacted before they get here) and the underlying error, if any.
#[derive(Debug)]
pub struct ConnectError {
    kind: ConnectErrorKind,
    message: String,
    refusal: Option<Refusal>,
    source: Option<BoxError>,
}

impl ConnectError {
    /// A failure of `kind` described by `message`.
    pub(crate) fn new(kind: ConnectErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            refusal: None,
            source: None,
        }
    }

    /// `ip`, what `host` resolved to, refused by the address policy for `reason`.
    pub(crate) fn address_refused(host: &str, ip: IpAddr, reason: AddressRefusal) -> Self {
        let mut err = Self::new(
            ConnectErrorKind::AddressRefused,
            format!("{host} resolved to {ip}, which is refused ({reason:?})"),
        );
        err.refusal = Some(Refusal {
            host: host.to_owned(),
            ip,
            reason,
        });
        err
    }

    /// Which step failed.
    pub fn kind(&self) -> ConnectErrorKind {
        self.kind
    }

    /// The readable description.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The refused address, for [`ConnectErrorKind::AddressRefused`].
    pub(crate) fn refusal(&self) -> Option<&Refusal> {
        self.refusal.as_ref()
    }

    /// Splits the error for the error map: kind, message, refusal, source.
    pub(crate) fn into_parts(
        self,
    ) -> (ConnectErrorKind, String, Option<Refusal>, Option<BoxError>) {
        (self.kind, self.message, self.refusal, self.source)
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for ConnectError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_its_message_and_its_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused by peer");
        let mut err = ConnectError::new(ConnectErrorKind::Refused, "connection refused");
        err.source = Some(Box::new(io));
        assert_eq!(err.to_string(), "connection refused");
        assert_eq!(err.kind(), ConnectErrorKind::Refused);
        let source = StdError::source(&err).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("refused by peer"));
    }

    #[test]
    fn an_address_refusal_keeps_host_address_and_reason() {
        let ip: IpAddr = "169.254.169.254".parse().unwrap();
        let err = ConnectError::address_refused("metadata", ip, AddressRefusal::LinkLocal);
        assert_eq!(err.kind(), ConnectErrorKind::AddressRefused);
        let refusal = err.refusal().cloned();
        assert_eq!(
            refusal,
            Some(Refusal {
                host: "metadata".to_owned(),
                ip,
                reason: AddressRefusal::LinkLocal,
            })
        );
        assert_eq!(ConnectErrorKind::AddressRefused.as_str(), "address refused");
    }
}

//! [`TlsConfig`]: rustls with the `ring` provider, passed explicitly (never the process default).
//!
//! Verification is on by default against the bundled Mozilla roots (`webpki-roots`); the system's
//! store (`rustls-native-certs`) and extra PEM roots (a corporate proxy's CA, the local mock's CA)
//! are options. Turning verification off is an explicit, loud opt-in: PixivPy's `verify_ssl=False`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use pixiv_errors::PixivError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// Where the trusted root certificates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RootCerts {
    /// Mozilla's roots compiled in (`webpki-roots`): the same everywhere.
    #[default]
    Bundled,
    /// The operating system's store (`rustls-native-certs`, honours `SSL_CERT_FILE`/`SSL_CERT_DIR`).
    System,
    /// None but the ones added with [`TlsConfig::add_root_pem`]/[`TlsConfig::add_root_der`].
    Empty,
}

/// TLS settings. See the [module docs](self).
///
/// ```
/// use pixiv_transport::connect::{RootCerts, TlsConfig};
/// let pem = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
/// assert!(TlsConfig::new().add_root_pem(pem.as_bytes()).is_err());
/// let tls = TlsConfig::new().roots(RootCerts::System).enable_sni(false);
/// # let _ = tls;
/// ```
#[derive(Clone)]
#[must_use]
pub struct TlsConfig {
    roots: RootCerts,
    extra_roots: Vec<CertificateDer<'static>>,
    accept_invalid_certs: bool,
    enable_sni: bool,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            roots: RootCerts::Bundled,
            extra_roots: Vec::new(),
            accept_invalid_certs: false,
            enable_sni: true,
        }
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("roots", &self.roots)
            .field("extra_roots", &self.extra_roots.len())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field("enable_sni", &self.enable_sni)
            .finish()
    }
}

impl TlsConfig {
    /// Verification on, bundled roots, SNI on.
    pub fn new() -> Self {
        Self::default()
    }

    /// Which root store to start from.
    ///
    /// Default: [`RootCerts::Bundled`].
    pub fn roots(mut self, roots: RootCerts) -> Self {
        self.roots = roots;
        self
    }

    /// Trusts every certificate in a PEM bundle too (in addition to [`roots`](Self::roots)).
    ///
    /// Errors: `InvalidInput` when the PEM is malformed or holds no certificate.
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self, PixivError> {
        let before = self.extra_roots.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert =
                cert.map_err(|e| PixivError::invalid_input("root certificate PEM", e.to_string()))?;
            self.extra_roots.push(cert);
        }
        if self.extra_roots.len() == before {
            return Err(PixivError::invalid_input(
                "root certificate PEM",
                "no CERTIFICATE section found",
            ));
        }
        Ok(self)
    }

    /// Trusts one DER certificate too. It is checked when the client is built (`InvalidInput`).
    pub fn add_root_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(CertificateDer::from(der.into()));
        self
    }

    /// DANGER: accept any server certificate (expired, self-signed, for another name). Handshake
    /// signatures are still checked, so the peer must hold the certificate's key, but anyone on
    /// the path can present their own. Each client logs one `tracing::warn!` the first time it
    /// accepts a certificate this way. Applies to `https://` proxies too. PixivPy's
    /// `verify_ssl=False`.
    ///
    /// Default: `false`.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// Send the server name in the handshake (SNI). Off, the certificate is still verified against
    /// the URL's host: this is the "SNI bypass" route, never a way around verification.
    ///
    /// Default: `true`.
    pub fn enable_sni(mut self, enable: bool) -> Self {
        self.enable_sni = enable;
        self
    }

    /// Whether verification is off.
    pub fn accepts_invalid_certs(&self) -> bool {
        self.accept_invalid_certs
    }

    /// Builds the rustls configs: one for targets (with `alpn`), one for HTTPS proxies
    /// (`http/1.1` only: the CONNECT is written as HTTP/1.1). Both share one verifier, so the
    /// insecure warning is logged once per client.
    pub(crate) fn build(&self, alpn: &[&[u8]]) -> Result<TlsConfigs, PixivError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Option<Arc<dyn ServerCertVerifier>> = if self.accept_invalid_certs {
            Some(Arc::new(AcceptAnyServerCert {
                algorithms: provider.signature_verification_algorithms,
                warned: AtomicBool::new(false),
            }))
        } else {
            None
        };
        let roots = if verifier.is_none() {
            Some(Arc::new(self.root_store()?))
        } else {
            None
        };
        let make = |alpn: &[&[u8]]| -> Result<Arc<rustls::ClientConfig>, PixivError> {
            let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
                .with_safe_default_protocol_versions()
                .map_err(tls_error)?;
            let mut config = match (&verifier, &roots) {
                (Some(v), _) => builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::clone(v))
                    .with_no_client_auth(),
                (None, Some(roots)) => builder
                    .with_root_certificates(Arc::clone(roots))
                    .with_no_client_auth(),
                (None, None) => {
                    return Err(tls_error("no root store and no verifier"));
                }
            };
            config.enable_sni = self.enable_sni;
            config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
            Ok(Arc::new(config))
        };
        Ok(TlsConfigs {
            target: make(alpn)?,
            proxy: make(&[b"http/1.1"])?,
        })
    }

    fn root_store(&self) -> Result<RootCertStore, PixivError> {
        let mut store = RootCertStore::empty();
        match self.roots {
            RootCerts::Bundled => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            RootCerts::System => {
                let found = rustls_native_certs::load_native_certs();
                let (added, _ignored) = store.add_parsable_certificates(found.certs);
                if added == 0 {
                    let why = found
                        .errors
                        .first()
                        .map_or_else(|| "the store is empty".to_owned(), ToString::to_string);
                    return Err(tls_error(format!(
                        "no system root certificate could be loaded: {why}"
                    )));
                }
            }
            RootCerts::Empty => {}
        }
        for cert in &self.extra_roots {
            store
                .add(cert.clone())
                .map_err(|e| PixivError::invalid_input("root certificate", e.to_string()))?;
        }
        Ok(store)
    }
}

/// The two rustls configs one client uses.
pub(crate) struct TlsConfigs {
    pub(crate) target: Arc<rustls::ClientConfig>,
    pub(crate) proxy: Arc<rustls::ClientConfig>,
}

fn tls_error(e: impl Into<pixiv_errors::BoxError>) -> PixivError {
    PixivError::tls(e)
}

/// The verifier behind [`TlsConfig::danger_accept_invalid_certs`]: any certificate chain, but
/// the handshake signature must verify with the provider's algorithms.
#[derive(Debug)]
struct AcceptAnyServerCert {
    algorithms: WebPkiSupportedAlgorithms,
    warned: AtomicBool,
}

impl ServerCertVerifier for AcceptAnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                server = %server_name.to_str(),
                "TLS certificate verification is DISABLED (danger_accept_invalid_certs): \
                 accepting any certificate; anyone on the network path can read and change this traffic"
            );
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pem_is_invalid_input() {
        let err = TlsConfig::new().add_root_pem(b"hello").err();
        assert!(
            matches!(err, Some(PixivError::InvalidInput { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn garbage_der_fails_at_build() {
        let err = TlsConfig::new()
            .add_root_der(vec![1, 2, 3])
            .build(&[b"h2"])
            .err();
        assert!(
            matches!(err, Some(PixivError::InvalidInput { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn alpn_and_sni_reach_the_config() {
        let c = TlsConfig::new()
            .enable_sni(false)
            .build(&[b"h2", b"http/1.1"])
            .unwrap();
        assert!(!c.target.enable_sni);
        assert_eq!(
            c.target.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        assert_eq!(c.proxy.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }
}

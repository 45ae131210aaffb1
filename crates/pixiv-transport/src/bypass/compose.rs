//! How [`TransportBuilder::build`](crate::TransportBuilder::build) puts the routes together.

use std::fmt;

use pixiv_errors::{PixivError, SharedError};
use tower::ServiceExt as _;
use tower::util::BoxCloneSyncService;
use tower_layer::Layer as _;

use super::BypassLayer;
use super::config::Route;
use super::doh::DohResolver;
use crate::config::TransportConfig;
use crate::connect::HttpClient;
use crate::transport::BoxedStack;

/// The stack below the retry layer for the configured route(s), and the route to record on every
/// request span when there is only one (`None`: the [`Bypass`](super::Bypass) service records it).
///
/// `direct` is the stack over the direct client; `over` builds the same stack over another client.
pub(crate) fn routes(
    config: &TransportConfig,
    direct: BoxedStack,
    over: impl FnOnce(HttpClient) -> BoxedStack,
) -> Result<(BoxedStack, Option<Route>), PixivError> {
    let bypass = &config.bypass;
    match (bypass.route, bypass.fallback_on_challenge) {
        (Route::Direct, false) => Ok((direct, Some(Route::Direct))),
        (Route::Bypass, _) => Ok((bypass_stack(config, over)?, Some(Route::Bypass))),
        (Route::Direct, true) => {
            let layer = BypassLayer::new(bypass_stack(config, over)?).remember(bypass.remember);
            Ok((BoxCloneSyncService::new(layer.layer(direct)), None))
        }
    }
}

/// The bypass route: DoH-resolved addresses, SNI off, verification as configured (on by default),
/// TLS failures annotated.
fn bypass_stack(
    config: &TransportConfig,
    over: impl FnOnce(HttpClient) -> BoxedStack,
) -> Result<BoxedStack, PixivError> {
    let b = &config.bypass;
    let resolver = DohResolver::builder()
        .endpoints(b.doh_endpoints.clone())
        .timeout(b.doh_timeout)
        .ipv6(b.ipv6)
        .connect(config.connect.clone())
        .build()?;
    let connect = config
        .connect
        .clone()
        .tls(config.connect.tls.clone().enable_sni(false))
        .resolver(resolver);
    let client = HttpClient::new(connect)?;
    Ok(BoxCloneSyncService::new(
        over(client).map_err(annotate_tls_error),
    ))
}

/// A TLS failure on the bypass route says what probably caused it.
fn annotate_tls_error(err: PixivError) -> PixivError {
    match err {
        PixivError::Tls { source } => PixivError::tls(BypassTlsError { source }),
        other => other,
    }
}

/// A TLS error of the bypass route: the original, plus the likely reason.
#[derive(Debug)]
struct BypassTlsError {
    source: SharedError,
}

impl fmt::Display for BypassTlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (on the bypass route, TLS without SNI to a DoH-resolved address: the route may be \
             blocked, since Pixiv is reported to require SNI, or the address may not serve this \
             host; see docs/bypass.md)",
            self.source
        )
    }
}

impl std::error::Error for BypassTlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

//! [`BypassLayer`]: wraps the direct route's service, holding the bypass route's.

use std::time::Duration;

use tower_layer::Layer;

use super::config::DEFAULT_REMEMBER_BYPASS;
use super::service::{Bypass, RouteMemory};

/// Falls back from the direct route to the bypass route on a Cloudflare challenge. See the
/// [module docs](super).
///
/// The layer holds the bypass route's service; the service it wraps is the direct route. Clones
/// of the layer (and of the services it makes) share which hosts need the bypass route. Both
/// routes must be the same service type (box them, as [`Transport`](crate::Transport) does).
///
/// ```
/// use http::{Request, Response, StatusCode};
/// use pixiv_transport::bypass::BypassLayer;
/// use pixiv_transport::{PixivError, RequestBody};
/// use tower::util::BoxCloneSyncService;
/// use tower::{Layer as _, ServiceExt as _};
///
/// type Route = BoxCloneSyncService<Request<RequestBody>, Response<&'static str>, PixivError>;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // Stubs stand in for the two stacks: the direct one is always challenged.
/// let direct: Route = BoxCloneSyncService::new(tower::service_fn(|_req| async {
///     Err::<Response<&'static str>, _>(PixivError::cloudflare(StatusCode::FORBIDDEN, None))
/// }));
/// let bypass: Route = BoxCloneSyncService::new(tower::service_fn(|_req| async {
///     Ok::<_, PixivError>(Response::new("from the bypass route"))
/// }));
/// let svc = BypassLayer::new(bypass).layer(direct);
///
/// let url = "https://app-api.pixiv.net/v1/illust/detail";
/// let req = || Request::get(url).body(RequestBody::default()).unwrap();
/// let resp = svc.clone().oneshot(req()).await.unwrap();
/// assert_eq!(*resp.body(), "from the bypass route");
/// // Remembered: the next request to that host goes straight to the bypass route.
/// assert!(svc.uses_bypass("app-api.pixiv.net"));
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct BypassLayer<S> {
    bypass: S,
    memory: RouteMemory,
}

impl<S> BypassLayer<S> {
    /// Falls back to `bypass`, remembering a challenged host for [`DEFAULT_REMEMBER_BYPASS`].
    pub fn new(bypass: S) -> Self {
        Self {
            bypass,
            memory: RouteMemory::new(DEFAULT_REMEMBER_BYPASS),
        }
    }

    /// How long a challenged host goes straight to the bypass route.
    ///
    /// Default: [`DEFAULT_REMEMBER_BYPASS`] (10 min).
    pub fn remember(mut self, duration: Duration) -> Self {
        self.memory = RouteMemory::new(duration);
        self
    }
}

impl<S: Clone> Layer<S> for BypassLayer<S> {
    type Service = Bypass<S>;

    fn layer(&self, direct: S) -> Self::Service {
        Bypass {
            direct,
            bypass: self.bypass.clone(),
            memory: self.memory.clone(),
        }
    }
}

//! [`BypassLayer`]: wraps the direct route's service, holding the bypass route's.

use std::time::Duration;

use tower_layer::Layer;

use super::config::DEFAULT_REMEMBER_BYPASS;
use super::service::{Bypass, RouteMemory};

/// Falls back from the direct route to the bypass route on a Cloudflare challenge. See the
/// [module docs](super).
///
/// The layer holds the bypass route's service; the service it wraps is the direct route. Clones
/// of the layer (and of the services it makes) share which hosts need the bypass route.
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

use std::fmt;
use std::sync::Arc;

use http::Uri;
use tower_layer::Layer;

use super::{Auth, TokenSource};

/// Adds a Bearer token to requests for configured hosts and refreshes it once on rejection.
/// See the [module docs](super).
#[derive(Clone)]
#[must_use]
pub struct AuthLayer {
    pub(crate) source: Arc<dyn TokenSource>,
    pub(crate) targets: Arc<Targets>,
}

impl AuthLayer {
    /// A layer taking tokens from `source`, sending them to no host yet: add
    /// [`for_hosts`](Self::for_hosts) or [`for_origins`](Self::for_origins).
    pub fn new(source: Arc<dyn TokenSource>) -> Self {
        Self {
            source,
            targets: Arc::new(Targets::default()),
        }
    }

    /// Also send the token to these host names (case-insensitive, any port), over `https` only.
    pub fn for_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let targets = Arc::make_mut(&mut self.targets);
        targets
            .hosts
            .extend(hosts.into_iter().map(|h| h.into().to_ascii_lowercase()));
        self
    }

    /// Also send the token to these exact origins (scheme, host and port; the default port of the
    /// scheme when absent; `https` when the URI has no scheme). Plain `http` origins are allowed
    /// here, for local test servers.
    pub fn for_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = Uri>,
    {
        let targets = Arc::make_mut(&mut self.targets);
        targets
            .origins
            .extend(origins.into_iter().filter_map(|u| Origin::of(&u)));
        self
    }

    /// The token source.
    pub fn source(&self) -> &Arc<dyn TokenSource> {
        &self.source
    }
}

impl fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthLayer")
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Auth {
            inner,
            source: Arc::clone(&self.source),
            targets: Arc::clone(&self.targets),
        }
    }
}

/// Where the token may go.
#[derive(Debug, Clone, Default)]
pub(crate) struct Targets {
    hosts: Vec<String>,
    origins: Vec<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(uri: &Uri) -> Option<Self> {
        let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
        let port = uri.port_u16().or(match scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        })?;
        Some(Self {
            host: uri.host()?.to_ascii_lowercase(),
            scheme,
            port,
        })
    }
}

impl Targets {
    /// Whether a request to `uri` may carry the token.
    pub(crate) fn matches(&self, uri: &Uri) -> bool {
        let Some(origin) = Origin::of(uri) else {
            return false;
        };
        (origin.scheme == "https" && self.hosts.contains(&origin.host))
            || self.origins.contains(&origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(hosts: &[&str], origins: &[&str]) -> Targets {
        Targets {
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            origins: origins
                .iter()
                .filter_map(|o| Origin::of(&o.parse().unwrap()))
                .collect(),
        }
    }

    #[test]
    fn hosts_match_https_any_port_only() {
        let t = targets(&["app-api.pixiv.net"], &[]);
        assert!(t.matches(&"https://app-api.pixiv.net/v1/x".parse().unwrap()));
        assert!(t.matches(&"https://APP-API.pixiv.net:8443/v1/x".parse().unwrap()));
        assert!(!t.matches(&"http://app-api.pixiv.net/v1/x".parse().unwrap()));
        assert!(!t.matches(&"https://i.pximg.net/img".parse().unwrap()));
        assert!(!t.matches(&"https://evil-app-api.pixiv.net/".parse().unwrap()));
        assert!(!t.matches(&"/relative".parse().unwrap()));
    }

    #[test]
    fn origins_match_exactly() {
        let t = targets(&[], &["https://127.0.0.1:4443", "http://localhost:8080"]);
        assert!(t.matches(&"https://127.0.0.1:4443/v1".parse().unwrap()));
        assert!(!t.matches(&"https://127.0.0.1:4444/v1".parse().unwrap()));
        assert!(!t.matches(&"https://localhost:4443/v1".parse().unwrap()));
        assert!(t.matches(&"http://localhost:8080/v1".parse().unwrap()));
        assert!(!t.matches(&"https://localhost:8080/v1".parse().unwrap()));
        assert!(
            targets(&[], &["https://a.example"])
                .matches(&"https://a.example:443/".parse().unwrap())
        );
    }

    #[test]
    fn default_matches_nothing() {
        assert!(!Targets::default().matches(&"https://app-api.pixiv.net/".parse().unwrap()));
    }
}

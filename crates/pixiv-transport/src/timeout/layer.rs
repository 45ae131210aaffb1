//! [`TimeoutLayer`] and the per-request [`TimeoutOverride`].

use std::time::Duration;

use tower_layer::Layer;

use super::service::Timeout;

/// Time to response headers: PixivPy's `timeout=10` (requests' read timeout before the head).
pub const DEFAULT_HEADERS_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest silence inside a body: PixivPy's `timeout=10` (requests applies it per socket read).
pub const DEFAULT_BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings of one attempt; `None` disables that timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) headers: Option<Duration>,
    pub(crate) body_idle: Option<Duration>,
    pub(crate) total: Option<Duration>,
}

/// Applies [`Timeout`]: headers, body idle, optional total deadline. See the
/// [module docs](super).
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct TimeoutLayer {
    settings: Settings,
}

impl Default for TimeoutLayer {
    fn default() -> Self {
        Self {
            settings: Settings {
                headers: Some(DEFAULT_HEADERS_TIMEOUT),
                body_idle: Some(DEFAULT_BODY_IDLE_TIMEOUT),
                total: None,
            },
        }
    }
}

impl TimeoutLayer {
    /// Headers 10 s, body idle 10 s, no total deadline.
    pub fn new() -> Self {
        Self::default()
    }

    /// Time to response headers. Default: [`DEFAULT_HEADERS_TIMEOUT`] (10 s).
    pub fn headers(mut self, timeout: Option<Duration>) -> Self {
        self.settings.headers = timeout;
        self
    }

    /// Longest wait for the next body frame. Default: [`DEFAULT_BODY_IDLE_TIMEOUT`] (10 s).
    pub fn body_idle(mut self, timeout: Option<Duration>) -> Self {
        self.settings.body_idle = timeout;
        self
    }

    /// Deadline for headers and body together. Default: `None`.
    pub fn total(mut self, timeout: Option<Duration>) -> Self {
        self.settings.total = timeout;
        self
    }

    /// The timeouts set, for the transport's checks at build time.
    pub(crate) fn settings(&self) -> Settings {
        self.settings
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;

    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout::new(inner, self.settings)
    }
}

/// A request extension that replaces some of the layer's timeouts for this request only.
///
/// ```
/// use std::time::Duration;
/// use pixiv_transport::timeout::TimeoutOverride;
/// // A large download: no total deadline, a longer idle timeout.
/// let o = TimeoutOverride::new().total(None).body_idle(Some(Duration::from_secs(30)));
/// # let _ = o;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct TimeoutOverride {
    headers: Option<Option<Duration>>,
    body_idle: Option<Option<Duration>>,
    total: Option<Option<Duration>>,
}

impl TimeoutOverride {
    /// Overrides nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// This request's time to headers (`None`: no limit).
    pub fn headers(mut self, timeout: Option<Duration>) -> Self {
        self.headers = Some(timeout);
        self
    }

    /// This request's body idle timeout (`None`: no limit).
    pub fn body_idle(mut self, timeout: Option<Duration>) -> Self {
        self.body_idle = Some(timeout);
        self
    }

    /// This request's total deadline (`None`: no deadline, for downloads).
    pub fn total(mut self, timeout: Option<Duration>) -> Self {
        self.total = Some(timeout);
        self
    }

    pub(crate) fn apply(&self, mut s: Settings) -> Settings {
        if let Some(h) = self.headers {
            s.headers = h;
        }
        if let Some(b) = self.body_idle {
            s.body_idle = b;
        }
        if let Some(t) = self.total {
            s.total = t;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pixivpys_timeout() {
        let s = TimeoutLayer::new().settings;
        assert_eq!(s.headers, Some(Duration::from_secs(10)));
        assert_eq!(s.body_idle, Some(Duration::from_secs(10)));
        assert_eq!(s.total, None);
    }

    #[test]
    fn an_override_replaces_only_what_it_names() {
        let s = TimeoutLayer::new()
            .total(Some(Duration::from_secs(30)))
            .settings;
        let o = TimeoutOverride::new()
            .total(None)
            .headers(Some(Duration::from_secs(2)));
        let applied = o.apply(s);
        assert_eq!(applied.total, None);
        assert_eq!(applied.headers, Some(Duration::from_secs(2)));
        assert_eq!(applied.body_idle, s.body_idle);
        assert_eq!(TimeoutOverride::new().apply(s), s);
    }

    #[test]
    fn each_setter_sets_its_own_timeout() {
        let s = TimeoutLayer::new()
            .headers(Some(Duration::from_secs(1)))
            .body_idle(Some(Duration::from_secs(2)))
            .total(Some(Duration::from_secs(3)))
            .settings;
        assert_eq!(s.headers, Some(Duration::from_secs(1)));
        assert_eq!(s.body_idle, Some(Duration::from_secs(2)));
        assert_eq!(s.total, Some(Duration::from_secs(3)));
        let o = TimeoutOverride::new().body_idle(Some(Duration::from_secs(5)));
        let applied = o.apply(TimeoutLayer::new().settings);
        assert_eq!(applied.body_idle, Some(Duration::from_secs(5)));
        assert_eq!(applied.headers, Some(DEFAULT_HEADERS_TIMEOUT));
    }
}

use tower_layer::Layer;

use super::{DEFAULT_MAX_ERROR_BODY, DEFAULT_MAX_JSON_BODY, ErrorMap};

/// Applies [`ErrorMap`] to a raw client. See the [module docs](super) for what it maps.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct ErrorMapLayer {
    pub(crate) limits: Limits,
}

/// The buffering caps, shared by the layer, service and future.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_error_body: usize,
    pub(crate) max_json_body: usize,
}

impl Default for ErrorMapLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl ErrorMapLayer {
    /// A layer with the default caps ([`DEFAULT_MAX_ERROR_BODY`], [`DEFAULT_MAX_JSON_BODY`]).
    pub fn new() -> Self {
        Self {
            limits: Limits {
                max_error_body: DEFAULT_MAX_ERROR_BODY,
                max_json_body: DEFAULT_MAX_JSON_BODY,
            },
        }
    }

    /// At most this many bytes of an error answer's body are read for classification.
    ///
    /// Default: [`DEFAULT_MAX_ERROR_BODY`] (64 KiB).
    pub fn max_error_body(mut self, max: usize) -> Self {
        self.limits.max_error_body = max;
        self
    }

    /// The largest 2xx JSON answer buffered; a larger one is
    /// [`PixivError::BodyTooLarge`](pixiv_errors::PixivError::BodyTooLarge), refused as soon as its
    /// `Content-Length` (or the bytes read so far) exceeds the cap.
    ///
    /// Default: [`DEFAULT_MAX_JSON_BODY`] (16 MiB).
    pub fn max_json_body(mut self, max: usize) -> Self {
        self.limits.max_json_body = max;
        self
    }
}

impl<S> Layer<S> for ErrorMapLayer {
    type Service = ErrorMap<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ErrorMap {
            inner,
            limits: self.limits,
        }
    }
}

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderMap, Request};
use tower_service::Service;

/// Adds default headers to requests that lack them. See the [module docs](super).
///
/// The response future is the inner service's: nothing happens after the call, so there is no
/// future type of our own (as tower-http's `SetRequestHeader`).
#[derive(Debug, Clone)]
pub struct DefaultHeaders<S> {
    pub(crate) inner: S,
    pub(crate) headers: Arc<HeaderMap>,
}

impl<S> DefaultHeaders<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B> Service<Request<B>> for DefaultHeaders<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        apply(&self.headers, req.headers_mut());
        self.inner.call(req)
    }
}

/// Appends every value of each default whose name `target` lacks.
fn apply(defaults: &HeaderMap, target: &mut HeaderMap) {
    for name in defaults.keys() {
        if target.contains_key(name) {
            continue;
        }
        for value in defaults.get_all(name) {
            target.append(name.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn every_value_of_a_missing_default_is_added_and_present_ones_win() {
        let mut defaults = HeaderMap::new();
        defaults.append("x-a", HeaderValue::from_static("1"));
        defaults.append("x-a", HeaderValue::from_static("2"));
        defaults.insert("x-b", HeaderValue::from_static("default"));
        let mut target = HeaderMap::new();
        target.insert("x-b", HeaderValue::from_static("mine"));
        apply(&defaults, &mut target);
        assert_eq!(target.get_all("x-a").iter().count(), 2);
        assert_eq!(target["x-b"], "mine");
        assert_eq!(target.get_all("x-b").iter().count(), 1);
    }
}

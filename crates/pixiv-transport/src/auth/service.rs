use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response};
use pixiv_errors::{AuthErrorKind, PixivError};
use tower::ServiceExt as _;
use tower_service::Service;

use super::layer::Targets;
use super::{AccessToken, ResponseFuture, TokenSource};
use crate::{Body, RequestBody};

/// Adds a Bearer token to requests for configured hosts and refreshes it once on rejection.
/// See the [module docs](super).
///
/// Not generic over the body: after a refresh the request is sent again, which needs a body that
/// can be replayed, as the stack's [`RequestBody`] (`Full<Bytes>`) cheaply is.
#[derive(Clone)]
pub struct Auth<S> {
    pub(crate) inner: S,
    pub(crate) source: Arc<dyn TokenSource>,
    pub(crate) targets: Arc<Targets>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Auth<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("inner", &self.inner)
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

inner_accessors!(Auth);

impl<S> Service<Request<RequestBody>> for Auth<S>
where
    S: Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = PixivError;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<RequestBody>) -> Self::Future {
        if req.headers().contains_key(AUTHORIZATION) || !self.targets.matches(req.uri()) {
            return ResponseFuture::direct(self.inner.call(req));
        }
        // The ready service goes into the future; a clone stays for the next poll_ready.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let source = Arc::clone(&self.source);
        ResponseFuture::with_token(Box::pin(call_with_token(inner, source, req)))
    }
}

async fn call_with_token<S>(
    mut inner: S,
    source: Arc<dyn TokenSource>,
    req: Request<RequestBody>,
) -> Result<Response<Body>, PixivError>
where
    S: Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError> + Clone,
{
    let token = source.token().await?;
    let mut replay = req.clone();
    // `inner` is the ready service; the replay (if any) goes through a clone made ready again.
    let mut again = inner.clone();
    let first = inner.call(with_bearer(req, &token)?).await;
    match first {
        Err(PixivError::Auth {
            kind: AuthErrorKind::InvalidAccessToken | AuthErrorKind::Unauthorized,
            ..
        }) => {
            tracing::debug!("access token rejected; refreshing once and replaying");
            let fresh = source.refresh(&token).await?;
            replay = with_bearer(replay, &fresh)?;
            again.ready().await?.call(replay).await
        }
        other => other,
    }
}

fn with_bearer(
    mut req: Request<RequestBody>,
    token: &AccessToken,
) -> Result<Request<RequestBody>, PixivError> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.secret()))
        .map_err(|_| PixivError::invalid_input("access token", "not a valid header value"))?;
    value.set_sensitive(true);
    req.headers_mut().insert(AUTHORIZATION, value);
    Ok(req)
}

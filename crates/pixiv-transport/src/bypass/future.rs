//! [`ResponseFuture`] of [`Bypass`](super::Bypass).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::{Request, Response};
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;
use tower::ServiceExt as _;
use tower::util::Oneshot;
use tower_service::Service;

use super::config::Route;
use super::service::{RouteMemory, record_route};

/// What the direct attempt needs to fall back: the bypass route and a copy of the request.
pub(crate) struct Fallback<S, B> {
    pub(crate) service: S,
    pub(crate) request: Request<B>,
    pub(crate) memory: RouteMemory,
    pub(crate) host: String,
}

pin_project! {
    /// Response future of [`Bypass`](super::Bypass).
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S, B>
    where
        S: Service<Request<B>>,
    {
        Direct {
            #[pin]
            future: Oneshot<S, Request<B>>,
            fallback: Option<Fallback<S, B>>,
        },
        Bypass {
            #[pin]
            future: Oneshot<S, Request<B>>,
        },
    }
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<Request<B>>,
{
    pub(crate) fn direct(future: Oneshot<S, Request<B>>, fallback: Fallback<S, B>) -> Self {
        Self {
            state: State::Direct {
                future,
                fallback: Some(fallback),
            },
        }
    }

    pub(crate) fn bypass(future: Oneshot<S, Request<B>>) -> Self {
        Self {
            state: State::Bypass { future },
        }
    }
}

impl<S, B, RB> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<RB>, Error = PixivError>,
{
    type Output = Result<Response<RB>, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            let next = match state.as_mut().project() {
                StateProj::Bypass { future } => return future.poll(cx),
                StateProj::Direct { future, fallback } => {
                    let result = ready!(future.poll(cx));
                    let ray_id = match &result {
                        Err(PixivError::CloudflareChallenge { ray_id, .. }) => ray_id.clone(),
                        _ => return Poll::Ready(result),
                    };
                    let Some(fallback) = fallback.take() else {
                        return Poll::Ready(result);
                    };
                    // A challenge page means the request never reached Pixiv's origin, so sending
                    // it again is safe whatever its method.
                    fallback.memory.remember(&fallback.host);
                    record_route(Route::Bypass);
                    tracing::info!(
                        host = %fallback.host,
                        ray_id = ray_id.as_deref().unwrap_or(""),
                        "Cloudflare challenge on the direct route; \
                         sending the request again on the bypass route"
                    );
                    State::Bypass {
                        future: fallback.service.oneshot(fallback.request),
                    }
                }
            };
            state.set(next);
        }
    }
}

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::{Request, Response};
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;
use tokio::time::Sleep;
use tower_service::Service;

use super::layer::RetryHook;
use super::{RetryEvent, RetryInfo, RetryLayer, RetryPolicy};

pin_project! {
    /// The future of [`Retry`](super::Retry): one attempt at a time, a timer between them.
    ///
    /// A hand-written state machine rather than a boxed `async` block: the states are few
    /// (calling, waiting, readying the inner service) and it keeps the layer allocation-free.
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S::Future>,
        inner: S,
        // A copy of the request for the next attempt; `None` when no retry can happen.
        request: Option<Request<B>>,
        retries: u32,
        policy: Arc<RetryPolicy>,
        on_retry: Option<RetryHook>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // An attempt in flight.
        Calling { #[pin] future: F },
        // The wait before the next attempt.
        Waiting { #[pin] sleep: Sleep },
        // Driving the inner service ready for the next attempt.
        Readying,
    }
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<Request<B>>,
    B: Clone,
{
    pub(crate) fn new(mut inner: S, request: Request<B>, layer: &RetryLayer) -> Self {
        let policy = Arc::clone(&layer.policy);
        // Keep a copy only if a retry is possible at all.
        let keep = policy.get_max_retries() > 0 && policy.allows_method(request.method());
        let (first, request) = if keep {
            (request.clone(), Some(request))
        } else {
            (request, None)
        };
        Self {
            state: State::Calling {
                future: inner.call(first),
            },
            inner,
            request,
            retries: 0,
            policy,
            on_retry: layer.on_retry.clone(),
        }
    }
}

impl<S, B, RB> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<RB>, Error = PixivError>,
    B: Clone,
{
    type Output = Result<Response<RB>, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Calling { future } => {
                    let error = match ready!(future.poll(cx)) {
                        Ok(mut response) => {
                            response.extensions_mut().insert(RetryInfo {
                                retries: *this.retries,
                            });
                            return Poll::Ready(Ok(response));
                        }
                        Err(error) => error,
                    };
                    let Some(request) = this.request.as_ref() else {
                        return Poll::Ready(Err(error));
                    };
                    if *this.retries >= this.policy.get_max_retries()
                        || !this.policy.should_retry(request.method(), &error)
                    {
                        if *this.retries > 0 {
                            tracing::debug!(retries = *this.retries, %error, "giving up");
                        }
                        return Poll::Ready(Err(error));
                    }
                    *this.retries += 1;
                    let wait = this.policy.delay(*this.retries, &error);
                    tracing::debug!(
                        retry = *this.retries,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        method = %request.method(),
                        %error,
                        "retrying"
                    );
                    if let Some(hook) = this.on_retry.as_ref() {
                        hook(&RetryEvent {
                            retry: *this.retries,
                            wait,
                            error: &error,
                            method: request.method(),
                            uri: request.uri(),
                        });
                    }
                    this.state.set(State::Waiting {
                        sleep: tokio::time::sleep(wait),
                    });
                }
                StateProj::Waiting { sleep } => {
                    ready!(sleep.poll(cx));
                    this.state.set(State::Readying);
                }
                StateProj::Readying => {
                    ready!(this.inner.poll_ready(cx))?;
                    // The last allowed attempt takes the copy instead of cloning it again.
                    let request = if *this.retries >= this.policy.get_max_retries() {
                        this.request.take()
                    } else {
                        this.request.clone()
                    };
                    let Some(request) = request else {
                        return Poll::Ready(Err(PixivError::invalid_input(
                            "retry future",
                            "polled after it completed",
                        )));
                    };
                    let future = this.inner.call(request);
                    this.state.set(State::Calling { future });
                }
            }
        }
    }
}

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Response, response::Parts};
use http_body_util::Full;
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;

use super::Limits;
use super::{BoxError, ResponseBody, map_body_error, map_transport_error};
use crate::Body;
use crate::body::BodyBuffer;

pin_project! {
    /// Response future of [`ErrorMap`](super::ErrorMap): waits for the head, then either passes a
    /// streaming body through or buffers an error / JSON body and classifies it.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
        limits: Limits,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Waiting { #[pin] future: F },
        Buffering {
            #[pin]
            body: B,
            parts: Option<Parts>,
            buf: BodyBuffer,
            mode: Mode,
        },
        Done,
    }
}

/// Why a body is being buffered.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// An error answer: read at most `cap` bytes, then classify whatever was read.
    Error { cap: usize },
    /// A 2xx JSON answer: read it whole (at most `cap` bytes), check it for Pixiv's `error` object.
    Json { cap: usize },
}

impl<F, B> ResponseFuture<F, B> {
    pub(crate) fn new(future: F, limits: Limits) -> Self {
        Self {
            state: State::Waiting { future },
            limits,
        }
    }
}

impl<F, B> std::fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    E: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response<Body>, PixivError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let limits = self.limits;
            let mut this = self.as_mut().project();
            match this.state.as_mut().project() {
                StateProj::Waiting { future } => {
                    let response = match ready!(future.poll(cx)) {
                        Ok(r) => r,
                        Err(e) => {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(map_transport_error(e.into())));
                        }
                    };
                    let (parts, body) = response.into_parts();
                    let expected = content_length(&parts.headers);
                    let mode = if parts.status.as_u16() >= 400 {
                        Mode::Error {
                            cap: limits.max_error_body,
                        }
                    } else if parts.status.is_success() && is_json(&parts.headers) {
                        if expected.is_some_and(|len| len > limits.max_json_body as u64) {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(PixivError::body_too_large(
                                limits.max_json_body as u64,
                            )));
                        }
                        Mode::Json {
                            cap: limits.max_json_body,
                        }
                    } else {
                        this.state.set(State::Done);
                        let body = crate::body::boxed(ResponseBody::new(body, expected));
                        return Poll::Ready(Ok(Response::from_parts(parts, body)));
                    };
                    let capacity = expected
                        .map_or(0, |len| len.min(cap_of(mode) as u64) as usize)
                        .min(DEFAULT_PREALLOCATION_CAP);
                    this.state.set(State::Buffering {
                        body,
                        parts: Some(parts),
                        buf: BodyBuffer::new(capacity),
                        mode,
                    });
                }
                StateProj::Buffering {
                    mut body,
                    parts,
                    buf,
                    mode,
                } => {
                    let mode = *mode;
                    // Read until the end, an error, or the cap.
                    let outcome = loop {
                        match ready!(body.as_mut().poll_frame(cx)) {
                            None => break Ok(()),
                            Some(Err(e)) => break Err(e.into()),
                            Some(Ok(frame)) => {
                                let Ok(data) = frame.into_data() else {
                                    continue;
                                };
                                buf.push(data);
                                if buf.len() > cap_of(mode) {
                                    break Ok(());
                                }
                            }
                        }
                    };
                    let Some(parts) = parts.take() else {
                        // Unreachable: `parts` is only taken here, and the state changes right after.
                        this.state.set(State::Done);
                        return Poll::Ready(Err(PixivError::invalid_input(
                            "response future",
                            "polled after completion",
                        )));
                    };
                    let mut bytes = buf.take();
                    this.state.set(State::Done);
                    return Poll::Ready(finish(parts, &mut bytes, mode, outcome));
                }
                StateProj::Done => {
                    return Poll::Ready(Err(PixivError::invalid_input(
                        "response future",
                        "polled after completion",
                    )));
                }
            }
        }
    }
}

/// At most this much is reserved from a `Content-Length` when a second frame arrives (a lying
/// header must not make us allocate 16 MiB for nothing); the buffer grows past it as bytes arrive.
const DEFAULT_PREALLOCATION_CAP: usize = 256 * 1024;

fn cap_of(mode: Mode) -> usize {
    match mode {
        Mode::Error { cap } | Mode::Json { cap } => cap,
    }
}

fn finish(
    parts: Parts,
    bytes: &mut Bytes,
    mode: Mode,
    outcome: Result<(), BoxError>,
) -> Result<Response<Body>, PixivError> {
    match mode {
        Mode::Error { cap } => {
            // A cut error body is still classified on what arrived: the status decides anyway.
            bytes.truncate(cap);
            Err(
                pixiv_errors::classify(parts.status, &parts.headers, bytes).unwrap_or_else(|| {
                    PixivError::http(
                        parts.status,
                        parts.status.canonical_reason().unwrap_or("error"),
                    )
                }),
            )
        }
        Mode::Json { cap } => {
            if let Err(e) = outcome {
                return Err(map_body_error(
                    e,
                    content_length(&parts.headers),
                    bytes.len() as u64,
                ));
            }
            if bytes.len() > cap {
                return Err(PixivError::body_too_large(cap as u64));
            }
            if let Some(err) = pixiv_errors::classify(parts.status, &parts.headers, bytes) {
                return Err(err);
            }
            let body = crate::body::boxed(Full::new(std::mem::take(bytes)));
            Ok(Response::from_parts(parts, body))
        }
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// `application/json`, with or without parameters (`; charset=utf-8`), any case.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn json_content_types() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(is_json(&h));
        h.insert(CONTENT_TYPE, HeaderValue::from_static("Application/JSON"));
        assert!(is_json(&h));
        h.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
        assert!(!is_json(&h));
    }
}

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use pin_project_lite::pin_project;
use pixiv_errors::PixivError;

use super::{BoxError, map_body_error};

pin_project! {
    /// A streaming response body whose errors are mapped by [`map_body_error`]: it counts the
    /// data bytes delivered, so a cut connection becomes
    /// [`PixivError::Truncated`] with the announced and received lengths.
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        inner: B,
        expected: Option<u64>,
        received: u64,
    }
}

impl<B> ResponseBody<B> {
    /// Wraps `inner`; `expected` is the answer's `Content-Length`, if it announced one.
    pub fn new(inner: B, expected: Option<u64>) -> Self {
        Self {
            inner,
            expected,
            received: 0,
        }
    }
}

impl<B> http_body::Body for ResponseBody<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = PixivError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        match ready!(this.inner.poll_frame(cx)) {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    *this.received += data.len() as u64;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Some(Err(e)) => Poll::Ready(Some(Err(map_body_error(
                e.into(),
                *this.expected,
                *this.received,
            )))),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

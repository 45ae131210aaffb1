//! The body types that travel through the stack.
//!
//! Requests carry [`RequestBody`] (`Full<Bytes>`): cheap to clone, so the retry and redirect layers can
//! replay a request without buffering anything a second time. Responses carry [`Body`], a boxed
//! streaming body whose errors are already [`PixivError`]s, so a download reads it frame by frame and
//! never holds a whole file.

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use pixiv_errors::PixivError;

/// The request body inside the stack: the whole body in memory, replayable.
pub type RequestBody = Full<Bytes>;

/// The response body the stack returns: streaming, `Send + Sync`, with typed errors.
pub type Body = BoxBody<Bytes, PixivError>;

/// Boxes any body whose errors convert into [`PixivError`] into a [`Body`].
pub fn boxed<B>(body: B) -> Body
where
    B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<PixivError>,
{
    body.map_err(Into::into).boxed()
}

/// An empty response body.
pub fn empty() -> Body {
    boxed(http_body_util::Empty::<Bytes>::new())
}

/// A body being read into memory: the first frame as it came (no copy: a small answer is usually
/// one frame), then, from the second frame on, every byte copied into one buffer.
#[derive(Debug, Default)]
pub(crate) struct BodyBuffer {
    first: Bytes,
    rest: Option<BytesMut>,
    /// What to reserve once a second frame arrives (from `Content-Length`, capped).
    capacity: usize,
}

impl BodyBuffer {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            first: Bytes::new(),
            rest: None,
            capacity,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.rest.as_ref().map_or(self.first.len(), BytesMut::len)
    }

    pub(crate) fn push(&mut self, data: Bytes) {
        if let Some(rest) = &mut self.rest {
            rest.extend_from_slice(&data);
        } else if self.first.is_empty() {
            self.first = data;
        } else {
            let mut rest =
                BytesMut::with_capacity(self.capacity.max(self.first.len() + data.len()));
            rest.extend_from_slice(&self.first);
            rest.extend_from_slice(&data);
            self.first = Bytes::new();
            self.rest = Some(rest);
        }
    }

    /// The bytes read, leaving the buffer empty.
    pub(crate) fn take(&mut self) -> Bytes {
        match self.rest.take() {
            Some(rest) => rest.freeze(),
            None => std::mem::take(&mut self.first),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_frame_is_kept_and_more_are_joined() {
        let mut buf = BodyBuffer::new(4);
        assert_eq!(buf.take(), Bytes::new());
        let frame = Bytes::from_static(b"{\"a\":1}");
        buf.push(frame.clone());
        assert_eq!(buf.len(), 7);
        let one = buf.take();
        assert_eq!(one, frame);
        assert_eq!(one.as_ptr(), frame.as_ptr(), "a single frame is not copied");

        for part in ["ab", "", "cde", "f"] {
            buf.push(Bytes::from(part));
        }
        assert_eq!(buf.len(), 6);
        assert_eq!(buf.take(), Bytes::from_static(b"abcdef"));
        assert_eq!(buf.len(), 0);
    }
}

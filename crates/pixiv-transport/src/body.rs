//! The body types that travel through the stack.
//!
//! Requests carry [`RequestBody`] (`Full<Bytes>`): cheap to clone, so the retry and redirect layers can
//! replay a request without buffering anything a second time. Responses carry [`Body`], a boxed
//! streaming body whose errors are already [`PixivError`]s, so a download reads it frame by frame and
//! never holds a whole file.

use bytes::Bytes;
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

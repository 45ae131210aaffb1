//! Downloads for pixiv-rs: the seed's naming rules, atomic writes, resume with `Range`/`If-Range`,
//! bounded batches with progress events.
//!
//! [`Downloader`] is generic over the HTTP service, so it runs on the pixiv `Transport` or on a
//! stack of your own: anything that is a `tower::Service<http::Request<RequestBody>>` answering
//! `http::Response<pixiv_transport::Body>` with [`PixivError`] errors ([`DownloadService`]).
//!
//! - [`Downloader::download`]: one file, named by [`Target`] (the seed's `path`, `prefix`, `ext`,
//!   `replace`, `referer`); written to `name.part`, synced, renamed into place; resumed after a
//!   break.
//! - [`Downloader::download_to_writer`], [`Downloader::download_bytes`]: no file.
//! - [`Downloader::download_batch`]: many, [`BatchOptions::concurrency`] at once, results in input
//!   order, [`Event`]s for a progress display.
//!
//! `docs/downloads.md` has the naming table, the resume protocol and the memory behaviour.
//!
//! ```
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use pixiv_download::{Downloader, Outcome, Target};
//! use pixiv_transport::{PixivError, RequestBody, body};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), PixivError> {
//! // Any service of the right shape; the pixiv Transport is one. A stub here.
//! let service = tower::service_fn(|req: Request<RequestBody>| async move {
//!     assert_eq!(req.headers()["referer"], "https://app-api.pixiv.net/");
//!     Ok::<_, PixivError>(
//!         Response::builder()
//!             .header("content-length", "5")
//!             .header("etag", "\"v1\"")
//!             .body(body::boxed(http_body_util::Full::new(Bytes::from_static(b"hello"))))
//!             .unwrap(),
//!     )
//! });
//! let downloader = Downloader::new(service);
//!
//! let dir = tempfile::tempdir().unwrap();
//! let url = "https://i.pximg.net/img-original/img/2024/01/01/00/00/00/1_p0.png";
//! let done = downloader.download(url, &Target::dir(dir.path()).prefix("pixiv_")).await?;
//! assert_eq!(done.path, dir.path().join("pixiv_1_p0.png"));
//! assert_eq!(done.outcome, Outcome::Written);
//! assert_eq!(std::fs::read(&done.path).unwrap(), b"hello");
//!
//! // replace = false (the default): an existing file is left alone, without a request.
//! let again = downloader.download(url, &Target::dir(dir.path()).prefix("pixiv_")).await?;
//! assert_eq!(again.outcome, Outcome::Skipped);
//! # Ok(())
//! # }
//! ```

pub mod batch;
mod downloader;
pub mod progress;
mod sink;
pub mod target;
pub mod template;
mod transfer;

pub use batch::{BatchItem, BatchOptions, DEFAULT_CONCURRENCY};
pub use downloader::{
    DEFAULT_BUFFER_CAPACITY, DEFAULT_MAX_BYTES, DownloadService, Downloaded, Downloader, Outcome,
};
pub use pixiv_errors::PixivError;
pub use pixiv_transport::retry::RetryPolicy;
pub use progress::{Event, EventSink, PROGRESS_STEP};
pub use target::{DEFAULT_REFERER, MAX_NAME_LEN, Target};
pub use template::{DEFAULT_TEMPLATE, Template, TemplateFields};

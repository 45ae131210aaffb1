//! Downloads for pixiv-rs: PixivPy's naming rules, atomic writes, resume with `Range`/`If-Range`,
//! bounded batches with progress events.
//!
//! [`Downloader`] is generic over the HTTP service, so it runs on the pixiv `Transport` or on a
//! stack of your own: anything that is a `tower::Service<http::Request<RequestBody>>` answering
//! `http::Response<pixiv_transport::Body>` with [`PixivError`] errors ([`DownloadService`]).
//!
//! - [`Downloader::download`]: one file, named by [`Target`] (PixivPy's `path`, `prefix`, `ext`,
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
//! // Any service of the right shape; the pixiv Transport is one. A stub here, answering the
//! // first bytes of a PNG (a download of a `.png` must start with the PNG signature).
//! const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
//! let service = tower::service_fn(|req: Request<RequestBody>| async move {
//!     assert_eq!(req.headers()["referer"], "https://app-api.pixiv.net/");
//!     assert_eq!(req.headers()["accept-encoding"], "identity");
//!     Ok::<_, PixivError>(
//!         Response::builder()
//!             .header("content-length", "8")
//!             .header("etag", "\"v1\"")
//!             .body(body::boxed(http_body_util::Full::new(Bytes::from_static(PNG))))
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
//! assert_eq!(std::fs::read(&done.path).unwrap(), PNG);
//!
//! // replace = false (the default): an existing file is left alone, without a request.
//! let again = downloader.download(url, &Target::dir(dir.path()).prefix("pixiv_")).await?;
//! assert_eq!(again.outcome, Outcome::Skipped);
//! # Ok(())
//! # }
//! ```

pub mod batch;
mod check;
mod downloader;
mod file_sink;
mod lock;
mod part_io;
mod part_names;
pub mod progress;
mod registry;
mod sink;
pub mod target;
pub mod template;
mod transfer;

pub use batch::{BatchItem, BatchOptions, DEFAULT_CONCURRENCY};
pub use downloader::{
    DEFAULT_BUFFER_CAPACITY, DEFAULT_LOCK_WAIT, DEFAULT_MAX_BYTES, DEFAULT_MAX_SIZE,
    DownloadService, Downloaded, Downloader, Outcome,
};
pub use file_sink::RESUME_RECORD_MIN_BYTES;
pub use pixiv_errors::PixivError;
pub use pixiv_transport::retry::RetryPolicy;
pub use progress::{Event, EventSink, PROGRESS_STEP};
pub use target::{DEFAULT_REFERER, FORMAT_CHAR_REPLACEMENT, MAX_NAME_LEN, Target};
pub use template::{DEFAULT_TEMPLATE, Template, TemplateFields};

//! [`Downloader`]: one download to a file, a writer or memory, over any HTTP service.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, Uri};
use pixiv_errors::PixivError;
use pixiv_transport::retry::RetryPolicy;
use pixiv_transport::{Body, RequestBody};
use tokio::io::AsyncWrite;
use tower_service::Service;

use crate::check::Format;
use crate::file_sink::FileSink;
use crate::progress::{Event, EventSink, Reporter};
use crate::registry::Registry;
use crate::sink::{MemorySink, Sink, WriterSink};
use crate::target::{DEFAULT_REFERER, Target};
use crate::transfer::{Job, transfer};

/// The write buffer of a file download: 256 KiB. Large enough that a fast transfer makes few
/// write calls, small enough that memory stays flat whatever the file's size.
pub const DEFAULT_BUFFER_CAPACITY: usize = 256 * 1024;

/// The cap of [`Downloader::download_bytes`]: 64 MiB (Pixiv's largest originals are tens of MiB;
/// ugoira zips likewise).
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The default cap of one download, file or not: 1 GiB ([`Downloader::max_size`]). Pixiv's
/// upload limits keep its originals and ugoira zips at tens of MiB (the same reasoning as
/// [`DEFAULT_MAX_BYTES`]), so 1 GiB is more than ten times the largest; it leaves room for any
/// plain URL a caller downloads while still stopping an endless body long before it fills a disk.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 30;

/// How long a download waits for another process holding its file's lock by default: 30 s.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(30);

/// What a finished download produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// The final path of the file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// How it got there.
    pub outcome: Outcome,
}

/// How a [`Downloaded`] file got there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Downloaded from its first byte.
    Written,
    /// Already there with `replace = false`: left alone, no request made.
    Skipped,
    /// Completed from a `.part` that already held `from` bytes (a resume, across calls or after
    /// a broken transfer within this call).
    Resumed {
        /// The bytes already held when the completing attempt started.
        from: u64,
    },
}

/// The HTTP service a [`Downloader`] drives: the pixiv `Transport`, or any tower stack that
/// answers with the transport's body and error types (for example hyper-util's client under
/// `pixiv_transport::error_map::ErrorMapLayer`).
pub trait DownloadService:
    Service<
        Request<RequestBody>,
        Response = Response<Body>,
        Error = PixivError,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static
{
}

impl<S> DownloadService for S where
    S: Service<
            Request<RequestBody>,
            Response = Response<Body>,
            Error = PixivError,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// Settings shared by every clone of a [`Downloader`].
#[derive(Debug, Clone)]
struct Config {
    referer: String,
    policy: RetryPolicy,
    buffer_capacity: usize,
    max_bytes: u64,
    max_size: u64,
    lock_wait: Duration,
    events: Option<EventSink>,
}

/// Downloads files through an HTTP service. A cheap `Clone`; see the [crate docs](crate) for an
/// example.
///
/// Every request goes through the service, so its retries, rate limit, timeouts and proxy
/// apply. The downloader adds the `Referer` the image host needs, never an `Authorization`
/// header, and a per-request opt-out of the transport's total deadline (a large file may take
/// longer than an API call; the headers and body-idle timeouts still apply).
#[derive(Clone)]
pub struct Downloader<S> {
    pub(crate) service: S,
    config: Arc<Config>,
    /// The targets this downloader and its clones are downloading (`registry.rs`).
    registry: Registry,
}

impl<S> fmt::Debug for Downloader<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Downloader")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: DownloadService> Downloader<S> {
    /// A downloader over `service` with the defaults: Referer [`DEFAULT_REFERER`],
    /// [`RetryPolicy::new`] for broken transfers, a [`DEFAULT_BUFFER_CAPACITY`] write buffer, a
    /// [`DEFAULT_MAX_BYTES`] cap for [`download_bytes`](Self::download_bytes), no events.
    pub fn new(service: S) -> Self {
        Self {
            service,
            config: Arc::new(Config {
                referer: DEFAULT_REFERER.to_owned(),
                policy: RetryPolicy::new(),
                buffer_capacity: DEFAULT_BUFFER_CAPACITY,
                max_bytes: DEFAULT_MAX_BYTES,
                max_size: DEFAULT_MAX_SIZE,
                lock_wait: DEFAULT_LOCK_WAIT,
                events: None,
            }),
            registry: Registry::default(),
        }
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// The `Referer` sent with every download (a [`Target::referer`] wins). Default
    /// [`DEFAULT_REFERER`]. A value that is not a valid header makes downloads fail with
    /// `InvalidInput`.
    #[must_use]
    pub fn referer(mut self, referer: impl Into<String>) -> Self {
        self.config_mut().referer = referer.into();
        self
    }

    /// How a transfer whose body broke off is retried (resuming from the bytes held): the
    /// transport's own [`RetryPolicy`], so the waits are the stack's. Only its retry budget, its
    /// `is_transient` and its `delay` are used: the request-level retries stay with the
    /// transport's retry layer. Default [`RetryPolicy::new`] (PixivPy's 3 retries, 1-2-4 s).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.config_mut().policy = policy;
        self
    }

    /// The write buffer of file downloads. Default [`DEFAULT_BUFFER_CAPACITY`] (256 KiB).
    #[must_use]
    pub fn buffer_capacity(mut self, bytes: usize) -> Self {
        self.config_mut().buffer_capacity = bytes.max(1);
        self
    }

    /// The cap of [`download_bytes`](Self::download_bytes). Default [`DEFAULT_MAX_BYTES`] (64 MiB).
    #[must_use]
    pub fn max_bytes(mut self, limit: u64) -> Self {
        self.config_mut().max_bytes = limit;
        self
    }

    /// The largest file a download accepts, in bytes. A `Content-Length` (or a 206's total)
    /// above it is refused before the body is read; a body that grows past it (no
    /// `Content-Length`, or a wrong one) stops there. Either way the error is `BodyTooLarge` and
    /// nothing is kept: no final file, no `.part`, no resume record. Default
    /// [`DEFAULT_MAX_SIZE`] (1 GiB). [`download_bytes`](Self::download_bytes) is also held to
    /// [`max_bytes`](Self::max_bytes).
    #[must_use]
    pub fn max_size(mut self, limit: u64) -> Self {
        self.config_mut().max_size = limit;
        self
    }

    /// How long a file download waits for another process (or another `Downloader` of this
    /// one) that is downloading the same file: its `.part` is locked for the whole transfer.
    /// When the lock comes free in time and the file is now there (and `replace` is off) the
    /// download is [`Outcome::Skipped`]; when it does not, the error is `InvalidInput` "being
    /// downloaded by another process". `Duration::ZERO` fails at once. Default
    /// [`DEFAULT_LOCK_WAIT`] (30 s). See `docs/downloads.md`, "Two processes, one file".
    #[must_use]
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.config_mut().lock_wait = wait;
        self
    }

    /// Report the events of single downloads here (index 0), and of batches whose
    /// [`BatchOptions`](crate::BatchOptions) name no sink of their own. Default: none.
    #[must_use]
    pub fn on_event(mut self, sink: EventSink) -> Self {
        self.config_mut().events = Some(sink);
        self
    }

    /// The wrapped service.
    pub fn service(&self) -> &S {
        &self.service
    }

    /// Downloads `url` to the file `target` names (see [`Target`] for the rules).
    ///
    /// The status is checked before a byte is written; the bytes go to a `.part` file beside
    /// the target, are counted against `Content-Length`, synced, and renamed into place. A
    /// failure or a cancelled future never leaves anything at the final path; a transfer that
    /// broke off keeps its `.part` (and its `.part.meta` sidecar) so the next call resumes it.
    /// See `docs/downloads.md` for the resume protocol.
    ///
    /// The request asks for `Accept-Encoding: identity`, and the answer is checked before a
    /// byte is kept: an answer with another `Content-Encoding`, or, for a URL naming a PNG,
    /// JPEG, GIF, WebP or ZIP file, a `text/*` or JSON `Content-Type` or first bytes that are
    /// not that format's, is a `Decode` error naming what came; more than
    /// [`max_size`](Self::max_size) bytes is `BodyTooLarge`. See `docs/security.md`.
    ///
    /// Errors: `InvalidInput` (a bad URL, an unsafe name), the service's errors (`Http`,
    /// `Timeout`, ...), `Decode` and `BodyTooLarge` as above, `Truncated` when the body stayed
    /// short after every retry, `Io` on the local side (a full disk).
    pub fn download(
        &self,
        url: &str,
        target: &Target,
    ) -> impl Future<Output = Result<Downloaded, PixivError>> + Send + use<S> {
        let this = self.clone();
        let url = url.to_owned();
        let target = target.clone();
        let reporter = self.reporter(None, 0);
        async move {
            reporter.emit(|index| Event::Queued {
                index,
                url: url.clone(),
            });
            let planned = plan(&url, &target);
            let result = match planned {
                Ok((uri, path)) => {
                    let key = normalise(&path);
                    let planned = Planned {
                        uri,
                        url,
                        path,
                        key,
                        target,
                        in_batch: false,
                    };
                    this.download_planned(planned, &reporter).await
                }
                Err(e) => Err(e),
            };
            report_end(&reporter, &result);
            result
        }
    }

    /// Streams `url` into `writer` (no file, no `.part`); returns the bytes written.
    ///
    /// A broken transfer resumes where it stopped when the server gave a validator; when the
    /// server sends the file from its start again (it changed), the call fails with `Decode`,
    /// since bytes already written cannot be taken back.
    pub fn download_to_writer<'w, W>(
        &self,
        url: &str,
        writer: &'w mut W,
    ) -> impl Future<Output = Result<u64, PixivError>> + Send + use<'w, S, W>
    where
        W: AsyncWrite + Unpin + Send,
    {
        let this = self.clone();
        let url = url.to_owned();
        async move {
            let mut sink = WriterSink::new(writer);
            let result = this.transfer_unfiled(&url, &mut sink).await;
            if let Err(e) = &result {
                tracing::debug!(written = sink.written(), error = %e, "download to writer failed");
            }
            result
        }
    }

    /// Downloads `url` into memory, at most [`max_bytes`](Self::max_bytes) (else
    /// `BodyTooLarge`, refused from `Content-Length` before reading when announced).
    pub fn download_bytes(
        &self,
        url: &str,
    ) -> impl Future<Output = Result<Bytes, PixivError>> + Send + use<S> {
        let this = self.clone();
        let url = url.to_owned();
        async move {
            let mut sink = MemorySink::new(this.config.max_bytes);
            this.transfer_unfiled(&url, &mut sink).await?;
            Ok(sink.into_bytes())
        }
    }

    /// One transfer with no file behind it (a writer, memory): reports `Queued`, then
    /// `Finished` (with an empty path) or `Failed`; returns the bytes transferred. Takes `self`
    /// (a clone) because a `&self` would make the caller's future need `S: Sync`.
    async fn transfer_unfiled<K: Sink>(self, url: &str, sink: &mut K) -> Result<u64, PixivError> {
        let reporter = self.reporter(None, 0);
        reporter.emit(|index| Event::Queued {
            index,
            url: url.to_owned(),
        });
        let prepared = parse_url(url).and_then(|uri| Ok((uri, self.referer_for(None)?)));
        let (uri, referer) = match prepared {
            Ok(p) => p,
            Err(e) => return Err(report_unfiled(&reporter, e)),
        };
        let mut job = Job {
            service: self.service.clone(),
            uri,
            referer,
            policy: self.config.policy.clone(),
            reporter,
            format: None,
            max_size: self.config.max_size,
        };
        job.format = Format::of_uri(&job.uri);
        match transfer(&mut job, sink).await {
            Ok(done) => {
                job.reporter.emit(|index| Event::Finished {
                    index,
                    path: PathBuf::new(),
                    bytes: done.bytes,
                });
                Ok(done.bytes)
            }
            Err(e) => Err(report_unfiled(&job.reporter, e)),
        }
    }

    pub(crate) fn reporter(&self, events: Option<&EventSink>, index: usize) -> Reporter {
        Reporter {
            sink: events.or(self.config.events.as_ref()).cloned(),
            index,
        }
    }

    fn referer_for(&self, target: Option<&Target>) -> Result<HeaderValue, PixivError> {
        let referer = target
            .and_then(Target::referer_override)
            .unwrap_or(&self.config.referer);
        HeaderValue::from_str(referer)
            .map_err(|_| PixivError::invalid_input("Referer", "not a valid header value"))
    }

    /// One file download whose final path is decided: skip, or transfer, then rename.
    ///
    /// Takes the downloader by value (a clone) so the future is `Send` without `S: Sync`.
    pub(crate) async fn download_planned(
        self,
        planned: Planned,
        reporter: &Reporter,
    ) -> Result<Downloaded, PixivError> {
        let Planned {
            uri,
            url,
            path,
            key,
            target,
            in_batch,
        } = planned;
        if !target.replaces() {
            // One `stat` on this thread, as the lock's own calls (`lock.rs`): cheaper than a
            // hand-off to the blocking pool for every file of a batch.
            if let Ok(meta) = std::fs::metadata(&path) {
                return Ok(Downloaded {
                    path,
                    bytes: meta.len(),
                    outcome: Outcome::Skipped,
                });
            }
        }
        let referer = self.referer_for(Some(&target))?;
        // A batch made its folders before its first item (once per folder).
        if let Some(parent) = path
            .parent()
            .filter(|p| !in_batch && !p.as_os_str().is_empty())
        {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| PixivError::io(parent, e))?;
        }
        let mut sink =
            FileSink::claim(&self.registry, &path, key, url, self.config.buffer_capacity)?;
        sink.lock(&path, self.config.lock_wait).await?;
        // Under the lock: another process may have finished this file while we waited.
        if !target.replaces() {
            if let Ok(meta) = std::fs::metadata(&path) {
                sink.leave();
                return Ok(Downloaded {
                    path,
                    bytes: meta.len(),
                    outcome: Outcome::Skipped,
                });
            }
        }
        let mut job = Job {
            service: self.service.clone(),
            uri,
            referer,
            policy: self.config.policy.clone(),
            reporter: reporter.clone(),
            format: None,
            max_size: self.config.max_size,
        };
        job.format = Format::of_uri(&job.uri);
        match transfer(&mut job, &mut sink).await {
            Ok(done) => {
                // A batch syncs each folder once at its end.
                if let Err(e) = sink.commit(&path, done.bytes, !in_batch).await {
                    sink.settle(false).await;
                    return Err(e);
                }
                Ok(Downloaded {
                    path,
                    bytes: done.bytes,
                    outcome: if done.resumed_from > 0 {
                        Outcome::Resumed {
                            from: done.resumed_from,
                        }
                    } else {
                        Outcome::Written
                    },
                })
            }
            Err(e) => {
                // A network failure may be resumed later; anything else (an error answer, a
                // full disk, a bad answer) would only leave garbage.
                sink.settle(e.is_retryable()).await;
                Err(e)
            }
        }
    }
}

/// One file download whose URL and final path are decided.
pub(crate) struct Planned {
    pub(crate) uri: Uri,
    pub(crate) url: String,
    pub(crate) path: PathBuf,
    /// [`normalise`]d `path`: the registry's key.
    pub(crate) key: PathBuf,
    pub(crate) target: Target,
    /// Part of a batch: its folder exists and is synced by the batch.
    pub(crate) in_batch: bool,
}

/// The URL parsed and the final path decided (no I/O beyond looking up an existing folder).
pub(crate) fn plan(url: &str, target: &Target) -> Result<(Uri, PathBuf), PixivError> {
    let uri = parse_url(url)?;
    let path = target.resolve_uri(&uri)?;
    Ok((uri, path))
}

fn parse_url(url: &str) -> Result<Uri, PixivError> {
    let uri: Uri = url
        .parse()
        .map_err(|e| PixivError::invalid_input("download URL", format!("{e}")))?;
    if uri.scheme().is_none() || uri.authority().is_none() {
        return Err(PixivError::invalid_input(
            "download URL",
            "it needs a scheme and a host",
        ));
    }
    Ok(uri)
}

/// Reports `Failed` for a download that has no file (writer, memory) and hands the error back.
fn report_unfiled(reporter: &Reporter, error: PixivError) -> PixivError {
    if reporter.listening() {
        reporter.emit(|index| Event::Failed {
            index,
            error: Arc::new(error.clone()),
        });
    }
    error
}

/// The last event of an item: Finished, Skipped or Failed.
pub(crate) fn report_end(reporter: &Reporter, result: &Result<Downloaded, PixivError>) {
    if !reporter.listening() {
        return;
    }
    match result {
        Ok(d) if d.outcome == Outcome::Skipped => reporter.emit(|index| Event::Skipped {
            index,
            path: d.path.clone(),
        }),
        Ok(d) => reporter.emit(|index| Event::Finished {
            index,
            path: d.path.clone(),
            bytes: d.bytes,
        }),
        Err(e) => reporter.emit(|index| Event::Failed {
            index,
            error: Arc::new(e.clone()),
        }),
    }
}

/// The key that tells two targets apart: the absolute path with `.` dropped and the folders
/// that exist resolved (symlinks and `..` included); a `..` after a folder that does not exist
/// yet cancels it lexically, since that folder will be created as a real one. Blocking `stat`
/// calls, a few per item, while a batch is planned.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    normalise_cached(path, &mut HashMap::new())
}

/// [`normalise`], with the folders already resolved in `folders` (a batch resolves each of its
/// folders once, not once per item).
pub(crate) fn normalise_cached(path: &Path, folders: &mut HashMap<PathBuf, PathBuf>) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let (parent, name) = match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => (parent, name),
        _ => return absolute,
    };
    if let Some(resolved) = folders.get(parent) {
        return resolved.join(name);
    }
    let mut resolved = PathBuf::new();
    for component in parent.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => {
                resolved.push(other);
                if let Ok(real) = std::fs::canonicalize(&resolved) {
                    resolved = real;
                }
            }
        }
    }
    let key = resolved.join(name);
    folders.insert(parent.to_path_buf(), resolved);
    key
}

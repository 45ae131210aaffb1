//! Batches: many downloads with bounded concurrency, one result per item in input order.
//!
//! - At most [`BatchOptions::concurrency`] transfers run at once (PixivPy's `max_workers=5`).
//! - Every item gets its result; one failure never stops the others.
//! - Two items whose targets are the same file are refused up front: the later one gets an
//!   `InvalidInput` error instead of racing the first for the file.
//! - Everything runs inside the returned future (no spawned tasks): dropping it stops every
//!   transfer, and each one's `.part` is cleaned up unless it is kept for a resume.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::path::{Path, PathBuf};

use futures_util::stream::{self, StreamExt as _};
use pixiv_errors::PixivError;

use crate::downloader::{
    DownloadService, Downloaded, Downloader, Outcome, Planned, normalise_cached, plan, report_end,
};
use crate::progress::{Event, EventSink};
use crate::target::Target;

/// PixivPy's `max_workers=5`.
pub const DEFAULT_CONCURRENCY: usize = 5;

/// One item of a batch: a URL and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchItem {
    /// The URL.
    pub url: String,
    /// Where and how (see [`Target`]).
    pub target: Target,
}

impl BatchItem {
    /// `url` to `target`.
    pub fn new(url: impl Into<String>, target: Target) -> Self {
        Self {
            url: url.into(),
            target,
        }
    }
}

impl<U: Into<String>> From<(U, Target)> for BatchItem {
    fn from((url, target): (U, Target)) -> Self {
        Self::new(url, target)
    }
}

/// How a batch runs.
#[derive(Debug, Clone)]
#[must_use]
pub struct BatchOptions {
    concurrency: usize,
    events: Option<EventSink>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl BatchOptions {
    /// [`DEFAULT_CONCURRENCY`] transfers at once; events to the downloader's sink, if any.
    pub fn new() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            events: None,
        }
    }

    /// At most `n` transfers at once (at least 1). Default [`DEFAULT_CONCURRENCY`] (5).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Report this batch's events here (instead of the downloader's sink).
    pub fn on_event(mut self, sink: EventSink) -> Self {
        self.events = Some(sink);
        self
    }

    /// The concurrency limit.
    pub fn concurrency_limit(&self) -> usize {
        self.concurrency
    }
}

impl<S: DownloadService> Downloader<S> {
    /// Downloads every item, at most [`BatchOptions::concurrency`] at once; the results come in
    /// input order, one per item. See the [module docs](crate::batch) for the rules.
    pub fn download_batch<I>(
        &self,
        items: I,
        options: BatchOptions,
    ) -> impl Future<Output = Vec<Result<Downloaded, PixivError>>> + Send + use<S, I>
    where
        I: IntoIterator,
        I::Item: Into<BatchItem>,
    {
        let items: Vec<BatchItem> = items.into_iter().map(Into::into).collect();
        let this = self.clone();
        async move {
            let events = options.events.clone();
            let mut results: Vec<Option<Result<Downloaded, PixivError>>> =
                (0..items.len()).map(|_| None).collect();
            let mut jobs = Vec::with_capacity(items.len());
            let mut claimed: HashMap<PathBuf, usize> = HashMap::new();
            let mut folders: HashMap<PathBuf, PathBuf> = HashMap::new();
            for (index, item) in items.into_iter().enumerate() {
                let reporter = this.reporter(events.as_ref(), index);
                reporter.emit(|index| Event::Queued {
                    index,
                    url: item.url.clone(),
                });
                let planned = plan(&item.url, &item.target).and_then(|(uri, path)| {
                    let key = normalise_cached(&path, &mut folders);
                    match claimed.get(&key) {
                        Some(first) => Err(PixivError::invalid_input(
                            "download target",
                            format!(
                                "{} is also the target of item {first}; refusing to race for it",
                                path.display()
                            ),
                        )),
                        None => {
                            claimed.insert(key.clone(), index);
                            Ok((uri, path, key))
                        }
                    }
                });
                match planned {
                    Ok((uri, path, key)) => {
                        let planned = Planned {
                            uri,
                            url: item.url,
                            path,
                            key,
                            target: item.target,
                            in_batch: true,
                        };
                        jobs.push((index, planned, reporter));
                    }
                    Err(e) => {
                        let result = Err(e);
                        report_end(&reporter, &result);
                        results[index] = Some(result);
                    }
                }
            }
            // Each folder is made once, before the first transfer, in one blocking task.
            let made = make_folders(&jobs).await;
            // The closure owns its downloader: the future stays `Send` without `S: Sync`.
            let base = this.clone();
            let runs = jobs.into_iter().map(move |(index, planned, reporter)| {
                let one = base.clone();
                let folder_error = parent_of(&planned.path).and_then(|p| made.get(p).cloned());
                async move {
                    let result = match folder_error {
                        Some(e) => Err(PixivError::io(
                            parent_of(&planned.path).unwrap_or(Path::new(".")),
                            std::io::Error::new(e.0, e.1),
                        )),
                        None => one.download_planned(planned, &reporter).await,
                    };
                    report_end(&reporter, &result);
                    (index, result)
                }
            });
            let mut done = stream::iter(runs).buffer_unordered(options.concurrency);
            let mut written: BTreeSet<PathBuf> = BTreeSet::new();
            while let Some((index, result)) = done.next().await {
                if let Ok(d) = &result {
                    if d.outcome != Outcome::Skipped {
                        if let Some(parent) = parent_of(&d.path) {
                            written.insert(parent.to_path_buf());
                        }
                    }
                }
                results[index] = Some(result);
            }
            // The renames survive a power loss once the batch returns: each folder that got a
            // file is synced once, not once per file (`docs/downloads.md`, "Durability").
            sync_folders(written).await;
            results
                .into_iter()
                .map(|r| {
                    r.unwrap_or_else(|| {
                        Err(PixivError::invalid_input("batch item", "it was never run"))
                    })
                })
                .collect()
        }
    }
}

/// The folder a target goes in (`None`: the current folder, which exists).
fn parent_of(path: &Path) -> Option<&Path> {
    path.parent().filter(|p| !p.as_os_str().is_empty())
}

/// Makes the folders of `jobs`, each once; returns the ones that could not be made, with the
/// error's kind and text (an `io::Error` is not `Clone`; each item gets its own).
async fn make_folders<R>(
    jobs: &[(usize, Planned, R)],
) -> HashMap<PathBuf, (std::io::ErrorKind, String)> {
    let folders: BTreeSet<PathBuf> = jobs
        .iter()
        .filter_map(|(_, p, _)| parent_of(&p.path).map(Path::to_path_buf))
        .collect();
    if folders.is_empty() {
        return HashMap::new();
    }
    tokio::task::spawn_blocking(move || {
        folders
            .into_iter()
            .filter_map(|f| match std::fs::create_dir_all(&f) {
                Ok(()) => None,
                Err(e) => Some((f, (e.kind(), e.to_string()))),
            })
            .collect()
    })
    .await
    .unwrap_or_default()
}

/// Syncs each folder once, in one blocking task (best effort, as a single download's).
async fn sync_folders(folders: BTreeSet<PathBuf>) {
    if folders.is_empty() {
        return;
    }
    let _ = tokio::task::spawn_blocking(move || {
        for folder in folders {
            crate::file_sink::sync_parent(&folder.join("x"));
        }
    })
    .await;
}

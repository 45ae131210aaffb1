//! Progress events a terminal UI or a GUI can draw.
//!
//! Per item, in this order: [`Event::Queued`], then either [`Event::Skipped`], or
//! [`Event::Started`] followed by [`Event::Progress`]es and one [`Event::Finished`] or
//! [`Event::Failed`] (a refused item goes straight from `Queued` to `Failed`). When a transfer breaks
//! off and is retried, `Started` comes again with the offset it resumes from. `Progress` is
//! throttled: at most one per [`PROGRESS_STEP`] bytes received, plus one when the body is complete.
//!
//! Nobody listening costs nothing: events are only built when an [`EventSink`] is set.
//!
//! ```
//! use pixiv_download::{Event, EventSink};
//!
//! let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
//! let sink = EventSink::from_channel(tx);
//! sink.emit(&Event::Queued { index: 0, url: "https://i.pximg.net/a.png".into() });
//! assert!(matches!(rx.try_recv(), Ok(Event::Queued { index: 0, .. })));
//!
//! let printing = EventSink::new(|event: &Event| eprintln!("{event:?}"));
//! # drop(printing);
//! ```

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use pixiv_errors::PixivError;

/// `Progress` is reported at most once per this many bytes received: 64 KiB (the mock's and
/// hyper's usual frame size, so a fast transfer does not flood a UI).
pub const PROGRESS_STEP: u64 = 64 * 1024;

/// What happened to one item. `index` is the item's position in the batch (0 for a single
/// download).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// The item is waiting for a free slot.
    Queued {
        /// The item's position.
        index: usize,
        /// Its URL.
        url: String,
    },
    /// An answer arrived and bytes are about to flow (again, after a retry).
    Started {
        /// The item's position.
        index: usize,
        /// The full size of the file, if the server said.
        expected_len: Option<u64>,
        /// Bytes already there from an earlier attempt (0 for a fresh start).
        resumed_from: u64,
    },
    /// More bytes arrived.
    Progress {
        /// The item's position.
        index: usize,
        /// Bytes of the file held so far, resumed bytes included.
        received: u64,
        /// The full size, if known.
        expected: Option<u64>,
    },
    /// The file is complete at `path`.
    Finished {
        /// The item's position.
        index: usize,
        /// The final path (for [`download_to_writer`](crate::Downloader::download_to_writer)
        /// and [`download_bytes`](crate::Downloader::download_bytes): empty).
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// The item failed; the batch goes on.
    Failed {
        /// The item's position.
        index: usize,
        /// Why (shared: the same error is also in the item's result).
        error: Arc<PixivError>,
    },
    /// The file was already there and `replace` was off: no request was made.
    Skipped {
        /// The item's position.
        index: usize,
        /// The existing file.
        path: PathBuf,
    },
}

impl Event {
    /// The position of the item this event is about.
    pub fn index(&self) -> usize {
        match self {
            Self::Queued { index, .. }
            | Self::Started { index, .. }
            | Self::Progress { index, .. }
            | Self::Finished { index, .. }
            | Self::Failed { index, .. }
            | Self::Skipped { index, .. } => *index,
        }
    }
}

/// Where events go: a callback, or a channel. Cheap to clone.
#[derive(Clone)]
pub struct EventSink(Arc<dyn Fn(&Event) + Send + Sync>);

impl fmt::Debug for EventSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventSink(..)")
    }
}

impl EventSink {
    /// Calls `f` for every event, on the task doing the download: keep it quick.
    pub fn new(f: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Sends every event into `tx` (events are dropped once the receiver is gone).
    pub fn from_channel(tx: tokio::sync::mpsc::UnboundedSender<Event>) -> Self {
        Self::new(move |e| {
            let _ = tx.send(e.clone());
        })
    }

    /// Reports one event.
    pub fn emit(&self, event: &Event) {
        (self.0)(event);
    }
}

/// An optional sink with the item's index: builds events only when someone listens.
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    pub(crate) sink: Option<EventSink>,
    pub(crate) index: usize,
}

impl Reporter {
    pub(crate) fn emit(&self, make: impl FnOnce(usize) -> Event) {
        if let Some(sink) = &self.sink {
            sink.emit(&make(self.index));
        }
    }

    pub(crate) fn listening(&self) -> bool {
        self.sink.is_some()
    }
}

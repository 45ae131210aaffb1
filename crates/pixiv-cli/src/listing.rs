//! Listings printed as they arrive: a JSON array written page by page, so memory does not grow
//! with the result, a signal is honoured while printing, and what was printed stays printed as a
//! whole JSON array when the command is stopped (docs/cli.md, "Streaming output").
//!
//! The bytes go to stdout from a thread of their own through a queue of a few pages: a reader
//! that does not keep up (a full pipe) holds that thread, never the command, so Ctrl-C, SIGTERM
//! and SIGHUP still stop it at once.

use std::io::{self, IsTerminal as _, Write as _};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

/// Pages queued for the writer thread at most.
const QUEUE_PAGES: usize = 4;

/// Writer threads that have not finished yet (see [`drain`]).
static WRITERS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// Waits up to `grace` for the writer threads to write what they were given (the end of an
/// array included). Called before the process exits; a reader that stopped reading for longer
/// than `grace` gets the output cut where it stands.
pub(crate) fn drain(grace: Duration) {
    let deadline = Instant::now() + grace;
    let (count, done) = &WRITERS;
    let mut left = count.lock().unwrap_or_else(PoisonError::into_inner);
    while *left > 0 {
        let wait = deadline.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            return;
        }
        left = done
            .wait_timeout(left, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// A JSON array on stdout, opened by its first item. It is closed (`]`) when the array is
/// [finished](Self::finish) or dropped part way (an error, a signal): the output is always a whole
/// JSON array of the items printed.
pub(crate) struct JsonArray {
    /// Pretty (indented, one field a line), as on a terminal; else one line.
    pretty: bool,
    /// Items serialized so far.
    count: usize,
    /// Pages to the writer thread; `None` once finished.
    pages: Option<mpsc::Sender<Vec<u8>>>,
    /// Told when the writer thread has written everything.
    written: Option<oneshot::Receiver<io::Result<()>>>,
}

impl JsonArray {
    /// An array printed pretty on a terminal unless `compact`, as [`crate::render::print_json`].
    pub(crate) fn new(compact: bool) -> io::Result<Self> {
        let pretty = !compact && io::stdout().is_terminal();
        let (tx, rx) = mpsc::channel(QUEUE_PAGES);
        let (done_tx, done_rx) = oneshot::channel();
        *WRITERS.0.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        let spawned = std::thread::Builder::new()
            .name("stdout".into())
            .spawn(move || {
                let result = write_pages(rx, pretty);
                let _ = done_tx.send(result);
                let (count, done) = &WRITERS;
                *count.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
                done.notify_all();
            });
        if let Err(e) = spawned {
            *WRITERS.0.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
            return Err(e);
        }
        Ok(Self {
            pretty,
            count: 0,
            pages: Some(tx),
            written: Some(done_rx),
        })
    }

    /// Queues `items` (one page) for printing; waits while the queue is full.
    pub(crate) async fn push_page<T: Serialize>(&mut self, items: &[T]) -> io::Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        for item in items {
            buf.extend_from_slice(match (self.count, self.pretty) {
                (0, true) => b"[\n  ".as_slice(),
                (0, false) => b"[",
                (_, true) => b",\n  ",
                (_, false) => b",",
            });
            if self.pretty {
                let text = serde_json::to_string_pretty(item).map_err(io::Error::other)?;
                buf.extend_from_slice(text.replace('\n', "\n  ").as_bytes());
            } else {
                serde_json::to_writer(&mut buf, item).map_err(io::Error::other)?;
            }
            self.count += 1;
        }
        match &self.pages {
            Some(pages) => pages.send(buf).await.map_err(|_| stdout_gone()),
            None => Err(stdout_gone()),
        }
    }

    /// Closes the array (`[]` when it is empty) and waits until everything is written.
    pub(crate) async fn finish(mut self) -> io::Result<()> {
        if self.count == 0 {
            if let Some(pages) = &self.pages {
                pages
                    .send(b"[]\n".to_vec())
                    .await
                    .map_err(|_| stdout_gone())?;
            }
        }
        // The writer closes a non-empty array when the queue closes.
        self.pages = None;
        match self.written.take() {
            Some(written) => written.await.unwrap_or_else(|_| Err(stdout_gone())),
            None => Ok(()),
        }
    }
}

fn stdout_gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "stdout was closed")
}

/// The writer thread: every page, then `]` if any item was written.
fn write_pages(mut pages: mpsc::Receiver<Vec<u8>>, pretty: bool) -> io::Result<()> {
    let mut opened = false;
    while let Some(page) = pages.blocking_recv() {
        opened |= page.first() == Some(&b'[') && page != b"[]\n";
        let mut out = io::stdout().lock();
        out.write_all(&page)?;
        out.flush()?;
    }
    if opened {
        let mut out = io::stdout().lock();
        out.write_all(if pretty { b"\n]\n" } else { b"]\n" })?;
        out.flush()?;
    }
    Ok(())
}

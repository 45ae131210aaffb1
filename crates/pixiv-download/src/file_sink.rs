//! [`FileSink`]: a download to a file, through `name.part` beside it (with its `.part.meta`
//! resume record and its cross-process lock), renamed into place at the end.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pixiv_errors::PixivError;
use serde::{Deserialize, Serialize};

use crate::lock::TargetLock;
use crate::part_io::{Flush, Inflight, blocking, write_record};
pub(crate) use crate::part_io::{no_follow_std, sync_parent};
pub(crate) use crate::part_names::temp_paths;
use crate::registry::{Claim, Registry};
use crate::sink::{Answer, Resume, Sink};

/// The sidecar beside a `.part` file (`name.part.meta`): what the held bytes belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PartMeta {
    /// The URL downloaded.
    pub(crate) url: String,
    /// Its strong ETag, if any.
    pub(crate) etag: Option<String>,
    /// Its Last-Modified, if any.
    pub(crate) last_modified: Option<String>,
    /// Its whole size.
    pub(crate) total: u64,
}

/// The size from which a download's resume record (`.part.meta`) is written before its first
/// byte: 1 MiB. A smaller file (Pixiv's thumbnails and most `medium` images) costs one request to
/// fetch again, less than a second file per image would cost every time; its record is written
/// only when its transfer breaks off (see `docs/downloads.md`, "Resume").
pub const RESUME_RECORD_MIN_BYTES: u64 = 1024 * 1024;

/// [`Downloader::download`](crate::Downloader::download): a `.part` file beside the target, with
/// its sidecar when the server gave a validator (from the start for a file of
/// [`RESUME_RECORD_MIN_BYTES`] or more, else once its transfer breaks off).
///
/// The bytes gather in a buffer of `capacity` bytes and reach the file through one blocking task
/// per buffer, which also opens the `.part` (and writes the sidecar) the first time: a small file
/// is opened, written, synced, checked and renamed in two hand-offs to the blocking pool, not one
/// per operation (`docs/benchmarks.md`, "small files").
///
/// Dropped before [`settle`](Self::settle) (a cancelled download), it removes the `.part` unless
/// it can be resumed (its sidecar is on disk).
pub(crate) struct FileSink {
    /// Released after `Drop` has cleaned up (fields drop after the body of `drop`).
    _claim: Option<Claim>,
    /// The cross-process lock on the `.part` (whose descriptor the writes go through), held from
    /// [`lock`](Self::lock) until the sink is dropped (after the rename). Released after `Drop`
    /// has cleaned up (and after a write still on the blocking pool, which holds the file too).
    lock: Option<TargetLock>,
    /// The locked `.part` is empty and untouched since the lock made it.
    pristine: bool,
    /// Whether this sink may touch the `.part` and its sidecar: not before the lock is held
    /// (another process may be writing them).
    owner: bool,
    pub(crate) part: PathBuf,
    pub(crate) meta: PathBuf,
    url: String,
    capacity: usize,
    /// The open `.part`, positioned at its end; `None` until the first bytes of an answer go to
    /// disk.
    file: Option<Arc<std::fs::File>>,
    /// Bytes not yet written to `file`.
    buf: Vec<u8>,
    /// Where the current answer's body starts (0: a fresh start, the `.part` is emptied).
    start: u64,
    /// What the sidecar would say about the current answer, when it has a validator.
    record: Option<PartMeta>,
    /// A sidecar may be on disk (unknown until [`resume_point`](Sink::resume_point) looked).
    meta_on_disk: bool,
    /// The `.part` may be on disk.
    part_on_disk: bool,
    /// The sidecar on disk describes the `.part`.
    resumable: bool,
    /// An answer's body is being taken (between `begin` and `pause`/`finish`).
    active: bool,
    /// A write of this answer's bytes was sent to the blocking pool (its result may have been
    /// lost with a cancelled future: the `.part` then holds bytes `file` does not know of).
    flushed: bool,
    /// Shared with a running [`Flush`]: a sink dropped while one runs leaves the clean-up to it.
    inflight: Arc<Mutex<Inflight>>,
    settled: bool,
}

impl FileSink {
    pub(crate) fn new(target: &Path, url: String, capacity: usize) -> Self {
        let (part, meta) = temp_paths(target);
        Self {
            _claim: None,
            lock: None,
            pristine: false,
            owner: true,
            part,
            meta,
            url,
            capacity,
            file: None,
            buf: Vec::new(),
            start: 0,
            record: None,
            meta_on_disk: true,
            part_on_disk: true,
            resumable: false,
            active: false,
            flushed: false,
            inflight: Arc::default(),
            settled: false,
        }
    }

    /// [`new`](Self::new), after claiming `key` (the target's normalised path) in `registry`: a
    /// second download of the same file while this one runs would share its `.part`, so it is
    /// refused with `InvalidInput` instead.
    pub(crate) fn claim(
        registry: &Registry,
        target: &Path,
        key: PathBuf,
        url: String,
        capacity: usize,
    ) -> Result<Self, PixivError> {
        let claim = registry.claim(key).ok_or_else(|| {
            PixivError::invalid_input(
                "download target",
                format!(
                    "{} is being downloaded by another call of this downloader",
                    target.display()
                ),
            )
        })?;
        let mut sink = Self::new(target, url, capacity);
        sink._claim = Some(claim);
        sink.owner = false;
        Ok(sink)
    }

    /// Takes the cross-process lock of the target on its `.part` (see `lock.rs`), waiting at
    /// most `wait`. The `.part` exists from here on (the lock opens, and creates, it).
    pub(crate) async fn lock(&mut self, target: &Path, wait: Duration) -> Result<(), PixivError> {
        let lock = TargetLock::acquire(&self.part, target, wait).await?;
        self.pristine = lock.len == 0 && lock.file().is_some();
        self.lock = Some(lock);
        self.owner = true;
        Ok(())
    }

    /// Done without a transfer (the file appeared while we waited for the lock): an empty
    /// `.part` (the one the lock made) is removed, anything else is left as it is.
    pub(crate) fn leave(&mut self) {
        if self.pristine {
            let _ = std::fs::remove_file(&self.part);
        }
        self.settled = true;
    }

    /// The transfer is over: `keep` the `.part` and its sidecar for a later resume (only when
    /// resumable), or remove both.
    pub(crate) async fn settle(&mut self, keep: bool) {
        self.settled = true;
        self.file = None;
        if self.owner && !(keep && self.resumable) {
            let _ = tokio::fs::remove_file(&self.part).await;
            let _ = tokio::fs::remove_file(&self.meta).await;
        }
    }

    /// What a [`Flush`] writes through: the positioned `.part` if there is one, else the locked
    /// one to position (and whether it is untouched since the lock made it).
    fn take_file(&mut self) -> (Option<Arc<std::fs::File>>, Option<Arc<std::fs::File>>, bool) {
        let file = self.file.take();
        let locked = match &file {
            None => self.lock.as_ref().and_then(TargetLock::file),
            Some(_) => None,
        };
        (file, locked, std::mem::take(&mut self.pristine))
    }

    /// Moves the buffer to the file (opening it the first time) on the blocking pool.
    async fn flush(&mut self, sync: bool) -> Result<(), PixivError> {
        let fresh = self.file.is_none() && self.start == 0;
        let record = match &self.record {
            Some(meta) if fresh && meta.total >= RESUME_RECORD_MIN_BYTES => Some(
                serde_json::to_vec(meta)
                    .map_err(|e| PixivError::decode(format!("part sidecar: {e}"), &[]))?,
            ),
            _ => None,
        };
        let (file, locked, pristine) = self.take_file();
        let job = Flush {
            part: self.part.clone(),
            meta: self.meta.clone(),
            file,
            locked,
            pristine,
            buf: std::mem::take(&mut self.buf),
            start: self.start,
            drop_meta: fresh && self.meta_on_disk,
            record,
            inflight: Arc::clone(&self.inflight),
            on_cancel: self.record.clone(),
            sync,
        };
        self.inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .running = true;
        let wrote_record = job.record.is_some();
        self.flushed = true;
        if job.file.is_none() {
            self.part_on_disk = true;
            if job.drop_meta {
                self.resumable = false;
            }
        }
        let (file, buf) = blocking(&self.part.clone(), move || job.run()).await?;
        self.file = Some(file);
        self.buf = buf;
        if wrote_record {
            self.meta_on_disk = true;
            self.resumable = true;
        }
        Ok(())
    }

    /// The `.part` is complete and synced: check that it holds the `expected` bytes, rename it
    /// into place and drop the sidecar (all under the lock). With `sync_folder`, the folder is
    /// synced too, so the rename survives a power loss once this returns; a batch syncs each
    /// folder once at its end instead (`docs/downloads.md`).
    ///
    /// Without the folder sync the work is one `lstat` and one `rename` (and an `unlink` when a
    /// sidecar was written), done on this thread as the lock's own calls (`lock.rs`): a hand-off
    /// to the blocking pool cost a small file more than the calls themselves
    /// (`docs/benchmarks.md`, "small files"). The folder sync waits for the disk, so it goes to
    /// the blocking pool.
    pub(crate) async fn commit(
        &mut self,
        target: &Path,
        expected: u64,
        sync_folder: bool,
    ) -> Result<(), PixivError> {
        self.file = None;
        let part = self.part.clone();
        let meta = self.meta_on_disk.then(|| self.meta.clone());
        let to = target.to_path_buf();
        let work = move || {
            let len = std::fs::symlink_metadata(&part)
                .map_err(|e| PixivError::io(&part, e))?
                .len();
            if len != expected {
                return Err(PixivError::decode(
                    format!(
                        "{} holds {len} bytes where {expected} were written: something else wrote to it",
                        part.display()
                    ),
                    &[],
                ));
            }
            std::fs::rename(&part, &to).map_err(|e| PixivError::io(&to, e))?;
            if let Some(meta) = meta {
                let _ = std::fs::remove_file(meta);
            }
            if sync_folder {
                sync_parent(&to);
            }
            Ok(())
        };
        if sync_folder {
            blocking(target, work).await?;
        } else {
            work()?;
        }
        self.settled = true;
        Ok(())
    }

    /// Reads the sidecar; `Err(())` when there is none (so a fresh start need not remove it).
    fn read_meta(meta: &Path) -> Result<Option<PartMeta>, ()> {
        match std::fs::read(meta) {
            Ok(raw) => Ok(serde_json::from_slice(&raw).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(()),
            Err(_) => Ok(None),
        }
    }
}

impl Sink for FileSink {
    async fn resume_point(&mut self) -> Option<Resume> {
        // On this thread, as the lock's own calls (`lock.rs`): for a fresh file this is one
        // failed `open` (no sidecar), far cheaper than a hand-off to the blocking pool; a
        // sidecar is a few hundred bytes. Then, when it is ours, the `.part`'s length.
        let (on_disk, found) = match Self::read_meta(&self.meta) {
            Err(()) => (false, None),
            Ok(meta) => (
                true,
                meta.filter(|m| m.url == self.url).and_then(|m| {
                    let len = std::fs::symlink_metadata(&self.part).ok()?.len();
                    Some((m, len))
                }),
            ),
        };
        self.meta_on_disk = on_disk;
        let (meta, len) = found?;
        let if_range = meta.etag.clone().or(meta.last_modified.clone())?;
        let resume = (len > 0 && len < meta.total).then_some(Resume {
            offset: len,
            if_range,
            total: meta.total,
        })?;
        // The held bytes stay resumable until an answer says otherwise: a transient failure
        // before the answer (a 503 to the resume) must not cost them.
        self.resumable = true;
        Some(resume)
    }

    async fn begin(&mut self, start: u64, answer: &Answer) -> Result<(), PixivError> {
        // Nothing touches the disk yet: the first flush opens the `.part` (see `Flush::run`).
        self.file = None;
        self.buf.clear();
        self.start = start;
        self.active = true;
        self.flushed = false;
        self.record = match (answer.total, answer.if_range()) {
            (Some(total), Some(_)) => Some(PartMeta {
                url: self.url.clone(),
                etag: answer.etag.clone(),
                last_modified: answer.last_modified.clone(),
                total,
            }),
            _ => None,
        };
        self.resumable = start != 0;
        Ok(())
    }

    async fn write(&mut self, data: &[u8]) -> Result<(), PixivError> {
        if self.buf.capacity() == 0 {
            self.buf.reserve(self.capacity.min(1 << 20));
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= self.capacity {
            self.flush(false).await?;
        }
        Ok(())
    }

    async fn pause(&mut self) -> Result<(), PixivError> {
        // The transfer broke off: the bytes go to disk, and so does the resume record if the
        // answer had a validator (a small file's record is written only now). Before any answer
        // (a failed request) there is nothing new to keep.
        if !std::mem::take(&mut self.active) {
            return Ok(());
        }
        self.flush(false).await?;
        let record = match (&self.record, self.resumable) {
            (Some(meta), false) => Some(
                serde_json::to_vec(meta)
                    .map_err(|e| PixivError::decode(format!("part sidecar: {e}"), &[]))?,
            ),
            _ => None,
        };
        self.file = None;
        if let Some(json) = record {
            let meta = self.meta.clone();
            blocking(&self.meta, move || write_record(&meta, &json)).await?;
            self.meta_on_disk = true;
            self.resumable = true;
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), PixivError> {
        // One blocking task: the last bytes, then the data synced before the rename (that is
        // what protects the final name from a power loss, `docs/downloads.md`).
        self.active = false;
        self.flush(true).await
    }

    async fn discard(&mut self) -> Result<(), PixivError> {
        self.file = None;
        self.buf.clear();
        self.resumable = false;
        let _ = tokio::fs::remove_file(&self.meta).await;
        // The locked `.part` stays (a new file at its path would not be locked): the next
        // answer's first write empties it.
        if self.lock.as_ref().and_then(TargetLock::file).is_none() {
            let _ = tokio::fs::remove_file(&self.part).await;
        }
        self.pristine = false;
        self.meta_on_disk = false;
        Ok(())
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        if self.settled || !self.owner {
            return;
        }
        {
            let mut state = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
            if state.running {
                // A write is on the blocking pool: it cleans up when it ends (`Flush::run`).
                state.cancelled = true;
                return;
            }
        }
        // Cancelled mid-transfer. Keep a resumable `.part` (its sidecar says what it holds);
        // anything else could never be continued, so it goes.
        // Cancelled mid-body: the transfer is interrupted, so a small file's resume record is
        // written now, when the `.part` holds bytes of an answer with a validator.
        // The bytes still in the buffer go to the `.part` first (at most one buffer, written on
        // this thread: a cancel is rare, and the bytes are worth more than the pause).
        let held = self.file.is_some() || !self.buf.is_empty();
        if !self.resumable && self.active && !held && self.flushed {
            // A write finished but its result was dropped with the future: the bytes are in the
            // `.part`; only the record is missing.
            if let Some(json) = self
                .record
                .as_ref()
                .and_then(|m| serde_json::to_vec(m).ok())
            {
                self.resumable = write_record(&self.meta, &json).is_ok();
            }
        } else if !self.resumable && self.active && held {
            if let Some(json) = self
                .record
                .as_ref()
                .and_then(|m| serde_json::to_vec(m).ok())
            {
                let (file, locked, pristine) = self.take_file();
                let job = Flush {
                    part: self.part.clone(),
                    meta: self.meta.clone(),
                    file,
                    locked,
                    pristine,
                    buf: std::mem::take(&mut self.buf),
                    start: self.start,
                    record: None,
                    drop_meta: self.start == 0 && self.meta_on_disk,
                    inflight: Arc::clone(&self.inflight),
                    on_cancel: None,
                    sync: false,
                };
                self.part_on_disk = true;
                self.resumable = job.write().is_ok() && write_record(&self.meta, &json).is_ok();
            }
        }
        if !self.resumable {
            if self.part_on_disk {
                let _ = std::fs::remove_file(&self.part);
            }
            if self.meta_on_disk {
                let _ = std::fs::remove_file(&self.meta);
            }
        }
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    fn answer(validator: bool) -> Answer {
        Answer {
            total: Some(100),
            etag: validator.then(|| "\"v1\"".to_owned()),
            last_modified: None,
        }
    }

    #[tokio::test]
    async fn a_cancelled_part_without_a_validator_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.bin");
        let mut sink = FileSink::new(&target, "https://h/a.bin".into(), 8);
        sink.begin(0, &answer(false)).await.unwrap();
        sink.write(&[1; 40]).await.unwrap();
        sink.pause().await.unwrap();
        assert!(sink.part.exists());
        drop(sink); // as a cancelled future drops it
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn a_cancelled_part_with_a_validator_is_kept_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.bin");
        let mut sink = FileSink::new(&target, "https://h/a.bin".into(), 8);
        sink.begin(0, &answer(true)).await.unwrap();
        sink.write(&[1; 40]).await.unwrap();
        sink.pause().await.unwrap();
        drop(sink);
        let mut again = FileSink::new(&target, "https://h/a.bin".into(), 8);
        assert_eq!(
            again.resume_point().await,
            Some(Resume {
                offset: 40,
                if_range: "\"v1\"".into(),
                total: 100
            })
        );
        // Another URL never resumes this part.
        let mut other = FileSink::new(&target, "https://h/b/a.bin".into(), 8);
        assert_eq!(other.resume_point().await, None);
        other.settle(false).await;
        again.settle(false).await;
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

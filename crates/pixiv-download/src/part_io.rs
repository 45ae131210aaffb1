//! The blocking file work of a [`FileSink`](crate::file_sink::FileSink): one task on tokio's
//! blocking pool per buffer of bytes (opening the `.part` the first time), the resume record, the
//! folder sync, and the `O_NOFOLLOW` open options.

use std::io::{Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use pixiv_errors::PixivError;

/// Whether a [`Flush`] is running, and whether its sink was dropped meanwhile.
#[derive(Debug, Default)]
pub(crate) struct Inflight {
    pub(crate) running: bool,
    pub(crate) cancelled: bool,
}

/// Runs blocking file work on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    path: &Path,
    work: impl FnOnce() -> Result<T, PixivError> + Send + 'static,
) -> Result<T, PixivError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| PixivError::io(path, std::io::Error::other(e.to_string())))?
}

/// What one blocking write of a [`FileSink`](crate::file_sink::FileSink) needs: the state it moves to the pool and back.
pub(crate) struct Flush {
    pub(crate) part: PathBuf,
    pub(crate) meta: PathBuf,
    /// The `.part`, open and positioned for this answer's next bytes.
    pub(crate) file: Option<Arc<std::fs::File>>,
    /// When `file` is `None`: the locked `.part` (`lock.rs`) to position and write through,
    /// instead of opening the path.
    pub(crate) locked: Option<Arc<std::fs::File>>,
    /// `locked` is known empty and at offset 0 (the lock just made it): a fresh start needs no
    /// truncate and no seek.
    pub(crate) pristine: bool,
    pub(crate) buf: Vec<u8>,
    pub(crate) start: u64,
    /// The sidecar to write before the first byte (a fresh start of a large file).
    pub(crate) record: Option<Vec<u8>>,
    /// A stale sidecar to remove before the first byte (a fresh start).
    pub(crate) drop_meta: bool,
    pub(crate) inflight: Arc<Mutex<Inflight>>,
    /// The sidecar that keeps the bytes resumable if the sink is dropped while this runs.
    /// Serialised only if that happens (rarely), not for every write.
    pub(crate) on_cancel: Option<crate::file_sink::PartMeta>,
    /// The last write: sync the file's data (`fdatasync`) after it, in the same task.
    pub(crate) sync: bool,
}

impl Flush {
    /// [`write`](Self::write), then, if the sink was dropped meanwhile (a cancelled download),
    /// what its `Drop` would have done: keep the bytes with their resume record, or remove them.
    pub(crate) fn run(mut self) -> Result<(Arc<std::fs::File>, Vec<u8>), PixivError> {
        let (inflight, on_cancel) = (Arc::clone(&self.inflight), self.on_cancel.take());
        let (part, meta) = (self.part.clone(), self.meta.clone());
        let result = self.write();
        let mut state = inflight.lock().unwrap_or_else(PoisonError::into_inner);
        state.running = false;
        if state.cancelled {
            let kept = result.is_ok()
                && on_cancel
                    .and_then(|m| serde_json::to_vec(&m).ok())
                    .is_some_and(|j| write_record(&meta, &j).is_ok());
            if !kept {
                let _ = std::fs::remove_file(&part);
                let _ = std::fs::remove_file(&meta);
            }
        }
        result
    }

    /// Opens (or takes the locked) `.part` if needed, emptied or cut to `start`, then writes the
    /// buffer.
    pub(crate) fn write(mut self) -> Result<(Arc<std::fs::File>, Vec<u8>), PixivError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |e| PixivError::io(path.clone(), e)
        };
        let file = match self.file.take() {
            Some(f) => f,
            None => {
                if self.drop_meta {
                    // The sidecar first, so bytes on disk are never described by a stale one.
                    match std::fs::remove_file(&self.meta) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(PixivError::io(&self.meta, e)),
                    }
                }
                // Bytes past `start` (there should be none) would be wrong once we append.
                let fresh = self.start == 0;
                let file = match self.locked.take() {
                    // The lock made it empty: nothing to cut, and its offset is 0.
                    Some(file) if fresh && self.pristine => file,
                    Some(file) => {
                        file.set_len(self.start).map_err(io(&self.part))?;
                        (&*file)
                            .seek(SeekFrom::Start(self.start))
                            .map_err(io(&self.part))?;
                        file
                    }
                    None => {
                        // A fresh start empties the file as it opens it (`O_TRUNC`): one
                        // `ftruncate` fewer per small file (`docs/benchmarks.md`, "small files").
                        let file = no_follow_std()
                            .truncate(fresh)
                            .open(&self.part)
                            .map_err(io(&self.part))?;
                        if !fresh {
                            file.set_len(self.start).map_err(io(&self.part))?;
                            (&file)
                                .seek(SeekFrom::Start(self.start))
                                .map_err(io(&self.part))?;
                        }
                        Arc::new(file)
                    }
                };
                if let Some(json) = &self.record {
                    write_record(&self.meta, json)?;
                }
                file
            }
        };
        (&*file).write_all(&self.buf).map_err(io(&self.part))?;
        if self.sync {
            file.sync_data().map_err(io(&self.part))?;
        }
        self.buf.clear();
        Ok((file, self.buf))
    }
}

/// Writes the sidecar (whole, before anything relies on it).
pub(crate) fn write_record(meta: &Path, json: &[u8]) -> Result<(), PixivError> {
    let mut file = no_follow_std()
        .truncate(true)
        .open(meta)
        .map_err(|e| PixivError::io(meta, e))?;
    file.write_all(json).map_err(|e| PixivError::io(meta, e))
}

/// Makes a rename durable: on Unix a directory is synced by opening it. Best effort.
pub(crate) fn sync_parent(target: &Path) {
    #[cfg(unix)]
    if let Some(parent) = target.parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if let Ok(dir) = std::fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = target;
}

/// Options that open (creating) a file for writing, never truncating and, on unix, refusing a
/// symbolic link at its path (`O_NOFOLLOW`: the open fails with `ELOOP`). The part file, its
/// sidecar and the lock file are ours to create; a link planted at their names (in a folder
/// another user can write) must not make us write through it into a file it points to.
pub(crate) fn no_follow_std() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    options
}

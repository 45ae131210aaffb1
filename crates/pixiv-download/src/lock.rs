//! The cross-process lock of one target: an exclusive `flock` on `name.part.lock` beside it, held
//! from before the `.part` is looked at until after the rename (`docs/downloads.md`, "Two
//! processes, one file").
//!
//! A lock file rather than the `.part` itself, because the `.part` is removed and re-created
//! (a restart, a discard) and renamed away, and a lock on a file that is no longer at its path
//! protects nothing. The holder removes the lock file before it lets go; a waiter that then gets
//! the lock finds that the file it holds is no longer the one at the path (device and inode
//! differ), and starts over, as lock files with `flock(2)` are used by, for example, systemd and
//! Debian's `dpkg`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pixiv_errors::PixivError;

/// The first pause between two tries of a held lock; it doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(10);
/// The longest pause between two tries.
const MAX_POLL: Duration = Duration::from_millis(200);

/// The lock file of a target whose `.part` is `part`: `name.part.lock` (as long as the
/// `.part.meta` sidecar's name, so it fits wherever that does).
pub(crate) fn lock_path(part: &Path) -> PathBuf {
    let mut name = part.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    part.with_file_name(name)
}

/// A held lock; released (and its file removed) on drop.
#[derive(Debug)]
pub(crate) struct TargetLock {
    path: PathBuf,
    #[cfg(unix)]
    file: Option<std::fs::File>,
}

impl TargetLock {
    /// Takes the lock at `path`, waiting at most `wait` while another process (or another
    /// downloader of this one) holds it. Errors: `InvalidInput` "being downloaded by another
    /// process" when it stayed held, `Io` when the lock file cannot be made.
    pub(crate) async fn acquire(
        path: PathBuf,
        target: &Path,
        wait: Duration,
    ) -> Result<Self, PixivError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut pause = FIRST_POLL;
        loop {
            if let Some(lock) = Self::try_once(&path)? {
                return Ok(lock);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(PixivError::invalid_input(
                    "download target",
                    format!(
                        "{} is being downloaded by another process (its lock {} stayed held for \
                         {} ms)",
                        target.display(),
                        path.display(),
                        wait.as_millis()
                    ),
                ));
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    /// One try: `Some` when taken, `None` when held elsewhere.
    #[cfg(unix)]
    fn try_once(path: &Path) -> Result<Option<Self>, PixivError> {
        use rustix::fs::{FlockOperation, flock};
        use std::os::unix::fs::MetadataExt as _;

        let io = |e| PixivError::io(path, e);
        let file = crate::file_sink::no_follow_std().open(path).map_err(io)?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => return Ok(None),
            Err(e) => return Err(io(e.into())),
        }
        // The holder before us may have removed the file after we opened it: the lock is then
        // on a file nobody else will open. Only a lock on the file at the path counts.
        let held = file.metadata().map_err(io)?;
        let there = std::fs::symlink_metadata(path).ok();
        if there.is_some_and(|m| m.dev() == held.dev() && m.ino() == held.ino()) {
            Ok(Some(Self {
                path: path.to_path_buf(),
                file: Some(file),
            }))
        } else {
            // Let go; the next try opens (creates) the file now at the path.
            Ok(None)
        }
    }

    /// Without `flock` (not unix) the lock is this process's claim only.
    #[cfg(not(unix))]
    fn try_once(path: &Path) -> Result<Option<Self>, PixivError> {
        Ok(Some(Self {
            path: path.to_path_buf(),
        }))
    }
}

impl Drop for TargetLock {
    fn drop(&mut self) {
        // Removed while still held, so no one takes a lock on a file that is about to go.
        let _ = std::fs::remove_file(&self.path);
        #[cfg(unix)]
        drop(self.file.take());
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_held_lock_is_waited_for_then_refused_and_taken_once_free() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png.part.lock");
        let target = dir.path().join("a.png");
        let first = TargetLock::acquire(path.clone(), &target, Duration::ZERO)
            .await
            .unwrap();
        // Another open file description (as another process has) cannot take it.
        let err = TargetLock::acquire(path.clone(), &target, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("being downloaded by another process"),
            "{err}"
        );
        drop(first);
        assert!(!path.exists(), "the holder removes its lock file");
        let again = TargetLock::acquire(path.clone(), &target, Duration::ZERO)
            .await
            .unwrap();
        assert!(path.exists());
        drop(again);
    }
}

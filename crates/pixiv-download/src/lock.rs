//! The cross-process lock of one target: an exclusive `flock` on its `name.part` itself, held
//! from before the `.part` is looked at until after the rename (`docs/downloads.md`, "Two
//! processes, one file").
//!
//! The lock is taken on the file the bytes go to, through the descriptor they are written with,
//! so a download makes one file, not two (a separate `name.part.lock` cost a small file an
//! inode's creation and removal: `docs/benchmarks.md`, "small files"). The `.part` is renamed
//! away at the end and removed on a failure, and a lock on a file that is no longer at its path
//! protects nothing: a waiter that gets the lock checks that the file it holds is still the one
//! at the path (device and inode), else it lets go and starts over, opening (creating) the file
//! now there, as lock files with `flock(2)` are used by, for example, systemd and Debian's `dpkg`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use pixiv_errors::PixivError;

/// The first pause between two tries of a held lock; it doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(10);
/// The longest pause between two tries.
const MAX_POLL: Duration = Duration::from_millis(200);

/// A held lock on a `.part`: the open file (shared with the writes, which go through it) and its
/// length when the lock was taken. Released when the last clone of the file is dropped (the
/// sink's, and a write still running on the blocking pool).
#[derive(Debug)]
pub(crate) struct TargetLock {
    #[cfg(unix)]
    pub(crate) file: Arc<std::fs::File>,
    /// The `.part`'s length when the lock was taken (0 for one this lock created).
    pub(crate) len: u64,
}

impl TargetLock {
    /// The locked `.part`, to write through (`None` without `flock`: the writes open the path).
    pub(crate) fn file(&self) -> Option<Arc<std::fs::File>> {
        #[cfg(unix)]
        return Some(Arc::clone(&self.file));
        #[cfg(not(unix))]
        None
    }

    /// Takes the lock on `part` (opening, and creating, it), waiting at most `wait` while
    /// another process (or another downloader of this one) holds it. Errors: `InvalidInput`
    /// "being downloaded by another process" when it stayed held, `Io` when the `.part` cannot
    /// be opened (a symbolic link at its name is refused: `O_NOFOLLOW`).
    pub(crate) async fn acquire(
        part: &Path,
        target: &Path,
        wait: Duration,
    ) -> Result<Self, PixivError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut pause = FIRST_POLL;
        loop {
            if let Some(lock) = Self::try_once(part)? {
                return Ok(lock);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(PixivError::invalid_input(
                    "download target",
                    format!(
                        "{} is being downloaded by another process (its {} stayed locked for \
                         {} ms)",
                        target.display(),
                        part.display(),
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
        // The holder before us may have renamed or removed the file after we opened it: the
        // lock is then on a file nobody else will open. Only a lock on the file at the path
        // counts.
        let held = file.metadata().map_err(io)?;
        let there = std::fs::symlink_metadata(path).ok();
        if there.is_some_and(|m| m.dev() == held.dev() && m.ino() == held.ino()) {
            Ok(Some(Self {
                len: held.len(),
                file: Arc::new(file),
            }))
        } else {
            // Let go; the next try opens (creates) the file now at the path.
            Ok(None)
        }
    }

    /// Without `flock` (not unix) the lock is this process's claim only.
    #[cfg(not(unix))]
    fn try_once(path: &Path) -> Result<Option<Self>, PixivError> {
        let len = std::fs::symlink_metadata(path).map_or(0, |m| m.len());
        Ok(Some(Self { len }))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_held_lock_is_waited_for_then_refused_and_taken_once_free() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("a.png.part");
        let target = dir.path().join("a.png");
        let first = TargetLock::acquire(&part, &target, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(first.len, 0, "the lock made the .part");
        // Another open file description (as another process has) cannot take it.
        let err = TargetLock::acquire(&part, &target, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("being downloaded by another process"),
            "{err}"
        );
        drop(first);
        assert!(part.exists(), "letting go leaves the .part to its sink");
        let again = TargetLock::acquire(&part, &target, Duration::ZERO)
            .await
            .unwrap();
        drop(again);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lock_on_a_part_renamed_away_is_let_go_and_the_new_part_locked() {
        use std::io::Write as _;
        use std::os::unix::fs::MetadataExt as _;

        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("a.png.part");
        let target = dir.path().join("a.png");
        let holder = TargetLock::acquire(&part, &target, Duration::ZERO)
            .await
            .unwrap();
        (&*holder.file).write_all(b"whole").unwrap();
        std::fs::rename(&part, &target).unwrap();
        // Renamed away but still held: the final file is locked, the path is free, and the
        // next download locks a new, empty `.part` (not the final file) without waiting.
        let next = TargetLock::acquire(&part, &target, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(next.len, 0);
        assert_ne!(
            next.file.metadata().unwrap().ino(),
            std::fs::metadata(&target).unwrap().ino()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
        drop(holder);
    }
}

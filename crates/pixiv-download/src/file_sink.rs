//! [`FileSink`]: a download to a file, through `name.part` beside it (with its `.part.meta`
//! resume record and its cross-process lock), renamed into place at the end.

use std::collections::BTreeSet;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use pixiv_errors::PixivError;
use serde::{Deserialize, Serialize};
use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncSeekExt as _, AsyncWriteExt as _, BufWriter};

use crate::lock::{TargetLock, lock_path};
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

/// Suffix of the temporary file beside the target.
pub(crate) const PART_SUFFIX: &str = ".part";
/// Suffix of its sidecar.
pub(crate) const META_SUFFIX: &str = ".part.meta";

/// The `.part` and `.part.meta` paths beside `target`. A name too long to take the suffixes is
/// shortened and made unique by a hash of the whole name.
pub(crate) fn temp_paths(target: &Path) -> (PathBuf, PathBuf) {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = if name.len() + META_SUFFIX.len() <= crate::target::MAX_NAME_LEN {
        name
    } else {
        let hash = fnv1a(name.as_bytes());
        let mut keep = crate::target::MAX_NAME_LEN - META_SUFFIX.len() - 17;
        while !name.is_char_boundary(keep) {
            keep -= 1;
        }
        format!("{}.{hash:016x}", &name[..keep])
    };
    (
        target.with_file_name(format!("{base}{PART_SUFFIX}")),
        target.with_file_name(format!("{base}{META_SUFFIX}")),
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// [`Downloader::download`](crate::Downloader::download): a `.part` file beside the target, with
/// its sidecar when the server gave a validator.
///
/// Dropped before [`settle`](Self::settle) (a cancelled download), it removes the `.part` unless
/// it can be resumed (its sidecar is on disk).
pub(crate) struct FileSink {
    /// Released after `Drop` has cleaned up (fields drop after the body of `drop`).
    _claim: Option<Claim>,
    /// The cross-process lock, held from [`lock`](Self::lock) until the sink is dropped (after the
    /// rename). Released after `Drop` has cleaned up.
    lock: Option<TargetLock>,
    /// Whether this sink may touch the `.part` and its sidecar: not before the lock is held
    /// (another process may be writing them).
    owner: bool,
    pub(crate) part: PathBuf,
    pub(crate) meta: PathBuf,
    url: String,
    capacity: usize,
    file: Option<BufWriter<File>>,
    /// The sidecar on disk describes the `.part`.
    resumable: bool,
    settled: bool,
}

impl FileSink {
    pub(crate) fn new(target: &Path, url: String, capacity: usize) -> Self {
        let (part, meta) = temp_paths(target);
        Self {
            _claim: None,
            lock: None,
            owner: true,
            part,
            meta,
            url,
            capacity,
            file: None,
            resumable: false,
            settled: false,
        }
    }

    /// [`new`](Self::new), after claiming `key` (the target's normalised path) for this process:
    /// a second download of the same file while this one runs would share its `.part`, so it is
    /// refused with `InvalidInput` instead.
    pub(crate) fn claim(
        target: &Path,
        key: PathBuf,
        url: String,
        capacity: usize,
    ) -> Result<Self, PixivError> {
        let claim = Claim::take(key).ok_or_else(|| {
            PixivError::invalid_input(
                "download target",
                format!(
                    "{} is being downloaded by another call in this process",
                    target.display()
                ),
            )
        })?;
        let mut sink = Self::new(target, url, capacity);
        sink._claim = Some(claim);
        sink.owner = false;
        Ok(sink)
    }

    /// Takes the cross-process lock of the target (see `lock.rs`), waiting at most `wait`.
    pub(crate) async fn lock(&mut self, target: &Path, wait: Duration) -> Result<(), PixivError> {
        let lock = TargetLock::acquire(lock_path(&self.part), target, wait).await?;
        self.lock = Some(lock);
        self.owner = true;
        Ok(())
    }

    /// Done without a transfer (the file appeared while we waited for the lock): leave the
    /// `.part` files as they are.
    pub(crate) fn leave(&mut self) {
        self.settled = true;
    }

    fn io(&self, path: &Path) -> impl Fn(std::io::Error) -> PixivError {
        let path = path.to_path_buf();
        move |e| PixivError::io(path.clone(), e)
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

    /// The `.part` is complete and synced: check that it holds the `expected` bytes, rename it
    /// into place and drop the sidecar (all under the lock).
    pub(crate) async fn commit(&mut self, target: &Path, expected: u64) -> Result<(), PixivError> {
        self.file = None;
        let len = tokio::fs::metadata(&self.part)
            .await
            .map_err(self.io(&self.part))?
            .len();
        if len != expected {
            return Err(PixivError::decode(
                format!(
                    "{} holds {len} bytes where {expected} were written: something else wrote to it",
                    self.part.display()
                ),
                &[],
            ));
        }
        tokio::fs::rename(&self.part, target)
            .await
            .map_err(self.io(target))?;
        self.settled = true;
        let _ = tokio::fs::remove_file(&self.meta).await;
        sync_parent(target).await;
        Ok(())
    }

    async fn read_meta(&self) -> Option<PartMeta> {
        let raw = tokio::fs::read(&self.meta).await.ok()?;
        serde_json::from_slice(&raw).ok()
    }
}

/// The targets being downloaded in this process, so two calls never share a `.part`.
static IN_FLIGHT: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// One target claimed in [`IN_FLIGHT`]; released on drop.
struct Claim(PathBuf);

impl Claim {
    fn take(key: PathBuf) -> Option<Self> {
        let fresh = IN_FLIGHT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone());
        // Built only when claimed: a `Claim` dropped here would release the other call's claim
        // (and, under the lock, deadlock).
        if fresh { Some(Self(key)) } else { None }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

/// Makes a rename durable: on Unix a directory is synced by opening it. Best effort.
async fn sync_parent(target: &Path) {
    #[cfg(unix)]
    if let Some(parent) = target.parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if let Ok(dir) = File::open(parent).await {
            let _ = dir.sync_all().await;
        }
    }
    #[cfg(not(unix))]
    let _ = target;
}

/// Options that open (creating) a file for writing and, on unix, refuse a symbolic link at its
/// path (`O_NOFOLLOW`: the open fails with `ELOOP`). The part file and its sidecar are ours to
/// create; a link planted at their names (in a folder another user can write) must not make us
/// write through it into a file it points to.
fn no_follow() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    options.custom_flags(libc::O_NOFOLLOW);
    options
}

/// [`no_follow`] for a blocking open (the lock file, `lock.rs`): create if missing, never
/// truncate, never through a symbolic link.
pub(crate) fn no_follow_std() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    options
}

impl Sink for FileSink {
    async fn resume_point(&mut self) -> Option<Resume> {
        let meta = self.read_meta().await?;
        if meta.url != self.url {
            return None;
        }
        let if_range = meta.etag.clone().or(meta.last_modified.clone())?;
        let len = tokio::fs::metadata(&self.part).await.ok()?.len();
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
        self.file = None;
        let part = self.part.clone();
        let mut file = no_follow()
            .truncate(false)
            .open(&part)
            .await
            .map_err(self.io(&part))?;
        if start == 0 {
            // A fresh start: the sidecar first, so bytes on disk are never described by a stale one.
            self.resumable = false;
            let _ = tokio::fs::remove_file(&self.meta).await;
            file.set_len(0).await.map_err(self.io(&part))?;
            if let (Some(total), Some(_)) = (answer.total, answer.if_range()) {
                let meta = PartMeta {
                    url: self.url.clone(),
                    etag: answer.etag.clone(),
                    last_modified: answer.last_modified.clone(),
                    total,
                };
                let json = serde_json::to_vec(&meta)
                    .map_err(|e| PixivError::decode(format!("part sidecar: {e}"), &[]))?;
                let meta_path = self.meta.clone();
                let mut meta_file = no_follow()
                    .truncate(true)
                    .open(&meta_path)
                    .await
                    .map_err(self.io(&meta_path))?;
                meta_file
                    .write_all(&json)
                    .await
                    .map_err(self.io(&meta_path))?;
                // A tokio `File` finishes a write in the background: flushing waits for it, so
                // a write error is reported and the sidecar is whole before any byte is held.
                meta_file.flush().await.map_err(self.io(&meta_path))?;
                self.resumable = true;
            }
        } else {
            // Bytes past `start` (there should be none) would be wrong once we append.
            file.set_len(start).await.map_err(self.io(&part))?;
            file.seek(SeekFrom::Start(start))
                .await
                .map_err(self.io(&part))?;
            self.resumable = true;
        }
        self.file = Some(BufWriter::with_capacity(self.capacity, file));
        Ok(())
    }

    async fn write(&mut self, data: &[u8]) -> Result<(), PixivError> {
        let part = self.part.clone();
        match self.file.as_mut() {
            Some(f) => f.write_all(data).await.map_err(|e| PixivError::io(part, e)),
            None => Err(PixivError::io(
                part,
                std::io::Error::other("write before the part file was opened"),
            )),
        }
    }

    async fn pause(&mut self) -> Result<(), PixivError> {
        if let Some(mut f) = self.file.take() {
            let part = self.part.clone();
            f.flush().await.map_err(|e| PixivError::io(part, e))?;
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), PixivError> {
        let part = self.part.clone();
        let io = |e| PixivError::io(part.clone(), e);
        match self.file.as_mut() {
            Some(f) => {
                f.flush().await.map_err(io)?;
                f.get_mut().sync_all().await.map_err(io)
            }
            // An empty body with no frames: the file was opened by `begin`.
            None => Ok(()),
        }
    }

    async fn discard(&mut self) -> Result<(), PixivError> {
        self.file = None;
        self.resumable = false;
        let _ = tokio::fs::remove_file(&self.meta).await;
        let _ = tokio::fs::remove_file(&self.part).await;
        Ok(())
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        if self.settled || !self.owner {
            return;
        }
        // Cancelled mid-transfer. Keep a resumable `.part` (its sidecar says what it holds);
        // anything else could never be continued, so it goes.
        if !self.resumable {
            let _ = std::fs::remove_file(&self.part);
            let _ = std::fs::remove_file(&self.meta);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_fit_the_name_limit() {
        let (p, m) = temp_paths(Path::new("/d/a.png"));
        assert_eq!(p, Path::new("/d/a.png.part"));
        assert_eq!(m, Path::new("/d/a.png.part.meta"));
        let long = "猫".repeat(85); // 255 bytes
        let (p, m) = temp_paths(&Path::new("/d").join(&long));
        let pn = p.file_name().unwrap().to_str().unwrap();
        let mn = m.file_name().unwrap().to_str().unwrap();
        assert!(mn.len() <= crate::target::MAX_NAME_LEN, "{}", mn.len());
        assert!(pn.ends_with(".part") && mn.ends_with(".part.meta"));
        let (p2, _) = temp_paths(&Path::new("/d").join(format!("{}x", &long[..252])));
        assert_ne!(p, p2);
    }

    #[test]
    fn the_hash_is_the_standard_64_bit_fnv_1a() {
        // The published FNV-1a test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn only_names_too_long_for_the_suffix_are_shortened_and_they_use_the_whole_limit() {
        // 245 bytes + `.part.meta` is exactly 255: kept as it is.
        let fits = "a".repeat(crate::target::MAX_NAME_LEN - META_SUFFIX.len());
        let (p, m) = temp_paths(&Path::new("/d").join(&fits));
        assert_eq!(p, Path::new("/d").join(format!("{fits}.part")));
        assert_eq!(m, Path::new("/d").join(format!("{fits}.part.meta")));
        // One byte more: shortened, to exactly 255 bytes with the hash.
        let (_, m) = temp_paths(&Path::new("/d").join(format!("{fits}a")));
        let mn = m.file_name().unwrap().to_str().unwrap();
        assert_eq!(mn.len(), crate::target::MAX_NAME_LEN);
        // A cut that falls inside a character moves back to its start, never past the limit.
        let mixed = format!("a{}", "猫".repeat(84)); // 253 bytes; the cut at 228 is mid-char
        let (_, m) = temp_paths(&Path::new("/d").join(&mixed));
        let mn = m.file_name().unwrap().to_str().unwrap();
        assert!(mn.len() <= crate::target::MAX_NAME_LEN, "{}", mn.len());
        assert!(mn.starts_with(&mixed[..226]), "{mn}");
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

//! The download archive: a SQLite database (rusqlite, SQLite built in) of every work page saved,
//! so a nightly run skips what it has without asking the image host (gallery-dl's
//! `--download-archive`; docs/cli.md, "The archive").
//!
//! Safe to share: WAL journal, a busy timeout so a second run waits for the first one's write
//! instead of failing, and every page recorded in its own short `IMMEDIATE` transaction after its
//! file was renamed into place, so a run killed with SIGKILL never records a file that is not
//! there (SQLite's WAL commits are atomic).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pixiv::PixivError;
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

/// The archive's file name in the config folder.
pub(crate) const ARCHIVE_FILE: &str = "archive.sqlite3";

/// How long a run waits for another run's write before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open archive.
#[derive(Debug)]
pub(crate) struct Archive {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn sql_error(path: &Path, e: rusqlite::Error) -> PixivError {
    PixivError::io(
        path,
        std::io::Error::other(format!("download archive: {e}")),
    )
}

impl Archive {
    /// Opens (creating when missing) the archive at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self, PixivError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| PixivError::io(dir, e))?;
        }
        let err = |e| sql_error(path, e);
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // The table in a write transaction of its own: `IMMEDIATE` waits (busy timeout) for
        // another run creating it at the same moment.
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TABLE IF NOT EXISTS pages (
                 illust_id INTEGER NOT NULL,
                 page      INTEGER NOT NULL,
                 url       TEXT    NOT NULL,
                 path      TEXT    NOT NULL,
                 size      INTEGER NOT NULL,
                 saved_at  INTEGER NOT NULL,
                 PRIMARY KEY (illust_id, page)
             );
             CREATE TABLE IF NOT EXISTS novel_pages (
                 novel_id  INTEGER NOT NULL,
                 page      INTEGER NOT NULL,
                 url       TEXT    NOT NULL,
                 path      TEXT    NOT NULL,
                 size      INTEGER NOT NULL,
                 saved_at  INTEGER NOT NULL,
                 PRIMARY KEY (novel_id, page)
             );
             COMMIT;",
        )
        .map_err(err)?;
        // Switching to WAL needs the database alone for a moment, and SQLite answers BUSY at
        // once (no busy handler) when another connection holds it: try again for a while.
        let started = std::time::Instant::now();
        loop {
            match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0)) {
                Ok(_mode) => break,
                Err(rusqlite::Error::SqliteFailure(f, _))
                    if f.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < BUSY_TIMEOUT =>
                {
                    // A blocking thread (see `open_blocking`): sleeping here stalls no task.
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(err(e)),
            }
        }
        conn.execute_batch("PRAGMA synchronous=NORMAL;")
            .map_err(err)?;
        Ok(Self {
            path: path.to_owned(),
            conn: Mutex::new(conn),
        })
    }

    /// [`open`](Self::open) on a blocking thread (it may wait for another run's lock).
    pub(crate) async fn open_blocking(path: PathBuf) -> Result<Self, PixivError> {
        tokio::task::spawn_blocking(move || Self::open(&path))
            .await
            .map_err(|e| PixivError::from(std::io::Error::other(e)))?
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable: SQLite rolls back.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many pages of work `illust_id` are recorded.
    pub(crate) fn pages_saved(&self, illust_id: u64) -> Result<usize, PixivError> {
        let n: Option<i64> = self
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM pages WHERE illust_id = ?1",
                params![id_param(illust_id)],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| sql_error(&self.path, e))?;
        Ok(usize::try_from(n.unwrap_or(0)).unwrap_or(0))
    }

    /// Records page `page` of work `illust_id`, saved from `url` at `file` (`size` bytes), in one
    /// transaction of its own. Call it only once the file is at its final path.
    pub(crate) fn record(
        &self,
        illust_id: u64,
        page: usize,
        url: &str,
        file: &Path,
        size: u64,
    ) -> Result<(), PixivError> {
        self.insert(
            "INSERT OR REPLACE INTO pages (illust_id, page, url, path, size, saved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            illust_id,
            page,
            url,
            file,
            size,
        )
    }

    /// Whether novel `novel_id` is recorded. Novels have a table of their own (`novel_pages`,
    /// page 0 is the text file): Pixiv numbers novels and works apart, so the same id names both.
    pub(crate) fn novel_saved(&self, novel_id: u64) -> Result<bool, PixivError> {
        let n: Option<i64> = self
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM novel_pages WHERE novel_id = ?1",
                params![id_param(novel_id)],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| sql_error(&self.path, e))?;
        Ok(n.unwrap_or(0) > 0)
    }

    /// Records novel `novel_id`'s text file (page 0) once it is at its final path.
    pub(crate) fn record_novel(
        &self,
        novel_id: u64,
        url: &str,
        file: &Path,
        size: u64,
    ) -> Result<(), PixivError> {
        self.insert(
            "INSERT OR REPLACE INTO novel_pages (novel_id, page, url, path, size, saved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            novel_id,
            0,
            url,
            file,
            size,
        )
    }

    /// One row, in a transaction of its own.
    fn insert(
        &self,
        sql: &str,
        id: u64,
        page: usize,
        url: &str,
        file: &Path,
        size: u64,
    ) -> Result<(), PixivError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let err = |e| sql_error(&self.path, e);
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        tx.execute(
            sql,
            params![
                id_param(id),
                i64::try_from(page).unwrap_or(i64::MAX),
                url,
                file.to_string_lossy(),
                i64::try_from(size).unwrap_or(i64::MAX),
                now
            ],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }
}

/// SQLite integers are signed: ids above `i64::MAX` (none on Pixiv) are stored wrapped.
fn id_param(id: u64) -> i64 {
    i64::from_ne_bytes(id.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pages_are_recorded_once_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(ARCHIVE_FILE);
        let archive = Archive::open(&path).unwrap();
        assert_eq!(archive.pages_saved(12).unwrap(), 0);
        archive
            .record(12, 0, "u0", Path::new("/x/12_p0.png"), 10)
            .unwrap();
        archive
            .record(12, 1, "u1", Path::new("/x/12_p1.png"), 10)
            .unwrap();
        archive
            .record(12, 1, "u1", Path::new("/y/12_p1.png"), 11)
            .unwrap();
        assert_eq!(archive.pages_saved(12).unwrap(), 2);
        assert_eq!(archive.pages_saved(u64::MAX).unwrap(), 0);
        // A second connection (another run) sees the same rows.
        let other = Archive::open(&path).unwrap();
        assert_eq!(other.pages_saved(12).unwrap(), 2);
        assert_eq!(other.path(), path);
        // Novels are apart: novel 12 is not work 12.
        assert!(!other.novel_saved(12).unwrap());
        other
            .record_novel(12, "n", Path::new("/x/12.txt"), 5)
            .unwrap();
        assert!(archive.novel_saved(12).unwrap());
        assert_eq!(archive.pages_saved(12).unwrap(), 2);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.sqlite3");
        std::fs::write(&path, b"this is not SQLite at all, just text, long enough").unwrap();
        let e = Archive::open(&path).unwrap_err().to_string();
        assert!(e.contains("download archive"), "{e}");
    }
}

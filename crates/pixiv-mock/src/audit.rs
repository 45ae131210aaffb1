//! The secret audit: with [`DIR_ENV`] set, a process that runs a mock logs every `tracing` event
//! at TRACE to a file, and lists every secret the mock issued or was shown in another, so that a
//! later pass (`cargo xtask secrets`) can prove that no secret reached any log line.
//!
//! With `PIXIV_SECRET_AUDIT_DIR=DIR`, the first use of the mock in a process (a
//! [`MockPixiv`](crate::MockPixiv) starting, a [`TinyProxy`](crate::tinyproxy::TinyProxy)
//! starting, or [`note_secret`]) does two things, once:
//!
//! - it installs a global `tracing` subscriber (every crate at TRACE, span creation and close
//!   included, `log` records bridged; the mock's own targets off, see [`TRACE_FILTER`]) that
//!   appends to `DIR/trace-<pid>.log`;
//! - it opens `DIR/secrets-<pid>.txt`, one `kind<TAB>secret` line per distinct secret: the client
//!   secret and hash secret, the demo refresh token, then as the process runs every access and
//!   refresh token the mock issues, every refresh token, access token, authorization code and
//!   PKCE verifier it is shown, and every proxy password (and its `Basic` credentials) of
//!   [`tinyproxy`](crate::tinyproxy).
//!
//! A process that already has a global subscriber keeps it: the audit says so on stderr and in
//! `DIR/unaudited-<pid>.txt`, and still lists its secrets. Without the variable nothing happens
//! and nothing is written.
//!
//! Threads with a subscriber of their own (`tracing::subscriber::set_default`, as tests that
//! assert on logs use) log there instead, as `tracing` defines; those tests check their own
//! capture.
//!
//! ```
//! // Without PIXIV_SECRET_AUDIT_DIR, noting a secret does nothing.
//! # if std::env::var_os(pixiv_mock::audit::DIR_ENV).is_none() {
//! pixiv_mock::audit::note_secret("canary", "canary-token-9f8e7d6c5b4a");
//! assert!(!pixiv_mock::audit::is_active());
//! # }
//! ```

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::state::lock;
use crate::{CLIENT_SECRET, DEMO_REFRESH_TOKEN, HASH_SECRET};

/// The environment variable naming the audit's directory (made if missing).
pub const DIR_ENV: &str = "PIXIV_SECRET_AUDIT_DIR";

/// The `EnvFilter` of the audit's subscriber: everything at TRACE but the mock's own events (the
/// server sees tokens by design). The client crates, hyper, h2, rustls and the rest stay on, the
/// server-side hyper and h2 of the mock's connections included.
pub const TRACE_FILTER: &str = "trace,pixiv_mock=off";

/// One process's audit: its secrets file and the secrets already in it.
#[derive(Debug)]
struct Audit {
    secrets: File,
    noted: Mutex<HashSet<String>>,
    write_failed: AtomicBool,
}

static AUDIT: OnceLock<Option<Audit>> = OnceLock::new();

/// Starts the audit if [`DIR_ENV`] is set and it has not started yet.
pub(crate) fn begin() {
    let _ = audit();
}

/// Whether this process is auditing (the variable is set and its files could be opened).
pub fn is_active() -> bool {
    audit().is_some()
}

/// Adds a secret to this process's list when auditing; does nothing otherwise. `kind` says what
/// it is (`"access_token"`, `"proxy_password"`, ...). Tests may name secrets the mock never sees
/// (a canary a hostile server plants, a wrong password), so that the audit looks for them too.
///
/// Empty secrets, and any with a tab or line break (they could not be listed), are ignored.
pub fn note_secret(kind: &str, secret: &str) {
    if let Some(audit) = audit() {
        audit.note(kind, secret);
    }
}

fn audit() -> Option<&'static Audit> {
    AUDIT.get_or_init(start).as_ref()
}

fn start() -> Option<Audit> {
    let dir = PathBuf::from(std::env::var_os(DIR_ENV)?);
    let pid = std::process::id();
    let (trace, secrets) = match open_files(&dir, pid) {
        Ok(files) => files,
        Err(e) => {
            eprintln!(
                "pixiv-mock: secret audit: cannot write to {}: {e}; this process is not audited",
                dir.display()
            );
            return None;
        }
    };
    install_subscriber(trace, &dir, pid);
    let audit = Audit {
        secrets,
        noted: Mutex::new(HashSet::new()),
        write_failed: AtomicBool::new(false),
    };
    audit.note("client_secret", CLIENT_SECRET);
    audit.note("hash_secret", HASH_SECRET);
    audit.note("refresh_token", DEMO_REFRESH_TOKEN);
    Some(audit)
}

fn open_files(dir: &Path, pid: u32) -> io::Result<(File, File)> {
    std::fs::create_dir_all(dir)?;
    let open = |name: String| {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(name))
    };
    Ok((
        open(format!("trace-{pid}.log"))?,
        open(format!("secrets-{pid}.txt"))?,
    ))
}

/// The global subscriber, writing to `trace` (opened for appending: the formatter writes each
/// event with one `write`, so lines of concurrent threads do not interleave).
fn install_subscriber(trace: File, dir: &Path, pid: u32) {
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(TRACE_FILTER))
        // Creation shows a span's fields, close the ones recorded later; entering and leaving
        // (every poll) would repeat them and multiply the volume.
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_thread_names(true)
        .with_ansi(false)
        .with_writer(trace);
    // Fails when a global subscriber is set already (a thread's scoped one does not count), or
    // when a `log` logger is (then `log` records are not bridged).
    if let Err(e) = subscriber.try_init() {
        eprintln!("pixiv-mock: secret audit: {e}; this process's logs may not be audited");
        let program = std::env::args().next().unwrap_or_default();
        let _ = std::fs::write(
            dir.join(format!("unaudited-{pid}.txt")),
            format!("{program}: {e}\n"),
        );
    }
}

impl Audit {
    fn note(&self, kind: &str, secret: &str) {
        if secret.is_empty() || secret.contains(['\t', '\n', '\r']) {
            return;
        }
        if !lock(&self.noted).insert(secret.to_owned()) {
            return;
        }
        // One `write` per line: the file is opened for appending.
        let line = format!("{kind}\t{secret}\n");
        if let Err(e) = (&self.secrets).write_all(line.as_bytes()) {
            if !self.write_failed.swap(true, Ordering::Relaxed) {
                eprintln!("pixiv-mock: secret audit: cannot list a secret: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_listed_once_with_its_kind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.txt");
        let audit = Audit {
            secrets: File::create(&path).unwrap(),
            noted: Mutex::new(HashSet::new()),
            write_failed: AtomicBool::new(false),
        };
        audit.note("access_token", "tok-123456789");
        audit.note("access_token", "tok-123456789");
        audit.note("proxy_password", "pass word");
        audit.note("odd", "tab\there");
        audit.note("odd", "line\nbreak");
        audit.note("odd", "");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "access_token\ttok-123456789\nproxy_password\tpass word\n"
        );
    }
}

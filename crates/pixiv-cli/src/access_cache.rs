//! The access-token cache beside the refresh token (`access_token` in the config folder): the
//! last access token, its expiry (Unix seconds) and a fingerprint of the refresh token and OAuth
//! base it came from, so consecutive commands within the hour make no token call (issue #16;
//! PixivPy's `set_auth(access_token, refresh_token)` does the same within one process).
//!
//! Written like the token file (0600, atomic rename). A cache that is missing, unreadable, for
//! another account or server, or within a minute of its expiry is ignored: the client then
//! refreshes as usual, and a cached token Pixiv rejects is refreshed too (the library's
//! invalid-token retry).

use std::hash::{Hash as _, Hasher as _};
use std::io;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::token_store;

/// The cache file's name inside the config folder.
const ACCESS_FILE: &str = "access_token";

/// A cached token is not used in its last minute (the library refreshes 60 s early too).
const MARGIN_SECS: u64 = 60;

/// The cache file's path.
pub(crate) fn path() -> Option<PathBuf> {
    token_store::config_dir().map(|d| d.join(ACCESS_FILE))
}

/// Which refresh token and server a cached access token belongs to (not a secret: a hash).
fn fingerprint(refresh_token: &str, oauth_base: &str) -> String {
    // FNV-1a, stable across Rust versions (std's DefaultHasher is not promised to be).
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    refresh_token.hash(&mut hasher);
    oauth_base.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The cached access token for this refresh token and server, when it has over a minute left.
pub(crate) fn load(refresh_token: &str, oauth_base: &str) -> Option<String> {
    let text = std::fs::read_to_string(path()?).ok()?;
    let mut lines = text.lines();
    let expires: u64 = lines.next()?.trim().parse().ok()?;
    let owner = lines.next()?.trim();
    let token = lines.next()?.trim();
    let fresh = expires > now_secs().saturating_add(MARGIN_SECS);
    (fresh && !token.is_empty() && owner == fingerprint(refresh_token, oauth_base))
        .then(|| token.to_owned())
}

/// Caches `token`, valid for `lifetime` from now. Failures are logged, never fatal.
pub(crate) fn store(refresh_token: &str, oauth_base: &str, token: &str, lifetime: Duration) {
    let Some(path) = path() else { return };
    let expires = now_secs().saturating_add(lifetime.as_secs());
    let text = format!(
        "{expires}\n{}\n{}",
        fingerprint(refresh_token, oauth_base),
        token.trim()
    );
    if let Err(e) = token_store::write_private(&path, text.as_bytes()) {
        tracing::warn!(error = %e, "could not cache the access token");
    }
}

/// Removes the cache; `Ok(None)` when there was none.
pub(crate) fn remove() -> io::Result<Option<PathBuf>> {
    let Some(path) = path() else { return Ok(None) };
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(Some(path)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

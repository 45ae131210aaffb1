//! The refresh token in the OS secret store, for `pixiv login --keyring` (docs/cli.md,
//! "The keyring").
//!
//! The `keyring` crate does the talking: on Linux the freedesktop Secret Service over D-Bus
//! (GNOME Keyring, KeePassXC...), pure Rust (zbus, RustCrypto); on macOS the Keychain; on
//! Windows the Credential Manager. The entry is service `pixiv-rs`, user [`ACCOUNT`]. The token
//! folder only records, in a marker file holding no secret, that the keyring holds the token.
//!
//! Every failure is an error for the caller: no keyring reachable never falls back to a file.

use std::io;

/// The entry's service name.
pub(crate) const SERVICE: &str = "pixiv-rs";

/// The entry's user name: one fixed account key (`PIXIV_CONFIG_DIR` does not separate entries).
pub(crate) const ACCOUNT: &str = "refresh-token";

/// Runs `op` on a thread of its own: the Secret Service client (zbus) drives its own tokio
/// runtime with `block_on`, which must not run on a thread of the command's runtime.
#[cfg(feature = "keyring")]
fn off_runtime<T: Send>(op: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(op).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// A keyring failure as one line: what could not be done and the platform's reason.
#[cfg(feature = "keyring")]
fn failure(doing: &str, err: keyring::Error) -> io::Error {
    let why = match &err {
        keyring::Error::NoStorageAccess(e) => {
            format!("the keyring is locked or not reachable ({e})")
        }
        keyring::Error::PlatformFailure(e) => {
            format!("no keyring reachable: {e}")
        }
        other => other.to_string(),
    };
    // One line: a platform message may carry several.
    let why = why.split_whitespace().collect::<Vec<_>>().join(" ");
    // The reason first: pixiv-errors redacts what follows a `token:` in a message.
    io::Error::other(format!(
        "keyring: {why} (could not {doing} the refresh token)"
    ))
}

#[cfg(feature = "keyring")]
fn entry() -> io::Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, ACCOUNT).map_err(|e| failure("reach", e))
}

/// Stores `token` in the keyring, replacing any earlier one.
#[cfg(feature = "keyring")]
pub(crate) fn set(token: &str) -> io::Result<()> {
    off_runtime(|| {
        entry()?
            .set_password(token)
            .map_err(|e| failure("store", e))
    })
}

/// The keyring's token; `Ok(None)` when it holds none.
#[cfg(feature = "keyring")]
pub(crate) fn get() -> io::Result<Option<String>> {
    off_runtime(|| match entry()?.get_password() {
        Ok(token) => Ok(Some(token)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(failure("read", e)),
    })
}

/// Deletes the keyring's token; `Ok(false)` when it held none.
#[cfg(feature = "keyring")]
pub(crate) fn delete() -> io::Result<bool> {
    off_runtime(|| match entry()?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(failure("delete", e)),
    })
}

#[cfg(not(feature = "keyring"))]
fn not_built() -> io::Error {
    io::Error::other(
        "keyring: this pixiv was built without the `keyring` feature; \
         run `pixiv logout` and `pixiv login` to keep the token in a file",
    )
}

/// Without the `keyring` feature: an error saying so.
#[cfg(not(feature = "keyring"))]
pub(crate) fn set(_token: &str) -> io::Result<()> {
    Err(not_built())
}

/// Without the `keyring` feature: an error saying so.
#[cfg(not(feature = "keyring"))]
pub(crate) fn get() -> io::Result<Option<String>> {
    Err(not_built())
}

/// Without the `keyring` feature: an error saying so.
#[cfg(not(feature = "keyring"))]
pub(crate) fn delete() -> io::Result<bool> {
    Err(not_built())
}

//! Where `pixiv login` keeps the refresh token: `$PIXIV_CONFIG_DIR/refresh_token`, else
//! `pixiv-rs/refresh_token` in the platform's config folder (on Linux
//! `$XDG_CONFIG_HOME/pixiv-rs/refresh_token`, else `~/.config/pixiv-rs/refresh_token`).
//!
//! The file is readable by its owner only (mode 0600, its folder 0700), and written atomically:
//! a temporary file created with that mode, synced, then renamed over the old one, so a crash
//! never leaves half a token and the token is never readable by others, not even for a moment.
//! `PIXIV_REFRESH_TOKEN` in the environment wins over the file.
//!
//! After `pixiv login --keyring` the token is in the OS secret store instead (see
//! [`crate::keyring_store`]): the folder then holds no token file, only the marker
//! `refresh_token.keyring`, which says so and holds no secret.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The environment variable holding a refresh token that wins over the stored one.
pub(crate) const TOKEN_ENV: &str = "PIXIV_REFRESH_TOKEN";

/// The environment variable naming the config folder itself (tests, several accounts).
pub(crate) const CONFIG_DIR_ENV: &str = "PIXIV_CONFIG_DIR";

/// The token file's name inside the config folder.
const TOKEN_FILE: &str = "refresh_token";

/// The marker's name: present when the keyring holds the token.
const KEYRING_MARKER: &str = "refresh_token.keyring";

/// Where a refresh token came from (a rotated token is written back only to the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// `PIXIV_REFRESH_TOKEN`.
    Env,
    /// The token file.
    File,
    /// The OS keyring (`login --keyring`).
    Keyring,
}

/// The config folder (see the module docs), or `None` when no home can be found.
pub(crate) fn config_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var(CONFIG_DIR_ENV) {
        return Some(dir);
    }
    // The platform's config folder (the `directories` crate): `$XDG_CONFIG_HOME` when absolute,
    // else `~/.config` on Linux; `~/Library/Application Support` on macOS; `%APPDATA%` on
    // Windows.
    directories::BaseDirs::new().map(|dirs| dirs.config_dir().join("pixiv-rs"))
}

/// The token file's path.
pub(crate) fn token_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join(TOKEN_FILE))
}

/// The marker's path.
pub(crate) fn keyring_marker_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join(KEYRING_MARKER))
}

/// Whether the marker says the keyring holds the token.
pub(crate) fn in_keyring() -> bool {
    keyring_marker_path().is_some_and(|p| p.exists())
}

/// The refresh token to use: the environment's, else the keyring's when the marker says so,
/// else the file's. A keyring that cannot be reached is an error, not a fall back to the file.
pub(crate) fn load() -> io::Result<Option<(String, Source)>> {
    if let Some(token) = std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        return Ok(Some((token.trim().to_owned(), Source::Env)));
    }
    if in_keyring() {
        return match crate::keyring_store::get()? {
            Some(token) if !token.trim().is_empty() => {
                Ok(Some((token.trim().to_owned(), Source::Keyring)))
            }
            _ => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "keyring: the keyring holds no pixiv-rs refresh token (removed outside pixiv?); \
                 run `pixiv login --keyring` again",
            )),
        };
    }
    let Some(path) = token_path() else {
        return Ok(None);
    };
    match fs::read_to_string(&path) {
        Ok(text) => {
            let token = text.trim();
            Ok((!token.is_empty()).then(|| (token.to_owned(), Source::File)))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn no_config_dir() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        "no config folder: set HOME, XDG_CONFIG_HOME or PIXIV_CONFIG_DIR",
    )
}

/// Stores `token` in the token file (see the module docs); returns the file's path. A marker
/// of an earlier `login --keyring` is removed (the file is now the token's place); its keyring
/// entry is deleted when the keyring can be reached, else left with a warning.
pub(crate) fn store(token: &str) -> io::Result<PathBuf> {
    let path = token_path().ok_or_else(no_config_dir)?;
    write_private(&path, token.trim().as_bytes())?;
    if let Some(marker) = keyring_marker_path().filter(|p| p.exists()) {
        if let Err(e) = crate::keyring_store::delete() {
            eprintln!("warning: the old token stays in the keyring: {e}");
        }
        remove_if_present(&marker)?;
    }
    Ok(path)
}

/// Stores `token` in the OS keyring and writes the marker; a token file is removed (the
/// keyring is now the token's place). Returns the marker's path. Nothing is written to the
/// folder when the keyring fails.
pub(crate) fn store_in_keyring(token: &str) -> io::Result<PathBuf> {
    let marker = keyring_marker_path().ok_or_else(no_config_dir)?;
    crate::keyring_store::set(token.trim())?;
    // What the marker says: where the token is, no secret.
    let text = format!(
        "the refresh token is in the OS keyring: service {}, user {}",
        crate::keyring_store::SERVICE,
        crate::keyring_store::ACCOUNT
    );
    write_private(&marker, text.as_bytes())?;
    if let Some(path) = token_path() {
        remove_if_present(&path)?;
    }
    Ok(marker)
}

/// Stores a rotated token where `source` keeps it (the environment's is not written back).
pub(crate) fn store_rotated(source: Source, token: &str) -> io::Result<()> {
    match source {
        Source::Env => Ok(()),
        Source::File => store(token).map(drop),
        Source::Keyring => crate::keyring_store::set(token.trim()),
    }
}

/// Deletes the keyring's token and then the marker, when the marker says the keyring holds
/// it. `Ok(None)` without a marker; `Ok(Some(deleted))` tells whether an entry was there. A
/// keyring that cannot be reached is an error and the marker stays (run `logout` again). A
/// `pixiv` built without the `keyring` feature removes the marker only, saying so.
pub(crate) fn remove_from_keyring() -> io::Result<Option<bool>> {
    let Some(marker) = keyring_marker_path().filter(|p| p.exists()) else {
        return Ok(None);
    };
    let deleted = if cfg!(feature = "keyring") {
        crate::keyring_store::delete()?
    } else {
        eprintln!(
            "note: built without the `keyring` feature: the keyring entry (service pixiv-rs) is left"
        );
        false
    };
    remove_if_present(&marker)?;
    Ok(Some(deleted))
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes the token file; `Ok(None)` when there was none.
pub(crate) fn remove() -> io::Result<Option<PathBuf>> {
    let Some(path) = token_path() else {
        return Ok(None);
    };
    match fs::remove_file(&path) {
        Ok(()) => Ok(Some(path)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `path` readable by the owner only: temp file (0600) + sync + rename.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = private_options().open(&tmp)?;
        file.write_all(bytes)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

#[cfg(unix)]
fn private_options() -> fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true).mode(0o600);
    options
}

#[cfg(not(unix))]
fn private_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    options
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn written_owner_only_and_replaced_atomically() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("refresh_token");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two\n");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }
}

//! Where a download goes: PixivPy's naming rules, and the checks that keep a hostile URL from
//! writing outside the chosen folder.
//!
//! The rules, in PixivPy's order (`download(url, path, prefix, ext, replace)`):
//!
//! 1. the name is the last segment of the URL's path, percent-decoded;
//! 2. [`Target::path`]: an existing folder gets the name inside it; anything else *is* the file
//!    (the URL's name is then not used). [`Target::dir`] always means a folder;
//! 3. [`Target::prefix`] goes before the name;
//! 4. [`Target::ext`] replaces the extension (Python's `with_suffix`: the part from the last dot,
//!    unless the dot starts the name or ends it), with or without its leading dot;
//! 5. `replace = false` (the default) leaves an existing file alone: the download is reported as
//!    skipped and no request is made;
//! 6. parent folders are created.
//!
//! Unicode format characters (general category Cf: bidirectional controls such as U+202E, zero-width
//! characters, the byte order mark, soft hyphen...) in a URL's name are replaced with `_`, so a
//! name reads as what it is: `12_p0.\u{202E}gnp.exe` is saved as `12_p0._gnp.exe`, not displayed
//! as `12_p0.exe.png` ([`FORMAT_CHAR_REPLACEMENT`]).
//!
//! A URL name that decodes to something unsafe is refused with
//! [`PixivError::InvalidInput`] before anything happens: empty, `.`, `..`, containing `/`, `\`, NUL
//! or another control character, or longer than [`MAX_NAME_LEN`] bytes. The prefix and the
//! extension are held to the same rules, and so is the final name.
//!
//! ```
//! use pixiv_download::Target;
//!
//! let dir = tempfile::tempdir()?;
//! let target = Target::dir(dir.path()).prefix("p_").ext("jpg");
//! let path = target.resolve("https://i.pximg.net/img-original/img/2024/01/01/00/00/00/1_p0.png")?;
//! assert_eq!(path, dir.path().join("p_1_p0.jpg"));
//!
//! let err = Target::dir(dir.path()).resolve("https://i.pximg.net/a/%2e%2e").unwrap_err();
//! assert!(matches!(err, pixiv_download::PixivError::InvalidInput { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Component, Path, PathBuf};

use http::Uri;
use pixiv_errors::PixivError;

/// The longest file name most filesystems accept (ext4, XFS, btrfs, APFS, NTFS in UTF-16 units),
/// in bytes: 255.
pub const MAX_NAME_LEN: usize = 255;

/// What a Unicode format character (category Cf) in a name taken from a URL becomes: `_`.
pub const FORMAT_CHAR_REPLACEMENT: char = '_';

/// The Referer the image host requires (docs/protocol.md: `i.pximg.net` answers 403 without it), the
/// seed's default.
pub const DEFAULT_REFERER: &str = "https://app-api.pixiv.net/";

/// Where one download goes, and how: PixivPy's `path`, `prefix`, `ext`, `replace`, `referer`.
///
/// A by-value builder; see the [module docs](self) for the rules and an example.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Target {
    place: Place,
    prefix: Option<String>,
    ext: Option<String>,
    replace: bool,
    referer: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Place {
    /// PixivPy's `path=None`: the URL's name in the current folder.
    #[default]
    CurrentDir,
    /// PixivPy's `path`: a folder if it is an existing folder, else the file itself.
    Path(PathBuf),
    /// Always a folder (created when missing).
    Dir(PathBuf),
}

impl Target {
    /// The URL's name in the current folder (PixivPy's `path=None`).
    pub fn new() -> Self {
        Self::default()
    }

    /// PixivPy's `path`: when `path` is an existing folder the URL's name goes inside it;
    /// otherwise `path` is the file to write (its parent folders are created).
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Self {
            place: Place::Path(path.into()),
            ..Self::default()
        }
    }

    /// Always a folder, created when missing: the URL's name goes inside it. What a batch into
    /// one folder wants (PixivPy's `download_batch(directory=..)`).
    pub fn dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            place: Place::Dir(dir.into()),
            ..Self::default()
        }
    }

    /// Put `prefix` before the file name. Default: none.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Replace the extension with `ext` (`"jpg"` and `".jpg"` mean the same). Default: keep it.
    pub fn ext(mut self, ext: impl Into<String>) -> Self {
        self.ext = Some(ext.into());
        self
    }

    /// Overwrite an existing file (`true`) or leave it alone and report it skipped without a
    /// request (`false`). Default: `false`, as PixivPy's.
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// The `Referer` to send for this download. Default: the [`Downloader`](crate::Downloader)'s,
    /// whose own default is [`DEFAULT_REFERER`].
    pub fn referer(mut self, referer: impl Into<String>) -> Self {
        self.referer = Some(referer.into());
        self
    }

    /// Whether an existing file is overwritten.
    pub fn replaces(&self) -> bool {
        self.replace
    }

    pub(crate) fn referer_override(&self) -> Option<&str> {
        self.referer.as_deref()
    }

    /// The final path of `url`'s download under these rules (nothing is created; an existing
    /// folder at [`Target::path`] is looked up). Errors: `InvalidInput` for a URL that does not
    /// parse or whose name is unsafe, or an unsafe prefix or extension.
    pub fn resolve(&self, url: &str) -> Result<PathBuf, PixivError> {
        let uri: Uri = url
            .parse()
            .map_err(|e| PixivError::invalid_input("download URL", format!("{e}")))?;
        self.resolve_uri(&uri)
    }

    pub(crate) fn resolve_uri(&self, uri: &Uri) -> Result<PathBuf, PixivError> {
        let (dir, name) = match &self.place {
            Place::CurrentDir => (PathBuf::new(), name_from_uri(uri)?),
            Place::Dir(dir) => (dir.clone(), name_from_uri(uri)?),
            Place::Path(path) if path.is_dir() => (path.clone(), name_from_uri(uri)?),
            Place::Path(path) => {
                let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                    PixivError::invalid_input(
                        "download path",
                        format!("{} has no UTF-8 file name", path.display()),
                    )
                })?;
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                (dir, name.to_owned())
            }
        };
        let name = self.apply(name)?;
        Ok(dir.join(name))
    }

    /// Rules 3 and 4: prefix, then extension; the result is checked again.
    fn apply(&self, mut name: String) -> Result<String, PixivError> {
        if let Some(prefix) = self.prefix.as_deref().filter(|p| !p.is_empty()) {
            check_fragment("download prefix", prefix)?;
            name = format!("{prefix}{name}");
        }
        if let Some(ext) = self.ext.as_deref().filter(|e| !e.is_empty()) {
            let ext = ext.strip_prefix('.').unwrap_or(ext);
            if ext.is_empty() || ext.contains('.') {
                return Err(PixivError::invalid_input(
                    "download extension",
                    format!("{ext:?} is not one extension"),
                ));
            }
            check_fragment("download extension", ext)?;
            name = format!("{}.{ext}", stem(&name));
        }
        check_name("file name", &name)?;
        Ok(name)
    }
}

/// Python's `PurePath.stem` as `with_suffix` uses it: the name without its last `.suffix`, unless
/// the dot is the first or the last character.
fn stem(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 && i + 1 < name.len() => &name[..i],
        _ => name,
    }
}

/// The last segment of the URL's path, percent-decoded and checked.
pub(crate) fn name_from_uri(uri: &Uri) -> Result<String, PixivError> {
    let raw = uri.path().rsplit('/').next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| {
            PixivError::invalid_input("file name from the URL", "it is not UTF-8 once decoded")
        })?;
    let name: String = decoded
        .chars()
        .map(|c| {
            if is_format_char(c) {
                FORMAT_CHAR_REPLACEMENT
            } else {
                c
            }
        })
        .collect();
    check_name("file name from the URL", &name)?;
    Ok(name)
}

/// Unicode's general category Cf (format characters), as of Unicode 15.1: invisible characters
/// that change how the text around them is shown (bidirectional overrides and isolates,
/// zero-width joiners and spaces, the BOM, tags...). A table rather than a crate: the set is
/// small and changes rarely (UnicodeData.txt, category `Cf`).
const FORMAT_CHARS: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Whether `c` is a Unicode format character (category Cf).
pub(crate) fn is_format_char(c: char) -> bool {
    let c = u32::from(c);
    FORMAT_CHARS
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// A whole file name: not empty, not `.`/`..`, one plain path component, short enough.
fn check_name(what: &str, name: &str) -> Result<(), PixivError> {
    let refuse = |why: String| Err(PixivError::invalid_input(what, why));
    if name.is_empty() {
        return refuse("it is empty".into());
    }
    if name == "." || name == ".." {
        return refuse(format!("{name:?} names a folder, not a file"));
    }
    check_fragment(what, name)?;
    if name.len() > MAX_NAME_LEN {
        return refuse(format!(
            "it is {} bytes long, more than the {MAX_NAME_LEN} a file system allows",
            name.len()
        ));
    }
    // Belt and braces: whatever the platform thinks a path is, this must be one plain name.
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(_)), None) => Ok(()),
        _ => refuse(format!("{name:?} is not a plain file name")),
    }
}

/// A piece of a name (prefix, extension, name): no separators, no NUL, no control characters.
fn check_fragment(what: &str, text: &str) -> Result<(), PixivError> {
    if let Some(c) = text
        .chars()
        .find(|c| matches!(c, '/' | '\\') || c.is_control())
    {
        return Err(PixivError::invalid_input(
            what,
            format!("{text:?} contains {c:?}, which could leave the target folder"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(url: &str) -> Result<String, PixivError> {
        name_from_uri(&url.parse().unwrap())
    }

    #[test]
    fn names_are_the_last_segment_decoded() {
        assert_eq!(name("https://h/a/b/1_p0.png").unwrap(), "1_p0.png");
        assert_eq!(name("https://h/a/%E7%8C%AB.png?x=1").unwrap(), "猫.png");
        assert_eq!(name("https://h/a/b%20c.png").unwrap(), "b c.png");
    }

    #[test]
    fn unsafe_names_are_refused() {
        for url in [
            "https://h/",
            "https://h/a/",
            "https://h/a/..",
            "https://h/a/.",
            "https://h/a/%2e%2e",
            "https://h/a/%2E%2E",
            "https://h/a/%2F..%2Fx",
            "https://h/a/..%2F..%2Fetc%2Fpasswd",
            "https://h/a/%2Fetc%2Fpasswd",
            "https://h/a/x%00.png",
            "https://h/a/..%5Cwin.ini",
            "https://h/a/x%0A.png",
            "https://h/a/%FF.png",
        ] {
            let err = name(url).unwrap_err();
            assert!(
                matches!(err, PixivError::InvalidInput { .. }),
                "{url}: {err:?}"
            );
        }
        let long = format!("https://h/{}", "a".repeat(256));
        assert!(name(&long).is_err());
        let ok = format!("https://h/{}", "a".repeat(255));
        assert!(name(&ok).is_ok());
    }

    #[test]
    fn format_characters_in_url_names_become_underscores() {
        // U+202E RIGHT-TO-LEFT OVERRIDE would show `12_p0.exe.png`.
        assert_eq!(
            name("https://h/a/12_p0.%E2%80%AEgnp.exe").unwrap(),
            "12_p0._gnp.exe"
        );
        // Zero-width space, BOM, soft hyphen, a language tag, an isolate.
        assert_eq!(
            name("https://h/a/%E2%80%8Ba%EF%BB%BFb%C2%ADc%F3%A0%80%81d%E2%81%A6.png").unwrap(),
            "_a_b_c_d_.png"
        );
        // Ordinary non-ASCII letters are left alone.
        assert_eq!(name("https://h/a/%D7%90%D7%91.png").unwrap(), "אב.png");
        assert!(!is_format_char('a') && !is_format_char('猫') && !is_format_char(' '));
        assert!(is_format_char('\u{200D}') && is_format_char('\u{2069}'));
    }

    #[test]
    fn stems_follow_python() {
        assert_eq!(stem("a.png"), "a");
        assert_eq!(stem("a.tar.gz"), "a.tar");
        assert_eq!(stem(".bashrc"), ".bashrc");
        assert_eq!(stem("a."), "a.");
        assert_eq!(stem("a"), "a");
    }

    #[test]
    fn prefix_then_ext() {
        let t = Target::dir("/d").prefix("p_").ext(".jpg");
        assert_eq!(
            t.resolve("https://h/x/1_p0.png").unwrap(),
            Path::new("/d/p_1_p0.jpg")
        );
        let t = Target::dir("/d").ext("webp");
        assert_eq!(
            t.resolve("https://h/x/noext").unwrap(),
            Path::new("/d/noext.webp")
        );
        assert!(
            Target::dir("/d")
                .prefix("../")
                .resolve("https://h/a")
                .is_err()
        );
        assert!(Target::dir("/d").ext("a/b").resolve("https://h/a").is_err());
        assert!(Target::dir("/d").ext(".").resolve("https://h/a").is_err());
        let long = "a".repeat(250);
        assert!(
            Target::dir("/d")
                .prefix("123456")
                .resolve(&format!("https://h/{long}"))
                .is_err()
        );
    }

    #[test]
    fn a_missing_path_is_the_file_and_its_url_name_is_not_used() {
        let t = Target::path("/nonexistent-dir-xyz/out.bin");
        assert_eq!(
            t.resolve("https://h/download").unwrap(),
            Path::new("/nonexistent-dir-xyz/out.bin")
        );
        // The URL's name is not used, so it is not checked either.
        assert_eq!(
            t.resolve("https://h/a/..").unwrap(),
            Path::new("/nonexistent-dir-xyz/out.bin")
        );
    }
}

//! What a download answer must be before a byte of it is kept: not encoded (the request asked for
//! `identity`), not a page where a picture was asked for, not larger than the cap.
//!
//! `docs/security.md` ("Decompression", "Content sniffing", "Size cap") says why. The magic
//! numbers are the formats' own: PNG's 8-byte signature (PNG specification, section 5.2), JPEG's
//! SOI marker followed by another marker (`FF D8 FF`), GIF's `GIF87a`/`GIF89a`, WebP's
//! `RIFF....WEBP` (RFC 9649), ZIP's local file header `PK\3\4` (or `PK\5\6`, an empty archive).

use http::HeaderMap;
use http::Uri;
use http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use pixiv_errors::PixivError;

/// How many first bytes decide a format: 12 (WebP needs the most).
pub(crate) const SNIFF_LEN: usize = 12;

/// A format Pixiv serves, known from a URL's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
    Zip,
}

impl Format {
    /// The format a URL's file name claims by its extension (case-insensitive), if one of
    /// [`Format`]'s.
    pub(crate) fn of_uri(uri: &Uri) -> Option<Self> {
        let name = uri.path().rsplit('/').next().unwrap_or("");
        let (_, ext) = name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "png" => Some(Self::Png),
            "jpg" | "jpeg" => Some(Self::Jpeg),
            "gif" => Some(Self::Gif),
            "webp" => Some(Self::Webp),
            "zip" => Some(Self::Zip),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::Gif => "GIF",
            Self::Webp => "WebP",
            Self::Zip => "ZIP",
        }
    }

    /// Whether `head` (the first bytes, all of them when the body is shorter than
    /// [`SNIFF_LEN`]) starts like this format.
    fn matches(self, head: &[u8]) -> bool {
        match self {
            Self::Png => head.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Jpeg => head.starts_with(b"\xff\xd8\xff"),
            Self::Gif => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
            Self::Webp => head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP",
            Self::Zip => head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"),
        }
    }
}

/// What the first bytes look like, for an error message.
fn describe(head: &[u8]) -> &'static str {
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let first = text.iter().copied().find(|b| !b.is_ascii_whitespace());
    if let Some(f) = [
        Format::Png,
        Format::Jpeg,
        Format::Gif,
        Format::Webp,
        Format::Zip,
    ]
    .into_iter()
    .find(|f| f.matches(head))
    {
        return f.name();
    }
    match first {
        _ if head.is_empty() => "an empty body",
        _ if head.starts_with(b"\x1f\x8b") => "gzip",
        Some(b'<') => "HTML/XML",
        Some(b'{' | b'[') => "JSON",
        _ => "no known format",
    }
}

/// An answer's `Content-Encoding` other than `identity` (the request asked for `identity`):
/// inflating it could turn a small answer into an unbounded file, keeping it would save
/// compressed bytes under an image's name.
pub(crate) fn check_encoding(headers: &HeaderMap) -> Result<(), PixivError> {
    for value in headers.get_all(CONTENT_ENCODING) {
        let value = value.to_str().unwrap_or("(not text)");
        if value.split(',').any(|v| {
            let v = v.trim();
            !v.is_empty() && !v.eq_ignore_ascii_case("identity")
        }) {
            return Err(PixivError::decode(
                format!(
                    "the server sent Content-Encoding {:?} for a download that asked for \
                     identity; a download is never decompressed",
                    cut(value)
                ),
                &[],
            ));
        }
    }
    Ok(())
}

/// A `Content-Type` that says "page", not "file", for a URL naming one of [`Format`]'s.
pub(crate) fn check_content_type(format: Format, headers: &HeaderMap) -> Result<(), PixivError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let value = value.to_str().unwrap_or("");
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence.starts_with("text/") || essence == "application/json" || essence.ends_with("+json") {
        return Err(PixivError::decode(
            format!(
                "expected a {} file, the server sent Content-Type {:?}",
                format.name(),
                cut(value)
            ),
            &[],
        ));
    }
    Ok(())
}

/// The first bytes of the body against the format the URL names.
pub(crate) fn check_magic(format: Format, head: &[u8]) -> Result<(), PixivError> {
    if format.matches(head) {
        return Ok(());
    }
    Err(PixivError::decode(
        format!(
            "expected a {} file, the bytes look like {}",
            format.name(),
            describe(head)
        ),
        head,
    ))
}

/// A header value cut for an error message.
fn cut(value: &str) -> &str {
    let mut end = value.len().min(64);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    &value[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_url_extension() {
        let f = |u: &str| Format::of_uri(&u.parse().unwrap());
        assert_eq!(f("https://h/a/1_p0.PNG"), Some(Format::Png));
        assert_eq!(f("https://h/a/1_p0.jpeg?x=1"), Some(Format::Jpeg));
        assert_eq!(f("https://h/a/1_ugoira600x600.zip"), Some(Format::Zip));
        assert_eq!(f("https://h/a/readme.txt"), None);
        assert_eq!(f("https://h/a/noext"), None);
        assert_eq!(f("https://h/a.png/noext"), None);
    }

    #[test]
    fn magic_numbers() {
        assert!(check_magic(Format::Png, b"\x89PNG\r\n\x1a\n\0\0\0\x0d").is_ok());
        assert!(check_magic(Format::Jpeg, b"\xff\xd8\xff\xe0").is_ok());
        assert!(check_magic(Format::Gif, b"GIF89a\x01\0").is_ok());
        assert!(check_magic(Format::Webp, b"RIFF\0\0\0\0WEBP").is_ok());
        assert!(check_magic(Format::Webp, b"RIFF\0\0\0\0WEB").is_err());
        assert!(check_magic(Format::Zip, b"PK\x03\x04").is_ok());
        let e = check_magic(Format::Png, b"  <!DOCTYPE html>").unwrap_err();
        assert!(e.to_string().contains("HTML"), "{e}");
        let e = check_magic(Format::Jpeg, b"\x89PNG\r\n\x1a\n").unwrap_err();
        assert!(e.to_string().contains("look like PNG"), "{e}");
        let e = check_magic(Format::Zip, b"").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }

    #[test]
    fn encodings_and_types() {
        let h = |name: http::HeaderName, v: &str| {
            let mut m = HeaderMap::new();
            m.insert(name, v.parse().unwrap());
            m
        };
        assert!(check_encoding(&HeaderMap::new()).is_ok());
        assert!(check_encoding(&h(CONTENT_ENCODING, "identity")).is_ok());
        assert!(check_encoding(&h(CONTENT_ENCODING, "gzip")).is_err());
        assert!(check_encoding(&h(CONTENT_ENCODING, "identity, br")).is_err());
        assert!(check_content_type(Format::Png, &h(CONTENT_TYPE, "image/png")).is_ok());
        assert!(
            check_content_type(Format::Png, &h(CONTENT_TYPE, "application/octet-stream")).is_ok()
        );
        let e = check_content_type(Format::Png, &h(CONTENT_TYPE, "text/html; charset=utf-8"))
            .unwrap_err();
        assert!(e.to_string().contains("text/html"), "{e}");
        assert!(check_content_type(Format::Zip, &h(CONTENT_TYPE, "application/json")).is_err());
    }
}

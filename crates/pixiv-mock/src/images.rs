//! The image host: every GET/HEAD path that is not OAuth, App API or DoH.
//!
//! Deterministic bytes per path ([`crate::content`]), `Content-Length`, `Content-Type` by extension,
//! a stable `ETag` and `Last-Modified` (both change with
//! [`MockPixiv::bump_etag`](crate::MockPixiv::bump_etag)), `Accept-Ranges: bytes`, single ranges
//! (`206`), `If-Range` (a stale validator gets the full `200`), `416` for unsatisfiable ranges, and
//! `403` unless the `Referer` starts with [`REQUIRED_REFERER`] (as i.pximg.net does), `404` for a
//! path it does not have ([`content::exists`](crate::content::exists)).

use std::time::{Duration, SystemTime};

use http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_RANGE,
    LAST_MODIFIED, RANGE, REFERER,
};
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};

use crate::content::Content;
use crate::server::body::MockBody;

/// The image host answers 403 unless the `Referer` starts with this (docs/protocol.md).
pub const REQUIRED_REFERER: &str = "https://app-api.pixiv.net/";

/// `Last-Modified` of every image at ETag generation 0: 2024-01-01T00:00:00Z. Each generation
/// adds an hour, so date validators go stale together with ETags.
const LAST_MODIFIED_BASE_UNIX: u64 = 1_704_067_200;

const FORBIDDEN_HTML: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

const NOT_FOUND_HTML: &str = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The `Content-Type` for a path, by its extension.
pub fn content_type_for(path: &str) -> &'static str {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("zip") => "application/zip",
        Some("mp4") => "video/mp4",
        // So `/size/{N}/x.json` is an N-byte answer claiming to be JSON (hostile-server tests).
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The `ETag` of a path at an ETag generation.
pub(crate) fn etag(content: &Content, generation: u64) -> String {
    format!(
        "\"{:016x}-{:x}-{}\"",
        content.seed, content.size, generation
    )
}

/// The `Last-Modified` of every path at an ETag generation.
pub(crate) fn last_modified(generation: u64) -> String {
    let t = SystemTime::UNIX_EPOCH
        + Duration::from_secs(
            LAST_MODIFIED_BASE_UNIX.saturating_add(generation.saturating_mul(3600)),
        );
    httpdate::fmt_http_date(t)
}

/// A parsed `Range` header (one range only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteRange {
    /// `a-b` or `a-` (end `None`).
    From(u64, Option<u64>),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

/// Parses `bytes=a-b`, `bytes=a-`, `bytes=-n`; anything else (several ranges, other units, junk)
/// is `None`, and the range is ignored as RFC 9110 allows.
fn parse_range(value: &str) -> Option<ByteRange> {
    let spec = value.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        return Some(ByteRange::Suffix(b.parse().ok()?));
    }
    let start = a.parse().ok()?;
    if b.is_empty() {
        return Some(ByteRange::From(start, None));
    }
    let end = b.parse().ok()?;
    (end >= start).then_some(ByteRange::From(start, Some(end)))
}

/// Resolves a range against a size: `Ok(Some((start, end_inclusive)))`, or `Err(())` when unsatisfiable.
fn resolve(range: ByteRange, size: u64) -> Result<(u64, u64), ()> {
    match range {
        ByteRange::From(start, _) if start >= size => Err(()),
        ByteRange::From(start, end) => Ok((start, end.map_or(size - 1, |e| e.min(size - 1)))),
        ByteRange::Suffix(0) => Err(()),
        ByteRange::Suffix(_) if size == 0 => Err(()),
        ByteRange::Suffix(n) => Ok((size.saturating_sub(n), size - 1)),
    }
}

fn header_str(headers: &HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn set(resp: &mut Response<MockBody>, name: http::header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

/// Answers one image-host request.
pub(crate) fn respond(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    generation: u64,
) -> Response<MockBody> {
    if method != Method::GET && method != Method::HEAD {
        let mut r = Response::new(MockBody::full("method not allowed\n"));
        *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        set(&mut r, http::header::ALLOW, "GET, HEAD");
        return r;
    }
    if !header_str(headers, REFERER).is_some_and(|r| r.starts_with(REQUIRED_REFERER)) {
        let mut r = Response::new(MockBody::full(FORBIDDEN_HTML));
        *r.status_mut() = StatusCode::FORBIDDEN;
        set(&mut r, CONTENT_TYPE, "text/html");
        set(&mut r, CONTENT_LENGTH, &FORBIDDEN_HTML.len().to_string());
        return r;
    }
    if !crate::content::exists(path) {
        let mut r = Response::new(MockBody::full(NOT_FOUND_HTML));
        *r.status_mut() = StatusCode::NOT_FOUND;
        set(&mut r, CONTENT_TYPE, "text/html");
        set(&mut r, CONTENT_LENGTH, &NOT_FOUND_HTML.len().to_string());
        return r;
    }
    let content = Content::for_path(path);
    let etag = etag(&content, generation);
    let last_modified = last_modified(generation);
    let size = content.size;

    let mut range = header_str(headers, RANGE).and_then(parse_range);
    if let Some(if_range) = header_str(headers, IF_RANGE) {
        let if_range = if_range.trim();
        // A weak ETag never matches (strong comparison); a date matches only when equal.
        if if_range != etag && if_range != last_modified {
            range = None;
        }
    }
    let (status, start, len) = match range.map(|r| resolve(r, size)) {
        None => (StatusCode::OK, 0, size),
        Some(Ok((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b - a + 1),
        Some(Err(())) => {
            let mut r = Response::new(MockBody::empty());
            *r.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            set(&mut r, CONTENT_RANGE, &format!("bytes */{size}"));
            set(&mut r, CONTENT_LENGTH, "0");
            set(&mut r, ETAG, &etag);
            set(&mut r, ACCEPT_RANGES, "bytes");
            return r;
        }
    };
    let body = if method == Method::HEAD {
        MockBody::empty()
    } else {
        MockBody::content(&content, start, len)
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    set(&mut r, CONTENT_LENGTH, &len.to_string());
    set(&mut r, CONTENT_TYPE, content_type_for(path));
    set(&mut r, ETAG, &etag);
    set(&mut r, LAST_MODIFIED, &last_modified);
    set(&mut r, ACCEPT_RANGES, "bytes");
    set(&mut r, CACHE_CONTROL, "max-age=31536000");
    if status == StatusCode::PARTIAL_CONTENT {
        set(
            &mut r,
            CONTENT_RANGE,
            &format!("bytes {}-{}/{}", start, start + len - 1, size),
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_resolve() {
        assert_eq!(
            parse_range("bytes=0-99"),
            Some(ByteRange::From(0, Some(99)))
        );
        assert_eq!(parse_range("bytes=10-"), Some(ByteRange::From(10, None)));
        assert_eq!(parse_range("bytes=-5"), Some(ByteRange::Suffix(5)));
        assert_eq!(parse_range("bytes=5-1"), None);
        assert_eq!(parse_range("bytes=0-1,5-6"), None);
        assert_eq!(parse_range("items=0-1"), None);
        assert_eq!(resolve(ByteRange::From(0, Some(1000)), 100), Ok((0, 99)));
        assert_eq!(resolve(ByteRange::From(100, None), 100), Err(()));
        assert_eq!(resolve(ByteRange::Suffix(10), 100), Ok((90, 99)));
        assert_eq!(resolve(ByteRange::Suffix(1000), 100), Ok((0, 99)));
        assert_eq!(resolve(ByteRange::Suffix(1), 0), Err(()));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type_for("/a/b/1_p0.PNG"), "image/png");
        assert_eq!(
            content_type_for("/a/1_ugoira600x600.zip"),
            "application/zip"
        );
        assert_eq!(content_type_for("/size/10/x"), "application/octet-stream");
        assert_eq!(content_type_for("/size/10/x.json"), "application/json");
    }
}

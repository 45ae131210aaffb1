//! The attempt loop of one transfer: request (with `Range`/`If-Range` when bytes are held), check
//! the answer before a byte is written, stream frame by frame into a [`Sink`], and on a broken
//! body try again from where it stopped.

use bytes::{Bytes, BytesMut};
use http::header::{
    ACCEPT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE, REFERER,
};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, Uri};
use http_body_util::BodyExt as _;
use pixiv_errors::PixivError;
use pixiv_transport::retry::RetryPolicy;
use pixiv_transport::timeout::TimeoutOverride;
use pixiv_transport::{Body, RequestBody};
use tower::ServiceExt as _;
use tower_service::Service;

use crate::check::{Format, SNIFF_LEN, check_content_type, check_encoding, check_magic};
use crate::progress::{Event, PROGRESS_STEP, Reporter};
use crate::sink::{Answer, Resume, Sink};

/// How much of an unexpected error answer's body is read to classify it: 64 KiB (as the
/// transport's error map).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// What one transfer needs besides its sink.
///
/// Owned (and passed as `&mut`), so the transfer's future is `Send` without the service being
/// `Sync`.
pub(crate) struct Job<S> {
    pub(crate) service: S,
    pub(crate) uri: Uri,
    pub(crate) referer: HeaderValue,
    pub(crate) policy: RetryPolicy,
    pub(crate) reporter: Reporter,
    /// The format the URL names, whose magic bytes the body must start with (`None`: any).
    pub(crate) format: Option<Format>,
    /// The largest file accepted, in bytes.
    pub(crate) max_size: u64,
}

/// A finished transfer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transferred {
    /// The whole size.
    pub(crate) bytes: u64,
    /// Bytes held before the attempt that completed it (0: it started from scratch).
    pub(crate) resumed_from: u64,
}

/// Why one attempt ended without the file.
enum Failure {
    /// The held bytes cannot be continued (a 416, a Content-Range that does not fit): drop them
    /// and ask for the whole file.
    Restart(PixivError),
    /// The body broke off after the answer was accepted: retry if the error says so.
    Body(PixivError),
    /// Anything else: the result.
    Fatal(PixivError),
}

pub(crate) async fn transfer<S, K>(
    req: &mut Job<S>,
    sink: &mut K,
) -> Result<Transferred, PixivError>
where
    S: Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError> + Clone,
    K: Sink,
{
    let mut retries = 0;
    // Held bytes the server cannot continue are dropped and the file asked for whole, once per
    // call whatever the retry budget (a second refusal means something else is wrong).
    let mut restarted = false;
    loop {
        let resume = sink.resume_point().await;
        let failure = match attempt(&mut *req, sink, resume.as_ref()).await {
            Ok(done) => return Ok(done),
            Err(f) => f,
        };
        match failure {
            Failure::Restart(e) => {
                sink.discard().await?;
                if restarted {
                    return Err(e);
                }
                restarted = true;
                tracing::debug!(uri = %req.uri, error = %e, "held bytes cannot be resumed; starting over");
            }
            Failure::Body(e)
                if req.policy.is_transient(&e) && retries < req.policy.get_max_retries() =>
            {
                sink.pause().await?;
                retries += 1;
                let wait = req.policy.delay(retries, &e);
                tracing::debug!(uri = %req.uri, error = %e, ?wait, retry = retries, "body broke off; resuming");
                tokio::time::sleep(wait).await;
            }
            Failure::Body(e) | Failure::Fatal(e) => {
                // Keep what is held visible for a later resume; the caller decides about it.
                let _ = sink.pause().await;
                return Err(e);
            }
        }
    }
}

async fn attempt<S, K>(
    req: &mut Job<S>,
    sink: &mut K,
    resume: Option<&Resume>,
) -> Result<Transferred, Failure>
where
    S: Service<Request<RequestBody>, Response = Response<Body>, Error = PixivError> + Clone,
    K: Sink,
{
    let request = build_request(&req.uri, &req.referer, resume).map_err(Failure::Fatal)?;
    let response = match req.service.clone().oneshot(request).await {
        Ok(r) => r,
        // Held bytes the server cannot continue (the file shrank, or they were complete).
        Err(e) if resume.is_some() && e.status() == Some(StatusCode::RANGE_NOT_SATISFIABLE) => {
            return Err(Failure::Restart(e));
        }
        Err(e) => return Err(Failure::Fatal(e)),
    };
    let (parts, body) = response.into_parts();
    let (start, answer, mut body) = accept(parts.status, &parts.headers, resume, body).await?;
    if let Some(format) = req.format {
        check_content_type(format, &parts.headers).map_err(Failure::Fatal)?;
    }
    if let Some(total) = answer.total.filter(|&t| t > req.max_size) {
        tracing::debug!(uri = %req.uri, total, cap = req.max_size, "refused before the body: larger than the cap");
        return Err(Failure::Fatal(PixivError::body_too_large(req.max_size)));
    }
    // The first bytes decide whether this is the file asked for, before anything is written.
    let head = match req.format {
        Some(format) if start == 0 => {
            let head = read_head(&mut body).await.map_err(Failure::Body)?;
            check_magic(format, &head).map_err(Failure::Fatal)?;
            head
        }
        _ => Bytes::new(),
    };
    sink.begin(start, &answer).await.map_err(Failure::Fatal)?;
    let total = answer.total;
    req.reporter.emit(|index| Event::Started {
        index,
        expected_len: total,
        resumed_from: start,
    });
    let limits = Limits {
        total,
        max_size: req.max_size,
    };
    let received = stream_body(head, body, sink, start, limits, &req.reporter).await?;
    Ok(Transferred {
        bytes: received,
        resumed_from: start,
    })
}

/// Reads the first [`SNIFF_LEN`] bytes of `body` (fewer when it ends first), across frames; the
/// frames' bytes past them come along.
async fn read_head(body: &mut Body) -> Result<Bytes, PixivError> {
    let mut head = BytesMut::new();
    while head.len() < SNIFF_LEN {
        match body.frame().await {
            Some(frame) => {
                if let Ok(data) = frame?.into_data() {
                    if head.is_empty() && data.len() >= SNIFF_LEN {
                        return Ok(data);
                    }
                    head.extend_from_slice(&data);
                }
            }
            None => break,
        }
    }
    Ok(head.freeze())
}

/// What a body may not exceed: the announced size, and the cap.
#[derive(Debug, Clone, Copy)]
struct Limits {
    total: Option<u64>,
    max_size: u64,
}

/// Streams `head` then `body` into `sink`, counting against `limits`.
async fn stream_body<K: Sink>(
    head: Bytes,
    mut body: Body,
    sink: &mut K,
    start: u64,
    limits: Limits,
    reporter: &Reporter,
) -> Result<u64, Failure> {
    let total = limits.total;
    let mut received = start;
    let mut reported = start;
    let mut head = Some(head).filter(|h| !h.is_empty());
    loop {
        let data = match head.take() {
            Some(h) => h,
            None => match body.frame().await {
                Some(frame) => match frame.map_err(Failure::Body)?.into_data() {
                    Ok(data) => data,
                    Err(_) => continue, // trailers
                },
                None => break,
            },
        };
        let len = data.len() as u64;
        if total.is_some_and(|t| received + len > t) {
            return Err(Failure::Fatal(PixivError::decode(
                "the body is longer than the server announced",
                &[],
            )));
        }
        if received + len > limits.max_size {
            return Err(Failure::Fatal(PixivError::body_too_large(limits.max_size)));
        }
        sink.write(&data).await.map_err(Failure::Fatal)?;
        received += len;
        if reporter.listening() && received - reported >= PROGRESS_STEP {
            reported = received;
            reporter.emit(|index| Event::Progress {
                index,
                received,
                expected: total,
            });
        }
    }
    if let Some(t) = total {
        if received < t {
            return Err(Failure::Body(PixivError::truncated(Some(t), received)));
        }
    }
    sink.finish().await.map_err(Failure::Fatal)?;
    if reported != received || received == 0 {
        reporter.emit(|index| Event::Progress {
            index,
            received,
            expected: total,
        });
    }
    Ok(received)
}

fn build_request(
    uri: &Uri,
    referer: &HeaderValue,
    resume: Option<&Resume>,
) -> Result<Request<RequestBody>, PixivError> {
    let mut request = Request::get(uri.clone())
        .header(REFERER, referer.clone())
        // The file as the server holds it: never inflated (docs/security.md, "Decompression").
        .header(ACCEPT_ENCODING, "identity")
        .body(RequestBody::default())
        .map_err(|e| PixivError::invalid_input("download request", e.to_string()))?;
    if let Some(r) = resume {
        let headers = request.headers_mut();
        let range = HeaderValue::from_str(&format!("bytes={}-", r.offset))
            .map_err(|e| PixivError::invalid_input("Range", e.to_string()))?;
        headers.insert(RANGE, range);
        if let Ok(v) = HeaderValue::from_str(&r.if_range) {
            headers.insert(IF_RANGE, v);
        }
    }
    // A download may take long; only the headers and body-idle timeouts apply to it.
    request
        .extensions_mut()
        .insert(TimeoutOverride::new().total(None));
    Ok(request)
}

/// Checks the answer before a byte is written: `(where its body starts, what it says, the body)`.
async fn accept(
    status: StatusCode,
    headers: &HeaderMap,
    resume: Option<&Resume>,
    body: Body,
) -> Result<(u64, Answer, Body), Failure> {
    let etag = header_str(headers, &ETAG)
        .filter(|e| !e.starts_with("W/"))
        .map(str::to_owned);
    let last_modified = header_str(headers, &LAST_MODIFIED).map(str::to_owned);
    if matches!(status, StatusCode::OK | StatusCode::PARTIAL_CONTENT) {
        check_encoding(headers).map_err(Failure::Fatal)?;
    }
    match status {
        StatusCode::OK => {
            let total = header_str(headers, &CONTENT_LENGTH).and_then(|v| v.trim().parse().ok());
            Ok((
                0,
                Answer {
                    total,
                    etag,
                    last_modified,
                },
                body,
            ))
        }
        StatusCode::PARTIAL_CONTENT => {
            let range = header_str(headers, &CONTENT_RANGE).and_then(parse_content_range);
            let expected_start = resume.map_or(0, |r| r.offset);
            match range {
                Some((first, last, Some(total)))
                    if first == expected_start
                        && last.checked_add(1) == Some(total)
                        && resume.is_none_or(|r| r.total == total) =>
                {
                    Ok((
                        first,
                        Answer {
                            total: Some(total),
                            etag,
                            last_modified,
                        },
                        body,
                    ))
                }
                _ => Err(Failure::Restart(PixivError::decode(
                    format!(
                        "206 answer with Content-Range {:?} does not continue the held {expected_start} bytes",
                        header_str(headers, &CONTENT_RANGE).unwrap_or("")
                    ),
                    &[],
                ))),
            }
        }
        // A stack without the error map hands a 416 back as `Ok`: the same as the `Err` case.
        StatusCode::RANGE_NOT_SATISFIABLE if resume.is_some() => {
            Err(Failure::Restart(error_answer(status, headers, body).await))
        }
        s if s.is_success() => Err(Failure::Fatal(PixivError::http(
            s,
            "unexpected success status for a download (expected 200 or 206)",
        ))),
        s => Err(Failure::Fatal(error_answer(s, headers, body).await)),
    }
}

/// An error answer that reached us (a service without the transport's error map): classified
/// from at most [`MAX_ERROR_BODY`] bytes of its body, never written anywhere.
async fn error_answer(status: StatusCode, headers: &HeaderMap, mut body: Body) -> PixivError {
    let mut buf = Vec::new();
    while buf.len() < MAX_ERROR_BODY {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    let take = data.len().min(MAX_ERROR_BODY - buf.len());
                    buf.extend_from_slice(&data[..take]);
                }
            }
            _ => break,
        }
    }
    pixiv_errors::classify(status, headers, &buf).unwrap_or_else(|| {
        PixivError::http(status, status.canonical_reason().unwrap_or("error answer"))
    })
}

fn header_str<'h>(headers: &'h HeaderMap, name: &http::HeaderName) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `bytes first-last/total` (total `*` = unknown).
fn parse_content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let first = first.trim().parse().ok()?;
    let last: u64 = last.trim().parse().ok()?;
    if last < first {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((first, last, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            parse_content_range("bytes 10-99/100"),
            Some((10, 99, Some(100)))
        );
        assert_eq!(parse_content_range("bytes 0-0/*"), Some((0, 0, None)));
        assert_eq!(parse_content_range("bytes */100"), None);
        assert_eq!(parse_content_range("bytes 9-1/100"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }
}

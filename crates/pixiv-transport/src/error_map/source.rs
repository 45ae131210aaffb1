//! Mapping of a raw client's boxed errors to [`PixivError`] variants, by walking the source chain.

use std::error::Error as StdError;
use std::fmt;
use std::io;

use pixiv_errors::{PixivError, TimeoutPhase};

use super::BoxError;

/// Links of a source chain looked at, at most: a guard against a cyclic `source()`.
const MAX_CHAIN: usize = 32;

/// Maps an error a raw client returned *before* an answer's head arrived.
///
/// Walks the source chain (descending into `io::Error`'s custom payloads, where tokio-rustls puts
/// its `rustls::Error`), first match wins:
///
/// | found in the chain | variant |
/// |---|---|
/// | a [`PixivError`] (e.g. made by the connector) | that error, unchanged |
/// | `rustls::Error` | [`PixivError::Tls`] |
/// | `io::ErrorKind::TimedOut` inside a connect error | [`PixivError::Timeout`] (`Connect`) |
/// | hyper-util's `is_connect()`, or `ConnectionRefused` | [`PixivError::Connect`] |
/// | hyper's `is_timeout()` (header read timeout) | [`PixivError::Timeout`] (`Headers`) |
/// | hyper's `is_parse()` (a malformed answer) | [`PixivError::Decode`] |
/// | anything else (closed/reset before the head, canceled) | [`PixivError::Connect`] |
///
/// Connect and TLS errors keep the whole original chain as their source; their `Display` shows
/// every link ("connection failed: client error (Connect): tcp connect error: Connection refused").
pub fn map_transport_error(err: BoxError) -> PixivError {
    let err = match err.downcast::<PixivError>() {
        Ok(pixiv) => return *pixiv,
        Err(other) => other,
    };
    let links = links(&*err);
    if let Some(rebuilt) = find::<PixivError>(&links).map(rebuild) {
        return rebuilt.unwrap_or_else(|wrap| wrap(Chain(err)));
    }
    if find::<rustls::Error>(&links).is_some() {
        return PixivError::tls(Chain(err));
    }
    let is_connect =
        find::<hyper_util::client::legacy::Error>(&links).is_some_and(|e| e.is_connect());
    let io_kind = find::<io::Error>(&links).map(io::Error::kind);
    if is_connect && io_kind == Some(io::ErrorKind::TimedOut) {
        return PixivError::timeout(TimeoutPhase::Connect);
    }
    if !is_connect {
        if let Some(hyper) = find::<hyper::Error>(&links) {
            if hyper.is_timeout() {
                return PixivError::timeout(TimeoutPhase::Headers);
            }
            if hyper.is_parse() {
                return PixivError::decode(format!("malformed HTTP answer: {hyper}"), &[]);
            }
        }
    }
    PixivError::connect(Chain(err))
}

/// Maps an error of a response body in the middle of the stream.
///
/// `expected` is the announced `Content-Length`, `received` the data bytes delivered so far.
///
/// | found in the chain | variant |
/// |---|---|
/// | a [`PixivError`] | that error, unchanged |
/// | a timeout (hyper's, or `io::ErrorKind::TimedOut`) | [`PixivError::Timeout`] (`BodyIdle`) |
/// | a hyper error (connection closed early, reset, HTTP/2 stream error) or an `io::Error` of a cut connection (`ConnectionReset`, `ConnectionAborted`, `UnexpectedEof`, `BrokenPipe`) | [`PixivError::Truncated`] |
/// | any other `io::Error` (a decompressor rejecting the bytes) | [`PixivError::Decode`] |
/// | anything else | [`PixivError::Truncated`] |
///
/// A reset in the middle of a body is `Truncated`, not `Connect`: bytes were received, and the
/// caller (a resumable download) cares how many.
pub fn map_body_error(err: BoxError, expected: Option<u64>, received: u64) -> PixivError {
    let err = match err.downcast::<PixivError>() {
        Ok(pixiv) => return *pixiv,
        Err(other) => other,
    };
    let links = links(&*err);
    if let Some(rebuilt) = find::<PixivError>(&links).map(rebuild) {
        return rebuilt.unwrap_or_else(|wrap| wrap(Chain(err)));
    }
    let hyper = find::<hyper::Error>(&links);
    let io = find::<io::Error>(&links);
    if hyper.is_some_and(hyper::Error::is_timeout)
        || io.is_some_and(|e| e.kind() == io::ErrorKind::TimedOut)
    {
        return PixivError::timeout(TimeoutPhase::BodyIdle);
    }
    if hyper.is_some() {
        return PixivError::truncated(expected, received);
    }
    match io.map(io::Error::kind) {
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::BrokenPipe,
        )
        | None => PixivError::truncated(expected, received),
        Some(_) => PixivError::decode(format!("could not decode the body: {}", Chain(err)), &[]),
    }
}

/// The links of `top`'s source chain, `top` first. An `io::Error` wrapping a custom error is
/// followed into that error (`io::Error::source` skips it).
pub(super) fn links<'a>(top: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(top);
    while let Some(e) = next {
        if out.len() >= MAX_CHAIN {
            break;
        }
        out.push(e);
        next = match e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    out
}

pub(super) fn find<'a, T: StdError + 'static>(
    links: &[&'a (dyn StdError + 'static)],
) -> Option<&'a T> {
    links.iter().find_map(|e| e.downcast_ref::<T>())
}

/// A [`PixivError`] found by reference deep in a chain (hyper-util wraps the connector's error and
/// gives no way to take it out): an equal error, rebuilt from its fields, or, for variants that
/// carry a source, the constructor to wrap the whole chain with.
fn rebuild(found: &PixivError) -> Result<PixivError, fn(Chain) -> PixivError> {
    Ok(match found {
        PixivError::Timeout { phase, .. } => PixivError::timeout(*phase),
        PixivError::Proxy { message, .. } => PixivError::proxy(message.clone()),
        PixivError::InvalidInput { what, why, .. } => PixivError::invalid_input(what, why),
        PixivError::BodyTooLarge { limit, .. } => PixivError::body_too_large(*limit),
        PixivError::Truncated {
            expected, received, ..
        } => PixivError::truncated(*expected, *received),
        PixivError::Redirect { kind, location, .. } => {
            PixivError::redirect(kind.clone(), location.as_deref())
        }
        PixivError::CloudflareChallenge { status, ray_id, .. } => {
            PixivError::cloudflare(*status, ray_id.clone())
        }
        PixivError::Tls { .. } => return Err(PixivError::tls),
        _ => return Err(PixivError::connect),
    })
}

/// A boxed error whose `Display` shows its whole source chain, so `PixivError::Connect`'s message
/// names the actual cause instead of hyper-util's "client error (Connect)".
struct Chain(BoxError);

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = String::new();
        for (i, link) in links(&*self.0).into_iter().enumerate() {
            let text = link.to_string();
            // io::Error's Display repeats its payload's; skip repeats.
            if text == last || last.ends_with(&text) {
                continue;
            }
            if i > 0 {
                f.write_str(": ")?;
            }
            f.write_str(&text)?;
            last = text;
        }
        Ok(())
    }
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl StdError for Chain {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixiv_error_passes_through() {
        let err: BoxError = Box::new(PixivError::proxy("407 from proxy"));
        assert!(
            matches!(map_transport_error(err), PixivError::Proxy { message, .. } if message == "407 from proxy")
        );
    }

    #[test]
    fn pixiv_error_inside_io_error_is_found() {
        let inner = io::Error::other(PixivError::timeout(TimeoutPhase::Connect));
        let err: BoxError = Box::new(inner);
        assert!(matches!(
            map_transport_error(err),
            PixivError::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            }
        ));
    }

    #[test]
    fn rustls_error_inside_io_error_is_tls() {
        let inner = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let err = map_transport_error(Box::new(inner));
        assert!(matches!(err, PixivError::Tls { .. }), "{err:?}");
        assert!(
            err.to_string().contains("UnknownIssuer") || err.to_string().contains("unknown issuer"),
            "{err}"
        );
    }

    #[test]
    fn refused_is_connect_and_names_the_cause() {
        let err = map_transport_error(Box::new(io::Error::from(io::ErrorKind::ConnectionRefused)));
        assert!(matches!(err, PixivError::Connect { .. }));
        assert!(err.to_string().contains("refused"), "{err}");
    }

    #[test]
    fn body_reset_is_truncated_with_counts() {
        let err = map_body_error(
            Box::new(io::Error::from(io::ErrorKind::ConnectionReset)),
            Some(100),
            40,
        );
        assert!(matches!(
            err,
            PixivError::Truncated {
                expected: Some(100),
                received: 40,
                ..
            }
        ));
    }

    #[test]
    fn body_decoder_failure_is_decode() {
        let err = map_body_error(
            Box::new(io::Error::new(
                io::ErrorKind::InvalidData,
                "invalid gzip header",
            )),
            None,
            0,
        );
        assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    }

    #[test]
    fn body_timeout_is_body_idle() {
        let err = map_body_error(Box::new(io::Error::from(io::ErrorKind::TimedOut)), None, 3);
        assert!(matches!(
            err,
            PixivError::Timeout {
                phase: TimeoutPhase::BodyIdle,
                ..
            }
        ));
    }
}

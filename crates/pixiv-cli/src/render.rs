//! What the user reads: errors in one line of plain words, JSON pretty on a terminal and compact
//! otherwise (or with `--json`).

use std::io::{self, IsTerminal as _, Write as _};

use pixiv::{AuthErrorKind, PixivError};

use crate::display_text;

/// An error as one line of plain words with its cause: `access restricted (Pixiv said: "...")`.
///
/// Built from the error's fields, never its `Debug`; every text shown passes through the error's
/// own redacted `Display` or is Pixiv's message, which the error types keep free of tokens.
pub(crate) fn describe(err: &PixivError) -> String {
    match err {
        PixivError::Http {
            status, message, ..
        } => {
            let what = match status.as_u16() {
                400 => "bad request".to_owned(),
                401 => "not authorised".to_owned(),
                403 => "access restricted".to_owned(),
                404 => "not found".to_owned(),
                410 => "gone".to_owned(),
                s if s >= 500 => format!("server error (HTTP {status})"),
                _ => format!("HTTP {status}"),
            };
            match said(message, status.canonical_reason()) {
                Some(said) => format!("{what} (Pixiv said: {said})"),
                None if what.contains("HTTP") => what,
                None => format!("{what} (HTTP {status})"),
            }
        }
        PixivError::RateLimited { retry_after, .. } => match retry_after {
            Some(wait) => format!(
                "rate limited by Pixiv (asked to wait {} s); try again later or lower --rate-limit",
                wait.as_secs()
            ),
            None => "rate limited by Pixiv; try again later or lower --rate-limit".to_owned(),
        },
        PixivError::Auth { kind, message, .. } => {
            let message = message.trim();
            let what = if message.is_empty() {
                err.to_string()
            } else {
                message.to_owned()
            };
            match kind {
                AuthErrorKind::InvalidRefreshToken => {
                    format!("{what}; run `pixiv login` for a new refresh token")
                }
                _ => format!("not authorised: {what}"),
            }
        }
        PixivError::CloudflareChallenge { .. } => format!(
            "{err}; Pixiv's front door wants a browser check: try again later or from another network"
        ),
        // The transport's text already carries the cause (`tcp connect error: Connection
        // refused`); the source chain below it only repeats it in hyper-util's words.
        PixivError::Tls { .. } => {
            format!("{err}; if the server uses your own CA, pass it with --ca-cert")
        }
        PixivError::InvalidInput { why, .. } if pixiv::download::is_not_viewable(err) => {
            why.clone()
        }
        _ => err.to_string(),
    }
}

/// `error: {what}` as printed: words longer than a readable length cut (an input line of 10 MB
/// shows its start and its size), control and format characters escaped
/// ([`crate::display_text`]).
pub(crate) fn error_line(what: &str) -> String {
    let cut = display_text::cut_words(what);
    format!("error: {}", display_text::escape(&cut))
}

/// `"message"` when Pixiv said something beyond the status reason.
fn said(message: &str, reason: Option<&str>) -> Option<String> {
    let message = message.trim();
    (!message.is_empty() && Some(message) != reason).then(|| format!("{message:?}"))
}

/// Prints a JSON value to stdout: pretty on a terminal unless `compact`.
pub(crate) fn print_json(value: &serde_json::Value, compact: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let text = if compact || !io::stdout().is_terminal() {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    }
    .map_err(io::Error::other)?;
    writeln!(out, "{text}")?;
    out.flush()
}

/// Bytes for people: `1.5 MiB`.
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    #[allow(clippy::cast_precision_loss)] // for display
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn restricted_reads_as_plain_words() {
        let err = PixivError::http(
            StatusCode::FORBIDDEN,
            "Your access is currently restricted.",
        );
        assert_eq!(
            describe(&err),
            r#"access restricted (Pixiv said: "Your access is currently restricted.")"#
        );
        let err = PixivError::http(StatusCode::NOT_FOUND, "Not Found");
        assert_eq!(describe(&err), "not found (HTTP 404 Not Found)");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(10), "10 B");
    }
}

//! What the command says on stderr besides its results: the `-v` levels of logging, and one line
//! per retry at every level (docs/cli.md, "Verbosity and retries").
//!
//! - no `-v`: nothing but the retry lines (and the command's own errors); `RUST_LOG` wins when set;
//! - `-v`: debug of the pixiv crates (requests retried or given up, tokens refreshed...);
//! - `-vv`: trace of the pixiv crates too (settings in force, every progress event), with targets;
//! - `-vvv`: trace of everything, the HTTP/2, TLS and connection-pool crates included.
//!
//! The retry lines come from the transport's `on_retry` hook ([`retry_line`], set in
//! `settings::transport`) and from the downloader's `body broke off; resuming` debug event (the
//! downloader has no hook for its resumes); they go above the progress bars when those are drawn.

use std::io::Write as _;
use std::sync::{Mutex, PoisonError};

use indicatif::MultiProgress;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;

/// The pixiv crates' targets.
/// (`pixiv` is this binary as well as the facade.)
const PIXIV_CRATES: [&str; 4] = ["pixiv", "pixiv_transport", "pixiv_download", "pixiv_errors"];

/// Where the downloader logs each resume of a body that broke off.
const RESUME_TARGET: &str = "pixiv_download::transfer";

/// The filter of `-v` × `verbose`.
fn directives(verbose: u8) -> String {
    let crates = |level: &str| {
        PIXIV_CRATES
            .iter()
            .map(|c| format!("{c}={level}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    match verbose {
        0 => "off".to_owned(),
        1 => format!("warn,{}", crates("debug")),
        2 => format!("info,{}", crates("trace")),
        _ => "trace".to_owned(),
    }
}

/// Installs the stderr logger for `verbose` (`-v` count) and the retry lines.
pub(crate) fn init(verbose: u8, ansi: bool) {
    let filter = if verbose > 0 {
        EnvFilter::new(directives(verbose))
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(directives(0)))
    };
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(verbose > 1)
        .with_filter(filter);
    let retries = RetryLines.with_filter(Targets::new().with_target(RESUME_TARGET, Level::DEBUG));
    // Another subscriber can only be there in a test of this crate: keep it.
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(retries)
        .try_init();
}

/// The progress bars being drawn, if any: a wait line is printed above them rather than into
/// them.
static BARS: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// The bars from now on (`None` when they are gone).
pub(crate) fn set_bars(bars: Option<MultiProgress>) {
    *BARS.lock().unwrap_or_else(PoisonError::into_inner) = bars;
}

/// One line on stderr about a wait or a retry: above the progress bars when they are drawn.
pub(crate) fn wait_line(line: &str) {
    let bars = BARS.lock().unwrap_or_else(PoisonError::into_inner).clone();
    if let Some(bars) = bars {
        if bars.println(line).is_ok() {
            return;
        }
    }
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The transport's `on_retry` hook: `retrying in 0.5 s (retry 1): HTTP 503 ...` on stderr.
pub(crate) fn retry_line(event: &pixiv::transport::retry::RetryEvent<'_>) {
    wait_line(&retry_text(
        event.retry,
        event.wait,
        &event.error.to_string(),
    ));
}

/// `retrying in 1.5 s (retry 2): HTTP 503 ...`: whole seconds from ten up, one decimal below.
fn retry_text(retry: u32, wait: std::time::Duration, error: &str) -> String {
    let secs = wait.as_secs_f64();
    if secs >= 10.0 {
        format!("retrying in {secs:.0} s (retry {retry}): {error}")
    } else {
        format!("retrying in {secs:.1} s (retry {retry}): {error}")
    }
}

/// Prints `resuming a broken download (retry 1): ...` for each resume the downloader makes.
struct RetryLines;

impl<S: Subscriber> Layer<S> for RetryLines {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = RetryFields::default();
        event.record(&mut fields);
        let line = match fields.message.as_str() {
            "body broke off; resuming" => fields.resume_line(),
            _ => None,
        };
        if let Some(line) = line {
            wait_line(&line);
        }
    }
}

/// The fields of the downloader's resume event.
#[derive(Default)]
struct RetryFields {
    message: String,
    retry: Option<u64>,
    error: Option<String>,
}

impl RetryFields {
    /// `resuming a broken download (retry 1): body truncated: ...`.
    fn resume_line(&self) -> Option<String> {
        let error = self.error.as_deref()?;
        Some(match self.retry {
            Some(n) => format!("resuming a broken download (retry {n}): {error}"),
            None => format!("resuming a broken download: {error}"),
        })
    }
}

impl Visit for RetryFields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "retry" {
            self.retry = Some(value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(v) = u64::try_from(value) {
            self.record_u64(field, v);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            // Recorded with `%`: its Debug is the error's Display (which redacts tokens).
            "error" => self.error = Some(format!("{value:?}")),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_widens_the_last() {
        assert_eq!(directives(0), "off");
        assert!(directives(1).contains("pixiv_transport=debug"));
        assert!(directives(2).contains("pixiv=trace"));
        assert_eq!(directives(3), "trace");
        assert_eq!(directives(9), "trace");
    }

    #[test]
    fn a_retry_line_says_the_wait_and_the_error() {
        let error = "HTTP 503 Service Unavailable";
        assert_eq!(
            retry_text(2, std::time::Duration::from_millis(1500), error),
            "retrying in 1.5 s (retry 2): HTTP 503 Service Unavailable"
        );
        assert_eq!(
            retry_text(1, std::time::Duration::from_secs(120), error),
            "retrying in 120 s (retry 1): HTTP 503 Service Unavailable"
        );
    }
}

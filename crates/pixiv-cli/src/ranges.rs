//! The valid ranges of the numeric options, checked while the command line is parsed: a value
//! out of range is a usage error (exit 2) naming the flag and the range, before any request, and
//! no value can reach a `Duration` or `Instant` computation that would overflow (docs/cli.md,
//! "Option ranges").

use std::ops::RangeInclusive;

/// `--timeout`: a millisecond to a day.
pub(crate) const TIMEOUT_SECS: RangeInclusive<f64> = 0.001..=86_400.0;
/// `--rate-limit N/SECS`: the window, a millisecond to a day.
pub(crate) const RATE_WINDOW_SECS: RangeInclusive<f64> = 0.001..=86_400.0;
/// `--rate-limit N/SECS`: the starts per window.
pub(crate) const RATE_STARTS: RangeInclusive<u32> = 1..=100_000;
/// `--retries`.
pub(crate) const RETRIES: RangeInclusive<u32> = 0..=100;
/// `mock --token-lifetime`: a second to a year.
pub(crate) const TOKEN_LIFETIME_SECS: RangeInclusive<u64> = 1..=31_536_000;
/// `demo --works`: the works of one ranking page at most.
pub(crate) const DEMO_WORKS: RangeInclusive<u64> = 1..=30;

/// `--timeout SECS`.
pub(crate) fn timeout(s: &str) -> Result<f64, String> {
    let (lo, hi) = (TIMEOUT_SECS.start(), TIMEOUT_SECS.end());
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds from {lo} to {hi} (a day)"))?;
    if secs == 0.0 {
        return Err(format!(
            "0 is not a timeout: omit --timeout for the default (10 s), or give {lo} to {hi} \
             seconds"
        ));
    }
    if !TIMEOUT_SECS.contains(&secs) {
        return Err(format!(
            "expected a number of seconds from {lo} to {hi} (a day)"
        ));
    }
    Ok(secs)
}

/// `--retries N`.
pub(crate) fn retries(s: &str) -> Result<u32, String> {
    let (lo, hi) = (RETRIES.start(), RETRIES.end());
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| RETRIES.contains(n))
        .ok_or_else(|| format!("expected a whole number from {lo} to {hi}"))
}

/// `--rate-limit N/SECS` (`N` alone means per second; `0` or `none`: no limit).
pub(crate) fn rate(s: &str) -> Result<Rate, String> {
    if s == "0" || s.eq_ignore_ascii_case("none") {
        return Ok(Rate::Unlimited);
    }
    let (n, secs) = s.split_once('/').unwrap_or((s, "1"));
    let (n_lo, n_hi) = (RATE_STARTS.start(), RATE_STARTS.end());
    let (s_lo, s_hi) = (RATE_WINDOW_SECS.start(), RATE_WINDOW_SECS.end());
    let usage = format!(
        "expected N/SECS (e.g. 100/60) with N from {n_lo} to {n_hi} and SECS from {s_lo} to \
         {s_hi} (a day), or 0 for no limit"
    );
    let n: u32 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| RATE_STARTS.contains(n))
        .ok_or_else(|| usage.clone())?;
    let secs: f64 = secs
        .trim()
        .parse()
        .ok()
        .filter(|s| RATE_WINDOW_SECS.contains(s))
        .ok_or_else(|| usage.clone())?;
    Ok(Rate::Limit { n, secs })
}

/// `--rate-limit N/SECS`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Rate {
    /// No limit.
    Unlimited,
    /// At most `n` starts per `secs` seconds.
    Limit {
        /// Starts per window.
        n: u32,
        /// The window, in seconds.
        secs: f64,
    },
}

/// The first line of a clap error about a value (`error: invalid value '0' for '--timeout
/// <SECS>': ...`): the one line a usage error prints. Other errors keep clap's full text (its
/// tips and suggestions).
pub(crate) fn one_line(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    matches!(
        error.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    )
    .then(|| {
        let first = error
            .render()
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        // clap puts an enum's values on a line of their own: they belong on this one.
        match error.get(ContextKind::ValidValue) {
            Some(ContextValue::Strings(valid)) if !valid.is_empty() => {
                format!("{first}; valid values: {}", valid.join(", "))
            }
            _ => first,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse() {
        assert_eq!(rate("100/60"), Ok(Rate::Limit { n: 100, secs: 60.0 }));
        assert_eq!(rate("5"), Ok(Rate::Limit { n: 5, secs: 1.0 }));
        assert_eq!(rate("0"), Ok(Rate::Unlimited));
        for bad in [
            "x/1",
            "1/0",
            "1/18446744073709551615",
            "18446744073709551615/1",
            "4294967295/1",
            "1/NaN",
            "1/inf",
            "1/-1",
            "1/0.0000001",
        ] {
            assert!(rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timeouts_and_retries_are_bounded() {
        assert_eq!(timeout("2.5"), Ok(2.5));
        assert_eq!(timeout("86400"), Ok(86_400.0));
        for bad in [
            "0",
            "-1",
            "NaN",
            "inf",
            "9223372036854775807",
            "86401",
            "1e-9",
            "x",
        ] {
            assert!(timeout(bad).is_err(), "{bad}");
        }
        assert!(timeout("0").unwrap_err().contains("omit --timeout"));
        assert_eq!(retries("0"), Ok(0));
        assert!(retries("101").is_err());
        assert!(retries("4294967296").is_err());
    }
}

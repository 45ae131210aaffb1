//! `Retry-After` (RFC 9110, section 10.2.3): how long a server asked us to wait.
//!
//! Both forms are read: delta-seconds (`120`) and an HTTP-date
//! (`Wed, 21 Oct 2026 07:28:00 GMT`, also the obsolete RFC 850 and asctime forms, via `httpdate`).
//! The wait is relative to a `now` the caller passes, so tests need no clock.
//!
//! Rules (none of them panics):
//! - surrounding spaces and tabs are ignored;
//! - delta-seconds is one or more ASCII digits, nothing else (`-5`, `+5`, `1.5`, `5s` are
//!   rejected: `None`); a number too large for `u64` counts as "very long" and gives the cap;
//! - a date in the past (or equal to `now`) gives [`Duration::ZERO`];
//! - the result is never longer than the cap ([`MAX_RETRY_AFTER`] unless the caller picks one);
//! - anything else (empty, garbage, bytes that are not visible ASCII) gives `None`.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use http::HeaderValue;
//! use pixiv_errors::retry_after;
//!
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! assert_eq!(retry_after::parse(&HeaderValue::from_static("30"), now), Some(Duration::from_secs(30)));
//!
//! let in_a_minute = httpdate::fmt_http_date(now + Duration::from_secs(60));
//! let value = HeaderValue::from_str(&in_a_minute).unwrap();
//! assert_eq!(retry_after::parse(&value, now), Some(Duration::from_secs(60)));
//!
//! // Capped: a server cannot park the client for a day.
//! assert_eq!(retry_after::parse(&HeaderValue::from_static("86400"), now), Some(retry_after::MAX_RETRY_AFTER));
//! assert_eq!(retry_after::parse(&HeaderValue::from_static("soon"), now), None);
//! ```

use std::time::{Duration, SystemTime};

use http::header::RETRY_AFTER;
use http::{HeaderMap, HeaderValue};

/// The longest wait [`parse`] returns: 10 minutes.
///
/// Pixiv sends no `Retry-After` at all as far as anyone has seen (docs/protocol.md), so any value
/// comes from a proxy or a CDN in between. Honouring a wait of hours would park a retry loop
/// (and every request behind a shared rate limiter) with no feedback; past 10 minutes a caller
/// is better served by seeing the error and deciding itself. Use [`parse_with_cap`] for
/// another bound.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10 * 60);

/// Parses a `Retry-After` value relative to `now`, capped at [`MAX_RETRY_AFTER`].
/// See the [module docs](self) for the rules.
pub fn parse(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    parse_with_cap(value, now, MAX_RETRY_AFTER)
}

/// Parses a `Retry-After` value relative to `now`, capped at `cap`.
pub fn parse_with_cap(value: &HeaderValue, now: SystemTime, cap: Duration) -> Option<Duration> {
    parse_str(value.to_str().ok()?, now, cap)
}

/// Parses the text of a `Retry-After` value relative to `now`, capped at `cap`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use pixiv_errors::retry_after::parse_str;
///
/// let now = SystemTime::now();
/// let cap = Duration::from_secs(5);
/// assert_eq!(parse_str(" 7 ", now, cap), Some(cap));
/// assert_eq!(parse_str("Thu, 01 Jan 1970 00:00:00 GMT", now, cap), Some(Duration::ZERO));
/// assert_eq!(parse_str("-1", now, cap), None);
/// ```
pub fn parse_str(text: &str, now: SystemTime, cap: Duration) -> Option<Duration> {
    let text = text.trim_matches([' ', '\t']);
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        // Only digits, so the sole parse error is overflow: a huge wait, which the cap bounds.
        let wait = text.parse::<u64>().map_or(cap, Duration::from_secs);
        return Some(wait.min(cap));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    let wait = date.duration_since(now).unwrap_or(Duration::ZERO);
    Some(wait.min(cap))
}

/// The first `Retry-After` header in `headers`, parsed with [`parse`].
pub fn from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    headers.get(RETRY_AFTER).and_then(|v| parse(v, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
    }

    fn p(s: &str) -> Option<Duration> {
        parse(&HeaderValue::from_str(s).unwrap(), now())
    }

    #[test]
    fn delta_seconds() {
        assert_eq!(p("0"), Some(Duration::ZERO));
        assert_eq!(p("120"), Some(Duration::from_secs(120)));
        assert_eq!(p("  007\t"), Some(Duration::from_secs(7)));
        assert_eq!(p("600"), Some(MAX_RETRY_AFTER));
        assert_eq!(p("601"), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn huge_numbers_give_the_cap() {
        assert_eq!(p("18446744073709551615"), Some(MAX_RETRY_AFTER));
        assert_eq!(p("99999999999999999999999999999999"), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn not_delta_seconds_nor_a_date_is_none() {
        for bad in [
            "", "   ", "-5", "+5", "1.5", "5s", "soon", "1 2", "0x10", "٣",
        ] {
            let value = HeaderValue::from_bytes(bad.as_bytes()).unwrap();
            assert_eq!(parse(&value, now()), None, "{bad:?}");
        }
        assert_eq!(
            parse(&HeaderValue::from_bytes(b"\xff12").unwrap(), now()),
            None
        );
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        let at = now() + Duration::from_secs(90);
        assert_eq!(
            p(&httpdate::fmt_http_date(at)),
            Some(Duration::from_secs(90))
        );
        // RFC 850 and asctime name the same instant as the IMF-fixdate.
        let fixdate = httpdate::fmt_http_date(at);
        let parsed = httpdate::parse_http_date(&fixdate).unwrap();
        assert_eq!(parsed, at);
        assert_eq!(
            parse_str("Sunday, 06-Nov-94 08:49:37 GMT", now(), MAX_RETRY_AFTER),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_str("Sun Nov  6 08:49:37 1994", now(), MAX_RETRY_AFTER),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn dates_in_the_past_or_now_are_zero_and_far_dates_are_capped() {
        assert_eq!(
            p(&httpdate::fmt_http_date(now() - Duration::from_secs(60))),
            Some(Duration::ZERO)
        );
        assert_eq!(p(&httpdate::fmt_http_date(now())), Some(Duration::ZERO));
        assert_eq!(p("Fri, 31 Dec 9999 23:59:59 GMT"), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn caller_chosen_cap() {
        let v = HeaderValue::from_static("3600");
        assert_eq!(
            parse_with_cap(&v, now(), Duration::from_secs(3600 * 2)),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            parse_with_cap(&v, now(), Duration::from_secs(1)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            parse_with_cap(&v, now(), Duration::ZERO),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn from_headers_reads_the_first_value() {
        let mut h = HeaderMap::new();
        assert_eq!(from_headers(&h, now()), None);
        h.append(RETRY_AFTER, HeaderValue::from_static("5"));
        h.append(RETRY_AFTER, HeaderValue::from_static("9"));
        assert_eq!(from_headers(&h, now()), Some(Duration::from_secs(5)));
    }
}

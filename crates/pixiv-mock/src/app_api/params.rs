//! Reading and checking the parameters of a call (query or form pairs).
//!
//! Every failure is Pixiv's 400 error body whose `message` names the parameter, so a client (or a
//! test) sees which one it got wrong.

use super::ApiResponse;
use super::error::bad_request;

/// Pixiv refuses offsets above 5000 with this message (seen in PixivPy's issues).
pub(super) const MAX_OFFSET: usize = 5000;

/// The last value of `key` (PHP-style: a repeated plain key keeps its last value).
pub(super) fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Every value of `key`, in order (`seed_illust_ids[]`).
pub(super) fn all<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// A required positive id: missing, empty, not a number or 0 is a 400 `Invalid {key}`.
pub(super) fn id(pairs: &[(String, String)], key: &str) -> Result<u64, ApiResponse> {
    get(pairs, key)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&v| v > 0)
        .ok_or_else(|| bad_request(format!("Invalid {key}")))
}

/// An optional number (`max_bookmark_id`): absent or empty is `None`, garbage a 400.
pub(super) fn opt_number(
    pairs: &[(String, String)],
    key: &str,
) -> Result<Option<u64>, ApiResponse> {
    match get(pairs, key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| bad_request(format!("Invalid {key}"))),
    }
}

/// `offset`: absent or empty is 0; not a number is a 400; above [`MAX_OFFSET`] is Pixiv's 400.
pub(super) fn offset(pairs: &[(String, String)]) -> Result<usize, ApiResponse> {
    let offset = match get(pairs, "offset").filter(|v| !v.is_empty()) {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| bad_request("Invalid offset"))?,
    };
    if offset > MAX_OFFSET {
        return Err(bad_request(format!(
            r#"{{"offset":["Offset must be no more than {MAX_OFFSET}"]}}"#
        )));
    }
    Ok(offset)
}

/// A parameter that must be one of `allowed`; absent (or empty) takes `default`, or is a 400 when
/// there is none.
pub(super) fn one_of<'a>(
    pairs: &'a [(String, String)],
    key: &str,
    allowed: &[&str],
    default: Option<&'a str>,
) -> Result<&'a str, ApiResponse> {
    match get(pairs, key).filter(|v| !v.is_empty()) {
        Some(v) if allowed.contains(&v) => Ok(v),
        None => default.ok_or_else(|| bad_request(format!("Invalid {key}"))),
        Some(_) => Err(bad_request(format!("Invalid {key}"))),
    }
}

/// An optional `YYYY-MM-DD` date, returned as written; anything else is a 400.
pub(super) fn date<'a>(
    pairs: &'a [(String, String)],
    key: &str,
) -> Result<Option<&'a str>, ApiResponse> {
    match get(pairs, key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if days_from_date(v).is_some() => Ok(Some(v)),
        Some(_) => Err(bad_request(format!("Invalid {key}"))),
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, `None` when it is not a real date.
pub(super) fn days_from_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn dates_are_checked_and_counted_from_the_epoch() {
        assert_eq!(days_from_date("1970-01-01"), Some(0));
        assert_eq!(days_from_date("2024-01-01"), Some(19_723));
        assert_eq!(days_from_date("2024-02-29"), Some(19_782));
        assert_eq!(days_from_date("2023-02-29"), None);
        assert_eq!(days_from_date("2024-13-01"), None);
        assert_eq!(days_from_date("2024-1-01"), None);
        assert_eq!(days_from_date("+024-01-01"), None);
    }

    #[test]
    fn offsets_default_to_zero_and_stop_at_5000() {
        assert_eq!(offset(&pairs(&[])).ok(), Some(0));
        assert_eq!(offset(&pairs(&[("offset", "60")])).ok(), Some(60));
        assert_eq!(
            offset(&pairs(&[("offset", "x")]))
                .err()
                .map(|e| e.status.as_u16()),
            Some(400)
        );
        let too_far = offset(&pairs(&[("offset", "5030")])).err().unwrap();
        assert_eq!(
            too_far.body["error"]["message"],
            r#"{"offset":["Offset must be no more than 5000"]}"#
        );
    }

    #[test]
    fn ids_must_be_positive_numbers() {
        assert_eq!(
            id(&pairs(&[("illust_id", "12")]), "illust_id").ok(),
            Some(12)
        );
        for bad in ["", "0", "-1", "abc", "1e3"] {
            let err = id(&pairs(&[("illust_id", bad)]), "illust_id")
                .err()
                .unwrap();
            assert_eq!(err.status.as_u16(), 400, "{bad:?}");
            assert_eq!(err.body["error"]["message"], "Invalid illust_id");
        }
        assert!(id(&pairs(&[]), "illust_id").is_err());
    }
}

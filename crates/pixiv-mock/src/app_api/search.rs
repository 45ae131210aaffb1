//! `/v1/search/illust`.

use serde_json::{Value, json};

use super::paging::{next_offset_url, page};
use super::state::Viewer;
use super::{ApiRequest, AppApi, Handled, error, params};
use crate::data::{self, DATA_EPOCH, DATA_SPAN_SECS};

/// How many works one search finds at most: 3 pages of 30.
pub(super) const SEARCH_LEN: usize = 90;

/// Pixiv's `search_span_limit` (seconds a search may span; a year, as Pixiv sends).
const SEARCH_SPAN_LIMIT: u64 = 31_536_000;

/// How many candidates a search draws before it settles for fewer results (a rare word with a
/// narrow date range).
const MAX_DRAWS: u64 = 400_000;

const TARGETS: [&str; 3] = [
    "partial_match_for_tags",
    "exact_match_for_tags",
    "title_and_caption",
];
const SORTS: [&str; 3] = ["date_desc", "date_asc", "popular_desc"];
const DURATIONS: [(&str, i64); 3] = [
    ("within_last_day", 86_400),
    ("within_last_week", 7 * 86_400),
    ("within_last_month", 30 * 86_400),
];

/// `GET /v1/search/illust?word=&search_target=&sort=&duration=&start_date=&end_date=&offset=` →
/// `{"illusts": [..30], "next_url", "search_span_limit": 31536000, "show_ai": true}`, at most 3
/// pages (fewer when few works match).
///
/// - `word` is required (a 400 without it). `search_target` is `partial_match_for_tags` (default:
///   a tag name or translated name contains the word), `exact_match_for_tags` (equals it, case
///   aside for translations) or `title_and_caption` (the title or caption contains it).
/// - When no generated work can match (a word none of [`data::TAGS`] nor the titles carry), the
///   works found carry the word as their first tag, `{"name": word, "translated_name": null}`:
///   every result's tags (or title/caption) hold the word.
/// - Dates: works are created through 2024 ([`data::create_date`]); "now" for `duration` is the
///   end of that span. `start_date`/`end_date` (JST days, inclusive) and `duration` narrow the
///   creation dates of the works found.
/// - `sort`: `date_desc` (default), `date_asc`, `popular_desc` (by `total_bookmarks`). The
///   works found depend on word, target and dates; the sort only orders them.
/// - Other keys (`filter`, `search_ai_type`, `merge_plain_keyword_results`,
///   `include_translated_tag_results`) are accepted, ignored, and kept in `next_url`.
pub(super) fn illust(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let word = params::get(req.query, "word")
        .map(str::trim)
        .filter(|w| !w.is_empty());
    let word = word.ok_or_else(|| error::bad_request("Invalid word"))?;
    let target = params::one_of(req.query, "search_target", &TARGETS, Some(TARGETS[0]))?;
    let sort = params::one_of(req.query, "sort", &SORTS, Some(SORTS[0]))?;
    let duration = match params::get(req.query, "duration").filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match DURATIONS.iter().find(|(name, _)| *name == d) {
            Some((_, secs)) => Some(*secs),
            None => return Err(error::bad_request("Invalid duration")),
        },
    };
    let start = params::date(req.query, "start_date")?;
    let end = params::date(req.query, "end_date")?;
    let offset = params::offset(req.query)?;

    let (all, inject) = find(word, target, duration, start, end, sort);
    let (ids, next) = page(&all, offset);
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    let illusts: Vec<Value> = ids
        .iter()
        .map(|&id| {
            let mut work = viewer.illust(id, req.base_url);
            if inject {
                if let Some(tags) = work["tags"].as_array_mut() {
                    tags.insert(0, json!({"name": word, "translated_name": null}));
                }
            }
            work
        })
        .collect();
    Ok(json!({
        "illusts": illusts,
        "next_url": next_offset_url(req, next),
        "search_span_limit": SEARCH_SPAN_LIMIT,
        "show_ai": true,
    }))
}

/// The works a search finds, sorted, and whether they must carry the word as an added tag.
fn find(
    word: &str,
    target: &str,
    duration: Option<i64>,
    start: Option<&str>,
    end: Option<&str>,
    sort: &str,
) -> (Vec<u64>, bool) {
    let span = DATA_SPAN_SECS as i64;
    // Creation offsets (seconds after DATA_EPOCH) the works may have: [lo, hi).
    let mut lo = 0_i64;
    let mut hi = span;
    if let Some(secs) = duration {
        lo = lo.max(span - secs);
    }
    let jst_midnight =
        |date: &str| params::days_from_date(date).map(|d| d * 86_400 - 9 * 3600 - DATA_EPOCH);
    if let Some(start) = start.and_then(jst_midnight) {
        lo = lo.max(start);
    }
    if let Some(end) = end.and_then(jst_midnight) {
        hi = hi.min(end + 86_400);
    }
    if lo >= hi {
        return (Vec::new(), false);
    }

    let lower = word.to_lowercase();
    let tag_matches = |name: &str, translated: Option<&str>| match target {
        "exact_match_for_tags" => {
            name == word || translated.is_some_and(|t| t.eq_ignore_ascii_case(word))
        }
        _ => {
            name.to_lowercase().contains(&lower)
                || translated.is_some_and(|t| t.to_lowercase().contains(&lower))
        }
    };
    let title_matches = |id: u64| {
        data::title(id).to_lowercase().contains(&lower)
            || data::caption(id).to_lowercase().contains(&lower)
    };
    // Can the generated data match the word at all? If not, every work found gets it as a tag.
    let matchable = if target == "title_and_caption" {
        // The titles and captions differ only by the id: a word matches some of them when it is
        // digits, or when it matches one of the first few.
        word.bytes().all(|b| b.is_ascii_digit()) || (1..=9).any(title_matches)
    } else {
        data::TAGS
            .iter()
            .chain(&[("R-18", None)])
            .any(|&(n, t)| tag_matches(n, t))
    };
    let keep = |id: u64| {
        !matchable
            || if target == "title_and_caption" {
                title_matches(id)
            } else {
                data::tags(id).into_iter().any(|(n, t)| tag_matches(n, t))
            }
    };

    // Draw ids whose creation offset lies in [lo, hi): id = offset + k * span, so every draw is
    // in range and only the word filters. Ids stay under 10^9 (k < 31).
    let seed = data::hash_str(&format!("{word}\0{target}\0{lo}\0{hi}"));
    let width = (hi - lo) as u64;
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::with_capacity(SEARCH_LEN);
    for k in 0..MAX_DRAWS {
        if found.len() == SEARCH_LEN {
            break;
        }
        let r = data::mix(seed.wrapping_add(k));
        let id = (lo as u64 + r % width) + (r >> 40) % 31 * DATA_SPAN_SECS;
        if data::exists(id) && keep(id) && seen.insert(id) {
            found.push(id);
        }
    }
    match sort {
        "date_asc" => found.sort_by_key(|&id| (data::created_offset(id), id)),
        "popular_desc" => {
            found.sort_by_key(|&id| std::cmp::Reverse((data::total_bookmarks(id), id)))
        }
        _ => found.sort_by_key(|&id| std::cmp::Reverse((data::created_offset(id), id))),
    }
    (found, !matchable)
}

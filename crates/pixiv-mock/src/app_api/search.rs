//! `/v1/search/illust`.

use serde_json::{Value, json};

use super::paging::{PAGE_SIZE, next_offset_url, page};
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
    if let Some(total) = api.search_results {
        return Ok(numerous(api, req, word, total));
    }
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
        "show_ai": state.user(req.user_id).is_none_or(|u| u.show_ai()),
    }))
}

/// A page of a search that finds `total` works (`MockPixivBuilder::search_results`): ids
/// `offset + 1 ..`, each with the word as first tag, no offset cap, the same work per page
/// whatever `total` is.
fn numerous(api: &AppApi, req: &ApiRequest<'_>, word: &str, total: u64) -> Value {
    let offset: u64 = params::get(req.query, "offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let end = offset.saturating_add(PAGE_SIZE as u64).min(total);
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    let illusts: Vec<Value> = (offset.min(end)..end)
        .map(|i| {
            let mut work = viewer.illust(i + 1, req.base_url);
            if let Some(tags) = work["tags"].as_array_mut() {
                tags.insert(0, json!({"name": word, "translated_name": null}));
            }
            work
        })
        .collect();
    let next = (end < total).then(|| usize::try_from(end).unwrap_or(usize::MAX));
    json!({
        "illusts": illusts,
        "next_url": next_offset_url(req, next),
        "search_span_limit": SEARCH_SPAN_LIMIT,
        "show_ai": true,
    })
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

#[cfg(test)]
mod tests {
    use super::super::AppApi;
    use super::super::testing::*;
    use serde_json::Value;

    fn tag_names(work: &Value) -> Vec<String> {
        work["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    }

    fn works(pages: &[Value]) -> Vec<Value> {
        pages
            .iter()
            .flat_map(|p| p["illusts"].as_array().unwrap().clone())
            .collect()
    }

    #[test]
    fn search_pages_three_times_and_every_result_carries_the_word() {
        let api = AppApi::new();
        let (pages, queries) = follow_pages(
            &api,
            "/v1/search/illust",
            &[
                ("word", "風"),
                ("search_target", "partial_match_for_tags"),
                ("sort", "date_desc"),
                ("filter", "for_ios"),
            ],
        );
        assert_eq!(pages.len(), 3);
        for p in &pages {
            assert_eq!(p["search_span_limit"], 31_536_000);
            assert_eq!(p["show_ai"], true);
            assert_eq!(ids(p).len(), 30);
        }
        let all = works(&pages);
        for w in &all {
            assert_illust_shape(w);
            assert!(
                tag_names(w).iter().any(|t| t.contains('風')),
                "{}",
                w["tags"]
            );
        }
        // date_desc: newest first.
        let dates: Vec<&str> = all
            .iter()
            .map(|w| w["create_date"].as_str().unwrap())
            .collect();
        assert!(dates.windows(2).all(|d| d[0] >= d[1]), "{dates:?}");
        // The Japanese word survives the next_url round trip.
        for q in &queries {
            assert!(q.contains(&("word".to_owned(), "風".to_owned())), "{q:?}");
            assert!(q.contains(&("filter".to_owned(), "for_ios".to_owned())));
        }
        assert!(
            pages[0]["next_url"]
                .as_str()
                .unwrap()
                .contains("word=%E9%A2%A8")
        );
        // Same search, same answer.
        let again = get(
            &api,
            "/v1/search/illust",
            &[("word", "風"), ("sort", "date_desc")],
        );
        assert_eq!(ids(&again.body), ids(&pages[0]));
    }

    #[test]
    fn exact_match_and_translated_names() {
        let api = AppApi::new();
        let r = get(
            &api,
            "/v1/search/illust",
            &[("word", "cat"), ("search_target", "exact_match_for_tags")],
        );
        let found = r.body["illusts"].as_array().unwrap();
        assert_eq!(found.len(), 30);
        assert!(found.iter().all(|w| {
            w["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["translated_name"] == "cat")
        }));
        // No injected tag when the data can match.
        assert!(
            found
                .iter()
                .all(|w| !tag_names(w).contains(&"cat".to_owned()))
        );
        let r = get(
            &api,
            "/v1/search/illust",
            &[
                ("word", "オリジナル"),
                ("search_target", "exact_match_for_tags"),
            ],
        );
        let found = r.body["illusts"].as_array().unwrap();
        assert!(
            found
                .iter()
                .all(|w| tag_names(w).contains(&"オリジナル".to_owned()))
        );
    }

    #[test]
    fn unknown_words_become_a_tag_and_titles_match_digits() {
        let api = AppApi::new();
        let r = get(&api, "/v1/search/illust", &[("word", "dragon knight")]);
        let found = r.body["illusts"].as_array().unwrap();
        assert_eq!(found.len(), 30);
        for w in found {
            assert_eq!(
                w["tags"][0],
                serde_json::json!({"name": "dragon knight", "translated_name": null})
            );
        }
        let r = get(
            &api,
            "/v1/search/illust",
            &[("word", "42"), ("search_target", "title_and_caption")],
        );
        let found = r.body["illusts"].as_array().unwrap();
        assert_eq!(found.len(), 30);
        assert!(
            found
                .iter()
                .all(|w| w["title"].as_str().unwrap().contains("42"))
        );
    }

    #[test]
    fn sorts_and_dates() {
        let api = AppApi::new();
        let word = [("word", "sky")];
        let desc = get(&api, "/v1/search/illust", &[word[0], ("sort", "date_desc")]);
        let asc = get(&api, "/v1/search/illust", &[word[0], ("sort", "date_asc")]);
        let (asc_pages, _) =
            follow_pages(&api, "/v1/search/illust", &[word[0], ("sort", "date_asc")]);
        let dates: Vec<String> = works(&asc_pages)
            .iter()
            .map(|w| w["create_date"].as_str().unwrap().to_owned())
            .collect();
        assert!(dates.windows(2).all(|d| d[0] <= d[1]));
        assert_ne!(ids(&desc.body), ids(&asc.body));
        let (popular, _) = follow_pages(
            &api,
            "/v1/search/illust",
            &[word[0], ("sort", "popular_desc")],
        );
        let bookmarks: Vec<u64> = works(&popular)
            .iter()
            .map(|w| w["total_bookmarks"].as_u64().unwrap())
            .collect();
        assert!(bookmarks.windows(2).all(|b| b[0] >= b[1]), "{bookmarks:?}");

        // A date range keeps the works created in it (JST days, inclusive).
        let (pages, _) = follow_pages(
            &api,
            "/v1/search/illust",
            &[
                word[0],
                ("start_date", "2024-03-01"),
                ("end_date", "2024-03-02"),
            ],
        );
        let ranged = works(&pages);
        assert_eq!(ranged.len(), 90);
        for w in &ranged {
            let date = w["create_date"].as_str().unwrap();
            assert!(
                date.starts_with("2024-03-01") || date.starts_with("2024-03-02"),
                "{date}"
            );
        }
        // duration counts back from the end of the data (2024-12-30 is its last day).
        let day = get(
            &api,
            "/v1/search/illust",
            &[word[0], ("duration", "within_last_day")],
        );
        for w in day.body["illusts"].as_array().unwrap() {
            assert!(
                w["create_date"].as_str().unwrap().starts_with("2024-12-30"),
                "{}",
                w["create_date"]
            );
        }
        // Outside the data: nothing, and no next page.
        let none = get(
            &api,
            "/v1/search/illust",
            &[word[0], ("start_date", "2026-01-01")],
        );
        assert_eq!(none.status, 200);
        assert_eq!(none.body["illusts"], serde_json::json!([]));
        assert!(none.body["next_url"].is_null());
    }

    #[test]
    fn search_errors() {
        let api = AppApi::new();
        for query in [
            &[][..],
            &[("word", "")][..],
            &[("word", "  ")][..],
            &[("word", "sky"), ("search_target", "text")][..],
            &[("word", "sky"), ("sort", "popular_male_desc")][..],
            &[("word", "sky"), ("duration", "within_last_year")][..],
            &[("word", "sky"), ("start_date", "2024/01/01")][..],
            &[("word", "sky"), ("end_date", "2024-02-30")][..],
            &[("word", "sky"), ("offset", "5001")][..],
        ] {
            let r = get(&api, "/v1/search/illust", query);
            assert_eq!(r.status, 400, "{query:?}");
            assert_error_shape(&r.body);
        }
        let r = get(&api, "/v1/search/illust", &[]);
        assert_eq!(r.body["error"]["message"], "Invalid word");
    }

    #[test]
    fn a_numerous_search_pages_past_the_offset_cap_to_its_end() {
        let api = AppApi::new().search_results(Some(100_000));
        let first = get(&api, "/v1/search/illust", &[("word", "x")]);
        assert_eq!(ids(&first.body), (1..=30).collect::<Vec<u64>>());
        assert!(
            first.body["next_url"]
                .as_str()
                .unwrap()
                .contains("offset=30")
        );
        assert_eq!(tag_names(&first.body["illusts"][0])[0], "x");
        let last = get(
            &api,
            "/v1/search/illust",
            &[("word", "x"), ("offset", "99990")],
        );
        assert_eq!(ids(&last.body), (99_991..=100_000).collect::<Vec<u64>>());
        assert!(last.body["next_url"].is_null());
    }
}

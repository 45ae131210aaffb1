//! `/v1/illust/ranking`.

use serde_json::{Value, json};

use super::paging::{next_url, page};
use super::state::Viewer;
use super::{ApiRequest, AppApi, Handled, params};
use crate::data;

/// `GET /v1/illust/ranking?mode=&date=YYYY-MM-DD&offset=` → `{"illusts": [..30], "next_url"}`:
/// [`data::ranking_ids`]`(mode, date)` (the latest ranking, [`data::LATEST_RANKING_DATE`], when
/// `date` is absent), 5 pages, then `null`. As Pixiv's, every `next_url` names the ranking's
/// `date`, also when the request did not.
/// `mode` must be one of [`data::RANKING_MODES`] (default `day`; anything else is a 400),
/// `date` a real `YYYY-MM-DD`.
pub(super) fn ranking(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let mode = params::one_of(req.query, "mode", &data::RANKING_MODES, Some("day"))?;
    let date = params::date(req.query, "date")?.unwrap_or(data::LATEST_RANKING_DATE);
    let offset = params::offset(req.query)?;
    let all = data::ranking_ids(mode, date);
    let (ids, next) = page(&all, offset);
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    let illusts: Vec<Value> = ids
        .iter()
        .map(|&i| viewer.illust(i, req.base_url))
        .collect();
    let next_url = match next {
        Some(offset) => next_url(
            req,
            &[("date", date.to_owned()), ("offset", offset.to_string())],
        )
        .into(),
        None => Value::Null,
    };
    Ok(json!({ "illusts": illusts, "next_url": next_url }))
}

#[cfg(test)]
mod tests {
    use super::super::AppApi;
    use super::super::testing::*;
    use crate::data;

    #[test]
    fn ranking_pages_five_times_and_the_date_changes_it() {
        let api = AppApi::new();
        let (pages, queries) = follow_pages(
            &api,
            "/v1/illust/ranking",
            &[
                ("mode", "week"),
                ("filter", "for_ios"),
                ("date", "2024-05-01"),
            ],
        );
        assert_eq!(pages.len(), 5);
        let all: Vec<u64> = pages.iter().flat_map(ids).collect();
        assert_eq!(all, data::ranking_ids("week", "2024-05-01"));
        let mut dedup = all.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), 150);
        for p in &pages {
            p["illusts"]
                .as_array()
                .unwrap()
                .iter()
                .for_each(assert_illust_shape);
        }
        assert!(
            queries
                .iter()
                .all(|q| q.contains(&("date".to_owned(), "2024-05-01".to_owned())))
        );
        assert!(
            queries
                .iter()
                .all(|q| q.contains(&("mode".to_owned(), "week".to_owned())))
        );

        let other_day = get(
            &api,
            "/v1/illust/ranking",
            &[("mode", "week"), ("date", "2024-05-02")],
        );
        assert_ne!(ids(&other_day.body), ids(&pages[0]));
        let again = get(
            &api,
            "/v1/illust/ranking",
            &[("mode", "week"), ("date", "2024-05-01")],
        );
        assert_eq!(ids(&again.body), ids(&pages[0]));
    }

    #[test]
    fn next_url_names_the_latest_date_when_none_was_asked() {
        let api = AppApi::new();
        let (pages, queries) = follow_pages(&api, "/v1/illust/ranking", &[("mode", "day")]);
        let all: Vec<u64> = pages.iter().flat_map(ids).collect();
        assert_eq!(all, data::ranking_ids("day", ""));
        assert_eq!(all, data::ranking_ids("day", data::LATEST_RANKING_DATE));
        for q in &queries {
            let date: Vec<&str> = q
                .iter()
                .filter(|(k, _)| k == "date")
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(date, [data::LATEST_RANKING_DATE], "{q:?}");
        }
    }

    #[test]
    fn ranking_modes_choose_their_works() {
        let api = AppApi::new();
        let r18 = get(&api, "/v1/illust/ranking", &[("mode", "day_r18")]);
        assert!(
            r18.body["illusts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["x_restrict"] == 1)
        );
        let manga = get(&api, "/v1/illust/ranking", &[("mode", "day_manga")]);
        assert!(
            manga.body["illusts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["type"] == "manga")
        );
        let day = get(&api, "/v1/illust/ranking", &[]);
        assert_eq!(ids(&day.body), data::ranking_ids("day", "")[..30]);
        assert!(
            day.body["illusts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["x_restrict"] == 0 && i["type"] != "manga")
        );
    }

    #[test]
    fn ranking_errors() {
        let api = AppApi::new();
        for query in [
            &[("mode", "hourly")][..],
            &[("mode", "day"), ("date", "2024-02-30")][..],
            &[("mode", "day"), ("date", "yesterday")][..],
            &[("mode", "day"), ("offset", "abc")][..],
        ] {
            let r = get(&api, "/v1/illust/ranking", query);
            assert_eq!(r.status, 400, "{query:?}");
            assert_error_shape(&r.body);
        }
        let r = get(&api, "/v1/illust/ranking", &[("mode", "hourly")]);
        assert_eq!(r.body["error"]["message"], "Invalid mode");
    }
}

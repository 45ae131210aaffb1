//! Discovery: `/v1/illust/recommended` (and `-nologin`), `/v1/illust/new`,
//! `/v1/trending-tags/illust`, `/v1/illust/series`.

use serde_json::{Value, json};

use super::paging::{PAGE_SIZE, next_offset_url, next_url, page};
use super::state::Viewer;
use super::{ApiRequest, AppApi, Handled, error, params};
use crate::data;

/// `content_type` values.
const CONTENT_TYPES: [&str; 2] = ["illust", "manga"];

/// Works of `ids` as the request's viewer sees them.
fn works(api: &AppApi, req: &ApiRequest<'_>, ids: &[u64]) -> Vec<Value> {
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    ids.iter()
        .map(|&i| viewer.illust(i, req.base_url))
        .collect()
}

/// `GET /v1/illust/recommended?content_type=illust|manga&include_ranking_label=&offset=&..`
/// (and `/v1/illust/recommended-nologin`, served without a token) → `{"illusts": [..30],
/// "ranking_illusts": [..3 of today's ranking when include_ranking_illusts=true, else none],
/// "contest_exists": false, "privacy_policy": {}, "next_url"}`: [`data::recommended_ids`], 3
/// pages. `viewed[]`, `bookmark_illust_ids` and the bookmark-id keys are accepted and kept in
/// `next_url`.
pub(super) fn recommended(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let content_type = params::one_of(req.query, "content_type", &CONTENT_TYPES, Some("illust"))?;
    for key in ["include_ranking_label", "include_ranking_illusts"] {
        params::one_of(req.query, key, &["true", "false"], Some("false"))?;
    }
    let offset = params::offset(req.query)?;
    let all = data::recommended_ids(req.user_id, content_type);
    let (ids, next) = page(&all, offset);
    let ranking: Vec<u64> = if params::get(req.query, "include_ranking_illusts") == Some("true") {
        data::ranking_ids("day", "").into_iter().take(3).collect()
    } else {
        Vec::new()
    };
    Ok(json!({
        "illusts": works(api, req, ids),
        "ranking_illusts": works(api, req, &ranking),
        "contest_exists": false,
        "privacy_policy": {},
        "next_url": next_offset_url(req, next),
    }))
}

/// `GET /v1/illust/new?content_type=illust|manga&max_illust_id=` → `{"illusts": [..30],
/// "next_url"}`: [`data::new_ids`], newest first, a page starting at the first work whose id is
/// at most `max_illust_id`; `next_url` carries the next page's first id as `max_illust_id`.
pub(super) fn new(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let content_type = params::one_of(req.query, "content_type", &CONTENT_TYPES, Some("illust"))?;
    let max = params::opt_number(req.query, "max_illust_id")?;
    let all = data::new_ids(content_type);
    let start = max.map_or(0, |max| {
        all.iter().position(|&id| id <= max).unwrap_or(all.len())
    });
    let end = start.saturating_add(PAGE_SIZE).min(all.len());
    let next = match all.get(end) {
        Some(id) => next_url(req, &[("max_illust_id", id.to_string())]).into(),
        None => Value::Null,
    };
    Ok(json!({ "illusts": works(api, req, &all[start..end]), "next_url": next }))
}

/// `GET /v1/trending-tags/illust` → `{"trend_tags": [{"tag", "translated_name", "illust"}]}`:
/// every tag of [`data::TAGS`] with a work carrying it.
pub(super) fn trending_tags(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    let tags: Vec<Value> = data::TAGS
        .iter()
        .filter_map(|(name, translated)| {
            let id = data::work_with_tag(name)?;
            Some(json!({
                "tag": name,
                "translated_name": translated,
                "illust": viewer.illust(id, req.base_url),
            }))
        })
        .collect();
    Ok(json!({ "trend_tags": tags }))
}

/// `GET /v1/illust/series?illust_series_id=&offset=` → `{"illust_series_detail": {"id",
/// "title", "caption", "cover_image_urls": {"medium"}, "series_work_count", "create_date",
/// "width", "height", "user", "watchlist_added"}, "illust_series_first_illust": {..},
/// "illusts": [..30], "next_url"}`, as gallery-dl's series extractor reads it. Series `id` is
/// user `id`'s manga ([`data::series_ids`]); its works carry `"series": {"id", "title"}`.
pub(super) fn series(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = params::id(req.query, "illust_series_id")?;
    let all = data::series_ids(id);
    let Some(&first) = all.last().filter(|_| data::series_exists(id)) else {
        return Err(error::illust_not_found());
    };
    let offset = params::offset(req.query)?;
    let (ids, next) = page(&all, offset);
    let title = format!("連載 {id}");
    let series = json!({ "id": id, "title": title });
    let mut illusts = works(api, req, ids);
    for work in &mut illusts {
        work["series"] = series.clone();
    }
    let mut first_illust = works(api, req, &[first]).remove(0);
    first_illust["series"] = series;
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    Ok(json!({
        "illust_series_detail": {
            "id": id,
            "title": title,
            "caption": format!("シリーズ {id} の説明"),
            "cover_image_urls": { "medium": first_illust["image_urls"]["medium"] },
            "series_work_count": all.len(),
            "create_date": first_illust["create_date"],
            "width": first_illust["width"],
            "height": first_illust["height"],
            "user": viewer.user(id, req.base_url),
            "watchlist_added": false,
        },
        "illust_series_first_illust": first_illust,
        "illusts": illusts,
        "next_url": next_offset_url(req, next),
    }))
}

//! Novels: detail, a user's novels, series, search, bookmarks, the new/follow/recommended feeds.
//!
//! Shapes as PixivPy's models (`NovelInfo`, `UserNovels`, `SearchNovel`, `UserBookmarksNovel`)
//! name them; `next_url`s as Pixiv writes them (`offset=`, `last_order=` for a series,
//! `max_bookmark_id=` for bookmarks, `max_novel_id=` for the new feed).

use http::Method;
use serde_json::{Value, json};

use super::paging::{PAGE_SIZE, next_offset_url, next_url, page};
use super::state::Viewer;
use super::{ApiRequest, ApiResponse, AppApi, Handled, Handler, error, params};
use crate::{data, data_novel};

/// The novel routes, looked up after the App API's own.
pub(super) const ROUTES: &[(&str, Method, Handler)] = &[
    ("/v2/novel/detail", Method::GET, detail),
    ("/v1/user/novels", Method::GET, user_novels),
    ("/v2/novel/series", Method::GET, series),
    ("/v1/search/novel", Method::GET, search),
    ("/v1/user/bookmarks/novel", Method::GET, bookmarks),
    ("/v2/novel/bookmark/detail", Method::GET, bookmark_detail),
    ("/v1/novel/new", Method::GET, new),
    ("/v1/novel/follow", Method::GET, follow),
    ("/v1/novel/recommended", Method::GET, recommended),
];

/// Pixiv's text for a novel that is missing or deleted.
const NOVEL_NOT_FOUND: &str = "該当作品は削除されたか、存在しない作品IDです。";

/// The `novel_id` (or `key`) of a call, naming a novel that exists (404 otherwise).
pub(super) fn existing_novel(pairs: &[(String, String)], key: &str) -> Result<u64, ApiResponse> {
    let id = params::id(pairs, key)?;
    if data_novel::exists(id) {
        Ok(id)
    } else {
        Err(error::answer(
            http::StatusCode::NOT_FOUND,
            NOVEL_NOT_FOUND,
            "",
            "",
        ))
    }
}

fn existing_user(pairs: &[(String, String)]) -> Result<u64, ApiResponse> {
    let id = params::id(pairs, "user_id")?;
    if data::user_exists(id) {
        Ok(id)
    } else {
        Err(error::user_not_found())
    }
}

/// Whether `viewer` has novel `id` among their generated bookmarks.
fn is_bookmarked(viewer: u64, id: u64) -> bool {
    ["public", "private"].iter().any(|r| {
        data_novel::bookmarks(viewer, r)
            .iter()
            .any(|(n, _)| *n == id)
    })
}

/// Novels `ids` as the viewer sees them: `is_bookmarked` from their generated bookmarks, the
/// author's `is_followed` from the follows the session made.
fn novels(api: &AppApi, req: &ApiRequest<'_>, ids: &[u64]) -> Vec<Value> {
    let mut marked: Vec<u64> = Vec::new();
    for r in ["public", "private"] {
        marked.extend(
            data_novel::bookmarks(req.user_id, r)
                .iter()
                .map(|(n, _)| *n),
        );
    }
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    ids.iter()
        .map(|&id| {
            let mut novel = data_novel::novel_as_seen(id, req.base_url, marked.contains(&id));
            novel["user"]["is_followed"] = viewer.is_followed(data::author_of(id)).into();
            novel
        })
        .collect()
}

/// `GET /v2/novel/detail?novel_id=` → `{"novel": {..}}`.
pub(super) fn detail(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_novel(req.query, "novel_id")?;
    let novel = novels(api, req, &[id]).pop().unwrap_or_default();
    Ok(json!({ "novel": novel }))
}

/// `GET /v1/user/novels?user_id=&offset=` → `{"user", "novels": [..30], "next_url"}`, 3 pages.
pub(super) fn user_novels(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_user(req.query)?;
    let offset = params::offset(req.query)?;
    let all = data_novel::user_novel_ids(id);
    let (ids, next) = page(&all, offset);
    let user = {
        let state = api.state();
        Viewer::new(&state, req.user_id).user(id, req.base_url)
    };
    Ok(json!({
        "user": user,
        "novels": novels(api, req, ids),
        "next_url": next_offset_url(req, next),
    }))
}

/// `GET /v2/novel/series?series_id=&last_order=` → `{"novel_series_detail",
/// "novel_series_first_novel", "novel_series_latest_novel", "novels": [..30], "next_url"}`; the
/// `next_url` carries `last_order` (the order of the last novel listed), as Pixiv's.
pub(super) fn series(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = params::id(req.query, "series_id")?;
    if !data_novel::series_exists(id) {
        return Err(error::answer(
            http::StatusCode::NOT_FOUND,
            NOVEL_NOT_FOUND,
            "",
            "",
        ));
    }
    let last_order = params::opt_number(req.query, "last_order")?.unwrap_or(0) as usize;
    let all = data_novel::series_novel_ids(id);
    let (ids, next) = page(&all, last_order);
    let author = data::author_of(all[0]);
    let user = {
        let state = api.state();
        Viewer::new(&state, req.user_id).user(author, req.base_url)
    };
    let total_chars: usize = all
        .iter()
        .map(|&n| data_novel::text(n).chars().count())
        .sum();
    Ok(json!({
        "novel_series_detail": {
            "id": id,
            "title": data_novel::series_title(id),
            "caption": format!("A series generated by pixiv-mock.<br />id: {id}"),
            "is_original": true,
            "is_concluded": false,
            "content_count": all.len(),
            "total_character_count": total_chars,
            "user": user,
            "display_text": format!("{}話", all.len()),
            "novel_ai_type": 1,
            "watchlist_added": false,
        },
        "novel_series_first_novel": data_novel::novel(all[0], req.base_url),
        "novel_series_latest_novel": data_novel::novel(all[all.len() - 1], req.base_url),
        "novels": novels(api, req, ids),
        "next_url": match next {
            Some(n) => next_url(req, &[("last_order", n.to_string())]).into(),
            None => Value::Null,
        },
    }))
}

/// `GET /v1/search/novel?word=&search_target=&sort=&merge_plain_keyword_results=&
/// include_translated_tag_results=&start_date=&end_date=&search_ai_type=&offset=` →
/// `{"novels", "next_url", "search_span_limit", "show_ai"}`, 3 pages.
pub(super) fn search(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let word = params::get(req.query, "word").unwrap_or_default();
    if word.trim().is_empty() {
        return Err(error::bad_request("Invalid word"));
    }
    let target = params::one_of(
        req.query,
        "search_target",
        &[
            "partial_match_for_tags",
            "exact_match_for_tags",
            "text",
            "keyword",
        ],
        Some("partial_match_for_tags"),
    )?;
    let sort = params::one_of(
        req.query,
        "sort",
        &["date_desc", "date_asc", "popular_desc"],
        Some("date_desc"),
    )?;
    for key in [
        "merge_plain_keyword_results",
        "include_translated_tag_results",
    ] {
        params::one_of(req.query, key, &["true", "false"], Some("true"))?;
    }
    params::one_of(req.query, "search_ai_type", &["0", "1"], Some("1"))?;
    params::date(req.query, "start_date")?;
    params::date(req.query, "end_date")?;
    let offset = params::offset(req.query)?;
    let mut all = data_novel::list_ids(data::hash_str(word) ^ data::hash_str(target));
    if sort == "date_asc" {
        all.reverse();
    }
    let (ids, next) = page(&all, offset);
    Ok(json!({
        "novels": novels(api, req, ids),
        "next_url": next_offset_url(req, next),
        "search_span_limit": data::DATA_SPAN_SECS,
        "show_ai": true,
    }))
}

/// `GET /v1/user/bookmarks/novel?user_id=&restrict=&tag=&max_bookmark_id=` → `{"novels",
/// "next_url"}`: the generated bookmarks of `restrict` (as for works, private ones for any
/// user), filtered by bookmark `tag`, newest first; `next_url` carries `max_bookmark_id`.
pub(super) fn bookmarks(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_user(req.query)?;
    let restrict = params::one_of(
        req.query,
        "restrict",
        &["public", "private"],
        Some("public"),
    )?;
    let max = params::opt_number(req.query, "max_bookmark_id")?;
    let tag = params::get(req.query, "tag").filter(|t| !t.is_empty());
    let all: Vec<(u64, u64)> = data_novel::bookmarks(id, restrict)
        .into_iter()
        .filter(|(_, b)| max.is_none_or(|m| *b <= m))
        .filter(|(n, _)| tag.is_none_or(|t| data_novel::bookmark_tags(*n).contains(&t)))
        .collect();
    let shown: Vec<u64> = all.iter().take(PAGE_SIZE).map(|(n, _)| *n).collect();
    let next = all
        .get(PAGE_SIZE)
        .map(|(_, b)| next_url(req, &[("max_bookmark_id", b.to_string())]));
    Ok(json!({ "novels": novels(api, req, &shown), "next_url": next }))
}

/// `GET /v2/novel/bookmark/detail?novel_id=` → `{"bookmark_detail": {"is_bookmarked", "tags":
/// [{"name", "is_registered"}], "restrict"}}` (gallery-dl reads `tags[].is_registered`).
pub(super) fn bookmark_detail(_: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_novel(req.query, "novel_id")?;
    let private = data_novel::bookmarks(req.user_id, "private")
        .iter()
        .any(|(n, _)| *n == id);
    let bookmarked = private || is_bookmarked(req.user_id, id);
    let registered = data_novel::bookmark_tags(id);
    let tags: Vec<Value> = data::tags(id)
        .into_iter()
        .map(|(name, _)| name)
        .chain(registered.iter().copied())
        .fold(Vec::<&str>::new(), |mut v, t| {
            if !v.contains(&t) {
                v.push(t);
            }
            v
        })
        .into_iter()
        .map(
            |name| json!({"name": name, "is_registered": bookmarked && registered.contains(&name)}),
        )
        .collect();
    Ok(json!({"bookmark_detail": {
        "is_bookmarked": bookmarked,
        "tags": tags,
        "restrict": if private { "private" } else { "public" },
    }}))
}

/// `GET /v1/novel/new?max_novel_id=` → `{"novels", "next_url"}`: the newest novels (ids counting
/// down from 999 999), `next_url` with `max_novel_id`, 3 pages.
pub(super) fn new(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    const TOP: u64 = 999_999;
    let max = params::opt_number(req.query, "max_novel_id")?
        .unwrap_or(TOP)
        .min(TOP);
    let bottom = TOP - data_novel::LIST_LEN as u64;
    let ids: Vec<u64> = (bottom.max(1)..=max).rev().take(PAGE_SIZE).collect();
    let next = ids
        .last()
        .filter(|&&last| last > bottom + 1)
        .map(|last| next_url(req, &[("max_novel_id", (last - 1).to_string())]));
    Ok(json!({ "novels": novels(api, req, &ids), "next_url": next }))
}

/// `GET /v1/novel/follow?restrict=public|private|all&offset=` → `{"novels", "next_url"}`: new
/// novels of the users the account follows, 3 pages.
pub(super) fn follow(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let restrict = params::one_of(
        req.query,
        "restrict",
        &["public", "private", "all"],
        Some("public"),
    )?;
    let offset = params::offset(req.query)?;
    let all = data_novel::list_ids(data::mix(req.user_id) ^ data::hash_str(restrict));
    let (ids, next) = page(&all, offset);
    Ok(json!({ "novels": novels(api, req, ids), "next_url": next_offset_url(req, next) }))
}

/// `GET /v1/novel/recommended?include_ranking_label=&offset=&already_recommended=&
/// include_ranking_novels=&max_bookmark_id_for_recommend=&include_privacy_policy=` →
/// `{"novels", "ranking_novels", "privacy_policy", "next_url"}`, 3 pages; the `next_url` carries
/// `offset` and the ids already shown (`already_recommended`, comma-separated), as Pixiv's.
pub(super) fn recommended(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    params::one_of(
        req.query,
        "include_ranking_label",
        &["true", "false"],
        Some("true"),
    )?;
    let ranking = params::one_of(
        req.query,
        "include_ranking_novels",
        &["true", "false"],
        Some("false"),
    )?;
    params::opt_number(req.query, "max_bookmark_id_for_recommend")?;
    let offset = params::offset(req.query)?;
    let all = data_novel::list_ids(data::mix(req.user_id) ^ 0x4EC0);
    let (ids, next) = page(&all, offset);
    let next = next.map(|n| {
        let seen: Vec<String> = all[..n].iter().map(u64::to_string).collect();
        next_url(
            req,
            &[
                ("offset", n.to_string()),
                ("already_recommended", seen.join(",")),
            ],
        )
    });
    let ranking_novels = if ranking == "true" && offset == 0 {
        novels(api, req, &all[..3])
    } else {
        Vec::new()
    };
    Ok(json!({
        "novels": novels(api, req, ids),
        "ranking_novels": ranking_novels,
        "privacy_policy": {},
        "next_url": next,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::AppApi;
    use super::super::testing::*;

    #[test]
    fn series_pages_with_last_order_and_lists_every_novel_once() {
        let api = AppApi::new();
        let (pages, queries) = follow_pages(&api, "/v2/novel/series", &[("series_id", "1")]);
        assert_eq!(pages.len(), 3);
        assert!(
            queries[0]
                .iter()
                .any(|(k, v)| k == "last_order" && v == "30")
        );
        let ids: Vec<u64> = pages
            .iter()
            .flat_map(|p| {
                p["novels"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["id"].as_u64().unwrap())
            })
            .collect();
        assert_eq!(ids, (101..=175).collect::<Vec<_>>());
        assert_eq!(pages[0]["novel_series_detail"]["content_count"], 75);
    }

    #[test]
    fn bookmarks_page_by_max_bookmark_id_and_filter_by_tag() {
        let api = AppApi::new();
        let user = crate::DEMO_USER_ID.to_string();
        let (pages, queries) =
            follow_pages(&api, "/v1/user/bookmarks/novel", &[("user_id", &user)]);
        assert_eq!(pages.len(), 2);
        assert!(queries[0].iter().any(|(k, _)| k == "max_bookmark_id"));
        let r = get(
            &api,
            "/v1/user/bookmarks/novel",
            &[("user_id", "5"), ("tag", "no such tag")],
        );
        assert_eq!(r.status, 200);
        assert_eq!(r.body["novels"].as_array().map(Vec::len), Some(0));
        assert!(r.body["next_url"].is_null());
        let r = get(&api, "/v2/novel/detail", &[("novel_id", "0")]);
        assert_eq!(r.status, 400);
    }
}

//! Bookmarks: `/v1/user/bookmarks/illust`, `/v2/illust/bookmark/add`, `/v1/illust/bookmark/delete`.

use serde_json::{Value, json};

use super::illust::existing_illust;
use super::paging::{PAGE_SIZE, next_url};
use super::state::{Viewer, bookmark_list};
use super::{ApiRequest, AppApi, Handled, error, params};
use crate::data;

/// `GET /v1/user/bookmarks/illust?user_id=&restrict=public|private&max_bookmark_id=&tag=` →
/// `{"illusts": [..30], "next_url"}`.
///
/// The list is newest first: the bookmarks the session added (with that restrict), then the
/// user's generated ones ([`data::bookmark_ids`], 3 pages) minus those it deleted. A page starts at
/// the first bookmark whose id is at most `max_bookmark_id`; `next_url` is the request's query
/// with `max_bookmark_id` set to the next page's first bookmark id, `null` after the last page.
/// `tag` keeps only added bookmarks carrying that bookmark tag.
pub(super) fn list(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let user = params::id(req.query, "user_id")?;
    if !data::user_exists(user) {
        return Err(error::user_not_found());
    }
    let restrict = params::one_of(
        req.query,
        "restrict",
        &["public", "private"],
        Some("public"),
    )?;
    let max = params::opt_number(req.query, "max_bookmark_id")?;
    let tag = params::get(req.query, "tag").filter(|t| !t.is_empty());
    let state = api.state();
    let entries = bookmark_list(&state, user, restrict == "private", tag);
    let start = max.map_or(0, |max| {
        entries
            .iter()
            .position(|e| e.bookmark_id <= max)
            .unwrap_or(entries.len())
    });
    let end = start.saturating_add(PAGE_SIZE).min(entries.len());
    let viewer = Viewer::new(&state, req.user_id);
    let illusts: Vec<Value> = entries[start..end]
        .iter()
        .map(|e| viewer.illust(e.illust_id, req.base_url))
        .collect();
    let next = match entries.get(end) {
        Some(e) => next_url(req, &[("max_bookmark_id", e.bookmark_id.to_string())]).into(),
        None => Value::Null,
    };
    Ok(json!({ "illusts": illusts, "next_url": next }))
}

/// `POST /v2/illust/bookmark/add` (form `illust_id`, `restrict=public|private` (default public),
/// optional `tags[]`, repeated or space-separated as PixivPy sends them) → `{}`.
pub(super) fn add(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_illust(req.form)?;
    let restrict = params::one_of(req.form, "restrict", &["public", "private"], Some("public"))?;
    let tags = params::all(req.form, "tags[]")
        .into_iter()
        .flat_map(str::split_whitespace)
        .map(str::to_owned)
        .collect();
    api.state()
        .add_bookmark(req.user_id, id, restrict == "private", tags);
    Ok(json!({}))
}

/// `POST /v1/illust/bookmark/delete` (form `illust_id`) → `{}` (also when it was not bookmarked).
pub(super) fn delete(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_illust(req.form)?;
    api.state().delete_bookmark(req.user_id, id);
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::super::AppApi;
    use super::super::testing::*;
    use crate::{DEMO_USER_ID, data};

    fn bookmarked(api: &AppApi, id: u64) -> serde_json::Value {
        get(api, "/v1/illust/detail", &[("illust_id", &id.to_string())]).body["illust"]["is_bookmarked"].clone()
    }

    fn list(api: &AppApi, restrict: &str) -> Vec<u64> {
        let me = DEMO_USER_ID.to_string();
        let (pages, _) = follow_pages(
            api,
            "/v1/user/bookmarks/illust",
            &[("user_id", &me), ("restrict", restrict)],
        );
        pages.iter().flat_map(ids).collect()
    }

    #[test]
    fn generated_bookmarks_page_three_times_by_max_bookmark_id() {
        let api = AppApi::new();
        let me = DEMO_USER_ID.to_string();
        for restrict in ["public", "private"] {
            let (pages, queries) = follow_pages(
                &api,
                "/v1/user/bookmarks/illust",
                &[
                    ("user_id", &me),
                    ("restrict", restrict),
                    ("filter", "for_ios"),
                ],
            );
            assert_eq!(pages.len(), 3, "{restrict}");
            let all: Vec<u64> = pages.iter().flat_map(ids).collect();
            assert_eq!(all, data::bookmark_ids(DEMO_USER_ID, restrict));
            for p in &pages {
                for i in p["illusts"].as_array().unwrap() {
                    assert_illust_shape(i);
                    assert_eq!(i["is_bookmarked"], true, "a bookmark is bookmarked");
                }
            }
            for q in &queries {
                assert!(
                    q.iter()
                        .any(|(k, v)| k == "max_bookmark_id" && v.parse::<u64>().is_ok()),
                    "{q:?}"
                );
                assert!(q.contains(&("restrict".to_owned(), restrict.to_owned())));
                assert!(!q.iter().any(|(k, _)| k == "offset"));
            }
        }
        let public = data::bookmark_ids(DEMO_USER_ID, "public");
        assert!(
            data::bookmark_ids(DEMO_USER_ID, "private")
                .iter()
                .all(|id| !public.contains(id))
        );
        // Another user's list is theirs, and the demo user has not bookmarked those.
        let other = get(&api, "/v1/user/bookmarks/illust", &[("user_id", "13")]);
        assert_eq!(ids(&other.body), data::bookmark_ids(13, "public")[..30]);
    }

    #[test]
    fn add_then_delete_flips_is_bookmarked_and_the_list() {
        let api = AppApi::new();
        assert_eq!(bookmarked(&api, 12), false);
        let r = post(
            &api,
            "/v2/illust/bookmark/add",
            &[
                ("illust_id", "12"),
                ("restrict", "private"),
                ("tags[]", "風景 空"),
            ],
        );
        assert_eq!(
            (r.status.as_u16(), r.body.clone()),
            (200, serde_json::json!({}))
        );
        assert_eq!(bookmarked(&api, 12), true);
        let private = list(&api, "private");
        assert_eq!(private[0], 12, "added bookmarks come first");
        assert_eq!(private.len(), 91);
        assert!(!list(&api, "public").contains(&12));
        // tag filters the added bookmarks by their tags.
        let me = DEMO_USER_ID.to_string();
        let tagged = get(
            &api,
            "/v1/user/bookmarks/illust",
            &[("user_id", &me), ("restrict", "private"), ("tag", "空")],
        );
        assert_eq!(ids(&tagged.body), [12]);
        assert!(tagged.body["next_url"].is_null());

        post(&api, "/v2/illust/bookmark/add", &[("illust_id", "13")]);
        assert_eq!(list(&api, "public")[0], 13, "restrict defaults to public");

        let r = post(&api, "/v1/illust/bookmark/delete", &[("illust_id", "12")]);
        assert_eq!(
            (r.status.as_u16(), r.body.clone()),
            (200, serde_json::json!({}))
        );
        assert_eq!(bookmarked(&api, 12), false);
        assert!(!list(&api, "private").contains(&12));

        // A generated bookmark can be deleted too.
        let first = data::bookmark_ids(DEMO_USER_ID, "public")[0];
        assert_eq!(bookmarked(&api, first), true);
        post(
            &api,
            "/v1/illust/bookmark/delete",
            &[("illust_id", &first.to_string())],
        );
        assert_eq!(bookmarked(&api, first), false);
        assert!(!list(&api, "public").contains(&first));
    }

    #[test]
    fn bookmark_errors() {
        let api = AppApi::new();
        for (path, form, status) in [
            ("/v2/illust/bookmark/add", &[][..], 400),
            (
                "/v2/illust/bookmark/add",
                &[("illust_id", "12"), ("restrict", "everyone")][..],
                400,
            ),
            (
                "/v2/illust/bookmark/add",
                &[("illust_id", "1000000000001")][..],
                404,
            ),
            ("/v1/illust/bookmark/delete", &[("illust_id", "x")][..], 400),
        ] {
            let r = post(&api, path, form);
            assert_eq!(r.status, status, "{path} {form:?}");
            assert_error_shape(&r.body);
        }
        assert_eq!(bookmarked(&api, 12), false, "a refused add changed nothing");
        // Parameters go in the form: a query is not read.
        let r = api.handle(&super::super::ApiRequest {
            method: &http::Method::POST,
            path: "/v2/illust/bookmark/add",
            query: &[("illust_id".to_owned(), "12".to_owned())],
            form: &[],
            user_id: DEMO_USER_ID,
            base_url: BASE,
            accept_language: None,
        });
        assert_eq!(r.status, 400);
        for query in [
            &[("user_id", "1"), ("restrict", "all")][..],
            &[("user_id", "1"), ("max_bookmark_id", "z")][..],
            &[][..],
        ] {
            let r = get(&api, "/v1/user/bookmarks/illust", query);
            assert_eq!(r.status, 400, "{query:?}");
            assert_error_shape(&r.body);
        }
    }
}

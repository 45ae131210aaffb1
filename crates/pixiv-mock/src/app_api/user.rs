//! Users: `/v1/user/detail`, `/v1/user/illusts`, `/v1/user/follow/add`, `/v1/user/follow/delete`.

use serde_json::{Value, json};

use super::paging::{next_offset_url, page};
use super::state::Viewer;
use super::{ApiRequest, ApiResponse, AppApi, Handled, error, params};
use crate::data;

/// The `user_id` of a call, which must name a user that exists (404 otherwise).
pub(super) fn existing_user(pairs: &[(String, String)]) -> Result<u64, ApiResponse> {
    let id = params::id(pairs, "user_id")?;
    if data::user_exists(id) {
        Ok(id)
    } else {
        Err(error::user_not_found())
    }
}

/// `GET /v1/user/detail?user_id=` → [`data::user_detail`], with the viewer's `is_followed`.
pub(super) fn detail(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_user(req.query)?;
    let mut body = data::user_detail(id, req.base_url);
    let state = api.state();
    body["user"]["is_followed"] = Viewer::new(&state, req.user_id).is_followed(id).into();
    Ok(body)
}

/// `GET /v1/user/illusts?user_id=&type=illust|manga&offset=` →
/// `{"user": {..}, "illusts": [..30], "next_url"}`: the works of [`data::user_illust_ids`],
/// newest first, 5 pages for every user, then `next_url: null`. No `type` lists every type.
pub(super) fn illusts(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_user(req.query)?;
    let kind = match params::get(req.query, "type").filter(|t| !t.is_empty()) {
        None => None,
        Some(t @ ("illust" | "manga")) => Some(t),
        Some(_) => return Err(error::bad_request("Invalid type")),
    };
    let offset = params::offset(req.query)?;
    let all = data::user_illust_ids(id, kind);
    let (ids, next) = page(&all, offset);
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    let illusts: Vec<Value> = ids
        .iter()
        .map(|&i| viewer.illust(i, req.base_url))
        .collect();
    Ok(json!({
        "user": viewer.user(id, req.base_url),
        "illusts": illusts,
        "next_url": next_offset_url(req, next),
    }))
}

/// `POST /v1/user/follow/add` (form `user_id`, `restrict=public|private`, default public) → `{}`.
pub(super) fn follow_add(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_user(req.form)?;
    let restrict = params::one_of(req.form, "restrict", &["public", "private"], Some("public"))?;
    api.state().follow(req.user_id, id, restrict == "private");
    Ok(json!({}))
}

/// `POST /v1/user/follow/delete` (form `user_id`) → `{}`.
pub(super) fn follow_delete(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_user(req.form)?;
    api.state().unfollow(req.user_id, id);
    Ok(json!({}))
}

/// `POST /v1/user/ai-show-settings/edit` (form `show_ai=true|false`) → `{}`; search answers'
/// `show_ai` follow it.
pub(super) fn edit_ai_show_settings(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let show = params::one_of(req.form, "show_ai", &["true", "false"], None)?;
    api.state().set_show_ai(req.user_id, show == "true");
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::super::AppApi;
    use super::super::testing::*;
    use crate::{DEMO_USER_ID, data};

    #[test]
    fn user_detail_has_pixivpy_s_fields() {
        let api = AppApi::new();
        let r = get(
            &api,
            "/v1/user/detail",
            &[("user_id", "13"), ("filter", "for_ios")],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.body,
            get(&AppApi::new(), "/v1/user/detail", &[("user_id", "13")]).body
        );
        let b = &r.body;
        assert_eq!(b["user"]["id"], 13);
        assert_eq!(b["user"]["name"], "User 13");
        assert!(b["user"]["comment"].is_string());
        assert_eq!(b["user"]["is_followed"], false);
        assert_eq!(
            b["user"]["profile_image_urls"]["medium"],
            format!("{BASE}/user-profile/img/2024/01/01/00/00/00/13_170.jpg")
        );
        for key in [
            "gender",
            "birth",
            "birth_day",
            "region",
            "country_code",
            "job",
            "background_image_url",
            "twitter_account",
        ] {
            assert!(b["profile"][key].is_string(), "profile.{key}");
        }
        for key in [
            "birth_year",
            "address_id",
            "job_id",
            "total_follow_users",
            "total_mypixiv_users",
            "total_illusts",
            "total_manga",
            "total_novels",
            "total_illust_bookmarks_public",
            "total_illust_series",
            "total_novel_series",
        ] {
            assert!(b["profile"][key].is_u64(), "profile.{key}");
        }
        for key in ["webpage", "twitter_url", "pawoo_url"] {
            assert!(b["profile"][key].is_null(), "profile.{key}");
        }
        for key in ["is_premium", "is_using_custom_profile_image"] {
            assert!(b["profile"][key].is_boolean(), "profile.{key}");
        }
        for key in ["gender", "region", "birth_day", "birth_year", "job"] {
            assert!(b["profile_publicity"][key].is_string());
        }
        assert!(b["profile_publicity"]["pawoo"].is_boolean());
        for key in [
            "pc", "monitor", "tool", "scanner", "tablet", "mouse", "printer", "desktop", "music",
            "desk", "chair", "comment",
        ] {
            assert!(b["workspace"][key].is_string(), "workspace.{key}");
        }
        assert!(b["workspace"]["workspace_image_url"].is_null());

        let me = get(
            &api,
            "/v1/user/detail",
            &[("user_id", &DEMO_USER_ID.to_string())],
        );
        assert_eq!(me.body["user"]["account"], "pixivrs_demo");
    }

    #[test]
    fn user_detail_errors() {
        let api = AppApi::new();
        let r = get(&api, "/v1/user/detail", &[("user_id", "1000000001")]);
        assert_eq!(r.status, 404);
        assert_error_shape(&r.body);
        assert_eq!(
            r.body["error"]["user_message"],
            super::error::USER_NOT_FOUND
        );
        let r = get(&api, "/v1/user/detail", &[]);
        assert_eq!(r.status, 400);
        assert_eq!(r.body["error"]["message"], "Invalid user_id");
    }

    #[test]
    fn user_illusts_pages_five_times_then_null() {
        let api = AppApi::new();
        for kind in ["illust", "manga"] {
            let (pages, queries) = follow_pages(
                &api,
                "/v1/user/illusts",
                &[("user_id", "13"), ("filter", "for_ios"), ("type", kind)],
            );
            assert_eq!(pages.len(), 5, "{kind}");
            let all: Vec<u64> = pages.iter().flat_map(ids).collect();
            assert_eq!(all.len(), 150);
            assert_eq!(all, data::user_illust_ids(13, Some(kind)));
            let mut dedup = all.clone();
            dedup.sort_unstable();
            dedup.dedup();
            assert_eq!(dedup.len(), 150, "no work twice");
            assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");
            for p in &pages {
                assert_eq!(p["user"]["id"], 13);
                for i in p["illusts"].as_array().unwrap() {
                    assert_illust_shape(i);
                    assert_eq!(i["user"]["id"], 13, "the user's own works");
                    let manga = i["type"] == "manga";
                    assert_eq!(manga, kind == "manga", "{kind}: {}", i["type"]);
                }
            }
            // next_url keeps the request's keys and moves the offset.
            for (n, q) in queries.iter().enumerate() {
                let mut keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
                keys.sort_unstable();
                assert_eq!(keys, ["filter", "offset", "type", "user_id"]);
                assert!(q.contains(&("offset".to_owned(), (30 * (n + 1)).to_string())));
                assert!(q.contains(&("type".to_owned(), kind.to_owned())));
            }
        }
        // Every user has 5 pages, the demo user too.
        let (pages, _) = follow_pages(
            &api,
            "/v1/user/illusts",
            &[("user_id", &DEMO_USER_ID.to_string())],
        );
        assert_eq!(pages.len(), 5);
        let (pages, _) = follow_pages(
            &api,
            "/v1/user/illusts",
            &[("user_id", "1"), ("type", "illust")],
        );
        assert_eq!(pages.len(), 5);
        assert!(!pages.iter().flat_map(ids).any(|id| id == 0));
    }

    #[test]
    fn user_illusts_errors() {
        let api = AppApi::new();
        for (query, status) in [
            (&[("user_id", "13"), ("type", "novel")][..], 400),
            (&[("user_id", "13"), ("offset", "-30")][..], 400),
            (&[("user_id", "13"), ("offset", "6000")][..], 400),
            (&[("type", "illust")][..], 400),
            (&[("user_id", "2000000000")][..], 404),
        ] {
            let r = get(&api, "/v1/user/illusts", query);
            assert_eq!(r.status, status, "{query:?}: {}", r.body);
            assert_error_shape(&r.body);
        }
        // Past the end: an empty page, no next.
        let r = get(
            &api,
            "/v1/user/illusts",
            &[("user_id", "13"), ("offset", "300")],
        );
        assert_eq!(r.status, 200);
        assert_eq!(r.body["illusts"], serde_json::json!([]));
        assert!(r.body["next_url"].is_null());
    }

    #[test]
    fn follow_shows_in_is_followed_until_unfollowed() {
        let api = AppApi::new();
        let followed = |api: &AppApi| {
            let work = get(api, "/v1/illust/detail", &[("illust_id", "12000")]).body;
            let user = get(api, "/v1/user/detail", &[("user_id", "13")]).body;
            (
                work["illust"]["user"]["is_followed"].clone(),
                user["user"]["is_followed"].clone(),
            )
        };
        assert_eq!(data::author_of(12_000), 13);
        assert_eq!(followed(&api), (false.into(), false.into()));
        let r = post(
            &api,
            "/v1/user/follow/add",
            &[("user_id", "13"), ("restrict", "public")],
        );
        assert_eq!(
            (r.status.as_u16(), r.body.clone()),
            (200, serde_json::json!({}))
        );
        assert_eq!(followed(&api), (true.into(), true.into()));
        let r = post(&api, "/v1/user/follow/delete", &[("user_id", "13")]);
        assert_eq!(
            (r.status.as_u16(), r.body.clone()),
            (200, serde_json::json!({}))
        );
        assert_eq!(followed(&api), (false.into(), false.into()));

        assert_eq!(
            post(
                &api,
                "/v1/user/follow/add",
                &[("user_id", "13"), ("restrict", "friends")]
            )
            .status,
            400
        );
        assert_eq!(post(&api, "/v1/user/follow/add", &[]).status, 400);
        assert_eq!(
            post(&api, "/v1/user/follow/add", &[("user_id", "9999999999")]).status,
            404
        );
        assert_eq!(followed(&api), (false.into(), false.into()));
    }
}

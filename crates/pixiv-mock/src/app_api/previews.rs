//! Lists of users and the following feed: `/v1/user/following`, `/v1/user/follower`,
//! `/v1/user/mypixiv`, `/v2/user/list`, `/v1/user/related`, `/v1/user/recommended`,
//! `/v1/search/user`, `/v2/illust/follow`.
//!
//! A user list is `{"user_previews": [..30], "next_url"}`; a preview is `{"user" (with
//! `is_followed` and `is_accept_request`), "illusts": [the user's 3 newest works], "novels": [their 3 newest novels],
//! "is_muted": false}`, the shape of PixivPy's `UserPreview` model. Pages of 30, `offset` in
//! `next_url`.

use serde_json::{Value, json};

use super::paging::{next_offset_url, page};
use super::state::Viewer;
use super::user::existing_user;
use super::{ApiRequest, AppApi, Handled, error, params};
use crate::{data, data_novel};

/// Works (and novels) a preview shows.
const PREVIEW_ILLUSTS: usize = 3;

/// The `restrict` values.
const RESTRICTS: [&str; 2] = ["public", "private"];

/// One user preview as `viewer` sees it.
fn preview(viewer: &Viewer<'_>, id: u64, base_url: &str) -> Value {
    let mut user = viewer.user(id, base_url);
    user["is_accept_request"] = false.into();
    let illusts: Vec<Value> = data::user_illust_ids(id, None)
        .into_iter()
        .take(PREVIEW_ILLUSTS)
        .map(|i| viewer.illust(i, base_url))
        .collect();
    let novels: Vec<Value> = data_novel::user_novel_ids(id)
        .into_iter()
        .take(PREVIEW_ILLUSTS)
        .map(|n| data_novel::novel(n, base_url))
        .collect();
    json!({ "user": user, "illusts": illusts, "novels": novels, "is_muted": false })
}

/// The page at the request's `offset` of the user list `all`.
fn previews(api: &AppApi, req: &ApiRequest<'_>, all: &[u64]) -> Handled {
    let offset = params::offset(req.query)?;
    let (ids, next) = page(all, offset);
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    let previews: Vec<Value> = ids
        .iter()
        .map(|&id| preview(&viewer, id, req.base_url))
        .collect();
    Ok(json!({ "user_previews": previews, "next_url": next_offset_url(req, next) }))
}

/// Who `user` follows with `restrict`: for the account itself, the users it followed in the
/// session first, then the generated ones.
fn followees(api: &AppApi, viewer_id: u64, user: u64, restrict: &str) -> Vec<u64> {
    let mut all: Vec<u64> = Vec::new();
    if user == viewer_id {
        if let Some(st) = api.state().user(user) {
            all.extend(st.follows(restrict == "private"));
            all.sort_unstable();
        }
    }
    for id in data::following_ids(user, restrict) {
        if !all.contains(&id) {
            all.push(id);
        }
    }
    all
}

/// `GET /v1/user/following?user_id=&restrict=public|private&offset=`.
pub(super) fn following(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let user = existing_user(req.query)?;
    let restrict = params::one_of(req.query, "restrict", &RESTRICTS, Some("public"))?;
    let all = followees(api, req.user_id, user, restrict);
    previews(api, req, &all)
}

/// `GET /v1/user/follower?user_id=&offset=`.
pub(super) fn follower(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let user = existing_user(req.query)?;
    previews(api, req, &data::follower_ids(user))
}

/// `GET /v1/user/mypixiv?user_id=&offset=`.
pub(super) fn mypixiv(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let user = existing_user(req.query)?;
    previews(api, req, &data::mypixiv_ids(user))
}

/// `GET /v2/user/list?user_id=&offset=`.
pub(super) fn list(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let user = existing_user(req.query)?;
    previews(api, req, &data::user_list_ids(user))
}

/// `GET /v1/user/related?seed_user_id=&offset=`.
pub(super) fn related(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let seed = params::id(req.query, "seed_user_id")?;
    if !data::user_exists(seed) {
        return Err(error::user_not_found());
    }
    previews(api, req, &data::related_user_ids(seed))
}

/// `GET /v1/user/recommended?offset=`: for the account.
pub(super) fn recommended(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    previews(api, req, &data::recommended_user_ids(req.user_id))
}

/// `GET /v1/search/user?word=&sort=&duration=&offset=`.
pub(super) fn search(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let word = params::get(req.query, "word")
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| error::bad_request("Invalid word"))?;
    params::one_of(
        req.query,
        "sort",
        &["date_desc", "date_asc", "popular_desc"],
        Some("date_desc"),
    )?;
    params::one_of(
        req.query,
        "duration",
        &["within_last_day", "within_last_week", "within_last_month"],
        Some("within_last_month"),
    )?;
    previews(api, req, &data::search_user_ids(word))
}

/// `GET /v2/illust/follow?restrict=public|private&offset=`: the newest works of the users the
/// account follows with that restrict (see [`data::follow_feed_ids`]), `{"illusts", "next_url"}`.
pub(super) fn illust_follow(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let restrict = params::one_of(
        req.query,
        "restrict",
        &["public", "private", "all"],
        Some("public"),
    )?;
    let mut users = Vec::new();
    for r in RESTRICTS {
        if restrict == "all" || restrict == r {
            users.extend(followees(api, req.user_id, req.user_id, r));
        }
    }
    let all = data::follow_feed_ids(&users);
    let offset = params::offset(req.query)?;
    let (ids, next) = page(&all, offset);
    let state = api.state();
    let viewer = Viewer::new(&state, req.user_id);
    let illusts: Vec<Value> = ids
        .iter()
        .map(|&id| viewer.illust(id, req.base_url))
        .collect();
    Ok(json!({ "illusts": illusts, "next_url": next_offset_url(req, next) }))
}

//! The App API endpoints of the mock: JSON shaped as Pixiv's, computed from [`crate::data`] plus
//! the bookmarks and follows the session made.
//!
//! The server core authenticates the Bearer token, applies faults, decodes query and form, and
//! calls [`AppApi::handle`] for every path under `/v1/`, `/v2/`, `/web/`.
//!
//! | call | answer |
//! |------|--------|
//! | `GET /v1/illust/detail?illust_id=` | `{"illust": {..}}` ([`crate::data::illust`]) |
//! | `GET /v2/illust/related?illust_id=&seed_illust_ids[0]=&viewed[0]=..&offset=` | `{"illusts", "next_url"}`, 3 pages; `next_url` carries indexed `seed_illust_ids[i]` and `viewed[i]` as Pixiv's |
//! | `GET /v1/ugoira/metadata?illust_id=` | `{"ugoira_metadata": {"zip_urls": {"medium"}, "frames": [{"file", "delay"}]}}` |
//! | `GET /v1/illust/series?illust_series_id=&offset=` | `{"illust_series_detail", "illust_series_first_illust", "illusts", "next_url"}` |
//! | `GET /v1/illust/ranking?mode=&date=YYYY-MM-DD&offset=` | `{"illusts", "next_url"}`, 5 pages |
//! | `GET /v1/illust/recommended[-nologin]?content_type=&include_ranking_illusts=&offset=` | `{"illusts", "ranking_illusts", "contest_exists", "privacy_policy", "next_url"}`, 3 pages |
//! | `GET /v1/illust/new?content_type=&max_illust_id=` | `{"illusts", "next_url"}`, 3 pages by `max_illust_id` |
//! | `GET /v2/illust/follow?restrict=&offset=` | `{"illusts", "next_url"}`: the followed users' works |
//! | `GET /v1/trending-tags/illust` | `{"trend_tags": [{"tag", "translated_name", "illust"}]}` |
//! | `GET /v1/search/illust?word=&search_target=&sort=&duration=&start_date=&end_date=&offset=` | `{"illusts", "next_url", "search_span_limit", "show_ai"}`, 3 pages |
//! | `GET /v1/search/user?word=&sort=&duration=&offset=` | `{"user_previews", "next_url"}` |
//! | `GET /v1/user/detail?user_id=` | `{"user", "profile", "profile_publicity", "workspace"}` ([`crate::data::user_detail`]) |
//! | `GET /v1/user/illusts?user_id=&type=illust\|manga&offset=` | `{"user", "illusts": [..30], "next_url"}`, 5 pages |
//! | `GET /v1/user/bookmarks/illust?user_id=&restrict=public\|private&max_bookmark_id=&tag=` | `{"illusts", "next_url"}`, added bookmarks then 3 generated pages |
//! | `GET /v1/user/bookmark-tags/illust?user_id=&restrict=&offset=` | `{"bookmark_tags": [{"name", "count"}], "next_url"}` |
//! | `GET /v2/illust/bookmark/detail?illust_id=` | `{"bookmark_detail": {"is_bookmarked", "tags": [{"name", "is_registered"}], "restrict"}}` |
//! | `GET /v1/user/{following,follower,mypixiv,related,recommended}`, `GET /v2/user/list` | `{"user_previews", "next_url"}` |
//! | `POST /v2/illust/bookmark/add` (form `illust_id`, `restrict`, `tags[]`) | `{}` |
//! | `POST /v1/illust/bookmark/delete` (form `illust_id`) | `{}` |
//! | `POST /v1/user/follow/add` (form `user_id`, `restrict`) | `{}` |
//! | `POST /v1/user/follow/delete` (form `user_id`) | `{}` |
//! | `POST /v1/user/ai-show-settings/edit` (form `show_ai`) | `{}` |
//! | novels (`/v2/novel/detail`, `/v1/user/novels`, `/v2/novel/series`, `/v1/search/novel`, `/v1/user/bookmarks/novel`, `/v2/novel/bookmark/detail`, `/v1/novel/{new,follow,recommended}`) | see `novel.rs` |
//! | comments v1, v3 and replies of works and novels | see `comment.rs` |
//! | `GET /webview/v2/novel?id=` | an HTML page embedding the novel (`novel_web.rs`, called by the server core before [`AppApi::handle`]) |
//!
//! `Accept-Language` sets tags' `translated_name` (see `language`). The calls in [`ANONYMOUS`]
//! (`/v1/illust/recommended-nologin`) are served without a token (PixivPy's `req_auth=False`),
//! as user 0; every other call needs the Bearer.
//!
//! Errors are Pixiv's body, `{"error": {"user_message", "message", "reason",
//! "user_message_details": {}}}`: 400 for a missing or invalid parameter (`message` names it, e.g.
//! `Invalid illust_id`; an offset above 5000 gets Pixiv's own message), 404 for a missing work or
//! user (Pixiv's Japanese `user_message`) and for an unknown path, 405 for a known path called with
//! the wrong method. The `filter=for_ios` every PixivPy call sends is accepted and ignored.

use std::sync::{Mutex, MutexGuard, PoisonError};

use http::{Method, StatusCode};
use serde_json::Value;

mod bookmark;
mod bookmark_tags;
mod comment;
mod discover;
mod error;
mod illust;
mod language;
mod novel;
pub(crate) mod novel_web;
mod paging;
mod params;
mod previews;
mod ranking;
mod search;
mod state;
mod user;

#[cfg(test)]
mod lists_tests;
#[cfg(test)]
mod testing;

/// One App API call, already authenticated and with its faults handled by the server core.
#[derive(Debug)]
pub(crate) struct ApiRequest<'a> {
    /// The method.
    pub(crate) method: &'a Method,
    /// The path, e.g. `/v1/illust/detail`.
    pub(crate) path: &'a str,
    /// The decoded query pairs in order; repeated keys (`seed_illust_ids[]`) repeat.
    pub(crate) query: &'a [(String, String)],
    /// The decoded `application/x-www-form-urlencoded` body pairs (empty when there is none).
    pub(crate) form: &'a [(String, String)],
    /// The user the bearer token belongs to.
    pub(crate) user_id: u64,
    /// The mock's origin, e.g. `https://127.0.0.1:40000`, for `next_url` and image URLs.
    pub(crate) base_url: &'a str,
    /// The request's `Accept-Language`, if any.
    pub(crate) accept_language: Option<&'a str>,
}

/// The answer to an App API call.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    /// The status.
    pub(crate) status: StatusCode,
    /// The JSON body.
    pub(crate) body: serde_json::Value,
}

/// What an endpoint returns: the 200 body, or an error answer.
type Handled = Result<Value, ApiResponse>;

/// An endpoint.
type Handler = fn(&AppApi, &ApiRequest<'_>) -> Handled;

/// The routes: path, method, endpoint.
const ROUTES: &[(&str, Method, Handler)] = &[
    ("/v1/illust/detail", Method::GET, illust::detail),
    ("/v1/user/detail", Method::GET, user::detail),
    ("/v1/user/illusts", Method::GET, user::illusts),
    ("/v1/user/bookmarks/illust", Method::GET, bookmark::list),
    ("/v1/illust/ranking", Method::GET, ranking::ranking),
    ("/v1/search/illust", Method::GET, search::illust),
    ("/v2/illust/related", Method::GET, illust::related),
    ("/v1/ugoira/metadata", Method::GET, illust::ugoira_metadata),
    ("/v2/illust/bookmark/add", Method::POST, bookmark::add),
    ("/v1/illust/bookmark/delete", Method::POST, bookmark::delete),
    ("/v1/user/follow/add", Method::POST, user::follow_add),
    ("/v1/user/follow/delete", Method::POST, user::follow_delete),
    ("/v1/illust/series", Method::GET, discover::series),
    ("/v1/illust/recommended", Method::GET, discover::recommended),
    (
        "/v1/illust/recommended-nologin",
        Method::GET,
        discover::recommended,
    ),
    ("/v1/illust/new", Method::GET, discover::new),
    (
        "/v1/trending-tags/illust",
        Method::GET,
        discover::trending_tags,
    ),
    ("/v2/illust/follow", Method::GET, previews::illust_follow),
    ("/v1/search/user", Method::GET, previews::search),
    ("/v1/user/following", Method::GET, previews::following),
    ("/v1/user/follower", Method::GET, previews::follower),
    ("/v1/user/mypixiv", Method::GET, previews::mypixiv),
    ("/v2/user/list", Method::GET, previews::list),
    ("/v1/user/related", Method::GET, previews::related),
    ("/v1/user/recommended", Method::GET, previews::recommended),
    (
        "/v2/illust/bookmark/detail",
        Method::GET,
        bookmark_tags::detail,
    ),
    (
        "/v1/user/bookmark-tags/illust",
        Method::GET,
        bookmark_tags::list,
    ),
    (
        "/v1/user/ai-show-settings/edit",
        Method::POST,
        user::edit_ai_show_settings,
    ),
];

/// The calls served without a token, as user 0 (PixivPy's `req_auth=False`): the logged-out
/// recommendations, which Pixiv has a path of its own for. Everything else is the invalid-grant
/// 400 a call without a valid Bearer gets.
pub(crate) const ANONYMOUS: &[&str] = &["/v1/illust/recommended-nologin"];

/// Whether `method path` is served without a token (see [`ANONYMOUS`]).
pub(crate) fn allows_anonymous(method: &Method, path: &str) -> bool {
    method == Method::GET && ANONYMOUS.contains(&path)
}

/// The App API's state (bookmarks, follows) and its router.
#[derive(Debug, Default)]
pub(crate) struct AppApi {
    /// Bookmarks and follows; locked only inside `handle`, which never awaits.
    state: Mutex<state::State>,
    /// `MockPixivBuilder::search_results`: a search finds this many works (benchmarks).
    search_results: Option<u64>,
}

impl AppApi {
    /// A new App API with no bookmarks or follows.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Searches find `n` works each, when `n` is given.
    pub(crate) fn search_results(mut self, n: Option<u64>) -> Self {
        self.search_results = n;
        self
    }

    /// Answers one call; unknown paths get Pixiv's 404 error body.
    pub(crate) fn handle(&self, req: &ApiRequest<'_>) -> ApiResponse {
        let Some((_, method, handler)) = ROUTES
            .iter()
            .chain(novel::ROUTES)
            .chain(comment::ROUTES)
            .find(|(path, _, _)| *path == req.path)
        else {
            return error::no_such_path();
        };
        if req.method != method {
            return error::method_not_allowed();
        }
        match handler(self, req) {
            Ok(mut body) => {
                language::localize(&mut body, req.accept_language);
                ApiResponse {
                    status: StatusCode::OK,
                    body,
                }
            }
            Err(answer) => answer,
        }
    }

    /// The state, whatever a panicking thread left behind (a test's panic must not take the
    /// mock down with it).
    fn state(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;

    #[test]
    fn unknown_paths_are_404_with_an_error_body() {
        let api = super::AppApi::new();
        let r = get(&api, "/v1/no/such/thing", &[]);
        assert_eq!(r.status, 404);
        assert_error_shape(&r.body);
        let r = get(&api, "/web/v1/anything", &[]);
        assert_eq!(r.status, 404);
    }

    #[test]
    fn wrong_methods_are_405_with_an_error_body() {
        let api = super::AppApi::new();
        let r = post(&api, "/v1/illust/detail", &[("illust_id", "12")]);
        assert_eq!(r.status, 405);
        assert_error_shape(&r.body);
        let r = get(&api, "/v2/illust/bookmark/add", &[("illust_id", "12")]);
        assert_eq!(r.status, 405);
        assert_error_shape(&r.body);
    }
}

//! Comments of works and novels: v1 (PixivPy's `illust_comments` / `novel_comments`), v3 (what the
//! apps and gallery-dl read) and the replies of a v3 comment.
//!
//! | call | answer |
//! |------|--------|
//! | `GET /v1/illust/comments?illust_id=&offset=&include_total_comments=` | `{"total_comments", "comments", "next_url", "comment_access_control"}`; replies listed after their parent with `parent_comment` |
//! | `GET /v3/illust/comments?illust_id=&offset=` | `{"comments", "next_url", "comment_access_control"}`; top-level only, `has_replies`, `stamp` |
//! | `GET /v2/illust/comment/replies?comment_id=&offset=` | `{"comments", "next_url"}` |
//!
//! and the same for novels (`/v1/novel/comments`, `/v3/novel/comments`,
//! `/v2/novel/comment/replies`, with `novel_id`). Data: [`crate::data_novel::comment_count`].

use http::Method;
use serde_json::{Value, json};

use super::paging::{next_offset_url, page};
use super::{ApiRequest, AppApi, Handled, Handler, error, params};
use crate::data_novel;

/// The comment routes, looked up after the App API's own.
pub(super) const ROUTES: &[(&str, Method, Handler)] = &[
    ("/v1/illust/comments", Method::GET, illust_v1),
    ("/v3/illust/comments", Method::GET, illust_v3),
    ("/v2/illust/comment/replies", Method::GET, replies),
    ("/v1/novel/comments", Method::GET, novel_v1),
    ("/v3/novel/comments", Method::GET, novel_v3),
    ("/v2/novel/comment/replies", Method::GET, replies),
];

fn work(req: &ApiRequest<'_>, key: &str) -> Result<u64, super::ApiResponse> {
    if key == "novel_id" {
        return super::novel::existing_novel(req.query, key);
    }
    let id = params::id(req.query, key)?;
    if crate::data::exists(id) {
        Ok(id)
    } else {
        Err(error::illust_not_found())
    }
}

fn v1(req: &ApiRequest<'_>, key: &str) -> Handled {
    let id = work(req, key)?;
    params::one_of(
        req.query,
        "include_total_comments",
        &["true", "false"],
        Some("false"),
    )?;
    let offset = params::offset(req.query)?;
    let mut all = Vec::new();
    for n in 1..=data_novel::comment_count(id) {
        all.push(data_novel::top_comment(id, n, req.base_url));
        all.extend(data_novel::replies(id, n, req.base_url));
    }
    // v1 has neither field; the replies are in the list itself.
    for c in &mut all {
        if let Some(o) = c.as_object_mut() {
            o.remove("has_replies");
            o.remove("stamp");
        }
    }
    let total = all.len();
    let (items, next) = page(&all, offset);
    Ok(json!({
        "total_comments": total,
        "comments": items,
        "next_url": next_offset_url(req, next),
        "comment_access_control": 0,
    }))
}

fn v3(req: &ApiRequest<'_>, key: &str) -> Handled {
    let id = work(req, key)?;
    let offset = params::offset(req.query)?;
    let all: Vec<Value> = (1..=data_novel::comment_count(id))
        .map(|n| {
            let mut c = data_novel::top_comment(id, n, req.base_url);
            if let Some(o) = c.as_object_mut() {
                o.remove("parent_comment");
            }
            c
        })
        .collect();
    let (items, next) = page(&all, offset);
    Ok(json!({
        "comments": items,
        "next_url": next_offset_url(req, next),
        "comment_access_control": 0,
    }))
}

/// `GET /v1/illust/comments?illust_id=`.
pub(super) fn illust_v1(_: &AppApi, req: &ApiRequest<'_>) -> Handled {
    v1(req, "illust_id")
}

/// `GET /v3/illust/comments?illust_id=`.
pub(super) fn illust_v3(_: &AppApi, req: &ApiRequest<'_>) -> Handled {
    v3(req, "illust_id")
}

/// `GET /v1/novel/comments?novel_id=`.
pub(super) fn novel_v1(_: &AppApi, req: &ApiRequest<'_>) -> Handled {
    v1(req, "novel_id")
}

/// `GET /v3/novel/comments?novel_id=`.
pub(super) fn novel_v3(_: &AppApi, req: &ApiRequest<'_>) -> Handled {
    v3(req, "novel_id")
}

/// `GET /v2/{illust,novel}/comment/replies?comment_id=&offset=` → `{"comments", "next_url"}`:
/// the replies of a top-level comment, oldest first (an unknown comment is a 404).
pub(super) fn replies(_: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let comment_id = params::id(req.query, "comment_id")?;
    let Some((id, n)) = data_novel::comment_of(comment_id) else {
        return Err(error::answer(
            http::StatusCode::NOT_FOUND,
            "",
            "Comment not found",
            "",
        ));
    };
    let offset = params::offset(req.query)?;
    let all: Vec<Value> = data_novel::replies(id, n, req.base_url)
        .into_iter()
        .map(|mut c| {
            if let Some(o) = c.as_object_mut() {
                o.remove("parent_comment");
            }
            c
        })
        .collect();
    let (items, next) = page(&all, offset);
    Ok(json!({ "comments": items, "next_url": next_offset_url(req, next) }))
}

#[cfg(test)]
mod tests {
    use super::super::AppApi;
    use super::super::testing::*;
    use crate::data_novel;

    #[test]
    fn v3_comments_page_and_replies_match_has_replies() {
        let api = AppApi::new();
        // Work 40: 40 % 45 + 5 = 45 top-level comments, two pages.
        let (pages, _) = follow_pages(&api, "/v3/illust/comments", &[("illust_id", "40")]);
        assert_eq!(pages.len(), 2);
        let comments: Vec<_> = pages
            .iter()
            .flat_map(|p| p["comments"].as_array().unwrap().clone())
            .collect();
        assert_eq!(comments.len(), 45);
        for (i, c) in comments.iter().enumerate() {
            let n = i as u64 + 1;
            let r = get(
                &api,
                "/v2/illust/comment/replies",
                &[("comment_id", &c["id"].to_string())],
            );
            assert_eq!(r.status, 200);
            let replies = r.body["comments"].as_array().unwrap().len() as u64;
            assert_eq!(replies, data_novel::reply_count(n));
            assert_eq!(c["has_replies"], replies > 0);
        }
        let r = get(&api, "/v1/novel/comments", &[("novel_id", "12")]);
        assert_eq!(r.status, 200);
        assert!(r.body["total_comments"].as_u64().unwrap() > 17);
        assert!(
            r.body["comments"][0]["parent_comment"]
                .as_object()
                .unwrap()
                .is_empty()
        );
        let r = get(
            &api,
            "/v2/novel/comment/replies",
            &[("comment_id", "12999")],
        );
        assert_eq!(r.status, 404);
    }
}

//! Bookmark detail and bookmark tags: `/v2/illust/bookmark/detail`,
//! `/v1/user/bookmark-tags/illust`.

use serde_json::{Value, json};

use super::illust::existing_illust;
use super::paging::{next_offset_url, page};
use super::state::Viewer;
use super::user::existing_user;
use super::{ApiRequest, AppApi, Handled, params};
use crate::data;

/// `GET /v2/illust/bookmark/detail?illust_id=` → `{"bookmark_detail": {"is_bookmarked",
/// "tags": [{"name", "is_registered"}], "restrict"}}`: the work's own tags, then the bookmark's
/// tags it does not have, `is_registered` on those the account's bookmark carries. A bookmark the
/// session added says its restrict and tags; a generated one its list's restrict and no tags.
pub(super) fn detail(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let id = existing_illust(req.query)?;
    let state = api.state();
    let added = state
        .user(req.user_id)
        .and_then(|st| st.added().iter().find(|a| a.illust_id == id).cloned());
    let is_bookmarked = Viewer::new(&state, req.user_id).is_bookmarked(id);
    let (restrict, registered) = match &added {
        Some(a) => (if a.private { "private" } else { "public" }, a.tags.clone()),
        None if is_bookmarked && data::bookmark_ids(req.user_id, "private").contains(&id) => {
            ("private", Vec::new())
        }
        None => ("public", Vec::new()),
    };
    let mut names: Vec<String> = data::tags(id)
        .into_iter()
        .map(|(n, _)| n.to_owned())
        .collect();
    for tag in &registered {
        if !names.contains(tag) {
            names.push(tag.clone());
        }
    }
    let tags: Vec<Value> = names
        .iter()
        .map(|n| json!({ "name": n, "is_registered": registered.contains(n) }))
        .collect();
    Ok(json!({
        "bookmark_detail": {
            "is_bookmarked": is_bookmarked,
            "tags": tags,
            "restrict": restrict,
        }
    }))
}

/// `GET /v1/user/bookmark-tags/illust?user_id=&restrict=public|private&offset=` →
/// `{"bookmark_tags": [{"name", "count"}], "next_url"}`: the tags of the bookmarks the account
/// added in the session (its own list only), then [`data::bookmark_tag_counts`], counts merged.
pub(super) fn list(api: &AppApi, req: &ApiRequest<'_>) -> Handled {
    let user = existing_user(req.query)?;
    let restrict = params::one_of(
        req.query,
        "restrict",
        &["public", "private"],
        Some("public"),
    )?;
    let offset = params::offset(req.query)?;
    let mut counts: Vec<(String, u64)> = Vec::new();
    let mut add = |name: &str, n: u64| match counts.iter_mut().find(|(t, _)| t == name) {
        Some((_, c)) => *c += n,
        None => counts.push((name.to_owned(), n)),
    };
    if let Some(st) = api.state().user(user).filter(|_| user == req.user_id) {
        for a in st
            .added()
            .iter()
            .filter(|a| a.private == (restrict == "private"))
        {
            for tag in &a.tags {
                add(tag, 1);
            }
        }
    }
    for (name, n) in data::bookmark_tag_counts(user, restrict) {
        add(name, n);
    }
    let (tags, next) = page(&counts, offset);
    let tags: Vec<Value> = tags
        .iter()
        .map(|(name, count)| json!({ "name": name, "count": count }))
        .collect();
    Ok(json!({ "bookmark_tags": tags, "next_url": next_offset_url(req, next) }))
}

//! Comments of works and novels: PixivPy's v1 lists, the v3 lists the apps (and gallery-dl) read,
//! and the replies of a v3 comment. Every one is a [`Page`] of [`Comment`]s.

use super::request::{Call, offset_setter, request};
use crate::models::Comment;
use crate::{Client, Page};

impl Client {
    /// `GET /v1/illust/comments?illust_id=`: a work's comments, replies listed with their
    /// `parent_comment` (PixivPy's `illust_comments`).
    pub fn illust_comments(&self, illust_id: u64) -> CommentsRequest<'_> {
        comments(self, "/v1/illust/comments", "illust_id", illust_id)
    }

    /// `GET /v3/illust/comments?illust_id=`: a work's top-level comments, with `has_replies`
    /// and `stamp` (what gallery-dl reads).
    pub fn illust_comments_v3(&self, illust_id: u64) -> CommentsRequest<'_> {
        comments(self, "/v3/illust/comments", "illust_id", illust_id)
    }

    /// `GET /v2/illust/comment/replies?comment_id=`: the replies to a work's comment.
    pub fn illust_comment_replies(&self, comment_id: u64) -> CommentsRequest<'_> {
        comments(self, "/v2/illust/comment/replies", "comment_id", comment_id)
    }

    /// `GET /v1/novel/comments?novel_id=`: a novel's comments (PixivPy's `novel_comments`).
    pub fn novel_comments(&self, novel_id: u64) -> CommentsRequest<'_> {
        comments(self, "/v1/novel/comments", "novel_id", novel_id)
    }

    /// `GET /v3/novel/comments?novel_id=`: a novel's top-level comments, with `has_replies`.
    pub fn novel_comments_v3(&self, novel_id: u64) -> CommentsRequest<'_> {
        comments(self, "/v3/novel/comments", "novel_id", novel_id)
    }

    /// `GET /v2/novel/comment/replies?comment_id=`: the replies to a novel's comment.
    pub fn novel_comment_replies(&self, comment_id: u64) -> CommentsRequest<'_> {
        comments(self, "/v2/novel/comment/replies", "comment_id", comment_id)
    }
}

fn comments<'a>(
    client: &'a Client,
    path: &'static str,
    key: &'static str,
    id: u64,
) -> CommentsRequest<'a> {
    CommentsRequest::new(Call::get(client, path).with(key, id))
}

request! {
    /// A comment list, built by [`Client::illust_comments`] and its siblings; await it for the
    /// first [`Page`].
    CommentsRequest -> Page<Comment>, |call| call.page("comments").await
}

impl CommentsRequest<'_> {
    offset_setter!();

    /// `include_total_comments` (v1 lists): ask for `total_comments` too. Default: not sent.
    pub fn include_total_comments(mut self, include: bool) -> Self {
        self.call.set("include_total_comments", include);
        self
    }
}

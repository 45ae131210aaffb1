//! Comments of works and novels: PixivPy's v1 lists, the v3 lists the apps (and gallery-dl) read,
//! and the replies of a v3 comment. Every one is a [`Page`](crate::Page) of [`Comment`]s.

use super::novel_params::page_request;
use crate::Client;
use crate::models::Comment;

impl Client {
    /// `GET /v1/illust/comments?illust_id=`: a work's comments, replies listed with their
    /// `parent_comment` (PixivPy's `illust_comments`).
    pub fn illust_comments(&self, illust_id: u64) -> CommentsRequest<'_> {
        CommentsRequest::new(self, "/v1/illust/comments", "illust_id", illust_id)
    }

    /// `GET /v3/illust/comments?illust_id=`: a work's top-level comments, with `has_replies`
    /// and `stamp` (what gallery-dl reads).
    pub fn illust_comments_v3(&self, illust_id: u64) -> CommentsRequest<'_> {
        CommentsRequest::new(self, "/v3/illust/comments", "illust_id", illust_id)
    }

    /// `GET /v2/illust/comment/replies?comment_id=`: the replies to a work's comment.
    pub fn illust_comment_replies(&self, comment_id: u64) -> CommentsRequest<'_> {
        CommentsRequest::new(self, "/v2/illust/comment/replies", "comment_id", comment_id)
    }

    /// `GET /v1/novel/comments?novel_id=`: a novel's comments (PixivPy's `novel_comments`).
    pub fn novel_comments(&self, novel_id: u64) -> CommentsRequest<'_> {
        CommentsRequest::new(self, "/v1/novel/comments", "novel_id", novel_id)
    }

    /// `GET /v3/novel/comments?novel_id=`: a novel's top-level comments, with `has_replies`.
    pub fn novel_comments_v3(&self, novel_id: u64) -> CommentsRequest<'_> {
        CommentsRequest::new(self, "/v3/novel/comments", "novel_id", novel_id)
    }

    /// `GET /v2/novel/comment/replies?comment_id=`: the replies to a novel's comment.
    pub fn novel_comment_replies(&self, comment_id: u64) -> CommentsRequest<'_> {
        CommentsRequest::new(self, "/v2/novel/comment/replies", "comment_id", comment_id)
    }
}

/// A comment list, built by [`Client::illust_comments`] and its siblings; await it for the first
/// [`Page`](crate::Page).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct CommentsRequest<'a> {
    client: &'a Client,
    path: &'static str,
    key: &'static str,
    id: u64,
    offset: Option<u32>,
    include_total_comments: Option<bool>,
}

impl<'a> CommentsRequest<'a> {
    fn new(client: &'a Client, path: &'static str, key: &'static str, id: u64) -> Self {
        Self {
            client,
            path,
            key,
            id,
            offset: None,
            include_total_comments: None,
        }
    }

    /// `offset`: start after this many comments.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    /// `include_total_comments` (v1 lists): ask for `total_comments` too. Default: not sent.
    pub fn include_total_comments(mut self, include: bool) -> Self {
        self.include_total_comments = Some(include);
        self
    }

    fn query(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let mut q = vec![(self.key, self.id.to_string())];
        if let Some(offset) = self.offset {
            q.push(("offset", offset.to_string()));
        }
        if let Some(include) = self.include_total_comments {
            q.push((
                "include_total_comments",
                if include { "true" } else { "false" }.to_owned(),
            ));
        }
        (self.path, q)
    }
}

page_request!(CommentsRequest, Comment, "comments");

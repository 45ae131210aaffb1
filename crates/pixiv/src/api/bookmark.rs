//! Bookmarks of works: detail, add, delete.

use super::Restrict;
use super::request::{Call, request};
use super::user::ActionRequest;
use crate::Client;
use crate::models::{BookmarkDetail, BookmarkDetailResponse};

impl Client {
    /// `GET /v2/illust/bookmark/detail?illust_id=`: whether and how the account bookmarked a
    /// work, with its bookmark tags.
    pub fn illust_bookmark_detail(&self, illust_id: u64) -> BookmarkDetailRequest<'_> {
        BookmarkDetailRequest::new(
            Call::get(self, "/v2/illust/bookmark/detail").with("illust_id", illust_id),
        )
    }

    /// `POST /v2/illust/bookmark/add` (form `illust_id`, `restrict=public`, one `tags[]` per
    /// tag set with [`tags`](BookmarkAddRequest::tags)).
    pub fn illust_bookmark_add(&self, illust_id: u64) -> BookmarkAddRequest<'_> {
        BookmarkAddRequest::new(
            Call::post(self, "/v2/illust/bookmark/add")
                .with("illust_id", illust_id)
                .with("restrict", Restrict::Public.as_str()),
        )
    }

    /// `POST /v1/illust/bookmark/delete` (form `illust_id`).
    pub fn illust_bookmark_delete(&self, illust_id: u64) -> ActionRequest<'_> {
        ActionRequest::new(
            Call::post(self, "/v1/illust/bookmark/delete").with("illust_id", illust_id),
        )
    }
}

request! {
    /// `/v2/illust/bookmark/detail`, built by [`Client::illust_bookmark_detail`]; await it for
    /// the [`BookmarkDetail`].
    BookmarkDetailRequest -> BookmarkDetail, |call| {
        let answer: BookmarkDetailResponse = call.json().await?;
        Ok(answer.bookmark_detail)
    }
}

request! {
    /// `/v2/illust/bookmark/add`, built by [`Client::illust_bookmark_add`]; await it for `()`.
    BookmarkAddRequest -> (), |call| call.action().await
}

impl BookmarkAddRequest<'_> {
    /// `restrict`: a public (the default) or private bookmark.
    pub fn restrict(mut self, restrict: Restrict) -> Self {
        self.call.set("restrict", restrict.as_str());
        self
    }

    /// The bookmark's tags, one `tags[]` each (replacing any set before).
    pub fn tags<S: AsRef<str>>(mut self, tags: &[S]) -> Self {
        self.call.unset("tags[]");
        for tag in tags {
            self.call.push("tags[]", tag.as_ref());
        }
        self
    }
}

//! Users: detail, works, bookmarks, follows.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use pixiv_errors::PixivError;

use super::{FILTER, Restrict, UserIllustType};
use crate::models::{Illust, UserDetail};
use crate::{Client, Page};

type PageFuture<'a> = Pin<Box<dyn Future<Output = Result<Page<Illust>, PixivError>> + Send + 'a>>;

impl Client {
    /// `GET /v1/user/detail?user_id=&filter=for_ios`: a user's profile.
    pub async fn user_detail(&self, user_id: u64) -> Result<UserDetail, PixivError> {
        self.api_get(
            "/v1/user/detail",
            &[
                ("user_id", user_id.to_string()),
                ("filter", FILTER.to_owned()),
            ],
        )
        .await
    }

    /// `GET /v1/user/illusts?user_id=&filter=for_ios&type=illust`: a user's works, newest
    /// first. Await it as it is, or set options first:
    /// `client.user_illusts(13).kind(UserIllustType::Manga).await?`.
    pub fn user_illusts(&self, user_id: u64) -> UserIllustsRequest<'_> {
        UserIllustsRequest {
            client: self,
            user_id,
            kind: Some(UserIllustType::Illust),
            offset: None,
        }
    }

    /// `GET /v1/user/bookmarks/illust?user_id=&restrict=public&filter=for_ios`: a user's
    /// bookmarked works, newest bookmark first.
    pub fn user_bookmarks(&self, user_id: u64) -> UserBookmarksRequest<'_> {
        UserBookmarksRequest {
            client: self,
            user_id,
            restrict: Restrict::Public,
            tag: None,
            max_bookmark_id: None,
        }
    }

    /// `POST /v1/user/follow/add` (form `user_id`, `restrict`).
    pub async fn follow_add(&self, user_id: u64, restrict: Restrict) -> Result<(), PixivError> {
        let _: serde::de::IgnoredAny = self
            .api_post_form(
                "/v1/user/follow/add",
                &[
                    ("user_id", user_id.to_string()),
                    ("restrict", restrict.as_str().to_owned()),
                ],
            )
            .await?;
        Ok(())
    }

    /// `POST /v1/user/follow/delete` (form `user_id`).
    pub async fn follow_delete(&self, user_id: u64) -> Result<(), PixivError> {
        let _: serde::de::IgnoredAny = self
            .api_post_form(
                "/v1/user/follow/delete",
                &[("user_id", user_id.to_string())],
            )
            .await?;
        Ok(())
    }
}

/// `/v1/user/illusts`, built by [`Client::user_illusts`]; await it for the first [`Page`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct UserIllustsRequest<'a> {
    client: &'a Client,
    user_id: u64,
    kind: Option<UserIllustType>,
    offset: Option<u32>,
}

impl UserIllustsRequest<'_> {
    /// `type`: illustrations (the default, as PixivPy's) or manga.
    pub fn kind(mut self, kind: UserIllustType) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Lists every type (no `type` sent).
    pub fn any_kind(mut self) -> Self {
        self.kind = None;
        self
    }

    /// `offset`: start after this many works. Default: none (the start).
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }
}

impl<'a> IntoFuture for UserIllustsRequest<'a> {
    type Output = Result<Page<Illust>, PixivError>;
    type IntoFuture = PageFuture<'a>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut query = vec![
                ("user_id", self.user_id.to_string()),
                ("filter", FILTER.to_owned()),
            ];
            if let Some(kind) = self.kind {
                query.push(("type", kind.as_str().to_owned()));
            }
            if let Some(offset) = self.offset {
                query.push(("offset", offset.to_string()));
            }
            let answer = self.client.api_get("/v1/user/illusts", &query).await?;
            Page::from_answer(self.client, "illusts", answer)
        })
    }
}

/// `/v1/user/bookmarks/illust`, built by [`Client::user_bookmarks`]; await it for the first
/// [`Page`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct UserBookmarksRequest<'a> {
    client: &'a Client,
    user_id: u64,
    restrict: Restrict,
    tag: Option<String>,
    max_bookmark_id: Option<u64>,
}

impl UserBookmarksRequest<'_> {
    /// `restrict`: public (the default) or private bookmarks (the account's own only).
    pub fn restrict(mut self, restrict: Restrict) -> Self {
        self.restrict = restrict;
        self
    }

    /// `tag`: only bookmarks carrying this bookmark tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// `max_bookmark_id`: start at this bookmark (what `next_url` carries).
    pub fn max_bookmark_id(mut self, id: u64) -> Self {
        self.max_bookmark_id = Some(id);
        self
    }
}

impl<'a> IntoFuture for UserBookmarksRequest<'a> {
    type Output = Result<Page<Illust>, PixivError>;
    type IntoFuture = PageFuture<'a>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut query = vec![
                ("user_id", self.user_id.to_string()),
                ("restrict", self.restrict.as_str().to_owned()),
                ("filter", FILTER.to_owned()),
            ];
            if let Some(max) = self.max_bookmark_id {
                query.push(("max_bookmark_id", max.to_string()));
            }
            if let Some(tag) = self.tag {
                query.push(("tag", tag));
            }
            let answer = self
                .client
                .api_get("/v1/user/bookmarks/illust", &query)
                .await?;
            Page::from_answer(self.client, "illusts", answer)
        })
    }
}

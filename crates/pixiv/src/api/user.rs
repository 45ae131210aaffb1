//! Users: detail, works, bookmarks, bookmark tags, related and recommended users, AI setting.

use super::request::{Call, offset_setter, request, restrict_setter};
use super::{FILTER, Restrict, UserIllustType};
use crate::models::{BookmarkTag, Illust, UserDetail, UserPreview};
use crate::{Client, Page};

impl Client {
    /// `GET /v1/user/detail?user_id=&filter=for_ios`: a user's profile.
    pub fn user_detail(&self, user_id: u64) -> UserDetailRequest<'_> {
        UserDetailRequest::new(
            Call::get(self, "/v1/user/detail")
                .with("user_id", user_id)
                .with("filter", FILTER),
        )
    }

    /// `GET /v1/user/illusts?user_id=&filter=for_ios&type=illust`: a user's works, newest
    /// first. Await it as it is, or set options first:
    /// `client.user_illusts(13).kind(UserIllustType::Manga).await?`.
    pub fn user_illusts(&self, user_id: u64) -> UserIllustsRequest<'_> {
        UserIllustsRequest::new(
            Call::get(self, "/v1/user/illusts")
                .with("user_id", user_id)
                .with("filter", FILTER)
                .with("type", UserIllustType::Illust.as_str()),
        )
    }

    /// `GET /v1/user/bookmarks/illust?user_id=&restrict=public&filter=for_ios`: a user's
    /// bookmarked works, newest bookmark first. PixivPy's `user_bookmarks_illust`.
    pub fn user_bookmarks_illust(&self, user_id: u64) -> UserBookmarksRequest<'_> {
        UserBookmarksRequest::new(
            Call::get(self, "/v1/user/bookmarks/illust")
                .with("user_id", user_id)
                .with("restrict", Restrict::Public.as_str())
                .with("filter", FILTER),
        )
    }

    /// `GET /v1/user/bookmark-tags/illust?user_id=&restrict=public`: a user's bookmark tags
    /// with their counts.
    pub fn user_bookmark_tags_illust(&self, user_id: u64) -> UserBookmarkTagsRequest<'_> {
        UserBookmarkTagsRequest::new(
            Call::get(self, "/v1/user/bookmark-tags/illust")
                .with("user_id", user_id)
                .with("restrict", Restrict::Public.as_str()),
        )
    }

    /// `GET /v1/user/related?filter=for_ios&offset=0&seed_user_id=`: users like this one.
    pub fn user_related(&self, seed_user_id: u64) -> UserPreviewsRequest<'_> {
        UserPreviewsRequest::new(
            Call::get(self, "/v1/user/related")
                .with("filter", FILTER)
                .with("offset", 0)
                .with("seed_user_id", seed_user_id),
        )
    }

    /// `GET /v1/user/recommended?filter=for_ios`: users Pixiv recommends to the account.
    pub fn user_recommended(&self) -> UserPreviewsRequest<'_> {
        UserPreviewsRequest::new(Call::get(self, "/v1/user/recommended").with("filter", FILTER))
    }

    /// `POST /v1/user/ai-show-settings/edit` (form `show_ai=true|false`): whether searches and
    /// lists show AI-generated works to the account.
    pub fn user_edit_ai_show_settings(&self, show_ai: bool) -> ActionRequest<'_> {
        ActionRequest::new(
            Call::post(self, "/v1/user/ai-show-settings/edit").with("show_ai", show_ai),
        )
    }
}

request! {
    /// `/v1/user/detail`, built by [`Client::user_detail`]; await it for the [`UserDetail`].
    UserDetailRequest -> UserDetail, |call| call.json().await
}

request! {
    /// `/v1/user/illusts`, built by [`Client::user_illusts`]; await it for the first [`Page`].
    UserIllustsRequest -> Page<Illust>, |call| call.page("illusts").await
}

impl UserIllustsRequest<'_> {
    /// `type`: illustrations (the default, as PixivPy's) or manga.
    pub fn kind(mut self, kind: UserIllustType) -> Self {
        self.call.set("type", kind.as_str());
        self
    }

    /// Lists every type (no `type` sent).
    pub fn any_kind(mut self) -> Self {
        self.call.unset("type");
        self
    }

    offset_setter!();
}

request! {
    /// `/v1/user/bookmarks/illust`, built by [`Client::user_bookmarks_illust`]; await it for the
    /// first [`Page`].
    UserBookmarksRequest -> Page<Illust>, |call| call.page("illusts").await
}

impl UserBookmarksRequest<'_> {
    restrict_setter!();

    /// `tag`: only bookmarks carrying this bookmark tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.call.set("tag", tag.into());
        self
    }

    /// `max_bookmark_id`: start at this bookmark (what `next_url` carries).
    pub fn max_bookmark_id(mut self, id: u64) -> Self {
        self.call.set("max_bookmark_id", id);
        self
    }
}

request! {
    /// `/v1/user/bookmark-tags/illust`, built by [`Client::user_bookmark_tags_illust`]; await it
    /// for the first [`Page`] of [`BookmarkTag`]s.
    UserBookmarkTagsRequest -> Page<BookmarkTag>, |call| call.page("bookmark_tags").await
}

impl UserBookmarkTagsRequest<'_> {
    restrict_setter!();
    offset_setter!();
}

request! {
    /// A list of [`UserPreview`]s (related, recommended, following, followers, my pixiv, user
    /// list); await it for the first [`Page`].
    UserPreviewsRequest -> Page<UserPreview>, |call| call.page("user_previews").await
}

impl UserPreviewsRequest<'_> {
    offset_setter!();
}

request! {
    /// An action (bookmark, follow, setting); await it for `()`.
    ActionRequest -> (), |call| call.action().await
}

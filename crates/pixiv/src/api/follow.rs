//! Follows: the following feed, followed users, followers, my pixiv, the user list, follow and
//! unfollow.

use super::request::{Call, offset_setter, request};
use super::user::{ActionRequest, UserPreviewsRequest};
use super::{FILTER, Restrict};
use crate::models::{Illust, UserPreview};
use crate::{Client, Page};

impl Client {
    /// `GET /v2/illust/follow?restrict=public`: the newest works of the users the account
    /// follows.
    pub fn illust_follow(&self) -> IllustFollowRequest<'_> {
        IllustFollowRequest::new(
            Call::get(self, "/v2/illust/follow").with("restrict", Restrict::Public.as_str()),
        )
    }

    /// `GET /v1/user/following?user_id=&restrict=public`: the users `user_id` follows.
    pub fn user_following(&self, user_id: u64) -> UserFollowingRequest<'_> {
        UserFollowingRequest::new(
            Call::get(self, "/v1/user/following")
                .with("user_id", user_id)
                .with("restrict", Restrict::Public.as_str()),
        )
    }

    /// `GET /v1/user/follower?user_id=&filter=for_ios`: the users who follow `user_id`.
    pub fn user_follower(&self, user_id: u64) -> UserPreviewsRequest<'_> {
        UserPreviewsRequest::new(
            Call::get(self, "/v1/user/follower")
                .with("user_id", user_id)
                .with("filter", FILTER),
        )
    }

    /// `GET /v1/user/mypixiv?user_id=`: `user_id`'s my pixiv friends.
    pub fn user_mypixiv(&self, user_id: u64) -> UserPreviewsRequest<'_> {
        UserPreviewsRequest::new(Call::get(self, "/v1/user/mypixiv").with("user_id", user_id))
    }

    /// `GET /v2/user/list?user_id=&filter=for_ios`: `user_id`'s user list.
    pub fn user_list(&self, user_id: u64) -> UserPreviewsRequest<'_> {
        UserPreviewsRequest::new(
            Call::get(self, "/v2/user/list")
                .with("user_id", user_id)
                .with("filter", FILTER),
        )
    }

    /// `POST /v1/user/follow/add` (form `user_id`, `restrict=public`; set
    /// [`restrict`](FollowAddRequest::restrict) for a private follow).
    pub fn user_follow_add(&self, user_id: u64) -> FollowAddRequest<'_> {
        FollowAddRequest::new(
            Call::post(self, "/v1/user/follow/add")
                .with("user_id", user_id)
                .with("restrict", Restrict::Public.as_str()),
        )
    }

    /// `POST /v1/user/follow/delete` (form `user_id`).
    pub fn user_follow_delete(&self, user_id: u64) -> ActionRequest<'_> {
        ActionRequest::new(Call::post(self, "/v1/user/follow/delete").with("user_id", user_id))
    }
}

request! {
    /// `/v2/illust/follow`, built by [`Client::illust_follow`]; await it for the first [`Page`].
    IllustFollowRequest -> Page<Illust>, |call| call.page("illusts").await
}

impl IllustFollowRequest<'_> {
    /// `restrict`: works of public (the default) or private follows.
    pub fn restrict(mut self, restrict: Restrict) -> Self {
        self.call.set("restrict", restrict.as_str());
        self
    }

    offset_setter!();
}

request! {
    /// `/v1/user/following`, built by [`Client::user_following`]; await it for the first
    /// [`Page`].
    UserFollowingRequest -> Page<UserPreview>, |call| call.page("user_previews").await
}

impl UserFollowingRequest<'_> {
    /// `restrict`: public (the default) or private follows (the account's own only).
    pub fn restrict(mut self, restrict: Restrict) -> Self {
        self.call.set("restrict", restrict.as_str());
        self
    }

    offset_setter!();
}

request! {
    /// `/v1/user/follow/add`, built by [`Client::user_follow_add`]; await it for `()`.
    FollowAddRequest -> (), |call| call.action().await
}

impl FollowAddRequest<'_> {
    /// `restrict`: a public (the default) or private follow.
    pub fn restrict(mut self, restrict: Restrict) -> Self {
        self.call.set("restrict", restrict.as_str());
        self
    }
}

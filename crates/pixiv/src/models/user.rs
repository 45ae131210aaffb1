//! Users: [`User`] as works and lists embed it, [`UserDetail`], and the logged-in [`AuthUser`].

use serde::{Deserialize, Serialize};

use super::Extra;
use super::de::{id, null_default};

/// A user as Pixiv embeds one in works and lists (and as `user` of `/v1/user/detail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user id (Pixiv sends a number here, a string in the OAuth answer; both parse).
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// The display name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// The account (the `@name`).
    #[serde(default, deserialize_with = "null_default")]
    pub account: String,
    /// Profile pictures.
    #[serde(default, deserialize_with = "null_default")]
    pub profile_image_urls: ProfileImageUrls,
    /// Whether the logged-in account follows this user (absent in some answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_followed: Option<bool>,
    /// The profile comment (`/v1/user/detail` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Profile pictures: `medium` in the App API; `px_16x16`, `px_50x50`, `px_170x170` in the OAuth
/// answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProfileImageUrls {
    /// 170 px (the App API's only size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// 16 px (OAuth answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub px_16x16: Option<String>,
    /// 50 px (OAuth answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub px_50x50: Option<String>,
    /// 170 px (OAuth answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub px_170x170: Option<String>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of `/v1/user/detail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserDetail {
    /// The user (with `comment`).
    pub user: User,
    /// Their profile.
    #[serde(default, deserialize_with = "null_default")]
    pub profile: Profile,
    /// What they show publicly (`gender`, `region`, `birth_day`, `birth_year`, `job`: `"public"` or
    /// `"private"`; `pawoo`: bool), as sent.
    #[serde(default, deserialize_with = "null_default")]
    pub profile_publicity: Extra,
    /// Their workspace (`pc`, `monitor`, `tool`, ..., `workspace_image_url`), as sent.
    #[serde(default, deserialize_with = "null_default")]
    pub workspace: Extra,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `profile` of `/v1/user/detail`. Pixiv sends `""` for what a user left empty and `null` for
/// missing links.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Profile {
    /// Their web page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webpage: Option<String>,
    /// Gender as they wrote it.
    #[serde(default, deserialize_with = "null_default")]
    pub gender: String,
    /// Birth date as they wrote it.
    #[serde(default, deserialize_with = "null_default")]
    pub birth: String,
    /// Region.
    #[serde(default, deserialize_with = "null_default")]
    pub region: String,
    /// Job.
    #[serde(default, deserialize_with = "null_default")]
    pub job: String,
    /// Users they follow.
    #[serde(default, deserialize_with = "null_default")]
    pub total_follow_users: u64,
    /// Their my pixiv friends.
    #[serde(default, deserialize_with = "null_default")]
    pub total_mypixiv_users: u64,
    /// Illustrations posted.
    #[serde(default, deserialize_with = "null_default")]
    pub total_illusts: u64,
    /// Manga posted.
    #[serde(default, deserialize_with = "null_default")]
    pub total_manga: u64,
    /// Novels posted.
    #[serde(default, deserialize_with = "null_default")]
    pub total_novels: u64,
    /// Public illustration bookmarks.
    #[serde(default, deserialize_with = "null_default")]
    pub total_illust_bookmarks_public: u64,
    /// Profile background image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_image_url: Option<String>,
    /// Twitter account name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twitter_account: Option<String>,
    /// Twitter URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twitter_url: Option<String>,
    /// Whether they have Pixiv Premium.
    #[serde(default, deserialize_with = "null_default")]
    pub is_premium: bool,
    /// Every field not named above (`birth_day`, `birth_year`, `address_id`, `job_id`, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The logged-in account, from the OAuth answer's `user`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthUser {
    /// The user id (a string on the wire).
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// The display name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// The account (the `@name`).
    #[serde(default, deserialize_with = "null_default")]
    pub account: String,
    /// Profile pictures (`px_16x16`, `px_50x50`, `px_170x170`).
    #[serde(default, deserialize_with = "null_default")]
    pub profile_image_urls: ProfileImageUrls,
    /// Whether the account has Pixiv Premium.
    #[serde(default, deserialize_with = "null_default")]
    pub is_premium: bool,
    /// The account's age setting: 0 all ages, 1 R-18 allowed, 2 R-18G allowed.
    #[serde(default, deserialize_with = "null_default")]
    pub x_restrict: u32,
    /// Every field not named above (`mail_address`, `is_mail_authorized`, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

//! The items and answers of the user, bookmark, trending-tag and series calls.

use serde::{Deserialize, Serialize};

use super::de::{empty_object_none, null_default};
use super::{Extra, Illust, Novel, ProfileImageUrls, User};

/// A user with a few of their works, as `user_previews` of follows, followers, my pixiv,
/// recommended and related users, and user search send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserPreview {
    /// The user.
    pub user: User,
    /// Their latest works (up to 3).
    #[serde(default, deserialize_with = "null_default")]
    pub illusts: Vec<Illust>,
    /// Their latest novels (up to 3).
    #[serde(default, deserialize_with = "null_default")]
    pub novels: Vec<Novel>,
    /// Whether the account muted them.
    #[serde(default, deserialize_with = "null_default")]
    pub is_muted: bool,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `bookmark_detail` of `/v2/illust/bookmark/detail` and `/v2/novel/bookmark/detail`: whether
/// and how the account bookmarked a work or a novel, and every bookmark tag of the account with
/// whether this one carries it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BookmarkDetail {
    /// Whether the work is bookmarked.
    #[serde(default, deserialize_with = "null_default")]
    pub is_bookmarked: bool,
    /// The account's bookmark tags; `is_registered` on those this bookmark carries.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<BookmarkDetailTag>,
    /// `public` or `private`.
    #[serde(default, deserialize_with = "null_default")]
    pub restrict: String,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

impl BookmarkDetail {
    /// The tags the bookmark carries (`is_registered`), as gallery-dl reads them.
    pub fn registered_tags(&self) -> Vec<&str> {
        self.tags
            .iter()
            .filter(|t| t.is_registered)
            .map(|t| t.name.as_str())
            .collect()
    }
}

/// One tag of a [`BookmarkDetail`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BookmarkDetailTag {
    /// The tag.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Whether this bookmark carries it.
    #[serde(default, deserialize_with = "null_default")]
    pub is_registered: bool,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One of a user's bookmark tags with how many bookmarks carry it (`bookmark_tags` of
/// `/v1/user/bookmark-tags/illust`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BookmarkTag {
    /// The tag.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Bookmarks carrying it.
    #[serde(default, deserialize_with = "null_default")]
    pub count: u64,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One of `trend_tags` of `/v1/trending-tags/illust`: a tag and a work that shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrendingTag {
    /// The tag.
    #[serde(default, deserialize_with = "null_default")]
    pub tag: String,
    /// Its translation in the `Accept-Language`, when Pixiv has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_name: Option<String>,
    /// A work carrying it.
    pub illust: Illust,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of `/v1/trending-tags/illust`: `{"trend_tags": [..]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrendingTags {
    /// The tags, most trending first.
    #[serde(default, deserialize_with = "null_default")]
    pub trend_tags: Vec<TrendingTag>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `illust_series_detail` of `/v1/illust/series`: a manga series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IllustSeriesDetail {
    /// The series id.
    pub id: u64,
    /// The title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// The caption.
    #[serde(default, deserialize_with = "null_default")]
    pub caption: String,
    /// The cover (`medium`).
    #[serde(default, deserialize_with = "null_default")]
    pub cover_image_urls: ProfileImageUrls,
    /// How many works the series has.
    #[serde(default, deserialize_with = "null_default")]
    pub series_work_count: u32,
    /// When it started, as Pixiv writes it.
    #[serde(default, deserialize_with = "null_default")]
    pub create_date: String,
    /// The author.
    pub user: User,
    /// Whether the account watches the series.
    #[serde(default, deserialize_with = "null_default")]
    pub watchlist_added: bool,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The first page of `/v1/illust/series`: the series, its first work and a page of its works.
///
/// Serialized as Pixiv sends it: `{"illust_series_detail", "illust_series_first_illust"
/// (`{}` when there is none), "illusts", "next_url"}`.
#[derive(Debug)]
#[non_exhaustive]
pub struct IllustSeries {
    /// The series.
    pub detail: IllustSeriesDetail,
    /// Its first work (`None` when Pixiv sends `{}`).
    pub first_illust: Option<Illust>,
    /// Its works, newest first; `into_stream()` follows `next_url`.
    pub illusts: crate::Page<Illust>,
}

impl Serialize for IllustSeries {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("illust_series_detail", &self.detail)?;
        match &self.first_illust {
            Some(illust) => map.serialize_entry("illust_series_first_illust", illust)?,
            None => map.serialize_entry("illust_series_first_illust", &Extra::new())?,
        }
        map.serialize_entry("illusts", &self.illusts.items)?;
        map.serialize_entry("next_url", &self.illusts.next_url)?;
        map.end()
    }
}

/// The envelope of `/v1/illust/series` minus the list.
#[derive(Deserialize)]
pub(crate) struct IllustSeriesHead {
    pub(crate) illust_series_detail: IllustSeriesDetail,
    #[serde(default, deserialize_with = "empty_object_none")]
    pub(crate) illust_series_first_illust: Option<Illust>,
}

//! Novels: [`Novel`] as the App API lists it, its series, and the bookmark detail of a novel.
//!
//! Field names are Pixiv's (PixivPy's `NovelInfo` names the same ones).

use serde::{Deserialize, Serialize};

use super::de::{empty_object_none, null_default};
use super::{Extra, ImageUrls, Series, User};

/// A novel, as `/v2/novel/detail` and every novel list send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Novel {
    /// The novel's id.
    pub id: u64,
    /// The title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// The caption, HTML, often empty.
    #[serde(default, deserialize_with = "null_default")]
    pub caption: String,
    /// 0 public, 1 my pixiv, 2 private.
    #[serde(default, deserialize_with = "null_default")]
    pub restrict: u32,
    /// 0 all ages, 1 R-18, 2 R-18G.
    #[serde(default, deserialize_with = "null_default")]
    pub x_restrict: u32,
    /// Whether the author marked it original.
    #[serde(default, deserialize_with = "null_default")]
    pub is_original: bool,
    /// The cover, resized.
    #[serde(default, deserialize_with = "null_default")]
    pub image_urls: ImageUrls,
    /// When it was posted, as Pixiv writes it (`2024-01-01T00:00:00+09:00`).
    #[serde(default, deserialize_with = "null_default")]
    pub create_date: String,
    /// The tags, in Pixiv's order.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<NovelTag>,
    /// Pages of the text (`[newpage]` splits them).
    #[serde(default, deserialize_with = "null_default")]
    pub page_count: u32,
    /// Characters of the text.
    #[serde(default, deserialize_with = "null_default")]
    pub text_length: u64,
    /// The author.
    pub user: User,
    /// The series it belongs to; `None` for `{}` or `null`.
    #[serde(
        default,
        deserialize_with = "empty_object_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub series: Option<Series>,
    /// Whether the logged-in account bookmarked it.
    #[serde(default, deserialize_with = "null_default")]
    pub is_bookmarked: bool,
    /// Bookmarks.
    #[serde(default, deserialize_with = "null_default")]
    pub total_bookmarks: u64,
    /// Views.
    #[serde(default, deserialize_with = "null_default")]
    pub total_view: u64,
    /// Whether the account may read it.
    #[serde(default = "yes", deserialize_with = "visible")]
    pub visible: bool,
    /// Comments.
    #[serde(default, deserialize_with = "null_default")]
    pub total_comments: u64,
    /// Whether the account muted it.
    #[serde(default, deserialize_with = "null_default")]
    pub is_muted: bool,
    /// Whether only my pixiv friends may read it.
    #[serde(default, deserialize_with = "null_default")]
    pub is_mypixiv_only: bool,
    /// Whether it is hidden from the account for its age rating.
    #[serde(default, deserialize_with = "null_default")]
    pub is_x_restricted: bool,
    /// 0 unknown, 1 not AI-generated, 2 AI-generated.
    #[serde(default, deserialize_with = "null_default")]
    pub novel_ai_type: u32,
    /// Every field not named above (`comment_access_control`, `request`, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

fn yes() -> bool {
    true
}

fn visible<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(true))
}

/// A novel's tag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NovelTag {
    /// The tag.
    pub name: String,
    /// Pixiv's translation into the `Accept-Language`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_name: Option<String>,
    /// Whether the author added it (rather than a reader).
    #[serde(default, deserialize_with = "null_default")]
    pub added_by_uploaded_user: bool,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `novel_series_detail` of `/v2/novel/series`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NovelSeriesDetail {
    /// The series id.
    pub id: u64,
    /// Its title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// Its caption, HTML.
    #[serde(default, deserialize_with = "null_default")]
    pub caption: String,
    /// Whether it is original.
    #[serde(default, deserialize_with = "null_default")]
    pub is_original: bool,
    /// Whether the author marked it finished.
    #[serde(default, deserialize_with = "null_default")]
    pub is_concluded: bool,
    /// How many novels it has.
    #[serde(default, deserialize_with = "null_default")]
    pub content_count: u64,
    /// Characters over every novel.
    #[serde(default, deserialize_with = "null_default")]
    pub total_character_count: u64,
    /// The author.
    pub user: User,
    /// Pixiv's summary (`"75話"`).
    #[serde(default, deserialize_with = "null_default")]
    pub display_text: String,
    /// 0 unknown, 1 not AI-generated, 2 AI-generated.
    #[serde(default, deserialize_with = "null_default")]
    pub novel_ai_type: u32,
    /// Whether the account watches it.
    #[serde(default, deserialize_with = "null_default")]
    pub watchlist_added: bool,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `bookmark_detail` of `/v2/novel/bookmark/detail`: the same object, field for field, as
/// `/v2/illust/bookmark/detail` sends (gallery-dl's pixiv extractor reads both the same way), so
/// the same type.
pub type NovelBookmarkDetail = super::BookmarkDetail;

/// One tag of a bookmark detail: [`BookmarkDetailTag`](super::BookmarkDetailTag), the name
/// novel bookmarks used before the two details became one type.
pub type BookmarkTagChoice = super::BookmarkDetailTag;

/// `/ajax/showcase/article`'s article (a pixivision feature), from the web host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShowcaseArticle {
    /// The article id (a string on the wire).
    #[serde(deserialize_with = "super::de::id")]
    pub id: u64,
    /// The language (`ja`).
    #[serde(default, deserialize_with = "null_default")]
    pub lang: String,
    /// The title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// The article's entry (`header`, `footer`, `tags`, `article_url`, ...), as sent.
    #[serde(default, deserialize_with = "null_default")]
    pub entry: Extra,
    /// The works it shows, as sent.
    #[serde(default, deserialize_with = "null_default")]
    pub illusts: Vec<serde_json::Value>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

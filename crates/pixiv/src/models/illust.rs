//! Works: [`Illust`] and its parts.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::de::{empty_object_none, null_default};
use super::{Extra, User};

/// A work (illustration, manga or ugoira), as `/v1/illust/detail` and every list send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Illust {
    /// The work's id.
    pub id: u64,
    /// The title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// `illust`, `manga`, `ugoira` (or a kind this version does not know).
    #[serde(rename = "type", default)]
    pub kind: IllustType,
    /// The first page's resized images (placeholders when the account may not see the work).
    #[serde(default, deserialize_with = "null_default")]
    pub image_urls: ImageUrls,
    /// The caption, HTML (`<br />`, links), often empty.
    #[serde(default, deserialize_with = "null_default")]
    pub caption: String,
    /// 0 public, 1 my pixiv, 2 private.
    #[serde(default, deserialize_with = "null_default")]
    pub restrict: u32,
    /// The author.
    pub user: User,
    /// The tags, in Pixiv's order.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<Tag>,
    /// The tools the author named.
    #[serde(default, deserialize_with = "null_default")]
    pub tools: Vec<String>,
    /// When it was posted, as Pixiv writes it (`2024-01-01T00:00:00+09:00`); see
    /// [`created_at`](Self::created_at).
    #[serde(default, deserialize_with = "null_default")]
    pub create_date: String,
    /// How many pages (1 for single images and ugoira).
    #[serde(default, deserialize_with = "null_default")]
    pub page_count: u32,
    /// Width of the first page, in pixels.
    #[serde(default, deserialize_with = "null_default")]
    pub width: u32,
    /// Height of the first page, in pixels.
    #[serde(default, deserialize_with = "null_default")]
    pub height: u32,
    /// Pixiv's sanity level (2, 4, 6...).
    #[serde(default, deserialize_with = "null_default")]
    pub sanity_level: u32,
    /// 0 all ages, 1 R-18, 2 R-18G.
    #[serde(default, deserialize_with = "null_default")]
    pub x_restrict: u32,
    /// The series it belongs to; `None` for `null` or `{}`.
    #[serde(
        default,
        deserialize_with = "empty_object_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub series: Option<Series>,
    /// The original of a one-page work (`{}` for multi-page or hidden works).
    #[serde(default, deserialize_with = "null_default")]
    pub meta_single_page: MetaSinglePage,
    /// Every page of a multi-page work (empty for one page).
    #[serde(default, deserialize_with = "null_default")]
    pub meta_pages: Vec<MetaPage>,
    /// Views.
    #[serde(default, deserialize_with = "null_default")]
    pub total_view: u64,
    /// Bookmarks.
    #[serde(default, deserialize_with = "null_default")]
    pub total_bookmarks: u64,
    /// Whether the logged-in account bookmarked it.
    #[serde(default, deserialize_with = "null_default")]
    pub is_bookmarked: bool,
    /// Whether the account may see it (`false`: the image URLs are placeholders).
    #[serde(default = "yes", deserialize_with = "visible")]
    pub visible: bool,
    /// Whether the account muted it.
    #[serde(default, deserialize_with = "null_default")]
    pub is_muted: bool,
    /// 0 unknown, 1 not AI-generated, 2 AI-generated.
    #[serde(default, deserialize_with = "null_default")]
    pub illust_ai_type: u32,
    /// Comments, when Pixiv says (not every list does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_comments: Option<u64>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

fn yes() -> bool {
    true
}

fn visible<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(true))
}

impl Illust {
    /// The URLs of every original page, in page order: `meta_pages[].image_urls.original` for a
    /// multi-page work, else `meta_single_page.original_image_url`. Empty when Pixiv sent none
    /// (a work the account may not see).
    pub fn original_urls(&self) -> Vec<&str> {
        let pages: Vec<&str> = self
            .meta_pages
            .iter()
            .filter_map(|p| p.image_urls.original.as_deref())
            .collect();
        if !pages.is_empty() {
            return pages;
        }
        self.meta_single_page
            .original_image_url
            .as_deref()
            .into_iter()
            .collect()
    }

    /// [`create_date`](Self::create_date) parsed (RFC 3339), if it parses.
    pub fn created_at(&self) -> Option<time::OffsetDateTime> {
        time::OffsetDateTime::parse(
            &self.create_date,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()
    }
}

/// What kind of work. Unknown kinds keep their name in [`IllustType::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum IllustType {
    /// A single or multi-page illustration.
    #[default]
    Illust,
    /// A manga.
    Manga,
    /// An animation (frames in a zip, see [`UgoiraMetadata`](super::UgoiraMetadata)).
    Ugoira,
    /// A kind this version does not know, as Pixiv named it.
    Other(String),
}

impl IllustType {
    /// The name Pixiv uses.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Illust => "illust",
            Self::Manga => "manga",
            Self::Ugoira => "ugoira",
            Self::Other(s) => s,
        }
    }
}

impl From<String> for IllustType {
    fn from(s: String) -> Self {
        match s.as_str() {
            "illust" => Self::Illust,
            "manga" => Self::Manga,
            "ugoira" => Self::Ugoira,
            _ => Self::Other(s),
        }
    }
}

impl From<IllustType> for String {
    fn from(t: IllustType) -> Self {
        t.as_str().to_owned()
    }
}

impl fmt::Display for IllustType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The sizes of one page. Pixiv sends `square_medium`, `medium`, `large`, and `original` inside
/// `meta_pages`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImageUrls {
    /// 360×360 square crop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub square_medium: Option<String>,
    /// 540 px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// 600×1200 px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large: Option<String>,
    /// The original (only inside `meta_pages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `meta_single_page`: the original of a one-page work; `{}` otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetaSinglePage {
    /// The original image, when the work has one page and the account may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_image_url: Option<String>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One page of a multi-page work.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetaPage {
    /// The page's images, `original` included.
    #[serde(default, deserialize_with = "null_default")]
    pub image_urls: ImageUrls,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A tag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tag {
    /// The tag, usually Japanese.
    pub name: String,
    /// Pixiv's translation into the `Accept-Language`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_name: Option<String>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The series a work belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Series {
    /// The series id.
    pub id: u64,
    /// Its title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

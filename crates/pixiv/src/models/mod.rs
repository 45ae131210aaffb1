//! The App API's JSON as Rust types.
//!
//! Every model keeps the fields applications use typed, and every field it does not name in
//! `extra` (`#[serde(flatten)]`), so a field Pixiv adds tomorrow parses today and is still there
//! to read. The nulls and empty objects Pixiv sends (`translated_name: null`, `series: null`,
//! `meta_single_page: {}`, `caption: ""`) parse to `None`, empty strings or empty lists.
//! Serialising writes a `None` as a missing field, so what went in comes out, `null`s aside.
//!
//! ```
//! use pixiv::models::{Illust, IllustType};
//!
//! let json = r#"{"id": 7, "title": "t", "type": "ugoira", "user": {"id": 1, "name": "n", "account": "a"},
//!                "meta_single_page": {}, "series": null, "tags": [{"name": "猫", "translated_name": null}],
//!                "brand_new_field": [1, 2]}"#;
//! let illust: Illust = serde_json::from_str(json)?;
//! assert_eq!(illust.kind, IllustType::Ugoira);
//! assert_eq!(illust.tags[0].translated_name, None);
//! assert!(illust.series.is_none());
//! assert_eq!(illust.extra["brand_new_field"], serde_json::json!([1, 2]));
//! # Ok::<(), serde_json::Error>(())
//! ```

mod comment;
mod de;
mod illust;
mod lists;
mod novel;
mod novel_webview;
mod responses;
mod ugoira;
mod user;

pub use comment::{Comment, CommentUser, Stamp};
pub use illust::{Illust, IllustType, ImageUrls, MetaPage, MetaSinglePage, Series, Tag};
pub(crate) use lists::IllustSeriesHead;
pub use lists::{
    BookmarkDetail, BookmarkDetailTag, BookmarkTag, IllustSeries, IllustSeriesDetail, TrendingTag,
    TrendingTags, UserPreview,
};
pub use novel::{
    BookmarkTagChoice, Novel, NovelBookmarkDetail, NovelSeriesDetail, NovelTag, ShowcaseArticle,
};
pub use novel_webview::{
    EmbeddedIllust, EmbeddedImage, NavigationNovel, NovelRating, SeriesNavigation, WebviewNovel,
};
pub use responses::{BookmarkDetailResponse, IllustDetail, UgoiraMetadataResponse};
pub use ugoira::{Frame, UgoiraMetadata, ZipUrls};
pub use user::{AuthUser, Profile, ProfileImageUrls, User, UserDetail};

/// Fields a model does not name: whatever Pixiv sent besides the typed ones.
pub type Extra = serde_json::Map<String, serde_json::Value>;

//! [`WebviewNovel`]: the novel as the viewer page `/webview/v2/novel` embeds it (camelCase, the web
//! page's own JSON; PixivPy's `WebviewNovel` names the same fields).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::Extra;
use super::de::{id, null_default};

/// A novel's text and metadata, from the viewer page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebviewNovel {
    /// The novel id (a string on the wire).
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// The title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// The series id, when it belongs to one.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub series_id: Option<u64>,
    /// The series title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_title: Option<String>,
    /// The author's id.
    #[serde(deserialize_with = "id")]
    pub user_id: u64,
    /// The cover.
    #[serde(default, deserialize_with = "null_default")]
    pub cover_url: String,
    /// The tags' names.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// The caption, HTML.
    #[serde(default, deserialize_with = "null_default")]
    pub caption: String,
    /// When it was posted (`cdate`).
    #[serde(default, deserialize_with = "null_default")]
    pub cdate: String,
    /// Likes, bookmarks, views.
    #[serde(default, deserialize_with = "null_default")]
    pub rating: NovelRating,
    /// The text, in Pixiv's markup (`[newpage]`, `[chapter:..]`, `[[rb:..]]`, ...); see
    /// [`pages`](Self::pages).
    #[serde(default, deserialize_with = "null_default")]
    pub text: String,
    /// Works the text embeds with `[pixivimage:{id}-{page}]`, keyed `"{id}-{page}"` (Pixiv sends
    /// `[]` when there are none).
    #[serde(default, deserialize_with = "list_or_map")]
    pub illusts: BTreeMap<String, EmbeddedIllust>,
    /// Images the text embeds with `[uploadedimage:{id}]`, keyed by that id (`[]` when none).
    #[serde(default, deserialize_with = "list_or_map")]
    pub images: BTreeMap<String, EmbeddedImage>,
    /// The previous and next novels of the series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_navigation: Option<SeriesNavigation>,
    /// 0 unknown, 1 not AI-generated, 2 AI-generated.
    #[serde(default, deserialize_with = "null_default")]
    pub ai_type: u32,
    /// Whether it is original.
    #[serde(default, deserialize_with = "null_default")]
    pub is_original: bool,
    /// Every field not named above (`marker`, `glossaryItems`, `seriesIsWatched`, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

impl WebviewNovel {
    /// The text's pages: [`text`](Self::text) split at every `[newpage]`.
    pub fn pages(&self) -> Vec<&str> {
        self.text.split("[newpage]").collect()
    }
}

/// `rating` of the viewer page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NovelRating {
    /// Likes.
    #[serde(default, deserialize_with = "null_default")]
    pub like: u64,
    /// Bookmarks.
    #[serde(default, deserialize_with = "null_default")]
    pub bookmark: u64,
    /// Views.
    #[serde(default, deserialize_with = "null_default")]
    pub view: u64,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A work embedded in the text (`[pixivimage:12-1]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmbeddedIllust {
    /// The work's id (a string on the wire).
    #[serde(default, deserialize_with = "id")]
    pub id: u64,
    /// The page (1-based).
    #[serde(default, deserialize_with = "null_default")]
    pub page: u32,
    /// Whether the reader may see it.
    #[serde(default, deserialize_with = "null_default")]
    pub visible: bool,
    /// The work (`title`, `images.{small,medium,original}`, ...), as sent.
    #[serde(default, deserialize_with = "null_default")]
    pub illust: Extra,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An image uploaded into the text (`[uploadedimage:123]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EmbeddedImage {
    /// The image id (a string on the wire).
    #[serde(default, deserialize_with = "id")]
    pub novel_image_id: u64,
    /// Its sizes by name (`240mw`, `480mw`, `1200x1200`, `128x128`, `original`).
    #[serde(default, deserialize_with = "null_default")]
    pub urls: BTreeMap<String, String>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `seriesNavigation`: the neighbours in the series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SeriesNavigation {
    /// The next novel, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_novel: Option<NavigationNovel>,
    /// The previous novel, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_novel: Option<NavigationNovel>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A neighbour in [`SeriesNavigation`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NavigationNovel {
    /// Its id.
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// Whether the reader may read it.
    #[serde(default, deserialize_with = "null_default")]
    pub viewable: bool,
    /// Its order in the series, as Pixiv writes it (`"2"`).
    #[serde(default, deserialize_with = "null_default")]
    pub content_order: String,
    /// Its title.
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// Its cover.
    #[serde(default, deserialize_with = "null_default")]
    pub cover_url: String,
    /// Every field not named above (`viewableMessage`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// An id that may be absent, `null`, a number or a string.
fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("an id that is not a number")),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("an id that is not a number")),
        Some(_) => Err(serde::de::Error::custom("an id that is not a number")),
    }
}

/// A map Pixiv sends as `[]` when empty (PHP's empty array), as an object otherwise.
fn list_or_map<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(BTreeMap::new()),
        Some(serde_json::Value::Array(a)) if a.is_empty() => Ok(BTreeMap::new()),
        Some(v @ serde_json::Value::Object(_)) => {
            serde_json::from_value(v).map_err(serde::de::Error::custom)
        }
        Some(_) => Err(serde::de::Error::custom("expected an object or []")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_lists_ids_as_strings_and_round_trips() {
        let page = serde_json::json!({
            "id": "7", "userId": "3", "title": "t", "seriesId": null, "seriesNavigation": null,
            "illusts": [], "images": [], "text": "a[newpage]b", "marker": null, "brandNew": 1,
        });
        let novel: WebviewNovel = serde_json::from_value(page).unwrap();
        assert_eq!((novel.id, novel.user_id, novel.series_id), (7, 3, None));
        assert!(novel.illusts.is_empty() && novel.images.is_empty());
        assert!(novel.series_navigation.is_none());
        assert_eq!(novel.extra["brandNew"], 1);
        let again: WebviewNovel =
            serde_json::from_value(serde_json::to_value(&novel).unwrap()).unwrap();
        assert_eq!(again, novel);

        let with = serde_json::json!({
            "id": 8, "userId": 3, "seriesId": "2",
            "images": {"5": {"novelImageId": "5", "urls": {"original": "u"}}},
            "illusts": {"12-1": {"id": "12", "page": 1, "visible": true, "illust": {}}},
        });
        let novel: WebviewNovel = serde_json::from_value(with).unwrap();
        assert_eq!(novel.series_id, Some(2));
        assert_eq!(novel.images["5"].urls["original"], "u");
        assert_eq!(novel.illusts["12-1"].id, 12);
        let bad = serde_json::json!({"id": "7", "userId": "3", "images": "nope"});
        assert!(serde_json::from_value::<WebviewNovel>(bad).is_err());
    }
}

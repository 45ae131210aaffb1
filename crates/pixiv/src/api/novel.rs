//! Novels: detail, a user's novels, bookmarked novels and their bookmark detail, series.

use pixiv_errors::PixivError;
use serde::ser::{SerializeMap as _, Serializer};
use serde::{Deserialize, Serialize};

use super::FILTER;
use super::request::{Call, offset_setter, request, restrict_setter};
use crate::models::{Extra, Novel, NovelBookmarkDetail, NovelSeriesDetail};
use crate::{Client, Page};

/// `{"novel": {..}}`.
#[derive(Deserialize)]
struct NovelAnswer {
    novel: Novel,
}

/// `{"bookmark_detail": {..}}`.
#[derive(Deserialize)]
struct BookmarkDetailAnswer {
    bookmark_detail: NovelBookmarkDetail,
}

impl Client {
    /// `GET /v2/novel/detail?novel_id=`: one novel.
    pub fn novel_detail(&self, novel_id: u64) -> NovelDetailRequest<'_> {
        NovelDetailRequest::new(Call::get(self, "/v2/novel/detail").with("novel_id", novel_id))
    }

    /// `GET /v2/novel/bookmark/detail?novel_id=`: whether the account bookmarked a novel, and
    /// with which tags (a gallery-dl call; PixivPy has none).
    pub fn novel_bookmark_detail(&self, novel_id: u64) -> NovelBookmarkDetailRequest<'_> {
        NovelBookmarkDetailRequest::new(
            Call::get(self, "/v2/novel/bookmark/detail").with("novel_id", novel_id),
        )
    }

    /// `GET /v1/user/novels?user_id=&filter=for_ios`: a user's novels, newest first.
    pub fn user_novels(&self, user_id: u64) -> UserNovelsRequest<'_> {
        UserNovelsRequest::new(
            Call::get(self, "/v1/user/novels")
                .with("user_id", user_id)
                .with("filter", FILTER),
        )
    }

    /// `GET /v1/user/bookmarks/novel?user_id=&restrict=public&filter=for_ios`: a user's
    /// bookmarked novels, newest bookmark first.
    pub fn user_bookmarks_novel(&self, user_id: u64) -> UserBookmarksNovelRequest<'_> {
        UserBookmarksNovelRequest::new(
            Call::get(self, "/v1/user/bookmarks/novel")
                .with("user_id", user_id)
                .with("restrict", super::Restrict::Public.as_str())
                .with("filter", FILTER),
        )
    }

    /// `GET /v2/novel/series?series_id=&filter=for_ios`: a novel series, its first and latest
    /// novel, and its novels in order (paged with `last_order`).
    pub fn novel_series(&self, series_id: u64) -> NovelSeriesRequest<'_> {
        NovelSeriesRequest::new(
            Call::get(self, "/v2/novel/series")
                .with("series_id", series_id)
                .with("filter", FILTER),
        )
    }
}

request! {
    /// `/v2/novel/detail`, built by [`Client::novel_detail`]; await it for the [`Novel`].
    NovelDetailRequest -> Novel, |call| {
        let answer: NovelAnswer = call.json().await?;
        Ok(answer.novel)
    }
}

request! {
    /// `/v2/novel/bookmark/detail`, built by [`Client::novel_bookmark_detail`]; await it for the
    /// [`NovelBookmarkDetail`].
    NovelBookmarkDetailRequest -> NovelBookmarkDetail, |call| {
        let answer: BookmarkDetailAnswer = call.json().await?;
        Ok(answer.bookmark_detail)
    }
}

request! {
    /// `/v1/user/novels`, built by [`Client::user_novels`]; await it for the first [`Page`].
    UserNovelsRequest -> Page<Novel>, |call| call.page("novels").await
}

impl UserNovelsRequest<'_> {
    offset_setter!();
}

request! {
    /// `/v1/user/bookmarks/novel`, built by [`Client::user_bookmarks_novel`]; await it for the
    /// first [`Page`].
    UserBookmarksNovelRequest -> Page<Novel>, |call| call.page("novels").await
}

impl UserBookmarksNovelRequest<'_> {
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

/// The answer of `/v2/novel/series`: the series, and its first page of novels.
///
/// Serialized as Pixiv sends it: `{"novel_series_detail", "novel_series_first_novel",
/// "novel_series_latest_novel", "novels", "next_url", ..extra}` (an absent first or latest novel
/// is left out).
#[derive(Debug)]
#[non_exhaustive]
pub struct NovelSeries {
    /// `novel_series_detail`.
    pub detail: NovelSeriesDetail,
    /// `novel_series_first_novel` (absent on later pages).
    pub first_novel: Option<Novel>,
    /// `novel_series_latest_novel` (absent on later pages).
    pub latest_novel: Option<Novel>,
    /// The novels, in series order; `into_stream()` follows `next_url` (`last_order`).
    pub novels: Page<Novel>,
    /// Every other field of the answer.
    pub extra: Extra,
}

impl Serialize for NovelSeries {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("novel_series_detail", &self.detail)?;
        if let Some(novel) = &self.first_novel {
            map.serialize_entry("novel_series_first_novel", novel)?;
        }
        if let Some(novel) = &self.latest_novel {
            map.serialize_entry("novel_series_latest_novel", novel)?;
        }
        map.serialize_entry("novels", &self.novels.items)?;
        map.serialize_entry("next_url", &self.novels.next_url)?;
        map.end()
    }
}

request! {
    /// `/v2/novel/series`, built by [`Client::novel_series`]; await it for a [`NovelSeries`].
    NovelSeriesRequest -> NovelSeries, |call| {
        let client = call.client;
        let auth = call.auth();
        let answer: serde_json::Value = call.json().await?;
        novel_series(client, answer, auth)
    }
}

impl NovelSeriesRequest<'_> {
    /// `last_order`: start after the novel of this order (what `next_url` carries).
    pub fn last_order(mut self, last_order: u32) -> Self {
        self.call.set("last_order", last_order);
        self
    }
}

/// Splits the series answer into its parts; the list goes into a [`Page`].
fn novel_series(
    client: &Client,
    mut answer: serde_json::Value,
    auth: bool,
) -> Result<NovelSeries, PixivError> {
    let mut take = |key: &str| {
        answer
            .as_object_mut()
            .and_then(|m| m.remove(key))
            .unwrap_or_default()
    };
    let detail = match take("novel_series_detail") {
        serde_json::Value::Null => {
            return Err(PixivError::decode(
                "/v2/novel/series: the answer has no novel_series_detail",
                &[],
            ));
        }
        v => serde_json::from_value::<NovelSeriesDetail>(v)?,
    };
    let first_novel = optional_novel(take("novel_series_first_novel"))?;
    let latest_novel = optional_novel(take("novel_series_latest_novel"))?;
    let mut page = Extra::new();
    page.insert("novels".to_owned(), take("novels"));
    page.insert("next_url".to_owned(), take("next_url"));
    let novels = Page::from_answer(client, "novels", page.into())?.with_auth(auth);
    let extra = match answer {
        serde_json::Value::Object(m) => m,
        _ => Extra::new(),
    };
    Ok(NovelSeries {
        detail,
        first_novel,
        latest_novel,
        novels,
        extra,
    })
}

/// A novel that may be `null` or `{}`.
fn optional_novel(v: serde_json::Value) -> Result<Option<Novel>, PixivError> {
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Object(m) if m.is_empty() => Ok(None),
        v => Ok(Some(serde_json::from_value(v)?)),
    }
}

//! Novels: detail, a user's novels, bookmarked novels and their bookmark detail, series.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use pixiv_errors::PixivError;
use serde::Deserialize;

use super::novel_params::page_request;
use super::{FILTER, Restrict};
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
    pub async fn novel_detail(&self, novel_id: u64) -> Result<Novel, PixivError> {
        let answer: NovelAnswer = self
            .api_get("/v2/novel/detail", &[("novel_id", novel_id.to_string())])
            .await?;
        Ok(answer.novel)
    }

    /// `GET /v2/novel/bookmark/detail?novel_id=`: whether the account bookmarked a novel, and
    /// with which tags (a gallery-dl call; PixivPy has none).
    pub async fn novel_bookmark_detail(
        &self,
        novel_id: u64,
    ) -> Result<NovelBookmarkDetail, PixivError> {
        let answer: BookmarkDetailAnswer = self
            .api_get(
                "/v2/novel/bookmark/detail",
                &[("novel_id", novel_id.to_string())],
            )
            .await?;
        Ok(answer.bookmark_detail)
    }

    /// `GET /v1/user/novels?user_id=&filter=for_ios`: a user's novels, newest first.
    pub fn user_novels(&self, user_id: u64) -> UserNovelsRequest<'_> {
        UserNovelsRequest {
            client: self,
            user_id,
            offset: None,
        }
    }

    /// `GET /v1/user/bookmarks/novel?user_id=&restrict=public&filter=for_ios`: a user's
    /// bookmarked novels, newest bookmark first.
    pub fn user_bookmarks_novel(&self, user_id: u64) -> UserBookmarksNovelRequest<'_> {
        UserBookmarksNovelRequest {
            client: self,
            user_id,
            restrict: Restrict::Public,
            tag: None,
            max_bookmark_id: None,
        }
    }

    /// `GET /v2/novel/series?series_id=&filter=for_ios`: a novel series, its first and latest
    /// novel, and its novels in order (paged with `last_order`).
    pub fn novel_series(&self, series_id: u64) -> NovelSeriesRequest<'_> {
        NovelSeriesRequest {
            client: self,
            series_id,
            last_order: None,
        }
    }
}

/// `/v1/user/novels`, built by [`Client::user_novels`]; await it for the first [`Page`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct UserNovelsRequest<'a> {
    client: &'a Client,
    user_id: u64,
    offset: Option<u32>,
}

impl UserNovelsRequest<'_> {
    /// `offset`: start after this many novels.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn query(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let mut q = vec![
            ("user_id", self.user_id.to_string()),
            ("filter", FILTER.to_owned()),
        ];
        if let Some(offset) = self.offset {
            q.push(("offset", offset.to_string()));
        }
        ("/v1/user/novels", q)
    }
}

page_request!(UserNovelsRequest, Novel, "novels");

/// `/v1/user/bookmarks/novel`, built by [`Client::user_bookmarks_novel`]; await it for the
/// first [`Page`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct UserBookmarksNovelRequest<'a> {
    client: &'a Client,
    user_id: u64,
    restrict: Restrict,
    tag: Option<String>,
    max_bookmark_id: Option<u64>,
}

impl UserBookmarksNovelRequest<'_> {
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

    fn query(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let mut q = vec![
            ("user_id", self.user_id.to_string()),
            ("restrict", self.restrict.as_str().to_owned()),
            ("filter", FILTER.to_owned()),
        ];
        if let Some(max) = self.max_bookmark_id {
            q.push(("max_bookmark_id", max.to_string()));
        }
        if let Some(tag) = &self.tag {
            q.push(("tag", tag.clone()));
        }
        ("/v1/user/bookmarks/novel", q)
    }
}

page_request!(UserBookmarksNovelRequest, Novel, "novels");

/// `/v2/novel/series`, built by [`Client::novel_series`]; await it for a [`NovelSeries`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct NovelSeriesRequest<'a> {
    client: &'a Client,
    series_id: u64,
    last_order: Option<u32>,
}

impl NovelSeriesRequest<'_> {
    /// `last_order`: start after the novel of this order (what `next_url` carries).
    pub fn last_order(mut self, last_order: u32) -> Self {
        self.last_order = Some(last_order);
        self
    }
}

/// The answer of `/v2/novel/series`: the series, and its first page of novels.
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

impl<'a> IntoFuture for NovelSeriesRequest<'a> {
    type Output = Result<NovelSeries, PixivError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut query = vec![
                ("series_id", self.series_id.to_string()),
                ("filter", FILTER.to_owned()),
            ];
            if let Some(last) = self.last_order {
                query.push(("last_order", last.to_string()));
            }
            let mut answer: serde_json::Value =
                self.client.api_get("/v2/novel/series", &query).await?;
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
            let novels = Page::from_answer(self.client, "novels", page.into())?;
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
        })
    }
}

/// A novel that may be `null` or `{}`.
fn optional_novel(v: serde_json::Value) -> Result<Option<Novel>, PixivError> {
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Object(m) if m.is_empty() => Ok(None),
        v => Ok(Some(serde_json::from_value(v)?)),
    }
}

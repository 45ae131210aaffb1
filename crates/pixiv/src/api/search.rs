//! `/v1/search/illust`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use pixiv_errors::PixivError;

use super::{FILTER, SearchDuration, SearchSort, SearchTarget, date_param};
use crate::models::Illust;
use crate::{Client, Page};

impl Client {
    /// `GET /v1/search/illust?word=&search_target=partial_match_for_tags&sort=date_desc&filter=for_ios`:
    /// works matching `word`. Set [`target`](SearchIllustRequest::target),
    /// [`sort`](SearchIllustRequest::sort), [`duration`](SearchIllustRequest::duration) or a
    /// date range before awaiting.
    pub fn search_illust(&self, word: impl Into<String>) -> SearchIllustRequest<'_> {
        SearchIllustRequest {
            client: self,
            word: word.into(),
            target: SearchTarget::PartialMatchForTags,
            sort: SearchSort::DateDesc,
            duration: None,
            start_date: None,
            end_date: None,
            offset: None,
        }
    }
}

/// `/v1/search/illust`, built by [`Client::search_illust`]; await it for the first [`Page`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct SearchIllustRequest<'a> {
    client: &'a Client,
    word: String,
    target: SearchTarget,
    sort: SearchSort,
    duration: Option<SearchDuration>,
    start_date: Option<time::Date>,
    end_date: Option<time::Date>,
    offset: Option<u32>,
}

impl SearchIllustRequest<'_> {
    /// `search_target`. Default: [`SearchTarget::PartialMatchForTags`].
    pub fn target(mut self, target: SearchTarget) -> Self {
        self.target = target;
        self
    }

    /// `sort`. Default: [`SearchSort::DateDesc`].
    pub fn sort(mut self, sort: SearchSort) -> Self {
        self.sort = sort;
        self
    }

    /// `duration`: only works posted in the last day, week or month. Default: any time.
    pub fn duration(mut self, duration: SearchDuration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// `start_date` (inclusive, `YYYY-MM-DD`).
    pub fn start_date(mut self, date: time::Date) -> Self {
        self.start_date = Some(date);
        self
    }

    /// `end_date` (inclusive, `YYYY-MM-DD`).
    pub fn end_date(mut self, date: time::Date) -> Self {
        self.end_date = Some(date);
        self
    }

    /// `offset`: start after this many works.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }
}

impl<'a> IntoFuture for SearchIllustRequest<'a> {
    type Output = Result<Page<Illust>, PixivError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut query = vec![
                ("word", self.word),
                ("search_target", self.target.as_str().to_owned()),
                ("sort", self.sort.as_str().to_owned()),
                ("filter", FILTER.to_owned()),
            ];
            if let Some(d) = self.duration {
                query.push(("duration", d.as_str().to_owned()));
            }
            if let Some(d) = self.start_date {
                query.push(("start_date", date_param(d)));
            }
            if let Some(d) = self.end_date {
                query.push(("end_date", date_param(d)));
            }
            if let Some(offset) = self.offset {
                query.push(("offset", offset.to_string()));
            }
            let answer = self.client.api_get("/v1/search/illust", &query).await?;
            Page::from_answer(self.client, "illusts", answer)
        })
    }
}

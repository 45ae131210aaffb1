//! `/v1/illust/ranking`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use pixiv_errors::PixivError;

use super::{FILTER, RankingMode, date_param};
use crate::models::Illust;
use crate::{Client, Page};

impl Client {
    /// `GET /v1/illust/ranking?mode=&filter=for_ios`: a ranking, today's unless
    /// [`date`](RankingRequest::date) says otherwise.
    pub fn ranking(&self, mode: RankingMode) -> RankingRequest<'_> {
        RankingRequest {
            client: self,
            mode,
            date: None,
            offset: None,
        }
    }
}

/// `/v1/illust/ranking`, built by [`Client::ranking`]; await it for the first [`Page`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct RankingRequest<'a> {
    client: &'a Client,
    mode: RankingMode,
    date: Option<time::Date>,
    offset: Option<u32>,
}

impl RankingRequest<'_> {
    /// `date` (sent as `YYYY-MM-DD`): the ranking of that day. Default: the latest.
    pub fn date(mut self, date: time::Date) -> Self {
        self.date = Some(date);
        self
    }

    /// `offset`: start after this many works.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }
}

impl<'a> IntoFuture for RankingRequest<'a> {
    type Output = Result<Page<Illust>, PixivError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut query = vec![
                ("mode", self.mode.as_str().to_owned()),
                ("filter", FILTER.to_owned()),
            ];
            if let Some(date) = self.date {
                query.push(("date", date_param(date)));
            }
            if let Some(offset) = self.offset {
                query.push(("offset", offset.to_string()));
            }
            let answer = self.client.api_get("/v1/illust/ranking", &query).await?;
            Page::from_answer(self.client, "illusts", answer)
        })
    }
}

//! `/v1/illust/ranking`.

use super::request::{Call, offset_setter, request};
use super::{FILTER, RankingMode, date_param};
use crate::models::Illust;
use crate::{Client, Page};

impl Client {
    /// `GET /v1/illust/ranking?mode=&filter=for_ios`: a ranking, today's unless
    /// [`date`](RankingRequest::date) says otherwise. PixivPy's `illust_ranking`.
    pub fn illust_ranking(&self, mode: RankingMode) -> RankingRequest<'_> {
        RankingRequest::new(
            Call::get(self, "/v1/illust/ranking")
                .with("mode", mode.as_str())
                .with("filter", FILTER),
        )
    }
}

request! {
    /// `/v1/illust/ranking`, built by [`Client::illust_ranking`]; await it for the first [`Page`].
    RankingRequest -> Page<Illust>, |call| call.page("illusts").await
}

impl RankingRequest<'_> {
    /// `date` (sent as `YYYY-MM-DD`): the ranking of that day. Default: the latest.
    pub fn date(mut self, date: time::Date) -> Self {
        self.call.set("date", date_param(date));
        self
    }

    offset_setter!();
}

//! Works: detail, related, ugoira metadata, manga series.

use super::request::{Call, offset_setter, request};
use crate::models::{
    Illust, IllustDetail, IllustSeries, IllustSeriesHead, UgoiraMetadata, UgoiraMetadataResponse,
};
use crate::{Client, Page};

impl Client {
    /// `GET /v1/illust/detail?illust_id=`: one work.
    pub fn illust_detail(&self, illust_id: u64) -> IllustDetailRequest<'_> {
        IllustDetailRequest::new(Call::get(self, "/v1/illust/detail").with("illust_id", illust_id))
    }

    /// `GET /v2/illust/related?illust_id=&filter=for_ios`: works like this one. Pixiv's
    /// `next_url`s carry indexed `seed_illust_ids[0]` and `viewed[0]`..`viewed[29]`, which the
    /// pagination re-sends as they are.
    pub fn illust_related(&self, illust_id: u64) -> IllustRelatedRequest<'_> {
        IllustRelatedRequest::new(
            Call::get(self, "/v2/illust/related")
                .with("illust_id", illust_id)
                .with("filter", super::FILTER),
        )
    }

    /// `GET /v1/ugoira/metadata?illust_id=`: the frames' zip and delays of an ugoira.
    pub fn ugoira_metadata(&self, illust_id: u64) -> UgoiraMetadataRequest<'_> {
        UgoiraMetadataRequest::new(
            Call::get(self, "/v1/ugoira/metadata").with("illust_id", illust_id),
        )
    }

    /// `GET /v1/illust/series?illust_series_id=&filter=for_ios`: a manga series, its first work
    /// and its works (what gallery-dl's series extractor reads; PixivPy has no such method).
    pub fn illust_series(&self, illust_series_id: u64) -> IllustSeriesRequest<'_> {
        IllustSeriesRequest::new(
            Call::get(self, "/v1/illust/series")
                .with("illust_series_id", illust_series_id)
                .with("filter", super::FILTER),
        )
    }
}

request! {
    /// `/v1/illust/detail`, built by [`Client::illust_detail`]; await it for the [`Illust`].
    IllustDetailRequest -> Illust, |call| {
        let detail: IllustDetail = call.json().await?;
        Ok(detail.illust)
    }
}

request! {
    /// `/v2/illust/related`, built by [`Client::illust_related`]; await it for the first [`Page`].
    IllustRelatedRequest -> Page<Illust>, |call| call.page("illusts").await
}

impl IllustRelatedRequest<'_> {
    offset_setter!();

    /// `seed_illust_ids[]`: works to base the list on besides `illust_id` (PixivPy's
    /// `seed_illust_ids`).
    pub fn seed_illust_ids(mut self, ids: &[u64]) -> Self {
        self.call.unset("seed_illust_ids[]");
        for id in ids {
            self.call.push("seed_illust_ids[]", id);
        }
        self
    }

    /// `viewed[]`: works already seen, which Pixiv leaves out (PixivPy's `viewed`).
    pub fn viewed(mut self, ids: &[u64]) -> Self {
        self.call.unset("viewed[]");
        for id in ids {
            self.call.push("viewed[]", id);
        }
        self
    }
}

request! {
    /// `/v1/ugoira/metadata`, built by [`Client::ugoira_metadata`]; await it for the
    /// [`UgoiraMetadata`].
    UgoiraMetadataRequest -> UgoiraMetadata, |call| {
        let answer: UgoiraMetadataResponse = call.json().await?;
        Ok(answer.ugoira_metadata)
    }
}

request! {
    /// `/v1/illust/series`, built by [`Client::illust_series`]; await it for the
    /// [`IllustSeries`].
    IllustSeriesRequest -> IllustSeries, |call| {
        let client = call.client;
        let auth = call.auth();
        let mut answer: serde_json::Value = call.json().await?;
        let head = serde_json::json!({
            "illust_series_detail": answer.get_mut("illust_series_detail").map(serde_json::Value::take),
            "illust_series_first_illust": answer.get_mut("illust_series_first_illust").map(serde_json::Value::take),
        });
        let head: IllustSeriesHead = serde_json::from_value(head)?;
        Ok(IllustSeries {
            detail: head.illust_series_detail,
            first_illust: head.illust_series_first_illust,
            illusts: Page::from_answer(client, "illusts", answer)?.with_auth(auth),
        })
    }
}

impl IllustSeriesRequest<'_> {
    offset_setter!();
}

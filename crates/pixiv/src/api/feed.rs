//! Discovery: recommended works, new works, trending tags.

use super::request::{Call, offset_setter, request};
use super::{FILTER, UserIllustType};
use crate::models::{Illust, TrendingTag, TrendingTags};
use crate::{Client, Page};

impl Client {
    /// `GET /v1/illust/recommended?content_type=illust&include_ranking_label=true&filter=for_ios`:
    /// works Pixiv recommends to the account. [`without_auth`](IllustRecommendedRequest::without_auth)
    /// calls `/v1/illust/recommended-nologin` instead, as PixivPy's `req_auth=False`.
    pub fn illust_recommended(&self) -> IllustRecommendedRequest<'_> {
        IllustRecommendedRequest::new(
            Call::get(self, "/v1/illust/recommended")
                .anonymous_path("/v1/illust/recommended-nologin")
                .with("content_type", UserIllustType::Illust.as_str())
                .with("include_ranking_label", true)
                .with("filter", FILTER),
        )
    }

    /// `GET /v1/illust/new?content_type=illust&filter=for_ios`: the newest works on Pixiv.
    pub fn illust_new(&self) -> IllustNewRequest<'_> {
        IllustNewRequest::new(
            Call::get(self, "/v1/illust/new")
                .with("content_type", UserIllustType::Illust.as_str())
                .with("filter", FILTER),
        )
    }

    /// `GET /v1/trending-tags/illust?filter=for_ios`: the trending tags, each with a work
    /// (tags' `translated_name` in the client's `Accept-Language`).
    pub fn trending_tags_illust(&self) -> TrendingTagsRequest<'_> {
        TrendingTagsRequest::new(Call::get(self, "/v1/trending-tags/illust").with("filter", FILTER))
    }
}

request! {
    /// `/v1/illust/recommended`, built by [`Client::illust_recommended`]; await it for the first
    /// [`Page`] (the answer's `ranking_illusts` are not in it: use a raw
    /// [`get`](Client::get) for them).
    IllustRecommendedRequest -> Page<Illust>, |call| call.page("illusts").await
}

impl IllustRecommendedRequest<'_> {
    /// `content_type`: illustrations (the default) or manga.
    pub fn content_type(mut self, kind: UserIllustType) -> Self {
        self.call.set("content_type", kind.as_str());
        self
    }

    /// `include_ranking_label`. Default: `true`.
    pub fn include_ranking_label(mut self, include: bool) -> Self {
        self.call.set("include_ranking_label", include);
        self
    }

    /// `include_ranking_illusts`: also send the ranking's top works.
    pub fn include_ranking_illusts(mut self, include: bool) -> Self {
        self.call.set("include_ranking_illusts", include);
        self
    }

    /// `max_bookmark_id_for_recommend`.
    pub fn max_bookmark_id_for_recommend(mut self, id: u64) -> Self {
        self.call.set("max_bookmark_id_for_recommend", id);
        self
    }

    /// `min_bookmark_id_for_recent_illust`.
    pub fn min_bookmark_id_for_recent_illust(mut self, id: u64) -> Self {
        self.call.set("min_bookmark_id_for_recent_illust", id);
        self
    }

    /// `viewed[]`: works already seen.
    pub fn viewed(mut self, ids: &[u64]) -> Self {
        self.call.unset("viewed[]");
        for id in ids {
            self.call.push("viewed[]", id);
        }
        self
    }

    /// `bookmark_illust_ids` (comma-separated; PixivPy sends it only without auth).
    pub fn bookmark_illust_ids(mut self, ids: &[u64]) -> Self {
        let joined: Vec<String> = ids.iter().map(u64::to_string).collect();
        self.call.set("bookmark_illust_ids", joined.join(","));
        self
    }

    /// `include_privacy_policy`.
    pub fn include_privacy_policy(mut self, value: impl Into<String>) -> Self {
        self.call.set("include_privacy_policy", value.into());
        self
    }

    offset_setter!();
}

request! {
    /// `/v1/illust/new`, built by [`Client::illust_new`]; await it for the first [`Page`].
    IllustNewRequest -> Page<Illust>, |call| call.page("illusts").await
}

impl IllustNewRequest<'_> {
    /// `content_type`: illustrations (the default) or manga.
    pub fn content_type(mut self, kind: UserIllustType) -> Self {
        self.call.set("content_type", kind.as_str());
        self
    }

    /// `max_illust_id`: start at this work (what `next_url` carries).
    pub fn max_illust_id(mut self, id: u64) -> Self {
        self.call.set("max_illust_id", id);
        self
    }
}

request! {
    /// `/v1/trending-tags/illust`, built by [`Client::trending_tags_illust`]; await it for the
    /// [`TrendingTag`]s.
    TrendingTagsRequest -> Vec<TrendingTag>, |call| {
        let answer: TrendingTags = call.json().await?;
        Ok(answer.trend_tags)
    }
}

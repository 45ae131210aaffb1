//! Novel lists that are not a user's: search, the new, follow and recommended feeds.

use super::request::{Call, offset_setter, request};
use super::{FILTER, FollowRestrict, NovelSearchTarget, SearchSort, date_param};
use crate::models::Novel;
use crate::{Client, Page};

impl Client {
    /// `GET /v1/search/novel?word=&search_target=partial_match_for_tags&
    /// merge_plain_keyword_results=true&include_translated_tag_results=true&sort=date_desc`:
    /// novels matching `word` (no `filter`, as PixivPy sends none here).
    pub fn search_novel(&self, word: impl Into<String>) -> SearchNovelRequest<'_> {
        SearchNovelRequest::new(
            Call::get(self, "/v1/search/novel")
                .with("word", word.into())
                .with(
                    "search_target",
                    NovelSearchTarget::PartialMatchForTags.as_str(),
                )
                .with("merge_plain_keyword_results", true)
                .with("include_translated_tag_results", true)
                .with("sort", SearchSort::DateDesc.as_str()),
        )
    }

    /// `GET /v1/novel/new?filter=for_ios`: everyone's newest novels.
    pub fn novel_new(&self) -> NovelNewRequest<'_> {
        NovelNewRequest::new(Call::get(self, "/v1/novel/new").with("filter", FILTER))
    }

    /// `GET /v1/novel/follow?restrict=public`: new novels of the users the account follows.
    pub fn novel_follow(&self) -> NovelFollowRequest<'_> {
        NovelFollowRequest::new(
            Call::get(self, "/v1/novel/follow").with("restrict", FollowRestrict::Public.as_str()),
        )
    }

    /// `GET /v1/novel/recommended?include_ranking_label=true&filter=for_ios`: novels Pixiv
    /// recommends to the account (the answer's `ranking_novels` stay in a raw
    /// [`get`](Client::get)).
    pub fn novel_recommended(&self) -> NovelRecommendedRequest<'_> {
        NovelRecommendedRequest::new(
            Call::get(self, "/v1/novel/recommended")
                .with("include_ranking_label", true)
                .with("filter", FILTER),
        )
    }
}

request! {
    /// `/v1/search/novel`, built by [`Client::search_novel`]; await it for the first [`Page`].
    SearchNovelRequest -> Page<Novel>, |call| call.page("novels").await
}

impl SearchNovelRequest<'_> {
    offset_setter!();

    /// `search_target`. Default: [`NovelSearchTarget::PartialMatchForTags`].
    pub fn target(mut self, target: NovelSearchTarget) -> Self {
        self.call.set("search_target", target.as_str());
        self
    }

    /// `sort`. Default: [`SearchSort::DateDesc`].
    pub fn sort(mut self, sort: SearchSort) -> Self {
        self.call.set("sort", sort.as_str());
        self
    }

    /// `merge_plain_keyword_results`. Default: `true`.
    pub fn merge_plain_keyword_results(mut self, merge: bool) -> Self {
        self.call.set("merge_plain_keyword_results", merge);
        self
    }

    /// `include_translated_tag_results`. Default: `true`.
    pub fn include_translated_tag_results(mut self, include: bool) -> Self {
        self.call.set("include_translated_tag_results", include);
        self
    }

    /// `start_date` (inclusive, `YYYY-MM-DD`).
    pub fn start_date(mut self, date: time::Date) -> Self {
        self.call.set("start_date", date_param(date));
        self
    }

    /// `end_date` (inclusive, `YYYY-MM-DD`).
    pub fn end_date(mut self, date: time::Date) -> Self {
        self.call.set("end_date", date_param(date));
        self
    }

    /// `search_ai_type`: `true` (1) lists AI-generated novels, `false` (0) hides them. Default:
    /// not sent (the account's setting).
    pub fn search_ai_type(mut self, show_ai: bool) -> Self {
        self.call.set("search_ai_type", u8::from(show_ai));
        self
    }
}

request! {
    /// `/v1/novel/new`, built by [`Client::novel_new`]; await it for the first [`Page`].
    NovelNewRequest -> Page<Novel>, |call| call.page("novels").await
}

impl NovelNewRequest<'_> {
    /// `max_novel_id`: start at this novel (what `next_url` carries).
    pub fn max_novel_id(mut self, id: u64) -> Self {
        self.call.set("max_novel_id", id);
        self
    }
}

request! {
    /// `/v1/novel/follow`, built by [`Client::novel_follow`]; await it for the first [`Page`].
    NovelFollowRequest -> Page<Novel>, |call| call.page("novels").await
}

impl NovelFollowRequest<'_> {
    offset_setter!();

    /// `restrict`: users followed publicly (the default), privately, or all.
    pub fn restrict(mut self, restrict: FollowRestrict) -> Self {
        self.call.set("restrict", restrict.as_str());
        self
    }
}

request! {
    /// `/v1/novel/recommended`, built by [`Client::novel_recommended`]; await it for the first
    /// [`Page`].
    NovelRecommendedRequest -> Page<Novel>, |call| call.page("novels").await
}

impl NovelRecommendedRequest<'_> {
    offset_setter!();

    /// `include_ranking_label`. Default: `true`.
    pub fn include_ranking_label(mut self, include: bool) -> Self {
        self.call.set("include_ranking_label", include);
        self
    }

    /// `include_ranking_novels`: also answer `ranking_novels`. Default: not sent.
    pub fn include_ranking_novels(mut self, include: bool) -> Self {
        self.call.set("include_ranking_novels", include);
        self
    }

    /// `already_recommended` (comma-separated ids): novels not to recommend again.
    pub fn already_recommended(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
        if ids.is_empty() {
            self.call.unset("already_recommended");
        } else {
            self.call.set("already_recommended", ids.join(","));
        }
        self
    }

    /// `max_bookmark_id_for_recommend`.
    pub fn max_bookmark_id_for_recommend(mut self, id: u64) -> Self {
        self.call.set("max_bookmark_id_for_recommend", id);
        self
    }

    /// `include_privacy_policy`, as sent (PixivPy passes it through).
    pub fn include_privacy_policy(mut self, value: impl Into<String>) -> Self {
        self.call.set("include_privacy_policy", value.into());
        self
    }
}

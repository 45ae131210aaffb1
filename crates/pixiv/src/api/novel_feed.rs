//! Novel lists that are not a user's: search, the new, follow and recommended feeds.

use super::novel_params::page_request;
use super::{FILTER, FollowRestrict, NovelSearchTarget, SearchSort, date_param};
use crate::Client;
use crate::models::Novel;

impl Client {
    /// `GET /v1/search/novel?word=&search_target=partial_match_for_tags&sort=date_desc&
    /// merge_plain_keyword_results=true&include_translated_tag_results=true`: novels matching
    /// `word` (no `filter`, as PixivPy sends none here).
    pub fn search_novel(&self, word: impl Into<String>) -> SearchNovelRequest<'_> {
        SearchNovelRequest {
            client: self,
            word: word.into(),
            target: NovelSearchTarget::PartialMatchForTags,
            sort: SearchSort::DateDesc,
            merge_plain_keyword_results: true,
            include_translated_tag_results: true,
            start_date: None,
            end_date: None,
            search_ai_type: None,
            offset: None,
        }
    }

    /// `GET /v1/novel/new?filter=for_ios`: everyone's newest novels.
    pub fn novel_new(&self) -> NovelNewRequest<'_> {
        NovelNewRequest {
            client: self,
            max_novel_id: None,
        }
    }

    /// `GET /v1/novel/follow?restrict=public`: new novels of the users the account follows.
    pub fn novel_follow(&self) -> NovelFollowRequest<'_> {
        NovelFollowRequest {
            client: self,
            restrict: FollowRestrict::Public,
            offset: None,
        }
    }

    /// `GET /v1/novel/recommended?include_ranking_label=true&filter=for_ios`: novels Pixiv
    /// recommends to the account (the answer's `ranking_novels` stay in a raw
    /// [`get`](Client::get)).
    pub fn novel_recommended(&self) -> NovelRecommendedRequest<'_> {
        NovelRecommendedRequest {
            client: self,
            include_ranking_label: true,
            include_ranking_novels: None,
            already_recommended: Vec::new(),
            max_bookmark_id_for_recommend: None,
            include_privacy_policy: None,
            offset: None,
        }
    }
}

/// `/v1/search/novel`, built by [`Client::search_novel`]; await it for the first
/// [`Page`](crate::Page).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct SearchNovelRequest<'a> {
    client: &'a Client,
    word: String,
    target: NovelSearchTarget,
    sort: SearchSort,
    merge_plain_keyword_results: bool,
    include_translated_tag_results: bool,
    start_date: Option<time::Date>,
    end_date: Option<time::Date>,
    search_ai_type: Option<bool>,
    offset: Option<u32>,
}

fn flag(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

impl SearchNovelRequest<'_> {
    /// `search_target`. Default: [`NovelSearchTarget::PartialMatchForTags`].
    pub fn target(mut self, target: NovelSearchTarget) -> Self {
        self.target = target;
        self
    }

    /// `sort`. Default: [`SearchSort::DateDesc`].
    pub fn sort(mut self, sort: SearchSort) -> Self {
        self.sort = sort;
        self
    }

    /// `merge_plain_keyword_results`. Default: `true`.
    pub fn merge_plain_keyword_results(mut self, merge: bool) -> Self {
        self.merge_plain_keyword_results = merge;
        self
    }

    /// `include_translated_tag_results`. Default: `true`.
    pub fn include_translated_tag_results(mut self, include: bool) -> Self {
        self.include_translated_tag_results = include;
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

    /// `search_ai_type`: `true` (1) lists AI-generated novels, `false` (0) hides them. Default:
    /// not sent (the account's setting).
    pub fn search_ai_type(mut self, show_ai: bool) -> Self {
        self.search_ai_type = Some(show_ai);
        self
    }

    /// `offset`: start after this many novels.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn query(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let mut q = vec![
            ("word", self.word.clone()),
            ("search_target", self.target.as_str().to_owned()),
            (
                "merge_plain_keyword_results",
                flag(self.merge_plain_keyword_results),
            ),
            (
                "include_translated_tag_results",
                flag(self.include_translated_tag_results),
            ),
            ("sort", self.sort.as_str().to_owned()),
        ];
        if let Some(d) = self.start_date {
            q.push(("start_date", date_param(d)));
        }
        if let Some(d) = self.end_date {
            q.push(("end_date", date_param(d)));
        }
        if let Some(ai) = self.search_ai_type {
            q.push(("search_ai_type", u8::from(ai).to_string()));
        }
        if let Some(offset) = self.offset {
            q.push(("offset", offset.to_string()));
        }
        ("/v1/search/novel", q)
    }
}

page_request!(SearchNovelRequest, Novel, "novels");

/// `/v1/novel/new`, built by [`Client::novel_new`]; await it for the first
/// [`Page`](crate::Page).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct NovelNewRequest<'a> {
    client: &'a Client,
    max_novel_id: Option<u64>,
}

impl NovelNewRequest<'_> {
    /// `max_novel_id`: start at this novel (what `next_url` carries).
    pub fn max_novel_id(mut self, id: u64) -> Self {
        self.max_novel_id = Some(id);
        self
    }

    fn query(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let mut q = vec![("filter", FILTER.to_owned())];
        if let Some(max) = self.max_novel_id {
            q.push(("max_novel_id", max.to_string()));
        }
        ("/v1/novel/new", q)
    }
}

page_request!(NovelNewRequest, Novel, "novels");

/// `/v1/novel/follow`, built by [`Client::novel_follow`]; await it for the first
/// [`Page`](crate::Page).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct NovelFollowRequest<'a> {
    client: &'a Client,
    restrict: FollowRestrict,
    offset: Option<u32>,
}

impl NovelFollowRequest<'_> {
    /// `restrict`: users followed publicly (the default), privately, or all.
    pub fn restrict(mut self, restrict: FollowRestrict) -> Self {
        self.restrict = restrict;
        self
    }

    /// `offset`: start after this many novels.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn query(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let mut q = vec![("restrict", self.restrict.as_str().to_owned())];
        if let Some(offset) = self.offset {
            q.push(("offset", offset.to_string()));
        }
        ("/v1/novel/follow", q)
    }
}

page_request!(NovelFollowRequest, Novel, "novels");

/// `/v1/novel/recommended`, built by [`Client::novel_recommended`]; await it for the first
/// [`Page`](crate::Page).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct NovelRecommendedRequest<'a> {
    client: &'a Client,
    include_ranking_label: bool,
    include_ranking_novels: Option<bool>,
    already_recommended: Vec<u64>,
    max_bookmark_id_for_recommend: Option<u64>,
    include_privacy_policy: Option<String>,
    offset: Option<u32>,
}

impl NovelRecommendedRequest<'_> {
    /// `include_ranking_label`. Default: `true`.
    pub fn include_ranking_label(mut self, include: bool) -> Self {
        self.include_ranking_label = include;
        self
    }

    /// `include_ranking_novels`: also answer `ranking_novels`. Default: not sent.
    pub fn include_ranking_novels(mut self, include: bool) -> Self {
        self.include_ranking_novels = Some(include);
        self
    }

    /// `already_recommended` (comma-separated ids): novels not to recommend again.
    pub fn already_recommended(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.already_recommended = ids.into_iter().collect();
        self
    }

    /// `max_bookmark_id_for_recommend`.
    pub fn max_bookmark_id_for_recommend(mut self, id: u64) -> Self {
        self.max_bookmark_id_for_recommend = Some(id);
        self
    }

    /// `include_privacy_policy`, as sent (PixivPy passes it through).
    pub fn include_privacy_policy(mut self, value: impl Into<String>) -> Self {
        self.include_privacy_policy = Some(value.into());
        self
    }

    /// `offset`: start after this many novels.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn query(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let mut q = vec![
            ("include_ranking_label", flag(self.include_ranking_label)),
            ("filter", FILTER.to_owned()),
        ];
        if let Some(offset) = self.offset {
            q.push(("offset", offset.to_string()));
        }
        if let Some(include) = self.include_ranking_novels {
            q.push(("include_ranking_novels", flag(include)));
        }
        if let Some(max) = self.max_bookmark_id_for_recommend {
            q.push(("max_bookmark_id_for_recommend", max.to_string()));
        }
        if !self.already_recommended.is_empty() {
            let ids: Vec<String> = self
                .already_recommended
                .iter()
                .map(u64::to_string)
                .collect();
            q.push(("already_recommended", ids.join(",")));
        }
        if let Some(p) = &self.include_privacy_policy {
            q.push(("include_privacy_policy", p.clone()));
        }
        ("/v1/novel/recommended", q)
    }
}

page_request!(NovelRecommendedRequest, Novel, "novels");

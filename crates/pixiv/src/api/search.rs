//! `/v1/search/illust` and `/v1/search/user`.

use super::request::{Call, offset_setter, request};
use super::{FILTER, SearchDuration, SearchSort, SearchTarget, date_param};
use crate::models::{Illust, UserPreview};
use crate::{Client, Page};

impl Client {
    /// `GET /v1/search/illust?word=&search_target=partial_match_for_tags&sort=date_desc&filter=for_ios`:
    /// works matching `word`. Set [`target`](SearchIllustRequest::target),
    /// [`sort`](SearchIllustRequest::sort), [`duration`](SearchIllustRequest::duration) or a
    /// date range before awaiting.
    pub fn search_illust(&self, word: impl Into<String>) -> SearchIllustRequest<'_> {
        SearchIllustRequest::new(
            Call::get(self, "/v1/search/illust")
                .with("word", word.into())
                .with("search_target", SearchTarget::PartialMatchForTags.as_str())
                .with("sort", SearchSort::DateDesc.as_str())
                .with("filter", FILTER),
        )
    }

    /// `GET /v1/search/user?word=&sort=date_desc&filter=for_ios`: users matching `word`.
    pub fn search_user(&self, word: impl Into<String>) -> SearchUserRequest<'_> {
        SearchUserRequest::new(
            Call::get(self, "/v1/search/user")
                .with("word", word.into())
                .with("sort", SearchSort::DateDesc.as_str())
                .with("filter", FILTER),
        )
    }
}

request! {
    /// `/v1/search/illust`, built by [`Client::search_illust`]; await it for the first [`Page`].
    SearchIllustRequest -> Page<Illust>, |call| call.page("illusts").await
}

impl SearchIllustRequest<'_> {
    /// `search_target`. Default: [`SearchTarget::PartialMatchForTags`].
    pub fn target(mut self, target: SearchTarget) -> Self {
        self.call.set("search_target", target.as_str());
        self
    }

    /// `sort`. Default: [`SearchSort::DateDesc`].
    pub fn sort(mut self, sort: SearchSort) -> Self {
        self.call.set("sort", sort.as_str());
        self
    }

    /// `duration`: only works posted in the last day, week or month. Default: any time.
    pub fn duration(mut self, duration: SearchDuration) -> Self {
        self.call.set("duration", duration.as_str());
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

    /// `search_ai_type`: `false` (PixivPy's `0`) hides AI-generated works, `true` (`1`) shows
    /// them. Default: the account's setting.
    pub fn search_ai_type(mut self, show_ai: bool) -> Self {
        self.call.set("search_ai_type", u8::from(show_ai));
        self
    }

    offset_setter!();
}

request! {
    /// `/v1/search/user`, built by [`Client::search_user`]; await it for the first [`Page`].
    SearchUserRequest -> Page<UserPreview>, |call| call.page("user_previews").await
}

impl SearchUserRequest<'_> {
    /// `sort`. Default: [`SearchSort::DateDesc`].
    pub fn sort(mut self, sort: SearchSort) -> Self {
        self.call.set("sort", sort.as_str());
        self
    }

    /// `duration`: only users active in the last day, week or month.
    pub fn duration(mut self, duration: SearchDuration) -> Self {
        self.call.set("duration", duration.as_str());
        self
    }

    offset_setter!();
}

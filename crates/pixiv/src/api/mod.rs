//! The App API endpoints, as methods of [`Client`](crate::Client).
//!
//! | method | call |
//! |---|---|
//! | [`illust_detail`](crate::Client::illust_detail) | `GET /v1/illust/detail?illust_id=` |
//! | [`illust_related`](crate::Client::illust_related) | `GET /v2/illust/related?illust_id=&filter=for_ios` |
//! | [`ugoira_metadata`](crate::Client::ugoira_metadata) | `GET /v1/ugoira/metadata?illust_id=` |
//! | [`user_detail`](crate::Client::user_detail) | `GET /v1/user/detail?user_id=&filter=for_ios` |
//! | [`user_illusts`](crate::Client::user_illusts) | `GET /v1/user/illusts?user_id=&filter=for_ios&type=` ([`UserIllustsRequest`]) |
//! | [`user_bookmarks`](crate::Client::user_bookmarks) | `GET /v1/user/bookmarks/illust?user_id=&restrict=&filter=for_ios` ([`UserBookmarksRequest`]) |
//! | [`ranking`](crate::Client::ranking) | `GET /v1/illust/ranking?mode=&filter=for_ios&date=` ([`RankingRequest`]) |
//! | [`search_illust`](crate::Client::search_illust) | `GET /v1/search/illust?word=&search_target=&sort=&filter=for_ios&duration=&start_date=&end_date=` ([`SearchIllustRequest`]) |
//! | [`bookmark_add`](crate::Client::bookmark_add) | `POST /v2/illust/bookmark/add` (form `illust_id`, `restrict`, `tags[]`) |
//! | [`bookmark_delete`](crate::Client::bookmark_delete) | `POST /v1/illust/bookmark/delete` (form `illust_id`) |
//! | [`follow_add`](crate::Client::follow_add) | `POST /v1/user/follow/add` (form `user_id`, `restrict`) |
//! | [`follow_delete`](crate::Client::follow_delete) | `POST /v1/user/follow/delete` (form `user_id`) |
//! | [`get`](crate::Client::get), [`post`](crate::Client::post), [`post_json`](crate::Client::post_json), [`delete`](crate::Client::delete) | anything else |
//!
//! Novels, comments, the novel viewer page and showcase articles (`docs/facade.md`, "Novels"):
//!
//! | method | call |
//! |---|---|
//! | [`novel_detail`](crate::Client::novel_detail) | `GET /v2/novel/detail?novel_id=` |
//! | [`user_novels`](crate::Client::user_novels) | `GET /v1/user/novels?user_id=&filter=for_ios` ([`UserNovelsRequest`]) |
//! | [`novel_series`](crate::Client::novel_series) | `GET /v2/novel/series?series_id=&filter=for_ios` ([`NovelSeriesRequest`]) |
//! | [`search_novel`](crate::Client::search_novel) | `GET /v1/search/novel?word=&search_target=&merge_plain_keyword_results=&include_translated_tag_results=&sort=` ([`SearchNovelRequest`]) |
//! | [`user_bookmarks_novel`](crate::Client::user_bookmarks_novel) | `GET /v1/user/bookmarks/novel?user_id=&restrict=&filter=for_ios` ([`UserBookmarksNovelRequest`]) |
//! | [`novel_bookmark_detail`](crate::Client::novel_bookmark_detail) | `GET /v2/novel/bookmark/detail?novel_id=` |
//! | [`novel_new`](crate::Client::novel_new), [`novel_follow`](crate::Client::novel_follow), [`novel_recommended`](crate::Client::novel_recommended) | `GET /v1/novel/{new,follow,recommended}` |
//! | [`illust_comments`](crate::Client::illust_comments), [`novel_comments`](crate::Client::novel_comments) (and `_v3`, `_comment_replies`) | `GET /v1/{illust,novel}/comments`, `/v3/..`, `/v2/{illust,novel}/comment/replies` ([`CommentsRequest`]) |
//! | [`webview_novel`](crate::Client::webview_novel) | `GET /webview/v2/novel?id=&viewer_version=20221031_ai` (HTML; [`parse_webview_novel`]) |
//! | [`showcase_article`](crate::Client::showcase_article) | `GET {web_base}/ajax/showcase/article?article_id=` (web host, no Bearer) |
//!
//! The query names are PixivPy's, `filter=for_ios` included where PixivPy sends it. Calls with
//! many options return a request builder that borrows the client and is awaited directly
//! (`IntoFuture`): `client.search_illust("猫").sort(SearchSort::PopularDesc).await?`.

mod bookmark;
mod comment;
mod illust;
mod novel;
mod novel_feed;
mod novel_params;
mod novel_webview;
mod params;
mod ranking;
mod raw;
// `Call` is shared by every endpoint file; some of its builders serve only the illust half.
#[allow(dead_code)]
mod request;
mod search;
mod showcase;
mod user;

pub use comment::CommentsRequest;
pub use novel::{
    NovelBookmarkDetailRequest, NovelDetailRequest, NovelSeries, NovelSeriesRequest,
    UserBookmarksNovelRequest, UserNovelsRequest,
};
pub use novel_feed::{
    NovelFollowRequest, NovelNewRequest, NovelRecommendedRequest, SearchNovelRequest,
};
pub use novel_params::{FollowRestrict, NovelSearchTarget};
pub use novel_webview::{
    WEBVIEW_VIEWER_VERSION, WebviewNovelHtmlRequest, WebviewNovelRequest, parse_webview_novel,
};
pub use params::{RankingMode, Restrict, SearchDuration, SearchSort, SearchTarget, UserIllustType};
pub use ranking::RankingRequest;
pub use search::SearchIllustRequest;
pub use user::{UserBookmarksRequest, UserIllustsRequest};

/// PixivPy's `filter` value, sent with list calls.
pub(crate) const FILTER: &str = "for_ios";

/// `YYYY-MM-DD`, the date form Pixiv's queries take.
pub(crate) fn date_param(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

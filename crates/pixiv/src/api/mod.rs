//! The App API endpoints, as methods of [`Client`](crate::Client).
//!
//! `docs/facade.md` has the table of every endpoint, its PixivPy name and its options.
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
//! (`IntoFuture`): `client.search_illust("猫").sort(SearchSort::PopularDesc).await?`. Every
//! builder has `without_auth()`, PixivPy's `req_auth=False`.

mod bookmark;
mod comment;
mod feed;
mod follow;
mod illust;
mod novel;
mod novel_feed;
mod novel_params;
mod novel_webview;
mod params;
mod ranking;
mod raw;
pub(crate) mod request;
mod search;
mod showcase;
mod user;

pub use bookmark::{BookmarkAddRequest, BookmarkDetailRequest};
pub use comment::CommentsRequest;
pub use feed::{IllustNewRequest, IllustRecommendedRequest, TrendingTagsRequest};
pub use follow::{FollowAddRequest, IllustFollowRequest, UserFollowingRequest};
pub use illust::{
    IllustDetailRequest, IllustRelatedRequest, IllustSeriesRequest, UgoiraMetadataRequest,
};
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
pub use search::{SearchIllustRequest, SearchUserRequest};
pub use user::{
    ActionRequest, UserBookmarkTagsRequest, UserBookmarksRequest, UserDetailRequest,
    UserIllustsRequest, UserPreviewsRequest,
};

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

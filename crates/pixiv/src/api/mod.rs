//! The App API endpoints, as methods of [`Client`](crate::Client).
//!
//! `docs/facade.md` has the table of every endpoint, its PixivPy name and its options.
//!
//! The query names are PixivPy's, `filter=for_ios` included where PixivPy sends it. Calls with
//! many options return a request builder that borrows the client and is awaited directly
//! (`IntoFuture`): `client.search_illust("猫").sort(SearchSort::PopularDesc).await?`. Every
//! builder has `without_auth()`, PixivPy's `req_auth=False`.

mod bookmark;
mod feed;
mod follow;
mod illust;
mod params;
mod ranking;
mod raw;
pub(crate) mod request;
mod search;
mod user;

pub use bookmark::{BookmarkAddRequest, BookmarkDetailRequest};
pub use feed::{IllustNewRequest, IllustRecommendedRequest, TrendingTagsRequest};
pub use follow::{FollowAddRequest, IllustFollowRequest, UserFollowingRequest};
pub use illust::{
    IllustDetailRequest, IllustRelatedRequest, IllustSeriesRequest, UgoiraMetadataRequest,
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

//! The pixiv-rs facade: one dependency for an application that talks to Pixiv's App API.
//!
//! - [`Client`]: OAuth refresh-token login (refreshed before expiry and after a rejected token,
//!   once for every clone and task), typed endpoints ([`api`]), pagination as a `Stream`
//!   ([`Page`]), raw `get`/`post`/`delete` for the rest, and downloads of works to files.
//! - [`models`]: serde types for works, users, ugoira, novels (and the novel viewer's
//!   [`WebviewNovel`]) and comments; unknown fields kept.
//! - [`oauth`]: the token call, the [`OAuthTokenSource`](oauth::OAuthTokenSource), and the PKCE
//!   login that gets a first refresh token.
//! - What gets written beside downloads: [`metadata`] (filename template fields, JSON and tags
//!   sidecars, file times), [`ugoira`] (frames to APNG, GIF, WebP, WebM, MP4), [`novel_text`]
//!   (novel markup to text, Markdown, HTML).
//! - Re-exports: the error types of `pixiv-errors`, the transport settings of `pixiv-transport`
//!   (and the whole crate as [`transport`]), the download types of `pixiv-download` (and the
//!   whole crate as [`download`]).
//!
//! `docs/facade.md` is the guide. See [`Client`] for a runnable example.

pub mod api;
mod client;
pub mod download;
mod language;
pub mod metadata;
pub mod models;
pub mod novel_text;
pub mod oauth;
mod page;
pub mod ugoira;

pub use api::{
    RankingMode, RankingRequest, Restrict, SearchDuration, SearchIllustRequest, SearchSort,
    SearchTarget, UserBookmarksRequest, UserIllustType, UserIllustsRequest,
};
pub use client::{
    Client, ClientBuilder, DEFAULT_API_BASE, DEFAULT_IMAGE_BASE, DEFAULT_IMAGE_RATE_LIMIT,
    DEFAULT_IMAGE_RATE_WINDOW, DEFAULT_OAUTH_BASE, DEFAULT_OAUTH_RATE_LIMIT, DEFAULT_WEB_BASE,
};
pub use models::{AuthUser, Illust, IllustType, UgoiraMetadata, User, UserDetail};
pub use models::{BookmarkDetail, BookmarkTag, IllustSeries, TrendingTag, UserPreview};
pub use page::{DEFAULT_MAX_EMPTY_PAGES, DEFAULT_MAX_PAGES, Page};

pub use api::{
    CommentsRequest, FollowRestrict, NovelFollowRequest, NovelNewRequest, NovelRecommendedRequest,
    NovelSearchTarget, NovelSeries, NovelSeriesRequest, SearchNovelRequest,
    UserBookmarksNovelRequest, UserNovelsRequest,
};
pub use models::{Comment, Novel, WebviewNovel};

pub use pixiv_errors::{
    AuthErrorKind, BoxError, PixivError, RedirectErrorKind, ResponseDetails, TimeoutPhase,
};
pub use pixiv_transport::auth::AccessToken;
#[cfg(feature = "bypass")]
pub use pixiv_transport::bypass::Route;
pub use pixiv_transport::connect::{ConnectConfig, ProxyConfig, TlsConfig};
pub use pixiv_transport::{MetricsSnapshot, Timeouts, TransportBuilder};

pub use download::{DownloadOptions, UgoiraDownload};
pub use pixiv_download::{Downloaded, Downloader, Event, EventSink, Outcome};

/// The whole transport crate (`pixiv-transport`), for its layers and settings.
pub use pixiv_transport as transport;

/// `Client` is shared across tasks: it must stay `Send + Sync` (and cheap to clone).
const _: () = {
    const fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Client>();
};

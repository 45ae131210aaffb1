//! The envelopes of single answers (lists are [`Page`](crate::Page)s).

use serde::{Deserialize, Serialize};

use super::{BookmarkDetail, Extra, Illust, UgoiraMetadata};

/// The answer of `/v1/illust/detail`: `{"illust": {..}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IllustDetail {
    /// The work.
    pub illust: Illust,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of `/v1/ugoira/metadata`: `{"ugoira_metadata": {..}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UgoiraMetadataResponse {
    /// The metadata.
    pub ugoira_metadata: UgoiraMetadata,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of `/v2/illust/bookmark/detail`: `{"bookmark_detail": {..}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BookmarkDetailResponse {
    /// The detail.
    pub bookmark_detail: BookmarkDetail,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

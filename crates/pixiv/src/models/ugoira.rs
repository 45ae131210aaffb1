//! Ugoira (animations): [`UgoiraMetadata`] and its [`Frame`]s.

use serde::{Deserialize, Serialize};

use super::Extra;
use super::de::null_default;

/// `ugoira_metadata` of `/v1/ugoira/metadata`: where the frames' zip is and how long each shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UgoiraMetadata {
    /// The zip of the frames.
    #[serde(default, deserialize_with = "null_default")]
    pub zip_urls: ZipUrls,
    /// The frames, in order.
    #[serde(default, deserialize_with = "null_default")]
    pub frames: Vec<Frame>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The zip URLs (`medium`: 600×600 frames).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ZipUrls {
    /// The 600×600 zip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One frame: a file in the zip and how long it shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Frame {
    /// The file name inside the zip (`000000.jpg`).
    pub file: String,
    /// How long it shows, in milliseconds.
    pub delay: u32,
}

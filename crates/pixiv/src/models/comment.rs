//! Comments of works and novels: [`Comment`] as the v1 lists (with `parent_comment`), the v3 lists
//! (with `has_replies` and `stamp`) and the replies lists send it.

use serde::{Deserialize, Serialize};

use super::de::{empty_object_none, id, null_default};
use super::{Extra, ProfileImageUrls};

/// A comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Comment {
    /// The comment's id (what [`illust_comment_replies`](crate::Client::illust_comment_replies)
    /// takes).
    pub id: u64,
    /// The text; empty for a stamp.
    #[serde(default, deserialize_with = "null_default")]
    pub comment: String,
    /// When it was written (`2024-02-01T00:00:00+09:00`).
    #[serde(default, deserialize_with = "null_default")]
    pub date: String,
    /// Who wrote it; `None` for a user who left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<CommentUser>,
    /// The comment this one answers (v1 lists); `None` for `{}` or a top-level comment.
    #[serde(
        default,
        deserialize_with = "empty_object_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent_comment: Option<Box<Comment>>,
    /// Whether it has replies (v3 lists only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_replies: Option<bool>,
    /// The stamp sent instead of text (v3), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<Stamp>,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The author of a comment (PixivPy's `CommentUser`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CommentUser {
    /// The user id.
    #[serde(deserialize_with = "id")]
    pub id: u64,
    /// The display name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// The account (the `@name`).
    #[serde(default, deserialize_with = "null_default")]
    pub account: String,
    /// Profile pictures.
    #[serde(default, deserialize_with = "null_default")]
    pub profile_image_urls: ProfileImageUrls,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A stamp (a sticker sent as a comment).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Stamp {
    /// Pixiv's stamp id.
    #[serde(default, deserialize_with = "null_default")]
    pub stamp_id: u64,
    /// Its image.
    #[serde(default, deserialize_with = "null_default")]
    pub stamp_url: String,
    /// Every field not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v3_shapes_parse() {
        let v1 = serde_json::json!({
            "id": 2, "comment": "re", "date": "2024-02-01T00:00:00+09:00",
            "user": {"id": 5, "name": "n", "account": "a", "profile_image_urls": {"medium": "m"}},
            "parent_comment": {"id": 1, "comment": "c", "date": "", "user": null, "parent_comment": {}},
        });
        let c: Comment = serde_json::from_value(v1).unwrap();
        let parent = c.parent_comment.as_deref().unwrap();
        assert_eq!(parent.id, 1);
        assert!(parent.user.is_none() && parent.parent_comment.is_none());
        assert_eq!(c.user.as_ref().map(|u| u.id), Some(5));

        let v3 = serde_json::json!({
            "id": 3, "comment": "", "date": "", "user": null, "has_replies": true,
            "stamp": {"stamp_id": 301, "stamp_url": "s"},
        });
        let c: Comment = serde_json::from_value(v3).unwrap();
        assert_eq!(c.has_replies, Some(true));
        assert_eq!(c.stamp.as_ref().map(|s| s.stamp_id), Some(301));
        let again: Comment = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(again, c);
    }
}

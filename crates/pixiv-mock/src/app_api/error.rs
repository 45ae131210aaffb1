//! Pixiv's error answers: `{"error": {"user_message", "message", "reason", "user_message_details": {}}}`.

use http::StatusCode;
use serde_json::{Value, json};

use super::ApiResponse;

/// Pixiv's text for a work that is missing or deleted ("this work was deleted or its id does not exist").
pub(super) const ILLUST_NOT_FOUND: &str = "該当作品は削除されたか、存在しない作品IDです。";

/// Pixiv's text for a user that left or never existed.
pub(super) const USER_NOT_FOUND: &str = "該当ユーザーは既に退会したか、存在しないユーザーIDです";

/// Pixiv's error body.
pub(super) fn body(user_message: &str, message: &str, reason: &str) -> Value {
    json!({
        "error": {
            "user_message": user_message,
            "message": message,
            "reason": reason,
            "user_message_details": {},
        }
    })
}

/// An error answer.
pub(super) fn answer(
    status: StatusCode,
    user_message: &str,
    message: &str,
    reason: &str,
) -> ApiResponse {
    ApiResponse {
        status,
        body: body(user_message, message, reason),
    }
}

/// 400 for a missing or invalid parameter, `message` saying which.
pub(super) fn bad_request(message: impl AsRef<str>) -> ApiResponse {
    answer(StatusCode::BAD_REQUEST, "", message.as_ref(), "")
}

/// 404 for a work that does not exist.
pub(super) fn illust_not_found() -> ApiResponse {
    answer(StatusCode::NOT_FOUND, ILLUST_NOT_FOUND, "", "")
}

/// 404 for a user that does not exist.
pub(super) fn user_not_found() -> ApiResponse {
    answer(StatusCode::NOT_FOUND, USER_NOT_FOUND, "", "")
}

/// 404 for a path the App API does not have.
pub(super) fn no_such_path() -> ApiResponse {
    answer(StatusCode::NOT_FOUND, "", "", "Not Found")
}

/// 405 for a path called with the wrong method.
pub(super) fn method_not_allowed() -> ApiResponse {
    answer(StatusCode::METHOD_NOT_ALLOWED, "", "Method Not Allowed", "")
}

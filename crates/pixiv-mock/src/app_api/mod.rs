//! The App API endpoints of the mock (being written by the API helper).

use http::{Method, StatusCode};

/// One App API call, already authenticated and with its faults handled by the server core.
#[derive(Debug)]
pub(crate) struct ApiRequest<'a> {
    /// The method.
    pub(crate) method: &'a Method,
    /// The path, e.g. `/v1/illust/detail`.
    pub(crate) path: &'a str,
    /// The decoded query pairs in order; repeated keys (`seed_illust_ids[]`) repeat.
    pub(crate) query: &'a [(String, String)],
    /// The decoded `application/x-www-form-urlencoded` body pairs (empty when there is none).
    pub(crate) form: &'a [(String, String)],
    /// The user the bearer token belongs to.
    pub(crate) user_id: u64,
    /// The mock's origin, e.g. `https://127.0.0.1:40000`, for `next_url` and image URLs.
    pub(crate) base_url: &'a str,
}

/// The answer to an App API call.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    /// The status.
    pub(crate) status: StatusCode,
    /// The JSON body.
    pub(crate) body: serde_json::Value,
}

/// The App API's state (bookmarks, follows) and its router.
#[derive(Debug, Default)]
pub(crate) struct AppApi {}

impl AppApi {
    /// A new App API with no bookmarks or follows.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Answers one call; unknown paths get Pixiv's 404 error body.
    pub(crate) fn handle(&self, req: &ApiRequest<'_>) -> ApiResponse {
        let _ = req;
        ApiResponse {
            status: StatusCode::NOT_FOUND,
            body: serde_json::json!({"error": {"user_message": "", "message": "", "reason": "Not Found", "user_message_details": {}}}),
        }
    }
}

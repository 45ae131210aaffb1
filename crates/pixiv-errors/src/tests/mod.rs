//! Unit tests: [`classify`](crate::classify()) (in `classify.rs`, with Pixiv's bodies as
//! PixivPy and the App API send them) and the errors themselves (in `errors.rs`: details,
//! redaction on the error, constructors, `Display`, copies). The shared bodies and helpers are
//! here.

mod classify;
mod errors;

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderValue, StatusCode};

use super::*;

pub(super) const RATE_LIMIT: &str = r#"{"error": {"user_message": "", "message": "Rate Limit", "reason": "", "user_message_details": {}}}"#;
pub(super) const INVALID_GRANT: &str = r#"{"error": {"user_message": "", "message": "Error occurred at the OAuth process. Please check your Access Token to fix this. Error Message: invalid_grant", "reason": "", "user_message_details": {}}}"#;
pub(super) const RESTRICTED: &str = r#"{"error": {"user_message": "Your access is currently restricted.", "message": "", "reason": "", "user_message_details": {}}}"#;
pub(super) const OAUTH_INVALID_REFRESH: &str = r#"{"has_error": true, "errors": {"system": {"message": "Invalid refresh token", "code": 1508}}}"#;
pub(super) const OAUTH_INVALID_REFRESH_GRANT: &str = r#"{"has_error": true, "errors": {"system": {"message": "Invalid refresh token", "code": 1508}}, "error": "invalid_grant"}"#;
pub(super) const WORK_MISSING: &str = r#"{"error": {"user_message": "該当作品は削除されたか、存在しない作品IDです。", "message": "", "reason": "", "user_message_details": {}}}"#;
pub(super) const CHALLENGE_HTML: &str = r#"<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={cvId: '3',cZone: "app-api.pixiv.net"};</script></body></html>"#;

pub(super) fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

pub(super) fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in pairs {
        h.append(*name, HeaderValue::from_str(value).unwrap());
    }
    h
}

pub(super) fn classify_now(status: u16, h: &HeaderMap, body: &str) -> Option<PixivError> {
    classify_at(
        StatusCode::from_u16(status).unwrap(),
        h,
        body.as_bytes(),
        now(),
    )
}

pub(super) fn cloudflare_headers() -> HeaderMap {
    headers(&[
        ("server", "cloudflare"),
        ("content-type", "text/html; charset=UTF-8"),
    ])
}

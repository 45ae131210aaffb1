//! The token call itself: headers, form, answer parsing and error wording.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, Request};
use md5::{Digest as _, Md5};
use pixiv_errors::{AuthErrorKind, PixivError};
use pixiv_transport::auth::AccessToken;
use pixiv_transport::{RequestBody, Transport};
use serde::Deserialize;
use time::OffsetDateTime;
use time::macros::format_description;

use super::{CLIENT_ID, CLIENT_SECRET, HASH_SECRET, TOKEN_PATH};
use crate::models::AuthUser;

/// `X-Client-Time` for `now`, in UTC with seconds precision: `2026-11-28T17:05:00+00:00`.
pub fn client_time(now: OffsetDateTime) -> String {
    let utc = now.to_offset(time::UtcOffset::UTC);
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    // Every UTC date of years 0..=9999 formats; a year outside that has no RFC 3339 form, and
    // the clock of a machine that talks to Pixiv is not there.
    utc.format(&format).unwrap_or_default()
}

/// `X-Client-Hash` for a `X-Client-Time` value: lowercase hex MD5 of `client_time` followed by
/// [`HASH_SECRET`].
pub fn client_hash(client_time: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(client_time.as_bytes());
    md5.update(HASH_SECRET.as_bytes());
    hex::encode(md5.finalize())
}

/// A refresh token: what an application stores to log in again. `Debug` and `Display` print
/// `<redacted>`; the secret is only reachable through [`secret`](Self::secret).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RefreshToken(String);

impl RefreshToken {
    /// Wraps a token string.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, to store it.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

impl fmt::Display for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What a successful token call gives.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Tokens {
    /// The access token for the App API.
    pub access_token: AccessToken,
    /// How long it lives (`expires_in`; Pixiv's is 3600 s).
    pub expires_in: Duration,
    /// The refresh token to keep (a new one when Pixiv rotated it, else the one sent).
    pub refresh_token: RefreshToken,
    /// The logged-in account.
    pub user: AuthUser,
}

/// The fields of the answer we read; no `Debug`, it holds secrets.
#[derive(Deserialize)]
struct RawTokens {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<String>,
    user: AuthUser,
}

/// Which grant, for the error wording.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Grant {
    RefreshToken,
    AuthorizationCode,
}

/// `POST {oauth_base}/auth/token` with the client fields, the hash headers and `form`.
pub(crate) async fn token_call(
    transport: &Transport,
    oauth_base: &str,
    grant: Grant,
    form: &[(&str, &str)],
    sent_refresh_token: Option<&str>,
) -> Result<Tokens, PixivError> {
    let now = client_time(OffsetDateTime::now_utc());
    let hash = client_hash(&now);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", CLIENT_ID)
        .append_pair("client_secret", CLIENT_SECRET)
        .extend_pairs(form)
        .finish();
    let url = format!("{}{TOKEN_PATH}", oauth_base.trim_end_matches('/'));
    let req = Request::builder()
        .method(Method::POST)
        .uri(url.as_str())
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .header("x-client-time", now.as_str())
        .header("x-client-hash", hash.as_str())
        .body(RequestBody::new(Bytes::from(body)))
        .map_err(|e| PixivError::invalid_input("OAuth base URL", e.to_string()))?;
    let answer: serde_json::Value = transport.json(req).await.map_err(|e| reword(e, grant))?;
    parse(answer, sent_refresh_token)
}

/// Reads `response`, falling back to the top level.
pub(crate) fn parse(
    mut answer: serde_json::Value,
    sent_refresh_token: Option<&str>,
) -> Result<Tokens, PixivError> {
    let inner = match answer.get_mut("response") {
        Some(r) if r.is_object() => r.take(),
        _ => answer,
    };
    // The serde message names the missing field only; no snippet: the body holds tokens.
    let raw = RawTokens::deserialize(inner)
        .map_err(|e| PixivError::decode(format!("the OAuth answer could not be read: {e}"), &[]))?;
    let refresh_token = match (raw.refresh_token, sent_refresh_token) {
        (Some(new), _) if !new.is_empty() => new,
        (_, Some(old)) => old.to_owned(),
        _ => {
            return Err(PixivError::decode(
                "the OAuth answer has no refresh_token",
                &[],
            ));
        }
    };
    Ok(Tokens {
        access_token: AccessToken::new(raw.access_token),
        expires_in: Duration::from_secs(raw.expires_in.unwrap_or(3600)),
        refresh_token: RefreshToken::new(refresh_token),
        user: raw.user,
    })
}

/// Says in plain words what a rejected grant means.
fn reword(err: PixivError, grant: Grant) -> PixivError {
    let PixivError::Auth {
        status,
        kind: AuthErrorKind::InvalidRefreshToken,
        message,
        details,
    } = err
    else {
        return err;
    };
    let what = match grant {
        Grant::RefreshToken => "the refresh token",
        Grant::AuthorizationCode => "the authorization code",
    };
    let code = details
        .code()
        .map(|c| format!(" (code {c})"))
        .unwrap_or_default();
    PixivError::auth(
        status,
        AuthErrorKind::InvalidRefreshToken,
        format!("{what} was rejected by Pixiv: {message}{code}"),
    )
    .with_details(*details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn client_time_is_utc_seconds_with_explicit_offset() {
        assert_eq!(
            client_time(datetime!(2026-11-28 17:05:00.987 UTC)),
            "2026-11-28T17:05:00+00:00"
        );
        // A local time is converted to UTC first.
        assert_eq!(
            client_time(datetime!(2026-11-29 02:05:00 +09:00)),
            "2026-11-28T17:05:00+00:00"
        );
    }

    #[test]
    fn client_hash_is_md5_of_time_and_secret() {
        // printf %s '2026-11-28T17:05:00+00:0028c1fd...' | md5sum
        let h = client_hash("2026-11-28T17:05:00+00:00");
        let mut md5 = Md5::new();
        md5.update(format!("2026-11-28T17:05:00+00:00{HASH_SECRET}").as_bytes());
        assert_eq!(h, hex::encode(md5.finalize()));
        assert!(h.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    }

    #[test]
    fn answer_is_read_from_response_then_top_level() {
        let user = serde_json::json!({"id": "42", "name": "n", "account": "a"});
        let inner = serde_json::json!({"access_token": "A", "expires_in": 10, "refresh_token": "R2", "user": user});
        let t = parse(serde_json::json!({"response": inner.clone()}), Some("R1")).unwrap();
        assert_eq!(
            (t.access_token.secret(), t.refresh_token.secret(), t.user.id),
            ("A", "R2", 42)
        );
        assert_eq!(t.expires_in, Duration::from_secs(10));
        let t = parse(inner, Some("R1")).unwrap();
        assert_eq!(t.access_token.secret(), "A");
        // No new refresh token: the one sent stays.
        let t = parse(
            serde_json::json!({"access_token": "A", "user": {"id": 1}}),
            Some("R1"),
        )
        .unwrap();
        assert_eq!(t.refresh_token.secret(), "R1");
        let err = parse(serde_json::json!({"user": {"id": 1}}), Some("R1")).unwrap_err();
        assert!(err.to_string().contains("access_token"), "{err}");
    }

    #[test]
    fn tokens_never_print() {
        let t = parse(
            serde_json::json!({"access_token": "sekrit-a", "refresh_token": "sekrit-r", "user": {"id": 1}}),
            None,
        )
        .unwrap();
        let shown = format!("{t:?} {}", t.refresh_token);
        assert!(!shown.contains("sekrit"), "{shown}");
    }
}

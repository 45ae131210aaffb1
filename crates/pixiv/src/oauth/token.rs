//! The token call itself: headers, form, answer parsing and error wording.

use std::fmt;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_TYPE, LOCATION};
use http::{HeaderValue, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use md5::{Digest as _, Md5};
use pixiv_errors::{AuthErrorKind, PixivError, Secret};
use pixiv_transport::auth::{AccessToken, MAX_TOKEN_LIFETIME};
use pixiv_transport::redirect::NoFollow;
use pixiv_transport::{Body, RequestBody, Transport};
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
    // Held as a `Secret` (so remembered for redaction by value, again if it was forgotten) and
    // exposed only to the hash.
    let hash_secret = Secret::new(HASH_SECRET);
    let mut md5 = Md5::new();
    md5.update(client_time.as_bytes());
    md5.update(hash_secret.expose().as_bytes());
    hex::encode(md5.finalize())
}

/// A refresh token: what an application stores to log in again. `Debug` and `Display` print
/// `<redacted>`; the secret is only reachable through [`secret`](Self::secret).
///
/// It holds a [`Secret`], which registers its value with
/// [`pixiv_errors::redact::remember_secret`] (so the token in use and the ones it replaced are
/// scrubbed from every text an error stores).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RefreshToken(pixiv_errors::Secret);

impl RefreshToken {
    /// Wraps a token string (a [`pixiv_errors::Secret`], which remembers it).
    pub fn new(token: impl Into<String>) -> Self {
        Self(pixiv_errors::Secret::new(token))
    }

    /// The token itself, to store it.
    pub fn secret(&self) -> &str {
        self.0.expose()
    }

    /// The token as the [`Secret`] it is held in (for the token call's form).
    pub(crate) fn as_secret(&self) -> &Secret {
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

/// The lifetime assumed when the answer has no `expires_in`: Pixiv's 3600 s.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The most bytes of a token answer read: Pixiv's is under 2 KiB.
const MAX_TOKEN_ANSWER: usize = 64 * 1024;

/// The fields of the answer we read; no `Debug`, it holds secrets.
#[derive(Deserialize)]
struct RawTokens {
    access_token: String,
    /// Read as any JSON value and checked by [`lifetime`]: a server may send anything here.
    #[serde(default)]
    expires_in: serde_json::Value,
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

/// A value of the token call's form: a secret (the refresh token, the code, the verifier) stays a
/// [`Secret`] until the form body is built, the one place that sends it.
pub(crate) enum FormValue {
    /// A value that is no secret (`grant_type`, `include_policy`...).
    Plain(&'static str),
    /// A secret, remembered for redaction by value since it was made.
    Secret(Secret),
}

impl FormValue {
    fn expose(&self) -> &str {
        match self {
            Self::Plain(text) => text,
            Self::Secret(secret) => secret.expose(),
        }
    }
}

/// `POST {oauth_base}/auth/token` with the client fields, the hash headers and `form`.
pub(crate) async fn token_call(
    transport: &Transport,
    oauth_base: &str,
    grant: Grant,
    form: &[(&str, FormValue)],
    sent_refresh_token: Option<&str>,
) -> Result<Tokens, PixivError> {
    // Made per call, so remembered for redaction by value again if a long run forgot it.
    let client_secret = Secret::new(CLIENT_SECRET);
    let now = client_time(OffsetDateTime::now_utc());
    let hash = client_hash(&now);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", CLIENT_ID)
        .append_pair("client_secret", client_secret.expose())
        .extend_pairs(form.iter().map(|(key, value)| (*key, value.expose())))
        .finish();
    let url = format!("{}{TOKEN_PATH}", oauth_base.trim_end_matches('/'));
    let mut req = Request::builder()
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
    // The form holds the client secret and the refresh token (or code and verifier): it goes to
    // the configured OAuth origin and nowhere else, so no redirect is followed (docs/security.md).
    req.extensions_mut().insert(NoFollow);
    let resp = transport.send(req).await.map_err(|e| reword(e, grant))?;
    if resp.status().is_redirection() {
        let origin = location_origin(&url, resp.headers().get(LOCATION));
        return Err(redirected(resp.status(), &origin));
    }
    let bytes = read_capped(resp.into_body(), MAX_TOKEN_ANSWER).await?;
    let answer: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| PixivError::decode_json(&e, &bytes))?;
    parse(answer, sent_refresh_token)
}

/// The `Auth` error for a token endpoint that answered `status` (a 3xx) towards `origin`.
fn redirected(status: StatusCode, origin: &str) -> PixivError {
    PixivError::auth(
        Some(status),
        AuthErrorKind::Redirected,
        format!(
            "the token endpoint answered {status} towards {origin}; a token request never \
             follows a redirect (its form holds secrets): check the OAuth base URL"
        ),
    )
}

/// The origin (`scheme://host:port`) a `Location` points to, resolved against the request URL;
/// never its path or query, which may carry anything.
fn location_origin(request_url: &str, location: Option<&HeaderValue>) -> String {
    let Some(location) = location else {
        return "no Location".to_owned();
    };
    let target = std::str::from_utf8(location.as_bytes())
        .ok()
        .and_then(|l| url::Url::parse(request_url).ok()?.join(l).ok());
    match target {
        Some(u) => match u.origin() {
            origin @ url::Origin::Tuple(..) => origin.ascii_serialization(),
            url::Origin::Opaque(_) => format!("a {}: URL", u.scheme()),
        },
        None => "an unreadable Location".to_owned(),
    }
}

/// The body, up to `cap` bytes; a longer one is [`PixivError::BodyTooLarge`].
async fn read_capped(mut body: Body, cap: usize) -> Result<Bytes, PixivError> {
    let mut out = BytesMut::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            if out.len().saturating_add(data.len()) > cap {
                return Err(PixivError::body_too_large(cap as u64));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out.freeze())
}

/// The token's lifetime from the answer's `expires_in`: seconds as a JSON number or a numeric
/// string, capped at [`MAX_TOKEN_LIFETIME`]; absent or `null`
/// is Pixiv's 3600 s. A negative, non-finite or non-numeric value is a `Decode` error: nothing a
/// server sends may overflow the client's clock arithmetic (issue #19).
fn lifetime(expires_in: &serde_json::Value) -> Result<Duration, PixivError> {
    use serde_json::Value;
    let seconds = match expires_in {
        Value::Null => return Ok(DEFAULT_LIFETIME),
        Value::Number(n) => n.as_u64().map(|s| s as f64).or_else(|| n.as_f64()),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match seconds {
        Some(s) if s.is_finite() && s >= 0.0 => {
            let cap = MAX_TOKEN_LIFETIME.as_secs_f64();
            Ok(Duration::from_secs_f64(s.min(cap)))
        }
        _ => Err(PixivError::decode(
            "the OAuth answer's expires_in is not a number of seconds",
            &[],
        )),
    }
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
    // The serde message names the missing field only; the body (it holds tokens) is not kept.
    let raw = RawTokens::deserialize(inner).map_err(|e| {
        // serde's wording with the values it quotes elided (they may be tokens).
        let why = match PixivError::decode_json(&e, &[]) {
            PixivError::Decode { message, .. } => message,
            other => other.to_string(),
        };
        PixivError::decode(format!("the OAuth answer could not be read: {why}"), &[])
    })?;
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
        expires_in: lifetime(&raw.expires_in)?,
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

    proptest::proptest! {
        // Issue #19: whatever `expires_in` a server sends (huge, negative, fractional, a string),
        // reading it never panics and a lifetime is at most a day.
        #[test]
        fn any_expires_in_is_a_capped_lifetime_or_a_decode_error(
            f in proptest::prelude::any::<f64>(),
            u in proptest::prelude::any::<u64>(),
            i in proptest::prelude::any::<i64>(),
            text in ".{0,24}",
        ) {
            let values = [
                serde_json::json!(f),
                serde_json::json!(u),
                serde_json::json!(i),
                serde_json::json!(text),
                serde_json::json!(f.to_string()),
            ];
            for v in values {
                match lifetime(&v) {
                    Ok(life) => proptest::prop_assert!(life <= MAX_TOKEN_LIFETIME),
                    Err(e) => proptest::prop_assert!(e.to_string().contains("expires_in")),
                }
            }
        }
    }

    #[test]
    fn an_unreadable_answer_quotes_no_value() {
        let err = parse(
            serde_json::json!({"access_token": "A", "user": "unkeyed-secret-value-123"}),
            None,
        )
        .unwrap_err();
        assert!(!err.to_string().contains("unkeyed-secret"), "{err}");
        assert!(err.to_string().contains("could not be read"), "{err}");
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

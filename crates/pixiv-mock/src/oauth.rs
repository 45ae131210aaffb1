//! OAuth: `POST /auth/token` (refresh token and PKCE authorization code grants), the PKCE login
//! page `GET /web/v1/login`, and the access tokens the App API checks.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use base64::Engine as _;
use http::StatusCode;
use md5::{Digest as _, Md5};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::time::Instant;

use crate::audit;
use crate::{CLIENT_ID, CLIENT_SECRET, DEMO_REFRESH_TOKEN, DEMO_USER_ID, HASH_SECRET};

/// How long a PKCE authorization code stays valid: Pixiv's is "about 30 seconds" (docs/protocol.md).
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(30);

/// Pixiv's OAuth error code for a bad grant.
const INVALID_GRANT_CODE: u32 = 1508;

/// The App API answer to a missing, unknown or expired access token (docs/protocol.md).
pub(crate) fn invalid_grant_api_body() -> Value {
    json!({"error": {
        "user_message": "",
        "message": "Error occurred at the OAuth process. Please check your Access Token to fix this. Error Message: invalid_grant",
        "reason": "",
        "user_message_details": {}
    }})
}

/// The OAuth error body: `{"has_error": true, "errors": {"system": {..}}, "error": error}`.
fn oauth_error(message: &str, code: u32, error: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({"has_error": true, "errors": {"system": {"message": message, "code": code}}, "error": error}),
    )
}

#[derive(Debug)]
struct PendingCode {
    challenge: String,
    expires_at: Instant,
}

/// Tokens issued and accepted by one mock.
#[derive(Debug)]
pub(crate) struct AuthState {
    lifetime: Duration,
    access: HashMap<String, (u64, Instant)>,
    refresh: HashSet<String>,
    codes: HashMap<String, PendingCode>,
    rng: fastrand::Rng,
}

impl AuthState {
    pub(crate) fn new(lifetime: Duration) -> Self {
        AuthState {
            lifetime,
            access: HashMap::new(),
            refresh: HashSet::from([DEMO_REFRESH_TOKEN.to_owned()]),
            codes: HashMap::new(),
            rng: fastrand::Rng::new(),
        }
    }

    fn random_token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..len)
            .map(|_| char::from(ALPHABET[self.rng.usize(..ALPHABET.len())]))
            .collect()
    }

    /// A new access token for the demo user, valid for the configured lifetime from now.
    pub(crate) fn issue_access_token(&mut self) -> String {
        let token = self.random_token(43);
        audit::note_secret("access_token", &token);
        let expires = Instant::now() + self.lifetime;
        self.access.insert(token.clone(), (DEMO_USER_ID, expires));
        token
    }

    fn issue_refresh_token(&mut self) -> String {
        let token = self.random_token(43);
        audit::note_secret("refresh_token", &token);
        self.refresh.insert(token.clone());
        token
    }

    /// Every issued access token becomes invalid.
    pub(crate) fn expire_access_tokens(&mut self) {
        self.access.clear();
    }

    /// The user an access token belongs to, if it is known and not expired.
    pub(crate) fn check_access_token(&self, token: &str) -> Option<u64> {
        // Known or not, a client sent it as its token.
        audit::note_secret("access_token", token);
        let (user, expires) = self.access.get(token)?;
        (Instant::now() < *expires).then_some(*user)
    }

    /// `GET /web/v1/login?code_challenge=..&code_challenge_method=S256&client=pixiv-android`:
    /// a 302 to `pixiv://account/login?code=..&via=login`, remembering the challenge.
    pub(crate) fn login(&mut self, query: &[(String, String)]) -> Result<String, &'static str> {
        let get = |k: &str| {
            query
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let challenge = get("code_challenge")
            .filter(|c| !c.is_empty())
            .ok_or("code_challenge is missing")?;
        if get("code_challenge_method") != Some("S256") {
            return Err("code_challenge_method must be S256");
        }
        let challenge = challenge.to_owned();
        let code = self.random_token(43);
        audit::note_secret("authorization_code", &code);
        self.codes.insert(
            code.clone(),
            PendingCode {
                challenge,
                expires_at: Instant::now() + CODE_LIFETIME,
            },
        );
        Ok(format!("pixiv://account/login?code={code}&via=login"))
    }

    /// `POST /auth/token`: checks the client, the hash headers and the grant; answers the status
    /// and JSON body.
    pub(crate) fn token(
        &mut self,
        client_time: Option<&str>,
        client_hash: Option<&str>,
        form: &[(String, String)],
        base_url: &str,
    ) -> (StatusCode, Value) {
        let get = |k: &str| {
            form.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        // Whatever the grant's fate, what the client sent as a secret stays one.
        for (key, kind) in [
            ("refresh_token", "refresh_token"),
            ("code", "authorization_code"),
            ("code_verifier", "code_verifier"),
            ("client_secret", "client_secret"),
        ] {
            if let Some(secret) = get(key) {
                audit::note_secret(kind, secret);
            }
        }
        if get("client_id") != Some(CLIENT_ID) || get("client_secret") != Some(CLIENT_SECRET) {
            return oauth_error("Invalid client", 1502, "invalid_client");
        }
        match (client_time, client_hash) {
            (Some(time), Some(hash)) if hash == client_hash_for(time) => {}
            (None, _) | (_, None) => {
                return oauth_error(
                    "X-Client-Time and X-Client-Hash are required",
                    1501,
                    "invalid_request",
                );
            }
            _ => return oauth_error("Invalid X-Client-Hash", 1501, "invalid_request"),
        }
        match get("grant_type") {
            Some("refresh_token") => {
                let ok = get("refresh_token").is_some_and(|t| self.refresh.contains(t));
                if !ok {
                    return oauth_error(
                        "Invalid refresh token",
                        INVALID_GRANT_CODE,
                        "invalid_grant",
                    );
                }
            }
            Some("authorization_code") => {
                let (Some(code), Some(verifier)) = (get("code"), get("code_verifier")) else {
                    return oauth_error(
                        "Invalid authorization code",
                        INVALID_GRANT_CODE,
                        "invalid_grant",
                    );
                };
                // A code is single-use, whether the verifier matches or not.
                let Some(pending) = self.codes.remove(code) else {
                    return oauth_error(
                        "Invalid authorization code",
                        INVALID_GRANT_CODE,
                        "invalid_grant",
                    );
                };
                if Instant::now() >= pending.expires_at {
                    return oauth_error(
                        "Authorization code expired",
                        INVALID_GRANT_CODE,
                        "invalid_grant",
                    );
                }
                if pkce_challenge(verifier) != pending.challenge {
                    return oauth_error(
                        "Invalid code_verifier",
                        INVALID_GRANT_CODE,
                        "invalid_grant",
                    );
                }
            }
            _ => return oauth_error("Unsupported grant type", 1503, "unsupported_grant_type"),
        }
        let access = self.issue_access_token();
        let refresh = self.issue_refresh_token();
        (
            StatusCode::OK,
            token_body(&access, &refresh, self.lifetime, base_url),
        )
    }
}

/// The `X-Client-Hash` for an `X-Client-Time` value: lowercase hex MD5 of (time + HASH_SECRET).
pub fn client_hash_for(client_time: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(client_time.as_bytes());
    md5.update(HASH_SECRET.as_bytes());
    hex::encode(md5.finalize())
}

/// The PKCE S256 challenge of a verifier: base64url (no padding) of its SHA-256.
pub fn pkce_challenge(code_verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(code_verifier.as_bytes()))
}

fn token_body(access: &str, refresh: &str, lifetime: Duration, base_url: &str) -> Value {
    let id = DEMO_USER_ID;
    let img =
        |size: &str| format!("{base_url}/user-profile/img/2024/01/01/00/00/00/{id}_{size}.png");
    let fields = json!({
        "access_token": access,
        "expires_in": lifetime.as_secs(),
        "token_type": "bearer",
        "scope": "",
        "refresh_token": refresh,
        "user": {
            "id": id.to_string(),
            "name": "pixiv-rs demo",
            "account": "pixivrs_demo",
            "profile_image_urls": {
                "px_16x16": img("16"),
                "px_50x50": img("50"),
                "px_170x170": img("170"),
            },
            "is_premium": false,
            "x_restrict": 0,
            "is_mail_authorized": true,
            "mail_address": "demo@example.invalid",
        },
    });
    let mut body = fields.clone();
    if let Value::Object(map) = &mut body {
        map.insert("response".to_owned(), fields);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_unpadded_base64url_sha256() {
        // `printf %s VERIFIER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d =`
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mJ92K9qHWxp1-XBuL-0m3aFmIcBa4Q"),
            "Y_c-XEXHaL1FOW2xTw0ZtRG14XRLZDd6bYak4iRo0CY"
        );
    }

    #[test]
    fn client_hash_is_md5_hex_of_time_and_secret() {
        let h = client_hash_for("2026-11-28T17:05:00+00:00");
        assert_eq!(h.len(), 32);
        assert!(
            h.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}

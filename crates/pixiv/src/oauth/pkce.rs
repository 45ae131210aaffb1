//! The PKCE login that gets a first refresh token (password login is dead, docs/protocol.md).
//!
//! 1. [`PkceChallenge::new`] makes a random `code_verifier` and its S256 `code_challenge`, and
//!    the [`login_url`](PkceChallenge::login_url) to open in a browser;
//! 2. the user logs in; the final redirect goes to `pixiv://account/login?code=...` (visible in
//!    the browser's network tools);
//! 3. within about 30 seconds, [`exchange_code`] trades the code and the verifier for
//!    [`Tokens`], whose `refresh_token` the application stores.
//!
//! ```
//! use pixiv::oauth::pkce::PkceChallenge;
//!
//! let pkce = PkceChallenge::new()?;
//! assert_eq!(pkce.verifier().len(), 86);
//! assert!(pkce.login_url().starts_with("https://app-api.pixiv.net/web/v1/login?code_challenge="));
//! assert!(pkce.login_url().ends_with("&code_challenge_method=S256&client=pixiv-android"));
//! assert_eq!(pkce.challenge(), pixiv_mock::oauth::pkce_challenge(pkce.verifier()));
//! # Ok::<(), pixiv::PixivError>(())
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pixiv_errors::{PixivError, Secret};
use pixiv_transport::Transport;
use sha2::{Digest as _, Sha256};

use super::Tokens;
use super::token::{FormValue, Grant, token_call};
use crate::client::{DEFAULT_API_BASE, DEFAULT_OAUTH_BASE};

/// Where the authorization code is sent back to, as Pixiv's app registers it (docs/protocol.md).
pub const REDIRECT_URI: &str = "https://app-api.pixiv.net/web/v1/users/auth/pixiv/callback";

/// Random bytes in a verifier: 64, so 86 base64url characters (RFC 7636 allows 43 to 128).
const VERIFIER_BYTES: usize = 64;

/// A `code_verifier`, its S256 `code_challenge`, and the login URL that carries the challenge.
/// The verifier is held as a [`Secret`]: `Debug` hides it, and making one remembers it for
/// redaction by value.
#[derive(Clone)]
pub struct PkceChallenge {
    verifier: Secret,
    challenge: String,
    login_url: String,
}

impl PkceChallenge {
    /// A fresh random verifier (from the OS's secure generator) and the login URL on the real
    /// App API host.
    pub fn new() -> Result<Self, PixivError> {
        Self::with_api_base(DEFAULT_API_BASE)
    }

    /// [`new`](Self::new) with the login page on another App API base (a local server).
    pub fn with_api_base(api_base: &str) -> Result<Self, PixivError> {
        let mut bytes = [0_u8; VERIFIER_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| {
            PixivError::invalid_input("random source", format!("the OS gave no random bytes: {e}"))
        })?;
        Ok(Self::from_verifier(api_base, URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The challenge and login URL of a given verifier (for tests and resumed logins).
    pub fn from_verifier(api_base: &str, verifier: impl Into<String>) -> Self {
        // A `Secret`: scrubbed by value from any error that quotes it (docs/security.md).
        let verifier = Secret::new(verifier);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()));
        let login_url = format!(
            "{}/web/v1/login?code_challenge={challenge}&code_challenge_method=S256&client=pixiv-android",
            api_base.trim_end_matches('/')
        );
        Self {
            verifier,
            challenge,
            login_url,
        }
    }

    /// The `code_verifier` (keep it for [`exchange_code`]).
    pub fn verifier(&self) -> &str {
        self.verifier.expose()
    }

    /// base64url (no padding) of the verifier's SHA-256.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The page to open in a browser.
    pub fn login_url(&self) -> &str {
        &self.login_url
    }
}

impl fmt::Debug for PkceChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PkceChallenge")
            .field("verifier", &"<redacted>")
            .field("challenge", &self.challenge)
            .field("login_url", &self.login_url)
            .finish()
    }
}

/// Trades an authorization `code` and its `verifier` for tokens at the real OAuth host, through
/// a transport with the default settings.
pub async fn exchange_code(code: &str, verifier: &str) -> Result<Tokens, PixivError> {
    exchange_code_with(&Transport::new()?, DEFAULT_OAUTH_BASE, code, verifier).await
}

/// [`exchange_code`] through `transport` (your settings: proxy, CA...) at `oauth_base`.
///
/// `POST {oauth_base}/auth/token` with `client_id`, `client_secret`, `code`, `code_verifier`,
/// `grant_type=authorization_code`, `include_policy=true` and [`REDIRECT_URI`], plus the
/// `X-Client-Time`/`X-Client-Hash` headers. A rejected code is [`PixivError::Auth`] saying so.
pub async fn exchange_code_with(
    transport: &Transport,
    oauth_base: &str,
    code: &str,
    verifier: &str,
) -> Result<Tokens, PixivError> {
    token_call(
        transport,
        oauth_base,
        Grant::AuthorizationCode,
        &[
            ("code", FormValue::Secret(Secret::new(code))),
            ("code_verifier", FormValue::Secret(Secret::new(verifier))),
            ("grant_type", FormValue::Plain("authorization_code")),
            ("include_policy", FormValue::Plain("true")),
            ("redirect_uri", FormValue::Plain(REDIRECT_URI)),
        ],
        None,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // `printf %s VERIFIER | openssl dgst -sha256 -binary | base64 | tr "+/" "-_" | tr -d =`
    fn challenge_is_unpadded_base64url_sha256() {
        let p = PkceChallenge::from_verifier(
            "https://app-api.pixiv.net/",
            "dBjftJeZ4CVP-mJ92K9qHWxp1-XBuL-0m3aFmIcBa4Q",
        );
        assert_eq!(p.challenge(), "Y_c-XEXHaL1FOW2xTw0ZtRG14XRLZDd6bYak4iRo0CY");
        assert_eq!(
            p.login_url(),
            "https://app-api.pixiv.net/web/v1/login?code_challenge=Y_c-XEXHaL1FOW2xTw0ZtRG14XRLZDd6bYak4iRo0CY&code_challenge_method=S256&client=pixiv-android"
        );
        assert!(!format!("{p:?}").contains("dBjft"));
    }

    #[test]
    fn verifiers_are_random_and_url_safe() {
        let a = PkceChallenge::new().unwrap();
        let b = PkceChallenge::new().unwrap();
        assert_ne!(a.verifier(), b.verifier());
        assert!(
            a.verifier()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }
}

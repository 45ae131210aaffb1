//! OAuth: the refresh-token login, the [`OAuthTokenSource`] the transport's auth layer draws
//! Bearer tokens from, and the [`pkce`] exchange that gets a first refresh token.
//!
//! The token call is `POST {oauth}/auth/token`, form-encoded, with Pixiv's client headers plus
//! `X-Client-Time` (UTC, RFC 3339, `2026-11-28T17:05:00+00:00`) and `X-Client-Hash` (lowercase
//! hex MD5 of that time string followed by [`HASH_SECRET`]). The answer's `response` object is
//! read, falling back to the top level (docs/protocol.md).
//!
//! ```
//! use pixiv::oauth::{client_hash, client_time};
//! use time::macros::datetime;
//!
//! let t = client_time(datetime!(2026-11-28 17:05:00 UTC));
//! assert_eq!(t, "2026-11-28T17:05:00+00:00");
//! assert_eq!(client_hash(&t).len(), 32);
//! assert_eq!(client_hash(&t), pixiv_mock::oauth::client_hash_for(&t));
//! ```

pub mod pkce;
mod token;
mod token_source;

pub use token::{RefreshToken, Tokens, client_hash, client_time};
pub use token_source::{AccessTokenHook, OAuthTokenSource, RefreshTokenHook};

use std::time::Duration;

/// The OAuth `client_id` of Pixiv's iOS app, as PixivPy sends it (docs/protocol.md).
pub const CLIENT_ID: &str = "MOBrBDS8blbauoSck0ZfDbtuzpyT";

/// The OAuth `client_secret` of Pixiv's iOS app (docs/protocol.md).
pub const CLIENT_SECRET: &str = "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj";

/// The secret appended to `X-Client-Time` before hashing it into `X-Client-Hash` (docs/protocol.md).
pub const HASH_SECRET: &str = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c";

/// The token endpoint's path on the OAuth host.
pub const TOKEN_PATH: &str = "/auth/token";

/// An access token is refreshed this long before its `expires_in` runs out, so a call started
/// just before expiry does not race it: one minute of Pixiv's 3600 s lifetime. The transport's
/// [`DEFAULT_REFRESH_MARGIN`](pixiv_transport::auth::DEFAULT_REFRESH_MARGIN), named here.
pub const REFRESH_MARGIN: Duration = pixiv_transport::auth::DEFAULT_REFRESH_MARGIN;

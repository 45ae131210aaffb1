//! A local Pixiv-compatible server for tests, benchmarks and demos: OAuth, the App API, the image
//! host and a DoH resolver on one origin, with real TLS (a CA made at start), HTTP/2, a request
//! log and fault injection that shows on the wire.
//!
//! It speaks docs/protocol.md from the server side and depends on no client crate of the workspace,
//! so it cannot share a bug with the client it tests.
//!
//! ```
//! use pixiv_mock::MockPixiv;
//! use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let mock = MockPixiv::builder().tls(false).start().await?;
//! assert!(mock.base_url().starts_with("http://127.0.0.1:"));
//!
//! // Any HTTP client works; here, plain tokio.
//! let mut tcp = tokio::net::TcpStream::connect(mock.addr()).await?;
//! tcp.write_all(
//!     b"GET /size/5/x HTTP/1.1\r\nHost: i.pximg.net\r\nReferer: https://app-api.pixiv.net/\r\nConnection: close\r\n\r\n",
//! )
//! .await?;
//! let mut answer = Vec::new();
//! tcp.read_to_end(&mut answer).await?;
//! assert!(answer.starts_with(b"HTTP/1.1 200 OK"));
//! assert!(answer.ends_with(&pixiv_mock::content::expected_bytes("/size/5/x")));
//!
//! let log = mock.requests();
//! assert_eq!(log[0].path, "/size/5/x");
//! assert_eq!(log[0].conn_id, 1);
//! mock.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Routing is by path only, whatever the `Host` header says:
//! - `POST /auth/token`: OAuth ([`CLIENT_ID`], [`CLIENT_SECRET`], `X-Client-Hash` checked against
//!   [`HASH_SECRET`]; `refresh_token` and PKCE `authorization_code` grants). `GET /web/v1/login`
//!   starts a PKCE login (302 to `pixiv://account/login?code=..`).
//! - `/v1/..`, `/v2/..`, `/v3/..`, `/web/..`, `/webview/..`: the App API; `Authorization: Bearer
//!   <access token>` required.
//! - `/ajax/..`: the web host (`www.pixiv.net`): `/ajax/showcase/article`, no login.
//! - `/dns-query`: DNS over HTTPS, RFC 8484 wire format (`POST application/dns-message` or
//!   `GET ?dns=`) and the JSON API (`GET ?name=..&type=A|AAAA`, `Accept: application/dns-json`).
//! - anything else: the image host ([`content`] says what bytes each path serves).
//!
//! With `PIXIV_SECRET_AUDIT_DIR` set, a process running a mock logs every `tracing` event at
//! TRACE to that directory and lists the secrets the mock issued or was shown, for
//! `cargo xtask secrets` to search the logs for: see [`audit`].
//!
//! Faults ([`Fault`]) are queued per [`RouteMatch`] and apply to every route (for the App API,
//! after the Bearer check); see [`faults`]. On the wire:
//!
//! | Fault | HTTP/1.1 | HTTP/2 |
//! |---|---|---|
//! | `Status(n)`, `RateLimitBody`, `InvalidGrant`, `Restricted` | that status, Pixiv JSON error body | same |
//! | `TooManyRequests` | 429, `Retry-After` seconds or HTTP-date | same |
//! | `CloudflareChallenge` | 403, `Server: cloudflare`, `cf-mitigated`, `cf-ray`, HTML | same |
//! | `DelayHeaders(d)` | tokio sleep, then the normal answer | same |
//! | `StallBody` | `after` bytes, tokio sleep, the rest | same |
//! | `Trickle` | one byte, tokio sleep `every`, the next byte, ... | same |
//! | `ResetBody` | `after` bytes, then TCP RST (SO_LINGER 0) | `after` bytes, RST_STREAM |
//! | `ResetBeforeHeaders` | request read, TCP RST | RST_STREAM |
//! | `ShortBody` | full Content-Length, all but `missing` bytes, close | same bytes, RST_STREAM |
//! | `Redirect`, `RedirectLoop` | 3xx with `Location` | same |
//! | `Raw` | as given | same |

mod app_api;
pub mod audit;
pub mod content;
pub mod data;
pub mod data_novel;
mod doh;
pub mod faults;
mod formats;
pub mod images;
pub mod log;
pub mod microsocks;
mod mock;
pub mod oauth;
mod server;
mod state;
pub mod tinyproxy;
mod tls;

pub use faults::{Fault, RetryAfter, RouteMatch};
pub use log::LoggedRequest;
pub use mock::{MockPixiv, MockPixivBuilder};
pub use tls::DEFAULT_TLS_NAMES;

/// The id of the user every token of the mock belongs to.
pub const DEMO_USER_ID: u64 = 1_000_001;

/// The OAuth `client_id` the mock requires (the iOS app's, as PixivPy sends it).
pub const CLIENT_ID: &str = "MOBrBDS8blbauoSck0ZfDbtuzpyT";

/// The OAuth `client_secret` the mock requires.
pub const CLIENT_SECRET: &str = "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj";

/// The secret appended to `X-Client-Time` before hashing it into `X-Client-Hash`.
pub const HASH_SECRET: &str = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c";

/// A refresh token every mock always accepts.
pub const DEMO_REFRESH_TOKEN: &str = "pixiv-mock-demo-refresh-token";

/// The default `expires_in` of issued access tokens: 3600 s, as Pixiv's.
pub const DEFAULT_TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(3600);

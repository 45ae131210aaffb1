//! [`OAuthTokenSource`]: the transport's [`TokenSource`] backed by the refresh-token grant.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use pixiv_errors::{AuthErrorKind, PixivError};
use pixiv_transport::Transport;
use pixiv_transport::auth::{AccessToken, FreshToken, Refresher, TokenSource};

use super::REFRESH_MARGIN;
use super::token::{FormValue, Grant, RefreshToken, token_call};
use crate::models::AuthUser;

/// What the application gives to hear of a rotated refresh token (to store it).
pub type RefreshTokenHook = Arc<dyn Fn(&str) + Send + Sync>;

/// What the application gives to hear of each new access token and its lifetime (to cache it
/// between runs, as the `pixiv` command does beside its refresh token).
pub type AccessTokenHook = Arc<dyn Fn(&str, Duration) + Send + Sync>;

type Fetch = Box<dyn Fn() -> BoxFuture<'static, Result<FreshToken, PixivError>> + Send + Sync>;

/// Access tokens from Pixiv's refresh-token grant, for the transport's auth layer.
///
/// - [`token`](TokenSource::token) hands out the current access token until
///   [`REFRESH_MARGIN`] before its `expires_in` runs out, then refreshes first;
/// - [`refresh`](TokenSource::refresh) (the auth layer calls it after an invalid-token answer)
///   refreshes unless another caller already did;
/// - either way, concurrent callers share **one** token call (the transport's single-flight
///   [`Refresher`]);
/// - the newest refresh token Pixiv returns is kept for the next call, and the hook set with
///   [`on_refresh_token`](Self::on_refresh_token) hears of it when it changed.
///
/// The token call goes through the transport given here, which must not carry this source
/// itself (the [`Client`](crate::Client) gives it its Bearer-less transport).
pub struct OAuthTokenSource {
    state: Arc<State>,
    refresher: Refresher<Fetch>,
}

struct State {
    transport: Transport,
    oauth_base: String,
    refresh_token: Mutex<RefreshToken>,
    user: Mutex<Option<AuthUser>>,
    hook: Mutex<Option<RefreshTokenHook>>,
    access_hook: Mutex<Option<AccessTokenHook>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    async fn fetch(&self) -> Result<FreshToken, PixivError> {
        let sent = lock(&self.refresh_token).clone();
        if sent.secret().is_empty() {
            // An access-token-only client (PixivPy's `set_auth` without a refresh token).
            return Err(PixivError::auth(
                None,
                AuthErrorKind::InvalidAccessToken,
                "the access token was rejected or expired, and there is no refresh token to get \
                 another (an access-token-only client)",
            ));
        }
        let tokens = token_call(
            &self.transport,
            &self.oauth_base,
            Grant::RefreshToken,
            &[
                ("grant_type", FormValue::Plain("refresh_token")),
                ("refresh_token", FormValue::Secret(sent.as_secret().clone())),
                ("get_secure_url", FormValue::Plain("1")),
                ("include_policy", FormValue::Plain("true")),
            ],
            Some(sent.secret()),
        )
        .await?;
        *lock(&self.user) = Some(tokens.user);
        let rotated = tokens.refresh_token != sent;
        if rotated {
            *lock(&self.refresh_token) = tokens.refresh_token.clone();
            let hook = lock(&self.hook).clone();
            if let Some(hook) = hook {
                hook(tokens.refresh_token.secret());
            }
        }
        let access_hook = lock(&self.access_hook).clone();
        if let Some(hook) = access_hook {
            hook(tokens.access_token.secret(), tokens.expires_in);
        }
        Ok(FreshToken {
            token: tokens.access_token,
            expires_in: Some(tokens.expires_in),
        })
    }
}

impl OAuthTokenSource {
    /// A source that logs in with `refresh_token` at `oauth_base` (e.g.
    /// `https://oauth.secure.pixiv.net`) through `transport`, refreshing [`REFRESH_MARGIN`]
    /// before expiry. No call is made until a token is asked for.
    pub fn new(
        transport: Transport,
        oauth_base: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        Self::with_margin(transport, oauth_base, refresh_token, REFRESH_MARGIN)
    }

    /// [`new`](Self::new) with another refresh margin.
    pub fn with_margin(
        transport: Transport,
        oauth_base: impl Into<String>,
        refresh_token: impl Into<String>,
        margin: Duration,
    ) -> Self {
        let state = Arc::new(State {
            transport,
            oauth_base: oauth_base.into(),
            refresh_token: Mutex::new(RefreshToken::new(refresh_token)),
            user: Mutex::new(None),
            hook: Mutex::new(None),
            access_hook: Mutex::new(None),
        });
        let for_fetch = Arc::clone(&state);
        let fetch: Fetch = Box::new(move || {
            let state = Arc::clone(&for_fetch);
            Box::pin(async move { state.fetch().await })
        });
        Self {
            state,
            refresher: Refresher::new(fetch).refresh_margin(margin),
        }
    }

    /// Calls `hook` with the new refresh token whenever Pixiv returns one different from the
    /// token in use, so the application can store it. Called from the task that made the token
    /// call; keep it short (write a file, send on a channel).
    #[must_use]
    pub fn on_refresh_token(self, hook: impl Fn(&str) + Send + Sync + 'static) -> Self {
        *lock(&self.state.hook) = Some(Arc::new(hook));
        self
    }

    /// Calls `hook` with every access token a token call returns and its lifetime
    /// (`expires_in`), so an application can cache it and seed the next run with
    /// [`with_access_token`](Self::with_access_token). Takes `&self`, so it can be set on a
    /// built [`Client`](crate::Client)'s source; keep it short.
    pub fn set_on_access_token(&self, hook: impl Fn(&str, Duration) + Send + Sync + 'static) {
        *lock(&self.state.access_hook) = Some(Arc::new(hook));
    }

    /// Starts with `access_token` (PixivPy's `set_auth`), used until Pixiv rejects it; then the
    /// refresh token gets another, or, when this source has none (an empty one), the call fails
    /// with [`PixivError::Auth`] of kind `InvalidAccessToken`.
    #[must_use]
    pub fn with_access_token(mut self, access_token: impl Into<String>) -> Self {
        self.refresher = self.refresher.with_initial(FreshToken::new(access_token));
        self
    }

    /// The refresh token in use now (the newest Pixiv returned).
    pub fn refresh_token(&self) -> RefreshToken {
        lock(&self.state.refresh_token).clone()
    }

    /// The account of the last successful token call, if there was one.
    pub fn user(&self) -> Option<AuthUser> {
        lock(&self.state.user).clone()
    }

    /// Makes sure a valid access token is held (a token call when none is, or it is about to
    /// expire) and returns the logged-in account.
    ///
    /// An access token given from outside ([`with_access_token`](Self::with_access_token), a
    /// cache) names no account: then one token call is made to learn it, when there is a refresh
    /// token to make it with.
    pub async fn login(&self) -> Result<AuthUser, PixivError> {
        let token = self.refresher.token().await?;
        if let Some(user) = self.user() {
            return Ok(user);
        }
        if !lock(&self.state.refresh_token).secret().is_empty() {
            self.refresher.refresh(&token).await?;
        }
        self.user().ok_or_else(|| {
            PixivError::decode(
                "no token call has named the logged-in user (an access-token-only client, or an \
                 OAuth answer without one)",
                &[],
            )
        })
    }
}

impl TokenSource for OAuthTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, PixivError>> {
        self.refresher.token()
    }

    fn refresh(&self, stale: &AccessToken) -> BoxFuture<'_, Result<AccessToken, PixivError>> {
        self.refresher.refresh(stale)
    }
}

impl fmt::Debug for OAuthTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokenSource")
            .field("oauth_base", &self.state.oauth_base)
            .field("refresh_token", &"<redacted>")
            .field("refresher", &self.refresher)
            .finish_non_exhaustive()
    }
}

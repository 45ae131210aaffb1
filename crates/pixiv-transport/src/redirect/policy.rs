use http::Uri;
use pixiv_errors::{PixivError, RedirectErrorKind};
use tower_http::follow_redirect::policy::{Action, Attempt, FilterCredentials, Policy};

use super::{DEFAULT_MAX_REDIRECTS, NoFollow};
use crate::RequestBody;

/// The redirect policy of the stack. See the [module docs](super).
///
/// Cloned fresh for every request by tower-http's `FollowRedirect`, so the hop count and the
/// "credentials blocked" state belong to one request's chain.
#[derive(Debug, Clone)]
#[must_use]
pub struct RedirectPolicy {
    max: usize,
    filter: FilterCredentials,
    visited: Vec<Uri>,
    /// The request carried [`NoFollow`]: every 3xx is handed back as it is.
    no_follow: bool,
}

impl Default for RedirectPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl RedirectPolicy {
    /// At most [`DEFAULT_MAX_REDIRECTS`] hops, credentials dropped across origins.
    pub fn new() -> Self {
        Self::limited(DEFAULT_MAX_REDIRECTS)
    }

    /// At most `max` hops (0: every redirect is an error).
    pub fn limited(max: usize) -> Self {
        Self {
            max,
            filter: FilterCredentials::new(),
            visited: Vec::new(),
            no_follow: false,
        }
    }

    /// The hop limit.
    pub fn max(&self) -> usize {
        self.max
    }
}

impl Policy<RequestBody, PixivError> for RedirectPolicy {
    fn redirect(&mut self, attempt: &Attempt<'_>) -> Result<Action, PixivError> {
        if self.no_follow {
            return Ok(Action::Stop);
        }
        let location = attempt.location();
        let scheme = location.scheme_str().unwrap_or("");
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(PixivError::redirect(
                RedirectErrorKind::RefusedScheme {
                    scheme: scheme.to_owned(),
                },
                Some(&location.to_string()),
            ));
        }
        if self.visited.is_empty() {
            self.visited.push(attempt.previous().clone());
        }
        if self.visited.len() > self.max {
            let kind = if self.visited.contains(location) {
                RedirectErrorKind::Loop
            } else {
                RedirectErrorKind::TooManyHops { max: self.max }
            };
            return Err(PixivError::redirect(kind, Some(&location.to_string())));
        }
        self.visited.push(location.clone());
        // Updates the "blocked" state that `on_request` acts on.
        Policy::<RequestBody, PixivError>::redirect(&mut self.filter, attempt)
    }

    fn on_request(&mut self, request: &mut http::Request<RequestBody>) {
        // tower-http calls this for the first request too, before anything is sent.
        self.no_follow |= request.extensions().get::<NoFollow>().is_some();
        Policy::<RequestBody, PixivError>::on_request(&mut self.filter, request);
    }

    fn clone_body(&self, body: &RequestBody) -> Option<RequestBody> {
        // `Full<Bytes>` clones by reference count: every hop can replay the body.
        Some(body.clone())
    }
}

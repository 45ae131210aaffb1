use http::{StatusCode, Uri};
use http_body::Body as _;
use pixiv_errors::{PixivError, RedirectErrorKind};
use tower_http::follow_redirect::policy::{Action, Attempt, FilterCredentials, Policy};

use super::{DEFAULT_MAX_REDIRECTS, NoFollow};
use crate::RequestBody;
use crate::connect::address::{FromPublicOrigin, is_local_host};

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
    /// Whether the request about to be (re)sent carries a body.
    has_body: bool,
    /// The chain's original host, when it is public (not loopback/private): hops to another
    /// host may then not go to loopback/private addresses (`connect/address.rs`).
    public_origin: Option<String>,
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
            has_body: false,
            public_origin: None,
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
            self.public_origin = attempt
                .previous()
                .host()
                .filter(|h| !is_local_host(h))
                .map(str::to_ascii_lowercase);
        }
        // 301/302 turn a POST into a bodiless GET and 303 always drops the body (tower-http);
        // 307/308 resend it as it is, which must not happen across origins: an App API form
        // would reach a host it was never meant for (curl refuses the same with
        // `--post301/302/303` off; RFC 9110 section 15.4.8).
        if matches!(
            attempt.status(),
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
        ) && self.has_body
            && !same_origin(attempt.previous(), location)
        {
            return Err(PixivError::redirect(
                RedirectErrorKind::CrossOriginBody {
                    status: attempt.status(),
                },
                Some(&location.to_string()),
            ));
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
        // Called for the first request too (before any hop): its body is what a 307/308 would
        // resend.
        self.has_body = request.body().size_hint().exact() != Some(0);
        // A hop back to the original host itself goes where the first request went (a LAN
        // mirror reached by name may redirect within itself); any other host is checked.
        if let Some(origin) = &self.public_origin {
            let host = request.uri().host().map(str::to_ascii_lowercase);
            if !self.visited.is_empty() && host.as_deref() != Some(origin.as_str()) {
                request.extensions_mut().insert(FromPublicOrigin);
            }
        }
        Policy::<RequestBody, PixivError>::on_request(&mut self.filter, request);
    }

    fn clone_body(&self, body: &RequestBody) -> Option<RequestBody> {
        // `Full<Bytes>` clones by reference count: every hop can replay the body.
        Some(body.clone())
    }
}

/// Same scheme, host and port (the default port of the scheme when absent): an https -> http
/// downgrade is another origin.
fn same_origin(a: &Uri, b: &Uri) -> bool {
    let port = |u: &Uri| {
        u.port_u16().or(match u.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
            Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
            _ => None,
        })
    };
    a.scheme_str().map(str::to_ascii_lowercase) == b.scheme_str().map(str::to_ascii_lowercase)
        && a.host().map(str::to_ascii_lowercase) == b.host().map(str::to_ascii_lowercase)
        && port(a) == port(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let u = |s: &str| s.parse::<Uri>().unwrap();
        assert!(same_origin(
            &u("https://a.example/x"),
            &u("https://A.example:443/y")
        ));
        assert!(!same_origin(
            &u("https://a.example/"),
            &u("http://a.example/")
        ));
        assert!(!same_origin(
            &u("https://a.example/"),
            &u("https://b.example/")
        ));
        assert!(!same_origin(
            &u("http://127.0.0.1:1/"),
            &u("http://127.0.0.1:2/")
        ));
    }
}

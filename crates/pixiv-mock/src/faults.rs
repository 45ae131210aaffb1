//! Faults the mock injects on the wire, per route, changeable while it runs.
//!
//! Faults are queued per [`RouteMatch`] with [`MockPixiv::push_faults`](crate::MockPixiv::push_faults)
//! and consumed in order, one per matching request; when no queued fault matches, a random fault
//! set with [`MockPixiv::set_fault_rate`](crate::MockPixiv::set_fault_rate) may fire (seeded, so a
//! run is reproducible). Faults apply to every route: OAuth, App API (after the Bearer check),
//! images and DoH.
//!
//! ```
//! # async fn demo() -> std::io::Result<()> {
//! use pixiv_mock::{Fault, MockPixiv, RouteMatch};
//! use std::time::Duration;
//!
//! let mock = MockPixiv::builder().start().await?;
//! mock.push_faults(
//!     RouteMatch::path_prefix("/v1/illust/detail"),
//!     [Fault::Status(503), Fault::DelayHeaders(Duration::from_secs(2))],
//! );
//! mock.push_faults(RouteMatch::path("/size/100/x").method(http::Method::GET), [Fault::ResetBody { after: 10 }]);
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::Method;

/// One misbehaviour, as it shows on the wire.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// That status with a Pixiv-style JSON error body (`{"error": {"message": <reason phrase>, ..}}`).
    /// A number outside 100..=999 becomes 500.
    Status(u16),
    /// 429 with the "Rate Limit" JSON body and, when given, a `Retry-After` header.
    TooManyRequests {
        /// The `Retry-After` header to send, if any.
        retry_after: Option<RetryAfter>,
    },
    /// 403 with `{"error": {"user_message": "", "message": "Rate Limit", "reason": "", "user_message_details": {}}}`.
    RateLimitBody,
    /// 400 with the App API invalid_grant body (what an expired access token gets).
    InvalidGrant,
    /// 403 with `{"error": {"user_message": "Your access is currently restricted.", ..}}`.
    Restricted,
    /// 403 `Server: cloudflare`, `cf-mitigated: challenge`, `cf-ray: <16 hex>-NRT`, an HTML
    /// "Just a moment..." page with `_cf_chl_opt`.
    CloudflareChallenge,
    /// Sleeps this long (tokio time) before sending the normal answer.
    DelayHeaders(Duration),
    /// Sends the headers and `after` bytes of the normal body, sleeps `stall` (tokio time), then
    /// sends the rest if the client still listens. `after` should be less than the body's length
    /// (else the whole body goes out before any stall).
    StallBody {
        /// Bytes sent before the stall.
        after: u64,
        /// How long the body stalls.
        stall: Duration,
    },
    /// Sends the headers and `after` bytes of the normal body, then resets: HTTP/1.1 closes the TCP
    /// connection with RST (SO_LINGER 0); HTTP/2 resets the stream (RST_STREAM, INTERNAL_ERROR) and
    /// keeps the connection. `after` should be less than the body's length (else the whole body
    /// may go out complete).
    ResetBody {
        /// Bytes sent before the reset.
        after: u64,
    },
    /// Reads the request and answers nothing: HTTP/1.1 resets the TCP connection (RST); HTTP/2
    /// resets the stream.
    ResetBeforeHeaders,
    /// Announces the full Content-Length, sends all but `missing` bytes, then ends: HTTP/1.1 closes
    /// the connection, HTTP/2 resets the stream.
    ShortBody {
        /// Bytes left out at the end.
        missing: u64,
    },
    /// Sends the headers, then the normal body one byte at a time, sleeping `every` (tokio time)
    /// after each byte: a server that trickles (slowloris in reverse).
    Trickle {
        /// The pause after each byte.
        every: Duration,
    },
    /// A redirect: `status` (3xx) with `Location: location`.
    Redirect {
        /// The status, e.g. 302.
        status: u16,
        /// The `Location` header value.
        location: String,
    },
    /// 302 to the very URL requested (absolute, on the mock's base URL). Not consumed: every
    /// matching request is redirected until [`MockPixiv::clear_faults`](crate::MockPixiv::clear_faults).
    RedirectLoop,
    /// Any answer: status, headers and body as given.
    Raw {
        /// The status (outside 100..=999 becomes 500).
        status: u16,
        /// Headers to send (invalid names or values are skipped; past 20,000, below the about
        /// 24,000 entries an `http::HeaderMap` holds, the rest are dropped).
        headers: Vec<(String, String)>,
        /// The body.
        body: Bytes,
    },
}

/// The value of a `Retry-After` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>`.
    Date(SystemTime),
}

/// Which requests a fault applies to: a path rule, optionally restricted to one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    method: Option<Method>,
    path: PathRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathRule {
    Any,
    Prefix(String),
    Exact(String),
}

impl RouteMatch {
    /// Every request.
    pub fn any() -> Self {
        RouteMatch {
            method: None,
            path: PathRule::Any,
        }
    }

    /// Requests whose path starts with `prefix` (the query is not part of the path).
    pub fn path_prefix(prefix: impl Into<String>) -> Self {
        RouteMatch {
            method: None,
            path: PathRule::Prefix(prefix.into()),
        }
    }

    /// Requests whose path is exactly `path`.
    pub fn path(path: impl Into<String>) -> Self {
        RouteMatch {
            method: None,
            path: PathRule::Exact(path.into()),
        }
    }

    /// Restricts the match to requests with this method (by default any method matches).
    #[must_use]
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Whether a request with this method and path matches.
    pub fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method.as_ref().is_some_and(|m| m != method) {
            return false;
        }
        match &self.path {
            PathRule::Any => true,
            PathRule::Prefix(p) => path.starts_with(p.as_str()),
            PathRule::Exact(p) => path == p,
        }
    }
}

/// The default seed of the random fault generator.
pub(crate) const DEFAULT_FAULT_SEED: u64 = 0x5EED_F00D;

/// The queued and random faults of one mock.
#[derive(Debug)]
pub(crate) struct FaultTable {
    queues: Vec<(RouteMatch, VecDeque<Fault>)>,
    rates: Vec<(RouteMatch, f64, Fault)>,
    rng: fastrand::Rng,
}

impl FaultTable {
    pub(crate) fn new(seed: u64) -> Self {
        FaultTable {
            queues: Vec::new(),
            rates: Vec::new(),
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    pub(crate) fn push(&mut self, route: RouteMatch, faults: impl IntoIterator<Item = Fault>) {
        if let Some((_, q)) = self.queues.iter_mut().find(|(r, _)| *r == route) {
            q.extend(faults);
        } else {
            self.queues.push((route, faults.into_iter().collect()));
        }
    }

    pub(crate) fn set_rate(&mut self, route: RouteMatch, rate: f64, fault: Fault) {
        self.rates.retain(|(r, _, _)| *r != route);
        if rate > 0.0 {
            self.rates.push((route, rate, fault));
        }
    }

    pub(crate) fn clear(&mut self) {
        self.queues.clear();
        self.rates.clear();
    }

    /// The number of queued faults not yet consumed.
    pub(crate) fn pending(&self) -> usize {
        self.queues.iter().map(|(_, q)| q.len()).sum()
    }

    /// The fault for this request, if any: the first matching non-empty queue (in the order the
    /// routes were first pushed), else a random fault.
    pub(crate) fn take(&mut self, method: &Method, path: &str) -> Option<Fault> {
        for (route, queue) in &mut self.queues {
            if !route.matches(method, path) {
                continue;
            }
            match queue.front() {
                None => continue,
                Some(Fault::RedirectLoop) => return Some(Fault::RedirectLoop),
                Some(_) => return queue.pop_front(),
            }
        }
        for (route, rate, fault) in &self.rates {
            if route.matches(method, path) && self.rng.f64() < *rate {
                return Some(fault.clone());
            }
        }
        None
    }

    /// 16 hex digits for a `cf-ray` id.
    pub(crate) fn ray_id(&mut self) -> String {
        format!("{:016x}", self.rng.u64(..))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_faults_are_consumed_in_order_per_route() {
        let mut t = FaultTable::new(1);
        t.push(
            RouteMatch::path_prefix("/v1/"),
            [Fault::Status(503), Fault::Status(502)],
        );
        t.push(
            RouteMatch::path("/x").method(Method::POST),
            [Fault::RateLimitBody],
        );
        assert_eq!(t.take(&Method::GET, "/x"), None);
        assert_eq!(t.take(&Method::GET, "/v1/a"), Some(Fault::Status(503)));
        assert_eq!(t.take(&Method::POST, "/x"), Some(Fault::RateLimitBody));
        assert_eq!(t.take(&Method::GET, "/v1/b"), Some(Fault::Status(502)));
        assert_eq!(t.take(&Method::GET, "/v1/b"), None);
        assert_eq!(t.pending(), 0);
    }

    #[test]
    fn redirect_loop_stays_until_cleared() {
        let mut t = FaultTable::new(1);
        t.push(RouteMatch::any(), [Fault::RedirectLoop]);
        for _ in 0..3 {
            assert_eq!(t.take(&Method::GET, "/a"), Some(Fault::RedirectLoop));
        }
        t.clear();
        assert_eq!(t.take(&Method::GET, "/a"), None);
    }

    #[test]
    fn random_faults_follow_the_rate_and_the_seed() {
        let count = |seed| {
            let mut t = FaultTable::new(seed);
            t.set_rate(RouteMatch::any(), 0.25, Fault::Status(503));
            (0..1000)
                .filter(|_| t.take(&Method::GET, "/").is_some())
                .count()
        };
        let n = count(7);
        assert!((150..350).contains(&n), "{n}");
        assert_eq!(n, count(7));
    }
}

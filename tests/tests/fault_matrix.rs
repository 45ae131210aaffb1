//! The fault matrix: every fault against every operation, in ONE table. A new fault is one line
//! per operation in `ROWS`.
//!
//! Operations (all through the `pixiv` facade's two transports, over TLS with the mock's CA,
//! with PixivPy's defaults: 3 retries with 1-2-4 s backoff, 10 s timeouts, 100 starts / 60 s):
//!
//! - `Json`: `Transport::json` on the App API (`client.api_transport()`, Bearer + OAuth refresh);
//! - `Download`: one original through `pixiv_download::Downloader` over the image transport;
//! - `Batch`: three originals, concurrency 1 (so which item a queued fault hits is fixed: the
//!   first), the other two must succeed whatever happens to the first;
//! - `Paginate`: the facade's `next_url` stream over a user's 5 pages (150 works).
//!
//! Each row states the outcome (`ok`, or the exact typed error), the number of requests the mock
//! saw on the operation's route (its request log), and — for downloads — that nothing but whole
//! files sits at final paths. Each row runs on a fresh current-thread runtime with paused tokio
//! time (backoff, Retry-After, the limiter's 60 s cool-down and 10 s timeouts take no real
//! time), except the rows that wait on something outside the process (tinyproxy, the system
//! resolver), which run in real time and fail without waiting.
//!
//! Every row runs twice: straight to the mock (`fault_matrix`), and through a real tinyproxy's
//! CONNECT tunnel (`fault_matrix_through_a_proxy`), where the outcome and request count must be
//! the same unless the row says otherwise (`via_proxy`). Through the proxy, time is real, so
//! timeouts are 1 s, backoff steps 10 ms and the cool-down 200 ms; a row takes at most about 2 s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use futures_util::TryStreamExt as _;
use pixiv::ProxyConfig;
use pixiv_download::{BatchItem, BatchOptions, Downloader, Target};
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, MockPixiv, RetryAfter, RouteMatch};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Json,
    Download,
    Batch,
    Paginate,
}

impl Op {
    /// The route the operation's requests (and its faults) go to.
    fn route(self) -> &'static str {
        match self {
            Op::Json => "/v1/illust/detail",
            Op::Download | Op::Batch => "/img-original/",
            Op::Paginate => "/v1/user/illusts",
        }
    }
}

/// What goes wrong.
#[derive(Debug, Clone)]
enum F {
    /// Faults queued on the operation's route.
    Mock(&'static [Fault]),
    /// 302 to the same path on another origin (`localhost` instead of `127.0.0.1`).
    CrossOrigin,
    /// 302 to the cloud metadata address (169.254.169.254): refused by the address policy.
    MetadataRedirect,
    /// Nothing listens on the port.
    Refused,
    /// Every access token expires before the operation.
    ExpiredToken,
    /// The certificate names another host.
    WrongName,
    /// The certificate is signed by a CA the client does not trust.
    UntrustedCa,
    /// A real tinyproxy that does not allow CONNECT to the mock's port.
    ProxyNoConnect,
    /// A real tinyproxy that wants credentials the client does not have.
    ProxyAuth,
    /// A host name no resolver knows.
    Dns,
}

impl F {
    fn real_time(&self) -> bool {
        matches!(self, F::ProxyNoConnect | F::ProxyAuth | F::Dns)
    }
}

struct Row {
    fault: F,
    op: Op,
    /// `ok`, or the error's kind as [`kind`] writes it.
    expect: &'static str,
    /// Requests the mock saw on the operation's route.
    requests: usize,
    /// The outcome and request count when the same row runs through a real tinyproxy (CONNECT
    /// tunnel), where they differ from the direct ones.
    proxied: Option<(&'static str, usize)>,
}

/// A row whose outcome is the same directly and through the proxy.
const fn row(fault: F, op: Op, expect: &'static str, requests: usize) -> Row {
    Row {
        fault,
        op,
        expect,
        requests,
        proxied: None,
    }
}

impl Row {
    /// What the row gives through the proxy instead.
    const fn via_proxy(mut self, expect: &'static str, requests: usize) -> Row {
        self.proxied = Some((expect, requests));
        self
    }
}

/// How a row reaches the mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// Straight to the mock, in paused tokio time (unless the fault needs real time).
    Direct,
    /// Through a real tinyproxy (CONNECT), in real time with short timeouts and waits.
    Proxy,
}

impl Row {
    fn runs_via(&self, via: Via) -> bool {
        // The proxy faults are proxied already; the others run both ways.
        via == Via::Direct || !matches!(self.fault, F::ProxyNoConnect | F::ProxyAuth)
    }

    fn expected(&self, via: Via) -> (&'static str, usize) {
        match (via, self.proxied) {
            (Via::Proxy, Some(p)) => p,
            _ => (self.expect, self.requests),
        }
    }

    fn real_time(&self, via: Via) -> bool {
        via == Via::Proxy || self.fault.real_time()
    }
}

/// Through the proxy time is real: timeouts, backoff and the rate-limit cool-down are cut so
/// that a stalled row waits about a second, not PixivPy's 10 s (or 60 s).
const PROXIED_TIMEOUT: Duration = Duration::from_secs(1);
const PROXIED_COOLDOWN: Duration = Duration::from_millis(200);

const STALL: Duration = Duration::from_secs(30);
const RESET_BEFORE: &[Fault] = &[Fault::ResetBeforeHeaders];
const RESET_MID: &[Fault] = &[Fault::ResetBody { after: 1000 }];
const SHORT: &[Fault] = &[Fault::ShortBody { missing: 100 }];
const STALLED_HEADERS: &[Fault] = &[Fault::DelayHeaders(STALL)];
const STALLED_BODY: &[Fault] = &[Fault::StallBody {
    after: 1000,
    stall: STALL,
}];
const TOO_MANY_WITH: &[Fault] = &[Fault::TooManyRequests {
    retry_after: Some(RetryAfter::Seconds(1)),
}];
const TOO_MANY_WITHOUT: &[Fault] = &[Fault::TooManyRequests { retry_after: None }];
const RATE_LIMIT_BODY: &[Fault] = &[Fault::RateLimitBody];
const BURST_5XX: &[Fault] = &[Fault::Status(503), Fault::Status(502), Fault::Status(500)];
const PERSISTENT_503: &[Fault] = &[
    Fault::Status(503),
    Fault::Status(503),
    Fault::Status(503),
    Fault::Status(503),
];
const REDIRECT_LOOP: &[Fault] = &[Fault::RedirectLoop];
const CLOUDFLARE: &[Fault] = &[Fault::CloudflareChallenge];

use F::*;
use Op::*;

/// THE matrix. Fault, operation, outcome, requests seen on the operation's route.
const ROWS: &[Row] = &[
    // connection refused: retried (Connect is transient), then the typed error; nothing reached.
    // Through the proxy it is the proxy that cannot connect, and says so: `Proxy`.
    row(Refused, Json, "Connect", 0).via_proxy("Proxy", 0),
    row(Refused, Download, "Connect", 0).via_proxy("Proxy", 0),
    row(Refused, Batch, "Connect", 0).via_proxy("Proxy", 0),
    row(Refused, Paginate, "Connect", 0).via_proxy("Proxy", 0),
    // reset before headers: retried and succeeded.
    row(Mock(RESET_BEFORE), Json, "ok", 2),
    row(Mock(RESET_BEFORE), Download, "ok", 2),
    row(Mock(RESET_BEFORE), Batch, "ok", 4),
    row(Mock(RESET_BEFORE), Paginate, "ok", 6),
    // reset mid-body: JSON is retried inside the call; a download resumes with Range.
    row(Mock(RESET_MID), Json, "ok", 2),
    row(Mock(RESET_MID), Download, "ok", 2),
    row(Mock(RESET_MID), Batch, "ok", 4),
    row(Mock(RESET_MID), Paginate, "ok", 6),
    // body shorter than Content-Length: the same.
    row(Mock(SHORT), Json, "ok", 2),
    row(Mock(SHORT), Download, "ok", 2),
    row(Mock(SHORT), Batch, "ok", 4),
    row(Mock(SHORT), Paginate, "ok", 6),
    // headers stalled 30 s: the 10 s headers timeout, then a retry that succeeds.
    row(Mock(STALLED_HEADERS), Json, "ok", 2),
    row(Mock(STALLED_HEADERS), Download, "ok", 2),
    row(Mock(STALLED_HEADERS), Batch, "ok", 4),
    row(Mock(STALLED_HEADERS), Paginate, "ok", 6),
    // body stalled 30 s: JSON times out (headers timeout covers its body), downloads hit body
    // idle (10 s) and resume.
    row(Mock(STALLED_BODY), Json, "ok", 2),
    row(Mock(STALLED_BODY), Download, "ok", 2),
    row(Mock(STALLED_BODY), Batch, "ok", 4),
    row(Mock(STALLED_BODY), Paginate, "ok", 6),
    // 429 with Retry-After: 1 — waited out, then success.
    row(Mock(TOO_MANY_WITH), Json, "ok", 2),
    row(Mock(TOO_MANY_WITH), Download, "ok", 2),
    row(Mock(TOO_MANY_WITH), Batch, "ok", 4),
    row(Mock(TOO_MANY_WITH), Paginate, "ok", 6),
    // 429 without Retry-After: the limiter's 60 s cool-down, then success.
    row(Mock(TOO_MANY_WITHOUT), Json, "ok", 2),
    row(Mock(TOO_MANY_WITHOUT), Download, "ok", 2),
    row(Mock(TOO_MANY_WITHOUT), Batch, "ok", 4),
    row(Mock(TOO_MANY_WITHOUT), Paginate, "ok", 6),
    // Pixiv's "Rate Limit" body (403): the same.
    row(Mock(RATE_LIMIT_BODY), Json, "ok", 2),
    row(Mock(RATE_LIMIT_BODY), Download, "ok", 2),
    row(Mock(RATE_LIMIT_BODY), Batch, "ok", 4),
    row(Mock(RATE_LIMIT_BODY), Paginate, "ok", 6),
    // a burst of three 5xx: PixivPy's 3 retries absorb it.
    row(Mock(BURST_5XX), Json, "ok", 4),
    row(Mock(BURST_5XX), Download, "ok", 4),
    row(Mock(BURST_5XX), Batch, "ok", 6),
    row(Mock(BURST_5XX), Paginate, "ok", 8),
    // four 503s: retries exhausted, the typed error (the batch's other items still succeed).
    row(Mock(PERSISTENT_503), Json, "Http(503)", 4),
    row(Mock(PERSISTENT_503), Download, "Http(503)", 4),
    row(Mock(PERSISTENT_503), Batch, "Http(503)", 6),
    row(Mock(PERSISTENT_503), Paginate, "Http(503)", 4),
    // the access token expires: refreshed once, replayed; images need no token.
    row(ExpiredToken, Json, "ok", 2),
    row(ExpiredToken, Download, "ok", 1),
    row(ExpiredToken, Batch, "ok", 3),
    row(ExpiredToken, Paginate, "ok", 6),
    // cross-origin redirect: followed without the Bearer (the API then refuses the token-less
    // hop, the auth layer refreshes and replays); images follow it plainly.
    row(CrossOrigin, Json, "ok", 3),
    row(CrossOrigin, Download, "ok", 2),
    row(CrossOrigin, Batch, "ok", 4),
    row(CrossOrigin, Paginate, "ok", 7),
    // redirect loop (the mock loops every request until cleared): the 5 hops are followed, the
    // sixth 3xx is the typed refusal (`Loop`: the chain revisited a URL), not retried; in a
    // batch every item loops.
    row(Mock(REDIRECT_LOOP), Json, "Redirect(Loop)", 6),
    row(Mock(REDIRECT_LOOP), Download, "Redirect(Loop)", 6),
    row(Mock(REDIRECT_LOOP), Batch, "Redirect(Loop)", 18),
    row(Mock(REDIRECT_LOOP), Paginate, "Redirect(Loop)", 6),
    // redirect to the cloud metadata address: refused before any connection, not retried.
    row(MetadataRedirect, Json, "AddressRefused", 1),
    row(MetadataRedirect, Download, "AddressRefused", 1),
    // Cloudflare challenge: typed, never retried.
    row(Mock(CLOUDFLARE), Json, "CloudflareChallenge", 1),
    row(Mock(CLOUDFLARE), Download, "CloudflareChallenge", 1),
    row(Mock(CLOUDFLARE), Batch, "CloudflareChallenge", 3),
    row(Mock(CLOUDFLARE), Paginate, "CloudflareChallenge", 1),
    // certificate for the wrong name / from an untrusted CA: Tls, not retried, nothing sent.
    row(WrongName, Json, "Tls", 0),
    row(WrongName, Download, "Tls", 0),
    row(WrongName, Batch, "Tls", 0),
    row(WrongName, Paginate, "Tls", 0),
    row(UntrustedCa, Json, "Tls", 0),
    row(UntrustedCa, Download, "Tls", 0),
    row(UntrustedCa, Batch, "Tls", 0),
    row(UntrustedCa, Paginate, "Tls", 0),
    // proxy refusing CONNECT / wanting credentials: Proxy, nothing reaches the server.
    row(ProxyNoConnect, Json, "Proxy", 0),
    row(ProxyNoConnect, Download, "Proxy", 0),
    row(ProxyNoConnect, Batch, "Proxy", 0),
    row(ProxyNoConnect, Paginate, "Proxy", 0),
    row(ProxyAuth, Json, "Proxy", 0),
    row(ProxyAuth, Download, "Proxy", 0),
    row(ProxyAuth, Batch, "Proxy", 0),
    row(ProxyAuth, Paginate, "Proxy", 0),
    // DNS failure (nonexistent.invalid): Connect after the retries; through the proxy the proxy's
    // lookup fails, and its answer is the `Proxy` error.
    row(Dns, Json, "Connect", 0).via_proxy("Proxy", 0),
    row(Dns, Download, "Connect", 0).via_proxy("Proxy", 0),
    row(Dns, Batch, "Connect", 0).via_proxy("Proxy", 0),
    row(Dns, Paginate, "Connect", 0).via_proxy("Proxy", 0),
];

/// An error's kind as the table writes it.
fn kind(e: &PixivError) -> String {
    match e {
        PixivError::Http { status, .. } => format!("Http({})", status.as_u16()),
        PixivError::Timeout { phase } => format!("Timeout({phase:?})"),
        PixivError::Auth { kind, .. } => format!("Auth({kind:?})"),
        PixivError::Redirect { kind, .. } => {
            let k = format!("{kind:?}");
            format!("Redirect({})", k.split([' ', '{']).next().unwrap_or(""))
        }
        other => format!("{other:?}")
            .split([' ', '{', '('])
            .next()
            .unwrap_or("")
            .to_owned(),
    }
}

const ILLUSTS: [u64; 3] = [12, 13, 16];

fn original(id: u64) -> String {
    format!("/img-original/img/2024/01/01/00/00/00/{id}_p0.png")
}

/// A tinyproxy to go through: the ports it may CONNECT to, and the credentials it wants.
type Tinyproxy = (Vec<u16>, Option<(&'static str, &'static str)>);

/// Runs one row; returns (outcome, requests on the route, tokio time taken), after checking
/// the files.
async fn run(row: &Row, via: Via, dir: &Path) -> (String, usize, Duration) {
    let clock = tokio::time::Instant::now();
    let mut builder = MockPixiv::builder();
    if matches!(row.fault, WrongName) {
        builder = builder.tls_names(["other.example"]);
    }
    let mock = builder.start().await.unwrap();
    let other = MockPixiv::builder().start().await.unwrap();
    let mut base = mock.base_url();
    let mut ca = mock.ca_pem().to_owned();
    let mut tinyproxy: Option<Tinyproxy> = None;
    let mut _closed_port = None;
    match &row.fault {
        F::Mock(faults) => {
            mock.push_faults(
                RouteMatch::path_prefix(row.op.route()),
                faults.iter().cloned(),
            );
        }
        CrossOrigin => {
            let first = match row.op {
                Json => "/v1/illust/detail?illust_id=12".to_owned(),
                Download | Batch => original(ILLUSTS[0]),
                Paginate => "/v1/user/illusts?user_id=7&type=illust".to_owned(),
            };
            mock.push_faults(
                RouteMatch::path_prefix(row.op.route()),
                [Fault::Redirect {
                    status: 302,
                    location: format!("https://localhost:{}{first}", mock.addr().port()),
                }],
            );
        }
        MetadataRedirect => mock.push_faults(
            RouteMatch::path_prefix(row.op.route()),
            [Fault::Redirect {
                status: 302,
                location: "http://169.254.169.254/latest/meta-data/".to_owned(),
            }],
        ),
        Refused => {
            // Bound but never listening: refused, and no other test's server can take the port.
            let closed = tokio::net::TcpSocket::new_v4().unwrap();
            closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            base = format!("https://127.0.0.1:{}", closed.local_addr().unwrap().port());
            _closed_port = Some(closed);
        }
        ExpiredToken => {}
        WrongName => {}
        UntrustedCa => ca = other.ca_pem().to_owned(),
        // A proxy that may CONNECT only to port 1 / that wants credentials the client lacks.
        ProxyNoConnect => tinyproxy = Some((vec![1], None)),
        ProxyAuth => tinyproxy = Some((vec![mock.addr().port()], Some(("user", "pass")))),
        Dns => base = format!("https://nonexistent.invalid:{}", mock.addr().port()),
    }
    if via == Via::Proxy {
        // CONNECT may reach the mock, and the closed port of the Refused row.
        let mut ports = vec![mock.addr().port()];
        if let Some(closed) = &_closed_port {
            ports.push(closed.local_addr().unwrap().port());
        }
        tinyproxy = Some((ports, None));
    }
    let _tinyproxy = tinyproxy.map(|(ports, auth)| {
        common::start_proxy(ProxyOptions {
            connect_ports: &ports,
            auth,
        })
    });
    let proxy = _tinyproxy
        .as_ref()
        .map(|p| ProxyConfig::url(&p.url()).unwrap());
    let mut cb = pixiv::Client::builder()
        .refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
        .base_url(&base)
        .transport(|t| t.add_root_certificate_pem(&ca));
    if let Some(p) = proxy {
        cb = cb.transport(|t| t.proxy(p));
    }
    if row.real_time(via) {
        // Real time: PixivPy's 1-2-4 s backoff would make the DNS rows wait 7 s each for
        // nothing; 10 ms steps give the same outcome and request counts.
        cb = cb.transport(move |c| {
            let c = c.retry(
                pixiv_transport::retry::RetryPolicy::new()
                    .backoff_factor(Duration::from_millis(10)),
            );
            match via {
                Via::Direct => c,
                Via::Proxy => c
                    .timeout(PROXIED_TIMEOUT)
                    .rate_limit_cooldown(PROXIED_COOLDOWN),
            }
        });
    }
    let client = cb.build().unwrap();
    if matches!(row.fault, ExpiredToken) {
        // Log in first, so the operation holds a token that then dies.
        client.login().await.unwrap();
        mock.expire_access_tokens();
    }
    let images = Downloader::new(client.plain_transport().clone());
    let outcome: Result<(), PixivError> = match row.op {
        Json => {
            let req = http::Request::get(format!("{base}/v1/illust/detail?illust_id=12"))
                .body(pixiv_transport::RequestBody::default())
                .unwrap();
            client
                .api_transport()
                .json::<Value>(req)
                .await
                .map(|v| assert_eq!(v["illust"]["id"], 12))
        }
        Download => images
            .download(
                &format!("{base}{}", original(ILLUSTS[0])),
                &Target::dir(dir),
            )
            .await
            .map(drop),
        Batch => {
            let items: Vec<BatchItem> = ILLUSTS
                .iter()
                .map(|id| BatchItem::new(format!("{base}{}", original(*id)), Target::dir(dir)))
                .collect();
            let results = images
                .download_batch(items, BatchOptions::new().concurrency(1))
                .await;
            let mut first_err = None;
            for (i, r) in results.into_iter().enumerate() {
                match r {
                    Ok(_) => {}
                    Err(e) => {
                        // Mock faults hit the first item only; the others must succeed.
                        if matches!(row.fault, F::Mock(f) if !f.contains(&Fault::RedirectLoop)) {
                            assert_eq!(i, 0, "item {i} failed: {e:?}");
                        }
                        first_err.get_or_insert(e);
                    }
                }
            }
            first_err.map_or(Ok(()), Err)
        }
        Paginate => {
            async {
                let first = client.user_illusts(7).await?;
                let all: Vec<pixiv::Illust> = first.into_stream().try_collect().await?;
                assert_eq!(all.len(), 150);
                Ok(())
            }
            .await
        }
    };
    // No partial file at a final path: every file there is whole.
    for f in files_under(dir) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".part") || name.ends_with(".part.meta") {
            continue;
        }
        let id: u64 = name.split('_').next().unwrap().parse().unwrap();
        assert_eq!(
            std::fs::read(&f).unwrap(),
            pixiv_mock::content::expected_bytes(&original(id)),
            "{:?}/{:?}: {} is not whole",
            row.fault,
            row.op,
            f.display()
        );
    }
    let requests = mock.requests_to(row.op.route()).len();
    let outcome = match outcome {
        Ok(()) => "ok".to_owned(),
        Err(e) => kind(&e),
    };
    (outcome, requests, clock.elapsed())
}

/// Runs every row that goes `via` this path; fails listing the rows that differ.
fn run_rows(via: Via) {
    let started = std::time::Instant::now();
    let mut failures = Vec::new();
    let mut count = 0;
    for row in ROWS.iter().filter(|r| r.runs_via(via)) {
        count += 1;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(!row.real_time(via))
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let row_started = std::time::Instant::now();
        let (outcome, requests, waited) = rt.block_on(run(row, via, dir.path()));
        let line = format!(
            "{:<40} {:<9} {:<22} {:>2} requests, {:>6.1?} tokio time, {:>6.0?} real",
            format!("{:?}", row.fault)
                .chars()
                .take(40)
                .collect::<String>(),
            format!("{:?}", row.op),
            outcome,
            requests,
            waited,
            row_started.elapsed()
        );
        eprintln!("{line}");
        let (expect, expect_requests) = row.expected(via);
        if outcome != expect || requests != expect_requests {
            failures.push(format!(
                "{line}   (expected {expect} / {expect_requests} requests)"
            ));
        }
    }
    eprintln!("{count} rows {via:?} in {:.1?}", started.elapsed());
    assert!(
        failures.is_empty(),
        "rows that differ ({via:?}):\n{}",
        failures.join("\n")
    );
}

#[test]
fn fault_matrix() {
    run_rows(Via::Direct);
}

/// The same rows through a real tinyproxy: a CONNECT tunnel must not change what a fault does.
#[test]
fn fault_matrix_through_a_proxy() {
    run_rows(Via::Proxy);
}

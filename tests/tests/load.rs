//! Load: 64 tasks share one `pixiv::Client` and make 2,000 App API calls and 200 downloads
//! against pixiv-mock (TLS, HTTP/1.1 so the pool bound matters) with 1% of the answers faulted
//! (503 on the API, a mid-body reset on images). Proven from the outside:
//!
//! - every operation succeeds after retries, or fails with a typed error (counted);
//! - the rate limit holds in every window, judged from the mock's request log;
//! - open connections (the mock's gauge, sampled every 2 ms) stay under
//!   `max_connections_per_host`;
//! - file descriptors (`/proc/self/fd`) and resident memory (`/proc/self/status` VmRSS) come back
//!   near their starting level once the client is dropped.
//!
//! `PIXIV_LOAD_SCALE=10` (set by `cargo xtask reliability`) multiplies the calls and downloads:
//! the full version, 20,000 calls and 2,000 downloads, is not for CI. The figures are printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::*;
use pixiv_download::{Downloader, Target};
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::ratelimit::RateLimiter;

const TASKS: usize = 64;
const API_CALLS: usize = 2_000;
const DOWNLOADS: usize = 200;
const FAULT_RATE: f64 = 0.01;
const MAX_CONNECTIONS: usize = 8;
/// The limit under test: 400 request starts per 250 ms.
const LIMIT: u32 = 400;
const WINDOW: Duration = Duration::from_millis(250);

fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn scale() -> usize {
    std::env::var("PIXIV_LOAD_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
}

/// The most requests the log shows starting within any window of `window` (arrival times).
fn max_in_window(mut at: Vec<tokio::time::Instant>, window: Duration) -> usize {
    at.sort();
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..at.len() {
        while at[hi] - at[lo] >= window {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

/// What one phase measured.
#[derive(Debug)]
struct Figures {
    wall: Duration,
    ok: u64,
    errors: Vec<PixivError>,
    requests: usize,
    retries: u64,
    max_window: usize,
    peak_conns: u64,
    peak_fds: u64,
    fds_after: usize,
    rss_after: u64,
    rate_limit_waits: u64,
    files: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_share_one_client_under_faults() {
    let scale = scale();
    let (api_calls, downloads) = (API_CALLS * scale, DOWNLOADS * scale);
    let mock = Arc::new(MockPixiv::builder().http2(false).start().await.unwrap());
    let fault_rate: f64 = std::env::var("PIXIV_LOAD_FAULT_RATE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(FAULT_RATE);
    mock.set_fault_rate(
        RouteMatch::path_prefix("/v1/"),
        fault_rate,
        Fault::Status(503),
    );
    mock.set_fault_rate(
        RouteMatch::path_prefix("/img-original/"),
        fault_rate,
        Fault::ResetBody { after: 4096 },
    );
    let fds_before = fd_count();
    let rss_before = rss_kib();
    // Two identical phases, each with a fresh client dropped at its end: the first warms the
    // allocator up, the second shows whether anything is kept per operation.
    let mut phases = Vec::new();
    for phase in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let f = run_phase(&mock, dir.path(), api_calls, downloads).await;
        mock.clear_requests();
        println!(
            "load phase {phase} (scale {scale}): {api_calls} API calls + {downloads} downloads \
             from {TASKS} tasks in {:.2?}; {} ok, {} errors; the mock saw {} requests ({} \
             retries by the transports after {:.1}% injected faults); at most {} request \
             arrivals in any {WINDOW:?} (limiter: {LIMIT} starts); peak {} open connections \
             (cap {MAX_CONNECTIONS} per transport, 2 transports); fds {fds_before} -> peak {} \
             -> {}; VmRSS {rss_before} KiB -> {} KiB; {} rate-limit waits",
            f.wall,
            f.ok,
            f.errors.len(),
            f.requests,
            f.retries,
            fault_rate * 100.0,
            f.max_window,
            f.peak_conns,
            f.peak_fds,
            f.fds_after,
            f.rss_after,
            f.rate_limit_waits,
        );
        let total = (api_calls + downloads) as u64;
        // Every operation accounted for: ok, or a typed error of a transient kind.
        assert_eq!(f.ok + f.errors.len() as u64, total);
        for e in &f.errors {
            assert!(
                e.is_retryable(),
                "only transient failures may survive retries: {e:?}"
            );
        }
        assert!(f.errors.len() <= 2, "1% faults, 3 retries: {:?}", f.errors);
        assert!(
            f.files + f.errors.len() >= downloads,
            "every download is a whole file"
        );
        if fault_rate > 0.0 {
            assert!(f.retries > 0, "the faults fired and were retried");
        }
        // The limiter bounds request *starts*; the server sees arrivals, which a varying
        // start-to-arrival latency (TLS handshakes, a busy 2-core machine) can bunch: allow
        // 25% in any one window, and require the overall pace the limit implies.
        assert!(
            f.max_window <= LIMIT as usize * 5 / 4,
            "{} arrivals in a {WINDOW:?} window, limit {LIMIT}",
            f.max_window
        );
        let windows = (f.requests as u32 / LIMIT).saturating_sub(1);
        assert!(
            f.wall >= WINDOW * windows,
            "{:?} for {} requests",
            f.wall,
            f.requests
        );
        // Two transports (API, and OAuth + images), each capped.
        assert!(
            f.peak_conns <= 2 * MAX_CONNECTIONS as u64,
            "{}",
            f.peak_conns
        );
        assert!(
            f.fds_after <= fds_before + 2,
            "fds {fds_before} -> {}",
            f.fds_after
        );
        phases.push(f);
    }
    // Memory: the second phase keeps nothing the first did not. The first phase's growth is
    // the allocator keeping what it was given (and the mock's request log); a leak that outlives
    // the dropped client would grow the second phase by as much again.
    let (first, second) = (phases[0].rss_after, phases[1].rss_after);
    let allowed = (8 * 1024).max(first.saturating_sub(rss_before) / 10);
    assert!(
        second <= first + allowed,
        "VmRSS grew from {first} KiB to {second} KiB over an identical second phase \
         (allowed {allowed} KiB)"
    );
}

async fn run_phase(
    mock: &Arc<MockPixiv>,
    dir: &std::path::Path,
    api_calls: usize,
    downloads: usize,
) -> Figures {
    let started = Instant::now();
    let limiter = RateLimiter::new(LIMIT, WINDOW);
    let client = client_builder(mock)
        .transport(|t| {
            t.rate_limiter(limiter.clone())
                .connect(|c| c.max_connections_per_host(Some(MAX_CONNECTIONS)))
                .add_root_certificate_pem(mock.ca_pem())
        })
        // One budget for API calls, OAuth and images, so the server-side check covers every
        // request (the facade gives images a 300 per 60 s budget of their own by default).
        .shared_rate_limit()
        .build()
        .unwrap();
    client.login().await.unwrap();

    // Sample the mock's open connections and our fds while the load runs.
    let stop = Arc::new(AtomicBool::new(false));
    let peak_conns = Arc::new(AtomicU64::new(0));
    let peak_fds = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (stop, peak_conns, peak_fds) = (stop.clone(), peak_conns.clone(), peak_fds.clone());
        let mock = mock.clone();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                peak_conns.fetch_max(mock.open_connections(), Ordering::Relaxed);
                peak_fds.fetch_max(fd_count() as u64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };

    let images = Downloader::new(client.plain_transport().clone());
    let next = Arc::new(AtomicU64::new(0));
    let total = (api_calls + downloads) as u64;
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (client, images, next) = (client.clone(), images.clone(), next.clone());
        let base = mock.base_url();
        let dir = dir.to_path_buf();
        tasks.push(tokio::spawn(async move {
            let mut errors: Vec<PixivError> = Vec::new();
            let mut ok = 0u64;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                // Every 11th operation is a download, until the downloads are used up.
                let result = if i % 11 == 10 && (i / 11) < downloads as u64 {
                    // 700_001 + 7i is never a multiple of 7 (an ugoira, whose original is not `_p0.png`).
                    let id = 700_001 + i * 7;
                    let url = format!("{base}/img-original/img/2024/01/01/00/00/00/{id}_p0.png");
                    images.download(&url, &Target::dir(&dir)).await.map(drop)
                } else {
                    client.illust_detail(1 + i % 5000).await.map(drop)
                };
                match result {
                    Ok(()) => ok += 1,
                    Err(e) => errors.push(e),
                }
            }
            (ok, errors)
        }));
    }
    let mut ok = 0;
    let mut errors = Vec::new();
    for t in tasks {
        let (o, e) = t.await.unwrap();
        ok += o;
        errors.extend(e);
    }
    let wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    sampler.await.unwrap();

    let log = mock.requests();
    let metrics = (
        client.api_transport().metrics(),
        client.plain_transport().metrics(),
    );
    let max_window = max_in_window(
        log.iter()
            .filter(|r| r.path != "/auth/token")
            .map(|r| r.at)
            .collect(),
        WINDOW,
    );
    let files = files_under(dir)
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains(".part"))
        .count();
    drop(images);
    drop(client);
    // Let the pooled connections close, then look at what is left.
    for _ in 0..200 {
        if mock.open_connections() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    Figures {
        wall,
        ok,
        errors,
        requests: log.iter().filter(|r| r.path != "/auth/token").count(),
        retries: metrics.0.retries + metrics.1.retries,
        max_window,
        peak_conns: peak_conns.load(Ordering::Relaxed),
        peak_fds: peak_fds.load(Ordering::Relaxed),
        fds_after: fd_count(),
        rss_after: rss_kib(),
        rate_limit_waits: metrics.0.rate_limit_waits + metrics.1.rate_limit_waits,
        files,
    }
}

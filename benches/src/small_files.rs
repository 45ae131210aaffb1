//! The small-files case of `bench download` (issue #18): N files of K KiB (default 2,000 x 64 KiB)
//! through `pixiv_download::Downloader`, 16 at once, against a plain program writing the same
//! number of files of the same size with `std::fs` from 16 threads, with and without an `fsync`
//! per file. The plain loop makes no request: it is the floor of the local file work, so the
//! ratio says how much the client spends on itself beyond the bytes it must put on disk.
//!
//! A fourth contender, `bare+fsync`, is the floor with the requests: the bare hyper-util client
//! fetching the same URLs, 16 at once on the same runtime, each body collected in memory and then
//! written and `fsync`ed by one blocking task (`std::fs`). It keeps none of the downloader's
//! guarantees (no `.part`, no rename, no lock, no check of the bytes), so `pixiv / bare+fsync` is
//! what those guarantees and the full stack cost per file over the HTTP itself.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pixiv_download::{BatchItem, BatchOptions, Downloader, Target};
use pixiv_transport::Transport;

use crate::{BoxError, median};

/// Threads of the plain loop, and transfers at once of the client (the issue's `-j16`).
const PARALLEL: usize = 16;

/// Runs `rounds` rounds of the three contenders (alternating) and prints each and the medians.
pub(crate) fn run(
    base: &str,
    dir: &Path,
    (files, file_kib): (usize, u64),
    rounds: usize,
    only: u64,
) -> Result<(), BoxError> {
    let bytes = file_kib * 1024;
    let urls: Vec<String> = (0..files)
        .map(|i| format!("{base}/size/{bytes}/small-{i}.bin"))
        .collect();
    // A runtime like the CLI's: multi-thread, one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (downloader, bare) = runtime.block_on(async {
        let downloader = Downloader::new(Transport::builder().no_rate_limit().build()?);
        let bare: Bare = HyperClient::builder(TokioExecutor::new()).build_http();
        Ok::<_, BoxError>((downloader, bare))
    })?;
    println!();
    println!("{files} x {file_kib} KiB, {PARALLEL} at once (seconds; ratio = pixiv / baseline)");
    println!(
        "{:<8} {:>10} {:>10} {:>11} {:>11} {:>9} {:>9} {:>9}",
        "round", "pixiv", "plain", "plain+fsync", "bare+fsync", "vs plain", "vs fsync", "vs bare"
    );
    let (mut pixiv_s, mut plain_s, mut fsync_s, mut bare_s) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut r_plain, mut r_fsync, mut r_bare) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=rounds {
        // Every contender writes into a folder of its own that stays until the run ends (the
        // files are written back to disk like a real download's, not deleted first): on ext4
        // a file made soon after thousands were deleted costs a scan past their inodes
        // (`recently_deleted` in `perf`), which made each contender pay for the one before it.
        // The order turns each round, so none always runs first or last.
        let round_dir = dir.join(format!("round-{round}"));
        let mut times = [Duration::ZERO; 4];
        for k in 0..4 {
            let which = (k + round) % 4;
            if only != 0 && only != which as u64 + 1 {
                // `--only N`: one contender alone (1 plain, 2 plain+fsync, 3 bare+fsync, 4 pixiv),
                // for `perf record`; the others show 1 s and the ratios are void.
                times[which] = Duration::from_secs(1);
                continue;
            }
            // Each contender starts with nothing waiting to be written back: the disk's writeback
            // of one contender's 128 MB must not throttle the next one's writes.
            settle_disk();
            times[which] = match which {
                0 => plain_loop(&round_dir.join("plain"), files, bytes, false)?,
                1 => plain_loop(&round_dir.join("plain-fsync"), files, bytes, true)?,
                2 => runtime.block_on(bare_fetch(&bare, &urls, &round_dir.join("bare")))?,
                _ => {
                    let batch_dir = round_dir.join("pixiv");
                    let items: Vec<BatchItem> = urls
                        .iter()
                        .map(|u| BatchItem::new(u.clone(), Target::dir(&batch_dir)))
                        .collect();
                    let started = Instant::now();
                    let results = runtime.block_on(
                        downloader.download_batch(items, BatchOptions::new().concurrency(PARALLEL)),
                    );
                    let elapsed = started.elapsed();
                    for result in results {
                        result?;
                    }
                    elapsed
                }
            };
        }
        let [plain, fsync, bare_time, pixiv] = times;
        let (p, a, f, b) = (secs(pixiv), secs(plain), secs(fsync), secs(bare_time));
        println!(
            "{round:<8} {p:>10.3} {a:>10.3} {f:>11.3} {b:>11.3} {:>9.2} {:>9.2} {:>9.2}",
            p / a,
            p / f,
            p / b
        );
        pixiv_s.push(p);
        plain_s.push(a);
        fsync_s.push(f);
        bare_s.push(b);
        r_plain.push(p / a);
        r_fsync.push(p / f);
        r_bare.push(p / b);
    }
    println!(
        "{:<8} {:>10.3} {:>10.3} {:>11.3} {:>11.3} {:>9.2} {:>9.2} {:>9.2}",
        "median",
        median(&pixiv_s),
        median(&plain_s),
        median(&fsync_s),
        median(&bare_s),
        median(&r_plain),
        median(&r_fsync),
        median(&r_bare)
    );
    Ok(())
}

type Bare = HyperClient<HttpConnector, Full<Bytes>>;

/// The floor with the requests: every URL fetched by the bare client, [`PARALLEL`] at once, each
/// body collected and then written and `fsync`ed by one blocking task. Returns the time taken.
async fn bare_fetch(client: &Bare, urls: &[String], dir: &Path) -> Result<Duration, BoxError> {
    use std::io::Write as _;

    std::fs::create_dir_all(dir)?;
    let started = Instant::now();
    let mut fetches = futures_util::stream::iter(urls.iter().enumerate())
        .map(|(i, url)| async move {
            let req = Request::get(url)
                .header(header::REFERER, pixiv_download::DEFAULT_REFERER)
                .body(Full::new(Bytes::new()))?;
            let resp = client.request(req).await?;
            if !resp.status().is_success() {
                return Err(BoxError::from(format!("status {}", resp.status())));
            }
            let body = resp.into_body().collect().await?.to_bytes();
            let path = dir.join(format!("{i}.bin"));
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                let mut file = std::fs::File::create(path)?;
                file.write_all(&body)?;
                file.sync_all()
            })
            .await??;
            Ok(())
        })
        .buffer_unordered(PARALLEL);
    while let Some(done) = fetches.next().await {
        done?;
    }
    Ok(started.elapsed())
}

/// Writes back everything dirty (`sync(1)`), then lets the disk rest a moment.
fn settle_disk() {
    let _ = std::process::Command::new("sync").status();
    std::thread::sleep(Duration::from_millis(200));
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Writes `files` files of `bytes` bytes into `dir` from [`PARALLEL`] threads with `std::fs`
/// (create, write, and `sync_all` when `fsync`); returns the time taken.
fn plain_loop(dir: &Path, files: usize, bytes: u64, fsync: bool) -> Result<Duration, BoxError> {
    use std::io::Write as _;

    std::fs::create_dir_all(dir)?;
    let data = vec![0x5a_u8; usize::try_from(bytes)?];
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..PARALLEL)
            .map(|_| {
                scope.spawn(|| -> std::io::Result<()> {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= files {
                            return Ok(());
                        }
                        let mut file = std::fs::File::create(dir.join(format!("{i}.bin")))?;
                        file.write_all(&data)?;
                        if fsync {
                            file.sync_all()?;
                        }
                    }
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .map_err(|_| "a writer thread panicked")?
                .map_err(BoxError::from)
        })
    })?;
    Ok(started.elapsed())
}

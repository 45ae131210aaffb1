//! The small-files case of `bench download` (issue #18): N files of K KiB (default 2,000 x 64 KiB)
//! through `pixiv_download::Downloader`, 16 at once, against a plain program writing the same
//! number of files of the same size with `std::fs` from 16 threads, with and without an `fsync`
//! per file. The plain loop makes no request: it is the floor of the local file work, so the
//! ratio says how much the client spends on itself beyond the bytes it must put on disk.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pixiv_download::{BatchItem, BatchOptions, Downloader, Target};
use pixiv_transport::Transport;

use crate::{BoxError, median};

/// Threads of the plain loop, and transfers at once of the client (the issue's `-j16`).
const PARALLEL: usize = 16;

/// Runs `rounds` rounds of the three contenders (alternating) and prints each and the medians.
pub(crate) fn run(
    base: &str,
    dir: &Path,
    files: usize,
    file_kib: u64,
    rounds: usize,
) -> Result<(), BoxError> {
    let bytes = file_kib * 1024;
    let urls: Vec<String> = (0..files)
        .map(|i| format!("{base}/size/{bytes}/small-{i}.bin"))
        .collect();
    // A runtime like the CLI's: multi-thread, one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let downloader = runtime.block_on(async {
        Ok::<_, BoxError>(Downloader::new(
            Transport::builder().no_rate_limit().build()?,
        ))
    })?;
    println!();
    println!("{files} x {file_kib} KiB, {PARALLEL} at once (seconds; ratio = pixiv / plain)");
    println!(
        "{:<8} {:>10} {:>10} {:>10} {:>12} {:>12}",
        "round", "pixiv", "plain", "plain+fsync", "vs plain", "vs fsync"
    );
    let (mut pixiv_s, mut plain_s, mut fsync_s) = (Vec::new(), Vec::new(), Vec::new());
    let (mut r_plain, mut r_fsync) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let plain = plain_loop(&dir.join("plain"), files, bytes, false)?;
        let fsync = plain_loop(&dir.join("plain-fsync"), files, bytes, true)?;
        let batch_dir = dir.join("small");
        let items: Vec<BatchItem> = urls
            .iter()
            .map(|u| BatchItem::new(u.clone(), Target::dir(&batch_dir)))
            .collect();
        let started = Instant::now();
        let results = runtime
            .block_on(downloader.download_batch(items, BatchOptions::new().concurrency(PARALLEL)));
        let pixiv = started.elapsed();
        for result in results {
            result?;
        }
        std::fs::remove_dir_all(&batch_dir)?;
        let (p, a, f) = (secs(pixiv), secs(plain), secs(fsync));
        println!(
            "{round:<8} {p:>10.3} {a:>10.3} {f:>10.3} {:>12.2} {:>12.2}",
            p / a,
            p / f
        );
        pixiv_s.push(p);
        plain_s.push(a);
        fsync_s.push(f);
        r_plain.push(p / a);
        r_fsync.push(p / f);
    }
    println!(
        "{:<8} {:>10.3} {:>10.3} {:>10.3} {:>12.2} {:>12.2}",
        "median",
        median(&pixiv_s),
        median(&plain_s),
        median(&fsync_s),
        median(&r_plain),
        median(&r_fsync)
    );
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Writes `files` files of `bytes` bytes into `dir` from [`PARALLEL`] threads with `std::fs`
/// (create, write, and `sync_all` when `fsync`); returns the time taken, then removes them.
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
    let elapsed = started.elapsed();
    std::fs::remove_dir_all(dir)?;
    Ok(elapsed)
}

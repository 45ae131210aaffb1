//! `bench download`: `pixiv_download::Downloader` over the full stack against a plain copy of the
//! same bytes to a file through the bare hyper-util client.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pixiv_download::{BatchItem, BatchOptions, Downloader, Target};
use pixiv_mock::{Fault, RouteMatch};
use pixiv_transport::Transport;
use tokio::io::AsyncWriteExt;

use crate::{BoxError, Server};

/// The delay the server adds before each answer in the latency-bound batches (the 50 ms).
const SERVER_DELAY: Duration = Duration::from_millis(50);

/// Options of `bench download`.
pub(crate) struct DownloadArgs {
    size_mib: u64,
    files: usize,
    file_kib: u64,
    small_files: usize,
    small_kib: u64,
    rounds: usize,
    large: bool,
    only: u64,
}

impl DownloadArgs {
    /// The figures: one 1 GiB file; a batch of 200 files of 1 MiB.
    pub(crate) fn parse(args: &[String]) -> Result<Self, BoxError> {
        let mut this = Self {
            size_mib: 1024,
            files: 200,
            file_kib: 1024,
            small_files: 2000,
            small_kib: 64,
            rounds: 3,
            large: true,
            only: 0,
        };
        crate::parse_flags(args, |flag, value| {
            match flag {
                "--size-mib" => this.size_mib = value.max(1),
                "--files" => this.files = usize::try_from(value)?.max(1),
                "--file-kib" => this.file_kib = value.max(1),
                "--small-files" => this.small_files = usize::try_from(value)?.max(1),
                "--small-kib" => this.small_kib = value.max(1),
                "--rounds" => this.rounds = usize::try_from(value)?.max(1),
                "--large" => this.large = value != 0,
                "--only" => this.only = value.min(4),
                other => return Err(format!("unknown option {other}").into()),
            }
            Ok(())
        })?;
        Ok(this)
    }
}

type Bare = HyperClient<HttpConnector, Full<Bytes>>;

pub(crate) fn run_bench(args: DownloadArgs) -> Result<(), BoxError> {
    let server = Server::start()?;
    let base = server.mock.base_url();
    let dir = std::env::temp_dir().join(format!("pixiv-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let result = if args.large {
        runtime.block_on(large_cases(&server, &base, &dir, &args))
    } else {
        Ok(())
    }
    .and_then(|()| {
        crate::small_files::run(
            &base,
            &dir,
            (args.small_files, args.small_kib),
            args.rounds,
            args.only,
        )
    });
    let _ = std::fs::remove_dir_all(&dir);
    drop(server);
    result
}

/// The 1 GiB file and the batches of 1 MiB files, against the bare client.
async fn large_cases(
    server: &Server,
    base: &str,
    dir: &Path,
    args: &DownloadArgs,
) -> Result<(), BoxError> {
    {
        let transport = Transport::builder().no_rate_limit().build()?;
        let downloader = Downloader::new(transport);
        let bare: Bare = HyperClient::builder(TokioExecutor::new()).build_http();

        println!("bench download: files written to {}", dir.display());
        println!();
        println!(
            "{:<44} {:>12} {:>12} {:>8} {:>14}",
            "case", "pixiv MB/s", "bare MB/s", "ratio", "peak RSS MiB"
        );

        // One large file.
        let size = args.size_mib * 1024 * 1024;
        let url = format!("{base}/size/{size}/large.bin");
        let bare_rate = {
            let path = dir.join("bare-large.bin");
            let started = Instant::now();
            bare_copy(&bare, &url, &path).await?;
            let rate = mb_per_s(size, started.elapsed());
            std::fs::remove_file(&path)?;
            rate
        };
        reset_peak_rss();
        let started = Instant::now();
        let done = downloader
            .download(&url, &Target::path(dir.join("large.bin")).replace(true))
            .await?;
        let pixiv_rate = mb_per_s(done.bytes, started.elapsed());
        let peak = peak_rss_mib();
        std::fs::remove_file(&done.path)?;
        row(
            &format!("1 file of {} MiB", args.size_mib),
            pixiv_rate,
            bare_rate,
            peak,
        );

        // Batches, then the same batches with the server waiting before each answer.
        for delayed in [false, true] {
            if delayed {
                server.mock.set_fault_rate(
                    RouteMatch::path_prefix("/size/"),
                    1.0,
                    Fault::DelayHeaders(SERVER_DELAY),
                );
            }
            for concurrency in [5, 16] {
                let bytes = args.file_kib * 1024;
                let urls: Vec<String> = (0..args.files)
                    .map(|i| format!("{base}/size/{bytes}/batch-{i}.bin"))
                    .collect();
                let total = bytes * args.files as u64;

                let bare_dir = dir.join("bare-batch");
                std::fs::create_dir_all(&bare_dir)?;
                let started = Instant::now();
                bare_batch(&bare, &urls, &bare_dir, concurrency).await?;
                let bare_rate = mb_per_s(total, started.elapsed());
                std::fs::remove_dir_all(&bare_dir)?;

                let batch_dir = dir.join("batch");
                let items: Vec<BatchItem> = urls
                    .iter()
                    .map(|u| BatchItem::new(u.clone(), Target::dir(&batch_dir)))
                    .collect();
                reset_peak_rss();
                let started = Instant::now();
                let results = downloader
                    .download_batch(items, BatchOptions::new().concurrency(concurrency))
                    .await;
                let elapsed = started.elapsed();
                let peak = peak_rss_mib();
                let mut written = 0;
                for result in results {
                    written += result?.bytes;
                }
                std::fs::remove_dir_all(&batch_dir)?;
                row(
                    &format!(
                        "{} x {} KiB, {} at once{}",
                        args.files,
                        args.file_kib,
                        concurrency,
                        if delayed { ", +50 ms/answer" } else { "" }
                    ),
                    mb_per_s(written, elapsed),
                    bare_rate,
                    peak,
                );
            }
        }
        Ok::<_, BoxError>(())
    }
}

fn row(case: &str, pixiv: f64, bare: f64, peak: Option<f64>) {
    let peak = peak.map_or_else(|| "n/a".to_owned(), |p| format!("{p:.1}"));
    println!(
        "{case:<44} {pixiv:>12.0} {bare:>12.0} {:>8.3} {peak:>14}",
        pixiv / bare
    );
}

/// GET `url` with the bare client and write the body to `path` as it arrives.
async fn bare_copy(client: &Bare, url: &str, path: &Path) -> Result<u64, BoxError> {
    let req = Request::get(url)
        .header(header::REFERER, pixiv_download::DEFAULT_REFERER)
        .body(Full::new(Bytes::new()))?;
    let resp = client.request(req).await?;
    if !resp.status().is_success() {
        return Err(format!("status {}", resp.status()).into());
    }
    let mut file = tokio::io::BufWriter::new(tokio::fs::File::create(path).await?);
    let mut body = resp.into_body();
    let mut written = 0u64;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            file.write_all(&data).await?;
            written += data.len() as u64;
        }
    }
    file.flush().await?;
    file.into_inner().sync_all().await?;
    Ok(written)
}

async fn bare_batch(
    client: &Bare,
    urls: &[String],
    dir: &Path,
    concurrency: usize,
) -> Result<(), BoxError> {
    let paths: Vec<PathBuf> = (0..urls.len())
        .map(|i| dir.join(format!("{i}.bin")))
        .collect();
    let mut copies = futures_util::stream::iter(urls.iter().zip(&paths))
        .map(|(url, path)| bare_copy(client, url, path))
        .buffer_unordered(concurrency);
    while let Some(done) = copies.next().await {
        done?;
    }
    Ok(())
}

fn mb_per_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
}

/// Resets the kernel's peak-RSS mark (`VmHWM`) of this process, so the next reading covers one
/// case. The server shares the process, so the figure bounds client and server together.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `VmHWM` of this process in MiB, when /proc has it.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

//! Benchmarks of pixiv-rs against pixiv-mock on loopback: `cargo xtask bench <name>`.
//!
//! Every figure is printed next to a baseline measured in the same run, on the same machine, against
//! the same server, so that the ratios mean something even where the absolute numbers do not.
//!
//! - `transport`: small JSON GETs (`/v1/illust/detail`, about 2 KiB each) through (a) the full
//!   default `pixiv_transport::Transport` stack with the rate limit lifted, (b) the bare hyper-util
//!   client, (c) reqwest; sequential and with concurrent tasks. Each request's body is collected and
//!   parsed into a `serde_json::Value` by all three, so they do the same work. (d) is the typed
//!   facade call, `pixiv::Client::illust_detail`, decoded into the model: what a user pays.
//!   (e) is the `curl` program, one process per run over the same URLs (`--config` listing them,
//!   `--parallel` for the concurrent mode), timed from spawn to exit. `--only LETTERS` runs some
//!   of them (`--only d` for a profile of the typed call).
//! - `download`: one large file and batches of small files to a temporary folder through
//!   `pixiv_download::Downloader` over the full stack, against a plain copy of the same bytes to a
//!   file through the bare hyper-util client; then the batches again with the server waiting 50 ms
//!   before each answer, where concurrency and connection reuse decide the result.
//!   It ends with the small-files case (`small_files.rs`): 2,000 files of 64 KiB, 16 at once,
//!   against a plain `std::fs` loop writing as many files from 16 threads, with and without an
//!   `fsync` per file (issue #18; `--large 0` runs it alone).
//! - `memory`: the peak memory of the release `pixiv` binary for `search --limit N --json` (10^5,
//!   10^6 works) and a 10^6-line `download --input`, each against a baseline run of one page or
//!   one line.
//!
//! The server runs on its own single-thread runtime on its own OS thread, the clients on another, so
//! on a 2-core machine each side has a core and the server is not what the clients share.

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

mod download;
mod memory;
mod small_files;
mod transport;

use std::sync::Arc;

use pixiv_mock::MockPixiv;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, rest) = args
        .split_first()
        .map(|(n, r)| (n.as_str(), r))
        .unwrap_or(("help", &[]));
    match name {
        "transport" => transport::run_bench(transport::TransportArgs::parse(rest)?),
        "download" => download::run_bench(download::DownloadArgs::parse(rest)?),
        "memory" => memory::run_bench(memory::MemoryArgs::parse(rest)?),
        _ => {
            println!(
                "usage: cargo xtask bench transport [--requests N] [--concurrency C] [--rounds R] [--only abcde]\n       \
                 cargo xtask bench download [--size-mib N] [--files N] [--file-kib N]\n       \
                 [--small-files N] [--small-kib N] [--rounds R] [--large 0|1] [--only 0-4]\n       \
                 cargo xtask bench memory [--search N]... [--input-lines N] [--input-files N]"
            );
            Ok(())
        }
    }
}

/// Parses `--flag value` pairs of whole numbers into `set(flag, value)`.
fn parse_flags(
    args: &[String],
    mut set: impl FnMut(&str, u64) -> Result<(), BoxError>,
) -> Result<(), BoxError> {
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value: u64 = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .parse()?;
        set(flag, value)?;
    }
    Ok(())
}

/// The server on its own thread and runtime; dropped with the returned guard.
struct Server {
    mock: Arc<MockPixiv>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Result<Self, BoxError> {
        Self::start_with(|b| b)
    }

    /// [`start`](Self::start) with the mock configured by `configure`.
    fn start_with(
        configure: impl FnOnce(pixiv_mock::MockPixivBuilder) -> pixiv_mock::MockPixivBuilder
        + Send
        + 'static,
    ) -> Result<Self, BoxError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                // No request log: the benchmark would otherwise measure the log's growth.
                let started = configure(MockPixiv::builder().tls(false).record_requests(false))
                    .start()
                    .await;
                match started {
                    Ok(mock) => {
                        let mock = Arc::new(mock);
                        let _ = ready_tx.send(Ok(Arc::clone(&mock)));
                        let _ = stop_rx.await;
                        mock.shutdown().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                    }
                }
            });
        });
        let mock = ready_rx.recv()??;
        Ok(Self {
            mock,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

//! Benchmarks of pixiv-rs against pixiv-mock on loopback: `cargo xtask bench <name>`.
//!
//! Every figure is printed next to a baseline measured in the same run, on the same machine, against
//! the same server, so that the ratios mean something even where the absolute numbers do not.
//!
//! - `transport`: small JSON GETs (`/v1/illust/detail`, about 2 KiB each) through (a) the full
//!   default `pixiv_transport::Transport` stack with the rate limit lifted, (b) the bare hyper-util
//!   client, (c) reqwest; sequential and with concurrent tasks. Each request's body is collected and
//!   parsed into a `serde_json::Value` by all three, so they do the same work.
//!
//! The server runs on its own single-thread runtime on its own OS thread, the clients on another, so
//! on a 2-core machine each side has a core and the server is not what the clients share.

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pixiv_mock::MockPixiv;
use pixiv_transport::Transport;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, rest) = args
        .split_first()
        .map(|(n, r)| (n.as_str(), r))
        .unwrap_or(("help", &[]));
    match name {
        "transport" => transport(TransportArgs::parse(rest)?),
        _ => {
            println!(
                "usage: cargo xtask bench transport [--requests N] [--concurrency C] [--rounds R]"
            );
            Ok(())
        }
    }
}

/// Options of `bench transport`.
struct TransportArgs {
    requests: usize,
    concurrency: usize,
    rounds: usize,
}

impl TransportArgs {
    /// The issue's figures: 20,000 requests, 16 concurrent tasks; 3 rounds, median reported.
    fn parse(args: &[String]) -> Result<Self, BoxError> {
        let mut this = Self {
            requests: 20_000,
            concurrency: 16,
            rounds: 3,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value: usize = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value"))?
                .parse()?;
            match flag.as_str() {
                "--requests" => this.requests = value,
                "--concurrency" => this.concurrency = value.max(1),
                "--rounds" => this.rounds = value.max(1),
                other => return Err(format!("unknown option {other}").into()),
            }
        }
        Ok(this)
    }
}

/// The server on its own thread and runtime; dropped with the returned guard.
struct Server {
    base_url: String,
    token: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Result<Self, BoxError> {
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
                let started = MockPixiv::builder()
                    .tls(false)
                    .record_requests(false)
                    .start()
                    .await;
                match started {
                    Ok(mock) => {
                        let _ = ready_tx.send(Ok((mock.base_url(), mock.issue_access_token())));
                        let _ = stop_rx.await;
                        mock.shutdown().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                    }
                }
            });
        });
        let (base_url, token) = ready_rx.recv()??;
        Ok(Self {
            base_url,
            token,
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

/// The three clients under test.
#[derive(Clone)]
enum Contender {
    Stack(Transport),
    Bare(Box<HyperClient<HttpConnector, Full<Bytes>>>),
    Reqwest(reqwest::Client),
}

impl Contender {
    fn name(&self) -> &'static str {
        match self {
            Self::Stack(_) => "(a) pixiv-transport, full stack",
            Self::Bare(_) => "(b) bare hyper-util client",
            Self::Reqwest(_) => "(c) reqwest",
        }
    }

    /// One request: GET, collect, parse. Returns the body length.
    async fn one(&self, url: &str, bearer: &str) -> Result<usize, BoxError> {
        match self {
            Self::Stack(transport) => {
                let req = Request::get(url)
                    .header(header::AUTHORIZATION, bearer)
                    .body(Full::new(Bytes::new()))?;
                let value: serde_json::Value = transport.json(req).await?;
                Ok(value.as_object().map_or(0, |o| o.len()))
            }
            Self::Bare(client) => {
                let req = Request::get(url)
                    .header(header::AUTHORIZATION, bearer)
                    .body(Full::new(Bytes::new()))?;
                let resp = client.request(req).await?;
                if !resp.status().is_success() {
                    return Err(format!("status {}", resp.status()).into());
                }
                let bytes = resp.into_body().collect().await?.to_bytes();
                let value: serde_json::Value = serde_json::from_slice(&bytes)?;
                Ok(value.as_object().map_or(0, |o| o.len()))
            }
            Self::Reqwest(client) => {
                let resp = client
                    .get(url)
                    .header(header::AUTHORIZATION, bearer)
                    .send()
                    .await?
                    .error_for_status()?;
                let bytes = resp.bytes().await?;
                let value: serde_json::Value = serde_json::from_slice(&bytes)?;
                Ok(value.as_object().map_or(0, |o| o.len()))
            }
        }
    }
}

fn transport(args: TransportArgs) -> Result<(), BoxError> {
    let server = Server::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let base = server.base_url.clone();
    let bearer = format!("Bearer {}", server.token);
    let urls: Arc<Vec<String>> = Arc::new(
        (0..1000)
            .map(|i| format!("{base}/v1/illust/detail?illust_id={}", i * 10 + 1))
            .collect(),
    );

    let contenders = runtime.block_on(async {
        Ok::<_, BoxError>(vec![
            Contender::Stack(Transport::builder().no_rate_limit().build()?),
            Contender::Bare(Box::new(
                HyperClient::builder(TokioExecutor::new()).build_http(),
            )),
            Contender::Reqwest(reqwest::Client::builder().build()?),
        ])
    })?;

    println!(
        "bench transport: {} small JSON GETs per run, sequential and {} concurrent tasks, {} rounds (median)",
        args.requests, args.concurrency, args.rounds
    );
    // results[contender][mode] = requests/s of each round
    let mut results = vec![[Vec::new(), Vec::new()]; contenders.len()];
    for _ in 0..args.rounds {
        for (i, contender) in contenders.iter().enumerate() {
            for (mode, tasks) in [1, args.concurrency].into_iter().enumerate() {
                let rate = runtime.block_on(run(
                    contender.clone(),
                    Arc::clone(&urls),
                    bearer.clone(),
                    args.requests,
                    tasks,
                ))?;
                results[i][mode].push(rate);
            }
        }
    }

    let medians: Vec<[f64; 2]> = results
        .iter()
        .map(|modes| [median(&modes[0]), median(&modes[1])])
        .collect();
    println!();
    println!(
        "{:<36} {:>14} {:>14}",
        "client",
        "sequential",
        format!("{} tasks", args.concurrency)
    );
    for (contender, m) in contenders.iter().zip(&medians) {
        println!(
            "{:<36} {:>10.0} r/s {:>10.0} r/s",
            contender.name(),
            m[0],
            m[1]
        );
    }
    println!();
    for (label, other) in [
        ("a/b (stack / bare hyper)", 1),
        ("a/c (stack / reqwest)", 2),
    ] {
        println!(
            "{:<36} {:>14.3} {:>14.3}",
            label,
            medians[0][0] / medians[other][0],
            medians[0][1] / medians[other][1]
        );
    }
    drop(server);
    Ok(())
}

/// `total` requests over `tasks` concurrent tasks; returns requests per second.
async fn run(
    contender: Contender,
    urls: Arc<Vec<String>>,
    bearer: String,
    total: usize,
    tasks: usize,
) -> Result<f64, BoxError> {
    // Warm the pool so the first connections' handshakes are not in the figure.
    for url in urls.iter().take(tasks) {
        contender.one(url, &bearer).await?;
    }
    let started = Instant::now();
    let per_task = total / tasks;
    let mut handles = Vec::with_capacity(tasks);
    for t in 0..tasks {
        let contender = contender.clone();
        let urls = Arc::clone(&urls);
        let bearer = bearer.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..per_task {
                let url = &urls[(t * per_task + i) % urls.len()];
                contender.one(url, &bearer).await?;
            }
            Ok::<_, BoxError>(())
        }));
    }
    for handle in handles {
        handle.await??;
    }
    let elapsed = started.elapsed().max(Duration::from_micros(1));
    Ok((per_task * tasks) as f64 / elapsed.as_secs_f64())
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

//! `bench transport`: small JSON GETs through the full stack, the bare hyper-util client and reqwest,
//! the typed facade call (`pixiv::Client::illust_detail`, decoded into the model), and the `curl`
//! program over the same URLs (`curl.rs`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pixiv_transport::Transport;

use crate::{BoxError, Server, median};

mod curl;
use curl::Curl;

/// Options of `bench transport`.
pub(crate) struct TransportArgs {
    requests: usize,
    concurrency: usize,
    rounds: usize,
    /// The contenders run, by letter (`--only de`); all of them by default. A profile of one
    /// contender (`perf record`) runs the binary with one letter.
    only: String,
}

impl TransportArgs {
    /// The issue's figures: 20,000 requests, 16 concurrent tasks; 3 rounds, median reported.
    pub(crate) fn parse(args: &[String]) -> Result<Self, BoxError> {
        let mut this = Self {
            requests: 20_000,
            concurrency: 16,
            rounds: 3,
            only: "abcde".to_owned(),
        };
        // `--only LETTERS` is the one flag whose value is not a number.
        let mut numeric = Vec::with_capacity(args.len());
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if arg == "--only" {
                let letters = it.next().ok_or("--only needs contender letters (a-e)")?;
                if letters.is_empty() || !letters.chars().all(|c| ('a'..='e').contains(&c)) {
                    return Err(format!("--only takes letters a-e, not {letters:?}").into());
                }
                this.only.clone_from(letters);
            } else {
                numeric.push(arg.clone());
            }
        }
        crate::parse_flags(&numeric, |flag, value| {
            let value = usize::try_from(value)?;
            match flag {
                "--requests" => this.requests = value,
                "--concurrency" => this.concurrency = value.max(1),
                "--rounds" => this.rounds = value.max(1),
                other => return Err(format!("unknown option {other}").into()),
            }
            Ok(())
        })?;
        Ok(this)
    }
}

/// The in-process clients under test ((e), curl, is a process: `curl.rs`).
#[derive(Clone)]
enum Contender {
    Stack(Transport),
    Bare(Box<HyperClient<HttpConnector, Full<Bytes>>>),
    Reqwest(reqwest::Client),
    /// The facade: the App API call as a user makes it, answer decoded into `pixiv::Illust`.
    Facade(pixiv::Client),
}

impl Contender {
    fn name(&self) -> &'static str {
        match self {
            Self::Stack(_) => "(a) pixiv-transport, full stack",
            Self::Bare(_) => "(b) bare hyper-util client",
            Self::Reqwest(_) => "(c) reqwest",
            Self::Facade(_) => "(d) pixiv::Client::illust_detail",
        }
    }

    /// The contender's letter, as `--only` names it.
    fn letter(&self) -> char {
        match self {
            Self::Stack(_) => 'a',
            Self::Bare(_) => 'b',
            Self::Reqwest(_) => 'c',
            Self::Facade(_) => 'd',
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
            Self::Facade(client) => {
                // The URLs end in `illust_id=N`.
                let id = url
                    .rsplit('=')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("no illust_id in the URL")?;
                let illust = client.illust_detail(id).await?;
                Ok(illust.title.len())
            }
        }
    }
}

pub(crate) fn run_bench(args: TransportArgs) -> Result<(), BoxError> {
    let server = Server::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let base = server.mock.base_url();
    let bearer = format!("Bearer {}", server.mock.issue_access_token());
    let urls: Arc<Vec<String>> = Arc::new(
        (0..1000)
            .map(|i| format!("{base}/v1/illust/detail?illust_id={}", i * 10 + 1))
            .collect(),
    );

    let contenders: Vec<Contender> = runtime
        .block_on(async {
            Ok::<_, BoxError>(vec![
                Contender::Stack(Transport::builder().no_rate_limit().build()?),
                Contender::Bare(Box::new(
                    HyperClient::builder(TokioExecutor::new()).build_http(),
                )),
                Contender::Reqwest(reqwest::Client::builder().build()?),
                Contender::Facade(
                    pixiv::Client::builder()
                        .base_url(&base)
                        .access_token(server.mock.issue_access_token())
                        .transport(|t| t.no_rate_limit())
                        .build()?,
                ),
            ])
        })?
        .into_iter()
        .filter(|c| args.only.contains(c.letter()))
        .collect();
    let curl = if args.only.contains('e') {
        Curl::new(&urls, &bearer, args.requests, args.concurrency)?
    } else {
        None
    };

    println!(
        "bench transport: {} small JSON GETs per run, sequential and {} concurrent tasks, {} rounds (median)",
        args.requests, args.concurrency, args.rounds
    );
    // One row per contender run: its letter, name, and per mode the requests/s and the client
    // CPU µs per request of each round.
    let mut rows: Vec<Row> = contenders
        .iter()
        .map(|c| Row::new(c.letter(), c.name()))
        .collect();
    if curl.is_some() {
        rows.push(Row::new('e', "(e) curl, one process (see below)"));
    }
    for _ in 0..args.rounds {
        for (row, contender) in rows.iter_mut().zip(&contenders) {
            for (mode, tasks) in [1, args.concurrency].into_iter().enumerate() {
                let figures = runtime.block_on(run(
                    contender.clone(),
                    Arc::clone(&urls),
                    bearer.clone(),
                    args.requests,
                    tasks,
                ))?;
                row.push(mode, figures);
            }
        }
        if let (Some(curl), Some(row)) = (&curl, rows.last_mut()) {
            for mode in 0..2 {
                row.push(mode, curl.run(mode)?);
            }
        }
    }

    println!();
    println!(
        "{:<36} {:>14} {:>14}",
        "client",
        "sequential",
        format!("{} tasks", args.concurrency)
    );
    for row in &rows {
        let m = row.rate_medians();
        println!("{:<36} {:>10.0} r/s {:>10.0} r/s", row.name, m[0], m[1]);
    }
    println!();
    print_ratios(&rows, Row::rate_medians, "");
    // The throughput ratios above include the server and loopback, and move by several percent
    // from run to run; the client's own CPU time per request shows what the stack costs.
    if rows.iter().all(|r| r.cpu_medians()[0] > 0.0) {
        println!();
        println!(
            "client CPU per request (the client's thread; the server runs on another; curl: the \
             whole process, in 10 ms ticks)"
        );
        for row in &rows {
            let m = row.cpu_medians();
            println!("{:<36} {:>11.1} us {:>11.1} us", row.name, m[0], m[1]);
        }
        println!();
        print_ratios(&rows, Row::cpu_medians, " CPU");
    }
    if let Some(curl) = &curl {
        let (wall, cpu) = curl.start_cost()?;
        println!();
        println!(
            "(e) curl is timed from spawn to exit and pays its process start and its first \
             connection(s) inside the figure; nothing is subtracted. One curl process making one \
             request: {:.1} ms wall, {} CPU.",
            wall.as_secs_f64() * 1e3,
            cpu.map_or_else(
                || "unknown".to_owned(),
                |c| format!("{:.0} ms", c.as_secs_f64() * 1e3)
            ),
        );
    }
    drop(server);
    Ok(())
}

/// One contender's figures over the rounds.
struct Row {
    letter: char,
    name: &'static str,
    /// Requests/s of each round, per mode (sequential, concurrent).
    rates: [Vec<f64>; 2],
    /// Client CPU µs per request of each round, per mode.
    cpu: [Vec<f64>; 2],
}

impl Row {
    fn new(letter: char, name: &'static str) -> Self {
        Self {
            letter,
            name,
            rates: [Vec::new(), Vec::new()],
            cpu: [Vec::new(), Vec::new()],
        }
    }

    fn push(&mut self, mode: usize, figures: Figures) {
        if let Some(rates) = self.rates.get_mut(mode) {
            rates.push(figures.rate);
        }
        if let (Some(us), Some(cpu)) = (figures.cpu_us, self.cpu.get_mut(mode)) {
            cpu.push(us);
        }
    }

    fn rate_medians(&self) -> [f64; 2] {
        [median(&self.rates[0]), median(&self.rates[1])]
    }

    fn cpu_medians(&self) -> [f64; 2] {
        [median(&self.cpu[0]), median(&self.cpu[1])]
    }
}

/// The ratios between contenders that were run: `what` picks the medians (rate or CPU).
fn print_ratios(rows: &[Row], what: fn(&Row) -> [f64; 2], suffix: &str) {
    for (label, this, other) in [
        ("a/b (stack / bare hyper)", 'a', 'b'),
        ("a/c (stack / reqwest)", 'a', 'c'),
        ("d/b (facade / bare hyper)", 'd', 'b'),
        ("d/e (facade / curl)", 'd', 'e'),
    ] {
        let find = |letter| rows.iter().find(|r| r.letter == letter).map(what);
        if let (Some(t), Some(o)) = (find(this), find(other)) {
            let (short, long) = label.split_at(3);
            println!(
                "{:<36} {:>14.3} {:>14.3}",
                format!("{short}{suffix}{long}"),
                t[0] / o[0],
                t[1] / o[1]
            );
        }
    }
}

/// One run's figures.
#[derive(Clone, Copy)]
struct Figures {
    /// Requests per second.
    rate: f64,
    /// CPU time of the client's thread per request, in µs (`None` where Linux's schedstat is
    /// missing). The client runtime is a current-thread one, so its tasks and hyper's connection
    /// tasks all run on this thread; the server runs on another.
    cpu_us: Option<f64>,
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`, Linux).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `total` requests over `tasks` concurrent tasks.
async fn run(
    contender: Contender,
    urls: Arc<Vec<String>>,
    bearer: String,
    total: usize,
    tasks: usize,
) -> Result<Figures, BoxError> {
    // Warm the pool so the first connections' handshakes are not in the figure.
    for url in urls.iter().take(tasks) {
        contender.one(url, &bearer).await?;
    }
    let cpu_before = thread_cpu_ns();
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
    let done = per_task * tasks;
    let cpu_us = match (cpu_before, thread_cpu_ns()) {
        (Some(before), Some(after)) => {
            Some(after.saturating_sub(before) as f64 / 1000.0 / done.max(1) as f64)
        }
        _ => None,
    };
    Ok(Figures {
        rate: done as f64 / elapsed.as_secs_f64(),
        cpu_us,
    })
}

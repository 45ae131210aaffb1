//! Contender (e) of `bench transport`: the `curl` program, one process per run, over the same URLs
//! with the same Bearer token.
//!
//! One `curl --config FILE` lists every URL of the run (`url = ...` with `output = "/dev/null"`), so
//! a sequential run is one process making its requests one after another over one kept-alive
//! connection, as a shell loop over `curl` cannot; the concurrent mode adds `parallel` and
//! `parallel-max` (curl's `-Z`). curl only writes the bodies away: it parses no JSON, which every
//! in-process contender does.
//!
//! What is timed is the whole process, from spawn to exit: its start (loading libcurl and its TLS
//! library, reading the config) and its first connection(s) are inside the figure, where the
//! in-process contenders warm their pool first. Nothing is subtracted; the run prints the cost of
//! a one-request `curl` next to it so the reader can see how much that is.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::BoxError;

use super::Figures;

/// Linux's `USER_HZ`, the unit of the children's CPU times in `/proc/self/stat`: 100 on every
/// architecture Linux runs on today (`sysconf(_SC_CLK_TCK)`).
const TICKS_PER_SECOND: f64 = 100.0;

/// The `curl` program and its config files for one benchmark run; the files are removed on drop
/// (they hold the mock's Bearer token).
pub(super) struct Curl {
    /// One config per mode: sequential, then concurrent.
    configs: [PathBuf; 2],
    /// A config with only the first URL: what a process start and one request cost.
    single: PathBuf,
    requests: usize,
}

impl Curl {
    /// `None` (and a printed note) when no `curl` runs here.
    pub(super) fn new(
        urls: &[String],
        bearer: &str,
        requests: usize,
        concurrency: usize,
    ) -> Result<Option<Self>, BoxError> {
        let found = Command::new("curl")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            println!("(e) curl: no `curl` program on the PATH, skipped");
            return Ok(None);
        }
        let dir = std::env::temp_dir();
        let stem = format!("pixiv-bench-curl-{}", std::process::id());
        let path = |name: &str| dir.join(format!("{stem}-{name}.conf"));
        let this = Self {
            configs: [path("sequential"), path("concurrent")],
            single: path("single"),
            requests,
        };
        let first = urls.first().ok_or("no URLs")?;
        write_config(&this.configs[0], urls, requests, bearer, None)?;
        write_config(&this.configs[1], urls, requests, bearer, Some(concurrency))?;
        write_config(&this.single, std::slice::from_ref(first), 1, bearer, None)?;
        Ok(Some(this))
    }

    /// One run: `mode` 0 sequential, 1 concurrent.
    pub(super) fn run(&self, mode: usize) -> Result<Figures, BoxError> {
        let config = self.configs.get(mode).ok_or("no such mode")?;
        let (elapsed, cpu) = run_curl(config, self.requests)?;
        Ok(Figures {
            rate: self.requests as f64 / elapsed.as_secs_f64(),
            cpu_us: cpu.map(|c| c.as_secs_f64() * 1e6 / self.requests as f64),
        })
    }

    /// What one `curl` process with one request costs: wall time and CPU time.
    pub(super) fn start_cost(&self) -> Result<(Duration, Option<Duration>), BoxError> {
        run_curl(&self.single, 1)
    }
}

impl Drop for Curl {
    fn drop(&mut self) {
        for path in self.configs.iter().chain([&self.single]) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The config: the Bearer header, `--fail`, then `requests` URLs (cycling through `urls`), each
/// written to `/dev/null`; each transfer prints its status and how many new connections it made,
/// so the run can check that every request succeeded and that connections were reused.
fn write_config(
    path: &PathBuf,
    urls: &[String],
    requests: usize,
    bearer: &str,
    parallel: Option<usize>,
) -> Result<(), BoxError> {
    let mut text = String::with_capacity(requests * 80);
    // `no-progress-meter` too: curl 7.88 draws its parallel progress meter despite `silent`.
    writeln!(text, "silent\nno-progress-meter\nfail")?;
    writeln!(text, "header = \"Authorization: {bearer}\"")?;
    writeln!(text, "write-out = \"%{{http_code}} %{{num_connects}}\\n\"")?;
    if let Some(max) = parallel {
        writeln!(text, "parallel\nparallel-max = {max}")?;
    }
    for url in urls.iter().cycle().take(requests) {
        writeln!(text, "url = \"{url}\"\noutput = \"/dev/null\"")?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())?;
    Ok(())
}

/// Runs `curl --config config`, checks that it made `requests` successful transfers, and returns
/// the time from spawn to exit and the CPU time the process used (user + system).
fn run_curl(config: &PathBuf, requests: usize) -> Result<(Duration, Option<Duration>), BoxError> {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = Command::new("curl")
        .arg("--config")
        .arg(config)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    let elapsed = started.elapsed().max(Duration::from_micros(1));
    let cpu = match (cpu_before, children_cpu()) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    if !output.status.success() {
        return Err(format!("curl failed: {}", output.status).into());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut ok = 0usize;
    let mut connects = 0u64;
    for line in stdout.lines() {
        let mut fields = line.split_whitespace();
        if fields.next() == Some("200") {
            ok += 1;
        }
        connects += fields.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    }
    if ok != requests {
        return Err(format!("curl made {ok} successful requests of {requests}").into());
    }
    if requests > 1 && connects as usize * 4 > requests {
        return Err(format!("curl opened {connects} connections for {requests} requests").into());
    }
    Ok((elapsed, cpu))
}

/// The CPU time (user + system) of this process's waited-for children, from `/proc/self/stat`
/// (`cutime` and `cstime`, in [`TICKS_PER_SECOND`] ticks: 10 ms steps).
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces: the first
    // of them is field 3 (`state`), so `cutime` (16) and `cstime` (17) are the 14th and 15th.
    let rest = stat.rsplit_once(") ")?.1;
    let mut fields = rest.split_whitespace().skip(13);
    let cutime: u64 = fields.next()?.parse().ok()?;
    let cstime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_secs_f64(
        (cutime + cstime) as f64 / TICKS_PER_SECOND,
    ))
}

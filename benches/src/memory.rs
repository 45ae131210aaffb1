//! `bench memory`: the peak memory (VmHWM) of the release `pixiv` binary against pixiv-mock, for
//! listings of 10^5 and 10^6 works (`search --limit N --json`) and a 10^6-line `download --input`,
//! each next to a baseline run of the same command with one page or one line. Flat memory shows
//! as a ratio near 1 (docs/reliability.md, "Memory of the pixiv command").
//!
//! A run that ends by itself is measured by GNU time (`/usr/bin/time -f %M`: the child's
//! `ru_maxrss` from `wait4`, exact however short the run); the `--input` run that is stopped with
//! Ctrl-C has its `/proc/PID/status` sampled every 20 ms: VmHWM is a high-water mark, so the last
//! sample before the signal is its peak. Both are the same figure, the peak resident set.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pixiv_mock::DEMO_REFRESH_TOKEN;

use crate::{BoxError, Server};

/// How often the child's memory is read.
const SAMPLE: Duration = Duration::from_millis(20);

/// Bytes of each file the `--input` lines name (so the bytes the server sent count the files).
const FILE_BYTES: u64 = 16;

/// Options of `bench memory`.
pub(crate) struct MemoryArgs {
    /// `search --limit N` runs (besides the baseline of one page).
    searches: Vec<u64>,
    /// Lines of the `--input` file.
    input_lines: u64,
    /// Files the `--input` run downloads before it is stopped (Ctrl-C).
    input_files: u64,
}

impl MemoryArgs {
    /// The figures: 10^5 and 10^6 works; 10^6 lines, stopped after 20,000 files.
    pub(crate) fn parse(args: &[String]) -> Result<Self, BoxError> {
        let mut searches = Vec::new();
        let mut this = Self {
            searches: Vec::new(),
            input_lines: 1_000_000,
            input_files: 20_000,
        };
        crate::parse_flags(args, |flag, value| {
            match flag {
                "--search" => searches.push(value.max(1)),
                "--input-lines" => this.input_lines = value.max(1),
                "--input-files" => this.input_files = value.max(1),
                other => return Err(format!("unknown option {other}").into()),
            }
            Ok(())
        })?;
        this.searches = if searches.is_empty() {
            vec![100_000, 1_000_000]
        } else {
            searches
        };
        Ok(this)
    }
}

/// The release `pixiv` next to this benchmark's own binary (both built by `cargo build
/// --release`), or `PIXIV_BIN`.
fn pixiv_binary() -> Result<PathBuf, BoxError> {
    if let Some(path) = std::env::var_os("PIXIV_BIN") {
        return Ok(PathBuf::from(path));
    }
    let me = std::env::current_exe()?;
    let path = me.with_file_name("pixiv");
    if !path.exists() {
        println!("building the release pixiv binary (cargo build --release -p pixiv-cli)");
        let built = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--quiet", "-p", "pixiv-cli"])
            .status()?;
        if !built.success() {
            return Err("cargo build --release -p pixiv-cli failed".into());
        }
    }
    Ok(path)
}

/// The peak resident memory of `pid` so far, in KiB (None once it has exited).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// One measured run.
struct Measured {
    peak_kib: u64,
    elapsed: Duration,
    /// When `until` first held, if it did.
    first: Option<Duration>,
}

/// Waits for `child`, sampling its memory; `stop_when` is asked at each sample and, once it says
/// so, the child gets SIGINT (Ctrl-C). `first_when` marks the first time it holds.
fn watch(
    mut child: Child,
    first_when: impl Fn() -> bool,
    stop_when: impl Fn() -> bool,
) -> Result<Measured, BoxError> {
    let start = Instant::now();
    let pid = child.id();
    let mut peak = 0;
    let mut first = None;
    let mut stopped = false;
    loop {
        if let Some(kib) = peak_kib(pid) {
            peak = peak.max(kib);
        }
        if first.is_none() && first_when() {
            first = Some(start.elapsed());
        }
        if let Some(status) = child.try_wait()? {
            if !status.success() && !stopped {
                return Err(format!("pixiv failed: {status}").into());
            }
            break;
        }
        if !stopped && stop_when() {
            stopped = true;
            Command::new("kill")
                .args(["-INT", &pid.to_string()])
                .status()?;
        }
        std::thread::sleep(SAMPLE);
    }
    Ok(Measured {
        peak_kib: peak,
        elapsed: start.elapsed(),
        first,
    })
}

/// `pixiv` on the mock, with the demo token and a private config folder.
fn pixiv(bin: &Path, base: &str, config: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--api-url",
        base,
        "--oauth-url",
        base,
        "--image-url",
        base,
        "--rate-limit",
        "0",
        "--no-progress",
    ])
    .env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN)
    .env("PIXIV_CONFIG_DIR", config)
    .env_remove("RUST_LOG");
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// GNU time, which reports a child's exact peak.
const GNU_TIME: &str = "/usr/bin/time";

/// `cmd` under GNU time writing the peak (KiB) to `report`.
fn timed(cmd: &Command, report: &Path) -> Command {
    let mut timed = Command::new(GNU_TIME);
    timed
        .args(["-f", "%M", "-o"])
        .arg(report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    timed
}

/// The peak GNU time wrote to `report`, in KiB.
fn timed_peak(report: &Path) -> Result<u64, BoxError> {
    let text = std::fs::read_to_string(report)?;
    let last = text.lines().last().ok_or("GNU time wrote nothing")?;
    Ok(last.trim().parse()?)
}

/// `search --limit N --json`, its stdout read and counted on a thread.
fn search(bin: &Path, base: &str, config: &Path, n: u64) -> Result<(Measured, u64), BoxError> {
    let mut cmd = pixiv(bin, base, config);
    cmd.args(["search", "bench", "--json", "--limit", &n.to_string()]);
    let report = config.join(format!("search-{n}.time"));
    let mut child = timed(&cmd, &report)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut out = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0_u8; 1 << 16];
        let mut total = 0_u64;
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n as u64;
        }
        total
    });
    let mut measured = watch(child, || false, || false)?;
    measured.peak_kib = timed_peak(&report)?;
    let bytes = reader.join().map_err(|_| "the stdout reader panicked")?;
    Ok((measured, bytes))
}

/// `download --input FILE` of `lines` lines, stopped after `files` files.
fn input(
    server: &Server,
    bin: &Path,
    dir: &Path,
    lines: u64,
    files: u64,
) -> Result<Measured, BoxError> {
    let base = server.mock.base_url();
    let list = dir.join(format!("input-{lines}.txt"));
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&list)?);
        for i in 0..lines {
            writeln!(w, "{base}/size/{FILE_BYTES}/f{i}.bin")?;
        }
        w.flush()?;
    }
    let out = dir.join(format!("out-{lines}"));
    let sent_before = server.mock.body_bytes_sent();
    let done = || (server.mock.body_bytes_sent() - sent_before) / FILE_BYTES;
    let mut cmd = pixiv(bin, &base, dir);
    cmd.args(["download", "--quiet", "-d"])
        .arg(&out)
        .arg("--input")
        .arg(&list)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let measured = if lines <= files {
        // Ends by itself: GNU time has its exact peak.
        let report = dir.join(format!("input-{lines}.time"));
        let child = timed(&cmd, &report)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut measured = watch(child, || done() > 0, || false)?;
        measured.peak_kib = timed_peak(&report)?;
        measured
    } else {
        // Stopped with Ctrl-C (sent to pixiv itself, so it is not under GNU time): sampled.
        watch(cmd.spawn()?, || done() > 0, || done() >= files)?
    };
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(&list);
    Ok(measured)
}

fn mib(kib: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // for display
    let m = kib as f64 / 1024.0;
    format!("{m:.1} MiB")
}

fn ratio(kib: u64, base: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // for display
    let r = kib as f64 / base.max(1) as f64;
    format!("{r:.2}x")
}

pub(crate) fn run_bench(args: MemoryArgs) -> Result<(), BoxError> {
    let bin = pixiv_binary()?;
    let most = args.searches.iter().copied().max().unwrap_or(30);
    let server = Server::start_with(move |b| b.search_results(most))?;
    let base = server.mock.base_url();
    let dir = std::env::temp_dir().join(format!("pixiv-bench-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "bench memory: peak RSS of {} (GNU time's maximum RSS; the Ctrl-C run: VmHWM sampled \
         every {} ms)",
        bin.display(),
        SAMPLE.as_millis()
    );

    let (baseline, _) = search(&bin, &base, &dir, 30)?;
    println!(
        "  search --limit {:>9} --json  peak {:>10}  {:>6}  {:>8.2} s  (baseline: one page)",
        30,
        mib(baseline.peak_kib),
        ratio(baseline.peak_kib, baseline.peak_kib),
        baseline.elapsed.as_secs_f64()
    );
    for &n in &args.searches {
        let (run, bytes) = search(&bin, &base, &dir, n)?;
        #[allow(clippy::cast_precision_loss)] // for display
        let out_mib = bytes as f64 / 1_048_576.0;
        println!(
            "  search --limit {n:>9} --json  peak {:>10}  {:>6}  {:>8.2} s  ({out_mib:.0} MiB printed)",
            mib(run.peak_kib),
            ratio(run.peak_kib, baseline.peak_kib),
            run.elapsed.as_secs_f64()
        );
    }

    let one = input(&server, &bin, &dir, 1, 1)?;
    println!(
        "  download --input {:>9} lines  peak {:>10}  {:>6}  {:>8.2} s  (baseline)",
        1,
        mib(one.peak_kib),
        ratio(one.peak_kib, one.peak_kib),
        one.elapsed.as_secs_f64()
    );
    let many = input(&server, &bin, &dir, args.input_lines, args.input_files)?;
    println!(
        "  download --input {:>9} lines  peak {:>10}  {:>6}  first file after {:.2} s; stopped \
         (Ctrl-C) after {} files, {:.2} s",
        args.input_lines,
        mib(many.peak_kib),
        ratio(many.peak_kib, one.peak_kib),
        many.first.unwrap_or_default().as_secs_f64(),
        args.input_files,
        many.elapsed.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

//! Developer and CI tasks for pixiv-rs, run as `cargo xtask <task>`.
//!
//! Tasks are plain Rust so that nothing with logic in it lives in shell scripts:
//!
//! - `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.
//! - `cargo xtask pyenv`: the Python environment with PixivPy that the fidelity test runs.
//! - `cargo xtask bench <name> [ARGS]`: a benchmark against pixiv-mock on loopback (`benches/`).
//! - `cargo xtask mock [ARGS]`: runs the local Pixiv-compatible server (`pixiv-mock`).
//! - `cargo xtask reliability [SCALE]`: the long versions of the reliability tests (`tests/`):
//!   the load test at `PIXIV_LOAD_SCALE=SCALE` (default 10: 20,000 calls, 2,000 downloads), the
//!   fault matrix, the hostile servers, cancellation and the property tests, figures printed.
//! - `cargo xtask secrets [--scan-only]`: the secret audit alone: CI's test steps with every log
//!   at TRACE kept, then every log line searched for every secret the mock issued or was shown
//!   (`ci` does the same within its test steps).
//! - `cargo xtask mutants [ARGS]`: mutation testing (cargo-mutants, installed when absent) over
//!   classification, the retry policy, the rate limiter, the timeouts, download naming and resume.

#![allow(clippy::print_stdout)] // a task runner talks to its user on stdout

use std::collections::{BTreeMap, HashMap};
use std::env;
use std::ffi::OsStr;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The PixivPy release the fidelity test runs against (PyPI `pixivpy3`). Pinned, so that a new
/// release cannot change what "fidelity" means without a commit here.
const PIXIVPY_VERSION: &str = "3.7.5";

/// Where the Python environment for the fidelity test lives, under the target directory so that
/// `cargo clean` removes it with everything else that is built.
const PYENV_DIR: &str = "pixivpy-venv";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((task, rest)) => (task.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match task {
        "ci" => ci(),
        "pyenv" => pyenv().map(|python| println!("{}", python.display())),
        "bench" => run_step(
            "bench",
            Command::new(cargo())
                .args(["run", "--release", "--quiet", "-p", "pixiv-bench", "--"])
                .args(rest),
        ),
        "mock" => run_step(
            "mock",
            Command::new(cargo())
                .args(["run", "--release", "-p", "pixiv-mock", "--"])
                .args(rest),
        ),
        "reliability" => reliability(rest),
        "secrets" => secrets(rest),
        "mutants" => mutants(rest),
        "help" | "-h" | "--help" => {
            print_help();
            Ok(())
        }
        other => {
            eprintln!("xtask: unknown task `{other}`\n");
            print_help();
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!(
                "\nxtask: FAILED at step `{}`: {}",
                failure.step, failure.why
            );
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "cargo xtask <task>\n\n\
         tasks:\n  \
         ci       fmt, clippy, tests (nextest when installed), doctests with the secret audit, docs; stops at the first failure\n  \
         bench    run a benchmark: cargo xtask bench transport|download [OPTIONS] (see benches/src/main.rs)\n  \
         pyenv    create the Python environment with PixivPy {PIXIVPY_VERSION} for the fidelity test\n  \
         mock     run the local Pixiv-compatible server: cargo xtask mock -- --tls --port 8443\n  \
         reliability [SCALE]  long reliability run: load at PIXIV_LOAD_SCALE=SCALE (default {DEFAULT_LOAD_SCALE}), matrix, hostile, cancel, properties\n  \
         secrets [--scan-only]  the test steps of ci with logs at TRACE, searched for every token, client secret and proxy password\n  \
         mutants [ARGS]       cargo-mutants over {} groups of deciding code (installs cargo-mutants when absent); ARGS go to cargo mutants",
        MUTANT_GROUPS.len()
    );
}

/// A failed step: its name and why.
#[derive(Debug)]
struct Failure {
    step: String,
    why: String,
}

type Step = Result<(), Failure>;

fn ci() -> Step {
    let started = Instant::now();
    let root = workspace_root();
    env::set_current_dir(&root).map_err(|e| fail("setup", e))?;

    run_step(
        "fmt",
        Command::new(cargo()).args(["fmt", "--all", "--", "--check"]),
    )?;
    run_step(
        "clippy",
        Command::new(cargo()).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The alternate route is an opt-in feature: lint it, and run its tests on their own (their
    // targets declare `required-features`, so the workspace run above skips them).
    run_step(
        "clippy (bypass)",
        Command::new(cargo()).args([
            "clippy",
            "-p",
            "pixiv-transport",
            "-p",
            "pixiv",
            "--all-targets",
            "--features",
            "pixiv-transport/bypass,pixiv/bypass",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The secret audit rides on the test steps: every test process that runs pixiv-mock logs at
    // TRACE to target/secret-audit (a few percent slower), and the scan after them fails on any
    // secret in any line. See `secrets()`.
    let audit = fresh_audit_dir(&root)?;
    for (step, mut command) in test_steps(&pyenv()?, &audit) {
        run_step(step, &mut command)?;
    }
    scan_secret_audit(&audit)?;
    run_step(
        "docs",
        Command::new(cargo())
            .args(["doc", "--workspace", "--no-deps", "--locked"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    println!("\nxtask ci: all steps passed in {:.0?}", started.elapsed());
    Ok(())
}

/// Makes sure `target/pixivpy-venv` holds PixivPy and returns its Python interpreter.
fn pyenv() -> Result<PathBuf, Failure> {
    let root = workspace_root();
    let venv = target_dir(&root).join(PYENV_DIR);
    let python = venv.join("bin").join("python");
    let marker = venv.join(format!(".pixivpy3-{PIXIVPY_VERSION}"));
    if marker.exists() && python.exists() {
        return Ok(python);
    }
    let system_python = env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    run_step(
        "pyenv: venv",
        Command::new(&system_python)
            .arg("-m")
            .arg("venv")
            .arg(&venv),
    )?;
    run_step(
        "pyenv: pip install pixivpy3",
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("pixivpy3=={PIXIVPY_VERSION}"),
        ]),
    )?;
    std::fs::write(&marker, b"").map_err(|e| fail("pyenv", e))?;
    Ok(python)
}

fn run_step(step: &str, command: &mut Command) -> Step {
    println!("\n==> [{step}] {}", describe(command));
    let started = Instant::now();
    let status = command.status().map_err(|e| fail(step, e))?;
    if status.success() {
        println!("<== [{step}] ok in {:.1?}", started.elapsed());
        Ok(())
    } else {
        Err(fail(step, format!("exited with {status}")))
    }
}

fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}

fn fail(step: &str, why: impl std::fmt::Display) -> Failure {
    Failure {
        step: step.to_owned(),
        why: why.to_string(),
    }
}

fn has_nextest() -> bool {
    Command::new(cargo())
        .args(["nextest", "--version"])
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false)
}

fn cargo() -> std::ffi::OsString {
    env::var_os("CARGO").unwrap_or_else(|| OsStr::new("cargo").to_owned())
}

/// The workspace root: xtask's manifest dir is `<root>/xtask`.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn target_dir(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// The scale of the long load run: 10 x the CI version (20,000 API calls and 2,000 downloads).
const DEFAULT_LOAD_SCALE: u32 = 10;

/// The reliability suite of `tests/`, long: the load test at a larger scale, with the other
/// reliability tests alongside; `--nocapture` so their figures are printed.
fn reliability(rest: &[String]) -> Step {
    let root = workspace_root();
    env::set_current_dir(&root).map_err(|e| fail("setup", e))?;
    let scale = match rest.first() {
        Some(s) => s
            .parse::<u32>()
            .map_err(|e| fail("reliability", format!("SCALE {s:?}: {e}")))?,
        None => DEFAULT_LOAD_SCALE,
    };
    let started = Instant::now();
    run_step(
        "reliability",
        Command::new(cargo())
            .args(["test", "-p", "pixiv-tests", "--locked"])
            .args([
                "--test",
                "load",
                "--test",
                "fault_matrix",
                "--test",
                "hostile",
            ])
            .args([
                "--test",
                "cancel",
                "--test",
                "properties",
                "--test",
                "secrets",
            ])
            .args(["--", "--nocapture", "--test-threads", "1"])
            .env("PIXIV_LOAD_SCALE", scale.to_string()),
    )?;
    println!("\nxtask reliability: done in {:.0?}", started.elapsed());
    Ok(())
}

/// The code mutation testing looks at (what decides retries, waits, limits, timeouts, names and
/// resumes), in groups that share the tests judging them. A group's `tests` narrow `cargo test`
/// to the targets that exercise its files (empty: all of the package's tests), so each mutant
/// runs seconds of tests, not the package's whole suite.
struct MutantGroup {
    name: &'static str,
    files: &'static [&'static str],
    tests: &'static [&'static str],
}

const MUTANT_GROUPS: &[MutantGroup] = &[
    MutantGroup {
        name: "errors",
        files: &[
            "crates/pixiv-errors/src/classify.rs",
            "crates/pixiv-errors/src/retry_after.rs",
        ],
        tests: &[],
    },
    MutantGroup {
        name: "transport",
        files: &[
            "crates/pixiv-transport/src/retry/policy.rs",
            "crates/pixiv-transport/src/ratelimit/limiter.rs",
            "crates/pixiv-transport/src/timeout/*.rs",
        ],
        tests: &[
            "--lib",
            "--test=retry",
            "--test=ratelimit",
            "--test=timeout",
        ],
    },
    MutantGroup {
        name: "download",
        files: &[
            "crates/pixiv-download/src/target.rs",
            "crates/pixiv-download/src/transfer.rs",
            "crates/pixiv-download/src/sink.rs",
        ],
        tests: &[],
    },
];

/// cargo-mutants over [`MUTANT_GROUPS`], one run per group (results in
/// `target/mutants/<group>/mutants.out`); extra ARGS (e.g. `--timeout 120`, `-j 2`, `--list`) go
/// to every run. ARGS with `-f <file>` make one run over those files only, judged by their
/// package's whole suite. Not part of CI: a full run takes over an hour on 2 cores.
fn mutants(rest: &[String]) -> Step {
    // `cargo xtask mutants -- --timeout 120` works too: cargo-mutants would read a leading `--`
    // as the start of arguments for `cargo test`.
    let rest = match rest.split_first() {
        Some((first, tail)) if first == "--" => tail,
        _ => rest,
    };
    let root = workspace_root();
    env::set_current_dir(&root).map_err(|e| fail("setup", e))?;
    let installed = Command::new(cargo())
        .args(["mutants", "--version"])
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false);
    if !installed {
        run_step(
            "mutants: install",
            Command::new(cargo()).args(["install", "cargo-mutants", "--locked"]),
        )?;
    }
    // Narrowed by the caller (`-f`/`--file`): theirs only, in one run.
    if rest
        .iter()
        .any(|a| a == "-f" || a == "--file" || a.starts_with("--file="))
    {
        return run_step("mutants", Command::new(cargo()).arg("mutants").args(rest));
    }
    for group in MUTANT_GROUPS {
        let out = root.join("target").join("mutants").join(group.name);
        let mut command = Command::new(cargo());
        command.arg("mutants").arg("--output").arg(&out);
        for file in group.files {
            command.args(["--file", file]);
        }
        for arg in group.tests {
            command.arg(format!("--cargo-test-arg={arg}"));
        }
        command.args(rest);
        run_step(&format!("mutants ({})", group.name), &mut command)?;
    }
    Ok(())
}

/// The variable that turns pixiv-mock's secret audit on (`pixiv_mock::audit::DIR_ENV`): every
/// test process that runs a mock then logs at TRACE to `trace-<pid>.log` and lists the secrets it
/// saw in `secrets-<pid>.txt`, in the directory it names.
const SECRET_AUDIT_ENV: &str = "PIXIV_SECRET_AUDIT_DIR";

/// Where the audit's files go, under the target directory; emptied at the start of each run.
const SECRET_AUDIT_DIR: &str = "secret-audit";

/// Secrets shorter than this are not searched for: a test's wrong client secret `nope` or
/// Bearer token `unknown` would match words that leak nothing. Every token the mock issues has 43 characters.
const MIN_SECRET_LEN: usize = 8;

/// How many leaks are printed in full (all are counted).
const LEAKS_SHOWN: usize = 50;

/// `cargo xtask secrets`: [`test_steps`] with the audit on, then [`scan_secret_audit`].
/// `--scan-only` searches the files of the last run again.
fn secrets(rest: &[String]) -> Step {
    let started = Instant::now();
    let root = workspace_root();
    env::set_current_dir(&root).map_err(|e| fail("setup", e))?;
    if rest.iter().any(|a| a == "--scan-only") {
        return scan_secret_audit(&target_dir(&root).join(SECRET_AUDIT_DIR));
    }
    let dir = fresh_audit_dir(&root)?;
    // Every step runs, and the logs are searched even when a test failed: a leak is worth
    // knowing about either way.
    let mut first_failure = Ok(());
    for (step, mut command) in test_steps(&pyenv()?, &dir) {
        let result = run_step(&format!("secrets: {step}"), &mut command);
        if first_failure.is_ok() {
            first_failure = result;
        }
    }
    scan_secret_audit(&dir)?;
    first_failure?;
    println!("\nxtask secrets: done in {:.0?}", started.elapsed());
    Ok(())
}

/// The test steps of CI, with the secret audit writing to `audit`: the workspace's tests (nextest
/// when installed), the `bypass` feature's (their targets declare `required-features`, so the
/// workspace run skips them) and the doctests (nextest does not run them).
fn test_steps(python: &Path, audit: &Path) -> Vec<(&'static str, Command)> {
    let mut tests = Command::new(cargo());
    if has_nextest() {
        tests.args([
            "nextest",
            "run",
            "--workspace",
            "--locked",
            "--no-fail-fast",
        ]);
    } else {
        tests.args(["test", "--workspace", "--locked", "--no-fail-fast"]);
    }
    tests.env("PIXIVPY_PYTHON", python);
    let mut bypass = Command::new(cargo());
    bypass
        .args(["test", "-p", "pixiv-transport", "--features", "bypass"])
        .args(["--locked", "--test", "bypass", "--test", "bypass_trace"]);
    let mut doctests = Command::new(cargo());
    doctests.args(["test", "--workspace", "--doc", "--locked"]);
    let mut steps = vec![
        ("tests", tests),
        ("tests (bypass)", bypass),
        ("doctests", doctests),
    ];
    for (_, command) in &mut steps {
        command.env(SECRET_AUDIT_ENV, audit);
    }
    steps
}

/// `target/secret-audit`, emptied.
fn fresh_audit_dir(root: &Path) -> Result<PathBuf, Failure> {
    let dir = target_dir(root).join(SECRET_AUDIT_DIR);
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(fail("secrets: setup", e));
        }
        _ => {}
    }
    std::fs::create_dir_all(&dir).map_err(|e| fail("secrets: setup", e))?;
    Ok(dir)
}

/// A secret to look for, and what it is.
struct Secret {
    kind: String,
    text: Vec<u8>,
}

/// Reads the `secrets-<pid>.txt` files: the distinct secrets of [`MIN_SECRET_LEN`] or more,
/// each also percent-encoded when that spells it differently (as it would sit in a URL), and how
/// many shorter ones were left out.
fn read_secrets(files: &[PathBuf]) -> Result<(Vec<Secret>, usize), Failure> {
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut secrets = Vec::new();
    let mut short = 0;
    for file in files {
        let text = std::fs::read(file).map_err(|e| fail("secrets: read", e))?;
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let Some(tab) = line.iter().position(|&b| b == b'\t') else {
                continue;
            };
            let kind = String::from_utf8_lossy(&line[..tab]).into_owned();
            let value = &line[tab + 1..];
            if value.len() < MIN_SECRET_LEN {
                short += usize::from(!seen.contains_key(value));
                seen.insert(value.to_vec(), usize::MAX);
                continue;
            }
            let encoded = percent_encode(value);
            let variants = if encoded == value {
                vec![(kind, value.to_vec())]
            } else {
                vec![
                    (format!("{kind} (percent-encoded)"), encoded),
                    (kind, value.to_vec()),
                ]
            };
            for (kind, text) in variants {
                if !seen.contains_key(&text) {
                    seen.insert(text.clone(), secrets.len());
                    secrets.push(Secret { kind, text });
                }
            }
        }
    }
    Ok((secrets, short))
}

/// Every byte outside RFC 3986's unreserved set as `%XX`.
fn percent_encode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    out
}

/// Finds many secrets in a line in one pass: each secret is indexed by its first 8 bytes (all
/// are at least [`MIN_SECRET_LEN`] long), and every 8-byte window of a line is looked up, behind
/// a bitmap that turns nearly all windows away at the cost of a multiply. A few thousand secrets
/// over a few hundred megabytes of logs take seconds; `line.contains` per secret would take
/// hours. (The aho-corasick crate does this in general; xtask stays free of dependencies so
/// that it builds in seconds on a fresh machine.)
struct SecretFinder {
    by_prefix: HashMap<u64, Vec<usize>>,
    bitmap: Vec<u64>,
}

/// log2 of the bitmap's bits: 2^20 bits (128 KiB) keep false hits rare for thousands of secrets.
const FINDER_BITS: u32 = 20;

impl SecretFinder {
    fn new(secrets: &[Secret]) -> Self {
        let mut finder = SecretFinder {
            by_prefix: HashMap::new(),
            bitmap: vec![0; 1 << (FINDER_BITS - 6)],
        };
        for (i, s) in secrets.iter().enumerate() {
            let key = window(&s.text);
            let bit = Self::bit(key);
            finder.bitmap[bit / 64] |= 1 << (bit % 64);
            finder.by_prefix.entry(key).or_default().push(i);
        }
        finder
    }

    fn bit(key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - FINDER_BITS)) as usize
    }

    /// The secrets in `line`, by index, each once.
    fn find(&self, line: &[u8], secrets: &[Secret]) -> Vec<usize> {
        let mut found = Vec::new();
        for start in 0..line.len().saturating_sub(7) {
            let key = window(&line[start..]);
            let bit = Self::bit(key);
            if self.bitmap[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            for &i in self.by_prefix.get(&key).into_iter().flatten() {
                if line[start..].starts_with(&secrets[i].text) && !found.contains(&i) {
                    found.push(i);
                }
            }
        }
        found
    }
}

/// The first 8 bytes of `bytes` (at least 8 long) as a number.
fn window(bytes: &[u8]) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(w)
}

/// `abcdef…(43)`: enough to tell which secret, not enough to use it.
fn redacted(secret: &Secret) -> String {
    let head: String = String::from_utf8_lossy(&secret.text)
        .chars()
        .take(6)
        .collect();
    format!("[{} {head}…({})]", secret.kind, secret.text.len())
}

/// Searches every trace line of `dir` for every secret of `dir`; fails listing each leak
/// (redacted, with file and line), or when the audit saw too little to mean anything.
fn scan_secret_audit(dir: &Path) -> Step {
    const STEP: &str = "secrets: scan";
    println!("\n==> [{STEP}] {}", dir.display());
    let started = Instant::now();
    let mut files: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| fail(STEP, e))?;
    for entry in entries {
        let path = entry.map_err(|e| fail(STEP, e))?.path();
        let name = path.file_name().and_then(OsStr::to_str).unwrap_or("");
        for prefix in ["trace-", "secrets-", "unaudited-"] {
            if name.starts_with(prefix) {
                files.entry(prefix).or_default().push(path.clone());
            }
        }
    }
    let traces = files.remove("trace-").unwrap_or_default();
    let (secrets, short) = read_secrets(&files.remove("secrets-").unwrap_or_default())?;
    let unaudited = files.remove("unaudited-").unwrap_or_default();
    let finder = SecretFinder::new(&secrets);

    let (mut lines, mut bytes, mut trace_lines, mut request_spans) = (0u64, 0u64, 0u64, 0u64);
    let mut leaks: Vec<String> = Vec::new();
    let mut leaked: BTreeMap<usize, usize> = BTreeMap::new();
    let mut line = Vec::new();
    for path in &traces {
        let file = std::fs::File::open(path).map_err(|e| fail(STEP, e))?;
        let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
        let name = path.file_name().and_then(OsStr::to_str).unwrap_or("?");
        for n in 1.. {
            line.clear();
            if reader
                .read_until(b'\n', &mut line)
                .map_err(|e| fail(STEP, e))?
                == 0
            {
                break;
            }
            lines += 1;
            bytes += line.len() as u64;
            trace_lines += u64::from(contains(&line, b" TRACE "));
            request_spans += u64::from(contains(&line, b"pixiv.request"));
            let found = finder.find(&line, &secrets);
            if found.is_empty() {
                continue;
            }
            let mut shown = String::from_utf8_lossy(&line).trim_end().to_owned();
            for &i in &found {
                *leaked.entry(i).or_default() += 1;
                let text = String::from_utf8_lossy(&secrets[i].text).into_owned();
                shown = shown.replace(&text, &redacted(&secrets[i]));
            }
            if leaks.len() < LEAKS_SHOWN {
                let shown: String = shown.chars().take(400).collect();
                leaks.push(format!("{name}:{n}: {shown}"));
            }
        }
    }

    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &secrets {
        *kinds.entry(&s.kind).or_default() += 1;
    }
    println!(
        "    {} test processes logged {lines} lines ({:.1} MiB; {trace_lines} at TRACE, \
         {request_spans} with the pixiv.request span) in {:.1?}",
        traces.len(),
        bytes as f64 / (1024.0 * 1024.0),
        started.elapsed()
    );
    println!(
        "    {} distinct secrets searched for ({short} shorter than {MIN_SECRET_LEN} left out):",
        secrets.len()
    );
    for (kind, n) in &kinds {
        println!("      {n:>6} {kind}");
    }
    for path in &unaudited {
        let why = std::fs::read_to_string(path).unwrap_or_default();
        println!("    NOT AUDITED: {}: {}", path.display(), why.trim());
    }
    if !leaked.is_empty() {
        println!("\n    LEAKS:");
        for leak in &leaks {
            println!("    {leak}");
        }
        for (&i, n) in &leaked {
            println!("    {} in {n} lines", redacted(&secrets[i]));
        }
        return Err(fail(
            STEP,
            format!("{} secrets appear in the logs", leaked.len()),
        ));
    }
    if traces.is_empty() || secrets.is_empty() || trace_lines == 0 || request_spans == 0 {
        return Err(fail(
            STEP,
            "the audit saw too little to mean anything: no trace file, no secret, no TRACE \
             line or no pixiv.request span (is pixiv-mock's audit still wired to \
             PIXIV_SECRET_AUDIT_DIR?)",
        ));
    }
    println!("<== [{STEP}] ok: no secret in any log line");
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(kind: &str, text: &str) -> Secret {
        Secret {
            kind: kind.to_owned(),
            text: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_finder_finds_each_secret_anywhere_in_a_line_once() {
        let secrets = [
            secret("access_token", "AbCdEfGh-token-1"),
            secret("access_token", "AbCdEfGh-token-2"),
            secret("proxy_password", "px-pass-word"),
        ];
        let finder = SecretFinder::new(&secrets);
        assert_eq!(finder.find(b"AbCdEfGh-token-2", &secrets), [1]);
        assert_eq!(
            finder.find(
                b"x=AbCdEfGh-token-1 y=px-pass-word AbCdEfGh-token-1\n",
                &secrets
            ),
            [0, 2]
        );
        assert!(finder.find(b"AbCdEfGh-token-", &secrets).is_empty());
        assert!(finder.find(b"px-pass", &secrets).is_empty());
        assert!(finder.find(b"", &secrets).is_empty());
    }

    #[test]
    fn secrets_are_read_distinct_long_enough_and_also_percent_encoded() {
        let dir = env::temp_dir().join(format!("xtask-secrets-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("secrets-1.txt"), dir.join("secrets-2.txt"));
        std::fs::write(&a, "access_token\tAbCdEfGh-1\nproxy_password\tnope\n").unwrap();
        std::fs::write(&b, "access_token\tAbCdEfGh-1\nproxy_password\tpass word!\n").unwrap();
        let (secrets, short) = read_secrets(&[a, b]).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let found: Vec<(&str, &[u8])> = secrets
            .iter()
            .map(|s| (s.kind.as_str(), s.text.as_slice()))
            .collect();
        assert_eq!(
            found,
            [
                ("access_token", &b"AbCdEfGh-1"[..]),
                ("proxy_password (percent-encoded)", b"pass%20word%21"),
                ("proxy_password", b"pass word!"),
            ]
        );
        assert_eq!(short, 1);
    }

    #[test]
    fn a_redacted_secret_shows_six_characters_and_its_length() {
        let s = secret("refresh_token", "pixiv-mock-demo-refresh-token");
        assert_eq!(redacted(&s), "[refresh_token pixiv-…(29)]");
    }
}

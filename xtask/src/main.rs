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

mod mutants;
mod secrets;

use mutants::{MUTANT_GROUPS, mutants};
use secrets::{fresh_audit_dir, scan_secret_audit, secrets, test_steps};

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
         bench    run a benchmark: cargo xtask bench transport|download|memory [OPTIONS] (see benches/src/main.rs)\n  \
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
    // A package may build `pixiv` without the embedded server and the alternate route
    // (docs/cli.md, "Cargo features"): that binary must still build, warning-free.
    run_step(
        "clippy (pixiv without default features)",
        Command::new(cargo()).args([
            "clippy",
            "-p",
            "pixiv-cli",
            "--no-default-features",
            "--bins",
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

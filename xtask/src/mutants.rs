//! Mutation testing (`cargo xtask mutants`): cargo-mutants over the code that decides retries,
//! waits, limits, timeouts, names and resumes.

use super::*;
/// The code mutation testing looks at (what decides retries, waits, limits, timeouts, names and
/// resumes), in groups that share the tests judging them. A group's `tests` narrow `cargo test`
/// to the targets that exercise its files (empty: all of the package's tests), so each mutant
/// runs seconds of tests, not the package's whole suite.
pub(crate) struct MutantGroup {
    name: &'static str,
    files: &'static [&'static str],
    tests: &'static [&'static str],
}

pub(crate) const MUTANT_GROUPS: &[MutantGroup] = &[
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
pub(crate) fn mutants(rest: &[String]) -> Step {
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

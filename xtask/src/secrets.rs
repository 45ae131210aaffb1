//! The whole-suite secret audit: CI's test steps with every log at TRACE kept, then every log
//! line searched for every secret the mock issued or was shown (`cargo xtask secrets`, and part of
//! `cargo xtask ci`).

use super::*;

use aho_corasick::{AhoCorasick, MatchKind};

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
pub(crate) fn secrets(rest: &[String]) -> Step {
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
pub(crate) fn test_steps(python: &Path, audit: &Path) -> Vec<(&'static str, Command)> {
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
pub(crate) fn fresh_audit_dir(root: &Path) -> Result<PathBuf, Failure> {
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

/// Finds every secret in a line in one pass: an Aho-Corasick automaton over all of them (the
/// aho-corasick crate, the searcher behind ripgrep and the regex crate), so the cost grows with
/// the bytes of logs, not with the number of secrets times the bytes. The same pass notes the
/// two markers the audit counts to prove it saw real traces ([`TRACE_MARKER`],
/// [`REQUEST_MARKER`]).
struct SecretFinder {
    automaton: AhoCorasick,
    secrets: usize,
}

/// A line logged at TRACE.
const TRACE_MARKER: &[u8] = b" TRACE ";
/// A line inside the transport's request span.
const REQUEST_MARKER: &[u8] = b"pixiv.request";

/// What [`SecretFinder::find`] saw in a line.
#[derive(Debug, Default, PartialEq, Eq)]
struct Hits {
    /// The secrets, by index, each once, in the order they first end in the line.
    secrets: Vec<usize>,
    /// Whether [`TRACE_MARKER`] is in the line.
    trace: bool,
    /// Whether [`REQUEST_MARKER`] is in the line.
    request: bool,
}

impl SecretFinder {
    fn new(secrets: &[Secret]) -> Result<Self, Failure> {
        let patterns = secrets
            .iter()
            .map(|s| s.text.as_slice())
            .chain([TRACE_MARKER, REQUEST_MARKER]);
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(patterns)
            .map_err(|e| fail("secrets: scan", e))?;
        Ok(SecretFinder {
            automaton,
            secrets: secrets.len(),
        })
    }

    /// Overlapping matches are searched for, so a secret inside another (or overlapping it, or
    /// a marker) is found too.
    fn find(&self, line: &[u8]) -> Hits {
        let mut hits = Hits::default();
        for m in self.automaton.find_overlapping_iter(line) {
            match m.pattern().as_usize() {
                i if i < self.secrets => {
                    if !hits.secrets.contains(&i) {
                        hits.secrets.push(i);
                    }
                }
                i if i == self.secrets => hits.trace = true,
                _ => hits.request = true,
            }
        }
        hits
    }
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
pub(crate) fn scan_secret_audit(dir: &Path) -> Step {
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
    let finder = SecretFinder::new(&secrets)?;

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
            let Hits {
                secrets: found,
                trace,
                request,
            } = finder.find(&line);
            trace_lines += u64::from(trace);
            request_spans += u64::from(request);
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
        let finder = SecretFinder::new(&secrets).unwrap();
        let found = |line: &[u8]| finder.find(line).secrets;
        assert_eq!(found(b"AbCdEfGh-token-2"), [1]);
        assert_eq!(
            found(b"x=AbCdEfGh-token-1 y=px-pass-word AbCdEfGh-token-1\n"),
            [0, 2]
        );
        assert!(found(b"AbCdEfGh-token-").is_empty());
        assert!(found(b"px-pass").is_empty());
        assert!(found(b"").is_empty());
    }

    #[test]
    fn a_secret_inside_another_and_the_markers_are_all_found() {
        let secrets = [
            secret("refresh_token", "outer-secret-inner-secret-tail"),
            secret("access_token", "inner-secret"),
        ];
        let finder = SecretFinder::new(&secrets).unwrap();
        assert_eq!(
            finder.find(b"2026 TRACE pixiv.request: outer-secret-inner-secret-tail"),
            Hits {
                secrets: vec![1, 0],
                trace: true,
                request: true,
            }
        );
        assert_eq!(finder.find(b" DEBUG x"), Hits::default());
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

//! Runs a script of `tests/pixivpy/` with the real PixivPy (`pixivpy3` from PyPI) against a
//! pixiv-mock, and returns the JSON report it prints on stdout.
//!
//! The interpreter comes from `PIXIVPY_PYTHON` (set by `cargo xtask ci`) or
//! `target/pixivpy-venv/bin/python` (made by `cargo xtask pyenv`). A script gets the mock's
//! address and CA in the environment (`PIXIV_MOCK_URL`, `PIXIV_MOCK_CA`,
//! `PIXIV_MOCK_REFRESH_TOKEN`, `PIXIV_OUT_DIR`) plus the caller's own variables; the shared
//! `tests/pixivpy/mockapi.py` turns them into a logged-in `AppPixivAPI`.

use std::path::{Path, PathBuf};

use pixiv_mock::MockPixiv;
use serde_json::Value;

/// The Python interpreter with `pixivpy3` installed.
pub fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("PIXIVPY_PYTHON") {
        return PathBuf::from(python);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let python = target.join("pixivpy-venv/bin/python");
    assert!(
        python.exists(),
        "PixivPy is not installed: run `cargo xtask pyenv` (or `cargo xtask ci`), \
         or point PIXIVPY_PYTHON at a Python with pixivpy3 installed"
    );
    python
}

/// What a script run left: its report and the directory it could write to.
pub struct PixivPyRun {
    /// The JSON the script printed.
    pub report: Value,
    /// `PIXIV_OUT_DIR`, inside [`PixivPyRun::dir`].
    pub out_dir: PathBuf,
    /// The temporary directory (CA file and `out/`), removed on drop.
    pub dir: tempfile::TempDir,
}

/// Runs `tests/pixivpy/{script}` against `mock` with `env` added; panics (a failed test) with
/// PixivPy's stderr when the script fails.
pub async fn run(mock: &MockPixiv, script: &str, env: &[(&str, String)]) -> PixivPyRun {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, mock.ca_pem()).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pixivpy")
        .join(script);
    let mut command = tokio::process::Command::new(&python);
    command
        .arg(&script)
        .env("PIXIV_MOCK_URL", mock.base_url())
        .env("PIXIV_MOCK_CA", &ca)
        .env("PIXIV_MOCK_REFRESH_TOKEN", pixiv_mock::DEMO_REFRESH_TOKEN)
        .env("PIXIV_OUT_DIR", &out_dir);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().await.unwrap();
    assert!(
        output.status.success(),
        "PixivPy failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the script's report is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    PixivPyRun {
        report,
        out_dir,
        dir,
    }
}

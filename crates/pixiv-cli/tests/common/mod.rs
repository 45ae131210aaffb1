//! Running the built `pixiv` binary against a pixiv-mock started in the test (TLS, its CA in a
//! temporary file), and a real tinyproxy for the proxy tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use pixiv_mock::{DEMO_REFRESH_TOKEN, MockPixiv};
use tokio::io::AsyncWriteExt as _;

/// Where originals live on the mock's image host.
pub const IMG_DIR: &str = "/img-original/img/2024/01/01/00/00/00";

/// A mock, a temporary folder (config, downloads) and the CA file.
pub struct Env {
    pub mock: MockPixiv,
    pub tmp: tempfile::TempDir,
    pub ca: PathBuf,
}

impl Env {
    pub async fn start() -> Env {
        Self::start_with(MockPixiv::builder()).await
    }

    /// [`start`](Self::start) with a mock configured by the test.
    pub async fn start_with(builder: pixiv_mock::MockPixivBuilder) -> Env {
        let mock = builder.start().await.unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let ca = tmp.path().join("ca.pem");
        std::fs::write(&ca, mock.ca_pem()).unwrap();
        Env { mock, tmp, ca }
    }

    pub fn base(&self) -> String {
        self.mock.base_url()
    }

    pub fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    pub fn config_dir(&self) -> PathBuf {
        self.tmp.path().join("config")
    }

    /// `pixiv` with the mock's URLs and CA, the demo token, no proxy from the environment and a
    /// private config folder.
    pub fn pixiv(&self) -> tokio::process::Command {
        let mut cmd = self.servers(&self.base());
        cmd.env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN);
        cmd
    }

    /// [`bare`](Self::bare) with every server at `base` (the mock's port under another name, for
    /// one) and the mock's CA trusted; no token.
    pub fn servers(&self, base: &str) -> tokio::process::Command {
        let mut cmd = self.bare();
        cmd.args(["--api-url", base, "--oauth-url", base, "--image-url", base])
            .arg("--ca-cert")
            .arg(&self.ca);
        cmd
    }

    /// `pixiv` with no options and no token: only a clean environment.
    pub fn bare(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_pixiv"));
        for var in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
            "no_proxy",
            "PIXIV_REFRESH_TOKEN",
            "PIXIV_API_URL",
            "PIXIV_OAUTH_URL",
            "PIXIV_IMAGE_URL",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("PIXIV_CONFIG_DIR", self.config_dir())
            .current_dir(self.tmp.path())
            .kill_on_drop(true);
        cmd
    }
}

/// Runs `cmd` with `stdin` and returns what it did.
pub async fn run(cmd: &mut tokio::process::Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("pixiv did not finish within 60 s")
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The JSON lines of a `--json` run.
pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

/// Every file under `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// The file's bytes are what the mock serves at `url_path`.
pub fn assert_content(file: &Path, url_path: &str) {
    let got = std::fs::read(file).unwrap();
    let want = pixiv_mock::content::expected_bytes(url_path);
    assert_eq!(got.len(), want.len(), "{} length", file.display());
    assert!(got == want, "{} differs from {url_path}", file.display());
}

pub use pixiv_mock::tinyproxy::TinyProxy;

/// A tinyproxy allowing CONNECT to `connect_port`; the test fails (not skips) without it.
pub fn start_proxy(connect_port: u16) -> TinyProxy {
    let options = pixiv_mock::tinyproxy::ProxyOptions {
        connect_ports: &[connect_port],
        auth: None,
    };
    TinyProxy::start(options).unwrap_or_else(|e| panic!("{e}"))
}

/// Sends SIGINT (what Ctrl-C sends) to `pid`, with the shell's builtin `kill` (no procps needed).
pub fn interrupt(pid: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", &format!("kill -INT {pid}")]);
    cmd
}

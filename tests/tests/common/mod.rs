//! Helpers shared by the cross-crate reliability tests: a transport and a facade client pointed at
//! a pixiv-mock, and a real `tinyproxy` (the proxy helper is copied from
//! `crates/pixiv-transport/tests/proxy.rs`, since test helpers are not exported across crates).
//! Each test file uses a subset, hence the `dead_code` allowance.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::io::Read as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use http::Request;
use pixiv_mock::MockPixiv;
use pixiv_transport::auth::StaticToken;
use pixiv_transport::retry::RetryPolicy;
use pixiv_transport::{RequestBody, Transport, TransportBuilder, TransportConfig};

/// The Referer the image host wants.
pub const REFERER: &str = "https://app-api.pixiv.net/";

/// The client secret every Pixiv client sends (PROTOCOL.md): it must never be logged.
pub const CLIENT_SECRET: &str = "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj";

/// A mock with its defaults (TLS, HTTP/2 offered).
pub async fn mock() -> MockPixiv {
    MockPixiv::builder().start().await.unwrap()
}

/// A transport builder trusting `mock`'s CA, a Bearer (a fresh mock token) for its origin, no
/// rate limit, and the seed's retry policy without jitter (so waits are exact).
pub fn builder(mock: &MockPixiv) -> TransportBuilder {
    builder_with(mock, TransportConfig::new())
}

/// [`builder`] starting from `config` (`TransportBuilder::config` replaces everything set before
/// it, so it goes first).
pub fn builder_with(mock: &MockPixiv, config: TransportConfig) -> TransportBuilder {
    Transport::builder()
        .config(config)
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(StaticToken::new(mock.issue_access_token())))
        .auth_origins([mock.base_url().parse().unwrap()])
        .no_rate_limit()
        .retry(RetryPolicy::new().jitter(false))
}

/// [`builder`], built.
pub fn transport(mock: &MockPixiv) -> Transport {
    builder(mock).build().unwrap()
}

/// A GET of `path` on the mock with the image Referer.
pub fn get(mock: &MockPixiv, path: &str) -> Request<RequestBody> {
    Request::get(format!("{}{path}", mock.base_url()))
        .header("referer", REFERER)
        .body(RequestBody::default())
        .unwrap()
}

/// A facade client pointed at `mock` for all three hosts, trusting its CA.
pub fn client_builder(mock: &MockPixiv) -> pixiv::ClientBuilder {
    pixiv::Client::builder()
        .refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
        .base_url(&mock.base_url())
        .add_root_certificate_pem(mock.ca_pem())
}

/// Every file under `dir` (recursively), for "no partial file" checks.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A tinyproxy process on 127.0.0.1, killed on drop. Copied from
/// `crates/pixiv-transport/tests/proxy.rs` (test helpers are not exported).
pub struct TinyProxy {
    child: Child,
    pub port: u16,
    conf: PathBuf,
    log: PathBuf,
}

/// What the proxy allows.
pub struct ProxyOptions<'a> {
    /// Ports CONNECT may reach (none: tinyproxy's default, 443 and 563 only).
    pub connect_ports: &'a [u16],
    /// `BasicAuth user pass`.
    pub auth: Option<(&'a str, &'a str)>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TinyProxy {
    /// Starts one; panics (the test fails) when `tinyproxy` is missing.
    pub fn start(options: ProxyOptions<'_>) -> TinyProxy {
        if let Err(e) = Command::new("tinyproxy").arg("-v").output() {
            panic!(
                "the proxy rows need the `tinyproxy` program (Debian package `tinyproxy`), \
                 and it could not be run: {e}"
            );
        }
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let base = std::env::temp_dir()
                .join(format!("pixiv-tests-tinyproxy-{}-{n}", std::process::id()));
            let conf = base.with_extension("conf");
            let log = base.with_extension("log");
            let mut text = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nMaxClients 100\n\
                 LogLevel Info\nLogFile \"{}\"\n",
                log.display()
            );
            for p in options.connect_ports {
                text.push_str(&format!("ConnectPort {p}\n"));
            }
            if let Some((user, pass)) = options.auth {
                text.push_str(&format!("BasicAuth {user} {pass}\n"));
            }
            std::fs::write(&conf, text).unwrap();
            let mut child = Command::new("tinyproxy")
                .arg("-d")
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return TinyProxy {
                        child,
                        port,
                        conf,
                        log,
                    };
                }
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut stderr);
            }
            last_log = format!(
                "{stderr}{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            let _ = std::fs::remove_file(&conf);
            let _ = std::fs::remove_file(&log);
        }
        panic!("tinyproxy did not start listening after 5 attempts:\n{last_log}");
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://user:pass@127.0.0.1:PORT`.
    pub fn url_with(&self, user: &str, pass: &str) -> String {
        format!("http://{user}:{pass}@127.0.0.1:{}", self.port)
    }

    /// tinyproxy's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for TinyProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.conf);
        let _ = std::fs::remove_file(&self.log);
    }
}

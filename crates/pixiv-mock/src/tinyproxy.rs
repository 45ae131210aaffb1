//! A real HTTP proxy for tests: Debian's `tinyproxy`, started on 127.0.0.1 with a generated
//! configuration and stopped when the handle drops.
//!
//! Users meet proxies through real programs, so proxy tests go through one rather than a proxy
//! written here. Every test suite of the workspace that needs a proxy (the transport's, the CLI's,
//! the cross-crate fault matrix) starts it with this module, so the start-up dance lives once.
//!
//! `tinyproxy` must be installed (`apt-get install tinyproxy`; `.ci/run` does it): without it
//! [`TinyProxy::start`] is an error that says so, and a test that unwraps it fails rather than
//! skipping.
//!
//! ```no_run
//! use pixiv_mock::tinyproxy::{ProxyOptions, TinyProxy};
//!
//! let proxy = TinyProxy::start(ProxyOptions {
//!     connect_ports: &[8443],
//!     auth: Some(("user", "secret")),
//! })?;
//! println!("proxy at {}", proxy.url_with("user", "secret"));
//! # Ok::<_, std::io::Error>(())
//! ```

use std::io::{self, Read as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long a started tinyproxy gets to listen before the attempt counts as failed.
const START_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the port is tried while tinyproxy starts (a short poll, not a wait for an event).
const START_POLL: Duration = Duration::from_millis(20);

/// Attempts, each on a fresh free port: tinyproxy cannot bind port 0, so a port is taken and
/// released first, and another process may grab it in between.
const START_ATTEMPTS: usize = 5;

/// What the proxy allows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProxyOptions<'a> {
    /// Ports CONNECT may reach (empty: tinyproxy's default, 443 and 563 only).
    pub connect_ports: &'a [u16],
    /// `BasicAuth user pass`: clients must send these credentials.
    pub auth: Option<(&'a str, &'a str)>,
}

/// A tinyproxy process listening on 127.0.0.1, killed (and its files removed) on drop.
#[derive(Debug)]
pub struct TinyProxy {
    child: Child,
    port: u16,
    conf: PathBuf,
    log: PathBuf,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TinyProxy {
    /// Starts one. Errors: `tinyproxy` is not installed (the message names the Debian package),
    /// or it did not start listening after a few attempts (the message holds its own log).
    pub fn start(options: ProxyOptions<'_>) -> io::Result<TinyProxy> {
        if let Err(e) = Command::new("tinyproxy").arg("-v").output() {
            return Err(io::Error::new(
                e.kind(),
                format!(
                    "the proxy tests need the `tinyproxy` program (Debian package `tinyproxy`: \
                     apt-get install -y tinyproxy), and it could not be run: {e}"
                ),
            ));
        }
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let base =
                std::env::temp_dir().join(format!("pixiv-tinyproxy-{}-{n}", std::process::id()));
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
            std::fs::write(&conf, text)?;
            let mut child = Command::new("tinyproxy")
                .arg("-d")
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()?;
            let deadline = Instant::now() + START_TIMEOUT;
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Ok(TinyProxy {
                        child,
                        port,
                        conf,
                        log,
                    });
                }
                if child.try_wait()?.is_some() {
                    break;
                }
                std::thread::sleep(START_POLL);
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
        Err(io::Error::other(format!(
            "tinyproxy did not start listening after {START_ATTEMPTS} attempts:\n{last_log}"
        )))
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://user:pass@127.0.0.1:PORT`.
    pub fn url_with(&self, user: &str, pass: &str) -> String {
        format!("http://{user}:{pass}@127.0.0.1:{}", self.port)
    }

    /// tinyproxy's log: what it was asked, as it saw it.
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

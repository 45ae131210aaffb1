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
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;

/// How long a started tinyproxy gets to listen before the attempt counts as failed.
const START_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the log is read while tinyproxy starts (a short poll, not a wait for an event).
const START_POLL: Duration = Duration::from_millis(20);

/// Attempts, each on a fresh free port: tinyproxy cannot bind port 0, so a port is taken and
/// released first, and another process may grab it in between.
const START_ATTEMPTS: usize = 5;

/// What tinyproxy (1.10 and later, `LogLevel Info`) logs once `listen()` on its port succeeded.
/// Seen in the attempt's own fresh log while the process still runs, it proves the port is
/// tinyproxy's: a connect alone could reach whatever else took the port.
const LISTENING: &str = "listening on fd";

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
        Self::start_on(options, free_port)
    }

    /// [`start`](Self::start) with each attempt's port from `next_port`.
    fn start_on(
        options: ProxyOptions<'_>,
        mut next_port: impl FnMut() -> io::Result<u16>,
    ) -> io::Result<TinyProxy> {
        crate::audit::begin();
        if let Some((user, pass)) = options.auth {
            note_credentials(user, pass);
        }
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
            match Self::attempt(next_port()?, options)? {
                Ok(proxy) => return Ok(proxy),
                Err(log) => last_log = log,
            }
        }
        Err(io::Error::other(format!(
            "tinyproxy did not start listening after {START_ATTEMPTS} attempts:\n{last_log}"
        )))
    }

    /// One tinyproxy on `port`: `Ok` once its log says it listens while it still runs, else its
    /// stderr and log (it exited, e.g. the port was taken, or did not listen in time). The outer
    /// error is one of setting it up (files, spawning).
    fn attempt(port: u16, options: ProxyOptions<'_>) -> io::Result<Result<TinyProxy, String>> {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let base = std::env::temp_dir().join(format!("pixiv-tinyproxy-{}-{n}", std::process::id()));
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
        // A log left by an earlier process of the same id would say "listening" already.
        let _ = std::fs::remove_file(&log);
        std::fs::write(&conf, text)?;
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_file(&conf);
                return Err(e);
            }
        };
        // From here on, dropping `proxy` kills the process and removes the files.
        let mut proxy = TinyProxy {
            child,
            port,
            conf,
            log,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            // The log first: if it says listening and the process still runs after, the port is
            // this process's (a process that could not bind exits, with status 71).
            let listening = proxy.log().contains(LISTENING);
            if proxy.child.try_wait()?.is_some() {
                break;
            }
            if listening {
                return Ok(Ok(proxy));
            }
            std::thread::sleep(START_POLL);
        }
        let _ = proxy.child.kill();
        let _ = proxy.child.wait();
        let mut stderr = String::new();
        if let Some(mut e) = proxy.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        Ok(Err(format!("{stderr}{}", proxy.log())))
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://user:pass@127.0.0.1:PORT`. `pass` goes in as given (percent-encode it yourself
    /// when it needs it); with the [secret audit](crate::audit) on, it counts as a secret,
    /// right or wrong.
    pub fn url_with(&self, user: &str, pass: &str) -> String {
        note_credentials(user, pass);
        format!("http://{user}:{pass}@127.0.0.1:{}", self.port)
    }

    /// tinyproxy's log: what it was asked, as it saw it.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Lists a proxy password for the [secret audit](crate::audit): as given, percent-decoded (as a
/// client reads it from a URL), and as the `Basic` credentials that carry it.
fn note_credentials(user: &str, pass: &str) {
    if !crate::audit::is_active() {
        return;
    }
    let decoded = percent_encoding::percent_decode_str(pass).decode_utf8_lossy();
    crate::audit::note_secret("proxy_password", pass);
    crate::audit::note_secret("proxy_password", &decoded);
    crate::audit::note_secret(
        "proxy_basic_credentials",
        &base64::engine::general_purpose::STANDARD.encode(format!("{user}:{decoded}")),
    );
}

/// A port free on 127.0.0.1 a moment ago.
fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Drop for TinyProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.conf);
        let _ = std::fs::remove_file(&self.log);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::net::TcpStream;

    use super::*;

    /// Sends `GET http://127.0.0.1:ORIGIN/through` through `proxy` to a one-shot origin and
    /// returns the whole answer.
    fn get_through(proxy: &TinyProxy) -> String {
        let origin = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin_port = origin.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = origin.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut request = Vec::new();
            let mut buf = [0; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                let n = conn.read(&mut buf).unwrap();
                assert!(n > 0, "the proxy closed before the request ended");
                request.extend_from_slice(&buf[..n]);
            }
            conn.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\norigin")
                .unwrap();
            String::from_utf8_lossy(&request).into_owned()
        });
        let mut client = TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(
            client,
            "GET http://127.0.0.1:{origin_port}/through HTTP/1.0\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).unwrap();
        let request = server.join().unwrap();
        assert!(request.starts_with("GET /through HTTP/1."), "{request}");
        answer
    }

    #[test]
    fn a_request_goes_through_the_started_proxy() {
        let proxy = TinyProxy::start(ProxyOptions::default()).unwrap();
        let answer = get_through(&proxy);
        assert!(answer.starts_with("HTTP/1.0 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\norigin"), "{answer}");
        assert!(
            proxy.log().contains("GET http://127.0.0.1:"),
            "{}",
            proxy.log()
        );
    }

    #[test]
    fn a_stranger_on_the_port_is_not_taken_for_the_proxy() {
        // Listening, never accepting: a connect to it succeeds all the same.
        let stranger = TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = stranger.local_addr().unwrap().port();
        let free = free_port().unwrap();
        let mut ports = [taken, free].into_iter();
        let proxy = TinyProxy::start_on(ProxyOptions::default(), || {
            ports.next().map_or_else(free_port, Ok)
        })
        .unwrap();
        assert_ne!(proxy.port(), taken, "the stranger was taken for tinyproxy");
        assert_eq!(proxy.port(), free, "the second attempt's port");
        let answer = get_through(&proxy);
        assert!(answer.starts_with("HTTP/1.0 200 OK\r\n"), "{answer}");
    }

    #[test]
    fn an_attempt_on_a_taken_port_fails_with_tinyproxys_words() {
        let stranger = TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = stranger.local_addr().unwrap().port();
        match TinyProxy::attempt(taken, ProxyOptions::default()).unwrap() {
            Ok(proxy) => panic!("tinyproxy taken as listening on {}", proxy.port()),
            Err(log) => assert!(log.contains("listening sockets"), "{log}"),
        }
    }
}

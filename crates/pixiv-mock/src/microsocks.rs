//! A real SOCKS5 proxy for tests: Debian's `microsocks`, started on 127.0.0.1 and stopped when
//! the handle drops.
//!
//! As with [`tinyproxy`](crate::tinyproxy), proxy tests go through a real program rather than a
//! proxy written here, and every suite starts it with this module.
//!
//! `microsocks` must be installed (`apt-get install microsocks`; `.ci/run` does it): without it
//! [`MicroSocks::start`] is an error that says so, and a test that unwraps it fails rather than
//! skipping.
//!
//! ```no_run
//! use pixiv_mock::microsocks::MicroSocks;
//!
//! let proxy = MicroSocks::start(Some(("user", "secret")))?;
//! println!("proxy at {}", proxy.url_with("socks5h", "user", "secret"));
//! # Ok::<_, std::io::Error>(())
//! ```

use std::io::{self, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a started microsocks gets to answer a SOCKS5 greeting.
const START_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the port is probed while microsocks starts (a short poll, not a wait for an event).
const START_POLL: Duration = Duration::from_millis(20);

/// Attempts, each on a fresh free port (taken and released first: another process may grab it).
const START_ATTEMPTS: usize = 5;

/// A microsocks process listening on 127.0.0.1, killed on drop.
#[derive(Debug)]
pub struct MicroSocks {
    child: Child,
    port: u16,
}

impl MicroSocks {
    /// Starts one; with `auth`, clients must log in with that user name and password (RFC 1929).
    ///
    /// Errors: `microsocks` is not installed (the message names the Debian package), or it did
    /// not answer a SOCKS5 greeting after a few attempts.
    pub fn start(auth: Option<(&str, &str)>) -> io::Result<MicroSocks> {
        crate::audit::begin();
        if let Some((_, pass)) = auth {
            note_password(pass);
        }
        // microsocks has no version flag; `-h` prints its usage and exits.
        if let Err(e) = Command::new("microsocks")
            .arg("-h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
        {
            return Err(io::Error::new(
                e.kind(),
                format!(
                    "the SOCKS proxy tests need the `microsocks` program (Debian package \
                     `microsocks`: apt-get install -y microsocks), and it could not be run: {e}"
                ),
            ));
        }
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            match Self::attempt(port, auth)? {
                Ok(proxy) => return Ok(proxy),
                Err(why) => last = why,
            }
        }
        Err(io::Error::other(format!(
            "microsocks did not start after {START_ATTEMPTS} attempts: {last}"
        )))
    }

    fn attempt(port: u16, auth: Option<(&str, &str)>) -> io::Result<Result<MicroSocks, String>> {
        let mut cmd = Command::new("microsocks");
        cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
        if let Some((user, pass)) = auth {
            cmd.args(["-u", user, "-P", pass]);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut proxy = MicroSocks { child, port };
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            let answered = greets(port);
            // Still running after the answer: the port is this process's (one that could not
            // bind exits at once).
            if proxy.child.try_wait()?.is_some() {
                break;
            }
            if answered {
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
        Ok(Err(format!("port {port}: {stderr}")))
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `SCHEME://127.0.0.1:PORT` (`socks5` or `socks5h`).
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// `SCHEME://user:pass@127.0.0.1:PORT`. `pass` goes in as given (percent-encode it yourself
    /// when it needs it); with the [secret audit](crate::audit) on, it counts as a secret.
    pub fn url_with(&self, scheme: &str, user: &str, pass: &str) -> String {
        note_password(pass);
        format!("{scheme}://{user}:{pass}@127.0.0.1:{}", self.port)
    }
}

/// Whether something on `port` answers a SOCKS5 greeting (offering "no authentication") with a
/// SOCKS5 method selection: `05 00`, or `05 FF` when it requires a password.
fn greets(port: u16) -> bool {
    let probe = || -> io::Result<[u8; 2]> {
        let mut conn = TcpStream::connect(("127.0.0.1", port))?;
        conn.set_read_timeout(Some(Duration::from_secs(1)))?;
        conn.write_all(&[5, 1, 0])?;
        let mut answer = [0; 2];
        conn.read_exact(&mut answer)?;
        Ok(answer)
    };
    matches!(probe(), Ok([5, 0 | 0xff]))
}

/// Lists a proxy password for the [secret audit](crate::audit): as given and percent-decoded.
fn note_password(pass: &str) {
    if !crate::audit::is_active() {
        return;
    }
    let decoded = percent_encoding::percent_decode_str(pass).decode_utf8_lossy();
    crate::audit::note_secret("proxy_password", pass);
    crate::audit::note_secret("proxy_password", &decoded);
}

impl Drop for MicroSocks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

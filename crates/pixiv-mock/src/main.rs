//! `pixiv-mock`: runs the local Pixiv-compatible server until Ctrl-C (or SIGTERM).
//!
//! ```text
//! pixiv-mock --port 0 [--tls] [--h2] [--ca-out FILE] [--token-lifetime SECS]
//! ```
//!
//! Stdout, one item a line: the base URL first, then `refresh_token=<demo refresh token>` and
//! `access_token=<a pre-issued access token>`, so scripts and `curl` can use it at once.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use pixiv_mock::{DEMO_REFRESH_TOKEN, MockPixiv};

/// A local Pixiv-compatible server (OAuth, App API, image host, DoH) with fault injection.
#[derive(Debug, Parser)]
#[command(name = "pixiv-mock", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve HTTPS with a CA made at start (see --ca-out).
    #[arg(long)]
    tls: bool,
    /// Offer HTTP/2 (ALPN h2 with --tls, h2c prior knowledge without).
    #[arg(long)]
    h2: bool,
    /// Write the CA certificate (PEM) here, for clients to trust.
    #[arg(long, value_name = "FILE")]
    ca_out: Option<PathBuf>,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    token_lifetime: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let mock = MockPixiv::builder()
        .port(args.port)
        .tls(args.tls)
        .http2(args.h2)
        .token_lifetime(Duration::from_secs(args.token_lifetime))
        .start()
        .await?;
    if let Some(path) = &args.ca_out {
        if !mock.is_tls() {
            eprintln!("pixiv-mock: --ca-out ignored without --tls");
        } else {
            std::fs::write(path, mock.ca_pem())?;
        }
    }
    // Listen for signals before announcing the URL: a script may stop us as soon as it reads it.
    let stop = Stop::listen()?;
    let access = mock.issue_access_token();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", mock.base_url())?;
    writeln!(out, "refresh_token={DEMO_REFRESH_TOKEN}")?;
    writeln!(out, "access_token={access}")?;
    out.flush()?;
    drop(out);
    eprintln!(
        "pixiv-mock: serving on {}; Ctrl-C stops it",
        mock.base_url()
    );
    stop.wait().await;
    mock.shutdown().await;
    Ok(())
}

/// Ctrl-C (SIGINT) or, on Unix, SIGTERM.
struct Stop {
    #[cfg(unix)]
    signals: (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
}

impl Stop {
    #[cfg(unix)]
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Stop {
            signals: (
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            ),
        })
    }

    #[cfg(not(unix))]
    fn listen() -> std::io::Result<Self> {
        Ok(Stop {})
    }

    #[cfg(unix)]
    async fn wait(mut self) {
        let (int, term) = &mut self.signals;
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

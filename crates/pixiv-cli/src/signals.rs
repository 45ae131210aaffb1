//! Ctrl-C, SIGTERM and SIGHUP: one way to stop.
//!
//! A terminal's Ctrl-C (SIGINT), `kill` or a service manager (SIGTERM) and a closed terminal
//! (SIGHUP) all stop a command the same way: the command's future is dropped, so transfers stop
//! and the downloader keeps each resumable `.part` with its resume record (docs/downloads.md),
//! the same message is printed, and the exit code is 128 + the signal's number, as shells report
//! a process killed by it (130, 143, 129). See docs/cli.md, "Exit codes".

use tokio::signal::unix::{Signal, SignalKind, signal};

/// A signal that stops the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// SIGHUP.
    HangUp,
}

impl Stop {
    /// 128 + the signal's number.
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
            Self::HangUp => 129,
        }
    }

    /// The signal's name, for the message.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Interrupt => "SIGINT",
            Self::Terminate => "SIGTERM",
            Self::HangUp => "SIGHUP",
        }
    }
}

/// The handlers, installed when made: from then on these signals no longer kill the process.
pub(crate) struct Stops {
    interrupt: Signal,
    terminate: Signal,
    hang_up: Signal,
}

impl Stops {
    /// Installs the three handlers (inside the runtime).
    pub(crate) fn install() -> std::io::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hang_up: signal(SignalKind::hangup())?,
        })
    }

    /// Waits for the first of them.
    pub(crate) async fn next(&mut self) -> Stop {
        tokio::select! {
            _ = self.interrupt.recv() => Stop::Interrupt,
            _ = self.terminate.recv() => Stop::Terminate,
            _ = self.hang_up.recv() => Stop::HangUp,
        }
    }
}

//! `pixiv`: a command-line client for Pixiv's App API, thin over the pixiv-rs libraries.
//!
//! Parsing is in [`cli`], printing in [`render`] and [`progress`], the commands in [`commands`]
//! and [`download`]; every behaviour (HTTP, retries, login, downloads) is the libraries'.
//! `docs/cli.md` is the manual.
//!
//! Exit codes: 0 when everything succeeded (or was skipped), 1 when anything failed, 2 for a
//! usage error, 130 after Ctrl-C (SIGINT), 143 after SIGTERM, 129 after SIGHUP ([`signals`]).
// A command-line program prints to stdout by design.
#![allow(clippy::print_stdout, clippy::print_stderr)]
// The clap structs' doc comments are the `--help` text, where a URL is shown as written.
#![allow(rustdoc::bare_urls)]

mod access_cache;
mod archive;
mod cli;
mod collect;
mod commands;
mod completions;
mod config;
mod display_text;
mod download;
#[cfg(feature = "mock")]
mod embedded;
mod input;
mod keyring_store;
mod listing;
mod logging;
mod novel;
mod output;
mod paginate;
mod progress;
mod queue;
mod ranges;
mod render;
mod settings;
mod signals;
mod source;
mod token_store;

use std::process::ExitCode;

use pixiv::PixivError;

use crate::cli::{Cli, Command};

/// How a command ended, when it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Everything succeeded or was skipped.
    Success,
    /// At least one item failed (the others were still done).
    SomeFailed,
}

/// Why a command stopped.
#[derive(Debug)]
pub(crate) enum CliError {
    /// A library error, with what it was about (`illust 123`).
    Pixiv {
        /// What was being done.
        about: Option<String>,
        /// The error.
        error: PixivError,
    },
    /// The command line asked for something impossible (exit code 2).
    Usage(String),
    /// A signal stopped the command (exit code 128 + its number).
    Stopped(signals::Stop),
}

impl CliError {
    /// `error` while doing `about`.
    pub(crate) fn about(about: impl Into<String>, error: PixivError) -> Self {
        Self::Pixiv {
            about: Some(about.into()),
            error,
        }
    }
}

impl From<PixivError> for CliError {
    fn from(error: PixivError) -> Self {
        Self::Pixiv { about: None, error }
    }
}

fn main() -> ExitCode {
    let cli = match config::parse() {
        Ok(cli) => cli,
        Err(config::ParseError::Config(line)) => {
            eprintln!("{}", render::error_line(&format!("config file {line}")));
            return ExitCode::from(2);
        }
        Err(config::ParseError::Clap(e)) => match ranges::one_line(&e) {
            // A value out of its range: one line naming the flag and the range, exit 2.
            Some(line) => {
                eprintln!("{line}");
                return ExitCode::from(2);
            }
            // Help, version, unknown options: clap's own text and exit code.
            None => e.exit(),
        },
    };
    // --color / NO_COLOR for the progress bars (indicatif draws with `console`) and the logs.
    let color_err = cli
        .global
        .color
        .enabled(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    console::set_colors_enabled_stderr(color_err);
    console::set_colors_enabled(
        cli.global
            .color
            .enabled(std::io::IsTerminal::is_terminal(&std::io::stdout())),
    );
    logging::init(cli.global.verbose, color_err);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        #[cfg(feature = "mock")]
        if let Command::Mock(args) = &cli.command {
            // Ctrl-C is how the server is meant to stop: the command waits for it itself.
            return embedded::mock(args).await;
        }
        // Installed before `run` starts, so a signal never meets the default action (which
        // kills the process with no message and no clean-up).
        let mut stops = match signals::Stops::install() {
            Ok(stops) => stops,
            Err(e) => return Err(CliError::from(PixivError::from(e))),
        };
        tokio::select! {
            biased;
            // Dropping `run` drops any batch in flight: the downloader keeps a resumable `.part`
            // with its resume record and removes the rest, so no partial file is left at a
            // final path; what was printed stays printed.
            stop = stops.next() => Err(CliError::Stopped(stop)),
            result = run(&cli) => result,
        }
    });
    // Don't wait for the connection pool's background tasks.
    runtime.shutdown_background();
    // A listing's last pages (and the end of its array) reach stdout, unless the reader has
    // stopped reading.
    listing::drain(std::time::Duration::from_secs(5));
    match outcome {
        Err(CliError::Stopped(stop)) => {
            eprintln!("\ninterrupted ({})", stop.name());
            ExitCode::from(stop.exit_code())
        }
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::SomeFailed) => ExitCode::from(1),
        Err(CliError::Usage(message)) => {
            eprintln!("{}", render::error_line(&message));
            ExitCode::from(2)
        }
        // The reader of stdout stopped reading (`pixiv search cat | head -1`): as for any Unix
        // tool, that is the end of the command, not a failure. (The transport reports a cut
        // connection as `Truncated`, so a broken pipe here is stdout's.)
        Err(CliError::Pixiv {
            error: PixivError::Io { source, .. },
            ..
        }) if source.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(CliError::Pixiv { about, error }) => {
            let text = render::describe(&error);
            let line = match about {
                Some(about) => format!("{about}: {text}"),
                None => text,
            };
            eprintln!("{}", render::error_line(&line));
            ExitCode::from(1)
        }
    }
}

async fn run(cli: &Cli) -> Result<Status, CliError> {
    let global = &cli.global;
    match &cli.command {
        #[cfg(feature = "mock")]
        Command::Demo(args) => embedded::demo(global, args).await,
        Command::Download(args) => download::run(global, args).await,
        Command::Illust { id } => commands::illust(global, *id).await,
        Command::User { id } => commands::user(global, *id).await,
        Command::Ranking { mode, date } => commands::ranking(global, mode, date.as_deref()).await,
        Command::Search { word, limit } => commands::search(global, word, *limit).await,
        Command::Api(args) => commands::api(global, args).await,
        Command::Login(args) => commands::login(global, args).await,
        Command::Logout => commands::logout(),
        #[cfg(feature = "mock")]
        Command::Mock(args) => embedded::mock(args).await,
        Command::Completions { shell } => completions::completions(*shell),
        Command::Man => completions::man(),
        Command::Config { action } => config::run(*action),
    }
}

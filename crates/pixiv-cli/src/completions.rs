//! `pixiv completions SHELL` and `pixiv man`: shell completion scripts (clap_complete) and a
//! roff manual page (clap_mangen), both generated from the same clap definition as `--help`,
//! so they never drift from the real flags (docs/cli.md, "Completions and the manual page").

use std::io::{self, Write as _};

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::{CliError, Status};

/// Environment variables, files and exit codes, as `pixiv --help` and the man page show them.
pub(crate) const ENVIRONMENT_AND_FILES: &str = "\
Environment:
  PIXIV_REFRESH_TOKEN   refresh token to use (wins over the stored one)
  PIXIV_CONFIG_DIR      the config folder (default: $XDG_CONFIG_HOME/pixiv-rs or ~/.config/pixiv-rs)
  PIXIV_API_URL, PIXIV_OAUTH_URL, PIXIV_IMAGE_URL   other servers (e.g. `pixiv mock`'s)
  HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY      proxies, as curl reads them
  NO_COLOR              no colour in help, errors and progress bars (see --color)
  RUST_LOG              log filter when no -v is given

Files (in the config folder):
  refresh_token         the token `pixiv login` stores (mode 0600)
  refresh_token.keyring after `login --keyring`: the token is in the OS keyring (no secret here)
  access_token          the cached access token and its expiry (mode 0600)
  config.toml           defaults for the long flags (`pixiv config path|show`)
  archive.sqlite3       the default --download-archive database, when asked for

Exit codes: 0 done (or skipped), 1 something failed, 2 usage error (nothing was requested),
130 Ctrl-C (SIGINT), 143 SIGTERM, 129 SIGHUP. A signal stops transfers the same way: what was
printed stays, a resumable .part keeps its resume record.";

/// `pixiv completions SHELL`: the script on stdout.
pub(crate) fn completions(shell: Shell) -> Result<Status, CliError> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "pixiv", &mut out);
    write_stdout(&out)
}

/// `pixiv man`: the roff page on stdout (`pixiv man > pixiv.1`).
pub(crate) fn man() -> Result<Status, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| CliError::from(pixiv::PixivError::from(e)))?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<Status, CliError> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        // A reader that stopped early (`pixiv man | head`) is not a failure.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(CliError::from(pixiv::PixivError::from(e)))
        }
        _ => Ok(Status::Success),
    }
}

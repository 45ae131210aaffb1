//! The command line, as clap derives it. Parsing only: what each command does is in
//! `commands/`, and every behaviour behind it in the libraries.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A command-line client for Pixiv's App API: log in, look works up, download originals.
///
/// Try it with no account and no network: `pixiv demo`.
#[derive(Debug, Parser)]
#[command(
    name = "pixiv",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    /// Options every command understands.
    #[command(flatten)]
    pub(crate) global: Global,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options that apply to every command (they may come before or after the command name).
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct Global {
    /// App API base URL (another server, e.g. `pixiv mock`'s).
    #[arg(long, global = true, value_name = "URL", env = "PIXIV_API_URL")]
    pub(crate) api_url: Option<String>,
    /// OAuth base URL.
    #[arg(long, global = true, value_name = "URL", env = "PIXIV_OAUTH_URL")]
    pub(crate) oauth_url: Option<String>,
    /// Image host base URL (originals are fetched from it, same path).
    #[arg(long, global = true, value_name = "URL", env = "PIXIV_IMAGE_URL")]
    pub(crate) image_url: Option<String>,
    /// Log what happens to stderr (-v: debug, -vv: trace). Tokens are never shown.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// No progress bars: one plain line per finished item instead.
    #[arg(long, global = true)]
    pub(crate) no_progress: bool,
    /// Compact JSON (one object a line for downloads) instead of pretty output.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Network settings.
    #[command(flatten)]
    pub(crate) net: Net,
}

/// How to reach the servers.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Network options (global)")]
pub(crate) struct Net {
    /// Send everything through this proxy (http:// or https://, user:password@ allowed); wins
    /// over HTTP_PROXY / HTTPS_PROXY / ALL_PROXY.
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) proxy: Option<String>,
    /// Ignore the proxy environment variables (and --proxy).
    #[arg(long, global = true)]
    pub(crate) no_proxy: bool,
    /// Trust this CA certificate (PEM file) in addition to the built-in roots.
    #[arg(long, global = true, value_name = "PEM")]
    pub(crate) ca_cert: Vec<PathBuf>,
    /// DANGER: accept any server certificate (no verification at all).
    #[arg(long, global = true)]
    pub(crate) insecure: bool,
    /// Connect, response-headers and body-idle timeout, in seconds [default: 10].
    #[arg(long, global = true, value_name = "SECS")]
    pub(crate) timeout: Option<f64>,
    /// Retries of a failed request (429, 5xx, broken connections) [default: 3].
    #[arg(long, global = true, value_name = "N")]
    pub(crate) retries: Option<u32>,
    /// At most N request starts per SECS seconds, e.g. `100/60` (the default); `0` for none.
    #[arg(long, global = true, value_name = "N/SECS", value_parser = parse_rate)]
    pub(crate) rate_limit: Option<Rate>,
}

/// `--rate-limit N/SECS`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Rate {
    /// No limit.
    Unlimited,
    /// At most `n` starts per `secs` seconds.
    Limit { n: u32, secs: f64 },
}

fn parse_rate(s: &str) -> Result<Rate, String> {
    if s == "0" || s.eq_ignore_ascii_case("none") {
        return Ok(Rate::Unlimited);
    }
    let (n, secs) = s.split_once('/').unwrap_or((s, "1"));
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("{n:?} is not a number of requests (expected N/SECS, e.g. 100/60)"))?;
    let secs: f64 = secs
        .trim()
        .parse()
        .map_err(|_| format!("{secs:?} is not a number of seconds (expected N/SECS)"))?;
    if n == 0 || !(secs.is_finite() && secs > 0.0) {
        return Err("expected N/SECS with N >= 1 and SECS > 0 (or 0 for no limit)".into());
    }
    Ok(Rate::Limit { n, secs })
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a local Pixiv-compatible server and show off: log in, look around, download a few
    /// works with progress bars. Needs no network and no account.
    Demo(DemoArgs),
    /// Download image URLs (no login needed) and works by id (every original page).
    Download(DownloadArgs),
    /// Show a work (JSON).
    Illust {
        /// The work's id.
        id: u64,
    },
    /// Show a user (JSON).
    User {
        /// The user's id.
        id: u64,
    },
    /// Show a ranking's first page (JSON).
    Ranking {
        /// Which ranking (day, week, month, day_male, day_female, week_original, week_rookie,
        /// day_manga, ...).
        #[arg(long, default_value = "day")]
        mode: String,
        /// The ranking of that day (YYYY-MM-DD) [default: the latest].
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Search works by tag (JSON array of works).
    Search {
        /// The word (a tag, partially matched).
        word: String,
        /// At most this many works (pages are fetched as needed).
        #[arg(long, default_value_t = 30, value_name = "N")]
        limit: usize,
    },
    /// Call any App API endpoint and print its JSON answer.
    Api(ApiArgs),
    /// Log in and keep the refresh token for the next commands.
    Login(LoginArgs),
    /// Forget the stored refresh token.
    Logout,
    /// Run the local Pixiv-compatible server (for testing your own tools) until Ctrl-C.
    Mock(MockArgs),
}

/// `pixiv demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Where the demo's downloads go.
    #[arg(short, long, default_value = "pixiv-demo", value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// How many works of the ranking to download.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub(crate) works: usize,
}

/// `pixiv download`.
#[derive(Debug, Args)]
pub(crate) struct DownloadArgs {
    /// Work ids, image URLs, or the Pixiv pages people paste: works, users, bookmarks, the
    /// following feed, rankings, tag searches, series (see docs/cli.md).
    #[arg(value_name = "URL|ILLUST_ID")]
    pub(crate) items: Vec<String>,
    /// Read more items from FILE, one a line (`-` for stdin; blank lines and `#` comments
    /// skipped).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) input: Vec<PathBuf>,
    /// The folder to save into (created when missing).
    #[arg(short, long, default_value = ".", value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// Transfers at once.
    #[arg(short, long, default_value_t = 5, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) jobs: u16,
    /// Overwrite files that exist (default: leave them and report them skipped).
    #[arg(long)]
    pub(crate) replace: bool,
    /// Put this before every file name.
    #[arg(long, value_name = "TEXT")]
    pub(crate) prefix: Option<String>,
    /// Replace every file's extension with this one (`jpg` or `.jpg`).
    #[arg(long, value_name = "EXT")]
    pub(crate) ext: Option<String>,
    /// The Referer sent to the image host [default: https://app-api.pixiv.net/].
    #[arg(long, value_name = "URL")]
    pub(crate) referer: Option<String>,
    /// Print failures only (and no summary).
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Selection and archive (for users, bookmarks, rankings, searches, series).
    #[command(flatten)]
    pub(crate) collect: Box<crate::collect::CollectArgs>,
}

/// An App API method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub(crate) enum ApiMethod {
    /// GET with a query.
    Get,
    /// POST with a form body.
    Post,
    /// DELETE with a query.
    Delete,
}

/// `pixiv api`.
#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// GET, POST or DELETE.
    #[arg(ignore_case = true)]
    pub(crate) method: ApiMethod,
    /// The path (`/v1/illust/comments`), or a full URL whose path is used.
    pub(crate) path: String,
    /// A query parameter (repeatable; repeated keys stay repeated).
    #[arg(short = 'q', long = "query", value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub(crate) query: Vec<(String, String)>,
    /// A form field of a POST (repeatable).
    #[arg(short = 'f', long = "form", value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub(crate) form: Vec<(String, String)>,
    /// GET every page of a list (following `next_url`), one JSON line each.
    #[arg(long)]
    pub(crate) paginate: bool,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("{s:?} is not KEY=VALUE")),
    }
}

/// `pixiv login`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// Store this refresh token instead of logging in through the browser (PKCE).
    #[arg(long, value_name = "TOKEN")]
    pub(crate) refresh_token: Option<String>,
    /// Store the token without checking it with Pixiv first.
    #[arg(long, requires = "refresh_token")]
    pub(crate) no_verify: bool,
}

/// `pixiv mock`.
#[derive(Debug, Args)]
pub(crate) struct MockArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// Serve HTTPS with a CA made at start (write it out with --ca-out).
    #[arg(long)]
    pub(crate) tls: bool,
    /// Write the CA certificate (PEM) here, for clients to trust (with --tls).
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub(crate) ca_out: Option<PathBuf>,
    /// Lifetime of the access tokens it issues, in seconds.
    #[arg(long, default_value_t = 3600, value_name = "SECS")]
    pub(crate) token_lifetime: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate("100/60"), Ok(Rate::Limit { n: 100, secs: 60.0 }));
        assert_eq!(parse_rate("5"), Ok(Rate::Limit { n: 5, secs: 1.0 }));
        assert_eq!(parse_rate("0"), Ok(Rate::Unlimited));
        assert!(parse_rate("x/1").is_err());
        assert!(parse_rate("1/0").is_err());
    }

    #[test]
    fn api_flags_and_global_flags_after_the_command() {
        let cli = Cli::try_parse_from([
            "pixiv",
            "api",
            "get",
            "/v1/x",
            "-q",
            "a=1",
            "-q",
            "a=2",
            "--json",
            "--timeout",
            "3",
        ])
        .unwrap();
        assert!(cli.global.json);
        assert_eq!(cli.global.net.timeout, Some(3.0));
        let Command::Api(api) = cli.command else {
            panic!("not api")
        };
        assert_eq!(api.method, ApiMethod::Get);
        assert_eq!(api.query.len(), 2);
    }
}

//! The command line, as clap derives it. Parsing only: what each command does is in
//! `commands/`, and every behaviour behind it in the libraries.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pixiv::{PixivError, ProxyConfig};

use crate::ranges;
pub(crate) use crate::ranges::Rate;

/// The exit codes, as `-h` shows them (docs/cli.md, "Exit codes"); `--help` adds the
/// environment variables and files.
const EXIT_CODES: &str = "Exit codes: 0 done (or skipped), 1 something failed, 2 usage error (nothing was \
    requested), 130 Ctrl-C (SIGINT), 143 SIGTERM, 129 SIGHUP. `--help` lists the environment \
    variables and files.";

/// A command-line client for Pixiv's App API: log in, look works up, download originals.
///
/// Try it with no account and no network: `pixiv demo` (unless built without the `mock` feature).
#[derive(Debug, Parser)]
#[command(
    name = "pixiv",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = EXIT_CODES,
    after_long_help = crate::completions::ENVIRONMENT_AND_FILES
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
    /// Log what happens to stderr: -v debug of the pixiv crates, -vv their trace, -vvv trace of
    /// everything (HTTP/2, TLS, connection pool). Tokens are never shown. Each retry is one
    /// `retrying in ...` line at every level.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// No progress bars: one plain line per finished item instead.
    #[arg(long, global = true)]
    pub(crate) no_progress: bool,
    /// Print failures only (no result lines, no summary, no bars).
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Compact JSON (one object a line for downloads) instead of pretty output.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Colour in help, errors, logs and progress bars: auto (a terminal, and NO_COLOR unset),
    /// always or never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub(crate) color: ColorWhen,
    /// Network settings.
    #[command(flatten)]
    pub(crate) net: Net,
}

/// `--color WHEN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    /// When writing to a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always, even into a pipe (and despite `NO_COLOR`).
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    /// `--color` (or `--color=`) as given in `args`, before clap parses them, so clap's own help
    /// and errors follow it too.
    pub(crate) fn from_args(args: &[std::ffi::OsString]) -> Option<Self> {
        let mut given = None;
        let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
        while let Some(arg) = it.next() {
            if arg == "--" {
                break;
            }
            let value = match arg.strip_prefix("--color") {
                Some("") => it.next().map(|v| v.into_owned()),
                Some(rest) => rest.strip_prefix('=').map(str::to_owned),
                None => None,
            };
            if let Some(v) = value {
                given = Self::from_str(&v, true).ok();
            }
        }
        given
    }

    /// Whether to colour a stream that is (or is not) a terminal.
    pub(crate) fn enabled(self, terminal: bool) -> bool {
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// How to reach the servers.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Network options (global)")]
pub(crate) struct Net {
    /// Send everything through this proxy: http://, https://, socks5h:// (the proxy resolves
    /// names) or socks5:// (pixiv resolves them); user:password@ allowed. Wins over
    /// HTTP_PROXY / HTTPS_PROXY / ALL_PROXY.
    #[arg(long, global = true, value_name = "URL", value_parser = ProxyUrl)]
    pub(crate) proxy: Option<String>,
    /// Ignore the proxy environment variables (and --proxy).
    #[arg(long, global = true)]
    pub(crate) no_proxy: bool,
    /// Take the alternate route to Pixiv (as PixivPy's ByPassSniApi): addresses from DNS over
    /// HTTPS, TLS without SNI, certificates still verified. For networks that block Pixiv by
    /// name (docs/bypass.md).
    #[cfg(feature = "bypass")]
    #[arg(long, global = true)]
    pub(crate) bypass: bool,
    /// A DNS-over-HTTPS endpoint (RFC 8484) for --bypass, asked in order (repeatable)
    /// [default: https://1.1.1.1/dns-query, https://1.0.0.1/dns-query, https://doh.dns.sb/dns-query,
    /// https://cloudflare-dns.com/dns-query].
    #[cfg(feature = "bypass")]
    #[arg(long, global = true, value_name = "URL", value_parser = https_url)]
    pub(crate) doh_url: Vec<String>,
    /// Trust this CA certificate (PEM file) in addition to the built-in roots.
    #[arg(long, global = true, value_name = "PEM", value_parser = readable_file)]
    pub(crate) ca_cert: Vec<PathBuf>,
    /// DANGER: accept any server certificate (no verification at all).
    #[arg(long, global = true)]
    pub(crate) insecure: bool,
    /// Connect, response-headers and body-idle timeout, in seconds (0.001 to 86400)
    /// [default: 10].
    #[arg(long, global = true, value_name = "SECS", value_parser = ranges::timeout,
          allow_negative_numbers = true)]
    pub(crate) timeout: Option<f64>,
    /// Retries of a failed request (429, 5xx, broken connections), 0 to 100 [default: 3].
    #[arg(long, global = true, value_name = "N", value_parser = ranges::retries,
          allow_negative_numbers = true)]
    pub(crate) retries: Option<u32>,
    /// At most N request starts per SECS seconds, e.g. `100/60` (the default); N from 1 to
    /// 100000, SECS from 0.001 to 86400; `0` for none.
    #[arg(long, global = true, value_name = "N/SECS", value_parser = ranges::rate,
          allow_negative_numbers = true)]
    pub(crate) rate_limit: Option<Rate>,
}

/// `--proxy URL`: a URL the transport accepts (http, https, socks5, socks5h; a port that fits,
/// RFC 1929's length limits), checked before any request.
///
/// A parser of its own rather than a function: clap's message for a refused value quotes the
/// value, password included; this one quotes it redacted (`socks5h://<redacted>@host:port`).
#[derive(Debug, Clone, Copy)]
struct ProxyUrl;

impl clap::builder::TypedValueParser for ProxyUrl {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let refuse = |shown: &str, why: &str| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value '{shown}' for '--proxy <URL>': {why}\n"),
            )
            .with_cmd(cmd)
        };
        let Some(text) = value.to_str() else {
            return Err(refuse("(not UTF-8)", "a proxy URL is text"));
        };
        match ProxyConfig::url(text) {
            Ok(_) => Ok(text.to_owned()),
            Err(PixivError::InvalidInput { what, why }) => {
                let shown = what.strip_prefix("proxy URL ").unwrap_or(&what);
                Err(refuse(shown, &why))
            }
            Err(other) => Err(refuse("(hidden)", &other.to_string())),
        }
    }
}

/// `--doh-url URL`: an https:// URL, checked before any request.
#[cfg(feature = "bypass")]
fn https_url(s: &str) -> Result<String, String> {
    match url::Url::parse(s) {
        Ok(u) if u.scheme() == "https" && u.host().is_some() => Ok(s.to_owned()),
        _ => Err("expected an https:// URL of a DNS-over-HTTPS endpoint".to_owned()),
    }
}

/// A file that can be read (`--ca-cert`), checked before any request.
fn readable_file(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    match std::fs::File::open(&path) {
        Ok(f) if f.metadata().is_ok_and(|m| m.is_dir()) => {
            Err("is a folder, not a file".to_owned())
        }
        Ok(_) => Ok(path),
        Err(e) => Err(format!("cannot read it: {e}")),
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a local Pixiv-compatible server and show off: log in, look around, download a few
    /// works with progress bars. Needs no network and no account.
    #[cfg(feature = "mock")]
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
    /// Forget the stored refresh token and the cached access token.
    Logout,
    /// Run the local Pixiv-compatible server (for testing your own tools) until Ctrl-C.
    #[cfg(feature = "mock")]
    Mock(MockArgs),
    /// Print a shell completion script, e.g. `pixiv completions bash > ~/.local/share/bash-completion/completions/pixiv`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `pixiv man > pixiv.1; man ./pixiv.1`.
    Man,
    /// Where the config file is, and what it sets (keys named as the long flags).
    Config {
        /// What to print.
        #[command(subcommand)]
        action: ConfigAction,
    },
}

/// `pixiv config`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub(crate) enum ConfigAction {
    /// Print the config file's path (whether or not it exists).
    Path,
    /// Print the config file's settings in force (validated; environment overrides noted).
    Show,
}

/// `pixiv demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Where the demo's downloads go.
    #[arg(short, long, default_value = "pixiv-demo", value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// How many works of the ranking to download (1 to 30: one ranking page).
    #[arg(long, default_value_t = 5, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(ranges::DEMO_WORKS))]
    pub(crate) works: u64,
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
    /// Transfers at once (1 to 256).
    #[arg(short, long, default_value_t = 5, value_name = "N", allow_negative_numbers = true,
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
    /// Refuse a file larger than SIZE: bytes, or K, M, G, T (binary units: 64M is 64 MiB)
    /// [default: 1G].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_size: Option<u64>,
    /// How novels are saved: `txt` (plain text), `md` or `html` (with their images and cover).
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub(crate) novel_format: crate::novel::NovelFormat,
    /// File names, sidecars, file times, ugoira conversion.
    #[command(flatten)]
    pub(crate) output: crate::output::OutputArgs,
    /// Selection and archive (for users, bookmarks, rankings, searches, series).
    #[command(flatten)]
    pub(crate) collect: Box<crate::collect::CollectArgs>,
}

/// `64M`, `2G`, `512K`, `1T` (binary units, an optional trailing `B`/`iB`), or bytes when bare.
fn parse_size(s: &str) -> Result<u64, String> {
    const UNITS: &str = "a number of bytes, or one with K, M, G or T (binary: 64M is 64 MiB)";
    let t = s.trim();
    let upper = t.to_ascii_uppercase();
    let t = upper
        .strip_suffix("IB")
        .or_else(|| upper.strip_suffix('B'))
        .unwrap_or(&upper);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'K')) => (&t[..i], 10),
        Some((i, 'M')) => (&t[..i], 20),
        Some((i, 'G')) => (&t[..i], 30),
        Some((i, 'T')) => (&t[..i], 40),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size: {UNITS}"))?;
    let bytes = n
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{s:?} is too large: {UNITS}"))?;
    if bytes == 0 {
        return Err(format!("{s:?} would refuse every file: {UNITS}"));
    }
    Ok(bytes)
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
    /// A query parameter (repeatable; repeated keys stay repeated). No short form: `-q` is
    /// `--quiet` for every command.
    #[arg(long = "query", value_name = "KEY=VALUE", value_parser = parse_pair)]
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
#[command(
    after_help = "Without --refresh-token: the browser login (PKCE) prints a URL and \
    reads the code on stdin. When stdin is not a terminal, its line is a refresh token unless \
    it holds `code=` (the pixiv://account/login?code=... URL, or code=...), so \
    `pixiv login < token.txt` stores the token in the file (with --keyring: in the OS keyring)."
)]
pub(crate) struct LoginArgs {
    /// Store this refresh token instead of logging in through the browser (PKCE). With no value
    /// or `-`, the token is read from stdin (kept out of `ps` and shell history). An empty
    /// token is refused.
    #[arg(long, value_name = "TOKEN", num_args = 0..=1, default_missing_value = "-")]
    pub(crate) refresh_token: Option<String>,
    /// Store the token without checking it with Pixiv first.
    #[arg(long, requires = "refresh_token")]
    pub(crate) no_verify: bool,
    /// Store the token in the OS keyring (Secret Service, macOS Keychain, Windows Credential
    /// Manager) instead of a file; every command then reads it from there. No keyring
    /// reachable is an error: the token is never written to a file instead.
    #[arg(long)]
    pub(crate) keyring: bool,
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
    /// Lifetime of the access tokens it issues, in seconds (1 to 31536000, a year).
    #[arg(long, default_value_t = 3600, value_name = "SECS", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(ranges::TOKEN_LIFETIME_SECS))]
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
    fn api_flags_and_global_flags_after_the_command() {
        let cli = Cli::try_parse_from([
            "pixiv",
            "api",
            "get",
            "/v1/x",
            "--query",
            "a=1",
            "--query",
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

    #[test]
    fn demo_and_mock_are_there_only_with_the_mock_feature() {
        for args in [&["pixiv", "demo"][..], &["pixiv", "mock"]] {
            assert_eq!(Cli::try_parse_from(args).is_ok(), cfg!(feature = "mock"));
        }
    }

    #[test]
    fn max_size_takes_binary_units() {
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert_eq!(parse_size("1000"), Ok(1000));
        for bad in ["", "M", "1.5G", "-1", "64X", "0", "99999999999T"] {
            let e = parse_size(bad).unwrap_err();
            assert!(e.contains("K, M, G or T"), "{bad}: {e}");
        }
        let cli = Cli::try_parse_from(["pixiv", "download", "--max-size", "64M", "x"]).unwrap();
        let Command::Download(d) = cli.command else {
            panic!("not download")
        };
        assert_eq!(d.max_size, Some(64 << 20));
        let err =
            Cli::try_parse_from(["pixiv", "download", "--max-size", "lots", "x"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("K, M, G or T"), "{err}");
    }
}

//! `config.toml` in the config folder (docs/cli.md, "The config file"): defaults for the long
//! flags. Global flags are top-level keys, each subcommand's under its own table (`[download]`,
//! `[api]`...), keys spelled as the long flags (`max-size = "64M"`, `no-progress = true`).
//!
//! The file's values become clap default values before parsing, so the order is clap's own:
//! a flag on the command line wins over its environment variable, which wins over the file, and
//! every value goes through the same validation as on the command line. An unknown key, table
//! or value type is a usage error (exit 2) naming it.

use std::path::PathBuf;

use clap::CommandFactory as _;
use clap::FromArgMatches as _;

use crate::cli::Cli;
use crate::token_store;

/// The file's name inside the config folder.
pub(crate) const CONFIG_FILE: &str = "config.toml";

/// The file's path (whether or not it exists).
pub(crate) fn path() -> Option<PathBuf> {
    token_store::config_dir().map(|d| d.join(CONFIG_FILE))
}

/// Why the command line could not be parsed.
#[derive(Debug)]
pub(crate) enum ParseError {
    /// clap's own (help, version, bad flags): printed and exited by clap.
    Clap(clap::Error),
    /// The config file is unreadable or wrong: one line, exit 2.
    Config(String),
}

/// The file's table, `None` when there is no file.
pub(crate) fn read() -> Result<Option<(PathBuf, toml::Table)>, String> {
    let Some(path) = path() else { return Ok(None) };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("{}: {}", path.display(), e.message()))?;
    Ok(Some((path, table)))
}

/// Parses the process's arguments with the config file's defaults.
pub(crate) fn parse() -> Result<Cli, ParseError> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // clap's Auto already honours NO_COLOR; `--color` is seen before parsing for its output.
    let choice = match crate::cli::ColorWhen::from_args(&args) {
        Some(crate::cli::ColorWhen::Always) => clap::ColorChoice::Always,
        Some(crate::cli::ColorWhen::Never) => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    };
    let mut command = Cli::command().color(choice);
    if let Some((path, table)) = read().map_err(ParseError::Config)? {
        command = apply(command, &table)
            .map_err(|e| ParseError::Config(format!("{}: {e}", path.display())))?;
    }
    let matches = command
        .try_get_matches_from(args)
        .map_err(ParseError::Clap)?;
    Cli::from_arg_matches(&matches).map_err(ParseError::Clap)
}

/// `command` with `table`'s values as default values.
pub(crate) fn apply(
    mut command: clap::Command,
    table: &toml::Table,
) -> Result<clap::Command, String> {
    for (key, value) in table {
        if let toml::Value::Table(sub) = value {
            let Some(name) = command
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .find(|n| n == key)
            else {
                return Err(format!("unknown table [{key}]: not a pixiv command"));
            };
            let mut result = Ok(());
            command = command.mut_subcommand(&name, |mut sub_command| {
                for (k, v) in sub {
                    if result.is_ok() {
                        result = set_default(&mut sub_command, k, v, Some(&name));
                    }
                }
                sub_command
            });
            result?;
        } else {
            set_default(&mut command, key, value, None)?;
        }
    }
    Ok(command)
}

/// Sets `key`'s default to `value` in `command`.
fn set_default(
    command: &mut clap::Command,
    key: &str,
    value: &toml::Value,
    table: Option<&str>,
) -> Result<(), String> {
    let place = table.map_or_else(|| "top level".to_owned(), |t| format!("[{t}]"));
    let id = command
        .get_arguments()
        .find(|a| a.get_long() == Some(key) && (table.is_some() || a.is_global_set()))
        .map(|a| a.get_id().clone());
    let Some(id) = id else {
        let hint = if table.is_none() {
            " (a command's options go under its table, e.g. [download])"
        } else {
            ""
        };
        return Err(format!(
            "unknown key {key:?} at {place}: not a long flag{hint}"
        ));
    };
    let values: Vec<String> = match value {
        toml::Value::Array(items) => match items.iter().map(scalar).collect::<Option<_>>() {
            Some(v) => v,
            None => return Err(format!("{key}: expected a list of plain values")),
        },
        other => match scalar(other) {
            Some(v) => vec![v],
            None => {
                return Err(format!("{key}: expected a string, number or boolean"));
            }
        },
    };
    *command = std::mem::take(command).mut_arg(id, |arg| arg.default_values(values));
    Ok(())
}

fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `pixiv config path|show`.
pub(crate) fn run(action: crate::cli::ConfigAction) -> Result<crate::Status, crate::CliError> {
    use crate::cli::ConfigAction;
    let usage = crate::CliError::Usage;
    let Some(file) = path() else {
        return Err(usage(
            "no config folder: set HOME, XDG_CONFIG_HOME or PIXIV_CONFIG_DIR".into(),
        ));
    };
    let mut out = String::new();
    match action {
        ConfigAction::Path => out = format!("{}\n", file.display()),
        ConfigAction::Show => match read().map_err(usage)? {
            None => out = format!("# {} does not exist: built-in defaults\n", file.display()),
            Some((path, table)) => {
                // Validated as a real run would, so `show` never shows a file that fails.
                apply(Cli::command(), &table)
                    .map_err(|e| usage(format!("{}: {e}", path.display())))?;
                out.push_str(&format!("# {}\n", path.display()));
                let command = Cli::command();
                for arg in command.get_arguments() {
                    let (Some(long), Some(env)) = (arg.get_long(), arg.get_env()) else {
                        continue;
                    };
                    if table.contains_key(long) && std::env::var_os(env).is_some() {
                        out.push_str(&format!(
                            "# {long}: overridden by {}\n",
                            env.to_string_lossy()
                        ));
                    }
                }
                out.push_str(&shown(table).to_string());
            }
        },
    }
    // A reader that stopped reading (`pixiv config show | head -1`) ends the command quietly.
    let mut stdout = std::io::stdout().lock();
    match std::io::Write::write_all(&mut stdout, out.as_bytes())
        .and_then(|()| std::io::Write::flush(&mut stdout))
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(crate::CliError::about(
            "writing to stdout",
            pixiv::PixivError::io("<stdout>", e),
        )),
        _ => Ok(crate::Status::Success),
    }
}

/// The file as `config show` prints it: a token is `<redacted>`, and a URL's password (a proxy's
/// `user:password@`) is too, so the output can be pasted into a bug report.
fn shown(mut table: toml::Table) -> toml::Table {
    for (key, value) in table.iter_mut() {
        match value {
            toml::Value::Table(inner) => *inner = shown(std::mem::take(inner)),
            toml::Value::String(text) if key.contains("token") => *text = "<redacted>".into(),
            toml::Value::String(text) => redact_url(text),
            toml::Value::Array(items) => items.iter_mut().for_each(|item| {
                if let toml::Value::String(text) = item {
                    redact_url(text);
                }
            }),
            _ => {}
        }
    }
    table
}

fn redact_url(text: &mut String) {
    if let Ok(mut url) = url::Url::parse(text)
        && url.password().is_some()
        && url.set_password(Some("redacted")).is_ok()
    {
        *text = url.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_with(file: &str, args: &[&str]) -> Result<Cli, String> {
        let table: toml::Table = file.parse().map_err(|e| format!("{e}"))?;
        let command = apply(Cli::command(), &table)?;
        let matches = command
            .try_get_matches_from(args)
            .map_err(|e| e.to_string())?;
        Cli::from_arg_matches(&matches).map_err(|e| e.to_string())
    }

    #[test]
    fn file_values_are_defaults_that_flags_override() {
        let file = "retries = 7\nno-progress = true\n[download]\njobs = 9\nmax-size = \"64M\"\n";
        let cli = parse_with(file, &["pixiv", "download", "x"]).unwrap();
        assert_eq!(cli.global.net.retries, Some(7));
        assert!(cli.global.no_progress);
        let crate::cli::Command::Download(d) = cli.command else {
            panic!("not download")
        };
        assert_eq!((d.jobs, d.max_size), (9, Some(64 << 20)));
        let cli = parse_with(
            file,
            &["pixiv", "--retries", "1", "download", "-j", "2", "x"],
        )
        .unwrap();
        assert_eq!(cli.global.net.retries, Some(1));
        let crate::cli::Command::Download(d) = cli.command else {
            panic!("not download")
        };
        assert_eq!(d.jobs, 2);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let e = parse_with("colour = \"never\"\n", &["pixiv", "logout"]).unwrap_err();
        assert!(e.contains("\"colour\""), "{e}");
        let e = parse_with("[download]\njbos = 3\n", &["pixiv", "logout"]).unwrap_err();
        assert!(e.contains("\"jbos\"") && e.contains("[download]"), "{e}");
        let e = parse_with("[nope]\na = 1\n", &["pixiv", "logout"]).unwrap_err();
        assert!(e.contains("[nope]"), "{e}");
        let e = parse_with("jobs = 3\n", &["pixiv", "logout"]).unwrap_err();
        assert!(e.contains("[download]"), "{e}");
        // Validation is clap's: a file value out of range fails like the flag would.
        let e = parse_with("[download]\njobs = 0\n", &["pixiv", "download", "x"]).unwrap_err();
        assert!(e.contains("--jobs"), "{e}");
    }
}

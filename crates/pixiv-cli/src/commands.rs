//! The commands other than `download`, `mock` and `demo`: each parses nothing and decides nothing the libraries
//! do; it calls the facade (or the mock) and prints.

use std::io::{self, BufRead as _, Write as _};

use futures_util::stream::TryReadyChunksError;
use futures_util::{StreamExt as _, TryStreamExt as _};
use pixiv::oauth::pkce::{PkceChallenge, exchange_code_with};
use pixiv::{PixivError, RankingMode};
use serde_json::{Value, json};

use crate::access_cache;
use crate::cli::{ApiArgs, ApiMethod, Global, LoginArgs};
use crate::listing::JsonArray;
use crate::render::print_json;
use crate::{CliError, Status, settings, token_store};

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, CliError> {
    serde_json::to_value(value)
        .map_err(|e| CliError::from(PixivError::invalid_input("JSON output", e.to_string())))
}

fn printed(value: &Value, global: &Global) -> Result<Status, CliError> {
    print_json(value, global.json).map_err(|e| CliError::from(PixivError::from(e)))?;
    Ok(Status::Success)
}

/// `pixiv illust ID`.
pub(crate) async fn illust(global: &Global, id: u64) -> Result<Status, CliError> {
    let client = settings::client(global)?;
    let illust = client
        .illust_detail(id)
        .await
        .map_err(|e| CliError::about(format!("illust {id}"), e))?;
    printed(&to_json(&illust)?, global)
}

/// `pixiv user ID`.
pub(crate) async fn user(global: &Global, id: u64) -> Result<Status, CliError> {
    let client = settings::client(global)?;
    let user = client
        .user_detail(id)
        .await
        .map_err(|e| CliError::about(format!("user {id}"), e))?;
    printed(&to_json(&user)?, global)
}

/// `pixiv ranking`.
pub(crate) async fn ranking(
    global: &Global,
    mode: &str,
    date: Option<&str>,
) -> Result<Status, CliError> {
    let mode: RankingMode = mode.parse().map_err(|_| {
        let valid: Vec<&str> = RankingMode::ALL.iter().map(|m| m.as_str()).collect();
        CliError::Usage(format!(
            "--mode {mode:?} is not a ranking Pixiv knows; valid modes: {}",
            valid.join(", ")
        ))
    })?;
    let date = date
        .map(|d| {
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| CliError::Usage(format!("--date {d:?} is not YYYY-MM-DD")))
        })
        .transpose()?;
    let client = settings::client(global)?;
    let mut request = client.illust_ranking(mode);
    if let Some(date) = date {
        request = request.date(date);
    }
    let page = request
        .await
        .map_err(|e| CliError::about(format!("ranking {mode}"), e))?;
    let value = json!({ "illusts": to_json(&page.items)?, "next_url": page.next_url });
    printed(&value, global)
}

/// `pixiv search WORD`: the works are printed page by page as they arrive (a JSON array that
/// is closed even when the command stops part way), so memory stays flat whatever `limit` is.
pub(crate) async fn search(global: &Global, word: &str, limit: usize) -> Result<Status, CliError> {
    let client = settings::client(global)?;
    let about = |e| CliError::about(format!("search {word:?}"), e);
    let first = client.search_illust(word).await.map_err(about)?;
    let io = |e: io::Error| CliError::from(PixivError::from(e));
    let mut out = JsonArray::new(global.json).map_err(io)?;
    // One chunk is what has arrived: a page of the listing.
    let mut pages = first
        .into_stream()
        .take(limit)
        .try_ready_chunks(SEARCH_CHUNK);
    while let Some(page) = pages.next().await {
        match page {
            Ok(items) => out.push_page(&items).await.map_err(io)?,
            Err(TryReadyChunksError(items, e)) => {
                // What came before the error stays printed (and the array closed).
                out.push_page(&items).await.map_err(io)?;
                return Err(about(e));
            }
        }
    }
    out.finish().await.map_err(io)?;
    Ok(Status::Success)
}

/// At most this many works are held before they are printed (a few pages).
const SEARCH_CHUNK: usize = 90;

/// `pixiv api METHOD PATH`.
pub(crate) async fn api(global: &Global, args: &ApiArgs) -> Result<Status, CliError> {
    let client = settings::client(global)?;
    let query: Vec<(&str, &str)> = args
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let form: Vec<(&str, &str)> = args
        .form
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let about = |e| CliError::about(args.path.clone(), e);
    let value: Value = match args.method {
        ApiMethod::Get => client.get(&args.path, &query).await,
        ApiMethod::Delete => client.delete(&args.path, &query).await,
        ApiMethod::Post => {
            // The facade's `post` sends a form; a query written into the path is kept.
            let path = if query.is_empty() {
                args.path.clone()
            } else {
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&query)
                    .finish();
                let sep = if args.path.contains('?') { '&' } else { '?' };
                format!("{}{sep}{encoded}", args.path)
            };
            client.post(&path, &form).await
        }
    }
    .map_err(about)?;
    if args.paginate && args.method == ApiMethod::Get {
        crate::paginate::print_pages(&client, value)
            .await
            .map_err(about)?;
        return Ok(Status::Success);
    }
    printed(&value, global)
}

/// `pixiv login`.
///
/// Where the token comes from (docs/cli.md, "Logging in"):
/// - `--refresh-token TOKEN`: that token;
/// - `--refresh-token` alone or `--refresh-token -`: all of stdin (kept out of `ps` and history);
/// - neither: the browser login (PKCE). Its code is read from stdin; when stdin is not a
///   terminal, a line without `code=` is taken for a refresh token instead, so
///   `pixiv login < token.txt` works, and a code comes through a pipe as the redirect URL or
///   `code=...`.
pub(crate) async fn login(global: &Global, args: &LoginArgs) -> Result<Status, CliError> {
    if args.keyring && !cfg!(feature = "keyring") {
        return Err(CliError::Usage(
            "--keyring: this pixiv was built without the `keyring` feature".into(),
        ));
    }
    let token = match args.refresh_token.as_deref() {
        Some("-") => verified(global, read_stdin_token().await?, args.no_verify).await?,
        Some(token) => verified(global, token.trim().to_owned(), args.no_verify).await?,
        None => match pkce_login(global).await? {
            Pkce::LoggedIn(token) => token,
            Pkce::RefreshToken(token) => verified(global, token, false).await?,
        },
    };
    // A cached access token may be another account's.
    let _ = access_cache::remove();
    if args.keyring {
        // docs/cli.md, "The keyring": no keyring is an error, never a token file instead.
        token_store::store_in_keyring(&token)
            .map_err(|e| CliError::about("login --keyring", PixivError::from(e)))?;
        eprintln!("refresh token stored in the OS keyring (service pixiv-rs)");
        return Ok(Status::Success);
    }
    let path = token_store::store(&token).map_err(|e| {
        CliError::from(match token_store::token_path() {
            Some(p) => PixivError::io(p, e),
            None => PixivError::from(e),
        })
    })?;
    eprintln!(
        "refresh token stored in {} (readable by you only)",
        path.display()
    );
    Ok(Status::Success)
}

/// The refresh token to store: `token` checked with Pixiv (unless `no_verify`), as Pixiv may
/// have rotated it on the way. An empty token is a usage error.
async fn verified(global: &Global, token: String, no_verify: bool) -> Result<String, CliError> {
    if token.is_empty() {
        return Err(CliError::Usage(
            "--refresh-token: the token is empty (nothing was stored)".into(),
        ));
    }
    if no_verify {
        return Ok(token);
    }
    let client = settings::client_builder(global)?
        .refresh_token(token)
        .build()?;
    let me = client
        .login()
        .await
        .map_err(|e| CliError::about("login", e))?;
    eprintln!("logged in as {} (@{}, id {})", me.name, me.account, me.id);
    Ok(client.refresh_token().secret().to_owned())
}

/// All of stdin, trimmed (`login --refresh-token -`), read on a blocking thread so Ctrl-C
/// still stops the command.
async fn read_stdin_token() -> Result<String, CliError> {
    let text = tokio::task::spawn_blocking(|| {
        let mut text = String::new();
        io::Read::read_to_string(&mut io::stdin().lock(), &mut text).map(|_| text)
    })
    .await
    .map_err(|e| CliError::from(PixivError::from(io::Error::other(e))))?
    .map_err(|e| CliError::from(PixivError::from(e)))?;
    Ok(text.trim().to_owned())
}

/// What the browser login's prompt got.
enum Pkce {
    /// A code, exchanged: the account's refresh token.
    LoggedIn(String),
    /// A refresh token piped in instead of a code.
    RefreshToken(String),
}

/// What a line read at the code prompt is: a code (`None` when there is none), or a refresh
/// token (only through a pipe, and only without `code=`).
fn prompt_answer(line: &str, piped: bool) -> Result<Result<&str, &str>, CliError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(CliError::Usage(if piped {
            "no code or refresh token given on stdin".into()
        } else {
            "no code given".into()
        }));
    }
    match line.split_once("code=") {
        // The whole redirect URL (pixiv://account/login?code=...&via=login) or `code=...`.
        Some((_, rest)) => Ok(Ok(rest.split('&').next().unwrap_or(rest))),
        None if piped => Ok(Err(line)),
        None => Ok(Ok(line)),
    }
}

/// The PKCE login of docs/protocol.md: print the URL, read the code, exchange it.
async fn pkce_login(global: &Global) -> Result<Pkce, CliError> {
    let piped = !io::IsTerminal::is_terminal(&io::stdin());
    let pkce = PkceChallenge::with_api_base(settings::api_base(global))?;
    eprintln!(
        "1. Open this page in a browser (with its developer tools' Network tab open) and log in:\n\n   {}\n",
        pkce.login_url()
    );
    eprintln!(
        "2. The last request goes to pixiv://account/login?code=...: copy the code (it expires \
         in about 30 seconds)\n3. Paste it here and press Enter{}:",
        if piped {
            " (from a pipe: the URL or code=..., else the line is a refresh token)"
        } else {
            ""
        }
    );
    eprint!("code: ");
    let _ = io::stderr().flush();
    // On a blocking thread, so Ctrl-C at the prompt still stops the command.
    let line = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await
    .map_err(|e| CliError::from(PixivError::from(io::Error::other(e))))?
    .map_err(|e| CliError::from(PixivError::from(e)))?;
    let code = match prompt_answer(&line, piped)? {
        Ok(code) => code,
        Err(token) => {
            eprintln!();
            return Ok(Pkce::RefreshToken(token.to_owned()));
        }
    };
    if code.is_empty() {
        return Err(CliError::Usage("no code given".into()));
    }
    let transport =
        settings::transport(&global.net)?(pixiv::transport::Transport::builder()).build()?;
    let tokens = exchange_code_with(
        &transport,
        settings::oauth_base(global),
        code,
        pkce.verifier(),
    )
    .await
    .map_err(|e| CliError::about("login", e))?;
    eprintln!(
        "logged in as {} (@{}, id {})",
        tokens.user.name, tokens.user.account, tokens.user.id
    );
    Ok(Pkce::LoggedIn(tokens.refresh_token.secret().to_owned()))
}

/// `pixiv logout`.
pub(crate) fn logout() -> Result<Status, CliError> {
    // The keyring first: when it cannot be reached, its marker stays and nothing else is
    // touched, so `logout` can simply be run again.
    let keyring = token_store::remove_from_keyring()
        .map_err(|e| CliError::about("logout", PixivError::from(e)))?;
    match keyring {
        Some(true) => eprintln!("removed the refresh token from the OS keyring"),
        Some(false) => eprintln!("the OS keyring held no refresh token"),
        None => {}
    }
    match token_store::remove().map_err(|e| CliError::from(PixivError::from(e)))? {
        Some(path) => eprintln!("removed {}", path.display()),
        None if keyring.is_none() => eprintln!("no stored refresh token"),
        None => {}
    }
    if let Some(path) = access_cache::remove().map_err(|e| CliError::from(PixivError::from(e)))? {
        eprintln!("removed {}", path.display());
    }
    if std::env::var_os(token_store::TOKEN_ENV).is_some() {
        eprintln!(
            "note: {} is still set in the environment",
            token_store::TOKEN_ENV
        );
    }
    Ok(Status::Success)
}

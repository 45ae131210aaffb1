//! The commands other than `download`: each parses nothing and decides nothing the libraries
//! do; it calls the facade (or the mock) and prints.

use std::io::{self, BufRead as _, Write as _};
use std::time::Duration;

use futures_util::stream::TryReadyChunksError;
use futures_util::{StreamExt as _, TryStreamExt as _};
use pixiv::download::Target;
use pixiv::oauth::pkce::{PkceChallenge, exchange_code_with};
use pixiv::{Client, PixivError, RankingMode};
use pixiv_mock::{DEMO_REFRESH_TOKEN, MockPixiv};
use serde_json::{Value, json};

use crate::access_cache;
use crate::cli::{ApiArgs, ApiMethod, DemoArgs, Global, LoginArgs, MockArgs};
use crate::display_text::escape;
use crate::download::{pages_of, run_batch};
use crate::listing::JsonArray;
use crate::progress::{Display, Ui, summary};
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
pub(crate) async fn login(global: &Global, args: &LoginArgs) -> Result<Status, CliError> {
    // `--refresh-token -`: from stdin, so the token is in neither `ps` nor shell history.
    let given = match args.refresh_token.as_deref() {
        Some("-") => Some(read_stdin_token().await?),
        Some(token) => Some(token.trim().to_owned()),
        None => None,
    };
    if given.as_deref().is_some_and(str::is_empty) {
        return Err(CliError::Usage(
            "--refresh-token: the token is empty (nothing was stored)".into(),
        ));
    }
    let token = match &given {
        Some(token) if args.no_verify => token.clone(),
        Some(token) => {
            let client = settings::client_builder(global)?
                .refresh_token(token.trim())
                .build()?;
            let me = client
                .login()
                .await
                .map_err(|e| CliError::about("login", e))?;
            eprintln!("logged in as {} (@{}, id {})", me.name, me.account, me.id);
            // Pixiv may have rotated it on the way.
            client.refresh_token().secret().to_owned()
        }
        None => pkce_login(global).await?,
    };
    let path = token_store::store(&token).map_err(|e| {
        CliError::from(match token_store::token_path() {
            Some(p) => PixivError::io(p, e),
            None => PixivError::from(e),
        })
    })?;
    // A cached access token may be another account's.
    let _ = access_cache::remove();
    eprintln!(
        "refresh token stored in {} (readable by you only)",
        path.display()
    );
    Ok(Status::Success)
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

/// The PKCE login of docs/protocol.md: print the URL, read the code, exchange it.
async fn pkce_login(global: &Global) -> Result<String, CliError> {
    let pkce = PkceChallenge::with_api_base(settings::api_base(global))?;
    eprintln!(
        "1. Open this page in a browser (with its developer tools' Network tab open) and log in:\n\n   {}\n",
        pkce.login_url()
    );
    eprintln!(
        "2. The last request goes to pixiv://account/login?code=...: copy the code (it expires \
         in about 30 seconds)\n3. Paste it here and press Enter:"
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
    let code = line.trim();
    // Accept the whole redirect URL as well as the bare code.
    let code = code
        .split_once("code=")
        .map_or(code, |(_, rest)| rest.split('&').next().unwrap_or(rest));
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
    Ok(tokens.refresh_token.secret().to_owned())
}

/// `pixiv logout`.
pub(crate) fn logout() -> Result<Status, CliError> {
    match token_store::remove().map_err(|e| CliError::from(PixivError::from(e)))? {
        Some(path) => eprintln!("removed {}", path.display()),
        None => eprintln!("no stored refresh token"),
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

/// `pixiv mock`: until Ctrl-C.
pub(crate) async fn mock(args: &MockArgs) -> Result<Status, CliError> {
    let mock = MockPixiv::builder()
        .port(args.port)
        .tls(args.tls)
        .token_lifetime(Duration::from_secs(args.token_lifetime))
        .start()
        .await
        .map_err(|e| CliError::about("mock", PixivError::from(e)))?;
    if let Some(path) = &args.ca_out {
        std::fs::write(path, mock.ca_pem()).map_err(|e| CliError::from(PixivError::io(path, e)))?;
    }
    let base = mock.base_url();
    {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "{base}");
        let _ = writeln!(out, "refresh_token={DEMO_REFRESH_TOKEN}");
        let _ = out.flush();
    }
    let ca = match &args.ca_out {
        Some(p) => format!(" --ca-cert {}", p.display()),
        None if args.tls => " --insecure".to_owned(),
        None => String::new(),
    };
    eprintln!(
        "pixiv-mock: serving on {base}; Ctrl-C stops it. Try:\n  \
         PIXIV_REFRESH_TOKEN={DEMO_REFRESH_TOKEN} pixiv --api-url {base} --oauth-url {base} \
         --image-url {base}{ca} illust 12"
    );
    // Ctrl-C, SIGTERM or SIGHUP stops it cleanly (a service manager sends SIGTERM).
    match crate::signals::Stops::install() {
        Ok(mut stops) => {
            let _ = stops.next().await;
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
    mock.shutdown().await;
    Ok(Status::Success)
}

/// How many lines of the ranking the demo shows.
const DEMO_RANKING_LINES: usize = 10;

/// `pixiv demo`: the mock in-process, a tour, a few downloads.
pub(crate) async fn demo(global: &Global, args: &DemoArgs) -> Result<Status, CliError> {
    crate::download::check_dir(&args.dir)?;
    let mock = MockPixiv::builder()
        .start()
        .await
        .map_err(|e| CliError::about("starting the local server", PixivError::from(e)))?;
    let base = mock.base_url();
    let say = |line: String| println!("{line}");
    say(format!(
        "Local Pixiv-compatible server (pixiv-mock) on {base}, HTTPS with its own CA"
    ));
    let client = Client::builder()
        .refresh_token(DEMO_REFRESH_TOKEN)
        .base_url(&base)
        .transport(|t| t.add_root_certificate_pem(mock.ca_pem()))
        .build()?;
    let me = client
        .login()
        .await
        .map_err(|e| CliError::about("login", e))?;
    say(format!(
        "\nLogged in as {} (@{}, id {})",
        me.name, me.account, me.id
    ));

    let ranking = client
        .illust_ranking(RankingMode::Day)
        .await
        .map_err(|e| CliError::about("ranking", e))?;
    say("\nToday's ranking (first page):".to_owned());
    for (rank, work) in ranking.items.iter().take(DEMO_RANKING_LINES).enumerate() {
        say(format!(
            "  #{:<3} {:>10}  {}  by {}  ({} page{})",
            rank + 1,
            work.id,
            escape(&work.title),
            escape(&work.user.name),
            work.page_count,
            if work.page_count == 1 { "" } else { "s" }
        ));
    }
    if ranking.items.len() > DEMO_RANKING_LINES {
        say(format!(
            "  ... {} more on this page",
            ranking.items.len() - DEMO_RANKING_LINES
        ));
    }

    let viewable: Vec<pixiv::Illust> = ranking
        .items
        .iter()
        .filter(|w| {
            w.visible
                && !w.original_urls().is_empty()
                && !w
                    .original_urls()
                    .iter()
                    .any(|u| pixiv::download::is_placeholder(u))
        })
        .take(usize::try_from(args.works).unwrap_or(usize::MAX))
        .cloned()
        .collect();
    if let Some(first) = viewable.first() {
        let detail = client
            .illust_detail(first.id)
            .await
            .map_err(|e| CliError::about(format!("illust {}", first.id), e))?;
        let tags: Vec<_> = detail.tags.iter().map(|t| escape(&t.name)).collect();
        say(format!("\nWork {}: {}", detail.id, escape(&detail.title)));
        say(format!(
            "  by       {} (id {})",
            escape(&detail.user.name),
            detail.user.id
        ));
        say(format!("  posted   {}", detail.create_date));
        say(format!(
            "  pages    {} ({}x{} first)",
            detail.page_count, detail.width, detail.height
        ));
        say(format!("  tags     {}", tags.join(", ")));
        say(format!(
            "  views    {}, bookmarks {}",
            detail.total_view, detail.total_bookmarks
        ));
    }

    let target = Target::dir(&args.dir).replace(true);
    let items = pages_of(&client, &viewable, &target)?;
    say(format!(
        "\nDownloading {} pages of {} works into {}",
        items.len(),
        viewable.len(),
        args.dir.display()
    ));
    let _ = io::stdout().flush();

    let display = Display::new(global.no_progress, false, global.quiet);
    let mut ui = Ui::new(display);
    let downloader = client.downloader();
    run_batch(
        &downloader,
        items,
        pixiv::download::DEFAULT_CONCURRENCY,
        &mut ui,
    )
    .await;
    let (stats, elapsed) = ui.finish();
    let retries = client.api_transport().metrics().retries
        + client.plain_transport().metrics().retries
        + stats.restarts;
    println!("\n{}", summary(&stats, elapsed, retries));
    println!(
        "Files are in {}. Next: `pixiv mock --tls --ca-out ca.pem` runs this server for your own tools.",
        args.dir.display()
    );
    mock.shutdown().await;
    Ok(if stats.failed > 0 {
        Status::SomeFailed
    } else {
        Status::Success
    })
}

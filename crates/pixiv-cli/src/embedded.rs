//! The commands that run the embedded Pixiv-compatible server, pixiv-mock: `pixiv mock` and
//! `pixiv demo`. Behind the default cargo feature `mock` (docs/cli.md, "Cargo features"), so a
//! package can leave the server out: `cargo build -p pixiv-cli --no-default-features`.

use std::io::{self, Write as _};
use std::time::Duration;

use pixiv::download::Target;
use pixiv::{Client, PixivError, RankingMode};
use pixiv_mock::{DEMO_REFRESH_TOKEN, MockPixiv};

use crate::cli::{DemoArgs, Global, MockArgs};
use crate::display_text::escape;
use crate::download::{pages_of, run_batch};
use crate::progress::{Display, Ui, summary};
use crate::{CliError, Status};

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
    // Into a closed pipe (`pixiv demo | head`), the lines are dropped and the demo goes on.
    let say = |line: String| {
        let _ = writeln!(io::stdout(), "{line}");
    };
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
    say(format!("\n{}", summary(&stats, elapsed, retries)));
    say(format!(
        "Files are in {}. Next: `pixiv mock --tls --ca-out ca.pem` runs this server for your own tools.",
        args.dir.display()
    ));
    mock.shutdown().await;
    Ok(if stats.failed > 0 {
        Status::SomeFailed
    } else {
        Status::Success
    })
}

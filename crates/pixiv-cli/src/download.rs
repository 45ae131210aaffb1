//! `pixiv download` and the batch runner the demo shares: items to `BatchItem`s, one
//! `download_batch` with events drawn by [`Ui`], a summary.

use std::io::{self, BufRead as _, Write as _};
use std::path::{Path, PathBuf};

use futures_util::stream::{self, StreamExt as _};
use pixiv::download::{BatchItem, BatchOptions, NOT_VIEWABLE, Target, is_placeholder};
use pixiv::transport::Transport;
use pixiv::transport::retry::RetryPolicy;
use pixiv::{Client, Downloader, Illust, IllustType, PixivError};

use crate::cli::{DownloadArgs, Global};
use crate::progress::{Display, Ui, summary};
use crate::{CliError, Status, settings};

/// One thing to download, as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// An image URL: no login needed.
    Url(String),
    /// A work: every original page.
    Illust(u64),
}

/// `1234`, `https://www.pixiv.net/artworks/1234` (any language prefix) or an image URL.
fn parse_item(text: &str) -> Result<Item, CliError> {
    if let Ok(id) = text.parse::<u64>() {
        return Ok(Item::Illust(id));
    }
    let url = url::Url::parse(text)
        .map_err(|_| CliError::Usage(format!("{text:?} is neither a work id nor a URL")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CliError::Usage(format!(
            "{text:?}: only http(s) URLs can be downloaded"
        )));
    }
    let host = url.host_str().unwrap_or_default();
    if host == "www.pixiv.net" || host == "pixiv.net" {
        let mut segments = url.path_segments().into_iter().flatten();
        while let Some(segment) = segments.next() {
            if segment == "artworks" {
                if let Some(Ok(id)) = segments.next().map(str::parse::<u64>) {
                    return Ok(Item::Illust(id));
                }
            }
        }
    }
    Ok(Item::Url(text.to_owned()))
}

/// The command line's items, then those of every `--input` file (`-` is stdin). Blocking: run
/// it on a blocking thread, so Ctrl-C still stops a command waiting for stdin.
fn collect_items(items: Vec<String>, inputs: Vec<PathBuf>) -> Result<Vec<Item>, CliError> {
    let mut texts: Vec<String> = items;
    for input in &inputs {
        let lines: Vec<String> = if input == Path::new("-") {
            io::stdin().lock().lines().collect::<Result<_, _>>()
        } else {
            std::fs::File::open(input)
                .and_then(|f| io::BufReader::new(f).lines().collect::<Result<_, _>>())
        }
        .map_err(|e| CliError::from(PixivError::io(input, e)))?;
        texts.extend(lines);
    }
    texts
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty() && !t.starts_with('#'))
        .map(parse_item)
        .collect()
}

/// `pixiv download`.
pub(crate) async fn run(global: &Global, args: &DownloadArgs) -> Result<Status, CliError> {
    let output = args.output.check()?;
    let (items, inputs) = (args.items.clone(), args.input.clone());
    let items = tokio::task::spawn_blocking(move || collect_items(items, inputs))
        .await
        .map_err(|e| CliError::from(PixivError::from(io::Error::other(e))))??;
    if items.is_empty() {
        return Err(CliError::Usage(
            "nothing to download: give URLs or work ids, or --input FILE".into(),
        ));
    }
    let mut target = Target::dir(&args.dir).replace(args.replace);
    if let Some(prefix) = &args.prefix {
        target = target.prefix(prefix);
    }
    if let Some(ext) = &args.ext {
        target = target.ext(ext);
    }
    let needs_login = items.iter().any(|i| matches!(i, Item::Illust(_)));
    let client = if needs_login {
        Some(settings::client(global)?)
    } else {
        None
    };
    let mut downloader = match &client {
        Some(c) => c.downloader(),
        None => {
            let mut config = settings::transport_config(&global.net)?;
            if global.net.rate_limit.is_none() {
                // Only the image host is asked: no request budget, as the client gives it
                // (throttled by `-j`; see `pixiv::DEFAULT_IMAGE_RATE_LIMIT`).
                config = config.rate_limit(None);
            }
            Downloader::new(Transport::builder().config(config).build()?)
        }
    };
    if let Some(retries) = global.net.retries {
        downloader = downloader.retry_policy(RetryPolicy::new().max_retries(retries));
    }
    if let Some(referer) = &args.referer {
        downloader = downloader.referer(referer);
    }
    if let Some(max) = args.max_size {
        downloader = downloader.max_size(max);
    }
    let display = Display::new(global.no_progress, global.json, args.quiet);

    // Works become their pages; a work that cannot be looked up fails alone.
    let mut batch = Vec::new();
    let mut early_failures = Vec::new();
    let jobs = usize::from(args.jobs);
    let mut ugoira = Vec::new();
    let mut works = Vec::new();
    type Looked = (Item, Result<(Vec<BatchItem>, Option<Illust>), PixivError>);
    let looked_up: Vec<Looked> = stream::iter(items)
        .map(|item| {
            let client = client.clone();
            let target = target.clone();
            let output = &output;
            async move {
                let pages = match (&item, &client) {
                    (Item::Url(url), _) => Ok((vec![BatchItem::new(url.clone(), target)], None)),
                    (Item::Illust(id), Some(client)) => match client.illust_detail(*id).await {
                        Ok(illust) => pages(client, &illust, &target)
                            .map(|p| (output.retarget(&illust, p, &args.dir), Some(illust))),
                        Err(e) => Err(e),
                    },
                    (Item::Illust(_), None) => Err(PixivError::invalid_input("login", "none")),
                };
                (item, pages)
            }
        })
        .buffered(jobs)
        .collect()
        .await;
    for (item, pages) in looked_up {
        match pages {
            Ok((pages, illust)) => {
                if let Some(illust) = illust {
                    if illust.kind == IllustType::Ugoira {
                        ugoira.push(illust.id);
                    }
                    let files = pages.iter().filter_map(|p| p.target.resolve(&p.url).ok());
                    works.push((illust, files.collect::<Vec<_>>()));
                }
                batch.extend(pages);
            }
            Err(e) => early_failures.push((item, e)),
        }
    }

    let urls = batch.iter().map(|i| i.url.clone()).collect();
    let mut ui = Ui::new(display, urls);
    for (item, e) in &early_failures {
        let label = match item {
            Item::Illust(id) => format!("illust {id}"),
            Item::Url(url) => url.clone(),
        };
        ui.failed(&label, e);
    }
    run_batch(&downloader, batch, jobs, &mut ui).await;
    // An animation's frames come as a zip plus a frame list (the facade's download_ugoira);
    // the batch above saved its first frame, as Pixiv's original URL names it.
    if let Some(client) = &client {
        for id in ugoira {
            match client.download_ugoira(id, &args.dir).await {
                Ok(done) => {
                    ui.saved(&done.zip.path, done.zip.bytes);
                    let frames = std::fs::metadata(&done.frames_path).map_or(0, |m| m.len());
                    ui.saved(&done.frames_path, frames);
                    let converted = output
                        .convert_ugoira(&done.zip.path, &done.metadata.frames, id)
                        .await;
                    match converted {
                        Some(Ok(path)) => ui.saved(&path, file_len(&path)),
                        Some(Err(e)) => ui.failed(&format!("ugoira {id}"), &e),
                        None => {}
                    }
                }
                Err(e) => ui.failed(&format!("ugoira {id}"), &e),
            }
        }
    }
    for (illust, files) in &works {
        for written in output.after_work(illust, files, &args.dir) {
            match written {
                Ok(path) => ui.saved(&path, file_len(&path)),
                Err(e) => ui.failed(&format!("illust {}", illust.id), &e),
            }
        }
    }
    let (stats, elapsed) = ui.finish();
    let retries = downloader.service().metrics().retries
        + client
            .as_ref()
            .map_or(0, |c| c.api_transport().metrics().retries)
        + stats.restarts;
    if !args.quiet && !global.json {
        eprintln!("{}", summary(&stats, elapsed, retries));
    }
    Ok(if stats.failed > 0 {
        Status::SomeFailed
    } else {
        Status::Success
    })
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Runs one batch, drawing its events; the display's stats when it is done.
pub(crate) async fn run_batch(
    downloader: &Downloader<Transport>,
    items: Vec<BatchItem>,
    jobs: usize,
    ui: &mut Ui,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let options = BatchOptions::new()
        .concurrency(jobs)
        .on_event(pixiv::EventSink::from_channel(tx));
    let batch = downloader.download_batch(items, options);
    tokio::pin!(batch);
    loop {
        tokio::select! {
            biased;
            Some(event) = rx.recv() => ui.on_event(&event),
            _results = &mut batch => break,
        }
    }
    // The batch is done: draw the events it sent last.
    while let Ok(event) = rx.try_recv() {
        ui.on_event(&event);
    }
    let _ = io::stdout().flush();
}

/// Every original page of `illust` as a batch item on the configured image host.
///
/// A private adapter: `Client::download_illust` does this inside its own batch, but the facade
/// has no call that hands the pages out, and one batch across many works (one concurrency
/// limit, one progress display, a result per page) needs them. The rules are the facade's:
/// originals from `meta_pages` else `meta_single_page`, refused when Pixiv sent placeholders,
/// fetched from the image base with the URL's path.
fn pages(client: &Client, illust: &Illust, target: &Target) -> Result<Vec<BatchItem>, PixivError> {
    let urls = illust.original_urls();
    if urls.is_empty() || !illust.visible || urls.iter().any(|u| is_placeholder(u)) {
        return Err(PixivError::invalid_input(
            "illust",
            format!("{NOT_VIEWABLE}: work {}", illust.id),
        ));
    }
    urls.iter()
        .map(|u| {
            let parsed = url::Url::parse(u)
                .map_err(|e| PixivError::invalid_input("image URL", format!("{u}: {e}")))?;
            let mut on_host = client.image_base().clone();
            let base_path = on_host.path().trim_end_matches('/').to_owned();
            on_host.set_path(&format!("{base_path}{}", parsed.path()));
            on_host.set_query(parsed.query());
            Ok(BatchItem::new(on_host.to_string(), target.clone()))
        })
        .collect()
}

/// The works of `illusts` as batch items (the demo's use).
pub(crate) fn pages_of(
    client: &Client,
    illusts: &[Illust],
    target: &Target,
) -> Result<Vec<BatchItem>, PixivError> {
    let mut items = Vec::new();
    for illust in illusts {
        items.extend(pages(client, illust, target)?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_ids_work_pages_or_urls() {
        assert_eq!(parse_item("12").unwrap(), Item::Illust(12));
        assert_eq!(
            parse_item("https://www.pixiv.net/en/artworks/34").unwrap(),
            Item::Illust(34)
        );
        assert_eq!(
            parse_item("https://i.pximg.net/a/1_p0.png").unwrap(),
            Item::Url("https://i.pximg.net/a/1_p0.png".into())
        );
        assert!(parse_item("nonsense").is_err());
        assert!(parse_item("ftp://x/y").is_err());
    }
}

//! `pixiv download` and the batch runner the demo shares: items (read lazily, [`crate::input`])
//! to `BatchItem`s, batch after batch of `download_batch` with events drawn by one [`Ui`], a
//! summary.

use std::io::{self, Write as _};
use std::path::Path;

use futures_util::stream::{self, StreamExt as _};
use pixiv::download::{BatchItem, BatchOptions, NOT_VIEWABLE, Target, is_placeholder};
use pixiv::transport::Transport;
use pixiv::transport::retry::RetryPolicy;
use pixiv::{Client, Downloader, Illust, IllustType, PixivError};

use crate::cli::{DownloadArgs, Global};
use crate::display_text::{cut, escape};
use crate::input::{BadLine, Item, open_inputs, parse_item, read_lazily};
use crate::output::Output;
use crate::progress::{Display, Ui, summary};
use crate::source::Source;
use crate::{CliError, Status, settings};

/// Items a batch takes at most: a long input is downloaded batch after batch, so memory stays
/// flat, and each batch starts with whatever has been read (the first at once).
const BATCH_ITEMS: usize = 256;

/// What an input line became: its pages, or why it has none.
struct Looked {
    /// `illust ID`, the URL, or `FILE line N`.
    label: String,
    /// The pages, and the work they belong to (an animation's zip and frames, sidecars and file
    /// times come after its batch).
    pages: Result<(Vec<BatchItem>, Option<Illust>), PixivError>,
}

/// `-d DIR` must be a folder (or not exist yet): a file there is a usage error, said plainly.
pub(crate) fn check_dir(dir: &Path) -> Result<(), CliError> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(CliError::Usage(format!(
            "-d {}: is a file, not a folder",
            escape(&cut(&dir.display().to_string()))
        ))),
        _ => Ok(()),
    }
}

/// `pixiv download`.
pub(crate) async fn run(global: &Global, args: &DownloadArgs) -> Result<Status, CliError> {
    // Everything that can be refused is refused before any request.
    check_dir(&args.dir)?;
    let output = args.output.check()?;
    let inputs = open_inputs(&args.input)?;
    // Works and collections named on the command line go through one queue, with the
    // selection and the archive (queue.rs); `--input` lines are read lazily below.
    if inputs.is_empty() {
        let sources: Vec<Source> = args
            .items
            .iter()
            .map(|t| crate::source::parse(t.trim()))
            .collect::<Result<_, _>>()?;
        if sources.iter().any(|s| !matches!(s, Source::File(_))) {
            return crate::queue::run(global, args, sources, output).await;
        }
    }
    // Repeats are not errors: an item named twice is downloaded once.
    let mut named = std::collections::HashSet::new();
    let given: Vec<Item> = args
        .items
        .iter()
        .map(|t| t.trim())
        .filter(|t| named.insert(*t))
        .map(|t| parse_item(t).map_err(CliError::Usage))
        .collect::<Result<_, _>>()?;
    if given.is_empty() && inputs.is_empty() {
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
    // Works need a login; an input may hold some, so a stored token is used when there is one.
    let needs_login = given.iter().any(|i| matches!(i, Item::Illust(_)));
    let client = if needs_login {
        Some(settings::client(global)?)
    } else if inputs.is_empty() {
        None
    } else {
        settings::client(global).ok()
    };
    let downloader = match &client {
        Some(c) => c.downloader(),
        None => {
            let mut builder = settings::transport(&global.net)?(Transport::builder());
            if global.net.rate_limit.is_none() {
                // Only the image host is asked: no request budget, as the client gives it
                // (throttled by `-j`; see `pixiv::DEFAULT_IMAGE_RATE_LIMIT`).
                builder = builder.no_rate_limit();
            }
            Downloader::new(builder.build()?)
        }
    };
    let downloader = with_flags(downloader, global, args);
    let display = Display::new(global.no_progress, global.json, global.quiet);
    let jobs = usize::from(args.jobs);

    // The command line's items, then the inputs' lines as the reader thread sends them.
    let mut lines = read_lazily(inputs);
    let items = stream::iter(given.into_iter().map(Ok))
        .chain(stream::poll_fn(move |cx| lines.poll_recv(cx)));
    // Works become their pages (looked up `jobs` at once) on a task of their own, so lookups
    // go on while a batch downloads and none waits half-done; a line that is not an item, or a
    // work that cannot be looked up, fails alone.
    let (looked_tx, mut looked_rx) = tokio::sync::mpsc::channel(BATCH_ITEMS);
    let lookups = {
        let client = client.clone();
        let target = target.clone();
        let output = output.clone();
        let dir = args.dir.clone();
        let mut looking = items
            .map(move |item| {
                let client = client.clone();
                let target = target.clone();
                let output = output.clone();
                let dir = dir.clone();
                async move { look_up(item, client.as_ref(), &target, &output, &dir).await }
            })
            .buffered(jobs);
        tokio::spawn(async move {
            while let Some(one) = looking.next().await {
                if looked_tx.send(one).await.is_err() {
                    return;
                }
            }
        })
    };
    // Stops the lookups when the command ends or is dropped (a signal).
    let _lookups = AbortOnDrop(lookups);
    let mut looked = stream::poll_fn(move |cx| looked_rx.poll_recv(cx)).ready_chunks(BATCH_ITEMS);

    let mut ui = Ui::new(display);
    let mut seen = 0_usize;
    while let Some(chunk) = looked.next().await {
        seen += chunk.len();
        let mut batch = Vec::new();
        let mut ugoira = Vec::new();
        // This batch's works and their files, for the sidecars and file times after it.
        let mut works = Vec::new();
        for one in chunk {
            match one.pages {
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
                Err(e) if is_not_logged_in(&e) => {
                    return Err(CliError::about(one.label, e));
                }
                Err(e) => ui.failed(&one.label, &e),
            }
        }
        run_batch(&downloader, batch, jobs, &mut ui).await;
        // An animation's frames come as a zip plus a frame list (the facade's download_ugoira);
        // the batch above saved its first frame, as Pixiv's original URL names it.
        if let Some(client) = &client {
            after_batch(client, &ugoira, &works, args, &output, &mut ui).await;
        }
    }
    let (stats, elapsed) = ui.finish();
    if seen == 0 {
        return Err(CliError::Usage(
            "nothing to download: the input holds no URLs or work ids".into(),
        ));
    }
    let retries = downloader.service().metrics().retries
        + client
            .as_ref()
            .map_or(0, |c| c.api_transport().metrics().retries)
        + stats.restarts;
    if !global.quiet && !global.json {
        eprintln!("{}", summary(&stats, elapsed, retries));
    }
    Ok(if stats.failed > 0 {
        Status::SomeFailed
    } else {
        Status::Success
    })
}

/// The `--retries`, `--referer` and `--max-size` flags on a downloader.
pub(crate) fn with_flags(
    mut downloader: Downloader<Transport>,
    global: &Global,
    args: &DownloadArgs,
) -> Downloader<Transport> {
    if let Some(retries) = global.net.retries {
        downloader = downloader.retry_policy(RetryPolicy::new().max_retries(retries));
    }
    if let Some(referer) = &args.referer {
        downloader = downloader.referer(referer);
    }
    if let Some(max) = args.max_size {
        downloader = downloader.max_size(max);
    }
    downloader
}

/// What follows a batch of works' pages: each animation's zip and frame list (the facade's
/// `download_ugoira`; the batch saved its first frame, as Pixiv's original URL names it) and its
/// conversion, then each work's sidecars and file times.
pub(crate) async fn after_batch<W: std::borrow::Borrow<Illust>>(
    client: &Client,
    ugoira: &[u64],
    works: &[(W, Vec<std::path::PathBuf>)],
    args: &DownloadArgs,
    output: &Output,
    ui: &mut Ui,
) {
    for &id in ugoira {
        let options = output.ugoira_options(args);
        match client.download_ugoira_with(id, &args.dir, &options).await {
            Ok(done) => {
                ui.saved(&done.zip.path, done.zip.bytes);
                ui.saved(&done.frames_path, file_len(&done.frames_path));
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
    for (illust, files) in works {
        let illust = illust.borrow();
        for written in output.after_work(illust, files, &args.dir) {
            match written {
                Ok(path) => ui.saved(&path, file_len(&path)),
                Err(e) => ui.failed(&format!("illust {}", illust.id), &e),
            }
        }
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The error of a work met without a login.
const NOT_LOGGED_IN: &str = "not logged in: run `pixiv login` or set PIXIV_REFRESH_TOKEN";

fn is_not_logged_in(e: &PixivError) -> bool {
    matches!(e, PixivError::InvalidInput { why, .. } if why == NOT_LOGGED_IN)
}

/// One item's pages (a URL is its own page; a work is looked up).
async fn look_up(
    item: Result<Item, BadLine>,
    client: Option<&Client>,
    target: &Target,
    output: &Output,
    dir: &Path,
) -> Looked {
    match item {
        Err(bad) => Looked {
            label: bad.at,
            pages: Err(PixivError::invalid_input("input", bad.why)),
        },
        Ok(Item::Url(url)) => Looked {
            label: cut(&url),
            pages: Ok((vec![BatchItem::new(url, target.clone())], None)),
        },
        Ok(Item::Illust(id)) => Looked {
            label: format!("illust {id}"),
            pages: match client {
                // A work in an input with no login: the run stops here, once.
                None => Err(PixivError::invalid_input("login", NOT_LOGGED_IN)),
                Some(client) => match client.illust_detail(id).await {
                    Ok(illust) => pages(client, &illust, target)
                        .map(|p| (output.retarget(&illust, p, dir), Some(illust))),
                    Err(e) => Err(e),
                },
            },
        },
    }
}

/// Runs one batch, drawing its events; the display's stats when it is done.
pub(crate) async fn run_batch(
    downloader: &Downloader<Transport>,
    items: Vec<BatchItem>,
    jobs: usize,
    ui: &mut Ui,
) {
    if items.is_empty() {
        return;
    }
    ui.begin_batch(items.iter().map(|i| i.url.clone()).collect());
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
#[cfg(feature = "mock")]
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

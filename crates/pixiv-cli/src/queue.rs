//! `pixiv download` of collections: the sources gathered into works (collect.rs), then one
//! batch across every work's pages, so `-j` transfers run across work boundaries, each saved
//! page recorded in the archive once its file is in place (docs/cli.md, "The archive").

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write as _};

use pixiv::download::{BatchItem, BatchOptions, Target, checked_originals};
use pixiv::{Client, Event, IllustType, PixivError};
use serde_json::json;

use crate::archive::{ARCHIVE_FILE, Archive};
use crate::cli::{DownloadArgs, Global};
use crate::collect::{self, CollectArgs};
use crate::output::Output;
use crate::progress::{Display, Ui, summary};
use crate::source::Source;
use crate::{CliError, Status, settings, token_store};

/// Which work page a batch item is.
#[derive(Debug, Clone, Copy)]
struct PageOf {
    work: u64,
    page: usize,
    user: u64,
}

/// The archive the options ask for: `--archive PATH`, none with `--no-archive`, else the one in
/// the config folder.
async fn open_archive(args: &CollectArgs) -> Result<Option<Archive>, CliError> {
    if args.no_archive {
        return Ok(None);
    }
    let path = match &args.archive {
        Some(path) => path.clone(),
        None => token_store::config_dir()
            .ok_or_else(|| {
                CliError::Usage(
                    "no config folder for the download archive: give --archive PATH or \
                     --no-archive"
                        .into(),
                )
            })?
            .join(ARCHIVE_FILE),
    };
    Ok(Some(Archive::open_blocking(path).await?))
}

/// The original pages of `illust` on the configured image host.
fn page_urls(client: &Client, illust: &pixiv::Illust) -> Result<Vec<String>, PixivError> {
    checked_originals(illust)?
        .iter()
        .map(|u| {
            let parsed = url::Url::parse(u)
                .map_err(|e| PixivError::invalid_input("image URL", format!("{u}: {e}")))?;
            let mut on_host = client.image_base().clone();
            let base_path = on_host.path().trim_end_matches('/').to_owned();
            on_host.set_path(&format!("{base_path}{}", parsed.path()));
            on_host.set_query(parsed.query());
            Ok(on_host.to_string())
        })
        .collect()
}

/// Downloads `sources` (at least one of them not a plain file URL).
pub(crate) async fn run(
    global: &Global,
    args: &DownloadArgs,
    sources: Vec<Source>,
    output: Output,
) -> Result<Status, CliError> {
    let options = &args.collect;
    let archive = open_archive(options).await?;
    let client = settings::client(global)?;
    let downloader = crate::download::with_flags(client.downloader(), global, args);
    let mut target = Target::dir(&args.dir).replace(args.replace);
    if let Some(prefix) = &args.prefix {
        target = target.prefix(prefix);
    }
    if let Some(ext) = &args.ext {
        target = target.ext(ext);
    }

    // A source named twice is walked once (its works are also deduplicated by id).
    let mut named = HashSet::new();
    let (novels, sources): (Vec<Source>, Vec<Source>) = sources
        .into_iter()
        .filter(|s| named.insert(s.clone()))
        .partition(crate::novel::is_novel);
    let (files, works): (Vec<Source>, Vec<Source>) = sources
        .into_iter()
        .partition(|s| matches!(s, Source::File(_)));
    let gathered = collect::gather(&client, &works, options, archive.as_ref()).await;

    // One batch: plain files, then every page of every work; a URL named twice goes once.
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    let mut pages: Vec<Option<PageOf>> = Vec::new();
    let mut failures = gathered.failures;
    for source in files {
        if let Source::File(url) = source {
            if seen.insert(url.clone()) {
                items.push(BatchItem::new(url, target.clone()));
                pages.push(None);
            }
        }
    }
    let mut ugoira = Vec::new();
    // Every work and its files, for the sidecars and file times after the batch.
    let mut written = Vec::new();
    for illust in &gathered.works {
        match page_urls(&client, illust) {
            Ok(urls) => {
                let work_items: Vec<BatchItem> = urls
                    .into_iter()
                    .map(|url| BatchItem::new(url, target.clone()))
                    .collect();
                let work_items = output.retarget(illust, work_items, &args.dir);
                let files = work_items
                    .iter()
                    .filter_map(|i| i.target.resolve(&i.url).ok());
                written.push((illust, files.collect::<Vec<_>>()));
                for (page, item) in work_items.into_iter().enumerate() {
                    if seen.insert(item.url.clone()) {
                        items.push(item);
                        pages.push(Some(PageOf {
                            work: illust.id,
                            page,
                            user: illust.user.id,
                        }));
                    }
                }
                if illust.kind == IllustType::Ugoira {
                    ugoira.push(illust.id);
                }
            }
            Err(e) => failures.push((format!("illust {}", illust.id), e)),
        }
    }

    let display = Display::new(global.no_progress, global.json, global.quiet);
    let urls: Vec<String> = items.iter().map(|i| i.url.clone()).collect();
    let mut ui = Ui::new(display);
    ui.begin_batch(urls.clone());
    for (index, page) in pages.iter().enumerate() {
        if let Some(p) = page {
            ui.set_meta(index, "work", json!(p.work));
            ui.set_meta(index, "page", json!(p.page));
            ui.set_meta(index, "user", json!(p.user));
        }
    }
    for (what, e) in &failures {
        ui.failed(what, e);
    }
    for a in &gathered.archived {
        ui.archived(a.id, a.user, a.pages);
    }

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let batch_options = BatchOptions::new()
        .concurrency(usize::from(args.jobs))
        .on_event(pixiv::EventSink::from_channel(tx));
    let batch = downloader.download_batch(items, batch_options);
    tokio::pin!(batch);
    // Each page is recorded as soon as it is in place; its line waits for the lines of the
    // pages before it, so the output keeps the order of the works and their pages.
    let mut in_order = InOrder::default();
    let mut on_event = |ui: &mut Ui, event: Event| {
        record(ui, archive.as_ref(), &pages, &urls, &event);
        for ready in in_order.push(event) {
            ui.on_event(&ready);
        }
    };
    loop {
        tokio::select! {
            biased;
            Some(event) = rx.recv() => on_event(&mut ui, event),
            _results = &mut batch => break,
        }
    }
    while let Ok(event) = rx.try_recv() {
        on_event(&mut ui, event);
    }
    for held in in_order.drain() {
        ui.on_event(&held);
    }
    let _ = io::stdout().flush();

    crate::download::after_batch(&client, &ugoira, &written, args, &output, &mut ui).await;
    // Novels come after the works: one text file each, with its images (novel.rs).
    if !novels.is_empty() {
        let job = crate::novel::NovelJob {
            client: &client,
            downloader: &downloader,
            dir: &args.dir,
            replace: args.replace,
            format: args.novel_format,
            options,
            archive: archive.as_ref(),
        };
        job.run(&novels, &mut ui).await;
    }
    let (stats, elapsed) = ui.finish();
    let retries = downloader.service().metrics().retries
        + client.api_transport().metrics().retries
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

/// Holds the events that end an item (`Finished`, `Skipped`, `Failed`) until every item before it
/// has ended; progress events pass at once.
#[derive(Default)]
struct InOrder {
    next: usize,
    held: BTreeMap<usize, Event>,
}

impl InOrder {
    /// The events to draw now, in order.
    fn push(&mut self, event: Event) -> Vec<Event> {
        if !matches!(
            event,
            Event::Finished { .. } | Event::Skipped { .. } | Event::Failed { .. }
        ) {
            return vec![event];
        }
        self.held.insert(event.index(), event);
        let mut ready = Vec::new();
        while let Some(event) = self.held.remove(&self.next) {
            ready.push(event);
            self.next += 1;
        }
        ready
    }

    /// Whatever is still held, in order (the batch is over).
    fn drain(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.held).into_values().collect()
    }
}

/// Records a work page in the archive once its file is in place (`Finished` comes after the
/// rename; `Skipped` means the file was already there), and says so in its JSON line.
fn record(
    ui: &mut Ui,
    archive: Option<&Archive>,
    pages: &[Option<PageOf>],
    urls: &[String],
    event: &Event,
) {
    let (index, path, size, decision) = match event {
        Event::Finished { index, path, bytes } => (*index, path, *bytes, "saved"),
        Event::Skipped { index, path } => {
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            (*index, path, size, "skipped")
        }
        _ => return,
    };
    let Some(Some(page)) = pages.get(index) else {
        return;
    };
    let Some(archive) = archive else {
        ui.set_meta(index, "archive", serde_json::Value::Null);
        return;
    };
    let url = urls.get(index).map_or("", String::as_str);
    match archive.record(page.work, page.page, url, path, size) {
        Ok(()) => ui.set_meta(index, "archive", json!(decision)),
        Err(e) => {
            tracing::warn!("not recorded in {}: {e}", archive.path().display());
            ui.set_meta(index, "archive", json!("not recorded"));
        }
    }
}

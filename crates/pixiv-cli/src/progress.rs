//! Drawing a batch from the downloader's progress events.
//!
//! On a terminal (stderr), an indicatif `MultiProgress`: one bar per active transfer and a total
//! bar with bytes, rate and ETA. Otherwise (a pipe, `--no-progress`), nothing is drawn. Either
//! way each finished item gets one line: to stdout for saved and skipped files (a JSON object
//! with `--json`), to stderr as `error: ...` for failures; lines are printed with the bars
//! suspended, so nothing is garbled whichever of stdout and stderr is a terminal.

use std::collections::HashMap;
use std::io::{self, IsTerminal as _, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use pixiv::{Event, PixivError};

use crate::{display_text, render};

/// How results are shown.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Display {
    /// Bars on stderr (only when it is a terminal).
    pub(crate) bars: bool,
    /// JSON lines on stdout.
    pub(crate) json: bool,
    /// Failures only.
    pub(crate) quiet: bool,
}

impl Display {
    /// Bars when asked for and stderr is a terminal.
    pub(crate) fn new(no_progress: bool, json: bool, quiet: bool) -> Self {
        Self {
            bars: !no_progress && !quiet && io::stderr().is_terminal(),
            json,
            quiet,
        }
    }
}

/// What a batch did, for the summary and the exit code.
#[derive(Debug, Default, Clone)]
pub(crate) struct Stats {
    /// Files written.
    pub(crate) saved: usize,
    /// Files left alone (already there).
    pub(crate) skipped: usize,
    /// Items that failed.
    pub(crate) failed: usize,
    /// Bytes received over the wire.
    pub(crate) bytes: u64,
    /// Transfers that started again after breaking off.
    pub(crate) restarts: u64,
}

struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    active: HashMap<usize, ProgressBar>,
}

/// The progress display of a run: one batch after another (a long `--input` comes in batches),
/// with totals over all of them.
pub(crate) struct Ui {
    display: Display,
    bars: Option<Bars>,
    /// The current batch's URLs (its events' indexes point into it).
    urls: Vec<String>,
    received: HashMap<usize, u64>,
    expected: HashMap<usize, u64>,
    started_once: HashMap<usize, bool>,
    /// Items queued so far, over every batch.
    queued: usize,
    /// Items of every batch that have not ended yet.
    pending: usize,
    stats: Stats,
    start: Instant,
    /// Fields added to an item's JSON line (work id, page, user id, archive decision).
    meta: HashMap<usize, serde_json::Map<String, serde_json::Value>>,
}

/// Bar templates (indicatif's syntax).
const TRANSFER_TEMPLATE: &str =
    "{prefix:>20.dim} [{bar:25.cyan/blue}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12}";
const TOTAL_TEMPLATE: &str = "{msg:>20.bold} [{bar:25.green/white}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} ETA {eta}";

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Ui {
    /// A display with no batch yet.
    pub(crate) fn new(display: Display) -> Self {
        let bars = display.bars.then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let total = multi.add(ProgressBar::new(0).with_style(style(TOTAL_TEMPLATE)));
            // Retry and wait lines are printed above the bars (crate::logging).
            crate::logging::set_bars(Some(multi.clone()));
            Bars {
                multi,
                total,
                active: HashMap::new(),
            }
        });
        let ui = Self {
            display,
            bars,
            urls: Vec::new(),
            received: HashMap::new(),
            expected: HashMap::new(),
            started_once: HashMap::new(),
            queued: 0,
            pending: 0,
            stats: Stats::default(),
            start: Instant::now(),
            meta: HashMap::new(),
        };
        ui.update_total_message();
        ui
    }

    /// The next batch, whose item `i` is `urls[i]`; what was kept for the previous one goes.
    pub(crate) fn begin_batch(&mut self, urls: Vec<String>) {
        self.queued += urls.len();
        self.pending += urls.len();
        self.urls = urls;
        self.received.clear();
        self.expected.clear();
        self.started_once.clear();
        self.meta.clear();
        self.update_total_message();
    }

    /// Sets `key` in the JSON line of item `index`.
    pub(crate) fn set_meta(&mut self, index: usize, key: &str, value: serde_json::Value) {
        self.meta
            .entry(index)
            .or_default()
            .insert(key.to_owned(), value);
    }

    /// A work the archive already has: no request was made (docs/cli.md, "The archive").
    pub(crate) fn archived(&mut self, work: u64, user: u64, pages: usize) {
        self.stats.skipped += 1;
        if self.display.quiet {
            return;
        }
        let mut meta = serde_json::Map::new();
        meta.insert("work".into(), work.into());
        meta.insert("user".into(), user.into());
        meta.insert("pages".into(), pages.into());
        meta.insert("archive".into(), "archived".into());
        let what = format!("illust {work}");
        self.result_line_with(&what, None, "archived", 0, None, Some(&meta));
    }

    /// Draws one event.
    pub(crate) fn on_event(&mut self, event: &Event) {
        // Every event, at `-vv` (docs/cli.md, "Verbosity and retries").
        tracing::trace!(?event, "download event");
        match event {
            Event::Started {
                index,
                expected_len,
                resumed_from,
                ..
            } => {
                if self.started_once.insert(*index, true).is_some() {
                    self.stats.restarts += 1;
                }
                let before = self.received.insert(*index, *resumed_from).unwrap_or(0);
                let len = expected_len.unwrap_or(0);
                let old_len = self.expected.insert(*index, len).unwrap_or(0);
                if let Some(bars) = &mut self.bars {
                    bars.total.inc_length(len.saturating_sub(old_len));
                    bars.total.inc(resumed_from.saturating_sub(before));
                    let name = self
                        .urls
                        .get(*index)
                        .map(|u| short_name(u))
                        .unwrap_or_default();
                    let bar = bars.active.entry(*index).or_insert_with(|| {
                        bars.multi.insert_before(
                            &bars.total,
                            ProgressBar::new(len)
                                .with_style(style(TRANSFER_TEMPLATE))
                                .with_prefix(name),
                        )
                    });
                    bar.set_length(len);
                    bar.set_position(*resumed_from);
                }
            }
            Event::Progress {
                index, received, ..
            } => {
                let before = self.received.insert(*index, *received).unwrap_or(0);
                let delta = received.saturating_sub(before);
                self.stats.bytes += delta;
                if let Some(bars) = &self.bars {
                    bars.total.inc(delta);
                    if let Some(bar) = bars.active.get(index) {
                        bar.set_position(*received);
                    }
                }
            }
            Event::Finished { index, path, bytes } => {
                self.stats.saved += 1;
                self.end(*index);
                if !self.display.quiet {
                    let url = self.url(*index);
                    let meta = self.meta.get(index);
                    self.result_line_with(&url, Some(path), "ok", *bytes, None, meta);
                }
            }
            Event::Skipped { index, path } => {
                self.stats.skipped += 1;
                self.end(*index);
                if !self.display.quiet {
                    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                    let url = self.url(*index);
                    let meta = self.meta.get(index);
                    self.result_line_with(&url, Some(path), "skipped", bytes, None, meta);
                }
            }
            Event::Failed { index, error } => {
                self.end(*index);
                let url = self.url(*index);
                self.stats.failed += 1;
                let meta = self.meta.get(index);
                self.result_line_with(&url, None, "failed", 0, Some(error), meta);
            }
            _ => {}
        }
    }

    /// A file saved outside the batch (an ugoira's zip and frame list).
    pub(crate) fn saved(&mut self, path: &Path, bytes: u64) {
        self.stats.saved += 1;
        self.stats.bytes += bytes;
        if !self.display.quiet {
            self.result_line(&path.display().to_string(), Some(path), "ok", bytes, None);
        }
    }

    /// A novel's file, saved or left as it was (it is there and `--replace` is not given),
    /// outside the batch; `meta` goes into its JSON line (`novel`, `user`, `archive`).
    pub(crate) fn novel_file(
        &mut self,
        path: &Path,
        bytes: u64,
        skipped: bool,
        meta: &serde_json::Map<String, serde_json::Value>,
    ) {
        if skipped {
            self.stats.skipped += 1;
        } else {
            self.stats.saved += 1;
            self.stats.bytes += bytes;
        }
        if !self.display.quiet {
            let status = if skipped { "skipped" } else { "ok" };
            let item = path.display().to_string();
            self.result_line_with(&item, Some(path), status, bytes, None, Some(meta));
        }
    }

    /// A novel the archive already has: no request was made for its text.
    pub(crate) fn archived_novel(&mut self, novel: u64, user: u64) {
        self.stats.skipped += 1;
        if self.display.quiet {
            return;
        }
        let mut meta = serde_json::Map::new();
        meta.insert("novel".into(), novel.into());
        meta.insert("user".into(), user.into());
        meta.insert("archive".into(), "archived".into());
        let what = format!("novel {novel}");
        self.result_line_with(&what, None, "archived", 0, None, Some(&meta));
    }

    /// An item that failed outside the batch (a work that could not be looked up).
    pub(crate) fn failed(&mut self, item: &str, error: &PixivError) {
        self.stats.failed += 1;
        self.result_line(item, None, "failed", 0, Some(error));
    }

    /// Clears the bars; the stats of the batch.
    pub(crate) fn finish(self) -> (Stats, Duration) {
        if let Some(bars) = &self.bars {
            for bar in bars.active.values() {
                bar.finish_and_clear();
            }
            bars.total.finish_and_clear();
            let _ = bars.multi.clear();
            crate::logging::set_bars(None);
        }
        (self.stats, self.start.elapsed())
    }

    fn url(&self, index: usize) -> String {
        self.urls.get(index).cloned().unwrap_or_default()
    }

    fn end(&mut self, index: usize) {
        self.pending = self.pending.saturating_sub(1);
        if let Some(bars) = &mut self.bars {
            if let Some(bar) = bars.active.remove(&index) {
                bar.finish_and_clear();
                bars.multi.remove(&bar);
            }
        }
        self.update_total_message();
    }

    fn update_total_message(&self) {
        if let Some(bars) = &self.bars {
            let done = self.queued.saturating_sub(self.pending);
            bars.total
                .set_message(format!("{done}/{} files", self.queued));
        }
    }

    fn result_line(
        &self,
        item: &str,
        path: Option<&Path>,
        status: &str,
        bytes: u64,
        error: Option<&PixivError>,
    ) {
        self.result_line_with(item, path, status, bytes, error, None);
    }

    fn result_line_with(
        &self,
        item: &str,
        path: Option<&Path>,
        status: &str,
        bytes: u64,
        error: Option<&PixivError>,
        meta: Option<&serde_json::Map<String, serde_json::Value>>,
    ) {
        let print = || {
            if self.display.json {
                let mut line = serde_json::json!({
                    "url": item,
                    "path": path.map(|p| p.display().to_string()),
                    "status": status,
                    "bytes": bytes,
                    "error": error.map(|e| display_text::cut_words(&render::describe(e)).into_owned()),
                });
                if let (Some(meta), Some(object)) = (meta, line.as_object_mut()) {
                    object.extend(meta.clone());
                }
                let mut out = io::stdout().lock();
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            } else if let Some(e) = error {
                let mut err = io::stderr().lock();
                let line = format!("{item}: {}", render::describe(e));
                let _ = writeln!(err, "{}", render::error_line(&line));
            } else {
                // A name chosen by the server is shown as what it is (bidi controls escaped).
                let shown = path.map_or_else(|| item.to_owned(), |p| p.display().to_string());
                let shown = display_text::escape(&shown);
                let (what, note) = match status {
                    "ok" => ("saved", ""),
                    "archived" => ("archived", ", in the download archive"),
                    _ => ("skipped", ", already there"),
                };
                let mut out = io::stdout().lock();
                let _ = writeln!(out, "{what} {shown} ({}{note})", render::bytes(bytes));
                let _ = out.flush();
            }
        };
        match &self.bars {
            Some(bars) => bars.multi.suspend(print),
            None => print(),
        }
    }
}

/// The width of a bar's label (the templates' `{prefix:>20}`): the bars fit 100 columns.
const LABEL_WIDTH: usize = 20;

/// The last path segment of a URL, for a bar's label (at most [`LABEL_WIDTH`] characters).
fn short_name(url: &str) -> String {
    let name = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .unwrap_or(url);
    let chars: Vec<char> = name.chars().collect();
    if chars.len() > LABEL_WIDTH {
        let tail: String = chars[chars.len() - (LABEL_WIDTH - 1)..].iter().collect();
        format!("…{tail}")
    } else {
        name.to_owned()
    }
}

/// The closing line: `5 saved, 0 skipped, 0 failed: 1.2 MiB in 0.3 s (4.1 MiB/s), 0 retries`.
/// Sizes and rates in binary units, as the bars show them (indicatif's `HumanBytes`).
pub(crate) fn summary(stats: &Stats, elapsed: Duration, retries: u64) -> String {
    let secs = elapsed.as_secs_f64();
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )] // for display; a rate is never negative
    let rate = if secs > 0.0 {
        (stats.bytes as f64 / secs) as u64
    } else {
        0
    };
    format!(
        "{} saved, {} skipped, {} failed: {} in {secs:.2} s ({}/s), {retries} {}",
        stats.saved,
        stats.skipped,
        stats.failed,
        render::bytes(stats.bytes),
        render::bytes(rate),
        if retries == 1 { "retry" } else { "retries" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_summary() {
        assert_eq!(short_name("https://h/a/b/12_p0.png?x=1"), "12_p0.png");
        assert_eq!(
            short_name(&format!("https://h/{}", "x".repeat(40)))
                .chars()
                .count(),
            LABEL_WIDTH
        );
        let stats = Stats {
            saved: 2,
            bytes: 2_000_000,
            ..Stats::default()
        };
        let line = summary(&stats, Duration::from_secs(1), 1);
        assert_eq!(
            line,
            "2 saved, 0 skipped, 0 failed: 1.9 MiB in 1.00 s (1.9 MiB/s), 1 retry"
        );
    }
}

//! `pixiv download` of novels (`novel/show.php?id=`, `novel/series/ID`, `users/UID/novels`):
//! each novel's text from the viewer page (`webview_novel`), turned from Pixiv's markup into
//! plain text, Markdown or HTML (`pixiv::novel_text`), saved as `{id}.txt|md|html`; in Markdown
//! and HTML the embedded images and the cover are saved beside it and linked (docs/downloads.md,
//! "Novels from the command line"). The selection flags and the archive apply as to works: a
//! novel is one page, page 0, the text file, in the archive's own table for novels.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use futures_util::stream::{self, BoxStream, StreamExt as _, TryStreamExt as _};
use pixiv::download::Target;
use pixiv::novel_text::{NovelImages, image_keys, to_html, to_markdown, to_text};
use pixiv::transport::Transport;
use pixiv::{Client, Downloader, Novel, PixivError, WebviewNovel};

use crate::archive::Archive;
use crate::collect::CollectArgs;
use crate::progress::Ui;
use crate::source::Source;

/// How a novel's text is saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum NovelFormat {
    /// Plain text, `{id}.txt` (images named, not saved).
    #[default]
    Txt,
    /// Markdown, `{id}.md`, images and cover saved beside it.
    Md,
    /// HTML, `{id}.html`, images and cover saved beside it.
    Html,
}

impl NovelFormat {
    fn ext(self) -> &'static str {
        match self {
            Self::Txt => "txt",
            Self::Md => "md",
            Self::Html => "html",
        }
    }
}

/// What the novel downloads need from `pixiv download`.
pub(crate) struct NovelJob<'a> {
    pub(crate) client: &'a Client,
    pub(crate) downloader: &'a Downloader<Transport>,
    pub(crate) dir: &'a Path,
    pub(crate) replace: bool,
    pub(crate) format: NovelFormat,
    pub(crate) options: &'a CollectArgs,
    pub(crate) archive: Option<&'a Archive>,
}

/// Whether `source` names novels.
pub(crate) fn is_novel(source: &Source) -> bool {
    matches!(
        source,
        Source::Novel(_) | Source::NovelSeries(_) | Source::UserNovels(_)
    )
}

/// Whether `novel` passes the selection flags that apply to novels (`--type` names work types
/// and leaves every novel out).
fn selects(args: &CollectArgs, novel: &Novel) -> bool {
    if args.kind.is_some() {
        return false;
    }
    if args
        .min_bookmarks
        .is_some_and(|n| novel.total_bookmarks < n)
    {
        return false;
    }
    let ai = novel.novel_ai_type == 2;
    if (args.no_ai && ai) || (args.ai_only && !ai) {
        return false;
    }
    let r18 = novel.x_restrict > 0;
    if (args.no_r18 && r18) || (args.r18_only && !r18) {
        return false;
    }
    if args.since.is_some() || args.until.is_some() {
        let posted = time::OffsetDateTime::parse(
            &novel.create_date,
            &time::format_description::well_known::Rfc3339,
        );
        let Ok(posted) = posted.map(time::OffsetDateTime::date) else {
            return false;
        };
        if args.since.is_some_and(|d| posted < d) || args.until.is_some_and(|d| posted > d) {
            return false;
        }
    }
    args.tags.iter().all(|want| {
        let want = want.to_lowercase();
        novel.tags.iter().any(|t| {
            t.name.to_lowercase() == want
                || t.translated_name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase() == want)
        })
    })
}

/// Every novel of `source`, pages fetched as the stream is read.
fn resolve(client: &Client, source: &Source) -> BoxStream<'static, Result<Novel, PixivError>> {
    let client = client.clone();
    let source = source.clone();
    stream::once(async move {
        let page = match source {
            Source::Novel(id) => {
                let novel = client.novel_detail(id).await?;
                return Ok(stream::once(async move { Ok(novel) }).boxed());
            }
            Source::NovelSeries(id) => client.novel_series(id).await?.novels,
            Source::UserNovels(user) => client.user_novels(user).await?,
            other => {
                return Err(PixivError::invalid_input(
                    "novel",
                    format!("{} is not a novel source", other.label()),
                ));
            }
        };
        Ok(page.into_stream())
    })
    .try_flatten()
    .boxed()
}

/// `url` moved onto the client's image host (what the mock and a mirror serve), as queue.rs
/// does for work pages.
fn on_image_host(client: &Client, url: &str) -> Result<String, PixivError> {
    let parsed = url::Url::parse(url)
        .map_err(|e| PixivError::invalid_input("image URL", format!("{url}: {e}")))?;
    let mut on_host = client.image_base().clone();
    let base_path = on_host.path().trim_end_matches('/').to_owned();
    on_host.set_path(&format!("{base_path}{}", parsed.path()));
    on_host.set_query(parsed.query());
    Ok(on_host.to_string())
}

/// The extension of the file `url` names (`jpg` when it names none).
fn url_ext(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    match name.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() && ext.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            ext.to_ascii_lowercase()
        }
        _ => "jpg".into(),
    }
}

/// The URL of an embedded image, by its key (`pixivimage:12-1`, `pixivimage:12`,
/// `uploadedimage:123`), as the viewer page lists it.
fn image_url(novel: &WebviewNovel, key: &str) -> Option<String> {
    if let Some(work) = key.strip_prefix("pixivimage:") {
        let embedded = novel
            .illusts
            .get(work)
            .or_else(|| novel.illusts.get(&format!("{work}-1")))?;
        let images = embedded.illust.get("images")?;
        return ["original", "medium", "small"]
            .iter()
            .find_map(|size| images.get(*size)?.as_str())
            .map(str::to_owned);
    }
    let id = key.strip_prefix("uploadedimage:")?;
    let image = novel.images.get(id)?;
    ["original", "1200x1200", "480mw", "240mw"]
        .iter()
        .find_map(|size| image.urls.get(*size))
        .cloned()
}

/// Writes `bytes` to `path` through a `.part` file renamed into place, so a failed write leaves
/// nothing at the final path.
async fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PixivError> {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let result = async {
        tokio::fs::write(&part, bytes).await?;
        tokio::fs::rename(&part, path).await
    }
    .await;
    if let Err(e) = result {
        let _ = tokio::fs::remove_file(&part).await;
        return Err(PixivError::from(e));
    }
    Ok(())
}

impl NovelJob<'_> {
    /// Downloads the novels of every novel source, reporting each through `ui`.
    pub(crate) async fn run(&self, sources: &[Source], ui: &mut Ui) {
        let args = self.options;
        let mut seen = HashSet::new();
        for source in sources {
            if args.limit == Some(0) {
                break;
            }
            let mut novels = resolve(self.client, source);
            let mut taken = 0usize;
            let mut archived_run = 0usize;
            let sync = args.sync.filter(|n| *n > 0 && source.newest_first());
            while let Some(next) = novels.next().await {
                let novel = match next {
                    Ok(novel) => novel,
                    Err(e) => {
                        ui.failed(&source.label(), &e);
                        break;
                    }
                };
                if !seen.insert(novel.id) || !selects(args, &novel) {
                    continue;
                }
                taken += 1;
                let have = match self.archive {
                    Some(a) if !args.force => a.novel_saved(novel.id).unwrap_or_else(|e| {
                        ui.failed(&format!("novel {}", novel.id), &e);
                        false
                    }),
                    _ => false,
                };
                if have {
                    archived_run += 1;
                    ui.archived_novel(novel.id, novel.user.id);
                } else {
                    archived_run = 0;
                    if let Err(e) = self.one(&novel, ui).await {
                        ui.failed(&format!("novel {}", novel.id), &e);
                    }
                }
                if args.limit.is_some_and(|n| taken >= n) || sync.is_some_and(|n| archived_run >= n)
                {
                    break;
                }
            }
        }
    }

    /// One novel: its images and cover (Markdown, HTML), then its text, then the archive.
    async fn one(&self, novel: &Novel, ui: &mut Ui) -> Result<(), PixivError> {
        let id = novel.id;
        let path = self.dir.join(format!("{id}.{}", self.format.ext()));
        let page_url = format!("https://www.pixiv.net/novel/show.php?id={id}");
        let meta = |archive: Option<serde_json::Value>| {
            let mut meta = serde_json::Map::new();
            meta.insert("novel".into(), id.into());
            meta.insert("user".into(), novel.user.id.into());
            if let Some(archive) = archive {
                meta.insert("archive".into(), archive);
            }
            meta
        };
        if !self.replace && tokio::fs::try_exists(&path).await.unwrap_or(false) {
            let size = file_len(&path);
            let archived = self.record(id, &page_url, &path, "skipped");
            ui.novel_file(&path, size, true, &meta(Some(archived)));
            return Ok(());
        }
        let webview = self.client.webview_novel(id).await?;
        tokio::fs::create_dir_all(self.dir).await?;
        let mut images = NovelImages::new();
        let mut cover = None;
        if self.format != NovelFormat::Txt {
            for key in image_keys(&webview.text) {
                let Some(url) = image_url(&webview, &key) else {
                    continue;
                };
                let name = format!("{id}_{}.{}", key.replace([':', '/'], "_"), url_ext(&url));
                self.fetch(&url, &name, ui, &meta(None)).await?;
                images = images.insert(key, name);
            }
            if !webview.cover_url.is_empty() {
                let name = format!("{id}_cover.{}", url_ext(&webview.cover_url));
                self.fetch(&webview.cover_url, &name, ui, &meta(None))
                    .await?;
                cover = Some(name);
            }
        }
        let body = match self.format {
            NovelFormat::Txt => {
                format!("{}\n\n{}\n", webview.title, to_text(&webview.text, &images))
            }
            NovelFormat::Md => {
                let title = to_markdown(&webview.title, &NovelImages::new());
                let cover = cover
                    .map(|c| format!("![cover]({c})\n\n"))
                    .unwrap_or_default();
                format!(
                    "# {title}\n\n{cover}{}\n",
                    to_markdown(&webview.text, &images)
                )
            }
            NovelFormat::Html => {
                let title = to_html(&webview.title, &NovelImages::new());
                let cover = cover
                    .map(|c| format!("<img src=\"{}\" alt=\"cover\">\n", html_attr(&c)))
                    .unwrap_or_default();
                format!(
                    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n\
                     <title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n{cover}{}\n\
                     </body>\n</html>\n",
                    to_html(&webview.text, &images)
                )
            }
        };
        write_atomic(&path, body.as_bytes()).await?;
        let archived = self.record(id, &page_url, &path, "saved");
        ui.novel_file(&path, file_len(&path), false, &meta(Some(archived)));
        Ok(())
    }

    /// Saves one image beside the novel (left as it is when present, unless `--replace`).
    async fn fetch(
        &self,
        url: &str,
        name: &str,
        ui: &mut Ui,
        meta: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), PixivError> {
        let url = on_image_host(self.client, url)?;
        let target = Target::path(self.dir.join(name)).replace(self.replace);
        let done = self.downloader.download(&url, &target).await?;
        let skipped = done.outcome == pixiv::Outcome::Skipped;
        ui.novel_file(&done.path, done.bytes, skipped, meta);
        Ok(())
    }

    /// Records the text file in the archive; what its JSON line's `archive` says (`decision`,
    /// `not recorded`, or `null` with `--no-archive`), as for work pages.
    fn record(&self, id: u64, url: &str, path: &Path, decision: &str) -> serde_json::Value {
        let Some(archive) = self.archive else {
            return serde_json::Value::Null;
        };
        match archive.record_novel(id, url, path, file_len(path)) {
            Ok(()) => decision.into(),
            Err(e) => {
                tracing::warn!("not recorded in {}: {e}", archive.path().display());
                "not recorded".into()
            }
        }
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// `text` for a double-quoted HTML attribute.
fn html_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

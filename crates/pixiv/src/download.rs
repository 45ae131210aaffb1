//! Works to files: [`Client::download_illust`] and [`Client::download_ugoira`].
//!
//! Both go through `pixiv-download`'s [`Downloader`] over the client's Bearer-less transport:
//! the image host gets the `Referer` it requires (`https://app-api.pixiv.net/`) and never an
//! `Authorization` header; files are written to a `.part`, checked against `Content-Length` and
//! renamed into place; a broken transfer resumes; the transport's retry, rate limit and
//! timeouts apply to every request.
//!
//! A work the account may not see comes with placeholder images (`/common/images/limit_*.png` on
//! `s.pximg.net`) and no original. That is reported, not downloaded as if it were the work:
//! [`PixivError::InvalidInput`] with `what == "illust"` and `why` starting with
//! [`NOT_VIEWABLE`]; [`is_not_viewable`] tells it apart.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = pixiv_mock::MockPixiv::builder().start().await?;
//! # let client = pixiv::Client::builder().refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
//! #     .base_url(&mock.base_url()).transport(|t| t.add_root_certificate_pem(mock.ca_pem())).build()?;
//! use pixiv::download::{DownloadOptions, is_not_viewable};
//!
//! let dir = tempfile::tempdir()?;
//! let work = client.illust_detail(12).await?; // three pages
//! let files = client.download_illust(&work, dir.path(), &DownloadOptions::new()).await?;
//! let names: Vec<_> = files.iter().map(|f| f.path.file_name().unwrap().to_owned()).collect();
//! assert_eq!(names, ["12_p0.png", "12_p1.png", "12_p2.png"]);
//!
//! let hidden = client.illust_detail(22).await?; // the account may not see it
//! let err = client.download_illust(&hidden, dir.path(), &DownloadOptions::new()).await.unwrap_err();
//! assert!(is_not_viewable(&err));
//! # Ok(())
//! # }
//! ```

mod ugoira;

use std::collections::HashSet;
use std::fmt;
use std::path::{Component, Path};
use std::sync::Arc;

pub use pixiv_download::*;
use pixiv_transport::Transport;

use crate::Client;
use crate::client::on_base;
use crate::models::Illust;

pub use ugoira::UgoiraDownload;

/// The start of the `why` of the error a work the account may not see gives.
pub const NOT_VIEWABLE: &str = "not viewable by this account (restricted)";

/// The path prefix of Pixiv's placeholder images (`/common/images/limit_sanity_level_360.png`,
/// `limit_unviewable_360.png`, `limit_mypixiv_360.png`, as Pixiv sends them).
pub const PLACEHOLDER_PREFIX: &str = "/common/images/limit_";

/// The most pages a work may have: Pixiv's own limit for one post (200 images). A work that
/// claims more (`page_count` or `meta_pages`) is a malformed answer: [`Client::download_illust`]
/// refuses it with [`PixivError::Decode`] before any image request.
pub const MAX_PAGES_PER_WORK: usize = 200;

/// Whether `err` says a work is not viewable by this account (see the [module docs](self)).
pub fn is_not_viewable(err: &PixivError) -> bool {
    matches!(err, PixivError::InvalidInput { what, why } if what == "illust" && why.starts_with(NOT_VIEWABLE))
}

/// Whether `url` is one of Pixiv's placeholder images rather than a work.
pub fn is_placeholder(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.path().starts_with(PLACEHOLDER_PREFIX))
}

/// Names a page's file: `(work, page index, extension without the dot) -> file name`.
pub type NamingFn = Arc<dyn Fn(&Illust, usize, &str) -> String + Send + Sync>;

/// How [`Client::download_illust`] names and writes files.
#[derive(Clone, Default)]
#[must_use]
pub struct DownloadOptions {
    naming: Option<NamingFn>,
    template: Option<Template>,
    replace: bool,
    batch: BatchOptions,
    max_size: Option<u64>,
    largest_ugoira: bool,
}

impl fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("naming", &self.naming.as_ref().map(|_| "fn"))
            .field("template", &self.template)
            .field("replace", &self.replace)
            .field("batch", &self.batch)
            .field("max_size", &self.max_size)
            .field("largest_ugoira", &self.largest_ugoira)
            .finish()
    }
}

impl DownloadOptions {
    /// The defaults: `{id}_p{n}.{ext}`, existing files left alone, 5 transfers at once, no events.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names each page's file. The name must be a plain file name (no folder, not `..`).
    /// Default: `{id}_p{n}.{ext}` ([`default_name`]).
    pub fn naming(
        mut self,
        f: impl Fn(&Illust, usize, &str) -> String + Send + Sync + 'static,
    ) -> Self {
        self.naming = Some(Arc::new(f));
        self
    }

    /// Names each page's file with a [`Template`] (folders allowed, every value made safe; see
    /// `docs/downloads.md`, Templates), filled by [`crate::metadata::template_fields`]. Takes
    /// precedence over [`naming`](Self::naming).
    pub fn template(mut self, template: Template) -> Self {
        self.template = Some(template);
        self
    }

    /// Overwrite existing files (`true`) or leave them and report them skipped (`false`, the
    /// default, as PixivPy's `replace=False`).
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// At most `n` pages at once. Default [`DEFAULT_CONCURRENCY`] (5).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.batch = self.batch.concurrency(n);
        self
    }

    /// Refuse a page larger than `bytes` (`BodyTooLarge`, nothing kept). Default
    /// [`pixiv_download::DEFAULT_MAX_SIZE`] (1 GiB; see `docs/downloads.md`, "Size cap").
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max_size = Some(bytes);
        self
    }

    /// Whether [`Client::download_ugoira_with`] fetches the large frames
    /// (`{id}_ugoira1920x1080.zip`, the size Pixiv's viewer plays), falling back to the
    /// `zip_urls.medium` zip (`{id}_ugoira600x600.zip`) when the host has no large one (404).
    /// Default: off (the medium zip, as PixivPy and the App API name it). Turn it on when the
    /// frames are to be converted for viewing (`pixiv download --ugoira gif` does).
    pub fn largest_ugoira(mut self, largest: bool) -> Self {
        self.largest_ugoira = largest;
        self
    }

    /// Progress events of the pages ([`Event`]; `index` is the page).
    pub fn on_event(mut self, sink: EventSink) -> Self {
        self.batch = self.batch.on_event(sink);
        self
    }
}

/// `{id}_p{page}.{ext}`, Pixiv's own naming of originals.
pub fn default_name(illust: &Illust, page: usize, ext: &str) -> String {
    format!("{}_p{page}.{ext}", illust.id)
}

impl Client {
    /// A downloader over the client's Bearer-less transport (the one downloads use), for URLs
    /// of your own.
    pub fn downloader(&self) -> Downloader<Transport> {
        Downloader::new(self.inner.plain.clone())
    }

    /// Downloads every original page of `illust` into `dir` (created when missing), through the
    /// batch downloader: `meta_pages[].image_urls.original`, else
    /// `meta_single_page.original_image_url`. The files, in page order, or the first page's
    /// error (pages that did finish stay on disk; a second call skips them unless `replace`).
    ///
    /// URLs are fetched from the configured image base (same path). Refused before any request:
    /// a work the account may not see (an error saying so, see the [module docs](crate::download)),
    /// a work claiming more than [`MAX_PAGES_PER_WORK`] pages (`Decode`), and names that would
    /// put two pages on one path (`InvalidInput`, e.g. a naming function that ignores the page).
    pub async fn download_illust(
        &self,
        illust: &Illust,
        dir: impl AsRef<Path>,
        options: &DownloadOptions,
    ) -> Result<Vec<Downloaded>, PixivError> {
        let urls = checked_originals(illust)?;
        let dir = dir.as_ref();
        let mut items = Vec::with_capacity(urls.len());
        let mut paths = HashSet::with_capacity(urls.len());
        for (page, url) in urls.iter().enumerate() {
            let url = self.on_image_host(url)?;
            let ext = extension(&url);
            let (name, target) = match (&options.template, &options.naming) {
                (Some(t), _) => {
                    let fields = crate::metadata::template_fields(illust, page, &ext);
                    let name = t.render(&fields).to_string_lossy().into_owned();
                    (name, Target::from_template(dir, t, &fields))
                }
                (None, naming) => {
                    let name = match naming {
                        Some(f) => f(illust, page, &ext),
                        None => default_name(illust, page, &ext),
                    };
                    check_name(&name)?;
                    let target = Target::path(dir.join(&name));
                    (name, target)
                }
            };
            let target = target.replace(options.replace);
            if !paths.insert(target.resolve(&url)?) {
                return Err(PixivError::invalid_input(
                    "download file name",
                    format!(
                        "page {page} of work {} is named {name:?}, as an earlier page",
                        illust.id
                    ),
                ));
            }
            items.push(BatchItem::new(url, target));
        }
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| PixivError::io(dir, e))?;
        let mut downloader = self.downloader();
        if let Some(max) = options.max_size {
            downloader = downloader.max_size(max);
        }
        downloader
            .download_batch(items, options.batch.clone())
            .await
            .into_iter()
            .collect()
    }

    /// `url`'s path (and query) on the configured image base.
    fn on_image_host(&self, url: &str) -> Result<String, PixivError> {
        let parsed = url::Url::parse(url)
            .map_err(|e| PixivError::invalid_input("image URL", format!("{url}: {e}")))?;
        Ok(on_base(&self.inner.image_base, &parsed).into())
    }
}

/// The original URLs of a work, in page order, checked as [`Client::download_illust`] checks
/// them before any request: a work the account may not see is the "not viewable" error
/// ([`is_not_viewable`]), one claiming more than [`MAX_PAGES_PER_WORK`] pages is `Decode`, one
/// without an original is `InvalidInput`. For callers that batch the pages of many works
/// themselves.
pub fn checked_originals(illust: &Illust) -> Result<Vec<&str>, PixivError> {
    check_page_count(illust)?;
    let urls = illust.original_urls();
    let placeholder = urls
        .iter()
        .copied()
        .find(|u| is_placeholder(u))
        .or_else(|| {
            let i = &illust.image_urls;
            [&i.square_medium, &i.medium, &i.large]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .find(|u| is_placeholder(u))
        });
    if let Some(p) = placeholder {
        if urls.is_empty() || urls.iter().any(|u| is_placeholder(u)) {
            return Err(not_viewable(illust.id, Some(p)));
        }
    }
    if urls.is_empty() {
        if !illust.visible {
            return Err(not_viewable(illust.id, None));
        }
        return Err(PixivError::invalid_input(
            "illust",
            format!("work {} has no original image URL", illust.id),
        ));
    }
    Ok(urls)
}

/// A work claiming more pages than Pixiv allows is a malformed answer.
fn check_page_count(illust: &Illust) -> Result<(), PixivError> {
    let claimed = illust
        .meta_pages
        .len()
        .max(usize::try_from(illust.page_count).unwrap_or(usize::MAX));
    if claimed > MAX_PAGES_PER_WORK {
        return Err(PixivError::decode(
            format!(
                "work {} claims {claimed} pages; Pixiv allows at most {MAX_PAGES_PER_WORK} a work",
                illust.id
            ),
            &[],
        ));
    }
    Ok(())
}

fn not_viewable(id: u64, placeholder: Option<&str>) -> PixivError {
    let shown = placeholder
        .and_then(|p| url::Url::parse(p).ok())
        .map(|u| format!("; Pixiv sent the placeholder {} instead", u.path()))
        .unwrap_or_default();
    PixivError::invalid_input("illust", format!("{NOT_VIEWABLE}: work {id}{shown}"))
}

/// The extension of the URL's last path segment (`png`), `jpg` when it has none.
fn extension(url: &str) -> String {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => ext.to_owned(),
        _ => "jpg".to_owned(),
    }
}

/// A name from a naming function must be one plain file name.
fn check_name(name: &str) -> Result<(), PixivError> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) if !name.contains(['/', '\\']) => Ok(()),
        _ => Err(PixivError::invalid_input(
            "download file name",
            format!("{name:?} is not a plain file name"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions() {
        assert_eq!(
            extension("https://i.pximg.net/img-original/img/1_p0.png"),
            "png"
        );
        assert_eq!(extension("https://i.pximg.net/x/noext"), "jpg");
        assert!(check_name("1_p0.png").is_ok());
        for bad in ["", "..", "a/b.png", "a\\b.png", "/abs.png", "."] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(is_placeholder(
            "https://s.pximg.net/common/images/limit_sanity_level_360.png"
        ));
        assert!(!is_placeholder(
            "https://i.pximg.net/img-original/img/1_p0.png"
        ));
    }
}

//! What `pixiv download` writes besides the pages: file names from a template (`--filename`),
//! sidecars (`--write-metadata`, `--write-tags`), file times (`--mtime`) and ugoira conversion
//! (`--ugoira`). The library does the work (`pixiv::download::Template`, `pixiv::metadata`,
//! `pixiv::ugoira`); this file turns flags into calls. See docs/downloads.md.

use std::path::{Path, PathBuf};

use clap::{ArgAction, Args, ValueEnum};
use pixiv::download::{BatchItem, DownloadOptions, Target, Template};
use pixiv::metadata::{Sidecars, set_mtime, template_fields};
use pixiv::models::Frame;
use pixiv::{Illust, PixivError};

use crate::CliError;

/// The flags, flattened into `pixiv download`.
#[derive(Debug, Clone, Args)]
pub(crate) struct OutputArgs {
    /// Name work files with a template: {id} {page} {num} {ext} {title} {user.id} {user.name}
    /// {user.account} {date} {date:%Y-%m-%d} {type} {tags} {tags:N} {series.title}; `/` makes
    /// folders [default: {id}_p{page}.{ext}].
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) filename: Option<String>,
    /// Write each work's JSON (as the API sent it, plus its pages) beside its files, as {id}.json.
    #[arg(long)]
    pub(crate) write_metadata: bool,
    /// Write each work's tags, one a line, as {id}_tags.txt.
    #[arg(long)]
    pub(crate) write_tags: bool,
    /// Give work files the work's post date as their modification time.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = ArgAction::Set)]
    pub(crate) mtime: bool,
    /// What an ugoira becomes: `zip` keeps the zip and its frame list; the others convert it
    /// (webp, webm and mp4 need ffmpeg on PATH).
    #[arg(long, value_enum, default_value_t = UgoiraFormat::Zip, value_name = "FORMAT")]
    pub(crate) ugoira: UgoiraFormat,
}

/// `--ugoira`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum UgoiraFormat {
    /// The zip of frames and `{id}_ugoira_frames.json`, as downloaded.
    Zip,
    /// Animated PNG (pure Rust).
    Apng,
    /// GIF (pure Rust).
    Gif,
    /// Animated WebP (ffmpeg).
    Webp,
    /// WebM, VP9 (ffmpeg).
    Webm,
    /// MP4, H.264 (ffmpeg).
    Mp4,
}

/// The flags, checked: a template is parsed before any request (a bad one is exit 2).
#[derive(Debug, Clone)]
pub(crate) struct Output {
    args: OutputArgs,
    template: Option<Template>,
}

impl OutputArgs {
    /// Parses the template; a bad one is a usage error naming the field.
    pub(crate) fn check(&self) -> Result<Output, CliError> {
        let template = match &self.filename {
            Some(t) => {
                Some(Template::parse(t).map_err(|e| CliError::Usage(format!("--filename: {e}")))?)
            }
            None => None,
        };
        Ok(Output {
            args: self.clone(),
            template,
        })
    }
}

impl Output {
    /// A work's pages with targets from the template (when one was given) inside `dir`.
    pub(crate) fn retarget(
        &self,
        illust: &Illust,
        items: Vec<BatchItem>,
        dir: &Path,
    ) -> Vec<BatchItem> {
        let Some(template) = &self.template else {
            return items;
        };
        items
            .into_iter()
            .enumerate()
            .map(|(page, mut item)| {
                let fields = template_fields(illust, page, &extension(&item.url));
                let replace = item.target.replaces();
                item.target = Target::from_template(dir, template, &fields).replace(replace);
                item
            })
            .collect()
    }

    /// Sidecars and file times for a work whose pages are at `files`; the files written.
    pub(crate) fn after_work(
        &self,
        illust: &Illust,
        files: &[PathBuf],
        dir: &Path,
    ) -> Vec<Result<PathBuf, PixivError>> {
        let mut done = Vec::new();
        let folder = files
            .first()
            .and_then(|f| f.parent())
            .unwrap_or(dir)
            .to_path_buf();
        if self.args.write_metadata {
            done.push(Sidecars::new().write_json(illust, files, &folder));
        }
        if self.args.write_tags {
            done.push(Sidecars::new().write_tags(illust, &folder));
        }
        if self.args.mtime {
            for file in files.iter().filter(|f| f.is_file()) {
                if let Err(e) = set_mtime(file, illust) {
                    done.push(Err(e));
                }
            }
        }
        done
    }

    /// How an ugoira's zip is fetched: `--replace` and `--max-size` as for every file, and the
    /// large (1920x1080) frames when they are to be converted for viewing.
    pub(crate) fn ugoira_options(&self, args: &crate::cli::DownloadArgs) -> DownloadOptions {
        let options = DownloadOptions::new()
            .replace(args.replace)
            .largest_ugoira(self.args.ugoira != UgoiraFormat::Zip);
        match args.max_size {
            Some(max) => options.max_size(max),
            None => options,
        }
    }

    /// Converts a downloaded ugoira zip as `--ugoira` asks; `None` for `zip` (nothing to do).
    pub(crate) async fn convert_ugoira(
        &self,
        zip: &Path,
        frames: &[Frame],
        illust_id: u64,
    ) -> Option<Result<PathBuf, PixivError>> {
        let (ext, format) = match self.args.ugoira {
            UgoiraFormat::Zip => return None,
            UgoiraFormat::Apng => ("png", self.args.ugoira),
            UgoiraFormat::Gif => ("gif", self.args.ugoira),
            UgoiraFormat::Webp => ("webp", self.args.ugoira),
            UgoiraFormat::Webm => ("webm", self.args.ugoira),
            UgoiraFormat::Mp4 => ("mp4", self.args.ugoira),
        };
        let out = zip.with_file_name(format!("{illust_id}.{ext}"));
        let (zip, frames) = (zip.to_path_buf(), frames.to_vec());
        let job = tokio::task::spawn_blocking(move || match format {
            UgoiraFormat::Apng => pixiv::ugoira::encode_apng(&zip, &frames, &out),
            UgoiraFormat::Gif => pixiv::ugoira::encode_gif(&zip, &frames, &out),
            UgoiraFormat::Webp => pixiv::ugoira::encode_webp(&zip, &frames, &out),
            UgoiraFormat::Webm => pixiv::ugoira::encode_webm(&zip, &frames, &out),
            UgoiraFormat::Mp4 | UgoiraFormat::Zip => pixiv::ugoira::encode_mp4(&zip, &frames, &out),
        });
        Some(match job.await {
            Ok(result) => result,
            Err(e) => Err(PixivError::from(std::io::Error::other(e))),
        })
    }
}

/// The extension of a URL's last path segment, `jpg` when it has none (as the facade's).
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

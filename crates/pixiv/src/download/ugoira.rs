//! An ugoira's artefacts: the frames' zip and the frame list beside it, under the same naming,
//! skip and `replace` rules as every file (`docs/downloads.md`, "Ugoira").

use std::io::Write as _;
use std::path::{Path, PathBuf};

use pixiv_download::{Downloaded, Outcome, PixivError, Target};

use super::DownloadOptions;
use crate::Client;
use crate::models::UgoiraMetadata;

/// What [`Client::download_ugoira`] wrote (or found in place).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UgoiraDownload {
    /// The frames' zip.
    pub zip: Downloaded,
    /// The frame list (`[{"file", "delay"}]`, JSON) beside it.
    pub frames_path: PathBuf,
    /// How the frame list got there: [`Outcome::Written`], or [`Outcome::Skipped`] when a file
    /// was already at `frames_path` and `replace` was off (it is left as it was).
    pub frames_outcome: Outcome,
    /// The metadata it came from.
    pub metadata: UgoiraMetadata,
}

impl Client {
    /// Downloads an ugoira with the default [`DownloadOptions`] (existing files are left alone):
    /// see [`download_ugoira_with`](Self::download_ugoira_with).
    pub async fn download_ugoira(
        &self,
        illust_id: u64,
        dir: impl AsRef<Path>,
    ) -> Result<UgoiraDownload, PixivError> {
        self.download_ugoira_with(illust_id, dir, &DownloadOptions::new())
            .await
    }

    /// Downloads an ugoira: its metadata, the frames' zip (`zip_urls.medium`, named as on the
    /// server, `{id}_ugoira600x600.zip`) into `dir`, and the frame list beside it as
    /// `{id}_ugoira_frames.json` (`[{"file": "000000.jpg", "delay": 60}, ...]`).
    ///
    /// Both follow the rules of every file: the zip goes through `pixiv-download` (a `.part`
    /// renamed into place, an unsafe name refused); the frame list is written to a temporary
    /// file in `dir` and moved into place. Without [`DownloadOptions::replace`] an existing
    /// file at either name is left untouched and reported [`Outcome::Skipped`], with no image
    /// request; a second call therefore only asks for the metadata.
    ///
    /// Errors, before any image request: [`PixivError::Decode`] when the metadata has no zip
    /// URL, or a zip URL whose file name does not end in `.zip` (it would land on a page's file,
    /// `12_p0.png`, or on the frame list); `InvalidInput` for an unsafe name.
    pub async fn download_ugoira_with(
        &self,
        illust_id: u64,
        dir: impl AsRef<Path>,
        options: &DownloadOptions,
    ) -> Result<UgoiraDownload, PixivError> {
        let dir = dir.as_ref();
        let metadata = self.ugoira_metadata(illust_id).await?;
        let zip_url =
            metadata.zip_urls.medium.as_deref().ok_or_else(|| {
                PixivError::decode("the ugoira metadata has no zip_urls.medium", &[])
            })?;
        let zip_url = self.on_image_host(zip_url)?;
        let target = Target::dir(dir).replace(options.replace);
        let zip_path = target.resolve(&zip_url)?;
        let frames_path = dir.join(format!("{illust_id}_ugoira_frames.json"));
        check_zip_name(illust_id, &zip_path)?;
        let json = serde_json::to_vec_pretty(&metadata.frames)
            .map_err(|e| PixivError::invalid_input("ugoira frames", e.to_string()))?;
        let mut downloader = self.downloader();
        if let Some(max) = options.max_size {
            downloader = downloader.max_size(max);
        }
        // The large frames when asked for and served; the medium zip otherwise.
        let large = options
            .largest_ugoira
            .then(|| large_zip_url(&zip_url))
            .flatten();
        let zip = match large {
            Some(large) => {
                let large_path = target.resolve(&large)?;
                check_zip_name(illust_id, &large_path)?;
                match downloader.download(&large, &target).await {
                    Err(e) if e.status() == Some(http::StatusCode::NOT_FOUND) => {
                        downloader.download(&zip_url, &target).await?
                    }
                    other => other?,
                }
            }
            None => downloader.download(&zip_url, &target).await?,
        };
        let frames_outcome = write_new(dir, &frames_path, json, options.replace).await?;
        Ok(UgoiraDownload {
            zip,
            frames_path,
            frames_outcome,
            metadata,
        })
    }
}

/// `..._ugoira600x600.zip` as `..._ugoira1920x1080.zip`, the large frames Pixiv serves beside
/// the medium ones (docs/protocol.md, Images); `None` for a URL not named that way.
fn large_zip_url(medium: &str) -> Option<String> {
    let (head, tail) = medium.rsplit_once("_ugoira600x600.zip")?;
    Some(format!("{head}_ugoira1920x1080.zip{tail}"))
}

/// The zip must be named as a zip: anything else would share a name with a page of the work or
/// with the frame list.
fn check_zip_name(illust_id: u64, zip_path: &Path) -> Result<(), PixivError> {
    let name = zip_path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let is_zip = name
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && ext.eq_ignore_ascii_case("zip"));
    if is_zip {
        Ok(())
    } else {
        Err(PixivError::decode(
            format!(
                "the ugoira zip URL of work {illust_id} names {name:?}, not a .zip file; \
                 refusing to write it over another file of the work"
            ),
            &[],
        ))
    }
}

/// Writes `bytes` to `path` through a temporary file in `dir`, synced, then moved into place:
/// over an existing file only when `replace`, else the existing file stays and the answer is
/// `Skipped` (checked by the move itself, so a file that appears meanwhile is not clobbered).
async fn write_new(
    dir: &Path,
    path: &Path,
    bytes: Vec<u8>,
    replace: bool,
) -> Result<Outcome, PixivError> {
    if !replace && tokio::fs::try_exists(path).await.unwrap_or(false) {
        return Ok(Outcome::Skipped);
    }
    let dir = dir.to_path_buf();
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut tmp = tempfile::Builder::new()
            .prefix(".pixiv-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| PixivError::io(&dir, e))?;
        tmp.write_all(&bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| PixivError::io(tmp.path(), e))?;
        let placed = if replace {
            tmp.persist(&path).map(drop)
        } else {
            tmp.persist_noclobber(&path).map(drop)
        };
        match placed {
            Ok(()) => Ok(Outcome::Written),
            // The temporary file is removed when the error drops it.
            Err(e) if !replace && e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                Ok(Outcome::Skipped)
            }
            Err(e) => Err(PixivError::io(&path, e.error)),
        }
    })
    .await
    .map_err(|e| PixivError::io(PathBuf::new(), std::io::Error::other(e.to_string())))?
}

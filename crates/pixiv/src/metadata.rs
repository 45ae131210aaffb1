//! What goes beside a work's files: template fields from an [`Illust`], a JSON sidecar, a tags
//! file, and the post date as the files' modification time (as gallery-dl's `mtime` and
//! `metadata` post-processors do).
//!
//! Sidecars are written to a temporary file in the same folder and renamed into place: a reader
//! sees the old file or the new one, never half of one.
//!
//! ```
//! use pixiv::metadata::{Sidecars, template_fields};
//! use pixiv::download::Template;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let work: pixiv::Illust = serde_json::from_str(r#"{"id": 7, "title": "t", "type": "illust",
//!     "user": {"id": 1, "name": "n", "account": "a"}, "tags": [{"name": "猫"}],
//!     "create_date": "2024-01-02T03:04:05+09:00", "page_count": 1,
//!     "meta_single_page": {"original_image_url": "https://i.pximg.net/img-original/img/7_p0.png"}}"#)?;
//! let name = Template::parse("{user.name}/{id}_p{page}.{ext}")?.render(&template_fields(&work, 0, "png"));
//! assert_eq!(name, std::path::Path::new("n/7_p0.png"));
//!
//! let dir = tempfile::tempdir()?;
//! let json = Sidecars::new().write_json(&work, &[], dir.path())?;
//! assert_eq!(json, dir.path().join("7.json"));
//! let tags = Sidecars::new().write_tags(&work, dir.path())?;
//! assert_eq!(std::fs::read_to_string(tags)?, "猫\n");
//! # Ok(())
//! # }
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use pixiv_download::{Template, TemplateFields};
use pixiv_errors::PixivError;

use crate::models::Illust;
use crate::ugoira::Atomic;

/// The JSON sidecar's default name.
pub const DEFAULT_JSON_TEMPLATE: &str = "{id}.json";

/// The tags file's default name.
pub const DEFAULT_TAGS_TEMPLATE: &str = "{id}_tags.txt";

/// The fields of page `page` of `illust`, with extension `ext`, for a [`Template`].
pub fn template_fields(illust: &Illust, page: usize, ext: &str) -> TemplateFields {
    let pages = illust
        .meta_pages
        .len()
        .max(usize::try_from(illust.page_count).unwrap_or(1))
        .max(1);
    let mut fields = TemplateFields::new(illust.id)
        .page(page, pages)
        .ext(ext)
        .title(illust.title.as_str())
        .user(
            illust.user.id,
            illust.user.name.as_str(),
            illust.user.account.as_str(),
        )
        .kind(illust.kind.as_str())
        .tags(illust.tags.iter().map(|t| t.name.as_str()));
    if let Some(date) = illust.created_at() {
        fields = fields.date(date);
    }
    if let Some(series) = &illust.series {
        fields = fields.series_title(series.title.as_str());
    }
    fields
}

/// Writes sidecars, named by templates (rendered as safely as file names; see [`Template`]).
#[derive(Debug, Clone)]
#[must_use]
pub struct Sidecars {
    json: Template,
    tags: Template,
}

impl Default for Sidecars {
    fn default() -> Self {
        Self {
            json: Template::parse(DEFAULT_JSON_TEMPLATE).unwrap_or_default(),
            tags: Template::parse(DEFAULT_TAGS_TEMPLATE).unwrap_or_default(),
        }
    }
}

impl Sidecars {
    /// `{id}.json` and `{id}_tags.txt`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the JSON sidecar. Default [`DEFAULT_JSON_TEMPLATE`].
    pub fn json_template(mut self, template: Template) -> Self {
        self.json = template;
        self
    }

    /// Names the tags file. Default [`DEFAULT_TAGS_TEMPLATE`].
    pub fn tags_template(mut self, template: Template) -> Self {
        self.tags = template;
        self
    }

    /// Writes `illust` as JSON into `dir`: the work as the API sent it (unknown fields kept)
    /// plus `"pages"`, one `{"index", "url", "file"}` per original page, `file` being the name
    /// of the matching entry of `files` when there is one. Atomic; replaces an older sidecar.
    pub fn write_json(
        &self,
        illust: &Illust,
        files: &[PathBuf],
        dir: &Path,
    ) -> Result<PathBuf, PixivError> {
        let mut value = serde_json::to_value(illust)
            .map_err(|e| PixivError::invalid_input("illust", format!("not serialisable: {e}")))?;
        let pages: Vec<serde_json::Value> = illust
            .original_urls()
            .into_iter()
            .enumerate()
            .map(|(index, url)| {
                let file = files
                    .get(index)
                    .and_then(|f| f.file_name())
                    .map(|f| f.to_string_lossy().into_owned());
                serde_json::json!({ "index": index, "url": url, "file": file })
            })
            .collect();
        if let Some(object) = value.as_object_mut() {
            object.insert("pages".into(), pages.into());
        }
        let mut bytes = serde_json::to_vec_pretty(&value)
            .map_err(|e| PixivError::invalid_input("illust", format!("not serialisable: {e}")))?;
        bytes.push(b'\n');
        let path = dir.join(self.json.render(&template_fields(illust, 0, "json")));
        write_atomic(&path, &bytes)
    }

    /// Writes the tags of `illust` into `dir`, one a line (`name`, or `name<TAB>translation`
    /// when Pixiv sent one). Atomic.
    pub fn write_tags(&self, illust: &Illust, dir: &Path) -> Result<PathBuf, PixivError> {
        let mut text = String::new();
        for tag in &illust.tags {
            let name = one_line(&tag.name);
            match tag.translated_name.as_deref().filter(|t| !t.is_empty()) {
                Some(t) => text.push_str(&format!("{name}\t{}\n", one_line(t))),
                None => text.push_str(&format!("{name}\n")),
            }
        }
        let path = dir.join(self.tags.render(&template_fields(illust, 0, "txt")));
        write_atomic(&path, text.as_bytes())
    }
}

/// A tag with its line breaks and tabs made spaces, so one tag stays one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Writes `bytes` at `path` through a synced temporary file renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<PathBuf, PixivError> {
    let mut atomic = Atomic::new(path)?;
    atomic
        .file()
        .write_all(bytes)
        .map_err(|e| PixivError::io(path, e))?;
    atomic.commit()
}

/// Sets the modification (and access) time of `path` to the work's post date. Does nothing
/// when Pixiv sent no date that parses (`Ok(false)`).
pub fn set_mtime(path: &Path, illust: &Illust) -> Result<bool, PixivError> {
    let Some(date) = illust.created_at() else {
        return Ok(false);
    };
    let time = filetime::FileTime::from_unix_time(date.unix_timestamp(), date.nanosecond());
    filetime::set_file_times(path, time, time).map_err(|e| PixivError::io(path, e))?;
    Ok(true)
}

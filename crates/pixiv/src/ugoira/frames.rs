//! Reading an ugoira zip one frame at a time, and writing outputs atomically.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use image::{ImageFormat, ImageReader, Limits, RgbaImage};
use pixiv_errors::PixivError;

use crate::models::Frame;

/// The largest frame file read from a zip, compressed (Pixiv's 1920x1080 JPEG frames are a few
/// hundred KiB).
pub(crate) const MAX_FRAME_FILE: u64 = 64 * 1024 * 1024;

/// The largest frame, in pixels a side.
pub(crate) const MAX_SIDE: u32 = 8192;

/// An open ugoira zip and the frame list `ugoira_metadata` gave.
pub(crate) struct Frames<'a> {
    zip: zip::ZipArchive<BufReader<File>>,
    path: PathBuf,
    list: &'a [Frame],
}

impl<'a> Frames<'a> {
    pub(crate) fn open(path: &Path, list: &'a [Frame]) -> Result<Self, PixivError> {
        if list.is_empty() {
            return Err(PixivError::invalid_input(
                "ugoira frames",
                "the frame list is empty",
            ));
        }
        let file = File::open(path).map_err(|e| PixivError::io(path, e))?;
        let zip = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| PixivError::decode(format!("{}: not a zip: {e}", path.display()), &[]))?;
        Ok(Self {
            zip,
            path: path.to_owned(),
            list,
        })
    }

    /// The bytes of frame `i`'s file, as stored (JPEG or PNG), at most [`MAX_FRAME_FILE`].
    pub(crate) fn raw(&mut self, i: usize) -> Result<Vec<u8>, PixivError> {
        let name = self
            .list
            .get(i)
            .map(|f| f.file.as_str())
            .unwrap_or_default();
        let bad = |why: String| {
            PixivError::decode(
                format!("{}: frame {i} ({name:?}): {why}", self.path.display()),
                &[],
            )
        };
        let entry = self.zip.by_name(name).map_err(|e| bad(e.to_string()))?;
        if entry.size() > MAX_FRAME_FILE {
            return Err(bad(format!(
                "{} bytes, more than the {MAX_FRAME_FILE} a frame may have",
                entry.size()
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .take(MAX_FRAME_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(e.to_string()))?;
        if bytes.len() as u64 > MAX_FRAME_FILE {
            return Err(bad("larger than its header said".into()));
        }
        Ok(bytes)
    }

    /// Frame `i` decoded to RGBA.
    pub(crate) fn decode(&mut self, i: usize) -> Result<RgbaImage, PixivError> {
        let bytes = self.raw(i)?;
        let name = self
            .list
            .get(i)
            .map(|f| f.file.as_str())
            .unwrap_or_default();
        let bad = |why: String| {
            PixivError::decode(
                format!("{}: frame {i} ({name:?}): {why}", self.path.display()),
                &[],
            )
        };
        let mut reader = ImageReader::new(std::io::Cursor::new(bytes));
        reader.set_format(format_of(name).ok_or_else(|| bad("not a .jpg or .png".into()))?);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        reader.limits(limits);
        let image = reader.decode().map_err(|e| bad(e.to_string()))?;
        Ok(image.into_rgba8())
    }

    /// The delay of frame `i`, in milliseconds.
    pub(crate) fn delay(&self, i: usize) -> u32 {
        self.list.get(i).map_or(0, |f| f.delay)
    }
}

pub(crate) fn format_of(name: &str) -> Option<ImageFormat> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
        "png" => Some(ImageFormat::Png),
        _ => None,
    }
}

/// Every frame the same size as the first.
pub(crate) fn same_size(first: (u32, u32), frame: &RgbaImage, i: usize) -> Result<(), PixivError> {
    if frame.dimensions() == first {
        return Ok(());
    }
    Err(PixivError::decode(
        format!(
            "ugoira frame {i} is {}x{}, the first is {}x{}",
            frame.width(),
            frame.height(),
            first.0,
            first.1
        ),
        &[],
    ))
}

/// A temporary file beside `out`, renamed onto it by [`Atomic::commit`]; removed when dropped
/// uncommitted. Nothing appears at `out` but a complete, synced file.
pub(crate) struct Atomic {
    temp: tempfile::NamedTempFile,
    out: PathBuf,
}

impl Atomic {
    pub(crate) fn new(out: &Path) -> Result<Self, PixivError> {
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| PixivError::io(&dir, e))?;
        let temp = tempfile::Builder::new()
            .prefix(".pixiv-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| PixivError::io(&dir, e))?;
        Ok(Self {
            temp,
            out: out.to_owned(),
        })
    }

    pub(crate) fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    pub(crate) fn path(&self) -> &Path {
        self.temp.path()
    }

    pub(crate) fn commit(self) -> Result<PathBuf, PixivError> {
        let out = self.out;
        self.temp
            .as_file()
            .sync_all()
            .map_err(|e| PixivError::io(&out, e))?;
        self.temp
            .persist(&out)
            .map_err(|e| PixivError::io(&out, e.error))?;
        Ok(out)
    }
}

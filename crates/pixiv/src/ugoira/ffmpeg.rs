//! WebP, WebM and MP4 through the `ffmpeg` program (5.1 or later, for `-fps_mode vfr`).
//!
//! The frames are copied out of the zip one at a time into a temporary folder beside the output
//! (as stored: no decoding), and ffmpeg reads them through its concat demuxer with one
//! `duration` line per frame: a variable frame rate with each frame's own delay, not an average
//! rate. Each image is read at `framerate 1000` so timestamps land on whole milliseconds. As the
//! concat demuxer's documentation advises, the last file is listed twice so the last frame is
//! held for its delay: a WebM or MP4 ends with a copy of the last frame at the total duration.
//! ffmpeg's WebP muxer gives the last frame an average duration; its `ANMF` chunk is corrected
//! to the frame's delay after ffmpeg has written it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pixiv_errors::PixivError;

use super::frames::{Atomic, Frames, format_of};
use crate::models::Frame;

/// The video formats [`Ffmpeg`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VideoFormat {
    /// Animated WebP (`libwebp_anim`), looping.
    Webp,
    /// WebM (VP9).
    Webm,
    /// MP4 (H.264, `yuv420p`, sides padded to even numbers).
    Mp4,
}

impl VideoFormat {
    fn args(self) -> &'static [&'static str] {
        match self {
            Self::Webp => &[
                "-c:v",
                "libwebp_anim",
                "-lossless",
                "0",
                "-quality",
                "90",
                "-loop",
                "0",
                "-f",
                "webp",
            ],
            Self::Webm => &[
                "-c:v",
                "libvpx-vp9",
                "-pix_fmt",
                "yuv420p",
                "-crf",
                "30",
                "-b:v",
                "0",
                "-f",
                "webm",
            ],
            Self::Mp4 => &[
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-vf",
                "pad=ceil(iw/2)*2:ceil(ih/2)*2",
                "-video_track_timescale",
                "1000",
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
            ],
        }
    }
}

/// The `ffmpeg` program, for [`Ffmpeg::encode`]. Default: `ffmpeg` found on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Ffmpeg {
    program: PathBuf,
}

impl Default for Ffmpeg {
    fn default() -> Self {
        Self {
            program: PathBuf::from("ffmpeg"),
        }
    }
}

/// The message of the error for a program that is not there.
pub(crate) fn missing(program: &Path, format: VideoFormat) -> PixivError {
    PixivError::io(
        program,
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "the program {} was not found; {format:?} output needs ffmpeg on PATH \
                 (Debian: apt-get install ffmpeg), APNG and GIF do not",
                program.display()
            ),
        ),
    )
}

impl Ffmpeg {
    /// `ffmpeg` from `PATH`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Another program (a full path, or a name looked up on `PATH`).
    pub fn program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// Converts the frames of the ugoira `zip` (`frames` as `ugoira_metadata` lists them) to
    /// `format` at `out`, atomically. Errors: the program missing ([`PixivError::Io`] with
    /// [`std::io::ErrorKind::NotFound`], naming it; see [`super::is_missing_program`]) or failing
    /// (`Io` with its last lines of output), a frame missing from the zip (`Decode`).
    pub fn encode(
        &self,
        format: VideoFormat,
        zip: &Path,
        frames: &[Frame],
        out: &Path,
    ) -> Result<PathBuf, PixivError> {
        let mut reader = Frames::open(zip, frames)?;
        let atomic = Atomic::new(out)?;
        let parent = atomic
            .path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let work = tempfile::Builder::new()
            .prefix(".pixiv-frames-")
            .tempdir_in(&parent)
            .map_err(|e| PixivError::io(&parent, e))?;
        let mut list = String::from("ffconcat version 1.0\n");
        let mut last = String::new();
        for (i, frame) in frames.iter().enumerate() {
            let ext = match format_of(&frame.file) {
                Some(image::ImageFormat::Png) => "png",
                _ => "jpg",
            };
            let name = format!("{i:06}.{ext}");
            let bytes = reader.raw(i)?;
            let path = work.path().join(&name);
            std::fs::write(&path, bytes).map_err(|e| PixivError::io(&path, e))?;
            let _ = write!(
                list,
                "file '{name}'\noption framerate 1000\nduration {}.{:03}\n",
                frame.delay / 1000,
                frame.delay % 1000
            );
            last = name;
        }
        if format != VideoFormat::Webp {
            let _ = write!(list, "file '{last}'\noption framerate 1000\n");
        }
        let list_path = work.path().join("frames.ffconcat");
        std::fs::write(&list_path, list).map_err(|e| PixivError::io(&list_path, e))?;

        let output = Command::new(&self.program)
            .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
            .args(["-f", "concat", "-safe", "0", "-i"])
            .arg(&list_path)
            .args(["-fps_mode", "vfr"])
            .args(format.args())
            .arg(atomic.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => missing(&self.program, format),
                _ => PixivError::io(&self.program, e),
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(PixivError::io(
                &self.program,
                std::io::Error::other(format!(
                    "{} failed ({}) making {format:?}: {}",
                    self.program.display(),
                    output.status,
                    tail.join(" | ")
                )),
            ));
        }
        if format == VideoFormat::Webp {
            let last_delay = frames.last().map_or(0, |f| f.delay);
            fix_last_webp_duration(atomic.path(), last_delay)?;
        }
        drop(work);
        atomic.commit()
    }
}

/// Sets the duration of the last `ANMF` chunk (WebP container specification: 24 bits, little
/// endian, at offset 12 of the chunk's payload).
fn fix_last_webp_duration(path: &Path, delay: u32) -> Result<(), PixivError> {
    let mut bytes = std::fs::read(path).map_err(|e| PixivError::io(path, e))?;
    let mut at = 12;
    let mut last = None;
    while let Some(header) = bytes.get(at..at + 8) {
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        if &header[..4] == b"ANMF" {
            last = Some(at + 8 + 12);
        }
        at = at
            .saturating_add(8)
            .saturating_add(size)
            .saturating_add(size & 1);
    }
    let Some(field) = last.and_then(|i| bytes.get_mut(i..i + 3)) else {
        return Ok(()); // one frame: a still WebP, nothing to correct
    };
    let d = delay.min(0xFF_FFFF).to_le_bytes();
    field.copy_from_slice(&d[..3]);
    std::fs::write(path, bytes).map_err(|e| PixivError::io(path, e))
}

//! Ugoira made viewable: the zip of frames `ugoira_metadata` points to, converted to an
//! animation with each frame's own delay.
//!
//! - [`encode_apng`] and [`encode_gif`] are pure Rust (the `png` and `gif` crates) and need
//!   nothing installed;
//! - [`encode_webp`], [`encode_webm`] and [`encode_mp4`] run `ffmpeg` ([`Ffmpeg`] to name
//!   another program), with a variable frame rate taken from the delays. Without it they fail
//!   with an error naming the missing program ([`is_missing_program`]).
//!
//! Frames are read from the zip one at a time: memory holds about two frames, not the whole
//! animation. The output is written to a temporary file beside `out` and renamed onto it when
//! complete, so `out` is never half written. Every frame must have the first one's size. The
//! functions block (CPU work); from async code call them in `tokio::task::spawn_blocking`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let zip_path = dir.path().join("1_ugoira600x600.zip");
//! # {
//! #     let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path)?);
//! #     for (i, c) in [[255u8, 0, 0], [0, 0, 255]].into_iter().enumerate() {
//! #         let mut png = Vec::new();
//! #         image::RgbImage::from_pixel(4, 4, image::Rgb(c))
//! #             .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
//! #         zip.start_file(format!("00000{i}.png"), zip::write::SimpleFileOptions::default()
//! #             .compression_method(zip::CompressionMethod::Stored))?;
//! #         std::io::Write::write_all(&mut zip, &png)?;
//! #     }
//! #     zip.finish()?;
//! # }
//! use pixiv::models::Frame;
//!
//! let frames: Vec<Frame> = serde_json::from_str(
//!     r#"[{"file": "000000.png", "delay": 100}, {"file": "000001.png", "delay": 250}]"#,
//! )?;
//! let out = pixiv::ugoira::encode_apng(&zip_path, &frames, &dir.path().join("1.png"))?;
//! assert!(out.exists());
//! # Ok(())
//! # }
//! ```

mod ffmpeg;
mod frames;
mod pure;

use std::path::{Path, PathBuf};

use pixiv_errors::PixivError;

pub use ffmpeg::{Ffmpeg, VideoFormat};
pub(crate) use frames::Atomic;

use crate::models::Frame;

/// Writes an animated PNG (APNG) at `out`, each frame shown for its delay (milliseconds over
/// 1000 in the `fcTL` chunk; hundredths or tenths of a second past 65 s). Loops forever.
pub fn encode_apng(zip: &Path, frames: &[Frame], out: &Path) -> Result<PathBuf, PixivError> {
    pure::apng(zip, frames, out)
}

/// Writes an animated GIF at `out`, looping forever, each frame with its own 256-colour
/// NeuQuant palette. GIF counts delays in hundredths of a second: each is rounded so the total
/// stays right, and none is 0.
pub fn encode_gif(zip: &Path, frames: &[Frame], out: &Path) -> Result<PathBuf, PixivError> {
    pure::gif(zip, frames, out)
}

/// Writes an animated WebP at `out` with `ffmpeg` from `PATH`.
pub fn encode_webp(zip: &Path, frames: &[Frame], out: &Path) -> Result<PathBuf, PixivError> {
    Ffmpeg::new().encode(VideoFormat::Webp, zip, frames, out)
}

/// Writes a WebM (VP9) at `out` with `ffmpeg` from `PATH`.
pub fn encode_webm(zip: &Path, frames: &[Frame], out: &Path) -> Result<PathBuf, PixivError> {
    Ffmpeg::new().encode(VideoFormat::Webm, zip, frames, out)
}

/// Writes an MP4 (H.264) at `out` with `ffmpeg` from `PATH`.
pub fn encode_mp4(zip: &Path, frames: &[Frame], out: &Path) -> Result<PathBuf, PixivError> {
    Ffmpeg::new().encode(VideoFormat::Mp4, zip, frames, out)
}

/// The program an error says is missing (`ffmpeg`), if it is that error.
pub fn is_missing_program(err: &PixivError) -> Option<&Path> {
    match err {
        PixivError::Io {
            path: Some(path),
            source,
        } if source.kind() == std::io::ErrorKind::NotFound
            && source.to_string().starts_with("the program ") =>
        {
            Some(path)
        }
        _ => None,
    }
}

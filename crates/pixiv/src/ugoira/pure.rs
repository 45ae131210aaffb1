//! APNG (the `png` crate) and GIF (the `gif` crate, NeuQuant palettes via `color_quant`), in
//! pure Rust, one frame in memory at a time.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pixiv_errors::PixivError;

use super::frames::{Atomic, Frames, same_size};
use crate::models::Frame;

fn encode_err(what: &str, out: &Path, e: impl std::fmt::Display) -> PixivError {
    PixivError::io(out, std::io::Error::other(format!("encoding {what}: {e}")))
}

/// An APNG delay as PNG's fraction of a second: milliseconds over 1000 while they fit in 16 bits,
/// else hundredths, else tenths (the `fcTL` chunk of the APNG specification).
pub(crate) fn apng_delay(ms: u32) -> (u16, u16) {
    for (div, den) in [(1, 1000), (10, 100), (100, 10), (1000, 1)] {
        if let Ok(num) = u16::try_from(ms.div_ceil(div)) {
            return (num, den);
        }
    }
    (u16::MAX, 1)
}

pub(crate) fn apng(zip: &Path, list: &[Frame], out: &Path) -> Result<PathBuf, PixivError> {
    let mut frames = Frames::open(zip, list)?;
    let first = frames.decode(0)?;
    let size = first.dimensions();
    let count = u32::try_from(list.len())
        .map_err(|_| PixivError::invalid_input("ugoira frames", "too many frames"))?;
    let mut atomic = Atomic::new(out)?;
    {
        let mut sink = BufWriter::new(atomic.file());
        let mut encoder = png::Encoder::new(&mut sink, size.0, size.1);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .set_animated(count, 0)
            .map_err(|e| encode_err("APNG", out, e))?;
        let mut writer = encoder
            .write_header()
            .map_err(|e| encode_err("APNG", out, e))?;
        let mut frame = Some(first);
        for i in 0..list.len() {
            let image = match frame.take() {
                Some(f) => f,
                None => frames.decode(i)?,
            };
            same_size(size, &image, i)?;
            let (num, den) = apng_delay(frames.delay(i));
            writer
                .set_frame_delay(num, den)
                .map_err(|e| encode_err("APNG", out, e))?;
            writer
                .write_image_data(image.as_raw())
                .map_err(|e| encode_err("APNG", out, e))?;
        }
        writer.finish().map_err(|e| encode_err("APNG", out, e))?;
        sink.flush().map_err(|e| PixivError::io(out, e))?;
    }
    atomic.commit()
}

/// GIF delays are in hundredths of a second. Each frame's delay is the rounded end time minus
/// the rounded start time, so the total stays right when delays are not multiples of 10 ms; a
/// frame never gets 0 (browsers would stretch it to 100 ms).
pub(crate) fn gif_delays(list: &[Frame]) -> Vec<u16> {
    let mut at_ms: u64 = 0;
    let mut shown_cs: u64 = 0;
    list.iter()
        .map(|f| {
            at_ms += u64::from(f.delay);
            let end_cs = (at_ms + 5) / 10;
            let cs = end_cs.saturating_sub(shown_cs).max(1);
            shown_cs += cs;
            u16::try_from(cs).unwrap_or(u16::MAX)
        })
        .collect()
}

pub(crate) fn gif(zip: &Path, list: &[Frame], out: &Path) -> Result<PathBuf, PixivError> {
    let mut frames = Frames::open(zip, list)?;
    let first = frames.decode(0)?;
    let size = first.dimensions();
    let (w, h) = match (u16::try_from(size.0), u16::try_from(size.1)) {
        (Ok(w), Ok(h)) => (w, h),
        _ => {
            return Err(PixivError::invalid_input(
                "ugoira frames",
                format!("{}x{} is larger than a GIF may be", size.0, size.1),
            ));
        }
    };
    let delays = gif_delays(list);
    let mut atomic = Atomic::new(out)?;
    {
        let mut sink = BufWriter::new(atomic.file());
        {
            let mut encoder =
                gif::Encoder::new(&mut sink, w, h, &[]).map_err(|e| encode_err("GIF", out, e))?;
            encoder
                .set_repeat(gif::Repeat::Infinite)
                .map_err(|e| encode_err("GIF", out, e))?;
            let mut frame = Some(first);
            for (i, delay) in delays.iter().enumerate() {
                let image = match frame.take() {
                    Some(f) => f,
                    None => frames.decode(i)?,
                };
                same_size(size, &image, i)?;
                let mut pixels = image.into_raw();
                // NeuQuant at speed 10: gif's (and image's) default balance of quality and time.
                let mut gif_frame = gif::Frame::from_rgba_speed(w, h, &mut pixels, 10);
                gif_frame.delay = *delay;
                encoder
                    .write_frame(&gif_frame)
                    .map_err(|e| encode_err("GIF", out, e))?;
            }
        }
        sink.flush().map_err(|e| PixivError::io(out, e))?;
    }
    atomic.commit()
}

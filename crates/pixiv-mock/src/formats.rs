//! Real files of an exact size, built from a seed: a PNG, a JPEG, a stored ZIP of JPEG frames.
//!
//! Each is the smallest valid file of its kind with one padding field that takes the bytes the
//! size asks for, so the image host keeps its sizes (see [`crate::content`]) and still serves
//! what a decoder accepts:
//!
//! - PNG: signature, `IHDR` (1x1 RGBA), one `IDAT`, a private ancillary chunk `pmOk` holding the
//!   padding (PNG specification, 5.4: decoders skip unknown ancillary chunks), `IEND`.
//! - JPEG: `SOI`, a `COM` segment holding the padding, then a baseline 8x8 grey image (one
//!   quantisation table, one-code Huffman tables, one block: DC 0, end of block), `EOI`.
//! - ZIP: stored entries (method 0) named `000000.jpg`, `000001.jpg`... (an ugoira's frames, as
//!   its metadata names them), the central directory, and the end record whose comment holds the
//!   padding (APPNOTE.TXT 4.3.16).

/// The placeholder PNG's chunks (1x1 transparent): `IHDR`, `IDAT`, `IEND` (see
/// [`crate::content::PLACEHOLDER_PNG`]).
fn png_parts() -> (&'static [u8], &'static [u8], &'static [u8], &'static [u8]) {
    let p = crate::content::PLACEHOLDER_PNG;
    (&p[..8], &p[8..33], &p[33..55], &p[55..])
}

/// The smallest PNG [`png`] builds: 79 bytes.
pub(crate) const MIN_PNG: usize = 67 + 12;

/// A valid PNG of exactly `len` bytes (at least [`MIN_PNG`]); `fill` gives the padding bytes.
pub(crate) fn png(len: usize, fill: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    let (sig, ihdr, idat, iend) = png_parts();
    let pad = fill(len.saturating_sub(MIN_PNG));
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(sig);
    out.extend_from_slice(ihdr);
    out.extend_from_slice(idat);
    chunk(&mut out, *b"pmOk", &pad);
    out.extend_from_slice(iend);
    out
}

fn chunk(out: &mut Vec<u8>, kind: [u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&kind);
    crc.update(data);
    out.extend_from_slice(&kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// A baseline 8x8 grey JPEG after its `SOI` (141 bytes with the `SOI`).
fn jpeg_body() -> Vec<u8> {
    let mut out = Vec::with_capacity(139);
    // DQT: table 0, 8-bit, all ones.
    out.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend_from_slice(&[1; 64]);
    // SOF0: 8-bit, 8x8, one component (id 1, 1x1 sampling, table 0).
    out.extend_from_slice(&[
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
    ]);
    // DHT: DC table 0 and AC table 0, each one code of length 1 (`0`) for symbol 0.
    for class in [0x00, 0x10] {
        out.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 1]);
        out.extend_from_slice(&[0; 15]);
        out.push(0);
    }
    // SOS: one component, tables 0/0, full spectrum.
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    // The block: DC difference 0 (`0`), end of block (`0`), padded with ones.
    out.push(0x3F);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// The smallest JPEG [`jpeg`] builds: 145 bytes (`SOI`, an empty `COM`, the image).
pub(crate) const MIN_JPEG: usize = 2 + 4 + 139;

/// The largest padding a `COM` segment holds.
const MAX_COM: usize = 65_533;

/// A valid JPEG of exactly `len` bytes (from [`MIN_JPEG`] to `MIN_JPEG + 65533`).
pub(crate) fn jpeg(len: usize, fill: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    let pad_len = len.saturating_sub(MIN_JPEG).min(MAX_COM);
    // Text in the comment, as a comment is meant to hold.
    let pad: Vec<u8> = fill(pad_len).iter().map(|b| b'a' + b % 26).collect();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xFE]);
    out.extend_from_slice(&u16::try_from(pad_len + 2).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(&pad);
    out.extend_from_slice(&jpeg_body());
    out
}

/// The size of each frame in [`ugoira_zip`]: 200 bytes.
const FRAME_LEN: usize = 200;

/// The size of a ZIP of `frames` frames before its comment.
fn zip_base(frames: usize) -> usize {
    frames * (30 + 10 + FRAME_LEN + 46 + 10) + 22
}

/// The most frames that fit in `len` bytes (`None`: not even one, or too much to pad).
pub(crate) fn frames_that_fit(len: usize, wanted: usize) -> Option<usize> {
    let frames = (1..=wanted.max(1)).rev().find(|&f| zip_base(f) <= len)?;
    (len - zip_base(frames) <= usize::from(u16::MAX)).then_some(frames)
}

/// A stored ZIP of exactly `len` bytes holding `frames` JPEG frames `000000.jpg`...; `len` must
/// allow it ([`frames_that_fit`]).
pub(crate) fn ugoira_zip(len: usize, frames: usize, fill: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut central = Vec::new();
    for i in 0..frames {
        let name = format!("{i:06}.jpg");
        // Frames differ: the padding is shifted by the frame's index.
        let shift = (i % 256) as u8;
        let data = jpeg(FRAME_LEN, |n| {
            fill(n).into_iter().map(|b| b.wrapping_add(shift)).collect()
        });
        let crc = crc32fast::hash(&data);
        let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let offset = u32::try_from(out.len()).unwrap_or(u32::MAX);
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        // Local file header: version 2.0, no flags, stored, 1980-01-01 00:00.
        out.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        for v in [20u16, 0, 0, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);
        // Its central directory header.
        central.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        for v in [20u16, 20, 0, 0, 0, 0x21] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).unwrap_or(u32::MAX);
    let cd_size = u32::try_from(central.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&central);
    let comment_len = len
        .saturating_sub(out.len() + 22)
        .min(usize::from(u16::MAX));
    let entries = u16::try_from(frames).unwrap_or(u16::MAX);
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    for v in [0u16, 0, entries, entries] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&u16::try_from(comment_len).unwrap_or(u16::MAX).to_le_bytes());
    out.extend(fill(comment_len).iter().map(|b| b'a' + b % 26));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn sizes_are_exact() {
        for len in [MIN_PNG, 1000, 16_384, 65_535] {
            let p = png(len, fill);
            assert_eq!(p.len(), len);
            assert!(p.starts_with(b"\x89PNG\r\n\x1a\n") && p.ends_with(b"IEND\xaeB`\x82"));
        }
        for len in [MIN_JPEG, 1000, 65_535] {
            let j = jpeg(len, fill);
            assert_eq!(j.len(), len);
            assert!(j.starts_with(b"\xff\xd8\xff") && j.ends_with(b"\xff\xd9"));
        }
        for (len, wanted) in [(32_768, 8), (65_535, 27), (1024, 8)] {
            let frames = frames_that_fit(len, wanted).unwrap();
            let z = ugoira_zip(len, frames, fill);
            assert_eq!(z.len(), len, "{len} {frames}");
            assert!(z.starts_with(b"PK\x03\x04"));
        }
        assert_eq!(frames_that_fit(100, 8), None);
    }

    #[test]
    fn the_png_chunk_crcs_are_right() {
        let p = png(200, fill);
        let mut at = 8;
        while at < p.len() {
            let len = u32::from_be_bytes(p[at..at + 4].try_into().unwrap()) as usize;
            let crc = u32::from_be_bytes(p[at + 8 + len..at + 12 + len].try_into().unwrap());
            assert_eq!(
                crc32fast::hash(&p[at + 4..at + 8 + len]),
                crc,
                "chunk at {at}"
            );
            at += 12 + len;
        }
        assert_eq!(at, p.len());
    }
}

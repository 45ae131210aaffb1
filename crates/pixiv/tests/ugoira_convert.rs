//! Ugoira conversion: every output decoded back, frame count and each delay checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use pixiv::PixivError;
use pixiv::models::Frame;
use pixiv::ugoira::{self, Ffmpeg, VideoFormat};

const DELAYS: [u32; 4] = [100, 250, 60, 1000];

fn frame(file: &str, delay: u32) -> Frame {
    let mut f = Frame::default();
    f.file = file.into();
    f.delay = delay;
    f
}

/// A zip of JPEG frames of different colours (as Pixiv's are), `w`x`h` each, and its frame list.
fn ugoira_zip(dir: &Path, sizes: &[(u32, u32)], delays: &[u32]) -> (PathBuf, Vec<Frame>) {
    let path = dir.join("1_ugoira600x600.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let mut frames = Vec::new();
    for (i, (&(w, h), &delay)) in sizes.iter().zip(delays).enumerate() {
        let shade = u8::try_from(i * 60 % 256).unwrap();
        let img = image::RgbImage::from_fn(w, h, |x, _| {
            image::Rgb([shade, 255 - shade, u8::try_from(x % 256).unwrap()])
        });
        let mut jpeg = Vec::new();
        img.write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        let name = format!("{i:06}.jpg");
        zip.start_file(
            name.as_str(),
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        zip.write_all(&jpeg).unwrap();
        frames.push(frame(&name, delay));
    }
    zip.finish().unwrap();
    (path, frames)
}

fn standard(dir: &Path) -> (PathBuf, Vec<Frame>) {
    ugoira_zip(dir, &[(48, 32); 4], &DELAYS)
}

/// Only the output (and the zip) in the folder: no temporary file left behind.
fn only(dir: &Path, names: &[&str]) {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut want: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
    want.push("1_ugoira600x600.zip".into());
    want.sort();
    assert_eq!(found, want);
}

#[test]
fn apng_has_every_frame_with_its_delay() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, frames) = standard(dir.path());
    let out = ugoira::encode_apng(&zip, &frames, &dir.path().join("1.png")).unwrap();
    only(dir.path(), &["1.png"]);

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let control = reader.info().animation_control.unwrap();
    assert_eq!(control.num_frames, 4);
    assert_eq!(control.num_plays, 0);
    assert_eq!((reader.info().width, reader.info().height), (48, 32));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let mut delays = Vec::new();
    for _ in 0..4 {
        reader.next_frame(&mut buf).unwrap();
        let fc = reader.info().frame_control.unwrap();
        delays.push(u32::from(fc.delay_num) * 1000 / u32::from(fc.delay_den));
    }
    assert_eq!(delays, DELAYS);
}

#[test]
fn gif_has_every_frame_with_its_delay() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, frames) = standard(dir.path());
    let out = ugoira::encode_gif(&zip, &frames, &dir.path().join("1.gif")).unwrap();
    only(dir.path(), &["1.gif"]);
    assert_eq!(gif_delays_cs(&out), [10, 25, 6, 100]);
}

fn gif_delays_cs(path: &Path) -> Vec<u16> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(path).unwrap())
        .unwrap();
    assert_eq!((decoder.width(), decoder.height()), (48, 32));
    let mut delays = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        delays.push(frame.delay);
    }
    delays
}

#[test]
fn gif_delays_keep_the_total_when_not_multiples_of_ten() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, frames) = ugoira_zip(dir.path(), &[(8, 8); 3], &[15, 15, 15]);
    let out = ugoira::encode_gif(&zip, &frames, &dir.path().join("1.gif")).unwrap();
    let cs = gif_delays_cs_any(&out);
    assert_eq!(cs.len(), 3);
    assert!(cs.iter().all(|&d| d >= 1));
    assert_eq!(cs.iter().sum::<u16>(), 5); // 45 ms, rounded once, not three times
}

fn gif_delays_cs_any(path: &Path) -> Vec<u16> {
    let mut decoder = gif::DecodeOptions::new()
        .read_info(std::fs::File::open(path).unwrap())
        .unwrap();
    let mut delays = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        delays.push(frame.delay);
    }
    delays
}

#[test]
fn bad_input_is_a_typed_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A frame of another size.
    let (zip, frames) = ugoira_zip(dir.path(), &[(16, 16), (16, 16), (8, 16)], &[10, 10, 10]);
    let out = dir.path().join("1.png");
    let err = ugoira::encode_apng(&zip, &frames, &out).unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("frame 2"), "{err}");
    only(dir.path(), &[]);

    // A frame the zip does not hold; an existing output stays as it was.
    let (zip, mut frames) = ugoira_zip(dir.path(), &[(16, 16); 2], &[10, 10]);
    frames.push(frame("../../etc/passwd", 10));
    std::fs::write(&out, b"old").unwrap();
    for result in [
        ugoira::encode_apng(&zip, &frames, &out),
        ugoira::encode_gif(&zip, &frames, &out),
        Ffmpeg::new().encode(VideoFormat::Webm, &zip, &frames, &out),
    ] {
        let err = result.unwrap_err();
        assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    }
    assert_eq!(std::fs::read(&out).unwrap(), b"old");
    only(dir.path(), &["1.png"]);

    // No frames; not a zip.
    let err = ugoira::encode_gif(&zip, &[], &out).unwrap_err();
    assert!(matches!(err, PixivError::InvalidInput { .. }), "{err:?}");
    let not_zip = dir.path().join("x.zip");
    std::fs::write(&not_zip, b"PK nonsense").unwrap();
    let err = ugoira::encode_apng(&not_zip, &frames, &out).unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
}

#[test]
fn a_missing_ffmpeg_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, frames) = standard(dir.path());
    let program = dir.path().join("no-such-ffmpeg");
    let err = Ffmpeg::new()
        .program(&program)
        .encode(VideoFormat::Mp4, &zip, &frames, &dir.path().join("1.mp4"))
        .unwrap_err();
    assert_eq!(ugoira::is_missing_program(&err), Some(program.as_path()));
    assert!(err.to_string().contains("no-such-ffmpeg"), "{err}");
    only(dir.path(), &[]);
}

/// The presentation times ffprobe reads, in milliseconds.
fn ffprobe_pts_ms(path: &Path) -> Vec<u64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["packet=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe (install ffmpeg)");
    assert!(out.status.success());
    let mut pts: Vec<u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| (l.trim().parse::<f64>().unwrap() * 1000.0).round() as u64)
        .collect();
    pts.sort_unstable();
    pts
}

#[test]
fn webm_and_mp4_have_a_variable_frame_rate_from_the_delays() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, frames) = standard(dir.path());
    let webm = ugoira::encode_webm(&zip, &frames, &dir.path().join("1.webm")).unwrap();
    let mp4 = ugoira::encode_mp4(&zip, &frames, &dir.path().join("1.mp4")).unwrap();
    only(dir.path(), &["1.webm", "1.mp4"]);
    // Each frame starts when the previous one's delay is over; the last is held for its delay
    // by a closing copy at the total duration.
    let starts = [0, 100, 350, 410, 1410];
    assert_eq!(ffprobe_pts_ms(&webm), starts);
    assert_eq!(ffprobe_pts_ms(&mp4), starts);
}

#[test]
fn webp_has_every_frame_with_its_delay() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, frames) = standard(dir.path());
    let out = ugoira::encode_webp(&zip, &frames, &dir.path().join("1.webp")).unwrap();
    only(dir.path(), &["1.webp"]);
    // ffprobe does not decode animated WebP: read the ANMF chunks (WebP container spec).
    let bytes = std::fs::read(out).unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let mut at = 12;
    let mut delays = Vec::new();
    while at + 8 <= bytes.len() {
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        if &bytes[at..at + 4] == b"ANMF" {
            let d = &bytes[at + 8 + 12..at + 8 + 15];
            delays.push(u32::from(d[0]) | u32::from(d[1]) << 8 | u32::from(d[2]) << 16);
        }
        at += 8 + size + (size & 1);
    }
    assert_eq!(delays, DELAYS);
}

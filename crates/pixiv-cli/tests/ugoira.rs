//! `pixiv download --ugoira FORMAT` against pixiv-mock's real ugoira zips: the large frames are
//! fetched, and the animation written beside the zip has every frame of the work's metadata.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, run, text};

/// The frame count an APNG announces in its `acTL` chunk.
fn apng_frames(bytes: &[u8]) -> u32 {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let at = bytes
        .windows(4)
        .position(|w| w == b"acTL")
        .expect("an animated PNG has an acTL chunk");
    u32::from_be_bytes(bytes[at + 4..at + 8].try_into().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ugoira_becomes_an_apng_of_its_large_frames() {
    let env = Env::start().await;
    let out = env.out();
    let output = run(
        env.pixiv()
            .args(["download", "--no-progress", "-d"])
            .arg(&out)
            .args(["--ugoira", "apng", "14"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(out.join("14_ugoira1920x1080.zip").is_file());
    assert!(out.join("14_ugoira_frames.json").is_file());
    let metadata = pixiv_mock::data::ugoira_metadata(14, &env.mock.base_url()).unwrap();
    let frames = metadata["ugoira_metadata"]["frames"]
        .as_array()
        .unwrap()
        .len();
    let apng = std::fs::read(out.join("14.png")).unwrap();
    assert_eq!(apng_frames(&apng) as usize, frames);
    let zip = |size: &str| format!("/img-zip-ugoira/img/2024/01/01/00/00/00/14_ugoira{size}.zip");
    assert_eq!(env.mock.requests_to(&zip("1920x1080")).len(), 1);
    assert!(env.mock.requests_to(&zip("600x600")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_conversion_the_medium_zip_is_kept_as_it_is() {
    let env = Env::start().await;
    let out = env.out();
    let output = run(
        env.pixiv()
            .args(["download", "--no-progress", "-d"])
            .arg(&out)
            .arg("14"),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(out.join("14_ugoira600x600.zip").is_file());
    assert!(!out.join("14.png").exists());
}

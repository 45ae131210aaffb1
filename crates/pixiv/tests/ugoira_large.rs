//! `DownloadOptions::largest_ugoira`: the 1920x1080 frames when the host has them, the medium
//! zip when it answers 404, and the size cap applied to the zip as to any page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use pixiv::PixivError;
use pixiv::download::DownloadOptions;
use pixiv_mock::{Fault, RouteMatch};

const LARGE: &str = "/img-zip-ugoira/img/2024/01/01/00/00/00/14_ugoira1920x1080.zip";
const MEDIUM: &str = "/img-zip-ugoira/img/2024/01/01/00/00/00/14_ugoira600x600.zip";

#[tokio::test]
async fn the_large_zip_is_fetched_when_asked_for() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let options = DownloadOptions::new().largest_ugoira(true);
    let done = client
        .download_ugoira_with(14, dir.path(), &options)
        .await
        .unwrap();
    assert_eq!(done.zip.path, dir.path().join("14_ugoira1920x1080.zip"));
    assert_eq!(
        std::fs::read(&done.zip.path).unwrap(),
        pixiv_mock::content::expected_bytes(LARGE)
    );
    assert_eq!(mock.requests_to(LARGE).len(), 1);
    assert!(mock.requests_to(MEDIUM).is_empty());
}

#[tokio::test]
async fn a_missing_large_zip_falls_back_to_the_medium_one() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    mock.push_faults(RouteMatch::path(LARGE), [Fault::Status(404)]);
    let options = DownloadOptions::new().largest_ugoira(true);
    let done = client
        .download_ugoira_with(14, dir.path(), &options)
        .await
        .unwrap();
    assert_eq!(done.zip.path, dir.path().join("14_ugoira600x600.zip"));
    assert_eq!(
        std::fs::read(&done.zip.path).unwrap(),
        pixiv_mock::content::expected_bytes(MEDIUM)
    );
    assert!(!dir.path().join("14_ugoira1920x1080.zip").exists());
}

#[tokio::test]
async fn the_size_cap_applies_to_the_zip() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let options = DownloadOptions::new().max_size(16);
    let err = client
        .download_ugoira_with(14, dir.path(), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::BodyTooLarge { .. }), "{err:?}");
    assert!(!dir.path().join("14_ugoira600x600.zip").exists());
}

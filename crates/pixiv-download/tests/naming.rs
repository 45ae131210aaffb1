//! PixivPy's naming rules, one by one, against the mock (real files in temp folders).

mod common;

use common::{downloader, mock, names_in, requests_for, url};
use pixiv_download::{Outcome, PixivError, Target};
use pixiv_mock::content::expected_bytes;

const ORIGINAL: &str = "/img-original/img/2024/01/01/00/00/00/12345_p0.png";

#[tokio::test]
async fn an_existing_folder_gets_the_url_name_inside() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let done = downloader(&mock)
        .download(&url(&mock, ORIGINAL), &Target::path(dir.path()))
        .await
        .unwrap();
    assert_eq!(done.path, dir.path().join("12345_p0.png"));
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(ORIGINAL));
    assert_eq!(done.bytes, expected_bytes(ORIGINAL).len() as u64);
    // Only the file: no .part or sidecar left behind.
    assert_eq!(names_in(dir.path()), ["12345_p0.png"]);
}

#[tokio::test]
async fn a_path_that_is_not_a_folder_is_the_file_and_its_parents_are_created() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a/b/c/picture.bin");
    let done = downloader(&mock)
        .download(&url(&mock, ORIGINAL), &Target::path(&file))
        .await
        .unwrap();
    assert_eq!(done.path, file);
    assert_eq!(std::fs::read(&file).unwrap(), expected_bytes(ORIGINAL));
}

#[tokio::test]
async fn prefix_goes_before_the_name() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let done = downloader(&mock)
        .download(
            &url(&mock, ORIGINAL),
            &Target::path(dir.path()).prefix("illust_"),
        )
        .await
        .unwrap();
    assert_eq!(done.path, dir.path().join("illust_12345_p0.png"));
}

#[tokio::test]
async fn ext_replaces_the_extension_with_or_without_its_dot() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let d = downloader(&mock);
    let with_dot = d
        .download(&url(&mock, ORIGINAL), &Target::path(dir.path()).ext(".jpg"))
        .await
        .unwrap();
    assert_eq!(with_dot.path, dir.path().join("12345_p0.jpg"));
    let without = d
        .download(
            &url(&mock, ORIGINAL),
            &Target::path(dir.path()).prefix("x_").ext("webp"),
        )
        .await
        .unwrap();
    assert_eq!(without.path, dir.path().join("x_12345_p0.webp"));
    assert_eq!(names_in(dir.path()), ["12345_p0.jpg", "x_12345_p0.webp"]);
}

#[tokio::test]
async fn replace_false_leaves_an_existing_file_alone_without_a_request() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("12345_p0.png");
    std::fs::write(&existing, b"mine").unwrap();
    let done = downloader(&mock)
        .download(&url(&mock, ORIGINAL), &Target::path(dir.path()))
        .await
        .unwrap();
    assert_eq!(done.outcome, Outcome::Skipped);
    assert_eq!(done.path, existing);
    assert_eq!(done.bytes, 4);
    assert_eq!(std::fs::read(&existing).unwrap(), b"mine");
    assert!(mock.requests().is_empty(), "no request may be made");
}

#[tokio::test]
async fn replace_true_overwrites_an_existing_file() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("12345_p0.png");
    std::fs::write(&existing, b"mine").unwrap();
    let done = downloader(&mock)
        .download(
            &url(&mock, ORIGINAL),
            &Target::path(dir.path()).replace(true),
        )
        .await
        .unwrap();
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(std::fs::read(&existing).unwrap(), expected_bytes(ORIGINAL));
    assert_eq!(requests_for(&mock, ORIGINAL).len(), 1);
}

#[tokio::test]
async fn the_default_referer_is_sent_and_no_authorization() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    downloader(&mock)
        .download(&url(&mock, ORIGINAL), &Target::dir(dir.path()))
        .await
        .unwrap();
    let log = requests_for(&mock, ORIGINAL);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].header("referer"), Some("https://app-api.pixiv.net/"));
    assert_eq!(log[0].header("authorization"), None);
    assert_eq!(log[0].header("range"), None);
}

#[tokio::test]
async fn a_wrong_referer_gets_403_and_no_file() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let err = downloader(&mock)
        .download(
            &url(&mock, ORIGINAL),
            &Target::dir(dir.path()).referer("https://www.pixiv.net/"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN), "{err:?}");
    assert_eq!(
        requests_for(&mock, ORIGINAL)[0].header("referer"),
        Some("https://www.pixiv.net/")
    );
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}

#[tokio::test]
async fn a_downloader_wide_referer_applies_too() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let err = downloader(&mock)
        .referer("https://example.com/")
        .download(&url(&mock, ORIGINAL), &Target::dir(dir.path()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN));
    assert!(names_in(dir.path()).is_empty());
}

#[tokio::test]
async fn traversal_attempts_are_refused_before_any_request() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    let d = downloader(&mock);
    for path in [
        "/size/10/%2F..%2Fescaped",
        "/size/10/..",
        "/size/10/.",
        "/size/10/%2e%2e",
        "/size/10/%2E%2E",
        "/size/10/..%2F..%2Fescaped",
        "/size/10/%2Ftmp%2Fabsolute",
        "/size/10/nul%00.png",
        "/size/10/..%5Cescaped",
        "/size/10/",
    ] {
        for target in [Target::dir(&inner), Target::path(&inner), Target::new()] {
            let err = d.download(&url(&mock, path), &target).await.unwrap_err();
            assert!(
                matches!(err, PixivError::InvalidInput { .. }),
                "{path}: {err:?}"
            );
        }
    }
    let long = format!("/size/10/{}", "a".repeat(256));
    let err = d
        .download(&url(&mock, &long), &Target::dir(&inner))
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::InvalidInput { .. }), "{err:?}");
    assert!(mock.requests().is_empty());
    assert!(names_in(&inner).is_empty());
    assert_eq!(names_in(dir.path()), ["inner"]);
}

#[tokio::test]
async fn a_255_byte_name_still_works() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let name = "n".repeat(255);
    let path = format!("/size/1000/{name}");
    let done = downloader(&mock)
        .download(&url(&mock, &path), &Target::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(done.path, dir.path().join(&name));
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(&path));
    assert_eq!(names_in(dir.path()), [name]);
}

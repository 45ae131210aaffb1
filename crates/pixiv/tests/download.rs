//! Works to files against pixiv-mock: byte-identical pages, the placeholder refused, no
//! Authorization to the image host.

mod common;

use std::sync::{Arc, Mutex};

use pixiv::download::{DownloadOptions, Event, EventSink, is_not_viewable};
use pixiv::{Outcome, PixivError};
use pixiv_mock::MockPixiv;

fn image_requests(mock: &MockPixiv) -> Vec<pixiv_mock::LoggedRequest> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/img-") || r.path.starts_with("/common/"))
        .collect()
}

#[allow(clippy::unwrap_used)] // a test helper: a panic is a failed test
async fn download(mock: &MockPixiv, id: u64, dir: &std::path::Path) -> Vec<pixiv::Downloaded> {
    let client = common::client(mock);
    let illust = client.illust_detail(id).await.unwrap();
    client
        .download_illust(&illust, dir, &DownloadOptions::new())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_one_page_and_a_five_page_work_are_byte_identical() {
    let mock = common::mock().await;
    let dir = tempfile::tempdir().unwrap();
    for (id, pages) in [(10_u64, 1_usize), (4, 5)] {
        assert_eq!(pixiv_mock::data::page_count(id) as usize, pages);
        let files = download(&mock, id, dir.path()).await;
        assert_eq!(files.len(), pages, "work {id}");
        for (page, file) in files.iter().enumerate() {
            assert_eq!(file.path, dir.path().join(format!("{id}_p{page}.png")));
            assert_eq!(file.outcome, Outcome::Written);
            let path = format!("/img-original/img/2024/01/01/00/00/00/{id}_p{page}.png");
            let expected = pixiv_mock::content::expected_bytes(&path);
            assert_eq!(
                expected.len() as u64,
                pixiv_mock::content::illust_image_size(id, page as u32)
            );
            assert!(std::fs::read(&file.path).unwrap() == expected, "{path}");
        }
    }
    // Six originals, each fetched once, with the Referer and without a token.
    let images = image_requests(&mock);
    assert_eq!(images.len(), 6);
    for r in &images {
        assert_eq!(r.header("referer"), Some("https://app-api.pixiv.net/"));
        assert!(
            r.header("authorization").is_none(),
            "{} got a token",
            r.path
        );
    }
    // The App API calls did carry it.
    assert!(
        common::api_requests(&mock)
            .iter()
            .all(|r| r.header("authorization").is_some())
    );
    // Nothing but the files is left in the folder (no .part).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "10_p0.png",
            "4_p0.png",
            "4_p1.png",
            "4_p2.png",
            "4_p3.png",
            "4_p4.png"
        ]
    );
}

#[tokio::test]
async fn naming_replace_and_progress_events() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let illust = client.illust_detail(12).await.unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let options = DownloadOptions::new()
        .naming(|work, page, ext| format!("{}-{}.{ext}", work.title.replace(' ', "_"), page + 1))
        .on_event(EventSink::new(move |e: &Event| {
            sink.lock().unwrap().push(e.clone())
        }));
    let files = client
        .download_illust(&illust, dir.path(), &options)
        .await
        .unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["Illust_12-1.png", "Illust_12-2.png", "Illust_12-3.png"]
    );
    let finished = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Event::Finished { .. }))
        .count();
    assert_eq!(finished, 3);

    // Again: skipped without a request; with replace: written again.
    mock.clear_requests();
    let again = client
        .download_illust(&illust, dir.path(), &options)
        .await
        .unwrap();
    assert!(again.iter().all(|f| f.outcome == Outcome::Skipped));
    assert!(image_requests(&mock).is_empty());
    let replaced = client
        .download_illust(&illust, dir.path(), &options.clone().replace(true))
        .await
        .unwrap();
    assert!(replaced.iter().all(|f| f.outcome == Outcome::Written));

    // A naming function may not escape the folder.
    let err = client
        .download_illust(
            &illust,
            dir.path(),
            &DownloadOptions::new().naming(|_, _, _| "../escape.png".to_owned()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn a_restricted_work_is_not_viewable_and_not_downloaded() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let illust = client.illust_detail(22).await.unwrap();
    assert!(!illust.visible);
    let err = client
        .download_illust(&illust, dir.path(), &DownloadOptions::new())
        .await
        .unwrap_err();
    assert!(is_not_viewable(&err), "{err:?}");
    assert!(
        err.to_string().contains("limit_sanity_level_360.png"),
        "{err}"
    );
    assert!(
        image_requests(&mock).is_empty(),
        "no request for the placeholder"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn an_ugoira_gives_its_zip_and_frame_list() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let done = client.download_ugoira(14, dir.path()).await.unwrap();
    assert_eq!(done.zip.path, dir.path().join("14_ugoira600x600.zip"));
    let zip_path = "/img-zip-ugoira/img/2024/01/01/00/00/00/14_ugoira600x600.zip";
    assert!(
        std::fs::read(&done.zip.path).unwrap() == pixiv_mock::content::expected_bytes(zip_path)
    );
    assert_eq!(done.frames_path, dir.path().join("14_ugoira_frames.json"));
    let frames: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&done.frames_path).unwrap()).unwrap();
    let expected = pixiv_mock::data::ugoira_metadata(14, &mock.base_url()).unwrap();
    assert_eq!(frames, expected["ugoira_metadata"]["frames"]);
    let zip = mock.requests_to("/img-zip-ugoira");
    assert_eq!(zip.len(), 1);
    assert!(zip[0].header("authorization").is_none());
}

#[tokio::test]
async fn originals_are_fetched_from_the_configured_image_base() {
    let mock = common::mock().await;
    // The work's URLs name 127.0.0.1; the client is told the image host is localhost.
    let port = mock.addr().port();
    let client = common::builder(&mock)
        .image_base(format!("https://localhost:{port}"))
        .build()
        .unwrap();
    let illust = client.illust_detail(10).await.unwrap();
    assert!(illust.original_urls()[0].starts_with("https://127.0.0.1:"));
    let dir = tempfile::tempdir().unwrap();
    client
        .download_illust(&illust, dir.path(), &DownloadOptions::new())
        .await
        .unwrap();
    let images = image_requests(&mock);
    assert_eq!(images.len(), 1);
    assert_eq!(
        images[0].host.as_deref(),
        Some(format!("localhost:{port}").as_str())
    );
    assert_eq!(
        images[0].path,
        "/img-original/img/2024/01/01/00/00/00/10_p0.png"
    );
}

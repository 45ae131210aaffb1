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

/// A JSON answer for a `Fault::Raw`.
#[allow(clippy::unwrap_used, clippy::panic)] // a test helper: a panic is a failed test
fn json_answer(body: &serde_json::Value) -> pixiv_mock::Fault {
    pixiv_mock::Fault::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: serde_json::to_vec(body).unwrap().into(),
    }
}

/// An event sink that fails the test at the first event: no page may even be queued.
#[allow(clippy::unwrap_used, clippy::panic)] // a test helper: a panic is a failed test
fn no_events() -> EventSink {
    EventSink::new(|e: &Event| panic!("no download may start, got {e:?}"))
}

#[tokio::test]
async fn an_ugoira_rerun_skips_zip_and_frames_without_an_image_request() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let first = client.download_ugoira(14, dir.path()).await.unwrap();
    assert_eq!(first.zip.outcome, Outcome::Written);
    assert_eq!(first.frames_outcome, Outcome::Written);
    let frames = std::fs::read(&first.frames_path).unwrap();

    mock.clear_requests();
    let again = client.download_ugoira(14, dir.path()).await.unwrap();
    assert_eq!(again.zip.outcome, Outcome::Skipped);
    assert_eq!(again.frames_outcome, Outcome::Skipped);
    assert!(
        image_requests(&mock).is_empty(),
        "{:?}",
        image_requests(&mock)
    );
    assert!(std::fs::read(&again.frames_path).unwrap() == frames);

    // With replace: both written again, one zip request.
    let replaced = client
        .download_ugoira_with(14, dir.path(), &DownloadOptions::new().replace(true))
        .await
        .unwrap();
    assert_eq!(replaced.zip.outcome, Outcome::Written);
    assert_eq!(replaced.frames_outcome, Outcome::Written);
    assert_eq!(image_requests(&mock).len(), 1);
    // Nothing but the two artefacts in the folder: no temporary file, no .part.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[tokio::test]
async fn a_users_files_at_the_ugoira_names_are_untouched_without_replace() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("14_ugoira600x600.zip");
    let frames = dir.path().join("14_ugoira_frames.json");
    std::fs::write(&zip, b"my own zip").unwrap();
    std::fs::write(&frames, b"my own notes").unwrap();
    let done = client.download_ugoira(14, dir.path()).await.unwrap();
    assert_eq!(done.zip.path, zip);
    assert_eq!(done.zip.outcome, Outcome::Skipped);
    assert_eq!(done.frames_outcome, Outcome::Skipped);
    assert_eq!(std::fs::read(&zip).unwrap(), b"my own zip");
    assert_eq!(std::fs::read(&frames).unwrap(), b"my own notes");
    assert!(image_requests(&mock).is_empty());
}

#[tokio::test]
async fn an_ugoira_zip_url_naming_a_page_file_is_refused_before_any_request() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("14_ugoira0.jpg");
    std::fs::write(&page, b"the first frame, saved earlier").unwrap();
    let mut answer = pixiv_mock::data::ugoira_metadata(14, &mock.base_url()).unwrap();
    answer["ugoira_metadata"]["zip_urls"]["medium"] = format!(
        "{}/img-original/img/2024/01/01/00/00/00/14_ugoira0.jpg",
        mock.base_url()
    )
    .into();
    mock.push_faults(
        pixiv_mock::RouteMatch::path("/v1/ugoira/metadata"),
        [json_answer(&answer)],
    );
    let options = DownloadOptions::new().replace(true);
    let err = client
        .download_ugoira_with(14, dir.path(), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("not a .zip file"), "{err}");
    assert_eq!(
        std::fs::read(&page).unwrap(),
        b"the first frame, saved earlier"
    );
    assert!(image_requests(&mock).is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn two_pages_of_one_work_never_target_one_path() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let illust = client.illust_detail(12).await.unwrap();
    let options = DownloadOptions::new()
        .naming(|work, _page, ext| format!("{}.{ext}", work.id))
        .on_event(no_events());
    let err = client
        .download_illust(&illust, dir.path(), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::InvalidInput { .. }), "{err:?}");
    assert!(err.to_string().contains("as an earlier page"), "{err}");
    assert!(image_requests(&mock).is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn a_work_claiming_100000_pages_is_refused_before_any_image_request() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let base = mock.base_url();
    let mut work = pixiv_mock::data::illust(4, &base);
    work["page_count"] = 100_000.into();
    work["meta_pages"] = (0..100_000)
        .map(|n| {
            serde_json::json!({"image_urls": {
                "original": format!("{base}/img-original/img/2024/01/01/00/00/00/4_p{n}.png")
            }})
        })
        .collect::<Vec<_>>()
        .into();
    // The same work claiming 100,000 pages in page_count alone (five meta_pages).
    let mut claims = pixiv_mock::data::illust(4, &base);
    claims["page_count"] = 100_000.into();
    mock.push_faults(
        pixiv_mock::RouteMatch::path("/v1/illust/detail"),
        [
            json_answer(&serde_json::json!({ "illust": work })),
            json_answer(&serde_json::json!({ "illust": claims })),
        ],
    );
    let options = DownloadOptions::new().on_event(no_events());
    for _ in 0..2 {
        let illust = client.illust_detail(4).await.unwrap();
        let checked = pixiv::download::checked_originals(&illust).unwrap_err();
        assert!(matches!(checked, PixivError::Decode { .. }), "{checked:?}");
        let err = client
            .download_illust(&illust, dir.path(), &options)
            .await
            .unwrap_err();
        assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("work 4 claims 100000 pages; Pixiv allows at most 200"),
            "{err}"
        );
    }
    assert!(image_requests(&mock).is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // A work at the limit is not refused for its size.
    let mut at_limit = pixiv_mock::data::illust(4, &base);
    at_limit["page_count"] = pixiv::download::MAX_PAGES_PER_WORK.into();
    let at_limit: pixiv::Illust = serde_json::from_value(at_limit).unwrap();
    let files = client
        .download_illust(&at_limit, dir.path(), &DownloadOptions::new())
        .await
        .unwrap();
    assert_eq!(files.len(), 5);
}

//! Fidelity: the real PixivPy (`pixivpy3` from PyPI, a client nobody here wrote) against pixiv-mock.
//!
//! If the mock drifts from what Pixiv sends, PixivPy is the first to notice: it logs in with the
//! mock's demo refresh token (so the mock checks its real `X-Client-Hash`), reads an illust, pages
//! through a user's works and a related list with its own `parse_qs(next_url)`, and downloads an
//! original with its own `download()`. Everything is checked here against the mock's data and its
//! request log, not against PixivPy's opinion of what it did.
//!
//! The script runner is `common::pixivpy` (the interpreter, the environment, the report).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test helper's panic is a failed assertion

mod common;

use pixiv_mock::{DEMO_USER_ID, MockPixiv, content, data};

/// A work with several pages (`page_count(id) = id % 5 + 1`), neither ugoira nor restricted.
const ILLUST_ID: u64 = 12;
/// A work whose related list PixivPy pages through.
const RELATED_ID: u64 = 13;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pixivpy_logs_in_reads_pages_and_downloads_from_the_mock() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let run = common::pixivpy::run(
        &mock,
        "fidelity.py",
        &[
            ("PIXIV_ILLUST_ID", ILLUST_ID.to_string()),
            ("PIXIV_RELATED_ID", RELATED_ID.to_string()),
        ],
    )
    .await;
    let report = &run.report;
    let out_dir = &run.out_dir;
    let base = mock.base_url();

    // Login: PixivPy read `response.user.id` and the tokens out of the mock's answer.
    assert_eq!(report["user_id"], DEMO_USER_ID.to_string());
    assert_eq!(report["access_token_set"], true);
    assert_eq!(report["expires_in"], 3600);

    // The OAuth call went to the mock with PixivPy's headers, which the mock verified.
    let log = mock.requests();
    let oauth: Vec<_> = log.iter().filter(|r| r.path == "/auth/token").collect();
    assert_eq!(oauth.len(), 1, "one OAuth call");
    let oauth = oauth[0];
    assert_eq!(oauth.headers["host"], "oauth.secure.pixiv.net");
    assert!(oauth.headers.contains_key("x-client-hash"));
    assert!(oauth.headers.contains_key("x-client-time"));

    // Illust detail as the mock's data says.
    let expected = data::illust(ILLUST_ID, &base);
    assert_eq!(report["illust"]["id"], ILLUST_ID);
    assert_eq!(report["illust"]["title"], expected["title"]);
    assert_eq!(
        report["illust"]["page_count"],
        u64::from(data::page_count(ILLUST_ID))
    );
    let originals = data::original_urls(ILLUST_ID, &base);
    let reported: Vec<String> = if report["illust"]["single_original"].is_string() {
        vec![
            report["illust"]["single_original"]
                .as_str()
                .unwrap()
                .to_owned(),
        ]
    } else {
        report["illust"]["page_originals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(reported, originals);

    // user_illusts: 5 pages of 30, followed with parse_qs(next_url) until next_url was null.
    let pages = report["user_illusts_pages"].as_array().unwrap();
    assert_eq!(pages.len(), 5);
    let mut ids: Vec<u64> = pages
        .iter()
        .flat_map(|p| p.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
        .collect();
    assert_eq!(ids.len(), 150);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 150, "no work repeated across pages");

    // related: 3 pages; every next_url carried seed_illust_ids[] as a list PixivPy folded back.
    assert_eq!(report["related_pages"].as_array().unwrap().len(), 3);
    for seeds in report["related_seeds"].as_array().unwrap() {
        assert!(
            seeds.as_array().is_some_and(|s| !s.is_empty()),
            "seed_illust_ids[] folded into a list: {seeds}"
        );
    }
    let related_calls: Vec<_> = log
        .iter()
        .filter(|r| r.path == "/v2/illust/related")
        .collect();
    assert_eq!(related_calls.len(), 3);
    assert!(
        related_calls[1]
            .query
            .iter()
            .filter(|(k, _)| k == "seed_illust_ids[]")
            .count()
            >= 1,
        "the second page's query repeats seed_illust_ids[]: {:?}",
        related_calls[1].query
    );

    // download(): PixivPy's file is byte for byte what the mock serves for that path.
    let url = report["download"]["url"].as_str().unwrap();
    let path = url.strip_prefix(&base).unwrap();
    let name = report["download"]["name"].as_str().unwrap();
    let written = std::fs::read(out_dir.join(name)).unwrap();
    assert_eq!(written, content::expected_bytes(path));
    let image_request = log.iter().find(|r| r.path == path).unwrap();
    assert_eq!(
        image_request.headers["referer"],
        "https://app-api.pixiv.net/"
    );
    assert!(
        !image_request.headers.contains_key("authorization"),
        "no Authorization to the image host"
    );
}

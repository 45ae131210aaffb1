//! Fidelity of the novel half of the App API: the real PixivPy (`pixivpy3` 3.7.5 from PyPI) calls
//! every novel, comment, webview and showcase method it has against pixiv-mock, paging every list
//! with its own `parse_qs(next_url)`, and everything it read is checked here against
//! `pixiv_mock::data_novel` and the mock's request log. Methods PixivPy does not have
//! (`novel_bookmark_detail`, the v3 comment lists, comment replies) are tested from Rust in
//! crates/pixiv/tests/novels.rs.
//!
//! The interpreter comes from `PIXIVPY_PYTHON` (set by `cargo xtask ci`) or
//! `target/pixivpy-venv/bin/python` (made by `cargo xtask pyenv`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test's panic is a failed assertion

use std::path::{Path, PathBuf};

use pixiv_mock::{DEMO_USER_ID, MockPixiv, data_novel as data};
use serde_json::Value;

const NOVEL_ID: u64 = 101;
const SERIES_ID: u64 = 1;
const USER_ID: u64 = 7;
/// A work with 45 comments (two pages of v1 comments with their replies).
const ILLUST_ID: u64 = 40;
const ARTICLE_ID: u64 = 5845;

fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("PIXIVPY_PYTHON") {
        return PathBuf::from(python);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let python = target.join("pixivpy-venv/bin/python");
    assert!(
        python.exists(),
        "PixivPy is not installed: run `cargo xtask pyenv` (or `cargo xtask ci`), \
         or point PIXIVPY_PYTHON at a Python with pixivpy3 installed"
    );
    python
}

/// Runs tests/pixivpy/novels.py against `mock` and returns its report.
async fn run_pixivpy(mock: &MockPixiv) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, mock.ca_pem()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("pixivpy/novels.py");
    let output = tokio::process::Command::new(python())
        .arg(&script)
        .env("PIXIV_MOCK_URL", mock.base_url())
        .env("PIXIV_MOCK_CA", &ca)
        .env("PIXIV_MOCK_REFRESH_TOKEN", pixiv_mock::DEMO_REFRESH_TOKEN)
        .env("PIXIV_NOVEL_ID", NOVEL_ID.to_string())
        .env("PIXIV_SERIES_ID", SERIES_ID.to_string())
        .env("PIXIV_USER_ID", USER_ID.to_string())
        .env("PIXIV_ILLUST_ID", ILLUST_ID.to_string())
        .env("PIXIV_ARTICLE_ID", ARTICLE_ID.to_string())
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "PixivPy failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The ids of every page of a list in the report, flattened.
fn ids(report: &Value, key: &str) -> Vec<u64> {
    report[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key}: {report}"))
        .iter()
        .flat_map(|p| p.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
        .collect()
}

fn pages(report: &Value, key: &str) -> usize {
    report[key].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pixivpy_reads_novels_comments_webview_and_showcase_from_the_mock() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let report = run_pixivpy(&mock).await;
    let base = mock.base_url();

    let detail = &report["novel_detail"];
    let expected = data::novel(NOVEL_ID, &base);
    assert_eq!(detail["id"], NOVEL_ID);
    assert_eq!(detail["title"], expected["title"]);
    assert_eq!(detail["series_id"], SERIES_ID);
    assert_eq!(detail["text_length"], expected["text_length"]);

    assert_eq!(ids(&report, "user_novels"), data::user_novel_ids(USER_ID));
    assert_eq!(pages(&report, "user_novels"), 3);

    // The series, in order, paged with last_order as Pixiv writes it.
    assert_eq!(
        ids(&report, "novel_series"),
        data::series_novel_ids(SERIES_ID)
    );
    let orders: Vec<&str> = report["novel_series_qs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["last_order"].as_str().unwrap())
        .collect();
    assert_eq!(orders, ["30", "60"]);

    // search: the options PixivPy sent come back in every next_url.
    assert_eq!(ids(&report, "search_novel").len(), data::LIST_LEN);
    for qs in report["search_novel_qs"].as_array().unwrap() {
        assert_eq!(qs["word"], "猫");
        assert_eq!(qs["search_target"], "text");
        assert_eq!(qs["start_date"], "2024-01-01");
    }

    let public: Vec<u64> = data::bookmarks(DEMO_USER_ID, "public")
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(ids(&report, "user_bookmarks_novel"), public);
    assert!(
        report["user_bookmarks_novel_qs"][0]["max_bookmark_id"].is_string(),
        "{}",
        report["user_bookmarks_novel_qs"]
    );
    let private: Vec<u64> = data::bookmarks(DEMO_USER_ID, "private")
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(ids(&report, "user_bookmarks_novel_private"), private);

    let new = ids(&report, "novel_new");
    assert_eq!(new.len(), data::LIST_LEN);
    assert!(new.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(report["novel_new_qs"][0]["max_novel_id"].is_string());
    assert_eq!(ids(&report, "novel_follow").len(), data::LIST_LEN);
    assert_eq!(ids(&report, "novel_recommended").len(), data::LIST_LEN);
    assert!(report["novel_recommended_qs"][0]["already_recommended"].is_string());

    // v1 comments: the top-level ones and their replies.
    let with_replies = |id: u64| {
        data::comment_count(id)
            + (1..=data::comment_count(id))
                .map(data::reply_count)
                .sum::<u64>()
    };
    assert_eq!(
        ids(&report, "novel_comments").len() as u64,
        with_replies(NOVEL_ID)
    );
    assert_eq!(
        ids(&report, "illust_comments").len() as u64,
        with_replies(ILLUST_ID)
    );

    // webview_novel: PixivPy's regex found the novel JSON in the page.
    let webview = &report["webview_novel"];
    assert_eq!(webview["id"], NOVEL_ID.to_string());
    assert_eq!(webview["text"], data::text(NOVEL_ID));
    assert_eq!(webview["seriesId"], SERIES_ID.to_string());
    assert_eq!(report["webview_raw_has_script"], true);
    assert_eq!(report["novel_text"], true);

    assert_eq!(report["showcase_article"]["error"], false);
    assert_eq!(report["showcase_article"]["id"], ARTICLE_ID.to_string());

    // The log: every method reached its endpoint; the web host got no Bearer.
    let log = mock.requests();
    for path in [
        "/v2/novel/detail",
        "/v1/user/novels",
        "/v2/novel/series",
        "/v1/search/novel",
        "/v1/user/bookmarks/novel",
        "/v1/novel/new",
        "/v1/novel/follow",
        "/v1/novel/recommended",
        "/v1/novel/comments",
        "/v1/illust/comments",
        "/webview/v2/novel",
        "/ajax/showcase/article",
    ] {
        assert!(log.iter().any(|r| r.path == path), "{path} was not called");
    }
    let showcase = log
        .iter()
        .find(|r| r.path == "/ajax/showcase/article")
        .unwrap();
    assert!(!showcase.headers.contains_key("authorization"));
    let webview_call = log.iter().find(|r| r.path == "/webview/v2/novel").unwrap();
    assert!(
        webview_call
            .query
            .contains(&("viewer_version".to_owned(), "20221031_ai".to_owned()))
    );
}

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

    // related: 3 pages; every next_url carried Pixiv's indexed seed_illust_ids[0], which
    // PixivPy's parse_qs folded into a list and sent back as seed_illust_ids[].
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
        "the second page's query has PixivPy's seed_illust_ids[]: {:?}",
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

/// A work with tags, bookmarked and read back in the every-method run.
const BOOKMARKED_ID: u64 = 13;
/// An ugoira.
const UGOIRA_ID: u64 = 14;
/// A user the demo account does not follow in the generated data.
const FOLLOWEE_ID: u64 = 424_242;

/// The ids of every page of a list the script followed, flattened.
fn flat(report: &serde_json::Value, name: &str) -> Vec<u64> {
    report[name]
        .as_array()
        .unwrap_or_else(|| panic!("{name} missing from the report"))
        .iter()
        .flat_map(|p| p.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pixivpy_calls_every_illust_user_bookmark_and_follow_method() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let user = data::author_of(BOOKMARKED_ID);
    let run = common::pixivpy::run(
        &mock,
        "app_api.py",
        &[
            ("PIXIV_ILLUST_ID", BOOKMARKED_ID.to_string()),
            ("PIXIV_UGOIRA_ID", UGOIRA_ID.to_string()),
            ("PIXIV_USER_ID", user.to_string()),
            ("PIXIV_FOLLOWEE_ID", FOLLOWEE_ID.to_string()),
        ],
    )
    .await;
    let r = &run.report;

    assert_eq!(r["illust_detail"]["illust"]["id"], BOOKMARKED_ID);
    assert!(r["illust_detail"]["illust"]["comment_access_control"].is_number());
    let frames = data::ugoira_metadata(UGOIRA_ID, &mock.base_url()).unwrap();
    assert_eq!(
        r["ugoira_metadata"]["ugoira_metadata"]["frames"],
        frames["ugoira_metadata"]["frames"]
    );

    // Lists, every page followed by PixivPy's parse_qs: exactly the mock's data, in order.
    assert_eq!(
        flat(r, "illust_related"),
        data::related_ids(BOOKMARKED_ID),
        "related pages through the indexed seed_illust_ids[0]/viewed[i] next_urls"
    );
    assert_eq!(
        flat(r, "illust_recommended"),
        data::recommended_ids(DEMO_USER_ID, "illust")
    );
    assert_eq!(flat(r, "illust_ranking"), data::ranking_ids("week", ""));
    assert_eq!(flat(r, "illust_new"), data::new_ids("illust"));
    assert_eq!(flat(r, "search_user"), data::search_user_ids("pixiv"));
    assert_eq!(flat(r, "search_illust").len(), 90);
    assert_eq!(
        flat(r, "user_illusts"),
        data::user_illust_ids(user, Some("illust"))
    );
    assert_eq!(flat(r, "user_related"), data::related_user_ids(user));
    assert_eq!(
        flat(r, "user_recommended"),
        data::recommended_user_ids(DEMO_USER_ID)
    );
    assert_eq!(flat(r, "user_follower"), data::follower_ids(user));
    assert_eq!(flat(r, "user_mypixiv"), data::mypixiv_ids(user));
    assert_eq!(flat(r, "user_list"), data::user_list_ids(user));
    let trending = r["trending_tags_illust"]["trend_tags"].as_array().unwrap();
    assert_eq!(trending.len(), data::TAGS.len());
    assert!(trending.iter().all(|t| t["illust"]["id"].is_u64()));

    // Bookmarks: PixivPy's space-joined tags[] became two tags; the detail, the private list
    // and the tag counts show them until the delete.
    let detail = &r["illust_bookmark_detail"]["bookmark_detail"];
    assert_eq!(detail["is_bookmarked"], true);
    assert_eq!(detail["restrict"], "private");
    let registered: Vec<&str> = detail["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["is_registered"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(registered, ["猫", "mine"]);
    assert_eq!(flat(r, "user_bookmarks_illust")[0], BOOKMARKED_ID);
    let tags = r["user_bookmark_tags_illust"][0].as_array().unwrap();
    assert_eq!(tags[0], "猫");
    assert!(tags.contains(&"mine".into()));
    assert_eq!(
        r["bookmark_detail_after_delete"]["bookmark_detail"]["is_bookmarked"],
        false
    );

    // Follows: the new followee leads the following list and its works reach the feed.
    assert_eq!(flat(r, "user_following")[0], FOLLOWEE_ID);
    let feed = flat(r, "illust_follow");
    let newest = data::user_illust_ids(FOLLOWEE_ID, None)[0];
    assert!(feed.contains(&newest), "{newest} in the feed");
    assert_eq!(r["show_ai_after_edit"], false);

    // req_auth=False, set_auth, set_accept_language.
    assert_eq!(
        flat_ids(&r["nologin_recommended"]),
        data::recommended_ids(0, "illust")[..30]
    );
    assert_eq!(r["nologin_detail_error"], true, "a work needs the login");
    assert_eq!(r["set_auth_user"], user);
    let log = mock.requests();
    let nologin = log
        .iter()
        .find(|q| q.path == "/v1/illust/recommended-nologin")
        .expect("PixivPy called the logged-out path");
    assert!(!nologin.headers.contains_key("authorization"));
    let last_detail = log
        .iter()
        .rev()
        .find(|q| q.path == "/v1/illust/detail")
        .unwrap();
    assert_eq!(last_detail.headers["accept-language"], "zh-cn");
    let translated: Vec<&serde_json::Value> = r["zh_tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["translated_name"])
        .collect();
    let english: Vec<serde_json::Value> = data::tags(BOOKMARKED_ID)
        .into_iter()
        .map(|(_, en)| en.into())
        .collect();
    assert_ne!(
        translated,
        english.iter().collect::<Vec<_>>(),
        "zh-cn names"
    );

    // Every endpoint of this half of the API was called, and answered 200 (an error body would
    // have stopped the script).
    for path in [
        "/v1/illust/detail",
        "/v1/ugoira/metadata",
        "/v2/illust/related",
        "/v1/illust/recommended",
        "/v1/illust/ranking",
        "/v1/trending-tags/illust",
        "/v1/search/illust",
        "/v1/search/user",
        "/v1/illust/new",
        "/v1/user/detail",
        "/v1/user/illusts",
        "/v1/user/related",
        "/v1/user/recommended",
        "/v1/user/follower",
        "/v1/user/mypixiv",
        "/v2/user/list",
        "/v2/illust/bookmark/add",
        "/v2/illust/bookmark/detail",
        "/v1/user/bookmarks/illust",
        "/v1/user/bookmark-tags/illust",
        "/v1/illust/bookmark/delete",
        "/v1/user/follow/add",
        "/v1/user/following",
        "/v2/illust/follow",
        "/v1/user/follow/delete",
        "/v1/user/ai-show-settings/edit",
    ] {
        assert!(log.iter().any(|q| q.path == path), "PixivPy called {path}");
    }
}

fn flat_ids(v: &serde_json::Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_u64().unwrap())
        .collect()
}

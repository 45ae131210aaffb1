//! `pixiv download` of what people paste (users, bookmarks, the following feed, rankings,
//! searches, series), the selection flags, repeats, against pixiv-mock with the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::{Env, IMG_DIR, json_lines, run, text};
use pixiv_mock::data;

/// The work ids of a `--json` run's lines.
fn works(out: &std::process::Output) -> BTreeSet<u64> {
    json_lines(out)
        .iter()
        .filter_map(|l| l["work"].as_u64())
        .collect()
}

/// Runs `pixiv download --json --no-archive -d OUT ARGS...`.
async fn download(env: &Env, args: &[&str]) -> std::process::Output {
    run(
        env.pixiv()
            .args(["download", "--json", "--no-archive", "-d"])
            .arg(env.out())
            .args(args),
        "",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_url_kind_is_resolved_through_the_api() {
    let env = Env::start().await;
    let demo = pixiv_mock::DEMO_USER_ID;
    // (URL, API path, query pairs it must carry)
    type Case = (String, &'static str, Vec<(&'static str, &'static str)>);
    let cases: Vec<Case> = vec![
        (
            "https://www.pixiv.net/en/users/2".into(),
            "/v1/user/illusts",
            vec![("user_id", "2")],
        ),
        (
            "https://www.pixiv.net/users/3/illustrations".into(),
            "/v1/user/illusts",
            vec![("user_id", "3"), ("type", "illust")],
        ),
        (
            "https://www.pixiv.net/users/4/manga".into(),
            "/v1/user/illusts",
            vec![("user_id", "4"), ("type", "manga")],
        ),
        (
            "https://www.pixiv.net/users/5/bookmarks/artworks".into(),
            "/v1/user/bookmarks/illust",
            vec![("user_id", "5"), ("restrict", "public")],
        ),
        (
            format!("https://www.pixiv.net/users/{demo}/bookmarks/artworks?rest=hide"),
            "/v1/user/bookmarks/illust",
            vec![("restrict", "private")],
        ),
        (
            "https://www.pixiv.net/bookmark_new_illust.php".into(),
            "/v2/illust/follow",
            vec![],
        ),
        (
            "https://www.pixiv.net/ranking.php?mode=weekly&date=20241230".into(),
            "/v1/illust/ranking",
            vec![("mode", "week"), ("date", "2024-12-30")],
        ),
        (
            "https://www.pixiv.net/ranking.php?mode=rookie&content=manga".into(),
            "/v1/illust/ranking",
            vec![("mode", "week_rookie_manga")],
        ),
        (
            "https://www.pixiv.net/tags/%E7%8C%AB/artworks?s_mode=s_tag_full&order=date".into(),
            "/v1/search/illust",
            vec![
                ("word", "猫"),
                ("search_target", "exact_match_for_tags"),
                ("sort", "date_asc"),
            ],
        ),
        (
            "https://www.pixiv.net/user/6/series/6".into(),
            "/v1/illust/series",
            vec![("illust_series_id", "6")],
        ),
        (
            "https://www.pixiv.net/member_illust.php?mode=medium&illust_id=12".into(),
            "/v1/illust/detail",
            vec![("illust_id", "12")],
        ),
    ];
    for (url, path, pairs) in cases {
        let before = env.mock.requests_to(path).len();
        let out = download(&env, &["--limit", "2", &url]).await;
        assert_ne!(out.status.code(), Some(2), "{url}: {}", text(&out.stderr));
        let calls = env.mock.requests_to(path);
        assert!(calls.len() > before, "{url}: no call to {path}");
        let call = &calls[before];
        for (k, v) in pairs {
            assert!(
                call.query.iter().any(|(qk, qv)| qk == k && qv == v),
                "{url}: {k}={v} not in {:?}",
                call.query
            );
        }
        let got = works(&out);
        assert!(!got.is_empty() && got.len() <= 2, "{url}: works {got:?}");
        for line in json_lines(&out) {
            if let Some(work) = line["work"].as_u64() {
                assert_eq!(line["user"].as_u64(), Some(data::author_of(work)), "{line}");
                assert!(line["page"].is_u64(), "{line}");
            }
        }
    }
    // Never the web pages themselves.
    assert!(env.mock.requests_to("/users").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_pixiv_page_is_a_usage_error_before_any_request() {
    let env = Env::start().await;
    for url in [
        "https://www.pixiv.net/discovery",
        "https://www.pixiv.net/tags/cat/novels",
    ] {
        let out = download(&env, &["12", url]).await;
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = text(&out.stderr);
        assert!(err.contains("accepted:") || err.contains("novels"), "{err}");
    }
    assert!(env.mock.requests().is_empty(), "{:?}", env.mock.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeats_are_downloaded_and_reported_once() {
    let env = Env::start().await;
    let base = env.base();
    let file = format!("{base}/size/100/a.bin");
    let out = download(
        &env,
        &[
            "12",
            "12",
            "https://www.pixiv.net/artworks/12",
            &file,
            &file,
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = json_lines(&out);
    // 3 pages of 12 and a.bin, once each.
    assert_eq!(lines.len(), 4, "{lines:#?}");
    let details = env.mock.requests_to("/v1/illust/detail");
    assert_eq!(
        details.len(),
        1,
        "{:?}",
        details
            .iter()
            .map(|r| r.uri.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(env.mock.requests_to("/size/100/a.bin").len(), 1);
    assert_eq!(env.mock.requests_to(&format!("{IMG_DIR}/12_p0")).len(), 1);
}

/// The works of a selection run, checked against the mock's data; no image of any other work
/// was asked for.
async fn select(env: &Env, flags: &[&str], check: impl Fn(u64, &serde_json::Value) -> bool) {
    let before: BTreeSet<String> = env
        .mock
        .requests_to(IMG_DIR)
        .iter()
        .map(|r| r.path.clone())
        .collect();
    let mut args = vec!["--limit", "4"];
    args.extend_from_slice(flags);
    args.push("https://www.pixiv.net/users/2");
    let out = download(env, &args).await;
    assert_ne!(
        out.status.code(),
        Some(2),
        "{flags:?}: {}",
        text(&out.stderr)
    );
    let got = works(&out);
    assert!(!got.is_empty(), "{flags:?}: nothing selected");
    for id in &got {
        let illust = data::illust(*id, &env.base());
        assert!(
            check(*id, &illust),
            "{flags:?}: work {id} should not be selected"
        );
    }
    for req in env.mock.requests_to(IMG_DIR) {
        if before.contains(&req.path) {
            continue;
        }
        let name = req.path.rsplit('/').next().unwrap_or_default();
        let id: u64 = name
            .split('_')
            .next()
            .unwrap_or_default()
            .parse()
            .unwrap_or(0);
        assert!(
            got.contains(&id),
            "{flags:?}: image of unselected work {id} asked for"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_selection_flag_applies_before_any_image_request() {
    let env = Env::start().await;
    select(&env, &["--type", "manga"], |id, _| data::is_manga(id)).await;
    select(&env, &["--type", "illust"], |id, _| {
        data::illust_type(id) == "illust"
    })
    .await;
    select(&env, &["--type", "ugoira"], |id, _| data::is_ugoira(id)).await;
    select(&env, &["--no-r18"], |id, _| !data::is_r18(id)).await;
    select(&env, &["--r18-only"], |id, _| data::is_r18(id)).await;
    select(&env, &["--no-ai"], |_, i| i["illust_ai_type"] != 2).await;
    select(&env, &["--ai-only"], |_, i| i["illust_ai_type"] == 2).await;
    select(&env, &["--min-bookmarks", "500"], |_, i| {
        i["total_bookmarks"].as_u64().unwrap_or(0) >= 500
    })
    .await;
    let tag = data::tags(1999)[0].0;
    select(&env, &["--tag", tag], |id, _| {
        data::tags(id).iter().any(|(n, _)| *n == tag)
    })
    .await;
    // Translated names match too, whatever the case.
    select(&env, &["--tag", "CAT"], |id, _| {
        data::tags(id).iter().any(|(n, _)| *n == "猫")
    })
    .await;
    let date = data::create_date(1990)[..10].to_owned();
    select(&env, &["--since", &date], |id, _| {
        data::create_date(id)[..10] >= *date
    })
    .await;
    select(&env, &["--until", &date], |id, _| {
        data::create_date(id)[..10] <= *date
    })
    .await;
    // --limit counts works, and ends the walk: one page of the list was enough.
    let before = env.mock.requests_to("/v1/user/illusts").len();
    let out = download(&env, &["--limit", "3", "https://www.pixiv.net/users/7"]).await;
    assert_eq!(works(&out).len(), 3);
    assert_eq!(env.mock.requests_to("/v1/user/illusts").len(), before + 1);
    // Bad flag values are usage errors.
    let out = download(&env, &["--since", "yesterday", "12"]).await;
    assert_eq!(out.status.code(), Some(2));
    let out = download(&env, &["--no-ai", "--ai-only", "12"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_paginate_prints_every_page_as_json_lines() {
    let env = Env::start().await;
    let out = run(
        env.pixiv().args([
            "api",
            "get",
            "/v1/user/illusts",
            "--query",
            "user_id=2",
            "--query",
            "type=manga",
            "--paginate",
        ]),
        "",
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pages = json_lines(&out);
    let ids: Vec<u64> = pages
        .iter()
        .flat_map(|p| p["illusts"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["id"].as_u64())
        .collect();
    assert_eq!(ids, data::user_illust_ids(2, Some("manga")));
    assert_eq!(pages.len(), env.mock.requests_to("/v1/user/illusts").len());
    assert!(pages.len() > 1);
    assert!(pages.last().unwrap()["next_url"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_queue_across_works_with_lines_in_order() {
    let env = Env::start().await;
    let newest = data::user_illust_ids(2, None);
    // The first page is slow: the others go on meanwhile (one queue across works), yet the
    // lines come in the order of the works and their pages.
    env.mock.push_faults(
        pixiv_mock::RouteMatch::path(format!("{IMG_DIR}/{}_p0.png", newest[0])),
        [pixiv_mock::Fault::DelayHeaders(
            std::time::Duration::from_millis(300),
        )],
    );
    let out = download(
        &env,
        &["-j", "4", "--limit", "4", "https://www.pixiv.net/users/2"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let got: Vec<(u64, u64)> = json_lines(&out)
        .iter()
        .filter_map(|l| Some((l["work"].as_u64()?, l["page"].as_u64()?)))
        .collect();
    let want: Vec<(u64, u64)> = newest
        .iter()
        .take(4)
        .flat_map(|&id| (0..u64::from(data::page_count(id))).map(move |p| (id, p)))
        .collect();
    assert_eq!(got, want);
    // The slow page was asked for before the other works' pages were done: the later works did
    // not wait for the first one.
    let requests = env.mock.requests_to(IMG_DIR);
    let slow = requests
        .iter()
        .position(|r| r.path.ends_with(&format!("/{}_p0.png", newest[0])))
        .unwrap();
    assert!(
        slow < 4,
        "{:?}",
        requests.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let later_work = requests
        .iter()
        .position(|r| r.path.ends_with(&format!("/{}_p0.png", newest[3])));
    assert!(later_work.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_bookmarks_of_another_user_fail_clearly_without_a_list_request() {
    let env = Env::start().await;
    let out = download(
        &env,
        &["https://www.pixiv.net/users/5/bookmarks/artworks?rest=hide"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    // With --json the failure is a line of its own.
    let err = text(&out.stdout);
    assert!(
        err.contains("theirs only") && err.contains("\"failed\""),
        "{err}"
    );
    assert!(env.mock.requests_to("/v1/user/bookmarks").is_empty());
    assert!(env.mock.requests_to(IMG_DIR).is_empty());
}

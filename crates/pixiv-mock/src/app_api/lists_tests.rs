//! The discovery, user-list, bookmark-detail and series calls: shapes, paging, errors, and which
//! calls are served without a token.

use http::Method;
use serde_json::Value;

use super::testing::*;
use super::{AppApi, allows_anonymous};
use crate::{DEMO_USER_ID, data};

/// A user list: its path, its query, the users it must list.
type List<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u64>);

/// The user ids of every page of a user list.
fn user_ids(pages: &[Value]) -> Vec<u64> {
    pages
        .iter()
        .flat_map(|p| p["user_previews"].as_array().unwrap().clone())
        .map(|p| p["user"]["id"].as_u64().unwrap())
        .collect()
}

#[test]
fn user_lists_are_previews_shaped_as_pixivpy_s_model_and_page_by_offset() {
    let api = AppApi::new();
    let lists: [List<'_>; 7] = [
        (
            "/v1/user/following",
            vec![("user_id", "13")],
            data::following_ids(13, "public"),
        ),
        (
            "/v1/user/follower",
            vec![("user_id", "13")],
            data::follower_ids(13),
        ),
        (
            "/v1/user/mypixiv",
            vec![("user_id", "13")],
            data::mypixiv_ids(13),
        ),
        (
            "/v2/user/list",
            vec![("user_id", "13")],
            data::user_list_ids(13),
        ),
        (
            "/v1/user/related",
            vec![("seed_user_id", "13")],
            data::related_user_ids(13),
        ),
        (
            "/v1/user/recommended",
            vec![],
            data::recommended_user_ids(DEMO_USER_ID),
        ),
        (
            "/v1/search/user",
            vec![("word", "x")],
            data::search_user_ids("x"),
        ),
    ];
    for (path, query, expected) in lists {
        let (pages, _) = follow_pages(&api, path, &query);
        assert_eq!(user_ids(&pages), expected, "{path}");
        let p = &pages[0]["user_previews"][0];
        assert!(p["user"]["is_followed"].is_boolean(), "{path}: {p}");
        assert_eq!(p["user"]["is_accept_request"], false);
        let user = p["user"]["id"].as_u64().unwrap();
        let novels: Vec<u64> = crate::data_novel::user_novel_ids(user)
            .into_iter()
            .take(3)
            .collect();
        assert!(!novels.is_empty(), "{path}: user {user} has novels");
        let sent: Vec<u64> = p["novels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_u64().unwrap())
            .collect();
        assert_eq!(sent, novels);
        assert_eq!(p["is_muted"], false);
        let works = p["illusts"].as_array().unwrap();
        assert_eq!(works.len(), 3);
        works.iter().for_each(assert_illust_shape);
    }
}

#[test]
fn user_lists_refuse_what_pixiv_refuses() {
    let api = AppApi::new();
    for (path, query, status) in [
        ("/v1/user/following", &[("user_id", "0")][..], 400),
        (
            "/v1/user/following",
            &[("user_id", "1"), ("restrict", "all")][..],
            400,
        ),
        (
            "/v1/user/follower",
            &[("user_id", "99999999999999")][..],
            404,
        ),
        ("/v1/user/related", &[][..], 400),
        ("/v1/search/user", &[("word", " ")][..], 400),
        (
            "/v1/search/user",
            &[("word", "a"), ("sort", "best")][..],
            400,
        ),
        ("/v2/illust/follow", &[("restrict", "x")][..], 400),
    ] {
        let r = get(&api, path, query);
        assert_eq!(r.status, status, "{path} {query:?}: {}", r.body);
        assert_error_shape(&r.body);
    }
}

#[test]
fn recommended_new_trending_and_series() {
    let api = AppApi::new();
    let r = get(&api, "/v1/illust/recommended", &[]);
    assert_eq!(
        ids(&r.body),
        data::recommended_ids(DEMO_USER_ID, "illust")[..30]
    );
    assert_eq!(r.body["ranking_illusts"], serde_json::json!([]));
    assert_eq!(r.body["contest_exists"], false);
    let r = get(
        &api,
        "/v1/illust/recommended",
        &[
            ("include_ranking_illusts", "true"),
            ("content_type", "manga"),
        ],
    );
    assert_eq!(r.body["ranking_illusts"].as_array().unwrap().len(), 3);
    assert!(ids(&r.body).iter().all(|&i| data::is_manga(i)));
    assert_eq!(
        get(&api, "/v1/illust/recommended", &[("content_type", "novel")]).status,
        400
    );

    let (pages, queries) = follow_pages(&api, "/v1/illust/new", &[]);
    let all: Vec<u64> = pages.iter().flat_map(ids).collect();
    assert_eq!(all, data::new_ids("illust"));
    assert!(
        queries
            .iter()
            .all(|q| q.iter().any(|(k, _)| k == "max_illust_id"))
    );
    assert_eq!(
        get(&api, "/v1/illust/new", &[("max_illust_id", "x")]).status,
        400
    );

    let r = get(&api, "/v1/trending-tags/illust", &[]);
    let tags = r.body["trend_tags"].as_array().unwrap();
    assert_eq!(tags.len(), data::TAGS.len());
    for t in tags {
        let name = t["tag"].as_str().unwrap();
        assert_illust_shape(&t["illust"]);
        assert!(
            t["illust"]["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["name"] == name)
        );
    }

    let (pages, _) = follow_pages(&api, "/v1/illust/series", &[("illust_series_id", "37")]);
    let all: Vec<u64> = pages.iter().flat_map(ids).collect();
    assert_eq!(all, data::series_ids(37));
    let detail = &pages[0]["illust_series_detail"];
    assert_eq!(detail["series_work_count"], all.len());
    assert_eq!(
        pages[0]["illust_series_first_illust"]["id"],
        *all.last().unwrap()
    );
    assert_eq!(pages[1]["illusts"][0]["series"]["id"], 37);
    assert_eq!(
        get(&api, "/v1/illust/series", &[("illust_series_id", "0")]).status,
        400
    );
    let missing = get(
        &api,
        "/v1/illust/series",
        &[("illust_series_id", "9999999999999")],
    );
    assert_eq!(missing.status, 404);
}

#[test]
fn bookmark_detail_follows_the_bookmarks() {
    let api = AppApi::new();
    let generated = data::bookmark_ids(DEMO_USER_ID, "private")[0];
    let r = get(
        &api,
        "/v2/illust/bookmark/detail",
        &[("illust_id", &generated.to_string())],
    );
    let d = &r.body["bookmark_detail"];
    assert_eq!(
        (d["is_bookmarked"].clone(), d["restrict"].clone()),
        (true.into(), "private".into())
    );
    assert!(
        d["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["is_registered"] == false)
    );

    post(
        &api,
        "/v2/illust/bookmark/add",
        &[("illust_id", "13"), ("tags[]", "a b")],
    );
    let r = get(&api, "/v2/illust/bookmark/detail", &[("illust_id", "13")]);
    let d = &r.body["bookmark_detail"];
    assert_eq!(d["restrict"], "public");
    let registered: Vec<&str> = d["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["is_registered"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(registered, ["a", "b"]);
    let r = get(
        &api,
        "/v1/user/bookmark-tags/illust",
        &[("user_id", &DEMO_USER_ID.to_string())],
    );
    assert_eq!(
        r.body["bookmark_tags"][0],
        serde_json::json!({"name": "a", "count": 1})
    );
    assert_eq!(r.body["next_url"], Value::Null);
    assert_eq!(
        get(&api, "/v2/illust/bookmark/detail", &[("illust_id", "x")]).status,
        400
    );
}

#[test]
fn only_the_nologin_recommendations_are_served_without_a_token() {
    assert!(allows_anonymous(
        &Method::GET,
        "/v1/illust/recommended-nologin"
    ));
    assert!(!allows_anonymous(
        &Method::POST,
        "/v1/illust/recommended-nologin"
    ));
    for path in [
        "/v1/illust/detail",
        "/v1/illust/recommended",
        "/v2/illust/follow",
        "/v1/user/following",
    ] {
        assert!(!allows_anonymous(&Method::GET, path), "{path}");
    }
}

#[test]
fn the_ai_setting_reaches_search() {
    let api = AppApi::new();
    let show =
        |api: &AppApi| get(api, "/v1/search/illust", &[("word", "猫")]).body["show_ai"].clone();
    assert_eq!(show(&api), true);
    assert_eq!(
        post(
            &api,
            "/v1/user/ai-show-settings/edit",
            &[("show_ai", "false")]
        )
        .status,
        200
    );
    assert_eq!(show(&api), false);
    assert_eq!(
        post(&api, "/v1/user/ai-show-settings/edit", &[("show_ai", "no")]).status,
        400
    );
}

//! The discovery, user-list, follow, bookmark-detail and series endpoints on the wire: each
//! call's method, path and query (or form) from pixiv-mock's log, its answer typed, and its
//! pages followed to the end where it has several.

#![allow(clippy::unwrap_used)] // a panic is a failed test

mod common;

use std::future::IntoFuture as _;

use futures_util::TryStreamExt as _;
use pixiv::{Restrict, SearchDuration, SearchSort, UserIllustType};
use pixiv_mock::{DEMO_USER_ID, LoggedRequest, MockPixiv, data};

/// The App API requests since the last clear (all of them carried the Bearer), then clears.
fn calls(mock: &MockPixiv) -> Vec<LoggedRequest> {
    let api = common::api_requests(mock);
    assert!(!api.is_empty(), "a call was made");
    for call in &api {
        assert!(
            call.header("authorization")
                .is_some_and(|a| a.starts_with("Bearer ")),
            "{} gets the Bearer",
            call.path
        );
    }
    mock.clear_requests();
    api
}

/// A user-list request, awaited as its builders are.
type PreviewsFuture<'a> = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<pixiv::Page<pixiv::UserPreview>, pixiv::PixivError>>
            + Send
            + 'a,
    >,
>;

/// A user-list call: its path, the request, the query it must send, the users it must list.
type Case<'a> = (
    &'static str,
    PreviewsFuture<'a>,
    Vec<(&'static str, String)>,
    Vec<u64>,
);

async fn logged_in() -> (MockPixiv, pixiv::Client) {
    let mock = common::mock().await;
    let client = common::client(&mock);
    client.login().await.unwrap();
    mock.clear_requests();
    (mock, client)
}

#[tokio::test]
async fn recommended_new_and_trending() {
    let (mock, client) = logged_in().await;

    let page = client
        .illust_recommended()
        .include_ranking_illusts(true)
        .viewed(&[1, 2])
        .await
        .unwrap();
    let call = &calls(&mock)[0];
    assert_eq!(call.path, "/v1/illust/recommended");
    assert_eq!(
        common::query(call),
        [
            ("content_type", "illust"),
            ("include_ranking_label", "true"),
            ("filter", "for_ios"),
            ("include_ranking_illusts", "true"),
            ("viewed[]", "1"),
            ("viewed[]", "2"),
        ]
    );
    let all: Vec<u64> = page
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, data::recommended_ids(DEMO_USER_ID, "illust"));
    mock.clear_requests();

    let manga = client
        .illust_new()
        .content_type(UserIllustType::Manga)
        .await
        .unwrap();
    assert_eq!(
        common::query(&calls(&mock)[0]),
        [("content_type", "manga"), ("filter", "for_ios")]
    );
    let all: Vec<u64> = manga
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, data::new_ids("manga"));
    let paged = calls(&mock);
    assert_eq!(paged.len(), 2, "two more pages");
    assert!(paged[0].query.iter().any(|(k, _)| k == "max_illust_id"));

    let newest = data::new_ids("illust");
    let from = client.illust_new().max_illust_id(newest[30]).await.unwrap();
    assert_eq!(from.items[0].id, newest[30]);
    mock.clear_requests();

    let tags = client.trending_tags_illust().await.unwrap();
    let call = &calls(&mock)[0];
    assert_eq!(call.path, "/v1/trending-tags/illust");
    assert_eq!(common::query(call), [("filter", "for_ios")]);
    assert_eq!(tags.len(), data::TAGS.len());
    assert_eq!(tags[0].tag, data::TAGS[0].0);
    assert_eq!(tags[0].translated_name.as_deref(), data::TAGS[0].1);
    assert!(tags[0].illust.tags.iter().any(|t| t.name == tags[0].tag));
}

#[tokio::test]
async fn user_lists_are_user_previews() {
    let (mock, client) = logged_in().await;
    let user = 13;

    let cases: Vec<Case<'_>> = vec![
        (
            "/v1/user/following",
            client
                .user_following(user)
                .restrict(Restrict::Private)
                .into_future(),
            vec![("user_id", "13".into()), ("restrict", "private".into())],
            data::following_ids(user, "private"),
        ),
        (
            "/v1/user/follower",
            client.user_follower(user).into_future(),
            vec![("user_id", "13".into()), ("filter", "for_ios".into())],
            data::follower_ids(user),
        ),
        (
            "/v1/user/mypixiv",
            client.user_mypixiv(user).into_future(),
            vec![("user_id", "13".into())],
            data::mypixiv_ids(user),
        ),
        (
            "/v2/user/list",
            client.user_list(user).into_future(),
            vec![("user_id", "13".into()), ("filter", "for_ios".into())],
            data::user_list_ids(user),
        ),
        (
            "/v1/user/related",
            client.user_related(user).into_future(),
            vec![
                ("filter", "for_ios".into()),
                ("offset", "0".into()),
                ("seed_user_id", "13".into()),
            ],
            data::related_user_ids(user),
        ),
        (
            "/v1/user/recommended",
            client.user_recommended().into_future(),
            vec![("filter", "for_ios".into())],
            data::recommended_user_ids(DEMO_USER_ID),
        ),
    ];
    for (path, request, query, expected) in cases {
        let page = request.await.unwrap();
        let call = &calls(&mock)[0];
        assert_eq!((call.method.as_str(), call.path.as_str()), ("GET", path));
        let sent: Vec<(&str, String)> = call
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        assert_eq!(sent, query, "{path}");
        let first = &page.items[0];
        assert!(!first.user.name.is_empty(), "{path}");
        assert_eq!(first.illusts.len(), 3, "{path}: three works per preview");
        let all: Vec<u64> = page
            .into_stream()
            .map_ok(|p| p.user.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all, expected, "{path}");
        mock.clear_requests();
    }

    let found = client
        .search_user("pixiv")
        .sort(SearchSort::DateAsc)
        .duration(SearchDuration::WithinLastWeek)
        .offset(30)
        .await
        .unwrap();
    assert_eq!(
        common::query(&calls(&mock)[0]),
        [
            ("word", "pixiv"),
            ("sort", "date_asc"),
            ("filter", "for_ios"),
            ("duration", "within_last_week"),
            ("offset", "30"),
        ]
    );
    let ids: Vec<u64> = found.items.iter().map(|p| p.user.id).collect();
    assert_eq!(ids, data::search_user_ids("pixiv")[30..]);
}

#[tokio::test]
async fn follows_feed_and_actions() {
    let (mock, client) = logged_in().await;

    client
        .user_follow_add(424_242)
        .restrict(Restrict::Private)
        .await
        .unwrap();
    let call = &calls(&mock)[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/v1/user/follow/add")
    );
    assert_eq!(
        call.form(),
        common::pairs(&[("user_id", "424242"), ("restrict", "private")])
    );

    let following = client
        .user_following(DEMO_USER_ID)
        .restrict(Restrict::Private)
        .await
        .unwrap();
    assert_eq!(following.items[0].user.id, 424_242);
    assert_eq!(following.items[0].user.is_followed, Some(true));
    mock.clear_requests();

    let feed = client
        .illust_follow()
        .restrict(Restrict::Private)
        .await
        .unwrap();
    assert_eq!(common::query(&calls(&mock)[0]), [("restrict", "private")]);
    let newest = data::user_illust_ids(424_242, None)[0];
    let all: Vec<u64> = feed
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert!(all.contains(&newest));
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");
    mock.clear_requests();

    client.user_follow_delete(424_242).await.unwrap();
    let call = &calls(&mock)[0];
    assert_eq!(call.path, "/v1/user/follow/delete");
    assert_eq!(call.form(), common::pairs(&[("user_id", "424242")]));

    client.user_edit_ai_show_settings(false).await.unwrap();
    let call = &calls(&mock)[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/v1/user/ai-show-settings/edit")
    );
    assert_eq!(call.form(), common::pairs(&[("show_ai", "false")]));
    let raw: serde_json::Value = client
        .get("/v1/search/illust", &[("word", "猫")])
        .await
        .unwrap();
    assert_eq!(raw["show_ai"], false, "the setting reached the search");
}

#[tokio::test]
async fn bookmark_detail_and_tags() {
    let (mock, client) = logged_in().await;

    client
        .illust_bookmark_add(13)
        .restrict(Restrict::Private)
        .tags(&["mine", "猫"])
        .await
        .unwrap();
    mock.clear_requests();

    let detail = client.illust_bookmark_detail(13).await.unwrap();
    let call = &calls(&mock)[0];
    assert_eq!(call.path, "/v2/illust/bookmark/detail");
    assert_eq!(common::query(call), [("illust_id", "13")]);
    assert!(detail.is_bookmarked);
    assert_eq!(detail.restrict, "private");
    let registered: Vec<&str> = detail
        .tags
        .iter()
        .filter(|t| t.is_registered)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(registered, ["mine", "猫"]);

    let tags = client
        .user_bookmark_tags_illust(DEMO_USER_ID)
        .restrict(Restrict::Private)
        .await
        .unwrap();
    assert_eq!(
        common::query(&calls(&mock)[0]),
        [
            ("user_id", &*DEMO_USER_ID.to_string()),
            ("restrict", "private")
        ]
    );
    assert_eq!(
        (tags.items[0].name.as_str(), tags.items[0].count),
        ("mine", 1)
    );

    client.illust_bookmark_delete(13).await.unwrap();
    mock.clear_requests();
    assert!(
        !client
            .illust_bookmark_detail(13)
            .await
            .unwrap()
            .is_bookmarked
    );
}

#[tokio::test]
async fn manga_series_pages_and_names_its_first_work() {
    let (mock, client) = logged_in().await;
    // Series 37 has 3 + 37 % 40 = 40 works: two pages.
    let series = client.illust_series(37).await.unwrap();
    let call = &calls(&mock)[0];
    assert_eq!(call.path, "/v1/illust/series");
    assert_eq!(
        common::query(call),
        [("illust_series_id", "37"), ("filter", "for_ios")]
    );
    let expected = data::series_ids(37);
    assert!(expected.len() > 30, "two pages: {}", expected.len());
    assert_eq!(series.detail.id, 37);
    assert_eq!(series.detail.series_work_count as usize, expected.len());
    assert_eq!(series.detail.user.id, 37);
    assert_eq!(
        series.first_illust.as_ref().map(|i| i.id),
        expected.last().copied()
    );
    assert!(series.illusts.items.iter().all(|i| i.series.is_some()));
    let all: Vec<u64> = series
        .illusts
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, expected);

    let err = client.illust_series(0).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
}

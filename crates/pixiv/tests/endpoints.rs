//! Every endpoint's request on the wire (method, path, query, form) from pixiv-mock's log, and
//! its answer typed.

mod common;

use pixiv::{
    IllustType, RankingMode, Restrict, SearchDuration, SearchSort, SearchTarget, UserIllustType,
};
use pixiv_mock::{DEMO_USER_ID, LoggedRequest, MockPixiv};
use time::macros::date;

/// The single App API request made since the last clear.
#[allow(clippy::unwrap_used)] // a test helper: a panic is a failed test
fn only_call(mock: &MockPixiv) -> LoggedRequest {
    let api = common::api_requests(mock);
    assert_eq!(api.len(), 1, "{api:?}");
    let call = api.into_iter().next().unwrap();
    assert!(
        call.header("authorization")
            .is_some_and(|a| a.starts_with("Bearer ")),
        "the App API gets the Bearer"
    );
    mock.clear_requests();
    call
}

#[allow(clippy::unwrap_used)] // a test helper: a panic is a failed test
async fn logged_in() -> (MockPixiv, pixiv::Client) {
    let mock = common::mock().await;
    let client = common::client(&mock);
    client.login().await.unwrap();
    mock.clear_requests();
    (mock, client)
}

#[tokio::test]
async fn illust_detail_related_and_ugoira() {
    let (mock, client) = logged_in().await;

    let illust = client.illust_detail(12).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("GET", "/v1/illust/detail")
    );
    assert_eq!(common::query(&call), [("illust_id", "12")]);
    assert_eq!(illust.id, 12);
    assert_eq!(illust.kind, IllustType::Manga);
    assert_eq!(
        illust.original_urls(),
        pixiv_mock::data::original_urls(12, &mock.base_url())
    );

    let related = client.illust_related(13).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v2/illust/related");
    assert_eq!(
        common::query(&call),
        [("illust_id", "13"), ("filter", "for_ios")]
    );
    assert_eq!(related.items.len(), 30);
    assert!(related.next_url.is_some());

    let ugoira = client.ugoira_metadata(14).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/ugoira/metadata");
    assert_eq!(common::query(&call), [("illust_id", "14")]);
    assert_eq!(ugoira.frames.len(), 22);
    assert_eq!(ugoira.frames[0].file, "000000.jpg");
    assert!(
        ugoira
            .zip_urls
            .medium
            .unwrap()
            .ends_with("14_ugoira600x600.zip")
    );
}

#[tokio::test]
async fn user_detail_illusts_and_bookmarks() {
    let (mock, client) = logged_in().await;

    let detail = client.user_detail(13).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/user/detail");
    assert_eq!(
        common::query(&call),
        [("user_id", "13"), ("filter", "for_ios")]
    );
    assert_eq!(detail.user.id, 13);
    assert_eq!(detail.profile.total_illusts, 150);
    assert!(detail.user.comment.is_some());

    let page = client.user_illusts(13).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/user/illusts");
    assert_eq!(
        common::query(&call),
        [("user_id", "13"), ("filter", "for_ios"), ("type", "illust")]
    );
    assert!(page.items.iter().all(|i| i.kind != IllustType::Manga));

    let page = client
        .user_illusts(13)
        .kind(UserIllustType::Manga)
        .offset(30)
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(
        common::query(&call),
        [
            ("user_id", "13"),
            ("filter", "for_ios"),
            ("type", "manga"),
            ("offset", "30")
        ]
    );
    assert!(page.items.iter().all(|i| i.kind == IllustType::Manga));

    let me = DEMO_USER_ID.to_string();
    let page = client.user_bookmarks_illust(DEMO_USER_ID).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/user/bookmarks/illust");
    assert_eq!(
        common::query(&call),
        [
            ("user_id", me.as_str()),
            ("restrict", "public"),
            ("filter", "for_ios")
        ]
    );
    assert_eq!(page.items.len(), 30);

    client
        .user_bookmarks_illust(DEMO_USER_ID)
        .restrict(Restrict::Private)
        .max_bookmark_id(99)
        .tag("猫")
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(
        common::query(&call),
        [
            ("user_id", me.as_str()),
            ("restrict", "private"),
            ("filter", "for_ios"),
            ("max_bookmark_id", "99"),
            ("tag", "猫"),
        ]
    );
}

#[tokio::test]
async fn ranking_with_mode_and_date() {
    let (mock, client) = logged_in().await;

    let page = client.illust_ranking(RankingMode::Day).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/illust/ranking");
    assert_eq!(
        common::query(&call),
        [("mode", "day"), ("filter", "for_ios")]
    );
    let ids: Vec<u64> = page.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, pixiv_mock::data::ranking_ids("day", "")[..30]);

    let page = client
        .illust_ranking(RankingMode::WeekR18)
        .date(date!(2024 - 05 - 01))
        .offset(60)
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(
        common::query(&call),
        [
            ("mode", "week_r18"),
            ("filter", "for_ios"),
            ("date", "2024-05-01"),
            ("offset", "60")
        ]
    );
    assert!(page.items.iter().all(|i| i.x_restrict == 1));

    // Every mode this crate names is one the mock (PixivPy's list) accepts.
    let ours: Vec<&str> = RankingMode::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(ours, pixiv_mock::data::RANKING_MODES);
}

#[tokio::test]
async fn search_with_every_option() {
    let (mock, client) = logged_in().await;

    let page = client.search_illust("猫").await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/search/illust");
    assert_eq!(
        common::query(&call),
        [
            ("word", "猫"),
            ("search_target", "partial_match_for_tags"),
            ("sort", "date_desc"),
            ("filter", "for_ios"),
        ]
    );
    assert!(!page.items.is_empty());

    client
        .search_illust("sky")
        .target(SearchTarget::ExactMatchForTags)
        .sort(SearchSort::PopularDesc)
        .duration(SearchDuration::WithinLastMonth)
        .start_date(date!(2024 - 01 - 01))
        .end_date(date!(2024 - 12 - 31))
        .offset(30)
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(
        common::query(&call),
        [
            ("word", "sky"),
            ("search_target", "exact_match_for_tags"),
            ("sort", "popular_desc"),
            ("filter", "for_ios"),
            ("duration", "within_last_month"),
            ("start_date", "2024-01-01"),
            ("end_date", "2024-12-31"),
            ("offset", "30"),
        ]
    );
}

#[tokio::test]
async fn bookmarks_and_follows_change_what_the_api_shows() {
    let (mock, client) = logged_in().await;

    client
        .illust_bookmark_add(12)
        .restrict(Restrict::Private)
        .tags(&["a", "b"])
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/v2/illust/bookmark/add")
    );
    assert!(call.query.is_empty());
    assert_eq!(
        call.form(),
        common::pairs(&[
            ("illust_id", "12"),
            ("restrict", "private"),
            ("tags[]", "a"),
            ("tags[]", "b"),
        ])
    );
    assert!(client.illust_detail(12).await.unwrap().is_bookmarked);
    mock.clear_requests();

    client.illust_bookmark_delete(12).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/v1/illust/bookmark/delete")
    );
    assert_eq!(call.form(), common::pairs(&[("illust_id", "12")]));
    assert!(!client.illust_detail(12).await.unwrap().is_bookmarked);
    mock.clear_requests();

    client.user_follow_add(13).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/v1/user/follow/add")
    );
    assert_eq!(
        call.form(),
        common::pairs(&[("user_id", "13"), ("restrict", "public")])
    );
    assert_eq!(
        client.user_detail(13).await.unwrap().user.is_followed,
        Some(true)
    );
    mock.clear_requests();

    client.user_follow_delete(13).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/user/follow/delete");
    assert_eq!(call.form(), common::pairs(&[("user_id", "13")]));
    assert_eq!(
        client.user_detail(13).await.unwrap().user.is_followed,
        Some(false)
    );
}

#[tokio::test]
async fn raw_calls_and_typed_errors() {
    let (mock, client) = logged_in().await;

    let v: serde_json::Value = client
        .get("/v1/illust/detail", &[("illust_id", "5")])
        .await
        .unwrap();
    assert_eq!(v["illust"]["id"], 5);
    let call = only_call(&mock);
    assert_eq!(common::query(&call), [("illust_id", "5")]);

    // An absolute URL on another host keeps only its path: the configured base gets it.
    let v: serde_json::Value = client
        .get(
            "https://app-api.pixiv.net/v1/illust/detail",
            &[("illust_id", "6")],
        )
        .await
        .unwrap();
    assert_eq!(v["illust"]["id"], 6);
    only_call(&mock);

    let _: serde::de::IgnoredAny = client
        .post("/v1/user/follow/add", &[("user_id", "14")])
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(call.form(), common::pairs(&[("user_id", "14")]));

    // A missing work: a typed 404 carrying Pixiv's message.
    let err = client.illust_detail(2_000_000_000_000).await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    assert!(matches!(err, pixiv::PixivError::Http { .. }), "{err:?}");
    // The wrong method on a known path: 405.
    let err = client
        .delete::<serde_json::Value>("/v1/illust/detail", &[("illust_id", "1")])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::METHOD_NOT_ALLOWED));
}

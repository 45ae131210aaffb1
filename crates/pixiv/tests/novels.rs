//! Novels, comments, the novel viewer page and the web host's showcase article, on the wire against
//! pixiv-mock: every request's method, path and query from the mock's log, every answer typed and
//! compared with `pixiv_mock::data_novel`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test's panic is a failed assertion

mod common;

use futures_util::TryStreamExt as _;
use pixiv::{FollowRestrict, NovelSearchTarget, Restrict, SearchSort};
use pixiv_mock::data_novel as data;
use pixiv_mock::{DEMO_USER_ID, Fault, LoggedRequest, MockPixiv, RouteMatch};
use time::macros::date;

/// The requests since the last clear, OAuth left out; clears the log.
fn calls(mock: &MockPixiv) -> Vec<LoggedRequest> {
    let calls: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path != "/auth/token")
        .collect();
    mock.clear_requests();
    calls
}

/// The single request since the last clear, which must carry the Bearer.
fn only_call(mock: &MockPixiv) -> LoggedRequest {
    let mut calls = calls(mock);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = calls.remove(0);
    assert!(
        call.header("authorization")
            .is_some_and(|a| a.starts_with("Bearer ")),
        "the App API gets the Bearer"
    );
    call
}

async fn logged_in() -> (MockPixiv, pixiv::Client) {
    let mock = common::mock().await;
    let client = common::client(&mock);
    client.login().await.unwrap();
    mock.clear_requests();
    (mock, client)
}

#[tokio::test]
async fn novel_detail_and_user_novels() {
    let (mock, client) = logged_in().await;
    let base = mock.base_url();

    let novel = client.novel_detail(101).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("GET", "/v2/novel/detail")
    );
    assert_eq!(common::query(&call), [("novel_id", "101")]);
    let expected = data::novel(101, &base);
    assert_eq!(
        serde_json::to_value(&novel).unwrap()["title"],
        expected["title"]
    );
    assert_eq!(novel.series.as_ref().map(|s| s.id), Some(1));
    assert_eq!(novel.page_count, data::PAGE_COUNT);
    assert_eq!(novel.text_length, data::text(101).chars().count() as u64);
    assert_eq!(novel.tags[0].name, expected["tags"][0]["name"]);
    assert!(novel.tags[0].added_by_uploaded_user);
    assert_eq!(novel.user.id, 1);
    assert_eq!(novel.total_comments, data::comment_count(101));
    assert_eq!(novel.user.is_followed, Some(false));
    // The session's follows show in the novels' authors (a raw call: the follow methods are the
    // illust half's).
    let _: serde_json::Value = client
        .post(
            "/v1/user/follow/add",
            &[("user_id", "1"), ("restrict", "public")],
        )
        .await
        .unwrap();
    let followed = client.novel_detail(101).await.unwrap();
    assert_eq!(followed.user.is_followed, Some(true));
    // `{}` for no series parses to None.
    assert!(client.novel_detail(176).await.unwrap().series.is_none());
    mock.clear_requests();

    // PixivPy's req_auth=False: no Authorization; the mock, as Pixiv, refuses the novel then.
    let err = client.novel_detail(101).without_auth().await.unwrap_err();
    let mut sent = calls(&mock);
    assert_eq!(sent.len(), 1);
    assert!(sent.remove(0).header("authorization").is_none());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));

    let err = client.novel_detail(0).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    mock.clear_requests();

    let page = client.user_novels(7).offset(30).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/user/novels");
    assert_eq!(
        common::query(&call),
        [("user_id", "7"), ("filter", "for_ios"), ("offset", "30")]
    );
    let ids: Vec<u64> = page.items.iter().map(|n| n.id).collect();
    assert_eq!(ids, data::user_novel_ids(7)[30..60]);
    let all: Vec<_> = client
        .user_novels(7)
        .await
        .unwrap()
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), data::USER_NOVELS_LISTED);
}

#[tokio::test]
async fn novel_series_pages_with_last_order() {
    let (mock, client) = logged_in().await;

    let series = client.novel_series(1).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v2/novel/series");
    assert_eq!(
        common::query(&call),
        [("series_id", "1"), ("filter", "for_ios")]
    );
    assert_eq!(series.detail.id, 1);
    assert_eq!(series.detail.content_count, data::SERIES_LEN);
    assert_eq!(series.detail.user.id, 1);
    assert_eq!(series.first_novel.as_ref().map(|n| n.id), Some(101));
    assert_eq!(series.latest_novel.as_ref().map(|n| n.id), Some(175));
    let next = series.novels.next_url.clone().unwrap();
    assert!(next.contains("last_order=30"), "{next}");

    let all: Vec<u64> = series
        .novels
        .into_stream()
        .map_ok(|n| n.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, data::series_novel_ids(1));
    let pages = calls(&mock);
    assert_eq!(pages.len(), 2);
    assert!(
        common::query(&pages[1]).contains(&("last_order", "60")),
        "{:?}",
        pages[1].query
    );

    let later = client.novel_series(1).last_order(60).await.unwrap();
    assert_eq!(later.novels.items.len(), 15);
    assert!(later.novels.next_url.is_none());
    assert!(client.novel_series(0).await.is_err());
}

#[tokio::test]
async fn bookmarked_novels_restrict_tag_and_detail() {
    let (mock, client) = logged_in().await;
    let me = DEMO_USER_ID;

    let page = client.user_bookmarks_novel(me).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/user/bookmarks/novel");
    assert_eq!(
        common::query(&call),
        [
            ("user_id", me.to_string().as_str()),
            ("restrict", "public"),
            ("filter", "for_ios")
        ]
    );
    let public = data::bookmarks(me, "public");
    assert_eq!(page.items[0].id, public[0].0);
    assert!(page.items.iter().all(|n| n.is_bookmarked));
    assert!(
        page.next_url
            .as_deref()
            .unwrap()
            .contains("max_bookmark_id=")
    );
    let all: Vec<_> = page.into_stream().try_collect().await.unwrap();
    assert_eq!(all.len(), data::GENERATED_NOVEL_BOOKMARKS);
    mock.clear_requests();

    let private = data::bookmarks(me, "private");
    let tag = data::bookmark_tags(private[0].0)[0];
    let tagged = client
        .user_bookmarks_novel(me)
        .restrict(Restrict::Private)
        .max_bookmark_id(private[0].1)
        .tag(tag)
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(
        common::query(&call),
        [
            ("user_id", me.to_string().as_str()),
            ("restrict", "private"),
            ("filter", "for_ios"),
            ("max_bookmark_id", private[0].1.to_string().as_str()),
            ("tag", tag),
        ]
    );
    assert!(!tagged.items.is_empty());
    assert!(
        tagged
            .items
            .iter()
            .all(|n| data::bookmark_tags(n.id).contains(&tag))
    );

    let detail = client.novel_bookmark_detail(private[0].0).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v2/novel/bookmark/detail");
    assert_eq!(
        common::query(&call),
        [("novel_id", private[0].0.to_string().as_str())]
    );
    assert!(detail.is_bookmarked);
    assert_eq!(detail.restrict, "private");
    assert_eq!(detail.registered_tags(), data::bookmark_tags(private[0].0));
}

#[tokio::test]
async fn search_new_follow_and_recommended() {
    let (mock, client) = logged_in().await;

    let page = client
        .search_novel("猫 sky")
        .target(NovelSearchTarget::Text)
        .sort(SearchSort::DateAsc)
        .merge_plain_keyword_results(false)
        .start_date(date!(2024 - 01 - 01))
        .end_date(date!(2024 - 12 - 31))
        .search_ai_type(false)
        .offset(30)
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/search/novel");
    assert_eq!(
        common::query(&call),
        [
            ("word", "猫 sky"),
            ("search_target", "text"),
            ("merge_plain_keyword_results", "false"),
            ("include_translated_tag_results", "true"),
            ("sort", "date_asc"),
            ("start_date", "2024-01-01"),
            ("end_date", "2024-12-31"),
            ("search_ai_type", "0"),
            ("offset", "30"),
        ]
    );
    assert_eq!(page.items.len(), 30);
    let rest: Vec<_> = page.into_stream().try_collect().await.unwrap();
    assert_eq!(rest.len(), data::LIST_LEN - 30);
    mock.clear_requests();

    let new = client.novel_new().await.unwrap();
    let call = only_call(&mock);
    assert_eq!(
        (call.path.as_str(), common::query(&call)),
        ("/v1/novel/new", vec![("filter", "for_ios")])
    );
    let next = new.next_url.clone().unwrap();
    let last = new.items.last().unwrap().id;
    assert!(
        next.contains(&format!("max_novel_id={}", last - 1)),
        "{next}"
    );
    let all: Vec<_> = new.into_stream().try_collect().await.unwrap();
    assert_eq!(all.len(), data::LIST_LEN);
    mock.clear_requests();
    let _ = client.novel_new().max_novel_id(999_000).await.unwrap();
    assert_eq!(
        common::query(&only_call(&mock)),
        [("filter", "for_ios"), ("max_novel_id", "999000")]
    );

    let follow = client
        .novel_follow()
        .restrict(FollowRestrict::All)
        .offset(60)
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/novel/follow");
    assert_eq!(
        common::query(&call),
        [("restrict", "all"), ("offset", "60")]
    );
    assert_eq!(follow.items.len(), 30);
    assert!(follow.next_url.is_none());

    let rec = client
        .novel_recommended()
        .include_ranking_novels(true)
        .max_bookmark_id_for_recommend(99)
        .already_recommended([1, 2])
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/novel/recommended");
    assert_eq!(
        common::query(&call),
        [
            ("include_ranking_label", "true"),
            ("filter", "for_ios"),
            ("include_ranking_novels", "true"),
            ("max_bookmark_id_for_recommend", "99"),
            ("already_recommended", "1,2"),
        ]
    );
    let next = rec.next_url.clone().unwrap();
    assert!(next.contains("already_recommended="), "{next}");
    let all: Vec<_> = rec.into_stream().try_collect().await.unwrap();
    assert_eq!(all.len(), data::LIST_LEN);
}

#[tokio::test]
async fn comments_v1_v3_and_replies_of_works_and_novels() {
    let (mock, client) = logged_in().await;

    // Work 40: 45 top-level comments; v1 lists their replies after them.
    let v1: Vec<_> = client
        .illust_comments(40)
        .include_total_comments(true)
        .await
        .unwrap()
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let first = calls(&mock).remove(0);
    assert_eq!(first.path, "/v1/illust/comments");
    assert_eq!(
        common::query(&first),
        [("illust_id", "40"), ("include_total_comments", "true")]
    );
    let replies_total: u64 = (1..=45).map(data::reply_count).sum();
    assert_eq!(v1.len() as u64, 45 + replies_total);
    let reply = v1.iter().find(|c| c.parent_comment.is_some()).unwrap();
    let parent = reply.parent_comment.as_ref().unwrap();
    assert_eq!(data::comment_of(parent.id).map(|(w, _)| w), Some(40));
    assert!(v1[0].user.is_some());

    let v3: Vec<_> = client
        .illust_comments_v3(40)
        .await
        .unwrap()
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(v3.len(), 45);
    assert!(v3.iter().any(|c| c.stamp.is_some() && c.comment.is_empty()));
    let calls_v3 = calls(&mock);
    assert_eq!(calls_v3.len(), 2, "two pages of 30");
    assert_eq!(calls_v3[0].path, "/v3/illust/comments");
    let with_replies = v3.iter().find(|c| c.has_replies == Some(true)).unwrap();
    let (_, n) = data::comment_of(with_replies.id).unwrap();
    let replies = client
        .illust_comment_replies(with_replies.id)
        .await
        .unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v2/illust/comment/replies");
    assert_eq!(
        common::query(&call),
        [("comment_id", with_replies.id.to_string().as_str())]
    );
    assert_eq!(replies.items.len() as u64, data::reply_count(n));

    let novel = client.novel_comments(12).offset(5).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/v1/novel/comments");
    assert_eq!(common::query(&call), [("novel_id", "12"), ("offset", "5")]);
    assert!(!novel.items.is_empty());
    let novel_v3 = client.novel_comments_v3(12).await.unwrap();
    assert_eq!(only_call(&mock).path, "/v3/novel/comments");
    assert_eq!(novel_v3.items.len() as u64, data::comment_count(12));
    let c = novel_v3
        .items
        .iter()
        .find(|c| c.has_replies == Some(true))
        .unwrap();
    let r = client.novel_comment_replies(c.id).await.unwrap();
    assert_eq!(only_call(&mock).path, "/v2/novel/comment/replies");
    assert!(!r.items.is_empty());
    assert!(client.novel_comment_replies(12_999).await.is_err());
}

#[tokio::test]
async fn webview_novel_reads_the_embedded_json() {
    let (mock, client) = logged_in().await;

    let novel = client.webview_novel(101).await.unwrap();
    let call = only_call(&mock);
    assert_eq!(call.path, "/webview/v2/novel");
    assert_eq!(
        common::query(&call),
        [("id", "101"), ("viewer_version", "20221031_ai")]
    );
    assert_eq!(novel.id, 101);
    assert_eq!(novel.user_id, 1);
    assert_eq!(novel.series_id, Some(1));
    assert_eq!(novel.text, data::text(101));
    let pages = novel.pages();
    assert_eq!(pages.len() as u32, data::PAGE_COUNT);
    assert!(pages[0].contains("[[rb:漢字 > かんじ]]"));
    let work = data::embedded_illust(101);
    assert_eq!(novel.illusts[&format!("{work}-1")].id, work);
    let image = data::uploaded_image(101);
    assert_eq!(novel.images[&image.to_string()].novel_image_id, image);
    assert!(
        novel.images[&image.to_string()]
            .urls
            .contains_key("original")
    );
    let nav = novel.series_navigation.as_ref().unwrap();
    assert_eq!(nav.next_novel.as_ref().map(|n| n.id), Some(102));
    assert!(nav.prev_novel.is_none());
    // A novel outside a series: no series fields.
    let lone = client.webview_novel(176).await.unwrap();
    assert!(lone.series_id.is_none() && lone.series_navigation.is_none());
    mock.clear_requests();

    let html = client.webview_novel_html(101).await.unwrap();
    assert!(html.contains("Object.defineProperty(window, 'pixiv'"));
    mock.clear_requests();

    // A missing novel is the App API's JSON error, not a page to parse.
    let err = client.webview_novel(0).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
}

#[tokio::test]
async fn webview_novel_refuses_a_page_past_its_cap() {
    let (mock, client) = logged_in().await;
    // 17 MiB of HTML, past the 16 MiB a text answer may have.
    let body = bytes::Bytes::from(vec![b'a'; 17 * 1024 * 1024]);
    mock.push_faults(
        RouteMatch::path("/webview/v2/novel"),
        [Fault::Raw {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body,
        }],
    );
    let err = client.webview_novel(101).await.unwrap_err();
    assert!(
        matches!(err, pixiv::PixivError::BodyTooLarge { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn webview_novel_says_what_changed_when_the_page_differs() {
    let (mock, client) = logged_in().await;
    let page = |body: &str| Fault::Raw {
        status: 200,
        headers: vec![("content-type".into(), "text/html".into())],
        body: bytes::Bytes::from(body.to_owned()),
    };
    let cases = [
        (
            "<html><body>maintenance</body></html>",
            "Object.defineProperty",
        ),
        (
            "<script>Object.defineProperty(window, 'pixiv', {value: {isOwnWork: false}})</script>",
            "no `novel:` key",
        ),
        (
            "<script>Object.defineProperty(window, 'pixiv', {value: {novel: {\"id\": \"1\", ,\n isOwnWork",
            "not JSON",
        ),
        (
            "<script>Object.defineProperty(window, 'pixiv', {value: {novel: {\"title\": \"t\"},\n isOwnWork: false}})",
            "lacks a field",
        ),
    ];
    for (body, says) in cases {
        mock.push_faults(RouteMatch::path("/webview/v2/novel"), [page(body)]);
        let err = client.webview_novel(101).await.unwrap_err();
        assert!(
            matches!(err, pixiv::PixivError::Decode { .. }),
            "{body}: {err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("webview_novel"), "{message}");
        assert!(message.contains(says), "{body}: {message}");
    }
}

#[tokio::test]
async fn showcase_article_goes_to_the_web_host_without_the_bearer() {
    let (mock, client) = logged_in().await;
    assert_eq!(pixiv::DEFAULT_WEB_BASE, "https://www.pixiv.net");
    assert_eq!(client.web_base().as_str(), format!("{}/", mock.base_url()));

    let article = client.showcase_article(5845).await.unwrap();
    let mut calls = calls(&mock);
    assert_eq!(calls.len(), 1);
    let call = calls.remove(0);
    assert_eq!(call.path, "/ajax/showcase/article");
    assert_eq!(common::query(&call), [("article_id", "5845")]);
    assert!(
        call.header("authorization").is_none(),
        "no Bearer to the web host"
    );
    assert!(call.header("referer").is_some());
    assert_eq!(article.id, 5845);
    assert_eq!(article.lang, "ja");
    assert_eq!(article.illusts.len(), 3);
    assert!(article.entry.contains_key("article_url"));

    let err = client
        .showcase_article(data::MAX_ARTICLE_ID + 1)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    // web_base on its own: the App API elsewhere, the web host here.
    let web_only = pixiv::Client::builder()
        .refresh_token("never used")
        .api_base("https://127.0.0.1:1")
        .oauth_base("https://127.0.0.1:1")
        .web_base(mock.base_url())
        .transport(|t| t.add_root_certificate_pem(mock.ca_pem()))
        .build()
        .unwrap();
    assert_eq!(web_only.showcase_article(7).await.unwrap().id, 7);
}

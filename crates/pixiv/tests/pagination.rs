//! Pagination: `next_url` followed to its end on the configured base, repeated keys re-sent,
//! early stops, errors, and a "Rate Limit" answer in the middle.

mod common;

use std::time::Duration;

use futures_util::{StreamExt as _, TryStreamExt as _};
use pixiv::{Page, PixivError, RankingMode};
use pixiv_mock::{Fault, RouteMatch};

#[tokio::test]
async fn five_pages_are_followed_and_the_stream_stops_at_a_null_next_url() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let first = client.user_illusts(13).await.unwrap();
    let all: Vec<u64> = client
        .paginate(first)
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, pixiv_mock::data::user_illust_ids(13, Some("illust")));

    let calls = mock.requests_to("/v1/user/illusts");
    assert_eq!(
        calls.len(),
        5,
        "five pages, no sixth call after the null next_url"
    );
    let offsets: Vec<Option<&str>> = calls.iter().map(|c| c.query_value("offset")).collect();
    assert_eq!(
        offsets,
        [None, Some("30"), Some("60"), Some("90"), Some("120")]
    );
    for c in &calls {
        assert_eq!(c.query_value("user_id"), Some("13"));
        assert_eq!(c.query_value("type"), Some("illust"));
        assert_eq!(c.query_value("filter"), Some("for_ios"));
        assert!(c.header("authorization").is_some());
    }
}

#[tokio::test]
async fn next_url_goes_to_the_configured_base_not_the_host_it_names() {
    let mock = common::mock().await;
    // The mock's next_url names 127.0.0.1; the client is told the App API is on localhost.
    let port = mock.addr().port();
    let client = common::builder(&mock)
        .api_base(format!("https://localhost:{port}"))
        .build()
        .unwrap();
    let page = client.illust_ranking(RankingMode::Day).await.unwrap();
    assert!(
        page.next_url
            .as_deref()
            .unwrap()
            .starts_with(&format!("https://127.0.0.1:{port}/")),
        "{:?}",
        page.next_url
    );
    let second = page.next_page().await.unwrap().unwrap();
    assert_eq!(second.items.len(), 30);
    let calls = mock.requests_to("/v1/illust/ranking");
    assert_eq!(calls.len(), 2);
    for c in &calls {
        assert_eq!(
            c.host.as_deref(),
            Some(format!("localhost:{port}").as_str())
        );
        assert_eq!(c.sni.as_deref(), Some("localhost"));
        assert!(c.header("authorization").is_some());
    }
    assert_eq!(calls[1].query_value("offset"), Some("30"));
}

#[tokio::test]
async fn list_keys_of_next_url_are_sent_again_as_pixiv_wrote_them() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let page = client.illust_related(13).await.unwrap();
    let ids: Vec<u64> = page
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, pixiv_mock::data::related_ids(13));

    let calls = mock.requests_to("/v2/illust/related");
    assert_eq!(calls.len(), 3);
    for (n, c) in calls.iter().enumerate().skip(1) {
        // Pixiv's indexed list keys (seed_illust_ids[0], viewed[0]..) come back as they were.
        let seeds: Vec<(&str, &str)> = c
            .query
            .iter()
            .filter(|(k, _)| k.starts_with("seed_illust_ids"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(seeds, [("seed_illust_ids[0]", "13")], "page {n}");
        let viewed: Vec<&str> = c
            .query
            .iter()
            .filter(|(k, _)| k.starts_with("viewed["))
            .map(|(k, _)| k.as_str())
            .collect();
        let expect: Vec<String> = (0..30 * n).map(|i| format!("viewed[{i}]")).collect();
        assert_eq!(viewed, expect, "page {n}");
        assert_eq!(c.query_value("illust_id"), Some("13"));
        // On the wire the brackets are percent-encoded.
        let raw = c.uri.query().unwrap();
        assert!(raw.contains("seed_illust_ids%5B0%5D=13"), "{raw}");
    }
}

#[tokio::test]
async fn a_caller_that_stops_early_causes_no_more_requests() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let page = client.illust_ranking(RankingMode::Week).await.unwrap();
    let some: Vec<_> = page.into_stream().take(31).try_collect().await.unwrap();
    assert_eq!(some.len(), 31);
    assert_eq!(mock.requests_to("/v1/illust/ranking").len(), 2);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_it_is_yielded() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let page = client.illust_ranking(RankingMode::Month).await.unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/ranking"),
        [Fault::Status(404)],
    );
    let results: Vec<Result<_, PixivError>> = page.into_stream().collect().await;
    assert_eq!(results.len(), 31);
    assert!(results[..30].iter().all(Result::is_ok));
    let err = results[30].as_ref().unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    assert_eq!(mock.requests_to("/v1/illust/ranking").len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_answer_mid_pagination_pauses_then_resumes() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let page = client.illust_ranking(RankingMode::Week).await.unwrap();
    mock.push_faults(
        RouteMatch::path_prefix("/v1/illust/ranking"),
        [Fault::RateLimitBody],
    );
    let ids: Vec<u64> = page
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, pixiv_mock::data::ranking_ids("week", ""));

    let calls = mock.requests_to("/v1/illust/ranking");
    assert_eq!(
        calls.len(),
        6,
        "five pages plus one replay of the limited one"
    );
    assert_eq!(calls[1].query_value("offset"), Some("30"));
    assert_eq!(
        calls[2].query_value("offset"),
        Some("30"),
        "the same page again"
    );
    let paused = calls[2].at - calls[1].at;
    let cooldown = pixiv::transport::ratelimit::DEFAULT_RATE_LIMIT_COOLDOWN;
    assert!(paused >= cooldown, "resumed after {paused:?}");
    assert!(paused < cooldown + Duration::from_secs(10), "{paused:?}");
    // After the pause the remaining pages come without waiting again.
    assert!(calls[5].at - calls[2].at < Duration::from_secs(1));
}

#[tokio::test]
async fn indexed_keys_of_next_url_are_sent_again_as_given_in_order() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    // Pixiv's related next_url: indexed keys, percent-encoded brackets for `viewed[n]`; the
    // seed written with bare brackets (both forms occur in the wild).
    let mut given = vec![
        ("filter".to_owned(), "for_ios".to_owned()),
        ("illust_id".to_owned(), "13".to_owned()),
        ("seed_illust_ids[0]".to_owned(), "501".to_owned()),
    ];
    let mut next = format!(
        "{}/v2/illust/related?filter=for_ios&illust_id=13&seed_illust_ids[0]=501",
        mock.base_url()
    );
    for n in 0..30 {
        next.push_str(&format!("&viewed%5B{n}%5D={}", 1000 + n));
        given.push((format!("viewed[{n}]"), (1000 + n).to_string()));
    }
    let raw = |body: serde_json::Value| Fault::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: serde_json::to_vec(&body).unwrap().into(),
    };
    mock.push_faults(
        RouteMatch::path("/v2/illust/related"),
        [
            raw(serde_json::json!({"illusts": [], "next_url": next})),
            raw(serde_json::json!({"illusts": [], "next_url": null})),
        ],
    );
    let first = client.illust_related(13).await.unwrap();
    let second = first.next_page().await.unwrap().unwrap();
    assert!(second.next_url.is_none());
    let calls = mock.requests_to("/v2/illust/related");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].query, given, "every key, as given, in order");
    let wire = calls[1].uri.query().unwrap();
    assert!(wire.contains("seed_illust_ids%5B0%5D=501"), "{wire}");
    assert!(wire.contains("viewed%5B29%5D=1029"), "{wire}");
}

#[tokio::test]
async fn from_value_pages_an_unmodelled_list_and_a_page_serializes_as_pixiv_sends_it() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let answer: serde_json::Value = client
        .get("/v1/user/illusts", &[("user_id", "13"), ("type", "illust")])
        .await
        .unwrap();
    let page: Page<serde_json::Value> =
        Page::from_value(&client, "illusts", answer.clone()).unwrap();
    assert_eq!(page.items.len(), 30);

    // Serialized in Pixiv's shape: the list under its key, and next_url.
    let shown = serde_json::to_value(&page).unwrap();
    assert_eq!(shown["illusts"], answer["illusts"]);
    assert_eq!(shown["next_url"], answer["next_url"]);
    assert_eq!(shown.as_object().unwrap().len(), 2);
    // ... so it reads back, typed this time.
    let typed: Page<pixiv::Illust> = Page::from_value(&client, "illusts", shown).unwrap();
    assert_eq!(typed.items[0].id, page.items[0]["id"].as_u64().unwrap());

    let ids: Vec<u64> = page
        .into_stream()
        .map_ok(|w| w["id"].as_u64().unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, pixiv_mock::data::user_illust_ids(13, Some("illust")));
    assert_eq!(mock.requests_to("/v1/user/illusts").len(), 5);

    // A key the answer does not have is an error, not an empty list.
    let err = Page::<serde_json::Value>::from_value(&client, "novels", answer).unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("\"novels\""), "{err}");
}

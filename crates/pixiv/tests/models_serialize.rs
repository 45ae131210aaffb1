//! Every model and `Page<T>` serializes, and what it writes parses back to the same value: an
//! application can save what the client returned (a cache, an archive's sidecar) and read it later.
//! The values come from pixiv-mock over the wire, so they carry every field the mock sends.

#![allow(clippy::unwrap_used)] // a panic is a failed test

mod common;

use std::fmt::Debug;

use pixiv::models::{Illust, Novel, NovelSeriesDetail};
use pixiv::{Client, Page};
use pixiv_mock::DEMO_USER_ID;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Serializes `value` and parses the JSON back into a `T` equal to it.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) -> serde_json::Value {
    let json = serde_json::to_value(value).unwrap();
    let back: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&back, value, "{json}");
    json
}

/// Serializes a page and reads it back with `Page::from_value` under `key`.
fn page_round_trip<T>(client: &Client, key: &str, page: &Page<T>)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug + Send + 'static,
{
    let json = serde_json::to_value(page).unwrap();
    assert!(json[key].is_array(), "{json}");
    let back: Page<T> = Page::from_value(client, key, json).unwrap();
    assert_eq!(back.items, page.items);
    assert_eq!(back.next_url, page.next_url);
    assert!(!page.items.is_empty(), "{key}: an empty page proves little");
}

#[tokio::test]
async fn every_model_and_page_serializes_and_parses_back() {
    let mock = common::mock().await;
    let client = common::client(&mock);

    round_trip(&client.illust_detail(12).await.unwrap());
    round_trip(&client.illust_detail(14).await.unwrap());
    round_trip(&client.ugoira_metadata(14).await.unwrap());
    round_trip(&client.user_detail(13).await.unwrap());
    round_trip(&client.illust_bookmark_detail(13).await.unwrap());
    round_trip(&client.novel_bookmark_detail(101).await.unwrap());
    round_trip(&client.trending_tags_illust().await.unwrap());
    round_trip(&client.novel_detail(101).await.unwrap());
    round_trip(&client.webview_novel(101).await.unwrap());
    round_trip(&client.showcase_article(1).await.unwrap());

    page_round_trip(&client, "illusts", &client.user_illusts(13).await.unwrap());
    page_round_trip(&client, "novels", &client.user_novels(13).await.unwrap());
    page_round_trip(
        &client,
        "comments",
        &client.illust_comments(40).await.unwrap(),
    );
    page_round_trip(
        &client,
        "user_previews",
        &client.user_following(DEMO_USER_ID).await.unwrap(),
    );
    page_round_trip(
        &client,
        "user_previews",
        &client.user_recommended().await.unwrap(),
    );
    page_round_trip(
        &client,
        "bookmark_tags",
        &client
            .user_bookmark_tags_illust(DEMO_USER_ID)
            .await
            .unwrap(),
    );

    // The series are the answer as Pixiv sent it: their parts parse back to the same values.
    let series = client.novel_series(1).await.unwrap();
    let json = serde_json::to_value(&series).unwrap();
    let detail: NovelSeriesDetail =
        serde_json::from_value(json["novel_series_detail"].clone()).unwrap();
    assert_eq!(detail, series.detail);
    let first: Novel = serde_json::from_value(json["novel_series_first_novel"].clone()).unwrap();
    assert_eq!(Some(first), series.first_novel);
    let latest: Novel = serde_json::from_value(json["novel_series_latest_novel"].clone()).unwrap();
    assert_eq!(Some(latest), series.latest_novel);
    let back: Page<Novel> = Page::from_value(&client, "novels", json).unwrap();
    assert_eq!(
        (back.items, back.next_url),
        (series.novels.items, series.novels.next_url)
    );

    let series = client.illust_series(37).await.unwrap();
    let json = serde_json::to_value(&series).unwrap();
    assert_eq!(
        serde_json::from_value::<pixiv::models::IllustSeriesDetail>(
            json["illust_series_detail"].clone()
        )
        .unwrap(),
        series.detail
    );
    let first: Option<Illust> =
        serde_json::from_value(json["illust_series_first_illust"].clone()).ok();
    assert_eq!(first, series.first_illust);
    let back: Page<Illust> = Page::from_value(&client, "illusts", json).unwrap();
    assert_eq!(
        (back.items, back.next_url),
        (series.illusts.items, series.illusts.next_url)
    );
}

#[tokio::test]
async fn user_previews_carry_typed_novels() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let page = client.user_following(DEMO_USER_ID).await.unwrap();
    let preview = &page.items[0];
    let user = preview.user.id;
    let ids: Vec<u64> = preview.novels.iter().map(|n: &Novel| n.id).collect();
    let newest: Vec<u64> = pixiv_mock::data_novel::user_novel_ids(user)
        .into_iter()
        .take(3)
        .collect();
    assert_eq!(ids, newest);
    assert!(preview.novels.iter().all(|n| n.user.id == user));
}

//! The models against pixiv-mock's JSON and against hand-written samples of the real shape
//! (`tests/fixtures/`, written from docs/protocol.md and PixivPy's models).

use pixiv::download::{DownloadOptions, is_not_viewable};
use pixiv::models::{
    AuthUser, Illust, IllustDetail, IllustType, UgoiraMetadataResponse, UserDetail,
};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The JSON with every `null` field of every object removed (a `None` serialises as absent).
fn without_nulls(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => m
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k, without_nulls(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        serde_json::Value::Array(a) => a.into_iter().map(without_nulls).collect(),
        other => other,
    }
}

#[test]
fn a_real_multi_page_manga_with_a_series_parses() {
    let detail: IllustDetail = serde_json::from_str(&fixture("illust_detail_manga.json")).unwrap();
    let i = &detail.illust;
    assert_eq!(i.id, 118_232_465);
    assert_eq!(i.kind, IllustType::Manga);
    assert_eq!(i.user.id, 23_456_789);
    assert_eq!(i.user.is_followed, Some(false));
    assert_eq!(i.user.extra["is_accept_request"], false);
    assert_eq!(i.tags.len(), 3);
    assert_eq!(i.tags[0].translated_name.as_deref(), Some("original"));
    assert_eq!(i.tags[2].translated_name, None);
    let series = i.series.as_ref().unwrap();
    assert_eq!(
        (series.id, series.title.as_str()),
        (231_845, "帰り道シリーズ")
    );
    assert_eq!(i.meta_single_page.original_image_url, None);
    assert_eq!(
        i.original_urls(),
        [
            "https://i.pximg.net/img-original/img/2024/05/03/18/00/12/118232465_p0.png",
            "https://i.pximg.net/img-original/img/2024/05/03/18/00/12/118232465_p1.png",
            "https://i.pximg.net/img-original/img/2024/05/03/18/00/12/118232465_p2.jpg",
        ]
    );
    assert_eq!(i.total_comments, Some(41));
    assert_eq!(i.illust_ai_type, 1);
    // Fields this crate does not type are kept, nulls included.
    assert_eq!(i.extra["illust_book_style"], 1);
    assert!(i.extra["seasonal_effect_animation_urls"].is_null());
    assert!(i.extra.contains_key("restriction_attributes"));
    let created = i.created_at().unwrap();
    assert_eq!(created.offset().whole_hours(), 9);
    assert_eq!(created.unix_timestamp(), 1_714_726_812);

    // What goes in comes out: a round trip keeps every field.
    let again: Illust = serde_json::from_value(serde_json::to_value(i).unwrap()).unwrap();
    assert_eq!(&again, i);
}

#[test]
fn a_ranking_page_with_a_hidden_work_and_an_unknown_kind_parses() {
    let mut page: serde_json::Value =
        serde_json::from_str(&fixture("ranking_page_restricted.json")).unwrap();
    let illusts: Vec<Illust> = serde_json::from_value(page["illusts"].take()).unwrap();
    assert_eq!(illusts.len(), 3);

    let single = &illusts[0];
    assert!(single.series.is_none());
    assert_eq!(
        single.original_urls(),
        ["https://i.pximg.net/img-original/img/2024/07/14/00/00/03/120000001_p0.jpg"]
    );
    assert!(single.is_bookmarked);
    assert_eq!(single.total_comments, None, "absent in lists");

    let hidden = &illusts[1];
    assert!(!hidden.visible);
    assert!(hidden.original_urls().is_empty());
    assert_eq!(
        hidden.image_urls.large.as_deref(),
        Some("https://s.pximg.net/common/images/limit_sanity_level_360.png")
    );

    let ugoira = &illusts[2];
    assert_eq!(ugoira.kind, IllustType::Ugoira);
    assert_eq!(ugoira.user.id, 333, "an id sent as a string");
    assert_eq!(ugoira.user.profile_image_urls.medium, None);
    assert_eq!(ugoira.extra["type_of_the_future"], "novel_like");

    let unknown: Illust = serde_json::from_value(serde_json::json!({
        "id": 1, "type": "novel", "user": {"id": 2}
    }))
    .unwrap();
    assert_eq!(unknown.kind, IllustType::Other("novel".to_owned()));
    assert_eq!(serde_json::to_value(&unknown).unwrap()["type"], "novel");
}

#[tokio::test]
async fn a_hidden_work_from_a_real_shaped_answer_is_not_viewable() {
    let mut page: serde_json::Value =
        serde_json::from_str(&fixture("ranking_page_restricted.json")).unwrap();
    let hidden: Illust = serde_json::from_value(page["illusts"][1].take()).unwrap();
    // No request is made for a hidden work, so no server is needed.
    let client = pixiv::Client::builder()
        .refresh_token("unused")
        .base_url("https://127.0.0.1:9")
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = client
        .download_illust(&hidden, dir.path(), &DownloadOptions::new())
        .await
        .unwrap_err();
    assert!(is_not_viewable(&err), "{err:?}");
    assert!(
        err.to_string()
            .contains("/common/images/limit_sanity_level_360.png"),
        "{err}"
    );
}

#[test]
fn a_real_user_detail_parses() {
    let d: UserDetail = serde_json::from_str(&fixture("user_detail.json")).unwrap();
    assert_eq!(d.user.id, 23_456_789);
    assert_eq!(d.user.is_followed, Some(true));
    assert!(d.user.comment.as_deref().unwrap().contains("イラスト"));
    assert_eq!(d.profile.total_illusts, 241);
    assert_eq!(d.profile.webpage, None);
    assert_eq!(d.profile.background_image_url, None);
    assert_eq!(
        d.profile.twitter_url.as_deref(),
        Some("https://twitter.com/example")
    );
    assert!(d.profile.is_premium);
    assert_eq!(d.profile.extra["country_code"], "JP");
    assert_eq!(d.profile_publicity["pawoo"], true);
    assert_eq!(d.workspace["tablet"], "Wacom Cintiq 16");
}

#[test]
fn real_ugoira_metadata_and_oauth_user_parse() {
    let u: UgoiraMetadataResponse = serde_json::from_str(&fixture("ugoira_metadata.json")).unwrap();
    let m = u.ugoira_metadata;
    assert_eq!(m.frames.len(), 3);
    assert_eq!(
        (m.frames[2].file.as_str(), m.frames[2].delay),
        ("000002.jpg", 140)
    );
    assert!(m.zip_urls.medium.unwrap().ends_with("_ugoira600x600.zip"));

    let token: serde_json::Value = serde_json::from_str(&fixture("oauth_token.json")).unwrap();
    let user: AuthUser = serde_json::from_value(token["response"]["user"].clone()).unwrap();
    assert_eq!(user.id, 98_765_432, "the OAuth answer's id is a string");
    assert_eq!(user.x_restrict, 2);
    assert!(user.profile_image_urls.px_170x170.is_some());
    assert_eq!(user.extra["mail_address"], "reader@example.invalid");
}

#[test]
fn every_work_the_mock_generates_parses_with_its_originals() {
    let base = "https://127.0.0.1:1";
    for id in (1..=400).chain([999_999_999_999, 1_000_000_000_000]) {
        let json = pixiv_mock::data::illust(id, base);
        let illust: Illust =
            serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("work {id}: {e}"));
        assert_eq!(illust.id, id);
        assert_eq!(illust.kind.as_str(), pixiv_mock::data::illust_type(id));
        assert_eq!(
            illust.original_urls(),
            pixiv_mock::data::original_urls(id, base),
            "{id}"
        );
        assert_eq!(illust.visible, !pixiv_mock::data::is_restricted(id));
        assert_eq!(
            without_nulls(serde_json::to_value(&illust).unwrap()),
            without_nulls(json),
            "{id}: nothing lost"
        );
    }
    for id in [1, 13, pixiv_mock::DEMO_USER_ID] {
        let d: UserDetail =
            serde_json::from_value(pixiv_mock::data::user_detail(id, base)).unwrap();
        assert_eq!(d.user.id, id);
        assert_eq!(d.profile.total_illusts, 150);
    }
    let u: UgoiraMetadataResponse =
        serde_json::from_value(pixiv_mock::data::ugoira_metadata(14, base).unwrap()).unwrap();
    assert_eq!(u.ugoira_metadata.frames.len(), 22);
}

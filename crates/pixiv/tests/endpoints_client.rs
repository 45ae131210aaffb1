//! The client-level options on the wire: an access-token-only client (PixivPy's `set_auth`),
//! calls without auth (`req_auth=False`), `Accept-Language` at build time and at run time
//! (`set_accept_language`), raw text answers, and related works paged through Pixiv's indexed
//! `next_url`s.

#![allow(clippy::unwrap_used)] // a panic is a failed test

mod common;

use futures_util::TryStreamExt as _;
use pixiv::{AuthErrorKind, Client, PixivError};
use pixiv_mock::data;

fn access_token_client(mock: &pixiv_mock::MockPixiv, token: &str) -> Client {
    Client::builder()
        .access_token(token)
        .base_url(&mock.base_url())
        .transport(|t| t.add_root_certificate_pem(mock.ca_pem()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_access_token_alone_is_used_as_it_is() {
    let mock = common::mock().await;
    let token = mock.issue_access_token();
    let client = access_token_client(&mock, &token);
    let user = client.user_detail(13).await.unwrap();
    assert_eq!(user.user.id, 13);
    let log = mock.requests();
    assert!(log.iter().all(|r| r.path != "/auth/token"), "no token call");
    let call = log.iter().find(|r| r.path == "/v1/user/detail").unwrap();
    assert_eq!(
        call.header("authorization"),
        Some(&*format!("Bearer {token}"))
    );
    assert!(!format!("{client:?}").contains(&token), "no token in Debug");
}

#[tokio::test]
async fn a_rejected_access_token_without_a_refresh_token_is_a_typed_auth_error() {
    let mock = common::mock().await;
    let client = access_token_client(&mock, "not-a-token-the-mock-issued");
    let err = client.illust_detail(12).await.unwrap_err();
    assert!(
        matches!(
            err,
            PixivError::Auth {
                kind: AuthErrorKind::InvalidAccessToken,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("no refresh token"), "{err}");
    assert!(
        !err.to_string().contains("not-a-token"),
        "no secret in the message"
    );
    assert!(
        mock.requests().iter().all(|r| r.path != "/auth/token"),
        "nothing to refresh with"
    );
    assert!(Client::builder().build().is_err(), "neither token: refused");
}

#[tokio::test]
async fn an_access_token_with_a_refresh_token_is_refreshed_when_rejected() {
    let mock = common::mock().await;
    let client = common::builder(&mock)
        .access_token("stale")
        .build()
        .unwrap();
    assert_eq!(client.illust_detail(12).await.unwrap().id, 12);
    let oauth = mock
        .requests()
        .iter()
        .filter(|r| r.path == "/auth/token")
        .count();
    assert_eq!(oauth, 1, "the stale token was replaced once");
}

#[tokio::test]
async fn without_auth_sends_no_bearer_and_recommended_goes_to_nologin() {
    let mock = common::mock().await;
    let client = common::client(&mock);

    let page = client.illust_recommended().without_auth().await.unwrap();
    let ids: Vec<u64> = page.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, data::recommended_ids(0, "illust")[..30]);
    let log = mock.requests();
    assert!(
        log.iter().all(|r| r.path != "/auth/token"),
        "no login needed"
    );
    let call = &log[0];
    assert_eq!(call.path, "/v1/illust/recommended-nologin");
    assert!(call.header("authorization").is_none());

    // What Pixiv serves only to an account is refused without auth, typed, and not retried
    // with a token.
    mock.clear_requests();
    let err = client.illust_detail(12).without_auth().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    let log = mock.requests();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].header("authorization").is_none());
}

#[tokio::test]
async fn the_later_pages_of_a_list_without_auth_go_without_auth_too() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let all = data::recommended_ids(0, "illust");

    // Through next_page...
    let first = client.illust_recommended().without_auth().await.unwrap();
    let second = first.next_page().await.unwrap().unwrap();
    assert_eq!(second.items[0].id, all[30]);
    // ...and through the stream, to the last page.
    let ids: Vec<u64> = first
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, all);

    let log = mock.requests();
    assert!(log.iter().all(|r| r.path != "/auth/token"), "{log:?}");
    let pages: Vec<_> = log
        .iter()
        .filter(|r| r.path == "/v1/illust/recommended-nologin")
        .collect();
    assert_eq!(pages.len(), 1 + 1 + all.len().div_ceil(30) - 1, "{log:?}");
    for r in pages {
        assert!(
            r.header("authorization").is_none(),
            "{} {:?}",
            r.path,
            r.query
        );
    }
}

#[tokio::test]
async fn accept_language_at_build_time_and_at_run_time() {
    let mock = common::mock().await;
    // 12's tags, as the data has them in English.
    let english: Vec<Option<String>> = data::tags(12)
        .into_iter()
        .map(|(_, en)| en.map(str::to_owned))
        .collect();

    let client = common::builder(&mock)
        .accept_language("ja")
        .build()
        .unwrap();
    assert_eq!(client.accept_language().as_deref(), Some("ja"));
    let work = client.illust_detail(12).await.unwrap();
    assert!(
        work.tags.iter().all(|t| t.translated_name.is_none()),
        "ja: no translation"
    );

    client.set_accept_language("en-us").unwrap();
    let work = client.clone().illust_detail(12).await.unwrap();
    let names: Vec<Option<String>> = work
        .tags
        .iter()
        .map(|t| t.translated_name.clone())
        .collect();
    assert_eq!(names, english);

    client.set_accept_language("zh-cn").unwrap();
    let tags = client.trending_tags_illust().await.unwrap();
    let sky = tags.iter().find(|t| t.tag == "空").unwrap();
    assert_eq!(sky.translated_name.as_deref(), Some("天空"));

    let sent: Vec<String> = mock
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .map(|r| r.header("accept-language").unwrap_or("").to_owned())
        .collect();
    assert_eq!(sent, ["ja", "en-us", "zh-cn"]);

    assert!(client.set_accept_language("bad\nvalue").is_err());
    assert_eq!(
        client.accept_language().as_deref(),
        Some("zh-cn"),
        "unchanged"
    );
    assert!(common::builder(&mock).accept_language("").build().is_err());
}

#[tokio::test]
async fn raw_calls_return_text_as_sent() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let text = client
        .get_text("/v1/illust/detail", &[("illust_id", "12")])
        .await
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["illust"], data::illust(12, &mock.base_url()));
    let err = client
        .get_text("/v1/illust/detail", &[("illust_id", "0")])
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
}

#[tokio::test]
async fn related_pages_through_indexed_keys() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let page = client.illust_related(13).await.unwrap();
    let all: Vec<u64> = page
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, data::related_ids(13));
    let calls: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/illust/related")
        .collect();
    assert_eq!(calls.len(), 3);
    let second = common::query(&calls[1]);
    assert!(second.contains(&("seed_illust_ids[0]", "13")), "{second:?}");
    assert!(second.iter().any(|(k, _)| *k == "viewed[29]"));
}

/// A one-connection HTTP/1.1 server on 127.0.0.1 answering every request with `body` (status 200,
/// JSON content type), for answers pixiv-mock never sends.
async fn serve_body(body: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&body).await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn text_answers_that_are_not_utf8_or_too_large_are_typed_errors() {
    let base = serve_body(vec![b'{', 0xff, 0xfe, b'}']).await;
    let client = Client::builder()
        .access_token("t")
        .base_url(&base)
        .build()
        .unwrap();
    let err = client.get_text("/v1/x", &[]).await.unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");

    let base = serve_body(vec![b' '; 16 * 1024 * 1024 + 1]).await;
    let client = Client::builder()
        .access_token("t")
        .base_url(&base)
        .build()
        .unwrap();
    let err = client.get_text("/v1/x", &[]).await.unwrap_err();
    assert!(matches!(err, PixivError::BodyTooLarge { .. }), "{err:?}");
}

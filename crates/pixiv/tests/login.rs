//! Login, token refresh and rotation against pixiv-mock, proved from its request log.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pixiv::{AuthErrorKind, PixivError};
use pixiv_mock::{DEMO_REFRESH_TOKEN, DEMO_USER_ID, MockPixiv};

#[tokio::test]
async fn login_sends_the_form_and_a_hash_the_mock_accepts() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let me = client.login().await.unwrap();
    assert_eq!(me.id, DEMO_USER_ID);
    assert_eq!(me.account, "pixivrs_demo");
    assert!(me.profile_image_urls.px_170x170.is_some());

    let calls = mock.requests_to("/auth/token");
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.method, http::Method::POST);
    assert_eq!(
        call.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        call.form(),
        common::pairs(&[
            ("client_id", pixiv_mock::CLIENT_ID),
            ("client_secret", pixiv_mock::CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", DEMO_REFRESH_TOKEN),
            ("get_secure_url", "1"),
            ("include_policy", "true"),
        ])
    );
    // X-Client-Time: UTC, seconds, "+00:00"; X-Client-Hash: md5(time + secret), as the mock
    // computes it independently (a wrong hash would have been refused with a 400).
    let time = call.header("x-client-time").unwrap();
    assert_eq!(time.len(), "2026-11-28T17:05:00+00:00".len(), "{time}");
    assert!(
        time.ends_with("+00:00") && time.as_bytes()[10] == b'T',
        "{time}"
    );
    assert_eq!(
        call.header("x-client-hash"),
        Some(pixiv_mock::oauth::client_hash_for(time).as_str())
    );
    assert_eq!(
        call.header("user-agent"),
        Some("PixivIOSApp/7.13.3 (iOS 14.6; iPhone13,2)")
    );
    assert_eq!(call.header("app-os"), Some("ios"));
    assert!(call.header("authorization").is_none(), "no Bearer to OAuth");

    // A second login with a valid token makes no token call.
    assert_eq!(client.login().await.unwrap().id, DEMO_USER_ID);
    assert_eq!(mock.oauth_calls(), 1);
}

#[tokio::test]
async fn a_bad_refresh_token_is_an_auth_error_in_plain_words() {
    let mock = common::mock().await;
    let client = common::builder(&mock)
        .refresh_token("not-a-valid-token")
        .build()
        .unwrap();
    let err = client.login().await.unwrap_err();
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::InvalidRefreshToken));
    assert_eq!(
        err.to_string(),
        "authentication failed (invalid refresh token): \
         the refresh token was rejected by Pixiv: Invalid refresh token (code 1508)"
    );
    assert!(!format!("{err} {err:?}").contains("not-a-valid-token"));
    // An App API call fails with the same error, without reaching the App API.
    let err = client.illust_detail(12).await.unwrap_err();
    assert!(matches!(err, PixivError::Auth { .. }), "{err:?}");
    assert!(common::api_requests(&mock).is_empty());
}

#[tokio::test]
async fn a_rotated_refresh_token_reaches_the_hook_and_is_used_next() {
    let mock = common::mock().await;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&seen);
    let client = common::builder(&mock)
        .on_refresh_token(move |t| sink.lock().unwrap().push(t.to_owned()))
        .build()
        .unwrap();
    client.login().await.unwrap();
    let first = seen.lock().unwrap().clone();
    assert_eq!(first.len(), 1, "the mock rotates on every grant");
    assert_ne!(first[0], DEMO_REFRESH_TOKEN);
    assert_eq!(client.refresh_token().secret(), first[0]);

    // The next refresh sends the rotated token.
    mock.expire_access_tokens();
    client.illust_detail(12).await.unwrap();
    let calls = mock.requests_to("/auth/token");
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[1].form()[3],
        ("refresh_token".to_owned(), first[0].clone())
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refreshed_once_for_32_concurrent_calls() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    client.illust_detail(1).await.unwrap();
    assert_eq!(mock.oauth_calls(), 1);

    mock.expire_access_tokens();
    mock.clear_requests();
    let tasks: Vec<_> = (1..=32_u64)
        .map(|id| {
            let client = client.clone();
            tokio::spawn(async move { client.illust_detail(id).await })
        })
        .collect();
    for (id, t) in (1..=32_u64).zip(tasks) {
        assert_eq!(t.await.unwrap().unwrap().id, id);
    }
    assert_eq!(mock.oauth_calls(), 2, "one refresh for all 32");
    // Every call that went out with the stale token was replayed with the new one.
    let api = common::api_requests(&mock);
    let tokens: std::collections::HashSet<_> = api
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(tokens.len(), 2, "the stale token and the fresh one");
    assert!(api.len() >= 32 && api.len() <= 64, "{}", api.len());
}

#[tokio::test(start_paused = true)]
async fn the_token_is_refreshed_before_it_expires() {
    let mock = MockPixiv::builder()
        .token_lifetime(Duration::from_secs(300))
        .start()
        .await
        .unwrap();
    let client = common::client(&mock);
    client.illust_detail(1).await.unwrap();
    assert_eq!(mock.oauth_calls(), 1);

    // 300 s lifetime, refreshed 60 s early: still the same token at 239 s...
    tokio::time::advance(Duration::from_secs(230)).await;
    client.illust_detail(2).await.unwrap();
    assert_eq!(mock.oauth_calls(), 1);
    // ...a new one at 241 s, before the mock would refuse the old one.
    tokio::time::advance(Duration::from_secs(11)).await;
    client.illust_detail(3).await.unwrap();
    assert_eq!(mock.oauth_calls(), 2);
    assert_eq!(
        common::api_requests(&mock).len(),
        3,
        "no call was rejected and replayed"
    );
}

#[tokio::test]
async fn pkce_code_exchange_gives_a_refresh_token_that_logs_in() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    // Plain HTTP, so the browser's part can be played with a bare TCP request.
    let mock = MockPixiv::builder().tls(false).start().await.unwrap();
    let pkce = pixiv::oauth::pkce::PkceChallenge::with_api_base(&mock.base_url()).unwrap();
    let target = pkce
        .login_url()
        .trim_start_matches(&mock.base_url())
        .to_owned();
    let mut tcp = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    tcp.write_all(
        format!("GET {target} HTTP/1.1\r\nHost: app-api.pixiv.net\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
    let location = answer
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .unwrap();
    let location = url::Url::parse(location).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();

    let transport = pixiv::transport::Transport::new().unwrap();
    let tokens = pixiv::oauth::pkce::exchange_code_with(
        &transport,
        &mock.base_url(),
        &code,
        pkce.verifier(),
    )
    .await
    .unwrap();
    assert_eq!(tokens.user.id, DEMO_USER_ID);
    let form = mock.requests_to("/auth/token")[0].form();
    assert_eq!(
        form,
        common::pairs(&[
            ("client_id", pixiv_mock::CLIENT_ID),
            ("client_secret", pixiv_mock::CLIENT_SECRET),
            ("code", &code),
            ("code_verifier", pkce.verifier()),
            ("grant_type", "authorization_code"),
            ("include_policy", "true"),
            (
                "redirect_uri",
                "https://app-api.pixiv.net/web/v1/users/auth/pixiv/callback"
            ),
        ])
    );
    // A code is single-use: a second exchange is refused, in plain words.
    let err = pixiv::oauth::pkce::exchange_code_with(
        &transport,
        &mock.base_url(),
        &code,
        pkce.verifier(),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("the authorization code was rejected by Pixiv"),
        "{err}"
    );

    // The refresh token it gave logs in.
    let client = pixiv::Client::builder()
        .refresh_token(tokens.refresh_token.secret())
        .base_url(&mock.base_url())
        .build()
        .unwrap();
    assert_eq!(client.login().await.unwrap().id, DEMO_USER_ID);
}

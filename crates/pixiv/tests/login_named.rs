//! `Client::login` names the account even when the access token came from outside (a cache):
//! one token call learns it when there is a refresh token, none otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use pixiv::{Client, PixivError};

#[tokio::test]
async fn a_cached_access_token_with_a_refresh_token_learns_the_account_with_one_token_call() {
    let mock = common::mock().await;
    let token = mock.issue_access_token();
    let client = common::builder(&mock).access_token(token).build().unwrap();
    let me = client.login().await.unwrap();
    assert_eq!(me.account, "pixivrs_demo");
    let token_calls = || {
        mock.requests()
            .iter()
            .filter(|r| r.path == "/auth/token")
            .count()
    };
    assert_eq!(token_calls(), 1);
    // Known now: a second login makes no call.
    client.login().await.unwrap();
    assert_eq!(token_calls(), 1);
}

#[tokio::test]
async fn an_access_token_alone_cannot_name_the_account_and_makes_no_token_call() {
    let mock = common::mock().await;
    let token = mock.issue_access_token();
    let client = Client::builder()
        .access_token(token)
        .base_url(&mock.base_url())
        .transport(|t| t.add_root_certificate_pem(mock.ca_pem()))
        .build()
        .unwrap();
    let err = client.login().await.unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    assert!(mock.requests().iter().all(|r| r.path != "/auth/token"));
}

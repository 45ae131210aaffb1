//! OAuth on the wire: client hash, refresh-token rotation, exact error bodies, PKCE, token expiry.

mod common;

use std::time::Duration;

use common::*;
use http::{Method, StatusCode};
use pixiv_mock::{CLIENT_ID, CLIENT_SECRET, DEMO_REFRESH_TOKEN, DEMO_USER_ID, MockPixiv};
use serde_json::json;

async fn api_get(client: &TestClient, mock: &MockPixiv, token: Option<&str>) -> Answer {
    let url = format!("{}/v1/illust/detail?illust_id=1", mock.base_url());
    match token {
        Some(t) => get(client, &url, &[("authorization", &format!("Bearer {t}"))]).await,
        None => get(client, &url, &[]).await,
    }
}

fn invalid_grant_api() -> serde_json::Value {
    json!({"error": {
        "user_message": "",
        "message": "Error occurred at the OAuth process. Please check your Access Token to fix this. Error Message: invalid_grant",
        "reason": "",
        "user_message_details": {}
    }})
}

#[tokio::test]
async fn refresh_with_a_correct_hash_issues_tokens_in_pixivs_shape() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let a = refresh(&client, &mock, DEMO_REFRESH_TOKEN).await;
    assert_eq!(a.status, StatusCode::OK);
    let body = a.json();
    for fields in [&body, &body["response"]] {
        assert_eq!(fields["token_type"], "bearer");
        assert_eq!(fields["expires_in"], 3600);
        assert!(fields["scope"].is_string());
        assert_eq!(fields["user"]["id"], DEMO_USER_ID.to_string());
        for key in ["name", "account", "mail_address"] {
            assert!(fields["user"][key].is_string(), "{key}");
        }
        for key in ["px_16x16", "px_50x50", "px_170x170"] {
            assert!(
                fields["user"]["profile_image_urls"][key].is_string(),
                "{key}"
            );
        }
        assert_eq!(fields["user"]["is_premium"], false);
        assert_eq!(fields["user"]["x_restrict"], 0);
        assert_eq!(fields["user"]["is_mail_authorized"], true);
    }
    assert_eq!(body["access_token"], body["response"]["access_token"]);
    let access = body["access_token"].as_str().unwrap();
    assert_ne!(
        api_get(&client, &mock, Some(access)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(mock.oauth_calls(), 1);
    let logged = &mock.requests_to("/auth/token")[0];
    assert_eq!(logged.method, Method::POST);
    assert!(
        logged
            .form()
            .contains(&("grant_type".into(), "refresh_token".into()))
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_old_ones_stay_valid() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let first = refresh(&client, &mock, DEMO_REFRESH_TOKEN).await.json();
    let rotated = first["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, DEMO_REFRESH_TOKEN);
    let second = refresh(&client, &mock, &rotated).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_ne!(second.json()["refresh_token"], rotated.as_str());
    assert_ne!(second.json()["access_token"], first["access_token"]);
    assert_eq!(
        refresh(&client, &mock, &rotated).await.status,
        StatusCode::OK
    );
    assert_eq!(mock.oauth_calls(), 3);
}

#[tokio::test]
async fn a_bad_refresh_token_gets_the_exact_400_body() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let a = refresh(&client(&mock), &mock, "not-a-token").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.json(),
        json!({"has_error": true, "errors": {"system": {"message": "Invalid refresh token", "code": 1508}}, "error": "invalid_grant"})
    );
}

#[tokio::test]
async fn a_wrong_or_missing_client_hash_fails() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let body = form(&[
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", DEMO_REFRESH_TOKEN),
    ]);
    let url = format!("{}/auth/token", mock.base_url());
    let (time, hash) = client_hash_headers("2026-11-29T02:00:00+00:00");
    let wrong = send(
        &client,
        Method::POST,
        &url,
        &[
            ("x-client-time", "2026-11-29T02:00:01+00:00"),
            ("x-client-hash", &hash),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json()["has_error"], true);
    assert!(
        wrong.json()["errors"]["system"]["message"]
            .as_str()
            .unwrap()
            .contains("Hash")
    );
    let missing = send(&client, Method::POST, &url, &[], body.clone()).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let right = send(
        &client,
        Method::POST,
        &url,
        &[("x-client-time", &time), ("x-client-hash", &hash)],
        body,
    )
    .await;
    assert_eq!(right.status, StatusCode::OK);
    assert_eq!(mock.oauth_calls(), 3);
}

#[tokio::test]
async fn a_wrong_client_secret_fails() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let (time, hash) = client_hash_headers("t");
    let body = form(&[
        ("client_id", CLIENT_ID),
        ("client_secret", "nope"),
        ("grant_type", "refresh_token"),
        ("refresh_token", DEMO_REFRESH_TOKEN),
    ]);
    let a = send(
        &client(&mock),
        Method::POST,
        &format!("{}/auth/token", mock.base_url()),
        &[("x-client-time", &time), ("x-client-hash", &hash)],
        body,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error"], "invalid_client");
}

#[tokio::test]
async fn missing_or_unknown_bearer_gets_the_invalid_grant_body() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    for token in [None, Some("unknown")] {
        let a = api_get(&client, &mock, token).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(a.json(), invalid_grant_api());
    }
}

#[tokio::test(start_paused = true)]
async fn access_tokens_expire_after_their_lifetime() {
    let mock = MockPixiv::builder()
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let client = client(&mock);
    let issued = refresh(&client, &mock, DEMO_REFRESH_TOKEN).await.json();
    assert_eq!(issued["expires_in"], 60);
    let access = issued["access_token"].as_str().unwrap().to_owned();
    assert_ne!(
        api_get(&client, &mock, Some(&access)).await.status,
        StatusCode::BAD_REQUEST
    );
    tokio::time::advance(Duration::from_secs(61)).await;
    let expired = api_get(&client, &mock, Some(&access)).await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert_eq!(expired.json(), invalid_grant_api());
    // The refresh token still works and gives a fresh access token.
    let fresh = refresh(&client, &mock, issued["refresh_token"].as_str().unwrap())
        .await
        .json();
    let fresh = fresh["access_token"].as_str().unwrap();
    assert_ne!(
        api_get(&client, &mock, Some(fresh)).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn issued_tokens_work_until_expired_by_hand() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let token = mock.issue_access_token();
    assert_ne!(
        api_get(&client, &mock, Some(&token)).await.status,
        StatusCode::BAD_REQUEST
    );
    mock.expire_access_tokens();
    assert_eq!(
        api_get(&client, &mock, Some(&token)).await.json(),
        invalid_grant_api()
    );
    assert_eq!(mock.oauth_calls(), 0);
}

#[tokio::test]
async fn pkce_login_then_authorization_code_grant() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let verifier = "a-random-verifier-of-enough-length-0123456789abcdefghij";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    let login = get(
        &client,
        &format!(
            "{}/web/v1/login?code_challenge={challenge}&code_challenge_method=S256&client=pixiv-android",
            mock.base_url()
        ),
        &[],
    )
    .await;
    assert_eq!(login.status, StatusCode::FOUND);
    let location = login.header("location").to_owned();
    let code = location
        .strip_prefix("pixiv://account/login?code=")
        .and_then(|rest| rest.strip_suffix("&via=login"))
        .unwrap_or_else(|| panic!("unexpected redirect {location}"));
    let exchange = |code: String, verifier: &'static str| {
        let (time, hash) = client_hash_headers("2026-11-29T02:00:00+00:00");
        let client = client.clone();
        let url = format!("{}/auth/token", mock.base_url());
        async move {
            let body = form(&[
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("code", &code),
                ("code_verifier", verifier),
                ("grant_type", "authorization_code"),
                ("include_policy", "true"),
                (
                    "redirect_uri",
                    "https://app-api.pixiv.net/web/v1/users/auth/pixiv/callback",
                ),
            ]);
            send(
                &client,
                Method::POST,
                &url,
                &[("x-client-time", &time), ("x-client-hash", &hash)],
                body,
            )
            .await
        }
    };
    let ok = exchange(code.to_owned(), verifier).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert!(ok.json()["refresh_token"].is_string());
    // A code is single-use.
    assert_eq!(
        exchange(code.to_owned(), verifier).await.json()["error"],
        "invalid_grant"
    );
    // A wrong verifier fails.
    let login2 = get(
        &client,
        &format!("{}/web/v1/login?code_challenge={challenge}&code_challenge_method=S256&client=pixiv-android", mock.base_url()),
        &[],
    )
    .await;
    let code2 = login2
        .header("location")
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let bad = exchange(code2, "another-verifier").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"], "invalid_grant");
}

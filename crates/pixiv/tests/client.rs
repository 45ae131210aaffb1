//! The client as a whole: shareable across tasks, one rate-limit budget for OAuth, API and
//! images, nothing secret in `Debug`.

mod common;

use std::time::Duration;

use pixiv::Client;
use pixiv::transport::ratelimit::RateLimiter;

/// `Client` must stay shareable: `Send + Sync + Clone + 'static`, and its futures `Send`
/// (checked at compile time).
#[test]
fn client_is_send_sync_clone_static() {
    fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
    fn assert_send<T: Send>(_: &T) {}
    assert_shareable::<Client>();
    let client = Client::builder().refresh_token("r").build().unwrap();
    assert_send(&client.illust_detail(1));
    assert_send(&std::future::IntoFuture::into_future(
        client.search_illust("x"),
    ));
    assert_send(&client.login());
}

#[tokio::test(start_paused = true)]
async fn oauth_api_and_images_share_one_rate_limit_budget() {
    let mock = common::mock().await;
    let client = common::builder(&mock)
        .transport(|c| c.rate_limit(Some(RateLimiter::new(3, Duration::from_secs(60)))))
        .build()
        .unwrap();
    let illust = client.illust_detail(10).await.unwrap(); // OAuth + API: 2 starts
    let dir = tempfile::tempdir().unwrap();
    client
        .download_illust(&illust, dir.path(), &Default::default())
        .await
        .unwrap(); // image: the 3rd start
    client.illust_detail(11).await.unwrap(); // the 4th waits for the window
    let log = mock.requests();
    assert_eq!(log.len(), 4);
    let waited = log[3].at - log[0].at;
    assert!(waited >= Duration::from_secs(60), "{waited:?}");
    assert!(log[2].at - log[0].at < Duration::from_secs(1));
}

#[tokio::test]
async fn debug_shows_no_secret() {
    let mock = common::mock().await;
    let client = common::builder(&mock)
        .refresh_token("my-secret-refresh-token")
        .build()
        .unwrap();
    let builder = format!(
        "{:?}",
        common::builder(&mock).refresh_token("my-secret-refresh-token")
    );
    let shown = format!("{client:?} {builder} {:?}", client.refresh_token());
    assert!(!shown.contains("my-secret"), "{shown}");
    assert_eq!(client.refresh_token().secret(), "my-secret-refresh-token");
}

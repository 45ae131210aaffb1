//! The client as a whole: shareable across tasks, the image host's rate-limit budget apart from
//! the App API's (or shared, when asked), nothing secret in `Debug`.

mod common;

use std::time::Duration;

use pixiv::Client;

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
async fn images_have_a_rate_limit_budget_of_their_own() {
    let mock = common::mock().await;
    let client = common::builder(&mock)
        .transport(|t| t.rate_limit(1, Duration::from_secs(60)))
        .image_rate_limit(2, Duration::from_secs(60))
        .build()
        .unwrap();
    let illust = client.illust_detail(10).await.unwrap(); // OAuth (images' 1st) + API (API's 1st)
    let dir = tempfile::tempdir().unwrap();
    client
        .download_illust(&illust, dir.path(), &Default::default())
        .await
        .unwrap(); // the images' 2nd start: no wait, the API's budget is untouched
    client.illust_detail(11).await.unwrap(); // the API's 2nd waits for its window
    let log = mock.requests();
    assert_eq!(log.len(), 4);
    assert!(log[2].at - log[0].at < Duration::from_secs(1));
    let waited = log[3].at - log[1].at;
    assert!(waited >= Duration::from_secs(60), "{waited:?}");
}

/// Images are throttled by concurrency, not request count, by default (`docs/downloads.md`):
/// more image requests than the earlier default budget (300 a minute) start without a wait,
/// while the App API keeps its budget.
#[tokio::test(start_paused = true)]
async fn images_have_no_request_budget_by_default() {
    let mock = common::mock().await;
    let client = common::builder(&mock).build().unwrap();
    let downloader = client.downloader();
    let count = pixiv::DEFAULT_IMAGE_RATE_LIMIT as usize + 10;
    for i in 0..count {
        let url = format!(
            "{}size/8/i{i}.bin",
            mock.base_url().trim_end_matches('/').to_owned() + "/"
        );
        downloader.download_bytes(&url).await.unwrap();
    }
    let log = mock.requests();
    assert_eq!(log.len(), count);
    let spent = log[count - 1].at - log[0].at;
    assert!(spent < Duration::from_secs(1), "{spent:?}");
}

#[tokio::test(start_paused = true)]
async fn shared_rate_limit_puts_oauth_api_and_images_in_one_budget() {
    let mock = common::mock().await;
    let client = common::builder(&mock)
        .transport(|t| t.rate_limit(3, Duration::from_secs(60)))
        .shared_rate_limit()
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

//! Transport-side hostile cases through the facade (`pixiv::Client`): long waits reach the
//! application's `on_wait` hook, and a download URL whose host is a link-local literal is refused
//! before any connection. Paused tokio time (docs/reliability.md, "Hostile servers").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pixiv::PixivError;
use pixiv_mock::{Fault, RetryAfter, RouteMatch};
use pixiv_transport::wait::{WaitEvent, WaitReason};

#[tokio::test(start_paused = true)]
async fn the_client_tells_its_on_wait_hook_of_a_120_s_retry_after() {
    let mock = common::mock().await;
    let events: Arc<Mutex<Vec<WaitEvent>>> = Arc::default();
    let seen = Arc::clone(&events);
    let client = common::client_builder(&mock)
        .transport(|t| t.on_wait(move |e| seen.lock().unwrap().push(*e)))
        .build()
        .unwrap();
    client.login().await.unwrap();
    mock.push_faults(
        RouteMatch::path("/v1/illust/detail"),
        [Fault::TooManyRequests {
            retry_after: Some(RetryAfter::Seconds(120)),
        }],
    );
    let illust = client.illust_detail(12).await.unwrap();
    assert_eq!(illust.id, 12);
    assert_eq!(
        *events.lock().unwrap(),
        [WaitEvent::new(
            Duration::from_secs(120),
            WaitReason::RetryAfter
        )]
    );
}

#[tokio::test]
async fn a_download_from_the_metadata_address_is_refused_without_connecting() {
    let mock = common::mock().await;
    let transport = common::transport(&mock);
    let err = transport
        .get("http://169.254.169.254/latest/meta-data/iam/x.png", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::AddressRefused { .. }), "{err:?}");
    assert_eq!(transport.metrics().attempts, 1, "never retried");
    assert_eq!(transport.metrics().connections_opened, 0);
}

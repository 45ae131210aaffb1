//! The downloader over the real pixiv `Transport` (the whole default stack: headers, retry,
//! rate limit, timeouts, error map, hyper-util over rustls), against the mock over TLS.

mod common;

use std::time::Duration;

use common::{mock, names_in, requests_for, url};
use pixiv_download::{Downloader, Outcome, Target};
use pixiv_mock::content::expected_bytes;
use pixiv_mock::{Fault, RouteMatch};
use pixiv_transport::retry::RetryPolicy;
use pixiv_transport::transport::Transport;

#[allow(clippy::unwrap_used)] // a helper of the test: a panic is a failed test
fn transport(mock: &pixiv_mock::MockPixiv) -> Transport {
    Transport::builder()
        .add_root_certificate_pem(mock.ca_pem())
        .retry(RetryPolicy::new().backoff_factor(Duration::from_millis(1)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn downloads_through_the_transport_with_its_retries_and_ours() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let d = Downloader::new(transport(&mock))
        .retry_policy(RetryPolicy::new().backoff_factor(Duration::from_millis(1)));

    // A 503 before the answer: the transport's retry layer replays it (no Range: nothing held).
    let first = "/img-original/img/2024/01/01/00/00/00/778_p0.png";
    mock.push_faults(RouteMatch::path(first), [Fault::Status(503)]);
    let done = d
        .download(&url(&mock, first), &Target::dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(done.outcome, Outcome::Written);
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(first));
    let log = requests_for(&mock, first);
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| r.header("range").is_none()));
    assert!(log.iter().all(|r| r.header("authorization").is_none()));
    assert_eq!(log[1].header("referer"), Some("https://app-api.pixiv.net/"));

    // A reset mid-body: past the transport's retry layer, so the downloader resumes it.
    let second = "/size/2000000/big.bin";
    mock.push_faults(
        RouteMatch::path(second),
        [Fault::ResetBody { after: 1_500_000 }],
    );
    let done = d
        .download(&url(&mock, second), &Target::dir(dir.path()))
        .await
        .unwrap();
    let log = requests_for(&mock, second);
    assert_eq!(log.len(), 2);
    let from: u64 = log[1]
        .header("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|r| r.parse().ok())
        .unwrap();
    assert!(from > 1_000_000, "{from}");
    assert_eq!(done.outcome, Outcome::Resumed { from });
    assert_eq!(std::fs::read(&done.path).unwrap(), expected_bytes(second));
    assert_eq!(names_in(dir.path()), ["778_p0.png", "big.bin"]);
}

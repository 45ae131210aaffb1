//! Paging always ends (issue #19.3): a `next_url` naming itself, pages that point at each other,
//! empty pages that still carry a `next_url`, and a list longer than `max_pages` each stop the
//! stream with a typed error after the items received, and the request count proves the bound.
//! Every hostile answer is a `Fault::Raw` of pixiv-mock, on its real TLS socket.

mod common;

use futures_util::{StreamExt as _, TryStreamExt as _};
use pixiv::{Illust, PixivError};
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use serde_json::{Value, json};

const LIST: &str = "/v1/user/illusts";

/// A list answer: `n` works (ids from `first_id`) and `next`.
#[allow(clippy::unwrap_used, clippy::panic)] // a test helper: a panic is a failed test
fn answer(mock: &MockPixiv, first_id: u64, n: u64, next: Option<&str>) -> Fault {
    let items: Vec<Value> = (first_id..first_id + n)
        .map(|id| pixiv_mock::data::illust(id, &mock.base_url()))
        .collect();
    let body = json!({ "illusts": items, "next_url": next });
    Fault::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: serde_json::to_vec(&body).unwrap().into(),
    }
}

/// The absolute next_url of the list at `offset`, as Pixiv writes it.
fn next(mock: &MockPixiv, offset: u32) -> String {
    format!(
        "{}{LIST}?user_id=13&filter=for_ios&type=illust&offset={offset}",
        mock.base_url()
    )
}

#[allow(clippy::unwrap_used, clippy::panic)] // a test helper: a panic is a failed test
async fn run(page: pixiv::Page<Illust>) -> (Vec<u64>, Option<PixivError>) {
    let results: Vec<Result<Illust, PixivError>> = page.into_stream().collect().await;
    let mut ids = Vec::new();
    let mut err = None;
    for r in results {
        match r {
            Ok(i) => ids.push(i.id),
            Err(e) => {
                assert!(err.is_none(), "one error, then the end");
                err = Some(e);
            }
        }
    }
    (ids, err)
}

#[allow(clippy::unwrap_used, clippy::panic)] // a test helper: a panic is a failed test
fn decode_message(err: Option<PixivError>) -> String {
    match err {
        Some(PixivError::Decode { message, .. }) => message,
        other => panic!("expected a Decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_next_url_naming_itself_stops_after_one_repeat() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let me = next(&mock, 30);
    // The first page points at offset 30, which points at itself, again and again (twenty
    // answers queued: an unbounded stream would make them all).
    let mut faults = vec![answer(&mock, 1, 2, Some(&me))];
    faults.extend((0..20).map(|_| answer(&mock, 3, 1, Some(&me))));
    mock.push_faults(RouteMatch::path(LIST), faults);

    let page = client.user_illusts(13).await.unwrap();
    let (ids, err) = run(page).await;
    assert_eq!(ids, [1, 2, 3], "what came before the cycle is kept");
    let message = decode_message(err);
    assert_eq!(
        message,
        "the next_url of page 2 repeats the request of page 2 (a cycle)"
    );
    assert_eq!(
        mock.requests_to(LIST).len(),
        2,
        "no request after the repeat"
    );
}

#[tokio::test]
async fn pages_pointing_at_each_other_stop_at_the_first_repeat() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let (a, b) = (next(&mock, 30), next(&mock, 60));
    // first -> A -> B -> A -> B ...; query keys in another order are the same request.
    let a_reordered = format!(
        "{}{LIST}?offset=30&type=illust&filter=for_ios&user_id=13",
        mock.base_url()
    );
    let mut faults = vec![answer(&mock, 1, 1, Some(&a))];
    for _ in 0..10 {
        faults.push(answer(&mock, 2, 1, Some(&b)));
        faults.push(answer(&mock, 3, 1, Some(&a_reordered)));
    }
    mock.push_faults(RouteMatch::path(LIST), faults);

    let page = client.user_illusts(13).await.unwrap();
    let (ids, err) = run(page).await;
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(
        decode_message(err),
        "the next_url of page 3 repeats the request of page 2 (a cycle)"
    );
    let calls = mock.requests_to(LIST);
    assert_eq!(calls.len(), 3);
    let offsets: Vec<_> = calls.iter().map(|c| c.query_value("offset")).collect();
    assert_eq!(offsets, [None, Some("30"), Some("60")]);
}

#[tokio::test]
async fn empty_pages_with_a_next_url_stop_after_three_in_a_row() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    // Every page empty, each naming a new offset: no repeat, only emptiness.
    let faults: Vec<Fault> = (1..=20)
        .map(|n| answer(&mock, 1, 0, Some(&next(&mock, n * 30))))
        .collect();
    mock.push_faults(RouteMatch::path(LIST), faults);

    let page = client.user_illusts(13).await.unwrap();
    let (ids, err) = run(page).await;
    assert!(ids.is_empty());
    assert_eq!(
        decode_message(err),
        "3 empty pages in a row still carry a next_url (max_empty_pages); stopped after page 3"
    );
    assert_eq!(mock.requests_to(LIST).len(), pixiv::DEFAULT_MAX_EMPTY_PAGES);

    // Settable per page: five allowed, five requests.
    mock.clear_requests();
    let page = client.user_illusts(13).await.unwrap().max_empty_pages(5);
    let (_, err) = run(page).await;
    assert!(decode_message(err).starts_with("5 empty pages in a row"));
    assert_eq!(mock.requests_to(LIST).len(), 5);
}

#[tokio::test]
async fn an_empty_page_between_full_ones_is_not_an_error() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    mock.push_faults(
        RouteMatch::path(LIST),
        [
            answer(&mock, 1, 0, Some(&next(&mock, 30))),
            answer(&mock, 1, 0, Some(&next(&mock, 60))),
            answer(&mock, 1, 2, Some(&next(&mock, 90))),
            answer(&mock, 1, 0, Some(&next(&mock, 120))),
            answer(&mock, 1, 0, Some(&next(&mock, 150))),
            answer(&mock, 3, 1, None),
        ],
    );
    let page = client.user_illusts(13).await.unwrap();
    let (ids, err) = run(page).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(mock.requests_to(LIST).len(), 6);
}

#[tokio::test]
async fn max_pages_caps_a_stream_per_page_and_per_client() {
    let mock = common::mock().await;
    // pixiv-mock's user 13 has five pages of works.
    let all = pixiv_mock::data::user_illust_ids(13, Some("illust"));
    assert!(all.len() > 120);

    let client = common::client(&mock);
    let page = client.user_illusts(13).await.unwrap().max_pages(3);
    let (ids, err) = run(page).await;
    assert_eq!(ids, all[..90], "the items of the three pages allowed");
    assert_eq!(
        decode_message(err),
        "the list has more than 3 pages (max_pages); stopped before page 4"
    );
    assert_eq!(mock.requests_to(LIST).len(), 3);

    mock.clear_requests();
    let capped = common::builder(&mock).max_pages(2).build().unwrap();
    let (ids, err) = run(capped.user_illusts(13).await.unwrap()).await;
    assert_eq!(ids.len(), 60);
    assert!(decode_message(err).starts_with("the list has more than 2 pages"));
    assert_eq!(mock.requests_to(LIST).len(), 2);

    // A list that fits is not affected: five pages, max_pages 5.
    mock.clear_requests();
    let page = client.user_illusts(13).await.unwrap().max_pages(5);
    let ids: Vec<u64> = page
        .into_stream()
        .map_ok(|i| i.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, all);
    assert_eq!(mock.requests_to(LIST).len(), 5);
}

#[tokio::test]
async fn next_page_refuses_a_next_url_naming_its_own_request() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let me = next(&mock, 30);
    mock.push_faults(
        RouteMatch::path(LIST),
        [
            answer(&mock, 1, 1, Some(&me)),
            answer(&mock, 2, 1, Some(&me)),
        ],
    );
    let first = client.user_illusts(13).await.unwrap();
    let second = first.next_page().await.unwrap().unwrap();
    assert_eq!(second.items[0].id, 2);
    let err = second.next_page().await.unwrap_err();
    assert!(matches!(err, PixivError::Decode { .. }), "{err:?}");
    assert_eq!(mock.requests_to(LIST).len(), 2);

    // And the page cap holds for next_page too.
    let last = client
        .user_illusts(13)
        .await
        .unwrap()
        .max_pages(1)
        .next_page()
        .await
        .unwrap_err();
    assert!(last.to_string().contains("more than 1 pages"), "{last}");
}

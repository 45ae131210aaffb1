//! The image host on the wire: sizes, bytes, validators, ranges, Referer.

mod common;

use common::*;
use http::{Method, StatusCode};
use pixiv_mock::{MockPixiv, content};

// Work 12344 has 5 pages (12344 % 5 + 1).
const ORIGINAL: &str = "/img-original/img/2024/01/01/00/00/00/12344_p1.png";

#[tokio::test]
async fn exact_sizes_and_bytes() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let empty = get_image(&client, &mock, "/size/0/x", &[]).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.header("content-length"), "0");
    assert!(empty.bytes().is_empty());

    let mib = get_image(&client, &mock, "/size/1048576/x.bin", &[]).await;
    assert_eq!(mib.header("content-length"), "1048576");
    assert_eq!(mib.bytes().len(), 1_048_576);
    assert_eq!(
        mib.bytes()[..],
        content::expected_bytes("/size/1048576/x.bin")[..]
    );
    for off in [0u64, 65_535, 65_536, 1_048_575] {
        assert_eq!(
            mib.bytes()[off as usize],
            content::byte_at("/size/1048576/x.bin", off)
        );
    }

    let original = get_image(&client, &mock, ORIGINAL, &[]).await;
    assert_eq!(
        original.bytes().len() as u64,
        content::illust_image_size(12344, 1)
    );
    assert!(original.bytes().starts_with(b"\x89PNG\r\n\x1a\n"));
    // A page past the work's page count is not there.
    let missing = get_image(
        &client,
        &mock,
        "/img-original/img/2024/01/01/00/00/00/12344_p5.png",
        &[],
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(original.bytes()[..], content::expected_bytes(ORIGINAL)[..]);
    assert_eq!(original.header("content-type"), "image/png");
    assert_eq!(original.header("accept-ranges"), "bytes");
    assert!(original.header("etag").starts_with('"'));
    assert_eq!(
        original.header("last-modified"),
        "Mon, 01 Jan 2024 00:00:00 GMT"
    );

    let zip = get_image(
        &client,
        &mock,
        "/img-zip-ugoira/img/2024/01/01/00/00/00/14_ugoira600x600.zip",
        &[],
    )
    .await;
    assert_eq!(zip.header("content-type"), "application/zip");
    assert_eq!(zip.bytes().len() as u64, content::ugoira_zip_size(14));

    let placeholder = get_image(
        &client,
        &mock,
        "/common/images/limit_sanity_level_360.png",
        &[],
    )
    .await;
    assert_eq!(placeholder.bytes()[..], content::PLACEHOLDER_PNG[..]);
}

#[tokio::test]
async fn forbidden_without_the_app_api_referer() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let url = format!("{}{ORIGINAL}", mock.base_url());
    let none = get(&client, &url, &[]).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    assert!(none.header("content-type").starts_with("text/html"));
    assert!(
        std::str::from_utf8(none.bytes())
            .unwrap()
            .contains("403 Forbidden")
    );
    let other = get(&client, &url, &[("referer", "https://www.pixiv.net/")]).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let deeper = get(
        &client,
        &url,
        &[("referer", "https://app-api.pixiv.net/v1/illust/detail")],
    )
    .await;
    assert_eq!(deeper.status, StatusCode::OK);
}

#[tokio::test]
async fn ranges_give_206_with_content_range() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let all = content::expected_bytes(ORIGINAL);
    let size = all.len();

    let mid = get_image(&client, &mock, ORIGINAL, &[("range", "bytes=100-199")]).await;
    assert_eq!(mid.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(mid.header("content-range"), format!("bytes 100-199/{size}"));
    assert_eq!(mid.header("content-length"), "100");
    assert_eq!(mid.bytes()[..], all[100..200]);

    let tail = get_image(&client, &mock, ORIGINAL, &[("range", "bytes=1000-")]).await;
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.bytes()[..], all[1000..]);

    let suffix = get_image(&client, &mock, ORIGINAL, &[("range", "bytes=-10")]).await;
    assert_eq!(
        suffix.header("content-range"),
        format!("bytes {}-{}/{size}", size - 10, size - 1)
    );
    assert_eq!(suffix.bytes()[..], all[size - 10..]);

    let past = get_image(
        &client,
        &mock,
        ORIGINAL,
        &[("range", &format!("bytes={size}-"))],
    )
    .await;
    assert_eq!(past.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(past.header("content-range"), format!("bytes */{size}"));

    let junk = get_image(&client, &mock, ORIGINAL, &[("range", "bytes=oops")]).await;
    assert_eq!(junk.status, StatusCode::OK);
    assert_eq!(junk.bytes().len(), size);
}

#[tokio::test]
async fn if_range_honours_only_the_current_validator() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let all = content::expected_bytes(ORIGINAL);
    let first = get_image(&client, &mock, ORIGINAL, &[]).await;
    let etag = first.header("etag").to_owned();
    let last_modified = first.header("last-modified").to_owned();

    let same = get_image(
        &client,
        &mock,
        ORIGINAL,
        &[("range", "bytes=10-"), ("if-range", &etag)],
    )
    .await;
    assert_eq!(same.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(same.bytes()[..], all[10..]);
    let by_date = get_image(
        &client,
        &mock,
        ORIGINAL,
        &[("range", "bytes=10-"), ("if-range", &last_modified)],
    )
    .await;
    assert_eq!(by_date.status, StatusCode::PARTIAL_CONTENT);

    mock.bump_etag();
    let changed = get_image(
        &client,
        &mock,
        ORIGINAL,
        &[("range", "bytes=10-"), ("if-range", &etag)],
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.header("etag"), etag);
    assert_eq!(changed.bytes()[..], all[..]);
    let stale_date = get_image(
        &client,
        &mock,
        ORIGINAL,
        &[("range", "bytes=10-"), ("if-range", &last_modified)],
    )
    .await;
    assert_eq!(stale_date.status, StatusCode::OK);
    // The ETag is stable between bumps.
    let again = get_image(&client, &mock, ORIGINAL, &[]).await;
    assert_eq!(again.header("etag"), changed.header("etag"));
}

#[tokio::test]
async fn head_gives_the_headers_without_the_body() {
    let mock = MockPixiv::builder().start().await.unwrap();
    for client in [client(&mock), client_h1(&mock)] {
        let a = send(
            &client,
            Method::HEAD,
            &format!("{}/size/5000/x.jpg", mock.base_url()),
            &[("referer", REFERER)],
            bytes::Bytes::new(),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("content-length"), "5000");
        assert_eq!(a.header("content-type"), "image/jpeg");
        assert!(a.bytes().is_empty());
    }
}

#[tokio::test]
async fn authorization_headers_show_in_the_log() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    get_image(&client, &mock, "/size/1/a", &[]).await;
    get_image(
        &client,
        &mock,
        "/size/1/b",
        &[("authorization", "Bearer leaked")],
    )
    .await;
    let log = mock.requests();
    assert_eq!(log[0].header("authorization"), None);
    assert_eq!(log[1].header("authorization"), Some("Bearer leaked"));
    assert_eq!(log[1].header("referer"), Some(REFERER));
}

#[tokio::test]
async fn huge_files_are_addressable_without_sending_them() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let path = "/size/1073741824/big.bin";
    let head = send(
        &client,
        Method::HEAD,
        &format!("{}{path}", mock.base_url()),
        &[("referer", REFERER)],
        bytes::Bytes::new(),
    )
    .await;
    assert_eq!(head.header("content-length"), "1073741824");
    let tail = get_image(&client, &mock, path, &[("range", "bytes=1073741000-")]).await;
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        tail.header("content-range"),
        "bytes 1073741000-1073741823/1073741824"
    );
    let expected: Vec<u8> = (1_073_741_000..1_073_741_824)
        .map(|o| content::byte_at(path, o))
        .collect();
    assert_eq!(tail.bytes()[..], expected[..]);
}

#[tokio::test]
async fn unknown_names_wrong_extensions_and_missing_works_are_404_as_on_i_pximg_net() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let dir = "/img-original/img/2024/01/01/00/00/00";
    for path in [
        format!("{dir}/12_p0.jpg"),
        format!("{dir}/12_p3.png"),
        format!("{dir}/whatever.png"),
        format!("{dir}/0_p0.png"),
        format!("{dir}/14_p0.png"),
        format!("{dir}/14_ugoira22.jpg"),
        "/c/600x1200_90/img-master/img/2024/01/01/00/00/00/12_p0.png".to_owned(),
        "/img-zip-ugoira/img/2024/01/01/00/00/00/12_ugoira600x600.zip".to_owned(),
    ] {
        let r = get_image(&client, &mock, &path, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    // What a work's JSON names is there: ugoira 14's original is its first frame, a real JPEG.
    let work = pixiv_mock::data::illust(14, "");
    let original = work["meta_single_page"]["original_image_url"]
        .as_str()
        .unwrap();
    assert_eq!(original, format!("{dir}/14_ugoira0.jpg"));
    let frame = get_image(&client, &mock, original, &[]).await;
    assert_eq!(frame.status, StatusCode::OK);
    assert_eq!(frame.header("content-type"), "image/jpeg");
    assert!(frame.bytes().starts_with(b"\xff\xd8\xff") && frame.bytes().ends_with(b"\xff\xd9"));
    // The mock's own routes keep answering.
    let own = get_image(&client, &mock, "/size/10/12_p0.jpg", &[]).await;
    assert_eq!((own.status, own.bytes().len()), (StatusCode::OK, 10));
}

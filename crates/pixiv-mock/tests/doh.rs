//! The DoH JSON endpoint on the wire.

mod common;

use common::*;
use http::StatusCode;
use pixiv_mock::MockPixiv;

const ACCEPT: (&str, &str) = ("accept", "application/dns-json");

#[tokio::test]
async fn answers_from_the_table_in_cloudflares_format() {
    let mock = MockPixiv::builder()
        .dns(
            "app-api.pixiv.net",
            vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()],
            300,
        )
        .start()
        .await
        .unwrap();
    let client = client(&mock);
    let url = |q: &str| format!("{}/dns-query?{q}", mock.base_url());
    let a = get(&client, &url("name=app-api.pixiv.net&type=A"), &[ACCEPT]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), "application/dns-json");
    let body = a.json();
    assert_eq!(body["Status"], 0);
    for key in ["TC", "AD", "CD"] {
        assert_eq!(body[key], false, "{key}");
    }
    assert_eq!(
        (body["RD"].clone(), body["RA"].clone()),
        (true.into(), true.into())
    );
    assert_eq!(body["Question"][0]["name"], "app-api.pixiv.net.");
    assert_eq!(body["Question"][0]["type"], 1);
    assert_eq!(
        body["Answer"],
        serde_json::json!([{"name": "app-api.pixiv.net", "type": 1, "TTL": 300, "data": "127.0.0.1"}])
    );
    let v6 = get(&client, &url("name=app-api.pixiv.net&type=AAAA"), &[ACCEPT])
        .await
        .json();
    assert_eq!(v6["Answer"][0]["data"], "::1");
    assert_eq!(v6["Answer"][0]["type"], 28);
    assert_eq!(mock.dns_queries(), 2);
    let logged = &mock.requests()[0];
    assert_eq!(logged.query_value("name"), Some("app-api.pixiv.net"));
}

#[tokio::test]
async fn unknown_names_forced_statuses_and_bad_requests() {
    let mock = MockPixiv::builder().start().await.unwrap();
    let client = client(&mock);
    let url = |q: &str| format!("{}/dns-query?{q}", mock.base_url());
    let unknown = get(&client, &url("name=nowhere.example&type=A"), &[ACCEPT])
        .await
        .json();
    assert_eq!(unknown["Status"], 3);
    assert!(unknown.get("Answer").is_none());

    mock.set_dns("i.pximg.net", vec!["127.0.0.2".parse().unwrap()], 60);
    let known = get(&client, &url("name=i.pximg.net&type=A"), &[ACCEPT])
        .await
        .json();
    assert_eq!(known["Answer"][0]["data"], "127.0.0.2");
    assert_eq!(known["Answer"][0]["TTL"], 60);
    mock.set_dns_status("i.pximg.net", Some(2));
    let servfail = get(&client, &url("name=i.pximg.net&type=A"), &[ACCEPT])
        .await
        .json();
    assert_eq!(servfail["Status"], 2);
    assert!(servfail.get("Answer").is_none());
    mock.set_dns_status("i.pximg.net", None);
    assert_eq!(
        get(&client, &url("name=i.pximg.net"), &[ACCEPT])
            .await
            .json()["Status"],
        0
    );

    assert_eq!(
        get(&client, &url("name=i.pximg.net&type=A"), &[])
            .await
            .status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        get(&client, &url("type=A"), &[ACCEPT]).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&client, &url("name=x&type=TXT"), &[ACCEPT])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(mock.dns_queries(), 7);
}

//! The alternate route (feature `bypass`): the DoH resolver against the mock's `/dns-query`, the
//! SNI-less route with the certificate still verified, and the fallback on a Cloudflare challenge.
//!
//! Run with `cargo test -p pixiv-transport --features bypass --test bypass`.
// Helpers outside #[test] fns unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use common::ClosedPort;
use http::{Request, StatusCode};
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::auth::StaticToken;
use pixiv_transport::bypass::{DEFAULT_REMEMBER_BYPASS, DohResolver, Route};
use pixiv_transport::connect::{ConnectConfig, Resolve, StaticResolver};
use pixiv_transport::{PixivError, RequestBody, Transport, TransportBuilder};
use tokio::time::Instant;

const API: &str = "app-api.pixiv.net";
const DETAIL: &str = "/v1/illust/detail";

fn localhost() -> IpAddr {
    "127.0.0.1".parse().unwrap()
}

fn doh_endpoint(mock: &MockPixiv) -> String {
    format!("{}/dns-query", mock.base_url())
}

/// An https endpoint where connections are refused while `closed` lives.
fn closed_endpoint(closed: &ClosedPort) -> String {
    format!("https://{}/dns-query", closed.addr())
}

/// A mock whose DoH table maps app-api.pixiv.net and i.pximg.net to 127.0.0.1.
async fn mock_with_dns() -> MockPixiv {
    MockPixiv::builder()
        .dns(API, vec![localhost()], 300)
        .dns("i.pximg.net", vec![localhost()], 300)
        .start()
        .await
        .unwrap()
}

/// A resolver asking these endpoints, trusting these mocks' CAs.
fn resolver(endpoints: &[String], cas: &[&MockPixiv]) -> DohResolver {
    let mut tls = pixiv_transport::connect::TlsConfig::new();
    for mock in cas {
        tls = tls.add_root_pem(mock.ca_pem().as_bytes()).unwrap();
    }
    DohResolver::builder()
        .endpoints(endpoints.iter().cloned())
        .connect(ConnectConfig::new().tls(tls))
        .build()
        .unwrap()
}

/// A transport builder trusting `mock`'s CA, with a Bearer for the API host and, on the direct
/// route, app-api.pixiv.net and i.pximg.net mapped to 127.0.0.1 by a static table.
fn builder(mock: &MockPixiv) -> TransportBuilder {
    let direct = StaticResolver::new()
        .with(API, [localhost()])
        .with("i.pximg.net", [localhost()]);
    Transport::builder()
        .connect(|c| c.resolver(direct))
        .add_root_certificate_pem(mock.ca_pem())
        .token_source(Arc::new(StaticToken::new(mock.issue_access_token())))
        .auth_hosts([API])
        .doh_endpoints([doh_endpoint(mock)])
}

fn detail_url(mock: &MockPixiv) -> String {
    format!("https://{API}:{}{DETAIL}", mock.addr().port())
}

async fn get_detail(t: &Transport, mock: &MockPixiv) -> Result<StatusCode, PixivError> {
    Ok(t.get(&detail_url(mock), &[("illust_id", "1")])
        .await?
        .status())
}

/// The SNI of each request to the detail endpoint, in order.
fn detail_snis(mock: &MockPixiv) -> Vec<Option<String>> {
    mock.requests_to(DETAIL)
        .into_iter()
        .map(|r| r.sni)
        .collect()
}

// ---------------------------------------------------------------- DoH resolver

/// The (name, type) asked by each DoH query the mock received, in order.
fn dns_questions(mock: &MockPixiv) -> Vec<(String, String)> {
    mock.requests_to("/dns-query")
        .iter()
        .map(|r| r.dns_question().expect("a DoH query"))
        .collect()
}

fn question(name: &str, rtype: &str) -> (String, String) {
    (name.to_owned(), rtype.to_owned())
}

#[tokio::test]
async fn doh_asks_the_mock_in_rfc_8484_wire_format() {
    let mock = mock_with_dns().await;
    let r = resolver(&[doh_endpoint(&mock)], &[&mock]);
    assert_eq!(r.lookup(API).await.unwrap(), [localhost()]);
    let log = mock.requests_to("/dns-query");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].method, http::Method::POST);
    assert_eq!(
        log[0].header("content-type"),
        Some("application/dns-message")
    );
    assert_eq!(log[0].version, http::Version::HTTP_2);
    assert_eq!(dns_questions(&mock), [question(API, "A")]);
    // As a connect-module resolver: port 0 means "the URL's port".
    let addrs = r.resolve(API.parse().unwrap()).await.unwrap();
    assert_eq!(addrs, ["127.0.0.1:0".parse().unwrap()]);
}

#[tokio::test]
async fn doh_asks_aaaa_too_when_ipv6_is_on() {
    let mock = MockPixiv::builder()
        .dns(API, vec![localhost(), "::1".parse().unwrap()], 300)
        .start()
        .await
        .unwrap();
    let tls = pixiv_transport::connect::TlsConfig::new()
        .add_root_pem(mock.ca_pem().as_bytes())
        .unwrap();
    let r = DohResolver::builder()
        .endpoints([doh_endpoint(&mock)])
        .connect(ConnectConfig::new().tls(tls))
        .ipv6(true)
        .build()
        .unwrap();
    let ips = r.lookup(API).await.unwrap();
    assert_eq!(ips, [localhost(), "::1".parse::<IpAddr>().unwrap()]);
    assert_eq!(
        dns_questions(&mock),
        [question(API, "A"), question(API, "AAAA")]
    );
}

#[tokio::test]
async fn doh_endpoint_by_name_is_resolved_by_the_connect_resolver_and_verified_by_name() {
    // The DoH server's certificate holds only "doh.test"; the connect resolver places the name.
    let doh = MockPixiv::builder()
        .tls_names(["doh.test"])
        .dns(API, vec![localhost()], 300)
        .start()
        .await
        .unwrap();
    let by_name = format!("https://doh.test:{}/dns-query", doh.addr().port());
    let tls = pixiv_transport::connect::TlsConfig::new()
        .add_root_pem(doh.ca_pem().as_bytes())
        .unwrap();
    let places = StaticResolver::new().with("doh.test", [localhost()]);
    let r = DohResolver::builder()
        .endpoints([by_name])
        .connect(ConnectConfig::new().tls(tls.clone()).resolver(places))
        .build()
        .unwrap();
    assert_eq!(r.lookup(API).await.unwrap(), [localhost()]);
    assert_eq!(dns_questions(&doh), [question(API, "A")]);

    // The same server asked by IP: its certificate does not hold 127.0.0.1, so no answer is used,
    // even with "accept invalid certificates" set (DoH verification is forced on).
    let by_ip = DohResolver::builder()
        .endpoints([doh_endpoint(&doh)])
        .connect(ConnectConfig::new().tls(tls.danger_accept_invalid_certs(true)))
        .build()
        .unwrap();
    let err = by_ip.lookup(API).await.unwrap_err();
    assert_eq!(err.failures().len(), 1);
    assert_eq!(
        doh.dns_queries(),
        1,
        "no query over the unverified connection"
    );
}

#[tokio::test]
async fn doh_picks_the_second_endpoint_when_the_first_is_closed() {
    let mock = mock_with_dns().await;
    let closed = ClosedPort::new();
    let r = resolver(&[closed_endpoint(&closed), doh_endpoint(&mock)], &[&mock]);
    assert_eq!(r.lookup(API).await.unwrap(), [localhost()]);
    assert_eq!(mock.dns_queries(), 1);
}

#[tokio::test]
async fn doh_rejects_a_servfail_answer_and_asks_the_next_endpoint() {
    let failing = mock_with_dns().await;
    failing.set_dns_status(API, Some(2)); // SERVFAIL
    let good = mock_with_dns().await;
    let r = resolver(
        &[doh_endpoint(&failing), doh_endpoint(&good)],
        &[&failing, &good],
    );
    assert_eq!(r.lookup(API).await.unwrap(), [localhost()]);
    assert_eq!((failing.dns_queries(), good.dns_queries()), (1, 1));

    // Alone, the SERVFAIL endpoint is an error that says so.
    let alone = resolver(&[doh_endpoint(&failing)], &[&failing]);
    let err = alone.lookup(API).await.unwrap_err();
    assert_eq!(err.failures().len(), 1);
    assert!(
        err.failures()[0].reason.contains("RCODE 2 (SERVFAIL)"),
        "{err}"
    );
}

#[tokio::test]
async fn doh_error_lists_every_endpoints_failure() {
    let mock = common::mock().await; // knows no names: NXDOMAIN
    let closed_port = ClosedPort::new();
    let closed = closed_endpoint(&closed_port);
    let r = resolver(&[closed.clone(), doh_endpoint(&mock)], &[&mock]);
    let err = r.lookup(API).await.unwrap_err();
    assert_eq!(err.host(), API);
    let endpoints: Vec<_> = err.failures().iter().map(|f| f.endpoint.clone()).collect();
    assert_eq!(endpoints, [closed.clone(), doh_endpoint(&mock)]);
    let text = err.to_string();
    assert!(
        text.starts_with("DNS-over-HTTPS lookup of app-api.pixiv.net failed at every endpoint: ")
    );
    assert!(text.contains(&closed), "{text}");
    assert!(text.contains("RCODE 3 (NXDOMAIN)"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn doh_caches_answers_for_their_ttl() {
    let mock = MockPixiv::builder()
        .dns(API, vec![localhost()], 60)
        .start()
        .await
        .unwrap();
    let r = resolver(&[doh_endpoint(&mock)], &[&mock]);
    r.lookup(API).await.unwrap();
    assert_eq!(mock.dns_queries(), 1);
    tokio::time::advance(Duration::from_secs(59)).await;
    r.lookup(API).await.unwrap();
    assert_eq!(mock.dns_queries(), 1, "within the TTL: from the cache");
    tokio::time::advance(Duration::from_secs(2)).await;
    r.lookup(API).await.unwrap();
    assert_eq!(mock.dns_queries(), 2, "after the TTL: asked again");
    // A changed record is seen once the new answer's TTL is over too.
    mock.set_dns(API, vec!["127.0.0.2".parse().unwrap()], 60);
    assert_eq!(r.lookup(API).await.unwrap(), [localhost()]);
    tokio::time::advance(Duration::from_secs(61)).await;
    assert_eq!(
        r.lookup(API).await.unwrap(),
        ["127.0.0.2".parse::<IpAddr>().unwrap()]
    );
}

#[tokio::test(start_paused = true)]
async fn doh_gives_a_silent_endpoint_2_seconds_then_asks_the_next() {
    let slow = mock_with_dns().await;
    slow.push_faults(
        RouteMatch::path("/dns-query"),
        [Fault::DelayHeaders(Duration::from_secs(30))],
    );
    let good = mock_with_dns().await;
    let r = resolver(&[doh_endpoint(&slow), doh_endpoint(&good)], &[&slow, &good]);
    let start = Instant::now();
    assert_eq!(r.lookup(API).await.unwrap(), [localhost()]);
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_millis(2100),
        "{elapsed:?}"
    );
    assert_eq!(good.dns_queries(), 1);
}

// ---------------------------------------------------------------- the bypass route

#[tokio::test]
async fn bypass_route_reaches_the_resolved_address_with_the_real_host_and_no_sni() {
    let mock = mock_with_dns().await;
    let t = builder(&mock).route(Route::Bypass).build().unwrap();
    assert_eq!(get_detail(&t, &mock).await.unwrap(), StatusCode::OK);

    let log = mock.requests_to(DETAIL);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].sni, None, "no SNI in the ClientHello");
    let host = format!("{API}:{}", mock.addr().port());
    assert_eq!(log[0].host.as_deref(), Some(host.as_str()));
    assert!(log[0].header("authorization").is_some());
    // The address came from the DoH table, not the direct route's static table.
    assert_eq!(dns_questions(&mock), [question(API, "A")]);
}

#[tokio::test]
async fn downloads_take_the_bypass_route_too() {
    let mock = mock_with_dns().await;
    let t = builder(&mock).route(Route::Bypass).build().unwrap();
    let url = format!("https://i.pximg.net:{}/size/5000/a.png", mock.addr().port());
    let req = Request::get(url)
        .header("referer", common::REFERER)
        .body(RequestBody::default())
        .unwrap();
    let body = common::read_body(t.send(req).await.unwrap()).await.unwrap();
    assert_eq!(body.len(), 5000);
    let log = mock.requests_to("/size/");
    assert_eq!(log[0].sni, None);
    assert_eq!(dns_questions(&mock), [question("i.pximg.net", "A")]);
}

#[tokio::test]
async fn bypass_route_still_verifies_the_certificate_against_the_real_host() {
    // The DoH mock maps app-api.pixiv.net to 127.0.0.1, where a server with a certificate for
    // another name listens.
    let dns = MockPixiv::builder()
        .dns(API, vec![localhost()], 300)
        .start()
        .await
        .unwrap();
    let wrong = MockPixiv::builder()
        .tls_names(["other.example"])
        .start()
        .await
        .unwrap();
    let t = Transport::builder()
        .add_root_certificate_pem(dns.ca_pem())
        .add_root_certificate_pem(wrong.ca_pem())
        .route(Route::Bypass)
        .doh_endpoints([doh_endpoint(&dns)])
        .build()
        .unwrap();
    let url = format!("https://{API}:{}{DETAIL}", wrong.addr().port());
    let err = t.get(&url, &[("illust_id", "1")]).await.unwrap_err();
    let PixivError::Tls { .. } = &err else {
        panic!("expected Tls, got {err:?}");
    };
    let text = err.to_string();
    assert!(
        text.contains("not valid for this host name"),
        "the cause is named: {text}"
    );
    assert!(
        text.contains("bypass route") && text.contains("may be blocked"),
        "the route is named: {text}"
    );
    assert!(wrong.requests().is_empty(), "no request went out");
}

#[tokio::test]
async fn bypass_route_checks_the_certificate_against_the_host_name_not_the_address() {
    let dns = MockPixiv::builder()
        .dns(API, vec![localhost()], 300)
        .start()
        .await
        .unwrap();
    // Certificates for the name only, and for the address only.
    let by_name = MockPixiv::builder().tls_names([API]).start().await.unwrap();
    let by_ip = MockPixiv::builder()
        .tls_names(["127.0.0.1"])
        .start()
        .await
        .unwrap();
    let t = Transport::builder()
        .add_root_certificate_pem(dns.ca_pem())
        .add_root_certificate_pem(by_name.ca_pem())
        .add_root_certificate_pem(by_ip.ca_pem())
        .token_source(Arc::new(StaticToken::new(by_name.issue_access_token())))
        .auth_hosts([API])
        .route(Route::Bypass)
        .doh_endpoints([doh_endpoint(&dns)])
        .build()
        .unwrap();

    let ok = t
        .get(&detail_url(&by_name), &[("illust_id", "1")])
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(by_name.requests_to(DETAIL)[0].sni, None);

    let err = t
        .get(&detail_url(&by_ip), &[("illust_id", "1")])
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::Tls { .. }), "{err:?}");
    assert!(
        err.to_string().contains("not valid for this host name"),
        "{err}"
    );

    // A certificate from a CA nobody trusts fails too: verification is on, not relaxed.
    let stranger = MockPixiv::builder().start().await.unwrap();
    let err = t
        .get(&detail_url(&stranger), &[("illust_id", "1")])
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::Tls { .. }), "{err:?}");
    assert!(
        err.to_string().contains("invalid peer certificate"),
        "{err}"
    );
    assert!(stranger.requests().is_empty());
}

#[tokio::test(start_paused = true)]
async fn bypass_route_fails_with_every_doh_failure_when_no_endpoint_answers() {
    let mock = common::mock().await; // its DoH table is empty
    let t = builder(&mock).route(Route::Bypass).build().unwrap();
    let err = get_detail(&t, &mock).await.unwrap_err();
    let PixivError::Connect { .. } = &err else {
        panic!("expected Connect, got {err:?}");
    };
    let text = err.to_string();
    assert!(
        text.contains("DNS-over-HTTPS lookup of app-api.pixiv.net failed"),
        "{text}"
    );
    assert!(text.contains("NXDOMAIN"), "{text}");
    assert!(mock.requests_to(DETAIL).is_empty());
    // A connect failure is retried by PixivPy's policy (3 retries), each asking again: failures
    // are not cached.
    assert_eq!(mock.dns_queries(), 4);
}

// ---------------------------------------------------------------- fallback

#[tokio::test(start_paused = true)]
async fn fallback_switches_route_once_and_remembers_the_host() {
    let mock = mock_with_dns().await;
    let t = builder(&mock).fallback_on_challenge(true).build().unwrap();
    mock.push_faults(RouteMatch::path(DETAIL), [Fault::CloudflareChallenge]);

    // 1: challenged on the direct route, answered on the bypass route.
    assert_eq!(get_detail(&t, &mock).await.unwrap(), StatusCode::OK);
    let direct = Some(API.to_owned());
    assert_eq!(detail_snis(&mock), [direct.clone(), None]);

    // 2: straight to the bypass route, for the remember time.
    tokio::time::advance(DEFAULT_REMEMBER_BYPASS - Duration::from_secs(1)).await;
    assert_eq!(get_detail(&t, &mock).await.unwrap(), StatusCode::OK);
    assert_eq!(detail_snis(&mock), [direct.clone(), None, None]);

    // 3: after it, direct again.
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(get_detail(&t, &mock).await.unwrap(), StatusCode::OK);
    assert_eq!(detail_snis(&mock), [direct.clone(), None, None, direct]);
    assert_eq!(t.metrics().errors, 0);
}

#[tokio::test]
async fn fallback_remembers_per_host_and_for_the_configured_time() {
    let mock = mock_with_dns().await;
    let t = builder(&mock)
        .bypass(|b| {
            b.fallback_on_challenge(true)
                .remember(Duration::ZERO)
                .doh_endpoints([doh_endpoint(&mock)])
        })
        .build()
        .unwrap();
    mock.push_faults(RouteMatch::path(DETAIL), [Fault::CloudflareChallenge]);
    assert_eq!(get_detail(&t, &mock).await.unwrap(), StatusCode::OK);
    // The image host was never challenged: direct.
    let url = format!("https://i.pximg.net:{}/size/10/a.png", mock.addr().port());
    let req = Request::get(url)
        .header("referer", common::REFERER)
        .body(RequestBody::default())
        .unwrap();
    t.send(req).await.unwrap();
    assert_eq!(
        mock.requests_to("/size/")[0].sni.as_deref(),
        Some("i.pximg.net")
    );
    // Remembered for zero time: the API host is direct again at once.
    assert_eq!(get_detail(&t, &mock).await.unwrap(), StatusCode::OK);
    let api = Some(API.to_owned());
    assert_eq!(detail_snis(&mock), [api.clone(), None, api]);
}

#[tokio::test]
async fn a_challenge_on_both_routes_is_returned_after_one_fallback() {
    let mock = mock_with_dns().await;
    let t = builder(&mock).fallback_on_challenge(true).build().unwrap();
    mock.push_faults(
        RouteMatch::path(DETAIL),
        [Fault::CloudflareChallenge, Fault::CloudflareChallenge],
    );
    let err = get_detail(&t, &mock).await.unwrap_err();
    assert!(
        matches!(err, PixivError::CloudflareChallenge { .. }),
        "{err:?}"
    );
    assert_eq!(detail_snis(&mock), [Some(API.to_owned()), None]);
}

#[tokio::test]
async fn without_fallback_a_challenge_stays_on_the_direct_route() {
    let mock = mock_with_dns().await;
    let t = builder(&mock).build().unwrap();
    mock.push_faults(RouteMatch::path(DETAIL), [Fault::CloudflareChallenge]);
    let err = get_detail(&t, &mock).await.unwrap_err();
    assert!(
        matches!(err, PixivError::CloudflareChallenge { .. }),
        "{err:?}"
    );
    assert_eq!(detail_snis(&mock), [Some(API.to_owned())]);
    assert_eq!(mock.dns_queries(), 0, "the bypass route is not even built");
}

#[tokio::test]
async fn oauth_posts_fall_back_with_their_body() {
    let mock = MockPixiv::builder()
        .dns("oauth.secure.pixiv.net", vec![localhost()], 300)
        .start()
        .await
        .unwrap();
    let direct = StaticResolver::new().with("oauth.secure.pixiv.net", [localhost()]);
    let t = Transport::builder()
        .connect(|c| c.resolver(direct))
        .add_root_certificate_pem(mock.ca_pem())
        .fallback_on_challenge(true)
        .doh_endpoints([doh_endpoint(&mock)])
        .build()
        .unwrap();
    mock.push_faults(
        RouteMatch::path("/auth/token"),
        [Fault::CloudflareChallenge],
    );
    let url = format!(
        "https://oauth.secure.pixiv.net:{}/auth/token",
        mock.addr().port()
    );
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", pixiv_mock::DEMO_REFRESH_TOKEN),
        ("client_id", pixiv_mock::CLIENT_ID),
        ("client_secret", pixiv_mock::CLIENT_SECRET),
    ];
    // The mock also wants X-Client-Time/X-Client-Hash (the facade's job): whatever it says, the
    // answer came from the bypass route, not from Cloudflare.
    let result = t.post_form(&url, &form).await;
    assert!(
        !matches!(result, Err(PixivError::CloudflareChallenge { .. })),
        "{result:?}"
    );
    let log = mock.requests_to("/auth/token");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].sni.as_deref(), Some("oauth.secure.pixiv.net"));
    assert_eq!(log[1].sni, None);
    assert_eq!(log[0].body, log[1].body, "the same form, replayed");
}

// The `route` tracing field is tested in tests/bypass_trace.rs, alone in its process: tracing's
// callsite interest is global, and the other tests here register the same callsites from
// other threads while a scoped subscriber is set.

//! Hostile redirects through the whole `Transport`, over real sockets: a 307/308 that would carry
//! a POST body to another origin, and redirects (or URLs) into link-local, loopback or private
//! space (docs/security.md, "Redirects" and "Addresses").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::future::BoxFuture;
use pixiv_errors::{AddressRefusal, PixivError, RedirectErrorKind};
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::Transport;
use pixiv_transport::connect::{Name, Resolve, StaticResolver};

const FORM: &[(&str, &str)] = &[("comment", "private words"), ("restrict", "public")];

async fn mock(tls: bool) -> MockPixiv {
    MockPixiv::builder().tls(tls).start().await.unwrap()
}

fn redirect_once(mock: &MockPixiv, path: &str, status: u16, location: String) {
    mock.push_faults(
        RouteMatch::path(path),
        [Fault::Redirect { status, location }],
    );
}

/// A transport trusting both mocks' CAs, without rate limit or retries in the way.
fn transport(a: &MockPixiv, b: &MockPixiv) -> Transport {
    Transport::builder()
        .no_rate_limit()
        .add_root_certificate_pem(a.ca_pem())
        .add_root_certificate_pem(b.ca_pem())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_307_or_308_post_to_another_origin_is_refused_before_the_body_leaves() {
    for status in [307, 308] {
        let (a, b) = (mock(true).await, mock(true).await);
        redirect_once(&a, "/start", status, format!("{}/steal", b.base_url()));
        let err = transport(&a, &b)
            .post_form(&format!("{}/start", a.base_url()), FORM)
            .await
            .unwrap_err();
        assert!(
            matches!(
                &err,
                PixivError::Redirect { kind: RedirectErrorKind::CrossOriginBody { status: s }, .. }
                    if s.as_u16() == status
            ),
            "{status}: {err:?}"
        );
        assert_eq!(a.requests().len(), 1, "not retried");
        assert!(
            b.requests().is_empty(),
            "{status}: nothing reached the other origin"
        );
        assert_eq!(b.connections_opened(), 0, "{status}: not even a connection");
    }
}

#[tokio::test]
async fn a_307_post_on_the_same_origin_is_followed_with_its_body() {
    let a = mock(true).await;
    redirect_once(&a, "/start", 307, format!("{}/landing", a.base_url()));
    let t = transport(&a, &a);
    let _ = t.post_form(&format!("{}/start", a.base_url()), FORM).await;
    let log = a.requests();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[1].path, "/landing");
    assert_eq!(log[1].method, http::Method::POST);
    assert_eq!(log[1].body, log[0].body);
    assert!(!log[1].body.is_empty());
}

#[tokio::test]
async fn a_302_post_to_another_origin_becomes_a_bodiless_get() {
    let (a, b) = (mock(true).await, mock(true).await);
    redirect_once(&a, "/start", 302, format!("{}/landing", b.base_url()));
    // Whatever the landing page answers, what it received is what counts.
    let _ = transport(&a, &b)
        .post_form(&format!("{}/start", a.base_url()), FORM)
        .await;
    let at_b = b.requests();
    assert_eq!(at_b.len(), 1);
    assert_eq!(at_b[0].method, http::Method::GET);
    assert!(at_b[0].body.is_empty());
}

#[tokio::test]
async fn a_post_307_from_https_down_to_http_is_another_origin() {
    let (a, b) = (mock(true).await, mock(false).await);
    redirect_once(&a, "/start", 307, format!("{}/landing", b.base_url()));
    let err = transport(&a, &a)
        .post_form(&format!("{}/start", a.base_url()), FORM)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PixivError::Redirect {
                kind: RedirectErrorKind::CrossOriginBody { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(b.requests().is_empty());
}

/// A resolver that counts its lookups and answers from a table.
#[derive(Clone, Default)]
struct Counted {
    table: StaticResolver,
    lookups: Arc<AtomicUsize>,
}

impl Resolve for Counted {
    fn resolve(&self, name: Name) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        self.table.resolve(name)
    }
}

fn transport_resolving(resolver: Counted) -> Transport {
    Transport::builder()
        .connect(|c| c.resolver(resolver))
        .no_rate_limit()
        .build()
        .unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn assert_refused(err: &PixivError, host: &str, reason: AddressRefusal) {
    match err {
        PixivError::AddressRefused {
            host: h, reason: r, ..
        } => {
            assert_eq!((h.as_str(), *r), (host, reason), "{err:?}");
            assert!(!err.is_retryable());
            assert!(err.to_string().contains(host), "{err}");
        }
        other => panic!("expected AddressRefused for {host}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_redirect_to_the_metadata_address_is_refused_without_connecting() {
    let a = mock(false).await;
    for (location, host) in [
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        (
            "http://[::ffff:169.254.169.254]/latest/",
            "[::ffff:a9fe:a9fe]",
        ),
        ("http://[fe80::1]:8080/", "[fe80::1]"),
    ] {
        redirect_once(&a, "/start", 302, location.to_owned());
        let t = transport_resolving(Counted::default());
        let err = t
            .get(&format!("{}/start", a.base_url()), &[])
            .await
            .unwrap_err();
        assert_refused(&err, host, AddressRefusal::LinkLocal);
        // Only the mock was connected to: a connect to 169.254.x.x would have failed or hung.
        assert_eq!(t.metrics().connections_opened, 1, "{location}");
        assert_eq!(t.metrics().attempts, 1, "{location}: not retried");
    }
}

#[tokio::test]
async fn a_name_resolving_to_link_local_is_refused_after_the_lookup() {
    let a = mock(false).await;
    let resolver = Counted {
        table: StaticResolver::new()
            .with("metadata.example", [ip("169.254.169.254")])
            .with("mapped.example", [ip("::ffff:169.254.1.1")])
            .with("mixed.example", [ip("127.0.0.1"), ip("169.254.169.254")]),
        ..Counted::default()
    };
    let lookups = Arc::clone(&resolver.lookups);
    let t = transport_resolving(resolver);
    // A redirect to such a name...
    let port = a.addr().port();
    redirect_once(
        &a,
        "/start",
        302,
        format!("http://metadata.example:{port}/x"),
    );
    let err = t
        .get(&format!("{}/start", a.base_url()), &[])
        .await
        .unwrap_err();
    assert_refused(&err, "metadata.example", AddressRefusal::LinkLocal);
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        1,
        "refused after DNS, not by the URL text"
    );
    // ...and the name asked for directly, whatever else it resolves to.
    for host in ["metadata.example", "mapped.example", "mixed.example"] {
        let err = t
            .get(&format!("http://{host}:{port}/x"), &[])
            .await
            .unwrap_err();
        assert_refused(&err, host, AddressRefusal::LinkLocal);
    }
    assert_eq!(
        a.requests().len(),
        1,
        "only the first request reached the mock"
    );
    assert_eq!(t.metrics().connections_opened, 1);
}

#[tokio::test]
async fn a_public_host_may_not_redirect_to_loopback() {
    // "public.example" stands for a public host; it resolves to the first mock so the test can
    // run here, but by its name it is public.
    let (a, b) = (mock(false).await, mock(false).await);
    let resolver = Counted {
        table: StaticResolver::new()
            .with("public.example", [ip("127.0.0.1")])
            .with("internal.example", [ip("127.0.0.1")]),
        ..Counted::default()
    };
    let t = transport_resolving(resolver);
    let start = format!("http://public.example:{}/start", a.addr().port());
    for (location, host) in [
        (b.base_url(), "127.0.0.1".to_owned()),
        (
            format!("http://internal.example:{}/", b.addr().port()),
            "internal.example".to_owned(),
        ),
        (
            format!("http://[::1]:{}/", b.addr().port()),
            "[::1]".to_owned(),
        ),
    ] {
        redirect_once(&a, "/start", 302, location.clone());
        let err = t.get(&start, &[]).await.unwrap_err();
        assert_refused(&err, &host, AddressRefusal::PrivateFromPublic);
    }
    assert!(
        b.requests().is_empty(),
        "nothing reached the loopback target"
    );
    assert_eq!(a.requests().len(), 3);
}

#[tokio::test]
async fn loopback_may_redirect_to_loopback() {
    let (a, b) = (mock(false).await, mock(false).await);
    redirect_once(&a, "/start", 302, format!("{}/landing", b.base_url()));
    let t = transport_resolving(Counted::default());
    // The landing page's own answer does not matter: that the hop reached it does.
    let _ = t.get(&format!("{}/start", a.base_url()), &[]).await;
    let at_b = b.requests();
    assert_eq!(at_b.len(), 1);
    assert_eq!(at_b[0].path, "/landing");
}

#[tokio::test]
async fn a_public_name_may_redirect_within_itself() {
    // A mirror reached by a name that resolves to a private address redirects to another path
    // (and port) of the same name: the same host as the first request, so not refused.
    let (a, b) = (mock(false).await, mock(false).await);
    let resolver = Counted {
        table: StaticResolver::new().with("mirror.example", [ip("127.0.0.1")]),
        ..Counted::default()
    };
    let t = transport_resolving(resolver);
    let port_b = b.addr().port();
    redirect_once(
        &a,
        "/start",
        302,
        format!("http://mirror.example:{port_b}/landing"),
    );
    let _ = t
        .get(
            &format!("http://mirror.example:{}/start", a.addr().port()),
            &[],
        )
        .await;
    assert_eq!(b.requests().len(), 1);
}

//! A hostile or misconfigured OAuth host (issues #12 and #19): the token call never follows a
//! redirect, so its form (client secret, refresh token, code and verifier) goes to the configured
//! OAuth origin only; an absurd `expires_in` never panics. Every case runs against the mock over
//! real TLS, with a plain tokio listener as the "evil origin" the redirects point to: it counts
//! every connection it is offered, and must be offered none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use pixiv::oauth::pkce::exchange_code_with;
use pixiv_errors::{AuthErrorKind, PixivError};
use pixiv_mock::{Fault, RouteMatch};
use pixiv_transport::Transport;
use pixiv_transport::retry::RetryPolicy;
use tokio::io::AsyncReadExt as _;
use tokio::net::TcpListener;

/// A listener that would gladly take the form: counts connections and the bytes sent to it.
struct Evil {
    port: u16,
    connections: Arc<AtomicUsize>,
    bytes: Arc<AtomicUsize>,
}

async fn evil() -> Evil {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let bytes = Arc::new(AtomicUsize::new(0));
    let (c, b) = (Arc::clone(&connections), Arc::clone(&bytes));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            let b = Arc::clone(&b);
            tokio::spawn(async move {
                let mut buf = [0_u8; 4096];
                while let Ok(n @ 1..) = stream.read(&mut buf).await {
                    b.fetch_add(n, Ordering::SeqCst);
                }
            });
        }
    });
    Evil {
        port,
        connections,
        bytes,
    }
}

impl Evil {
    /// A Location on this listener whose path and query must never be shown.
    fn location(&self, scheme: &str) -> String {
        format!(
            "{scheme}://127.0.0.1:{}/steal/path?leak=query-part",
            self.port
        )
    }

    fn assert_untouched(&self) {
        assert_eq!(self.connections.load(Ordering::SeqCst), 0, "connections");
        assert_eq!(self.bytes.load(Ordering::SeqCst), 0, "bytes");
    }
}

/// The error is `Auth` (`Redirected`) with the status, naming the evil origin and nothing after it.
fn assert_redirect_error(err: &PixivError, status: u16, evil: &Evil, scheme: &str) {
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::Redirected), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
    let (display, debug) = (err.to_string(), format!("{err:?}"));
    let origin = format!("{scheme}://127.0.0.1:{}", evil.port);
    assert!(display.contains(&origin), "{display}");
    assert!(display.contains(&status.to_string()), "{display}");
    for shown in [&display, &debug] {
        assert!(!shown.contains("steal"), "{shown}");
        assert!(!shown.contains("query-part"), "{shown}");
    }
}

fn redirect_token_call(mock: &pixiv_mock::MockPixiv, status: u16, location: String) {
    mock.push_faults(
        RouteMatch::path("/auth/token"),
        [Fault::Redirect { status, location }],
    );
}

#[tokio::test]
async fn a_refresh_token_login_never_follows_a_redirect_https_or_http() {
    let mock = mock().await;
    let evil = evil().await;
    for scheme in ["https", "http"] {
        for status in [301, 302, 303, 307, 308] {
            redirect_token_call(&mock, status, evil.location(scheme));
            let client = client_builder(&mock)
                .transport(|t| t.retry(RetryPolicy::none()))
                .build()
                .unwrap();
            let err = client.login().await.unwrap_err();
            assert_redirect_error(&err, status, &evil, scheme);
        }
    }
    evil.assert_untouched();
    // The form went to the mock only, once per login, never replayed past the 3xx.
    assert_eq!(mock.requests_to("/auth/token").len(), 10);
    assert_eq!(mock.pending_faults(), 0);
}

#[tokio::test]
async fn a_relative_redirect_is_refused_too_and_names_the_oauth_origin() {
    let mock = mock().await;
    redirect_token_call(&mock, 307, "/auth/token?again=1".to_owned());
    let client = client_builder(&mock).build().unwrap();
    let err = client.login().await.unwrap_err();
    assert_eq!(err.auth_kind(), Some(AuthErrorKind::Redirected), "{err:?}");
    assert!(err.to_string().contains(&mock.base_url()), "{err}");
    assert!(!err.to_string().contains("again"), "{err}");
    // The 3xx ended the call: one token request, no replay of the form.
    assert_eq!(mock.requests_to("/auth/token").len(), 1);
}

#[tokio::test]
async fn a_pkce_code_exchange_never_follows_a_redirect() {
    let mock = mock().await;
    let evil = evil().await;
    let transport = Transport::builder()
        .add_root_certificate_pem(mock.ca_pem())
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    for scheme in ["https", "http"] {
        for status in [301, 302, 303, 307, 308] {
            redirect_token_call(&mock, status, evil.location(scheme));
            let err = exchange_code_with(
                &transport,
                &mock.base_url(),
                "the-authorization-code-xyz",
                "the-code-verifier-0123456789",
            )
            .await
            .unwrap_err();
            assert_redirect_error(&err, status, &evil, scheme);
        }
    }
    evil.assert_untouched();
}

#[tokio::test]
async fn an_oauth_token_source_on_a_users_transport_never_follows_a_redirect() {
    let mock = mock().await;
    let evil = evil().await;
    // A transport as a user might build it: redirects allowed (the default, 5 hops).
    let transport = Transport::builder()
        .add_root_certificate_pem(mock.ca_pem())
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    redirect_token_call(&mock, 308, evil.location("https"));
    let source = pixiv::oauth::OAuthTokenSource::new(
        transport,
        mock.base_url(),
        pixiv_mock::DEMO_REFRESH_TOKEN,
    );
    let err = source.login().await.unwrap_err();
    assert_redirect_error(&err, 308, &evil, "https");
    evil.assert_untouched();
    // The same source logs in once the OAuth host behaves.
    assert_eq!(source.login().await.unwrap().id, pixiv_mock::DEMO_USER_ID);
}

/// A token answer with this `expires_in` (raw JSON text).
fn token_answer(expires_in: &str) -> Fault {
    let body = format!(
        r#"{{"access_token": "absurd-lifetime-access-token", "expires_in": {expires_in},
            "token_type": "bearer", "refresh_token": "{}",
            "user": {{"id": "{}", "name": "n", "account": "a"}}}}"#,
        pixiv_mock::DEMO_REFRESH_TOKEN,
        pixiv_mock::DEMO_USER_ID
    );
    Fault::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    }
}

#[tokio::test]
async fn an_absurd_expires_in_never_panics() {
    let mock = mock().await;
    // Numbers are capped at a day; the rest is a Decode error naming the field.
    let cases = [
        ("9223372036854775807", true),
        ("18446744073709551615", true),
        ("9.2e18", true),
        ("1e308", true),
        ("3600.5", true),
        ("\"3600\"", true),
        ("null", true),
        ("-1", false),
        ("-9.2e18", false),
        ("\"soon\"", false),
        ("[1]", false),
        ("{}", false),
    ];
    for (value, ok) in cases {
        mock.push_faults(RouteMatch::path("/auth/token"), [token_answer(value)]);
        let client = client_builder(&mock).build().unwrap();
        let got = client.login().await;
        if ok {
            assert_eq!(got.unwrap().id, pixiv_mock::DEMO_USER_ID, "{value}");
        } else {
            let err = got.unwrap_err();
            assert!(matches!(err, PixivError::Decode { .. }), "{value}: {err:?}");
            assert!(err.to_string().contains("expires_in"), "{err}");
        }
    }
}

//! Secrets stay secret: a representative run of the client — OAuth login and refresh through the
//! facade, JSON calls, a download, and every kind of failure (dead refresh token, rate limit,
//! Cloudflare, decode, 5xx echoing a token, redirect carrying a token, proxy authentication
//! failure with a password in the proxy URL) — with tracing at TRACE (every crate, span
//! open/close included) captured in memory. No access token, refresh token, client secret or
//! proxy password may appear in any log line, nor in any error's `Display` or `Debug`.
//!
//! The client runs on a current-thread runtime inside `tracing::subscriber::with_default`, so
//! every event of the client (its hyper/h2 connection tasks included) lands in the buffer; the
//! mock runs on a runtime of its own on other threads, so the server side is not captured (it
//! sees tokens by design).
//!
//! The CLI (`pixiv -v`) is covered by its own crate (`verbose_output_holds_no_token` in
//! crates/pixiv-cli/tests/commands.rs); the whole suite is also run at TRACE with every log
//! line scanned for every secret the mock saw (`cargo xtask secrets`, part of CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use pixiv::{ProxyConfig, RankingMode};
use pixiv_errors::PixivError;
use pixiv_mock::{Fault, MockPixiv, RouteMatch};
use pixiv_transport::Transport;
use pixiv_transport::auth::StaticToken;
use pixiv_transport::retry::RetryPolicy;
use serde_json::Value;
use tracing_subscriber::fmt::format::FmtSpan;

/// A canary a hostile server puts where a token would go.
const CANARY: &str = "canary-token-9f8e7d6c5b4a";

#[derive(Clone)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `fut` on a current-thread runtime with a TRACE subscriber writing into a buffer; returns
/// the output and the captured log.
fn captured<T>(fut: impl Future<Output = T>) -> (T, String) {
    let buf = SharedBuf(Arc::new(Mutex::new(Vec::new())));
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .finish();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = tracing::subscriber::with_default(subscriber, || {
        let out = rt.block_on(fut);
        // Connection tasks end inside the subscriber too.
        drop(rt);
        out
    });
    let log = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
    (out, log)
}

/// A mock on a runtime of its own (other threads: not captured).
fn server(builder: pixiv_mock::MockPixivBuilder) -> (tokio::runtime::Runtime, MockPixiv) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = rt.block_on(builder.start()).unwrap();
    (rt, mock)
}

/// Every secret the run used: Bearer tokens and refresh tokens seen on the wire, the client
/// secret, and extras.
fn secrets_seen(mock: &MockPixiv, extra: &[&str]) -> Vec<String> {
    let mut secrets: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
    secrets.push(CLIENT_SECRET.to_owned());
    secrets.push(pixiv_mock::DEMO_REFRESH_TOKEN.to_owned());
    for r in mock.requests() {
        if let Some(token) = r
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            secrets.push(token.to_owned());
        }
        for (k, v) in r.form() {
            if k.contains("token") || k.contains("secret") {
                secrets.push(v);
            }
        }
    }
    secrets.sort();
    secrets.dedup();
    secrets.retain(|s| s.len() >= 8);
    secrets
}

fn assert_no_secret(secrets: &[String], log: &str, errors: &[PixivError], debugs: &[String]) {
    assert!(
        log.contains("TRACE") && log.contains("pixiv.request") && log.lines().count() > 50,
        "the capture works (many lines, TRACE ones and the transport's span among them)"
    );
    for s in secrets {
        for (n, line) in log.lines().enumerate() {
            assert!(
                !line.contains(s.as_str()),
                "log line {n} leaks {s:?}: {line}"
            );
        }
        for e in errors {
            let (display, debug) = (format!("{e}"), format!("{e:?}"));
            assert!(
                !display.contains(s.as_str()),
                "Display leaks {s:?}: {display}"
            );
            assert!(!debug.contains(s.as_str()), "Debug leaks {s:?}: {debug}");
        }
        for d in debugs {
            assert!(!d.contains(s.as_str()), "Debug leaks {s:?}: {d}");
        }
    }
}

#[test]
fn the_facade_logs_no_secret_through_login_refresh_calls_downloads_and_errors() {
    let (_server_rt, mock) = server(MockPixiv::builder());
    let dir = tempfile::tempdir().unwrap();
    let ((errors, debugs), log) = captured(async {
        let mut errors = Vec::new();
        let mut debugs = Vec::new();
        let client = client_builder(&mock)
            .transport(|c| c.retry(RetryPolicy::none()).no_rate_limit())
            .build()
            .unwrap();
        debugs.push(format!("{client:?}"));
        let me = client.login().await.unwrap();
        debugs.push(format!("{me:?}"));
        let illust = client.illust_detail(12).await.unwrap();
        debugs.push(format!("{:?}", client.refresh_token()));
        // The access token dies: refresh and replay.
        mock.expire_access_tokens();
        client.illust_detail(13).await.unwrap();
        let page = client.illust_ranking(RankingMode::Day).await.unwrap();
        debugs.push(format!("{page:?}").chars().take(2000).collect());
        client
            .download_illust(&illust, dir.path(), &pixiv::DownloadOptions::new())
            .await
            .unwrap();

        // Every kind of failure.
        let api = RouteMatch::path_prefix("/v1/illust/detail");
        let faults = [
            Fault::RateLimitBody,
            Fault::TooManyRequests { retry_after: None },
            Fault::CloudflareChallenge,
            Fault::Restricted,
            Fault::Status(500),
            Fault::Raw {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: format!("{{\"illust\": {{\"id\": \"x\", \"access_token\": \"{CANARY}\"").into(),
            },
            Fault::Raw {
                status: 500,
                headers: vec![
                    ("content-type".into(), "application/json".into()),
                    ("set-cookie".into(), format!("PHPSESSID={CANARY}")),
                ],
                body: format!(
                    "{{\"error\": {{\"message\": \"boom\"}}, \"access_token\": \"{CANARY}\", \"refresh_token\": \"{CANARY}\"}}"
                )
                .into(),
            },
            Fault::Redirect {
                status: 302,
                location: format!("{}/v1/x?access_token={CANARY}&code={CANARY}", mock.base_url()),
            },
            Fault::Redirect {
                status: 302,
                location: format!("ftp://user:{CANARY}@127.0.0.1/x?refresh_token={CANARY}"),
            },
        ];
        for fault in faults {
            mock.push_faults(api.clone(), [fault]);
            errors.push(client.illust_detail(1).await.unwrap_err());
        }
        // A dead refresh token.
        let dead = client_builder(&mock)
            .refresh_token(format!("dead-refresh-{CANARY}"))
            .build()
            .unwrap();
        errors.push(dead.login().await.unwrap_err());
        errors.push(dead.illust_detail(1).await.unwrap_err());
        // OAuth answering a 500 that echoes the form back.
        mock.push_faults(
            RouteMatch::path("/auth/token"),
            [Fault::Raw {
                status: 500,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: format!(
                    "bad request: client_secret={CLIENT_SECRET}&refresh_token={}",
                    pixiv_mock::DEMO_REFRESH_TOKEN
                )
                .into(),
            }],
        );
        let fresh = client_builder(&mock)
            .transport(|c| c.retry(RetryPolicy::none()))
            .build()
            .unwrap();
        errors.push(fresh.login().await.unwrap_err());
        (errors, debugs)
    });
    let kinds: Vec<String> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '{', '('])
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    for kind in [
        "RateLimited",
        "CloudflareChallenge",
        "Http",
        "Decode",
        "Auth",
        "Redirect",
    ] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "no {kind} error in {kinds:?}"
        );
    }
    let secrets = secrets_seen(&mock, &[CANARY]);
    assert!(
        secrets.len() >= 4,
        "at least two access tokens, the refresh tokens and the client secret: {secrets:?}"
    );
    assert_no_secret(&secrets, &log, &errors, &debugs);
}

#[test]
fn a_transport_with_a_static_token_logs_no_secret() {
    let (_server_rt, mock) = server(MockPixiv::builder());
    let token = mock.issue_access_token();
    let (errors, log) = captured(async {
        let t = Transport::builder()
            .add_root_certificate_pem(mock.ca_pem())
            .token_source(Arc::new(StaticToken::new(token.clone())))
            .auth_origins([mock.base_url().parse().unwrap()])
            .no_rate_limit()
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let mut errors = Vec::new();
        let _: Value = t
            .json(get(&mock, "/v1/illust/detail?illust_id=12"))
            .await
            .unwrap();
        // A token in the query of the request itself (a careless caller).
        let _ = t
            .send(get(&mock, &format!("/size/10/x?access_token={CANARY}")))
            .await
            .unwrap();
        mock.push_faults(RouteMatch::any(), [Fault::InvalidGrant]);
        errors.push(
            t.json::<Value>(get(&mock, "/v1/illust/detail?illust_id=1"))
                .await
                .unwrap_err(),
        );
        mock.expire_access_tokens();
        errors.push(
            t.json::<Value>(get(&mock, "/v1/illust/detail?illust_id=1"))
                .await
                .unwrap_err(),
        );
        (errors, format!("{t:?}"))
    });
    let (errors, debug) = errors;
    let secrets = secrets_seen(&mock, &[&token, CANARY]);
    assert_no_secret(&secrets, &log, &errors, &[debug]);
}

#[test]
fn a_proxy_password_never_shows_whether_the_proxy_accepts_it_or_not() {
    const GOOD: &str = "px-good-pass-S3CRET";
    const BAD: &str = "px-bad-pass-S3CRET";
    let (_tls_rt, mock) = server(MockPixiv::builder());
    let (_plain_rt, plain) = server(MockPixiv::builder().tls(false));
    let proxy = common::start_proxy(ProxyOptions {
        connect_ports: &[mock.addr().port()],
        auth: Some(("pxuser", GOOD)),
    });
    let ((errors, debugs), log) = captured(async {
        let mut errors = Vec::new();
        let mut debugs = Vec::new();
        for (pass, ok) in [(GOOD, true), (BAD, false)] {
            let cfg = ProxyConfig::url(&proxy.url_with("pxuser", pass)).unwrap();
            debugs.push(format!("{cfg:?}"));
            let t = builder(&mock)
                .proxy(cfg.clone())
                .retry(RetryPolicy::none())
                .build()
                .unwrap();
            debugs.push(format!("{t:?}"));
            // HTTPS through CONNECT (the credentials ride on the CONNECT).
            let https = t
                .json::<Value>(get(&mock, "/v1/illust/detail?illust_id=12"))
                .await;
            // Plain HTTP in absolute form (the credentials ride on the request).
            let tp = pixiv_transport::Transport::builder()
                .proxy(cfg)
                .no_rate_limit()
                .retry(RetryPolicy::none())
                .build()
                .unwrap();
            let http = tp.send(get(&plain, "/size/10/x")).await;
            if ok {
                https.unwrap();
                http.unwrap();
            } else {
                let e = https.unwrap_err();
                assert!(matches!(e, PixivError::Proxy { .. }), "{e:?}");
                errors.push(e);
                // tinyproxy 1.11 answers wrong credentials on a plain request with 401 (not
                // 407), which cannot be told from the target's own 401: `Auth`.
                let e = http.unwrap_err();
                assert!(
                    matches!(e, PixivError::Proxy { .. } | PixivError::Auth { .. }),
                    "{e:?}"
                );
                errors.push(e);
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        (errors, debugs)
    });
    let secrets = secrets_seen(&mock, &[GOOD, BAD]);
    assert_no_secret(&secrets, &log, &errors, &debugs);
}

/// An answer body that quotes a secret in prose, where no key names it: only redaction by
/// value can hide it (issue #12.6).
fn quoting(status: u16, body: String) -> Fault {
    Fault::Raw {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    }
}

#[test]
fn secrets_quoted_in_prose_by_an_answer_are_redacted_by_value() {
    let (_server_rt, mock) = server(MockPixiv::builder());
    let ((errors, access), log) = captured(async {
        let mut errors = Vec::new();
        let client = client_builder(&mock)
            .transport(|c| c.retry(RetryPolicy::none()).no_rate_limit())
            .build()
            .unwrap();
        // The OAuth host quotes the refresh token and the client secret it was sent.
        mock.push_faults(
            RouteMatch::path("/auth/token"),
            [quoting(
                400,
                format!(
                    r#"{{"has_error": true, "errors": {{"system": {{"message": "the grant {} from client {CLIENT_SECRET} is unknown", "code": 1508}}}}}}"#,
                    pixiv_mock::DEMO_REFRESH_TOKEN
                ),
            )],
        );
        errors.push(client.login().await.unwrap_err());
        // Now logged in; the App API quotes the access token it got.
        client.illust_detail(12).await.unwrap();
        let access = mock
            .requests()
            .iter()
            .find_map(|r| r.header("authorization").map(str::to_owned))
            .unwrap()
            .trim_start_matches("Bearer ")
            .to_owned();
        mock.push_faults(
            RouteMatch::path_prefix("/v1/illust/detail"),
            [quoting(
                400,
                format!(
                    r#"{{"error": {{"user_message": "", "message": "the bearer {access} may not read this", "reason": "", "user_message_details": {{}}}}}}"#
                ),
            )],
        );
        errors.push(client.illust_detail(12).await.unwrap_err());
        (errors, access)
    });
    assert!(errors[0].is_auth(), "{:?}", errors[0]);
    assert_eq!(errors[1].status().map(|s| s.as_u16()), Some(400));
    for e in &errors {
        let (display, debug) = (e.to_string(), format!("{e:?}"));
        assert!(display.contains("<redacted>"), "{display}");
        for secret in [pixiv_mock::DEMO_REFRESH_TOKEN, CLIENT_SECRET, &access] {
            assert!(!display.contains(secret), "Display leaks: {display}");
            assert!(!debug.contains(secret), "Debug leaks: {debug}");
            assert!(!log.contains(secret), "the log leaks {secret}");
        }
        // The fields a caller (the CLI) reads directly are scrubbed too.
        if let PixivError::Auth { message, .. } | PixivError::Http { message, .. } = e {
            assert!(!message.contains(&access), "{message}");
            assert!(
                !message.contains(pixiv_mock::DEMO_REFRESH_TOKEN),
                "{message}"
            );
        }
    }
}

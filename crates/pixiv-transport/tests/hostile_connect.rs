//! Hostile peers at connection time, as small tokio servers inside the test: a TLS server that
//! accepts and never answers the handshake, and proxies whose CONNECT reply never ends or holds
//! too many headers. Each failure must say what it was (docs/reliability.md, "Hostile peers").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use pixiv_errors::{PixivError, TimeoutPhase};
use pixiv_transport::Transport;
use pixiv_transport::connect::ProxyConfig;
use pixiv_transport::retry::RetryPolicy;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// Accepts connections and keeps them open, silent, until the test ends.
async fn silent_server() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (port, task)
}

#[tokio::test(start_paused = true)]
async fn a_stalled_tls_handshake_is_a_handshake_timeout_not_a_headers_one() {
    let (port, _server) = silent_server().await;
    let t = Transport::builder()
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::new().max_retries(0))
        .build()
        .unwrap();
    let err = t
        .get(&format!("https://127.0.0.1:{port}/x"), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PixivError::Timeout {
                phase: TimeoutPhase::TlsHandshake
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "timed out (TLS handshake)");
    assert!(err.is_retryable());
}

/// A proxy that reads the CONNECT request, then answers "200 Connection established" followed
/// by `rest` (written once, or forever when `endless`).
async fn hostile_proxy(rest: Vec<u8>, endless: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let rest = rest.clone();
            tokio::spawn(async move {
                read_head(&mut socket).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 Connection established\r\n")
                    .await;
                loop {
                    if socket.write_all(&rest).await.is_err() || !endless {
                        break;
                    }
                }
                let mut sink = [0u8; 1024];
                while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
            });
        }
    });
    port
}

async fn read_head(socket: &mut TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

async fn through(proxy_port: u16) -> PixivError {
    let t = Transport::builder()
        .timeout(Duration::from_secs(10))
        .proxy(ProxyConfig::url(&format!("http://127.0.0.1:{proxy_port}")).unwrap())
        .build()
        .unwrap();
    t.get("https://app-api.pixiv.net/v1/x", &[])
        .await
        .unwrap_err()
}

#[tokio::test]
async fn an_endless_connect_reply_is_reported_as_oversized_not_as_a_refusal() {
    let port = hostile_proxy(
        format!("X-Pad: {}\r\n", "a".repeat(1000)).into_bytes(),
        true,
    )
    .await;
    let err = through(port).await;
    let PixivError::Proxy { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("oversized reply"), "{message}");
    assert!(!message.contains("refused"), "{message}");
}

#[tokio::test]
async fn a_connect_reply_with_too_many_headers_is_reported_as_malformed() {
    let port = hostile_proxy("X-N: 1\r\n".repeat(200).into_bytes(), false).await;
    let err = through(port).await;
    let PixivError::Proxy { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("malformed reply"), "{message}");
    assert!(!message.contains("refused"), "{message}");
}

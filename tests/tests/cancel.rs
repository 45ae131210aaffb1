//! Cancellation: a future dropped at any await point leaves nothing behind.
//!
//! Each operation is wrapped in [`DropAfter`], which lets the runtime poll it `k` times (each poll
//! driven by a real wake-up: a socket ready, a timer fired) and then drops it. `k` runs from 0 up
//! to the number of polls the operation needs to complete, so every await point it reaches is a
//! cut point. After each cut:
//!
//! - no task is left running: on the client's own current-thread runtime (the mock runs on
//!   another), the alive tasks are at most the pooled connection's, and zero once the transport
//!   is dropped;
//! - the rate limiter holds no waiter, and at most the one slot of a request that started;
//! - a download leaves nothing at its final path, or the whole file when the cut came after the
//!   rename (a `.part` may stay, to be resumed).
//!
//! The limiter alone, under paused time: a waiter dropped at any point frees its place, and the
//! next acquire proceeds at exactly the instant the window allows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use common::*;
use pixiv_download::{Downloader, Target};
use pixiv_mock::MockPixiv;
use pixiv_transport::ratelimit::RateLimiter;
use serde_json::Value;
use tokio::runtime::Handle;

/// Polls the inner future at most `left` times, then drops it (`None`).
struct DropAfter<F> {
    fut: Option<Pin<Box<F>>>,
    left: usize,
}

impl<F: Future> Future for DropAfter<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(fut) = this.fut.as_mut() else {
            return Poll::Ready(None);
        };
        if this.left == 0 {
            this.fut = None;
            return Poll::Ready(None);
        }
        this.left -= 1;
        match fut.as_mut().poll(cx) {
            Poll::Ready(v) => Poll::Ready(Some(v)),
            Poll::Pending => Poll::Pending,
        }
    }
}

fn drop_after<F: Future>(fut: F, polls: usize) -> DropAfter<F> {
    DropAfter {
        fut: Some(Box::pin(fut)),
        left: polls,
    }
}

fn server(builder: pixiv_mock::MockPixivBuilder) -> (tokio::runtime::Runtime, MockPixiv) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = rt.block_on(builder.start()).unwrap();
    (rt, mock)
}

/// Waits (real time, at most 2 s) until `cond` holds.
async fn settle(cond: impl Fn() -> bool) -> bool {
    for _ in 0..400 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cond()
}

fn alive() -> usize {
    Handle::current().metrics().num_alive_tasks()
}

/// The tasks a completed `op` leaves on its runtime while its transport lives (hyper-util keeps
/// a pooled HTTP/2 connection as a few tasks: the connection, its driver, the pool's reaper).
fn pooled_tasks<Op, Fut, T>(mock: &MockPixiv, op: &Op) -> usize
where
    Op: Fn(pixiv_transport::Transport, RateLimiter) -> Fut,
    Fut: Future<Output = T>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let limiter = RateLimiter::new(100, Duration::from_secs(60));
        let t = builder(mock).rate_limiter(limiter.clone()).build().unwrap();
        op(t.clone(), limiter).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        alive()
    })
}

/// Cuts `op` after every possible number of polls until it completes; returns the number of
/// cut points tried.
fn cut_everywhere<Op, Fut, T>(mock: &MockPixiv, op: Op, after_cut: impl Fn(usize, bool)) -> usize
where
    Op: Fn(pixiv_transport::Transport, RateLimiter) -> Fut,
    Fut: Future<Output = T>,
{
    let pooled = pooled_tasks(mock, &op);
    assert!(pooled <= 4, "{pooled} tasks for one pooled connection");
    for k in 0..500 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let done = rt.block_on(async {
            assert_eq!(alive(), 0);
            let limiter = RateLimiter::new(100, Duration::from_secs(60));
            let t = builder(mock).rate_limiter(limiter.clone()).build().unwrap();
            let out = drop_after(op(t.clone(), limiter.clone()), k).await;
            let done = out.is_some();
            // The limiter: nobody waiting, at most the slot of the one request that started.
            assert_eq!(limiter.waiting(), 0, "k={k}");
            assert!(limiter.in_window() <= 1, "k={k}: {}", limiter.in_window());
            // Tasks: at most the pooled connection's (HTTP/2: one connection task).
            // Tasks: at most those of one pooled connection, as a completed call leaves them.
            let settled = settle(|| alive() <= pooled).await;
            assert!(
                settled,
                "k={k}: {} tasks alive with the transport (a pooled connection: {pooled})",
                alive()
            );
            drop(t);
            let settled = settle(|| alive() == 0).await;
            assert!(
                settled,
                "k={k}: {} tasks alive after the transport is gone",
                alive()
            );
            after_cut(k, done);
            done
        });
        if done {
            return k;
        }
    }
    panic!("the operation never completed within 500 polls");
}

#[test]
fn a_json_call_dropped_at_any_await_point_leaves_no_task_and_no_waiter() {
    let (_srv, mock) = server(MockPixiv::builder());
    let cuts = cut_everywhere(
        &mock,
        |t, _| {
            let req = get(&mock, "/v1/illust/detail?illust_id=12");
            async move { t.json::<Value>(req).await.unwrap() }
        },
        |_, _| {},
    );
    eprintln!("json call: {cuts} cut points");
    assert!(cuts >= 3, "the call has several await points: {cuts}");
}

#[test]
fn a_download_dropped_at_any_await_point_leaves_nothing_at_its_final_path() {
    let (_srv, mock) = server(MockPixiv::builder());
    let dir = tempfile::tempdir().unwrap();
    let path = "/size/300000/c.bin";
    let url = format!("{}{path}", mock.base_url());
    let final_path = dir.path().join("c.bin");
    let final_path = &final_path;
    let target = Target::dir(dir.path()).replace(true);
    let cuts = cut_everywhere(
        &mock,
        |t, _| {
            // Each run starts with nothing at the final path (a `.part` left by an earlier cut
            // stays, so later cuts also exercise the resume).
            let _ = std::fs::remove_file(final_path);
            let d = Downloader::new(t);
            let (url, target) = (url.clone(), target.clone());
            async move { d.download(&url, &target).await.unwrap() }
        },
        |k, done| {
            if done {
                assert_eq!(
                    std::fs::read(final_path).unwrap(),
                    pixiv_mock::content::expected_bytes(path)
                );
            } else if final_path.exists() {
                // Cut after the rename (e.g. while the folder is synced): the file is whole.
                assert_eq!(
                    std::fs::read(final_path).unwrap(),
                    pixiv_mock::content::expected_bytes(path),
                    "k={k}: a partial file at the final path"
                );
            }
        },
    );
    eprintln!("download: {cuts} cut points");
    assert!(cuts >= 3, "{cuts}");
}

#[test]
fn a_paginated_stream_dropped_at_any_await_point_leaves_no_task() {
    use futures_util::TryStreamExt as _;
    let (_srv, mock) = server(MockPixiv::builder());
    for k in 0..2000 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let done = rt.block_on(async {
            let client = client_builder(&mock).build().unwrap();
            let stream = async {
                let first = client.user_illusts(7).await.unwrap();
                let all: Vec<pixiv::Illust> = first.into_stream().try_collect().await.unwrap();
                all.len()
            };
            let out = drop_after(stream, k).await;
            let settled = settle(|| alive() <= 6).await;
            assert!(settled, "k={k}: {} tasks alive with the client", alive());
            drop(client);
            let settled = settle(|| alive() == 0).await;
            assert!(
                settled,
                "k={k}: {} tasks alive after the client is gone",
                alive()
            );
            if let Some(n) = out {
                assert_eq!(n, 150);
            }
            out.is_some()
        });
        if done {
            eprintln!("pagination: {k} cut points");
            return;
        }
    }
    panic!("never completed");
}

/// The limiter alone, paused time: 2 starts per 10 s. A third acquire waits; dropped after any
/// number of polls (time stepping 1 s between polls) it frees its place, and the next acquire
/// proceeds exactly when the window opens (t0 + 10 s), not later.
#[tokio::test(start_paused = true)]
async fn a_dropped_limiter_waiter_frees_its_place_and_the_next_acquire_is_on_time() {
    for k in 0..12 {
        let limiter = RateLimiter::new(2, Duration::from_secs(10));
        let t0 = tokio::time::Instant::now();
        let _a = limiter.acquire().await;
        let _b = limiter.acquire().await;
        assert_eq!(limiter.in_window(), 2);
        {
            let waiter = limiter.acquire();
            let cut = tokio::time::timeout(Duration::from_secs(k), waiter).await;
            // It can only have completed once the window opened.
            assert_eq!(cut.is_ok(), k >= 10, "k={k}");
            if cut.is_ok() {
                continue;
            }
            assert_eq!(limiter.waiting(), 0, "k={k}: the dropped waiter left");
            assert_eq!(limiter.in_window(), 2, "k={k}: it took no slot");
        }
        let next = limiter.acquire().await;
        assert_eq!(next.started() - t0, Duration::from_secs(10), "k={k}");
    }
}

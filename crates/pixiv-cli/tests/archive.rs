//! The download archive of `pixiv download` (SQLite): moved files stay skipped with no image
//! request, `--force`, `--sync` stopping early, SIGKILL mid-run then a rerun, two runs at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::{Env, IMG_DIR, json_lines, run, text};
use pixiv_mock::{Fault, RouteMatch, data};
use tokio::io::AsyncBufReadExt as _;

const USER: &str = "https://www.pixiv.net/users/2";

async fn download(env: &Env, archive: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    run(
        env.pixiv()
            .args(["download", "--json", "--archive"])
            .arg(archive)
            .arg("-d")
            .arg(dir)
            .args(args),
        "",
    )
    .await
}

/// The archive's rows: (work, page, path, size).
fn rows(archive: &Path) -> Vec<(u64, u64, PathBuf, u64)> {
    let conn = rusqlite::Connection::open(archive).unwrap();
    let mut stmt = conn
        .prepare("SELECT illust_id, page, path, size FROM pages ORDER BY illust_id, page")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)? as u64,
            r.get::<_, i64>(1)? as u64,
            PathBuf::from(r.get::<_, String>(2)?),
            r.get::<_, i64>(3)? as u64,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn statuses(out: &std::process::Output, status: &str) -> usize {
    json_lines(out)
        .iter()
        .filter(|l| l["status"] == status)
        .count()
}

/// The pages of user 2's `n` newest works.
fn pages_of_newest(n: usize) -> u64 {
    data::user_illust_ids(2, None)
        .into_iter()
        .take(n)
        .map(|id| u64::from(data::page_count(id)))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moved_files_are_skipped_without_image_requests_unless_force() {
    let env = Env::start().await;
    let archive = env.tmp.path().join("a.sqlite3");
    let out = download(&env, &archive, &env.out(), &["--limit", "4", USER]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let saved = rows(&archive);
    assert_eq!(saved.len() as u64, pages_of_newest(4));
    for (_, _, path, size) in &saved {
        assert_eq!(
            std::fs::metadata(path).unwrap().len(),
            *size,
            "{}",
            path.display()
        );
    }
    for line in json_lines(&out).iter().filter(|l| l["work"].is_u64()) {
        assert_eq!(line["archive"], "saved", "{line}");
    }
    // The files move away: the archive still has them.
    std::fs::rename(env.out(), env.tmp.path().join("moved")).unwrap();
    let images = env.mock.requests_to(IMG_DIR).len();
    let out = download(&env, &archive, &env.out(), &["--limit", "4", USER]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(statuses(&out, "archived"), 4, "{}", text(&out.stdout));
    assert_eq!(
        env.mock.requests_to(IMG_DIR).len(),
        images,
        "an image was asked for"
    );
    assert!(!env.out().exists());
    // --force downloads them again.
    let out = download(
        &env,
        &archive,
        &env.out(),
        &["--force", "--limit", "4", USER],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(statuses(&out, "archived"), 0);
    assert_eq!(
        env.mock.requests_to(IMG_DIR).len() as u64,
        images as u64 + pages_of_newest(4)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_stops_at_a_run_of_archived_works() {
    let env = Env::start().await;
    let archive = env.tmp.path().join("a.sqlite3");
    // Two pages of the list (30 works each) are walked to archive 35 works; the ones the
    // account may not see fail (exit 1) and are not archived.
    let restricted = |n: usize| {
        data::user_illust_ids(2, None)
            .into_iter()
            .take(n)
            .filter(|id| data::is_restricted(*id))
            .count()
    };
    let out = download(&env, &archive, &env.out(), &["--limit", "35", USER]).await;
    assert_eq!(
        statuses(&out, "failed"),
        restricted(35),
        "{}",
        text(&out.stdout)
    );
    let lists = env.mock.requests_to("/v1/user/illusts").len();
    assert_eq!(lists, 2);
    let images = env.mock.requests_to(IMG_DIR).len();
    // The nightly run: 5 archived works in a row end it on the first page of the list.
    assert_eq!(restricted(5), 0);
    let out = download(&env, &archive, &env.out(), &["--sync=5", USER]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(env.mock.requests_to("/v1/user/illusts").len(), lists + 1);
    assert_eq!(env.mock.requests_to(IMG_DIR).len(), images);
    assert_eq!(statuses(&out, "archived"), 5);
    // The default run of 20 is within the 35 archived (restricted works neither extend nor
    // break it): still one page of the list, no image request.
    let out = download(&env, &archive, &env.out(), &["--sync", USER]).await;
    assert_eq!(env.mock.requests_to("/v1/user/illusts").len(), lists + 2);
    assert_eq!(statuses(&out, "archived"), 20, "{}", text(&out.stdout));
    assert_eq!(statuses(&out, "failed"), restricted(20 + restricted(22)));
    assert_eq!(env.mock.requests_to(IMG_DIR).len(), images);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_run_records_only_files_in_place_and_a_rerun_finishes() {
    let env = Env::start().await;
    let archive = env.tmp.path().join("a.sqlite3");
    let newest = data::user_illust_ids(2, None);
    let stalled = format!("{IMG_DIR}/{}_p0.png", newest[2]);
    env.mock.push_faults(
        RouteMatch::path(&stalled),
        [Fault::StallBody {
            after: 10,
            stall: Duration::from_secs(1200),
        }],
    );
    let mut child = env
        .pixiv()
        // The stall must outlast the kill however slow the machine is: without a long body-idle
        // timeout, a loaded machine reaches the default 10 s, retries the stalled file and sends
        // a request the assertions below do not expect.
        .args([
            "--timeout",
            "600",
            "download",
            "--json",
            "-j",
            "2",
            "--limit",
            "6",
        ])
        .arg("--archive")
        .arg(&archive)
        .arg("-d")
        .arg(env.out())
        .arg(USER)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = 0;
    tokio::time::timeout(Duration::from_secs(60), async {
        while seen < 3 || env.mock.requests_to(&stalled).is_empty() {
            // Never wait on the next line alone: once every other file is done, no line comes
            // until the kill, and the stalled request may be logged after the last one was read.
            // (`next_line` is cancel-safe.)
            match tokio::time::timeout(Duration::from_millis(50), lines.next_line()).await {
                Ok(Ok(Some(_))) => seen += 1,
                Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                Err(_) => {}
            }
        }
    })
    .await
    .expect("the run did not get going");
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    let recorded = rows(&archive);
    assert!(!recorded.is_empty());
    for (work, page, path, size) in &recorded {
        let len = std::fs::metadata(path).map(|m| m.len());
        assert_eq!(
            len.ok(),
            Some(*size),
            "work {work} page {page}: {}",
            path.display()
        );
    }
    assert!(
        !recorded
            .iter()
            .any(|(w, p, _, _)| *w == newest[2] && *p == 0)
    );
    // The rerun finishes the job; what was recorded is not asked for again.
    env.mock.clear_faults();
    let out = download(&env, &archive, &env.out(), &["--limit", "6", USER]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(rows(&archive).len() as u64, pages_of_newest(6));
    assert_eq!(env.mock.requests_to(&stalled).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_share_one_archive() {
    let env = Env::start().await;
    let archive = env.tmp.path().join("a.sqlite3");
    let (one, two) = (env.tmp.path().join("one"), env.tmp.path().join("two"));
    let (a, b) = tokio::join!(
        download(&env, &archive, &one, &["--limit", "8", USER]),
        download(&env, &archive, &two, &["--limit", "8", USER]),
    );
    assert_eq!(a.status.code(), Some(0), "{}", text(&a.stderr));
    assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
    let recorded = rows(&archive);
    assert_eq!(recorded.len() as u64, pages_of_newest(8));
    for (_, _, path, size) in &recorded {
        assert_eq!(std::fs::metadata(path).unwrap().len(), *size);
    }
    let conn = rusqlite::Connection::open(&archive).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

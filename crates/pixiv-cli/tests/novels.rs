//! `pixiv download` of novels against pixiv-mock with the real binary: a novel, a novel series
//! and a user's novels, in each format (docs/downloads.md, "Novels from the command line").

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{Env, files, json_lines, run, text};
use pixiv_mock::data_novel;

async fn download(env: &Env, dir: &Path, args: &[&str]) -> std::process::Output {
    let archive = env.tmp.path().join("a.sqlite3");
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

/// The markup Pixiv's novels use: none of it may reach a saved file.
const MARKUP: [&str; 7] = [
    "[newpage]",
    "[chapter:",
    "[[rb:",
    "[pixivimage:",
    "[uploadedimage:",
    "[[jumpuri:",
    "[jump:",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_novel_as_text() {
    let env = Env::start().await;
    let dir = env.out();
    let out = download(&env, &dir, &["https://www.pixiv.net/novel/show.php?id=101"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stderr),
        text(&out.stdout)
    );
    println!("{}", text(&out.stdout));
    println!("{:?}", files(&dir));
    let saved = std::fs::read_to_string(dir.join("101.txt")).unwrap();
    println!("{saved}");
    for tag in MARKUP {
        assert!(!saved.contains(tag), "{tag} left in {saved}");
    }
    assert!(saved.contains(&data_novel::title(101)));
    assert!(saved.contains("漢字(かんじ)"), "{saved}");
    let _ = json_lines(&out);
}

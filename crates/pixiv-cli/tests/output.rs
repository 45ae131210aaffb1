//! `pixiv download --filename/--write-metadata/--write-tags/--mtime` against pixiv-mock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{Env, run, text};

/// Every file under `dir`, relative to it, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn mtime_secs(path: &Path) -> i64 {
    let m = std::fs::metadata(path).unwrap().modified().unwrap();
    i64::try_from(m.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_with_folders_sidecars_and_the_post_date() {
    let env = Env::start().await;
    let out = env.out();
    let output = run(
        env.pixiv()
            .args(["download", "-d"])
            .arg(&out)
            .args(["--filename", "{user.id}/{id}_p{num}.{ext}"])
            .args(["--write-metadata", "--write-tags", "12"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let files = tree(&out);
    let folder = files[0].parent().unwrap().to_path_buf();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(&folder).join("12.json")).unwrap()).unwrap();
    assert_eq!(folder, Path::new(&json["user"]["id"].to_string()));
    let want: Vec<PathBuf> = [
        "12.json",
        "12_p0.png",
        "12_p1.png",
        "12_p2.png",
        "12_tags.txt",
    ]
    .iter()
    .map(|n| folder.join(n))
    .collect();
    assert_eq!(files, want);
    assert_eq!(json["id"], 12);
    assert_eq!(json["pages"].as_array().unwrap().len(), 3);
    let tags = std::fs::read_to_string(out.join(&folder).join("12_tags.txt")).unwrap();
    assert_eq!(tags.lines().count(), json["tags"].as_array().unwrap().len());

    let posted = time::OffsetDateTime::parse(
        &pixiv_mock::data::create_date(12),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp();
    for page in 0..3 {
        assert_eq!(
            mtime_secs(&out.join(&folder).join(format!("12_p{page}.png"))),
            posted
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtime_false_leaves_the_download_time() {
    let env = Env::start().await;
    let out = env.out();
    let output = run(
        env.pixiv()
            .args(["download", "--mtime", "false", "-d"])
            .arg(&out)
            .arg("10"),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let posted = time::OffsetDateTime::parse(
        &pixiv_mock::data::create_date(10),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp();
    assert_ne!(mtime_secs(&out.join("10_p0.png")), posted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_template_is_exit_2_with_one_line_and_no_request() {
    let env = Env::start().await;
    let output = run(
        env.pixiv()
            .args(["download", "--filename", "{uploader}/{id}.{ext}", "12"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("{uploader}") && stderr.contains("{user.name}"),
        "{stderr}"
    );
    assert!(env.mock.requests().is_empty(), "{:?}", env.mock.requests());
    assert!(!env.out().exists());
}

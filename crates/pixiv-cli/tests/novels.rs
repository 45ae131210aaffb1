//! `pixiv download` of novels against pixiv-mock with the real binary: a novel, a novel series
//! and a user's novels, in each format, with the archive and the selection flags
//! (docs/downloads.md, "Novels from the command line").

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{Env, json_lines, run, text};
use pixiv_mock::{Fault, RouteMatch, data, data_novel};

const NOVEL: &str = "https://www.pixiv.net/novel/show.php?id=101";

async fn download(env: &Env, dir: &Path, args: &[&str]) -> std::process::Output {
    let out = attempt(env, dir, args).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stderr),
        text(&out.stdout)
    );
    out
}

async fn attempt(env: &Env, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = env.pixiv();
    cmd.args(["download", "--json"]);
    if !args.contains(&"--no-archive") {
        cmd.arg("--archive").arg(env.tmp.path().join("a.sqlite3"));
    }
    run(cmd.arg("-d").arg(dir).args(args), "").await
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

fn no_markup(saved: &str) {
    for tag in MARKUP {
        assert!(!saved.contains(tag), "{tag} left in {saved}");
    }
}

/// The files of `dir` by name, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn statuses(out: &std::process::Output, status: &str) -> usize {
    json_lines(out)
        .iter()
        .filter(|l| l["status"] == status)
        .count()
}

/// The archive's novel rows: (id, page, path).
fn rows(env: &Env) -> Vec<(u64, u64, PathBuf)> {
    let conn = rusqlite::Connection::open(env.tmp.path().join("a.sqlite3")).unwrap();
    let mut stmt = conn
        .prepare("SELECT novel_id, page, path FROM novel_pages ORDER BY novel_id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)? as u64,
            r.get::<_, i64>(1)? as u64,
            PathBuf::from(r.get::<_, String>(2)?),
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_novel_as_plain_text_is_archived_then_skipped() {
    let env = Env::start().await;
    let dir = env.out();
    // Work 101 in the archive is not novel 101: Pixiv numbers them apart.
    let works = env.tmp.path().join("works");
    download(&env, &works, &["101"]).await;
    let first = download(&env, &dir, &[NOVEL]).await;
    assert_eq!(names(&dir), ["101.txt"]);
    let saved = std::fs::read_to_string(dir.join("101.txt")).unwrap();
    no_markup(&saved);
    assert!(saved.starts_with(&data_novel::title(101)), "{saved}");
    assert!(saved.contains("漢字(かんじ)"), "{saved}");
    assert!(saved.contains("pixiv (https://www.pixiv.net/)"), "{saved}");
    assert_eq!(rows(&env), [(101, 0, dir.join("101.txt"))]);
    let line = &json_lines(&first)[0];
    assert_eq!(
        (&line["novel"], &line["archive"], &line["status"]),
        (&101.into(), &"saved".into(), &"ok".into()),
        "{line}"
    );

    // Archived: no viewer page asked for again.
    let asked = env.mock.requests_to("/webview/v2/novel").len();
    let again = download(&env, &dir, &[NOVEL]).await;
    assert_eq!(statuses(&again, "archived"), 1, "{}", text(&again.stdout));
    assert_eq!(json_lines(&again)[0]["url"], "novel 101");
    assert_eq!(env.mock.requests_to("/webview/v2/novel").len(), asked);

    // Not archived but on disk: left as it is, unless --replace.
    std::fs::write(dir.join("101.txt"), "mine").unwrap();
    let kept = download(&env, &dir, &["--no-archive", NOVEL]).await;
    assert_eq!(statuses(&kept, "skipped"), 1, "{}", text(&kept.stdout));
    assert_eq!(
        std::fs::read_to_string(dir.join("101.txt")).unwrap(),
        "mine"
    );
    download(&env, &dir, &["--no-archive", "--replace", NOVEL]).await;
    assert_eq!(std::fs::read_to_string(dir.join("101.txt")).unwrap(), saved);
    assert!(names(&dir).iter().all(|n| !n.ends_with(".part")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_links_the_images_and_cover_saved_beside_it() {
    let env = Env::start().await;
    let dir = env.out();
    download(&env, &dir, &["--novel-format", "md", NOVEL]).await;
    let work = data_novel::embedded_illust(101);
    let image = data_novel::uploaded_image(101);
    let expected = [
        "101.md".to_owned(),
        "101_cover.jpg".to_owned(),
        format!("101_pixivimage_{work}-1.jpg"),
        format!("101_uploadedimage_{image}.jpg"),
    ];
    let mut expected = expected.to_vec();
    expected.sort();
    assert_eq!(names(&dir), expected);
    let saved = std::fs::read_to_string(dir.join("101.md")).unwrap();
    // An image's key is its alt text (`![pixivimage:12-1](..)`), not markup.
    no_markup(&saved.replace("![", "!"));
    for file in &expected[1..] {
        let linked =
            saved.contains(&format!("](<{file}>)")) || saved.contains(&format!("]({file})"));
        assert!(linked, "{file} in {saved}");
        assert!(std::fs::metadata(dir.join(file)).unwrap().len() > 0);
    }
    assert!(saved.contains("## 第一章 はじまり"), "{saved}");
    assert!(
        saved.contains("<ruby>漢字<rt>かんじ</rt></ruby>"),
        "{saved}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_links_the_images_and_cover_saved_beside_it() {
    let env = Env::start().await;
    let dir = env.out();
    download(&env, &dir, &["--novel-format", "html", NOVEL]).await;
    let saved = std::fs::read_to_string(dir.join("101.html")).unwrap();
    no_markup(&saved);
    let image = data_novel::uploaded_image(101);
    let file = format!("101_uploadedimage_{image}.jpg");
    assert!(saved.contains(&format!("<img src=\"{file}\"")), "{saved}");
    assert!(dir.join(&file).is_file());
    assert!(saved.contains("<img src=\"101_cover.jpg\""), "{saved}");
    assert!(dir.join("101_cover.jpg").is_file());
    assert!(
        saved.contains("<a href=\"https://www.pixiv.net/\">pixiv</a>"),
        "{saved}"
    );
    assert!(saved.contains("<h2>第一章 はじまり</h2>"), "{saved}");
    // Pixiv's text is never taken as HTML: the only tags are the ones the converter writes.
    assert!(!saved.contains("<script"), "{saved}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_series_in_order_up_to_the_limit() {
    let env = Env::start().await;
    let dir = env.out();
    download(
        &env,
        &dir,
        &["--limit", "3", "https://www.pixiv.net/novel/series/1"],
    )
    .await;
    let want: Vec<String> = data_novel::series_novel_ids(1)
        .into_iter()
        .take(3)
        .map(|id| format!("{id}.txt"))
        .collect();
    assert_eq!(names(&dir), want);
    for name in &want {
        no_markup(&std::fs::read_to_string(dir.join(name)).unwrap());
    }
    assert_eq!(rows(&env).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_novels_with_the_selection_flags() {
    let env = Env::start().await;
    let dir = env.out();
    let user = "https://www.pixiv.net/en/users/1/novels";
    download(&env, &dir, &["--limit", "2", user]).await;
    let newest: Vec<u64> = data_novel::user_novel_ids(1);
    let want: Vec<String> = newest
        .iter()
        .take(2)
        .map(|id| format!("{id}.txt"))
        .collect();
    let mut sorted = want.clone();
    sorted.sort();
    assert_eq!(names(&dir), sorted);

    // A tag no novel carries: nothing asked for, nothing saved.
    let other = env.tmp.path().join("other");
    let asked = env.mock.requests_to("/webview/v2/novel").len();
    let none = download(&env, &other, &["--tag", "no-such-tag", user]).await;
    assert_eq!(statuses(&none, "ok"), 0, "{}", text(&none.stdout));
    assert_eq!(env.mock.requests_to("/webview/v2/novel").len(), asked);
    assert!(!other.exists());

    // --no-r18 and a one-day --since/--until pick the novels the list says they should.
    let clean = env.tmp.path().join("clean");
    download(
        &env,
        &clean,
        &["--no-archive", "--no-r18", "--limit", "14", user],
    )
    .await;
    let mut want: Vec<String> = newest
        .iter()
        .filter(|id| !data::is_r18(**id))
        .take(14)
        .map(|id| format!("{id}.txt"))
        .collect();
    want.sort();
    // The first 14 listed hold an R-18 one (every 13th id is): it is the one left out.
    assert!(newest.iter().take(14).any(|id| data::is_r18(*id)));
    assert_eq!(names(&clean), want);

    let day = data::create_date(newest[2])[..10].to_owned();
    let dated = env.tmp.path().join("dated");
    download(
        &env,
        &dated,
        &["--no-archive", "--since", &day, "--until", &day, user],
    )
    .await;
    let mut want: Vec<String> = newest
        .iter()
        .filter(|id| data::create_date(**id).starts_with(&day))
        .map(|id| format!("{id}.txt"))
        .collect();
    want.sort();
    assert!(!want.is_empty());
    assert_eq!(names(&dated), want);
}

/// The viewer page of novel 101 with `title` and `text` in place of the generated ones.
fn hostile_viewer(title: &str, body: &str) -> Fault {
    let mut novel = data_novel::webview_json(101, "https://i.pximg.net");
    novel["title"] = title.into();
    novel["text"] = body.into();
    let json = novel.to_string().replace("</", "<\\/");
    let html = format!(
        "<!DOCTYPE html>\n<html>\n<body>\n<script>\n  Object.defineProperty(window, 'pixiv', {{\n    \
         value: {{\n      novel: {json},\n      isOwnWork: false,\n    }},\n  }});\n</script>\n\
         </body>\n</html>\n"
    );
    Fault::Raw {
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: html.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_in_a_novel_is_escaped_never_kept() {
    let env = Env::start().await;
    let dir = env.out();
    let title = "<script>alert(1)</script> & \"quoted\"";
    let body =
        "<b>bold?</b> & <img src=x onerror=alert(1)>\n[[jumpuri:click > javascript:alert(1)]]";
    env.mock.push_faults(
        RouteMatch::path("/webview/v2/novel"),
        [hostile_viewer(title, body)],
    );
    download(&env, &dir, &["--novel-format", "html", NOVEL]).await;
    let saved = std::fs::read_to_string(dir.join("101.html")).unwrap();
    assert!(!saved.contains("<script"), "{saved}");
    assert!(!saved.contains("<b>"), "{saved}");
    assert!(!saved.contains("<img src=x"), "{saved}");
    assert!(!saved.contains("href=\"javascript:"), "{saved}");
    assert!(
        saved.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"),
        "{saved}"
    );
    assert!(
        saved.contains("&lt;b&gt;bold?&lt;/b&gt; &amp; &lt;img"),
        "{saved}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_image_or_novel_leaves_no_text_and_no_archive_row() {
    let env = Env::start().await;
    let dir = env.out();
    // The uploaded image's original is refused once: the novel fails, nothing at its path.
    env.mock.push_faults(
        RouteMatch::path_prefix("/novel-cover-original/"),
        [Fault::Status(404)],
    );
    let out = attempt(&env, &dir, &["--novel-format", "md", NOVEL]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert_eq!(statuses(&out, "failed"), 1, "{}", text(&out.stdout));
    assert!(!dir.join("101.md").exists());
    assert!(
        names(&dir).iter().all(|n| !n.ends_with(".part")),
        "{:?}",
        names(&dir)
    );
    assert!(rows(&env).is_empty());
    // The next run completes it.
    download(&env, &dir, &["--novel-format", "md", NOVEL]).await;
    assert!(dir.join("101.md").is_file());
    assert_eq!(rows(&env).len(), 1);

    // A novel that does not exist is a failure of its own; the others still come.
    let missing = "https://www.pixiv.net/novel/show.php?id=9000000000000";
    let out = attempt(
        &env,
        &dir,
        &[missing, "https://www.pixiv.net/novel/show.php?id=102"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(dir.join("102.txt").is_file());
    assert!(!dir.join("9000000000000.txt").exists());
}

//! Sidecars and file times: template fields from a real `illust_detail` answer, the JSON and tags
//! files written atomically, and the post date as the modification time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use pixiv::Illust;
use pixiv::download::Template;
use pixiv::metadata::{Sidecars, set_mtime, template_fields, write_atomic};

fn manga() -> (Illust, serde_json::Value) {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/illust_detail_manga.json")).unwrap();
    let illust = serde_json::from_value(raw["illust"].clone()).unwrap();
    (illust, raw["illust"].clone())
}

fn names(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

#[test]
fn fields_come_from_the_work() {
    let (work, _) = manga();
    let t = Template::parse(
        "{user.account} {user.id}/{series.title}/{date:%Y%m%d} {type} {tags:2:,}/{title}_{num}.{ext}",
    )
    .unwrap();
    assert_eq!(
        t.render(&template_fields(&work, 1, "png")),
        Path::new(
            "example_artist 23456789/帰り道シリーズ/20240503 manga オリジナル,漫画/雨上がりの帰り道_1.png"
        )
    );
    let f = template_fields(&work, 2, "jpg");
    assert_eq!(
        (f.id, f.page, f.page_count, f.user_name.as_str()),
        (118_232_465, 2, 3, "Example Artist")
    );
}

#[test]
fn json_sidecar_is_the_api_answer_plus_the_pages() {
    let (work, raw) = manga();
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..3)
        .map(|p| dir.path().join(format!("118232465_p{p}.jpg")))
        .collect();
    let path = Sidecars::new()
        .write_json(&work, &files, dir.path())
        .unwrap();
    assert_eq!(path, dir.path().join("118232465.json"));
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    // Every field the API sent is there, with its value (unknown ones included).
    for (key, value) in raw.as_object().unwrap() {
        if value.is_null() || value.as_object().is_some_and(serde_json::Map::is_empty) {
            continue;
        }
        assert!(written.get(key).is_some(), "{key} missing");
    }
    assert_eq!(written["title"], raw["title"]);
    assert_eq!(
        written["user"]["is_accept_request"],
        raw["user"]["is_accept_request"]
    );
    let pages = written["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[1]["index"], 1);
    assert_eq!(pages[1]["file"], "118232465_p1.jpg");
    assert_eq!(
        pages[1]["url"],
        raw["meta_pages"][1]["image_urls"]["original"]
    );
    assert_eq!(names(dir.path()), ["118232465.json"]);
}

#[test]
fn sidecars_follow_their_own_templates_safely() {
    let (mut work, _) = manga();
    work.title = "../../escape\u{202e}".into();
    let dir = tempfile::tempdir().unwrap();
    let sidecars = Sidecars::new()
        .json_template(Template::parse("meta/{title}.{ext}").unwrap())
        .tags_template(Template::parse("{id}.tags").unwrap());
    let json = sidecars.write_json(&work, &[], dir.path()).unwrap();
    assert_eq!(json, dir.path().join("meta").join(".._.._escape.json"));
    let tags = sidecars.write_tags(&work, dir.path()).unwrap();
    assert_eq!(
        std::fs::read_to_string(&tags).unwrap(),
        "オリジナル\toriginal\n漫画\tmanga\n雨上がり\n"
    );
    assert_eq!(names(dir.path()), ["118232465.tags", "meta"]);
    assert_eq!(names(&dir.path().join("meta")), [".._.._escape.json"]);
}

#[test]
fn atomic_writes_replace_and_leave_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    std::fs::write(&path, b"old").unwrap();
    write_atomic(&path, b"new").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    assert_eq!(names(dir.path()), ["x.json"]);
    // A folder in the way: an error, and the folder is untouched.
    let blocked = dir.path().join("dir");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep"), b"k").unwrap();
    let err = write_atomic(&blocked, b"x").unwrap_err();
    assert!(matches!(err, pixiv::PixivError::Io { .. }), "{err:?}");
    assert_eq!(names(&blocked), ["keep"]);
    assert_eq!(names(dir.path()), ["dir", "x.json"]);
}

#[test]
fn mtime_is_the_post_date() {
    let (mut work, _) = manga();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.jpg");
    std::fs::write(&file, b"x").unwrap();
    assert!(set_mtime(&file, &work).unwrap());
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    let secs = mtime
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // 2024-05-03T18:00:12+09:00
    assert_eq!(secs, 1_714_726_812);

    work.create_date = "not a date".into();
    assert!(!set_mtime(&file, &work).unwrap());
    let err = set_mtime(&dir.path().join("missing"), &manga().0).unwrap_err();
    assert!(matches!(err, pixiv::PixivError::Io { .. }), "{err:?}");
}

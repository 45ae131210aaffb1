//! Filename templates: every field, and hostile values that must never leave the target folder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Component, Path, PathBuf};

use pixiv_download::template::{Template, TemplateFields};
use pixiv_download::{MAX_NAME_LEN, PixivError, Target};
use time::macros::datetime;

fn fields() -> TemplateFields {
    TemplateFields::new(123)
        .page(7, 12)
        .ext("png")
        .title("Sunset")
        .user(42, "Alice", "alice_a")
        .date(datetime!(2024-03-05 06:07:08 +09:00))
        .kind("manga")
        .tags(["a", "b", "c", "d"])
        .series_title("Saga")
}

fn render(template: &str, f: &TemplateFields) -> PathBuf {
    Template::parse(template).unwrap().render(f)
}

/// Every component is a plain, non-empty name within the byte limit, free of what Windows or a
/// bidi display would misread.
fn assert_safe(path: &Path) {
    assert!(path.is_relative(), "{path:?}");
    for c in path.components() {
        let Component::Normal(name) = c else {
            panic!("{path:?} has {c:?}")
        };
        let name = name.to_str().unwrap();
        assert!(!name.is_empty() && name.len() <= MAX_NAME_LEN, "{name:?}");
        assert!(!name.ends_with('.') && !name.ends_with(' '), "{name:?}");
        assert!(
            !name
                .chars()
                .any(|c| c.is_control() || "\\/:*?\"<>|\u{202e}\u{200b}\u{feff}".contains(c)),
            "{name:?}"
        );
    }
}

#[test]
fn the_default_is_todays_naming() {
    let t = Template::default();
    assert_eq!(t.as_str(), "{id}_p{page}.{ext}");
    assert_eq!(t.render(&fields()), Path::new("123_p7.png"));
    assert!(t.names_pages());
}

#[test]
fn every_field() {
    let f = fields();
    for (template, want) in [
        ("{id}", "123"),
        ("{page}", "7"),
        ("{num}", "07"),
        ("{ext}", "png"),
        ("{title}", "Sunset"),
        ("{user.id}", "42"),
        ("{user.name}", "Alice"),
        ("{user.account}", "alice_a"),
        ("{date}", "2024-03-05"),
        ("{date:%Y%m%d_%H%M%S}", "20240305_060708"),
        ("{date:%y %j %b %B %a %A}", "24 065 Mar March Tue Tuesday"),
        ("{date:%F %T %z %%}", "2024-03-05 06_07_08 +0900 %"),
        ("{date:[%Y]}", "[2024]"),
        ("{date:%Y\\%m}", "2024_03"),
        ("{type}", "manga"),
        ("{tags}", "a b c d"),
        ("{tags:2}", "a b"),
        ("{tags:3:,}", "a,b,c"),
        ("{tags:0}", "_"),
        ("{series.title}", "Saga"),
        ("{{id}}", "{id}"),
        ("x{id}y", "x123y"),
    ] {
        assert_eq!(render(template, &f), Path::new(want), "{template}");
    }
    // `/` makes folders.
    assert_eq!(
        render(
            "{user.name} ({user.id})/{series.title}/{id}_p{num}.{ext}",
            &f
        ),
        Path::new("Alice (42)/Saga/123_p07.png")
    );
    // Widths follow the page count; a missing date or series is empty.
    let one = TemplateFields::new(5).ext(".jpg");
    assert_eq!(
        render("{num}-{date}{series.title}.{ext}", &one),
        Path::new("0-.jpg")
    );
    let many = TemplateFields::new(5).page(3, 200);
    assert_eq!(render("{num}", &many), Path::new("003"));
}

#[test]
fn bad_templates_are_typed_errors_naming_the_field() {
    for (template, needle) in [
        ("{uploader}", "{uploader}"),
        ("{id:05}", "{id}"),
        ("{date:%Q}", "%Q"),
        ("{date:%}", "%"),
        ("{tags:x}", "\"x\""),
        ("{id", "unclosed"),
        ("id}", "lone"),
        ("/abs/{id}", "absolute"),
        ("a//{id}", "empty folder"),
        ("{id}/", "empty folder"),
        ("../{id}", "\"..\""),
        ("./{id}", "\".\""),
        ("a\\{id}", "'\\'"),
        ("a\0{id}", "control"),
        ("", "empty"),
    ] {
        let err = Template::parse(template).unwrap_err();
        let PixivError::InvalidInput { what, why } = &err else {
            panic!("{template:?}: {err:?}")
        };
        assert_eq!(what, "filename template");
        assert!(why.contains(needle), "{template:?}: {why}");
    }
    let err = Template::parse("{uploader}").unwrap_err().to_string();
    for f in pixiv_download::template::FIELDS {
        assert!(err.contains(&format!("{{{f}}}")), "{err}");
    }
}

#[test]
fn hostile_values_stay_inside_the_folder() {
    let t = Template::parse("{user.name}/{title}/{series.title}_{tags}.{ext}").unwrap();
    let hostile = [
        "..",
        ".",
        "../../etc/passwd",
        "/etc/passwd",
        "..\\..\\win.ini",
        "a\0b",
        "new\nline\r\t",
        "C:\\Windows",
        "x:*?\"<>|y",
        "evil\u{202e}gnp.exe",
        "zero\u{200b}width\u{feff}",
        "   ",
        "trailing. . .",
        "",
    ];
    for value in hostile {
        let f = TemplateFields::new(1)
            .ext("png")
            .title(value)
            .user(1, value, value)
            .tags([value, value])
            .series_title(value);
        let path = t.render(&f);
        assert_safe(&path);
        assert_eq!(path.components().count(), 3, "{value:?} -> {path:?}");
        let dir = Path::new("/target");
        assert!(dir.join(&path).starts_with(dir));
    }
    let f = TemplateFields::new(1).title("..").ext("png");
    assert_eq!(render("{title}/{id}.{ext}", &f), Path::new("_/1.png"));
    let f = TemplateFields::new(1)
        .title("evil\u{202e}gnp.exe")
        .ext("png");
    assert_eq!(render("{title}", &f), Path::new("evilgnp.exe"));
    let f = TemplateFields::new(1).title("a\0b/c").ext("png");
    assert_eq!(render("{title}.{ext}", &f), Path::new("a_b_c.png"));
}

#[test]
fn windows_reserved_names_get_an_underscore() {
    for (title, want) in [
        ("CON", "CON_.png"),
        ("nul", "nul_.png"),
        ("Com1", "Com1_.png"),
        ("LPT9", "LPT9_.png"),
        ("conin$", "conin$_.png"),
        ("COM¹", "COM¹_.png"),
        ("CON .txt", "CON_ .txt.png"),
        ("aux.tar", "aux_.tar.png"),
        ("CONSOLE", "CONSOLE.png"),
        ("COM10", "COM10.png"),
    ] {
        let f = TemplateFields::new(1).title(title).ext("png");
        assert_eq!(render("{title}.{ext}", &f), Path::new(want), "{title}");
    }
    let f = TemplateFields::new(1).user(1, "prn", "").ext("png");
    assert_eq!(
        render("{user.name}/{id}.{ext}", &f),
        Path::new("prn_/1.png")
    );
}

#[test]
fn long_names_are_cut_to_255_bytes_at_a_char_boundary_keeping_the_extension() {
    let long = "a".repeat(300);
    let f = TemplateFields::new(1).title(&long).ext("png");
    let path = render("{title}.{ext}", &f);
    let name = path.to_str().unwrap();
    assert_eq!(name.len(), 255);
    assert!(name.ends_with("a.png"));

    // Three bytes a char: the cut must not split one.
    let wide = "猫".repeat(120);
    let f = TemplateFields::new(1)
        .title(&wide)
        .user(1, &wide, "")
        .ext("jpg");
    let path = render("{user.name}/{title}_p{page}.{ext}", &f);
    assert_safe(&path);
    let parts: Vec<_> = path.iter().map(|c| c.to_str().unwrap()).collect();
    assert_eq!(parts[0].len(), 255); // 85 whole chars
    assert!(parts[1].ends_with(".jpg") && parts[1].len() <= 255 && parts[1].len() > 250);

    // A cut that leaves a trailing dot or space is trimmed too.
    let dotted = format!("{}{}", "b".repeat(254), ". . . . .");
    let f = TemplateFields::new(1).title(&dotted);
    assert_safe(&render("{title}/x", &f));
}

#[test]
fn target_from_template_puts_the_file_inside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let t = Template::parse("{user.name}/{id}_p{page}.{ext}").unwrap();
    let f = TemplateFields::new(9).ext("png").user(1, "../..", "");
    let target = Target::from_template(dir.path(), &t, &f);
    let path = target.resolve("https://i.pximg.net/img/9_p0.png").unwrap();
    assert_eq!(path, dir.path().join(".._").join("9_p0.png"));
}

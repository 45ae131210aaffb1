//! The selection flags, one by one, on works as Pixiv sends them.
#![allow(clippy::unwrap_used)]

use super::*;

fn work(kind: &str, bookmarks: u64, ai: u32, x_restrict: u32, date: &str) -> Illust {
    serde_json::from_value(serde_json::json!({
        "id": 12,
        "type": kind,
        "user": {"id": 1, "name": "u", "account": "u"},
        "tags": [{"name": "猫", "translated_name": "Cat"}, {"name": "VOCALOID"}],
        "create_date": date,
        "total_bookmarks": bookmarks,
        "illust_ai_type": ai,
        "x_restrict": x_restrict,
    }))
    .unwrap()
}

fn plain() -> Illust {
    work("illust", 50, 1, 0, "2024-03-10T23:30:00+09:00")
}

#[test]
fn no_flags_select_everything() {
    assert!(CollectArgs::default().selects(&plain()));
}

#[test]
fn each_flag_selects_and_refuses() {
    let d = |s: &str| parse_date(s).unwrap();
    let cases: Vec<(CollectArgs, bool)> = vec![
        (
            CollectArgs {
                kind: Some("illust".into()),
                ..Default::default()
            },
            true,
        ),
        (
            CollectArgs {
                kind: Some("manga".into()),
                ..Default::default()
            },
            false,
        ),
        (
            CollectArgs {
                min_bookmarks: Some(50),
                ..Default::default()
            },
            true,
        ),
        (
            CollectArgs {
                min_bookmarks: Some(51),
                ..Default::default()
            },
            false,
        ),
        (
            CollectArgs {
                no_ai: true,
                ..Default::default()
            },
            true,
        ),
        (
            CollectArgs {
                ai_only: true,
                ..Default::default()
            },
            false,
        ),
        (
            CollectArgs {
                no_r18: true,
                ..Default::default()
            },
            true,
        ),
        (
            CollectArgs {
                r18_only: true,
                ..Default::default()
            },
            false,
        ),
        // The post date is the work's own (JST) day.
        (
            CollectArgs {
                since: Some(d("2024-03-10")),
                ..Default::default()
            },
            true,
        ),
        (
            CollectArgs {
                since: Some(d("2024-03-11")),
                ..Default::default()
            },
            false,
        ),
        (
            CollectArgs {
                until: Some(d("2024-03-10")),
                ..Default::default()
            },
            true,
        ),
        (
            CollectArgs {
                until: Some(d("2024-03-09")),
                ..Default::default()
            },
            false,
        ),
        (
            CollectArgs {
                tags: vec!["cat".into(), "vocaloid".into()],
                ..Default::default()
            },
            true,
        ),
        (
            CollectArgs {
                tags: vec!["猫".into()],
                ..Default::default()
            },
            true,
        ),
        (
            CollectArgs {
                tags: vec!["cat".into(), "dog".into()],
                ..Default::default()
            },
            false,
        ),
        (
            CollectArgs {
                tags: vec!["ca".into()],
                ..Default::default()
            },
            false,
        ),
    ];
    for (args, want) in cases {
        assert_eq!(args.selects(&plain()), want, "{args:?}");
    }
    let ai_r18 = work("ugoira", 0, 2, 1, "2024-03-10T00:00:00+09:00");
    assert!(
        !CollectArgs {
            no_ai: true,
            ..Default::default()
        }
        .selects(&ai_r18)
    );
    assert!(
        CollectArgs {
            ai_only: true,
            ..Default::default()
        }
        .selects(&ai_r18)
    );
    assert!(
        !CollectArgs {
            no_r18: true,
            ..Default::default()
        }
        .selects(&ai_r18)
    );
    assert!(
        CollectArgs {
            r18_only: true,
            ..Default::default()
        }
        .selects(&ai_r18)
    );
    assert!(
        CollectArgs {
            kind: Some("ugoira".into()),
            ..Default::default()
        }
        .selects(&ai_r18)
    );
    // A work whose date does not parse is not selected by a date range.
    let undated = work("illust", 0, 1, 0, "yesterday");
    assert!(
        !CollectArgs {
            since: Some(d("2000-01-01")),
            ..Default::default()
        }
        .selects(&undated)
    );
}

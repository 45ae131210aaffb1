//! Every URL form `pixiv download` accepts, and what it refuses.
#![allow(clippy::unwrap_used)]

use super::*;

fn ok(text: &str) -> Source {
    parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

fn refused(text: &str) -> String {
    match parse(text) {
        Err(CliError::Usage(message)) => message,
        other => panic!("{text}: expected a usage error, got {other:?}"),
    }
}

fn date(s: &str) -> Date {
    parse_date(s).unwrap()
}

#[test]
fn works_by_id_and_page() {
    assert_eq!(ok("12"), Source::Work(12));
    assert_eq!(ok(" 34 "), Source::Work(34));
    for url in [
        "https://www.pixiv.net/artworks/34",
        "https://www.pixiv.net/en/artworks/34",
        "https://www.pixiv.net/zh-tw/artworks/34?foo=1#x",
        "http://pixiv.net/artworks/34/",
        "https://www.pixiv.net/i/34",
        "https://www.pixiv.net/member_illust.php?mode=medium&illust_id=34",
        "https://touch.pixiv.net/member_illust.php?illust_id=34",
    ] {
        assert_eq!(ok(url), Source::Work(34), "{url}");
    }
}

#[test]
fn users_their_kinds_and_bookmarks() {
    let all = Source::UserWorks {
        user: 13,
        kind: None,
    };
    assert_eq!(ok("https://www.pixiv.net/users/13"), all);
    assert_eq!(ok("https://www.pixiv.net/en/users/13/artworks"), all);
    assert_eq!(ok("https://www.pixiv.net/member.php?id=13"), all);
    assert_eq!(ok("https://www.pixiv.net/member_illust.php?id=13"), all);
    assert_eq!(
        ok("https://www.pixiv.net/users/13/illustrations"),
        Source::UserWorks {
            user: 13,
            kind: Some(WorkKind::Illust)
        }
    );
    assert_eq!(
        ok("https://www.pixiv.net/en/users/13/manga"),
        Source::UserWorks {
            user: 13,
            kind: Some(WorkKind::Manga)
        }
    );
    assert_eq!(
        ok("https://www.pixiv.net/users/13/bookmarks/artworks"),
        Source::Bookmarks {
            user: 13,
            private: false
        }
    );
    assert_eq!(
        ok("https://www.pixiv.net/users/13/bookmarks/artworks?rest=hide"),
        Source::Bookmarks {
            user: 13,
            private: true
        }
    );
    assert_eq!(
        ok("https://www.pixiv.net/bookmark.php?id=13&rest=show"),
        Source::Bookmarks {
            user: 13,
            private: false
        }
    );
    assert_eq!(
        ok("https://www.pixiv.net/bookmark_new_illust.php?p=2"),
        Source::Following
    );
    assert_eq!(
        ok("https://www.pixiv.net/user/13/series/77"),
        Source::Series(77)
    );
}

#[test]
fn rankings_map_every_web_mode() {
    let cases = [
        ("", RankingMode::Day),
        ("?mode=daily", RankingMode::Day),
        ("?mode=weekly", RankingMode::Week),
        ("?mode=monthly", RankingMode::Month),
        ("?mode=rookie", RankingMode::WeekRookie),
        ("?mode=original", RankingMode::WeekOriginal),
        ("?mode=male", RankingMode::DayMale),
        ("?mode=female", RankingMode::DayFemale),
        ("?mode=daily_ai", RankingMode::DayAi),
        ("?mode=daily_r18", RankingMode::DayR18),
        ("?mode=weekly_r18", RankingMode::WeekR18),
        ("?mode=male_r18", RankingMode::DayMaleR18),
        ("?mode=female_r18", RankingMode::DayFemaleR18),
        ("?mode=r18g", RankingMode::WeekR18g),
        ("?mode=daily_r18_ai", RankingMode::DayR18Ai),
        ("?mode=daily&content=manga", RankingMode::DayManga),
        ("?mode=weekly&content=manga", RankingMode::WeekManga),
        ("?mode=monthly&content=manga", RankingMode::MonthManga),
        ("?mode=rookie&content=manga", RankingMode::WeekRookieManga),
        ("?mode=daily_r18&content=manga", RankingMode::DayR18Manga),
        ("?mode=weekly_r18&content=manga", RankingMode::WeekR18Manga),
        ("?mode=week_original", RankingMode::WeekOriginal),
    ];
    for (query, mode) in cases {
        let url = format!("https://www.pixiv.net/ranking.php{query}");
        assert_eq!(ok(&url), Source::Ranking { mode, date: None }, "{url}");
    }
    assert_eq!(
        ok("https://www.pixiv.net/ranking.php?mode=weekly&date=20241230"),
        Source::Ranking {
            mode: RankingMode::Week,
            date: Some(date("2024-12-30"))
        }
    );
    assert!(refused("https://www.pixiv.net/ranking.php?mode=hourly").contains("hourly"));
    assert!(refused("https://www.pixiv.net/ranking.php?date=2024-13-45").contains("date"));
}

#[test]
fn tag_searches_with_their_options() {
    assert_eq!(
        ok("https://www.pixiv.net/en/tags/%E7%8C%AB/artworks"),
        Source::Search {
            word: "猫".into(),
            target: SearchTarget::PartialMatchForTags,
            sort: SearchSort::DateDesc,
            start: None,
            end: None,
            kind: None,
        }
    );
    assert_eq!(
        ok(
            "https://www.pixiv.net/tags/hatsune%20miku/manga?s_mode=s_tag_full&order=date&scd=2024-01-02&ecd=2024-02-03"
        ),
        Source::Search {
            word: "hatsune miku".into(),
            target: SearchTarget::ExactMatchForTags,
            sort: SearchSort::DateAsc,
            start: Some(date("2024-01-02")),
            end: Some(date("2024-02-03")),
            kind: Some(WorkKind::Manga),
        }
    );
    let Source::Search {
        target, sort, kind, ..
    } = ok("https://www.pixiv.net/tags/a%2Fb/illustrations?s_mode=s_tc&order=popular_d")
    else {
        panic!("not a search")
    };
    assert_eq!(target, SearchTarget::TitleAndCaption);
    assert_eq!(sort, SearchSort::PopularDesc);
    assert_eq!(kind, Some(WorkKind::Illust));
    assert!(matches!(
        ok("https://www.pixiv.net/search.php?word=cat&s_mode=s_tag"),
        Source::Search { word, .. } if word == "cat"
    ));
    assert!(refused("https://www.pixiv.net/tags/cat/artworks?s_mode=zzz").contains("s_mode"));
    assert!(refused("https://www.pixiv.net/tags/cat/artworks?order=best").contains("order"));
    assert!(refused("https://www.pixiv.net/tags/cat/artworks?scd=yesterday").contains("date"));
    assert!(refused("https://www.pixiv.net/tags/%20/artworks").contains("empty"));
    assert!(refused("https://www.pixiv.net/tags/%FF%FE/artworks").contains("UTF-8"));
}

#[test]
fn files_are_downloaded_as_they_are() {
    for url in [
        "https://i.pximg.net/img-original/img/2024/01/01/00/00/00/12_p0.png",
        "https://example.com/a.bin",
        "http://127.0.0.1:8080/size/10/x.bin",
    ] {
        assert_eq!(ok(url), Source::File(url.into()));
    }
}

#[test]
fn novel_urls() {
    assert_eq!(
        ok("https://www.pixiv.net/users/13/novels"),
        Source::UserNovels(13)
    );
    assert_eq!(
        ok("https://www.pixiv.net/en/novel/show.php?id=5"),
        Source::Novel(5)
    );
    assert_eq!(
        ok("https://www.pixiv.net/novel/series/9"),
        Source::NovelSeries(9)
    );
    for url in [
        "https://www.pixiv.net/tags/cat/novels",
        "https://www.pixiv.net/users/13/bookmarks/novels",
        "https://www.pixiv.net/novel/show.php",
    ] {
        assert!(refused(url).contains(url), "{url}");
    }
}

#[test]
fn hostile_and_unknown_input_is_a_usage_error() {
    for text in [
        "",
        "nonsense",
        "-12",
        "0",
        "99999999999999999999999",
        "ftp://x/y",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://www.pixiv.net/",
        "https://www.pixiv.net/users/",
        "https://www.pixiv.net/users/abc",
        "https://www.pixiv.net/users/0",
        "https://www.pixiv.net/users/13/following",
        "https://www.pixiv.net/artworks/12abc",
        "https://www.pixiv.net/artworks/%31%32%00",
        "https://www.pixiv.net/member_illust.php",
        "https://www.pixiv.net/discovery",
        "https://www.pixiv.net/tags/cat/whatever",
        "https://www.pixiv.net/user/13/series/x",
    ] {
        let _message = refused(text);
    }
    let message = refused("https://www.pixiv.net/discovery");
    assert!(message.contains("accepted:"), "{message}");
    assert!(message.contains("/users/UID"), "{message}");
    // A long hostile path is refused, not looped on.
    let long = format!("https://www.pixiv.net/{}", "a/".repeat(10_000));
    let _message = refused(&long);
}

#[test]
fn only_some_sources_are_newest_first() {
    assert!(ok("https://www.pixiv.net/users/1").newest_first());
    assert!(ok("https://www.pixiv.net/bookmark_new_illust.php").newest_first());
    assert!(!ok("https://www.pixiv.net/ranking.php").newest_first());
    assert!(!ok("https://www.pixiv.net/tags/a/artworks?order=date").newest_first());
    assert!(ok("https://www.pixiv.net/tags/a/artworks").newest_first());
}

//! The generated data: deterministic, and shaped as Pixiv's.

use super::*;

const BASE: &str = "http://127.0.0.1:1";

#[test]
fn same_id_same_json() {
    for id in [1, 12, 14, 22, 26, 77, 123_456_789, MAX_ILLUST_ID] {
        assert_eq!(illust(id, BASE), illust(id, BASE));
        assert_eq!(illust(id, BASE).to_string(), illust(id, BASE).to_string());
    }
    assert_eq!(user(5), user(5));
    assert_eq!(user_detail(5, BASE), user_detail(5, BASE));
    assert_ne!(illust(12, BASE), illust(13, BASE));
}

#[test]
fn id_classes() {
    assert_eq!(
        (page_count(1), page_count(4), page_count(5), page_count(9)),
        (2, 5, 1, 5)
    );
    assert_eq!(page_count(14), 1, "ugoira have one page");
    assert_eq!(illust_type(14), "ugoira");
    assert_eq!(illust_type(12), "manga");
    assert_eq!(illust_type(21), "ugoira", "ugoira wins over manga");
    assert_eq!(illust_type(13), "illust");
    assert!(is_restricted(22) && !is_restricted(23));
    assert!(!exists(0) && exists(1) && exists(MAX_ILLUST_ID) && !exists(MAX_ILLUST_ID + 1));
    assert!(!user_exists(0) && user_exists(crate::DEMO_USER_ID) && !user_exists(MAX_USER_ID + 1));
    for id in [1_u64, 9, 13, 4, 14, 22, 33, 999] {
        let urls = original_urls(id, BASE);
        let expect = if is_restricted(id) {
            0
        } else {
            page_count(id) as usize
        };
        assert_eq!(urls.len(), expect, "{id}");
        for (p, url) in urls.iter().enumerate() {
            let name = if is_ugoira(id) {
                format!("{id}_ugoira0.jpg")
            } else {
                format!("{id}_p{p}.png")
            };
            assert_eq!(
                *url,
                format!("{BASE}/img-original/img/2024/01/01/00/00/00/{name}")
            );
        }
    }
    assert!(original_urls(0, BASE).is_empty());
    assert_eq!(
        illust(14, BASE)["meta_single_page"]["original_image_url"],
        format!("{BASE}/img-original/img/2024/01/01/00/00/00/14_ugoira0.jpg"),
        "an ugoira's original is its first frame, as Pixiv names it"
    );
}

#[test]
fn create_dates_are_jst_and_spread_over_2024() {
    assert_eq!(create_date(0), "2024-01-01T00:00:00+09:00");
    assert_eq!(create_date(1), "2024-01-01T00:00:01+09:00");
    assert_eq!(
        create_date(86_400 * 59 + 3_723),
        "2024-02-29T01:02:03+09:00"
    );
    assert_eq!(create_date(DATA_SPAN_SECS - 1), "2024-12-30T23:59:59+09:00");
    assert_eq!(create_date(DATA_SPAN_SECS), create_date(0));
}

#[test]
fn tags_are_distinct_and_r18_first() {
    for id in 1..500 {
        let t = tags(id);
        let mut names: Vec<&str> = t.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), (id % 3 + 2) as usize + usize::from(is_r18(id)));
        assert_eq!(names[0] == "R-18", is_r18(id));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), t.len(), "{id}: {t:?}");
    }
}

#[test]
fn lists_are_fixed_length_distinct_and_consistent() {
    let own = user_illust_ids(13, None);
    assert_eq!(own.len(), USER_WORKS_LISTED);
    assert!(own.iter().all(|&id| author_of(id) == 13));
    assert_eq!(own[0], 12_999);
    assert!(user_illust_ids(1, Some("illust")).iter().all(|&id| id != 0));
    assert!(user_illust_ids(MAX_USER_ID + 1, None).is_empty());
    for list in [
        ranking_ids("day", ""),
        ranking_ids("week_r18", "2024-01-02"),
        related_ids(13),
        bookmark_ids(1, "public"),
        bookmark_ids(1, "private"),
    ] {
        let mut d = list.clone();
        d.sort_unstable();
        d.dedup();
        assert_eq!(d.len(), list.len());
        assert!(list.iter().all(|&id| exists(id)));
    }
    assert_eq!(ranking_ids("day", "").len(), RANKING_LEN);
    assert_eq!(related_ids(13).len(), RELATED_LEN);
    assert_eq!(bookmark_ids(1, "private").len(), GENERATED_BOOKMARKS);
}

//! Deterministic novels, novel series, and the comments of works and novels.
//!
//! As [`crate::data`] for works: nothing is stored, every answer is computed from the ids in the
//! request, and tests call these functions to know what the mock will send.
//!
//! ```
//! use pixiv_mock::data_novel as novels;
//!
//! let base = "https://127.0.0.1:1";
//! // Novel 101 is the first of series 1 (novels 101..=175 of user 1).
//! assert_eq!(novels::series_of(101), Some((1, 1)));
//! assert_eq!(novels::series_of(176), None);
//! let n = novels::novel(101, base);
//! assert_eq!(n["series"]["id"], 1);
//! assert_eq!(n["user"]["id"], 1);
//! // The text uses every markup tag Pixiv's novels have.
//! let text = novels::text(101);
//! for tag in ["[newpage]", "[chapter:", "[[rb:", "[pixivimage:", "[uploadedimage:", "[[jumpuri:", "[jump:"] {
//!     assert!(text.contains(tag), "{tag}");
//! }
//! assert_eq!(n["page_count"], 3);
//! // Comments: `comment_count(id)` top-level comments, some with replies.
//! assert_eq!(novels::comment_count(12), 17);
//! ```
//!
//! # The rules
//! | what | rule |
//! |------|------|
//! | novel exists | `1 <= id <= 10^12` (as works, [`crate::data::MAX_ILLUST_ID`]) |
//! | author | `id / 1000 + 1`, as works |
//! | series | `id >= 100` and `id % 100` in `1..=75`: series `id / 100`, order `id % 100` ([`series_of`]) |
//! | title | `"Novel {id}"`; a series is `"Series {id}"` |
//! | text | three pages, with every markup tag ([`text`]) |
//! | R-18 | `id % 13 == 0`, as works |
//! | comments | `id % 45 + 5` top-level comments on a work or novel ([`comment_count`]); comment `n` has `n % 4` replies when `n % 3 == 1` |
//! | showcase articles | `1 <= id <= 10^6` |

use serde_json::{Value, json};

use crate::data::{self, mix};

/// Novels per series: `s*100+1 ..= s*100+75`.
pub const SERIES_LEN: u64 = 75;

/// How many novels `/v1/user/novels` lists for every user: 3 pages of 30.
pub const USER_NOVELS_LISTED: usize = 90;

/// How many novels the search, new, follow and recommended lists hold: 3 pages of 30.
pub const LIST_LEN: usize = 90;

/// How many generated novel bookmarks every user has per restrict: 2 pages of 30.
pub const GENERATED_NOVEL_BOOKMARKS: usize = 60;

/// The largest showcase article id that exists.
pub const MAX_ARTICLE_ID: u64 = 1_000_000;

/// The date path of cover and embedded image URLs.
const IMG_DATE_PATH: &str = "2024/01/01/00/00/00";

/// Whether novel `id` exists.
pub fn exists(id: u64) -> bool {
    data::exists(id)
}

/// The series of novel `id` and its order in it (1-based), if it has one.
pub fn series_of(id: u64) -> Option<(u64, u64)> {
    let order = id % 100;
    (id >= 100 && (1..=SERIES_LEN).contains(&order) && exists(id)).then_some((id / 100, order))
}

/// Whether series `id` exists (its first novel does).
pub fn series_exists(id: u64) -> bool {
    id >= 1 && id.checked_mul(100).is_some_and(|first| exists(first + 1))
}

/// The novels of series `id`, in order.
pub fn series_novel_ids(id: u64) -> Vec<u64> {
    (1..=SERIES_LEN).map(|o| id * 100 + o).collect()
}

/// The title of novel `id`.
pub fn title(id: u64) -> String {
    format!("Novel {id}")
}

/// The title of series `id`.
pub fn series_title(id: u64) -> String {
    format!("Series {id}")
}

/// The text of novel `id`, in Pixiv's markup: three pages (`[newpage]`), chapters, ruby,
/// an embedded work (`[pixivimage:{work}-1]`), an uploaded image (`[uploadedimage:{image}]`), a
/// link (`[[jumpuri:..]]`) and a page jump (`[jump:1]`).
pub fn text(id: u64) -> String {
    let work = embedded_illust(id);
    let image = uploaded_image(id);
    format!(
        "[chapter:第一章 はじまり]\n\
         {title}の本文です。[[rb:漢字 > かんじ]]にはルビがあります。\n\
         [pixivimage:{work}-1]\n\
         [newpage]\n\
         [chapter:第二章 つづき]\n\
         二ページ目です。\n\
         [uploadedimage:{image}]\n\
         [[jumpuri:pixiv > https://www.pixiv.net/]]\n\
         [newpage]\n\
         三ページ目です。[jump:1]\n",
        title = title(id)
    )
}

/// The work novel `id` embeds with `[pixivimage:{work}-1]`.
pub fn embedded_illust(id: u64) -> u64 {
    mix(id) % 1_000_000 + 1
}

/// The image novel `id` embeds with `[uploadedimage:{image}]`.
pub fn uploaded_image(id: u64) -> u64 {
    id.saturating_mul(10).saturating_add(1)
}

/// Pages of every novel's [`text`].
pub const PAGE_COUNT: u32 = 3;

/// The cover of novel `id` (Pixiv's `novel-cover-master` path, on `base_url`).
pub fn cover_url(id: u64, size: &str, base_url: &str) -> String {
    format!(
        "{base_url}/c/{size}/novel-cover-master/img/{IMG_DATE_PATH}/ci{id}_{:08x}_master1200.jpg",
        mix(id) as u32
    )
}

/// Novel `id` as Pixiv's App API sends it (PixivPy's `NovelInfo`): not bookmarked.
pub fn novel(id: u64, base_url: &str) -> Value {
    novel_as_seen(id, base_url, false)
}

/// Novel `id` with `is_bookmarked` as the viewer sees it.
pub(crate) fn novel_as_seen(id: u64, base_url: &str, bookmarked: bool) -> Value {
    let r18 = data::is_r18(id);
    let mut tags: Vec<Value> = data::tags(id)
        .into_iter()
        .enumerate()
        .map(|(i, (name, translated))| {
            json!({"name": name, "translated_name": translated, "added_by_uploaded_user": i == 0})
        })
        .collect();
    if tags.is_empty() {
        tags.push(
            json!({"name": "小説", "translated_name": "novel", "added_by_uploaded_user": true}),
        );
    }
    let series = match series_of(id) {
        Some((s, _)) => json!({"id": s, "title": series_title(s)}),
        None => json!({}),
    };
    json!({
        "id": id,
        "title": title(id),
        "caption": format!("A novel generated by pixiv-mock.<br />id: {id}"),
        "restrict": 0,
        "x_restrict": u32::from(r18),
        "is_original": id % 2 == 0,
        "image_urls": {
            "square_medium": cover_url(id, "128x128", base_url),
            "medium": cover_url(id, "176x352", base_url),
            "large": cover_url(id, "240x480_80", base_url),
        },
        "create_date": data::create_date(id),
        "tags": tags,
        "page_count": PAGE_COUNT,
        "text_length": text(id).chars().count(),
        "user": data::user_on(data::author_of(id), base_url),
        "series": series,
        "is_bookmarked": bookmarked,
        "total_bookmarks": data::total_bookmarks(id),
        "total_view": data::total_view(id),
        "visible": true,
        "total_comments": comment_count(id),
        "is_muted": false,
        "is_mypixiv_only": false,
        "is_x_restricted": false,
        "novel_ai_type": 1,
        "comment_access_control": 0,
    })
}

/// The novels of user `user_id`, newest first: [`USER_NOVELS_LISTED`] ids of their block.
pub fn user_novel_ids(user_id: u64) -> Vec<u64> {
    let first = user_id
        .saturating_sub(1)
        .saturating_mul(data::WORKS_BLOCK)
        .max(1);
    let last = user_id.saturating_mul(data::WORKS_BLOCK).saturating_sub(1);
    (first..=last)
        .rev()
        .filter(|&id| exists(id))
        .take(USER_NOVELS_LISTED)
        .collect()
}

/// [`LIST_LEN`] distinct novel ids drawn from `seed` (search words, feeds).
pub fn list_ids(seed: u64) -> Vec<u64> {
    data::draw_ids(seed, LIST_LEN, 10_000, |_| true)
}

/// The generated novel bookmarks of `user_id` for `restrict`, newest first: `(novel id,
/// bookmark id)`. Bookmark ids count down, so `max_bookmark_id` pages them.
pub fn bookmarks(user_id: u64, restrict: &str) -> Vec<(u64, u64)> {
    let private = restrict == "private";
    let seed = mix(user_id) ^ if private { 0x0B0C_0002 } else { 0x0B0C_0001 };
    list_ids(seed)
        .into_iter()
        .take(GENERATED_NOVEL_BOOKMARKS)
        .enumerate()
        .map(|(i, id)| (id, 9_000_000_000 - i as u64 - u64::from(private) * 100))
        .collect()
}

/// The bookmark tags of novel `id` in a bookmark: one or two of [`data::TAGS`].
pub fn bookmark_tags(id: u64) -> Vec<&'static str> {
    let n = (id % 2 + 1) as usize;
    let start = (mix(id ^ 0x7A65) % data::TAGS.len() as u64) as usize;
    (0..n)
        .map(|j| data::TAGS[(start + j * 5) % data::TAGS.len()].0)
        .collect()
}

/// The answer of `/webview/v2/novel`'s embedded `novel` object for novel `id` (camelCase, as
/// the web page's script holds it; PixivPy's `WebviewNovel`).
pub fn webview_json(id: u64, base_url: &str) -> Value {
    let work = embedded_illust(id);
    let image = uploaded_image(id);
    let (series_id, series_title_v, navigation) = match series_of(id) {
        Some((s, order)) => {
            let nav = |other: u64, o: u64| {
                json!({"id": other, "viewable": true, "contentOrder": o.to_string(),
                       "title": title(other), "coverUrl": cover_url(other, "240x480_80", base_url),
                       "viewableMessage": null})
            };
            let next = (order < SERIES_LEN).then(|| nav(id + 1, order + 1));
            let prev = (order > 1).then(|| nav(id - 1, order - 1));
            (
                Value::from(s.to_string()),
                Value::from(series_title(s)),
                json!({"nextNovel": next, "prevNovel": prev}),
            )
        }
        None => (Value::Null, Value::Null, Value::Null),
    };
    let original = format!(
        "{base_url}/novel-cover-original/img/{IMG_DATE_PATH}/{image}_{:08x}.jpg",
        mix(image) as u32
    );
    json!({
        "id": id.to_string(),
        "title": title(id),
        "seriesId": series_id,
        "seriesTitle": series_title_v,
        "seriesIsWatched": series_of(id).map(|_| false),
        "userId": data::author_of(id).to_string(),
        "coverUrl": cover_url(id, "600x600", base_url),
        "tags": data::tags(id).into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "caption": format!("A novel generated by pixiv-mock.<br />id: {id}"),
        "cdate": data::create_date(id),
        "rating": {"like": data::total_bookmarks(id) / 2, "bookmark": data::total_bookmarks(id), "view": data::total_view(id)},
        "text": text(id),
        "marker": null,
        "illusts": {
            format!("{work}-1"): {
                "visible": true,
                "availableMessage": null,
                "illust": {
                    "title": data::title(work),
                    "description": "",
                    "restrict": 0,
                    "xRestrict": 0,
                    "sl": 2,
                    "tags": [],
                    "images": {
                        "small": format!("{base_url}/c/150x150/img-master/img/{IMG_DATE_PATH}/{work}_p0_master1200.jpg"),
                        "medium": format!("{base_url}/c/540x540_70/img-master/img/{IMG_DATE_PATH}/{work}_p0_master1200.jpg"),
                        "original": format!("{base_url}/img-master/img/{IMG_DATE_PATH}/{work}_p0_master1200.jpg"),
                    },
                },
                "user": {"id": data::author_of(work).to_string(), "name": format!("User {}", data::author_of(work)), "image": ""},
                "id": work.to_string(),
                "page": 1,
            }
        },
        "images": {
            image.to_string(): {
                "novelImageId": image.to_string(),
                "sl": "2",
                "urls": {
                    "240mw": format!("{base_url}/c/240x480/novel-cover-master/img/{IMG_DATE_PATH}/{image}_master1200.jpg"),
                    "480mw": format!("{base_url}/c/480x960/novel-cover-master/img/{IMG_DATE_PATH}/{image}_master1200.jpg"),
                    "1200x1200": format!("{base_url}/c/1200x1200/novel-cover-master/img/{IMG_DATE_PATH}/{image}_master1200.jpg"),
                    "128x128": format!("{base_url}/c/128x128/novel-cover-master/img/{IMG_DATE_PATH}/{image}_square1200.jpg"),
                    "original": original,
                },
            }
        },
        "seriesNavigation": navigation,
        "glossaryItems": [],
        "replaceableItemIds": [],
        "aiType": 1,
        "isOriginal": id % 2 == 0,
    })
}

/// The page `/webview/v2/novel` answers: Pixiv's viewer HTML with the novel as a one-line JSON
/// object in `Object.defineProperty(window, 'pixiv', {value: {novel: {..}, isOwnWork: ..}})`, the
/// shape PixivPy's regex (`novel:\s({.+}),\s+isOwnWork`) and gallery-dl (`"novel: "` .. `",\n"`)
/// both read. `</` in the JSON is written `<\/` so the script cannot end early.
pub fn webview_html(id: u64, base_url: &str) -> String {
    let json = webview_json(id, base_url).to_string().replace("</", "<\\/");
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n<body>\n<div id=\"root\"></div>\n<script>\n\
         \x20 Object.defineProperty(window, 'pixiv', {{\n\
         \x20   value: {{\n\
         \x20     novel: {json},\n\
         \x20     isOwnWork: false,\n\
         \x20     illustratorIdList: [],\n\
         \x20     viewerVersion: \"20221031_ai\",\n\
         \x20   }},\n\
         \x20   writable: false\n\
         \x20 }});\n</script>\n</body>\n</html>\n",
        title = title(id)
    )
}

/// How many top-level comments work or novel `id` has: `id % 45 + 5`.
pub fn comment_count(id: u64) -> u64 {
    id % 45 + 5
}

/// How many replies comment number `n` (1-based) of a work has: `n % 4` when `n % 3 == 1`.
pub fn reply_count(n: u64) -> u64 {
    if n % 3 == 1 { n % 4 } else { 0 }
}

/// The id of comment `n` of work or novel `id` (`id * 1000 + n`).
pub fn comment_id(id: u64, n: u64) -> u64 {
    id * 1000 + n
}

/// The id of reply `r` (1-based) to comment `parent` (`parent * 100 + r`).
pub fn reply_id(parent: u64, r: u64) -> u64 {
    parent * 100 + r
}

/// `(work or novel id, n)` of a top-level comment id, when that comment exists.
pub fn comment_of(comment_id: u64) -> Option<(u64, u64)> {
    let (id, n) = (comment_id / 1000, comment_id % 1000);
    (exists(id) && (1..=comment_count(id)).contains(&n)).then_some((id, n))
}

/// A comment object (PixivPy's `Comment`, v3 fields included: `has_replies`, `stamp`).
/// `parent` is the parent comment of a reply (v1 lists embed it), `{}` for none.
pub fn comment(id: u64, n: u64, seed: u64, parent: Value, base_url: &str) -> Value {
    let commenter = mix(seed) % 1000 + 1;
    let stamp = (n % 7 == 0).then(|| {
        json!({"stamp_id": 301 + n % 10, "stamp_url": format!("{base_url}/common/images/stamp/generated-stamps/{}_s.jpg", 301 + n % 10)})
    });
    let secs = DATE_BASE + (seed % 86_400) as i64;
    json!({
        "id": id,
        "comment": if stamp.is_some() { String::new() } else { format!("コメント {n} ({id})") },
        "date": data_date(secs),
        "user": {
            "id": commenter,
            "name": format!("User {commenter}"),
            "account": format!("user{commenter}"),
            "profile_image_urls": {"medium": format!("{base_url}/user-profile/img/{IMG_DATE_PATH}/{commenter}_170.jpg")},
        },
        "has_replies": false,
        "stamp": stamp,
        "parent_comment": parent,
    })
}

/// Top-level comment `n` of `work`.
pub fn top_comment(work: u64, n: u64, base_url: &str) -> Value {
    let id = comment_id(work, n);
    let mut c = comment(id, n, id, json!({}), base_url);
    c["has_replies"] = (reply_count(n) > 0).into();
    c
}

/// The replies of top-level comment `n` of `work`, oldest first.
pub fn replies(work: u64, n: u64, base_url: &str) -> Vec<Value> {
    let parent_id = comment_id(work, n);
    (1..=reply_count(n))
        .map(|r| {
            let id = reply_id(parent_id, r);
            let parent = comment(parent_id, n, parent_id, json!({}), base_url);
            comment(id, r, id, parent, base_url)
        })
        .collect()
}

/// `2024-02-01T00:00:00+09:00`, the first comment date.
const DATE_BASE: i64 = 1_706_713_200;

fn data_date(secs: i64) -> String {
    // `create_date` counts from DATA_EPOCH; reuse its formatting.
    data::create_date((secs - data::DATA_EPOCH) as u64)
}

/// A showcase (pixivision) article as `/ajax/showcase/article` holds it in `body[0]`.
pub fn showcase_article(id: u64, base_url: &str) -> Value {
    let works: Vec<Value> = (0..3)
        .map(|k| {
            let work = mix(id.wrapping_add(k)) % 1_000_000 + 1;
            json!({
                "illust_id": work,
                "illust_title": data::title(work),
                "illust_user_id": data::author_of(work),
                "illust_user_name": format!("User {}", data::author_of(work)),
                "url": {"medium": format!("{base_url}/c/540x540_70/img-master/img/{IMG_DATE_PATH}/{work}_p0_master1200.jpg")},
            })
        })
        .collect();
    json!({
        "id": id.to_string(),
        "lang": "ja",
        "entry": {
            "id": id.to_string(),
            "title": format!("特集 {id}"),
            "pure_title": format!("特集 {id}"),
            "catchphrase": "",
            "header": "<p>pixiv-mock の特集です。</p>",
            "footer": "",
            "sidebar": "",
            "publish_date": 1_704_034_800 + id as i64,
            "language": "ja",
            "pixivision_category_slug": "illustration",
            "pixivision_category": {"label": "イラスト"},
            "tags": [{"id": 1, "name": "オリジナル"}],
            "article_url": format!("https://www.pixivision.net/ja/a/{id}"),
        },
        "title": format!("特集 {id}"),
        "publishDate": 1_704_034_800 + id as i64,
        "category": "illustration",
        "subCategory": "",
        "subCategoryLabel": "",
        "subCategoryIntroduction": "",
        "introduction": "<p>pixiv-mock の特集です。</p>",
        "footer": "",
        "illusts": works,
        "relatedArticles": [],
        "followingUserIds": [],
        "isOnlyOneUser": false,
    })
}

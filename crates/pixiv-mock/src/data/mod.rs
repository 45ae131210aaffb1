//! Deterministic generated data: a work id always yields the same work, a user id the same user.
//!
//! Nothing here is stored: every answer of the App API is computed from the ids in the request
//! (plus the bookmarks and follows the session added, which the App API keeps). Tests use these
//! functions to know what the mock will send without asking it.
//!
//! ```
//! use pixiv_mock::data;
//!
//! let base = "https://127.0.0.1:1";
//! // Work 12: three pages (12 % 5 + 1), a manga (12 % 3 == 0), neither ugoira nor restricted.
//! assert_eq!(data::page_count(12), 3);
//! let work = data::illust(12, base);
//! assert_eq!(work["id"], 12);
//! assert_eq!(work["type"], "manga");
//! assert_eq!(work["meta_pages"].as_array().map(Vec::len), Some(3));
//! assert_eq!(
//!     data::original_urls(12, base)[0],
//!     "https://127.0.0.1:1/img-original/img/2024/01/01/00/00/00/12_p0.png"
//! );
//! // Work 22 is restricted (22 % 11 == 0): placeholders only, no original.
//! assert!(data::original_urls(22, base).is_empty());
//! assert_eq!(data::illust(22, base)["visible"], false);
//! // Ids 0 and above 10^12 do not exist (the App API answers 404).
//! assert!(!data::exists(0));
//! // Every work has one author; user u owns the ids (u-1)*1000 ..= u*1000-1.
//! assert_eq!(data::author_of(12), 1);
//! assert_eq!(data::author_of(13_000), 14);
//! ```
//!
//! # The rules
//! | what | rule |
//! |------|------|
//! | exists | `1 <= id <= 10^12` ([`MAX_ILLUST_ID`]) |
//! | ugoira | `id % 7 == 0`: type `"ugoira"`, one page |
//! | manga | not ugoira and `id % 3 == 0`: type `"manga"` |
//! | illust | everything else: type `"illust"` |
//! | pages | `id % 5 + 1` ([`page_count`]; 1 for ugoira) |
//! | restricted | `id % 11 == 0`: placeholder image URLs, no original, `visible: false` |
//! | R-18 | `id % 13 == 0`: `x_restrict: 1`, `sanity_level: 6`, an `R-18` tag first |
//! | author | `id / 1000 + 1` ([`author_of`]) |
//! | title | `"Illust {id}"` |
//! | created | `2024-01-01T00:00:00+09:00` plus `id % 31_536_000` seconds ([`create_date`]) |
//! | users | `1 <= id <= 10^9` ([`MAX_USER_ID`]); name `"User {id}"`, account `"user{id}"` |
//!
//! Image URLs all point at the mock's own image host (`base_url`), with the fixed date path
//! `2024/01/01/00/00/00` the image host serves originals under (see `pixiv_mock::content`).

use serde_json::{Value, json};

/// The largest work id that exists; `0` and anything above answer 404 (as a deleted work would).
pub const MAX_ILLUST_ID: u64 = 1_000_000_000_000;

/// The largest user id that exists: user `u` owns the work ids `(u-1)*1000 ..= u*1000-1`, and
/// those must stay at or under [`MAX_ILLUST_ID`].
pub const MAX_USER_ID: u64 = MAX_ILLUST_ID / WORKS_BLOCK;

/// How many consecutive work ids one user owns (see [`author_of`]).
pub const WORKS_BLOCK: u64 = 1000;

/// How many works `/v1/user/illusts` lists for every user and type: 5 pages of 30.
pub const USER_WORKS_LISTED: usize = 150;

/// How many works a ranking lists: 5 pages of 30.
pub const RANKING_LEN: usize = 150;

/// How many works a related list holds: 3 pages of 30.
pub const RELATED_LEN: usize = 90;

/// How many generated bookmarks every user has per restrict (`public`, `private`): 3 pages of 30.
pub const GENERATED_BOOKMARKS: usize = 90;

/// The user id of the logged-in demo user (`pixiv_mock::DEMO_USER_ID`), whose name and account
/// match the OAuth answer.
const DEMO_USER_ID: u64 = crate::DEMO_USER_ID;

/// The real image host, used by [`user`] which has no base URL to point at.
pub const PIXIV_IMAGE_HOST: &str = "https://i.pximg.net";

/// `2024-01-01T00:00:00+09:00` as a Unix timestamp: the first `create_date` of the data.
pub const DATA_EPOCH: i64 = 1_704_034_800;

/// The span of `create_date`s: 365 days in seconds. It is also Pixiv's `search_span_limit`.
pub const DATA_SPAN_SECS: u64 = 31_536_000;

/// The date path every image URL carries.
const IMG_DATE_PATH: &str = "2024/01/01/00/00/00";

mod lists;

pub use lists::*;

/// The tags works draw theirs from: `(name, translated_name)`, Japanese names as on Pixiv.
pub const TAGS: [(&str, Option<&str>); 12] = [
    ("オリジナル", Some("original")),
    ("風景", Some("scenery")),
    ("女の子", Some("girl")),
    ("猫", Some("cat")),
    ("空", Some("sky")),
    ("ファンタジー", Some("fantasy")),
    ("創作", Some("creation")),
    ("落書き", Some("doodle")),
    ("VOCALOID", None),
    ("初音ミク", Some("Hatsune Miku")),
    ("背景", Some("background")),
    ("夕焼け", Some("sunset")),
];

/// The tag R-18 works carry first, as on Pixiv.
const R18_TAG: (&str, Option<&str>) = ("R-18", None);

/// splitmix64's finalizer: a cheap, well-spread, stable hash of one number.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string, mixed: a stable seed from text (a ranking mode, a search word).
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// Whether work `id` exists: `1 <= id <= 10^12`.
pub fn exists(id: u64) -> bool {
    (1..=MAX_ILLUST_ID).contains(&id)
}

/// Whether user `id` exists: `1 <= id <= 10^9` (the demo user, 1 000 001, is one of them).
pub fn user_exists(id: u64) -> bool {
    (1..=MAX_USER_ID).contains(&id)
}

/// Whether work `id` is an ugoira (an animation): `id % 7 == 0`.
pub fn is_ugoira(id: u64) -> bool {
    id % 7 == 0
}

/// Whether work `id` is a manga: not an ugoira and `id % 3 == 0`.
pub fn is_manga(id: u64) -> bool {
    !is_ugoira(id) && id % 3 == 0
}

/// Whether work `id` is one the demo account may not see: `id % 11 == 0`. Pixiv then sends the
/// `limit_sanity_level_360.png` placeholder for every image, no original, and `visible: false`.
pub fn is_restricted(id: u64) -> bool {
    id % 11 == 0
}

/// Whether work `id` is R-18 (`x_restrict: 1`): `id % 13 == 0`.
pub fn is_r18(id: u64) -> bool {
    id % 13 == 0
}

/// The `type` of work `id`: `"ugoira"`, `"manga"` or `"illust"`.
pub fn illust_type(id: u64) -> &'static str {
    if is_ugoira(id) {
        "ugoira"
    } else if is_manga(id) {
        "manga"
    } else {
        "illust"
    }
}

/// The number of pages of work `id`: `id % 5 + 1`, except ugoira, which always have one page.
pub fn page_count(id: u64) -> u32 {
    if is_ugoira(id) {
        1
    } else {
        (id % 5) as u32 + 1
    }
}

/// The author of work `id`: `id / 1000 + 1`, so user `u` owns the ids `(u-1)*1000 ..= u*1000-1`.
pub fn author_of(id: u64) -> u64 {
    id / WORKS_BLOCK + 1
}

/// The title of work `id`: `"Illust {id}"`.
pub fn title(id: u64) -> String {
    format!("Illust {id}")
}

/// The caption of work `id`: `"A work generated by pixiv-mock.<br />id: {id}"` (Pixiv's captions
/// are HTML).
pub fn caption(id: u64) -> String {
    format!("A work generated by pixiv-mock.<br />id: {id}")
}

/// The tags of work `id` as `(name, translated_name)`: two to four distinct entries of [`TAGS`]
/// (`id % 3 + 2` of them), preceded by `("R-18", None)` for R-18 works.
pub fn tags(id: u64) -> Vec<(&'static str, Option<&'static str>)> {
    let count = (id % 3 + 2) as usize;
    let start = (mix(id) % TAGS.len() as u64) as usize;
    let mut out = Vec::with_capacity(count + 1);
    if is_r18(id) {
        out.push(R18_TAG);
    }
    // 5 and 12 are coprime, so the steps never land on the same tag twice.
    out.extend((0..count).map(|j| TAGS[(start + j * 5) % TAGS.len()]));
    out
}

/// Seconds after [`DATA_EPOCH`] at which work `id` was created: `id % 31_536_000`.
pub(crate) fn created_offset(id: u64) -> u64 {
    id % DATA_SPAN_SECS
}

/// The `create_date` of work `id`, in Pixiv's form (`2024-01-01T00:00:00+09:00`, JST): the
/// [`DATA_EPOCH`] plus `id % 31_536_000` seconds.
pub fn create_date(id: u64) -> String {
    let mut secs = created_offset(id) as i64 + DATA_EPOCH + 9 * 3600;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), in JST.
    let days = secs.div_euclid(86_400);
    secs = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+09:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// (year, month, day) of a count of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The placeholder Pixiv shows for a work the account may not see.
fn placeholder(base_url: &str) -> String {
    format!("{base_url}/common/images/limit_sanity_level_360.png")
}

/// The extension of work `id`'s originals, the one its JSON names: `"jpg"` for an ugoira (its
/// first frame), `"png"` for every other work.
pub fn original_ext(id: u64) -> &'static str {
    if is_ugoira(id) { "jpg" } else { "png" }
}

/// The number of frames of ugoira `id` (meaningful when [`is_ugoira`]): `id % 20 + 8`, as its
/// `/v1/ugoira/metadata` lists them and its zips hold them.
pub fn ugoira_frame_count(id: u64) -> u64 {
    id % 20 + 8
}

/// The original of page `page` of work `id`: `.../img-original/img/DATE/{id}_p{page}.png`, or for
/// an ugoira its first frame `.../{id}_ugoira0.jpg`, as Pixiv names it (gallery-dl's pixiv
/// extractor derives the frame URLs `{id}_ugoira{N}.jpg` from that name).
fn original_url(id: u64, page: u32, base_url: &str) -> String {
    if is_ugoira(id) {
        format!("{base_url}/img-original/img/{IMG_DATE_PATH}/{id}_ugoira0.jpg")
    } else {
        format!("{base_url}/img-original/img/{IMG_DATE_PATH}/{id}_p{page}.png")
    }
}

/// `{square_medium, medium, large}` of one page (placeholders for restricted works).
fn page_image_urls(id: u64, page: u32, base_url: &str) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    if is_restricted(id) {
        let p = placeholder(base_url);
        for key in ["square_medium", "medium", "large"] {
            map.insert(key.to_owned(), Value::String(p.clone()));
        }
        return map;
    }
    let master = |size: &str, suffix: &str| {
        format!("{base_url}/c/{size}/img-master/img/{IMG_DATE_PATH}/{id}_p{page}_{suffix}.jpg")
    };
    map.insert(
        "square_medium".to_owned(),
        master("360x360_70", "square1200").into(),
    );
    map.insert(
        "medium".to_owned(),
        master("540x540_70", "master1200").into(),
    );
    map.insert(
        "large".to_owned(),
        master("600x1200_90", "master1200").into(),
    );
    map
}

/// The original image URLs of work `id`, one per page, in page order; empty for restricted works
/// (Pixiv does not send them). Works that do not exist get an empty list too.
pub fn original_urls(id: u64, base_url: &str) -> Vec<String> {
    if !exists(id) || is_restricted(id) {
        return Vec::new();
    }
    (0..page_count(id))
        .map(|p| original_url(id, p, base_url))
        .collect()
}

/// The user object of user `id` as Pixiv embeds it in works and lists, with its profile image on
/// the real image host ([`PIXIV_IMAGE_HOST`]); the App API itself uses [`user_on`] with its own
/// base URL. `is_followed` is `false` (the App API reflects follows the session added).
///
/// Shape: `{"id": number, "name": string, "account": string, "profile_image_urls": {"medium":
/// string}, "is_followed": bool}`.
pub fn user(id: u64) -> Value {
    user_on(id, PIXIV_IMAGE_HOST)
}

/// [`user`] with the profile image on `base_url`: `{base}/user-profile/img/2024/01/01/00/00/00/{id}_170.jpg`.
pub fn user_on(id: u64, base_url: &str) -> Value {
    let (name, account) = user_names(id);
    json!({
        "id": id,
        "name": name,
        "account": account,
        "profile_image_urls": {
            "medium": format!("{base_url}/user-profile/img/{IMG_DATE_PATH}/{id}_170.jpg"),
        },
        "is_followed": false,
    })
}

/// The name and account of user `id` (the demo user's match the OAuth answer).
fn user_names(id: u64) -> (String, String) {
    if id == DEMO_USER_ID {
        ("pixiv-rs demo".to_owned(), "pixivrs_demo".to_owned())
    } else {
        (format!("User {id}"), format!("user{id}"))
    }
}

/// The answer of `/v1/user/detail` for user `id`:
/// `{"user": {..user_on fields, "comment": string, "is_access_blocking_user": false},
///   "profile": {webpage: null, gender, birth, birth_day, birth_year (number), region, address_id,
///   country_code, job, job_id, total_follow_users, total_mypixiv_users, total_illusts (150),
///   total_manga (150), total_novels, total_illust_bookmarks_public (90), total_illust_series,
///   total_novel_series, background_image_url: string, twitter_account, twitter_url: null,
///   pawoo_url: null, is_premium, is_using_custom_profile_image},
///   "profile_publicity": {gender, region, birth_day, birth_year, job: "public"|"private", pawoo: bool},
///   "workspace": {pc, monitor, tool, scanner, tablet, mouse, printer, desktop, music, desk, chair,
///   comment: strings, workspace_image_url: null}}`
/// — the fields PixivPy's `UserInfoDetailed` model requires, with the types it requires.
pub fn user_detail(id: u64, base_url: &str) -> Value {
    let mut user = user_on(id, base_url);
    if let Value::Object(map) = &mut user {
        map.insert(
            "comment".to_owned(),
            format!("Hello, I am user {id}.").into(),
        );
        map.insert("is_access_blocking_user".to_owned(), false.into());
    }
    json!({
        "user": user,
        "profile": {
            "webpage": null,
            "gender": "",
            "birth": "",
            "birth_day": "",
            "birth_year": 0,
            "region": "",
            "address_id": 0,
            "country_code": "",
            "job": "",
            "job_id": 0,
            "total_follow_users": mix(id) % 500,
            "total_mypixiv_users": mix(id) % 50,
            "total_illusts": USER_WORKS_LISTED,
            "total_manga": USER_WORKS_LISTED,
            "total_novels": 0,
            "total_illust_bookmarks_public": GENERATED_BOOKMARKS,
            "total_illust_series": 0,
            "total_novel_series": 0,
            "background_image_url": format!("{base_url}/background/img/{IMG_DATE_PATH}/{id}_bg.jpg"),
            "twitter_account": "",
            "twitter_url": null,
            "pawoo_url": null,
            "is_premium": false,
            "is_using_custom_profile_image": false,
        },
        "profile_publicity": {
            "gender": "public",
            "region": "public",
            "birth_day": "public",
            "birth_year": "public",
            "job": "public",
            "pawoo": true,
        },
        "workspace": {
            "pc": "", "monitor": "", "tool": "", "scanner": "", "tablet": "", "mouse": "",
            "printer": "", "desktop": "", "music": "", "desk": "", "chair": "", "comment": "",
            "workspace_image_url": null,
        },
    })
}

/// The `total_view` of work `id`: between 100 and 100 099.
pub fn total_view(id: u64) -> u64 {
    100 + (mix(id) >> 8) % 100_000
}

/// The `total_bookmarks` of work `id`: a fifth to a twentieth of its views (what
/// `sort=popular_desc` orders by).
pub fn total_bookmarks(id: u64) -> u64 {
    total_view(id) / (5 + (mix(id) >> 32) % 16)
}

/// The illust object of work `id`, as seen by an account that has not bookmarked it nor followed
/// its author. Meaningful when [`exists`]`(id)`.
///
/// Shape (as `/v1/illust/detail` sends it under `"illust"`): `id` (number), `title`, `type`,
/// `image_urls {square_medium, medium, large}`, `caption`, `restrict: 0`, `user` (see [`user`]),
/// `tags [{name, translated_name: string|null}]`, `tools [string]`, `create_date`, `page_count`,
/// `width`, `height`, `sanity_level`, `x_restrict`, `series: null`, `meta_single_page`
/// (`{"original_image_url"}` for one page, `{}` for several or when restricted), `meta_pages`
/// (`[]` for one page or when restricted, else `[{"image_urls": {square_medium, medium, large,
/// original}}]` per page), `total_view`, `total_bookmarks`, `is_bookmarked`, `visible`, `is_muted:
/// false`, `illust_ai_type` (1 not AI, 2 AI), `illust_book_style`, `total_comments`,
/// `comment_access_control: 0` (comments open to all), `restriction_attributes: []`.
pub fn illust(id: u64, base_url: &str) -> Value {
    illust_as_seen(id, base_url, false, false)
}

/// [`illust`] with the viewer's `is_bookmarked` and the author's `is_followed` filled in.
pub(crate) fn illust_as_seen(id: u64, base_url: &str, bookmarked: bool, followed: bool) -> Value {
    let restricted = is_restricted(id);
    let pages = page_count(id);
    let h = mix(id);
    let mut author = user_on(author_of(id), base_url);
    if let Value::Object(map) = &mut author {
        map.insert("is_followed".to_owned(), followed.into());
    }
    let tags: Vec<Value> = tags(id)
        .into_iter()
        .map(|(name, translated)| json!({"name": name, "translated_name": translated}))
        .collect();
    let tools: Vec<&str> = match h % 4 {
        0 => vec![],
        1 => vec!["CLIP STUDIO PAINT"],
        2 => vec!["SAI", "Photoshop"],
        _ => vec!["Procreate"],
    };
    let meta_single_page = if restricted || pages > 1 {
        json!({})
    } else {
        json!({"original_image_url": original_url(id, 0, base_url)})
    };
    let meta_pages: Vec<Value> = if restricted || pages == 1 {
        Vec::new()
    } else {
        (0..pages)
            .map(|p| {
                let mut urls = page_image_urls(id, p, base_url);
                urls.insert("original".to_owned(), original_url(id, p, base_url).into());
                json!({"image_urls": urls})
            })
            .collect()
    };
    json!({
        "id": id,
        "title": title(id),
        "type": illust_type(id),
        "image_urls": page_image_urls(id, 0, base_url),
        "caption": caption(id),
        "restrict": 0,
        "user": author,
        "tags": tags,
        "tools": tools,
        "create_date": create_date(id),
        "page_count": pages,
        "width": 800 + (h >> 16) % 13 * 100,
        "height": 800 + (h >> 24) % 13 * 100,
        "sanity_level": if is_r18(id) { 6 } else { 2 },
        "x_restrict": u8::from(is_r18(id)),
        "series": null,
        "meta_single_page": meta_single_page,
        "meta_pages": meta_pages,
        "total_view": total_view(id),
        "total_bookmarks": total_bookmarks(id),
        "is_bookmarked": bookmarked,
        "visible": !restricted,
        "is_muted": false,
        "illust_ai_type": if h % 10 == 9 { 2 } else { 1 },
        "illust_book_style": u8::from(is_manga(id)),
        "total_comments": (h >> 40) % 40,
        "comment_access_control": 0,
        "restriction_attributes": [],
    })
}

/// The answer of `/v1/ugoira/metadata` for work `id`, or `None` when it is not an ugoira the
/// account may see (missing, not an ugoira, or restricted).
///
/// Shape: `{"ugoira_metadata": {"zip_urls": {"medium": "{base}/img-zip-ugoira/img/2024/01/01/00/00/00/{id}_ugoira600x600.zip"},
/// "frames": [{"file": "000000.jpg", "delay": number}, ..]}}`, with `id % 20 + 8` frames whose
/// delays cycle through 60, 80, 100, 120 ms.
pub fn ugoira_metadata(id: u64, base_url: &str) -> Option<Value> {
    if !exists(id) || !is_ugoira(id) || is_restricted(id) {
        return None;
    }
    let frames: Vec<Value> = (0..ugoira_frame_count(id))
        .map(|i| json!({"file": format!("{i:06}.jpg"), "delay": 60 + (id + i) % 4 * 20}))
        .collect();
    Some(json!({
        "ugoira_metadata": {
            "zip_urls": {
                "medium": format!("{base_url}/img-zip-ugoira/img/{IMG_DATE_PATH}/{id}_ugoira600x600.zip"),
            },
            "frames": frames,
        }
    }))
}

#[cfg(test)]
mod tests;

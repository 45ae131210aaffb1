//! The generated lists: a user's works, rankings, related works, bookmarks, and the lists of the
//! discovery and follow calls (new works, the following feed, recommended works and users,
//! follows, followers, my pixiv, the user list, manga series). All deterministic.

use super::{
    GENERATED_BOOKMARKS, MAX_USER_ID, RANKING_LEN, RELATED_LEN, TAGS, USER_WORKS_LISTED,
    WORKS_BLOCK, exists, hash_str, is_manga, is_r18, is_restricted, mix, tags, user_exists,
};

/// The works `/v1/user/illusts` lists for user `user_id`, newest (highest id) first: the
/// [`USER_WORKS_LISTED`] highest existing ids of the user's block (see [`author_of`](super::author_of)) whose type
/// fits `kind`: `Some("illust")` takes illusts and ugoira, `Some("manga")` manga, `None` every
/// type. Empty for a user that does not exist.
pub fn user_illust_ids(user_id: u64, kind: Option<&str>) -> Vec<u64> {
    if !user_exists(user_id) {
        return Vec::new();
    }
    let first = (user_id - 1) * WORKS_BLOCK;
    (first..first + WORKS_BLOCK)
        .rev()
        .filter(|&id| exists(id))
        .filter(|&id| match kind {
            Some("manga") => is_manga(id),
            Some(_) => !is_manga(id),
            None => true,
        })
        .take(USER_WORKS_LISTED)
        .collect()
}

/// Distinct existing work ids drawn from the stream `mix(seed + k)`, kept when `keep` says so,
/// at most `len` of them, in draw order. Ids are drawn from `1..=10^9` so their authors are
/// users `1..=10^6`. Gives up after `max_draws` draws (rare filters give fewer ids).
pub(crate) fn draw_ids(
    seed: u64,
    len: usize,
    max_draws: u64,
    mut keep: impl FnMut(u64) -> bool,
) -> Vec<u64> {
    let mut seen = std::collections::HashSet::with_capacity(len);
    let mut out = Vec::with_capacity(len);
    for k in 0..max_draws {
        if out.len() == len {
            break;
        }
        let id = 1 + mix(seed.wrapping_add(k)) % 1_000_000_000;
        if keep(id) && seen.insert(id) {
            out.push(id);
        }
    }
    out
}

/// The ranking modes `/v1/illust/ranking` accepts (PixivPy's list, past and present).
pub const RANKING_MODES: [&str; 20] = [
    "day",
    "week",
    "month",
    "day_male",
    "day_female",
    "week_original",
    "week_rookie",
    "day_manga",
    "week_manga",
    "month_manga",
    "week_rookie_manga",
    "day_ai",
    "day_r18",
    "day_male_r18",
    "day_female_r18",
    "week_r18",
    "week_r18g",
    "day_r18_manga",
    "week_r18_manga",
    "day_r18_ai",
];

/// The day of the latest ranking, the one a call without `date` gets: the last full day of the
/// generated works (which span 2024 in JST).
pub const LATEST_RANKING_DATE: &str = "2024-12-30";

/// The works of the ranking `mode` on `date` (`YYYY-MM-DD`, or `""` for
/// [`LATEST_RANKING_DATE`]), in
/// rank order: [`RANKING_LEN`] distinct ids seeded by mode and date. `*_r18*` modes list only
/// R-18 works, other modes none; `*manga*` modes only manga, other modes no manga.
pub fn ranking_ids(mode: &str, date: &str) -> Vec<u64> {
    let date = if date.is_empty() {
        LATEST_RANKING_DATE
    } else {
        date
    };
    let r18 = mode.contains("r18");
    let manga = mode.contains("manga");
    let seed = hash_str(mode) ^ mix(hash_str(date));
    draw_ids(seed, RANKING_LEN, 1_000_000, |id| {
        is_r18(id) == r18 && is_manga(id) == manga
    })
}

/// The works related to work `id`: [`RELATED_LEN`] distinct ids (never `id` itself, no R-18),
/// seeded by `id`. Seed works and `viewed[]` a request carries do not change the list.
pub fn related_ids(id: u64) -> Vec<u64> {
    draw_ids(mix(id ^ 0x5EED), RELATED_LEN, 100_000, |other| {
        other != id && !is_r18(other)
    })
}

/// The generated bookmarks of user `user_id` for `restrict` (`"public"` or `"private"`), newest
/// first: [`GENERATED_BOOKMARKS`] distinct ids. The public and private lists never share an id.
/// The App API lists the bookmarks the session added before these, and hides deleted ones.
pub fn bookmark_ids(user_id: u64, restrict: &str) -> Vec<u64> {
    let private = restrict == "private";
    let seed = mix(user_id) ^ 0xB00C_0000;
    // One stream for both lists, split by the parity of the draw, keeps them disjoint.
    let both = draw_ids(seed, 4 * GENERATED_BOOKMARKS, 100_000, |_| true);
    both.into_iter()
        .enumerate()
        .filter(|(i, _)| (i % 2 == 1) == private)
        .map(|(_, id)| id)
        .take(GENERATED_BOOKMARKS)
        .collect()
}

/// Users drawn for a list: `len` distinct existing ids (below a million, so small numbers read
/// well), none equal to `exclude`.
fn draw_users(seed: u64, len: usize, exclude: u64) -> Vec<u64> {
    let mut seen = std::collections::HashSet::with_capacity(len);
    let mut out = Vec::with_capacity(len);
    for k in 0..(len as u64 * 4) {
        if out.len() == len {
            break;
        }
        let id = 1 + mix(seed.wrapping_add(k)) % 1_000_000.min(MAX_USER_ID);
        if id != exclude && user_exists(id) && seen.insert(id) {
            out.push(id);
        }
    }
    out
}

/// Users `user_id` follows (generated): 45 public (2 pages), 10 private.
pub fn following_ids(user_id: u64, restrict: &str) -> Vec<u64> {
    let private = restrict == "private";
    let len = if private { 10 } else { 45 };
    draw_users(
        mix(user_id) ^ if private { 0xF0_11 } else { 0xF0_10 },
        len,
        user_id,
    )
}

/// Users who follow `user_id`: 60 (2 pages).
pub fn follower_ids(user_id: u64) -> Vec<u64> {
    draw_users(mix(user_id) ^ 0xF0_20, 60, user_id)
}

/// `user_id`'s my pixiv friends: 12.
pub fn mypixiv_ids(user_id: u64) -> Vec<u64> {
    draw_users(mix(user_id) ^ 0xF0_30, 12, user_id)
}

/// `user_id`'s user list (`/v2/user/list`): 5.
pub fn user_list_ids(user_id: u64) -> Vec<u64> {
    draw_users(mix(user_id) ^ 0xF0_40, 5, user_id)
}

/// Users like `seed_user_id`: 60 (2 pages).
pub fn related_user_ids(seed_user_id: u64) -> Vec<u64> {
    draw_users(mix(seed_user_id) ^ 0xF0_50, 60, seed_user_id)
}

/// Users recommended to `user_id`: 90 (3 pages).
pub fn recommended_user_ids(user_id: u64) -> Vec<u64> {
    draw_users(mix(user_id) ^ 0xF0_60, 90, user_id)
}

/// Users a search for `word` finds: 45 (2 pages).
pub fn search_user_ids(word: &str) -> Vec<u64> {
    draw_users(hash_str(word) ^ 0xF0_70, 45, 0)
}

/// Works recommended to `user_id` (`content_type` `illust` or `manga`): 90, 3 pages, none R-18.
pub fn recommended_ids(user_id: u64, content_type: &str) -> Vec<u64> {
    let manga = content_type == "manga";
    draw_ids(mix(user_id) ^ hash_str(content_type), 90, 100_000, |id| {
        is_manga(id) == manga && !is_r18(id)
    })
}

/// The newest works on Pixiv (`/v1/illust/new`): 90 of `content_type`, highest id first, paged by
/// `max_illust_id`.
pub fn new_ids(content_type: &str) -> Vec<u64> {
    let manga = content_type == "manga";
    let mut ids = draw_ids(hash_str(content_type) ^ 0x0E_E0, 90, 100_000, |id| {
        is_manga(id) == manga && !is_r18(id)
    });
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids
}

/// The following feed of someone following `followees`: each one's 3 newest works, highest id
/// first.
pub fn follow_feed_ids(followees: &[u64]) -> Vec<u64> {
    let mut ids: Vec<u64> = followees
        .iter()
        .flat_map(|&u| user_illust_ids(u, None).into_iter().take(3))
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    ids
}

/// Whether manga series `id` exists: one per user, same id.
pub fn series_exists(id: u64) -> bool {
    user_exists(id)
}

/// The works of manga series `id` (by user `id`), newest first: `3 + id % 40` of the user's
/// manga (at most what the user has).
pub fn series_ids(id: u64) -> Vec<u64> {
    let len = 3 + (id % 40) as usize;
    user_illust_ids(id, Some("manga"))
        .into_iter()
        .take(len)
        .collect()
}

/// A work carrying tag `name` (neither R-18 nor restricted), for the trending tags.
pub fn work_with_tag(name: &str) -> Option<u64> {
    draw_ids(hash_str(name) ^ 0x7A_60, 1, 100_000, |id| {
        !is_r18(id) && !is_restricted(id) && tags(id).iter().any(|(n, _)| *n == name)
    })
    .first()
    .copied()
}

/// A user's generated bookmark tags with their counts: the first 8 of [`TAGS`] for public
/// bookmarks, 3 for private.
pub fn bookmark_tag_counts(user_id: u64, restrict: &str) -> Vec<(&'static str, u64)> {
    let private = restrict == "private";
    let len = if private { 3 } else { 8 };
    TAGS.iter()
        .take(len)
        .enumerate()
        .map(|(i, (name, _))| {
            (
                *name,
                1 + mix(user_id ^ (i as u64) ^ u64::from(private)) % 50,
            )
        })
        .collect()
}

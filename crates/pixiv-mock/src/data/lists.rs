//! The generated lists: a user's works, rankings, related works, bookmarks, and the lists of the
//! discovery and follow calls (new works, the following feed, recommended works and users,
//! follows, followers, my pixiv, the user list, manga series). All deterministic.

use super::{
    GENERATED_BOOKMARKS, RANKING_LEN, RELATED_LEN, USER_WORKS_LISTED, WORKS_BLOCK, exists,
    hash_str, is_manga, is_r18, mix, user_exists,
};

/// The works `/v1/user/illusts` lists for user `user_id`, newest (highest id) first: the
/// [`USER_WORKS_LISTED`] highest existing ids of the user's block (see [`author_of`]) whose type
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

/// The works of the ranking `mode` on `date` (`YYYY-MM-DD`, or `""` for the default day), in
/// rank order: [`RANKING_LEN`] distinct ids seeded by mode and date. `*_r18*` modes list only
/// R-18 works, other modes none; `*manga*` modes only manga, other modes no manga.
pub fn ranking_ids(mode: &str, date: &str) -> Vec<u64> {
    let r18 = mode.contains("r18");
    let manga = mode.contains("manga");
    let seed = hash_str(mode) ^ mix(hash_str(date));
    draw_ids(seed, RANKING_LEN, 1_000_000, |id| {
        is_r18(id) == r18 && is_manga(id) == manga
    })
}

/// The works related to work `id`: [`RELATED_LEN`] distinct ids (never `id` itself, no R-18),
/// seeded by `id`. The seeds and `viewed[]` a request carries do not change the list.
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

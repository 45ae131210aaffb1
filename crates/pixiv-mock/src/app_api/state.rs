//! What the session changed: bookmarks added or deleted, users followed.
//!
//! Kept per user (the one the bearer token belongs to), in memory, for the life of one mock.
//! Every answer that shows a work or a user reads it, so `is_bookmarked` / `is_followed` and the
//! bookmark list follow the calls a client made.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::data;

/// Bookmark ids the session hands out start here, above every generated one, so newer bookmarks
/// sort first (Pixiv lists bookmarks newest first and pages with `max_bookmark_id`).
const ADDED_BOOKMARK_ID_BASE: u64 = 20_000_000_000;

/// The generated bookmarks' ids count down from here (the newest first).
const GENERATED_BOOKMARK_ID_TOP: u64 = 10_000_000_000;

/// One bookmark the session added.
#[derive(Debug, Clone)]
pub(super) struct Added {
    pub(super) illust_id: u64,
    pub(super) private: bool,
    /// The bookmark tags sent with it (`tags[]`), which the list's `tag` parameter filters on.
    pub(super) tags: Vec<String>,
    pub(super) bookmark_id: u64,
}

/// One entry of a bookmark list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) illust_id: u64,
    pub(super) bookmark_id: u64,
}

/// One user's changes.
#[derive(Debug, Default)]
pub(super) struct UserState {
    /// Added bookmarks, oldest first.
    added: Vec<Added>,
    /// Generated bookmarks the session deleted (or re-added, which moves them to `added`).
    hidden: HashSet<u64>,
    /// Followed users.
    follows: HashSet<u64>,
    /// Those of `follows` followed privately.
    private_follows: HashSet<u64>,
    /// The AI setting (`/v1/user/ai-show-settings/edit`); `None`: never set (shown).
    show_ai: Option<bool>,
}

impl UserState {
    /// The bookmarks the session added, oldest first.
    pub(super) fn added(&self) -> &[Added] {
        &self.added
    }

    /// The users followed in the session with `private` restrict, in no order.
    pub(super) fn follows(&self, private: bool) -> impl Iterator<Item = u64> + '_ {
        self.follows
            .iter()
            .copied()
            .filter(move |u| self.private_follows.contains(u) == private)
    }

    /// Whether AI-generated works are shown (the default) or hidden.
    pub(super) fn show_ai(&self) -> bool {
        self.show_ai.unwrap_or(true)
    }
}

/// Every user's changes.
#[derive(Debug, Default)]
pub(super) struct State {
    users: HashMap<u64, UserState>,
    next_bookmark_id: u64,
}

impl State {
    /// The changes of `user` (empty when it made none).
    pub(super) fn user(&self, user: u64) -> Option<&UserState> {
        self.users.get(&user)
    }

    /// Bookmarks `illust_id` for `user` (again: a second add replaces the first and moves it to
    /// the top, as editing a bookmark does on Pixiv).
    pub(super) fn add_bookmark(
        &mut self,
        user: u64,
        illust_id: u64,
        private: bool,
        tags: Vec<String>,
    ) {
        self.next_bookmark_id += 1;
        let bookmark_id = ADDED_BOOKMARK_ID_BASE + self.next_bookmark_id;
        let st = self.users.entry(user).or_default();
        st.added.retain(|a| a.illust_id != illust_id);
        st.hidden.insert(illust_id);
        st.added.push(Added {
            illust_id,
            private,
            tags,
            bookmark_id,
        });
    }

    /// Removes `illust_id` from `user`'s bookmarks (a no-op when it was not bookmarked).
    pub(super) fn delete_bookmark(&mut self, user: u64, illust_id: u64) {
        let st = self.users.entry(user).or_default();
        st.added.retain(|a| a.illust_id != illust_id);
        st.hidden.insert(illust_id);
    }

    /// `user` follows `followee`, publicly or privately.
    pub(super) fn follow(&mut self, user: u64, followee: u64, private: bool) {
        let st = self.users.entry(user).or_default();
        st.follows.insert(followee);
        if private {
            st.private_follows.insert(followee);
        } else {
            st.private_follows.remove(&followee);
        }
    }

    /// Sets `user`'s AI setting.
    pub(super) fn set_show_ai(&mut self, user: u64, show: bool) {
        self.users.entry(user).or_default().show_ai = Some(show);
    }

    /// `user` no longer follows `followee`.
    pub(super) fn unfollow(&mut self, user: u64, followee: u64) {
        self.users
            .entry(user)
            .or_default()
            .follows
            .remove(&followee);
        if let Some(st) = self.users.get_mut(&user) {
            st.private_follows.remove(&followee);
        }
    }
}

/// What one viewer sees of bookmarks and follows, computed once per answer.
#[derive(Debug)]
pub(super) struct Viewer<'a> {
    state: Option<&'a UserState>,
    generated: Arc<HashSet<u64>>,
}

/// How many users' generated bookmark sets [`generated_bookmarks`] keeps.
const GENERATED_BOOKMARKS_CACHE: usize = 1024;

/// The generated bookmarks of `user` (public and private), computed once per user: drawing them
/// costs far more than answering a call, and every illust answer needs them for `is_bookmarked`
/// (measured: without the cache, building this set was the largest cost of `cargo xtask bench
/// transport`'s server side). Pure data, so a process-wide cache changes no answer.
fn generated_bookmarks(user: u64) -> Arc<HashSet<u64>> {
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<HashSet<u64>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(set) = cache.get(&user) {
        return Arc::clone(set);
    }
    let set: Arc<HashSet<u64>> = Arc::new(
        data::bookmark_ids(user, "public")
            .into_iter()
            .chain(data::bookmark_ids(user, "private"))
            .collect(),
    );
    if cache.len() >= GENERATED_BOOKMARKS_CACHE {
        cache.clear();
    }
    cache.insert(user, Arc::clone(&set));
    set
}

impl<'a> Viewer<'a> {
    /// The view of `user`.
    pub(super) fn new(state: &'a State, user: u64) -> Self {
        let generated = generated_bookmarks(user);
        Viewer {
            state: state.user(user),
            generated,
        }
    }

    /// Whether the viewer has bookmarked `illust_id` (a generated bookmark not deleted, or one
    /// the session added).
    pub(super) fn is_bookmarked(&self, illust_id: u64) -> bool {
        match self.state {
            None => self.generated.contains(&illust_id),
            Some(st) => {
                st.added.iter().any(|a| a.illust_id == illust_id)
                    || (self.generated.contains(&illust_id) && !st.hidden.contains(&illust_id))
            }
        }
    }

    /// Whether the viewer follows `user`.
    pub(super) fn is_followed(&self, user: u64) -> bool {
        self.state.is_some_and(|st| st.follows.contains(&user))
    }

    /// Work `id` as the viewer sees it.
    pub(super) fn illust(&self, id: u64, base_url: &str) -> serde_json::Value {
        data::illust_as_seen(
            id,
            base_url,
            self.is_bookmarked(id),
            self.is_followed(data::author_of(id)),
        )
    }

    /// User `id` as the viewer sees it.
    pub(super) fn user(&self, id: u64, base_url: &str) -> serde_json::Value {
        let mut user = data::user_on(id, base_url);
        if let serde_json::Value::Object(map) = &mut user {
            map.insert("is_followed".to_owned(), self.is_followed(id).into());
        }
        user
    }
}

/// The bookmark list of `user` for one restrict, newest first: the session's additions, then the
/// generated bookmarks it did not delete. With `tag`, only the added bookmarks carrying that
/// bookmark tag (generated bookmarks have none).
pub(super) fn bookmark_list(
    state: &State,
    user: u64,
    private: bool,
    tag: Option<&str>,
) -> Vec<Entry> {
    let st = state.user(user);
    let added = st
        .into_iter()
        .flat_map(|st| st.added.iter().rev())
        .filter(|a| a.private == private)
        .filter(|a| tag.is_none_or(|t| a.tags.iter().any(|have| have == t)))
        .map(|a| Entry {
            illust_id: a.illust_id,
            bookmark_id: a.bookmark_id,
        });
    if tag.is_some() {
        return added.collect();
    }
    let restrict = if private { "private" } else { "public" };
    let generated = data::bookmark_ids(user, restrict)
        .into_iter()
        .enumerate()
        .filter(|(_, id)| st.is_none_or(|st| !st.hidden.contains(id)))
        .map(|(i, illust_id)| Entry {
            illust_id,
            bookmark_id: GENERATED_BOOKMARK_ID_TOP - i as u64,
        });
    added.chain(generated).collect()
}

//! What people paste into `pixiv download`, as a typed [`Source`]: a work id, a pixiv.net page
//! (work, user, bookmarks, following feed, ranking, tag search, manga series) or a file URL.
//!
//! Parsing only, no request: every page is later resolved through the App API (docs/cli.md,
//! "What `pixiv download` accepts"), never by fetching its HTML. The web-to-App-API mappings of
//! ranking modes and search options follow PixivPy's `illust_ranking` / `search_illust`
//! docstrings and gallery-dl's pixiv extractor.

use pixiv::api::{RankingMode, SearchSort, SearchTarget};
use time::Date;

use crate::CliError;

/// Which works of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum WorkKind {
    /// Illustrations and ugoira.
    Illust,
    /// Manga.
    Manga,
}

/// One thing to download, as the user named it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Source {
    /// A work: every original page (`12`, `artworks/12`, `member_illust.php?illust_id=12`).
    Work(u64),
    /// A user's works: `users/UID` (every type), `/illustrations`, `/manga`.
    UserWorks {
        /// The user.
        user: u64,
        /// `None`: every type.
        kind: Option<WorkKind>,
    },
    /// A user's bookmarked works (`users/UID/bookmarks/artworks`, `?rest=hide`: private).
    Bookmarks {
        /// The user.
        user: u64,
        /// Private bookmarks (the logged-in user's own only).
        private: bool,
    },
    /// The newest works of the users the account follows (`bookmark_new_illust.php`).
    Following,
    /// A ranking (`ranking.php?mode=&date=`).
    Ranking {
        /// The App API mode.
        mode: RankingMode,
        /// The day; `None`: the latest.
        date: Option<Date>,
    },
    /// A tag search (`tags/TAG/artworks`, `/illustrations`, `/manga`).
    Search {
        /// The word.
        word: String,
        /// `s_mode`.
        target: SearchTarget,
        /// `order`.
        sort: SearchSort,
        /// `scd`.
        start: Option<Date>,
        /// `ecd`.
        end: Option<Date>,
        /// `/illustrations` or `/manga`; `None` for `/artworks`.
        kind: Option<WorkKind>,
    },
    /// A manga series (`user/UID/series/SID`).
    Series(u64),
    /// A file URL (`i.pximg.net` originals and any other host): downloaded as it is.
    File(String),
    /// A novel (`novel/show.php?id=ID`).
    Novel(u64),
    /// A novel series (`novel/series/ID`).
    NovelSeries(u64),
    /// A user's novels (`users/UID/novels`).
    UserNovels(u64),
}

impl Source {
    /// Whether the collection comes newest first (what `--sync` needs to stop early).
    pub(crate) fn newest_first(&self) -> bool {
        match self {
            Self::UserWorks { .. }
            | Self::Bookmarks { .. }
            | Self::Following
            | Self::Series(_)
            | Self::UserNovels(_) => true,
            Self::Search { sort, .. } => *sort == SearchSort::DateDesc,
            // A novel series lists its novels oldest first.
            Self::Work(_)
            | Self::Ranking { .. }
            | Self::File(_)
            | Self::Novel(_)
            | Self::NovelSeries(_) => false,
        }
    }

    /// A short label for messages (`user 13`, `ranking day`).
    pub(crate) fn label(&self) -> String {
        match self {
            Self::Work(id) => format!("illust {id}"),
            Self::UserWorks { user, .. } => format!("user {user}"),
            Self::Bookmarks { user, .. } => format!("bookmarks of user {user}"),
            Self::Following => "following feed".into(),
            Self::Ranking { mode, .. } => format!("ranking {mode}"),
            Self::Search { word, .. } => format!("search {word:?}"),
            Self::Series(id) => format!("series {id}"),
            Self::File(url) => url.clone(),
            Self::Novel(id) => format!("novel {id}"),
            Self::NovelSeries(id) => format!("novel series {id}"),
            Self::UserNovels(user) => format!("novels of user {user}"),
        }
    }
}

/// The forms an unrecognised pixiv.net URL is told about.
const ACCEPTED: &str = "accepted: ID, pixiv.net/artworks/ID, /member_illust.php?illust_id=ID, \
/users/UID, /users/UID/illustrations, /users/UID/manga, /users/UID/bookmarks/artworks[?rest=hide], \
/bookmark_new_illust.php, /ranking.php?mode=MODE&date=YYYYMMDD, /tags/TAG/artworks|illustrations|manga, \
/user/UID/series/SID, /novel/show.php?id=ID, /novel/series/ID, /users/UID/novels, or an image URL \
(i.pximg.net)";

fn usage(text: &str, why: &str) -> CliError {
    CliError::Usage(format!("{text:?}: {why}"))
}

fn unrecognised(text: &str) -> CliError {
    usage(
        text,
        &format!("not a Pixiv page this command knows ({ACCEPTED})"),
    )
}

fn novels(text: &str) -> CliError {
    usage(
        text,
        "only a novel, a novel series and a user's novels can be downloaded \
         (novel/show.php?id=ID, novel/series/ID, users/UID/novels); not bookmarked novels \
         or novel searches yet",
    )
}

/// A positive id (Pixiv's ids start at 1).
fn id(text: &str, s: &str) -> Result<u64, CliError> {
    match s.parse::<u64>() {
        Ok(n) if n > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(usage(text, &format!("{s:?} is not a Pixiv id"))),
    }
}

/// `YYYY-MM-DD` (also `YYYYMMDD`, as ranking URLs write it).
pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    let dashed = time::macros::format_description!("[year]-[month]-[day]");
    let plain = time::macros::format_description!("[year][month][day]");
    Date::parse(s, &dashed)
        .or_else(|_| Date::parse(s, &plain))
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

/// A web language prefix (`en`, `zh`, `zh-tw`): not a route of its own.
fn is_language(segment: &str) -> bool {
    let (lang, region) = segment.split_once('-').unwrap_or((segment, "ab"));
    lang.len() == 2
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && (2..=4).contains(&region.len())
        && region.bytes().all(|b| b.is_ascii_lowercase())
}

/// Parses one item: a work id, a pixiv.net page, or a file URL.
pub(crate) fn parse(text: &str) -> Result<Source, CliError> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Source::Work(id(text, text)?));
    }
    let url = url::Url::parse(text)
        .map_err(|_| CliError::Usage(format!("{text:?} is neither a work id nor a URL")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(usage(text, "only http(s) URLs can be downloaded"));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !matches!(
        host.as_str(),
        "www.pixiv.net" | "pixiv.net" | "touch.pixiv.net"
    ) {
        // i.pximg.net originals and plain files: fetched as they are.
        return Ok(Source::File(text.to_owned()));
    }
    let mut segments: Vec<String> = Vec::new();
    for raw in url.path_segments().into_iter().flatten() {
        if raw.is_empty() {
            continue;
        }
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| usage(text, "the path is not UTF-8 once decoded"))?;
        segments.push(decoded.into_owned());
    }
    if segments.first().is_some_and(|s| is_language(s)) {
        segments.remove(0);
    }
    let query = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["artworks" | "i", work] => Ok(Source::Work(id(text, work)?)),
        ["member_illust.php"] => match (query("illust_id"), query("id")) {
            (Some(work), _) => Ok(Source::Work(id(text, &work)?)),
            (None, Some(user)) => Ok(Source::UserWorks {
                user: id(text, &user)?,
                kind: None,
            }),
            _ => Err(unrecognised(text)),
        },
        ["member.php"] => match query("id") {
            Some(user) => Ok(Source::UserWorks {
                user: id(text, &user)?,
                kind: None,
            }),
            None => Err(unrecognised(text)),
        },
        ["users", user] | ["users", user, "artworks"] => Ok(Source::UserWorks {
            user: id(text, user)?,
            kind: None,
        }),
        ["users", user, "illustrations", ..] => Ok(Source::UserWorks {
            user: id(text, user)?,
            kind: Some(WorkKind::Illust),
        }),
        ["users", user, "manga", ..] => Ok(Source::UserWorks {
            user: id(text, user)?,
            kind: Some(WorkKind::Manga),
        }),
        ["users", user, "bookmarks"] | ["users", user, "bookmarks", "artworks", ..] => {
            Ok(Source::Bookmarks {
                user: id(text, user)?,
                private: query("rest").as_deref() == Some("hide"),
            })
        }
        ["bookmark.php"] => match query("id") {
            Some(user) => Ok(Source::Bookmarks {
                user: id(text, &user)?,
                private: query("rest").as_deref() == Some("hide"),
            }),
            None => Err(unrecognised(text)),
        },
        ["users", user, "novels", ..] => Ok(Source::UserNovels(id(text, user)?)),
        ["novel", "show.php"] => match query("id") {
            Some(novel) => Ok(Source::Novel(id(text, &novel)?)),
            None => Err(unrecognised(text)),
        },
        ["novel", "series", series] => Ok(Source::NovelSeries(id(text, series)?)),
        ["users", _, "bookmarks", "novels", ..] | ["novel", ..] => Err(novels(text)),
        ["bookmark_new_illust.php"] | ["bookmark_new_illust_r18.php"] => Ok(Source::Following),
        ["ranking.php"] => ranking(text, query("mode"), query("content"), query("date")),
        ["tags", word, rest @ ..] => {
            let kind = match rest {
                [] | ["artworks"] | ["top"] => None,
                ["illustrations"] => Some(WorkKind::Illust),
                ["manga"] => Some(WorkKind::Manga),
                ["novels"] => return Err(novels(text)),
                _ => return Err(unrecognised(text)),
            };
            search(text, word, kind, &query)
        }
        ["search.php"] => match query("word") {
            Some(word) => search(text, &word, None, &query),
            None => Err(unrecognised(text)),
        },
        ["user", _user, "series", series] => Ok(Source::Series(id(text, series)?)),
        _ => Err(unrecognised(text)),
    }
}

/// `ranking.php?mode=&content=&date=`: Pixiv's web modes as the App API names them.
fn ranking(
    text: &str,
    mode: Option<String>,
    content: Option<String>,
    date: Option<String>,
) -> Result<Source, CliError> {
    use RankingMode as M;
    let manga = content.as_deref() == Some("manga");
    let web = mode.unwrap_or_else(|| "daily".into());
    let mode = match (web.as_str(), manga) {
        ("daily", false) => M::Day,
        ("daily", true) => M::DayManga,
        ("weekly", false) => M::Week,
        ("weekly", true) => M::WeekManga,
        ("monthly", false) => M::Month,
        ("monthly", true) => M::MonthManga,
        ("rookie", false) => M::WeekRookie,
        ("rookie", true) => M::WeekRookieManga,
        ("original", _) => M::WeekOriginal,
        ("male", _) => M::DayMale,
        ("female", _) => M::DayFemale,
        ("daily_ai", _) => M::DayAi,
        ("daily_r18", false) => M::DayR18,
        ("daily_r18", true) => M::DayR18Manga,
        ("weekly_r18", false) => M::WeekR18,
        ("weekly_r18", true) => M::WeekR18Manga,
        ("male_r18", _) => M::DayMaleR18,
        ("female_r18", _) => M::DayFemaleR18,
        ("r18g", _) => M::WeekR18g,
        ("daily_r18_ai", _) => M::DayR18Ai,
        // The App API's own names are accepted as they are.
        (other, _) => other.parse().map_err(|_| {
            usage(
                text,
                &format!(
                    "unknown ranking mode {other:?} (daily, weekly, monthly, rookie, original, \
                     male, female, daily_ai, daily_r18, weekly_r18, male_r18, female_r18, r18g, \
                     daily_r18_ai; content=manga for manga)"
                ),
            )
        })?,
    };
    let date = date
        .map(|d| parse_date(&d))
        .transpose()
        .map_err(|e| usage(text, &e))?;
    Ok(Source::Ranking { mode, date })
}

/// `tags/WORD/...?s_mode=&order=&scd=&ecd=`.
fn search(
    text: &str,
    word: &str,
    kind: Option<WorkKind>,
    query: &dyn Fn(&str) -> Option<String>,
) -> Result<Source, CliError> {
    if word.trim().is_empty() {
        return Err(usage(text, "the tag is empty"));
    }
    let target = match query("s_mode").as_deref() {
        None | Some("s_tag") => SearchTarget::PartialMatchForTags,
        Some("s_tag_full") => SearchTarget::ExactMatchForTags,
        Some("s_tc") => SearchTarget::TitleAndCaption,
        Some(other) => {
            return Err(usage(
                text,
                &format!("unknown s_mode {other:?} (s_tag, s_tag_full, s_tc)"),
            ));
        }
    };
    let sort = match query("order").as_deref() {
        None | Some("date_d") => SearchSort::DateDesc,
        Some("date") => SearchSort::DateAsc,
        Some("popular_d" | "popular_male_d" | "popular_female_d") => SearchSort::PopularDesc,
        Some(other) => {
            return Err(usage(
                text,
                &format!("unknown order {other:?} (date_d, date, popular_d)"),
            ));
        }
    };
    let date = |key: &str| {
        query(key)
            .map(|d| parse_date(&d))
            .transpose()
            .map_err(|e| usage(text, &e))
    };
    Ok(Source::Search {
        word: word.to_owned(),
        target,
        sort,
        start: date("scd")?,
        end: date("ecd")?,
        kind,
    })
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;

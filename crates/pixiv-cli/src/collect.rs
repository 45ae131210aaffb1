//! From [`Source`]s to the works to download: each source resolved through the typed App API
//! (every page followed with `Page::into_stream`), repeats dropped, the selection flags applied
//! and the archive asked, all before any image request (docs/cli.md, "Selection" and "The
//! archive").

use std::collections::HashSet;
use std::path::PathBuf;

use clap::Args;
use futures_util::stream::{self, BoxStream, StreamExt as _, TryStreamExt as _};
use pixiv::api::{Restrict, UserIllustType};
use pixiv::{Client, Illust, IllustType, PixivError};
use time::Date;

use crate::archive::Archive;
use crate::source::{Source, WorkKind, parse_date};

/// The selection and archive options of `pixiv download`.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Selection (applied before any image request)")]
pub(crate) struct CollectArgs {
    /// At most N works from each URL or id given.
    #[arg(long, value_name = "N")]
    pub(crate) limit: Option<usize>,
    /// Only works posted on or after this day (YYYY-MM-DD, the work's own time zone).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub(crate) since: Option<Date>,
    /// Only works posted on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub(crate) until: Option<Date>,
    /// Only works of this type.
    #[arg(long = "type", value_name = "TYPE", value_parser = ["illust", "manga", "ugoira"])]
    pub(crate) kind: Option<String>,
    /// Only works with at least N bookmarks.
    #[arg(long, value_name = "N")]
    pub(crate) min_bookmarks: Option<u64>,
    /// Leave out AI-generated works (`illust_ai_type` 2).
    #[arg(long, conflicts_with = "ai_only")]
    pub(crate) no_ai: bool,
    /// Only AI-generated works.
    #[arg(long)]
    pub(crate) ai_only: bool,
    /// Leave out R-18 and R-18G works (`x_restrict` > 0).
    #[arg(long, conflicts_with = "r18_only")]
    pub(crate) no_r18: bool,
    /// Only R-18 and R-18G works.
    #[arg(long)]
    pub(crate) r18_only: bool,
    /// Only works carrying this tag (repeatable: all must match; case-insensitive, on the tag or
    /// its translation).
    #[arg(long = "tag", value_name = "TAG")]
    pub(crate) tags: Vec<String>,
    /// The download archive (SQLite) [default: archive.sqlite3 in the config folder].
    #[arg(long, value_name = "PATH", conflicts_with = "no_archive")]
    pub(crate) archive: Option<PathBuf>,
    /// Neither read nor write an archive.
    #[arg(long)]
    pub(crate) no_archive: bool,
    /// Download works even when the archive has them (and record them again).
    #[arg(long)]
    pub(crate) force: bool,
    /// Stop a newest-first collection (a user's works, bookmarks, the following feed, a series,
    /// a newest-first search) at the first run of N archived works in a row [default N: 20].
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "20",
          require_equals = true)]
    pub(crate) sync: Option<usize>,
}

impl CollectArgs {
    /// Whether `illust` passes every selection flag.
    pub(crate) fn selects(&self, illust: &Illust) -> bool {
        if let Some(kind) = &self.kind {
            if illust.kind.as_str() != kind {
                return false;
            }
        }
        if self
            .min_bookmarks
            .is_some_and(|n| illust.total_bookmarks < n)
        {
            return false;
        }
        let ai = illust.illust_ai_type == 2;
        if (self.no_ai && ai) || (self.ai_only && !ai) {
            return false;
        }
        let r18 = illust.x_restrict > 0;
        if (self.no_r18 && r18) || (self.r18_only && !r18) {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(posted) = illust.created_at().map(time::OffsetDateTime::date) else {
                return false;
            };
            if self.since.is_some_and(|d| posted < d) || self.until.is_some_and(|d| posted > d) {
                return false;
            }
        }
        self.tags.iter().all(|want| {
            let want = want.to_lowercase();
            illust.tags.iter().any(|t| {
                t.name.to_lowercase() == want
                    || t.translated_name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase() == want)
            })
        })
    }
}

/// Every work of `source`, newest first where the list is, pages fetched as the stream is read.
pub(crate) fn resolve(
    client: &Client,
    source: &Source,
) -> BoxStream<'static, Result<Illust, PixivError>> {
    let client = client.clone();
    let source = source.clone();
    stream::once(async move {
        let page = match &source {
            Source::Work(id) => {
                let illust = client.illust_detail(*id).await?;
                return Ok(stream::once(async move { Ok(illust) }).boxed());
            }
            Source::UserWorks { user, kind } => {
                let request = client.user_illusts(*user);
                match kind {
                    None => request.any_kind().await?,
                    Some(WorkKind::Illust) => request.kind(UserIllustType::Illust).await?,
                    Some(WorkKind::Manga) => request.kind(UserIllustType::Manga).await?,
                }
            }
            Source::Bookmarks { user, private } => {
                let mut request = client.user_bookmarks_illust(*user);
                if *private {
                    // Pixiv shows private bookmarks to their owner only.
                    let me = client.login().await?;
                    if me.id != *user {
                        return Err(PixivError::invalid_input(
                            "bookmarks",
                            format!(
                                "the private bookmarks of user {user} are theirs only \
                                 (logged in as user {})",
                                me.id
                            ),
                        ));
                    }
                    request = request.restrict(Restrict::Private);
                }
                request.await?
            }
            Source::Following => client.illust_follow().await?,
            Source::Ranking { mode, date } => {
                let request = client.illust_ranking(*mode);
                match date {
                    Some(d) => request.date(*d).await?,
                    None => request.await?,
                }
            }
            Source::Search {
                word,
                target,
                sort,
                start,
                end,
                kind,
            } => {
                let mut request = client
                    .search_illust(word.clone())
                    .target(*target)
                    .sort(*sort);
                if let Some(d) = start {
                    request = request.start_date(*d);
                }
                if let Some(d) = end {
                    request = request.end_date(*d);
                }
                let kind = *kind;
                let works = request.await?.into_stream();
                // The App API's search has no type: /illustrations and /manga filter here.
                return Ok(works
                    .try_filter(move |i| std::future::ready(kind_fits(kind, &i.kind)))
                    .boxed());
            }
            Source::Series(id) => client.illust_series(*id).await?.illusts,
            Source::File(url) => {
                return Err(PixivError::invalid_input(
                    "work",
                    format!("{url} is a file"),
                ));
            }
            // Novels are walked by novel.rs.
            Source::Novel(_) | Source::NovelSeries(_) | Source::UserNovels(_) => {
                return Err(PixivError::invalid_input(
                    "work",
                    format!("{} is not a work source", source.label()),
                ));
            }
        };
        Ok(page.into_stream())
    })
    .try_flatten()
    .boxed()
}

fn kind_fits(kind: Option<WorkKind>, got: &IllustType) -> bool {
    match kind {
        None => true,
        Some(WorkKind::Manga) => *got == IllustType::Manga,
        Some(WorkKind::Illust) => *got != IllustType::Manga,
    }
}

/// A work the archive already has every page of.
#[derive(Debug, Clone)]
pub(crate) struct Archived {
    /// The work.
    pub(crate) id: u64,
    /// Its author.
    pub(crate) user: u64,
    /// Its pages.
    pub(crate) pages: usize,
}

/// What the sources came to.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    /// Works to download, in the order met.
    pub(crate) works: Vec<Illust>,
    /// Works skipped because the archive has them.
    pub(crate) archived: Vec<Archived>,
    /// Sources (or works) that could not be looked up.
    pub(crate) failures: Vec<(String, PixivError)>,
}

/// Walks every source in turn: repeats (by work id, across sources) are dropped, the selection
/// is applied, `--limit` ends a source, the archive turns its works into [`Archived`] and
/// `--sync` ends a newest-first source at a run of archived works.
pub(crate) async fn gather(
    client: &Client,
    sources: &[Source],
    args: &CollectArgs,
    archive: Option<&Archive>,
) -> Gathered {
    let mut out = Gathered::default();
    let mut seen = HashSet::new();
    for source in sources {
        if args.limit == Some(0) {
            break;
        }
        let mut works = resolve(client, source);
        let mut taken = 0usize;
        let mut archived_run = 0usize;
        let sync = args.sync.filter(|n| *n > 0 && source.newest_first());
        while let Some(next) = works.next().await {
            let illust = match next {
                Ok(illust) => illust,
                Err(e) => {
                    out.failures.push((source.label(), e));
                    break;
                }
            };
            if !seen.insert(illust.id) || !args.selects(&illust) {
                continue;
            }
            taken += 1;
            let pages = illust.original_urls().len().max(1);
            let have = match archive {
                Some(a) if !args.force => match a.pages_saved(illust.id) {
                    Ok(n) => n,
                    Err(e) => {
                        out.failures.push((format!("illust {}", illust.id), e));
                        0
                    }
                },
                _ => 0,
            };
            if pixiv::download::checked_originals(&illust).is_err() {
                // A work the account may not see is never archived: it fails every run, and
                // neither extends nor breaks a `--sync` run.
                out.works.push(illust);
            } else if have >= pages {
                archived_run += 1;
                out.archived.push(Archived {
                    id: illust.id,
                    user: illust.user.id,
                    pages,
                });
            } else {
                archived_run = 0;
                out.works.push(illust);
            }
            if args.limit.is_some_and(|n| taken >= n) || sync.is_some_and(|n| archived_run >= n) {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "collect_tests.rs"]
mod tests;

//! The closed sets of values the App API's queries take.

use std::fmt;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in Pixiv's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The value as sent on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = pixiv_errors::PixivError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| pixiv_errors::PixivError::invalid_input(
                        stringify!($name),
                        format!("{s:?} is not one of Pixiv's values"),
                    ))
            }
        }
    };
}

/// The macro, for the enums of other endpoint files (`novel_params.rs`).
pub(crate) use wire_enum;

wire_enum! {
    /// `mode` of `/v1/illust/ranking` (PixivPy's list).
    RankingMode {
        /// Daily.
        Day => "day",
        /// Weekly.
        Week => "week",
        /// Monthly.
        Month => "month",
        /// Daily, popular with men.
        DayMale => "day_male",
        /// Daily, popular with women.
        DayFemale => "day_female",
        /// Weekly originals.
        WeekOriginal => "week_original",
        /// Weekly rookies.
        WeekRookie => "week_rookie",
        /// Daily manga.
        DayManga => "day_manga",
        /// Weekly manga.
        WeekManga => "week_manga",
        /// Monthly manga.
        MonthManga => "month_manga",
        /// Weekly rookie manga.
        WeekRookieManga => "week_rookie_manga",
        /// Daily AI-generated.
        DayAi => "day_ai",
        /// Daily R-18.
        DayR18 => "day_r18",
        /// Daily R-18, popular with men.
        DayMaleR18 => "day_male_r18",
        /// Daily R-18, popular with women.
        DayFemaleR18 => "day_female_r18",
        /// Weekly R-18.
        WeekR18 => "week_r18",
        /// Weekly R-18G.
        WeekR18g => "week_r18g",
        /// Daily R-18 manga.
        DayR18Manga => "day_r18_manga",
        /// Weekly R-18 manga.
        WeekR18Manga => "week_r18_manga",
        /// Daily R-18 AI-generated.
        DayR18Ai => "day_r18_ai",
    }
}

wire_enum! {
    /// `search_target` of `/v1/search/illust`.
    SearchTarget {
        /// A tag contains the word (Pixiv's default).
        PartialMatchForTags => "partial_match_for_tags",
        /// A tag is the word.
        ExactMatchForTags => "exact_match_for_tags",
        /// The title or caption contains the word.
        TitleAndCaption => "title_and_caption",
    }
}

wire_enum! {
    /// `sort` of `/v1/search/illust`.
    SearchSort {
        /// Newest first (the default).
        DateDesc => "date_desc",
        /// Oldest first.
        DateAsc => "date_asc",
        /// Most bookmarked first (Premium on the real service).
        PopularDesc => "popular_desc",
    }
}

wire_enum! {
    /// `duration` of `/v1/search/illust`.
    SearchDuration {
        /// Posted in the last day.
        WithinLastDay => "within_last_day",
        /// Posted in the last week.
        WithinLastWeek => "within_last_week",
        /// Posted in the last month.
        WithinLastMonth => "within_last_month",
    }
}

wire_enum! {
    /// `restrict` of bookmarks and follows.
    Restrict {
        /// Visible to others.
        Public => "public",
        /// Only for the account.
        Private => "private",
    }
}

wire_enum! {
    /// `type` of `/v1/user/illusts`.
    UserIllustType {
        /// Illustrations (and ugoira).
        Illust => "illust",
        /// Manga.
        Manga => "manga",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        assert_eq!(RankingMode::ALL.len(), 20);
        for m in RankingMode::ALL {
            assert_eq!(m.as_str().parse::<RankingMode>().unwrap(), *m);
        }
        assert_eq!(
            SearchTarget::ExactMatchForTags.to_string(),
            "exact_match_for_tags"
        );
        assert!("hourly".parse::<RankingMode>().is_err());
    }
}

//! The closed sets of values the novel endpoints take.

use std::fmt;

use super::params::wire_enum;

wire_enum! {
    /// `search_target` of `/v1/search/novel` (PixivPy's list).
    NovelSearchTarget {
        /// A tag contains the word (Pixiv's default).
        PartialMatchForTags => "partial_match_for_tags",
        /// A tag is the word.
        ExactMatchForTags => "exact_match_for_tags",
        /// The text contains the word.
        Text => "text",
        /// The title, caption or tags contain the word.
        Keyword => "keyword",
    }
}

wire_enum! {
    /// `restrict` of the follow feeds (`/v1/novel/follow`): PixivPy's `public`, `private`, `all`.
    FollowRestrict {
        /// Users followed publicly.
        Public => "public",
        /// Users followed privately.
        Private => "private",
        /// Both.
        All => "all",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names() {
        assert_eq!(NovelSearchTarget::Text.as_str(), "text");
        assert_eq!(
            "all".parse::<FollowRestrict>().ok(),
            Some(FollowRestrict::All)
        );
        assert!("hidden".parse::<FollowRestrict>().is_err());
    }
}

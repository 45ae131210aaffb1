//! The closed sets of values the novel endpoints take, and the request builders' shared future.

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

/// Implements `IntoFuture` for a request builder whose `query(&self)` gives the path and the
/// query pairs of a list call: awaiting it is one `GET` read into a [`Page`](crate::Page) of
/// `$item` under the JSON key `$key`.
macro_rules! page_request {
    ($ty:ident, $item:ty, $key:literal) => {
        impl<'a> ::std::future::IntoFuture for $ty<'a> {
            type Output = Result<$crate::Page<$item>, ::pixiv_errors::PixivError>;
            type IntoFuture =
                ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Self::Output> + Send + 'a>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(async move {
                    let (path, query) = self.query();
                    let answer = self.client.api_get(path, &query).await?;
                    $crate::Page::from_answer(self.client, $key, answer)
                })
            }
        }
    };
}

pub(crate) use page_request;

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

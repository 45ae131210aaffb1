//! [`Page`]: one page of a list, and the `Stream` that follows `next_url` to the end.
//!
//! Pixiv's lists answer 30 items and a `next_url` (absolute, or `null` after the last page)
//! whose query holds the next call's parameters. Following it here means: parse its query with
//! the `url` crate (a repeated `seed_illust_ids[]` stays repeated, in order), and send it to
//! the next_url's *path on the configured App API base* — never to whatever host the URL names,
//! so the Bearer stays where it belongs and a local server works. Each page is an ordinary App
//! API call: the rate limiter, retries and token refresh apply to it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = pixiv_mock::MockPixiv::builder().start().await?;
//! # let client = pixiv::Client::builder().refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
//! #     .base_url(&mock.base_url()).add_root_certificate_pem(mock.ca_pem()).build()?;
//! use futures_util::{StreamExt as _, TryStreamExt as _};
//!
//! let page = client.user_illusts(13).await?;
//! assert_eq!(page.items.len(), 30);
//! assert!(page.next_url.is_some());
//!
//! // Every work of every page, fetched as the stream is read; stop whenever you like.
//! let first_40: Vec<_> = page.into_stream().take(40).try_collect().await?;
//! assert_eq!(first_40.len(), 40);
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;

use futures_util::stream::{self, BoxStream, StreamExt as _};
use http::Method;
use pixiv_errors::PixivError;
use serde::de::DeserializeOwned;

use crate::Client;

/// One page of a list: its items and the `next_url` Pixiv gave (`None` after the last page).
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The next page's URL, as Pixiv sent it.
    pub next_url: Option<String>,
    /// The JSON key holding the items (`illusts`).
    key: &'static str,
    client: Client,
}

impl<T: fmt::Debug> fmt::Debug for Page<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("items", &self.items)
            .field("next_url", &self.next_url)
            .finish_non_exhaustive()
    }
}

impl<T> Page<T>
where
    T: DeserializeOwned + Send + 'static,
{
    /// Reads a page from a list answer: `key` holds the items (`"illusts"`), `next_url` the
    /// link.
    pub(crate) fn from_answer(
        client: &Client,
        key: &'static str,
        mut answer: serde_json::Value,
    ) -> Result<Self, PixivError> {
        let next_url = match answer.get_mut("next_url").map(serde_json::Value::take) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
            _ => None,
        };
        let items = match answer.get_mut(key).map(serde_json::Value::take) {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(v) => serde_json::from_value(v).map_err(PixivError::from)?,
        };
        Ok(Self {
            items,
            next_url,
            key,
            client: client.clone(),
        })
    }

    /// Fetches the page `next_url` names (`None` when there is none).
    pub async fn next_page(&self) -> Result<Option<Page<T>>, PixivError> {
        match &self.next_url {
            None => Ok(None),
            Some(next) => fetch_next(&self.client, self.key, next).await.map(Some),
        }
    }

    /// Every item of this page and of the pages after it, fetched one page at a time as the
    /// stream is read. An error ends the stream after it is yielded. Dropping the stream stops.
    pub fn into_stream(self) -> BoxStream<'static, Result<T, PixivError>> {
        let client = self.client.clone();
        paginate(client, self)
    }
}

/// Requests the page `next_url` names, on the configured App API base.
async fn fetch_next<T>(
    client: &Client,
    key: &'static str,
    next: &str,
) -> Result<Page<T>, PixivError>
where
    T: DeserializeOwned + Send + 'static,
{
    let url =
        url::Url::parse(next).map_err(|e| PixivError::invalid_input("next_url", e.to_string()))?;
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let uri = client.api_uri(url.path(), &query)?;
    let answer: serde_json::Value = client.api_call(Method::GET, uri, None).await?;
    Page::from_answer(client, key, answer)
}

struct State<T> {
    client: Client,
    key: &'static str,
    buffer: VecDeque<T>,
    next_url: Option<String>,
}

/// The stream behind [`Page::into_stream`] and [`Client::paginate`].
pub(crate) fn paginate<T>(
    client: Client,
    page: Page<T>,
) -> BoxStream<'static, Result<T, PixivError>>
where
    T: DeserializeOwned + Send + 'static,
{
    let state = State {
        client,
        key: page.key,
        buffer: page.items.into(),
        next_url: page.next_url,
    };
    stream::try_unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Ok(Some((item, state)));
            }
            let Some(next) = state.next_url.take() else {
                return Ok(None);
            };
            let page: Page<T> = fetch_next(&state.client, state.key, &next).await?;
            state.buffer = page.items.into();
            state.next_url = page.next_url;
        }
    })
    .boxed()
}

impl Client {
    /// Every item of `page` and of the pages after it, as a stream (requests made with this
    /// client). The same as [`Page::into_stream`].
    pub fn paginate<T>(&self, page: Page<T>) -> BoxStream<'static, Result<T, PixivError>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        paginate(self.clone(), page)
    }
}

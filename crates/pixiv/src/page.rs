//! [`Page`]: one page of a list, and the `Stream` that follows `next_url` to the end.
//!
//! Pixiv's lists answer 30 items and a `next_url` (absolute, or `null` after the last page)
//! whose query holds the next call's parameters. Following it here means: parse its query with
//! the `url` crate (a repeated `seed_illust_ids[]` stays repeated, in order; an indexed
//! `viewed[0]`...`viewed[29]` keeps its keys as given), and send it to the next_url's *path on
//! the configured App API base* — never to whatever host the URL names, so the Bearer stays
//! where it belongs and a local server works. Each page is an ordinary App API call: the rate
//! limiter, retries and token refresh apply to it.
//!
//! A list always ends (`docs/facade.md`, "Paging bounds"). Three guards stop a server whose
//! `next_url`s never run out, each with a [`PixivError::Decode`] yielded after every item
//! already received, and no request after it:
//!
//! - a `next_url` that names a request this stream already made (itself, or a cycle of pages:
//!   "next_url of page 3 repeats page 2");
//! - [`DEFAULT_MAX_EMPTY_PAGES`] (3) pages in a row without an item that still carry a
//!   `next_url` ([`Page::max_empty_pages`]);
//! - more than [`DEFAULT_MAX_PAGES`] (10,000) pages ([`Page::max_pages`],
//!   [`ClientBuilder::max_pages`](crate::ClientBuilder::max_pages)).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = pixiv_mock::MockPixiv::builder().start().await?;
//! # let client = pixiv::Client::builder().refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
//! #     .base_url(&mock.base_url()).transport(|t| t.add_root_certificate_pem(mock.ca_pem())).build()?;
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

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{Hash as _, Hasher as _};
use std::sync::Arc;

use futures_util::stream::{self, BoxStream, StreamExt as _};
use http::{Method, Uri};
use pixiv_errors::PixivError;
use serde::de::DeserializeOwned;
use serde::ser::{Serialize, SerializeMap as _, Serializer};

use crate::Client;

/// How many pages a stream follows at most, the first included, unless told otherwise: 10,000
/// (300,000 items at Pixiv's 30 a page, more than the longest list an account has; a runaway
/// server costs at most that many requests).
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// How many pages in a row may come without an item yet with a `next_url` before the stream
/// stops with an error: 3.
pub const DEFAULT_MAX_EMPTY_PAGES: usize = 3;

/// The bounds a stream keeps (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub(crate) max_pages: usize,
    pub(crate) max_empty: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_pages: DEFAULT_MAX_PAGES,
            max_empty: DEFAULT_MAX_EMPTY_PAGES,
        }
    }
}

/// Where a page stands in its list: its number (the first is 1), the empty pages in a row
/// ending with it, and the request it came from (`None` for a first page).
#[derive(Debug, Clone, Copy)]
struct Trail {
    number: usize,
    empty_run: usize,
    request: Option<u64>,
}

/// One page of a list: its items and the `next_url` Pixiv gave (`None` after the last page).
///
/// **Paging always ends**: the stream of [`Page::into_stream`] stops with [`PixivError::Decode`],
/// after every item already received and without another request, at a `next_url` naming a
/// request it already made (itself, or a cycle of pages: "the next_url of page 3 repeats the
/// request of page 2 (a cycle)"), after [`max_empty_pages`](Page::max_empty_pages) pages in a
/// row without an item that still carry a `next_url` (default [`DEFAULT_MAX_EMPTY_PAGES`], 3),
/// and past [`max_pages`](Page::max_pages) pages (default [`DEFAULT_MAX_PAGES`], 10,000). See
/// `docs/facade.md`, "Paging bounds".
///
/// Serialized as Pixiv sends it: `{"<key>": [items], "next_url": "..." | null}` (`key` is
/// `illusts`, `users`, ... or the one given to [`Page::from_value`]), so a saved page reads back
/// with `from_value`.
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The next page's URL, as Pixiv sent it.
    pub next_url: Option<String>,
    /// The JSON key holding the items (`illusts`).
    key: Arc<str>,
    client: Client,
    bounds: Bounds,
    trail: Trail,
    /// Whether the first page went with the Bearer: every later page goes the same way (a list
    /// asked for `without_auth` never sends the token).
    auth: bool,
}

impl<T: fmt::Debug> fmt::Debug for Page<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("items", &self.items)
            .field("next_url", &self.next_url)
            .finish_non_exhaustive()
    }
}

impl<T: Serialize> Serialize for Page<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(&*self.key, &self.items)?;
        map.serialize_entry("next_url", &self.next_url)?;
        map.end()
    }
}

impl<T> Page<T>
where
    T: DeserializeOwned + Send + 'static,
{
    /// Reads a page from a list answer: `key` holds the items (`"illusts"`), `next_url` the
    /// link. A missing or `null` list is an empty page.
    pub(crate) fn from_answer(
        client: &Client,
        key: &'static str,
        answer: serde_json::Value,
    ) -> Result<Self, PixivError> {
        Self::read(client, Arc::from(key), answer, false)
    }

    /// A page of any list answer, for lists this crate does not model: `key` names the list's
    /// field (`"comments"`, `"novels"`, ...), each item is decoded as `T` (a model of yours, or
    /// `serde_json::Value`), and `next_url` is read as the typed calls read it. The page streams
    /// and pages on like any other ([`Page::into_stream`]), with the client's bounds.
    ///
    /// Errors: [`PixivError::Decode`] when the answer has no `key` field (a `null` one is an empty
    /// page) or an item does not decode as `T`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = pixiv_mock::MockPixiv::builder().start().await?;
    /// # let client = pixiv::Client::builder().refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
    /// #     .base_url(&mock.base_url()).transport(|t| t.add_root_certificate_pem(mock.ca_pem())).build()?;
    /// use futures_util::TryStreamExt as _;
    /// use pixiv::Page;
    ///
    /// // A raw call, then the list under "illusts" paged as plain JSON values.
    /// let answer: serde_json::Value =
    ///     client.get("/v1/user/illusts", &[("user_id", "13"), ("type", "illust")]).await?;
    /// let page: Page<serde_json::Value> = Page::from_value(&client, "illusts", answer)?;
    /// assert_eq!(page.items.len(), 30);
    /// let ids: Vec<u64> = page
    ///     .into_stream()
    ///     .map_ok(|work| work["id"].as_u64().unwrap_or_default())
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(ids, pixiv_mock::data::user_illust_ids(13, Some("illust")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_value(
        client: &Client,
        key: &str,
        value: serde_json::Value,
    ) -> Result<Self, PixivError> {
        Self::read(client, Arc::from(key), value, true)
    }

    fn read(
        client: &Client,
        key: Arc<str>,
        mut answer: serde_json::Value,
        strict: bool,
    ) -> Result<Self, PixivError> {
        let next_url = match answer.get_mut("next_url").map(serde_json::Value::take) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
            _ => None,
        };
        let items = match answer.get_mut(&*key).map(serde_json::Value::take) {
            None if strict => {
                return Err(PixivError::decode(
                    format!("the list answer has no {key:?} field"),
                    &[],
                ));
            }
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(v) => serde_json::from_value(v).map_err(PixivError::from)?,
        };
        let empty_run = usize::from(items.is_empty());
        Ok(Self {
            items,
            next_url,
            key,
            client: client.clone(),
            bounds: client.inner.paging,
            trail: Trail {
                number: 1,
                empty_run,
                request: None,
            },
            auth: true,
        })
    }

    /// This first page as one fetched with the Bearer or without (`without_auth`): its later
    /// pages go the same way.
    pub(crate) fn with_auth(mut self, auth: bool) -> Self {
        self.auth = auth;
        self
    }

    /// Follows at most `n` pages, this one included (at least 1); a list with more ends in an
    /// error ("more than `n` pages") after the items of page `n`. Default: the client's
    /// ([`ClientBuilder::max_pages`](crate::ClientBuilder::max_pages)), itself
    /// [`DEFAULT_MAX_PAGES`] unless set.
    #[must_use]
    pub fn max_pages(mut self, n: usize) -> Self {
        self.bounds.max_pages = n.max(1);
        self
    }

    /// Stops with an error after `n` pages in a row (at least 1) that have no item yet carry a
    /// `next_url`. Default: the client's, itself [`DEFAULT_MAX_EMPTY_PAGES`] (3) unless set.
    #[must_use]
    pub fn max_empty_pages(mut self, n: usize) -> Self {
        self.bounds.max_empty = n.max(1);
        self
    }

    /// Fetches the page `next_url` names (`None` when there is none).
    ///
    /// The bounds apply (an error instead of a request): a `next_url` naming the very request
    /// this page came from, this page being the last [`max_pages`](Self::max_pages) allows, or
    /// the last of [`max_empty_pages`](Self::max_empty_pages) empty pages in a row. A longer
    /// cycle of pages is caught by [`into_stream`](Self::into_stream), which remembers every
    /// request it made, and by `max_pages` here.
    pub async fn next_page(&self) -> Result<Option<Page<T>>, PixivError> {
        let Some(next) = &self.next_url else {
            return Ok(None);
        };
        let (uri, request) = next_request(&self.client, next)?;
        check_bounds(self.bounds, self.trail)?;
        if self.trail.request == Some(request) {
            return Err(repeats(self.trail.number, self.trail.number));
        }
        let page = fetch(&self.client, &self.key, uri, self.auth).await?;
        Ok(Some(page.after(self, request)))
    }

    /// Every item of this page and of the pages after it, fetched one page at a time as the
    /// stream is read. An error ends the stream after it is yielded. Dropping the stream stops.
    /// The paging bounds apply (see [`Page`]).
    pub fn into_stream(self) -> BoxStream<'static, Result<T, PixivError>> {
        let client = self.client.clone();
        paginate(client, self)
    }

    /// This page as the one after `prev`, fetched with `request`.
    fn after(mut self, prev: &Page<T>, request: u64) -> Self {
        self.bounds = prev.bounds;
        self.auth = prev.auth;
        self.trail = Trail {
            number: prev.trail.number.saturating_add(1),
            empty_run: if self.items.is_empty() {
                prev.trail.empty_run.saturating_add(1)
            } else {
                0
            },
            request: Some(request),
        };
        self
    }
}

/// The URI `next` is sent to, and a fingerprint of that request (its path and its query pairs
/// in sorted order, hashed) to recognise it again.
fn next_request(client: &Client, next: &str) -> Result<(Uri, u64), PixivError> {
    let url =
        url::Url::parse(next).map_err(|e| PixivError::invalid_input("next_url", e.to_string()))?;
    let mut query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let uri = client.api_uri(url.path(), &query)?;
    query.sort();
    let mut hasher = DefaultHasher::new();
    url.path().hash(&mut hasher);
    query.hash(&mut hasher);
    Ok((uri, hasher.finish()))
}

/// The error, if any, that stops paging after the page `trail` describes.
fn check_bounds(bounds: Bounds, trail: Trail) -> Result<(), PixivError> {
    if trail.number >= bounds.max_pages {
        return Err(PixivError::decode(
            format!(
                "the list has more than {} pages (max_pages); stopped before page {}",
                bounds.max_pages,
                trail.number.saturating_add(1)
            ),
            &[],
        ));
    }
    if trail.empty_run >= bounds.max_empty {
        return Err(PixivError::decode(
            format!(
                "{} empty pages in a row still carry a next_url (max_empty_pages); stopped after page {}",
                trail.empty_run, trail.number
            ),
            &[],
        ));
    }
    Ok(())
}

fn repeats(page: usize, earlier: usize) -> PixivError {
    PixivError::decode(
        format!("the next_url of page {page} repeats the request of page {earlier} (a cycle)"),
        &[],
    )
}

/// Requests one page on the configured App API base, with the Bearer when `auth`.
async fn fetch<T>(
    client: &Client,
    key: &Arc<str>,
    uri: Uri,
    auth: bool,
) -> Result<Page<T>, PixivError>
where
    T: DeserializeOwned + Send + 'static,
{
    let req = client.api_request(Method::GET, uri, None)?;
    let answer: serde_json::Value = if auth {
        client.inner.api.json(req).await?
    } else {
        client.inner.plain.json(req).await?
    };
    Page::read(client, Arc::clone(key), answer, false)
}

struct State<T> {
    page: Page<T>,
    buffer: VecDeque<T>,
    /// Every request made so far (fingerprint -> page number); at most `max_pages` entries.
    seen: HashMap<u64, usize>,
}

/// The stream behind [`Page::into_stream`] and [`Client::paginate`].
pub(crate) fn paginate<T>(
    client: Client,
    mut page: Page<T>,
) -> BoxStream<'static, Result<T, PixivError>>
where
    T: DeserializeOwned + Send + 'static,
{
    page.client = client;
    let mut seen = HashMap::new();
    if let Some(request) = page.trail.request {
        seen.insert(request, page.trail.number);
    }
    let state = State {
        buffer: std::mem::take(&mut page.items).into(),
        page,
        seen,
    };
    stream::try_unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Ok(Some((item, state)));
            }
            let Some(next) = state.page.next_url.take() else {
                return Ok(None);
            };
            let (uri, request) = next_request(&state.page.client, &next)?;
            check_bounds(state.page.bounds, state.page.trail)?;
            let number = state.page.trail.number.saturating_add(1);
            match state.seen.entry(request) {
                Entry::Occupied(earlier) => {
                    return Err(repeats(state.page.trail.number, *earlier.get()));
                }
                Entry::Vacant(slot) => {
                    slot.insert(number);
                }
            }
            let mut page: Page<T> =
                fetch(&state.page.client, &state.page.key, uri, state.page.auth).await?;
            page = page.after(&state.page, request);
            state.buffer = std::mem::take(&mut page.items).into();
            state.page = page;
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

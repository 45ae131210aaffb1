//! `pixiv api GET ... --paginate`: every page of a list, one compact JSON line each, following
//! `next_url` as Pixiv sends it (PixivPy's `parse_qs(next_url)` idiom).

use std::io::Write as _;

use pixiv::{Client, DEFAULT_MAX_PAGES, PixivError};
use serde_json::Value;

/// Prints `first` and every page after it. Only the path and query of a `next_url` are used:
/// they are asked of the configured API base, whatever host the URL names. Stops at a page
/// without `next_url`, at a `next_url` seen before, or after [`DEFAULT_MAX_PAGES`] pages.
pub(crate) async fn print_pages(client: &Client, first: Value) -> Result<(), PixivError> {
    let mut page = first;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..DEFAULT_MAX_PAGES {
        let next = page
            .get("next_url")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut out = std::io::stdout().lock();
        writeln!(out, "{page}").map_err(PixivError::from)?;
        out.flush().map_err(PixivError::from)?;
        drop(out);
        let Some(next) = next.filter(|n| seen.insert(n.clone())) else {
            return Ok(());
        };
        let url = url::Url::parse(&next)
            .map_err(|e| PixivError::invalid_input("next_url", format!("{next}: {e}")))?;
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let query: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        page = client.get(url.path(), &query).await?;
    }
    Ok(())
}

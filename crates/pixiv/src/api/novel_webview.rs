//! `webview_novel`: a novel's text, from the viewer page `/webview/v2/novel`.
//!
//! Pixiv answers that call with an HTML page, not JSON. Its script defines
//! `Object.defineProperty(window, 'pixiv', {value: {novel: {..}, isOwnWork: .., ..}})`, and the
//! `novel` object is the JSON PixivPy (`novel:\s({.+}),\s+isOwnWork`) and gallery-dl (between
//! `novel: ` and `,\n`) cut out of the page. Here the page is searched for that script and the
//! object is read with serde_json from its first `{` to its matching `}` (a string holding `},`
//! or a newline cannot cut it short). A page of another shape is a [`PixivError::Decode`] that
//! says which part is missing.

use pixiv_errors::PixivError;

use super::request::{Call, request};
use crate::Client;
use crate::models::WebviewNovel;

/// The viewer version PixivPy and gallery-dl send.
pub const WEBVIEW_VIEWER_VERSION: &str = "20221031_ai";

/// What the page's script is expected to hold, for the error messages.
const SHAPE: &str = "Object.defineProperty(window, 'pixiv', {value: {novel: {..}}})";

impl Client {
    /// `GET /webview/v2/novel?id=&viewer_version=20221031_ai`: the novel's text and metadata,
    /// read from the JSON the viewer page embeds (see [`parse_webview_novel`]).
    pub fn webview_novel(&self, novel_id: u64) -> WebviewNovelRequest<'_> {
        WebviewNovelRequest::new(webview_call(self, novel_id))
    }

    /// The viewer page itself, as HTML (PixivPy's `webview_novel(raw=True)`), read up to 16 MiB.
    pub fn webview_novel_html(&self, novel_id: u64) -> WebviewNovelHtmlRequest<'_> {
        WebviewNovelHtmlRequest::new(webview_call(self, novel_id))
    }
}

fn webview_call(client: &Client, novel_id: u64) -> Call<'_> {
    Call::get(client, "/webview/v2/novel")
        .with("id", novel_id)
        .with("viewer_version", WEBVIEW_VIEWER_VERSION)
}

request! {
    /// `/webview/v2/novel`, built by [`Client::webview_novel`]; await it for the
    /// [`WebviewNovel`].
    WebviewNovelRequest -> WebviewNovel, |call| parse_webview_novel(&call.text().await?)
}

request! {
    /// `/webview/v2/novel`, built by [`Client::webview_novel_html`]; await it for the page.
    WebviewNovelHtmlRequest -> String, |call| call.text().await
}

/// Reads the novel out of a `/webview/v2/novel` page: the `novel` object of the
/// `Object.defineProperty(window, 'pixiv', {value: {..}})` script, parsed with serde_json.
///
/// ```
/// let page = "<script>Object.defineProperty(window, 'pixiv', {\n value: {\n  novel: \
///     {\"id\":\"7\",\"userId\":\"1\",\"title\":\"t\",\"text\":\"a[newpage]b\",\"illusts\":[],\"images\":[]},\n  \
///     isOwnWork: false,\n }\n});</script>";
/// let novel = pixiv::api::parse_webview_novel(page)?;
/// assert_eq!(novel.id, 7);
/// assert_eq!(novel.pages(), ["a", "b"]);
///
/// // A key that only ends in `novel` is not the novel.
/// let decoy = page.replace("value: {\n  novel:", "value: {\n  seriesnovel: 1, novel:");
/// assert_eq!(pixiv::api::parse_webview_novel(&decoy)?.id, 7);
/// # Ok::<(), pixiv::PixivError>(())
/// ```
pub fn parse_webview_novel(html: &str) -> Result<WebviewNovel, PixivError> {
    let shape_error = |what: &str| {
        PixivError::decode(
            format!("webview_novel: the page's shape changed: {what} (expected {SHAPE})"),
            html.as_bytes(),
        )
    };
    let script = [
        "Object.defineProperty(window, 'pixiv'",
        "Object.defineProperty(window, \"pixiv\"",
    ]
    .iter()
    .find_map(|marker| html.find(marker).map(|at| at + marker.len()))
    .ok_or_else(|| shape_error("no `Object.defineProperty(window, 'pixiv', ..)` script"))?;
    let rest = &html[script..];
    // The `novel` key itself, not the end of a longer name (`isNovel:`, `my_novel:`).
    let key = rest
        .match_indices("novel:")
        .map(|(at, _)| at)
        .find(|&at| {
            !rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        })
        .ok_or_else(|| shape_error("window.pixiv has no `novel:` key"))?;
    let value = rest[key + "novel:".len()..].trim_start();
    if !value.starts_with('{') {
        return Err(shape_error("`novel:` is not followed by a JSON object"));
    }
    let mut stream = serde_json::Deserializer::from_str(value).into_iter::<serde_json::Value>();
    let json = match stream.next() {
        Some(Ok(json)) => json,
        Some(Err(e)) => {
            return Err(shape_error(&format!(
                "the `novel` object is not JSON ({})",
                PixivError::from(e)
            )));
        }
        None => return Err(shape_error("the `novel` object is empty")),
    };
    serde_json::from_value(json).map_err(|e| {
        shape_error(&format!(
            "the `novel` object lacks a field webview_novel needs, or one has another type ({})",
            PixivError::from(e)
        ))
    })
}

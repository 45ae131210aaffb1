//! Pages of 30 and Pixiv's `next_url`.
//!
//! `next_url` is absolute, on the mock's own origin, and carries the request's own query with the
//! paging keys replaced, so a client that follows it (or PixivPy's `parse_qs`) asks exactly for the
//! next page. `null` after the last page.

use serde_json::Value;

use super::ApiRequest;

/// Items per page, as Pixiv's lists.
pub(super) const PAGE_SIZE: usize = 30;

/// The page of `items` starting at `offset`, and the offset of the next page when there is one.
pub(super) fn page<T>(items: &[T], offset: usize) -> (&[T], Option<usize>) {
    let start = offset.min(items.len());
    let end = start.saturating_add(PAGE_SIZE).min(items.len());
    (&items[start..end], (end < items.len()).then_some(end))
}

/// `{base}{path}?{query}`: the request's query pairs in their order, minus every key named in
/// `replace`, then `replace`'s pairs (a key may repeat: `seed_illust_ids[]`), percent-encoded as
/// a form (`[` as `%5B`, a space as `+`).
pub(super) fn next_url(req: &ApiRequest<'_>, replace: &[(&str, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in req.query {
        if !replace.iter().any(|(r, _)| r == k) {
            query.append_pair(k, v);
        }
    }
    for (k, v) in replace {
        query.append_pair(k, v);
    }
    format!("{}{}?{}", req.base_url, req.path, query.finish())
}

/// [`next_url`] with a new `offset`, or JSON `null` when there is no next page.
pub(super) fn next_offset_url(req: &ApiRequest<'_>, next: Option<usize>) -> Value {
    match next {
        Some(offset) => next_url(req, &[("offset", offset.to_string())]).into(),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_30_and_the_last_one_has_no_next() {
        let items: Vec<u32> = (0..75).collect();
        assert_eq!(page(&items, 0), (&items[0..30], Some(30)));
        assert_eq!(page(&items, 60), (&items[60..75], None));
        assert_eq!(page(&items, 500), (&items[75..75], None));
        let exact: Vec<u32> = (0..60).collect();
        assert_eq!(page(&exact, 30).1, None);
    }

    #[test]
    fn next_url_keeps_the_query_and_encodes_it() {
        let query = vec![
            ("word".to_owned(), "風景 sky&sea".to_owned()),
            ("offset".to_owned(), "30".to_owned()),
            ("sort".to_owned(), "date_desc".to_owned()),
        ];
        let method = http::Method::GET;
        let req = ApiRequest {
            method: &method,
            path: "/v1/search/illust",
            query: &query,
            form: &[],
            user_id: 1,
            base_url: "https://127.0.0.1:9",
            accept_language: None,
        };
        let url = next_url(&req, &[("offset", "60".to_owned())]);
        assert!(
            url.starts_with("https://127.0.0.1:9/v1/search/illust?"),
            "{url}"
        );
        assert!(!url.contains(' ') && !url.contains("風"), "{url}");
        let parsed = url::Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            vec![
                ("word".to_owned(), "風景 sky&sea".to_owned()),
                ("sort".to_owned(), "date_desc".to_owned()),
                ("offset".to_owned(), "60".to_owned()),
            ]
        );
    }
}

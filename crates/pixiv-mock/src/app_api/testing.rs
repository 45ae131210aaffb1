//! Helpers for the App API's unit tests: calls built as the server core builds them.

use http::Method;
use serde_json::Value;

use super::{ApiRequest, ApiResponse, AppApi};
use crate::DEMO_USER_ID;

/// The origin the tests pretend the mock has.
pub(super) const BASE: &str = "https://127.0.0.1:4443";

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `GET path?query` as the demo user.
pub(super) fn get(api: &AppApi, path: &str, query: &[(&str, &str)]) -> ApiResponse {
    get_pairs(api, path, &pairs(query))
}

/// `GET path?query` with owned pairs (as parsed back from a `next_url`).
pub(super) fn get_pairs(api: &AppApi, path: &str, query: &[(String, String)]) -> ApiResponse {
    api.handle(&ApiRequest {
        method: &Method::GET,
        path,
        query,
        form: &[],
        user_id: DEMO_USER_ID,
        base_url: BASE,
        accept_language: None,
    })
}

/// `POST path` with a form body as the demo user.
pub(super) fn post(api: &AppApi, path: &str, form: &[(&str, &str)]) -> ApiResponse {
    api.handle(&ApiRequest {
        method: &Method::POST,
        path,
        query: &[],
        form: &pairs(form),
        user_id: DEMO_USER_ID,
        base_url: BASE,
        accept_language: None,
    })
}

/// Follows `next_url`s from a first answer: returns every page's body, and the query of every
/// `next_url` (parsed back with `url`, as a client would).
pub(super) fn follow_pages(
    api: &AppApi,
    path: &str,
    first: &[(&str, &str)],
) -> (Vec<Value>, Vec<Vec<(String, String)>>) {
    let mut pages = Vec::new();
    let mut queries = Vec::new();
    let mut r = get(api, path, first);
    loop {
        assert_eq!(r.status, 200, "{}", r.body);
        let next = r.body["next_url"].clone();
        pages.push(r.body);
        let Some(next) = next.as_str() else {
            assert!(next.is_null(), "next_url is a string or null: {next}");
            break;
        };
        assert!(pages.len() < 50, "pagination never ends");
        let url = url::Url::parse(next).unwrap();
        assert_eq!(url.origin().ascii_serialization(), BASE);
        assert_eq!(url.path(), path);
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        r = get_pairs(api, path, &query);
        queries.push(query);
    }
    (pages, queries)
}

/// The ids of a list page.
pub(super) fn ids(page: &Value) -> Vec<u64> {
    page["illusts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect()
}

/// Pixiv's error body: `{"error": {user_message, message, reason: strings, user_message_details: {}}}`.
pub(super) fn assert_error_shape(body: &Value) {
    let e = &body["error"];
    for key in ["user_message", "message", "reason"] {
        assert!(e[key].is_string(), "error.{key} is a string: {body}");
    }
    assert!(e["user_message_details"].is_object(), "{body}");
}

/// Every field PixivPy's `IllustrationInfo` model (and ours) reads, with its JSON type.
pub(super) fn assert_illust_shape(i: &Value) {
    let num = [
        "id",
        "restrict",
        "page_count",
        "width",
        "height",
        "sanity_level",
        "x_restrict",
    ];
    for key in num.iter().chain(&[
        "total_view",
        "total_bookmarks",
        "illust_ai_type",
        "illust_book_style",
        "total_comments",
        "comment_access_control",
    ]) {
        assert!(i[key].is_u64(), "{key} is a number: {i}");
    }
    for key in ["title", "type", "caption", "create_date"] {
        assert!(i[key].is_string(), "{key} is a string: {i}");
    }
    for key in ["is_bookmarked", "visible", "is_muted"] {
        assert!(i[key].is_boolean(), "{key} is a bool: {i}");
    }
    assert!(i["series"].is_null());
    assert!(["illust", "manga", "ugoira"].contains(&i["type"].as_str().unwrap()));
    for key in ["square_medium", "medium", "large"] {
        assert!(
            i["image_urls"][key].as_str().unwrap().starts_with(BASE),
            "{i}"
        );
    }
    let u = &i["user"];
    assert!(
        u["id"].is_u64() && u["name"].is_string() && u["account"].is_string(),
        "{u}"
    );
    assert!(
        u["profile_image_urls"]["medium"].is_string() && u["is_followed"].is_boolean(),
        "{u}"
    );
    for t in i["tags"].as_array().unwrap() {
        assert!(t["name"].is_string(), "{t}");
        assert!(
            t["translated_name"].is_string() || t["translated_name"].is_null(),
            "{t}"
        );
    }
    assert!(i["tools"].as_array().unwrap().iter().all(Value::is_string));
    assert!(i["meta_single_page"].is_object());
    assert!(i["meta_pages"].is_array());
    assert_eq!(i["restriction_attributes"], serde_json::json!([]));
    let date = i["create_date"].as_str().unwrap();
    assert_eq!(date.len(), 25, "{date}");
    assert!(
        date.ends_with("+09:00") && date.as_bytes()[10] == b'T',
        "{date}"
    );
}

//! The two answers that are not App API JSON: `/webview/v2/novel` (an HTML page with the novel
//! embedded in a script) and the web host's `/ajax/showcase/article` (Pixiv's ajax envelope,
//! `{"error": false, "message": "", "body": [..]}`, no login needed).

use http::StatusCode;
use serde_json::json;

use super::{ApiRequest, ApiResponse, error, params};
use crate::data_novel;

/// The path of the novel viewer page.
pub(crate) const WEBVIEW_PATH: &str = "/webview/v2/novel";

/// `GET /webview/v2/novel?id=&viewer_version=` → [`data_novel::webview_html`] (the server core
/// sends it as `text/html`); a missing novel is Pixiv's JSON error, as the App API's. `None` for
/// any other path, which [`AppApi::handle`](super::AppApi::handle) answers.
pub(crate) fn webview(req: &ApiRequest<'_>) -> Option<Result<String, ApiResponse>> {
    if req.path != WEBVIEW_PATH {
        return None;
    }
    if req.method != http::Method::GET {
        return Some(Err(error::method_not_allowed()));
    }
    Some(
        super::novel::existing_novel(req.query, "id")
            .map(|id| data_novel::webview_html(id, req.base_url)),
    )
}

/// The web host (`www.pixiv.net`): `GET /ajax/showcase/article?article_id=` →
/// `{"error": false, "message": "", "body": [article]}`; an unknown article or path is Pixiv's
/// ajax error, `{"error": true, "message": .., "body": []}` with 404.
pub(crate) fn web(req: &ApiRequest<'_>) -> ApiResponse {
    let ajax_error = |status: StatusCode, message: &str| ApiResponse {
        status,
        body: json!({"error": true, "message": message, "body": []}),
    };
    if req.path != "/ajax/showcase/article" {
        return ajax_error(StatusCode::NOT_FOUND, "Not Found");
    }
    if req.method != http::Method::GET {
        return ajax_error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    match params::id(req.query, "article_id") {
        Ok(id) if id <= data_novel::MAX_ARTICLE_ID => ApiResponse {
            status: StatusCode::OK,
            body: json!({
                "error": false,
                "message": "",
                "body": [data_novel::showcase_article(id, req.base_url)],
            }),
        },
        Ok(_) => ajax_error(StatusCode::NOT_FOUND, "記事が見つかりません"),
        Err(_) => ajax_error(StatusCode::BAD_REQUEST, "Invalid article_id"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, query: &[(&str, &str)]) -> Option<Result<String, ApiResponse>> {
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        webview(&ApiRequest {
            method: &http::Method::GET,
            path,
            query: &query,
            form: &[],
            user_id: crate::DEMO_USER_ID,
            base_url: "https://127.0.0.1:4443",
            accept_language: None,
        })
    }

    #[test]
    fn the_webview_page_embeds_the_novel_as_pixivpy_reads_it() {
        let html = get(
            WEBVIEW_PATH,
            &[("id", "101"), ("viewer_version", "20221031_ai")],
        )
        .unwrap()
        .unwrap();
        // gallery-dl: the JSON between "novel: " and ",\n".
        let start = html.find("novel: ").unwrap() + "novel: ".len();
        let end = start + html[start..].find(",\n").unwrap();
        let novel: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(novel["id"], "101");
        assert_eq!(novel["seriesId"], "1");
        assert!(
            html[end..]
                .trim_start_matches(",\n")
                .trim_start()
                .starts_with("isOwnWork")
        );
        let missing = get(WEBVIEW_PATH, &[("id", "0")]).unwrap().unwrap_err();
        assert_eq!(missing.status, 400);
        assert!(get("/v2/novel/detail", &[("novel_id", "1")]).is_none());
    }
}

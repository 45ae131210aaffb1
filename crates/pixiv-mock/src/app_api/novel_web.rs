//! The two answers that are not App API JSON: `/webview/v2/novel` (an HTML page with the novel
//! embedded in a script) and the web host's `/ajax/showcase/article` (Pixiv's ajax envelope,
//! `{"error": false, "message": "", "body": [..]}`, no login needed).

use http::StatusCode;
use serde_json::json;

use super::{ApiRequest, ApiResponse, error, params};
use crate::data_novel;

/// The path of the novel viewer page.
pub(super) const WEBVIEW_PATH: &str = "/webview/v2/novel";

/// `GET /webview/v2/novel?id=&viewer_version=` → [`data_novel::webview_html`], `text/html`.
/// A missing novel is Pixiv's JSON 404, as the App API's.
pub(super) fn webview(req: &ApiRequest<'_>) -> ApiResponse {
    if req.method != http::Method::GET {
        return error::method_not_allowed();
    }
    let id = match super::novel::existing_novel(req.query, "id") {
        Ok(id) => id,
        Err(e) => return e,
    };
    ApiResponse {
        status: StatusCode::OK,
        body: serde_json::Value::Null,
        html: Some(data_novel::webview_html(id, req.base_url)),
    }
}

/// The web host (`www.pixiv.net`): `GET /ajax/showcase/article?article_id=` →
/// `{"error": false, "message": "", "body": [article]}`; an unknown article or path is Pixiv's
/// ajax error, `{"error": true, "message": .., "body": []}` with 404.
pub(crate) fn web(req: &ApiRequest<'_>) -> ApiResponse {
    let ajax_error = |status: StatusCode, message: &str| ApiResponse {
        status,
        body: json!({"error": true, "message": message, "body": []}),
        html: None,
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
            html: None,
        },
        Ok(_) => ajax_error(StatusCode::NOT_FOUND, "記事が見つかりません"),
        Err(_) => ajax_error(StatusCode::BAD_REQUEST, "Invalid article_id"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::AppApi;
    use super::super::testing::*;

    #[test]
    fn the_webview_page_embeds_the_novel_as_pixivpy_reads_it() {
        let api = AppApi::new();
        let r = get(
            &api,
            "/webview/v2/novel",
            &[("id", "101"), ("viewer_version", "20221031_ai")],
        );
        assert_eq!(r.status, 200);
        let html = r.html.unwrap();
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
        let r = get(&api, "/webview/v2/novel", &[("id", "0")]);
        assert_eq!(r.status, 400);
        assert!(r.html.is_none());
    }
}

//! `showcase_article`: a pixivision article, from the web host's ajax (`www.pixiv.net/ajax/`).

use http::header::REFERER;
use http::{HeaderValue, Method, Request};
use pixiv_errors::PixivError;
use pixiv_transport::RequestBody;
use serde::Deserialize;

use crate::Client;
use crate::client::on_base;
use crate::models::ShowcaseArticle;

/// The web host's envelope: `{"error": false, "message": "", "body": [..]}`.
#[derive(Deserialize)]
struct AjaxAnswer {
    #[serde(default)]
    error: bool,
    #[serde(default)]
    message: String,
    #[serde(default)]
    body: Vec<ShowcaseArticle>,
}

impl Client {
    /// `GET {web_base}/ajax/showcase/article?article_id=`: a pixivision article. It goes to the
    /// web host ([`ClientBuilder::web_base`](crate::ClientBuilder::web_base), default
    /// `https://www.pixiv.net`) with the Bearer-less transport and the `Referer` PixivPy sends;
    /// no login is needed.
    pub async fn showcase_article(&self, article_id: u64) -> Result<ShowcaseArticle, PixivError> {
        let path = url::Url::parse("https://www.pixiv.net/ajax/showcase/article")
            .map_err(|e| PixivError::invalid_input("web URL", e.to_string()))?;
        let mut url = on_base(&self.inner.web_base, &path);
        url.query_pairs_mut()
            .append_pair("article_id", &article_id.to_string());
        let referer = HeaderValue::from_str(self.inner.web_base.as_str())
            .map_err(|e| PixivError::invalid_input("web base", e.to_string()))?;
        let req = Request::builder()
            .method(Method::GET)
            .uri(url.as_str())
            .header(REFERER, referer)
            .body(RequestBody::default())
            .map_err(|e| PixivError::invalid_input("request", e.to_string()))?;
        let answer: AjaxAnswer = self.inner.plain.json(req).await?;
        if answer.error {
            return Err(PixivError::decode(
                format!(
                    "showcase_article: the web host answered an error: {}",
                    answer.message
                ),
                &[],
            ));
        }
        answer.body.into_iter().next().ok_or_else(|| {
            PixivError::decode("showcase_article: the answer's body holds no article", &[])
        })
    }
}

//! Raw calls for what this crate does not model.

use bytes::Bytes;
use http::Method;
use pixiv_errors::PixivError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Client;

impl Client {
    /// `GET` an App API path (`/v1/illust/comments`) with `query`, decoding the JSON answer into
    /// any `T` (`serde_json::Value` for "whatever it is"). An absolute URL keeps only its path:
    /// the request goes to the configured App API base, with the Bearer.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = pixiv_mock::MockPixiv::builder().start().await?;
    /// # let client = pixiv::Client::builder().refresh_token(pixiv_mock::DEMO_REFRESH_TOKEN)
    /// #     .base_url(&mock.base_url()).transport(|t| t.add_root_certificate_pem(mock.ca_pem())).build()?;
    /// let detail: serde_json::Value = client.get("/v1/illust/detail", &[("illust_id", "12")]).await?;
    /// assert_eq!(detail["illust"]["id"], 12);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, PixivError> {
        let uri = self.api_uri(path, query)?;
        self.api_call(Method::GET, uri, None).await
    }

    /// `GET` an App API path with `query` and return the answer as text, for answers that are
    /// not JSON (the HTML of `/webview/v2/novel`) or JSON to be kept as it came. Up to 16 MiB;
    /// an error answer is still a typed [`PixivError`].
    pub async fn get_text(&self, path: &str, query: &[(&str, &str)]) -> Result<String, PixivError> {
        let uri = self.api_uri(path, query)?;
        let req = self.api_request(Method::GET, uri, None)?;
        let resp = self.api_send(req, true).await?;
        super::request::read_text(resp.into_body()).await
    }

    /// `DELETE` an App API path with `query`.
    pub async fn delete<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, PixivError> {
        let uri = self.api_uri(path, query)?;
        self.api_call(Method::DELETE, uri, None).await
    }

    /// `POST` an App API path with a form body (`application/x-www-form-urlencoded`).
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<T, PixivError> {
        let uri = self.api_uri::<&str, &str>(path, &[])?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.api_call(
            Method::POST,
            uri,
            Some(("application/x-www-form-urlencoded", Bytes::from(body))),
        )
        .await
    }

    /// `POST` an App API path with a JSON body.
    pub async fn post_json<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, PixivError> {
        let uri = self.api_uri::<&str, &str>(path, &[])?;
        let json = serde_json::to_vec(body)
            .map_err(|e| PixivError::invalid_input("JSON body", e.to_string()))?;
        self.api_call(
            Method::POST,
            uri,
            Some(("application/json", Bytes::from(json))),
        )
        .await
    }
}

//! What every endpoint's request builder is made of: a [`Call`] (path, query or form, auth) and
//! the [`request!`](crate::api::request) macro that wraps one in a public builder awaited
//! directly (`IntoFuture`), as `client.illust_ranking(RankingMode::Week).date(d).await`.

use bytes::Bytes;
use http::Method;
use http_body_util::{BodyExt as _, Limited};
use pixiv_errors::PixivError;
use serde::de::DeserializeOwned;

use crate::{Client, Page};

/// The largest text answer [`Call::text`] reads: 16 MiB, as the transport's JSON cap.
pub(crate) const MAX_TEXT_BODY: usize = 16 * 1024 * 1024;

/// One App API call being built.
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub(crate) client: &'a Client,
    method: Method,
    path: &'static str,
    /// The path used instead when the call goes without auth (`/v1/illust/recommended-nologin`).
    anonymous_path: Option<&'static str>,
    /// Query pairs (GET) or form pairs (POST), in order; keys may repeat (`tags[]`).
    params: Vec<(&'static str, String)>,
    auth: bool,
}

impl<'a> Call<'a> {
    /// `GET path`.
    pub(crate) fn get(client: &'a Client, path: &'static str) -> Self {
        Self {
            client,
            method: Method::GET,
            path,
            anonymous_path: None,
            params: Vec::new(),
            auth: true,
        }
    }

    /// `POST path` with a form body.
    pub(crate) fn post(client: &'a Client, path: &'static str) -> Self {
        Self {
            method: Method::POST,
            ..Self::get(client, path)
        }
    }

    /// The path used when the call is made without auth.
    pub(crate) fn anonymous_path(mut self, path: &'static str) -> Self {
        self.anonymous_path = Some(path);
        self
    }

    /// Sets `key` to `value`: in place when it is there (PixivPy's order stays), else at the end.
    pub(crate) fn set(&mut self, key: &'static str, value: impl ToString) {
        let value = value.to_string();
        match self.params.iter_mut().find(|(k, _)| *k == key) {
            Some(pair) => pair.1 = value,
            None => self.params.push((key, value)),
        }
    }

    /// [`set`](Self::set), by value.
    pub(crate) fn with(mut self, key: &'static str, value: impl ToString) -> Self {
        self.set(key, value);
        self
    }

    /// Adds one more `key` (repeated keys: `viewed[]`).
    pub(crate) fn push(&mut self, key: &'static str, value: impl ToString) {
        self.params.push((key, value.to_string()));
    }

    /// Removes `key`.
    pub(crate) fn unset(&mut self, key: &'static str) {
        self.params.retain(|(k, _)| *k != key);
    }

    /// Sends the call without the Bearer (PixivPy's `req_auth=False`).
    pub(crate) fn without_auth(&mut self) {
        self.auth = false;
    }

    /// Whether the call goes with the Bearer: a first page read from its answer pages the same
    /// way ([`Page::with_auth`]).
    pub(crate) fn auth(&self) -> bool {
        self.auth
    }

    fn request(&self) -> Result<http::Request<pixiv_transport::RequestBody>, PixivError> {
        let path = match (self.auth, self.anonymous_path) {
            (false, Some(anonymous)) => anonymous,
            _ => self.path,
        };
        if self.method == Method::GET {
            let uri = self.client.api_uri(path, &self.params)?;
            self.client.api_request(Method::GET, uri, None)
        } else {
            let uri = self.client.api_uri::<&str, &str>(path, &[])?;
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(self.params.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            self.client.api_request(
                self.method.clone(),
                uri,
                Some(("application/x-www-form-urlencoded", Bytes::from(body))),
            )
        }
    }

    /// Sends the call and decodes its JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(self) -> Result<T, PixivError> {
        let req = self.request()?;
        if self.auth {
            self.client.inner.api.json(req).await
        } else {
            self.client.inner.plain.json(req).await
        }
    }

    /// Sends the call and returns its answer as text (up to [`MAX_TEXT_BODY`]).
    #[allow(dead_code)] // for HTML answers (`/webview/v2/novel`)
    pub(crate) async fn text(self) -> Result<String, PixivError> {
        let req = self.request()?;
        let resp = self.client.api_send(req, self.auth).await?;
        read_text(resp.into_body()).await
    }

    /// Sends the call and reads the list under `key` as the first [`Page`].
    pub(crate) async fn page<T: DeserializeOwned + Send + 'static>(
        self,
        key: &'static str,
    ) -> Result<Page<T>, PixivError> {
        let client = self.client;
        let auth = self.auth;
        let answer = self.json().await?;
        Ok(Page::from_answer(client, key, answer)?.with_auth(auth))
    }

    /// Sends an action and ignores its (empty) JSON answer.
    pub(crate) async fn action(self) -> Result<(), PixivError> {
        let _: serde::de::IgnoredAny = self.json().await?;
        Ok(())
    }
}

/// A body as UTF-8 text, refused past [`MAX_TEXT_BODY`].
pub(crate) async fn read_text(body: pixiv_transport::Body) -> Result<String, PixivError> {
    let collected = Limited::new(body, MAX_TEXT_BODY)
        .collect()
        .await
        .map_err(|e| match e.downcast::<PixivError>() {
            Ok(e) => *e,
            Err(_) => PixivError::body_too_large(MAX_TEXT_BODY as u64),
        })?;
    let bytes = collected.to_bytes();
    String::from_utf8(bytes.to_vec())
        .map_err(|_| PixivError::decode("the answer is not UTF-8 text", &bytes))
}

/// A public request builder around a [`Call`], awaited directly. `|call| body` turns the call into
/// the output. Every builder gets `without_auth` (PixivPy's `req_auth=False`).
macro_rules! request {
    ($(#[$meta:meta])* $name:ident -> $out:ty, |$call:ident| $body:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until awaited"]
        pub struct $name<'a> {
            call: $crate::api::request::Call<'a>,
        }

        impl<'a> $name<'a> {
            pub(crate) fn new(call: $crate::api::request::Call<'a>) -> Self {
                Self { call }
            }

            /// Sends the call without the Bearer, PixivPy's `req_auth=False`: for what Pixiv
            /// serves to anyone. Pixiv answers the rest with an authentication error.
            pub fn without_auth(mut self) -> Self {
                self.call.without_auth();
                self
            }
        }

        impl<'a> std::future::IntoFuture for $name<'a> {
            type Output = Result<$out, pixiv_errors::PixivError>;
            type IntoFuture =
                std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;

            fn into_future(self) -> Self::IntoFuture {
                let $call = self.call;
                Box::pin(async move { $body })
            }
        }
    };
}

/// `offset` setter of a builder made by [`request!`].
macro_rules! offset_setter {
    () => {
        /// `offset`: start after this many items (what `next_url` carries).
        pub fn offset(mut self, offset: u32) -> Self {
            self.call.set("offset", offset);
            self
        }
    };
}

/// `restrict` setter of a builder made by [`request!`].
macro_rules! restrict_setter {
    () => {
        /// `restrict`: public (the default) or private (the account's own only).
        pub fn restrict(mut self, restrict: $crate::api::Restrict) -> Self {
            self.call.set("restrict", restrict.as_str());
            self
        }
    };
}

pub(crate) use {offset_setter, request, restrict_setter};

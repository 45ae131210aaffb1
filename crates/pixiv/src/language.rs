//! `Accept-Language` of App API calls, PixivPy's `set_accept_language`: Pixiv answers tags'
//! `translated_name` in that language. Set at build time with
//! [`ClientBuilder::accept_language`](crate::ClientBuilder::accept_language), changed at run time
//! here; `docs/facade.md` ("Client-level options").

use std::sync::PoisonError;

use http::HeaderValue;
use pixiv_errors::PixivError;

use crate::Client;

impl Client {
    /// Sets the `Accept-Language` of every later App API call, as PixivPy's
    /// `set_accept_language` (Pixiv then fills tags' `translated_name` in that language: `en-us`,
    /// `zh-cn`, `ja`...). Takes effect for every clone of this client. A value that is not a
    /// valid header value is [`PixivError::InvalidInput`] and changes nothing.
    pub fn set_accept_language(&self, language: &str) -> Result<(), PixivError> {
        let value = header(language)?;
        *self
            .inner
            .accept_language
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(value);
        Ok(())
    }

    /// The `Accept-Language` set with [`set_accept_language`](Self::set_accept_language) or
    /// [`ClientBuilder::accept_language`](crate::ClientBuilder::accept_language), if any.
    pub fn accept_language(&self) -> Option<String> {
        self.inner
            .accept_language
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// `language` as a header value; empty or invalid is [`PixivError::InvalidInput`].
pub(crate) fn header(language: &str) -> Result<HeaderValue, PixivError> {
    HeaderValue::from_str(language.trim())
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            PixivError::invalid_input(
                "Accept-Language",
                format!("{language:?} is not a header value"),
            )
        })
}

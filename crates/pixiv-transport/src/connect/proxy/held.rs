//! [`ProxyUrl`]: a configured proxy URL, its password held as a [`Secret`].

use pixiv_errors::Secret;

/// A proxy URL as configured (empty: not set). One with a password in its userinfo is held as a
/// [`Secret`], and so is the password, as written and percent-decoded: made before anything can
/// fail, so every error that quotes it from then on is scrubbed by value.
#[derive(Clone)]
pub(super) enum ProxyUrl {
    Plain(String),
    WithPassword { url: Secret, _password: [Secret; 2] },
}

impl Default for ProxyUrl {
    fn default() -> Self {
        Self::Plain(String::new())
    }
}

impl ProxyUrl {
    pub(super) fn new(text: &str) -> Self {
        let after_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
        let password = after_scheme
            .rsplit_once('@')
            .and_then(|(userinfo, _)| userinfo.split_once(':'))
            .map(|(_, password)| password)
            .filter(|p| !p.is_empty());
        match password {
            Some(password) => {
                let decoded = percent_encoding::percent_decode_str(password).decode_utf8_lossy();
                Self::WithPassword {
                    _password: [Secret::new(password), Secret::new(decoded.into_owned())],
                    url: Secret::new(text),
                }
            }
            None => Self::Plain(text.to_owned()),
        }
    }

    /// The URL with its credentials, for the matcher only (never shown).
    pub(super) fn expose(&self) -> &str {
        match self {
            Self::Plain(text) => text,
            Self::WithPassword { url, .. } => url.expose(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pixiv_errors::PixivError;

    #[test]
    fn a_proxy_password_is_scrubbed_from_errors_as_written_and_decoded() {
        let url = ProxyUrl::new("http://user:s3cr%40t-proxy-pw@127.0.0.1:3128");
        assert_eq!(url.expose(), "http://user:s3cr%40t-proxy-pw@127.0.0.1:3128");
        let err = PixivError::proxy("s3cr@t-proxy-pw refused (s3cr%40t-proxy-pw)");
        assert_eq!(
            err.to_string(),
            "proxy failed: <redacted> refused (<redacted>)"
        );
        // No password: plain text, nothing remembered.
        let url = ProxyUrl::new("http://user@127.0.0.1:3128");
        assert!(matches!(url, ProxyUrl::Plain(_)));
        let err = PixivError::proxy("via http://user@127.0.0.1:3128");
        assert_eq!(
            err.to_string(),
            "proxy failed: via http://user@127.0.0.1:3128"
        );
    }
}

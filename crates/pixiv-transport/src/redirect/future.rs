use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::header::LOCATION;
use http::{Response, StatusCode};
use pin_project_lite::pin_project;
use pixiv_errors::{PixivError, RedirectErrorKind};

use crate::Body;

pin_project! {
    /// Response future of [`Redirect`](super::Redirect).
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        pub(crate) inner: F,
        // The request carried `NoFollow`: a 3xx is the caller's to judge.
        pub(crate) no_follow: bool,
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<Body>, PixivError>>,
{
    type Output = Result<Response<Body>, PixivError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let resp = ready!(this.inner.poll(cx))?;
        if *this.no_follow {
            return Poll::Ready(Ok(resp));
        }
        Poll::Ready(match unfollowed(&resp) {
            Some(err) => Err(err),
            None => Ok(resp),
        })
    }
}

/// tower-http hands back a redirect it cannot follow: a `Location` that `http::Uri` cannot hold
/// (`file:///etc/passwd` has an empty authority) or that is missing. Our policy never stops a
/// chain any other way, so such an answer is refused here instead of reaching the caller.
fn unfollowed(resp: &Response<Body>) -> Option<PixivError> {
    let status = resp.status();
    if !matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    let Some(location) = resp.headers().get(LOCATION) else {
        return Some(PixivError::http(
            status,
            "redirect without a Location header",
        ));
    };
    let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
    let scheme = location.split_once(':').map(|(s, _)| s).filter(|s| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    });
    Some(match scheme {
        Some(s) if !s.eq_ignore_ascii_case("http") && !s.eq_ignore_ascii_case("https") => {
            PixivError::redirect(
                RedirectErrorKind::RefusedScheme {
                    scheme: s.to_ascii_lowercase(),
                },
                Some(&location),
            )
        }
        _ => PixivError::http(status, "redirect to a Location that cannot be followed"),
    })
}

//! Redaction by value: the secrets this process knows it holds (access and refresh tokens, the
//! OAuth client secret and hash secret, a PKCE code and verifier, a proxy password) are replaced
//! by [`REDACTED`] wherever they appear, whatever surrounds them: quoted in prose by a server
//! (`token XYZ is dead`), in another library's error, in a `Location`.
//!
//! The set is process-wide, so an error built anywhere (a body classified by the transport, a
//! message formatted by an application) is scrubbed without being handed the client: the
//! secret types register their value when made (`AccessToken::new`, `RefreshToken::new`), and
//! every [`Secret`](crate::Secret) (the OAuth form's values, the PKCE verifier, a proxy
//! password) registers itself. It is bounded: at most [`MAX_KNOWN_SECRETS`]
//! values, the oldest forgotten first (a rotated refresh token stays known for many rotations);
//! values shorter than [`MIN_SECRET_LEN`] bytes are ignored, since scrubbing them would eat
//! ordinary words.
//!
//! ```
//! use pixiv_errors::redact::{remember_secret, scrub_known_secrets};
//!
//! remember_secret("r-0123456789abcdef");
//! assert_eq!(
//!     scrub_known_secrets("Invalid refresh token r-0123456789abcdef (code 1508)"),
//!     "Invalid refresh token <redacted> (code 1508)",
//! );
//! ```

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{PoisonError, RwLock};

use aho_corasick::AhoCorasick;

use super::REDACTED;

/// Values shorter than this (in bytes) are not remembered: real secrets are far longer (Pixiv's
/// tokens are 43 characters), and scrubbing a short one would hide ordinary text.
pub const MIN_SECRET_LEN: usize = 8;

/// At most this many values are remembered; the oldest is forgotten first.
pub const MAX_KNOWN_SECRETS: usize = 64;

/// Each remembered value, and its percent-encoded form when that differs (as a form or a query
/// would carry it).
static KNOWN: RwLock<Known> = RwLock::new(Known {
    values: VecDeque::new(),
    matcher: None,
});

/// The remembered values and one automaton finding all of them in one pass (aho-corasick,
/// rebuilt when the set changes, which is rare: a token is made, a form is sent).
struct Known {
    values: VecDeque<Box<str>>,
    matcher: Option<AhoCorasick>,
}

/// Remembers `value` as a secret: from now on [`scrub_known_secrets`] (so every message an error
/// stores from then on, the parsed fields of an answer, a wrapped library error's `Display`)
/// replaces it by `<redacted>`. Values under [`MIN_SECRET_LEN`] bytes are ignored; remembering
/// a known value again is cheap.
pub fn remember_secret(value: &str) {
    if value.len() < MIN_SECRET_LEN {
        return;
    }
    let encoded = percent_encoded(value);
    let mut known = KNOWN.write().unwrap_or_else(PoisonError::into_inner);
    let mut changed = false;
    for form in [Some(value), encoded.as_deref()].into_iter().flatten() {
        if known.values.iter().any(|k| &**k == form) {
            continue;
        }
        if known.values.len() >= MAX_KNOWN_SECRETS {
            known.values.pop_front();
        }
        known.values.push_back(form.into());
        changed = true;
    }
    if changed {
        // Building fails only past aho-corasick's size limits, far above 64 short values; then
        // the old automaton is kept rather than none.
        if let Ok(matcher) = AhoCorasick::new(known.values.iter().map(|k| k.as_bytes())) {
            known.matcher = Some(matcher);
        }
    }
}

/// `text` with every remembered value replaced by `<redacted>`: every byte any remembered value
/// covers is hidden, so a value that contains or overlaps another is hidden whole (overlapping
/// matches merge into one `<redacted>`). One pass over `text`; borrows when nothing matched, the
/// usual case.
pub fn scrub_known_secrets(text: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(PoisonError::into_inner);
    let Some(matcher) = &known.matcher else {
        return Cow::Borrowed(text);
    };
    let mut spans: Vec<(usize, usize)> = matcher
        .find_overlapping_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in spans {
        if start < copied {
            // Overlaps the span just redacted: widen it.
            copied = copied.max(end);
            continue;
        }
        // A value is valid UTF-8 and so is `text`, so a match starts and ends on char boundaries.
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// `value` encoded as `application/x-www-form-urlencoded` does (the `form_urlencoded` crate,
/// which the OAuth form is built with: unreserved bytes kept, space as `+`), or `None` when that
/// is `value` itself.
fn percent_encoded(value: &str) -> Option<String> {
    let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    (encoded != value).then_some(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_ignored_and_long_ones_scrubbed_longest_first() {
        remember_secret("short");
        remember_secret("known-secret-1");
        remember_secret("known-secret-1-and-more");
        assert_eq!(scrub_known_secrets("a short word"), "a short word");
        assert_eq!(
            scrub_known_secrets("x known-secret-1-and-more y known-secret-1 z"),
            "x <redacted> y <redacted> z"
        );
    }

    #[test]
    fn overlapping_values_are_hidden_whole() {
        remember_secret("overlap-AAAA-1234");
        remember_secret("1234-overlap-BBBB");
        assert_eq!(
            scrub_known_secrets("x overlap-AAAA-1234-overlap-BBBB y"),
            "x <redacted> y"
        );
        assert_eq!(scrub_known_secrets("nothing here"), "nothing here");
    }

    #[test]
    fn the_form_encoded_value_is_scrubbed_too() {
        remember_secret("with space/and+plus");
        assert_eq!(
            scrub_known_secrets("refresh=with+space%2Fand%2Bplus&x=1"),
            "refresh=<redacted>&x=1"
        );
    }
}

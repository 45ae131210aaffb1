//! URLs: the userinfo password and sensitive query and fragment parameters, found by the URL's
//! structure.

use super::{REDACTED, is_sensitive_param, scrub_known_secrets};

/// Redacts a URL for display: the userinfo password, and the values of sensitive query and
/// fragment parameters ([`is_sensitive_param`], compared after percent-decoding the name);
/// then known secrets are scrubbed by value ([`scrub_known_secrets`]), so a `Location` that is
/// no URL at all cannot carry one of ours. Never fails, never rejects.
///
/// ```
/// use pixiv_errors::redact::redact_url;
/// assert_eq!(
///     redact_url("pixiv://account/login?code=abc&via=login"),
///     "pixiv://account/login?code=<redacted>&via=login",
/// );
/// assert_eq!(
///     redact_url("http://proxy-user:hunter2@10.0.0.1:3128/"),
///     "http://proxy-user:<redacted>@10.0.0.1:3128/",
/// );
/// ```
pub fn redact_url(url: &str) -> String {
    let with_userinfo = redact_userinfo(url);
    let (before_fragment, fragment) = match with_userinfo.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (with_userinfo.as_str(), None),
    };
    let mut out = String::with_capacity(with_userinfo.len());
    match before_fragment.split_once('?') {
        Some((base, query)) => {
            out.push_str(base);
            out.push('?');
            out.push_str(&redact_pairs(query));
        }
        None => out.push_str(before_fragment),
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(&redact_pairs(fragment));
    }
    match scrub_known_secrets(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(scrubbed) => scrubbed,
    }
}

/// Redacts `k=v` pairs separated by `&` whose decoded key is sensitive.
fn redact_pairs(pairs: &str) -> String {
    let mut out = String::with_capacity(pairs.len());
    for (i, pair) in pairs.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, _)) if is_sensitive_param(&percent_decode_lossy(key)) => {
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// Decodes a query or fragment name as a form would (`+` is a space, then percent-decoding,
/// lossily); only used to compare names.
fn percent_decode_lossy(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// `scheme://user:password@host` -> `scheme://user:<redacted>@host`.
///
/// The userinfo ends at the last `@` of the authority (up to `/`, `?` or `#`). When the
/// authority has no `@`, a password holding an unencoded `/`, `?` or `#` (invalid, but people
/// write it) is caught by looking on to the end of the URL: `host:443/a@b` then loses `443/a`,
/// which errs on the side of hiding too much.
fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = memchr::memmem::find(url.as_bytes(), b"://") else {
        return url.to_owned();
    };
    let start = scheme_end + 3;
    let b = url.as_bytes();
    let word_end = b[start..]
        .iter()
        .position(|&c| c.is_ascii_whitespace())
        .map_or(b.len(), |p| start + p);
    let authority_end = b[start..word_end]
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#'))
        .map_or(word_end, |p| start + p);
    let at = b[start..authority_end]
        .iter()
        .rposition(|&c| c == b'@')
        .or_else(|| b[start..word_end].iter().rposition(|&c| c == b'@'))
        .map(|p| start + p);
    let Some(at) = at else {
        return url.to_owned();
    };
    match b[start..at].iter().position(|&c| c == b':') {
        Some(colon) if &url[start + colon + 1..at] != REDACTED => {
            format!("{}{REDACTED}{}", &url[..start + colon + 1], &url[at..])
        }
        _ => url.to_owned(),
    }
}

//! URLs: the userinfo password and sensitive query and fragment parameters.

use super::text::find;
use super::{REDACTED, is_sensitive_param, redact_text};

/// Redacts a URL for display: the userinfo password, and the values of sensitive query and
/// fragment parameters ([`is_sensitive_param`], compared after percent-decoding the name);
/// then the result goes through [`redact_text`], so a string that is not a URL at all is
/// still safe to show. Never fails, never rejects.
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
    // Whatever is not a URL (a `Location` can hold anything) still gets the text rules.
    redact_text(&out)
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

/// `scheme://user:password@host` -> `scheme://user:<redacted>@host`, for every `://` in `text`.
///
/// The userinfo ends at the last `@` of the authority (up to `/`, `?` or `#`). When the
/// authority has no `@`, a password holding an unencoded `/`, `?` or `#` (invalid, but people
/// write it) is caught by looking on to the end of the word: `host:443/a@b` then loses `443/a`,
/// which errs on the side of hiding too much.
pub(super) fn redact_userinfo(text: &str) -> String {
    // How far past `://` a userinfo is looked for. Bounds the work on a hostile body full of
    // `://` (without it, 64 KiB of `a://b` took 1.8 s in a debug build); real userinfo and
    // hosts are far shorter.
    const MAX_USERINFO_SCAN: usize = 512;

    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = find(&b[search..], b"://") {
        let start = search + found + 3;
        let scan_end = b.len().min(start + MAX_USERINFO_SCAN);
        let word_end = b[start..scan_end]
            .iter()
            .position(|&c| {
                matches!(c, b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`') || c.is_ascii_whitespace()
            })
            .map_or(scan_end, |p| start + p);
        let authority_end = b[start..word_end]
            .iter()
            .position(|&c| matches!(c, b'/' | b'?' | b'#'))
            .map_or(word_end, |p| start + p);
        let at = b[start..authority_end]
            .iter()
            .rposition(|&c| c == b'@')
            .or_else(|| b[start..word_end].iter().rposition(|&c| c == b'@'))
            .map(|p| start + p);
        if let Some(at) = at {
            if let Some(colon) = b[start..at].iter().position(|&c| c == b':') {
                let pw_start = start + colon + 1;
                if &text[pw_start..at] != REDACTED {
                    out.push_str(&text[copied..pw_start]);
                    out.push_str(REDACTED);
                    copied = at;
                }
            }
        }
        search = at.map_or(authority_end, |a| a + 1).max(start);
    }
    out.push_str(&text[copied..]);
    out
}

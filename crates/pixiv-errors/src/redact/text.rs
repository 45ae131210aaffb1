//! Free text: values of sensitive keys (`key=value`, `key: value`, JSON, escaped JSON, HTML
//! attributes, header lines) and `Bearer` tokens. [`redact_text`](super::redact_text) runs these
//! after the URL userinfo rule and before redaction by value.

use super::{REDACTED, is_sensitive_param};

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Header names whose value, after `name:`, runs to the end of the line.
fn is_header_like(key: &str) -> bool {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
    ]
    .iter()
    .any(|h| key.eq_ignore_ascii_case(h))
}

/// Replaces the values of sensitive keys (see [`redact_text`]).
pub(super) fn redact_key_values(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if !is_key_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_key_byte(b[i]) {
            i += 1;
        }
        let key = &text[start..i];
        if !(is_sensitive_param(key) || is_header_like(key)) {
            continue;
        }
        if let Some((value_start, value_end)) = find_value(b, key, i, is_header_like(key)) {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_end;
            i = value_end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// After a key ending at `pos`, finds the byte range of its value, if there is one to redact.
fn find_value(b: &[u8], key: &str, pos: usize, header_like: bool) -> Option<(usize, usize)> {
    let mut j = pos;
    // The key's closing quote, possibly escaped (`\"`, `\\\"`).
    while j < b.len() && b[j] == b'\\' {
        j += 1;
    }
    let quoted_key = j < b.len() && (b[j] == b'"' || b[j] == b'\'');
    if quoted_key {
        j += 1;
    }
    while j < b.len() && b[j].is_ascii_whitespace() {
        j += 1;
    }
    // HTML: `<meta name="csrf-token" content="...">`, `<input name="password" value="...">`.
    if quoted_key {
        j = skip_html_value_attribute(b, j);
    }
    let sep = *b.get(j)?;
    if sep != b':' && sep != b'=' {
        return None;
    }
    j += 1;
    while j < b.len()
        && (b[j] == b' ' || b[j] == b'\t' || (sep == b':' && b[j].is_ascii_whitespace()))
    {
        j += 1;
    }
    if b[j.min(b.len())..].starts_with(REDACTED.as_bytes()) {
        return None;
    }
    // A quoted value: count the backslashes before the quote, it closes at the same sequence.
    let mut k = j;
    while k < b.len() && b[k] == b'\\' {
        k += 1;
    }
    if k < b.len() && (b[k] == b'"' || b[k] == b'\'') {
        let quote = b[k];
        let escapes = k - j;
        let value_start = k + 1;
        if b[value_start.min(b.len())..].starts_with(REDACTED.as_bytes()) {
            return None;
        }
        let value_end = if escapes == 0 {
            closing_quote(b, value_start, quote)
        } else {
            let mut closer = b[j..k].to_vec();
            closer.push(quote);
            find(&b[value_start..], &closer).map_or(b.len(), |p| value_start + p)
        };
        return Some((value_start, value_end));
    }
    if j >= b.len() {
        return None;
    }
    let value_start = j;
    if sep == b':' && !header_like && is_kept_json_value(key, &b[value_start..]) {
        return None;
    }
    let end = b[value_start..]
        .iter()
        .position(|&c| {
            if header_like && sep == b':' {
                matches!(c, b'\r' | b'\n' | b'"' | b'\'')
            } else if sep == b':' {
                matches!(
                    c,
                    b'\r'
                        | b'\n'
                        | b','
                        | b';'
                        | b'}'
                        | b']'
                        | b'"'
                        | b'\''
                        | b'<'
                        | b'>'
                        | b'&'
                        | b'\\'
                )
            } else {
                matches!(
                    c,
                    b'&' | b'#'
                        | b';'
                        | b','
                        | b'"'
                        | b'\''
                        | b'<'
                        | b'>'
                        | b'\\'
                        | b')'
                        | b'}'
                        | b']'
                ) || c.is_ascii_whitespace()
            }
        })
        .map_or(b.len(), |p| value_start + p);
    if end == value_start {
        return None;
    }
    Some((value_start, end))
}

/// If `b[j..]` starts with `content` or `value` and then `=` (an HTML attribute holding the
/// value of the named field), the index of that `=`; else `j`.
fn skip_html_value_attribute(b: &[u8], j: usize) -> usize {
    for attr in [&b"content"[..], &b"value"[..]] {
        let end = j + attr.len();
        if b.len() >= end && b[j..end].eq_ignore_ascii_case(attr) {
            let mut k = end;
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            if b.get(k) == Some(&b'=') {
                return k;
            }
        }
    }
    j
}

/// The index of the next unescaped `quote` from `from`, or the end of the text.
fn closing_quote(b: &[u8], from: usize, quote: u8) -> usize {
    let mut i = from;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            return i;
        }
        i += 1;
    }
    b.len()
}

/// Whether the unquoted value after `key:` is kept: an object or array (its own keys are
/// scanned), `true`/`false`/`null`, or a JSON number after the key `code` (Pixiv's error code,
/// e.g. 1508). Any other number is redacted: a numeric secret is still a secret.
fn is_kept_json_value(key: &str, v: &[u8]) -> bool {
    let word_end = |w: &[u8]| {
        v.starts_with(w)
            && v.get(w.len())
                .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
    };
    match v.first() {
        Some(b'{' | b'[') => true,
        Some(b'0'..=b'9' | b'-') if key.eq_ignore_ascii_case("code") => {
            let end = v
                .iter()
                .position(|c| {
                    !(c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
                })
                .unwrap_or(v.len());
            v.get(end)
                .is_none_or(|c| !c.is_ascii_alphabetic() && *c != b'_')
        }
        _ => word_end(b"true") || word_end(b"false") || word_end(b"null"),
    }
}

/// The parameters of a `WWW-Authenticate: Bearer ...` challenge (RFC 6750, section 3).
const AUTH_PARAMS: [&str; 5] = ["realm", "scope", "error", "error_description", "error_uri"];

/// `Bearer <token68>` -> `Bearer <redacted>`, unless what follows is an auth-param (`realm="x"`).
pub(super) fn redact_bearer(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 6 <= b.len() {
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if !(word_start && b[i..i + 6].eq_ignore_ascii_case(b"bearer")) {
            i += 1;
            continue;
        }
        let mut j = i + 6;
        let spaces_start = j;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        if j == spaces_start {
            i += 6;
            continue;
        }
        let token_start = j;
        while j < b.len()
            && (b[j].is_ascii_alphanumeric()
                || matches!(b[j], b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
        {
            j += 1;
        }
        while j < b.len() && b[j] == b'=' {
            j += 1;
        }
        // `Bearer realm="pixiv", error="invalid_token"` is a challenge, not a credential.
        let name_end = b[token_start..j]
            .iter()
            .position(|&c| c == b'=')
            .map_or(j, |p| token_start + p);
        let auth_param = name_end < j
            && AUTH_PARAMS
                .iter()
                .any(|p| b[token_start..name_end].eq_ignore_ascii_case(p.as_bytes()));
        if j > token_start && !auth_param {
            out.push_str(&text[copied..token_start]);
            out.push_str(REDACTED);
            copied = j;
        }
        i = j.max(i + 6);
    }
    out.push_str(&text[copied..]);
    out
}

//! Conversions into [`PixivError`] from `std::io::Error` and `serde_json::Error`, and the
//! eliding of the input values serde_json quotes.

use crate::{PixivError, redact};

/// An I/O error with no path. To name the file, use [`PixivError::io`].
impl From<std::io::Error> for PixivError {
    fn from(source: std::io::Error) -> Self {
        Self::Io {
            path: None,
            source: source.into(),
        }
    }
}

/// A `Decode` error with serde_json's message and position (use [`PixivError::decode_json`] to
/// also record the body's length).
///
/// The message is serde_json's, with the input values it quotes elided unless they cannot be a
/// credential: the contents of double-quoted strings (`invalid type: string "<redacted>",
/// expected u64`) and the value named by `unknown variant`; a number in quotes or a value under
/// 8 bytes stays (`invalid type: string "12", expected u64`). Field names (`missing field `x``)
/// stay. The serde_json error itself is
/// not kept as a source, because its `Display` would show those values again.
impl From<serde_json::Error> for PixivError {
    fn from(err: serde_json::Error) -> Self {
        PixivError::decode_json(&err, &[])
    }
}

impl From<std::convert::Infallible> for PixivError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// serde_json's message with quoted input values elided (see `From<serde_json::Error>`).
pub(crate) fn serde_message(err: &serde_json::Error) -> String {
    elide_quoted_values(&err.to_string())
}

fn elide_quoted_values(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    loop {
        let quote = rest.find('"');
        let variant = rest.find("unknown variant `");
        match (quote, variant) {
            (Some(q), v) if v.is_none_or(|v| q < v) => {
                out.push_str(&rest[..=q]);
                let after = &rest[q + 1..];
                // serde writes strings with `{:?}`-style escapes: skip `\"` inside.
                let close = closing_debug_quote(after);
                out.push_str(innocent_or_redacted(&after[..close.unwrap_or(after.len())]));
                match close {
                    Some(c) => {
                        out.push('"');
                        rest = &after[c + 1..];
                    }
                    None => return out,
                }
            }
            (_, Some(v)) => {
                let start = v + "unknown variant `".len();
                out.push_str(&rest[..start]);
                let close = rest[start..].find('`');
                out.push_str(innocent_or_redacted(
                    &rest[start..start + close.unwrap_or(rest.len() - start)],
                ));
                match close {
                    Some(c) => rest = &rest[start + c..],
                    None => return out,
                }
            }
            _ => {
                out.push_str(rest);
                return match redact::scrub_known_secrets(&out) {
                    std::borrow::Cow::Borrowed(_) => out,
                    std::borrow::Cow::Owned(scrubbed) => scrubbed,
                };
            }
        }
    }
}

/// A value serde quotes, kept when it cannot be a credential, else `<redacted>`: the value's
/// key is not in serde's message, so the key rules of [`redact`] cannot judge it. Kept: values
/// shorter than [`redact::MIN_SECRET_LEN`] bytes (no token is that short) and numbers written
/// as strings (`"12"`, an id a server quoted) of up to 20 digits. Anything else, `AT-SECRET`
/// included, is hidden; a kept value is still scrubbed of known secrets with the rest of the
/// message ([`redact::scrub_known_secrets`]).
fn innocent_or_redacted(value: &str) -> &str {
    let numeric = !value.is_empty()
        && value.len() <= 20
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.'));
    if value.len() < redact::MIN_SECRET_LEN || numeric {
        value
    } else {
        redact::REDACTED
    }
}

fn closing_debug_quote(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

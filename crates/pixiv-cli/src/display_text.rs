//! Text from outside (server-chosen names, input lines) made safe to print: cut to a readable
//! length, and with control and Unicode format characters shown as escapes, so a name is what it
//! looks like (docs/cli.md, "What is printed").

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters of outside text an error message shows at most.
pub(crate) const SHOWN_CHARS: usize = 200;

/// `text`, or its first [`SHOWN_CHARS`] characters and `… (N bytes)` when it is longer.
pub(crate) fn cut(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}… ({} bytes)", &text[..end], text.len()),
    }
}

/// Every word of `line` longer than [`SHOWN_CHARS`] cut as [`cut`] does (an error message that
/// quotes a long input: the library's text names the URL it was given).
pub(crate) fn cut_words(line: &str) -> Cow<'_, str> {
    if line.len() <= SHOWN_CHARS {
        return Cow::Borrowed(line);
    }
    let mut out = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.chars().nth(SHOWN_CHARS).is_some() && !word.ends_with("bytes)") {
            out.push_str(&cut(word));
        } else {
            out.push_str(word);
        }
    }
    Cow::Owned(out)
}

/// `text` with control characters (C0, DEL, C1) and Unicode format characters (category Cf:
/// bidirectional controls such as U+202E, zero-width characters, the BOM) written as `\u{202e}`,
/// so `12_p0.<U+202E>gnp.exe` prints as `12_p0.\u{202e}gnp.exe` and not as `12_p0.exe.png`.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_format(c)
}

/// Unicode's general category Cf ("Format"), from the Unicode Character Database's
/// `DerivedGeneralCategory.txt` (Unicode 15.1).
fn is_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_its_length() {
        assert_eq!(cut("short"), "short");
        let long = "é".repeat(5_000_000);
        let shown = cut(&long);
        assert!(shown.starts_with(&"é".repeat(SHOWN_CHARS)));
        assert!(
            shown.ends_with("… (10000000 bytes)"),
            "{}",
            &shown[shown.len() - 30..]
        );
        let line = format!("error: {}: not found", "x".repeat(1000));
        assert_eq!(
            cut_words(&line),
            format!(
                "error: {} not found",
                cut(&format!("{}:", "x".repeat(1000)))
            )
        );
    }

    #[test]
    fn format_and_control_characters_are_escaped() {
        assert_eq!(escape("12_p0.png"), "12_p0.png");
        assert_eq!(escape("12_p0.\u{202e}gnp.exe"), "12_p0.\\u{202e}gnp.exe");
        assert_eq!(
            escape("a\u{200b}b\u{feff}c\u{1b}[2Jd\n"),
            "a\\u{200b}b\\u{feff}c\\u{1b}[2Jd\\u{a}"
        );
        assert_eq!(escape("猫の絵"), "猫の絵");
    }
}

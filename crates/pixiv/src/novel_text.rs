//! Pixiv's novel markup to plain text, Markdown or HTML.
//!
//! The tags a novel's text may hold (as Pixiv's editor writes them, and as PixivPy and
//! gallery-dl read them):
//!
//! | Markup | Text | Markdown | HTML |
//! |---|---|---|---|
//! | `[newpage]` | a `* * *` line | `---` and a `page-N` anchor | a new `<section id="page-N">` |
//! | `[chapter:T]` | `T` on its own line | `## T` | `<h2>T</h2>` |
//! | `[[rb:漢字 > かんじ]]` | `漢字(かんじ)` | `<ruby>` | `<ruby>漢字<rt>かんじ</rt></ruby>` |
//! | `[pixivimage:12-1]` | `[image: FILE]` | `![](FILE)` | `<img src="FILE">` |
//! | `[uploadedimage:123]` | as above | as above | as above |
//! | `[[jumpuri:T > URL]]` | `T (URL)` | `[T](URL)` | `<a href="URL">T</a>` |
//! | `[jump:N]` | `(page N)` | `[page N](#page-N)` | `<a href="#page-N">page N</a>` |
//!
//! `FILE` comes from the [`NovelImages`] map, keyed by the tag's own text (`pixivimage:12-1`,
//! `uploadedimage:123`); an image not in it is shown as its key. A link is made only for an
//! `http`/`https` URL; anything else stays text. Markup that does not parse (an unclosed
//! bracket, `[jump:x]`, an unknown tag) stays as it was, literally; nothing panics. Text is
//! escaped for the format: HTML's `& < > " '`, Markdown's punctuation.
//!
//! ```
//! use pixiv::novel_text::{NovelImages, to_html, to_markdown, to_text};
//!
//! let novel = "[chapter:One]\n[[rb:猫 > ねこ]] & <dog>[newpage][pixivimage:12-1]";
//! let images = NovelImages::new().insert("pixivimage:12-1", "12_p1.png");
//! assert_eq!(to_text(novel, &images), "One\n\n猫(ねこ) & <dog>\n\n* * *\n\n[image: 12_p1.png]");
//! assert!(to_html(novel, &images).contains("<ruby>猫<rt>ねこ</rt></ruby> &amp; &lt;dog&gt;"));
//! assert!(to_markdown(novel, &images).starts_with("## One\n"));
//! ```

use std::collections::HashMap;

/// Local file names of a novel's embedded images, keyed by the tag's text without brackets
/// (`pixivimage:12-1`, `pixivimage:12`, `uploadedimage:123`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct NovelImages {
    files: HashMap<String, String>,
}

impl NovelImages {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key`'s file name (relative to the novel's own file).
    pub fn insert(mut self, key: impl Into<String>, file: impl Into<String>) -> Self {
        self.files.insert(key.into(), file.into());
        self
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.files.get(key).map(String::as_str)
    }
}

/// The image keys a novel's text mentions, in order of first mention: what to download before
/// converting it.
pub fn image_keys(markup: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for token in parse(markup) {
        if let Token::Image(key) = token {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// The novel as plain text.
pub fn to_text(markup: &str, images: &NovelImages) -> String {
    render(markup, images, Format::Text)
}

/// The novel as Markdown (CommonMark; ruby as inline HTML).
pub fn to_markdown(markup: &str, images: &NovelImages) -> String {
    render(markup, images, Format::Markdown)
}

/// The novel as an HTML fragment: one `<section id="page-N">` per page.
pub fn to_html(markup: &str, images: &NovelImages) -> String {
    render(markup, images, Format::Html)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Text(String),
    NewPage,
    Chapter(String),
    Ruby { base: String, reading: String },
    Image(String),
    JumpUri { title: String, url: String },
    Jump(u32),
}

/// Splits markup into tokens; whatever does not parse is text.
fn parse(markup: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut rest = markup;
    while let Some(at) = rest.find('[') {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        match tag(rest) {
            Some((token, used)) => {
                if !text.is_empty() {
                    tokens.push(Token::Text(std::mem::take(&mut text)));
                }
                tokens.push(token);
                rest = &rest[used..];
            }
            None => {
                text.push('[');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
    tokens
}

/// The tag at the start of `s` (which starts with `[`) and its length in bytes.
fn tag(s: &str) -> Option<(Token, usize)> {
    if let Some(body) = s.strip_prefix("[[") {
        let end = body.find("]]")?;
        let inner = &body[..end];
        let used = 2 + end + 2;
        if let Some(r) = inner.strip_prefix("rb:") {
            // Pixiv's editor writes `base > reading`; a bare `>` is accepted too.
            let (base, reading) = r.split_once(" > ").or_else(|| r.split_once('>'))?;
            let (base, reading) = (base.trim(), reading.trim());
            if base.is_empty() {
                return None;
            }
            return Some((
                Token::Ruby {
                    base: base.into(),
                    reading: reading.into(),
                },
                used,
            ));
        }
        if let Some(r) = inner.strip_prefix("jumpuri:") {
            let (title, url) = r.rsplit_once(" > ").or_else(|| r.rsplit_once('>'))?;
            let (title, url) = (title.trim(), url.trim());
            if url.is_empty() {
                return None;
            }
            return Some((
                Token::JumpUri {
                    title: title.into(),
                    url: url.into(),
                },
                used,
            ));
        }
        return None;
    }
    if s.starts_with("[newpage]") {
        return Some((Token::NewPage, "[newpage]".len()));
    }
    if let Some(body) = s.strip_prefix("[chapter:") {
        let end = chapter_end(body)?;
        return Some((
            Token::Chapter(body[..end].trim().into()),
            "[chapter:".len() + end + 1,
        ));
    }
    let end = s.find(']')?;
    let inner = &s[1..end];
    let used = end + 1;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if let Some(id) = inner.strip_prefix("pixivimage:") {
        let ok = match id.split_once('-') {
            Some((work, page)) => digits(work) && digits(page),
            None => digits(id),
        };
        return ok.then(|| (Token::Image(inner.into()), used));
    }
    if let Some(id) = inner.strip_prefix("uploadedimage:") {
        return digits(id).then(|| (Token::Image(inner.into()), used));
    }
    if let Some(n) = inner.strip_prefix("jump:") {
        return n.parse().ok().map(|n| (Token::Jump(n), used));
    }
    None
}

/// The `]` closing a chapter title, skipping `[[...]]` inside it; none on this line: not a tag.
fn chapter_end(body: &str) -> Option<usize> {
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        if let Some(inner) = rest.strip_prefix("[[") {
            i += 2 + inner.find("]]")? + 2;
            continue;
        }
        let c = rest.chars().next()?;
        match c {
            ']' => return Some(i),
            '\n' => return None,
            _ => i += c.len_utf8(),
        }
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Markdown,
    Html,
}

fn render(markup: &str, images: &NovelImages, format: Format) -> String {
    let mut out = String::with_capacity(markup.len() + markup.len() / 4);
    let mut page = 1u32;
    if format == Format::Html {
        out.push_str("<section id=\"page-1\">\n");
    }
    for token in parse(markup) {
        match (token, format) {
            (Token::Text(t), f) => out.push_str(&text(&t, f)),
            (Token::NewPage, f) => {
                page += 1;
                trim_end_newlines(&mut out);
                out.push_str(&match f {
                    Format::Text => "\n\n* * *\n\n".to_owned(),
                    Format::Markdown => format!("\n\n---\n\n<a id=\"page-{page}\"></a>\n\n"),
                    Format::Html => format!("\n</section>\n<section id=\"page-{page}\">\n"),
                });
            }
            (Token::Chapter(title), f) => {
                let title = inline(&title, images, f);
                trim_end_newlines(&mut out);
                if !out.is_empty() && !out.ends_with('>') && !out.ends_with("\n\n") {
                    out.push_str("\n\n");
                }
                out.push_str(&match f {
                    Format::Text => format!("{title}\n"),
                    Format::Markdown => format!("## {title}\n"),
                    Format::Html => format!("<h2>{title}</h2>\n"),
                });
            }
            (token, f) => out.push_str(&inline_token(token, images, f)),
        }
    }
    if format == Format::Html {
        trim_end_newlines(&mut out);
        out.push_str("\n</section>\n");
    }
    out
}

fn trim_end_newlines(out: &mut String) {
    while out.ends_with('\n') {
        out.pop();
    }
}

/// A chapter title: rubies and links inside it, no new pages or headings.
fn inline(markup: &str, images: &NovelImages, format: Format) -> String {
    parse(markup)
        .into_iter()
        .map(|t| match t {
            Token::Text(t) => text(&t, format),
            Token::NewPage => String::new(),
            Token::Chapter(c) => text(&c, format),
            other => inline_token(other, images, format),
        })
        .collect()
}

fn inline_token(token: Token, images: &NovelImages, format: Format) -> String {
    let esc = |s: &str| text(s, format);
    match token {
        Token::Ruby { base, reading } => match format {
            Format::Text => format!("{base}({reading})"),
            _ => format!("<ruby>{}<rt>{}</rt></ruby>", html(&base), html(&reading)),
        },
        Token::Image(key) => {
            let file = images.get(&key);
            match (format, file) {
                (Format::Text, Some(f)) => format!("[image: {f}]"),
                (Format::Text, None) => format!("[image: {key}]"),
                (Format::Markdown, Some(f)) => format!("![{}](<{}>)", md(&key), md_url(f)),
                (Format::Markdown, None) => format!("\\[image: {}\\]", md(&key)),
                (Format::Html, Some(f)) => {
                    format!("<img src=\"{}\" alt=\"{}\">", html(f), html(&key))
                }
                (Format::Html, None) => format!("<span class=\"image\">{}</span>", html(&key)),
            }
        }
        Token::JumpUri { title, url } => {
            let title_or_url = if title.is_empty() { &url } else { &title };
            let linkable = url.starts_with("https://") || url.starts_with("http://");
            match format {
                Format::Text => format!("{title} ({url})"),
                Format::Markdown if linkable => {
                    format!("[{}](<{}>)", md(title_or_url), md_url(&url))
                }
                Format::Html if linkable => {
                    format!("<a href=\"{}\">{}</a>", html(&url), html(title_or_url))
                }
                _ => format!("{} ({})", esc(&title), esc(&url)),
            }
        }
        Token::Jump(n) => match format {
            Format::Text => format!("(page {n})"),
            Format::Markdown => format!("[page {n}](#page-{n})"),
            Format::Html => format!("<a href=\"#page-{n}\">page {n}</a>"),
        },
        Token::Text(t) => esc(&t),
        Token::NewPage | Token::Chapter(_) => String::new(),
    }
}

fn text(s: &str, format: Format) -> String {
    match format {
        Format::Text => s.to_owned(),
        Format::Markdown => md(s).replace('\n', "  \n"),
        Format::Html => html(s).replace('\n', "<br>\n"),
    }
}

/// HTML's five: `& < > " '`.
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown: a backslash before the ASCII punctuation that could start markup (CommonMark lets
/// any ASCII punctuation be escaped so).
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '#'
                | '|'
                | '~'
                | '&'
                | '!'
                | '-'
                | '+'
                | '='
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A link destination inside `<...>`: no `<`, `>` or line break may appear there.
fn md_url(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\n' | '\r'))
        .map(|c| match c {
            '<' => "%3C".to_owned(),
            '>' => "%3E".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

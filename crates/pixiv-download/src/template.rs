//! File names from a template over a work's fields: `{user.name}/{id}_p{page}.{ext}`.
//!
//! A [`Template`] is parsed once, up front: an unknown field or a bad format is
//! [`PixivError::InvalidInput`] naming the field and listing the valid ones, before any request.
//! Rendering cannot fail and always gives a relative path that stays inside the folder it is
//! joined to: every value is made safe for the file system first (see [`Template::render`]).
//!
//! | Field | Value |
//! |---|---|
//! | `{id}` | the work's id |
//! | `{page}` | the page index, from 0 (Pixiv's `_p0`) |
//! | `{num}` | the page index padded with zeros to the width of the page count (`07` of 12) |
//! | `{ext}` | the file's extension, without the dot |
//! | `{title}` | the title |
//! | `{user.id}`, `{user.name}`, `{user.account}` | the author |
//! | `{date}`, `{date:FORMAT}` | the post date in the work's own offset; default `%Y-%m-%d` |
//! | `{type}` | `illust`, `manga`, `ugoira`, `novel` |
//! | `{tags}`, `{tags:N}`, `{tags:N:SEP}` | the tags joined by `SEP` (default a space), at most `N` |
//! | `{series.title}` | the series' title, empty when none |
//!
//! `/` in the template makes folders; `{{` and `}}` are literal braces. The date format takes
//! the strftime specifiers `%Y %y %m %d %H %M %S %j %b %B %a %A %z %F %T %%`, formatted by the
//! `time` crate; any other is refused.
//!
//! ```
//! use pixiv_download::template::{Template, TemplateFields};
//!
//! let template = Template::parse("{user.name}/{id}_{title}_p{num}.{ext}")?;
//! let fields = TemplateFields::new(12).page(3, 12).ext("png").title("a/b: c").user(7, "..", "acc");
//! assert_eq!(template.render(&fields), std::path::Path::new("_/12_a_b_ c_p03.png"));
//!
//! let err = Template::parse("{uploader}").unwrap_err();
//! assert!(err.to_string().contains("uploader"));
//! # Ok::<(), pixiv_errors::PixivError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use pixiv_errors::PixivError;
use time::OffsetDateTime;
use time::format_description::OwnedFormatItem;

use crate::Target;
use crate::target::MAX_NAME_LEN;

/// Today's naming, Pixiv's own: `{id}_p{page}.{ext}`.
pub const DEFAULT_TEMPLATE: &str = "{id}_p{page}.{ext}";

/// The fields a template may name, as the error for an unknown one lists them.
pub const FIELDS: &[&str] = &[
    "id",
    "page",
    "num",
    "ext",
    "title",
    "user.id",
    "user.name",
    "user.account",
    "date",
    "type",
    "tags",
    "series.title",
];

/// The strftime specifiers `{date:...}` accepts.
pub const DATE_SPECIFIERS: &str = "%Y %y %m %d %H %M %S %j %b %B %a %A %z %F %T %%";

/// A work's values for a [`Template`]. Built with [`TemplateFields::new`] and the setters; the
/// `pixiv` facade fills one from an `Illust`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
#[must_use]
pub struct TemplateFields {
    /// The work's id.
    pub id: u64,
    /// The page index, from 0.
    pub page: usize,
    /// How many pages the work has (for `{num}`'s width).
    pub page_count: usize,
    /// The extension, without the dot.
    pub ext: String,
    /// The title.
    pub title: String,
    /// The author's id.
    pub user_id: u64,
    /// The author's display name.
    pub user_name: String,
    /// The author's account (`@name`).
    pub user_account: String,
    /// When the work was posted.
    pub date: Option<OffsetDateTime>,
    /// `illust`, `manga`, `ugoira`, `novel`.
    pub kind: String,
    /// The tags, in Pixiv's order.
    pub tags: Vec<String>,
    /// The series' title, if the work is in one.
    pub series_title: Option<String>,
}

impl TemplateFields {
    /// The fields of work `id`, everything else empty (one page, page 0).
    pub fn new(id: u64) -> Self {
        Self {
            id,
            page_count: 1,
            ..Self::default()
        }
    }

    /// Page `page` (from 0) of `count`.
    pub fn page(mut self, page: usize, count: usize) -> Self {
        self.page = page;
        self.page_count = count;
        self
    }

    /// The extension, with or without its dot.
    pub fn ext(mut self, ext: impl Into<String>) -> Self {
        let ext = ext.into();
        self.ext = ext.strip_prefix('.').map(str::to_owned).unwrap_or(ext);
        self
    }

    /// The title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The author: id, display name, account.
    pub fn user(mut self, id: u64, name: impl Into<String>, account: impl Into<String>) -> Self {
        self.user_id = id;
        self.user_name = name.into();
        self.user_account = account.into();
        self
    }

    /// The post date.
    pub fn date(mut self, date: OffsetDateTime) -> Self {
        self.date = Some(date);
        self
    }

    /// The kind of work (`{type}`).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = kind.into();
        self
    }

    /// The tags.
    pub fn tags<I, T>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// The series' title.
    pub fn series_title(mut self, title: impl Into<String>) -> Self {
        self.series_title = Some(title.into());
        self
    }
}

/// A parsed file-name template; see the [module docs](self).
#[derive(Clone)]
pub struct Template {
    source: String,
    /// One entry per path component (split at the template's own `/`).
    components: Vec<Vec<Piece>>,
}

#[derive(Clone)]
enum Piece {
    Text(String),
    Id,
    Page,
    Num,
    Ext,
    Title,
    UserId,
    UserName,
    UserAccount,
    Date(OwnedFormatItem),
    Kind,
    Tags { limit: Option<usize>, sep: String },
    SeriesTitle,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Template").field(&self.source).finish()
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl PartialEq for Template {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Default for Template {
    fn default() -> Self {
        // The default parses; a failure here is a bug caught by the tests, so fall back to a
        // template that cannot fail rather than panic.
        Self::parse(DEFAULT_TEMPLATE).unwrap_or_else(|_| Self {
            source: DEFAULT_TEMPLATE.into(),
            components: vec![vec![Piece::Id]],
        })
    }
}

impl std::str::FromStr for Template {
    type Err = PixivError;
    fn from_str(s: &str) -> Result<Self, PixivError> {
        Self::parse(s)
    }
}

fn bad(why: impl Into<String>) -> PixivError {
    PixivError::invalid_input("filename template", why)
}

impl Template {
    /// Parses `source`. Errors (`InvalidInput`, `what == "filename template"`): an unknown
    /// field (the message lists the valid ones), a bad date format or tag limit, an unclosed or
    /// stray brace, an absolute path, an empty folder (`a//b`, a trailing `/`), a `.` or `..`
    /// folder, a `\`, or nothing to name a file with.
    pub fn parse(source: &str) -> Result<Self, PixivError> {
        if source.trim().is_empty() {
            return Err(bad("it is empty"));
        }
        if source.starts_with('/') {
            return Err(bad(format!(
                "{source:?} is an absolute path; a template names files inside the target folder"
            )));
        }
        let mut components = vec![Vec::new()];
        let mut text = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '}' => return Err(bad(format!("a lone '}}' in {source:?} (write '}}}}')"))),
                '{' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => inner.push(c),
                            None => {
                                return Err(bad(format!("an unclosed '{{' in {source:?}")));
                            }
                        }
                    }
                    flush(&mut text, &mut components);
                    push(&mut components, field(&inner)?);
                }
                '/' => {
                    flush(&mut text, &mut components);
                    components.push(Vec::new());
                }
                '\\' => {
                    return Err(bad(format!(
                        "{source:?} contains '\\'; use '/' for folders"
                    )));
                }
                c if c.is_control() => {
                    return Err(bad(format!(
                        "{source:?} contains the control character {c:?}"
                    )));
                }
                c => text.push(c),
            }
        }
        flush(&mut text, &mut components);
        for component in &components {
            match component.as_slice() {
                [] => return Err(bad(format!("{source:?} has an empty folder name"))),
                [Piece::Text(t)] if t.trim() == "." || t.trim() == ".." => {
                    return Err(bad(format!("{source:?} has a {t:?} folder")));
                }
                _ => {}
            }
        }
        Ok(Self {
            source: source.to_owned(),
            components,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the template names more than one file per work, that is mentions `{page}` or
    /// `{num}` (a multi-page work needs one of them).
    pub fn names_pages(&self) -> bool {
        self.components
            .iter()
            .flatten()
            .any(|p| matches!(p, Piece::Page | Piece::Num))
    }

    /// The relative path `fields` give. Every value is made safe first, and so is each
    /// component as a whole:
    ///
    /// - `/`, `\`, `:`, `*`, `?`, `"`, `<`, `>`, `|` and control characters become `_`; Unicode
    ///   format characters (category Cf: bidi overrides such as U+202E, zero-width spaces, BOM)
    ///   are removed;
    /// - leading and trailing spaces and trailing dots are trimmed (Windows drops them), so no
    ///   component is `.` or `..`; one left empty becomes `_`;
    /// - a reserved Windows name (`CON`, `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, in
    ///   any case, with or without an extension) gets `_` after its stem;
    /// - each component is cut to [`MAX_NAME_LEN`] (255) bytes at a char boundary; the file
    ///   name keeps its extension.
    pub fn render(&self, fields: &TemplateFields) -> PathBuf {
        let last = self.components.len().saturating_sub(1);
        let mut path = PathBuf::new();
        for (i, component) in self.components.iter().enumerate() {
            let mut raw = String::new();
            for piece in component {
                match piece {
                    Piece::Text(t) => raw.push_str(t),
                    other => raw.push_str(&clean_value(&value(other, fields))),
                }
            }
            path.push(safe_component(&raw, i == last));
        }
        path
    }
}

impl Target {
    /// The file `template` names for `fields`, inside `dir` (its folders are created when the
    /// download starts). The hook that lets a [`Template`] name downloads.
    pub fn from_template(
        dir: impl AsRef<Path>,
        template: &Template,
        fields: &TemplateFields,
    ) -> Self {
        Target::path(dir.as_ref().join(template.render(fields)))
    }
}

fn flush(text: &mut String, components: &mut [Vec<Piece>]) {
    if !text.is_empty() {
        push(components, Piece::Text(std::mem::take(text)));
    }
}

fn push(components: &mut [Vec<Piece>], piece: Piece) {
    if let Some(last) = components.last_mut() {
        last.push(piece);
    }
}

fn field(inner: &str) -> Result<Piece, PixivError> {
    let (name, spec) = match inner.split_once(':') {
        Some((n, s)) => (n.trim(), Some(s)),
        None => (inner.trim(), None),
    };
    let plain = |piece: Piece| match spec {
        None => Ok(piece),
        Some(s) => Err(bad(format!("{{{name}}} takes no format, got {s:?}"))),
    };
    match name {
        "id" => plain(Piece::Id),
        "page" => plain(Piece::Page),
        "num" => plain(Piece::Num),
        "ext" => plain(Piece::Ext),
        "title" => plain(Piece::Title),
        "user.id" => plain(Piece::UserId),
        "user.name" => plain(Piece::UserName),
        "user.account" => plain(Piece::UserAccount),
        "type" => plain(Piece::Kind),
        "series.title" => plain(Piece::SeriesTitle),
        "date" => date_format(spec.unwrap_or("%Y-%m-%d")).map(Piece::Date),
        "tags" => {
            let (limit, sep) = match spec {
                None => (None, " ".to_owned()),
                Some(s) => {
                    let (n, sep) = s.split_once(':').unwrap_or((s, " "));
                    let limit = n.trim().parse::<usize>().map_err(|_| {
                        bad(format!("{{tags:{s}}}: the limit {n:?} is not a number"))
                    })?;
                    (Some(limit), sep.to_owned())
                }
            };
            Ok(Piece::Tags { limit, sep })
        }
        other => Err(bad(format!(
            "unknown field {{{other}}}; the valid fields are {}",
            FIELDS
                .iter()
                .map(|f| format!("{{{f}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A strftime-style format to the `time` crate's format description.
fn date_format(spec: &str) -> Result<OwnedFormatItem, PixivError> {
    let mut out = String::new();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            // Version 2 of `time`'s format descriptions escapes with a backslash.
            if matches!(c, '[' | ']' | '\\') {
                out.push('\\');
            }
            out.push(c);
            continue;
        }
        let item = match chars.next() {
            Some('Y') => "[year]",
            Some('y') => "[year repr:last_two]",
            Some('m') => "[month]",
            Some('d') => "[day]",
            Some('H') => "[hour]",
            Some('M') => "[minute]",
            Some('S') => "[second]",
            Some('j') => "[ordinal]",
            Some('b') => "[month repr:short]",
            Some('B') => "[month repr:long]",
            Some('a') => "[weekday repr:short]",
            Some('A') => "[weekday repr:long]",
            Some('z') => "[offset_hour sign:mandatory][offset_minute]",
            Some('F') => "[year]-[month]-[day]",
            Some('T') => "[hour]:[minute]:[second]",
            Some('%') => "%",
            other => {
                let shown = other.map(|c| format!("%{c}")).unwrap_or_else(|| "%".into());
                return Err(bad(format!(
                    "{{date:{spec}}}: {shown} is not supported; use {DATE_SPECIFIERS}"
                )));
            }
        };
        out.push_str(item);
    }
    time::format_description::parse_owned::<2>(&out)
        .map_err(|e| bad(format!("{{date:{spec}}}: {e}")))
}

fn value(piece: &Piece, f: &TemplateFields) -> String {
    match piece {
        Piece::Text(t) => t.clone(),
        Piece::Id => f.id.to_string(),
        Piece::Page => f.page.to_string(),
        Piece::Num => {
            let width = f.page_count.max(1).to_string().len();
            format!("{:0width$}", f.page)
        }
        Piece::Ext => f.ext.clone(),
        Piece::Title => f.title.clone(),
        Piece::UserId => f.user_id.to_string(),
        Piece::UserName => f.user_name.clone(),
        Piece::UserAccount => f.user_account.clone(),
        Piece::Date(format) => f
            .date
            .and_then(|d| d.format(format).ok())
            .unwrap_or_default(),
        Piece::Kind => f.kind.clone(),
        Piece::Tags { limit, sep } => f
            .tags
            .iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(sep),
        Piece::SeriesTitle => f.series_title.clone().unwrap_or_default(),
    }
}

/// A value: separators and characters Windows refuses become `_`, format characters go.
fn clean_value(value: &str) -> String {
    value
        .chars()
        .filter(|c| !is_format_char(*c))
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

/// Unicode's general category Cf (format characters), from the Unicode Character Database's
/// DerivedGeneralCategory.txt: invisible, and the bidi ones reorder what a name shows.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    // Also reserved, per Microsoft's "Naming Files, Paths, and Namespaces".
    "CONIN$", "CONOUT$", "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³",
];

/// One whole path component made safe (see [`Template::render`]).
fn safe_component(raw: &str, is_file: bool) -> String {
    let mut name = trim(raw).to_owned();
    if name.is_empty() {
        name.push('_');
    }
    let stem_end = name.find('.').unwrap_or(name.len());
    let stem = name[..stem_end].trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        name.insert(stem.len(), '_');
    }
    if name.len() > MAX_NAME_LEN {
        name = shorten(&name, is_file);
    }
    let name = trim(&name);
    if name.is_empty() {
        "_".into()
    } else {
        name.to_owned()
    }
}

fn trim(s: &str) -> &str {
    s.trim_start_matches(' ').trim_end_matches(['.', ' '])
}

/// Cut to [`MAX_NAME_LEN`] bytes at a char boundary; a file keeps a short extension.
fn shorten(name: &str, is_file: bool) -> String {
    let ext = match name.rfind('.') {
        Some(i) if is_file && i > 0 && name.len() - i <= 16 => &name[i..],
        _ => "",
    };
    let stem = &name[..name.len() - ext.len()];
    let mut cut = MAX_NAME_LEN - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut])
}

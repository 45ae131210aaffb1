//! `Accept-Language`: Pixiv answers tags' `translated_name` in the client's language (PixivPy's
//! `set_accept_language` exists for this). English by default (the `en-us` every Pixiv client
//! sends), Simplified Chinese for `zh*`, and no translation (`null`) for `ja*`, since the names
//! are Japanese already. Tags this table does not know (a search word) keep what they had.

use serde_json::Value;

use crate::data::TAGS;

/// `translated_name` of [`TAGS`] in Simplified Chinese, in the same order.
const ZH: [Option<&str>; 12] = [
    Some("原创"),
    Some("风景"),
    Some("女孩子"),
    Some("猫"),
    Some("天空"),
    Some("奇幻"),
    Some("创作"),
    Some("涂鸦"),
    None,
    Some("初音未来"),
    Some("背景"),
    Some("夕阳"),
];

/// The languages the mock translates into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    English,
    Chinese,
    Japanese,
}

impl Language {
    /// The first language of an `Accept-Language` value (`zh-CN,zh;q=0.9` → Chinese).
    fn of(header: Option<&str>) -> Self {
        let first = header
            .and_then(|h| h.split(',').next())
            .map(|l| {
                l.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        if first.starts_with("zh") {
            Self::Chinese
        } else if first.starts_with("ja") {
            Self::Japanese
        } else {
            Self::English
        }
    }

    /// The translation of tag `name`; `None` for a tag not in [`TAGS`] (left as it is).
    fn translate(self, name: &str) -> Option<Option<&'static str>> {
        let i = TAGS.iter().position(|(n, _)| *n == name)?;
        Some(match self {
            Self::English => TAGS[i].1,
            Self::Chinese => ZH[i],
            Self::Japanese => None,
        })
    }
}

/// Rewrites every `translated_name` next to a `name` (work tags) or a `tag` (trending tags) in
/// `body` for the request's `Accept-Language`.
pub(super) fn localize(body: &mut Value, accept_language: Option<&str>) {
    let language = Language::of(accept_language);
    if language != Language::English {
        walk(body, language);
    }
}

fn walk(v: &mut Value, language: Language) {
    match v {
        Value::Object(map) => {
            if map.contains_key("translated_name") {
                let name = map
                    .get("name")
                    .or_else(|| map.get("tag"))
                    .and_then(Value::as_str)
                    .and_then(|n| language.translate(n));
                if let Some(translated) = name {
                    map.insert("translated_name".to_owned(), translated.into());
                }
            }
            for child in map.values_mut() {
                walk(child, language);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, language);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::localize;

    #[test]
    fn tags_follow_the_first_language() {
        let work = json!({"tags": [
            {"name": "猫", "translated_name": "cat"},
            {"name": "VOCALOID", "translated_name": null},
            {"name": "unknown", "translated_name": "kept"},
        ], "trend_tags": [{"tag": "空", "translated_name": "sky"}]});
        let mut en = work.clone();
        localize(&mut en, Some("en-us"));
        assert_eq!(en, work, "English is what the data says");
        let mut zh = work.clone();
        localize(&mut zh, Some("zh-CN,zh;q=0.9"));
        assert_eq!(zh["tags"][0]["translated_name"], "猫");
        assert_eq!(zh["tags"][2]["translated_name"], "kept");
        assert_eq!(zh["trend_tags"][0]["translated_name"], "天空");
        let mut ja = work.clone();
        localize(&mut ja, Some("ja"));
        assert_eq!(ja["tags"][0]["translated_name"], serde_json::Value::Null);
        assert_eq!(ja["tags"][2]["translated_name"], "kept");
    }
}

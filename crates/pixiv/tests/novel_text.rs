//! Novel markup to text, Markdown and HTML: every tag, malformed markup, and no panic on anything.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pixiv::novel_text::{NovelImages, image_keys, to_html, to_markdown, to_text};
use proptest::prelude::*;

fn images() -> NovelImages {
    NovelImages::new()
        .insert("pixivimage:12-1", "12_p1.png")
        .insert("pixivimage:13", "13_p0.jpg")
        .insert("uploadedimage:123", "up 123.png")
}

fn all(markup: &str) -> (String, String, String) {
    let i = images();
    (
        to_text(markup, &i),
        to_markdown(markup, &i),
        to_html(markup, &i),
    )
}

#[test]
fn newpage() {
    let (t, m, h) = all("one[newpage]two");
    assert_eq!(t, "one\n\n* * *\n\ntwo");
    assert_eq!(m, "one\n\n---\n\n<a id=\"page-2\"></a>\n\ntwo");
    assert_eq!(
        h,
        "<section id=\"page-1\">\none\n</section>\n<section id=\"page-2\">\ntwo\n</section>\n"
    );
}

#[test]
fn chapter() {
    let (t, m, h) = all("[chapter:First <one>]\nbody");
    assert_eq!(t, "First <one>\n\nbody");
    assert_eq!(m, "## First \\<one\\>\n  \nbody");
    assert!(h.contains("<h2>First &lt;one&gt;</h2>\n<br>\nbody"), "{h}");
    // A ruby inside a chapter title.
    let (t, _, h) = all("[chapter:[[rb:序 > じょ]]章]");
    assert_eq!(t, "序(じょ)章\n");
    assert!(h.contains("<h2><ruby>序<rt>じょ</rt></ruby>章</h2>"), "{h}");
}

#[test]
fn ruby() {
    let (t, m, h) = all("[[rb:漢字 > かんじ]]を[[rb:読>よ]]む");
    assert_eq!(t, "漢字(かんじ)を読(よ)む");
    assert_eq!(
        m,
        "<ruby>漢字<rt>かんじ</rt></ruby>を<ruby>読<rt>よ</rt></ruby>む"
    );
    assert!(h.contains("<ruby>漢字<rt>かんじ</rt></ruby>を"));
    let (_, _, h) = all("[[rb:<b> > \"x\"]]");
    assert!(
        h.contains("<ruby>&lt;b&gt;<rt>&quot;x&quot;</rt></ruby>"),
        "{h}"
    );
}

#[test]
fn images_known_and_unknown() {
    let markup = "a[pixivimage:12-1]b[pixivimage:13][uploadedimage:123][uploadedimage:9]";
    let (t, m, h) = all(markup);
    assert_eq!(
        t,
        "a[image: 12_p1.png]b[image: 13_p0.jpg][image: up 123.png][image: uploadedimage:9]"
    );
    assert!(m.contains("![pixivimage:12\\-1](<12_p1.png>)"), "{m}");
    assert!(m.contains("![uploadedimage:123](<up 123.png>)"), "{m}");
    assert!(m.contains("\\[image: uploadedimage:9\\]"), "{m}");
    assert!(
        h.contains("<img src=\"12_p1.png\" alt=\"pixivimage:12-1\">"),
        "{h}"
    );
    assert!(
        h.contains("<span class=\"image\">uploadedimage:9</span>"),
        "{h}"
    );
    assert_eq!(
        image_keys(&format!("{markup}[pixivimage:13]")),
        [
            "pixivimage:12-1",
            "pixivimage:13",
            "uploadedimage:123",
            "uploadedimage:9"
        ]
    );
    // A file name that would break out of an attribute is escaped.
    let i = NovelImages::new().insert("uploadedimage:1", "a\" onerror=\"x.png");
    let h = to_html("[uploadedimage:1]", &i);
    assert!(h.contains("src=\"a&quot; onerror=&quot;x.png\""), "{h}");
}

#[test]
fn jumpuri() {
    let (t, m, h) = all("[[jumpuri:Pixiv & co > https://www.pixiv.net/?a=1&b=2]]");
    assert_eq!(t, "Pixiv & co (https://www.pixiv.net/?a=1&b=2)");
    assert_eq!(m, "[Pixiv \\& co](<https://www.pixiv.net/?a=1&b=2>)");
    assert!(
        h.contains("<a href=\"https://www.pixiv.net/?a=1&amp;b=2\">Pixiv &amp; co</a>"),
        "{h}"
    );
    // Not http(s): no link.
    let (_, m, h) = all("[[jumpuri:click > javascript:alert(1)]]");
    assert!(!h.contains("<a"), "{h}");
    assert!(!m.contains("](<"), "{m}");
    assert!(h.contains("click (javascript:alert(1))"), "{h}");
}

#[test]
fn jump() {
    let (t, m, h) = all("see [jump:3]");
    assert_eq!(t, "see (page 3)");
    assert_eq!(m, "see [page 3](#page-3)");
    assert!(h.contains("see <a href=\"#page-3\">page 3</a>"));
}

#[test]
fn malformed_markup_stays_literal() {
    for markup in [
        "[newpage",
        "[chapter:no end",
        "[chapter:line\nbreak]",
        "[[rb:no reading]]",
        "[[rb: > x]]",
        "[[rb:open > x",
        "[[jumpuri:no url]]",
        "[[jumpuri:t > ]]",
        "[[unknown:x]]",
        "[pixivimage:abc]",
        "[pixivimage:12-]",
        "[uploadedimage:]",
        "[jump:x]",
        "[jump:99999999999]",
        "[unknown]",
        "[",
        "[[",
        "]]",
    ] {
        assert_eq!(to_text(markup, &images()), markup, "{markup:?}");
        let h = to_html(markup, &images());
        assert!(
            !h.contains("<a ") && !h.contains("<img") && !h.contains("<h2"),
            "{h}"
        );
    }
    // Text around a broken tag keeps the tags after it working.
    assert_eq!(to_text("[x [jump:2]", &images()), "[x (page 2)");
}

#[test]
fn markdown_and_html_escape_text() {
    let (_, m, h) = all("*bold* _x_ # <script>alert('x')</script> & `c`");
    assert_eq!(
        m,
        "\\*bold\\* \\_x\\_ \\# \\<script\\>alert('x')\\</script\\> \\& \\`c\\`"
    );
    assert!(
        h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;"),
        "{h}"
    );
}

proptest! {
    #[test]
    fn never_panics(s in ".{0,200}") {
        let i = images();
        let _ = to_text(&s, &i);
        let _ = to_markdown(&s, &i);
        let h = to_html(&s, &i);
        prop_assert!(!h.contains("<script"));
        let _ = image_keys(&s);
    }

    #[test]
    fn never_panics_on_markup_soup(parts in proptest::collection::vec(prop_oneof![
        Just("["), Just("]"), Just("[["), Just("]]"), Just(">"), Just(":"), Just("\n"),
        Just("rb:"), Just("jumpuri:"), Just("chapter:"), Just("newpage"), Just("jump:"),
        Just("pixivimage:"), Just("uploadedimage:"), Just("12"), Just("-"), Just("猫"),
        Just("https://x/"), Just("<"), Just("&"),
    ], 0..40)) {
        let s: String = parts.concat();
        let i = images();
        let t = to_text(&s, &i);
        let _ = to_markdown(&s, &i);
        let _ = to_html(&s, &i);
        // Plain text without tags is kept as it is.
        if !s.contains('[') {
            prop_assert_eq!(t, s);
        }
    }
}

//! The shape of an HTML page, measured on its bytes before it is parsed, to turn away the few pages that
//! would take the parser far too long or far too much memory.
//!
//! Why: the HTML5 tree builder (html5ever, as in browsers) is quadratic on three kinds of markup, and one such
//! page would stall (or, for memory, kill) a nightly build. Each costs it, on this project's 2-core host:
//! - *depth*: it looks through the stack of open elements for nearly every start tag (to close an open
//!   `<p>`, to find a scope): a 2 MB page of 200,000 nested `<div>`s took 158 s;
//! - *attributes*: it compares each attribute of an element with the ones before it: one element with
//!   100,000 attributes took 5.3 s;
//! - *formatting left open*: an unclosed `<b>`, `<font>`, `<i>`, … stays on the list of active formatting
//!   elements and is re-created inside every later paragraph: 4,000 `<p><b class=cN>x` (100 KB) made 8
//!   million elements, 6.7 s and 1.5 GB, and 10,000 would exhaust memory.
//!
//! Browsers cap the depth too (Chromium's parser at 512); html5ever caps nothing, so a page beyond
//! [`MAX_DEPTH`], [`MAX_ATTRIBUTES`] or [`MAX_REBUILT`] is a `malformed` reject. Real pages nest a few dozen
//! deep, give an element a few dozen attributes at most and close their formatting.
//!
//! The model follows the parser closely enough that sloppy but ordinary markup is not turned away:
//! - an end tag closes the elements left open inside its element (looked for among the top [`LOOK_BACK`]
//!   entries; one that finds none is stray and ignored, as the parser ignores it); a `<p>` or a block start
//!   tag (`<div>`, `<ul>`, `<h2>`, …) closes an open paragraph with what was left open in it;
//! - void elements (`<br>`) and elements whose end tag may be left out (`<li>`, `<td>`, `<option>`, …) do not
//!   pile up; a new `<a>` or `<nobr>` closes the last one;
//! - the formatting list keeps at most three entries with the same tag (the parser's "Noah's Ark" rule, here
//!   on the tag's bytes), so `<p><font face=Arial>` left open in every paragraph costs nothing;
//! - comments, doctypes and the contents of raw-text elements (`<script>`, `<style>`, …) are skipped; `<x/>`
//!   is taken as closed.
//!
//! The scan stops at the first limit passed, and its work per tag is bounded (by [`LOOK_BACK`] and
//! [`MAX_DEPTH`]), so it is linear in the page whatever the markup. Tag names are compared by a hash of their
//! lower-cased bytes ([`key`]); it costs about 5% of HTML extraction (docs/formats.md).

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 1_000;

/// Most attributes accepted on one element.
pub const MAX_ATTRIBUTES: usize = 1_000;

/// Most formatting elements the parser may have to re-create, summed over the page's paragraphs and blocks
/// (and at most [`MAX_DEPTH`] left open at once).
pub const MAX_REBUILT: usize = 1_000_000;

/// How far down the stack an end tag (or a paragraph's closing) looks for its element.
pub const LOOK_BACK: usize = 256;

/// The first limit a page passes, with the byte offset of the start tag where it did.
#[derive(Debug, PartialEq)]
pub enum Excess {
    Depth { at: usize },
    Attributes { count: usize, at: usize },
    Rebuilt { open: usize, at: usize },
}

/// `Err` with the reject's detail when the page passes a limit.
pub fn check(html: &str) -> Result<(), String> {
    match scan(html).1 {
        None => Ok(()),
        Some(Excess::Depth { at }) => Err(format!(
            "HTML nested more than {MAX_DEPTH} elements deep (at byte {at}): not parsed, as parsing time grows with \
             the square of the depth"
        )),
        Some(Excess::Attributes { count, at }) => Err(format!(
            "an HTML element with {count} attributes (at byte {at}; the limit is {MAX_ATTRIBUTES}): not parsed, as \
             parsing time grows with the square of their number"
        )),
        Some(Excess::Rebuilt { open, at }) => Err(format!(
            "HTML leaves formatting elements open ({open} at byte {at}) that the parser would re-create in every \
             later paragraph (limits: {MAX_DEPTH} open, {MAX_REBUILT} re-created in all): not parsed"
        )),
    }
}

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
];

/// Elements whose end tag may be omitted: the parser closes them itself, so unclosed ones do not pile up.
/// `<p>` is followed (see [`CLOSES_P`]); `<a>` and `<nobr>` are formatting elements (see [`Scan::start`]).
const NOT_COUNTED: &[&str] = &[
    "a", "body", "caption", "colgroup", "dd", "dt", "head", "html", "li", "nobr", "optgroup", "option", "rb", "rp",
    "rt", "rtc", "tbody", "td", "tfoot", "th", "thead", "tr",
];

/// Start tags that close an open `<p>` (with whatever was left open inside it).
#[rustfmt::skip]
const CLOSES_P: &[&str] = &[
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "listing",
    "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul",
];

/// Formatting elements: left open, they stay on the parser's list of active formatting elements.
#[rustfmt::skip]
const FORMATTING: &[&str] =
    &["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];

/// Elements whose content is text up to their end tag, never markup.
const RAW_TEXT: &[&str] =
    &["iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"];

/// What the lists above say of one tag name, as bits.
#[derive(Clone, Copy, Default)]
struct Kind(u8);

impl Kind {
    const VOID: u8 = 1;
    const NOT_COUNTED: u8 = 2;
    const CLOSES_P: u8 = 4;
    const FORMATTING: u8 = 8;
    const RAW_TEXT: u8 = 16;

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// Stays on the parser's stack until its end tag (`<p>` included: it is closed by rule).
    fn counted(self) -> bool {
        !self.has(Kind::VOID | Kind::NOT_COUNTED | Kind::RAW_TEXT)
    }

    /// The kind of the name with key `k` (one binary search in a table built once from the lists above).
    fn of(k: u64) -> Kind {
        static TABLE: std::sync::LazyLock<Vec<(u64, u8)>> = std::sync::LazyLock::new(|| {
            let mut t: Vec<(u64, u8)> = Vec::new();
            let lists = [
                (VOID, Kind::VOID),
                (NOT_COUNTED, Kind::NOT_COUNTED),
                (CLOSES_P, Kind::CLOSES_P),
                (FORMATTING, Kind::FORMATTING),
                (RAW_TEXT, Kind::RAW_TEXT),
            ];
            for (list, bit) in lists {
                for name in list {
                    match t.iter_mut().find(|(k, _)| *k == key(name.as_bytes())) {
                        Some((_, bits)) => *bits |= bit,
                        None => t.push((key(name.as_bytes()), bit)),
                    }
                }
            }
            t.sort_unstable();
            t
        });
        TABLE.binary_search_by_key(&k, |&(k, _)| k).map_or(Kind::default(), |i| Kind(TABLE[i].1))
    }
}

/// A tag name folded to lower case and hashed (FNV-1a): the model compares and classifies names by it.
const fn key(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < name.len() {
        h = (h ^ name[i].to_ascii_lowercase() as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

const P: u64 = key(b"p");
const A: u64 = key(b"a");
const NOBR: u64 = key(b"nobr");

/// The scan's model of the parser: its stack of open elements and its list of active formatting elements
/// (by name key, and by the whole start tag for the Noah's Ark rule).
#[derive(Default)]
struct Scan<'a> {
    open: Vec<u64>,
    formatting: Vec<(u64, &'a [u8])>,
    rebuilt: usize,
    /// The deepest the stack has been.
    deepest: usize,
}

/// The model after the page, and the first limit it passed (the scan stops there).
fn scan(html: &str) -> (Scan<'_>, Option<Excess>) {
    let b = html.as_bytes();
    let mut m = Scan::default();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let start = i + off;
        i = start + 1;
        let rest = &b[i..];
        if rest.starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
        } else if rest.first().is_some_and(|&c| c == b'!' || c == b'?') {
            i = memchr::memchr(b'>', rest).map_or(b.len(), |e| i + e + 1);
        } else if rest.first() == Some(&b'/') {
            let name = tag_name(&rest[1..]);
            i += 1 + name.len();
            if !name.is_empty() {
                m.end(key(name));
            }
        } else {
            let name = tag_name(rest);
            if name.is_empty() {
                continue; // a bare "<" in text
            }
            let (end, attributes) = tag_end(b, i + name.len());
            if attributes > MAX_ATTRIBUTES {
                return (m, Some(Excess::Attributes { count: attributes, at: start }));
            }
            let self_closed = end >= 2 && b[end - 2] == b'/';
            i = end;
            let k = key(name);
            let kind = Kind::of(k);
            if kind.has(Kind::RAW_TEXT) {
                i = find_end_tag(b, i, name);
                continue;
            }
            m.start(k, kind, &b[start..end], self_closed);
            if m.open.len() > MAX_DEPTH {
                return (m, Some(Excess::Depth { at: start }));
            }
            if m.rebuilt > MAX_REBUILT || m.formatting.len() > MAX_DEPTH {
                let open = m.formatting.len();
                return (m, Some(Excess::Rebuilt { open, at: start }));
            }
        }
    }
    (m, None)
}

impl<'a> Scan<'a> {
    fn start(&mut self, k: u64, kind: Kind, tag: &'a [u8], self_closed: bool) {
        if kind.has(Kind::CLOSES_P) {
            // The paragraph's closing pops what formatting was open in it; the parser re-creates it all in
            // the next text.
            self.rebuilt += self.formatting.len();
            close(&mut self.open, P);
        }
        if self_closed {
            return;
        }
        if kind.has(Kind::FORMATTING) {
            if k == A || k == NOBR {
                forget_last(&mut self.formatting, k);
            }
            let same = |&(fk, t): &(u64, &[u8])| fk == k && t.eq_ignore_ascii_case(tag);
            if self.formatting.iter().filter(|e| same(e)).count() == 3 {
                let first = self.formatting.iter().position(same).unwrap_or(0);
                self.formatting.remove(first);
            }
            self.formatting.push((k, tag));
        }
        if kind.counted() {
            self.open.push(k);
            self.deepest = self.deepest.max(self.open.len());
        }
    }

    fn end(&mut self, k: u64) {
        let kind = Kind::of(k);
        if k == P || kind.counted() {
            close(&mut self.open, k);
        }
        if kind.has(Kind::FORMATTING) {
            forget_last(&mut self.formatting, k);
        }
    }
}

/// Closes the nearest open `k` and everything left open above it, if it is among the top [`LOOK_BACK`].
fn close(open: &mut Vec<u64>, k: u64) {
    if let Some(j) = open.iter().rev().take(LOOK_BACK).position(|&n| n == k) {
        open.truncate(open.len() - 1 - j);
    }
}

/// Drops the last formatting entry named `k`, if it is among the last [`LOOK_BACK`].
fn forget_last(formatting: &mut Vec<(u64, &[u8])>, k: u64) {
    if let Some(j) = formatting.iter().rev().take(LOOK_BACK).position(|&(n, _)| n == k) {
        formatting.remove(formatting.len() - 1 - j);
    }
}

/// The ASCII letters, digits and hyphens a tag name is made of (empty when `s` does not start with a letter).
fn tag_name(s: &[u8]) -> &[u8] {
    if !s.first().is_some_and(u8::is_ascii_alphabetic) {
        return &[];
    }
    let n = s.iter().position(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b':')).unwrap_or(s.len());
    &s[..n]
}

/// Just past the `>` that closes a start tag whose attributes begin at `i` (quoted values may hold `>`), and
/// how many attributes it has (each run of characters after white space that is not a value, `=` or `/`).
/// A quote opens a value only right after `=` (as in the parser: `title=it's` is an unquoted value).
fn tag_end(b: &[u8], mut i: usize) -> (usize, usize) {
    let (mut quote, mut attributes, mut after_space, mut last) = (None, 0, false, 0u8);
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'>' => return (i + 1, attributes),
            None if (c == b'"' || c == b'\'') && last == b'=' => quote = Some(c),
            None if c.is_ascii_whitespace() => after_space = true,
            None => {
                if after_space && c != b'=' && c != b'/' && last != b'=' {
                    attributes += 1;
                }
                after_space = false;
            }
        }
        if !c.is_ascii_whitespace() {
            last = c;
        }
        i += 1;
    }
    (b.len(), attributes)
}

/// Just past the end tag `</name…>` at or after `i`, matched without regard to case.
fn find_end_tag(b: &[u8], mut i: usize, name: &[u8]) -> usize {
    while let Some(off) = find(b, i, b"</") {
        let after = off + 2;
        i = after;
        if b.len() >= after + name.len() && b[after..after + name.len()].eq_ignore_ascii_case(name) {
            return memchr::memchr(b'>', &b[after..]).map_or(b.len(), |e| after + e + 1);
        }
    }
    b.len()
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, pat).map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(html: &str) -> usize {
        scan(html).0.deepest
    }

    #[test]
    fn counts_elements_that_need_an_end_tag() {
        assert_eq!(depth("<div><div><span>x</span></div><div>y</div></div>"), 3);
        assert_eq!(depth("<DIV><Section>x</SECTION></div>"), 2, "case does not matter");
        assert_eq!(depth("plain text, 3 < 4 and a <- arrow"), 0);
        let page = "<html><head><title>t</title></head><body><main><article><div class=\"wsw\"><p>x</p></div></article></main></body></html>";
        assert_eq!(depth(page), 4, "main, article, div, p");
    }

    #[test]
    fn what_the_parser_closes_itself_does_not_pile_up() {
        // Unclosed list items and cells, void elements, <x/>, unclosed anchors.
        let sloppy = "<div>".to_string() + &"<li>b<td>c<br><img src=x><hr/><span/><a name=x>".repeat(5_000) + "</div>";
        assert_eq!(depth(&sloppy), 1);
        assert_eq!(check(&sloppy), Ok(()));
        // Unclosed paragraphs with unclosed <font> and <span> inside: each <p> (or a block) closes the last, and
        // the same <font> left open again and again is kept once (three times) on the formatting list.
        let legacy =
            "<body><div>".to_string() + &"<p><font face=Arial><span>text<br>".repeat(5_000) + "<div>x</div></div>";
        assert_eq!(depth(&legacy), 4, "div, p, font, span");
        assert!(scan(&legacy).0.formatting.len() <= 3);
        assert_eq!(check(&legacy), Ok(()));
        // An end tag closes what was left open inside its element.
        let spans = "<div>".to_string() + &"<section><span><b>x</b></section>".repeat(5_000) + "</div>";
        assert_eq!(depth(&spans), 4);
        assert_eq!(check(&spans), Ok(()));
        // A stray end tag closes nothing.
        assert_eq!(depth("<div><span>x</section></span><b>y</b></div>"), 2);
    }

    #[test]
    fn what_the_parser_keeps_open_piles_up() {
        // Unclosed <b> with no paragraph to close them: the parser's stack really grows.
        assert_eq!(depth(&"<b>x".repeat(900)), 900);
        // Unclosed spans inside one element deeper than the end tag looks: the end tag is taken as stray.
        let many = format!("<div>{}</div>", "<span>".repeat(LOOK_BACK + 1));
        assert_eq!(depth(&(many.clone() + &many)), 2 * (LOOK_BACK + 2));
    }

    #[test]
    fn markup_inside_comments_scripts_and_attributes_is_not_counted() {
        let page = r#"<div title="a > b <div>"><!-- <div><div> --><script>if (a<b) { s = "<div><div>"; }</script>
            <style>p > a { }</style><textarea><div></div></textarea><!DOCTYPE html><?xml x?></div>"#;
        assert_eq!(depth(page), 1);
    }

    #[test]
    fn a_deep_page_is_refused_where_it_passes_the_limit() {
        let deep = "<html><body>".to_string() + &"<div>".repeat(MAX_DEPTH + 5) + "x" + &"</div>".repeat(MAX_DEPTH + 5);
        let at = "<html><body>".len() + 5 * MAX_DEPTH;
        assert_eq!(scan(&deep).1, Some(Excess::Depth { at }));
        assert_eq!(scan(&deep).0.deepest, MAX_DEPTH + 1, "the scan stops there");
        assert!(check(&deep)
            .unwrap_err()
            .starts_with(&format!("HTML nested more than 1000 elements deep (at byte {at})")));
    }

    #[test]
    fn counts_attributes() {
        let page = r#"<div id="a" class='b c'><img src=x.jpg alt = "1 > 0" data-x=1 hidden /><p>x</p></div>"#;
        let img = page.find("<img").unwrap();
        let (end, n) = tag_end(page.as_bytes(), img + 4);
        assert_eq!((&page[img..end], n), (r#"<img src=x.jpg alt = "1 > 0" data-x=1 hidden />"#, 4));
        assert_eq!(tag_end(b"<p>", 2), (3, 0));
        // A quote inside an unquoted value opens nothing: the tag ends at its own '>'.
        let odd = b"<a title=it's href=x>y</a><b class='z'>";
        assert_eq!(tag_end(odd, 2), (21, 2));
        assert_eq!(tag_end(odd, 28), (odd.len(), 1));
        assert_eq!(check(page), Ok(()));
        let busy = format!(
            "<div {}>x</div>",
            (0..MAX_ATTRIBUTES + 1).map(|i| format!("a{i}=\"1\"")).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(scan(&busy).1, Some(Excess::Attributes { count: MAX_ATTRIBUTES + 1, at: 0 }));
        assert!(check(&busy).unwrap_err().contains("1001 attributes (at byte 0; the limit is 1000)"));
    }

    #[test]
    fn formatting_left_open_in_every_paragraph_is_refused_unless_it_repeats() {
        // A different <b> left open in each paragraph: the parser would re-create all of them in each next one.
        let distinct: String = (0..2_000).map(|i| format!("<p><b class=c{i}>x")).collect();
        assert!(matches!(scan(&distinct).1, Some(Excess::Rebuilt { .. })), "{:?}", scan(&distinct).1);
        assert!(check(&distinct).unwrap_err().contains("formatting elements open"));
        // Closed formatting, the same tag left open again and again, anchors left open: nothing piles up.
        for page in
            ["<p><b>x</b><i>y</i>".repeat(50_000), "<p><font face=Arial>x".repeat(50_000), "<a href=x>y".repeat(50_000)]
        {
            assert_eq!(scan(&page).1, None);
            assert!(scan(&page).0.formatting.len() <= 3);
        }
    }

    #[test]
    fn any_markup_scans_without_panic_and_never_deeper_than_its_start_tags() {
        use proptest::prelude::*;
        let tokens: &'static [&str] = &[
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<b class=x>",
            "</b>",
            "<a href='y'>",
            "<br/>",
            "<span ",
            "'",
            "\"",
            "=",
            ">",
            "<",
            "/",
            "<!--",
            "-->",
            "<!x",
            "<?",
            "<script>",
            "</script",
            "</",
            "text ",
            " ",
            "<DIV ",
        ];
        let page = proptest::collection::vec(proptest::sample::select(tokens), 0..300).prop_map(|t| t.concat());
        proptest!(|(html in page)| {
            let (m, excess) = scan(&html);
            prop_assert!(m.deepest <= html.matches('<').count());
            prop_assert_eq!(excess.is_some(), check(&html).is_err());
            // Cutting the page anywhere (on a character boundary) scans as well.
            let cut = html.len() / 2;
            if html.is_char_boundary(cut) {
                let _ = scan(&html[..cut]);
            }
        });
    }
}

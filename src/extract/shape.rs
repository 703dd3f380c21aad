//! The shape of an HTML page — how deeply it nests its elements, how many attributes one element has —
//! measured on the bytes before the page is parsed, to turn away pages that would take the parser too long.
//!
//! Why: the HTML5 tree builder (html5ever, as in browsers) looks through the stack of open elements for
//! nearly every start tag (to close an open `<p>`, to find a scope), so its time grows with the square of
//! the nesting depth: a 2 MB page of 200,000 nested `<div>`s took 158 s to parse, and one such page would
//! stall a nightly build. It also compares each attribute of an element with the ones before it (duplicates
//! are dropped): one element with 100,000 attributes took 5.3 s. Browsers cap the depth (Chromium's parser at
//! 512); html5ever caps neither, so a page beyond [`MAX_DEPTH`] or [`MAX_ATTRIBUTES`] is rejected before
//! parsing. Real pages nest a few dozen deep and give an element a few dozen attributes at most.
//!
//! The count follows the parser's stack of open elements closely enough that sloppy but ordinary markup is
//! not turned away: an end tag closes the elements left open inside its element (as the parser does, looked
//! for among the top [`LOOK_BACK`] entries); a `<p>` or a block start tag (`<div>`, `<ul>`, `<h2>`, …)
//! closes an open paragraph and what was left open in it; void elements (`<br>`), elements whose end tag
//! may be left out (`<li>`, `<td>`, `<option>`, …) and `<a>` (a new one closes the last) are not counted;
//! comments, doctypes and the contents of raw-text elements (`<script>`, `<style>`, …) are skipped; `<x/>`
//! is taken as closed.

/// Deepest nesting accepted (see the module doc).
pub const MAX_DEPTH: usize = 1_000;

/// Most attributes accepted on one element (see the module doc).
pub const MAX_ATTRIBUTES: usize = 1_000;

/// `Err` with the reject's detail when the page is beyond [`MAX_DEPTH`] or [`MAX_ATTRIBUTES`].
pub fn check(html: &str) -> Result<(), String> {
    let s = shape(html);
    if s.depth > MAX_DEPTH {
        return Err(format!(
            "HTML nested {} elements deep (at byte {}; the limit is {MAX_DEPTH}): not parsed, as parsing time grows \
             with the square of the depth",
            s.depth, s.depth_at
        ));
    }
    if s.attributes > MAX_ATTRIBUTES {
        return Err(format!(
            "an HTML element with {} attributes (at byte {}; the limit is {MAX_ATTRIBUTES}): not parsed, as parsing \
             time grows with the square of their number",
            s.attributes, s.attributes_at
        ));
    }
    Ok(())
}

/// What [`shape`] measures; each `_at` is the byte offset of the start tag where the maximum was first seen.
#[derive(Debug, Default, PartialEq)]
pub struct Shape {
    /// The deepest nesting of counted elements.
    pub depth: usize,
    pub depth_at: usize,
    /// The most attributes on one start tag.
    pub attributes: usize,
    pub attributes_at: usize,
}

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
];

/// Elements whose end tag may be omitted (and `<a>` and `<nobr>`, of which a new one closes the last): the
/// parser closes them itself, so unclosed ones do not pile up. `<p>` is followed (see [`CLOSES_P`]).
const NOT_COUNTED: &[&str] = &[
    "a", "body", "caption", "colgroup", "dd", "dt", "head", "html", "li", "nobr", "optgroup", "option", "rb", "rp",
    "rt", "rtc", "tbody", "td", "tfoot", "th", "thead", "tr",
];

/// Start tags that close an open `<p>` (with whatever was left open inside it).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
];

/// How far down the stack an end tag (or a paragraph's closing) looks for its element; an end tag that finds
/// none is ignored, as the parser ignores a stray end tag. Bounds the scan's time on hostile markup.
pub const LOOK_BACK: usize = 256;

/// Elements whose content is text up to their end tag, never markup.
const RAW_TEXT: &[&str] =
    &["iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"];

/// Measures the page's nesting depth and its largest number of attributes on one element.
pub fn shape(html: &str) -> Shape {
    let b = html.as_bytes();
    let mut open: Vec<&[u8]> = Vec::new();
    let mut out = Shape::default();
    let mut i = 0;
    while let Some(off) = memchr(b'<', &b[i..]) {
        let start = i + off;
        i = start + 1;
        let rest = &b[i..];
        if rest.starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
        } else if rest.first().is_some_and(|&c| c == b'!' || c == b'?') {
            i = memchr(b'>', rest).map_or(b.len(), |e| i + e + 1);
        } else if rest.first() == Some(&b'/') {
            let name = tag_name(&rest[1..]);
            if !name.is_empty() && (is(name, b"p") || counted(name)) {
                close(&mut open, name);
            }
            i += 1 + name.len();
        } else {
            let name = tag_name(rest);
            if name.is_empty() {
                continue; // a bare "<" in text
            }
            let (end, attributes) = tag_end(b, i + name.len());
            if attributes > out.attributes {
                (out.attributes, out.attributes_at) = (attributes, start);
            }
            let self_closed = end >= 2 && b[end - 2] == b'/';
            i = end;
            if let Some(raw) = RAW_TEXT.iter().find(|r| is(name, r.as_bytes())) {
                i = find_end_tag(b, i, raw.as_bytes());
                continue;
            }
            if CLOSES_P.iter().any(|t| is(name, t.as_bytes())) {
                close(&mut open, b"p");
            }
            if counted(name) && !self_closed {
                open.push(name);
                if open.len() > out.depth {
                    (out.depth, out.depth_at) = (open.len(), start);
                }
            }
        }
    }
    out
}

/// Closes the nearest open `name` and everything left open above it, if it is among the top [`LOOK_BACK`].
fn close(open: &mut Vec<&[u8]>, name: &[u8]) {
    if let Some(k) = open.iter().rev().take(LOOK_BACK).position(|n| is(n, name)) {
        open.truncate(open.len() - 1 - k);
    }
}

fn is(name: &[u8], tag: &[u8]) -> bool {
    name.eq_ignore_ascii_case(tag)
}

/// The ASCII letters, digits and hyphens a tag name is made of (empty when `s` does not start with a letter).
fn tag_name(s: &[u8]) -> &[u8] {
    if !s.first().is_some_and(u8::is_ascii_alphabetic) {
        return &[];
    }
    let n = s.iter().position(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b':')).unwrap_or(s.len());
    &s[..n]
}

/// Whether an element stays on the parser's stack until its end tag (`<p>` counts: it is closed by rule).
fn counted(name: &[u8]) -> bool {
    !name.is_empty() && !VOID.iter().chain(NOT_COUNTED).chain(RAW_TEXT).any(|v| is(name, v.as_bytes()))
}

/// Just past the `>` that closes a start tag whose attributes begin at `i` (quoted values may hold `>`), and
/// how many attributes it has (each run of characters after white space that is not a value, `=` or `/`).
fn tag_end(b: &[u8], mut i: usize) -> (usize, usize) {
    let (mut quote, mut attributes, mut after_space) = (None, 0, false);
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'>' => return (i + 1, attributes),
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c.is_ascii_whitespace() => after_space = true,
            None => {
                if after_space && c != b'=' && c != b'/' && b[i - 1] != b'=' {
                    attributes += 1;
                }
                after_space = false;
            }
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
            return memchr(b'>', &b[after..]).map_or(b.len(), |e| after + e + 1);
        }
    }
    b.len()
}

fn memchr(c: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&x| x == c)
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?.windows(pat.len()).position(|w| w == pat).map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_elements_that_need_an_end_tag() {
        assert_eq!(shape("<div><div><span>x</span></div><div>y</div></div>").depth, 3);
        assert_eq!(shape("<DIV><Section>x</SECTION></div>").depth, 2, "case does not matter");
        assert_eq!(shape("plain text, 3 < 4 and a <- arrow").depth, 0);
    }

    #[test]
    fn what_the_parser_closes_itself_does_not_pile_up() {
        // Unclosed list items and cells, void elements, <x/>, unclosed anchors.
        let sloppy = "<div>".to_string() + &"<li>b<td>c<br><img src=x><hr/><span/><a name=x>".repeat(5_000) + "</div>";
        assert_eq!(shape(&sloppy).depth, 1);
        // Unclosed paragraphs with unclosed <font> and <span> inside: each <p> (or a block) closes the last.
        let legacy =
            "<body><div>".to_string() + &"<p><font face=Arial><span>text<br>".repeat(5_000) + "<div>x</div></div>";
        assert_eq!(shape(&legacy).depth, 4, "div, p, font, span");
        // An end tag closes what was left open inside its element.
        let spans = "<div>".to_string() + &"<section><span><b>x</section>".repeat(5_000) + "</div>";
        assert_eq!(shape(&spans).depth, 4);
        // A stray end tag closes nothing.
        assert_eq!(shape("<div><span>x</section></span><b>y</b></div>").depth, 2);
    }

    #[test]
    fn what_the_parser_keeps_open_piles_up() {
        // Unclosed <b> with no paragraph to close them: the parser's stack really grows.
        assert_eq!(shape(&"<b>x".repeat(3_000)).depth, 3_000);
        // Unclosed spans inside one element deeper than the end tag looks: the end tag is taken as stray.
        let many = format!("<div>{}</div>", "<span>".repeat(LOOK_BACK + 1));
        assert_eq!(shape(&(many.clone() + &many)).depth, 2 * (LOOK_BACK + 2));
    }

    #[test]
    fn markup_inside_comments_scripts_and_attributes_is_not_counted() {
        let page = r#"<div title="a > b <div>"><!-- <div><div> --><script>if (a<b) { s = "<div><div>"; }</script>
            <style>p > a { }</style><textarea><div></div></textarea><!DOCTYPE html><?xml x?></div>"#;
        assert_eq!(shape(page).depth, 1);
    }

    #[test]
    fn finds_a_deep_page_and_where_it_gets_deep() {
        let deep = "<html><body>".to_string() + &"<div>".repeat(MAX_DEPTH + 1) + "x" + &"</div>".repeat(MAX_DEPTH + 1);
        let s = shape(&deep);
        assert_eq!(s.depth, MAX_DEPTH + 1);
        assert_eq!(s.depth_at, "<html><body>".len() + 5 * MAX_DEPTH);
        // An ordinary page's nesting comes out as written.
        let page = "<html><head><title>t</title></head><body><main><article><div class=\"wsw\"><p>x</p></div></article></main></body></html>";
        assert_eq!(shape(page).depth, 4, "main, article, div, p");
    }

    #[test]
    fn counts_the_attributes_of_the_busiest_element() {
        let page = r#"<div id="a" class='b c'><img src=x.jpg alt = "1 > 0" data-x=1 hidden /><p>x</p></div>"#;
        let s = shape(page);
        assert_eq!((s.attributes, s.attributes_at), (4, 24), "src, alt, data-x and hidden");
        assert_eq!(shape("<p>").attributes, 0);
        let busy = format!(
            "<div {}>x</div>",
            (0..MAX_ATTRIBUTES + 1).map(|i| format!("a{i}=\"1\"")).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(shape(&busy).attributes, MAX_ATTRIBUTES + 1);
        assert!(check(&busy).unwrap_err().contains("1001 attributes (at byte 0; the limit is 1000)"));
        assert_eq!(check(page), Ok(()));
    }
}

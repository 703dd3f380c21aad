//! HTML pages: Pangea CMS article pages first, any other page through a text-density fallback.
//!
//! Parser: `scraper` (html5ever, the browsers' HTML5 parsing algorithm, so broken markup is repaired the way
//! a browser would) — the standard, well-kept choice; its build cost on two cores was acceptable. The generic
//! fallback is our own small text-density extractor rather than `dom_smoothie` (a Readability port that pulls
//! in a second DOM crate and more build time for pages we rarely see).
//!
//! A Pangea page is read in this order:
//! 1. the **gate**: the body classes `pg-media`, `pg-prog`, `pg-home`, `pg-section` (and utag page types for
//!    audio/video/programme pages) mark pages that are not text articles; they become `not_article` rejects,
//!    never articles full of player junk ("No live streaming currently available", "0:00");
//! 2. the **metadata**: title (`h1.pg-title`, `og:title`, JSON-LD `headline`, `<title>`), date
//!    (`.publishing-details time[datetime]`, JSON-LD `datePublished`, `article:published_time`), author
//!    (JSON-LD persons, minus pseudo-authors like "RFE/RL's Kazakh Service"), `var utag_data={...}` (section,
//!    english_section, article_uid, language), the canonical URL and the article id it ends with, image asset
//!    ids, the caption (`figcaption`);
//! 3. the **body**: `#article-content .wsw`, the lead `.intro` first, with embeds, video players, "also read"
//!    boxes, share boxes, comments and scripts dropped; headings and list items are paragraphs of their own.

use super::date::parse_datetime;
use crate::model::{Extracted, RejectReason};
use scraper::{ElementRef, Html, Node, Selector};
use std::sync::LazyLock;

/// Body classes of Pangea pages that are not text articles.
const NOT_ARTICLE_CLASSES: [&str; 5] = ["pg-media", "pg-prog", "pg-home", "pg-section", "pg-video"];

/// `utag_data.page_type` / `content_type` values of pages that are programmes or media, not articles.
const NOT_ARTICLE_PAGE_TYPES: [&str; 9] =
    ["scheduleraudio", "schedulervideo", "audio", "video", "program", "programme", "section", "homepage", "index"];

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("bad built-in selector {s}: {e:?}"))
}

static BODY: LazyLock<Selector> = LazyLock::new(|| sel("body"));
static HTML_EL: LazyLock<Selector> = LazyLock::new(|| sel("html"));
static H1_TITLE: LazyLock<Selector> = LazyLock::new(|| sel("h1.pg-title"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
static META: LazyLock<Selector> = LazyLock::new(|| sel("meta"));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| sel("link[rel=canonical]"));
static PUB_TIME: LazyLock<Selector> = LazyLock::new(|| sel(".publishing-details time[datetime]"));
static JSON_LD: LazyLock<Selector> = LazyLock::new(|| sel(r#"script[type="application/ld+json"]"#));
static SCRIPT: LazyLock<Selector> = LazyLock::new(|| sel("script"));
static WSW: LazyLock<Selector> = LazyLock::new(|| sel("#article-content .wsw"));
static INTRO: LazyLock<Selector> = LazyLock::new(|| sel(".intro"));
static FIGCAPTION: LazyLock<Selector> = LazyLock::new(|| sel("figcaption"));
static IMG: LazyLock<Selector> = LazyLock::new(|| sel("img"));
static P: LazyLock<Selector> = LazyLock::new(|| sel("p"));

/// Extracts one HTML page. `Err` carries the reject reason and detail (the caller adds file and record).
pub fn extract_html(html: &str) -> Result<Extracted, (RejectReason, String)> {
    super::shape::check(html).map_err(|detail| (RejectReason::Malformed, detail))?;
    let doc = Html::parse_document(html);
    let utag = utag_data(&doc);
    let utag_get = |k: &str| utag.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    gate(&doc, &utag_get)?;

    let ld = json_ld_article(&doc);
    let meta = |name: &str| -> Option<String> {
        doc.select(&META)
            .find(|m| m.value().attr("property").or(m.value().attr("name")) == Some(name))
            .and_then(|m| m.value().attr("content"))
            .map(collapse)
            .filter(|s| !s.is_empty())
    };

    let mut out = Extracted::default();
    out.title = first_text(&doc, &H1_TITLE)
        .or_else(|| meta("og:title"))
        .or_else(|| ld.as_ref().and_then(|v| v.get("headline")).and_then(|v| v.as_str()).map(collapse))
        .or_else(|| first_text(&doc, &TITLE))
        .unwrap_or_default();

    out.url = doc
        .select(&CANONICAL)
        .find_map(|l| l.value().attr("href"))
        .map(|s| s.trim().to_string())
        .or_else(|| meta("og:url"))
        .or_else(|| utag_get("url").map(str::to_string))
        .filter(|s| !s.is_empty());
    out.article_id = out.url.as_deref().and_then(article_id_of).or_else(|| utag_get("article_uid")?.parse().ok());
    out.service = out.url.as_deref().and_then(host_of).or_else(|| utag_get("domain").map(str::to_ascii_lowercase));

    out.published = doc
        .select(&PUB_TIME)
        .find_map(|t| t.value().attr("datetime").and_then(parse_datetime))
        .or_else(|| ld.as_ref().and_then(|v| v.get("datePublished")?.as_str()).and_then(parse_datetime))
        .or_else(|| meta("article:published_time").as_deref().and_then(parse_datetime));

    out.author = ld
        .as_ref()
        .and_then(authors)
        .or_else(|| utag_get("byline").map(str::to_string).filter(|b| !is_pseudo_author(b)).map(|b| collapse(&b)));
    out.section = utag_get("section")
        .map(str::to_string)
        .or_else(|| ld.as_ref().and_then(|v| v.get("articleSection")?.as_str().map(str::to_string)));
    out.english_section = utag_get("english_section").map(str::to_string);
    out.lang_hint = utag_get("language").map(str::to_string).or_else(|| {
        doc.select(&HTML_EL).next().and_then(|h| h.value().attr("lang")).map(str::to_string).filter(|l| !l.is_empty())
    });

    out.image_ids = image_ids(&doc, meta("og:image"), ld.as_ref());
    let captions: Vec<String> = doc
        .select(&FIGCAPTION)
        .filter(|f| !inside(*f, |e| is_dropped(e) || has_class(e, "wsw")))
        .map(|f| collapse(&f.text().collect::<String>()))
        .filter(|c| !c.is_empty())
        .collect();
    out.caption = captions.join("\n\n");

    out.paragraphs = pangea_body(&doc);
    if out.paragraphs.is_empty() {
        out.paragraphs = density_body(&doc);
    }
    Ok(out)
}

/// Refuses pages that are not text articles, with the evidence in the detail.
fn gate<'a>(doc: &Html, utag_get: &dyn Fn(&str) -> Option<&'a str>) -> Result<(), (RejectReason, String)> {
    let classes: Vec<&str> = doc.select(&BODY).next().map(|b| b.value().classes().collect()).unwrap_or_default();
    let bad: Vec<&str> = classes.iter().copied().filter(|c| NOT_ARTICLE_CLASSES.contains(c)).collect();
    if !bad.is_empty() && !classes.contains(&"pg-article") {
        return Err((
            RejectReason::NotArticle,
            format!(
                "Pangea page kind `{}` (programme, media, home or section page), not a text article",
                bad.join(" ")
            ),
        ));
    }
    for key in ["page_type", "content_type"] {
        if let Some(v) = utag_get(key) {
            let v = v.to_ascii_lowercase();
            if NOT_ARTICLE_PAGE_TYPES.contains(&v.as_str()) {
                return Err((RejectReason::NotArticle, format!("utag_data {key} `{v}`: a programme or media page")));
            }
        }
    }
    Ok(())
}

/// Pangea's body: `#article-content .wsw`, with the lead `.intro` first when it sits outside the body.
fn pangea_body(doc: &Html) -> Vec<String> {
    let Some(wsw) = doc.select(&WSW).next() else { return Vec::new() };
    let mut paras = Vec::new();
    // The lead: an `.intro` outside the body block that is not part of a fact-check verdict or a teaser box.
    if let Some(intro) = doc.select(&INTRO).find(|i| {
        !inside(*i, |e| {
            is_dropped(e)
                || has_class(e, "wsw")
                || has_class(e, "verdict")
                || has_class(e, "fc__body")
                || has_class(e, "media-block")
                || matches!(e.value().name(), "nav" | "header" | "footer")
        })
    }) {
        blocks(intro, &mut paras, &mut String::new());
    }
    let mut cur = String::new();
    blocks(wsw, &mut paras, &mut cur);
    flush(&mut paras, &mut cur);
    paras
}

/// Elements whose text is never body: scripts, embeds, players, teaser and share boxes, comments.
fn is_dropped(e: ElementRef) -> bool {
    let v = e.value();
    matches!(
        v.name(),
        "script"
            | "style"
            | "noscript"
            | "template"
            | "aside"
            | "iframe"
            | "button"
            | "form"
            | "svg"
            | "nav"
            | "video"
            | "audio"
    ) || v.id() == Some("comments")
        || v.attr("data-sp_api") == Some("pangea-video")
        || v.has_class("wsw__embed", scraper::CaseSensitivity::CaseSensitive)
        || v.has_class("share--box", scraper::CaseSensitivity::CaseSensitive)
        || (v.has_class("media-block", scraper::CaseSensitivity::CaseSensitive)
            && v.has_class("also-read", scraper::CaseSensitivity::CaseSensitive))
}

fn has_class(e: ElementRef, c: &str) -> bool {
    e.value().has_class(c, scraper::CaseSensitivity::CaseSensitive)
}

/// Whether `e` or one of its ancestors satisfies `pred`.
fn inside(e: ElementRef, pred: impl Fn(ElementRef) -> bool) -> bool {
    std::iter::once(e).chain(e.ancestors().filter_map(ElementRef::wrap)).any(pred)
}

/// Elements that end a paragraph.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "section"
            | "article"
            | "figure"
            | "figcaption"
            | "dl"
            | "dt"
            | "dd"
            | "hr"
            | "br"
    )
}

/// Walks an element, appending inline text to `cur` and closing a paragraph at each block boundary.
fn blocks(el: ElementRef, paras: &mut Vec<String>, cur: &mut String) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => cur.push_str(t),
            Node::Element(e) => {
                let Some(ce) = ElementRef::wrap(child) else { continue };
                if is_dropped(ce) {
                    continue;
                }
                let block = is_block(e.name());
                if block {
                    flush(paras, cur);
                }
                blocks(ce, paras, cur);
                if block {
                    flush(paras, cur);
                }
            }
            _ => {}
        }
    }
    if el.value().name() == "div" && has_class(el, "intro") {
        flush(paras, cur);
    }
}

fn flush(paras: &mut Vec<String>, cur: &mut String) {
    let p = collapse(cur);
    if !p.is_empty() {
        paras.push(p);
    }
    cur.clear();
}

/// Collapses runs of white space (including no-break spaces) to one space and trims.
fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

fn first_text(doc: &Html, s: &Selector) -> Option<String> {
    doc.select(s).map(|e| collapse(&e.text().collect::<String>())).find(|t| !t.is_empty())
}

/// The fallback for pages without Pangea's body block: the element whose `<p>` children hold the most text
/// that is not links wins, and its paragraphs (in document order) are the body.
fn density_body(doc: &Html) -> Vec<String> {
    use std::collections::BTreeMap;
    let boiler = |e: ElementRef| {
        is_dropped(e)
            || matches!(e.value().name(), "header" | "footer" | "menu")
            || e.value().classes().any(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("comment") || c.contains("share") || c.contains("related") || c.contains("footer")
            })
    };
    // Score each parent by the non-link text of its paragraphs.
    let mut score = BTreeMap::new();
    let mut paras = Vec::new();
    for p in doc.select(&P) {
        if inside(p, boiler) {
            continue;
        }
        let text = collapse(&p.text().collect::<String>());
        let chars = text.chars().count();
        if chars == 0 {
            continue;
        }
        let link_chars: usize = p
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().name() == "a")
            .map(|a| a.text().map(|t| t.chars().filter(|c| !c.is_whitespace()).count()).sum::<usize>())
            .sum();
        let dense = chars.saturating_sub(link_chars);
        if link_chars * 2 > chars {
            continue;
        }
        let Some(parent) = p.parent() else { continue };
        let entry = score.entry(parent.id()).or_insert((0usize, paras.len()));
        entry.0 += dense;
        paras.push((parent.id(), text));
    }
    // Highest score wins; ties go to the earliest parent so the choice is deterministic.
    let Some(best) = score.iter().max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1))).map(|(id, _)| *id)
    else {
        return Vec::new();
    };
    paras.into_iter().filter(|(id, _)| *id == best).map(|(_, t)| t).collect()
}

/// `var utag_data={key:"value",...}`: Pangea's analytics object, a JavaScript literal with bare keys.
fn utag_data(doc: &Html) -> Vec<(String, String)> {
    for s in doc.select(&SCRIPT) {
        let text: String = s.text().collect();
        if let Some(pos) = text.find("utag_data") {
            if let Some(brace) = text[pos..].find('{') {
                return parse_js_object(&text[pos + brace..]);
            }
        }
    }
    Vec::new()
}

/// Parses a flat JavaScript object literal of string, number and bare values; stops quietly at anything else.
fn parse_js_object(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    if chars.next().map(|(_, c)| c) != Some('{') {
        return out;
    }
    let read_string = |chars: &mut std::iter::Peekable<std::str::CharIndices>, quote: char| -> String {
        let mut v = String::new();
        while let Some((_, c)) = chars.next() {
            match c {
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => v.push('\n'),
                    Some('t') => v.push('\t'),
                    Some('u') => {
                        let hex: String = (0..4).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                        if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            v.push(c);
                        }
                    }
                    Some(c) => v.push(c),
                    None => break,
                },
                c if c == quote => break,
                c => v.push(c),
            }
        }
        v
    };
    loop {
        while chars.peek().is_some_and(|&(_, c)| c.is_whitespace() || c == ',') {
            chars.next();
        }
        let key = match chars.peek().map(|&(_, c)| c) {
            Some('}') | None => return out,
            Some(q @ ('"' | '\'')) => {
                chars.next();
                read_string(&mut chars, q)
            }
            Some(_) => {
                let mut k = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '$' {
                        k.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if k.is_empty() {
                    return out;
                }
                k
            }
        };
        while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
            chars.next();
        }
        if chars.next().map(|(_, c)| c) != Some(':') {
            return out;
        }
        while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
            chars.next();
        }
        let value = match chars.peek().map(|&(_, c)| c) {
            Some(q @ ('"' | '\'')) => {
                chars.next();
                read_string(&mut chars, q)
            }
            Some('{' | '[') | None => return out,
            Some(_) => {
                let mut v = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c == ',' || c == '}' {
                        break;
                    }
                    v.push(c);
                    chars.next();
                }
                v.trim().to_string()
            }
        };
        out.push((key, value));
    }
}

/// The article object of the page's JSON-LD (`NewsArticle`, `Article`, `ReportageNewsArticle`, `ClaimReview`),
/// looking inside arrays and `@graph`.
fn json_ld_article(doc: &Html) -> Option<serde_json::Value> {
    let mut candidates = Vec::new();
    for s in doc.select(&JSON_LD) {
        let text: String = s.text().collect();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(text.trim()) else { continue };
        collect_ld(v, &mut candidates);
    }
    let kind = |v: &serde_json::Value| v.get("@type").and_then(|t| t.as_str()).unwrap_or("").to_string();
    candidates
        .iter()
        .find(|v| kind(v).ends_with("Article"))
        .or_else(|| candidates.iter().find(|v| v.get("headline").is_some()))
        .cloned()
}

fn collect_ld(v: serde_json::Value, out: &mut Vec<serde_json::Value>) {
    match v {
        serde_json::Value::Array(a) => a.into_iter().for_each(|x| collect_ld(x, out)),
        serde_json::Value::Object(mut o) => {
            if let Some(g) = o.remove("@graph") {
                collect_ld(g, out);
            }
            out.push(serde_json::Value::Object(o));
        }
        _ => {}
    }
}

/// People named in JSON-LD `author`, joined by ", ". Organisations and pseudo-authors (the service itself) are
/// not authors.
fn authors(ld: &serde_json::Value) -> Option<String> {
    let a = ld.get("author")?;
    let list: Vec<&serde_json::Value> = match a {
        serde_json::Value::Array(v) => v.iter().collect(),
        other => vec![other],
    };
    let names: Vec<String> = list
        .into_iter()
        .filter_map(|x| match x {
            serde_json::Value::String(s) => Some(s.as_str()),
            serde_json::Value::Object(o) => {
                if o.get("@type").and_then(|t| t.as_str()) == Some("Organization") {
                    None
                } else {
                    o.get("name").and_then(|n| n.as_str())
                }
            }
            _ => None,
        })
        .map(collapse)
        .filter(|n| !n.is_empty() && !is_pseudo_author(n))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// "RFE/RL", "RFE/RL's Kazakh Service", "Radio Azattyk", "Current Time", "VOA", "Радио Свобода": the service,
/// not a person. Phrases match anywhere; single words ("Service", "служба") only as whole words, so that a
/// person such as "Staffan Lind" is kept.
pub fn is_pseudo_author(name: &str) -> bool {
    let n = name.to_lowercase();
    const PHRASES: [&str; 24] = [
        "rfe/rl",
        "rferl",
        "radio free europe",
        "radio liberty",
        "radio svoboda",
        "radio azattyk",
        "radio farda",
        "current time",
        "voice of america",
        "polygraph.info",
        "радио свобода",
        "радіо свобода",
        "радыё свабода",
        "радио азаттык",
        "радио фарда",
        "настоящее время",
        "слободна европа",
        "slobodna evropa",
        "evropa e lirë",
        "europa liberă",
        "szabad európa",
        "азаттык",
        "азаттық",
        "азатлык",
    ];
    const WORDS: [&str; 10] = [
        "service",
        "staff",
        "newsroom",
        "служба",
        "редакция",
        "редакція",
        "servisi",
        "shërbimi",
        "serviciul",
        "redakcija",
    ];
    let words: Vec<&str> = n.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    PHRASES.iter().any(|m| n.contains(m))
        || words.iter().any(|w| WORDS.contains(w))
        || matches!(n.trim(), "voa" | "rfe" | "rl" | "polygraph" | "ap" | "afp" | "reuters")
}

/// The id a Pangea URL ends with: `/a/<ID>.html` or `/a/<slug>/<ID>.html`.
pub fn article_id_of(url: &str) -> Option<u64> {
    let path = url.split(['?', '#']).next()?;
    let idx = path.find("/a/")?;
    let last = path[idx + 3..].rsplit('/').next()?;
    last.strip_suffix(".html")?.parse().ok()
}

/// The host of a URL, lower case, without `user@` or a port.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?.to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Asset ids of the page's own images: `og:image`, JSON-LD `image`, and `<img>` in the lead figure and the
/// body (thumbnails of other stories in "most read" boxes are not this story's images).
fn image_ids(doc: &Html, og: Option<String>, ld: Option<&serde_json::Value>) -> Vec<String> {
    let mut urls: Vec<String> = og.into_iter().collect();
    if let Some(img) = ld.and_then(|v| v.get("image")) {
        match img {
            serde_json::Value::String(s) => urls.push(s.clone()),
            serde_json::Value::Object(o) => urls.extend(o.get("url").and_then(|u| u.as_str()).map(str::to_string)),
            serde_json::Value::Array(a) => {
                urls.extend(a.iter().filter_map(|x| {
                    x.as_str().map(str::to_string).or_else(|| x.get("url")?.as_str().map(str::to_string))
                }))
            }
            _ => {}
        }
    }
    for img in doc.select(&IMG) {
        let ours = inside(img, |e| {
            e.value().name() == "figure" || e.value().id() == Some("article-content") || has_class(e, "media-pholder")
        }) && !inside(img, |e| has_class(e, "media-block") || e.value().name() == "aside");
        if ours {
            urls.extend(["src", "data-src"].iter().filter_map(|a| img.value().attr(a)).map(str::to_string));
        }
    }
    let mut ids: Vec<String> = Vec::new();
    for u in urls {
        if let Some(id) = image_asset_id(&u) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// `https://gdb.rferl.org/<GUID>_w1023_r1_s.jpg` → the GUID, lower case (the same asset is written in either
/// case on different services).
pub fn image_asset_id(url: &str) -> Option<String> {
    let host = host_of(url)?;
    if !host.starts_with("gdb.") {
        return None;
    }
    let file = url.split(['?', '#']).next()?.rsplit('/').next()?;
    let stem = file.split('_').next()?.split('.').next()?;
    let looks_like_guid = stem.len() >= 32 && stem.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    looks_like_guid.then(|| stem.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = r#"<!DOCTYPE html><html lang="ky"><head><meta charset="utf-8">
<title>Ошто жаан - Азаттык</title>
<link rel="canonical" href="https://www.azattyk.org/a/osh-floods/31234567.html">
<meta property="og:title" content="Ошто жаан жолдорду жапты">
<meta property="og:image" content="https://gdb.rferl.org/0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9_w1200_r1.jpg">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Ошто жаан жолдорду жапты",
"datePublished":"2024-05-03T09:15:00+06:00","author":[{"@type":"Person","name":"Айгүл Токтосунова"},{"@type":"Person","name":"RFE/RL's Kyrgyz Service"}]}</script>
<script>var utag_data={entity:"RFE",language:"Kyrgyz",page_type:"article",section:"Коом",english_section:"society",article_uid:"31234567",byline:""};</script>
</head><body class="nav-no-loaded pg-article">
<nav><a href="/">Башкы бет</a></nav>
<h1 class="pg-title"> Ошто жаан
 жолдорду жапты </h1>
<div class="publishing-details"><time datetime="2024-05-03T09:15:00+06:00">3-май, 2024</time></div>
<figure class="media-pholder"><img src="https://gdb.rferl.org/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9_w1023_r1_s.jpg"><figcaption>Куткаруучулар Ош шаарында.</figcaption></figure>
<div class="intro"><p>Ош облусунда катуу жаан 14 жолду жапты.</p></div>
<div id="article-content"><div class="wsw">
<p>Бийликтин айтымында, 230 адам мектептерге көчүрүлдү.</p>
<div class="wsw__embed"><div data-sp_api="pangea-video"><span>No live streaming currently available</span></div></div>
<div class="media-block also-read"><span>Окуңуз</span><a href="/a/1.html">Башка макала</a></div>
<h4 class="wsw__h4">Кийинки кадамдар</h4>
<p>Жолдор <a href="/x">жума</a> күнү ачылат.<script>track()</script></p>
<aside class="share share--box">Facebook</aside>
<div id="comments">Комментарий жазыңыз</div>
</div></div>
<section class="media-block-wrap"><img src="https://gdb.rferl.org/11111111-2222-3333-4444-555555555555_w100.jpg"><a href="/a/2.html">Эң көп окулган</a></section>
</body></html>"#;

    #[test]
    fn pangea_article_fields() {
        let e = extract_html(ARTICLE).unwrap();
        assert_eq!(e.title, "Ошто жаан жолдорду жапты");
        assert_eq!(e.caption, "Куткаруучулар Ош шаарында.");
        assert_eq!(
            e.paragraphs,
            [
                "Ош облусунда катуу жаан 14 жолду жапты.",
                "Бийликтин айтымында, 230 адам мектептерге көчүрүлдү.",
                "Кийинки кадамдар",
                "Жолдор жума күнү ачылат."
            ]
        );
        assert_eq!(e.url.as_deref(), Some("https://www.azattyk.org/a/osh-floods/31234567.html"));
        assert_eq!(e.article_id, Some(31234567));
        assert_eq!(e.service.as_deref(), Some("www.azattyk.org"));
        // 09:15 at +06:00 is 03:15 UTC.
        assert_eq!(e.published, parse_datetime("2024-05-03T03:15:00Z"));
        assert_eq!(e.author.as_deref(), Some("Айгүл Токтосунова"));
        assert_eq!(e.section.as_deref(), Some("Коом"));
        assert_eq!(e.english_section.as_deref(), Some("society"));
        assert_eq!(e.lang_hint.as_deref(), Some("Kyrgyz"));
        assert_eq!(e.image_ids, ["0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"]);
    }

    #[test]
    fn a_page_nested_too_deep_to_parse_in_time_is_malformed() {
        // The divs and the paragraph: one more than the limit.
        let n = crate::extract::shape::MAX_DEPTH;
        let page = format!("<html><body>{}<p>Deep text.</p>{}</body></html>", "<div>".repeat(n), "</div>".repeat(n));
        let (reason, detail) = extract_html(&page).unwrap_err();
        assert_eq!(reason, RejectReason::Malformed);
        assert!(detail.contains("nested more than 1000 elements deep (at byte 5012)"), "{detail}");
        // One level less is an ordinary (if odd) page.
        let ok =
            format!("<html><body>{}<p>Deep text.</p>{}</body></html>", "<div>".repeat(n - 1), "</div>".repeat(n - 1));
        assert_eq!(extract_html(&ok).unwrap().paragraphs, ["Deep text."]);
    }

    #[test]
    fn programme_pages_are_rejected_with_the_page_kind() {
        let page = r#"<html><body class="nav-no-loaded pg-media pg-prog"><h1 class="pg-title">Jutarnji program</h1>
            <div class="player"><p>No live streaming currently available</p><span>0:00</span></div></body></html>"#;
        let (reason, detail) = extract_html(page).unwrap_err();
        assert_eq!(reason, RejectReason::NotArticle);
        assert!(detail.contains("pg-media pg-prog"), "{detail}");
        let by_utag = r#"<html><body><script>var utag_data={page_type:"scheduleraudio",content_type:"audio"};</script>
            <div id="article-content"><div class="wsw"><p>x</p></div></div></body></html>"#;
        assert_eq!(extract_html(by_utag).unwrap_err().0, RejectReason::NotArticle);
    }

    #[test]
    fn fact_check_pages_are_articles_and_the_verdict_is_not_the_lead() {
        let page = r#"<html><body class="pg-fc"><h1 class="pg-title">Claim checked</h1>
            <div class="verdict"><div class="intro">Misleading</div></div>
            <div id="article-content"><div class="wsw"><p>The claim is false.</p></div></div></body></html>"#;
        let e = extract_html(page).unwrap();
        assert_eq!(e.paragraphs, ["The claim is false."]);
    }

    #[test]
    fn fallback_takes_the_densest_block_and_falls_back_for_the_title() {
        let page = r#"<html><head><title>Plain page</title></head><body>
            <div class="menu"><p><a href="/1">Home</a> <a href="/2">News</a></p></div>
            <article><p>First paragraph of the story with words.</p><p>Second paragraph, longer than the first one.</p></article>
            <footer><p>Copyright notice text that is fairly long as well, but footer.</p></footer></body></html>"#;
        let e = extract_html(page).unwrap();
        assert_eq!(e.title, "Plain page");
        assert_eq!(
            e.paragraphs,
            ["First paragraph of the story with words.", "Second paragraph, longer than the first one."]
        );
    }

    #[test]
    fn utag_parser_handles_escapes_and_bare_values() {
        let v = parse_js_object(r#"{a:"x\"y",b : 12, 'c':'d\u0041', e:""}"#);
        assert_eq!(
            v,
            [
                ("a".into(), "x\"y".into()),
                ("b".into(), "12".into()),
                ("c".into(), "dA".into()),
                ("e".into(), "".into())
            ]
        );
    }

    #[test]
    fn ids_hosts_and_pseudo_authors() {
        assert_eq!(article_id_of("https://www.svoboda.org/a/33012345.html"), Some(33012345));
        assert_eq!(article_id_of("https://www.svoboda.org/a/some-slug/33012345.html?x=1"), Some(33012345));
        assert_eq!(article_id_of("https://www.svoboda.org/z/123"), None);
        assert_eq!(host_of("https://WWW.Azattyq.org:443/a/1.html"), Some("www.azattyq.org".into()));
        assert!(is_pseudo_author("RFE/RL's Kazakh Service"));
        assert!(is_pseudo_author("RFE/RL"));
        assert!(!is_pseudo_author("Farangis Najibullah"));
        assert!(!is_pseudo_author("Staffan Lind"));
        assert!(is_pseudo_author("Русская служба Радио Свобода"));
        assert!(is_pseudo_author("Радио Азаттык"));
        assert_eq!(
            image_asset_id("https://gdb.rferl.org/ABCDEF01-2345-6789-ABCD-EF0123456789_w250_r1.png").as_deref(),
            Some("abcdef01-2345-6789-abcd-ef0123456789")
        );
        assert_eq!(image_asset_id("https://example.com/ABCDEF01-2345-6789-ABCD-EF0123456789_w250.png"), None);
    }
}

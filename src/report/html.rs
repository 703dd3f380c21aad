//! The HTML page: one self-contained file (inline CSS, inline SVG, a few lines of inline JavaScript that only
//! re-sort the matrix), readable offline on a phone or a laptop.
//!
//! Conventions the tests rely on: every bar of every chart is an SVG `<rect class="bar">` with
//! `data-chart` (the chart's id), `data-label` and `data-value`; every matrix cell with articles is a
//! `<td class="hit">` with `data-lang` and `data-value`, and every matrix row a `<tr>` with `data-story`,
//! `data-languages` and `data-articles`. Numbers are shown three ways: on the bars, in an SVG `<title>`
//! (hover or long-press) and in a data table under each chart.
//!
//! Colours come from the Okabe–Ito palette, which stays distinguishable with every common colour-vision
//! deficiency; no chart uses colour as the only carrier of meaning (each chart has one colour, and labels).

use super::figures::{Figures, CSV_FILES};
use super::tables::Tables;
use crate::write::format_float;
use std::fmt::Write;

/// Most rows the matrix shows in the page; the full matrix is always in coverage.csv.
pub const MAX_MATRIX_ROWS: usize = 1000;

const BLUE: &str = "#0072B2";
const ORANGE: &str = "#E69F00";
const GREEN: &str = "#009E73";
const VERMILLION: &str = "#D55E00";
const PURPLE: &str = "#CC79A7";
const SKY: &str = "#56B4E9";

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Shortens a label for drawing (the full text stays in the tooltip and the table).
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// One bar of a chart.
struct Bar {
    label: String,
    value: u64,
    /// Hover text (without the number, which is appended).
    what: &'static str,
}

/// A horizontal bar chart (one row per category), sized by its number of rows.
fn hbar_chart(out: &mut String, id: &str, caption: &str, bars: &[Bar], colour: &str) {
    if bars.is_empty() {
        let _ = write!(
            out,
            r#"<p class="empty" data-chart="{id}">Nothing to draw: no {caption}.</p>"#,
            caption = esc(caption)
        );
        return;
    }
    const W: f64 = 380.0;
    const ROW: f64 = 21.0;
    const BAR: f64 = 15.0;
    let longest = bars.iter().map(|b| short(&b.label, 28).chars().count()).max().unwrap_or(1) as f64;
    let label_w = (longest * 6.9 + 10.0).clamp(56.0, 190.0);
    let value_w = 44.0;
    let area = W - label_w - value_w;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(1).max(1) as f64;
    let h = ROW * bars.len() as f64 + 8.0;
    let _ = write!(
        out,
        r#"<svg class="hbar" viewBox="0 0 {W} {h}" role="img" aria-labelledby="{id}-t"><title id="{id}-t">{cap}</title>"#,
        cap = esc(caption)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let w = if b.value == 0 { 0.0 } else { (b.value as f64 / max * area).max(1.5) };
        let ty = y + BAR / 2.0 + 4.0;
        let label = esc(&b.label);
        let _ = write!(
            out,
            r#"<text class="lab" x="{lx}" y="{ty}" text-anchor="end">{short}</text><rect class="bar" data-chart="{id}" data-label="{label}" data-value="{v}" x="{label_w}" y="{y}" width="{w:.1}" height="{BAR}" fill="{colour}"><title>{label}: {v} {what}</title></rect><text class="val" x="{vx:.1}" y="{ty}">{v}</text>"#,
            lx = label_w - 6.0,
            short = esc(&short(&b.label, 28)),
            v = b.value,
            what = b.what,
            vx = label_w + w + 5.0,
        );
    }
    out.push_str("</svg>");
}

/// A column chart with an x position per bar, used for the time line and the histogram.
/// `slots` is the number of equal-width positions; each bar gives its slot. Each tick gives its position
/// in slot widths from the left edge (0.5 is the middle of the first slot, 1.0 the edge between two).
fn column_chart(
    out: &mut String,
    id: &str,
    caption: &str,
    bars: &[(usize, Bar)],
    slots: usize,
    ticks: &[(f64, String)],
    colour: &str,
) {
    if bars.is_empty() {
        let _ = write!(
            out,
            r#"<p class="empty" data-chart="{id}">Nothing to draw: no {caption}.</p>"#,
            caption = esc(caption)
        );
        return;
    }
    const W: f64 = 640.0;
    const H: f64 = 240.0;
    let (left, right, top, bottom) = (44.0, 8.0, 18.0, 30.0);
    let area_w = W - left - right;
    let area_h = H - top - bottom;
    let slot = area_w / slots.max(1) as f64;
    let bar_w = (slot * 0.8).max(1.0);
    let max = bars.iter().map(|b| b.1.value).max().unwrap_or(1).max(1) as f64;
    let _ = write!(
        out,
        r#"<svg class="cols" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t"><title id="{id}-t">{cap}</title>"#,
        cap = esc(caption)
    );
    // Axis and three gridlines with their values, so bar heights can be read without hovering.
    let mid = (max / 2.0).floor();
    let grid: Vec<f64> = if mid >= 1.0 && mid < max { vec![0.0, mid, max] } else { vec![0.0, max] };
    for v in grid {
        let y = top + area_h * (1.0 - v / max);
        let label = format!("{v}");
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="#bbb" stroke-width="0.6"/><text class="tick" x="{tx}" y="{ty:.1}" text-anchor="end">{label}</text>"##,
            x2 = W - right,
            tx = left - 4.0,
            ty = y + 4.0,
        );
    }
    let show_values = bars.len() <= 40;
    for (s, b) in bars {
        let x = left + slot * *s as f64 + (slot - bar_w) / 2.0;
        let bh = if b.value == 0 { 0.0 } else { (b.value as f64 / max * area_h).max(1.5) };
        let y = top + area_h - bh;
        let label = esc(&b.label);
        let _ = write!(
            out,
            r#"<rect class="bar" data-chart="{id}" data-label="{label}" data-value="{v}" x="{x:.2}" y="{y:.2}" width="{bar_w:.2}" height="{bh:.2}" fill="{colour}"><title>{label}: {v} {what}</title></rect>"#,
            v = b.value,
            what = b.what,
        );
        if show_values && b.value > 0 {
            let _ = write!(
                out,
                r#"<text class="val" x="{cx:.2}" y="{vy:.2}" text-anchor="middle">{v}</text>"#,
                cx = x + bar_w / 2.0,
                vy = y - 4.0,
                v = b.value
            );
        }
    }
    for (pos, t) in ticks {
        // Labels near the ends are pulled inwards (by half their width, about 3.3 units a character at this
        // size) so they are never cut off at the edge.
        let half = t.chars().count() as f64 * 3.3 + 2.0;
        let x = (left + slot * pos).clamp(half, W - half);
        let _ = write!(
            out,
            r#"<text class="tick" x="{x:.2}" y="{y}" text-anchor="middle">{t}</text>"#,
            y = H - bottom + 16.0,
            t = esc(t)
        );
    }
    out.push_str("</svg>");
}

/// A data table inside a closed `<details>`, so the page stays short on a phone.
fn data_table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    if rows.is_empty() {
        return;
    }
    out.push_str("<details><summary>Table</summary><div class=\"scroll\"><table class=\"data\"><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let class = if i > 0 && c.parse::<f64>().is_ok() { " class=\"num\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", esc(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></details>");
}

fn section_start(out: &mut String, id: &str, title: &str, note: &str) {
    let _ = write!(out, r#"<section id="{id}"><h2>{}</h2>"#, esc(title));
    if !note.is_empty() {
        let _ = write!(out, r#"<p class="note">{note}</p>"#);
    }
}

fn days_between(a: &str, b: &str) -> i64 {
    let p = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    match (p(a), p(b)) {
        (Some(x), Some(y)) => (y - x).num_days(),
        _ => 0,
    }
}

const CSS: &str = r#"
:root{color-scheme:light;--ink:#1a1a1a;--muted:#555;--line:#ddd;--bg:#fff;--soft:#f5f5f2}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:960px;margin:0 auto;padding:12px 14px 40px}
h1{font-size:1.45rem;margin:.4em 0 .2em}
h2{font-size:1.15rem;margin:1.6em 0 .3em;padding-top:.6em;border-top:1px solid var(--line)}
.note{color:var(--muted);margin:.2em 0 .6em;font-size:.92rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:8px;margin:12px 0}
.card{background:var(--soft);border-radius:6px;padding:8px 10px}
.card strong{display:block;font-size:1.35rem;font-variant-numeric:tabular-nums}
.card span{color:var(--muted);font-size:.85rem}
svg{display:block;width:100%;height:auto;font-family:inherit}
svg.hbar{max-width:580px}
svg .lab,svg .val{font-size:12px;fill:var(--ink)}
svg .tick{font-size:11px;fill:var(--muted)}
svg .val{font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
.scroll svg.cols{min-width:520px}
details{margin:.4em 0 0}
summary{cursor:pointer;color:#0b5d8f;font-size:.92rem}
table{border-collapse:collapse;font-size:.88rem}
table.data td,table.data th{border-bottom:1px solid var(--line);padding:3px 10px 3px 0;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.sort{margin:6px 0;display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.sort button{font:inherit;font-size:.88rem;padding:4px 10px;border:1px solid #888;border-radius:14px;background:#fff;cursor:pointer}
.sort button[aria-pressed="true"]{background:#0072B2;border-color:#0072B2;color:#fff}
table.matrix{font-size:.82rem}
table.matrix th,table.matrix td{border:1px solid var(--line);padding:2px 4px;text-align:center;min-width:1.9em}
table.matrix thead th.lang{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;padding:6px 2px;font-weight:600}
table.matrix .story{position:sticky;left:0;background:var(--bg);text-align:left;max-width:15em;min-width:9em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;z-index:1}
table.matrix td.hit{background:#0072B2;color:#fff;font-weight:600}
table.matrix td.miss{color:#bbb}
table.matrix td.n{font-variant-numeric:tabular-nums}
footer{margin-top:2.5em;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:.6em}
footer code{font-size:.85em;word-break:break-all}
@media (max-width:600px){body{font-size:14px}main{padding:8px 8px 30px}h1{font-size:1.25rem}.card strong{font-size:1.15rem}}
"#;

/// Re-sorts the matrix rows; `#sort=title` (or languages, articles, story) in the address picks the order on
/// load, so an ordering can be linked to. Without JavaScript the page keeps its default order (by languages).
const JS: &str = r#"
(function(){
var t=document.getElementById('coverage-matrix');if(!t)return;var b=t.tBodies[0];
var keys={
languages:function(x,y){return y.dataset.languages-x.dataset.languages||y.dataset.articles-x.dataset.articles||cmp(x.dataset.story,y.dataset.story)},
articles:function(x,y){return y.dataset.articles-x.dataset.articles||y.dataset.languages-x.dataset.languages||cmp(x.dataset.story,y.dataset.story)},
title:function(x,y){return x.dataset.title.localeCompare(y.dataset.title)||cmp(x.dataset.story,y.dataset.story)},
story:function(x,y){return cmp(x.dataset.story,y.dataset.story)}};
function cmp(a,c){return a<c?-1:a>c?1:0}
function sortBy(k){if(!keys[k])return;var r=Array.prototype.slice.call(b.rows);r.sort(keys[k]);
for(var i=0;i<r.length;i++)b.appendChild(r[i]);t.setAttribute('data-sorted',k);
var bs=document.querySelectorAll('.sort button');for(var j=0;j<bs.length;j++)bs[j].setAttribute('aria-pressed',bs[j].dataset.sort===k?'true':'false')}
var bs=document.querySelectorAll('.sort button');
for(var j=0;j<bs.length;j++)bs[j].addEventListener('click',function(){sortBy(this.dataset.sort)});
var m=/sort=(\w+)/.exec(location.hash);if(m)sortBy(m[1]);
})();
"#;

/// Renders the whole page.
pub fn render(f: &Figures, t: &Tables) -> String {
    let mut o = String::with_capacity(64 * 1024 + f.coverage.len() * (f.coverage_langs.len() * 40 + 200));
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    o.push_str("<title>rferl-corpus coverage report</title><style>");
    o.push_str(CSS);
    o.push_str("</style></head><body><main>");
    o.push_str("<h1>Corpus coverage report</h1>");
    o.push_str("<p class=\"note\">What this build of the RFE/RL corpus holds: languages, publication days, which stories each language service carried, aligned pairs, language-identification confidence, republications and rejected inputs. Hover or long-press a bar for its number; every chart has its table, and the same figures are in CSV files beside this page.</p>");

    let manifest_count =
        |k: &str| t.manifest.as_ref().and_then(|m| m.get("counts")).and_then(|c| c.get(k)).and_then(|v| v.as_u64());
    let mut cards: Vec<(String, &str)> = vec![
        (f.articles.to_string(), "articles"),
        (f.per_language.len().to_string(), "languages"),
        (f.coverage.iter().filter(|c| c.n_languages >= 2).count().to_string(), "stories in 2+ languages"),
        (f.alignments.to_string(), "aligned pairs"),
        (f.duplicates.to_string(), "republications"),
        (f.rejects.to_string(), "rejected inputs"),
    ];
    if let Some(n) = manifest_count("inputs") {
        cards.push((n.to_string(), "inputs read"));
    }
    o.push_str("<div class=\"cards\">");
    for (n, what) in &cards {
        let _ = write!(o, "<div class=\"card\"><strong>{}</strong><span>{}</span></div>", esc(n), esc(what));
    }
    o.push_str("</div>");
    if let Some(acc) =
        t.manifest.as_ref().and_then(|m| m.get("counts")).and_then(|c| c.get("accounted")).and_then(|v| v.as_bool())
    {
        let _ = write!(
            o,
            "<p class=\"note\">{}</p>",
            if acc {
                "Every input is accounted for: inputs = articles + rejects."
            } else {
                "<strong>Counts do not add up: inputs ≠ articles + rejects.</strong>"
            }
        );
    }

    // Articles per language.
    section_start(
        &mut o,
        "per_language",
        "Articles per language",
        "Articles identified as each language (republications included).",
    );
    let bars: Vec<Bar> =
        f.per_language.iter().map(|r| Bar { label: r.lang.clone(), value: r.articles, what: "articles" }).collect();
    hbar_chart(&mut o, "per_language", "articles per language", &bars, BLUE);
    let rows: Vec<Vec<String>> = f
        .per_language
        .iter()
        .map(|r| {
            vec![
                r.lang.clone(),
                r.articles.to_string(),
                r.duplicates.to_string(),
                r.in_stories.to_string(),
                r.dated.to_string(),
                r.aligned_pairs.to_string(),
                r.mean_confidence.map(format_float).unwrap_or_default(),
            ]
        })
        .collect();
    data_table(
        &mut o,
        &["language", "articles", "republications", "in stories", "dated", "aligned pairs", "mean confidence"],
        &rows,
    );
    o.push_str("</section>");

    // Articles per day.
    let mut note = String::from("Articles per UTC publication day; days without articles are left empty.");
    if f.undated > 0 || f.bad_dates > 0 {
        let _ = write!(note, " Not drawn: {} articles without a date", f.undated);
        if f.bad_dates > 0 {
            let _ = write!(note, " and {} with a date that could not be read", f.bad_dates);
        }
        note.push('.');
    }
    section_start(&mut o, "per_day", "Articles per day", &esc(&note));
    if let (Some(first), Some(last)) = (f.per_day.first(), f.per_day.last()) {
        let span = days_between(&first.day, &last.day).max(0) as usize + 1;
        let bars: Vec<(usize, Bar)> = f
            .per_day
            .iter()
            .map(|d| {
                (
                    days_between(&first.day, &d.day).max(0) as usize,
                    Bar { label: d.day.clone(), value: d.articles, what: "articles" },
                )
            })
            .collect();
        let n_ticks = span.min(6);
        let ticks: Vec<(f64, String)> = (0..n_ticks)
            .map(|i| {
                let s = if n_ticks == 1 { 0 } else { i * (span - 1) / (n_ticks - 1) };
                let day = chrono::NaiveDate::parse_from_str(&first.day, "%Y-%m-%d")
                    .map(|d| (d + chrono::Duration::days(s as i64)).format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                (s as f64 + 0.5, day)
            })
            .collect();
        o.push_str("<div class=\"scroll\">");
        column_chart(&mut o, "per_day", "articles per day", &bars, span, &ticks, SKY);
        o.push_str("</div>");
    } else {
        column_chart(&mut o, "per_day", "publication dates", &[], 1, &[], SKY);
    }
    let rows: Vec<Vec<String>> = f.per_day.iter().map(|d| vec![d.day.clone(), d.articles.to_string()]).collect();
    data_table(&mut o, &["day (UTC)", "articles"], &rows);
    o.push_str("</section>");

    // The matrix.
    let shown = f.coverage.len().min(MAX_MATRIX_ROWS);
    let mut note = String::from(
        "Which language services carried which stories (versions of one story found by the aligner). A filled cell gives the number of articles of that story in that language; an empty cell means none.",
    );
    if shown < f.coverage.len() {
        let _ = write!(note, " Showing the first {shown} of {} stories; coverage.csv has them all.", f.coverage.len());
    }
    section_start(&mut o, "coverage", "Stories × languages", &esc(&note));
    if f.coverage.is_empty() {
        o.push_str("<p class=\"empty\" data-chart=\"coverage\">Nothing to draw: no story was found in more than one version.</p>");
    } else {
        o.push_str("<div class=\"sort\" role=\"group\" aria-label=\"Sort stories\"><span>Sort by:</span><button type=\"button\" data-sort=\"languages\" aria-pressed=\"true\">number of languages</button><button type=\"button\" data-sort=\"articles\" aria-pressed=\"false\">number of articles</button><button type=\"button\" data-sort=\"title\" aria-pressed=\"false\">title</button><button type=\"button\" data-sort=\"story\" aria-pressed=\"false\">story id</button></div>");
        o.push_str("<div class=\"scroll\"><table class=\"matrix\" id=\"coverage-matrix\" data-sorted=\"languages\"><thead><tr><th class=\"story\">story</th><th title=\"languages\">langs</th>");
        for l in &f.coverage_langs {
            let _ = write!(o, "<th class=\"lang\" scope=\"col\">{}</th>", esc(l));
        }
        o.push_str("</tr></thead><tbody>");
        for c in f.coverage.iter().take(shown) {
            let _ = write!(
                o,
                "<tr data-story=\"{id}\" data-title=\"{title}\" data-languages=\"{nl}\" data-articles=\"{na}\"><th class=\"story\" scope=\"row\" title=\"{id}: {title}\">{short}</th><td class=\"n\" title=\"{na} articles\">{nl}</td>",
                id = esc(&c.story_id),
                title = esc(&c.title),
                short = esc(&short(&c.title, 60)),
                nl = c.n_languages,
                na = c.n_articles,
            );
            for (l, n) in f.coverage_langs.iter().zip(&c.cells) {
                if *n > 0 {
                    let _ = write!(
                        o,
                        "<td class=\"hit\" data-lang=\"{l}\" data-value=\"{n}\" title=\"{l}: {n}\">{n}</td>",
                        l = esc(l)
                    );
                } else {
                    o.push_str("<td class=\"miss\"></td>");
                }
            }
            o.push_str("</tr>");
        }
        o.push_str("</tbody></table></div>");
        // Distribution of stories by number of languages, as a compact summary of the matrix.
        let mut by_n: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
        for c in &f.coverage {
            *by_n.entry(c.n_languages).or_insert(0) += 1;
        }
        let bars: Vec<Bar> = by_n
            .iter()
            .rev()
            .map(|(n, k)| Bar {
                label: format!("{n} language{}", if *n == 1 { "" } else { "s" }),
                value: *k,
                what: "stories",
            })
            .collect();
        o.push_str("<p class=\"note\">Stories by the number of languages they appear in:</p>");
        hbar_chart(&mut o, "stories_by_languages", "stories by number of languages", &bars, PURPLE);
    }
    o.push_str("</section>");

    // Pairs.
    section_start(
        &mut o,
        "pairs",
        "Aligned pairs per language pair",
        "Article pairs the aligner linked as versions of one story, per pair of languages.",
    );
    let bars: Vec<Bar> = f
        .pairs
        .iter()
        .map(|p| Bar { label: format!("{} – {}", p.lang_a, p.lang_b), value: p.pairs, what: "pairs" })
        .collect();
    hbar_chart(&mut o, "pairs", "aligned pairs", &bars, GREEN);
    let rows: Vec<Vec<String>> = f
        .pairs
        .iter()
        .map(|p| {
            vec![
                p.lang_a.clone(),
                p.lang_b.clone(),
                p.pairs.to_string(),
                p.mean_score.map(format_float).unwrap_or_default(),
            ]
        })
        .collect();
    data_table(&mut o, &["language a", "language b", "pairs", "mean score"], &rows);
    o.push_str("</section>");

    // Confidence.
    let note = if f.confidence_missing > 0 {
        format!("Language-identification confidence of each article, in bins of 0.1. Not drawn: {} articles without a confidence in [0, 1].", f.confidence_missing)
    } else {
        "Language-identification confidence of each article, in bins of 0.1.".to_string()
    };
    section_start(&mut o, "confidence", "Language-identification confidence", &esc(&note));
    let bars: Vec<(usize, Bar)> = f
        .confidence
        .iter()
        .enumerate()
        .map(|(i, b)| {
            (
                i,
                Bar {
                    label: format!("{}–{}", format_float(b.low), format_float(b.high)),
                    value: b.articles,
                    what: "articles",
                },
            )
        })
        .collect();
    // Ticks on the bin edges (0.0, 0.1, … 1.0), not under the bars, so each bar sits between its bounds.
    let mut ticks: Vec<(f64, String)> =
        f.confidence.iter().enumerate().map(|(i, b)| (i as f64, format!("{:.1}", b.low))).collect();
    ticks.push((f.confidence.len() as f64, "1.0".to_string()));
    if f.articles > f.confidence_missing {
        o.push_str("<div class=\"scroll\">");
        column_chart(&mut o, "confidence", "articles per confidence bin", &bars, f.confidence.len(), &ticks, ORANGE);
        o.push_str("</div>");
    } else {
        column_chart(&mut o, "confidence", "confidence values", &[], 1, &[], ORANGE);
    }
    let rows: Vec<Vec<String>> =
        f.confidence.iter().map(|b| vec![format!("{:.1}–{:.1}", b.low, b.high), b.articles.to_string()]).collect();
    data_table(&mut o, &["confidence", "articles"], &rows);
    o.push_str("</section>");

    // Duplicates.
    section_start(
        &mut o,
        "duplicates",
        "Republications per language",
        "Articles that republish another article of the corpus (dup_of set), per language.",
    );
    let dups = f.duplicates_per_language();
    let bars: Vec<Bar> =
        dups.iter().map(|(l, n)| Bar { label: l.to_string(), value: *n, what: "republications" }).collect();
    hbar_chart(&mut o, "duplicates", "republications", &bars, VERMILLION);
    let rows: Vec<Vec<String>> = dups.iter().map(|(l, n)| vec![l.to_string(), n.to_string()]).collect();
    data_table(&mut o, &["language", "republications"], &rows);
    o.push_str("</section>");

    // Rejects.
    section_start(
        &mut o,
        "rejects",
        "Rejected inputs by reason",
        "Inputs that did not become articles, by reason (rejects.csv has each one with its detail).",
    );
    let bars: Vec<Bar> =
        f.rejects_by_reason.iter().map(|(r, n)| Bar { label: r.clone(), value: *n, what: "rejects" }).collect();
    hbar_chart(&mut o, "rejects", "rejected inputs", &bars, VERMILLION);
    let rows: Vec<Vec<String>> = f.rejects_by_reason.iter().map(|(r, n)| vec![r.clone(), n.to_string()]).collect();
    data_table(&mut o, &["reason", "rejects"], &rows);
    o.push_str("</section>");

    // Footer: the files, and where the numbers come from.
    o.push_str("<footer><p>The same figures as CSV, beside this page:</p><ul>");
    for (name, what) in CSV_FILES {
        let _ = write!(o, "<li><a href=\"{n}\">{n}</a>: {w}</li>", n = esc(name), w = esc(what));
    }
    o.push_str("</ul>");
    if let Some(m) = &t.manifest {
        let version = m.get("version").and_then(|v| v.as_str()).unwrap_or("?");
        let args: Vec<&str> = m
            .get("arguments")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        let _ = write!(
            o,
            "<p>Built by rferl-corpus {} with <code>rferl-corpus {}</code>.</p>",
            esc(version),
            esc(&args.join(" "))
        );
    }
    o.push_str("<p>Made by <code>rferl-corpus report</code> from articles.csv, stories.csv, alignments.csv, rejects.csv and manifest.json.</p></footer>");
    o.push_str("</main><script>");
    o.push_str(JS);
    o.push_str("</script></body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::super::figures::compute;
    use super::super::tables::{ArticleRow, RejectRow, StoryRow};
    use super::*;

    fn article(id: &str, lang: &str, story: &str, title: &str) -> ArticleRow {
        ArticleRow {
            doc_id: id.into(),
            lang: lang.into(),
            lang_confidence: Some(0.9),
            story_id: story.into(),
            published: "2024-05-09T10:00:00Z".into(),
            title: title.into(),
            ..Default::default()
        }
    }

    /// The attribute values of every `<rect class="bar" data-chart="{chart}" ...>`.
    fn bars(html: &str, chart: &str) -> Vec<(String, String)> {
        let needle = format!("<rect class=\"bar\" data-chart=\"{chart}\" ");
        html.match_indices(&needle)
            .map(|(i, _)| {
                let rest = &html[i..];
                let attr = |name: &str| {
                    let key = format!("{name}=\"");
                    let s = rest.find(&key).unwrap() + key.len();
                    rest[s..s + rest[s..].find('"').unwrap()].to_string()
                };
                (attr("data-label"), attr("data-value"))
            })
            .collect()
    }

    #[test]
    fn escapes_hostile_titles() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'q'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
        );
        let t = Tables {
            articles: vec![
                article("1", "eng_Latn", "s1", "<script>alert(1)</script>"),
                article("2", "rus_Cyrl", "s1", "x"),
            ],
            stories: vec![StoryRow { story_id: "s1".into(), title: "\"><img src=x onerror=alert(1)>".into() }],
            ..Default::default()
        };
        let html = render(&compute(&t), &t);
        assert!(!html.contains("<img"), "a title must never become markup");
        assert!(!html.contains("<script>alert"));
        assert_eq!(html.matches("<script>").count(), 1, "only the page's own sorting script");
    }

    #[test]
    fn every_bar_carries_its_label_and_value() {
        let t = Tables {
            articles: vec![
                article("1", "eng_Latn", "s1", "a"),
                article("2", "rus_Cyrl", "s1", "b"),
                article("3", "rus_Cyrl", "", "c"),
            ],
            rejects: vec![RejectRow { reason: "binary".into() }],
            ..Default::default()
        };
        let html = render(&compute(&t), &t);
        assert_eq!(bars(&html, "per_language"), vec![("rus_Cyrl".into(), "2".into()), ("eng_Latn".into(), "1".into())]);
        assert_eq!(bars(&html, "per_day"), vec![("2024-05-09".into(), "3".into())]);
        assert_eq!(bars(&html, "rejects"), vec![("binary".into(), "1".into())]);
        assert_eq!(bars(&html, "confidence").len(), 10);
        assert!(bars(&html, "pairs").is_empty());
        assert!(html.contains("<p class=\"empty\" data-chart=\"pairs\">"));
        assert_eq!(html.matches("<td class=\"hit\"").count(), 2);
        assert!(html.contains("<tr data-story=\"s1\" data-title=\"a\" data-languages=\"2\" data-articles=\"2\">"));
    }

    #[test]
    fn self_contained_and_deterministic() {
        let t = Tables { articles: vec![article("1", "eng_Latn", "", "a")], ..Default::default() };
        let a = render(&compute(&t), &t);
        let b = render(&compute(&t), &t);
        assert_eq!(a, b);
        for external in ["http://", "https://", "<link", "src=", "@import", "url("] {
            assert!(!a.contains(external), "the page must load nothing: found {external}");
        }
    }

    #[test]
    fn matrix_is_capped_but_csv_is_not() {
        let mut articles = Vec::new();
        for i in 0..(MAX_MATRIX_ROWS + 5) {
            articles.push(article(&format!("a{i}"), "eng_Latn", &format!("s{i:05}"), "t"));
            articles.push(article(&format!("b{i}"), "rus_Cyrl", &format!("s{i:05}"), "t"));
        }
        let t = Tables { articles, ..Default::default() };
        let f = compute(&t);
        assert_eq!(f.coverage.len(), MAX_MATRIX_ROWS + 5);
        let html = render(&f, &t);
        assert_eq!(html.matches("<tr data-story=").count(), MAX_MATRIX_ROWS);
        assert!(html.contains(&format!("Showing the first {MAX_MATRIX_ROWS} of {} stories", MAX_MATRIX_ROWS + 5)));
    }
}

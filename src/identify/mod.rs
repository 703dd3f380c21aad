//! Language identification: which language (FLORES-200 code) and script an article is in, how
//! sure we are, and — for mixed text — which languages share it.
//!
//! Design:
//! 1. One pass over the text (per line/paragraph) counts letters per script and collects additive
//!    features for the three script groups with several candidate languages (Latin, Cyrillic,
//!    Arabic): telling letters and bigrams, and frequent words (`text.rs`).
//! 2. The dominant script narrows the candidates: Armenian → hye_Armn, Georgian → kat_Geor
//!    directly; Latin/Cyrillic/Arabic are scored by the own model (`model.rs`), whose knowledge is
//!    hand-written per language in `profiles.rs` (alphabets, letter shares, function words,
//!    spelling variants). Modelled look-alikes that are not service languages (Turkish, Polish,
//!    German, Czech, Slovak, Slovene, Mongolian, Arabic, Uyghur, Urdu, Sorani, South Azerbaijani)
//!    get their own codes; text that fits no profile falls to an "other" pseudo-language and
//!    is named by whatlang when whatlang knows a non-service language, else "und".
//! 3. When the own model stays unsure between languages lingua knows, lingua (high accuracy, on a
//!    bounded prefix) re-weighs those candidates. This keeps lingua off most of the text.
//! 4. Confidence is the model's posterior, tempered so that it is calibrated (see docs/langid.md
//!    for the reliability table). Mixed-language shares come from scoring each paragraph alone.

mod model;
mod profiles;
mod text;

use model::GroupModel;
use profiles::Group;
use std::io::{BufRead, Write};
use std::sync::OnceLock;
use text::{group_index, segment_features, Script, SegmentFeatures};

#[derive(Debug, Clone, PartialEq)]
pub struct LangGuess {
    /// FLORES-200 code e.g. "kir_Cyrl"; "und" when unknown.
    pub lang: String,
    /// ISO 15924 of the dominant script: "Latn","Cyrl","Arab","Armn","Geor", other, or "Zyyy".
    pub script: String,
    /// Calibrated probability in `[0, 1]` that `lang` is right (0 for "und").
    pub confidence: f64,
    /// Second-best label, "" if none.
    pub runner_up: String,
    /// Mixed-language shares, e.g. "ukr_Cyrl:0.82 rus_Cyrl:0.18"; single language "ukr_Cyrl:1.00".
    pub languages: String,
}

/// The languages of the RFE/RL services: the only labels that need positive evidence from the
/// own profiles; a text is never given one of these by a fallback.
pub const SERVICE_LANGS: &[&str] = &[
    "eng_Latn", "rus_Cyrl", "ukr_Cyrl", "bel_Cyrl", "kaz_Cyrl", "kaz_Latn", "kir_Cyrl", "uzn_Latn", "uzn_Cyrl",
    "tgk_Cyrl", "tuk_Latn", "tat_Cyrl", "bak_Cyrl", "azj_Latn", "hye_Armn", "kat_Geor", "ron_Latn", "bos_Latn",
    "srp_Cyrl", "srp_Latn", "hrv_Latn", "cnr_Latn", "als_Latn", "mkd_Cyrl", "bul_Cyrl", "hun_Latn", "pes_Arab",
    "prs_Arab", "pbt_Arab", "crh_Latn", "che_Cyrl", "ava_Cyrl",
];

/// Languages so close that a paragraph-level disagreement inside them is noise, not mixing.
const CLUSTERS: &[&[&str]] = &[&["bos_Latn", "hrv_Latn", "srp_Latn", "cnr_Latn"], &["pes_Arab", "prs_Arab"]];

/// Multiplier on log-likelihoods before the softmax: the features are not independent, so the
/// raw posterior is overconfident. Chosen from the reliability table (docs/langid.md).
const TEMPER: f64 = 0.5;
/// Paragraphs shorter than this (letters) are not judged on their own for the shares.
const MIN_SEGMENT_LETTERS: u32 = 40;
/// A paragraph is credited to another language than the whole text only when this sure.
const SEGMENT_SURE: f64 = 0.9;

struct Engine {
    models: [GroupModel; 3],
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine {
        models: [model::build(Group::Latin), model::build(Group::Cyrillic), model::build(Group::Arabic)],
    })
}

fn is_service(code: &str) -> bool {
    SERVICE_LANGS.contains(&code)
}

/// The languages that `code` is easily confused with, itself included (Bosnian, Croatian, Serbian in Latin
/// script and Montenegrin; Persian and Dari), or `None`: later stages need not trust a label inside a group.
pub fn confusable_group(code: &str) -> Option<&'static [&'static str]> {
    CLUSTERS.iter().copied().find(|c| c.contains(&code))
}

fn same_cluster(a: &str, b: &str) -> bool {
    a == b || CLUSTERS.iter().any(|c| c.contains(&a) && c.contains(&b))
}

/// The own model's verdict on some features of one group.
struct Verdict {
    /// (label, probability) sorted best first; label "" stands for "other".
    ranked: Vec<(&'static str, f64)>,
}

fn softmax_ranked(m: &GroupModel, scores: &[f64]) -> Verdict {
    let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scores.iter().map(|s| ((s - max) * TEMPER).exp()).collect();
    let z: f64 = exps.iter().sum();
    let mut ranked: Vec<(&'static str, f64)> =
        m.codes.iter().zip(&exps).map(|(c, e)| (c.unwrap_or(""), e / z)).collect();
    // stable sort keeps profile order on ties: deterministic
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    Verdict { ranked }
}

fn verdict(eng: &Engine, g: Group, f: &model::Features) -> Verdict {
    let m = &eng.models[group_index(g)];
    softmax_ranked(m, &m.score(f))
}

/// Texts with combining marks are composed first so that й, ё, ў... typed decomposed still match.
fn compose(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    let has_marks = text.chars().any(|c| matches!(c as u32, 0x300..=0x36F));
    if has_marks {
        std::borrow::Cow::Owned(text.nfc().collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Label for a script without a candidate model.
fn direct_label(s: Script) -> &'static str {
    match s {
        Script::Armenian => "hye_Armn",
        Script::Georgian => "kat_Geor",
        _ => "",
    }
}

/// whatlang's opinion mapped to a FLORES code, for text no profile fits.
fn whatlang_label(text: &str) -> Option<(&'static str, f64)> {
    let info = whatlang::detect(text)?;
    let code = whatlang_code(info.lang(), info.script())?;
    Some((code, info.confidence()))
}

fn whatlang_code(l: whatlang::Lang, s: whatlang::Script) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match l {
        Epo => "epo_Latn",
        Eng => "eng_Latn",
        Rus => "rus_Cyrl",
        Cmn => "zho_Hans",
        Spa => "spa_Latn",
        Por => "por_Latn",
        Ita => "ita_Latn",
        Ben => "ben_Beng",
        Fra => "fra_Latn",
        Deu => "deu_Latn",
        Ukr => "ukr_Cyrl",
        Kat => "kat_Geor",
        Ara => "arb_Arab",
        Hin => "hin_Deva",
        Jpn => "jpn_Jpan",
        Heb => "heb_Hebr",
        Yid => "ydd_Hebr",
        Pol => "pol_Latn",
        Amh => "amh_Ethi",
        Jav => "jav_Latn",
        Kor => "kor_Hang",
        Nob => "nob_Latn",
        Dan => "dan_Latn",
        Swe => "swe_Latn",
        Fin => "fin_Latn",
        Tur => "tur_Latn",
        Nld => "nld_Latn",
        Hun => "hun_Latn",
        Ces => "ces_Latn",
        Ell => "ell_Grek",
        Bul => "bul_Cyrl",
        Bel => "bel_Cyrl",
        Mar => "mar_Deva",
        Kan => "kan_Knda",
        Ron => "ron_Latn",
        Slv => "slv_Latn",
        Hrv => "hrv_Latn",
        Srp => {
            if s == whatlang::Script::Latin {
                "srp_Latn"
            } else {
                "srp_Cyrl"
            }
        }
        Mkd => "mkd_Cyrl",
        Lit => "lit_Latn",
        Lav => "lvs_Latn",
        Est => "est_Latn",
        Tam => "tam_Taml",
        Vie => "vie_Latn",
        Urd => "urd_Arab",
        Tha => "tha_Thai",
        Guj => "guj_Gujr",
        Uzb => "uzn_Latn",
        Pan => "pan_Guru",
        Aze => "azj_Latn",
        Ind => "ind_Latn",
        Tel => "tel_Telu",
        Pes => "pes_Arab",
        Mal => "mal_Mlym",
        Ori => "ory_Orya",
        Mya => "mya_Mymr",
        Nep => "npi_Deva",
        Sin => "sin_Sinh",
        Khm => "khm_Khmr",
        Tuk => "tuk_Latn",
        Aka => "aka_Latn",
        Zul => "zul_Latn",
        Sna => "sna_Latn",
        Afr => "afr_Latn",
        Lat => "lat_Latn",
        Slk => "slk_Latn",
        Cat => "cat_Latn",
        Tgl => "tgl_Latn",
        Hye => "hye_Armn",
    })
}

/// A label for "other" text: whatlang's guess unless that is a service language (which the own
/// profiles just rejected), then "und".
fn other_label(text: &str) -> &'static str {
    match whatlang_label(text) {
        Some((code, _)) if !is_service(code) => code,
        _ => "und",
    }
}

fn und(script: &str) -> LangGuess {
    LangGuess {
        lang: "und".to_string(),
        script: script.to_string(),
        confidence: 0.0,
        runner_up: String::new(),
        languages: "und:1.00".to_string(),
    }
}

/// Identify the language of `text`. Thread-safe; models are built once on first use.
pub fn identify(text: &str) -> LangGuess {
    identify_with(text, &[])
}

/// [`identify`] with a prior: the languages the source says it is in (a page's declared language, its
/// service's languages; see [`crate::services`]). The prior splits a look-alike cluster the text points to
/// (Bosnian against Croatian, Persian against Dari), where most short texts carry no telling word; it never
/// moves the text out of that cluster. An empty `favoured` is no prior.
pub fn identify_with(text: &str, favoured: &[&str]) -> LangGuess {
    let eng = engine();
    let text = compose(text);
    let segs: Vec<SegmentFeatures> =
        text.split('\n').map(|line| segment_features(&eng.models, line)).filter(|s| s.total_letters() > 0).collect();
    if segs.is_empty() {
        return und("Zyyy");
    }
    let mut total = SegmentFeatures {
        script_letters: [0; text::N_SCRIPTS],
        groups: [eng.models[0].new_features(), eng.models[1].new_features(), eng.models[2].new_features()],
    };
    for s in &segs {
        for (a, b) in total.script_letters.iter_mut().zip(&s.script_letters) {
            *a += *b;
        }
        for (a, b) in total.groups.iter_mut().zip(&s.groups) {
            a.add(b);
        }
    }
    let script = total.dominant_script().expect("letters > 0");
    let (lang, confidence, runner_up) = decide(eng, script, &total, &text, favoured);

    // Shares: paragraphs judged alone, weighted by letters.
    let mut shares: Vec<(String, u64)> = Vec::new();
    let mut credit = |label: &str, n: u64| {
        if let Some(e) = shares.iter_mut().find(|(l, _)| l == label) {
            e.1 += n;
        } else {
            shares.push((label.to_string(), n));
        }
    };
    for s in &segs {
        let n = s.total_letters();
        let mut label: &str = &lang;
        if n >= MIN_SEGMENT_LETTERS {
            let ss = s.dominant_script().expect("letters > 0");
            let own = match ss.group() {
                Some(g) => {
                    let v = verdict(eng, g, &s.groups[group_index(g)]);
                    let (l, p) = v.ranked[0];
                    (p >= SEGMENT_SURE && !l.is_empty()).then_some(l)
                }
                None => Some(direct_label(ss)).filter(|l| !l.is_empty()),
            };
            if let Some(l) = own {
                if !same_cluster(l, &lang) {
                    label = l;
                }
            }
        }
        credit(label, n as u64);
    }
    let sum: u64 = shares.iter().map(|(_, n)| n).sum();
    shares.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let languages = shares
        .iter()
        .map(|(l, n)| (l, *n as f64 / sum as f64))
        .filter(|(_, f)| *f >= 0.005)
        .map(|(l, f)| format!("{l}:{f:.2}"))
        .collect::<Vec<_>>()
        .join(" ");

    LangGuess { lang: lang.to_string(), script: script.iso().to_string(), confidence, runner_up, languages }
}

/// The whole-text decision: (label, confidence, runner-up).
fn decide(
    eng: &Engine,
    script: Script,
    total: &SegmentFeatures,
    text: &str,
    favoured: &[&str],
) -> (String, f64, String) {
    let letters = total.script_letters[script as usize];
    match script.group() {
        None => {
            let direct = direct_label(script);
            if !direct.is_empty() {
                // The script alone decides; only very short text leaves doubt.
                let conf = 1.0 - 0.5 / (1.0 + letters as f64);
                return (direct.to_string(), conf, String::new());
            }
            match whatlang_label(text) {
                Some((code, conf)) if !is_service(code) => (code.to_string(), conf.clamp(0.0, 1.0), String::new()),
                _ => ("und".to_string(), 0.0, String::new()),
            }
        }
        Some(g) => {
            let mut v = verdict(eng, g, &total.groups[group_index(g)]);
            tie_break(&mut v, g, text);
            favour(&mut v, favoured);
            let (top, p) = v.ranked[0];
            let runner = v.ranked.get(1).map(|r| r.0).unwrap_or("");
            let runner = if runner.is_empty() { "und".to_string() } else { runner.to_string() };
            if top.is_empty() {
                let label = other_label(text);
                let conf = if label == "und" { 0.0 } else { p };
                return (label.to_string(), conf, runner);
            }
            (top.to_string(), p, runner)
        }
    }
}

/// Prior odds for the languages a source names inside a look-alike cluster: the text must be this many
/// times surer of another member to keep it. 20:1 lets a declaration decide what the text leaves open
/// (look-alike verdicts on short articles sit between 0.3 and 0.8) and lets a text that is ≥ 95% sure of
/// another member (a telling word or two) overrule a wrong declaration.
const PRIOR_ODDS: f64 = 20.0;

/// Re-weighs the members of the leading label's look-alike cluster by the source's prior, when the prior
/// names some of them but not all (naming the whole cluster says nothing about the split).
fn favour(v: &mut Verdict, favoured: &[&str]) {
    let Some(cluster) = confusable_group(v.ranked[0].0) else { return };
    let named = cluster.iter().filter(|l| favoured.contains(l)).count();
    if named == 0 || named == cluster.len() {
        return;
    }
    for (l, p) in v.ranked.iter_mut() {
        if cluster.contains(l) && favoured.contains(l) {
            *p *= PRIOR_ODDS;
        }
    }
    let z: f64 = v.ranked.iter().map(|r| r.1).sum();
    for r in v.ranked.iter_mut() {
        r.1 /= z;
    }
    v.ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
}

/// Own answers less sure than this are re-weighed by lingua when lingua knows the top candidates.
const LINGUA_BELOW: f64 = 0.95;
/// Candidates with less probability than this are left out of the re-weighing.
const LINGUA_MIN_CANDIDATE: f64 = 0.01;
/// Characters lingua reads: its cost grows with the text, and a prefix decides between two close languages
/// as well as the whole article does.
const LINGUA_PREFIX_CHARS: usize = 600;

/// What lingua can judge a label as: the lingua languages whose confidences together speak for it. Most
/// labels are one lingua language. The four Serbo-Croatian standards are one *cluster* to lingua: it judges
/// the cluster (its Bosnian + Croatian) against Slovene, Czech or English, and the own model keeps the split
/// inside it, because lingua leans to Croatian (FLORES devtest Bosnian: lingua 0.36, own model 0.77) and
/// re-weighing the pair with it cost Bosnian more than it gave Croatian (0.35 / 0.87 against 0.77 / 0.54;
/// tempered, power 0.2–1: bos 0.40–0.35, hrv 0.84–0.87). Dari (lingua: Persian) is left to the own model:
/// lingua would only ever say Persian.
fn lingua_key(code: &str) -> Option<&'static [lingua::Language]> {
    use lingua::Language::*;
    Some(match code {
        "eng_Latn" => &[English],
        "azj_Latn" => &[Azerbaijani],
        "ron_Latn" => &[Romanian],
        "als_Latn" => &[Albanian],
        "hun_Latn" => &[Hungarian],
        "tur_Latn" => &[Turkish],
        "pol_Latn" => &[Polish],
        "deu_Latn" => &[German],
        "slv_Latn" => &[Slovene],
        "spa_Latn" => &[Spanish],
        "ita_Latn" => &[Italian],
        "por_Latn" => &[Portuguese],
        "ces_Latn" => &[Czech],
        "slk_Latn" => &[Slovak],
        "nld_Latn" => &[Dutch],
        "bos_Latn" | "hrv_Latn" | "srp_Latn" | "cnr_Latn" => &[Bosnian, Croatian],
        "rus_Cyrl" => &[Russian],
        "ukr_Cyrl" => &[Ukrainian],
        "bel_Cyrl" => &[Belarusian],
        "kaz_Cyrl" => &[Kazakh],
        "srp_Cyrl" => &[Serbian],
        "mkd_Cyrl" => &[Macedonian],
        "bul_Cyrl" => &[Bulgarian],
        "khk_Cyrl" => &[Mongolian],
        "pes_Arab" => &[Persian],
        "arb_Arab" => &[Arabic],
        _ => return None,
    })
}

/// One lingua detector per script group, built (lazily, models loaded on first use) from the languages of
/// that group only: lingua then scores a handful of languages, not all it has.
fn lingua_for(g: Group) -> &'static lingua::LanguageDetector {
    use lingua::Language::*;
    static DETECTORS: [OnceLock<lingua::LanguageDetector>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    DETECTORS[group_index(g)].get_or_init(|| {
        let langs: &[lingua::Language] = match g {
            Group::Latin => &[
                English,
                Azerbaijani,
                Romanian,
                Albanian,
                Hungarian,
                Turkish,
                Polish,
                German,
                Bosnian,
                Croatian,
                Slovene,
                Spanish,
                Italian,
                Portuguese,
                Czech,
                Slovak,
                Dutch,
            ],
            Group::Cyrillic => &[Russian, Ukrainian, Belarusian, Kazakh, Serbian, Macedonian, Bulgarian, Mongolian],
            Group::Arabic => &[Persian, Arabic],
        };
        lingua::LanguageDetectorBuilder::from_languages(langs).build()
    })
}

/// Step 3 of the design: when the own model is unsure and lingua knows the leading candidates, lingua's
/// confidences re-weigh them. The probability mass of the candidates lingua knows stays theirs (lingua
/// cannot speak for Kyrgyz or Dari), shared out in proportion to own × lingua, per lingua key (a cluster's
/// members keep their own proportions). A look-alike that is no service language (Slovene, Spanish ...) is
/// checked however sure the own model is, as long as a service language is still a candidate: our profiles
/// of those languages are thin, and claiming a service article as Slovene loses it from the corpus's view.
fn tie_break(v: &mut Verdict, g: Group, text: &str) {
    let (top, p) = v.ranked[0];
    if lingua_key(top).is_none() || (p >= LINGUA_BELOW && is_service(top)) {
        return;
    }
    let known: Vec<(usize, &'static [lingua::Language])> = (0..v.ranked.len())
        .filter(|&i| v.ranked[i].1 >= LINGUA_MIN_CANDIDATE)
        .filter_map(|i| lingua_key(v.ranked[i].0).map(|k| (i, k)))
        .collect();
    let mut keys: Vec<&'static [lingua::Language]> = Vec::new();
    for (_, k) in &known {
        if !keys.contains(k) {
            keys.push(k);
        }
    }
    if keys.len() < 2 || (!is_service(top) && !known.iter().any(|&(i, _)| is_service(v.ranked[i].0))) {
        return;
    }
    let end = text.char_indices().nth(LINGUA_PREFIX_CHARS).map_or(text.len(), |(i, _)| i);
    let values = lingua_for(g).compute_language_confidence_values(&text[..end]);
    let lingua_p = |key: &[lingua::Language]| -> f64 {
        // lingua's sums run in hash-map order, so its values wobble in the last bits from call to call;
        // rounded to 1e-6 they are the same every run (our output must not change for no reason).
        key.iter().map(|l| values.iter().find(|(x, _)| x == l).map_or(0.0, |(_, c)| (c * 1e6).round() / 1e6)).sum()
    };
    let own: Vec<f64> =
        keys.iter().map(|k| known.iter().filter(|(_, kk)| kk == k).map(|&(i, _)| v.ranked[i].1).sum()).collect();
    let joint: Vec<f64> = keys.iter().zip(&own).map(|(k, m)| m * lingua_p(k)).collect();
    let (mass, z): (f64, f64) = (own.iter().sum(), joint.iter().sum());
    if z <= 0.0 {
        return;
    }
    for &(i, k) in &known {
        let j = keys.iter().position(|kk| *kk == k).expect("listed");
        v.ranked[i].1 *= mass * joint[j] / z / own[j];
    }
    v.ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
}

/// Engines for `rferl-corpus detect`.
fn lingua_all() -> &'static lingua::LanguageDetector {
    static L: OnceLock<lingua::LanguageDetector> = OnceLock::new();
    L.get_or_init(|| lingua::LanguageDetectorBuilder::from_all_languages().build())
}

fn lingua_code(l: lingua::Language) -> &'static str {
    use lingua::Language::*;
    match l {
        English => "eng_Latn",
        Russian => "rus_Cyrl",
        Ukrainian => "ukr_Cyrl",
        Belarusian => "bel_Cyrl",
        Kazakh => "kaz_Cyrl",
        Azerbaijani => "azj_Latn",
        Armenian => "hye_Armn",
        Georgian => "kat_Geor",
        Romanian => "ron_Latn",
        Bosnian => "bos_Latn",
        Serbian => "srp_Cyrl",
        Croatian => "hrv_Latn",
        Albanian => "als_Latn",
        Macedonian => "mkd_Cyrl",
        Bulgarian => "bul_Cyrl",
        Hungarian => "hun_Latn",
        Persian => "pes_Arab",
        Turkish => "tur_Latn",
        Mongolian => "khk_Cyrl",
        Arabic => "arb_Arab",
        Polish => "pol_Latn",
        German => "deu_Latn",
        Slovene => "slv_Latn",
        Spanish => "spa_Latn",
        Italian => "ita_Latn",
        Portuguese => "por_Latn",
        Czech => "ces_Latn",
        Slovak => "slk_Latn",
        Dutch => "nld_Latn",
        #[allow(unreachable_patterns)]
        _ => "und",
    }
}

fn detect_with(engine: &str, text: &str) -> anyhow::Result<(String, f64)> {
    Ok(match engine {
        "ours" => {
            let g = identify(text);
            (g.lang, g.confidence)
        }
        "lingua" => {
            let d = lingua_all();
            let vals = d.compute_language_confidence_values(text);
            match vals.first() {
                Some((l, c)) if *c > 0.0 => (lingua_code(*l).to_string(), *c),
                _ => ("und".to_string(), 0.0),
            }
        }
        "whatlang" => match whatlang_label(text) {
            Some((code, c)) => (code.to_string(), c),
            None => ("und".to_string(), 0.0),
        },
        other => anyhow::bail!("unknown engine {other:?} (expected ours, lingua or whatlang)"),
    })
}

/// The `rferl-corpus detect` subcommand: reads lines from the files (or stdin when `inputs` is
/// empty) and prints `lang<TAB>confidence` per line in order; with per_file, one line
/// `path<TAB>lang<TAB>confidence` per file. engine: "ours" (default), "lingua", "whatlang".
pub fn run_detect(
    inputs: &[std::path::PathBuf],
    per_file: bool,
    engine: &str,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use anyhow::Context;
    // validate the engine before reading anything
    detect_with(engine, "")?;
    let emit_lines = |reader: &mut dyn BufRead, out: &mut dyn Write| -> anyhow::Result<()> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            let line = String::from_utf8_lossy(&buf);
            let line = line.trim_end_matches(['\n', '\r']);
            let (l, c) = detect_with(engine, line)?;
            writeln!(out, "{l}\t{c:.4}")?;
        }
        Ok(())
    };
    if inputs.is_empty() {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        if per_file {
            let mut s = Vec::new();
            std::io::Read::read_to_end(&mut lock, &mut s)?;
            let (l, c) = detect_with(engine, &String::from_utf8_lossy(&s))?;
            writeln!(out, "-\t{l}\t{c:.4}")?;
        } else {
            emit_lines(&mut lock, out)?;
        }
        return Ok(());
    }
    for path in inputs {
        if per_file {
            let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let (l, c) = detect_with(engine, &String::from_utf8_lossy(&bytes))?;
            writeln!(out, "{}\t{l}\t{c:.4}", path.display())?;
        } else {
            let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
            let mut r = std::io::BufReader::new(f);
            emit_lines(&mut r, out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

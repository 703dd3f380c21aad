//! Bytes to text: BOMs, UTF-8, UTF-16, legacy single-byte encodings, and the line between "text in an
//! encoding we recognised" and "bytes that are not text in any encoding".
//!
//! The order of decisions, first match wins:
//! 1. only white space → `empty`;
//! 2. a byte order mark (UTF-8, UTF-16LE/BE);
//! 3. UTF-16 without a BOM, recognised by one byte parity holding few distinct values (the high bytes of one
//!    script's code points) — tried only when the bytes contain NULs or are not UTF-8;
//! 4. too many control bytes → `binary`;
//! 5. valid UTF-8, or UTF-8 with a few broken sequences (a stray byte, a character cut at the end), which are
//!    dropped;
//! 6. a declared encoding (HTML `<meta charset>`, an HTTP `Content-Type` charset) that decodes cleanly;
//! 7. `chardetng`'s guess (windows-1251, KOI8, windows-1256, ISO-8859-x, ...).
//!
//! Steps 3, 6 and 7 can turn any bytes into *some* characters, so their result must also pass
//! [`plausibility`]: mostly letters, of one dominant script, in words of a human length, without case flipping
//! inside words, and (in alphabets that write vowels) with vowels in most words. Random bytes fail it and
//! become `invalid_encoding` rejects instead of articles of mojibake.

use crate::model::RejectReason;
use encoding_rs::Encoding;

/// Share of control bytes (C0 other than tab, newline, carriage return, form feed; and NUL) above which a
/// file is taken for binary rather than text with a few stray bytes.
const MAX_CONTROL_SHARE: f64 = 0.01;

/// How much of a file the detectors look at; enough to decide, cheap on large files.
const SAMPLE: usize = 1 << 16;

/// Decodes a whole file to text. Returns the text and the name of the encoding used, or a reject reason
/// with a detail for the `rejects` table.
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), (RejectReason, String)> {
    decode_declared(bytes, None)
}

/// Decodes an HTML page: like [`decode_text`], with the page's own `<meta charset>` (or an HTTP charset the
/// caller passes in `declared`, which wins) taken into account.
pub fn decode_html(
    bytes: &[u8],
    declared: Option<&'static Encoding>,
) -> Result<(String, &'static str), (RejectReason, String)> {
    decode_declared(bytes, declared.or_else(|| sniff_meta_charset(bytes)))
}

/// Decodes with an optional declared encoding (see the module docs for the order of decisions).
pub fn decode_declared(
    bytes: &[u8],
    declared: Option<&'static Encoding>,
) -> Result<(String, &'static str), (RejectReason, String)> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err((RejectReason::Empty, format!("{} bytes, only white space", bytes.len())));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest).map(|s| (s, "utf-8"));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
        let (text, _, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err((RejectReason::InvalidEncoding, format!("{} with a BOM, but not valid", enc.name())));
        }
        return Ok((text.into_owned(), name_of(enc)));
    }
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    // Validated once: on Cyrillic or Arabic text validation costs several instructions per byte.
    let valid = std::str::from_utf8(bytes);
    if sample.contains(&0) || valid.is_err() {
        if let Some(enc) = sniff_utf16(sample) {
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if !had_errors && plausibility(&text).is_ok() {
                return Ok((text.into_owned(), name_of(enc)));
            }
        }
    }
    let controls = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)).count();
    if controls as f64 > MAX_CONTROL_SHARE * sample.len() as f64 {
        return Err((
            RejectReason::Binary,
            format!("{controls} control bytes in the first {} bytes: not text", sample.len()),
        ));
    }
    if let Ok(text) = valid {
        return Ok((without_nul(text), "utf-8"));
    }
    let bad_at = valid.err().map(|e| e.valid_up_to()).unwrap_or(0);
    if mostly_utf8(bytes) {
        // UTF-8 with a few broken sequences (a cut at the end, a stray byte): the text is UTF-8, the damage is
        // dropped rather than the article, or the whole file misread as a legacy encoding.
        return Ok((String::from_utf8_lossy(bytes).replace(['\u{FFFD}', '\0'], ""), "utf-8"));
    }
    // A declaration of UTF-8 on bytes that are not UTF-8 is a mislabel: detection decides then. Another
    // declaration stands in for `chardetng`'s guess: kept unless another code page reads the bytes better (a
    // CMS that labels every page `iso-8859-1` whatever it wrote them in).
    if let Some(declared) = declared.filter(|e| *e != encoding_rs::UTF_8) {
        let enc = best_reading(declared, sample);
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors && plausibility(&text).is_ok() {
            return Ok((text.replace('\0', ""), name_of(enc)));
        }
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    let guess = refine_koi8(det.guess(None, false), bytes);
    let chosen = best_reading(guess, sample);
    let (text, had_errors) = chosen.decode_without_bom_handling(bytes);
    if had_errors {
        return Err((
            RejectReason::InvalidEncoding,
            format!(
                "not valid UTF-8 (first bad byte at offset {bad_at}); the best legacy guess, {}, does not decode it either",
                chosen.name()
            ),
        ));
    }
    match plausibility(&text) {
        Ok(()) => Ok((text.replace('\0', ""), name_of(chosen))),
        Err(why) => Err((
            RejectReason::InvalidEncoding,
            format!(
                "not valid UTF-8 (first bad byte at offset {bad_at}); decoded as {} it is not text in any language ({why})",
                chosen.name()
            ),
        )),
    }
}

/// Stray NULs in otherwise good text are dropped rather than rejecting the article.
fn without_nul(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "")
    } else {
        s.to_owned()
    }
}

fn utf8(bytes: &[u8]) -> Result<String, (RejectReason, String)> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(without_nul(s)),
        Err(e) => Err((
            RejectReason::InvalidEncoding,
            format!("not valid UTF-8 (first bad byte at offset {}) and no legacy encoding recognised", e.valid_up_to()),
        )),
    }
}

/// Whether the bytes are UTF-8 with a few broken sequences: at most 2 plus one per 100 good multi-byte
/// characters, and at least 20 of those, so that a run of random high bytes is never taken for UTF-8 this way
/// (in random bytes broken sequences outnumber valid ones several times).
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut good_multi, mut bad) = (0usize, 0usize);
    let mut rest = bytes;
    loop {
        let (valid, err) = match std::str::from_utf8(rest) {
            Ok(s) => (s, None),
            Err(e) => (std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or(""), Some(e)),
        };
        good_multi += valid.chars().filter(|c| c.len_utf8() > 1).count();
        let Some(e) = err else { break };
        // A sequence cut by the end of the file is truncation, not damage.
        if e.error_len().is_none() {
            break;
        }
        bad += 1;
        let skip = e.valid_up_to() + e.error_len().unwrap_or(rest.len() - e.valid_up_to());
        rest = &rest[skip..];
        if bad > 2 + good_multi / 100 + 64 {
            return false;
        }
    }
    good_multi >= 20 && bad <= 2 + good_multi / 100
}

/// The `encoding` column's spelling: lower case, as the WHATWG labels are usually written.
fn name_of(enc: &'static Encoding) -> &'static str {
    const NAMES: [(&str, &str); 32] = [
        ("UTF-8", "utf-8"),
        ("UTF-16LE", "utf-16le"),
        ("UTF-16BE", "utf-16be"),
        ("windows-1250", "windows-1250"),
        ("windows-1251", "windows-1251"),
        ("windows-1252", "windows-1252"),
        ("windows-1253", "windows-1253"),
        ("windows-1254", "windows-1254"),
        ("windows-1255", "windows-1255"),
        ("windows-1256", "windows-1256"),
        ("windows-1257", "windows-1257"),
        ("windows-1258", "windows-1258"),
        ("windows-874", "windows-874"),
        ("KOI8-R", "koi8-r"),
        ("KOI8-U", "koi8-u"),
        ("IBM866", "ibm866"),
        ("ISO-8859-2", "iso-8859-2"),
        ("ISO-8859-3", "iso-8859-3"),
        ("ISO-8859-4", "iso-8859-4"),
        ("ISO-8859-5", "iso-8859-5"),
        ("ISO-8859-6", "iso-8859-6"),
        ("ISO-8859-7", "iso-8859-7"),
        ("ISO-8859-8", "iso-8859-8"),
        ("ISO-8859-10", "iso-8859-10"),
        ("ISO-8859-13", "iso-8859-13"),
        ("ISO-8859-15", "iso-8859-15"),
        ("ISO-8859-16", "iso-8859-16"),
        ("x-mac-cyrillic", "x-mac-cyrillic"),
        ("GBK", "gbk"),
        ("Big5", "big5"),
        ("EUC-KR", "euc-kr"),
        ("Shift_JIS", "shift_jis"),
    ];
    NAMES.iter().find(|(n, _)| *n == enc.name()).map(|(_, l)| *l).unwrap_or(enc.name())
}

/// chardetng always answers KOI8-U for the KOI8 family. Text without the bytes where KOI8-U puts Ukrainian
/// letters (and KOI8-R box drawing) is reported as KOI8-R, the encoding Russian text was written in.
fn refine_koi8(enc: &'static Encoding, bytes: &[u8]) -> &'static Encoding {
    const UKRAINIAN_ONLY: [u8; 8] = [0xA4, 0xA6, 0xA7, 0xAD, 0xB4, 0xB6, 0xB7, 0xBD];
    if enc == encoding_rs::KOI8_U && !bytes.iter().any(|b| UKRAINIAN_ONLY.contains(b)) {
        encoding_rs::KOI8_R
    } else {
        enc
    }
}

/// The single-byte code pages the services' text was written in before UTF-8: Cyrillic, Latin, Arabic. They
/// share ASCII and put the other letters in different places, and `chardetng`'s guess is sometimes a
/// neighbour of the right one: Hungarian in windows-1250 read as windows-1252 turns every `ő` into `õ`,
/// Turkmen read as windows-1254 turns `ň` into `ò` and `ş` into `º`, Mac Cyrillic read as windows-1251 turns
/// the capitals into `Ђ`, `Ѓ`, … inside words.
///
/// Among equally good readings the earlier page wins: KOI8-R before KOI8-U (they differ only in the Ukrainian
/// letters, so a tie means there are none, as `refine_koi8` reports it), the commoner pages before the rarer.
const PAGES: [&Encoding; 19] = [
    encoding_rs::WINDOWS_1251,
    encoding_rs::KOI8_R,
    encoding_rs::KOI8_U,
    encoding_rs::IBM866,
    encoding_rs::ISO_8859_5,
    encoding_rs::X_MAC_CYRILLIC,
    encoding_rs::WINDOWS_1250,
    encoding_rs::ISO_8859_2,
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1254,
    encoding_rs::WINDOWS_1257,
    encoding_rs::ISO_8859_13,
    encoding_rs::ISO_8859_16,
    encoding_rs::ISO_8859_4,
    encoding_rs::ISO_8859_15,
    encoding_rs::ISO_8859_3,
    encoding_rs::ISO_8859_10,
    encoding_rs::WINDOWS_1256,
    encoding_rs::ISO_8859_6,
];

/// The accented Latin letters of the services' languages (lower case), one alphabet each: Hungarian,
/// Romanian (with the comma below, as it is written now), Albanian, Bosnian/Croatian/Serbian/Montenegrin,
/// Turkmen, Azerbaijani, Crimean Tatar, Tatar in Latin letters, Kazakh in Latin letters, Belarusian in
/// Łacinka, and Uzbek (whose `oʻ` and `gʻ` take a modifier letter).
const LATIN_ALPHABETS: [&str; 11] = [
    "áéíóöőúüű",
    "ăâîșț",
    "çë",
    "čćđšžśź",
    "çäžňöşüý",
    "çəğıöşü",
    "âçğıñöşü",
    "äçğıñöşüə",
    "äğıñöşüūáǵńóúý",
    "ćčłńśšŭźž",
    "ʻʼ",
];

/// Marks that legitimately sit in the high half of a code page: no-break space, quotes, dashes, bullets, and
/// the joiners and direction marks of Persian text.
const COMMON_MARKS: &str = "\u{A0}«»„“”‘’‚–—…•°§©®€№\u{AD}\u{200C}\u{200D}\u{200E}\u{200F}";

/// Of [`COMMON_MARKS`], those that also stand inside a word: an apostrophe (`м’ясо`), a dash (`US–China`), a
/// no-break space or soft hyphen, a joiner. The others between two letters (`Не«ѕе`) are bytes read in the
/// wrong code page.
const IN_WORD_MARKS: &str = "’ʼ–—\u{A0}\u{AD}\u{200C}\u{200D}";

/// The code page to read legacy bytes with: `chardetng`'s guess, unless another of [`PAGES`] gives a
/// plausible reading that costs less in [`reading_cost`] (the guess wins ties, so this moves away from it only
/// on evidence), or the guess's reading is implausible and another's is not. A guess outside [`PAGES`] (Greek,
/// Hebrew, an East Asian encoding) whose reading is plausible stands: the costs know only the services' letters.
fn best_reading(guess: &'static Encoding, sample: &[u8]) -> &'static Encoding {
    let plausible = |enc: &'static Encoding| {
        let (text, had_errors) = enc.decode_without_bom_handling(sample);
        !had_errors && plausibility(&text).is_ok()
    };
    let guess_plausible = plausible(guess);
    if guess_plausible && !PAGES.contains(&guess) {
        return guess;
    }
    let evidence = words_with_high_bytes(&sample[..sample.len().min(RANK_SAMPLE)]);
    let evidence = evidence.as_slice();
    let tables = page_tables();
    // To stand in for an implausible guess, a page must also read the bytes well in absolute terms: random
    // bytes have some plausible reading among nineteen code pages, but not a cheap one.
    let high = evidence.iter().filter(|&&b| b >= 0x80).count();
    // Cheapest first, the guess first among equals (`false` sorts first); the plausibility test (the dearer
    // step) runs only until a reading passes it. The guess takes part only when its reading is plausible.
    let mut ranked: Vec<(usize, bool, usize)> = (0..PAGES.len())
        .filter_map(|i| reading_cost(&tables[i], evidence).map(|cost| (cost, PAGES[i] != guess, i)))
        .filter(|&(cost, other, _)| guess_plausible || (other && 2 * cost <= high))
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().map(|(_, _, i)| PAGES[i]).find(|&enc| enc == guess || plausible(enc)).unwrap_or(guess)
}

/// The runs of ASCII letters and high bytes that hold a high byte, each followed by a space. Everything
/// [`reading_cost`] charges happens inside such a run (an ASCII non-letter ends a word in every code page),
/// and words of ASCII letters alone read the same in all of them: for an HTML page, this drops the markup.
fn words_with_high_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for run in bytes.split(|b| b.is_ascii() && !b.is_ascii_alphabetic()) {
        if run.iter().any(|b| !b.is_ascii()) {
            out.extend_from_slice(run);
            out.push(b' ');
        }
    }
    out
}

/// How much of a file the code pages are ranked on: a few pages of text are evidence enough.
const RANK_SAMPLE: usize = 16 * 1024;

/// What [`reading_cost`] needs to know about the character one byte stands for in one code page.
#[derive(Clone, Copy, Default)]
struct ByteClass {
    /// The byte has no character in the code page.
    hole: bool,
    letter: bool,
    upper: bool,
    lower: bool,
    script: u8,
    misfit: u8,
    /// An accented Latin letter: bit i set when `LATIN_ALPHABETS[i]` has it.
    latin_alphabets: Option<u16>,
    /// A Cyrillic letter: bit i set when `CYRILLIC_ALPHABETS[i]` has it.
    cyrillic_alphabets: Option<u8>,
    /// One of the [`COMMON_MARKS`] that does not stand inside words.
    between_words: bool,
}

/// For each of [`PAGES`], what each byte stands for, worked out once.
fn page_tables() -> &'static [[ByteClass; 256]] {
    static TABLES: std::sync::OnceLock<Vec<[ByteClass; 256]>> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let has = |alphabet: &str, c: char| c.to_lowercase().all(|l| alphabet.contains(l));
        PAGES
            .iter()
            .map(|enc| {
                let mut table = [ByteClass::default(); 256];
                for (b, class) in table.iter_mut().enumerate() {
                    let byte = [b as u8];
                    let (text, had_errors) = enc.decode_without_bom_handling(&byte);
                    let c = text.chars().next().unwrap_or('\u{FFFD}');
                    let script = script_of(c);
                    let accented = !c.is_ascii() && c.is_alphabetic() && script == Script::Latin;
                    *class = ByteClass {
                        hole: had_errors,
                        between_words: COMMON_MARKS.contains(c) && !IN_WORD_MARKS.contains(c),
                        letter: c.is_alphabetic(),
                        upper: c.is_uppercase(),
                        lower: c.is_lowercase(),
                        script: script as u8,
                        misfit: misfit(c) as u8,
                        latin_alphabets: accented.then(|| {
                            LATIN_ALPHABETS.iter().enumerate().filter(|(_, a)| has(a, c)).map(|(i, _)| 1 << i).sum()
                        }),
                        cyrillic_alphabets: (script == Script::Cyrillic && c.is_alphabetic()).then(|| {
                            CYRILLIC_ALPHABETS.iter().enumerate().filter(|(_, a)| has(a, c)).map(|(i, _)| 1 << i).sum()
                        }),
                    };
                }
                table
            })
            .collect()
    })
}

/// The alphabets a Cyrillic single-byte code page can write (lower case): Russian, Ukrainian, Belarusian,
/// Serbian, Macedonian, Bulgarian. A wrong Cyrillic code page still gives Cyrillic letters, but words that mix
/// them across alphabets (`ыђ`, `џэ`), which no language writes.
const CYRILLIC_ALPHABETS: [&str; 6] = [
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
    "абвгдђежзијклљмнњопрстћуфхцчџш",
    "абвгдѓежзѕијклљмнњопрстќуфхцчџш",
    "абвгдежзийклмнопрстуфхцчшщъьюя",
];

/// What makes a reading of legacy bytes look unlike written text: characters the services' languages do not
/// write ([`misfit`]); inside a word, a small letter followed by a capital, a change of script (counted twice:
/// `kmІ` is `km²` read in the wrong code page), accented Latin letters in a row (Cyrillic read as a Latin code
/// page: `Ñîâåò`) and a quote between two letters; Cyrillic words whose letters belong to no one alphabet (one
/// Cyrillic code page read as another); and accented Latin letters from more than one service's alphabet.
/// `None` when the page has no character for one of the bytes.
fn reading_cost(table: &[ByteClass; 256], bytes: &[u8]) -> Option<usize> {
    let mut cost = 0;
    let mut accents = [0usize; 256];
    // The previous letter of the current word, the word's length, and the Cyrillic alphabets all its letters
    // belong to (`None` once it has a letter that is not Cyrillic).
    let mut prev: Option<ByteClass> = None;
    let mut word_len = 0;
    let mut alphabets: Option<u8> = Some(u8::MAX);
    // A mark that belongs between words has just followed a letter.
    let mut glued = false;
    for &b in bytes.iter().chain(b" ") {
        let c = table[b as usize];
        if c.hole {
            return None;
        }
        cost += c.misfit as usize;
        if !c.letter {
            if word_len > 0 && alphabets == Some(0) {
                cost += word_len;
            }
            glued = c.between_words && prev.is_some();
            (prev, word_len, alphabets) = (None, 0, Some(u8::MAX));
            continue;
        }
        cost += glued as usize;
        glued = false;
        let accented = c.latin_alphabets.is_some();
        accents[b as usize] += accented as usize;
        if let Some(p) = prev {
            cost += (p.lower && c.upper) as usize
                + 2 * (p.script != c.script) as usize
                + (p.latin_alphabets.is_some() && accented) as usize;
        }
        word_len += 1;
        alphabets = alphabets.zip(c.cyrillic_alphabets).map(|(m, a)| m & a);
        prev = Some(c);
    }
    // The accented Latin letters that the one alphabet fitting the text best lacks: Croatian read in the wrong
    // Latin code page keeps letters some service writes, but from another language's alphabet (`teţi` for
    // `teži`, `neăe` for `neće`); Romanian read as ISO-8859-2 gets the old cedilla `ş`.
    let foreign = (0..LATIN_ALPHABETS.len())
        .map(|i| {
            (0..256)
                .filter(|&b| table[b].latin_alphabets.is_some_and(|m| m & (1 << i) == 0))
                .map(|b| accents[b])
                .sum::<usize>()
        })
        .min()
        .unwrap_or(0);
    Some(cost + foreign)
}

/// How unlikely a character is in text of the services' languages: 0 for what they write (and common marks),
/// 1 for a Latin letter of some other language (`õ`, `è`: a Portuguese or French name) or a sign that has its
/// uses in text (`²`, `½`, `×`), 2 for the rarer `³` and `¹` (what `ł` and `ą` become in windows-1252), 3 for
/// anything else a code page has in its upper half (`º`, `¿`, `¤`, C1 controls, Greek letters).
fn misfit(c: char) -> usize {
    if c.is_ascii() {
        return 0;
    }
    let script = script_of(c);
    if matches!(script, Script::Cyrillic | Script::Arabic | Script::Armenian | Script::Georgian) {
        return 0;
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    if COMMON_MARKS.contains(c) || c == 'İ' || LATIN_ALPHABETS.iter().any(|a| a.contains(lower)) {
        return 0;
    }
    match script {
        Script::Latin if c.is_alphabetic() && !matches!(c, 'ª' | 'º' | 'µ') => 1,
        _ if "²½¼¾±×".contains(c) => 1,
        _ if "³¹".contains(c) => 2,
        _ => 3,
    }
}

/// UTF-16 without a BOM: in one byte parity (the high bytes) nearly all bytes take one of a few values, in the
/// other they vary. High bytes at even offsets mean big-endian.
fn sniff_utf16(sample: &[u8]) -> Option<&'static Encoding> {
    if sample.len() < 16 {
        return None;
    }
    let top3_share = |parity: usize| {
        let mut counts = [0u32; 256];
        let mut n = 0u32;
        for b in sample.iter().skip(parity).step_by(2) {
            counts[*b as usize] += 1;
            n += 1;
        }
        counts.sort_unstable_by(|a, b| b.cmp(a));
        (counts[0] + counts[1] + counts[2]) as f64 / n.max(1) as f64
    };
    let (even, odd) = (top3_share(0), top3_share(1));
    if odd >= 0.9 && even < 0.75 {
        Some(encoding_rs::UTF_16LE)
    } else if even >= 0.9 && odd < 0.75 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// The `charset` of a `<meta charset=...>` or `<meta http-equiv="Content-Type" content="...; charset=...">`
/// in the first 4 KiB.
pub fn sniff_meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta").map(|i| i + from) {
        let end = find(&lower[i..], b">").map(|e| i + e).unwrap_or(lower.len());
        let tag = &lower[i..end];
        if let Some(c) = find(tag, b"charset=") {
            let rest = &tag[c + 8..];
            let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
            let label: Vec<u8> =
                rest.iter().copied().take_while(|b| !matches!(b, b'"' | b'\'' | b' ' | b';' | b'/' | b'>')).collect();
            if let Some(enc) = Encoding::for_label(&label) {
                return Some(enc);
            }
        }
        from = end;
    }
    None
}

/// The charset parameter of an HTTP `Content-Type` header value.
pub fn charset_of_content_type(value: &str) -> Option<&'static Encoding> {
    let lower = value.to_ascii_lowercase();
    let c = lower.find("charset=")?;
    let label = lower[c + 8..].trim_matches(|ch: char| ch == '"' || ch == '\'' || ch.is_whitespace());
    let label = label.split([';', ' ', '"', '\'']).next()?;
    Encoding::for_label(label.as_bytes())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether decoded text looks like writing in some language. `Err` says which test failed.
pub fn plausibility(text: &str) -> Result<(), String> {
    let sample: String = strip_markup(&text.chars().take(40_000).collect::<String>());
    let non_space = sample.chars().filter(|c| !c.is_whitespace()).count();
    if non_space == 0 {
        return Err("no visible characters".into());
    }
    let letters: Vec<char> = sample.chars().filter(|c| c.is_alphabetic()).collect();
    let letter_share = letters.len() as f64 / non_space as f64;
    if letter_share < 0.55 {
        return Err(format!("only {:.0}% of the characters are letters", letter_share * 100.0));
    }
    // One dominant script: real text may mix a second script (names, quotes), not a salad of many.
    let mut scripts = [0usize; 9];
    for &c in &letters {
        scripts[script_of(c) as usize] += 1;
    }
    let (top, top_n) = scripts.iter().enumerate().max_by_key(|(_, n)| **n).map(|(i, n)| (i, *n)).unwrap_or((0, 0));
    let words: Vec<&str> = sample.split_whitespace().collect();
    if (top_n as f64) < 0.6 * letters.len() as f64 && !two_scripts_apart(&scripts, &words) {
        return Err("no dominant script among the letters".into());
    }
    let avg_len = non_space as f64 / words.len().max(1) as f64;
    if avg_len > 20.0 {
        return Err(format!("words average {avg_len:.0} characters: no word spacing"));
    }
    let lettered: Vec<Vec<char>> = words
        .iter()
        .map(|w| w.chars().filter(|c| c.is_alphabetic()).collect::<Vec<_>>())
        .filter(|w| w.len() >= 3)
        .collect();
    if lettered.len() < 2 {
        return Err("too few words to tell".into());
    }
    // Case flipping inside a word (`аБв`) is what random bytes in a bicameral script look like.
    let flipped = lettered.iter().filter(|w| w.windows(2).any(|p| p[0].is_lowercase() && p[1].is_uppercase())).count();
    if flipped as f64 > 0.2 * lettered.len() as f64 {
        return Err(format!("{flipped} of {} words switch case inside the word", lettered.len()));
    }
    if VOWELS[top].is_empty() {
        return Ok(());
    }
    // Only the words of that script: the Persian words under an English page's chrome have no Latin vowels.
    let in_script: Vec<&Vec<char>> =
        lettered.iter().filter(|w| w.iter().all(|c| script_of(*c) as usize == top)).collect();
    let with_vowel = in_script
        .iter()
        .filter(|w| w.iter().any(|c| VOWELS[top].contains(c.to_lowercase().next().unwrap_or(*c))))
        .count();
    if (with_vowel as f64) < 0.7 * in_script.len() as f64 {
        return Err(format!("only {with_vowel} of {} words have a vowel", in_script.len()));
    }
    Ok(())
}

/// Text in two scripts, each word in one of them: a short Persian article under an English page's chrome, say.
/// Bytes read in the wrong code page mix the scripts inside words instead (`بتéر`), so this does not let
/// mojibake through: the two scripts must hold 95% of the letters and 95% of the words keep to one script.
fn two_scripts_apart(scripts: &[usize; 9], words: &[&str]) -> bool {
    let mut counts = *scripts;
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let all: usize = counts.iter().sum();
    if ((counts[0] + counts[1]) as f64) < 0.95 * all as f64 {
        return false;
    }
    let (mut lettered, mut mixed) = (0usize, 0usize);
    for w in words {
        let mut seen: Option<usize> = None;
        let mut letters = 0;
        let mut mixes = false;
        for c in w.chars().filter(|c| c.is_alphabetic()) {
            letters += 1;
            let s = script_of(c) as usize;
            mixes |= seen.is_some_and(|t| t != s);
            seen = Some(s);
        }
        if letters >= 2 {
            lettered += 1;
            mixed += mixes as usize;
        }
    }
    lettered >= 10 && (mixed as f64) <= 0.05 * lettered as f64
}

/// Markup is not language: tags (and the insides of scripts and styles) become spaces before the tests.
fn strip_markup(s: &str) -> String {
    if !(s.contains('<') && s.contains('>')) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let after = &rest[lt..];
        let lower_head: String = after.chars().take(8).collect::<String>().to_ascii_lowercase();
        let close = if lower_head.starts_with("<script") {
            after.to_ascii_lowercase().find("</script>").map(|i| i + 9)
        } else if lower_head.starts_with("<style") {
            after.to_ascii_lowercase().find("</style>").map(|i| i + 8)
        } else {
            after.find('>').map(|i| i + 1)
        };
        match close {
            Some(c) => rest = &after[c..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Armenian,
    Georgian,
    Hebrew,
    Cjk,
    Other,
}

/// Lower-case vowels per script (indexed like [`Script`]); empty where the script does not write vowels as
/// letters of their own (Arabic, Hebrew) or the test does not apply.
const VOWELS: [&str; 9] = [
    "aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿāăąēĕėęěīĭįıōŏőœūŭůűųəơư",
    "аеёиоуыэюяіїєўөүұәӣӯ",
    "αεηιουωάέήίόύώϊϋ",
    "",
    "աեէըիոօու",
    "აეიოუ",
    "",
    "",
    "",
];

fn script_of(c: char) -> Script {
    match c as u32 {
        0x0041..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0400..=0x052F => Script::Cyrillic,
        0x0370..=0x03FF => Script::Greek,
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x0530..=0x058F => Script::Armenian,
        0x10A0..=0x10FF | 0x1C90..=0x1CBF => Script::Georgian,
        0x0590..=0x05FF => Script::Hebrew,
        0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF => Script::Cjk,
        _ => Script::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RU: &str = "Сильный дождь закрыл четырнадцать дорог в Ошской области, сообщили чиновники. \
        Около двухсот тридцати человек переселили в школы, где им дали еду и воду.";
    // Persian as windows-1256 wrote it: with the Arabic yeh (U+064A), which the code page has.
    const FA: &str = "باران شديد چهارده جاده را در استان اوش بست. حدود دويست و سي نفر به مدرسه‌ها منتقل شدند.";
    const HU: &str = "Az erős esőzés tizennégy utat zárt le az oši régióban, közölték a tisztviselők. \
        Körülbelül kétszázharminc embert költöztettek iskolákba, ahol ételt és vizet kaptak.";
    const SR: &str = "Јака киша затворила је четрнаест путева у области Оша, саопштили су званичници.";

    fn enc(text: &str, e: &'static Encoding) -> Vec<u8> {
        let (b, _, unmappable) = e.encode(text);
        assert!(!unmappable, "test text not representable in {}", e.name());
        b.into_owned()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode_text("Азаттык".as_bytes()).unwrap(), ("Азаттык".to_string(), "utf-8"));
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("ok".as_bytes());
        assert_eq!(decode_text(&b).unwrap().0, "ok");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut b = vec![0xFF, 0xFE];
        for u in "Салам".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&b).unwrap(), ("Салам".to_string(), "utf-16le"));
    }

    #[test]
    fn utf16_without_bom_both_byte_orders() {
        for text in [RU, "Heavy rain closed fourteen roads in the Osh region, officials said on Friday."] {
            let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
            assert_eq!(decode_text(&le).unwrap(), (text.to_string(), "utf-16le"));
            assert_eq!(decode_text(&be).unwrap(), (text.to_string(), "utf-16be"));
        }
    }

    #[test]
    fn legacy_cyrillic_encodings_are_detected() {
        assert_eq!(decode_text(&enc(RU, encoding_rs::WINDOWS_1251)).unwrap(), (RU.to_string(), "windows-1251"));
        assert_eq!(decode_text(&enc(RU, encoding_rs::KOI8_R)).unwrap(), (RU.to_string(), "koi8-r"));
        assert_eq!(decode_text(&enc(SR, encoding_rs::WINDOWS_1251)).unwrap().0, SR);
        let iso5 = decode_text(&enc(RU, encoding_rs::ISO_8859_5)).unwrap();
        assert_eq!(iso5, (RU.to_string(), "iso-8859-5"));
    }

    #[test]
    fn arabic_script_and_central_european_encodings_are_detected() {
        assert_eq!(decode_text(&enc(FA, encoding_rs::WINDOWS_1256)).unwrap(), (FA.to_string(), "windows-1256"));
        // ISO-8859-2 and windows-1250 agree on every Hungarian letter: either name is a correct decoding.
        let (text, name) = decode_text(&enc(HU, encoding_rs::ISO_8859_2)).unwrap();
        assert_eq!(text, HU);
        assert!(name == "iso-8859-2" || name == "windows-1250", "{name}");
    }

    #[test]
    fn meta_charset_is_respected() {
        // Short text: too little for detection alone; the declaration decides.
        let mut page = b"<html><head><meta charset=\"koi8-r\"><title>x</title></head><body><p>".to_vec();
        page.extend(enc("Привет, мир", encoding_rs::KOI8_R));
        page.extend(b"</p></body></html>");
        let (text, name) = decode_html(&page, None).unwrap();
        assert!(text.contains("Привет, мир"), "{text}");
        assert_eq!(name, "koi8-r");
        assert_eq!(
            sniff_meta_charset(b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">"),
            Some(encoding_rs::WINDOWS_1251)
        );
        assert_eq!(charset_of_content_type("text/html; charset=\"ISO-8859-5\""), Some(encoding_rs::ISO_8859_5));
    }

    #[test]
    fn random_high_bytes_are_invalid_encoding() {
        // A deterministic pseudo-random run of 0x80–0xFF bytes, with and without spaces.
        let mut x: u32 = 12345;
        let mut next = || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            0x80 | ((x >> 16) as u8 & 0x7F)
        };
        let garbage: Vec<u8> = (0..4000).map(|_| next()).collect();
        let err = decode_text(&garbage).unwrap_err();
        assert_eq!(err.0, RejectReason::InvalidEncoding, "{}", err.1);
        let spaced: Vec<u8> = (0..4000).map(|i| if i % 6 == 5 { b' ' } else { next() }).collect();
        assert_eq!(decode_text(&spaced).unwrap_err().0, RejectReason::InvalidEncoding);
    }

    #[test]
    fn utf8_text_is_kept_whole_and_stray_nuls_are_dropped() {
        let (text, enc) = decode_declared(RU.as_bytes(), None).expect("UTF-8");
        assert_eq!((text.as_str(), enc), (RU, "utf-8"));
        let with_nul = format!("{}\0{}", &RU[..RU.find(' ').unwrap()], &RU[RU.find(' ').unwrap()..]);
        let (text, enc) = decode_declared(with_nul.as_bytes(), None).expect("UTF-8 with a NUL");
        assert_eq!((text.as_str(), enc), (RU, "utf-8"));
    }

    // Text of the other services for the code-page tests (written for these tests).
    const TK: &str = "Aşgabadyň merkezinde ýerleşýän bazarda nyrhlar ýene-de ýokarlandy. Satyjylaryň aýtmagyna \
        görä, un we ýag iň köp gymmatlan harytlar boldy. Ýaşaýjylar gündelik zatlary satyn almak üçin irden \
        nobata durmaly bolýarlar, diýip habarçymyz ýazýar. Häkimiýetler bu barada hiç hili beýanat bermedi.";
    const HR: &str = "Vlada je u četvrtak objavila da će cijene goriva ostati iste do kraja mjeseca. Ministar \
        financija rekao je novinarima da država neće povećati trošarine, ali da se kućanstva moraju pripremiti \
        na skuplju zimu. Oporba tvrdi da je odluka donesena prekasno i da građani već osjećaju posljedice.";
    const RO: &str = "Guvernul de la Chişinău a anunţat joi că preţurile la gaze vor rămâne neschimbate până în \
        primăvară. Ministrul energiei a declarat că ţara are rezerve suficiente, însă opoziţia susţine că \
        facturile cresc deja în mai multe oraşe, iar familiile sărace primesc ajutoare prea mici.";
    const BE: &str = "Улады Менска абвясцілі, што цэны на камунальныя паслугі вырастуць з наступнага месяца. \
        Жыхары кажуць, што і так ледзь зводзяць канцы з канцамі. Эканамісты мяркуюць, што новае павышэнне \
        ўдарыць найперш па пенсіянерах, якія атрымліваюць найменшыя выплаты ў краіне.";

    /// Decodes `text` written in `page`, as `decode_text` sees it.
    fn round_trip(text: &str, page: &'static Encoding) -> (String, &'static str) {
        decode_text(&enc(text, page)).unwrap_or_else(|e| panic!("{} rejected: {e:?}", page.name()))
    }

    #[test]
    fn latin_code_pages_are_told_apart_by_the_services_alphabets() {
        // Each of these has a neighbour page that also decodes the bytes, into letters of another alphabet:
        // Hungarian `ő` as `õ` (windows-1252), Turkmen `ň` and `ş` as `ò` and `º` (windows-1254), Croatian
        // in ISO-8859-16 as `teţi` and `neăe` (ISO-8859-2), Romanian in ISO-8859-16 with the cedilla.
        assert_eq!(round_trip(HU, encoding_rs::WINDOWS_1250).0, HU);
        assert_eq!(round_trip(TK, encoding_rs::WINDOWS_1250).0, TK);
        assert_eq!(round_trip(HR, encoding_rs::ISO_8859_16).0, HR);
        let ro_modern = RO.replace('ş', "ș").replace('ţ', "ț");
        assert_eq!(round_trip(&ro_modern, encoding_rs::ISO_8859_16).0, ro_modern);
        // Romanian with the cedilla in ISO-8859-2 comes out with the comma below: the same letters, as
        // Romanian is written now (and as ISO-8859-16 reads the same bytes).
        assert_eq!(round_trip(RO, encoding_rs::ISO_8859_2).0, ro_modern);
    }

    #[test]
    fn a_wrong_charset_declaration_gives_way_to_a_better_reading() {
        // A CMS that labels every page iso-8859-1 (windows-1252 in WHATWG terms): the Hungarian page it wrote
        // in windows-1250 would come out with `õ` for every `ő`.
        let mut page = b"<html><head><meta charset=\"iso-8859-1\"><title>x</title></head><body><p>".to_vec();
        page.extend(enc(HU, encoding_rs::WINDOWS_1250));
        page.extend(b"</p></body></html>");
        let (text, name) = decode_html(&page, None).unwrap();
        assert!(text.contains(HU), "{text}");
        assert_eq!(name, "windows-1250");
        // A right declaration stands, even where another page would read the bytes as well.
        let mut page = b"<html><head><meta charset=\"iso-8859-2\"><title>x</title></head><body><p>".to_vec();
        page.extend(enc(HU, encoding_rs::ISO_8859_2));
        page.extend(b"</p></body></html>");
        assert_eq!(decode_html(&page, None).unwrap().1, "iso-8859-2");
    }

    #[test]
    fn a_tie_between_koi8_pages_is_named_koi8_r() {
        // Russian has none of the letters KOI8-U adds, so both KOI8 pages read it the same: when a wrong guess
        // gives way, the name is the one Russian text was written in.
        let bytes = enc(RU, encoding_rs::KOI8_R);
        assert_eq!(best_reading(encoding_rs::WINDOWS_1251, &bytes), encoding_rs::KOI8_R);
    }

    #[test]
    fn cyrillic_code_pages_chardetng_confuses_are_recovered() {
        // Mac Cyrillic: read as windows-1251 its capitals land inside words, read as KOI8 its small letters
        // become capitals. Both readings used to be rejected or kept as mojibake.
        for text in [RU, BE, SR] {
            assert_eq!(round_trip(text, encoding_rs::X_MAC_CYRILLIC).0, text);
        }
        for page in [encoding_rs::WINDOWS_1251, encoding_rs::KOI8_U, encoding_rs::ISO_8859_5] {
            assert_eq!(round_trip(BE, page).0, BE, "{}", page.name());
        }
        assert_eq!(round_trip(RU, encoding_rs::IBM866), (RU.to_string(), "ibm866"));
    }

    #[test]
    fn a_short_text_under_chrome_in_another_script_is_decoded() {
        // A Persian article of two sentences under a page's English chrome: fewer than 60% of the letters
        // are Arabic, but each word keeps to one script.
        let page = format!(
            "Accessibility links\n\nSkip to main content\n\n{FA}\n\nWith reporting by AP and Reuters\n\nRFE/RL \
             journalists report the news in many languages in countries where a free press is banned.\n"
        );
        assert_eq!(round_trip(&page, encoding_rs::WINDOWS_1256), (page.clone(), "windows-1256"));
        // The same letters shuffled into words that mix the scripts stay refused.
        let english = "With reporting by AP and Reuters journalists report the news in many languages in countries";
        let salad: String = english
            .split_whitespace()
            .zip(FA.split_whitespace().cycle())
            .map(|(a, b)| a.chars().zip(b.chars().cycle()).flat_map(|(x, y)| [x, y]).chain([' ']).collect::<String>())
            .collect();
        assert!(plausibility(&salad).is_err(), "{salad}");
    }

    #[test]
    fn plausibility_accepts_real_text_and_refuses_salad() {
        for t in [RU, FA, HU, SR, "Ереванում անձրևը փակեց տասնչորս ճանապարհ։", "თბილისში წვიმამ დახურა თოთხმეტი გზა."]
        {
            assert!(plausibility(t).is_ok(), "{t}: {:?}", plausibility(t));
        }
        assert!(plausibility("ЖъЫфЮщ ЁёЪъЬь ШщЧчЦц ЮюЯяЭэ").is_err());
        assert!(plausibility("§¤©®°±µ¶·»¼½¾¿ §¤©®° ±µ¶·»").is_err());
        assert!(plausibility("ввввввввввввввввввввввввввввввввввввввввввввввввввввв").is_err());
    }

    #[test]
    fn utf8_with_a_few_broken_bytes_stays_utf8() {
        let mut b = RU.as_bytes().to_vec();
        b.insert(40, 0xFF);
        // Cut inside the last character, as a truncated dump would be.
        let cut = "Конец".as_bytes();
        b.extend_from_slice(&cut[..cut.len() - 1]);
        let (text, name) = decode_text(&b).unwrap();
        assert_eq!(name, "utf-8");
        assert!(text.starts_with("Сильный дождь") && text.ends_with("Коне"), "{text}");
        assert!(!text.contains('\u{FFFD}'));
    }

    #[test]
    fn invalid_utf8_detail_has_the_offset() {
        let err = decode_text(&[b'a', b'b', 0xFF, 0xFE, 0x80, b'c']).unwrap_err();
        assert_eq!(err.0, RejectReason::InvalidEncoding);
        assert!(err.1.contains("offset 2"), "{}", err.1);
    }

    #[test]
    fn binary_is_rejected_but_a_stray_nul_is_dropped() {
        assert_eq!(decode_text(&[0u8, 1, 2, 3, 4, 5, 6, 7]).unwrap_err().0, RejectReason::Binary);
        let mut text = "word ".repeat(200).into_bytes();
        text.push(0);
        assert_eq!(decode_text(&text).unwrap().0, "word ".repeat(200));
    }
}

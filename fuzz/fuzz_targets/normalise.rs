//! The normaliser and the sentence splitter on arbitrary text, with a language from the corpus's list (or
//! none). Crash-freedom only: the normaliser's invariants are property tests beside it (src/normalise).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rferl_corpus::normalise::{normalise, split_sentences};

const LANGS: [&str; 16] = [
    "eng_Latn", "rus_Cyrl", "ukr_Cyrl", "kaz_Cyrl", "kir_Cyrl", "tat_Cyrl", "bak_Cyrl", "azj_Latn", "uzn_Latn",
    "hye_Armn", "kat_Geor", "pes_Arab", "pbt_Arab", "ron_Latn", "srp_Cyrl", "und",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let lang = LANGS[pick as usize % LANGS.len()];
    let known = (pick as usize / LANGS.len()) % 2 == 0;
    let once = normalise(&text, known.then_some(lang));
    let _ = split_sentences(&once, lang);
    let _ = split_sentences(&text, lang);
});

//! Micro-benchmark for `normalise::normalise`: MB/s per kind of paragraph, relative to a plain
//! `to_string()` copy of the same paragraphs in the same process (machine speed cancels out of the ratio).
//!
//! Run: `cargo run --release --example bench_normalise [megabytes per case, default 32] [case filter]`
//! The paragraphs are written for this benchmark (not taken from any data set) and repeated.

use rferl_corpus::normalise::{normalise, split_sentences};
use std::hint::black_box;
use std::time::Instant;

const CASES: &[(&str, Option<&str>, &str)] = &[
    (
        "English, clean ASCII",
        Some("eng_Latn"),
        "The service said on Monday that the new law, adopted in 2024, would affect 27 languages. \
         Mr. Smith, a spokesman, declined to comment on the report.",
    ),
    (
        "Russian, clean",
        Some("rus_Cyrl"),
        "Депутаты приняли закон в первом чтении, сообщает пресс-служба. По словам экспертов, \
         поправки затронут около 3,5 млн человек в 2024 году.",
    ),
    (
        "Russian, dirty (NBSP, C1, Latin look-alikes)",
        Some("rus_Cyrl"),
        "Депутаты\u{00A0}приняли закон в пepвом чтении, \u{0093}сообщает\u{0094} пресс-служба \u{0096} \
         по словам экспертов,  поправки затронут около 3,5\u{00A0}млн человек.",
    ),
    (
        "Persian, Arabic letters",
        Some("pes_Arab"),
        "\u{0643}ارشناسان مى\u{200C}گويند \u{0643}ه این قانون در سال ۱۴۰۳ اجرا خواهد شد و \
         \u{0628}ر زندگی میلیون\u{200C}ها نفر اثر مى\u{200C}گذارد.",
    ),
    (
        "Uzbek, apostrophes",
        Some("uzn_Latn"),
        "O'zbekiston hukumati yangi qonunni qabul qildi. Bu qaror tog'li hududlarda yashovchi \
         minglab odamlarga ta'sir ko'rsatadi.",
    ),
    (
        "Chechen, palochka variants",
        Some("che_Cyrl"),
        "Нохчийн Республикин кIоштахь дуккха а хIуманаш хийцина, аьлла цо. Ц1ена хи долу меттигаш \
         кIезиг ю.",
    ),
];

fn main() {
    let mb: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(32);
    println!(
        "{:<46} {:>10} {:>12} {:>8} {:>12} {:>8} {:>12}",
        "case", "copy MB/s", "None MB/s", "ratio", "None+lang", "ratio", "split MB/s"
    );
    // Optional second argument: run only the cases whose name contains it (for profiling one case).
    let only = std::env::args().nth(2).unwrap_or_default();
    for &(name, lang, para) in CASES.iter().filter(|c| c.0.contains(only.as_str())) {
        let n = (mb << 20) / para.len();
        let paras: Vec<&str> = vec![para; n];
        let bytes = (n * para.len()) as f64 / (1 << 20) as f64;

        // Each figure is the best of three runs (the machine is shared). Every run keeps its outputs alive
        // like the pipeline does, so the copy baseline and normalise pay the same allocator costs.
        let best = |f: &dyn Fn() -> Vec<String>| {
            (0..3)
                .map(|_| {
                    let t = Instant::now();
                    black_box(f());
                    t.elapsed().as_secs_f64()
                })
                .fold(f64::INFINITY, f64::min)
        };
        let copy = best(&|| paras.iter().map(|p| black_box(*p).to_string()).collect());
        let none = best(&|| paras.iter().map(|p| normalise(black_box(p), None)).collect());
        let first: Vec<String> = paras.iter().map(|p| normalise(p, None)).collect();
        let both = none + best(&|| first.iter().map(|p| normalise(black_box(p), lang)).collect());
        let second: Vec<String> = first.iter().map(|p| normalise(p, lang)).collect();

        let text = second[..n.min(2000)].join("\n\n");
        let t = Instant::now();
        let sentences = split_sentences(black_box(&text), lang.unwrap_or("und"));
        let split = t.elapsed().as_secs_f64();
        black_box(sentences.len());

        println!(
            "{:<46} {:>10.0} {:>12.0} {:>8.2} {:>12.0} {:>8.2} {:>12.0}",
            name,
            bytes / copy,
            bytes / none,
            none / copy,
            bytes / both,
            both / copy,
            text.len() as f64 / (1 << 20) as f64 / split
        );
    }
    println!("ratio = time relative to the to_string() copy of the same paragraphs (lower is better)");
}

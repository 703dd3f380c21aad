//! Identify stage: the language of an article. (Placeholder until the detector lands: whatlang only.)

#[derive(Debug, Clone, PartialEq)]
pub struct LangGuess {
    pub lang: String,
    pub script: String,
    pub confidence: f64,
    pub runner_up: String,
    pub languages: String,
}

pub fn identify(text: &str) -> LangGuess {
    let info = whatlang::detect(text);
    let (lang, script, confidence) = match info {
        Some(i) => (
            format!("{}_{}", i.lang().code(), script_code(i.script())),
            script_code(i.script()).to_string(),
            i.confidence(),
        ),
        None => ("und".to_string(), "Zyyy".to_string(), 0.0),
    };
    LangGuess { languages: format!("{lang}:1.00"), lang, script, confidence, runner_up: String::new() }
}

fn script_code(s: whatlang::Script) -> &'static str {
    match s {
        whatlang::Script::Latin => "Latn",
        whatlang::Script::Cyrillic => "Cyrl",
        whatlang::Script::Arabic => "Arab",
        whatlang::Script::Armenian => "Armn",
        whatlang::Script::Georgian => "Geor",
        _ => "Zyyy",
    }
}

pub fn run_detect(
    _inputs: &[std::path::PathBuf],
    _per_file: bool,
    _engine: &str,
    _out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    anyhow::bail!("detect is not implemented yet")
}

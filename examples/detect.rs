//! Evaluation helper: `cargo run --release --example detect -- [--per-file] [--engine E] [FILE]...`
//! (the same as `rferl-corpus detect` once main.rs wires it).
fn main() -> anyhow::Result<()> {
    let mut per_file = false;
    let mut engine = "ours".to_string();
    let mut inputs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--per-file" => per_file = true,
            "--engine" => engine = args.next().unwrap_or_default(),
            _ => inputs.push(std::path::PathBuf::from(a)),
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    rferl_corpus::identify::run_detect(&inputs, per_file, &engine, &mut out)
}

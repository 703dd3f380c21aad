//! Command line: parses arguments and hands them to the library. No pipeline logic lives here.

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};
use rferl_corpus::pipeline::{self, BuildConfig, Shard, Summary};
use rferl_corpus::read::ReadLimits;
use rferl_corpus::write::{CsvOptions, Formats};
use std::path::PathBuf;
use std::process::ExitCode;

/// Turns RFE/RL article dumps into a clean multilingual research corpus (CSV and Parquet tables).
#[derive(Parser)]
#[command(name = "rferl-corpus", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the corpus tables from article dumps (default input: data/sample, default output: output/).
    Build(BuildArgs),
    /// Run the corpus-wide steps (duplicates, alignment, stories) over shard outputs of `build --shard i/n`
    /// and write the final tables.
    Merge(MergeArgs),
    /// Write the coverage report (one self-contained HTML page + figure CSVs) from a build's output folder.
    Report(ReportArgs),
    /// Identify the language of each line of the files (or stdin): prints `lang<TAB>confidence` per line.
    Detect(DetectArgs),
}

#[derive(Args)]
struct BuildArgs {
    /// Input folders (read recursively) or files. Default: data/sample.
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
    /// Largest decompressed size of one input file, in bytes; larger files are rejected as too_large.
    #[arg(long, default_value_t = ReadLimits::default().max_bytes)]
    max_file_bytes: u64,
    /// Exit with status 3 when any input was rejected.
    #[arg(long)]
    strict: bool,
    /// Process only shard i of n (e.g. 0/4) and write its part for `rferl-corpus merge`.
    #[arg(long)]
    shard: Option<Shard>,
    /// Keep results in this folder so that a rerun processes only new or changed input files.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Also write the coverage report (report.html and figure CSVs) into the output folder.
    #[arg(long)]
    report: bool,
}

/// Output options shared by `build` and `merge`.
#[derive(Args)]
struct OutputArgs {
    /// Output folder. Written whole at the end of the run (staged beside it, then moved into place).
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Comma-separated table formats to write: csv, parquet.
    #[arg(long, default_value = "csv,parquet", value_delimiter = ',')]
    format: Vec<String>,
    /// Worker threads (default: all cores). The output is the same for any value.
    #[arg(long)]
    threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Prefix CSV cells starting with = + - @ with ' so spreadsheet programs do not run them as formulas.
    #[arg(long)]
    spreadsheet_safe: bool,
    /// Articles per Parquet row group of the articles and sentences tables, on average (at most 4 times as
    /// many). Boundaries follow the articles' ids, so a rerun with --state copies unchanged groups.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    row_group_articles: u64,
}

#[derive(Args)]
struct ReportArgs {
    /// Output folder of a build (holding articles.csv, stories.csv, alignments.csv, rejects.csv).
    output_dir: PathBuf,
    /// Where to write the page (default: OUTPUT_DIR/report.html); the figure CSVs go beside it.
    #[arg(long)]
    html: Option<PathBuf>,
}

#[derive(Args)]
struct MergeArgs {
    /// The output folders of every shard (`build --shard i/n --out DIR`).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct DetectArgs {
    /// Files to read lines from; standard input when none.
    files: Vec<PathBuf>,
    /// One answer per file instead of per line: `path<TAB>lang<TAB>confidence`.
    #[arg(long)]
    per_file: bool,
    /// Detector: ours (default), lingua (high-accuracy mode), or whatlang — for side-by-side comparison.
    #[arg(long, default_value = "ours")]
    engine: String,
}

/// mimalloc instead of the system allocator: the build allocates and frees millions of small strings and
/// vectors on several threads, and glibc's malloc spent ~17% of all CPU samples in the allocator (perf, 100k
/// archive). With mimalloc user CPU fell ~10% and peak RSS at 1M stayed ~1.0 GB (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rferl-corpus: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(a) => {
            if a.report && !formats(&a.output.format)?.csv {
                bail!("--report reads the CSV tables: use --format csv or csv,parquet");
            }
            if a.report && a.shard.is_some() {
                bail!("--report goes with the final tables: pass it to `merge`-ed output via `rferl-corpus report`");
            }
            let inputs = if a.inputs.is_empty() { vec![PathBuf::from("data/sample")] } else { a.inputs };
            let cfg = BuildConfig {
                limits: ReadLimits { max_bytes: a.max_file_bytes },
                shard: a.shard,
                state: a.state,
                ..config(inputs, a.output)?
            };
            warn_missing_inputs(&cfg.inputs);
            let s = pipeline::build(&cfg)?;
            if a.report {
                let page = rferl_corpus::report::write_report(&cfg.out, None)?;
                if !cfg.quiet {
                    eprintln!("rferl-corpus: report written to {}", page.display());
                }
            }
            Ok(exit_code(&s, &cfg, a.strict))
        }
        Command::Merge(a) => {
            let cfg = config(Vec::new(), a.output)?;
            let s = pipeline::merge(&a.shards, &cfg)?;
            Ok(exit_code(&s, &cfg, false))
        }
        Command::Report(a) => {
            let page = rferl_corpus::report::write_report(&a.output_dir, a.html.as_deref())?;
            eprintln!("rferl-corpus: report written to {}", page.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Detect(a) => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            rferl_corpus::identify::run_detect(&a.files, a.per_file, &a.engine, &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn formats(list: &[String]) -> Result<Formats> {
    let mut formats = Formats { csv: false, parquet: false };
    for f in list {
        match f.trim() {
            "csv" => formats.csv = true,
            "parquet" => formats.parquet = true,
            other => bail!("unknown format {other:?}: use csv, parquet or csv,parquet"),
        }
    }
    Ok(formats)
}

/// The configuration both `build` and `merge` start from: the output options, default read limits, no shard
/// and no state.
fn config(inputs: Vec<PathBuf>, o: OutputArgs) -> Result<BuildConfig> {
    Ok(BuildConfig {
        inputs,
        out: o.out,
        formats: formats(&o.format)?,
        threads: o.threads,
        quiet: o.quiet,
        csv: CsvOptions { spreadsheet_safe: o.spreadsheet_safe },
        row_group_articles: o.row_group_articles,
        limits: ReadLimits::default(),
        arguments: std::env::args().skip(1).collect(),
        shard: None,
        state: None,
    })
}

/// A folder or file named on the command line that cannot be read is a reject like any bad input (the
/// build goes on with the others), but it is most likely a mistyped path or an unmounted share, which a
/// nightly job's log should name at the start, even with --quiet, not only as a count at the end.
fn warn_missing_inputs(inputs: &[PathBuf]) {
    for input in inputs {
        if let Err(e) = std::fs::metadata(input) {
            eprintln!(
                "rferl-corpus: warning: input {} cannot be read ({e}): recorded in rejects.csv, the build goes on without it",
                input.display()
            );
        }
    }
}

fn inputs(n: u64) -> &'static str {
    if n == 1 {
        "input"
    } else {
        "inputs"
    }
}

/// 0: success (with a warning when inputs were rejected); 1: nothing could be read; 3: --strict and rejects.
fn exit_code(s: &Summary, cfg: &BuildConfig, strict: bool) -> ExitCode {
    if s.articles == 0 {
        eprintln!("rferl-corpus: no article could be read from the inputs (see rejects.csv in {})", cfg.out.display());
        return ExitCode::from(1);
    }
    if s.rejects > 0 {
        if strict {
            eprintln!("rferl-corpus: {} {} rejected and --strict is set", s.rejects, inputs(s.rejects));
            return ExitCode::from(3);
        }
        if !cfg.quiet {
            eprintln!("rferl-corpus: warning: {} {} rejected (see rejects.csv)", s.rejects, inputs(s.rejects));
        }
    }
    ExitCode::SUCCESS
}

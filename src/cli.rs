//! The command line: every flag in one place (clap derive), and the commands
//! that tie the stages together.

use crate::count::UsPolicy;
use crate::detect::{Catalog, Engine};
use crate::report::{self, Assumptions};
use crate::rules::{self, CombinedMode, Thresholds};
use crate::scan::{self, ScanOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "bulkscan",
    version,
    about = "Is this data set bulk U.S. sensitive personal data under 28 CFR Part 202?",
    long_about = "Scans files for the sensitive personal data of 28 CFR Part 202, counts distinct \
U.S. persons (devices, for precise geolocation) per category, and compares them with the rule's \
bulk thresholds.\n\nExit codes: 0 scan complete and nothing bulk; 1 bulk or government-related \
data found; 2 usage error, or an input could not be scanned and nothing bulk was found."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files, directories (recursively) or - (stdin).
    Scan(ScanArgs),
    /// List, check or explain the detectors.
    Patterns {
        #[command(subcommand)]
        action: PatternsAction,
        /// Add the detectors in every *.toml file of this directory.
        #[arg(long, value_name = "DIR", global = true)]
        patterns: Option<PathBuf>,
    },
    /// Generate a synthetic data set with known truth (for tests, examples
    /// and benchmarks).
    Gen(GenArgs),
}

#[derive(Subcommand, Debug)]
pub enum PatternsAction {
    /// One detector per line: id, category, listed-identifier class.
    List,
    /// Run every detector's positive and negative examples.
    Check,
    /// What a detector looks for, and why.
    Explain { id: String },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum UsPersons {
    /// Every subject is a U.S. person (conservative).
    Assume,
    /// Count a subject only with U.S. evidence in its record.
    Infer,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files, directories or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output: a table for people or the bulkscan.report.v1 JSON document.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Column name or dotted JSON key path that identifies a person.
    #[arg(long, value_name = "KEY")]
    pub person_key: Option<String>,
    /// Column name or dotted JSON key path that identifies a device
    /// (the unit of precise geolocation).
    #[arg(long, value_name = "KEY")]
    pub device_key: Option<String>,
    /// Who counts as a U.S. person.
    #[arg(long, value_enum, default_value = "assume")]
    pub us_persons: UsPersons,
    /// Combined-data rule of 202.205(g).
    #[arg(long, value_enum, default_value = "lowest")]
    pub combined: CombinedMode,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// GeoJSON polygons of government-related locations (202.222(a)(1)).
    #[arg(long, value_name = "FILE")]
    pub geofence: Option<PathBuf>,
    /// Add the detectors in every *.toml file of this directory.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// Read files instead of memory-mapping them (for files still being
    /// written: a truncated mapped file would kill the scan).
    #[arg(long)]
    pub no_mmap: bool,
    /// Bytes per parallel chunk of a mapped file, or per block of a
    /// stream (results never depend on it).
    #[arg(long, value_name = "BYTES", default_value_t = scan::DEFAULT_CHUNK)]
    pub chunk_size: usize,
    /// Longest field or line scanned; longer ones are reported as skipped.
    #[arg(long, value_name = "BYTES", default_value_t = scan::DEFAULT_MAX_RECORD)]
    pub max_record_bytes: usize,
    /// Distinct counts are exact up to this many per category, estimated
    /// (HyperLogLog) above.
    #[arg(long, value_name = "N", default_value_t = crate::count::DEFAULT_EXACT_LIMIT, hide = true)]
    pub exact_limit: usize,
    /// Records of a CSV or JSON scanned column by column (key path by key
    /// path) at a time; 0 or 1: record by record. Reports never depend on
    /// it (the tests compare).
    #[arg(long, value_name = "N", default_value_t = scan::BATCH_ROWS, hide = true)]
    pub batch_rows: usize,
}

#[derive(Args, Debug)]
pub struct GenArgs {
    /// people, events, logs, vcf, fastq or clean.
    pub kind: String,
    #[arg(long, default_value_t = 1000)]
    pub rows: u64,
    /// Distinct persons (devices, samples); default: one per row.
    #[arg(long)]
    pub persons: Option<u64>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file; its truth goes to FILE.truth.json.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Scan(a) => match scan_cmd(&a) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("bulkscan: {e}");
                2
            }
        },
        Command::Patterns { action, patterns } => {
            match patterns_cmd(&action, patterns.as_deref()) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("bulkscan: {e}");
                    2
                }
            }
        }
        Command::Gen(a) => match gen_cmd(&a) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("bulkscan: {e}");
                2
            }
        },
    }
}

pub fn load_engine(extra: Option<&std::path::Path>) -> Result<Engine, String> {
    let mut cat = Catalog::builtin().map_err(|e| e.to_string())?;
    if let Some(dir) = extra {
        cat.add_dir(dir).map_err(|e| e.to_string())?;
    }
    Ok(Engine::new(cat))
}

fn scan_cmd(a: &ScanArgs) -> Result<i32, String> {
    let eng = load_engine(a.patterns.as_deref())?;
    let geofence = match &a.geofence {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                format!(
                    "--geofence {}: {}",
                    p.display(),
                    crate::input::io_reason(&e)
                )
            })?;
            Some(
                rules::geofence::Geofence::from_geojson(&text)
                    .map_err(|e| format!("--geofence {}: {e}", p.display()))?,
            )
        }
        None => None,
    };
    if a.threads == Some(0) {
        return Err("--threads must be at least 1".into());
    }
    let us = match a.us_persons {
        UsPersons::Assume => UsPolicy::Assume,
        UsPersons::Infer => UsPolicy::Infer,
    };
    let opts = ScanOptions {
        threads: a.threads,
        chunk_size: a.chunk_size.max(1),
        person_key: a.person_key.clone(),
        device_key: a.device_key.clone(),
        us,
        max_record: a.max_record_bytes.max(1),
        exact_limit: a.exact_limit.max(100_001),
        geofence,
        no_mmap: a.no_mmap,
        batch_rows: a.batch_rows,
    };
    let result = scan::run(&eng, &opts, &a.paths);
    let ev = rules::evaluate(
        &result.tally,
        &Thresholds::builtin(),
        a.combined,
        result.complete(),
    );
    let assumptions = Assumptions {
        us,
        combined: a.combined,
        person_key: a.person_key.as_deref(),
        device_key: a.device_key.as_deref(),
    };
    let out = match a.format {
        OutputFormat::Json => {
            let v = report::json(&eng, &result, &ev, &assumptions);
            serde_json::to_string_pretty(&v).expect("report serialises") + "\n"
        }
        OutputFormat::Table => report::table(&result, &ev, &assumptions),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    Ok(ev.verdict.exit_code())
}

fn patterns_cmd(action: &PatternsAction, extra: Option<&std::path::Path>) -> Result<i32, String> {
    let eng = load_engine(extra)?;
    let mut out = std::io::stdout().lock();
    match action {
        PatternsAction::List => {
            for d in &eng.catalog.detectors {
                let class = d.class.map_or("-".to_string(), |c| c.letter().to_string());
                let _ = writeln!(out, "{}\t{}\t{}", d.id, d.category.id(), class);
            }
            Ok(0)
        }
        PatternsAction::Check => {
            let failures = crate::detect::check::run(&eng);
            let total: usize = eng
                .catalog
                .detectors
                .iter()
                .map(|d| d.positive.len() + d.negative.len())
                .sum();
            for f in &failures {
                let _ = writeln!(out, "FAIL {f}");
            }
            let _ = writeln!(
                out,
                "{} detectors, {} examples: {} passed, {} failed",
                eng.len(),
                total,
                total - failures.len(),
                failures.len()
            );
            Ok(if failures.is_empty() { 0 } else { 1 })
        }
        PatternsAction::Explain { id } => {
            let d = eng
                .catalog
                .get(id)
                .ok_or_else(|| format!("no detector {id:?} (see `bulkscan patterns list`)"))?;
            let _ = writeln!(out, "{} — {}", d.id, d.name);
            let _ = writeln!(out, "category:   {}", d.category.id());
            if let Some(c) = d.class {
                let _ = writeln!(out, "class:      ({}) {}", c.letter(), c.describe());
            }
            let _ = writeln!(out, "matcher:    {:?}", d.matcher);
            if let Some(v) = d.validator {
                let _ = writeln!(out, "validator:  {v:?}");
            }
            let _ = writeln!(out, "identity:   {:?}", d.identity);
            let ctx: Vec<String> = d.context.iter().map(|c| c.join(" ")).collect();
            let _ = writeln!(
                out,
                "context:    {}{}",
                ctx.join(", "),
                if d.needs_context { " (required)" } else { "" }
            );
            if !d.veto.is_empty() {
                let v: Vec<String> = d.veto.iter().map(|c| c.join(" ")).collect();
                let _ = writeln!(out, "vetoed by:  {}", v.join(", "));
            }
            let _ = writeln!(out, "reference:  {}", d.reference);
            let _ = writeln!(out, "source:     {}", d.source);
            let _ = writeln!(out, "\n{}\n", d.explain.trim());
            let _ = writeln!(out, "matches (examples from the pattern file):");
            for e in &d.positive {
                let _ = writeln!(out, "  + {}", e.describe());
            }
            let _ = writeln!(out, "does not match:");
            for e in &d.negative {
                let _ = writeln!(out, "  - {}", e.describe());
            }
            Ok(0)
        }
    }
}

fn gen_cmd(a: &GenArgs) -> Result<(), String> {
    let kind = crate::generate::Kind::from_name(&a.kind).ok_or_else(|| {
        let names: Vec<&str> = crate::generate::Kind::ALL
            .iter()
            .map(|k| k.name())
            .collect();
        format!("unknown kind {:?}; one of {}", a.kind, names.join(", "))
    })?;
    let spec = crate::generate::GenSpec {
        kind,
        rows: a.rows,
        persons: a.persons.unwrap_or(a.rows).max(1),
        seed: a.seed,
    };
    let f = std::fs::File::create(&a.output)
        .map_err(|e| format!("{}: {}", a.output.display(), crate::input::io_reason(&e)))?;
    let truth = crate::generate::generate(&spec, std::io::BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| format!("{}: {e}", a.output.display()))?;
    let mut tp = a.output.clone().into_os_string();
    tp.push(".truth.json");
    std::fs::write(&tp, truth.to_json() + "\n")
        .map_err(|e| format!("{}: {e}", PathBuf::from(&tp).display()))?;
    Ok(())
}

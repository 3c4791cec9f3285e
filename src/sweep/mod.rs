//! Parameter sweeps and staffing search: the `ccsim sweep`, `ccsim merge`
//! and `ccsim staff` commands.
//!
//! * [`grid`] — the sweep file, grid expansion, dotted paths, shards and
//!   merging result files;
//! * [`base`] — the base scenario as a TOML table, and building a validated
//!   scenario from it with values set by dotted path;
//! * [`run`] — validating every point, then running every (point,
//!   replication) pair in parallel and appending finished points to
//!   `sweep.csv` in point order;
//! * [`resume`] — what of an existing `sweep.csv` to keep on `--resume`;
//! * [`staff`](mod@staff) — the smallest head-count meeting targets, by simulation.
//!
//! This file holds the command-line arguments and ties the pieces together.

pub mod base;
pub mod grid;
pub mod resume;
pub mod run;
pub mod staff;

use crate::cli::CliError;
use crate::report::write_atomic;
use anyhow::Context;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `ccsim sweep`.
#[derive(clap::Args, Clone, Debug)]
pub struct SweepArgs {
    /// Sweep file (TOML): a base scenario and a `[grid]` of dotted keys.
    pub sweep: PathBuf,
    /// Output directory; results go to DIR/NAME/, NAME being the sweep's name.
    #[arg(long, default_value = "output", value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Keep the complete points of an existing results file and run only the rest.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard K of N (points with index % N == K-1), into sweep.shard-K-of-N.csv.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Replications per point (overrides the sweep file and the scenario).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Arguments of `ccsim merge`.
#[derive(clap::Args, Clone, Debug)]
pub struct MergeArgs {
    /// Shard result files (sweep.shard-K-of-N.csv).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The sweep file: every one of its points must be present exactly once.
    #[arg(long, value_name = "SWEEP")]
    pub sweep: Option<PathBuf>,
    /// Merged file (default: sweep.csv beside the first input).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `ccsim staff`.
#[derive(clap::Args, Clone, Debug)]
pub struct StaffArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// A target every count must meet, e.g. "service_level>=0.8", "asa<=30s",
    /// "billing:abandonment_rate<=0.05" (repeatable).
    #[arg(long = "target", required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The agent group to size (default: the only group).
    #[arg(long)]
    pub group: Option<String>,
    /// Also find the smallest count per report interval.
    #[arg(long)]
    pub per_interval: bool,
    /// Confidence level of the decision: a count meets `>= x` when the lower
    /// bound of its confidence interval is >= x (`<= x`: the upper bound).
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Largest head-count tried.
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max: u32,
    /// Output directory; staffing.csv goes to DIR/NAME/, NAME being the scenario's name.
    #[arg(long, default_value = "output", value_name = "DIR")]
    pub out: PathBuf,
    /// Seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications per count (overrides the scenario's; at least 2).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
}

/// The results file of a run: `sweep.csv`, or `sweep.shard-K-of-N.csv`.
#[must_use]
pub fn results_file_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        Some((k, n)) => format!("sweep.shard-{k}-of-{n}.csv"),
        None => "sweep.csv".to_string(),
    }
}

/// Runs a sweep; returns the text to print.
///
/// # Errors
///
/// Bad input (exit 2) for a bad sweep file, base scenario, grid value,
/// shard or results file to resume; other errors otherwise.
pub fn sweep(args: &SweepArgs) -> Result<String, CliError> {
    let shard = args
        .shard
        .as_deref()
        .map(grid::parse_shard)
        .transpose()
        .map_err(|e| CliError::input(format!("--shard: {e}")))?;
    let spec = grid::load(&args.sweep).map_err(CliError::input)?;
    let prep = run::prepare(
        spec,
        run::Overrides {
            seed: args.seed,
            replications: args.replications,
        },
        shard,
    )?;
    for w in &prep.base.scenario.warnings {
        eprintln!("warning: {w}");
    }
    for k in prep
        .spec
        .keys
        .iter()
        .filter(|k| k.path.starts_with("variant."))
    {
        eprintln!(
            "warning: {}:{}: key `{}`: `ccsim sweep` runs the base scenario only, so [[variant]] \
             values are validated but change nothing",
            prep.spec.path.display(),
            k.line,
            k.path
        );
    }
    for (w, n) in &prep.warnings {
        eprintln!("warning: {n} point(s): {w}");
    }
    let dir = args.out.join(&prep.spec.name);
    let file = dir.join(results_file_name(shard));
    let cfg = run::RunConfig {
        threads: args.threads.map(|t| t as usize),
        resume: args.resume,
        file: file.clone(),
        progress: true,
    };
    let outcome = run::execute(&prep, &cfg)?;

    let mut o = String::new();
    let spec = &prep.spec;
    let reps: Vec<u32> = prep.points.values().map(|p| p.replications).collect();
    let (rmin, rmax) = (
        reps.iter().min().copied().unwrap_or(0),
        reps.iter().max().copied().unwrap_or(0),
    );
    let reps_text = if rmin == rmax {
        format!("{rmin}")
    } else {
        format!("{rmin}-{rmax}")
    };
    let _ = writeln!(
        o,
        "sweep `{}`: {} points ({}) x {reps_text} replications of {}",
        spec.name,
        spec.len(),
        spec.keys
            .iter()
            .map(|k| format!("{} {}", k.values.len(), k.path))
            .collect::<Vec<_>>()
            .join(" x "),
        spec.scenario.display()
    );
    if let Some((k, n)) = shard {
        let _ = writeln!(o, "shard {k}/{n}: {} of the points", outcome.points);
    }
    if args.resume && !outcome.resumed {
        let _ = writeln!(o, "no {} to resume: started afresh", file.display());
    }
    if outcome.resumed {
        let _ = write!(
            o,
            "resumed {}: skipped {} complete point(s)",
            file.display(),
            outcome.skipped
        );
        if outcome.discarded_rows > 0 {
            let _ = write!(
                o,
                ", discarded {} row(s) of an incomplete point",
                outcome.discarded_rows
            );
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "ran {} point(s), skipped {}, in {:.2} s on {} thread(s)",
        outcome.ran,
        outcome.skipped,
        outcome.elapsed.as_secs_f64(),
        outcome.threads
    );
    let _ = writeln!(o, "wrote {}", file.display());
    if shard.is_none_or(|(_, n)| n == 1) {
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let charts_dir = dir.join("charts");
        let drawn = crate::report::sweep_charts::draw(&bytes, &charts_dir)
            .context("cannot draw the sweep charts")?;
        if !drawn.is_empty() {
            let _ = writeln!(o, "charts: {} ({})", charts_dir.display(), drawn.join(", "));
        }
    } else {
        let _ = writeln!(
            o,
            "merge the shards with: ccsim merge --sweep {} {}",
            args.sweep.display(),
            dir.join(format!(
                "sweep.shard-*-of-{}.csv",
                shard.map_or(1, |(_, n)| n)
            ))
            .display()
        );
    }
    Ok(o)
}

/// Merges shard files; returns the text to print.
///
/// # Errors
///
/// Bad input (exit 2) when a file cannot be read or parsed, headers differ,
/// a point is duplicated, or (with `--sweep`) points are missing; other
/// errors when the merged file or the charts cannot be written.
pub fn merge(args: &MergeArgs) -> Result<String, CliError> {
    let spec = args
        .sweep
        .as_deref()
        .map(grid::load)
        .transpose()
        .map_err(CliError::input)?;
    let expected = spec.as_ref().map(grid::SweepSpec::len);
    let merged = grid::merge(&args.inputs, expected).map_err(CliError::input)?;
    if let Some(spec) = &spec {
        let want = run::header(spec).join(",");
        let got = merged.split(|&b| b == b'\n').next().unwrap_or_default();
        if got != want.as_bytes() {
            return Err(CliError::input(format!(
                "the results' header `{}` does not match the grid of {}: expected `{want}`",
                String::from_utf8_lossy(got),
                spec.path.display()
            )));
        }
    }
    let out = match &args.out {
        Some(p) => p.clone(),
        None => args.inputs[0]
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join("sweep.csv"),
    };
    write_atomic(&out, &merged).with_context(|| format!("cannot write {}", out.display()))?;
    let rows = merged
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_sub(1);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "merged {} file(s): {rows} rows{}",
        args.inputs.len(),
        expected.map_or(String::new(), |n| format!(", all {n} points present"))
    );
    let _ = writeln!(o, "wrote {}", out.display());
    let charts_dir = out.parent().unwrap_or_else(|| Path::new("")).join("charts");
    let drawn = crate::report::sweep_charts::draw(&merged, &charts_dir)
        .context("cannot draw the sweep charts")?;
    if !drawn.is_empty() {
        let _ = writeln!(o, "charts: {} ({})", charts_dir.display(), drawn.join(", "));
    }
    Ok(o)
}

/// Staffing search; returns the text to print.
///
/// # Errors
///
/// Bad input (exit 2) for a bad scenario, target, group or option; other
/// errors otherwise.
pub fn staff(args: &StaffArgs) -> Result<String, CliError> {
    let targets = args
        .targets
        .iter()
        .map(|t| staff::Target::parse(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::input)?;
    let cfg = staff::StaffConfig {
        targets,
        group: args.group.clone(),
        per_interval: args.per_interval,
        confidence: args.confidence,
        max: args.max,
        out: args.out.clone(),
        overrides: run::Overrides {
            seed: args.seed,
            replications: args.replications,
        },
        threads: args.threads.map(|t| t as usize),
        progress: true,
    };
    staff::run(&args.scenario, &cfg)
}

//! Parameter sweeps: the `ccsim sweep` and `ccsim merge` commands.
//!
//! * [`grid`] — the sweep file, grid expansion, dotted paths, shards and
//!   merging result files (one file each: `spec`, `load`, `range`, `path`,
//!   `shard`, `merge`, re-exported by `grid`);
//! * [`provenance`] — the record beside each shard's results that `merge`
//!   checks;
//! * [`base`] — the base scenario as a TOML table, and building a validated
//!   scenario from it with values set by dotted path;
//! * [`run`] — validating every point, then running every (point,
//!   replication) pair in parallel and appending finished points to
//!   `sweep.csv` in point order;
//! * [`resume`] — what of an existing `sweep.csv` to keep on `--resume`;
//! * the charts of a finished sweep are [`crate::report::sweep_charts`];
//!
//! This file ties the pieces together for the `sweep` and `merge` commands
//! (their options come from the command line, [`SweepOptions`] and
//! [`MergeOptions`]); the staffing search is [`crate::staff`].

pub mod base;
pub mod grid;
mod load;
mod merge;
mod path;
pub mod provenance;
mod range;
pub mod resume;
pub mod run;
mod shard;
mod spec;

use crate::error::{Context, Error, Result};
use crate::report::write_atomic;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What `ccsim sweep` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// The sweep file (TOML): a base scenario and a `[grid]` of dotted keys.
    pub sweep: PathBuf,
    /// Results go to `out/NAME/`, NAME being the sweep's name.
    pub out: PathBuf,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Keep the complete points of an existing results file and run only the rest.
    pub resume: bool,
    /// Run only shard K of N (points with index % N == K-1).
    pub shard: Option<(usize, usize)>,
    /// Replications per point (overrides the sweep file and the scenario).
    pub replications: Option<u32>,
    /// Seed (overrides the scenario's).
    pub seed: Option<u64>,
    /// Refuse the sweep when a point's run would need more memory than this
    /// (None: no check), before anything runs.
    pub max_memory: Option<u64>,
}

/// What `ccsim merge` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct MergeOptions {
    /// Shard result files (sweep.shard-K-of-N.csv).
    pub inputs: Vec<PathBuf>,
    /// The sweep file: every one of its points must be present exactly once,
    /// with every row as the sweep writes it.
    pub sweep: Option<PathBuf>,
    /// Merged file (default: sweep.csv beside the first input).
    pub out: Option<PathBuf>,
}

/// The results file of a run: `sweep.csv`, or `sweep.shard-K-of-N.csv`.
#[must_use]
pub fn results_file_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        Some((k, n)) => format!("sweep.shard-{k}-of-{n}.csv"),
        None => "sweep.csv".to_string(),
    }
}

/// Runs a sweep; returns the text to print, and gives each warning (about
/// the base scenario, the grid or its points) to `warn` before running.
///
/// # Errors
///
/// Bad input (exit 2) for a bad sweep file, base scenario, grid value,
/// shard or results file to resume, or a results file another sweep is
/// writing (its lock names the holder); other errors otherwise.
pub fn sweep(args: &SweepOptions, warn: &mut dyn FnMut(&str)) -> Result<String> {
    let shard = args.shard;
    let spec = grid::load(&args.sweep).map_err(Error::input)?;
    let prep = run::prepare(
        spec,
        run::Overrides {
            seed: args.seed,
            replications: args.replications,
        },
        shard,
    )?;
    for w in &prep.base.scenario.warnings {
        warn(w);
    }
    for k in prep
        .spec
        .keys
        .iter()
        .filter(|k| k.path.starts_with("variant."))
    {
        warn(&format!(
            "{}:{}: key `{}`: `ccsim sweep` runs the base scenario only, so [[variant]] \
             values are validated but change nothing",
            prep.spec.path.display(),
            k.line,
            k.path
        ));
    }
    for (w, n) in &prep.warnings {
        warn(&format!("{n} point(s): {w}"));
    }
    let dir = args.out.join(&prep.spec.name);
    let file = dir.join(results_file_name(shard));
    crate::report::check_writable(&dir)?;
    // One sweep per results file: it is appended to in place (`--resume`),
    // so it is locked, not staged. Shards of one sweep share the directory,
    // each with its own file and lock.
    let _lock = crate::report::publish::OutputLock::acquire(&file)?;
    if let Some(limit) = args.max_memory {
        let threads = args.threads.unwrap_or_else(rayon::current_num_threads);
        for (p, scn) in &prep.points {
            crate::runner::memory::estimate(scn, crate::runner::Detail::Summary, threads)
                .check(limit)
                .map_err(|e| e.prefixed(format!("point {p}")))?;
        }
    }
    if let Some(shard) = shard {
        let record = provenance::Provenance::of(
            &prep.spec.path,
            &prep.spec.scenario,
            args.seed.unwrap_or(prep.base.scenario.seed),
            args.replications
                .or(prep.spec.replications)
                .unwrap_or(prep.base.scenario.replications),
            shard,
        )
        .map_err(Error::input)?;
        provenance::record(&record, &file, args.resume).map_err(Error::input)?;
    }
    let cfg = run::RunConfig {
        threads: args.threads,
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
            .map_err(|e| Error::other(format!("cannot draw the sweep charts: {e:#}")))?;
        if !drawn.is_empty() {
            let _ = writeln!(o, "charts: {} ({})", charts_dir.display(), drawn.join(", "));
        }
        let stems: Vec<std::path::PathBuf> = drawn.iter().map(|d| charts_dir.join(d)).collect();
        let swept: Vec<String> = spec.keys.iter().map(|k| k.path.clone()).collect();
        // The base as run: with --seed and the points' replications.
        let mut shown = prep.base.scenario.clone();
        shown.seed = args.seed.unwrap_or(shown.seed);
        if rmin == rmax {
            shown.replications = rmin;
        }
        let page = crate::report::pages::sweep_page(&shown, &spec.name, &swept, &bytes, &stems)?;
        crate::report::pages::write_page(&dir, &page)?;
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
/// Bad input (exit 2) when a file cannot be read or parsed, ends in a cut-off
/// row, headers differ, a point is duplicated, the shards' provenance
/// records differ, or (with `--sweep`) points are missing, a point's rows
/// are not those the sweep writes, or the sweep file or base scenario
/// changed since the shards ran; other errors when the merged file or the
/// charts cannot be written.
pub fn merge(args: &MergeOptions) -> Result<String> {
    let spec = args
        .sweep
        .as_deref()
        .map(grid::load)
        .transpose()
        .map_err(Error::input)?;
    let expected = spec.as_ref().map(grid::SweepSpec::len);
    provenance::check_merge(
        &args.inputs,
        spec.as_ref()
            .map(|s| (s.path.as_path(), s.scenario.as_path())),
    )
    .map_err(Error::input)?;
    let merged = match &spec {
        Some(spec) => {
            let base = crate::scenario::load(&spec.scenario).map_err(|e| {
                Error::input(format!(
                    "{}: key `scenario`: the base scenario is invalid:\n{e}",
                    spec.path.display()
                ))
            })?;
            let mut scopes: Vec<String> = base.skills.iter().map(|s| s.name.clone()).collect();
            scopes.push("all".to_string());
            grid::merge_sweep(&args.inputs, spec, &scopes)
        }
        None => grid::merge(&args.inputs, None),
    }
    .map_err(Error::input)?;
    let out = match &args.out {
        Some(p) => p.clone(),
        None => args.inputs[0]
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join("sweep.csv"),
    };
    // The same lock as a sweep writing that file: never both at once.
    let _lock = crate::report::publish::OutputLock::acquire(&out)?;
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
        .map_err(|e| Error::other(format!("cannot draw the sweep charts: {e:#}")))?;
    if !drawn.is_empty() {
        let _ = writeln!(o, "charts: {} ({})", charts_dir.display(), drawn.join(", "));
    }
    Ok(o)
}

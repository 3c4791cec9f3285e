//! The sweep runner: building and validating every grid point's scenario
//! before anything runs ([`prepare`]), then running every (point,
//! replication) pair on a rayon pool and appending each point's rows to the
//! results file as soon as it and every point before it are done
//! ([`execute`]).
//!
//! The pairs go through the one replication runner ([`crate::runner::pool`])
//! flattened in point order, so every worker stays busy even with few
//! points; it delivers them in order, and each point's replications are
//! folded as they come (summary only), so the file is byte-identical
//! whatever the thread count. The workers only simulate; the calling thread
//! aggregates, formats and writes.

use super::base::{Base, BuildError};
use super::grid::{self, SweepSpec};
use super::resume;
use crate::error::{Context, Error, Result};
use crate::metrics::{Estimate, METRICS};
use crate::report::num;
use crate::runner::pool::{Job, Live, replicate};
use crate::runner::{Accumulator, Detail};
use crate::scenario::Scenario;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Overrides from the command line, applied to every point.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--replications`.
    pub replications: Option<u32>,
}

/// A sweep ready to run: every point's validated scenario.
#[derive(Debug)]
pub struct Prepared {
    /// The sweep file.
    pub spec: SweepSpec,
    /// The base scenario.
    pub base: Base,
    /// The shard to run (K of N), if any.
    pub shard: Option<(usize, usize)>,
    /// The validated scenario of every point to run (all points, or the
    /// shard's), by point index.
    pub points: BTreeMap<usize, Scenario>,
    /// Scope names of the results: the skills, then `all`.
    pub scopes: Vec<String>,
    /// Distinct validation warnings of the points, with how many points had each.
    pub warnings: Vec<(String, usize)>,
}

/// Builds and validates the scenario of every point of `spec`, keeping
/// those of shard `shard` (all when `None`).
///
/// Replications: a grid key `simulation.replications` wins, then
/// `--replications`, then the sweep file's `replications`, then the
/// scenario's. Seed: a grid key `simulation.seed` wins, then `--seed`.
///
/// # Errors
///
/// Bad input ([`Error::Input`]) when the base scenario cannot be read or
/// is invalid, a grid path does not fit it, or any point's scenario is
/// rejected by the validator: the message names the sweep file, the grid
/// key's line, the key, the value and the validator's message.
pub fn prepare(
    spec: SweepSpec,
    overrides: Overrides,
    shard: Option<(usize, usize)>,
) -> Result<Prepared> {
    let base = Base::load(&spec.scenario).map_err(|e| {
        Error::input(format!(
            "{}: key `scenario`: the base scenario is invalid:\n{e}",
            spec.path.display()
        ))
    })?;
    grid::check_paths(&spec, &base.table).map_err(Error::input)?;
    let has = |k: &str| spec.keys.iter().any(|g| g.path == k);
    let (grid_reps, grid_seed) = (has("simulation.replications"), has("simulation.seed"));
    let mut points = BTreeMap::new();
    let mut warnings: Vec<(String, usize)> = Vec::new();
    for index in 0..spec.len() {
        let assignments = spec.point(index);
        let mut scn = match base.build(&assignments) {
            Ok(s) => s,
            Err(e) => return Err(Error::input(blame(&spec, &base, index, &e))),
        };
        if let (false, Some(r)) = (grid_reps, overrides.replications.or(spec.replications)) {
            scn.replications = r;
        }
        if let (false, Some(s)) = (grid_seed, overrides.seed) {
            scn.seed = s;
        }
        for w in std::mem::take(&mut scn.warnings) {
            // The base's warnings carry their line, the points' (validated
            // from a table) none: compare what they say.
            let said = unlocated(&w);
            if base.scenario.warnings.iter().any(|b| unlocated(b) == said) {
                continue;
            }
            match warnings.iter_mut().find(|(m, _)| *m == w) {
                Some((_, n)) => *n += 1,
                None => warnings.push((w, 1)),
            }
        }
        if shard.is_none_or(|(k, n)| index % n == k - 1) {
            points.insert(index, scn);
        }
    }
    let mut scopes: Vec<String> = base
        .scenario
        .skills
        .iter()
        .map(|s| s.name.clone())
        .collect();
    scopes.push("all".to_string());
    Ok(Prepared {
        spec,
        base,
        shard,
        points,
        scopes,
        warnings,
    })
}

/// A validator warning without its `file[:line]: ` prefix.
fn unlocated(w: &str) -> &str {
    match w.find(": key `") {
        Some(i) => &w[i + 2..],
        None => w,
    }
}

/// The error message for a point whose scenario could not be built: the
/// grid key the validator's diagnostics are about, else the grid key whose
/// value alone breaks the base scenario, or else the whole combination.
fn blame(spec: &SweepSpec, base: &Base, index: usize, err: &BuildError) -> String {
    let assignments = spec.point(index);
    let combo: Vec<String> = assignments
        .iter()
        .map(|(k, v)| format!("`{k}` = {v}"))
        .collect();
    let combo = combo.join(", ");
    let rejected = |key: &super::spec::GridKey, value: &toml::Value, e: &BuildError| {
        format!(
            "{}:{}: key `{}`: value {} is rejected (point {index}: {combo}) for the scenario {}: {}",
            spec.path.display(),
            key.line,
            key.path,
            value,
            spec.scenario.display(),
            e.describe()
        )
    };
    for (key, (path, value)) in spec.keys.iter().zip(&assignments) {
        if err.is_about(path) {
            return rejected(key, value, err);
        }
    }
    for (key, (path, value)) in spec.keys.iter().zip(&assignments) {
        if let Err(e) = base.build(&[(path.clone(), value.clone())]) {
            return rejected(key, value, &e);
        }
    }
    format!(
        "{}: point {index} ({combo}) is rejected for the scenario {}: {}",
        spec.path.display(),
        spec.scenario.display(),
        err.describe()
    )
}

/// The header of a sweep results file for `spec`.
#[must_use]
pub fn header(spec: &SweepSpec) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(spec.keys.iter().map(|k| k.path.clone()));
    h.extend(
        crate::report::ESTIMATE_COLUMNS
            .iter()
            .map(|s| (*s).to_string()),
    );
    h
}

/// The canonical labels of point `index`'s grid values, in key order.
#[must_use]
pub fn point_labels(spec: &SweepSpec, index: usize) -> Vec<String> {
    spec.point(index)
        .iter()
        .map(|(_, v)| grid::labels(v))
        .collect()
}

/// The CSV rows of one finished point: one per scope and metric.
fn point_rows(
    index: usize,
    labels: &[String],
    scopes: &[String],
    summary: &[Vec<Estimate>],
) -> Vec<u8> {
    let mut w = grid::results_writer(Vec::new());
    let point = index.to_string();
    for (s, scope) in scopes.iter().enumerate() {
        for (m, metric) in METRICS.iter().enumerate() {
            let e = summary[s][m];
            let mut row: Vec<&str> = Vec::with_capacity(labels.len() + 7);
            row.push(&point);
            row.extend(labels.iter().map(String::as_str));
            let (mean, lo, hi, n) = (num(e.mean), num(e.lo), num(e.hi), e.n.to_string());
            row.extend([scope.as_str(), metric, &mean, &lo, &hi, &n]);
            // Writing to memory cannot fail.
            let _ = w.write_record(&row);
        }
    }
    w.into_inner().unwrap_or_default()
}

/// How to run a prepared sweep.
#[derive(Clone, Debug, Default)]
pub struct RunConfig {
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Keep the complete points of an existing results file.
    pub resume: bool,
    /// The results file.
    pub file: PathBuf,
    /// Show a progress bar on stderr (when it is a terminal).
    pub progress: bool,
}

/// What a sweep run did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Points this run (or shard) is responsible for.
    pub points: usize,
    /// Points run now.
    pub ran: usize,
    /// Points already complete in the file (`--resume`).
    pub skipped: usize,
    /// Rows of a partial or unexpected trailing point removed (`--resume`).
    pub discarded_rows: usize,
    /// Whether an existing results file was resumed.
    pub resumed: bool,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Worker threads used.
    pub threads: usize,
}

/// Runs the points of `prep` that `cfg` selects, appending each point's
/// rows to `cfg.file` in point order as points finish.
///
/// # Errors
///
/// Bad input when `--resume` finds a file written for another grid; any
/// other failure (I/O, thread pool) otherwise. Rows of every point finished
/// before a failure are in the file.
pub fn execute(prep: &Prepared, cfg: &RunConfig) -> Result<Outcome> {
    let start = Instant::now();
    let spec = &prep.spec;
    let mine: Vec<usize> = match prep.shard {
        Some((k, n)) => grid::shard_points(spec.len(), k, n),
        None => (0..spec.len()).collect(),
    };
    let head = header(spec);
    let expected = |i: usize| -> Option<(usize, Vec<String>)> {
        mine.get(i).map(|&p| (p, point_labels(spec, p)))
    };

    if let Some(dir) = cfg.file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file;
    let (skipped, discarded_rows, resumed);
    let existing = cfg.resume && cfg.file.exists();
    if existing {
        let scan = resume::scan(&cfg.file, &head, &prep.scopes, &expected)?;
        file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&cfg.file)
            .with_context(|| format!("cannot open {}", cfg.file.display()))?;
        file.set_len(scan.keep_bytes)
            .with_context(|| format!("cannot truncate {}", cfg.file.display()))?;
        drop(file);
        file = std::fs::OpenOptions::new()
            .append(true)
            .open(&cfg.file)
            .with_context(|| format!("cannot open {}", cfg.file.display()))?;
        if scan.keep_bytes == 0 {
            write_header(&mut file, &head, &cfg.file)?;
        }
        skipped = scan.complete_points;
        discarded_rows = scan.discarded_rows;
        resumed = true;
    } else {
        file = File::create(&cfg.file)
            .with_context(|| format!("cannot create {}", cfg.file.display()))?;
        write_header(&mut file, &head, &cfg.file)?;
        skipped = 0;
        discarded_rows = 0;
        resumed = false;
    }

    let todo: Vec<usize> = mine[skipped..].to_vec();
    let pool = crate::runner::pool::pool(cfg.threads)?;
    let threads = pool.current_num_threads();
    let bar = progress_bar(todo.len(), cfg.progress);
    run_points(prep, &todo, &pool, &mut file, &cfg.file, &bar)?;
    bar.finish();
    Ok(Outcome {
        points: mine.len(),
        ran: todo.len(),
        skipped,
        discarded_rows,
        resumed,
        elapsed: start.elapsed(),
        threads,
    })
}

fn write_header(file: &mut File, head: &[String], path: &Path) -> Result<()> {
    let mut w = grid::results_writer(Vec::new());
    let _ = w.write_record(head);
    let bytes = w.into_inner().unwrap_or_default();
    file.write_all(&bytes)
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn progress_bar(len: usize, show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    // Drawn on stderr; indicatif hides it when stderr is not a terminal.
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {pos}/{len} points  {elapsed_precise} elapsed, ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Runs the (point, replication) pairs of `todo` with the one replication
/// runner (flattened in point order, so every worker stays busy even with
/// few points) and writes each point's rows to `file` in `todo` order as
/// soon as the point and every point before it are done.
fn run_points(
    prep: &Prepared,
    todo: &[usize],
    pool: &rayon::ThreadPool,
    file: &mut File,
    path: &Path,
    bar: &indicatif::ProgressBar,
) -> Result<()> {
    // The flattened pairs in point order: pair `j` is replication
    // `j - starts[i]` of `todo[i]`, where `starts[i] <= j < starts[i + 1]`.
    let mut starts: Vec<usize> = Vec::with_capacity(todo.len() + 1);
    let mut total = 0usize;
    for &p in todo {
        starts.push(total);
        total += prep.points[&p].replications as usize;
    }
    starts.push(total);
    let locate = |j: usize| -> (usize, u32) {
        let i = starts.partition_point(|&s| s <= j) - 1;
        (i, u32::try_from(j - starts[i]).unwrap_or(u32::MAX))
    };
    let job = |j: usize| {
        let (i, rep) = locate(j);
        Job {
            scenario: &prep.points[&todo[i]],
            replication: rep,
            trace_dir: None,
            events: None,
        }
    };
    let mut current: Option<(usize, Accumulator<'_>)> = None;
    let live = Live::new(None);
    replicate(pool, &live, total, &job, &mut |j, replica| {
        let (i, _) = locate(j);
        let p = todo[i];
        let scn = &prep.points[&p];
        if current.as_ref().is_none_or(|(at, _)| *at != i) {
            current = Some((i, Accumulator::new(scn, Detail::Summary)));
        }
        if let Some((_, acc)) = current.as_mut() {
            acc.add(&replica.result);
        }
        if j + 1 < starts[i + 1] {
            return Ok(());
        }
        let Some((_, acc)) = current.take() else {
            return Ok(());
        };
        let labels = point_labels(&prep.spec, p);
        if let Some(u) = acc.unstable() {
            // Points before it are written; the sweep stops here (resume after fixing the grid).
            let mut u = u.clone();
            u.run = format!("point {p} ({}), {}", labels.join(", "), u.run);
            return Err(Error::Unstable(u));
        }
        let summary = acc.finish("base").summary;
        let rows = point_rows(p, &labels, &prep.scopes, &summary);
        file.write_all(&rows)
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
        bar.inc(1);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{RepResult, Sim};

    #[test]
    fn a_summary_only_run_has_the_full_runs_summary() {
        let scn = crate::runner::example();
        let mut scn = scn;
        scn.horizon = 6.0 * 3600.0;
        scn.warmup = 3600.0;
        scn.replications = 3;
        let reps: Vec<RepResult> = (0..3).map(|r| Sim::new(&scn, r, None).run()).collect();
        let mut acc = Accumulator::new(&scn, Detail::Summary);
        for r in &reps {
            acc.add(r);
        }
        let ours = acc.finish("base").summary;
        let runner = crate::runner::aggregate(&scn, "base", &reps).summary;
        // Debug formatting compares NaN equal to NaN.
        assert_eq!(format!("{ours:?}"), format!("{runner:?}"));
    }
}

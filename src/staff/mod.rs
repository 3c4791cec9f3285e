//! Staffing search (`ccsim staff`): the smallest head-count of one agent
//! group that meets every target, found by simulation.
//!
//! This module owns the target grammar ([`Target::parse`]), the decision
//! rule ([`Target::met`], confidence intervals from [`crate::metrics::ci::estimate_at`]), the search
//! (a doubling bracket, then bisection, every count run on the same seed so
//! neighbouring counts see the same demand: common random numbers), the
//! per-interval variant, and the report (printed table and
//! `staffing.csv`).
//!
//! **The rule.** A count meets a `>=` target when the lower bound of the
//! confidence interval of its metric (Student's t over replications, at
//! `--confidence`) is at least the target, and a `<=` target when the upper
//! bound is at most it: "meets" then means "meets, at that confidence". The
//! count whose mean alone meets the targets is reported beside it.
//!
//! Simulated metrics are not perfectly monotone in the head-count; the
//! bisection keeps the invariant that the answer meets and the count below
//! it was run and fails, so the answer is always checked from both sides.

mod per_interval;
mod report;
mod search;
pub mod target;

pub use target::{Op, Target, accepted};

use crate::error::{Context, Error, Result};
use crate::report::write_atomic;
use crate::sweep::base::Base;
use crate::sweep::run::Overrides;
use per_interval::{IvAnswer, per_interval};
use report::Report;
use search::{Eval, Searcher};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What `ccsim staff` needs besides the scenario.
#[derive(Clone, Debug)]
pub struct StaffConfig {
    /// The targets (at least one).
    pub targets: Vec<Target>,
    /// The agent group to size (None: the only one).
    pub group: Option<String>,
    /// Also size each report interval.
    pub per_interval: bool,
    /// Confidence level of the decision rule, in (0, 1).
    pub confidence: f64,
    /// Largest head-count tried.
    pub max: u32,
    /// Output directory (results go to `out/<scenario name>/`).
    pub out: PathBuf,
    /// Seed and replication overrides.
    pub overrides: Overrides,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Show a spinner on stderr (when it is a terminal).
    pub progress: bool,
    /// Refuse a count whose run would need more memory than this (None: no check).
    pub max_memory: Option<u64>,
}

/// Runs the staffing search on the scenario at `path`; returns the text to
/// print, giving the scenario's warnings to `warn`. Writes `staffing.csv`
/// and `report.html` as `out/<scenario name>/` (checked writable and locked
/// before anything runs; replaced whole at the end).
///
/// # Errors
///
/// Bad input for an invalid scenario, unknown group or skill, too few
/// replications for an interval, a confidence outside (0, 1), or a target
/// that cannot be measured per interval with `per_interval`, or an output
/// directory another run holds; other errors for I/O.
pub fn run(path: &Path, cfg: &StaffConfig, warn: &mut dyn FnMut(&str)) -> Result<String> {
    if !(cfg.confidence > 0.0 && cfg.confidence < 1.0) {
        return Err(Error::input(format!(
            "--confidence {} must be between 0 and 1 (exclusive), e.g. 0.95",
            cfg.confidence
        )));
    }
    if cfg.targets.is_empty() {
        return Err(Error::input(format!(
            "give at least one --target; {}",
            accepted()
        )));
    }
    if cfg.max == 0 {
        return Err(Error::input("--max must be at least 1"));
    }
    let base = Base::load(path).map_err(Error::input)?;
    for w in &base.scenario.warnings {
        warn(w);
    }
    let scn = &base.scenario;
    let group = match (&cfg.group, scn.groups.as_slice()) {
        (Some(g), groups) => {
            if !groups.iter().any(|x| &x.name == g) {
                return Err(Error::input(format!(
                    "--group `{g}`: {} has no agent group of that name; groups are: {}",
                    path.display(),
                    names(groups.iter().map(|x| x.name.as_str()))
                )));
            }
            g.clone()
        }
        (None, [only]) => only.name.clone(),
        (None, []) => {
            return Err(Error::input(format!(
                "{} has no [[agents]] group to size",
                path.display()
            )));
        }
        (None, groups) => {
            return Err(Error::input(format!(
                "{} has {} agent groups; choose one with --group (groups are: {})",
                path.display(),
                groups.len(),
                names(groups.iter().map(|x| x.name.as_str()))
            )));
        }
    };
    let mut scopes = Vec::new();
    for t in &cfg.targets {
        match &t.skill {
            None => scopes.push(scn.skills.len()),
            Some(s) => match scn.skill_index(s) {
                Some(i) => scopes.push(i),
                None => {
                    return Err(Error::input(format!(
                        "target `{}`: {} has no skill `{s}`; skills are: {}",
                        t.text(),
                        path.display(),
                        names(scn.skills.iter().map(|x| x.name.as_str()))
                    )));
                }
            },
        }
        if cfg.per_interval && t.metric.interval_index().is_none() {
            let per_interval: Vec<&str> = target::targets()
                .into_iter()
                .filter(|id| id.interval_index().is_some())
                .map(crate::metrics::registry::Id::name)
                .collect();
            return Err(Error::input(format!(
                "target `{}`: `{}` is not measured per report interval, so it cannot be used \
                 with --per-interval (per interval: {})",
                t.text(),
                t.metric.name(),
                per_interval.join(", ")
            )));
        }
    }
    let replications = cfg.overrides.replications.unwrap_or(scn.replications);
    if replications < 2 {
        return Err(Error::input(format!(
            "the search needs at least 2 replications for a confidence interval, found {replications}; \
             use --replications"
        )));
    }
    let dir = cfg.out.join(&scn.name);
    // One search per output directory; its files replace `dir` whole.
    let lock = crate::report::publish::lock_output(&dir)?;
    let bar = if cfg.progress {
        let b = indicatif::ProgressBar::new_spinner();
        b.enable_steady_tick(std::time::Duration::from_millis(200));
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut s = Searcher {
        base: &base,
        path: format!("agents.{group}.count"),
        cfg,
        scopes,
        cache: BTreeMap::new(),
        starts: Vec::new(),
        interval: scn.interval,
        replications,
        seed: cfg.overrides.seed.unwrap_or(scn.seed),
        shifts: scn
            .groups
            .iter()
            .find(|g| g.name == group)
            .map(|g| g.shifts.clone())
            .unwrap_or_default(),
        bar,
    };
    // Check the group path once up front so errors are about the scenario, not a count.
    s.scenario(1)?;

    let targets = &cfg.targets;
    let meets = |e: &Eval, by_mean: bool| {
        targets
            .iter()
            .zip(&e.overall)
            .all(|(t, c)| t.met(c, by_mean))
    };
    let answer = s.smallest(&|e| meets(e, false))?;
    let mean_answer = s.smallest(&|e| meets(e, true))?;

    let mut iv_answers: Vec<IvAnswer> = Vec::new();
    if cfg.per_interval {
        iv_answers = per_interval(&mut s)?;
    }
    s.bar.finish_and_clear();

    let report = Report {
        path,
        group: &group,
        s: &s,
        answer,
        mean_answer,
        iv_answers: &iv_answers,
    };
    let stage = crate::report::publish::Publisher::begin(&lock)?;
    let staged = stage.path().join("staffing.csv");
    let csv = report.csv();
    write_atomic(&staged, &csv).with_context(|| format!("cannot write {}", staged.display()))?;
    let targets: Vec<String> = targets.iter().map(Target::text).collect();
    // The scenario as searched: with --seed and --replications applied.
    let mut shown = scn.clone();
    (shown.seed, shown.replications) = (s.seed, replications);
    let page = crate::report::pages::staff_page(&shown, &group, &targets, &csv)?;
    crate::report::pages::write_page(stage.path(), &page)?;
    stage.commit()?;
    let file = dir.join("staffing.csv");
    let mut text = report.text();
    let _ = writeln!(text, "wrote {}", file.display());
    Ok(text)
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

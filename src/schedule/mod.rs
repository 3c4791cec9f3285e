//! Shift plans (`ccsim schedule`): how many agents of one group work each
//! allowed shift template, at least cost, so that every report interval
//! meets the staffing targets.
//!
//! 1. [`requirements::per_interval`] sizes each interval (agents on the
//!    floor, the group always on, by the staffing search's rule);
//! 2. [`ilp::Problem::solve`] chooses agents per template at least cost
//!    (integer program; `--shrinkage` turns floor agents into scheduled ones),
//!    with the LP relaxation as a lower bound on cost;
//! 3. the plan is simulated as `[[agents]]` shifts and **repaired**: while
//!    an interval misses a target (by the confidence rule), one agent on
//!    the floor is added to the cheapest template working in it, and the
//!    plan simulated again, up to `--max-repairs` rounds. Every plan is
//!    logged as it finishes, in order, so the output is the same whatever
//!    `--threads`.
//!
//! Outputs (the `report` module): `schedule.csv`, `plans.csv`, `coverage.csv`,
//! `scheduled.toml` (the scenario as simulated last), `report.html` and
//! the coverage chart, published whole.

pub mod ilp;
pub mod plan;
mod report;
pub mod requirements;
pub mod shifts;

use crate::error::{Error, Result};
use crate::metrics::Estimate;
use crate::metrics::ci::estimate_at;
use crate::metrics::registry::Id;
use crate::runner::{self, RunOptions};
use crate::scenario::Scenario;
use crate::staff::Target;
use crate::sweep::base::Base;
use crate::sweep::run::Overrides;
use requirements::{Need, ReqConfig, Requirements};
use shifts::{ShiftsFile, Template};
use std::path::{Path, PathBuf};

/// What `ccsim schedule` needs besides the scenario.
#[derive(Clone, Debug)]
pub struct ScheduleConfig {
    /// `SHIFTS.toml`.
    pub shifts: PathBuf,
    /// Targets every interval must meet (measured per interval).
    pub targets: Vec<Target>,
    /// Share of paid time not on the floor, in [0, 1).
    pub shrinkage: f64,
    /// Confidence level of the decision rule.
    pub confidence: f64,
    /// Largest head-count tried when sizing an interval.
    pub max: u32,
    /// Most repair rounds after the first plan.
    pub max_repairs: u32,
    /// Output directory (results go to `out/<scenario name>/`).
    pub out: PathBuf,
    /// Seed and replications.
    pub overrides: Overrides,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Memory limit per run.
    pub max_memory: Option<u64>,
    /// Show progress on stderr.
    pub progress: bool,
}

/// One target in one interval of a simulated plan.
#[derive(Clone, Copy, Debug)]
pub struct Cell {
    /// The metric's estimate.
    pub est: Estimate,
    /// Whether the interval meets it (or has no demand).
    pub met: bool,
}

/// A plan as simulated.
#[derive(Clone, Debug)]
pub struct PlanRun {
    /// 0 for the integer program's plan, then each repair.
    pub round: u32,
    /// Scheduled agents per template.
    pub scheduled: Vec<u32>,
    /// Agents on the floor per template (as simulated).
    pub floor: Vec<u32>,
    /// The plan's cost.
    pub cost: f64,
    /// Per interval, per target.
    pub cells: Vec<Vec<Cell>>,
    /// Intervals missing a target (with demand).
    pub missed: Vec<usize>,
}

/// Everything the report shows.
#[derive(Debug)]
pub struct Outcome {
    /// The shifts file.
    pub shifts: ShiftsFile,
    /// The requirement curve.
    pub req: Requirements,
    /// The integer program.
    pub problem: ilp::Problem,
    /// Its optimum.
    pub first: ilp::Plan,
    /// Every plan simulated, in order (the last is the answer).
    pub runs: Vec<PlanRun>,
    /// Intervals with a requirement that no template works in.
    pub uncoverable: Vec<usize>,
    /// Intervals that missed a target and that no template works in.
    pub unrepairable: Vec<usize>,
    /// The final plan's scenario table.
    pub table: toml::Table,
    /// Paid hours of one agent per template over the horizon.
    pub paid: Vec<f64>,
}

/// Plans shifts for the scenario at `path`; returns the text to print.
/// Scenario warnings and each simulated plan go to `log` as they come.
///
/// # Errors
///
/// Bad input (exit 2): the scenario, `SHIFTS.toml` (file, line, key), a
/// target not measured per interval or about an unknown skill, a
/// shrinkage outside [0, 1), a locked
/// output directory; other errors for I/O and the solver.
pub fn run(path: &Path, cfg: &ScheduleConfig, log: &mut dyn FnMut(&str)) -> Result<String> {
    if !(0.0..1.0).contains(&cfg.shrinkage) {
        return Err(Error::input(format!(
            "--shrinkage {} must be a share from 0 (inclusive) to 1 (exclusive), e.g. 0.3",
            cfg.shrinkage
        )));
    }
    if let Some(t) = cfg
        .targets
        .iter()
        .find(|t| t.metric.interval_index().is_none())
    {
        return Err(Error::input(format!(
            "target `{}`: `{}` is not measured per report interval; a shift plan needs \
             per-interval targets",
            t.text(),
            t.metric.name()
        )));
    }
    let base = Base::load(path).map_err(Error::input)?;
    for w in &base.scenario.warnings {
        log(&format!("warning: {w}"));
    }
    let scn = &base.scenario;
    if let Some((t, s)) = cfg.targets.iter().find_map(|t| {
        t.skill
            .as_ref()
            .filter(|s| scn.skill_index(s).is_none())
            .map(|s| (t, s))
    }) {
        let skills: Vec<String> = scn.skills.iter().map(|x| format!("`{}`", x.name)).collect();
        return Err(Error::input(format!(
            "target `{}`: {} has no skill `{s}`; skills are: {}",
            t.text(),
            path.display(),
            skills.join(", ")
        )));
    }
    let shifts = shifts::load(&cfg.shifts, &base)?;
    let dir = cfg.out.join(&scn.name);
    let lock = crate::report::publish::lock_output(&dir)?;

    let req = requirements::per_interval(
        &base,
        &shifts.group,
        &ReqConfig {
            targets: cfg.targets.clone(),
            confidence: cfg.confidence,
            max: cfg.max,
            overrides: cfg.overrides,
            threads: cfg.threads,
            max_memory: cfg.max_memory,
            progress: cfg.progress,
            out: cfg.out.clone(),
        },
    )?;
    log(&format!(
        "sized {} intervals: peak {} agents on the floor",
        req.needs.len(),
        req.needs
            .iter()
            .filter_map(|n| match n {
                Need::Agents(a) => Some(*a),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    ));
    let outcome = plan_and_repair(&base, cfg, shifts, req, log)?;
    let stage = crate::report::publish::Publisher::begin(&lock)?;
    report::write(stage.path(), &base, cfg, &outcome)?;
    stage.commit()?;
    drop(lock);
    Ok(report::text(&base, cfg, &outcome, &dir))
}

/// Steps 2 and 3: the integer program, then simulate and repair.
///
/// # Errors
///
/// The solver's, the runner's (an unstable plan counts as missing every
/// interval), a plan the validator rejects.
pub fn plan_and_repair(
    base: &Base,
    cfg: &ScheduleConfig,
    shifts: ShiftsFile,
    req: Requirements,
    log: &mut dyn FnMut(&str),
) -> Result<Outcome> {
    let scn = &base.scenario;
    let availability = 1.0 - cfg.shrinkage;
    let (from, to) = (scn.warmup, scn.end());
    let t = &shifts.templates;
    let paid: Vec<f64> = t.iter().map(|t| plan::paid_hours(t, from, to)).collect();
    let problem = ilp::Problem {
        // An interval no count up to --max meets is set apart, not planned at --max.
        req: req
            .needs
            .iter()
            .map(|n| match n {
                Need::Agents(a) => f64::from(*a),
                Need::NoDemand | Need::NotMet(_) => 0.0,
            })
            .collect(),
        cover: t
            .iter()
            .map(|t| {
                req.starts
                    .iter()
                    .map(|&a| plan::cover(t, a, req.interval))
                    .collect()
            })
            .collect(),
        unit_cost: t.iter().zip(&paid).map(|(t, h)| t.cost * h).collect(),
        availability,
    };
    let uncoverable = problem.uncoverable();
    let not_sized: Vec<usize> = (0..req.needs.len())
        .filter(|&k| matches!(req.needs[k], Need::NotMet(_)))
        .collect();
    let first = problem.solve()?;
    let mut progress =
        PlanProgress::create(&cfg.out.join(format!("{}.schedule-progress.csv", scn.name)))?;
    let mut scheduled = first.agents.clone();
    let mut runs: Vec<PlanRun> = Vec::new();
    let mut unrepairable: Vec<usize> = Vec::new();
    loop {
        let round = runs.len() as u32;
        let floor: Vec<u32> = scheduled
            .iter()
            .map(|&x| plan::on_floor(x, availability))
            .collect();
        let table = plan::plan_table(&base.table, &shifts.group, t, &floor);
        let run = simulate(base, cfg, &table, &req, round)?;
        let pr = PlanRun {
            round,
            cost: problem.cost(&scheduled),
            scheduled: scheduled.clone(),
            floor,
            missed: run.1,
            cells: run.0,
        };
        log(&format!(
            "plan {round}: {} agents scheduled, cost {}, {} interval(s) missing a target",
            pr.scheduled.iter().sum::<u32>(),
            crate::report::num(pr.cost),
            pr.missed.len()
        ));
        progress.append(&report::plan_run_rows(t, &pr))?;
        let missed = pr.missed.clone();
        runs.push(pr);
        if missed.is_empty() || round >= cfg.max_repairs {
            break;
        }
        // The cheapest template working in each missed interval (ties: the
        // one working more of it, then file order) gets one more agent on
        // the floor; intervals no count could size are not repaired, nor
        // those whose interval the plan's replications leave undefined (a
        // trickle seen in fewer than two of them: agents cannot change that).
        let undefined = |k: usize| {
            runs.last().is_some_and(|r| {
                r.cells.get(k).is_some_and(|row| {
                    let defined = |e: &Estimate| e.lo.is_finite() && e.hi.is_finite();
                    row.iter().any(|c| !(c.met || defined(&c.est)))
                })
            })
        };
        let mut grow: Vec<usize> = Vec::new();
        for &k in missed
            .iter()
            .filter(|&&k| !not_sized.contains(&k) && !undefined(k))
        {
            let best = (0..t.len())
                .filter(|&j| problem.cover[j][k] > 0.0)
                .min_by(|&a, &b| {
                    problem.unit_cost[a]
                        .total_cmp(&problem.unit_cost[b])
                        .then(problem.cover[b][k].total_cmp(&problem.cover[a][k]))
                        .then(a.cmp(&b))
                });
            match best {
                Some(j) if !grow.contains(&j) => grow.push(j),
                Some(_) => {}
                None if !unrepairable.contains(&k) => unrepairable.push(k),
                None => {}
            }
        }
        if grow.is_empty() {
            break;
        }
        for j in grow {
            let want = plan::on_floor(scheduled[j], availability) + 1;
            scheduled[j] = plan::scheduled_for(want, availability);
        }
    }
    let last = runs.last().map_or(Vec::new(), |r| r.floor.clone());
    let table = plan::plan_table(&base.table, &shifts.group, t, &last);
    progress.finish();
    Ok(Outcome {
        shifts,
        req,
        problem,
        first,
        runs,
        uncoverable,
        unrepairable,
        table,
        paid,
    })
}

/// A plan's scenario with the seed and replications of the command line.
fn scenario_of(base: &Base, cfg: &ScheduleConfig, table: &toml::Table) -> Result<Scenario> {
    let mut scn = base.validate(table).map_err(|e| {
        Error::input(format!(
            "{}: the plan's scenario is invalid: {}",
            base.path.display(),
            e.describe()
        ))
    })?;
    scn.file = base.path.clone();
    if let Some(s) = cfg.overrides.seed {
        scn.seed = s;
    }
    if let Some(r) = cfg.overrides.replications {
        scn.replications = r;
    }
    Ok(scn)
}

/// Simulates a plan: each interval's target values and the intervals
/// (with demand) that miss one.
fn simulate(
    base: &Base,
    cfg: &ScheduleConfig,
    table: &toml::Table,
    req: &Requirements,
    round: u32,
) -> Result<(Vec<Vec<Cell>>, Vec<usize>)> {
    let scn = scenario_of(base, cfg, table)?;
    let opts = RunOptions {
        threads: cfg.threads,
        max_memory: cfg.max_memory,
        variant: Some(format!("plan {round}")),
        ..RunOptions::default()
    };
    let (agg, unstable) = runner::run_lenient(&scn, &opts, &|| {})?;
    let scope = |t: &Target| {
        t.skill
            .as_deref()
            .and_then(|s| scn.skill_index(s))
            .unwrap_or(scn.skills.len())
    };
    let offered_m = Id::Offered.interval_index();
    let mut cells = Vec::new();
    let mut missed = Vec::new();
    for k in 0..req.starts.len().min(agg.interval_starts.len()) {
        let mut row = Vec::new();
        for t in &cfg.targets {
            let s = scope(t);
            let vals = |m: Option<usize>| m.map_or(&[][..], |m| agg.interval_reps(k, s, m));
            let est = estimate_at(
                vals(t.metric.interval_index()).iter().copied(),
                cfg.confidence,
            );
            let offered = estimate_at(vals(offered_m).iter().copied(), cfg.confidence).mean;
            let demand = offered.is_finite() && offered > 0.0;
            let met = !demand || (unstable.is_none() && t.met(&est, false));
            row.push(Cell { est, met });
        }
        if row.iter().any(|c| !c.met) {
            missed.push(k);
        }
        cells.push(row);
    }
    Ok((cells, missed))
}

impl Outcome {
    /// The final plan.
    #[must_use]
    pub fn last(&self) -> Option<&PlanRun> {
        self.runs.last()
    }

    /// The templates.
    #[must_use]
    pub fn templates(&self) -> &[Template] {
        &self.shifts.templates
    }

    /// Intervals whose requirement was not met by any count tried (set
    /// apart: neither planned for nor repaired).
    #[must_use]
    pub fn not_sized(&self) -> Vec<usize> {
        (0..self.req.needs.len())
            .filter(|&k| matches!(self.req.needs[k], Need::NotMet(_)))
            .collect()
    }
}

/// `<out>/<scenario>.schedule-progress.csv`: every simulated plan's rows of
/// `plans.csv`, appended and flushed as the plan finishes, so a long repair
/// that fails or is stopped loses nothing already run; removed once the
/// outputs (whose `plans.csv` has the same rows) are written.
struct PlanProgress {
    w: csv::Writer<std::fs::File>,
    path: PathBuf,
}

impl PlanProgress {
    /// Creates `path` (replacing a previous progress file, never through a
    /// link) with `plans.csv`'s header.
    fn create(path: &Path) -> Result<PlanProgress> {
        let mut p = PlanProgress {
            w: crate::staff::progress_writer(path)?,
            path: path.to_path_buf(),
        };
        p.append(&[report::PLAN_HEADER.map(String::from).to_vec()])?;
        Ok(p)
    }

    /// Appends `rows` and flushes them to the file.
    fn append(&mut self, rows: &[Vec<String>]) -> Result<()> {
        for r in rows {
            self.w
                .write_record(r)
                .map_err(|e| Error::io("write", &self.path, std::io::Error::other(e)))?;
        }
        self.w
            .flush()
            .map_err(|e| Error::io("write", &self.path, e))
    }

    /// Removes the file: its rows are in `plans.csv`.
    fn finish(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::PlanProgress;

    #[test]
    fn plan_progress_rows_are_on_disk_before_the_search_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.schedule-progress.csv");
        std::fs::write(&path, "stale\n").unwrap();
        let mut p = PlanProgress::create(&path).unwrap();
        let row = |r: &str| ["0", r, "3", "2", "120", "1"].map(String::from).to_vec();
        p.append(&[row("early"), row("late")]).unwrap();
        // Read while the writer is still open: flushed, header first, the
        // previous file replaced.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "round,template,agents,on_floor,plan_cost,intervals_missed\n\
             0,early,3,2,120,1\n0,late,3,2,120,1\n"
        );
        p.finish();
        assert!(!path.exists());
    }
}

//! Staffing search (`ccsim staff`): the smallest head-count of one agent
//! group that meets every target, found by simulation.
//!
//! This module owns the target grammar ([`Target::parse`]), the decision
//! rule and its confidence intervals ([`ci`], [`Target::met`]), the search
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

use super::base::Base;
use super::run::Overrides;
use crate::cli::CliError;
use crate::engine::time::label;
use crate::metrics::metric_index;
use crate::report::{num, write_atomic};
use crate::runner;
use crate::scenario::Scenario;
use crate::sim::interval::{INTERVAL_METRICS, interval_values};
use crate::sim::{RepResult, Sim};
use anyhow::Context;
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Direction of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `metric >= value`.
    AtLeast,
    /// `metric <= value`.
    AtMost,
}

/// The unit of a target's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Share,
    Seconds,
}

/// The metrics a target may name, with their direction and unit.
const KINDS: [(&str, Op, Unit); 6] = [
    ("service_level", Op::AtLeast, Unit::Share),
    ("first_response_sl", Op::AtLeast, Unit::Share),
    ("abandonment_rate", Op::AtMost, Unit::Share),
    ("asa", Op::AtMost, Unit::Seconds),
    ("first_response_mean", Op::AtMost, Unit::Seconds),
    ("response_time_mean", Op::AtMost, Unit::Seconds),
];

/// The accepted target forms, for error messages and `--help`.
pub const ACCEPTED: &str = "accepted forms: `service_level>=X`, `first_response_sl>=X`, \
`abandonment_rate<=X` (X a share from 0 to 1), `asa<=T`, `first_response_mean<=T`, \
`response_time_mean<=T` (T in seconds, or a duration such as 30s or 2m); \
prefix `SKILL:` for one skill instead of all, e.g. `billing:service_level>=0.8`";

/// One staffing target, e.g. `service_level>=0.8` or `billing:asa<=30s`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The skill it is about, or `None` for all skills together.
    pub skill: Option<String>,
    /// The metric, one of the names in [`ACCEPTED`].
    pub metric: &'static str,
    /// The direction.
    pub op: Op,
    /// The bound (a share, or seconds).
    pub value: f64,
}

impl Target {
    /// Parses a target string.
    ///
    /// # Errors
    ///
    /// A message quoting the input and listing the accepted forms.
    pub fn parse(text: &str) -> Result<Target, String> {
        let bad = |why: &str| format!("invalid target `{text}`: {why}; {ACCEPTED}");
        let s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (lhs, op, rhs) = if let Some((l, r)) = s.split_once(">=") {
            (l, Op::AtLeast, r)
        } else if let Some((l, r)) = s.split_once("<=") {
            (l, Op::AtMost, r)
        } else {
            return Err(bad("expected `>=` or `<=`"));
        };
        let (skill, metric) = match lhs.rsplit_once(':') {
            Some((sk, m)) if !sk.is_empty() => (Some(sk.to_string()), m),
            Some(_) => return Err(bad("empty skill name before `:`")),
            None => (None, lhs),
        };
        let Some(&(name, want, unit)) = KINDS.iter().find(|(n, _, _)| *n == metric) else {
            return Err(bad(&format!("unknown metric `{metric}`")));
        };
        if op != want {
            let sign = if want == Op::AtLeast { ">=" } else { "<=" };
            return Err(bad(&format!("`{name}` takes `{sign}`")));
        }
        let value = match unit {
            Unit::Share => match rhs.parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => v,
                _ => return Err(bad(&format!("`{rhs}` is not a share from 0 to 1"))),
            },
            Unit::Seconds => match crate::scenario::schema::parse_duration(rhs) {
                Some(v) => v,
                None => {
                    return Err(bad(&format!(
                        "`{rhs}` is not a number of seconds or a duration"
                    )));
                }
            },
        };
        Ok(Target {
            skill,
            metric: name,
            op,
            value,
        })
    }

    fn unit(&self) -> Unit {
        KINDS
            .iter()
            .find(|(n, _, _)| *n == self.metric)
            .map_or(Unit::Share, |k| k.2)
    }

    /// The bound as written back, e.g. `>=0.8`.
    #[must_use]
    pub fn bound(&self) -> String {
        let sign = if self.op == Op::AtLeast { ">=" } else { "<=" };
        format!("{sign}{}", num(self.value))
    }

    /// The scope name: the skill, or `all`.
    #[must_use]
    pub fn scope(&self) -> &str {
        self.skill.as_deref().unwrap_or("all")
    }

    /// The target as text, e.g. `billing:service_level>=0.8`.
    #[must_use]
    pub fn text(&self) -> String {
        match &self.skill {
            Some(s) => format!("{s}:{}{}", self.metric, self.bound()),
            None => format!("{}{}", self.metric, self.bound()),
        }
    }

    /// Whether `c` meets the target: by its confidence bound (`lo >= x` for
    /// `>=`, `hi <= x` for `<=`; never with fewer than 2 values), or by its
    /// mean alone when `by_mean`. Undefined values never meet.
    #[must_use]
    pub fn met(&self, c: &Ci, by_mean: bool) -> bool {
        let v = match (by_mean, self.op) {
            (true, _) => c.mean,
            (false, _) if c.n < 2 => return false,
            (false, Op::AtLeast) => c.lo,
            (false, Op::AtMost) => c.hi,
        };
        match self.op {
            Op::AtLeast => v >= self.value,
            Op::AtMost => v <= self.value,
        }
    }

    fn show(&self, c: &Ci) -> String {
        let f = |v: f64| match (v.is_finite(), self.unit()) {
            (false, _) => "-".to_string(),
            (true, Unit::Share) => format!("{v:.4}"),
            (true, Unit::Seconds) => format!("{v:.1}s"),
        };
        format!("{} [{}, {}]", f(c.mean), f(c.lo), f(c.hi))
    }
}

/// A mean with a confidence interval at a chosen level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ci {
    /// Mean of the finite values.
    pub mean: f64,
    /// Lower bound (NaN with fewer than 2 values).
    pub lo: f64,
    /// Upper bound (NaN with fewer than 2 values).
    pub hi: f64,
    /// Number of finite values.
    pub n: usize,
}

/// Mean and two-sided Student-t interval at `confidence` (e.g. 0.95) of the
/// finite values, summed in the given order.
#[must_use]
pub fn ci(values: impl IntoIterator<Item = f64>, confidence: f64) -> Ci {
    let xs: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
    let n = xs.len();
    let mean = if n == 0 {
        f64::NAN
    } else {
        xs.iter().sum::<f64>() / n as f64
    };
    if n < 2 {
        return Ci {
            mean,
            lo: f64::NAN,
            hi: f64::NAN,
            n,
        };
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .map_or(f64::NAN, |d| d.inverse_cdf(0.5 + confidence / 2.0));
    let h = t * (var / n as f64).sqrt();
    Ci {
        mean,
        lo: mean - h,
        hi: mean + h,
        n,
    }
}

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
}

/// One target's value in one report interval.
#[derive(Clone, Copy, Debug)]
struct IvCell {
    ci: Ci,
    /// Mean offered conversations in the interval (target's scope).
    offered: f64,
    /// Mean agents online with the scope's skills in the interval.
    online: f64,
}

/// One head-count's results.
#[derive(Clone, Debug)]
struct Eval {
    /// Per target.
    overall: Vec<Ci>,
    /// Per interval, per target (empty unless per-interval).
    intervals: Vec<Vec<IvCell>>,
}

/// Why an interval has no count.
#[derive(Clone, Copy, Debug, PartialEq)]
enum IvAnswer {
    /// Smallest count meeting (by the CI rule) and by the means.
    Count {
        ci: u32,
        mean: Option<u32>,
    },
    NoDemand,
    NoAgents,
    NotMet(u32),
}

struct Searcher<'a> {
    base: &'a Base,
    path: String,
    cfg: &'a StaffConfig,
    scopes: Vec<usize>,
    pool: rayon::ThreadPool,
    cache: BTreeMap<u32, Eval>,
    starts: Vec<f64>,
    interval: f64,
    replications: u32,
    seed: u64,
    /// The sized group's weekly login windows (empty: always logged in).
    shifts: Vec<crate::scenario::Shift>,
    bar: indicatif::ProgressBar,
}

/// Whether a group with these weekly shifts is logged in at some time in
/// `[from, to)` (seconds since Monday 00:00 of week 0).
fn group_on_shift(shifts: &[crate::scenario::Shift], from: f64, to: f64) -> bool {
    use crate::engine::time::WEEK;
    if shifts.is_empty() {
        return true;
    }
    shifts.iter().any(|sh| {
        let first = ((from - sh.start - sh.length) / WEEK).floor() as i64;
        let last = ((to - sh.start) / WEEK).ceil() as i64;
        (first..=last).any(|w| {
            let a = sh.start + w as f64 * WEEK;
            a < to && a + sh.length > from
        })
    })
}

impl Searcher<'_> {
    fn scenario(&self, count: u32) -> Result<Scenario, CliError> {
        let mut scn = self
            .base
            .build(&[(self.path.clone(), toml::Value::Integer(i64::from(count)))])
            .map_err(|e| {
                CliError::input(format!(
                    "{}: with `{}` = {count}: {}",
                    self.base.path.display(),
                    self.path,
                    e.describe()
                ))
            })?;
        if let Some(s) = self.cfg.overrides.seed {
            scn.seed = s;
        }
        if let Some(r) = self.cfg.overrides.replications {
            scn.replications = r;
        }
        Ok(scn)
    }

    fn eval(&mut self, count: u32) -> Result<&Eval, CliError> {
        if !self.cache.contains_key(&count) {
            self.bar.set_message(format!(
                "running {count} agents ({} counts run so far)",
                self.cache.len()
            ));
            let scn = self.scenario(count)?;
            let reps: Vec<RepResult> = self.pool.install(|| {
                (0..scn.replications)
                    .into_par_iter()
                    .map(|r| Sim::new(&scn, r, None).run())
                    .collect()
            });
            let mut e = self.summarise(&scn, &reps);
            if reps.iter().any(|r| r.unstable.is_some()) {
                // The queues grew without bound at this count: it meets nothing.
                let failed = Ci {
                    mean: f64::NAN,
                    lo: f64::NAN,
                    hi: f64::NAN,
                    n: 0,
                };
                for c in e.overall.iter_mut() {
                    *c = failed;
                }
                for cell in e.intervals.iter_mut().flatten() {
                    cell.ci = failed;
                }
            }
            self.cache.insert(count, e);
            self.bar.tick();
        }
        self.cache
            .get(&count)
            .ok_or_else(|| CliError::Other(anyhow::anyhow!("internal: count {count} not run")))
    }

    fn summarise(&mut self, scn: &Scenario, reps: &[RepResult]) -> Eval {
        let conf = self.cfg.confidence;
        let agg = runner::aggregate(scn, "base", reps);
        let overall = self
            .cfg
            .targets
            .iter()
            .zip(&self.scopes)
            .map(|(t, &s)| {
                let m = metric_index(t.metric).unwrap_or(0);
                ci(agg.per_rep.iter().map(|r| r[s][m]), conf)
            })
            .collect();
        let mut intervals = Vec::new();
        if self.cfg.per_interval {
            self.starts.clone_from(&agg.interval_starts);
            self.interval = scn.interval;
            let ns = agg.scopes.len();
            let im = |name: &str| {
                INTERVAL_METRICS
                    .iter()
                    .position(|m| *m == name)
                    .unwrap_or(0)
            };
            for (k, &start) in agg.interval_starts.iter().enumerate() {
                let length = (scn.end() - start).min(scn.interval);
                let row = self
                    .cfg
                    .targets
                    .iter()
                    .zip(&self.scopes)
                    .map(|(t, &s)| {
                        let vals: Vec<Vec<f64>> = reps
                            .iter()
                            .filter_map(|r| r.intervals.get(k * ns + s))
                            .map(|tally| interval_values(tally, length))
                            .collect();
                        let mean_of = |m: usize| ci(vals.iter().map(|v| v[m]), conf).mean;
                        IvCell {
                            ci: ci(vals.iter().map(|v| v[im(t.metric)]), conf),
                            offered: mean_of(im("offered")),
                            online: mean_of(im("agents_online")),
                        }
                    })
                    .collect();
                intervals.push(row);
            }
        }
        Eval { overall, intervals }
    }

    /// The smallest count in `1..=max` meeting `met`: a doubling bracket from
    /// 1, then bisection. `None` when `max` does not meet.
    fn smallest(&mut self, met: &dyn Fn(&Eval) -> bool) -> Result<Option<u32>, CliError> {
        let max = self.cfg.max;
        let mut lo = 0u32;
        let mut c = 1u32;
        let mut hi = loop {
            if met(self.eval(c)?) {
                break c;
            }
            lo = c;
            if c >= max {
                return Ok(None);
            }
            c = c.saturating_mul(2).min(max);
        };
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if met(self.eval(mid)?) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(Some(hi))
    }

    /// The smallest count in `1..=top` meeting `met`, by bisection between
    /// the counts already run (assuming monotonicity between them).
    fn smallest_below(
        &mut self,
        top: u32,
        met: &dyn Fn(&Eval) -> bool,
    ) -> Result<Option<u32>, CliError> {
        let Some(mut hi) = self
            .cache
            .iter()
            .filter(|(c, e)| **c <= top && met(e))
            .map(|(c, _)| *c)
            .next()
        else {
            return Ok(None);
        };
        let mut lo = self
            .cache
            .iter()
            .filter(|(c, e)| **c < hi && !met(e))
            .map(|(c, _)| *c)
            .next_back()
            .unwrap_or(0);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if met(self.eval(mid)?) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(Some(hi))
    }
}

/// Runs the staffing search on the scenario at `path`; returns the text to
/// print. Writes `staffing.csv` into `out/<scenario name>/`.
///
/// # Errors
///
/// Bad input for an invalid scenario, unknown group or skill, too few
/// replications for an interval, a confidence outside (0, 1), or a target
/// that cannot be measured per interval with `per_interval`; other errors
/// for I/O.
pub fn run(path: &Path, cfg: &StaffConfig) -> Result<String, CliError> {
    if !(cfg.confidence > 0.0 && cfg.confidence < 1.0) {
        return Err(CliError::input(format!(
            "--confidence {} must be between 0 and 1 (exclusive), e.g. 0.95",
            cfg.confidence
        )));
    }
    if cfg.targets.is_empty() {
        return Err(CliError::input(format!(
            "give at least one --target; {ACCEPTED}"
        )));
    }
    if cfg.max == 0 {
        return Err(CliError::input("--max must be at least 1"));
    }
    let base = Base::load(path).map_err(CliError::input)?;
    for w in &base.scenario.warnings {
        eprintln!("warning: {w}");
    }
    let scn = &base.scenario;
    let group = match (&cfg.group, scn.groups.as_slice()) {
        (Some(g), groups) => {
            if !groups.iter().any(|x| &x.name == g) {
                return Err(CliError::input(format!(
                    "--group `{g}`: {} has no agent group of that name; groups are: {}",
                    path.display(),
                    names(groups.iter().map(|x| x.name.as_str()))
                )));
            }
            g.clone()
        }
        (None, [only]) => only.name.clone(),
        (None, []) => {
            return Err(CliError::input(format!(
                "{} has no [[agents]] group to size",
                path.display()
            )));
        }
        (None, groups) => {
            return Err(CliError::input(format!(
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
                    return Err(CliError::input(format!(
                        "target `{}`: {} has no skill `{s}`; skills are: {}",
                        t.text(),
                        path.display(),
                        names(scn.skills.iter().map(|x| x.name.as_str()))
                    )));
                }
            },
        }
        if cfg.per_interval && !INTERVAL_METRICS.contains(&t.metric) {
            return Err(CliError::input(format!(
                "target `{}`: `{}` is not measured per report interval, so it cannot be used \
                 with --per-interval (per interval: service_level, abandonment_rate, asa, \
                 first_response_mean, response_time_mean)",
                t.text(),
                t.metric
            )));
        }
    }
    let replications = cfg.overrides.replications.unwrap_or(scn.replications);
    if replications < 2 {
        return Err(CliError::input(format!(
            "the search needs at least 2 replications for a confidence interval, found {replications}; \
             use --replications"
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;
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
        pool,
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
    let dir = cfg.out.join(&scn.name);
    let file = dir.join("staffing.csv");
    write_atomic(&file, &report.csv())
        .with_context(|| format!("cannot write {}", file.display()))?;
    let mut text = report.text();
    let _ = writeln!(text, "wrote {}", file.display());
    Ok(text)
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// Sizes every report interval: the smallest count whose interval values
/// meet every target, among runs of the whole scenario at constant counts.
fn per_interval(s: &mut Searcher<'_>) -> Result<Vec<IvAnswer>, CliError> {
    let targets = s.cfg.targets.clone();
    s.eval(1)?;
    let on_shift: Vec<bool> = s
        .starts
        .iter()
        .map(|&start| group_on_shift(&s.shifts, start, start + s.interval))
        .collect();
    let staffed = |e: &Eval, k: usize| -> Option<IvAnswer> {
        let row = &e.intervals[k];
        if !on_shift.get(k).copied().unwrap_or(true) {
            Some(IvAnswer::NoAgents)
        } else if row.iter().all(|c| c.offered.is_nan() || c.offered <= 0.0) {
            Some(IvAnswer::NoDemand)
        } else if row.iter().any(|c| c.online.is_nan() || c.online <= 0.0) {
            Some(IvAnswer::NoAgents)
        } else {
            None
        }
    };
    let met = |e: &Eval, k: usize, by_mean: bool| {
        targets
            .iter()
            .zip(&e.intervals[k])
            .all(|(t, c)| t.met(&c.ci, by_mean))
    };
    // Bracket: double until every interval that can be staffed meets.
    let max = s.cfg.max;
    let mut top = 1u32;
    loop {
        let e = s.eval(top)?;
        let done = (0..e.intervals.len()).all(|k| staffed(e, k).is_some() || met(e, k, false));
        if done || top >= max {
            break;
        }
        top = top.saturating_mul(2).min(max);
    }
    let n = s.eval(top)?.intervals.len();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let e = s.eval(top)?;
        if let Some(a) = staffed(e, k) {
            out.push(a);
            continue;
        }
        let by_ci = s.smallest_below(top, &|e| met(e, k, false))?;
        let by_mean = s.smallest_below(top, &|e| met(e, k, true))?;
        out.push(match by_ci {
            Some(c) => IvAnswer::Count {
                ci: c,
                mean: by_mean,
            },
            None => IvAnswer::NotMet(top),
        });
    }
    Ok(out)
}

/// The search's results, ready to print and write.
struct Report<'a> {
    path: &'a Path,
    group: &'a str,
    s: &'a Searcher<'a>,
    answer: Option<u32>,
    mean_answer: Option<u32>,
    iv_answers: &'a [IvAnswer],
}

impl Report<'_> {
    fn conf_pct(&self) -> String {
        num(self.s.cfg.confidence * 100.0)
    }

    fn text(&self) -> String {
        let cfg = self.s.cfg;
        let targets = &cfg.targets;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "Staffing search: group `{}` of {}, {} replications, seed {}",
            self.group,
            self.path.display(),
            self.s.replications,
            self.s.seed
        );
        let _ = writeln!(
            o,
            "Rule: a head-count meets a target when its {}% confidence interval clears it \
             (lower bound >= x for `>=`, upper bound <= x for `<=`); \
             the count meeting by the means alone is shown beside it.",
            self.conf_pct()
        );
        let _ = writeln!(o);
        let cols: Vec<String> = targets.iter().map(Target::text).collect();
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec!["count".to_string()];
        head.extend(cols.iter().map(|c| format!("{c} mean [CI]")));
        head.push(format!("met ({}% CI)", self.conf_pct()));
        head.push("met (mean)".to_string());
        rows.push(head);
        for (c, e) in &self.s.cache {
            let mut r = vec![c.to_string()];
            r.extend(targets.iter().zip(&e.overall).map(|(t, ci)| t.show(ci)));
            let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
            r.push(yes(targets
                .iter()
                .zip(&e.overall)
                .all(|(t, c)| t.met(c, false))));
            r.push(yes(targets
                .iter()
                .zip(&e.overall)
                .all(|(t, c)| t.met(c, true))));
            rows.push(r);
        }
        o.push_str(&table(&rows));
        let _ = writeln!(o);
        match self.answer {
            Some(c) => {
                let below = if c > 2 {
                    format!("{} agents do not", c - 1)
                } else if c == 2 {
                    "1 agent does not".to_string()
                } else {
                    "the smallest count tried".to_string()
                };
                let _ = writeln!(
                    o,
                    "Answer: {c} agents in `{}` meet every target at {}% confidence ({below}).",
                    self.group,
                    self.conf_pct()
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "Answer: no head-count up to --max {} meets every target at {}% confidence.",
                    cfg.max,
                    self.conf_pct()
                );
            }
        }
        match self.mean_answer {
            Some(c) => {
                let _ = writeln!(o, "By the means alone: {c} agents.");
            }
            None => {
                let _ = writeln!(o, "By the means alone: none up to {}.", cfg.max);
            }
        }
        if cfg.per_interval {
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "Per report interval ({}): the smallest count whose interval values meet every target.",
                crate::report::num(self.s.interval / 60.0) + " min"
            );
            let _ = writeln!(
                o,
                "Stationary-per-interval approximation: each count is simulated over the whole \
                 horizon with a constant head-count (carry-over between intervals is included), \
                 and each interval takes the smallest count that meets the targets in it; \
                 staffing is not varied within a run."
            );
            let _ = writeln!(o);
            let mut rows: Vec<Vec<String>> = Vec::new();
            let mut head = vec![
                "interval".to_string(),
                "offered".to_string(),
                "count".to_string(),
            ];
            head.extend(cols.iter().map(|c| format!("{c} mean [CI]")));
            head.push("by mean".to_string());
            rows.push(head);
            for (k, a) in self.iv_answers.iter().enumerate() {
                let start = self.s.starts.get(k).copied().unwrap_or(f64::NAN);
                let at = match a {
                    IvAnswer::Count { ci, .. } => Some(*ci),
                    IvAnswer::NotMet(top) => Some(*top),
                    _ => self.s.cache.keys().next_back().copied(),
                };
                let e = at.and_then(|c| self.s.cache.get(&c));
                let offered = e
                    .and_then(|e| e.intervals.get(k))
                    .and_then(|r| r.first())
                    .map_or("-".to_string(), |c| format!("{:.1}", c.offered));
                let mut r = vec![label(start), offered];
                match a {
                    IvAnswer::Count { ci, mean } => {
                        r.push(ci.to_string());
                        if let Some(row) = e.and_then(|e| e.intervals.get(k)) {
                            r.extend(targets.iter().zip(row).map(|(t, c)| t.show(&c.ci)));
                        }
                        r.push(mean.map_or("-".to_string(), |m| m.to_string()));
                    }
                    IvAnswer::NotMet(top) => {
                        r.push(format!("> {top}"));
                        if let Some(row) = e.and_then(|e| e.intervals.get(k)) {
                            r.extend(targets.iter().zip(row).map(|(t, c)| t.show(&c.ci)));
                        }
                        r.push("-".to_string());
                    }
                    IvAnswer::NoDemand => r.push("- (no demand)".to_string()),
                    IvAnswer::NoAgents => r.push("- (no agents on shift)".to_string()),
                }
                rows.push(r);
            }
            o.push_str(&table(&rows));
        }
        o
    }

    fn csv(&self) -> Vec<u8> {
        let cfg = self.s.cfg;
        let mut w = super::grid::results_writer(Vec::new());
        let _ = w.write_record([
            "scope",
            "interval_start",
            "interval",
            "count",
            "metric",
            "target",
            "mean",
            "ci_low",
            "ci_high",
            "confidence",
            "met",
            "mean_met",
            "chosen",
        ]);
        let conf = num(cfg.confidence);
        let chosen = |c: Option<u32>, ci: Option<u32>, mean: Option<u32>| match (
            c.is_some() && c == ci,
            c.is_some() && c == mean,
        ) {
            (true, true) => "ci+mean",
            (true, false) => "ci",
            (false, true) => "mean",
            (false, false) => "",
        };
        let mut row = |scope: &str,
                       start: &str,
                       lab: &str,
                       count: &str,
                       t: &Target,
                       c: Option<&Ci>,
                       ch: &str| {
            let (mean, lo, hi) = c.map_or((String::new(), String::new(), String::new()), |c| {
                (num(c.mean), num(c.lo), num(c.hi))
            });
            let met = c.map_or(String::new(), |c| t.met(c, false).to_string());
            let mean_met = c.map_or(String::new(), |c| t.met(c, true).to_string());
            let _ = w.write_record([
                scope,
                start,
                lab,
                count,
                t.metric,
                &t.bound(),
                &mean,
                &lo,
                &hi,
                &conf,
                &met,
                &mean_met,
                ch,
            ]);
        };
        for (c, e) in &self.s.cache {
            for (t, ci) in cfg.targets.iter().zip(&e.overall) {
                let ch = chosen(Some(*c), self.answer, self.mean_answer);
                row(t.scope(), "", "", &c.to_string(), t, Some(ci), ch);
            }
        }
        for (k, a) in self.iv_answers.iter().enumerate() {
            let start = self.s.starts.get(k).copied().unwrap_or(f64::NAN);
            let (st, lab) = (num(start), label(start));
            let cell = |c: u32, t: usize| {
                self.s
                    .cache
                    .get(&c)
                    .and_then(|e| e.intervals.get(k))
                    .and_then(|r| r.get(t))
                    .map(|x| x.ci)
            };
            for (ti, t) in cfg.targets.iter().enumerate() {
                match a {
                    IvAnswer::Count { ci, mean } => {
                        let ch = chosen(Some(*ci), Some(*ci), *mean);
                        row(
                            t.scope(),
                            &st,
                            &lab,
                            &ci.to_string(),
                            t,
                            cell(*ci, ti).as_ref(),
                            ch,
                        );
                        if let Some(m) = mean.filter(|m| m != ci) {
                            row(
                                t.scope(),
                                &st,
                                &lab,
                                &m.to_string(),
                                t,
                                cell(m, ti).as_ref(),
                                "mean",
                            );
                        }
                    }
                    IvAnswer::NotMet(top) => {
                        row(
                            t.scope(),
                            &st,
                            &lab,
                            &top.to_string(),
                            t,
                            cell(*top, ti).as_ref(),
                            "not met",
                        );
                    }
                    IvAnswer::NoDemand => row(t.scope(), &st, &lab, "", t, None, "no demand"),
                    IvAnswer::NoAgents => row(t.scope(), &st, &lab, "", t, None, "not on shift"),
                }
            }
        }
        w.into_inner().unwrap_or_default()
    }
}

/// Left-aligned text table, columns separated by two spaces.
fn table(rows: &[Vec<String>]) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..ncol)
        .map(|j| {
            rows.iter()
                .filter_map(|r| r.get(j))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut o = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(j, c)| format!("{c:<w$}", w = widths[j]))
            .collect();
        let _ = writeln!(o, "{}", cells.join("  ").trim_end());
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_repeat_weekly() {
        use crate::scenario::Shift;
        let day = 86_400.0;
        let early = [Shift {
            start: 7.0 * 3600.0,
            length: 8.0 * 3600.0,
            login: None,
        }];
        assert!(group_on_shift(&early, 8.0 * 3600.0, 9.0 * 3600.0));
        assert!(group_on_shift(&early, 6.5 * 3600.0, 7.5 * 3600.0));
        assert!(!group_on_shift(&early, 15.0 * 3600.0, 16.0 * 3600.0));
        assert!(!group_on_shift(&early, day, day + 3600.0));
        assert!(group_on_shift(
            &early,
            7.0 * day + 8.0 * 3600.0,
            7.0 * day + 9.0 * 3600.0
        ));
        assert!(group_on_shift(&[], 0.0, 1.0));
    }

    #[test]
    fn targets_parse() {
        let t = Target::parse("service_level>=0.8").unwrap();
        assert_eq!(
            (t.metric, t.op, t.value, t.skill.as_deref()),
            ("service_level", Op::AtLeast, 0.8, None)
        );
        let t = Target::parse(" billing : asa <= 30s ").unwrap();
        assert_eq!((t.metric, t.value, t.scope()), ("asa", 30.0, "billing"));
        assert_eq!(t.text(), "billing:asa<=30");
        assert_eq!(
            Target::parse("first_response_mean<=2m").unwrap().value,
            120.0
        );
        for (bad, why) in [
            ("service_level<=0.8", "takes `>=`"),
            ("asa>=20", "takes `<=`"),
            ("service_level>=1.2", "not a share"),
            ("sl>=0.8", "unknown metric `sl`"),
            ("service_level=0.8", "expected `>=` or `<=`"),
            ("asa<=soon", "not a number of seconds"),
            (":asa<=3", "empty skill"),
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert!(
                e.contains(why) && e.contains("accepted forms"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn ci_matches_the_95_percent_estimate() {
        let xs = [0.8, 0.85, 0.9, 0.82, f64::NAN];
        let a = ci(xs, 0.95);
        let b = crate::metrics::estimate(xs);
        assert_eq!(a.n, b.n);
        assert!((a.lo - b.lo).abs() < 1e-12 && (a.hi - b.hi).abs() < 1e-12);
        let wide = ci(xs, 0.99);
        assert!(wide.lo < a.lo && wide.hi > a.hi);
    }

    #[test]
    fn the_rule_uses_the_bound_on_the_right_side() {
        let c = Ci {
            mean: 0.82,
            lo: 0.79,
            hi: 0.85,
            n: 10,
        };
        let sl = Target::parse("service_level>=0.8").unwrap();
        assert!(!sl.met(&c, false) && sl.met(&c, true));
        let ab = Target::parse("abandonment_rate<=0.84").unwrap();
        assert!(!ab.met(&c, false) && ab.met(&c, true));
        let one = Ci { n: 1, ..c };
        assert!(
            !Target::parse("service_level>=0.1")
                .unwrap()
                .met(&one, false)
        );
    }
}

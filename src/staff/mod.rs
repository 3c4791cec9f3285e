//! Staffing search (`ccsim staff`): the smallest head-count of one agent
//! group (or the cheapest counts of several) that meets every target, found by
//! simulation, for the base scenario and, with `--variants`, each variant.
//!
//! This module owns the target grammar ([`Target::parse`]), the decision
//! rule ([`Target::met`]; shares by a Wilson interval on pooled counts,
//! [`crate::metrics::ci::share_estimate`], other metrics by Student's t),
//! the measurement of a head-count with replications added until the
//! targets are precise enough (`measure`), the search (a doubling bracket,
//! then bisection, every count run on the same seed so neighbouring counts
//! see the same demand: common random numbers; `search`), several groups
//! at least cost (`groups`), targets no head-count can meet (`feasible`), the
//! per-interval variant, and the report (printed table, `staffing.csv`,
//! the progress file and the chart of agents per variant).
//!
//! **The rule.** A count meets a `>=` target when the lower bound of the
//! confidence interval of its metric (at `--confidence`) is at least the
//! target, and a `<=` target when the upper bound is at most it: "meets"
//! then means "meets, at that confidence". The count whose mean alone
//! meets the targets is reported beside it.
//!
//! Simulated metrics are not perfectly monotone in the head-count; the
//! bisection keeps the invariant that the answer meets and the count below
//! it was run and fails, so the answer is always checked from both sides.

mod feasible;
mod groups;
mod measure;
mod per_interval;
mod profile;
mod report;
mod req_report;
mod search;
pub mod target;

pub use groups::MAX_COMBINATIONS;
pub use profile::{MAX_ROUNDS, Requirement};
pub(crate) use report::progress_writer;
pub use target::{Op, Target, accepted};

use crate::error::{Context, Error, Result};
use crate::report::write_atomic;
use crate::scenario::Scenario;
use crate::sweep::base::Base;
use crate::sweep::run::Overrides;
use per_interval::per_interval;
use report::{Answer, Found, Progress};
use search::{Eval, Outcome, Searcher};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What `ccsim staff` needs besides the scenario.
#[derive(Clone, Debug)]
pub struct StaffConfig {
    /// The targets (at least one).
    pub targets: Vec<Target>,
    /// The agent groups to size (empty: the only one; several: the cheapest
    /// combination, see [`MAX_COMBINATIONS`]; `*`: all in proportion).
    pub groups: Vec<String>,
    /// Cost per agent-hour by group (default 1).
    pub costs: Vec<(String, f64)>,
    /// Also size each `[[variant]]`.
    pub variants: bool,
    /// Also size each report interval.
    pub per_interval: bool,
    /// Confidence level of the decision rule, in (0, 1).
    pub confidence: f64,
    /// Half-width wanted for share targets (e.g. 0.01).
    pub precision_share: f64,
    /// Half-width wanted for time targets, as a fraction of the target (e.g. 0.02).
    pub precision_time: f64,
    /// Most replications run at one head-count.
    pub max_replications: u32,
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

/// What a staffing search found.
#[derive(Clone, Debug)]
pub struct StaffOutcome {
    /// The text to print.
    pub text: String,
    /// Why targets cannot be met, when a search found they cannot (the
    /// command then exits with code 2 after printing the text).
    pub infeasible: Vec<String>,
}

/// Checks the options that need no scenario.
fn check_config(cfg: &StaffConfig) -> Result<()> {
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
    if !(cfg.precision_share > 0.0 && cfg.precision_time > 0.0) {
        return Err(Error::input("--precision must be positive"));
    }
    let all = cfg.groups.iter().any(|g| g == "*");
    if all && cfg.groups.len() > 1 {
        return Err(Error::input(
            "--group '*' sizes every group together (in the scenario's proportions); give it alone",
        ));
    }
    if all && cfg.per_interval {
        return Err(Error::input(
            "--per-interval sizes one group; give a single --group NAME",
        ));
    }
    let repeated = (1..cfg.groups.len()).find(|&i| cfg.groups[..i].contains(&cfg.groups[i]));
    if let Some(g) = repeated.map(|i| &cfg.groups[i]) {
        return Err(Error::input(format!("--group `{g}` given twice")));
    }
    if cfg.groups.len() > 1 && cfg.per_interval {
        return Err(Error::input(
            "--per-interval sizes one group; give a single --group",
        ));
    }
    for (g, c) in &cfg.costs {
        if !all && !cfg.groups.contains(g) {
            return Err(Error::input(format!(
                "--cost {g}={c}: `{g}` is not a group given with --group"
            )));
        }
        if !(c.is_finite() && *c > 0.0) {
            return Err(Error::input(format!(
                "--cost {g}={c}: expected a positive cost per agent-hour"
            )));
        }
    }
    Ok(())
}

/// The sized groups of `scn` (a variant's when `variant` names one).
fn sized_groups(
    path: &Path,
    cfg: &StaffConfig,
    scn: &Scenario,
    variant: Option<&str>,
) -> Result<Vec<String>> {
    let groups = match variant {
        Some(v) => scn
            .variants
            .iter()
            .find(|x| x.name == v)
            .map_or(&scn.groups, |x| &x.groups),
        None => &scn.groups,
    };
    let of = variant.map_or(path.display().to_string(), |v| {
        format!("variant `{v}` of {}", path.display())
    });
    let all = || names(groups.iter().map(|x| x.name.as_str()));
    if cfg.groups.iter().any(|g| g == "*") {
        if groups.is_empty() {
            return Err(Error::input(format!(
                "{of} has no [[agents]] group to size"
            )));
        }
        return Ok(groups.iter().map(|g| g.name.clone()).collect());
    }
    if !cfg.groups.is_empty() {
        for g in &cfg.groups {
            if !groups.iter().any(|x| &x.name == g) {
                return Err(Error::input(format!(
                    "--group `{g}`: {of} has no agent group of that name; groups are: {}",
                    all()
                )));
            }
        }
        return Ok(cfg.groups.clone());
    }
    match groups.as_slice() {
        [only] => Ok(vec![only.name.clone()]),
        [] => Err(Error::input(format!(
            "{of} has no [[agents]] group to size"
        ))),
        gs => Err(Error::input(format!(
            "{of} has {} agent groups; choose one with --group (groups are: {})",
            gs.len(),
            all()
        ))),
    }
}

/// Runs the staffing search on the scenario at `path`, giving the
/// scenario's warnings to `warn`. Writes `staffing.csv`, `report.html` and,
/// with variants, `charts/agents_per_variant` as `out/<scenario name>/`
/// (checked writable and locked before anything runs; replaced whole at
/// the end), and `out/<scenario name>.staff-progress.csv` while it runs.
///
/// # Errors
///
/// Bad input for an invalid scenario, unknown group or skill, too few
/// replications for an interval, a confidence outside (0, 1), or a target
/// that cannot be measured per interval with `per_interval`, or an output
/// directory another run holds; other errors for I/O.
pub fn run(path: &Path, cfg: &StaffConfig, warn: &mut dyn FnMut(&str)) -> Result<StaffOutcome> {
    check_config(cfg)?;
    let base = Base::load(path).map_err(Error::input)?;
    for w in &base.scenario.warnings {
        warn(w);
    }
    let scn = &base.scenario;
    let mut variants: Vec<Option<String>> = vec![None];
    if cfg.variants {
        if scn.variants.is_empty() {
            return Err(Error::input(format!(
                "--variants: {} has no [[variant]] to size",
                path.display()
            )));
        }
        variants.extend(scn.variants.iter().map(|v| Some(v.name.clone())));
    }
    let mut sized = Vec::new();
    for v in &variants {
        sized.push(sized_groups(path, cfg, scn, v.as_deref())?);
    }
    let targets = scoped_targets(path, cfg, scn)?;
    let replications = replications_of(cfg, scn)?;
    let dir = cfg.out.join(&scn.name);
    // One search per output directory; its files replace `dir` whole.
    let lock = crate::report::publish::lock_output(&dir)?;
    let log = RefCell::new(Progress::create(
        &cfg.out.join(format!("{}.staff-progress.csv", scn.name)),
    )?);
    let bar = spinner(cfg.progress);
    let pool = crate::runner::pool::pool(cfg.threads)?;
    let seed = cfg.overrides.seed.unwrap_or(scn.seed);
    let mut found = Vec::new();
    for (v, groups) in variants.iter().zip(sized) {
        let vscn = match v {
            Some(name) => scn
                .variants
                .iter()
                .find(|x| &x.name == name)
                .map_or_else(|| scn.clone(), |x| scn.with_variant(x)),
            None => scn.clone(),
        };
        let of = |g: &String| vscn.groups.iter().find(|x| &x.name == g);
        let rates = groups
            .iter()
            .map(|g| {
                let rate = cfg.costs.iter().find(|(n, _)| n == g).map_or(1.0, |c| c.1);
                let shifts = of(g).map(|x| x.shifts.as_slice()).unwrap_or_default();
                rate * groups::hours_per_agent(shifts, vscn.warmup, vscn.end())
            })
            .collect();
        let all = cfg.groups.iter().any(|g| g == "*");
        let weights = all.then(|| {
            groups
                .iter()
                .map(|g| of(g).map_or(0, |x| x.count))
                .collect()
        });
        let s = Searcher {
            base: &base,
            cfg,
            variant: v.clone(),
            shifts: of(&groups[0]).map(|x| x.shifts.clone()).unwrap_or_default(),
            groups,
            targets: targets.clone(),
            cache: BTreeMap::new(),
            starts: Vec::new(),
            interval: scn.interval,
            replications,
            seed,
            demand: Vec::new(),
            weights,
            rates,
            bar: &bar,
            pool: &pool,
            log: &log,
            free: false,
        };
        found.push(search(s)?);
    }
    bar.finish_and_clear();

    let stage = crate::report::publish::Publisher::begin(&lock)?;
    let staged = stage.path().join("staffing.csv");
    let csv = report::csv(&found)?;
    write_atomic(&staged, &csv).with_context(|| format!("cannot write {}", staged.display()))?;
    let target_texts: Vec<String> = cfg.targets.iter().map(Target::text).collect();
    // The scenario as searched: with --seed and --replications applied.
    let mut shown = scn.clone();
    (shown.seed, shown.replications) = (seed, replications);
    let group_text = if cfg.groups.iter().any(|g| g == "*") {
        "every group (in the scenario's proportions)".to_string()
    } else {
        found[0].s.groups.join(" and ")
    };
    let mut page = crate::report::pages::staff_page(&shown, &group_text, &target_texts, &csv)?;
    let mut text = String::new();
    for f in &found {
        text.push_str(&f.text(path));
        text.push('\n');
    }
    if cfg.variants {
        let (table, bars) = report::per_variant(&found);
        text.push_str(&table);
        text.push('\n');
        let charts = stage.path().join("charts");
        std::fs::create_dir_all(&charts).map_err(|e| Error::io("create", &charts, e))?;
        let stem = charts.join("agents_per_variant");
        let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        let series = vec![(
            "agents needed".to_string(),
            bars.iter()
                .map(|b| b.1.map(crate::report::charts::Estimate::point))
                .collect(),
        )];
        crate::report::charts::grouped_bars(
            &stem,
            "Agents needed per variant",
            "agents",
            &names,
            &series,
        )?;
        let svg = stem.with_extension("svg");
        let svg = std::fs::read_to_string(&svg).map_err(|e| Error::io("read", &svg, e))?;
        page.blocks.push(crate::report::html::Block::Heading(
            "Agents needed per variant".into(),
        ));
        page.blocks.push(crate::report::html::Block::Chart {
            caption: "charts/agents_per_variant".into(),
            svg,
        });
    }
    if cfg.per_interval {
        let staged = stage.path().join("requirements.csv");
        let bytes = req_report::csv(&found)?;
        write_atomic(&staged, &bytes)
            .with_context(|| format!("cannot write {}", staged.display()))?;
        let charts = stage.path().join("charts");
        std::fs::create_dir_all(&charts).map_err(|e| Error::io("create", &charts, e))?;
        req_report::chart(&found, &charts)?;
        let svg = charts.join("requirements.svg");
        let svg = std::fs::read_to_string(&svg).map_err(|e| Error::io("read", &svg, e))?;
        page.blocks.push(crate::report::html::Block::Heading(
            "Agents needed per interval".into(),
        ));
        page.blocks.push(crate::report::html::Block::Chart {
            caption: "charts/requirements".into(),
            svg,
        });
    }
    crate::report::pages::write_page(stage.path(), &page)?;
    stage.commit()?;
    let _ = writeln!(text, "wrote {}", dir.join("staffing.csv").display());
    if cfg.per_interval {
        let _ = writeln!(text, "wrote {}", dir.join("requirements.csv").display());
    }
    let infeasible = found
        .iter()
        .flat_map(|f| match &f.answer {
            Answer::Infeasible(why) => why
                .iter()
                .map(|w| format!("{}: {w}", f.s.variant_name()))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    drop(found);
    log.into_inner().finish();
    Ok(StaffOutcome { text, infeasible })
}

/// Agents needed per report interval for `group` of the base scenario in
/// `base`, by simulating time-varying staffing (see `--per-interval`;
/// `cfg.per_interval`, `variants` and `groups` are not read). With
/// `always_on`, the group's shifts and breaks are removed first (a shift
/// plan decides when it works); otherwise intervals outside its shifts get
/// 0 agents. Unless `cfg.out` is empty, every simulated profile's rows go to
/// `out/<scenario name>.staff-progress.csv` as it finishes (removed when the
/// search succeeds); a spinner shows with `cfg.progress`.
///
/// # Errors
///
/// Bad input for an unknown group or skill, a target not measured per
/// interval, too few replications, a group that cannot take a count
/// profile (`two_login`), or a warm-up that is not a whole number of
/// report intervals.
pub fn requirements(
    base: &Base,
    group: &str,
    cfg: &StaffConfig,
    always_on: bool,
) -> Result<Requirement> {
    let cfg = StaffConfig {
        per_interval: true,
        groups: vec![group.to_string()],
        variants: false,
        ..cfg.clone()
    };
    check_config(&cfg)?;
    let scn = &base.scenario;
    let shifts = match scn.groups.iter().find(|g| g.name == group) {
        Some(g) if !always_on => g.shifts.clone(),
        Some(_) => Vec::new(),
        None => {
            return Err(Error::input(format!(
                "{} has no agent group `{group}`; groups are: {}",
                base.path.display(),
                names(scn.groups.iter().map(|x| x.name.as_str()))
            )));
        }
    };
    let targets = scoped_targets(&base.path, &cfg, scn)?;
    let replications = replications_of(&cfg, scn)?;
    // Each simulated profile's rows, kept if the search fails.
    let log = RefCell::new(if cfg.out.as_os_str().is_empty() {
        Progress::default()
    } else {
        std::fs::create_dir_all(&cfg.out).map_err(|e| Error::io("create", &cfg.out, e))?;
        Progress::create(&cfg.out.join(format!("{}.staff-progress.csv", scn.name)))?
    });
    let bar = spinner(cfg.progress);
    let pool = crate::runner::pool::pool(cfg.threads)?;
    let mut s = Searcher {
        base,
        cfg: &cfg,
        variant: None,
        groups: vec![group.to_string()],
        targets,
        cache: BTreeMap::new(),
        starts: Vec::new(),
        interval: scn.interval,
        replications,
        seed: cfg.overrides.seed.unwrap_or(scn.seed),
        shifts,
        demand: Vec::new(),
        weights: None,
        rates: vec![1.0],
        bar: &bar,
        pool: &pool,
        log: &log,
        free: always_on,
    };
    let iv = per_interval(&mut s)?;
    let req = profile::time_varying(&mut s, &iv);
    bar.finish_and_clear();
    drop(s);
    if req.is_ok() {
        log.into_inner().finish();
    }
    req
}

/// Runs one scenario's (base or variant) search.
fn search(mut s: Searcher<'_>) -> Result<Found<'_>> {
    let targets = s.cfg.targets.clone();
    let meets = |e: &Eval, by_mean: bool| {
        targets
            .iter()
            .zip(&e.overall)
            .all(|(t, c)| t.met(c, by_mean))
    };
    // A total head-count split over every group (`--group '*'`), or one group's count.
    let weights = s.weights.clone();
    let point = move |c: u32| match &weights {
        Some(w) => search::split(c, w),
        None => vec![c],
    };
    // The first point checks the group paths, measures demand, and shows
    // targets no head-count can meet.
    let first = if s.groups.len() == 1 || s.weights.is_some() {
        point(1)
    } else {
        vec![1; s.groups.len()]
    };
    s.eval(&first)?;
    let scn = s.scenario(&first)?;
    let why = feasible::diagnose(&s, &scn);
    if !why.is_empty() {
        return Ok(Found {
            s,
            answer: Answer::Infeasible(why.clone()),
            mean_answer: Answer::Infeasible(why),
            iv_answers: Vec::new(),
            requirement: None,
            note: None,
        });
    }
    let one = |o: Outcome| match o {
        Outcome::Met(c) => Answer::Met(point(c)),
        Outcome::NotMet(_) => Answer::NotMet,
        Outcome::Stalled(why) => Answer::Infeasible(vec![why]),
    };
    let several = |o: groups::Cheapest| match o {
        groups::Cheapest::Met(p, how) => (Answer::Met(p), Some(how)),
        groups::Cheapest::NotMet => (Answer::NotMet, None),
        groups::Cheapest::Stalled(why) => (Answer::Infeasible(vec![why]), None),
    };
    let mut note = None;
    let (answer, mean_answer) = if s.groups.len() == 1 || s.weights.is_some() {
        let a = one(s.smallest(&point, 1, &|e| meets(e, false))?);
        let m = one(s.smallest(&point, 1, &|e| meets(e, true))?);
        (a, m)
    } else {
        let rates = s.rates.clone();
        let cost = move |p: &[u32]| rates.iter().zip(p).map(|(r, &c)| r * f64::from(c)).sum();
        let (a, how) = several(groups::cheapest(&mut s, &cost, &|e| meets(e, false))?);
        let (m, _) = several(groups::cheapest(&mut s, &cost, &|e| meets(e, true))?);
        note = how;
        (a, m)
    };
    let (iv_answers, requirement) = if s.cfg.per_interval {
        let iv = per_interval(&mut s)?;
        let req = profile::time_varying(&mut s, &iv)?;
        (iv, Some(req))
    } else {
        (Vec::new(), None)
    };
    Ok(Found {
        s,
        answer,
        mean_answer,
        iv_answers,
        requirement,
        note,
    })
}

/// Each target with its scope index (a skill, or the skill count for `all`),
/// checked against the scenario (and measurable per interval with `--per-interval`).
fn scoped_targets(path: &Path, cfg: &StaffConfig, scn: &Scenario) -> Result<Vec<(Target, usize)>> {
    let mut targets = Vec::new();
    for t in &cfg.targets {
        let scope = match &t.skill {
            None => scn.skills.len(),
            Some(s) => scn.skill_index(s).ok_or_else(|| {
                Error::input(format!(
                    "target `{}`: {} has no skill `{s}`; skills are: {}",
                    t.text(),
                    path.display(),
                    names(scn.skills.iter().map(|x| x.name.as_str()))
                ))
            })?,
        };
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
        targets.push((t.clone(), scope));
    }
    Ok(targets)
}

/// The replications of a batch (`--replications` or the scenario's), at least 2.
fn replications_of(cfg: &StaffConfig, scn: &Scenario) -> Result<u32> {
    let replications = cfg.overrides.replications.unwrap_or(scn.replications);
    if replications < 2 {
        return Err(Error::input(format!(
            "the search needs at least 2 replications for a confidence interval, found {replications}; \
             use --replications"
        )));
    }
    Ok(replications)
}

/// The search's spinner on stderr, or a hidden one.
fn spinner(show: bool) -> indicatif::ProgressBar {
    if show {
        let b = indicatif::ProgressBar::new_spinner();
        b.enable_steady_tick(std::time::Duration::from_millis(200));
        b
    } else {
        indicatif::ProgressBar::hidden()
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

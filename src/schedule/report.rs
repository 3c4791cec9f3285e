//! The shift plan's outputs: the printed plan (templates, cost against the
//! lower bounds, every plan simulated), `schedule.csv`, `plans.csv`,
//! `coverage.csv` (requirement against scheduled coverage per interval,
//! with each target's value), `scheduled.toml`, the coverage chart and
//! `report.html`.

use super::shifts::Template;
use super::{Outcome, PlanRun, ScheduleConfig};
use crate::engine::time::label;
use crate::error::{Context, Error, Result};
use crate::report::charts::{Estimate, Series, lines};
use crate::report::html::{Block, Page};
use crate::report::num;
use crate::report::table::{Align, text_table};
use crate::sweep::base::Base;
use std::fmt::Write as _;
use std::path::Path;

/// The header and rows of `schedule.csv` (the final plan, one row per template).
fn schedule_rows(o: &Outcome) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "template",
            "days",
            "start",
            "end",
            "agents",
            "paid_hours",
            "cost",
            "on_floor",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let Some(last) = o.last() else {
        return rows;
    };
    for (j, t) in o.templates().iter().enumerate() {
        let x = f64::from(last.scheduled[j]);
        rows.push(vec![
            t.name.clone(),
            t.days.clone(),
            t.start.clone(),
            t.end.clone(),
            last.scheduled[j].to_string(),
            num(x * o.paid[j]),
            num(x * o.problem.unit_cost[j]),
            last.floor[j].to_string(),
        ]);
    }
    rows
}

/// The header of `plans.csv` (and of the progress file).
pub(super) const PLAN_HEADER: [&str; 6] = [
    "round",
    "template",
    "agents",
    "on_floor",
    "plan_cost",
    "intervals_missed",
];

/// One simulated plan's rows of `plans.csv`, one per template.
pub(super) fn plan_run_rows(templates: &[Template], r: &PlanRun) -> Vec<Vec<String>> {
    templates
        .iter()
        .enumerate()
        .map(|(j, t)| {
            vec![
                r.round.to_string(),
                t.name.clone(),
                r.scheduled[j].to_string(),
                r.floor[j].to_string(),
                num(r.cost),
                r.missed.len().to_string(),
            ]
        })
        .collect()
}

/// `plans.csv`: every plan simulated, one row per plan and template.
fn plan_rows(o: &Outcome) -> Vec<Vec<String>> {
    let mut rows = vec![PLAN_HEADER.map(String::from).to_vec()];
    for r in &o.runs {
        rows.extend(plan_run_rows(o.templates(), r));
    }
    rows
}

/// Agents on the floor in interval `k` from `floor` per template.
fn covered(o: &Outcome, floor: impl Fn(usize) -> f64, k: usize) -> f64 {
    (0..o.templates().len())
        .map(|j| o.problem.cover[j][k] * floor(j))
        .sum()
}

/// `coverage.csv`: per interval and target, the requirement, the first
/// plan's and the final plan's agents on the floor, and the final plan's
/// value of the target.
fn coverage_rows(o: &Outcome, cfg: &ScheduleConfig) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "interval_start",
            "interval",
            "required",
            "planned",
            "final",
            "target",
            "mean",
            "ci_low",
            "ci_high",
            "met",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let Some(last) = o.last() else {
        return rows;
    };
    let a = o.problem.availability;
    for (k, &start) in o.req.starts.iter().enumerate() {
        let planned = covered(o, |j| f64::from(o.first.agents[j]) * a, k);
        let fin = covered(o, |j| f64::from(last.floor[j]), k);
        for (ti, t) in cfg.targets.iter().enumerate() {
            let c = last.cells.get(k).and_then(|r| r.get(ti));
            let f = |v: Option<f64>| v.filter(|x| x.is_finite()).map_or(String::new(), num);
            rows.push(vec![
                num(start),
                label(start),
                num(o.problem.req[k]),
                num(planned),
                num(fin),
                t.text(),
                f(c.map(|c| c.est.mean)),
                f(c.map(|c| c.est.lo)),
                f(c.map(|c| c.est.hi)),
                c.map_or(String::new(), |c| c.met.to_string()),
            ]);
        }
    }
    rows
}

fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = crate::sweep::grid::results_writer(Vec::new());
    for r in rows {
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

/// `scheduled.toml`: the final plan's scenario, with file references made
/// absolute, its own name, and the seed and replications simulated.
fn scheduled_toml(base: &Base, cfg: &ScheduleConfig, o: &Outcome) -> Result<String> {
    let mut doc = o.table.clone();
    super::requirements::absolute_paths(&mut doc, &super::requirements::base_dir(&base.path));
    let scn = &base.scenario;
    let sim = doc
        .entry("simulation")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(s) = sim.as_table_mut() {
        s.insert("name".into(), format!("{}-scheduled", scn.name).into());
        let seed = cfg.overrides.seed.unwrap_or(scn.seed);
        s.insert(
            "seed".into(),
            i64::try_from(seed).unwrap_or(i64::MAX).into(),
        );
        let reps = cfg.overrides.replications.unwrap_or(scn.replications);
        s.insert("replications".into(), i64::from(reps).into());
    }
    let body = toml::to_string(&doc)
        .map_err(|e| Error::other(format!("cannot write scheduled.toml: {e}")))?;
    Ok(format!(
        "# {}: the shift plan of `ccsim schedule` for group `{}` (shrinkage {}).\n\
         # Each template used is an [[agents]] group; `count` is the agents on the floor\n\
         # (scheduled × (1 − shrinkage), rounded), as simulated; schedule.csv lists the\n\
         # agents scheduled.\n\n{body}",
        base.path.display(),
        o.shifts.group,
        num(cfg.shrinkage)
    ))
}

/// Writes every output file into `dir` (a staging directory).
///
/// # Errors
///
/// A file or chart that cannot be written.
pub(super) fn write(dir: &Path, base: &Base, cfg: &ScheduleConfig, o: &Outcome) -> Result<()> {
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        crate::report::write_atomic(&p, bytes)
            .with_context(|| format!("cannot write {}", p.display()))
    };
    let schedule = schedule_rows(o);
    let plans = plan_rows(o);
    let coverage = coverage_rows(o, cfg);
    put("schedule.csv", &csv_bytes(&schedule))?;
    put("plans.csv", &csv_bytes(&plans))?;
    put("coverage.csv", &csv_bytes(&coverage))?;
    put("scheduled.toml", scheduled_toml(base, cfg, o)?.as_bytes())?;
    let stem = dir.join("charts").join("coverage");
    let series = chart_series(o);
    let fmt = |t: f64| label(t);
    lines(
        &stem,
        "Requirement and scheduled coverage per interval",
        "interval",
        "agents on the floor",
        &series,
        Some(&fmt),
    )?;
    let svgs = crate::report::run_charts::read_svgs(&[stem])?;
    let page = page(base, cfg, o, &schedule, &plans, svgs);
    crate::report::pages::write_page(dir, &page)
}

/// Requirement, first plan and final plan per interval.
fn chart_series(o: &Outcome) -> Vec<Series> {
    let a = o.problem.availability;
    let line = |name: &str, f: &dyn Fn(usize) -> f64| Series {
        name: name.to_string(),
        points: o
            .req
            .starts
            .iter()
            .enumerate()
            .map(|(k, &s)| (s, Estimate::point(f(k))))
            .collect(),
    };
    let mut v = vec![
        line("required", &|k| o.problem.req[k]),
        line("first plan", &|k| {
            covered(o, |j| f64::from(o.first.agents[j]) * a, k)
        }),
    ];
    if let Some(last) = o.last().filter(|_| o.runs.len() > 1) {
        v.push(line("after repair", &|k| {
            covered(o, |j| f64::from(last.floor[j]), k)
        }));
    }
    v
}

/// Cost lines: the plan's, the LP bound, the coverage bound.
fn costs(o: &Outcome) -> Vec<String> {
    let first = &o.first;
    let last_cost = o.last().map_or(first.cost, |r| r.cost);
    // Every paid hour covers at most one hour on the floor / availability.
    let cheapest = o
        .templates()
        .iter()
        .map(|t| t.cost)
        .fold(f64::INFINITY, f64::min);
    let need_hours: f64 = o
        .problem
        .req
        .iter()
        .enumerate()
        .filter(|(k, _)| !o.uncoverable.contains(k))
        .map(|(_, r)| r * o.req.interval / 3600.0)
        .sum();
    let coverage_bound = cheapest * need_hours / o.problem.availability;
    let pct = |c: f64, b: f64| {
        if b > 0.0 {
            format!(" ({:+.1}%)", (c / b - 1.0) * 100.0)
        } else {
            String::new()
        }
    };
    vec![
        format!(
            "Integer program's plan: cost {}; lower bounds: LP relaxation {}{}, required \
             agent-hours at the cheapest rate {}{}",
            num(round2(first.cost)),
            num(round2(first.lp_bound)),
            pct(first.cost, first.lp_bound),
            num(round2(coverage_bound)),
            pct(first.cost, coverage_bound)
        ),
        format!(
            "Final plan after {} repair round(s): cost {}{} over the LP bound",
            o.runs.len().saturating_sub(1),
            num(round2(last_cost)),
            pct(last_cost, first.lp_bound)
        ),
    ]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// What went unmet, in words.
fn problems(o: &Outcome) -> Vec<String> {
    let mut v = Vec::new();
    let labels = |ks: &[usize]| {
        ks.iter()
            .map(|&k| label(o.req.starts[k]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !o.uncoverable.is_empty() {
        v.push(format!(
            "no template works in {} interval(s) that need agents: {}",
            o.uncoverable.len(),
            labels(&o.uncoverable)
        ));
    }
    let ns = o.not_sized();
    if !ns.is_empty() {
        v.push(format!(
            "no head-count up to --max met the targets in: {} (set apart: not planned for)",
            labels(&ns)
        ));
    }
    if let Some(last) = o.last().filter(|r| !r.missed.is_empty()) {
        v.push(format!(
            "the final plan still misses a target in {} interval(s): {}",
            last.missed.len(),
            labels(&last.missed)
        ));
    }
    v
}

fn page(
    base: &Base,
    cfg: &ScheduleConfig,
    o: &Outcome,
    schedule: &[Vec<String>],
    plans: &[Vec<String>],
    svgs: Vec<(String, String)>,
) -> Page {
    let table = |rows: &[Vec<String>]| Block::Table {
        header: rows.first().cloned().unwrap_or_default(),
        rows: rows.iter().skip(1).cloned().collect(),
    };
    let mut blocks = vec![
        Block::Heading("Scenario".into()),
        Block::List(crate::report::describe::scenario(&base.scenario)),
        Block::Heading("Targets".into()),
        Block::List(cfg.targets.iter().map(|t| t.text()).collect()),
        Block::Heading("Shift plan (schedule.csv)".into()),
        table(schedule),
        Block::List(costs(o)),
    ];
    let p = problems(o);
    if !p.is_empty() {
        blocks.push(Block::List(p));
    }
    for (name, svg) in svgs {
        blocks.push(Block::Chart {
            caption: format!("charts/{name}"),
            svg,
        });
    }
    blocks.push(Block::Heading("Every plan simulated (plans.csv)".into()));
    blocks.push(table(plans));
    Page {
        title: format!("ccsim schedule — {}", base.scenario.name),
        subtitle: format!(
            "group {}, shrinkage {}, seed {}",
            o.shifts.group,
            num(cfg.shrinkage),
            cfg.overrides.seed.unwrap_or(base.scenario.seed)
        ),
        blocks,
    }
}

/// The text printed on the terminal.
pub(super) fn text(base: &Base, cfg: &ScheduleConfig, o: &Outcome, dir: &Path) -> String {
    let mut s = String::new();
    let targets: Vec<String> = cfg.targets.iter().map(|t| t.text()).collect();
    let _ = writeln!(
        s,
        "Shift plan: group `{}` of {}, targets {}, shrinkage {}",
        o.shifts.group,
        base.path.display(),
        targets.join(", "),
        num(cfg.shrinkage)
    );
    let _ = writeln!(
        s,
        "Requirement per {}-minute interval: agents on the floor, sized with the group always on \
         (the staffing search's rule at {}% confidence).",
        num(o.req.interval / 60.0),
        num(cfg.confidence * 100.0)
    );
    let _ = writeln!(s);
    s.push_str(&text_table(&schedule_rows(o), |_| Align::Left, "", false));
    let _ = writeln!(s);
    for line in costs(o).into_iter().chain(problems(o)) {
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(s);
    let mut rows = vec![vec![
        "plan".to_string(),
        "agents".to_string(),
        "cost".to_string(),
        "intervals missed".to_string(),
    ]];
    for r in &o.runs {
        rows.push(vec![
            r.round.to_string(),
            r.scheduled.iter().sum::<u32>().to_string(),
            num(round2(r.cost)),
            r.missed.len().to_string(),
        ]);
    }
    s.push_str(&text_table(&rows, |_| Align::Left, "", false));
    let _ = writeln!(s, "wrote {}", dir.display());
    s
}

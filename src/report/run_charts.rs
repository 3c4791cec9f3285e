//! The charts of `ccsim run` (written to `DIR/NAME/charts/`): the
//! summary and distribution charts shared with `compare`
//! ([`super::compare_charts::write_charts`] on the single result), then
//!
//! - `intraday_<metric>`: offered, service level, ASA, queue and agents
//!   online by time of day, a line per skill and one for all skills, each
//!   point the mean over the measured days and replications with the 95%
//!   CI band across replications;
//! - `occupancy_by_group`, `concurrency_by_group`: per agent group (each
//!   login of a `two_login` group apart, as in `groups.csv`) and for all
//!   agents, with 95% CIs across replications;
//! - `occupancy_by_group_over_time`, `concurrency_by_group_over_time`
//!   (two report intervals or more): a line per group and login over the
//!   run's intervals, with its 95% CI band (`group_intervals.csv`).
//!
//! Target lines: the `--target` goals of an intraday metric (service
//! level, ASA) as horizontal lines named by their scope; the thresholds
//! and the KPI bars' goals as in `compare`. Pure apart from writing the
//! chart files.

use super::charts;
use super::compare_charts::{chart_error, write_charts};
use super::compare_table::{max_abs, scale};
use super::targets::Goals;
use crate::engine::time::{DAY, label};
use crate::error::{Context, Result};
use crate::metrics::ci::estimate;
use crate::metrics::registry::{Id, Unit};
use crate::runner::{GroupRow, RunResult};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The intraday metrics, in chart order.
const INTRADAY: &[Id] = &[
    Id::Offered,
    Id::ServiceLevel,
    Id::Asa,
    Id::QueueMean,
    Id::AgentsOnline,
];

/// Per time of day (seconds since midnight, ascending), the estimate over
/// replications of each replication's mean over the days of interval
/// metric `m` in scope `s`. Empty for a summary-only run.
fn by_time_of_day(r: &RunResult, s: usize, m: usize) -> Vec<(f64, crate::metrics::Estimate)> {
    let reps = r.per_rep.len();
    // slot -> per replication (sum, n)
    let mut acc: BTreeMap<u64, Vec<(f64, u32)>> = BTreeMap::new();
    for (k, &t) in r.interval_starts.iter().enumerate() {
        let vals = r.interval_reps(k, s, m);
        if vals.len() != reps {
            return Vec::new();
        }
        let slot = acc
            .entry(t.rem_euclid(DAY).round() as u64)
            .or_insert_with(|| vec![(0.0, 0); reps]);
        for (a, &v) in slot.iter_mut().zip(vals) {
            if v.is_finite() {
                a.0 += v;
                a.1 += 1;
            }
        }
    }
    acc.into_iter()
        .map(|(t, per_rep)| {
            let means = per_rep
                .into_iter()
                .filter(|&(_, n)| n > 0)
                .map(|(sum, n)| sum / f64::from(n));
            (t as f64, estimate(means))
        })
        .collect()
}

/// The name of scope `s` on a chart (`all skills` for `all`).
fn scope_name(r: &RunResult, s: usize, all: usize) -> String {
    if s == all {
        "all skills".to_string()
    } else {
        r.scopes[s].clone()
    }
}

/// `s` with its first letter in upper case.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// Writes the run's charts into `dir` (each as `<stem>.svg` and
/// `<stem>.png`) and returns their stems, in reading order; `goals` are
/// drawn on the charts of their metric.
///
/// # Errors
///
/// A chart that cannot be written.
pub fn write_run_charts(dir: &Path, r: &RunResult, goals: &Goals) -> Result<Vec<PathBuf>> {
    let mut stems = write_charts(dir, std::slice::from_ref(r), goals)?;
    let all = r.scopes.len() - 1;
    let interval = match r.interval_starts.as_slice() {
        [a, b, ..] => b - a,
        _ => f64::NAN,
    };
    let days = (r.interval_starts.len() as f64 * interval / DAY).max(1.0);
    let tod = |t: f64| {
        label(t)
            .split_once(' ')
            .map_or(String::new(), |x| x.1.into())
    };
    for &id in INTRADAY {
        let Some(m) = id.interval_index() else {
            continue;
        };
        let metric = id.metric();
        let per_scope: Vec<(String, Vec<(f64, crate::metrics::Estimate)>)> = (0..all)
            .chain(std::iter::once(all))
            .map(|s| (scope_name(r, s, all), by_time_of_day(r, s, m)))
            .filter(|(_, pts)| !pts.is_empty())
            .collect();
        if per_scope.is_empty() {
            continue;
        }
        let (k, uname) = scale(
            metric.unit,
            max_abs(
                per_scope
                    .iter()
                    .flat_map(|(_, p)| p.iter().map(|x| x.1.mean)),
            ),
        );
        // Bands clamped to what the quantity can be.
        let hi_cap = if metric.unit == Unit::Share {
            100.0
        } else {
            f64::INFINITY
        };
        let series: Vec<charts::Series> = per_scope
            .into_iter()
            .map(|(name, pts)| charts::Series {
                name,
                points: pts
                    .into_iter()
                    .map(|(t, e)| {
                        (
                            t,
                            charts::Estimate {
                                mean: e.mean / k,
                                lo: (e.lo / k).max(0.0),
                                hi: (e.hi / k).min(hi_cap),
                            },
                        )
                    })
                    .collect(),
            })
            .collect();
        let y_label = if uname.is_empty() {
            metric.label.to_string()
        } else {
            format!("{} ({uname})", metric.label)
        };
        let shown: Vec<&str> = (0..=all)
            .filter(|&s| series.iter().any(|x| x.name == scope_name(r, s, all)))
            .map(|s| r.scopes[s].as_str())
            .collect();
        let marks = goals.goal_marks(id, k, true, |s| shown.contains(&s).then_some(None));
        let stem = dir.join(format!("intraday_{}", metric.name));
        charts::lines_marked(
            &stem,
            &format!(
                "{} by time of day (mean of {days:.0} day{}, 95% CI)",
                capitalised(metric.label),
                if days < 1.5 { "" } else { "s" }
            ),
            "time of day (interval start, hh:mm)",
            &y_label,
            &series,
            Some(&tod),
            &marks,
        )
        .map_err(|e| chart_error(&stem, &e))?;
        stems.push(stem);
    }
    stems.extend(agent_bars(dir, r)?);
    Ok(stems)
}

/// The name of a group row on a chart: the group, with its login when the
/// group has two (`two_login`).
fn group_label(r: &RunResult, g: &GroupRow) -> String {
    let logins = r.groups.iter().filter(|o| o.group == g.group).count();
    if logins > 1 {
        format!("{} ({})", g.group, g.login)
    } else {
        g.group.clone()
    }
}

/// The charted metrics per group: (summary metric, its index among
/// [`crate::metrics::GROUP_METRICS`], chart stem, value-axis quantity).
const GROUP_CHARTS: [(Id, usize, &str, &str); 2] = [
    (Id::Occupancy, 0, "occupancy", "occupancy (%)"),
    (
        Id::ConcurrencyMean,
        1,
        "concurrency",
        "concurrency (open conversations per logged-in agent)",
    ),
];

/// A chart point of a group estimate (`k` divides; bands kept within
/// `[0, hi]`); undefined (NaN) without a value.
fn group_point(e: &crate::metrics::Estimate, k: f64, hi: f64) -> charts::Estimate {
    charts::Estimate {
        mean: e.mean / k,
        lo: (e.lo / k).max(0.0),
        hi: (e.hi / k).min(hi),
    }
}

/// Occupancy and concurrency per agent group (and login) and for all
/// agents, each with its 95% CI across replications; then, with two
/// intervals or more, the same per group over the run's intervals.
fn agent_bars(dir: &Path, r: &RunResult) -> Result<Vec<PathBuf>> {
    let all = r.scopes.len() - 1;
    let mut stems = Vec::new();
    for (id, gm, name, quantity) in GROUP_CHARTS {
        let Some(m) = id.summary_index() else {
            continue;
        };
        let metric = id.metric();
        let (k, hi) = if metric.unit == Unit::Share {
            (0.01, 100.0)
        } else {
            (1.0, f64::INFINITY)
        };
        let mut categories: Vec<String> = r.groups.iter().map(|g| group_label(r, g)).collect();
        let mut values: Vec<Option<charts::Estimate>> = r
            .groups
            .iter()
            .map(|g| Some(group_point(&g.run[gm], k, hi)).filter(|p| p.mean.is_finite()))
            .collect();
        categories.push("all agents".into());
        values.push(Some(group_point(&r.summary[all][m], k, hi)).filter(|p| p.mean.is_finite()));
        let stem = dir.join(format!("{name}_by_group"));
        charts::grouped_bars(
            &stem,
            &format!("{} per agent group (95% CI)", capitalised(metric.label)),
            quantity,
            &categories,
            &[(r.variant.clone(), values)],
        )
        .map_err(|e| chart_error(&stem, &e))?;
        stems.push(stem);
    }
    if r.interval_starts.len() < 2 || r.groups.is_empty() {
        return Ok(stems);
    }
    let minutes = ((r.interval_starts[1] - r.interval_starts[0]) / 60.0).round();
    for (id, gm, name, quantity) in GROUP_CHARTS {
        let (k, hi) = if id.metric().unit == Unit::Share {
            (0.01, 100.0)
        } else {
            (1.0, f64::INFINITY)
        };
        let series: Vec<charts::Series> = r
            .groups
            .iter()
            .map(|g| charts::Series {
                name: group_label(r, g),
                points: r
                    .interval_starts
                    .iter()
                    .zip(&g.intervals)
                    .map(|(&t, e)| (t, group_point(&e[gm], k, hi)))
                    .collect(),
            })
            .filter(|s| s.points.iter().any(|p| p.1.mean.is_finite()))
            .collect();
        if series.is_empty() {
            continue;
        }
        let stem = dir.join(format!("{name}_by_group_over_time"));
        charts::lines(
            &stem,
            &format!(
                "{} per agent group, per {minutes:.0}-min interval (95% CI band)",
                capitalised(id.metric().label)
            ),
            "interval start (day hh:mm)",
            quantity,
            &series,
            Some(&|t: f64| label(t)),
        )
        .map_err(|e| chart_error(&stem, &e))?;
        stems.push(stem);
    }
    Ok(stems)
}

/// Reads back the SVG file of each chart stem, for `report.html`.
///
/// # Errors
///
/// A chart file that cannot be read.
pub fn read_svgs(stems: &[PathBuf]) -> Result<Vec<(String, String)>> {
    stems
        .iter()
        .map(|stem| {
            let p = super::charts::with_suffix(stem, "svg");
            let svg = std::fs::read_to_string(&p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            let name = p
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            Ok((name, svg))
        })
        .collect()
}

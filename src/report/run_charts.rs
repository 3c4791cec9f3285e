//! The charts of `ccsim run` (written to `DIR/NAME/charts/`): the
//! summary and distribution charts shared with `compare`
//! ([`super::compare_charts::write_charts`] on the single result), then
//!
//! - `intraday_<metric>`: offered, service level, ASA, queue and agents
//!   online by time of day, a line per skill and one for all skills, each
//!   point the mean over the measured days and replications with the 95%
//!   CI band across replications;
//! - `occupancy_by_group`, `concurrency_by_group`: per agent group (the
//!   mean of its agents, weighted by logged-in time, without an interval:
//!   the results keep per-agent means only) and for all agents (with its
//!   95% CI).
//!
//! Target lines: the scenario holds no target value for these metrics
//! (a skill's `service_level` is the answer threshold, not a goal share),
//! so none is drawn. Pure apart from writing the chart files.

use super::charts;
use super::compare_charts::{chart_error, write_charts};
use super::compare_table::{max_abs, scale};
use crate::engine::time::{DAY, label};
use crate::error::{Context, Result};
use crate::metrics::ci::estimate;
use crate::metrics::registry::{Id, Unit};
use crate::runner::RunResult;
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

/// `s` with its first letter in upper case.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// Writes the run's charts into `dir` (each as `<stem>.svg` and
/// `<stem>.png`) and returns their stems, in reading order.
///
/// # Errors
///
/// A chart that cannot be written.
pub fn write_run_charts(dir: &Path, r: &RunResult) -> Result<Vec<PathBuf>> {
    let mut stems = write_charts(dir, std::slice::from_ref(r))?;
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
            .map(|s| {
                let name = if s == all {
                    "all skills".to_string()
                } else {
                    r.scopes[s].clone()
                };
                (name, by_time_of_day(r, s, m))
            })
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
        let stem = dir.join(format!("intraday_{}", metric.name));
        charts::lines(
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
        )
        .map_err(|e| chart_error(&stem, &e))?;
        stems.push(stem);
    }
    stems.extend(agent_bars(dir, r)?);
    Ok(stems)
}

/// Occupancy and concurrency per agent group and for all agents.
fn agent_bars(dir: &Path, r: &RunResult) -> Result<Vec<PathBuf>> {
    let all = r.scopes.len() - 1;
    // group -> (logged-in, effort, open area), in order of appearance.
    let mut groups: Vec<(String, f64, f64, f64)> = Vec::new();
    for a in &r.agents {
        let i = match groups.iter().position(|g| g.0 == a.group) {
            Some(i) => i,
            None => {
                groups.push((a.group.clone(), 0.0, 0.0, 0.0));
                groups.len() - 1
            }
        };
        let g = &mut groups[i];
        g.1 += a.logged_in;
        g.2 += a.effort;
        if a.concurrency_mean.is_finite() {
            g.3 += a.concurrency_mean * a.logged_in;
        }
    }
    let mut stems = Vec::new();
    for (id, stem_name, of) in [
        (Id::Occupancy, "occupancy_by_group", 2usize),
        (Id::ConcurrencyMean, "concurrency_by_group", 3),
    ] {
        let Some(m) = id.summary_index() else {
            continue;
        };
        let metric = id.metric();
        let k = if metric.unit == Unit::Share {
            0.01
        } else {
            1.0
        };
        let mut categories: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
        let mut values: Vec<Option<charts::Estimate>> = groups
            .iter()
            .map(|g| {
                let v = if of == 2 { g.2 } else { g.3 };
                (g.1 > 0.0).then(|| charts::Estimate::point(v / g.1 / k))
            })
            .collect();
        categories.push("all agents".into());
        let e = r.summary[all][m];
        values.push(e.mean.is_finite().then(|| charts::Estimate {
            mean: e.mean / k,
            lo: e.lo / k,
            hi: e.hi / k,
        }));
        let stem = dir.join(stem_name);
        charts::grouped_bars(
            &stem,
            &format!(
                "{} per agent group (all agents: 95% CI)",
                capitalised(metric.label)
            ),
            &if metric.unit == Unit::Share {
                format!("{} (%)", metric.label)
            } else {
                format!("{} (open conversations)", metric.label)
            },
            &categories,
            &[(r.variant.clone(), values)],
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
            let p = stem.with_extension("svg");
            let svg = std::fs::read_to_string(&p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            let name = p
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            Ok((name, svg))
        })
        .collect()
}

//! The comparison charts of `ccsim compare` (grouped KPI bars, KPIs over
//! time and by time of day, first-response distributions), drawn with the
//! plotting functions of [`super::charts`]. Pure apart from writing the
//! chart files; usable for any set of results of one scenario (a single
//! run too).

use super::charts;
use super::compare_table::{max_abs, scale};
use super::targets::{Goals, Response};
use crate::engine::time::{DAY, label};
use crate::error::{Context, Error, Result};
use crate::metrics::Estimate;
use crate::metrics::registry::{Id, Unit};
use crate::runner::RunResult;
use std::path::{Path, PathBuf};

/// Grouped-bar KPIs (title, axis, unit and scope from the registry).
const BAR_KPIS: &[Id] = &[
    Id::ServiceLevel,
    Id::FirstResponseMean,
    Id::ResponseTimeMean,
    Id::AbandonmentRate,
    Id::Occupancy,
    Id::HandleTimeMean,
];

fn chart_estimate(e: &Estimate, k: f64) -> charts::Estimate {
    charts::Estimate {
        mean: e.mean / k,
        lo: e.lo / k,
        hi: e.hi / k,
    }
}

/// Per time of day (seconds since midnight), the mean over the measured
/// days of interval metric `m` in scope `s`, ascending.
fn time_of_day(r: &RunResult, s: usize, m: usize) -> Vec<(f64, f64)> {
    let mut acc: std::collections::BTreeMap<u64, (f64, u32)> = Default::default();
    for (&t, iv) in r.interval_starts.iter().zip(&r.intervals) {
        let v = iv[s][m].mean;
        let e = acc.entry((t.rem_euclid(DAY)).round() as u64).or_default();
        if v.is_finite() {
            e.0 += v;
            e.1 += 1;
        }
    }
    acc.into_iter()
        .map(|(t, (sum, n))| (t as f64, if n > 0 { sum / n as f64 } else { f64::NAN }))
        .collect()
}

/// A duration as short text (`45 s`, `12 min`, `1.5 h`).
fn duration_text(secs: f64) -> String {
    let (k, u) = scale(Unit::Seconds, secs);
    let v = secs / k;
    if v >= 10.0 || v == v.round() {
        format!("{v:.0} {u}")
    } else {
        format!("{v:.1} {u}")
    }
}

/// A skill name made safe for a file name.
fn file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The smallest x at which a CDF reaches `p`.
fn quantile(cdf: &[(f64, f64)], p: f64) -> Option<f64> {
    cdf.iter().find(|&&(_, q)| q >= p).map(|&(x, _)| x)
}

/// Writes the comparison charts into `dir` (each as `<stem>.svg` and
/// `<stem>.png`) and returns their stems:
///
/// - `kpi_<metric>`: grouped bars per KPI, a group per skill and `all`
///   (`all` only for occupancy), a bar per variant with its 95% CI;
/// - `queue_over_time`, `service_level_over_time`: per report interval,
///   all skills together, a line per variant with its 95% CI band;
/// - `queue_by_time_of_day`, `service_level_by_time_of_day` (horizons of
///   two days or more): the same, averaged over the days per time of day;
/// - `first_response_cdf` (all skills) and `first_response_cdf_<skill>`:
///   the distribution of first response times per variant, up to the
///   largest 99th percentile, or, when the tail is long (p99 > 3 × p90),
///   up to 3 × the 90th percentile with each variant's share beyond the
///   axis in its legend;
/// - `next_response_cdf` and `next_response_cdf_<skill>`: the same for the
///   replies after a conversation's first (`next_response_mean`), where
///   there are any.
///
/// Targets (`goals`): each skill's `first_response_target` and
/// `response_sla` as a vertical line on its first- and next-response
/// distribution (all skills: each distinct value); each `--target` goal as
/// a horizontal line on the KPI bars of its metric (over its scope's
/// group) and on the over-time and time-of-day lines of its metric (goals
/// on all skills, which those charts show).
///
/// `results[0]` is the base; all results come from the same scenario.
pub fn write_charts(dir: &Path, results: &[RunResult], goals: &Goals) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut stems = Vec::new();
    let Some(base) = results.first() else {
        return Ok(stems);
    };
    let all = base.scopes.len() - 1;

    for &id in BAR_KPIS {
        let Some(m) = id.summary_index() else {
            continue;
        };
        let metric = id.metric();
        let (title, quantity, unit, all_only) =
            (metric.title, metric.axis, metric.unit, metric.all_only);
        let scopes: Vec<usize> = if all_only {
            vec![all]
        } else {
            (0..=all).collect()
        };
        let (k, uname) = scale(
            unit,
            max_abs(
                results
                    .iter()
                    .flat_map(|r| scopes.iter().map(move |&s| r.summary[s][m].mean)),
            ),
        );
        let categories: Vec<String> = scopes
            .iter()
            .map(|&s| {
                if s == all {
                    "all skills".to_string()
                } else {
                    base.scopes[s].clone()
                }
            })
            .collect();
        let series: Vec<(String, Vec<Option<charts::Estimate>>)> = results
            .iter()
            .map(|r| {
                (
                    r.variant.clone(),
                    scopes
                        .iter()
                        .map(|&s| {
                            let e = r.summary[s][m];
                            e.mean.is_finite().then(|| chart_estimate(&e, k))
                        })
                        .collect(),
                )
            })
            .collect();
        let place = |scope: &str| {
            let s = base.scopes.iter().position(|x| x == scope)?;
            scopes.iter().position(|&x| x == s).map(Some)
        };
        let marks = goals.goal_marks(id, k, false, place);
        let stem = dir.join(format!("kpi_{}", metric.name));
        charts::grouped_bars_marked(
            &stem,
            title,
            &format!("{quantity} ({uname})"),
            &categories,
            &series,
            &marks,
        )
        .map_err(|e| chart_error(&stem, &e))?;
        stems.push(stem);
    }

    let interval = match base.interval_starts.as_slice() {
        [a, b, ..] => b - a,
        _ => f64::NAN,
    };
    let minutes = (interval / 60.0).round();
    let days = base.interval_starts.len() as f64 * interval / DAY;
    let x_format = |t: f64| label(t);
    let tod_format = |t: f64| {
        label(t)
            .split_once(' ')
            .map_or(String::new(), |x| x.1.into())
    };
    for (id, name, what, y_label, k, hi) in [
        (
            Id::QueueMean,
            "queue",
            "Queue length",
            "conversations waiting (time-average)",
            1.0,
            f64::INFINITY,
        ),
        (
            Id::ServiceLevel,
            Id::ServiceLevel.name(),
            "Service level",
            "service level (%)",
            0.01,
            100.0,
        ),
    ] {
        let Some(m) = id.interval_index() else {
            continue;
        };
        let marks = goals.goal_marks(id, k, false, |s| (s == "all").then_some(None));
        // Bands clamped to what the quantity can be (a t interval of a
        // share near 100% can pass 100%).
        let point = |e: &Estimate| {
            let mut c = chart_estimate(e, k);
            c.lo = c.lo.max(0.0);
            c.hi = c.hi.min(hi);
            c
        };
        let series: Vec<charts::Series> = results
            .iter()
            .map(|r| charts::Series {
                name: r.variant.clone(),
                points: r
                    .interval_starts
                    .iter()
                    .zip(&r.intervals)
                    .map(|(&t, iv)| (t, point(&iv[all][m])))
                    .collect(),
            })
            .collect();
        let stem = dir.join(format!("{name}_over_time"));
        charts::lines_marked(
            &stem,
            &format!("{what} per {minutes:.0}-min interval, all skills (95% CI band)"),
            "interval start (day hh:mm)",
            y_label,
            &series,
            Some(&x_format),
            &marks,
        )
        .map_err(|e| chart_error(&stem, &e))?;
        stems.push(stem);

        // Over several days the lines of a week crowd each other: the
        // typical day (mean of each time of day over the measured days).
        if days >= 2.0 && interval > 0.0 && (DAY / interval).fract() == 0.0 {
            let series: Vec<charts::Series> = results
                .iter()
                .map(|r| charts::Series {
                    name: r.variant.clone(),
                    points: time_of_day(r, all, m)
                        .into_iter()
                        .map(|(t, v)| (t, charts::Estimate::point(v / k)))
                        .collect(),
                })
                .collect();
            let stem = dir.join(format!("{name}_by_time_of_day"));
            charts::lines_marked(
                &stem,
                &format!("{what} by time of day, all skills (mean of {days:.0} days)"),
                "time of day (interval start, hh:mm)",
                y_label,
                &series,
                Some(&tod_format),
                &marks,
            )
            .map_err(|e| chart_error(&stem, &e))?;
            stems.push(stem);
        }
    }

    stems.extend(response_cdfs(dir, results, &FIRST_RESPONSE, goals)?);
    stems.extend(response_cdfs(dir, results, &NEXT_RESPONSE, goals)?);
    Ok(stems)
}

/// A response-time distribution drawn per scope.
struct ResponseCdf {
    /// File stem prefix (`first_response_cdf`).
    stem: &'static str,
    /// The quantity, for the title.
    what: &'static str,
    /// What is measured, for the axis.
    axis: &'static str,
    /// The histograms of a result, per scope.
    of: fn(&RunResult) -> &[crate::metrics::Histogram],
    /// Drawn even when every histogram is empty.
    always: bool,
    /// The threshold drawn on it.
    target: Response,
}

const FIRST_RESPONSE: ResponseCdf = ResponseCdf {
    stem: "first_response_cdf",
    what: "First response time",
    axis: "arrival → first agent reply",
    of: |r| &r.first_response,
    always: true,
    target: Response::First,
};

const NEXT_RESPONSE: ResponseCdf = ResponseCdf {
    stem: "next_response_cdf",
    what: "Next response time",
    axis: "consumer message → agent reply, every reply but the first",
    of: |r| &r.next_response,
    always: false,
    target: Response::Next,
};

/// The distribution charts of one response time: all skills, then each
/// skill (a scope where no variant has a value is left out unless `always`),
/// each with its threshold (the axis reaches it).
fn response_cdfs(
    dir: &Path,
    results: &[RunResult],
    which: &ResponseCdf,
    goals: &Goals,
) -> Result<Vec<PathBuf>> {
    let Some(base) = results.first() else {
        return Ok(Vec::new());
    };
    let all = base.scopes.len() - 1;
    let mut stems = Vec::new();
    for s in std::iter::once(all).chain(0..all) {
        let cdfs: Vec<Vec<(f64, f64)>> = results
            .iter()
            .map(|r| (which.of)(r).get(s).map(|h| h.cdf()).unwrap_or_default())
            .collect();
        if !which.always && cdfs.iter().all(Vec::is_empty) {
            continue;
        }
        let top = |p: f64| {
            cdfs.iter()
                .filter_map(|c| quantile(c, p))
                .fold(f64::NAN, f64::max)
        };
        // Up to the 99th percentile, unless a long tail (e.g. messages
        // waiting overnight) would squeeze the body of the distribution
        // into the first pixels: then up to 3 × the 90th percentile.
        let (p99, p90) = (top(0.99), top(0.90));
        let long_tail = p99 > 3.0 * p90;
        let cut = if long_tail { 3.0 * p90 } else { p99 };
        // The axis reaches the threshold, so that the curves are drawn (not
        // extended) up to it.
        let scope = base.scopes[s].as_str();
        let threshold = goals
            .response_marks(which.target, scope, 1.0)
            .iter()
            .map(|m| m.value)
            .fold(f64::NAN, f64::max);
        let raised = cut.is_finite() && threshold > cut;
        let cut = if raised { threshold } else { cut };
        let (k, uname) = scale(Unit::Seconds, cut);
        let marks = goals.response_marks(which.target, scope, k);
        let series: Vec<(String, Vec<(f64, f64)>)> = results
            .iter()
            .zip(&cdfs)
            .map(|(r, c)| {
                let pts: Vec<(f64, f64)> = c
                    .iter()
                    .filter(|&&(x, _)| cut.is_nan() || x <= cut)
                    .map(|&(x, p)| (x / k, p))
                    .collect();
                let beyond = 1.0 - pts.last().map_or(0.0, |p| p.1);
                let name = if long_tail && !c.is_empty() {
                    format!(
                        "{} ({:.1}% > {})",
                        r.variant,
                        100.0 * beyond,
                        duration_text(cut)
                    )
                } else {
                    r.variant.clone()
                };
                (name, pts)
            })
            .collect();
        let (stem, scope_name) = if s == all {
            (dir.join(which.stem), "all skills".to_string())
        } else {
            (
                dir.join(format!("{}_{}", which.stem, file_part(&base.scopes[s]))),
                base.scopes[s].clone(),
            )
        };
        let range = if raised {
            "up to the target".to_string()
        } else if long_tail {
            format!("up to {}", duration_text(cut))
        } else {
            "up to the 99th percentile".to_string()
        };
        charts::cdf_marked(
            &stem,
            &format!("{}, {scope_name} ({range})", which.what),
            &format!("{} ({uname})", which.axis),
            &series,
            &marks,
        )
        .map_err(|e| chart_error(&stem, &e))?;
        stems.push(stem);
    }
    Ok(stems)
}

/// The error of a chart that cannot be written.
pub(super) fn chart_error(stem: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::other(format!("cannot write chart {}: {e:#}", stem.display()))
}

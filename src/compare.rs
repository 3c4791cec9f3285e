//! `ccsim compare` (this file owns the subcommand): runs the base scenario
//! and every `[[variant]]` on common random numbers, writes the report files
//! of all of them (`summary.csv`, `intervals.csv`, `agents.csv`), the paired
//! differences (`differences.csv`) and the comparison charts, and renders
//! the comparison table printed on the terminal.
//!
//! Common random numbers come from the engine: every random stream is
//! derived from (seed, replication, skill name), and each conversation draws
//! its demand (arrival, patience, exchanges, reply times) from its own
//! stream. A variant changes only agents and routing, so replication `r` of
//! every variant sees the same consumers; the difference of a metric between
//! a variant and the base is then measured replication by replication, and
//! its confidence interval (a paired t interval) is much narrower than the
//! two separate intervals suggest.

use crate::cli::{CliError, CommonArgs, load_scenario, write_run_outputs};
use crate::engine::time::{DAY, label};
use crate::metrics::{self, Estimate, paired_difference};
use crate::report::{charts, csv_out, write_atomic};
use crate::runner::{self, RunOptions, RunResult};
use crate::scenario::Scenario;
use crate::sim::interval::INTERVAL_METRICS;
use anyhow::Context;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Arguments of `ccsim compare`.
#[derive(clap::Args, Clone, Debug)]
pub struct CompareArgs {
    /// Scenario file with `[[variant]]` entries.
    pub scenario: PathBuf,
    /// Common options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The widest the printed table may be before it switches to one line per
/// variant.
pub const TABLE_WIDTH: usize = 100;

/// Runs the comparison; returns the text to print.
///
/// Bad input (an unreadable or invalid scenario, a scenario without
/// `[[variant]]`) is [`CliError::Input`]; failures to run or to write are
/// [`CliError::Other`].
pub fn compare(args: &CompareArgs) -> Result<String, CliError> {
    let mut scn = load_scenario(Some(&args.scenario))?;
    args.common.apply(&mut scn);
    if scn.variants.is_empty() {
        return Err(CliError::input(no_variant_message(&args.scenario)));
    }
    let dir = args.common.out.join(&scn.name);
    let trace_dirs = if args.common.trace {
        Some(trace_dir_names(&scn)?)
    } else {
        None
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;

    let run_variant = |s: &Scenario, name: &str, k: usize| -> Result<RunResult, CliError> {
        let opts = RunOptions {
            threads: args.common.threads(),
            trace_dir: trace_dirs.as_ref().map(|t| dir.join(&t[k])),
            variant: Some(name.to_string()),
        };
        runner::run(s, &opts)
            .with_context(|| format!("variant `{name}`"))
            .map_err(CliError::Other)
    };
    let mut results = Vec::with_capacity(1 + scn.variants.len());
    results.push(run_variant(&scn, "base", 0)?);
    for (k, v) in scn.variants.iter().enumerate() {
        results.push(run_variant(&scn.with_variant(v), &v.name, k + 1)?);
    }

    write_run_outputs(&dir, &scn, &results)?;
    let diff_path = dir.join("differences.csv");
    write_atomic(
        &diff_path,
        &csv_out::differences(&results[0], &results[1..]),
    )
    .with_context(|| format!("cannot write {}", diff_path.display()))?;
    let charts_dir = dir.join("charts");
    let stems = write_charts(&charts_dir, &results)?;

    let mut out = table(&scn.name, &results);
    let _ = writeln!(
        out,
        "\nwrote {}\n  summary.csv, intervals.csv, agents.csv, differences.csv{}\n  \
         charts/: {} charts, each as SVG and PNG",
        dir.display(),
        if args.common.trace {
            ", <variant>/conversations.csv"
        } else {
            ""
        },
        stems.len()
    );
    Ok(out)
}

/// The error text for a scenario without variants.
fn no_variant_message(path: &Path) -> String {
    format!(
        "{}: no [[variant]] to compare with the base scenario.\n\
         A variant keeps the demand (skills) and replaces the agents and/or the routing, e.g.\n\n\
         [[variant]]\n\
         name = \"blended\"\n\
         agents = [{{ name = \"all\", count = 12, mode = \"blended\", skills = [\"chat\", \"messaging\"],\n\
         \x20           capacity = {{ live_chat = 2, messaging = 4, total = 5 }} }}]\n\n\
         To run the scenario on its own, use `ccsim run`.",
        path.display()
    )
}

/// Directory names for the traces: `base`, then each variant's name made
/// safe as a single path component (and never `charts`). Two variants that
/// become the same name are bad input.
fn trace_dir_names(scn: &Scenario) -> Result<Vec<String>, CliError> {
    let mut names = vec!["base".to_string()];
    for v in &scn.variants {
        let mut n: String = v
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if n.starts_with('.') || n == "charts" {
            n.insert(0, '_');
        }
        if names.contains(&n) {
            return Err(CliError::input(format!(
                "variant `{}`: its trace directory `{n}` is taken by another variant; \
                 rename one of them (names differing only in characters other than \
                 letters, digits, `-`, `_` and `.` collide)",
                v.name
            )));
        }
        names.push(n);
    }
    Ok(names)
}

// ---------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------

/// How a KPI is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Unit {
    /// A count, no decimals.
    Count,
    /// A share, shown in percent (differences in percentage points).
    Share,
    /// A duration in seconds, shown in s, min, h or d by its size.
    Time,
}

/// The display scale and unit name for values of `unit` whose largest
/// magnitude is `max`.
fn scale(unit: Unit, max: f64) -> (f64, &'static str) {
    match unit {
        Unit::Count => (1.0, ""),
        Unit::Share => (0.01, "%"),
        Unit::Time => {
            if max.is_nan() || max < 120.0 {
                (1.0, "s")
            } else if max < 2.0 * 3600.0 {
                (60.0, "min")
            } else if max < 2.0 * 86_400.0 {
                (3600.0, "h")
            } else {
                (86_400.0, "d")
            }
        }
    }
}

/// The largest finite absolute value, or NaN.
fn max_abs(values: impl IntoIterator<Item = f64>) -> f64 {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .map(f64::abs)
        .fold(f64::NAN, f64::max)
}

// ---------------------------------------------------------------------------------------
// The printed table
// ---------------------------------------------------------------------------------------

/// KPIs of the table: metric, label, unit, with a row per skill too.
const TABLE_KPIS: &[(&str, &str, Unit, bool)] = &[
    ("offered", "offered", Unit::Count, false),
    ("service_level", "service level", Unit::Share, true),
    ("first_response_mean", "first response", Unit::Time, true),
    ("response_time_mean", "response time", Unit::Time, false),
    ("abandonment_rate", "abandoned", Unit::Share, false),
    ("occupancy", "occupancy", Unit::Share, false),
    ("handle_time_mean", "handle time", Unit::Time, false),
    ("asa", "ASA", Unit::Time, false),
];

/// One table row: a label, a cell per variant, a difference cell per
/// non-base variant.
struct Row {
    label: String,
    values: Vec<String>,
    diffs: Vec<String>,
}

/// `x` with `d` decimals, without a minus sign on a value that rounds to 0.
fn fixed(x: f64, d: usize) -> String {
    let s = format!("{x:.d$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `mean ±hw` (the mean alone without an interval, `-` when undefined).
fn value_cell(e: &Estimate, k: f64, d: usize) -> String {
    if !e.mean.is_finite() {
        "-".into()
    } else if e.lo.is_finite() && e.hi.is_finite() {
        format!("{} ±{}", fixed(e.mean / k, d), fixed(e.half_width() / k, d))
    } else {
        fixed(e.mean / k, d)
    }
}

/// Whether a difference's interval excludes 0.
fn significant(d: &Estimate) -> bool {
    d.lo.is_finite() && d.hi.is_finite() && (d.lo > 0.0 || d.hi < 0.0)
}

/// `+mean ±hw *` for a paired difference (`*` when significant; two spaces
/// otherwise so that the numbers line up).
fn diff_cell(e: &Estimate, k: f64, d: usize) -> String {
    if !e.mean.is_finite() {
        return "-  ".into();
    }
    let mut m = fixed(e.mean / k, d);
    if !m.starts_with('-') && m.chars().any(|c| c.is_ascii_digit() && c != '0') {
        m.insert(0, '+');
    }
    let star = if significant(e) { " *" } else { "  " };
    if e.lo.is_finite() && e.hi.is_finite() {
        format!("{m} ±{}{star}", fixed(e.half_width() / k, d))
    } else {
        format!("{m}{star}")
    }
}

/// The paired difference `variant − base` of one scope and metric.
fn difference(base: &RunResult, v: &RunResult, scope: usize, metric: usize) -> Estimate {
    let a: Vec<f64> = base.per_rep.iter().map(|r| r[scope][metric]).collect();
    let b: Vec<f64> = v.per_rep.iter().map(|r| r[scope][metric]).collect();
    paired_difference(&a, &b)
}

fn table_rows(results: &[RunResult]) -> Vec<Row> {
    let base = &results[0];
    let all = base.scopes.len() - 1;
    let mut rows = Vec::new();
    for &(metric, name, unit, per_skill) in TABLE_KPIS {
        let Some(m) = metrics::metric_index(metric) else {
            continue;
        };
        let mut scopes = vec![all];
        if per_skill {
            scopes.extend(0..all);
        }
        for s in scopes {
            let (k, uname) = scale(unit, max_abs(results.iter().map(|r| r.summary[s][m].mean)));
            let d = if unit == Unit::Count { 0 } else { 1 };
            let label = if s == all {
                match unit {
                    Unit::Count => name.to_string(),
                    _ => format!("{name} ({uname})"),
                }
            } else {
                match unit {
                    Unit::Time => format!("  · {} ({uname})", base.scopes[s]),
                    _ => format!("  · {}", base.scopes[s]),
                }
            };
            let diffs: Vec<Estimate> = results[1..]
                .iter()
                .map(|v| difference(base, v, s, m))
                .collect();
            // More decimals when a significant difference would show as 0.
            let mut dd = d;
            while dd < 3
                && diffs
                    .iter()
                    .any(|e| significant(e) && fixed(e.mean / k, dd).parse() == Ok(0.0))
            {
                dd += 1;
            }
            rows.push(Row {
                label,
                values: results
                    .iter()
                    .map(|r| value_cell(&r.summary[s][m], k, d))
                    .collect(),
                diffs: diffs.iter().map(|e| diff_cell(e, k, dd)).collect(),
            });
        }
    }
    rows
}

/// The comparison table: per KPI (all skills together, and per skill for
/// service level and first response), each variant's `mean ±half-width` and
/// each non-base variant's paired difference from the base, `*` marking
/// differences whose 95% interval excludes 0. At most [`TABLE_WIDTH`]
/// columns wide when the variants fit side by side; otherwise one line per
/// variant. `results[0]` is the base.
pub fn table(name: &str, results: &[RunResult]) -> String {
    let mut out = String::new();
    let Some(base) = results.first() else {
        return out;
    };
    let reps = base.per_rep.len();
    let nv = results.len() - 1;
    let _ = writeln!(
        out,
        "{name}: base and {nv} variant{} × {reps} replication{} on common random numbers",
        if nv == 1 { "" } else { "s" },
        if reps == 1 { "" } else { "s" },
    );
    let _ = writeln!(
        out,
        "cells: mean ±95% CI half-width; Δ: variant − base, paired by replication\n\
         (shares in percentage points); * the CI of Δ excludes 0 (significant)\n\
         a KPI's first line: all skills together; · lines: one skill\n"
    );
    let rows = table_rows(results);
    let mut header = vec!["KPI".to_string()];
    header.extend(results.iter().map(|r| r.variant.clone()));
    header.extend(results[1..].iter().map(|r| format!("Δ {}", r.variant)));
    let cells: Vec<Vec<String>> = std::iter::once(header)
        .chain(rows.iter().map(|r| {
            let mut v = vec![r.label.clone()];
            v.extend(r.values.iter().cloned());
            v.extend(r.diffs.iter().cloned());
            v
        }))
        .collect();
    let ncol = cells[0].len();
    let widths: Vec<usize> = (0..ncol)
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let total = 2 + widths.iter().sum::<usize>() + 2 * (ncol - 1);
    if total <= TABLE_WIDTH {
        for (i, row) in cells.iter().enumerate() {
            let line: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, v)| {
                    let pad = widths[c] - v.chars().count();
                    if c == 0 {
                        format!("{v}{}", " ".repeat(pad))
                    } else {
                        format!("{}{v}", " ".repeat(pad))
                    }
                })
                .collect();
            let _ = writeln!(out, "  {}", line.join("  ").trim_end());
            if i == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                let _ = writeln!(out, "  {}", rule.join("  "));
            }
        }
    } else {
        // Too many or too long variant names to fit side by side.
        let name_w = results
            .iter()
            .map(|r| r.variant.chars().count())
            .max()
            .unwrap_or(0)
            .min(30);
        let val_w = rows
            .iter()
            .flat_map(|r| r.values.iter().map(|v| v.chars().count()))
            .max()
            .unwrap_or(0);
        for r in &rows {
            let _ = writeln!(out, "  {}", r.label);
            for (i, res) in results.iter().enumerate() {
                let vname: String = res.variant.chars().take(name_w).collect();
                let diff = if i == 0 {
                    String::new()
                } else {
                    format!("   Δ {}", r.diffs[i - 1])
                };
                let line = format!("      {vname:<name_w$}  {:>val_w$}{diff}", r.values[i]);
                let _ = writeln!(out, "{}", line.trim_end());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------

/// Grouped-bar KPIs: metric, chart title, axis quantity, unit, all skills only.
const BAR_KPIS: &[(&str, &str, &str, Unit, bool)] = &[
    (
        "service_level",
        "Service level: share answered within target",
        "service level",
        Unit::Share,
        false,
    ),
    (
        "first_response_mean",
        "Mean first response time (arrival → first reply)",
        "mean first response",
        Unit::Time,
        false,
    ),
    (
        "response_time_mean",
        "Mean response time (consumer message → agent reply)",
        "mean response time",
        Unit::Time,
        false,
    ),
    (
        "abandonment_rate",
        "Abandonment rate: share leaving the queue unanswered",
        "abandoned",
        Unit::Share,
        false,
    ),
    (
        "occupancy",
        "Agent occupancy: typing time ÷ logged-in time",
        "occupancy",
        Unit::Share,
        true,
    ),
    (
        "handle_time_mean",
        "Mean handle time (assigned and open)",
        "mean handle time",
        Unit::Time,
        false,
    ),
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
    let (k, u) = scale(Unit::Time, secs);
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
///   axis in its legend.
///
/// `results[0]` is the base; all results come from the same scenario.
pub fn write_charts(dir: &Path, results: &[RunResult]) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut stems = Vec::new();
    let Some(base) = results.first() else {
        return Ok(stems);
    };
    let all = base.scopes.len() - 1;

    for &(metric, title, quantity, unit, all_only) in BAR_KPIS {
        let Some(m) = metrics::metric_index(metric) else {
            continue;
        };
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
        let stem = dir.join(format!("kpi_{metric}"));
        charts::grouped_bars(
            &stem,
            title,
            &format!("{quantity} ({uname})"),
            &categories,
            &series,
        )
        .with_context(|| format!("cannot write chart {}", stem.display()))?;
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
    for (metric, name, what, y_label, k, hi) in [
        (
            "queue_mean",
            "queue",
            "Queue length",
            "conversations waiting (time-average)",
            1.0,
            f64::INFINITY,
        ),
        (
            "service_level",
            "service_level",
            "Service level",
            "service level (%)",
            0.01,
            100.0,
        ),
    ] {
        let Some(m) = INTERVAL_METRICS.iter().position(|x| *x == metric) else {
            continue;
        };
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
        charts::lines(
            &stem,
            &format!("{what} per {minutes:.0}-min interval, all skills (95% CI band)"),
            "interval start (day hh:mm)",
            y_label,
            &series,
            Some(&x_format),
        )
        .with_context(|| format!("cannot write chart {}", stem.display()))?;
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
            charts::lines(
                &stem,
                &format!("{what} by time of day, all skills (mean of {days:.0} days)"),
                "time of day (interval start, hh:mm)",
                y_label,
                &series,
                Some(&tod_format),
            )
            .with_context(|| format!("cannot write chart {}", stem.display()))?;
            stems.push(stem);
        }
    }

    for s in std::iter::once(all).chain(0..all) {
        let cdfs: Vec<Vec<(f64, f64)>> = results
            .iter()
            .map(|r| r.first_response.get(s).map(|h| h.cdf()).unwrap_or_default())
            .collect();
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
        let (k, uname) = scale(Unit::Time, cut);
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
            (dir.join("first_response_cdf"), "all skills".to_string())
        } else {
            (
                dir.join(format!("first_response_cdf_{}", file_part(&base.scopes[s]))),
                base.scopes[s].clone(),
            )
        };
        let range = if long_tail {
            format!("up to {}", duration_text(cut))
        } else {
            "up to the 99th percentile".to_string()
        };
        charts::cdf(
            &stem,
            &format!("First response time, {scope_name} ({range})"),
            &format!("arrival → first agent reply ({uname})"),
            &series,
        )
        .with_context(|| format!("cannot write chart {}", stem.display()))?;
        stems.push(stem);
    }
    Ok(stems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        let e = Estimate {
            mean: 0.8523,
            lo: 0.8423,
            hi: 0.8623,
            n: 5,
        };
        assert_eq!(value_cell(&e, 0.01, 1), "85.2 ±1.0");
        assert_eq!(diff_cell(&e, 0.01, 1), "+85.2 ±1.0 *");
        let z = Estimate {
            mean: -0.0001,
            lo: -0.01,
            hi: 0.01,
            n: 5,
        };
        assert_eq!(diff_cell(&z, 0.01, 1), "0.0 ±1.0  ");
        let one = Estimate {
            mean: 3.0,
            lo: f64::NAN,
            hi: f64::NAN,
            n: 1,
        };
        assert_eq!(value_cell(&one, 1.0, 0), "3");
        assert_eq!(diff_cell(&one, 1.0, 0), "+3  ");
    }

    #[test]
    fn units() {
        assert_eq!(scale(Unit::Time, 59.0), (1.0, "s"));
        assert_eq!(scale(Unit::Time, 600.0), (60.0, "min"));
        assert_eq!(scale(Unit::Time, 3.0 * 3600.0), (3600.0, "h"));
        assert_eq!(scale(Unit::Time, f64::NAN), (1.0, "s"));
        assert_eq!(scale(Unit::Share, 0.5), (0.01, "%"));
    }
}

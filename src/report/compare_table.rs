//! The comparison table of `ccsim compare`, printed on the terminal: per
//! KPI each variant's `mean ±half-width` and each variant's paired
//! difference from the base. Pure: results in, text out. The units and
//! scales here are shared with the comparison charts.

use super::table::{column_widths, first_left, text_table};
use crate::metrics::registry::{Id, Unit};
use crate::metrics::{Estimate, paired_difference};
use crate::runner::RunResult;
use std::fmt::Write;

/// The widest the printed table may be before it switches to one line per
/// variant.
pub const TABLE_WIDTH: usize = 100;

/// The display scale and unit name for values of `unit` whose largest
/// magnitude is `max`.
pub(crate) fn scale(unit: Unit, max: f64) -> (f64, &'static str) {
    match unit {
        Unit::Count | Unit::Level => (1.0, ""),
        Unit::Share => (0.01, "%"),
        Unit::Seconds => {
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
pub(crate) fn max_abs(values: impl IntoIterator<Item = f64>) -> f64 {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .map(f64::abs)
        .fold(f64::NAN, f64::max)
}

/// KPIs of the table (label and unit from the registry), with a row per
/// skill too.
const TABLE_KPIS: &[(Id, bool)] = &[
    (Id::Offered, false),
    (Id::ServiceLevel, true),
    (Id::FirstResponseMean, true),
    (Id::ResponseTimeMean, false),
    (Id::AbandonmentRate, false),
    (Id::Occupancy, false),
    (Id::HandleTimeMean, false),
    (Id::Asa, false),
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
    for &(id, per_skill) in TABLE_KPIS {
        let Some(m) = id.summary_index() else {
            continue;
        };
        let (name, unit) = (id.metric().label, id.metric().unit);
        let mut scopes = vec![all];
        if per_skill {
            scopes.extend(0..all);
        }
        for s in scopes {
            let (k, uname) = scale(unit, max_abs(results.iter().map(|r| r.summary[s][m].mean)));
            let d = if unit == Unit::Count { 0 } else { 1 };
            let label = if s == all {
                match unit {
                    Unit::Count | Unit::Level => name.to_string(),
                    _ => format!("{name} ({uname})"),
                }
            } else {
                match unit {
                    Unit::Seconds => format!("  · {} ({uname})", base.scopes[s]),
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

/// The header (`KPI`, the variants, `Δ` per non-base variant) and rows.
fn cells_of(results: &[RunResult], rows: &[Row]) -> Vec<Vec<String>> {
    let mut header = vec!["KPI".to_string()];
    header.extend(results.iter().map(|r| r.variant.clone()));
    header.extend(results[1..].iter().map(|r| format!("Δ {}", r.variant)));
    std::iter::once(header)
        .chain(rows.iter().map(|r| {
            let mut v = vec![r.label.clone()];
            v.extend(r.values.iter().cloned());
            v.extend(r.diffs.iter().cloned());
            v
        }))
        .collect()
}

/// The cells of the comparison table side by side (header first), for
/// `report.html`; `results[0]` is the base. Empty without results.
#[must_use]
pub fn cells(results: &[RunResult]) -> Vec<Vec<String>> {
    if results.is_empty() {
        return Vec::new();
    }
    cells_of(results, &table_rows(results))
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
    let cells = cells_of(results, &rows);
    let widths = column_widths(&cells);
    let total = 2 + widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    if total <= TABLE_WIDTH {
        out.push_str(&text_table(&cells, first_left, "  ", true));
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
        assert_eq!(scale(Unit::Seconds, 59.0), (1.0, "s"));
        assert_eq!(scale(Unit::Seconds, 600.0), (60.0, "min"));
        assert_eq!(scale(Unit::Seconds, 3.0 * 3600.0), (3600.0, "h"));
        assert_eq!(scale(Unit::Seconds, f64::NAN), (1.0, "s"));
        assert_eq!(scale(Unit::Share, 0.5), (0.01, "%"));
    }
}

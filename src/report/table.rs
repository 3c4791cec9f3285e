//! The summary table printed on the terminal.

use crate::runner::RunResult;
use std::fmt::Write;

/// The KPIs shown, with how to display them.
const ROWS: &[(&str, &str, Unit)] = &[
    ("offered", "offered", Unit::Count),
    ("handled", "handled", Unit::Count),
    ("abandonment_rate", "abandoned", Unit::Share),
    ("service_level", "service level", Unit::Share),
    ("asa", "ASA", Unit::Seconds),
    ("first_response_mean", "first response", Unit::Seconds),
    ("response_time_mean", "response time", Unit::Seconds),
    ("handle_time_mean", "handle time", Unit::Seconds),
    ("resolution_time_mean", "resolution time", Unit::Seconds),
    ("occupancy", "occupancy", Unit::Share),
    ("concurrency_mean", "concurrency", Unit::Plain),
    ("queue_mean", "queue (mean)", Unit::Plain),
];

#[derive(Clone, Copy)]
enum Unit {
    Count,
    Share,
    Seconds,
    Plain,
}

fn fmt(v: f64, u: Unit) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    match u {
        Unit::Count => format!("{v:.1}"),
        Unit::Share => format!("{:.1}%", v * 100.0),
        Unit::Seconds => format!("{v:.1}s"),
        Unit::Plain => format!("{v:.2}"),
    }
}

/// The table: one column per scope (skills, then all), one row per KPI,
/// each cell `mean ±half-width`.
pub fn render(r: &RunResult) -> String {
    let mut out = String::new();
    let reps = r.per_rep.len();
    let _ = writeln!(
        out,
        "{} — {} replication{} (mean ± 95% CI half-width)",
        r.variant,
        reps,
        if reps == 1 { "" } else { "s" }
    );
    let scopes: Vec<usize> = (0..r.scopes.len()).collect();
    let mut cells: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["metric".to_string()];
    header.extend(scopes.iter().map(|&s| r.scopes[s].clone()));
    cells.push(header);
    for &(metric, name, unit) in ROWS {
        let m = crate::metrics::metric_index(metric).expect("known metric");
        let mut row = vec![name.to_string()];
        for &s in &scopes {
            let e = r.summary[s][m];
            // Occupancy and concurrency exist only for `all`.
            let cell = if !e.mean.is_finite() {
                "-".into()
            } else if e.lo.is_finite() {
                let h = match unit {
                    Unit::Share => {
                        fmt(e.half_width(), unit).trim_end_matches('%').to_string() + "%"
                    }
                    _ => fmt(e.half_width(), unit),
                };
                format!("{} ±{}", fmt(e.mean, unit), h)
            } else {
                fmt(e.mean, unit)
            };
            row.push(cell);
        }
        cells.push(row);
    }
    let widths: Vec<usize> = (0..cells[0].len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (i, row) in cells.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c == 0 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        let _ = writeln!(out, "  {}", line.join("  "));
        if i == 0 {
            let _ = writeln!(
                out,
                "  {}",
                widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  ")
            );
        }
    }
    out
}

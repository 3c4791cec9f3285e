//! Text tables for the terminal: the one renderer every command uses
//! ([`text_table`]: columns padded to their widest cell, separated by two
//! spaces, an optional rule under the header), and the summary table of a
//! run ([`render`]).

use crate::metrics::registry::{Id, Unit};
use crate::runner::RunResult;
use std::fmt::Write;

/// The KPIs shown (label and unit from the registry).
const ROWS: &[Id] = &[
    Id::Offered,
    Id::Handled,
    Id::AbandonmentRate,
    Id::ServiceLevel,
    Id::Asa,
    Id::FirstResponseMean,
    Id::ResponseTimeMean,
    Id::HandleTimeMean,
    Id::ResolutionTimeMean,
    Id::Occupancy,
    Id::ConcurrencyMean,
    Id::QueueMean,
];

fn fmt(v: f64, u: Unit) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    match u {
        Unit::Count => format!("{v:.1}"),
        Unit::Share => format!("{:.1}%", v * 100.0),
        Unit::Seconds => format!("{v:.1}s"),
        Unit::Level => format!("{v:.2}"),
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
    out.push_str(&text_table(&cells(r), first_left, "  ", true));
    out
}

/// The cells of [`render`]'s table: the header (`metric`, then the
/// scopes), then a row per KPI.
#[must_use]
pub fn cells(r: &RunResult) -> Vec<Vec<String>> {
    let scopes: Vec<usize> = (0..r.scopes.len()).collect();
    let mut cells: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["metric".to_string()];
    header.extend(scopes.iter().map(|&s| r.scopes[s].clone()));
    cells.push(header);
    for &id in ROWS {
        let Some(m) = id.summary_index() else {
            continue;
        };
        let (name, unit) = (id.metric().label, id.metric().unit);
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
    cells
}

/// How a column's cells are padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text at the left, padding at the right.
    Left,
    /// Numbers at the right, padding at the left.
    Right,
}

/// The first column left-aligned (labels), the others right-aligned (numbers).
#[must_use]
pub fn first_left(column: usize) -> Align {
    if column == 0 {
        Align::Left
    } else {
        Align::Right
    }
}

/// The width (in characters) of each column: its widest cell. Rows may
/// have fewer cells than others.
#[must_use]
pub fn column_widths(rows: &[Vec<String>]) -> Vec<usize> {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..ncol)
        .map(|j| {
            rows.iter()
                .filter_map(|r| r.get(j))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Renders `rows` (the first is the header) as lines of `indent` then the
/// cells, each padded to its column's width as `align` says, separated by
/// two spaces, trailing spaces trimmed; with `rule`, a line of dashes as
/// wide as each column under the header.
#[must_use]
pub fn text_table(
    rows: &[Vec<String>],
    align: impl Fn(usize) -> Align,
    indent: &str,
    rule: bool,
) -> String {
    let widths = column_widths(rows);
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, v)| {
                let pad = " ".repeat(widths[c] - v.chars().count());
                match align(c) {
                    Align::Left => format!("{v}{pad}"),
                    Align::Right => format!("{pad}{v}"),
                }
            })
            .collect();
        let _ = writeln!(out, "{indent}{}", line.join("  ").trim_end());
        if i == 0 && rule {
            let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            let _ = writeln!(out, "{indent}{}", dashes.join("  "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_align_and_trim() {
        let rows = vec![
            vec!["name".to_string(), "n".to_string()],
            vec!["a".to_string(), "123".to_string()],
        ];
        assert_eq!(
            text_table(&rows, first_left, "  ", true),
            "  name    n\n  ----  ---\n  a     123\n"
        );
        let ragged = vec![
            vec!["x".to_string(), "yy".to_string()],
            vec!["long".to_string()],
        ];
        assert_eq!(
            text_table(&ragged, |_| Align::Left, "", false),
            "x     yy\nlong\n"
        );
    }
}

//! `results.xlsx` (`--xlsx`): the run's tables as a workbook planners open
//! in a spreadsheet — `summary`, `intervals`, `agents`, `groups`
//! (occupancy and concurrency per group and login, as `groups.csv`) and
//! one sheet per agent group (its agents). Numbers are numbers (empty cells where undefined), times
//! stay in seconds with a formatted `h:mm:ss` column beside each, header
//! rows are bold and frozen. Pure: results in, bytes out.

use crate::engine::time::label;
use crate::metrics::GROUP_METRICS;
use crate::metrics::registry::{INTERVAL, SUMMARY, Unit};
use crate::runner::{AgentRow, RunResult};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// Seconds per day: spreadsheet times are fractions of a day.
const DAY: f64 = 86_400.0;

/// Cell formats of the workbook.
struct Formats {
    header: Format,
    duration: Format,
    share: Format,
    number: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new().set_bold().set_background_color("#EEEEEE"),
            duration: Format::new().set_num_format("[h]:mm:ss"),
            share: Format::new().set_num_format("0.0%"),
            number: Format::new().set_num_format("0.####"),
        }
    }
}

/// Writes a finite number, leaves the cell empty otherwise.
fn number(ws: &mut Worksheet, r: u32, c: u16, v: f64, f: &Format) -> Result<(), XlsxError> {
    if v.is_finite() {
        ws.write_number_with_format(r, c, v, f)?;
    }
    Ok(())
}

/// The header row, bold and frozen, with widths from the names.
fn header(ws: &mut Worksheet, names: &[String], f: &Formats) -> Result<(), XlsxError> {
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, n, &f.header)?;
        ws.set_column_width(c as u16, (n.chars().count() as f64 + 2.0).clamp(9.0, 40.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`,
/// unique in the workbook.
fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let base: String = clean.trim_matches('\'').chars().take(31).collect();
    let base = if base.is_empty() {
        "sheet".to_string()
    } else {
        base
    };
    let mut name = base.clone();
    let mut k = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!("~{k}");
        name = base.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
        k += 1;
    }
    taken.push(name.clone());
    name
}

fn summary_sheet(ws: &mut Worksheet, results: &[RunResult], f: &Formats) -> Result<(), XlsxError> {
    let names: Vec<String> = ["variant"]
        .iter()
        .chain(&super::ESTIMATE_COLUMNS)
        .chain(&["unit", "mean (h:mm:ss)"])
        .map(|s| s.to_string())
        .collect();
    header(ws, &names, f)?;
    let mut r = 1;
    for res in results {
        for (s, scope) in res.scopes.iter().enumerate() {
            for (m, id) in SUMMARY.iter().enumerate() {
                let metric = id.metric();
                let e = res.summary[s][m];
                let fmt = if metric.unit == Unit::Share {
                    &f.share
                } else {
                    &f.number
                };
                ws.write_string(r, 0, &res.variant)?;
                ws.write_string(r, 1, scope)?;
                ws.write_string(r, 2, metric.name)?;
                number(ws, r, 3, e.mean, fmt)?;
                number(ws, r, 4, e.lo, fmt)?;
                number(ws, r, 5, e.hi, fmt)?;
                ws.write_number(r, 6, e.n as f64)?;
                ws.write_string(r, 7, unit_name(metric.unit))?;
                if metric.unit == Unit::Seconds {
                    number(ws, r, 8, e.mean / DAY, &f.duration)?;
                }
                r += 1;
            }
        }
    }
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), 8)?;
    Ok(())
}

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::Count => "count",
        Unit::Share => "share",
        Unit::Seconds => "seconds",
        Unit::Level => "level",
    }
}

fn intervals_sheet(
    ws: &mut Worksheet,
    results: &[RunResult],
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut names: Vec<String> = ["variant", "interval_start", "interval_label", "skill"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    names.extend(INTERVAL.iter().map(|id| id.name().to_string()));
    header(ws, &names, f)?;
    let mut r = 1;
    for res in results {
        for (k, start) in res.interval_starts.iter().enumerate() {
            for (s, scope) in res.scopes.iter().enumerate() {
                ws.write_string(r, 0, &res.variant)?;
                ws.write_number(r, 1, *start)?;
                ws.write_string(r, 2, label(*start))?;
                ws.write_string(r, 3, scope)?;
                for (m, id) in INTERVAL.iter().enumerate() {
                    let fmt = if id.metric().unit == Unit::Share {
                        &f.share
                    } else {
                        &f.number
                    };
                    number(ws, r, 4 + m as u16, res.intervals[k][s][m].mean, fmt)?;
                }
                r += 1;
            }
        }
    }
    ws.set_freeze_panes(1, 4)?;
    Ok(())
}

/// Occupancy, concurrency and agents logged in per group and login, with
/// their intervals (the rows of `groups.csv`).
fn groups_sheet(ws: &mut Worksheet, results: &[RunResult], f: &Formats) -> Result<(), XlsxError> {
    let names: Vec<String> = super::csv_out::GROUP_HEADER
        .iter()
        .map(|s| s.to_string())
        .collect();
    header(ws, &names, f)?;
    let mut r = 1;
    for res in results {
        for g in &res.groups {
            for (m, (name, e)) in GROUP_METRICS.iter().zip(&g.run).enumerate() {
                // Occupancy is a share; the others are levels.
                let fmt = if m == 0 { &f.share } else { &f.number };
                ws.write_string(r, 0, &res.variant)?;
                ws.write_string(r, 1, &g.group)?;
                ws.write_string(r, 2, &g.login)?;
                ws.write_string(r, 3, *name)?;
                number(ws, r, 4, e.mean, fmt)?;
                number(ws, r, 5, e.lo, fmt)?;
                number(ws, r, 6, e.hi, fmt)?;
                ws.write_number(r, 7, e.n as f64)?;
                r += 1;
            }
        }
    }
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), 7)?;
    Ok(())
}

/// Rows of agents (all of them, or one group's).
fn agents_sheet<'a>(
    ws: &mut Worksheet,
    rows: impl Iterator<Item = (&'a str, &'a AgentRow)>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let names: Vec<String> = [
        "variant",
        "group",
        "agent",
        "login",
        "logged_in",
        "logged_in (h:mm:ss)",
        "online",
        "effort",
        "effort (h:mm:ss)",
        "occupancy",
        "concurrency_mean",
        "concurrency_max",
        "conversations",
        "replies",
        "rings",
        "rings_ignored",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header(ws, &names, f)?;
    for (i, (variant, a)) in rows.enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, variant)?;
        ws.write_string(r, 1, &a.group)?;
        ws.write_number(r, 2, a.agent as f64)?;
        ws.write_string(r, 3, &a.login)?;
        number(ws, r, 4, a.logged_in, &f.number)?;
        number(ws, r, 5, a.logged_in / DAY, &f.duration)?;
        number(ws, r, 6, a.online, &f.number)?;
        number(ws, r, 7, a.effort, &f.number)?;
        number(ws, r, 8, a.effort / DAY, &f.duration)?;
        number(ws, r, 9, a.occupancy, &f.share)?;
        number(ws, r, 10, a.concurrency_mean, &f.number)?;
        ws.write_number(r, 11, a.concurrency_max as f64)?;
        number(ws, r, 12, a.conversations, &f.number)?;
        number(ws, r, 13, a.replies, &f.number)?;
        number(ws, r, 14, a.rings, &f.number)?;
        number(ws, r, 15, a.rings_ignored, &f.number)?;
    }
    Ok(())
}

/// The workbook of a run (one or several variants) as bytes.
///
/// # Errors
///
/// The spreadsheet library's error (it writes to memory only).
pub fn workbook(results: &[RunResult]) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let mut taken = Vec::new();
    summary_sheet(
        wb.add_worksheet()
            .set_name(sheet_name("summary", &mut taken))?,
        results,
        &f,
    )?;
    intervals_sheet(
        wb.add_worksheet()
            .set_name(sheet_name("intervals", &mut taken))?,
        results,
        &f,
    )?;
    let all = results
        .iter()
        .flat_map(|r| r.agents.iter().map(move |a| (r.variant.as_str(), a)));
    agents_sheet(
        wb.add_worksheet()
            .set_name(sheet_name("agents", &mut taken))?,
        all,
        &f,
    )?;
    groups_sheet(
        wb.add_worksheet()
            .set_name(sheet_name("groups", &mut taken))?,
        results,
        &f,
    )?;
    let mut groups: Vec<&str> = Vec::new();
    for a in results.iter().flat_map(|r| &r.agents) {
        if !groups.contains(&a.group.as_str()) {
            groups.push(&a.group);
        }
    }
    for g in groups {
        let name = sheet_name(&format!("group {g}"), &mut taken);
        let rows = results
            .iter()
            .flat_map(|r| r.agents.iter().map(move |a| (r.variant.as_str(), a)))
            .filter(|(_, a)| a.group == g);
        agents_sheet(wb.add_worksheet().set_name(name)?, rows, &f)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut taken = vec!["summary".to_string()];
        assert_eq!(sheet_name("Summary", &mut taken), "Summary~2");
        assert_eq!(sheet_name("a/b:c", &mut taken), "a_b_c");
        let long = sheet_name(&"x".repeat(40), &mut taken);
        assert_eq!(long.chars().count(), 31);
        let again = sheet_name(&"x".repeat(40), &mut taken);
        assert_eq!(again.chars().count(), 31);
        assert!(again.ends_with("~2"));
    }

    #[test]
    fn a_run_becomes_a_workbook() {
        let mut scn = crate::scenario::load_str(
            crate::EXAMPLE,
            "example.toml",
            std::path::Path::new("."),
            "example",
        )
        .unwrap();
        scn.replications = 2;
        scn.horizon = 6.0 * 3600.0;
        scn.warmup = 0.0;
        let r = crate::runner::run(&scn, &crate::runner::RunOptions::default()).unwrap();
        let bytes = workbook(std::slice::from_ref(&r)).unwrap();
        // A zip archive holding one worksheet per sheet.
        assert_eq!(&bytes[..2], b"PK");
        let text = String::from_utf8_lossy(&bytes);
        let sheets = 4 + scn.groups.len();
        assert!(
            text.contains(&format!("xl/worksheets/sheet{sheets}.xml")),
            "{sheets} sheets expected"
        );
        assert!(!text.contains(&format!("xl/worksheets/sheet{}.xml", sheets + 1)));
    }
}

//! What each command's `report.html` shows: the scenario in plain words
//! ([`super::describe::scenario`]), the KPI table with its intervals, for
//! `compare` the paired differences, and every chart the command wrote,
//! read back from its SVG file. Built as a [`Page`] and rendered by
//! [`super::html::render`]; deterministic (no time stamp, no absolute
//! path), so the page is as reproducible as the CSV files.

use super::compare_table;
use super::html::{Block, Page, render};
use super::run_charts::read_svgs;
use super::table;
use super::write_atomic;
use crate::error::{Context, Result};
use crate::runner::RunResult;
use crate::scenario::Scenario;
use crate::staff::target::Target;
use std::path::{Path, PathBuf};

/// The chart blocks, one per stem, captioned by the chart's file name.
pub(crate) fn chart_blocks(stems: &[PathBuf]) -> Result<Vec<Block>> {
    Ok(read_svgs(stems)?
        .into_iter()
        .map(|(name, svg)| Block::Chart {
            caption: format!("charts/{name}"),
            svg,
        })
        .collect())
}

/// The `--target` goals met or not (none without targets).
fn target_blocks(results: &[RunResult], targets: &[Target]) -> Vec<Block> {
    if targets.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Heading("Targets".into()),
        Block::Text(format!("Estimate [95% CI]; {}.", super::targets::RULE)),
        table_block(super::targets::cells(results, targets)),
    ]
}

/// The header and rows of a text table as returned by the table builders.
fn table_block(mut cells: Vec<Vec<String>>) -> Block {
    let header = if cells.is_empty() {
        Vec::new()
    } else {
        cells.remove(0)
    };
    Block::Table {
        header,
        rows: cells,
    }
}

fn replications(n: usize) -> String {
    format!("{n} replication{}", if n == 1 { "" } else { "s" })
}

/// The page of `ccsim run`.
///
/// # Errors
///
/// A chart file that cannot be read.
pub fn run_page(
    scn: &Scenario,
    r: &RunResult,
    stems: &[PathBuf],
    targets: &[Target],
) -> Result<Page> {
    let mut blocks = vec![
        Block::Heading("Scenario".into()),
        Block::List(super::describe::scenario(scn)),
        Block::Heading("KPIs (mean ± 95% CI half-width)".into()),
        table_block(table::cells(r)),
    ];
    blocks.extend(target_blocks(std::slice::from_ref(r), targets));
    blocks.push(Block::Heading("Charts".into()));
    blocks.extend(chart_blocks(stems)?);
    Ok(Page {
        title: format!("ccsim run — {}", scn.name),
        subtitle: format!("{}, seed {}", replications(r.per_rep.len()), scn.seed),
        blocks,
    })
}

/// The page of `ccsim compare`; `results[0]` is the base.
///
/// # Errors
///
/// A chart file that cannot be read.
pub fn compare_page(
    scn: &Scenario,
    results: &[RunResult],
    stems: &[PathBuf],
    targets: &[Target],
) -> Result<Page> {
    let reps = results.first().map_or(0, |r| r.per_rep.len());
    let mut blocks = vec![
        Block::Heading("Scenario".into()),
        Block::List(super::describe::scenario(scn)),
        Block::Text(format!(
            "Variants: {}.",
            results
                .iter()
                .map(|r| r.variant.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Block::Heading("KPIs and paired differences".into()),
        Block::Text(
            "Cells: mean ±95% CI half-width. Δ: variant − base, paired by replication \
             (shares in percentage points); * the CI of Δ excludes 0 (significant). \
             A KPI's first line: all skills together; · lines: one skill."
                .into(),
        ),
        table_block(compare_table::cells(results)),
    ];
    blocks.extend(target_blocks(results, targets));
    blocks.push(Block::Heading("Charts".into()));
    blocks.extend(chart_blocks(stems)?);
    Ok(Page {
        title: format!("ccsim compare — {}", scn.name),
        subtitle: format!(
            "base and {} variant{} × {} on common random numbers, seed {}",
            results.len().saturating_sub(1),
            if results.len() == 2 { "" } else { "s" },
            replications(reps),
            scn.seed
        ),
        blocks,
    })
}

/// The most rows of a CSV file shown on a page (the file holds them all).
const MAX_ROWS: usize = 1000;

/// A CSV file (`name`, its bytes) as a table block, with a note when it
/// has more than [`MAX_ROWS`] rows.
///
/// # Errors
///
/// Bytes that are not CSV.
fn csv_blocks(name: &str, bytes: &[u8]) -> Result<Vec<Block>> {
    let bad = |e: csv::Error| crate::error::Error::other(format!("cannot read {name}: {e}"));
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = r.headers().map_err(bad)?.iter().map(String::from).collect();
    let mut rows = Vec::new();
    let mut total = 0usize;
    for rec in r.records() {
        let rec = rec.map_err(bad)?;
        total += 1;
        if rows.len() < MAX_ROWS {
            rows.push(rec.iter().map(String::from).collect());
        }
    }
    let mut out = vec![Block::Table { header, rows }];
    if total > MAX_ROWS {
        out.push(Block::Text(format!(
            "The first {MAX_ROWS} of {total} rows; {name} holds them all."
        )));
    }
    Ok(out)
}

/// The page of `ccsim sweep`: the base scenario, the swept keys, the
/// results table (`sweep.csv`) and the charts.
///
/// # Errors
///
/// A chart file that cannot be read, or `csv` that is not CSV.
pub fn sweep_page(
    scn: &Scenario,
    name: &str,
    swept: &[String],
    csv: &[u8],
    stems: &[PathBuf],
) -> Result<Page> {
    let mut blocks = vec![
        Block::Heading("Base scenario".into()),
        Block::List(super::describe::scenario(scn)),
        Block::Heading("Swept keys".into()),
        Block::List(swept.to_vec()),
        Block::Heading("Results (sweep.csv)".into()),
    ];
    blocks.extend(csv_blocks("sweep.csv", csv)?);
    blocks.push(Block::Heading("Charts".into()));
    blocks.extend(chart_blocks(stems)?);
    Ok(Page {
        title: format!("ccsim sweep — {name}"),
        subtitle: format!("base scenario {}, seed {}", scn.name, scn.seed),
        blocks,
    })
}

/// The page of `ccsim staff`: the scenario, the targets and the search's
/// table (`staffing.csv`). The search draws no chart.
///
/// # Errors
///
/// `csv` that is not CSV.
pub fn staff_page(scn: &Scenario, group: &str, targets: &[String], csv: &[u8]) -> Result<Page> {
    let mut blocks = vec![
        Block::Heading("Scenario".into()),
        Block::List(super::describe::scenario(scn)),
        Block::Heading("Targets".into()),
        Block::List(targets.to_vec()),
        Block::Text(format!(
            "The head-count of group {group} is searched; a count meets a target when its \
             confidence interval is on the right side of the bound (`met`), or when its mean \
             alone is (`mean_met`)."
        )),
        Block::Heading("Counts run (staffing.csv)".into()),
    ];
    blocks.extend(csv_blocks("staffing.csv", csv)?);
    Ok(Page {
        title: format!("ccsim staff — {}", scn.name),
        subtitle: format!("group {group}, seed {}", scn.seed),
        blocks,
    })
}

/// Writes `page` as `dir/report.html`, whole or not at all.
///
/// # Errors
///
/// The file cannot be written.
pub fn write_page(dir: &Path, page: &Page) -> Result<()> {
    let p = dir.join("report.html");
    write_atomic(&p, render(page).as_bytes())
        .with_context(|| format!("cannot write {}", p.display()))
}

/// Writes `results.xlsx` into `dir`, whole or not at all.
///
/// # Errors
///
/// The workbook cannot be built or written.
pub fn write_xlsx(dir: &Path, results: &[RunResult]) -> Result<()> {
    let p = dir.join("results.xlsx");
    let bytes = super::xlsx::workbook(results)
        .map_err(|e| crate::error::Error::other(format!("cannot build {}: {e}", p.display())))?;
    write_atomic(&p, &bytes).with_context(|| format!("cannot write {}", p.display()))
}

//! Charts of a fit (`ccsim fit`): for each fitted duration of each skill
//! and group, the data's distribution function (from the sample's
//! quantiles) with the chosen family's drawn over it, so a planner sees
//! where the fit departs from the data; and each skill's arrival profile
//! over the week; and the fit's `report.html` ([`fit_page`]): a summary,
//! the estimates of `fit.csv` without the per-slot rows, every chart.
//! Pure: a [`FitResult`] in, files out (through [`crate::report::charts`],
//! written whole or not at all).

use crate::calibrate::FitResult;
use crate::calibrate::result::slot_label;
use crate::calibrate::stats::{DurationFit, Family};
use crate::error::Result;
use crate::report::charts::{self, Estimate, Series};
use crate::report::html::{Block, Page};
use std::path::Path;

/// A file-name-safe form of a skill or group name.
pub(crate) fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The (x, share) points of the data and of the fitted family.
pub fn cdf_series(f: &DurationFit) -> Vec<(String, Vec<(f64, f64)>)> {
    let q = &f.quantiles;
    let k = q.len();
    let data: Vec<(f64, f64)> = q
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            (
                x,
                if k > 1 {
                    i as f64 / (k - 1) as f64
                } else {
                    1.0
                },
            )
        })
        .collect();
    let mut series = vec![(format!("data (n = {})", f.n), data)];
    let c = &f.chosen;
    if !matches!(c.family, Family::Empirical | Family::Deterministic) && k > 1 {
        let hi = q[k - 1].max(f.mean);
        let fitted: Vec<(f64, f64)> = (0..=200)
            .map(|i| {
                let x = hi * i as f64 / 200.0;
                (x, c.cdf(x))
            })
            .collect();
        series.push((format!("fitted {}", c.family.name()), fitted));
    }
    series
}

/// Writes the charts of `fit` into `dir` (created if needed); returns the
/// stems written, in order.
///
/// # Errors
///
/// When a chart cannot be written.
pub fn write_fit_charts(dir: &Path, fit: &FitResult) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io("create", dir, e))?;
    let mut stems = Vec::new();
    let mut dist = |stem: String, title: String, f: &DurationFit| -> Result<()> {
        charts::cdf(&dir.join(&stem), &title, "seconds", &cdf_series(f))?;
        stems.push(stem);
        Ok(())
    };
    for s in &fit.skills {
        let name = safe(&s.name);
        let fits = [
            (
                "consumer_reply",
                "consumer reply time",
                s.consumer_reply.as_ref(),
            ),
            ("agent_reply", "agent effort per reply", s.effort.as_ref()),
            ("timer", "solved to closed", s.timer.as_ref()),
            (
                "return_after",
                "return delay",
                s.returns.as_ref().and_then(|d| d.after.as_ref()),
            ),
            (
                "park_after",
                "park delay",
                s.park.as_ref().and_then(|d| d.after.as_ref()),
            ),
        ];
        for (key, what, f) in fits {
            if let Some(f) = f {
                dist(
                    format!("{name}.{key}"),
                    format!("{}: {what}, data and fit", s.name),
                    f,
                )?;
            }
        }
    }
    for g in &fit.groups {
        if let Some(f) = &g.break_duration {
            dist(
                format!("group.{}.break", safe(&g.name)),
                format!("{}: break length, data and fit", g.name),
                f,
            )?;
        }
    }
    let interval = fit.interval;
    let per_hour = 3600.0 / interval;
    let label = |x: f64| slot_label((x / interval).max(0.0) as usize, interval);
    for s in &fit.skills {
        let stem = format!("{}.arrivals", safe(&s.name));
        let series = Series {
            name: format!("fresh arrivals per hour ({} observed)", s.fresh_arrivals),
            points: s
                .profile
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64 * interval, Estimate::point(v * per_hour)))
                .collect(),
        };
        charts::lines(
            &dir.join(&stem),
            &format!("{}: fitted arrival profile over the week", s.name),
            "time of the week",
            "arrivals per hour",
            &[series],
            Some(&label),
        )?;
        stems.push(stem);
    }
    Ok(stems)
}

/// The fit's `report.html`: what was read, the estimates (the rows of
/// `fit_csv`, without the per-slot arrival and logged-in rows, which the
/// charts and `fit.csv` hold) and the charts written into `charts`
/// (`stems` as [`write_fit_charts`] returned them).
///
/// # Errors
///
/// A chart file that cannot be read.
pub fn fit_page(fit: &FitResult, fit_csv: &[u8], charts: &Path, stems: &[String]) -> Result<Page> {
    let mut summary = vec![
        format!(
            "{} events over {:.1} days ({:.2} weeks)",
            fit.events,
            fit.span / 86_400.0,
            fit.weeks
        ),
        format!(
            "{} conversation(s) in flight at the log's start, {} still open at its end",
            fit.in_flight_at_start, fit.open_at_end
        ),
    ];
    for (name, n) in &fit.unknown {
        let name = if name.is_empty() { "(others)" } else { name };
        summary.push(format!("{n} row(s) of unknown event `{name}` skipped"));
    }
    let mut rows = Vec::new();
    let mut header = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(fit_csv);
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| crate::Error::other(format!("fit.csv: {e}")))?;
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if i == 0 {
            header = cells;
            continue;
        }
        let param = cells.get(2).map_or("", String::as_str);
        let per_slot = (param.starts_with("arrivals.") && param != "arrivals.per_week")
            || param.starts_with("logged_in.");
        if !per_slot {
            rows.push(cells);
        }
    }
    let mut blocks = vec![
        Block::Heading("The log".into()),
        Block::List(summary),
        Block::Heading("Estimates (fit.csv without the per-interval rows)".into()),
        Block::Table { header, rows },
        Block::Heading("Charts".into()),
    ];
    blocks.extend(super::pages::chart_blocks(&in_dir(charts, stems))?);
    Ok(Page {
        title: "ccsim fit".into(),
        subtitle: format!(
            "from {}; profiles per {}-minute interval",
            fit.file,
            crate::calibrate::output::num(fit.interval / 60.0)
        ),
        blocks,
    })
}

/// The chart stems as paths in `charts`.
pub(crate) fn in_dir(charts: &Path, stems: &[String]) -> Vec<std::path::PathBuf> {
    stems.iter().map(|s| charts.join(s)).collect()
}

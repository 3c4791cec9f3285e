//! Charts and `report.html` of a back-test (`ccsim backtest`): for each
//! skill and KPI, the observed value per report interval against the
//! simulated mean and its 95% prediction band, over time; the page puts
//! the summary (share within the band, mean absolute error per metric)
//! above them. Pure: a [`Backtest`] in, files out (through
//! [`crate::report::charts`], written whole or not at all).

use crate::calibrate::backtest::{Backtest, METRICS};
use crate::calibrate::output::num;
use crate::calibrate::result::slot_label;
use crate::error::Result;
use crate::report::charts::{self, Estimate, Series};
use crate::report::fit_charts::safe;
use crate::report::html::{Block, Page};
use std::path::Path;

/// Writes `charts/<skill>.<metric>.{svg,png}` for every skill and KPI with
/// compared intervals; returns the stems in order.
///
/// # Errors
///
/// A chart that cannot be drawn or written.
pub fn write_backtest_charts(dir: &Path, b: &Backtest) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io("create", dir, e))?;
    let o = &b.observed;
    let x_format = |x: f64| {
        let week = (x / (7.0 * 86_400.0)).floor();
        let label = slot_label(
            (x / o.interval).round() as usize % (7 * 86_400 / o.interval as usize).max(1),
            o.interval,
        );
        if week > 0.0 {
            format!("w{} {label}", week + 1.0)
        } else {
            label
        }
    };
    let mut stems = Vec::new();
    for (s, skill) in o.skills.iter().enumerate() {
        for (m, metric) in METRICS.iter().enumerate() {
            let rows: Vec<_> = b
                .rows
                .iter()
                .filter(|r| r.skill == s && r.metric == m)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let at = |k: usize| (k as f64 + 0.5) * o.interval;
            let series = [
                Series {
                    name: "simulated mean, 95% band".into(),
                    points: rows
                        .iter()
                        .map(|r| {
                            (
                                at(r.interval),
                                Estimate {
                                    mean: r.sim_mean,
                                    lo: r.sim_low,
                                    hi: r.sim_high,
                                },
                            )
                        })
                        .collect(),
                },
                Series {
                    name: "observed".into(),
                    points: rows
                        .iter()
                        .map(|r| (at(r.interval), Estimate::point(r.observed)))
                        .collect(),
                },
            ];
            let stem = format!("{}.{metric}", safe(skill));
            let within = rows.iter().filter(|r| r.within()).count();
            charts::lines(
                &dir.join(&stem),
                &format!(
                    "{skill}: {metric}, observed vs simulated ({within} of {} within)",
                    rows.len()
                ),
                "interval",
                metric,
                &series,
                Some(&x_format),
            )?;
            stems.push(stem);
        }
    }
    Ok(stems)
}

/// The back-test's `report.html`: the summary, the per-metric table, every chart.
///
/// # Errors
///
/// A chart file that cannot be read.
pub fn backtest_page(b: &Backtest, charts: &Path, stems: &[String]) -> Result<Page> {
    let o = &b.observed;
    let mut rows = Vec::new();
    for (m, (n, k, mae)) in METRICS.iter().zip(b.by_metric()) {
        if n > 0 {
            rows.push(vec![
                m.to_string(),
                n.to_string(),
                format!("{:.1}%", 100.0 * k as f64 / n as f64),
                num((mae * 1e4).round() / 1e4),
            ]);
        }
    }
    let mut summary = vec![format!(
        "{} of {} interval KPIs ({:.1}%) inside the 95% prediction band of {} replications",
        b.rows.iter().filter(|r| r.within()).count(),
        b.rows.len(),
        100.0 * b.share_within(),
        b.replications
    )];
    summary.extend(b.notes.iter().cloned());
    let mut blocks = vec![
        Block::Heading("Summary".into()),
        Block::List(summary),
        Block::Table {
            header: ["metric", "intervals", "within band", "mean abs error"]
                .map(String::from)
                .to_vec(),
            rows,
        },
        Block::Heading("Observed against the simulated band".into()),
    ];
    // Stems hold a dot (`chat.asa`): chart_blocks appends the extension.
    blocks.extend(super::pages::chart_blocks(&super::fit_charts::in_dir(
        charts, stems,
    ))?);
    Ok(Page {
        title: "ccsim backtest".into(),
        subtitle: format!(
            "{} against its own arrivals and staffing, per {}-minute interval",
            o.file,
            num(o.interval / 60.0)
        ),
        blocks,
    })
}

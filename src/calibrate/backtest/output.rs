//! The back-test's exporters, pure functions from a [`Backtest`] to bytes:
//! `backtest.csv` (`interval_start,skill,metric,observed,sim_mean,sim_low,sim_high,within`,
//! times in seconds, shares in 0..1) and the printed summary (share of
//! intervals within the band, mean absolute error per metric).

use super::{Backtest, METRICS};
use crate::calibrate::output::num;
use std::fmt::Write as _;

/// `backtest.csv`, rows by interval, then skill, then metric.
pub fn backtest_csv(b: &Backtest) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "interval_start",
        "skill",
        "metric",
        "observed",
        "sim_mean",
        "sim_low",
        "sim_high",
        "within",
    ]);
    for r in &b.rows {
        let _ = w.write_record([
            b.observed.label(r.interval),
            b.observed.skills[r.skill].clone(),
            METRICS[r.metric].to_string(),
            num(r.observed),
            num(r.sim_mean),
            num(r.sim_low),
            num(r.sim_high),
            r.within().to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// The summary: overall share within the band, then one line per metric.
pub fn summary_text(b: &Backtest) -> String {
    let mut t = String::new();
    let o = &b.observed;
    let _ = writeln!(
        t,
        "back-test of {} ({} events, {} intervals of {}s, {} skill(s)) against {} replication(s): {} of {} interval KPIs ({:.1}%) inside the 95% prediction band",
        o.file,
        o.events,
        o.intervals - o.first,
        num(o.interval),
        o.skills.len(),
        b.replications,
        b.rows.iter().filter(|r| r.within()).count(),
        b.rows.len(),
        100.0 * b.share_within()
    );
    let _ = writeln!(
        t,
        "{:<22} {:>9} {:>9} {:>14}",
        "metric", "intervals", "within", "mean abs error"
    );
    for (m, (n, k, mae)) in METRICS.iter().zip(b.by_metric()) {
        if n == 0 {
            continue;
        }
        let _ = writeln!(
            t,
            "{m:<22} {n:>9} {:>8.1}% {:>14}",
            100.0 * k as f64 / n as f64,
            num((mae * 1e4).round() / 1e4)
        );
    }
    for note in &b.notes {
        let _ = writeln!(t, "note: {note}");
    }
    t
}

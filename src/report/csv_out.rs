//! The CSV files of a run: `summary.csv` (long format), `intervals.csv`,
//! `agents.csv` and `differences.csv`. Pure: results in, bytes out; and
//! [`write_run_outputs`], which writes a run's files.

use super::{num, write_atomic};
use crate::engine::time::label;
use crate::error::{Context, Result};
use crate::metrics::{METRICS, paired_difference};
use crate::runner::RunResult;
use crate::scenario::Scenario;
use crate::sim::interval::INTERVAL_METRICS;
use std::path::Path;

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing to memory cannot fail")
}

/// `summary.csv`: `variant,skill,metric,mean,ci_low,ci_high,replications`.
pub fn summary(results: &[RunResult]) -> Vec<u8> {
    let mut w = writer();
    w.write_record([
        "variant",
        "skill",
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "replications",
    ])
    .unwrap();
    for r in results {
        for (s, scope) in r.scopes.iter().enumerate() {
            for (m, metric) in METRICS.iter().enumerate() {
                let e = r.summary[s][m];
                w.write_record([
                    r.variant.as_str(),
                    scope,
                    metric,
                    &num(e.mean),
                    &num(e.lo),
                    &num(e.hi),
                    &e.n.to_string(),
                ])
                .unwrap();
            }
        }
    }
    finish(w)
}

/// `intervals.csv`: one row per variant, interval and skill; each metric's
/// mean, then its confidence interval columns.
pub fn intervals(results: &[RunResult]) -> Vec<u8> {
    let mut w = writer();
    let mut header: Vec<String> = ["variant", "interval_start", "interval_label", "skill"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for m in INTERVAL_METRICS {
        header.push(m.to_string());
    }
    for m in INTERVAL_METRICS {
        header.push(format!("{m}_ci_low"));
        header.push(format!("{m}_ci_high"));
    }
    header.push("replications".into());
    w.write_record(&header).unwrap();
    for r in results {
        for (k, start) in r.interval_starts.iter().enumerate() {
            for (s, scope) in r.scopes.iter().enumerate() {
                let est = &r.intervals[k][s];
                let mut row = vec![r.variant.clone(), num(*start), label(*start), scope.clone()];
                row.extend(est.iter().map(|e| num(e.mean)));
                for e in est {
                    row.push(num(e.lo));
                    row.push(num(e.hi));
                }
                row.push(r.per_rep.len().to_string());
                w.write_record(&row).unwrap();
            }
        }
    }
    finish(w)
}

/// `agents.csv`: one row per agent and login, means over replications.
pub fn agents(results: &[RunResult], horizon: f64) -> Vec<u8> {
    let mut w = writer();
    w.write_record([
        "variant",
        "group",
        "agent",
        "login",
        "logged_in",
        "online",
        "away",
        "effort",
        "occupancy",
        "concurrency_mean",
        "concurrency_max",
        "conversations",
        "replies",
        "conversations_per_hour",
        "replies_per_hour",
        "rings",
        "rings_ignored",
    ])
    .unwrap();
    let _ = horizon;
    for r in results {
        for a in &r.agents {
            let per_hour = |x: f64| {
                if a.logged_in > 0.0 {
                    x / (a.logged_in / 3600.0)
                } else {
                    f64::NAN
                }
            };
            w.write_record([
                r.variant.clone(),
                a.group.clone(),
                a.agent.to_string(),
                a.login.clone(),
                num(a.logged_in),
                num(a.online),
                num(a.logged_in - a.online),
                num(a.effort),
                num(a.occupancy),
                num(a.concurrency_mean),
                a.concurrency_max.to_string(),
                num(a.conversations),
                num(a.replies),
                num(per_hour(a.conversations)),
                num(per_hour(a.replies)),
                num(a.rings),
                num(a.rings_ignored),
            ])
            .unwrap();
        }
    }
    finish(w)
}

/// `differences.csv`: each variant minus `base`, paired by replication.
pub fn differences(base: &RunResult, variants: &[RunResult]) -> Vec<u8> {
    let mut w = writer();
    w.write_record([
        "variant",
        "skill",
        "metric",
        "diff_mean",
        "ci_low",
        "ci_high",
        "replications",
    ])
    .unwrap();
    for v in variants {
        for (s, scope) in v.scopes.iter().enumerate() {
            for (m, metric) in METRICS.iter().enumerate() {
                let a: Vec<f64> = base.per_rep.iter().map(|r| r[s][m]).collect();
                let b: Vec<f64> = v.per_rep.iter().map(|r| r[s][m]).collect();
                let d = paired_difference(&a, &b);
                w.write_record([
                    v.variant.as_str(),
                    scope,
                    metric,
                    &num(d.mean),
                    &num(d.lo),
                    &num(d.hi),
                    &d.n.to_string(),
                ])
                .unwrap();
            }
        }
    }
    finish(w)
}

/// Writes the report files of a run (one or more variants) into `dir`,
/// each whole or not at all.
///
/// # Errors
///
/// [`crate::Error::Io`] naming the file that cannot be written.
pub fn write_run_outputs(dir: &Path, scn: &Scenario, results: &[RunResult]) -> Result<()> {
    let files: [(&str, Vec<u8>); 4] = [
        ("summary.csv", summary(results)),
        ("intervals.csv", intervals(results)),
        ("agents.csv", agents(results, scn.horizon)),
        ("scenario.resolved.json", scn.resolved_text().into_bytes()),
    ];
    for (name, bytes) in files {
        let p = dir.join(name);
        write_atomic(&p, &bytes).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(())
}

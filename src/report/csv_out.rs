//! The CSV files of a run: `summary.csv` (long format), `intervals.csv`,
//! `agents.csv`, `groups.csv` and `group_intervals.csv` (occupancy and
//! concurrency per group and login) and `differences.csv`. Pure: results in, bytes out; and
//! [`write_run_outputs`], which writes a run's files.

use super::{num, write_atomic};
use crate::engine::time::label;
use crate::error::{Context, Result};
use crate::metrics::{Estimate, GROUP_METRICS, METRICS, paired_difference};
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

/// Serialises a number as [`num`] formats it (an empty cell when undefined).
fn as_num<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&num(*x))
}

/// A row of `summary.csv` (the header is its field names).
#[derive(serde::Serialize)]
struct SummaryRow<'a> {
    variant: &'a str,
    skill: &'a str,
    metric: &'a str,
    #[serde(serialize_with = "as_num")]
    mean: f64,
    #[serde(serialize_with = "as_num")]
    ci_low: f64,
    #[serde(serialize_with = "as_num")]
    ci_high: f64,
    replications: usize,
}

/// A row of `differences.csv`.
#[derive(serde::Serialize)]
struct DifferenceRow<'a> {
    variant: &'a str,
    skill: &'a str,
    metric: &'a str,
    #[serde(serialize_with = "as_num")]
    diff_mean: f64,
    #[serde(serialize_with = "as_num")]
    ci_low: f64,
    #[serde(serialize_with = "as_num")]
    ci_high: f64,
    replications: usize,
}

/// A writer whose header comes from the first row's field names; `header`
/// is written by hand only when there is no row (so the file always has one).
fn rows_to_csv<T: serde::Serialize>(header: &[&str], rows: impl Iterator<Item = T>) -> Vec<u8> {
    let mut w = writer();
    let mut any = false;
    for row in rows {
        any = true;
        w.serialize(row).expect("writing to memory cannot fail");
    }
    if !any {
        w.write_record(header)
            .expect("writing to memory cannot fail");
    }
    finish(w)
}

/// `summary.csv`: `variant,skill,metric,mean,ci_low,ci_high,replications`.
pub fn summary(results: &[RunResult]) -> Vec<u8> {
    let rows = results.iter().flat_map(|r| {
        r.scopes.iter().enumerate().flat_map(move |(s, scope)| {
            METRICS.iter().enumerate().map(move |(m, metric)| {
                let e = r.summary[s][m];
                SummaryRow {
                    variant: &r.variant,
                    skill: scope,
                    metric,
                    mean: e.mean,
                    ci_low: e.lo,
                    ci_high: e.hi,
                    replications: e.n,
                }
            })
        })
    });
    let mut header = vec!["variant"];
    header.extend(super::ESTIMATE_COLUMNS);
    rows_to_csv(&header, rows)
}

/// `intervals.csv`: one row per variant, interval and skill; each metric's
/// mean, then its confidence interval columns.
pub fn intervals(results: &[RunResult]) -> Vec<u8> {
    let mut w = writer();
    let keys = ["variant", "interval_start", "interval_label", "skill"];
    w.write_record(wide_header(&keys, INTERVAL_METRICS))
        .unwrap();
    for r in results {
        for (k, start) in r.interval_starts.iter().enumerate() {
            for (s, scope) in r.scopes.iter().enumerate() {
                let keys = vec![r.variant.clone(), num(*start), label(*start), scope.clone()];
                w.write_record(wide_row(keys, &r.intervals[k][s], r.per_rep.len()))
                    .unwrap();
            }
        }
    }
    finish(w)
}

/// The header of a wide per-interval file: `keys`, each metric's mean,
/// each metric's `_ci_low` and `_ci_high`, then `replications`.
fn wide_header(keys: &[&str], metrics: &[&str]) -> Vec<String> {
    let mut header: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
    header.extend(metrics.iter().map(|m| m.to_string()));
    for m in metrics {
        header.push(format!("{m}_ci_low"));
        header.push(format!("{m}_ci_high"));
    }
    header.push("replications".into());
    header
}

/// A row of a wide per-interval file (see [`wide_header`]).
fn wide_row(mut row: Vec<String>, est: &[Estimate], replications: usize) -> Vec<String> {
    row.extend(est.iter().map(|e| num(e.mean)));
    for e in est {
        row.push(num(e.lo));
        row.push(num(e.hi));
    }
    row.push(replications.to_string());
    row
}

/// A row of `groups.csv`.
#[derive(serde::Serialize)]
struct GroupCsvRow<'a> {
    variant: &'a str,
    group: &'a str,
    login: &'a str,
    metric: &'a str,
    #[serde(serialize_with = "as_num")]
    mean: f64,
    #[serde(serialize_with = "as_num")]
    ci_low: f64,
    #[serde(serialize_with = "as_num")]
    ci_high: f64,
    replications: usize,
}

/// The header of `groups.csv` (also the xlsx `groups` sheet's).
pub(crate) const GROUP_HEADER: [&str; 8] = [
    "variant",
    "group",
    "login",
    "metric",
    "mean",
    "ci_low",
    "ci_high",
    "replications",
];

/// `groups.csv`: `variant,group,login,metric,mean,ci_low,ci_high,replications`,
/// the [`GROUP_METRICS`] of each group and login over the run.
pub fn groups(results: &[RunResult]) -> Vec<u8> {
    let rows = results.iter().flat_map(|r| {
        r.groups.iter().flat_map(move |g| {
            GROUP_METRICS
                .iter()
                .zip(&g.run)
                .map(move |(metric, e)| GroupCsvRow {
                    variant: &r.variant,
                    group: &g.group,
                    login: &g.login,
                    metric,
                    mean: e.mean,
                    ci_low: e.lo,
                    ci_high: e.hi,
                    replications: e.n,
                })
        })
    });
    rows_to_csv(&GROUP_HEADER, rows)
}

/// `group_intervals.csv`: one row per variant, report interval, group and
/// login; each [`GROUP_METRICS`]' mean, then its interval columns, then
/// `replications`.
pub fn group_intervals(results: &[RunResult]) -> Vec<u8> {
    let mut w = writer();
    let keys = [
        "variant",
        "interval_start",
        "interval_label",
        "group",
        "login",
    ];
    w.write_record(wide_header(&keys, &GROUP_METRICS)).unwrap();
    for r in results {
        for (k, start) in r.interval_starts.iter().enumerate() {
            for g in &r.groups {
                let Some(est) = g.intervals.get(k) else {
                    continue;
                };
                let keys = vec![
                    r.variant.clone(),
                    num(*start),
                    label(*start),
                    g.group.clone(),
                    g.login.clone(),
                ];
                w.write_record(wide_row(keys, est, r.per_rep.len()))
                    .unwrap();
            }
        }
    }
    finish(w)
}

/// A row of `agents.csv`.
#[derive(serde::Serialize)]
struct AgentCsvRow<'a> {
    variant: &'a str,
    group: &'a str,
    agent: usize,
    login: &'a str,
    #[serde(serialize_with = "as_num")]
    logged_in: f64,
    #[serde(serialize_with = "as_num")]
    online: f64,
    #[serde(serialize_with = "as_num")]
    away: f64,
    #[serde(serialize_with = "as_num")]
    effort: f64,
    #[serde(serialize_with = "as_num")]
    occupancy: f64,
    #[serde(serialize_with = "as_num")]
    concurrency_mean: f64,
    concurrency_max: u32,
    #[serde(serialize_with = "as_num")]
    conversations: f64,
    #[serde(serialize_with = "as_num")]
    replies: f64,
    #[serde(serialize_with = "as_num")]
    conversations_per_hour: f64,
    #[serde(serialize_with = "as_num")]
    replies_per_hour: f64,
    #[serde(serialize_with = "as_num")]
    rings: f64,
    #[serde(serialize_with = "as_num")]
    rings_ignored: f64,
    #[serde(serialize_with = "as_num")]
    assignments: f64,
}

/// `agents.csv`: one row per agent and login, means over replications.
pub fn agents(results: &[RunResult], horizon: f64) -> Vec<u8> {
    let _ = horizon;
    let rows = results.iter().flat_map(|r| {
        r.agents.iter().map(move |a| {
            let per_hour = |x: f64| {
                if a.logged_in > 0.0 {
                    x / (a.logged_in / 3600.0)
                } else {
                    f64::NAN
                }
            };
            AgentCsvRow {
                variant: &r.variant,
                group: &a.group,
                agent: a.agent,
                login: &a.login,
                logged_in: a.logged_in,
                online: a.online,
                away: a.logged_in - a.online,
                effort: a.effort,
                occupancy: a.occupancy,
                concurrency_mean: a.concurrency_mean,
                concurrency_max: a.concurrency_max,
                conversations: a.conversations,
                replies: a.replies,
                conversations_per_hour: per_hour(a.conversations),
                replies_per_hour: per_hour(a.replies),
                rings: a.rings,
                rings_ignored: a.rings_ignored,
                assignments: a.assignments,
            }
        })
    });
    rows_to_csv(AGENTS_HEADER, rows)
}

/// The header of `agents.csv` (the field names of its rows).
const AGENTS_HEADER: &[&str] = &[
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
    "assignments",
];

/// `differences.csv`: each variant minus `base`, paired by replication.
pub fn differences(base: &RunResult, variants: &[RunResult]) -> Vec<u8> {
    let rows = variants.iter().flat_map(|v| {
        v.scopes.iter().enumerate().flat_map(move |(s, scope)| {
            METRICS.iter().enumerate().map(move |(m, metric)| {
                let a: Vec<f64> = base.per_rep.iter().map(|r| r[s][m]).collect();
                let b: Vec<f64> = v.per_rep.iter().map(|r| r[s][m]).collect();
                let d = paired_difference(&a, &b);
                DifferenceRow {
                    variant: &v.variant,
                    skill: scope,
                    metric,
                    diff_mean: d.mean,
                    ci_low: d.lo,
                    ci_high: d.hi,
                    replications: d.n,
                }
            })
        })
    });
    rows_to_csv(
        &[
            "variant",
            "skill",
            "metric",
            "diff_mean",
            "ci_low",
            "ci_high",
            "replications",
        ],
        rows,
    )
}

/// Writes the report files of a run (one or more variants) into `dir`,
/// each whole or not at all.
///
/// # Errors
///
/// [`crate::Error::Io`] naming the file that cannot be written.
pub fn write_run_outputs(dir: &Path, scn: &Scenario, results: &[RunResult]) -> Result<()> {
    let files: [(&str, Vec<u8>); 6] = [
        ("summary.csv", summary(results)),
        ("intervals.csv", intervals(results)),
        ("agents.csv", agents(results, scn.horizon)),
        ("groups.csv", groups(results)),
        ("group_intervals.csv", group_intervals(results)),
        ("scenario.resolved.json", scn.resolved_text().into_bytes()),
    ];
    for (name, bytes) in files {
        let p = dir.join(name);
        write_atomic(&p, &bytes).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header written for no rows is the one the row structs give.
    #[test]
    fn headers_without_rows_match_the_row_structs() {
        let mut scn = crate::runner::example();
        scn.horizon = 3600.0;
        scn.warmup = 0.0;
        scn.replications = 2;
        let r = crate::runner::run(&scn, &crate::runner::RunOptions::default()).unwrap();
        assert!(!r.agents.is_empty());
        let first = |b: Vec<u8>| {
            String::from_utf8(b)
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_string()
        };
        let empty = RunResult {
            agents: Vec::new(),
            groups: Vec::new(),
            scopes: Vec::new(),
            ..r.clone()
        };
        for (with, without) in [
            (summary(std::slice::from_ref(&r)), summary(&[])),
            (
                agents(std::slice::from_ref(&r), 0.0),
                agents(std::slice::from_ref(&empty), 0.0),
            ),
            (
                differences(&r, std::slice::from_ref(&r)),
                differences(&r, &[]),
            ),
            (
                groups(std::slice::from_ref(&r)),
                groups(std::slice::from_ref(&empty)),
            ),
        ] {
            assert_eq!(first(with), first(without));
        }
    }
}

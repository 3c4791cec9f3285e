//! Runs a scenario's replications in parallel and aggregates them.
//!
//! Replications are independent (each has its own streams) and run on
//! rayon; their results are collected in replication order before anything
//! is summed, so every output is byte-identical whatever the thread count.
//! Traces are written by each replication to its own temporary file as it
//! goes, then joined in replication order.

use crate::metrics::{self, Estimate, METRICS, estimate};
use crate::scenario::{Mode, Scenario};
use crate::sim::interval::{INTERVAL_METRICS, interval_values};
use crate::sim::{RepResult, Sim, TraceRow, TraceSink};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A replication stopped because the scenario's system is unstable (its
/// queues grow without bound): a property of the input, reported as such.
#[derive(Debug, thiserror::Error)]
#[error("the system is unstable: {0}")]
pub struct Unstable(pub String);

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (None: rayon's default, one per core).
    pub threads: Option<usize>,
    /// Write `conversations.csv` into this directory.
    pub trace_dir: Option<PathBuf>,
    /// Variant name in the results (default `base`).
    pub variant: Option<String>,
}

/// One row of `agents.csv`: means over replications.
#[derive(Clone, Debug)]
pub struct AgentRow {
    /// Group name.
    pub group: String,
    /// Agent index within the group.
    pub agent: usize,
    /// Login: the channel (dedicated, two_login) or `blended`.
    pub login: String,
    /// Logged-in time (s).
    pub logged_in: f64,
    /// Online time (s).
    pub online: f64,
    /// Typing time (s).
    pub effort: f64,
    /// effort ÷ logged_in.
    pub occupancy: f64,
    /// Mean open conversations while logged in.
    pub concurrency_mean: f64,
    /// Largest number of open conversations (max over replications).
    pub concurrency_max: u32,
    /// Conversations assigned.
    pub conversations: f64,
    /// Replies.
    pub replies: f64,
    /// Rings offered.
    pub rings: f64,
    /// Rings ignored.
    pub rings_ignored: f64,
}

/// The aggregated result of one scenario (one variant).
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Variant name (`base` for the scenario itself).
    pub variant: String,
    /// Scope names: the skills, then `all`.
    pub scopes: Vec<String>,
    /// Per replication, per scope, per metric ([`METRICS`] order).
    pub per_rep: Vec<Vec<Vec<f64>>>,
    /// Per scope, per metric.
    pub summary: Vec<Vec<Estimate>>,
    /// Interval starts (s since time 0).
    pub interval_starts: Vec<f64>,
    /// Per interval, per scope, per interval metric ([`INTERVAL_METRICS`] order).
    pub intervals: Vec<Vec<Vec<Estimate>>>,
    /// Per agent and login.
    pub agents: Vec<AgentRow>,
    /// Events processed, all replications.
    pub events: u64,
    /// Per replication: (offered, closed, abandoned, in system at end).
    pub conservation: Vec<(u64, u64, u64, u64)>,
    /// Per replication: largest number of live conversations.
    pub peak_conversations: Vec<usize>,
    /// Per scope: first response times of all replications together.
    pub first_response: Vec<crate::metrics::Histogram>,
}

impl RunResult {
    /// The estimate of `metric` for scope `skill` (a skill name or `all`).
    pub fn summary(&self, skill: &str, metric: &str) -> Option<Estimate> {
        let s = self.scopes.iter().position(|x| x == skill)?;
        let m = metrics::metric_index(metric)?;
        Some(self.summary[s][m])
    }
}

/// Writes trace rows as CSV, as they come.
struct CsvTrace {
    w: csv::Writer<std::io::BufWriter<std::fs::File>>,
    err: Option<std::io::Error>,
}

/// Header of `conversations.csv`.
pub const TRACE_HEADER: &[&str] = &[
    "replication",
    "conversation",
    "issue",
    "skill",
    "arrival",
    "end",
    "state",
    "close_reason",
    "queue_time",
    "first_response",
    "handle_time",
    "effort",
    "reopens",
    "agent",
];

impl TraceSink for CsvTrace {
    fn row(&mut self, r: &TraceRow<'_>) {
        if self.err.is_some() {
            return;
        }
        let res = self.w.write_record([
            r.replication.to_string(),
            r.id.to_string(),
            r.issue.to_string(),
            r.skill.to_string(),
            crate::report::num(r.arrival),
            crate::report::num(r.end),
            r.state.to_string(),
            r.reason.to_string(),
            crate::report::num(r.queue_time),
            crate::report::num(r.first_response),
            crate::report::num(r.handle),
            crate::report::num(r.effort),
            r.reopens.to_string(),
            r.agent.clone(),
        ]);
        if let Err(e) = res {
            self.err = Some(std::io::Error::other(e));
        }
    }
}

fn part_path(dir: &Path, rep: u32) -> PathBuf {
    dir.join(format!(".conversations.rep{rep}.part"))
}

fn run_one(scn: &Scenario, rep: u32, trace_dir: Option<&Path>) -> anyhow::Result<RepResult> {
    match trace_dir {
        None => Ok(Sim::new(scn, rep, None).run()),
        Some(dir) => {
            let f = std::fs::File::create(part_path(dir, rep))?;
            let mut sink = CsvTrace {
                w: csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(std::io::BufWriter::new(f)),
                err: None,
            };
            let res = Sim::new(scn, rep, Some(&mut sink)).run();
            if let Some(e) = sink.err {
                return Err(e.into());
            }
            sink.w.flush()?;
            Ok(res)
        }
    }
}

/// Runs every replication of `scn` and aggregates.
pub fn run(scn: &Scenario, opts: &RunOptions) -> anyhow::Result<RunResult> {
    run_with_progress(scn, opts, &|| {})
}

/// Like [`run`], calling `tick` after each replication (for progress bars).
pub fn run_with_progress(
    scn: &Scenario,
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
) -> anyhow::Result<RunResult> {
    if let Some(dir) = &opts.trace_dir {
        std::fs::create_dir_all(dir)?;
    }
    let trace_dir = opts.trace_dir.as_deref();
    let job = || -> anyhow::Result<Vec<RepResult>> {
        (0..scn.replications)
            .into_par_iter()
            .map(|r| {
                let res = run_one(scn, r, trace_dir);
                tick();
                res
            })
            .collect()
    };
    let reps = match opts.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()?
            .install(job)?,
        None => job()?,
    };
    if let Some((r, why)) = reps
        .iter()
        .enumerate()
        .find_map(|(r, x)| x.unstable.as_ref().map(|w| (r, w)))
    {
        return Err(Unstable(format!(
            "scenario `{}`, replication {}: {why}",
            scn.name,
            r + 1
        ))
        .into());
    }
    if let Some(dir) = trace_dir {
        join_traces(dir, scn.replications)?;
    }
    Ok(aggregate(
        scn,
        opts.variant.as_deref().unwrap_or("base"),
        &reps,
    ))
}

/// Joins the per-replication trace parts into `conversations.csv`, whole or not at all.
fn join_traces(dir: &Path, reps: u32) -> anyhow::Result<()> {
    let tmp = dir.join(".conversations.csv.tmp");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        writeln!(out, "{}", TRACE_HEADER.join(","))?;
        for r in 0..reps {
            let p = part_path(dir, r);
            let mut f = std::fs::File::open(&p)?;
            std::io::copy(&mut f, &mut out)?;
            std::fs::remove_file(&p)?;
        }
        out.flush()?;
    }
    std::fs::rename(&tmp, dir.join("conversations.csv"))?;
    Ok(())
}

/// Per replication, per scope (skills, then `all`), per metric: the
/// metric values of each replication, and their estimates across
/// replications (the `summary` of [`aggregate`], without its interval and
/// agent tables — what a sweep point needs).
pub fn summarise(scn: &Scenario, reps: &[RepResult]) -> (Vec<Vec<Vec<f64>>>, Vec<Vec<Estimate>>) {
    let ns = scn.skills.len() + 1;
    let per_rep: Vec<Vec<Vec<f64>>> = reps
        .iter()
        .map(|r| {
            (0..ns)
                .map(|s| {
                    let agents = (s == ns - 1).then_some(&r.agents_all);
                    metrics::metric_values(&r.skills[s], agents, scn.horizon)
                })
                .collect()
        })
        .collect();
    let summary: Vec<Vec<Estimate>> = (0..ns)
        .map(|s| {
            (0..METRICS.len())
                .map(|m| estimate(per_rep.iter().map(|r| r[s][m])))
                .collect()
        })
        .collect();
    (per_rep, summary)
}

/// Aggregates replications (in order) into estimates.
pub fn aggregate(scn: &Scenario, variant: &str, reps: &[RepResult]) -> RunResult {
    let mut scopes: Vec<String> = scn.skills.iter().map(|s| s.name.clone()).collect();
    scopes.push("all".into());
    let ns = scopes.len();
    let (per_rep, summary) = summarise(scn, reps);

    let n_iv = ((scn.horizon / scn.interval).ceil() as usize).max(1);
    let interval_starts: Vec<f64> = (0..n_iv)
        .map(|k| scn.warmup + k as f64 * scn.interval)
        .collect();
    let intervals: Vec<Vec<Vec<Estimate>>> = (0..n_iv)
        .map(|k| {
            let length = (scn.end() - interval_starts[k]).min(scn.interval);
            (0..ns)
                .map(|s| {
                    let vals: Vec<Vec<f64>> = reps
                        .iter()
                        .map(|r| interval_values(&r.intervals[k * ns + s], length))
                        .collect();
                    (0..INTERVAL_METRICS.len())
                        .map(|m| estimate(vals.iter().map(|v| v[m])))
                        .collect()
                })
                .collect()
        })
        .collect();

    let mut agents = Vec::new();
    let mut offset = 0;
    for g in &scn.groups {
        let logins: Vec<(usize, String)> = match g.mode {
            Mode::TwoLogin => vec![(0, "live_chat".into()), (1, "messaging".into())],
            Mode::Blended => vec![(0, "blended".into())],
            Mode::Dedicated => {
                let ch = g
                    .skills
                    .first()
                    .map_or("live_chat", |&(s, _)| scn.skills[s].channel.name());
                vec![(0, ch.to_string())]
            }
        };
        for i in 0..g.count as usize {
            for (li, lname) in &logins {
                let n = reps.len().max(1) as f64;
                let mut row = AgentRow {
                    group: g.name.clone(),
                    agent: i,
                    login: lname.clone(),
                    logged_in: 0.0,
                    online: 0.0,
                    effort: 0.0,
                    occupancy: f64::NAN,
                    concurrency_mean: f64::NAN,
                    concurrency_max: 0,
                    conversations: 0.0,
                    replies: 0.0,
                    rings: 0.0,
                    rings_ignored: 0.0,
                };
                let mut open_area = 0.0;
                for r in reps {
                    let t = &r.agents[offset + i].tally[*li];
                    row.logged_in += t.logged_in / n;
                    row.online += t.online / n;
                    row.effort += t.effort / n;
                    open_area += t.open_area / n;
                    row.concurrency_max = row.concurrency_max.max(t.max_open);
                    row.conversations += t.conversations as f64 / n;
                    row.replies += t.replies as f64 / n;
                    row.rings += t.rings as f64 / n;
                    row.rings_ignored += t.rings_ignored as f64 / n;
                }
                if row.logged_in > 0.0 {
                    row.occupancy = row.effort / row.logged_in;
                    row.concurrency_mean = open_area / row.logged_in;
                }
                agents.push(row);
            }
        }
        offset += g.count as usize;
    }
    RunResult {
        variant: variant.to_string(),
        scopes,
        per_rep,
        summary,
        interval_starts,
        intervals,
        agents,
        events: reps.iter().map(|r| r.events).sum(),
        conservation: reps.iter().map(|r| r.conservation).collect(),
        peak_conversations: reps.iter().map(|r| r.peak_conversations).collect(),
        first_response: (0..ns)
            .map(|s| {
                let mut h = crate::metrics::Histogram::default();
                for r in reps {
                    h.merge(&r.skills[s].first_response_hist);
                }
                h
            })
            .collect(),
    }
}

//! Aggregating replications as they finish: an [`Accumulator`] takes each
//! replication's result in replication order, keeps only what the
//! estimates need (each replication's metric values, running sums of the
//! agent rows, merged histograms) and drops the rest, and turns them into a
//! [`RunResult`] at the end. Values are summed in replication order, so
//! results are byte-identical whatever the thread count.

use crate::error::Unstable;
use crate::metrics::{self, Estimate, Histogram, LoadTally, METRICS, estimate};
use crate::scenario::{Mode, Scenario};
use crate::sim::RepResult;
use crate::sim::interval::{INTERVAL_METRICS, interval_values};

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
    /// Distinct conversations assigned (mean over replications).
    pub conversations: f64,
    /// Assignments, unparks and reassignments included (mean over replications).
    pub assignments: f64,
    /// Replies.
    pub replies: f64,
    /// Rings offered.
    pub rings: f64,
    /// Rings ignored.
    pub rings_ignored: f64,
}

/// Occupancy and concurrency of one group's agents (one login of a
/// `two_login` group): rows of `groups.csv` and `group_intervals.csv`.
#[derive(Clone, Debug)]
pub struct GroupRow {
    /// Group name.
    pub group: String,
    /// Login, as in `agents.csv`.
    pub login: String,
    /// Over the run, [`crate::metrics::GROUP_METRICS`] in order: each replication's ratio of
    /// sums over the group's agents, mean and 95% CI across replications.
    pub run: [Estimate; 3],
    /// The same per report interval.
    pub intervals: Vec<[Estimate; 3]>,
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
    /// Each replication's interval metric values, read with
    /// [`RunResult::interval_reps`] (empty for a summary-only run).
    pub interval_per_rep: Vec<f64>,
    /// Per agent and login.
    pub agents: Vec<AgentRow>,
    /// Per group and login (empty for a summary-only run).
    pub groups: Vec<GroupRow>,
    /// Events processed, all replications.
    pub events: u64,
    /// Per replication: (offered, closed, abandoned, in system at end).
    pub conservation: Vec<(u64, u64, u64, u64)>,
    /// Per replication: largest number of live conversations.
    pub peak_conversations: Vec<usize>,
    /// Per scope: first response times of all replications together.
    pub first_response: Vec<Histogram>,
    /// Per scope: next response times of all replications together.
    pub next_response: Vec<Histogram>,
}

impl RunResult {
    /// The estimate of `metric` for scope `skill` (a skill name or `all`).
    pub fn summary(&self, skill: &str, metric: &str) -> Option<Estimate> {
        let s = self.scopes.iter().position(|x| x == skill)?;
        let m = metrics::metric_index(metric)?;
        Some(self.summary[s][m])
    }

    /// The values of interval metric `m` ([`INTERVAL_METRICS`] order) in
    /// interval `k` and scope `s`, one per replication in order (empty for a
    /// summary-only run).
    #[must_use]
    pub fn interval_reps(&self, k: usize, s: usize, m: usize) -> &[f64] {
        let reps = self.per_rep.len();
        let at = ((k * self.scopes.len() + s) * INTERVAL_METRICS.len() + m) * reps;
        self.interval_per_rep.get(at..at + reps).unwrap_or(&[])
    }
}

/// What to aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Detail {
    /// Everything a run reports (summary, intervals, agents, histograms).
    #[default]
    Full,
    /// The summary only (what a sweep point needs; the rest costs more).
    Summary,
}

/// The replications of one run, folded in replication order.
pub struct Accumulator<'a> {
    scn: &'a Scenario,
    detail: Detail,
    reps: usize,
    ns: usize,
    n_iv: usize,
    /// Replications added so far.
    added: usize,
    per_rep: Vec<Vec<Vec<f64>>>,
    /// `[((k * ns + s) * n_metrics + m) * reps + r]`.
    iv_values: Vec<f64>,
    /// Agent rows, each with (agent index, login index) and the open-area sum.
    agents: Vec<(AgentRow, usize, usize, f64)>,
    /// Group columns (group, login) and, per column, its replications'
    /// [`crate::metrics::GROUP_METRICS`] over the run, `[(column × 3 + m) × reps + r]`,
    /// and per interval, `[((k × columns + column) × 3 + m) × reps + r]`.
    group_cols: Vec<(String, String)>,
    group_run: Vec<f64>,
    group_iv: Vec<f64>,
    events: u64,
    conservation: Vec<(u64, u64, u64, u64)>,
    peak: Vec<usize>,
    first_response: Vec<Histogram>,
    next_response: Vec<Histogram>,
    unstable: Option<Unstable>,
}

impl<'a> Accumulator<'a> {
    /// An empty accumulator for the `scn.replications` replications of `scn`.
    #[must_use]
    pub fn new(scn: &'a Scenario, detail: Detail) -> Self {
        let ns = scn.skills.len() + 1;
        let reps = scn.replications as usize;
        let full = detail == Detail::Full;
        let n_iv = if full { n_intervals(scn) } else { 0 };
        Accumulator {
            scn,
            detail,
            reps,
            ns,
            n_iv,
            added: 0,
            per_rep: Vec::with_capacity(reps.min(1 << 16)),
            iv_values: vec![f64::NAN; n_iv * ns * INTERVAL_METRICS.len() * reps],
            agents: if full { agent_rows(scn) } else { Vec::new() },
            group_cols: if full { group_columns(scn) } else { Vec::new() },
            group_run: Vec::new(),
            group_iv: Vec::new(),
            events: 0,
            conservation: Vec::new(),
            peak: Vec::new(),
            first_response: if full {
                vec![Histogram::default(); ns]
            } else {
                Vec::new()
            },
            next_response: if full {
                vec![Histogram::default(); ns]
            } else {
                Vec::new()
            },
            unstable: None,
        }
    }

    /// Adds the next replication (they must come in replication order).
    pub fn add(&mut self, r: &RepResult) {
        let (scn, ns) = (self.scn, self.ns);
        let rep = self.added;
        self.added += 1;
        if let (None, Some(why)) = (&self.unstable, &r.unstable) {
            self.unstable = Some(Unstable {
                run: format!("scenario `{}`", scn.name),
                replication: rep as u32 + 1,
                detail: why.clone(),
            });
        }
        self.per_rep.push(
            (0..ns)
                .map(|s| {
                    let agents = (s == ns - 1).then_some(&r.agents_all);
                    metrics::metric_values(&r.skills[s], agents, scn.horizon)
                })
                .collect(),
        );
        self.events += r.events;
        self.conservation.push(r.conservation);
        self.peak.push(r.peak_conversations);
        if self.detail == Detail::Summary {
            return;
        }
        let nm = INTERVAL_METRICS.len();
        for k in 0..self.n_iv {
            let start = scn.warmup + k as f64 * scn.interval;
            let length = (scn.end() - start).min(scn.interval);
            for s in 0..ns {
                let Some(t) = r.intervals.get(k * ns + s) else {
                    continue;
                };
                for (m, v) in interval_values(t, length).into_iter().enumerate() {
                    if let Some(slot) = self
                        .iv_values
                        .get_mut(((k * ns + s) * nm + m) * self.reps + rep)
                    {
                        *slot = v;
                    }
                }
            }
        }
        let n = self.reps.max(1) as f64;
        for (row, idx, li, open_area) in &mut self.agents {
            let t = &r.agents[*idx].tally[*li];
            row.logged_in += t.logged_in / n;
            row.online += t.online / n;
            row.effort += t.effort / n;
            *open_area += t.open_area / n;
            row.concurrency_max = row.concurrency_max.max(t.max_open);
            row.conversations += t.conversations as f64 / n;
            row.assignments += t.assignments as f64 / n;
            row.replies += t.replies as f64 / n;
            row.rings += t.rings as f64 / n;
            row.rings_ignored += t.rings_ignored as f64 / n;
        }
        for (h, t) in self.first_response.iter_mut().zip(&r.skills) {
            h.merge(&t.first_response_hist);
        }
        for (h, t) in self.next_response.iter_mut().zip(&r.skills) {
            h.merge(&t.next_response_hist);
        }
        self.add_groups(r, rep);
    }

    /// Adds replication `rep`'s load per group and login.
    fn add_groups(&mut self, r: &RepResult, rep: usize) {
        let (scn, reps) = (self.scn, self.reps);
        let nc = self.group_cols.len();
        if nc == 0 {
            return;
        }
        if self.group_run.is_empty() {
            self.group_run = vec![f64::NAN; nc * 3 * reps];
            self.group_iv = vec![f64::NAN; self.n_iv * nc * 3 * reps];
        }
        let cols = crate::record::groups::columns(scn);
        let mut run = vec![LoadTally::default(); nc];
        for a in &r.agents {
            let (first, two) = cols[a.group];
            run[first].merge(&LoadTally::of(&a.tally[0]));
            run[first + two as usize].merge(&LoadTally::of(&a.tally[1]));
        }
        let put = |at: &mut Vec<f64>, row: usize, v: [f64; 3]| {
            for (m, x) in v.into_iter().enumerate() {
                if let Some(slot) = at.get_mut((row * 3 + m) * reps + rep) {
                    *slot = x;
                }
            }
        };
        for (c, l) in run.iter().enumerate() {
            put(&mut self.group_run, c, l.values(scn.horizon));
        }
        for k in 0..self.n_iv {
            let start = scn.warmup + k as f64 * scn.interval;
            let length = (scn.end() - start).min(scn.interval);
            for c in 0..nc {
                if let Some(l) = r.group_intervals.get(k * nc + c) {
                    put(&mut self.group_iv, k * nc + c, l.values(length));
                }
            }
        }
    }

    /// The first replication (in order) that stopped as unstable, if any.
    #[must_use]
    pub fn unstable(&self) -> Option<&Unstable> {
        self.unstable.as_ref()
    }

    /// The estimates of the replications added.
    #[must_use]
    pub fn finish(self, variant: &str) -> RunResult {
        let ns = self.ns;
        let mut scopes: Vec<String> = self.scn.skills.iter().map(|s| s.name.clone()).collect();
        scopes.push("all".into());
        let summary: Vec<Vec<Estimate>> = (0..ns)
            .map(|s| {
                (0..METRICS.len())
                    .map(|m| estimate(self.per_rep.iter().map(|r| r[s][m])))
                    .collect()
            })
            .collect();
        let (interval_starts, intervals) = if self.detail == Detail::Full {
            let scn = self.scn;
            let starts: Vec<f64> = (0..self.n_iv)
                .map(|k| scn.warmup + k as f64 * scn.interval)
                .collect();
            let nm = INTERVAL_METRICS.len();
            let reps = self.reps;
            let est = (0..self.n_iv)
                .map(|k| {
                    (0..ns)
                        .map(|s| {
                            (0..nm)
                                .map(|m| {
                                    let at = ((k * ns + s) * nm + m) * reps;
                                    estimate(self.iv_values[at..at + self.added].iter().copied())
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect();
            (starts, est)
        } else {
            (Vec::new(), Vec::new())
        };
        let agents = self
            .agents
            .into_iter()
            .map(|(mut row, _, _, open_area)| {
                if row.logged_in > 0.0 {
                    row.occupancy = row.effort / row.logged_in;
                    row.concurrency_mean = open_area / row.logged_in;
                }
                row
            })
            .collect();
        let (reps, added, nc) = (self.reps, self.added, self.group_cols.len());
        let est = |v: &[f64], row: usize| -> [Estimate; 3] {
            std::array::from_fn(|m| {
                let at = (row * 3 + m) * reps;
                estimate(v.get(at..at + added).unwrap_or(&[]).iter().copied())
            })
        };
        let groups = self
            .group_cols
            .iter()
            .enumerate()
            .map(|(c, (group, login))| GroupRow {
                group: group.clone(),
                login: login.clone(),
                run: est(&self.group_run, c),
                intervals: (0..self.n_iv)
                    .map(|k| est(&self.group_iv, k * nc + c))
                    .collect(),
            })
            .collect();
        RunResult {
            groups,
            variant: variant.to_string(),
            scopes,
            per_rep: self.per_rep,
            summary,
            interval_starts,
            intervals,
            interval_per_rep: self.iv_values,
            agents,
            events: self.events,
            conservation: self.conservation,
            peak_conversations: self.peak,
            first_response: self.first_response,
            next_response: self.next_response,
        }
    }
}

/// The number of report intervals of `scn`.
#[must_use]
pub fn n_intervals(scn: &Scenario) -> usize {
    ((scn.horizon / scn.interval).ceil() as usize).max(1)
}

/// The logins of group `g` (index into an agent's totals, name), as
/// `agents.csv` and `groups.csv` name them.
fn logins(scn: &Scenario, g: &crate::scenario::Group) -> Vec<(usize, String)> {
    match g.mode {
        Mode::TwoLogin => vec![(0, "live_chat".into()), (1, "messaging".into())],
        Mode::Blended => vec![(0, "blended".into())],
        Mode::Dedicated => {
            let ch = g
                .skills
                .first()
                .map_or("live_chat", |&(s, _)| scn.skills[s].channel.name());
            vec![(0, ch.to_string())]
        }
    }
}

/// The (group, login) columns of `scn`, in [`crate::record::groups::columns`] order.
fn group_columns(scn: &Scenario) -> Vec<(String, String)> {
    scn.groups
        .iter()
        .flat_map(|g| logins(scn, g).into_iter().map(|(_, l)| (g.name.clone(), l)))
        .collect()
}

/// The empty agent rows of `scn`, one per agent and login.
fn agent_rows(scn: &Scenario) -> Vec<(AgentRow, usize, usize, f64)> {
    let mut agents = Vec::new();
    let mut offset = 0;
    for g in &scn.groups {
        let logins = logins(scn, g);
        for i in 0..g.count as usize {
            for (li, lname) in &logins {
                let row = AgentRow {
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
                    assignments: 0.0,
                    replies: 0.0,
                    rings: 0.0,
                    rings_ignored: 0.0,
                };
                agents.push((row, offset + i, *li, 0.0));
            }
        }
        offset += g.count as usize;
    }
    agents
}

/// Aggregates replications (in order) into estimates.
#[must_use]
pub fn aggregate(scn: &Scenario, variant: &str, reps: &[RepResult]) -> RunResult {
    let mut scn2;
    let scn = if reps.len() == scn.replications as usize {
        scn
    } else {
        scn2 = scn.clone();
        scn2.replications = reps.len() as u32;
        &scn2
    };
    let mut acc = Accumulator::new(scn, Detail::Full);
    for r in reps {
        acc.add(r);
    }
    acc.finish(variant)
}

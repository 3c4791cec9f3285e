//! Measuring one head-count: its replications run on the shared worker
//! pool (replication `r` always on the streams of `r`, so every count and
//! every variant sees the same demand), each reduced at once to what the
//! targets need — the target metric's value, the counts behind a share
//! (numerator and denominator, for [`share_estimate`]), occupancy, and per
//! report interval the offered volume and agents online — and the
//! estimates at the decision's confidence ([`Reps::estimates`]).
//!
//! Replications are added in batches ([`Reps::extend`]): the search adds
//! them while a target's half-width is above `--precision`.

use super::search::{Eval, IvCell};
use super::target::Target;
use crate::error::Result;
use crate::metrics::ci::{estimate_at, share_estimate};
use crate::metrics::registry::{Id, Unit};
use crate::metrics::{AgentTally, Estimate, Tally};
use crate::runner::{aggregate::n_intervals, pool};
use crate::scenario::Scenario;
use crate::sim::RepResult;
use crate::sim::interval::IntervalTally;

/// One replication's value of a target metric, with the counts behind it
/// when it is a share.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Value {
    value: f64,
    counts: Option<(f64, f64)>,
}

/// A target's values in one report interval, one per replication.
#[derive(Clone, Debug, Default)]
struct IvReps {
    values: Vec<Value>,
    offered: Vec<f64>,
    online: Vec<f64>,
}

/// Every replication run so far at one head-count.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reps {
    /// Per target, per replication.
    overall: Vec<Vec<Value>>,
    /// Per replication: occupancy of all agents.
    occupancy: Vec<f64>,
    /// Per interval, per target.
    intervals: Vec<Vec<IvReps>>,
    /// Per interval and scope (skills, then `all`): mean offered, summed.
    offered: Vec<Vec<f64>>,
    /// Some replication stopped as unstable (queues without bound).
    pub(crate) unstable: bool,
    /// Replications run.
    pub(crate) n: u32,
}

/// The numerator and denominator of a share target's summary value.
fn share_counts(id: Id, t: &Tally) -> Option<(f64, f64)> {
    let f = |x: u64| x as f64;
    match id {
        Id::ServiceLevel => Some((
            f(t.handled_within_sl),
            f(t.offered) - f(t.abandoned_within_sl),
        )),
        Id::FirstResponseSl => Some((f(t.first_response_within), f(t.first_response_n))),
        Id::AbandonmentRate => Some((f(t.abandoned), f(t.offered))),
        _ => None,
    }
}

/// The numerator and denominator of a share target's interval value.
fn iv_share_counts(id: Id, t: &IntervalTally) -> Option<(f64, f64)> {
    let f = |x: u64| x as f64;
    match id {
        Id::ServiceLevel => Some((
            f(t.handled_within_sl),
            f(t.offered) - f(t.abandoned_within_sl),
        )),
        Id::AbandonmentRate => Some((f(t.abandoned), f(t.offered))),
        _ => None,
    }
}

impl Reps {
    /// Runs replications `self.n .. self.n + count` of `scn` on `pool` and
    /// adds them in replication order, calling `tick` after each.
    pub(crate) fn extend(
        &mut self,
        scn: &Scenario,
        targets: &[(Target, usize)],
        per_interval: bool,
        pool: &rayon::ThreadPool,
        count: u32,
        tick: &mut dyn FnMut(),
    ) -> Result<()> {
        Reps::extend_all(&mut [(scn, self, count)], targets, per_interval, pool, tick)
    }

    /// [`Reps::extend`] for several head-counts at once: their replications
    /// form one job list on `pool` (so the workers stay busy across points)
    /// and each is added to its own [`Reps`] in replication order — the
    /// same values as extending each alone, whatever the thread count.
    pub(crate) fn extend_all(
        items: &mut [(&Scenario, &mut Reps, u32)],
        targets: &[(Target, usize)],
        per_interval: bool,
        pool: &rayon::ThreadPool,
        tick: &mut dyn FnMut(),
    ) -> Result<()> {
        let scns: Vec<&Scenario> = items.iter().map(|x| x.0).collect();
        // Job j: (item, replication).
        let index: Vec<(usize, u32)> = items
            .iter()
            .enumerate()
            .flat_map(|(i, (_, reps, count))| (reps.n..reps.n + *count).map(move |r| (i, r)))
            .collect();
        let job = |j: usize| pool::Job {
            scenario: scns[index[j].0],
            replication: index[j].1,
            trace_dir: None,
            events: None,
        };
        let live = pool::Live::new(None);
        pool::replicate(pool, &live, index.len(), &job, &mut |j, replica| {
            let i = index[j].0;
            items[i]
                .1
                .add(scns[i], targets, per_interval, &replica.result);
            tick();
            Ok(())
        })
    }

    fn add(
        &mut self,
        scn: &Scenario,
        targets: &[(Target, usize)],
        per_interval: bool,
        r: &RepResult,
    ) {
        let ns = scn.skills.len() + 1;
        self.n += 1;
        self.unstable |= r.unstable.is_some();
        let agents = |s: usize| -> Option<&AgentTally> { (s == ns - 1).then_some(&r.agents_all) };
        if self.overall.is_empty() {
            self.overall = vec![Vec::new(); targets.len()];
        }
        for ((t, s), out) in targets.iter().zip(&mut self.overall) {
            let tally = &r.skills[*s];
            let value = t
                .metric
                .metric()
                .summary
                .map_or(f64::NAN, |f| f(tally, agents(*s), scn.horizon));
            out.push(Value {
                value,
                counts: share_counts(t.metric, tally),
            });
        }
        let occ = Id::Occupancy.metric().summary;
        self.occupancy.push(occ.map_or(f64::NAN, |f| {
            f(&r.skills[ns - 1], Some(&r.agents_all), scn.horizon)
        }));
        let n_iv = n_intervals(scn);
        if self.offered.is_empty() {
            self.offered = vec![vec![0.0; ns]; n_iv];
            if per_interval {
                self.intervals = vec![vec![IvReps::default(); targets.len()]; n_iv];
            }
        }
        let online = Id::AgentsOnline.metric().interval;
        for k in 0..n_iv {
            let start = scn.warmup + k as f64 * scn.interval;
            let length = (scn.end() - start).min(scn.interval);
            for s in 0..ns {
                if let Some(t) = r.intervals.get(k * ns + s) {
                    self.offered[k][s] += t.offered as f64;
                }
            }
            if !per_interval {
                continue;
            }
            for ((t, s), out) in targets.iter().zip(&mut self.intervals[k]) {
                let Some(tally) = r.intervals.get(k * ns + s) else {
                    continue;
                };
                let value = t
                    .metric
                    .metric()
                    .interval
                    .map_or(f64::NAN, |f| f(tally, length));
                out.values.push(Value {
                    value,
                    counts: iv_share_counts(t.metric, tally),
                });
                out.offered.push(tally.offered as f64);
                out.online
                    .push(online.map_or(f64::NAN, |f| f(tally, length)));
            }
        }
    }

    /// Mean offered conversations per replication in interval `k`, scope `s`.
    pub(crate) fn offered(&self, k: usize, s: usize) -> f64 {
        self.offered
            .get(k)
            .and_then(|r| r.get(s))
            .copied()
            .unwrap_or(0.0)
            / f64::from(self.n.max(1))
    }

    /// The number of report intervals measured.
    pub(crate) fn n_intervals(&self) -> usize {
        self.offered.len()
    }

    /// The estimates at `confidence`: a share by [`share_estimate`] (pooled
    /// counts, Wilson), anything else by Student's t; undefined for every
    /// target when a replication was unstable (such a count meets nothing).
    pub(crate) fn estimates(&self, targets: &[(Target, usize)], confidence: f64) -> Eval {
        let est = |t: &Target, vals: &[Value]| -> Estimate {
            if self.unstable {
                return Estimate {
                    mean: f64::NAN,
                    lo: f64::NAN,
                    hi: f64::NAN,
                    n: 0,
                };
            }
            estimate(t, vals, confidence)
        };
        let overall = targets
            .iter()
            .zip(&self.overall)
            .map(|((t, _), v)| est(t, v))
            .collect();
        let intervals = self
            .intervals
            .iter()
            .map(|row| {
                targets
                    .iter()
                    .zip(row)
                    .map(|((t, _), c)| IvCell {
                        ci: est(t, &c.values),
                        offered: estimate_at(c.offered.iter().copied(), confidence).mean,
                        online: estimate_at(c.online.iter().copied(), confidence).mean,
                    })
                    .collect()
            })
            .collect();
        Eval {
            overall,
            intervals,
            occupancy: estimate_at(self.occupancy.iter().copied(), confidence).mean,
            reps: self.n,
        }
    }
}

/// A target's estimate from its per-replication values: a share from its
/// pooled counts ([`share_estimate`]), clipped to [0, 1] if it has none;
/// other metrics by Student's t.
fn estimate(t: &Target, vals: &[Value], confidence: f64) -> Estimate {
    if t.metric.metric().unit == Unit::Share {
        let counts: Option<Vec<(f64, f64)>> = vals.iter().map(|v| v.counts).collect();
        return match counts {
            Some(c) => share_estimate(c, confidence),
            None => estimate_at(vals.iter().map(|v| v.value), confidence).clipped(0.0, 1.0),
        };
    }
    estimate_at(vals.iter().map(|v| v.value), confidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::registry::REGISTRY;

    #[test]
    fn share_counts_give_the_registry_value() {
        let t = Tally {
            offered: 50,
            abandoned: 5,
            handled: 45,
            handled_within_sl: 38,
            abandoned_within_sl: 2,
            first_response_n: 40,
            first_response_within: 31,
            ..Tally::default()
        };
        let iv = IntervalTally {
            offered: 50,
            abandoned: 5,
            handled: 45,
            handled_within_sl: 38,
            abandoned_within_sl: 2,
            ..IntervalTally::default()
        };
        for m in REGISTRY
            .iter()
            .filter(|m| m.target && m.unit == Unit::Share)
        {
            let (x, d) = share_counts(m.id, &t).expect("every share target has counts");
            let f = m.summary.expect("summary");
            assert_eq!(x / d, f(&t, None, 1.0), "{}", m.name);
            if let Some(f) = m.interval {
                let (x, d) = iv_share_counts(m.id, &iv).expect("interval counts");
                assert_eq!(x / d, f(&iv, 1.0), "{}", m.name);
            }
        }
    }
}

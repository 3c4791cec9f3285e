//! The search over head-counts: every count is run once (cached) on the
//! same seed, so neighbouring counts see the same demand (common random
//! numbers); [`Searcher::smallest`] brackets by doubling from 1 and then
//! bisects, keeping the invariant that the answer meets and the count below
//! it was run and fails.

use super::StaffConfig;
use crate::error::{Error, Result};
use crate::metrics::Estimate;
use crate::metrics::ci::estimate_at;
use crate::metrics::registry::Id;
use crate::runner::{self, RunOptions, RunResult};
use crate::scenario::Scenario;
use crate::sweep::base::Base;
use std::collections::BTreeMap;

/// One target's value in one report interval.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IvCell {
    /// The target's metric in the interval.
    pub ci: Estimate,
    /// Mean offered conversations in the interval (target's scope).
    pub offered: f64,
    /// Mean agents online with the scope's skills in the interval.
    pub online: f64,
}

/// One head-count's results.
#[derive(Clone, Debug)]
pub(crate) struct Eval {
    /// Per target.
    pub overall: Vec<Estimate>,
    /// Per interval, per target (empty unless per-interval).
    pub intervals: Vec<Vec<IvCell>>,
}

/// The search's state: the scenario, the targets' scopes and every count run.
pub(crate) struct Searcher<'a> {
    pub(crate) base: &'a Base,
    pub(crate) path: String,
    pub(crate) cfg: &'a StaffConfig,
    pub(crate) scopes: Vec<usize>,
    pub(crate) cache: BTreeMap<u32, Eval>,
    pub(crate) starts: Vec<f64>,
    pub(crate) interval: f64,
    pub(crate) replications: u32,
    pub(crate) seed: u64,
    /// The sized group's weekly login windows (empty: always logged in).
    pub(crate) shifts: Vec<crate::scenario::Shift>,
    pub(crate) bar: indicatif::ProgressBar,
}

impl Searcher<'_> {
    pub(crate) fn scenario(&self, count: u32) -> Result<Scenario> {
        let mut scn = self
            .base
            .build(&[(self.path.clone(), toml::Value::Integer(i64::from(count)))])
            .map_err(|e| {
                Error::input(format!(
                    "{}: with `{}` = {count}: {}",
                    self.base.path.display(),
                    self.path,
                    e.describe()
                ))
            })?;
        if let Some(s) = self.cfg.overrides.seed {
            scn.seed = s;
        }
        if let Some(r) = self.cfg.overrides.replications {
            scn.replications = r;
        }
        Ok(scn)
    }

    pub(crate) fn eval(&mut self, count: u32) -> Result<&Eval> {
        if !self.cache.contains_key(&count) {
            self.bar.set_message(format!(
                "running {count} agents ({} counts run so far)",
                self.cache.len()
            ));
            let scn = self.scenario(count)?;
            let opts = RunOptions {
                threads: self.cfg.threads,
                max_memory: self.cfg.max_memory,
                ..RunOptions::default()
            };
            let (agg, unstable) = runner::run_lenient(&scn, &opts, &|| {})?;
            let mut e = self.summarise(&scn, &agg);
            if unstable.is_some() {
                // The queues grew without bound at this count: it meets nothing.
                let failed = Estimate {
                    mean: f64::NAN,
                    lo: f64::NAN,
                    hi: f64::NAN,
                    n: 0,
                };
                for c in e.overall.iter_mut() {
                    *c = failed;
                }
                for cell in e.intervals.iter_mut().flatten() {
                    cell.ci = failed;
                }
            }
            self.cache.insert(count, e);
            self.bar.tick();
        }
        self.cache
            .get(&count)
            .ok_or_else(|| Error::other(format!("internal: count {count} not run")))
    }

    fn summarise(&mut self, scn: &Scenario, agg: &RunResult) -> Eval {
        let conf = self.cfg.confidence;
        let overall = self
            .cfg
            .targets
            .iter()
            .zip(&self.scopes)
            .map(|(t, &s)| {
                // Every target metric is a summary metric (checked by a test).
                let vals = t.metric.summary_index().map_or(Vec::new(), |m| {
                    agg.per_rep.iter().map(|r| r[s][m]).collect()
                });
                estimate_at(vals, conf)
            })
            .collect();
        let mut intervals = Vec::new();
        if self.cfg.per_interval {
            self.starts.clone_from(&agg.interval_starts);
            self.interval = scn.interval;
            // A target without interval values (refused with --per-interval
            // by `run`) and a missing interval metric give no values.
            let vals_of = |k: usize, s: usize, id: Id| {
                id.interval_index()
                    .map_or(&[][..], |m| agg.interval_reps(k, s, m))
                    .iter()
                    .copied()
            };
            for k in 0..agg.interval_starts.len() {
                let row = self
                    .cfg
                    .targets
                    .iter()
                    .zip(&self.scopes)
                    .map(|(t, &s)| IvCell {
                        ci: estimate_at(vals_of(k, s, t.metric), conf),
                        offered: estimate_at(vals_of(k, s, Id::Offered), conf).mean,
                        online: estimate_at(vals_of(k, s, Id::AgentsOnline), conf).mean,
                    })
                    .collect();
                intervals.push(row);
            }
        }
        Eval { overall, intervals }
    }

    /// The smallest count in `1..=max` meeting `met`: a doubling bracket from
    /// 1, then bisection. `None` when `max` does not meet.
    pub(crate) fn smallest(&mut self, met: &dyn Fn(&Eval) -> bool) -> Result<Option<u32>> {
        let max = self.cfg.max;
        let mut lo = 0u32;
        let mut c = 1u32;
        let hi = loop {
            if met(self.eval(c)?) {
                break c;
            }
            lo = c;
            if c >= max {
                return Ok(None);
            }
            c = c.saturating_mul(2).min(max);
        };
        self.bisect(lo, hi, met).map(Some)
    }

    /// The smallest count in `lo+1..=hi` meeting `met`, given that `hi`
    /// meets it and `lo` does not (bisection, assuming monotonicity).
    fn bisect(&mut self, mut lo: u32, mut hi: u32, met: &dyn Fn(&Eval) -> bool) -> Result<u32> {
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if met(self.eval(mid)?) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }

    /// The smallest count in `1..=top` meeting `met`, by bisection between
    /// the counts already run (assuming monotonicity between them).
    pub(crate) fn smallest_below(
        &mut self,
        top: u32,
        met: &dyn Fn(&Eval) -> bool,
    ) -> Result<Option<u32>> {
        let Some(hi) = self
            .cache
            .iter()
            .filter(|(c, e)| **c <= top && met(e))
            .map(|(c, _)| *c)
            .next()
        else {
            return Ok(None);
        };
        let lo = self
            .cache
            .iter()
            .filter(|(c, e)| **c < hi && !met(e))
            .map(|(c, _)| *c)
            .next_back()
            .unwrap_or(0);
        self.bisect(lo, hi, met).map(Some)
    }
}

//! Per-interval requirements by simulating **time-varying staffing**
//! (`--per-interval`): the sized group gets a count profile (one head-count
//! per report interval, `per` = the report interval, §10 of the spec) and
//! the whole horizon is simulated with it, so backlog carried from one
//! interval into the next is part of the answer.
//!
//! **The search** ([`time_varying`]) starts from the stationary answer of
//! each interval (the smallest constant count meeting it, from the runs the
//! constant-count search made) and repeats, one simulated profile per round:
//!
//! 1. when every interval with demand meets its targets, it tries one agent
//!    fewer in every other interval that is not yet known to be minimal
//!    (even intervals, then odd ones, so two neighbours never drop together);
//! 2. when a removal made an interval miss (the removed interval itself or
//!    the one after it; else every removal of that round is blamed), the
//!    blamed removals are undone and those intervals are marked minimal;
//! 3. otherwise every interval that misses gets one agent more (up to `--max`).
//!
//! It stops when no interval can lose an agent, or after [`MAX_ROUNDS`]
//! rounds; the answer is the last profile that met everywhere (or, when none
//! did, the last one run, with the intervals that miss named). Every
//! profile is run on the same replications (common random numbers), in
//! parallel, with the replications of a batch added (up to [`MAX_BATCHES`]
//! batches, within `--max-replications`) while an interval's target is
//! undecided and less precise than `--precision`. Intervals without demand,
//! or outside the group's shifts, get 0 agents. An interval that no
//! constant count met (a trickle of conversations the rule cannot decide
//! on) is set apart: it keeps the smallest constant count meeting by the
//! means (1 if none), is not searched, and is reported as missing.

use super::per_interval::IvAnswer;
use super::search::{Eval, Searcher};
use super::target::{Op, Target};
use crate::error::{Error, Result};
use crate::metrics::Estimate;
use crate::scenario::Scenario;
use std::collections::BTreeMap;

/// Most profiles simulated by one search.
pub const MAX_ROUNDS: u32 = 60;
/// Most batches of replications run at one profile.
pub const MAX_BATCHES: u32 = 4;

/// The per-interval requirement of one group, found with time-varying staffing.
#[derive(Clone, Debug)]
pub struct Requirement {
    /// Report interval starts (s since Monday 00:00 of week 0).
    pub starts: Vec<f64>,
    /// Length of a report interval (s).
    pub interval: f64,
    /// Agents logged in per report interval (0 where the group has no work).
    pub agents: Vec<u32>,
    /// Per interval: it has demand and the group may work in it.
    pub staffed: Vec<bool>,
    /// Per interval, per target: the target metric at the answer.
    pub values: Vec<Vec<Estimate>>,
    /// Per interval: every target met at the answer (false without demand).
    pub met: Vec<bool>,
    /// Profiles simulated.
    pub rounds: u32,
    /// Replications run at the answer.
    pub replications: u32,
}

impl Requirement {
    /// Intervals with demand that miss a target at the answer.
    #[must_use]
    pub fn missed(&self) -> Vec<usize> {
        (0..self.agents.len())
            .filter(|&k| self.staffed[k] && !self.met[k])
            .collect()
    }
}

/// The profiles run, on one scenario whose sized group has no shifts.
struct Profiles<'s, 'a> {
    s: &'s mut Searcher<'a>,
    scn: Scenario,
    group: usize,
    /// Profile slots before the first report interval (the warm-up).
    lead: usize,
    cache: BTreeMap<Vec<u32>, Eval>,
}

impl Profiles<'_, '_> {
    fn new<'s, 'a>(s: &'s mut Searcher<'a>) -> Result<Profiles<'s, 'a>> {
        let mut scn = s.scenario(&[1])?;
        let name = &s.groups[0];
        let group = scn
            .groups
            .iter()
            .position(|g| &g.name == name)
            .ok_or_else(|| Error::input(format!("--per-interval: no agent group `{name}`")))?;
        let lead = (scn.warmup / scn.interval).round();
        if (lead * scn.interval - scn.warmup).abs() > 1e-6 {
            return Err(Error::input(format!(
                "--per-interval: {}: the warm-up ({}s) is not a whole number of report \
                 intervals ({}s), so a head-count per interval cannot start with the \
                 measured period; change `warmup` or `interval`",
                s.base.path.display(),
                scn.warmup,
                scn.interval
            )));
        }
        let g = &mut scn.groups[group];
        g.shifts.clear();
        g.breaks.clear();
        Ok(Profiles {
            s,
            scn,
            group,
            lead: lead as usize,
            cache: BTreeMap::new(),
        })
    }

    /// Whether every staffed interval's targets are decided or precise enough.
    fn settled(&self, e: &Eval, staffed: &[bool]) -> bool {
        e.intervals.iter().zip(staffed).all(|(row, &st)| {
            !st || self.s.targets.iter().zip(row).all(|((t, _), c)| {
                let c = &c.ci;
                let decided = t.met(c, false)
                    || match t.op {
                        Op::AtLeast => c.hi < t.value,
                        Op::AtMost => c.lo > t.value,
                    };
                decided || c.half_width() <= self.s.precision(t)
            })
        })
    }

    /// Measures profile `p` (one count per report interval), once.
    fn eval(&mut self, p: &[u32], staffed: &[bool], round: u32) -> Result<&Eval> {
        if !self.cache.contains_key(p) {
            let mut scn = self.scn.clone();
            let mut full = vec![p.first().copied().unwrap_or(0); self.lead];
            full.extend_from_slice(p);
            let per = scn.interval;
            scn.groups[self.group]
                .set_count_profile(full, per)
                .map_err(|e| Error::input(format!("--per-interval: {e}")))?;
            let s = &*self.s;
            let mut reps = super::measure::Reps::default();
            let cap = s.cfg.max_replications.max(s.replications);
            let e = loop {
                let batch = s.replications.min(cap - reps.n);
                s.bar.set_message(format!(
                    "{}: per-interval round {round}, {} agent-intervals — replications {}..{}",
                    s.variant_name(),
                    p.iter().map(|&c| u64::from(c)).sum::<u64>(),
                    reps.n + 1,
                    reps.n + batch
                ));
                let bar = s.bar;
                reps.extend(&scn, &s.targets, true, s.pool, batch, &mut || bar.tick())?;
                let e = reps.estimates(&s.targets, s.cfg.confidence);
                if reps.unstable
                    || reps.n >= cap
                    || reps.n >= MAX_BATCHES * s.replications
                    || self.settled(&e, staffed)
                {
                    break e;
                }
            };
            self.cache.insert(p.to_vec(), e);
        }
        self.cache
            .get(p)
            .ok_or_else(|| Error::other("internal: profile not run"))
    }
}

/// Whether interval `k` of `e` meets every target.
fn met(targets: &[(Target, usize)], e: &Eval, k: usize) -> bool {
    e.intervals.get(k).is_some_and(|row| {
        targets
            .iter()
            .zip(row)
            .all(|((t, _), c)| t.met(&c.ci, false))
    })
}

/// Whether interval `k` of `e` meets every target by the means alone.
fn met_by_mean(targets: &[(Target, usize)], e: &Eval, k: usize) -> bool {
    e.intervals.get(k).is_some_and(|row| {
        targets
            .iter()
            .zip(row)
            .all(|((t, _), c)| t.met(&c.ci, true))
    })
}

/// The intervals a removal round may lower: not minimal, above 0, of parity `par`.
fn removable(p: &[u32], minimal: &[bool], par: usize) -> Vec<usize> {
    (0..p.len())
        .filter(|&k| k % 2 == par && !minimal[k] && p[k] > 0)
        .collect()
}

/// The removals of the last round to undo when `miss` misses: those whose
/// own or next interval misses, else all of them.
fn blamed(removed: &[usize], miss: &[usize]) -> Vec<usize> {
    let b: Vec<usize> = removed
        .iter()
        .copied()
        .filter(|&k| miss.iter().any(|&j| j == k || j == k + 1))
        .collect();
    if b.is_empty() { removed.to_vec() } else { b }
}

/// The fewest agents per report interval meeting every target in every
/// interval with demand, by simulating the group's count profile, starting
/// from the stationary answers `start` (see the module doc).
pub(crate) fn time_varying(s: &mut Searcher<'_>, start: &[IvAnswer]) -> Result<Requirement> {
    let max = s.cfg.max;
    let starts = s.starts.clone();
    let interval = s.interval;
    let targets = s.targets.clone();
    let staffed: Vec<bool> = start
        .iter()
        .map(|a| matches!(a, IvAnswer::Count { .. } | IvAnswer::NotMet(_)))
        .collect();
    // An interval no constant count met (too few conversations for the
    // rule to decide, say) is set apart: it keeps the smallest constant
    // count whose means meet (1 if none) and is neither raised nor lowered.
    let apart: Vec<bool> = start
        .iter()
        .map(|a| matches!(a, IvAnswer::NotMet(_)))
        .collect();
    let by_mean = |k: usize| {
        s.cache
            .iter()
            .filter(|(c, e)| c.len() == 1 && c[0] > 0 && met_by_mean(&targets, e, k))
            .map(|(c, _)| c[0])
            .next()
            .unwrap_or(1)
    };
    let mut p: Vec<u32> = start
        .iter()
        .enumerate()
        .map(|(k, a)| match a {
            IvAnswer::Count { ci, .. } => *ci,
            IvAnswer::NotMet(_) => by_mean(k),
            IvAnswer::NoDemand | IvAnswer::NoAgents => 0,
        })
        .collect();
    let mut minimal: Vec<bool> = staffed.iter().zip(&apart).map(|(&x, &a)| !x || a).collect();
    let mut pr = Profiles::new(s)?;
    let mut best: Option<Vec<u32>> = None;
    let mut removed: Vec<usize> = Vec::new();
    let mut par = 0;
    let mut rounds = 0;
    while rounds < MAX_ROUNDS {
        rounds += 1;
        let e = pr.eval(&p, &staffed, rounds)?;
        let miss: Vec<usize> = (0..p.len())
            .filter(|&k| staffed[k] && !apart[k] && !met(&targets, e, k))
            .collect();
        if miss.is_empty() {
            best = Some(p.clone());
            let mut r = removable(&p, &minimal, par);
            if r.is_empty() {
                par ^= 1;
                r = removable(&p, &minimal, par);
            }
            if r.is_empty() {
                break;
            }
            par ^= 1;
            for &k in &r {
                p[k] -= 1;
            }
            removed = r;
        } else if !removed.is_empty() {
            for k in blamed(&removed, &miss) {
                p[k] += 1;
                minimal[k] = true;
            }
            removed.clear();
        } else {
            let mut grew = false;
            for k in miss {
                if p[k] < max {
                    p[k] += 1;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
    }
    let answer = best.unwrap_or(p);
    let e = pr.eval(&answer, &staffed, rounds)?.clone();
    let values = (0..answer.len())
        .map(|k| {
            e.intervals
                .get(k)
                .map(|row| row.iter().map(|c| c.ci).collect())
                .unwrap_or_default()
        })
        .collect();
    let met = (0..answer.len())
        .map(|k| staffed[k] && met(&targets, &e, k))
        .collect();
    Ok(Requirement {
        starts,
        interval,
        agents: answer,
        staffed,
        values,
        met,
        rounds,
        replications: e.reps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_alternate_and_skip_minimal_or_empty_intervals() {
        let p = [3, 0, 2, 4, 1];
        let minimal = [false, false, true, false, false];
        assert_eq!(removable(&p, &minimal, 0), vec![0, 4]);
        assert_eq!(removable(&p, &minimal, 1), vec![3]);
    }

    #[test]
    fn a_miss_blames_the_removal_in_or_just_before_it() {
        assert_eq!(blamed(&[0, 2, 4], &[3]), vec![2]);
        assert_eq!(blamed(&[0, 2, 4], &[4, 1]), vec![0, 4]);
        assert_eq!(blamed(&[0, 2], &[7]), vec![0, 2]);
    }
}

//! Per-interval requirements by simulating **time-varying staffing**
//! (`--per-interval`): the sized group gets a count profile (one head-count
//! per report interval, `per` = the report interval, §10 of the spec) and
//! the whole horizon is simulated with it, so backlog carried from one
//! interval into the next is part of the answer.
//!
//! **The search** ([`time_varying`]) starts from the stationary answer of
//! each interval by the means (the smallest constant count whose interval
//! mean meets, from the runs the constant-count search made) and repeats,
//! one simulated profile per round:
//!
//! 1. while some interval with demand misses a target (before any profile
//!    met), every interval that misses gets one agent more (up to `--max`);
//! 2. once every interval meets, each interval not yet minimal tries, in
//!    turn, one agent fewer ([`Move::Drop`]); when that fails, two fewer
//!    with one agent moved to the next interval ([`Move::ToNext`]: its
//!    backlog spilled over) and then to the previous one ([`Move::ToPrev`]:
//!    less backlog carried in) — every move takes one agent off the total.
//!    A round tries moves whose windows (the intervals changed and the one
//!    after) do not overlap, those not tried in the last round first;
//! 3. a miss is blamed on the last move whose window starts at or before
//!    it; blamed moves are undone (the interval goes on to its next kind of
//!    move, and is minimal when none is left) and the rest are simulated
//!    again before they are kept.
//!
//! It stops when no interval has a move left, or after [`MAX_ROUNDS`]
//! profiles; the answer is the last profile that met everywhere (or, when
//! none did, the last one run, with the intervals that miss named): no
//! single interval can lose an agent, nor trade two for one with a
//! neighbour, without some interval missing. Every profile is run on the
//! same replications (common random numbers), in parallel, and gets
//! batches of replications (replication `r` is always the same random
//! numbers, so this is deterministic) until every searched interval's
//! target is decided (its confidence interval wholly on one side of the
//! target) or precise (half-width below `--precision`), up to
//! `--max-replications`. Intervals without demand, or outside the
//! group's shifts, get 0 agents. An interval that no constant count met (a
//! trickle of conversations the rule cannot decide on) is set apart: it
//! keeps the smallest constant count meeting by the means (1 if none), is
//! not searched, and is reported as missing.

use super::per_interval::IvAnswer;
use super::search::{Eval, Searcher};
use super::target::{Op, Target};
use crate::error::{Error, Result};
use crate::metrics::Estimate;
use crate::scenario::Scenario;
use std::collections::BTreeMap;

/// Most profiles simulated by one search.
pub const MAX_ROUNDS: u32 = 60;

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
    /// Confidence of the decision rule (each interval's, on its own).
    pub confidence: f64,
    /// Replications per batch.
    pub batch: u32,
    /// Most replications run at one profile (`--max-replications`).
    pub max_replications: u32,
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
    /// Per interval: it has demand and the group may work in it.
    staffed: Vec<bool>,
}

impl Profiles<'_, '_> {
    fn new<'s, 'a>(s: &'s mut Searcher<'a>, staffed: &[bool]) -> Result<Profiles<'s, 'a>> {
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
            staffed: staffed.to_vec(),
        })
    }

    /// Whether every searched interval's targets are decided or precise enough.
    fn settled(&self, e: &Eval, open: &[bool]) -> bool {
        e.intervals.iter().zip(open).all(|(row, &st)| {
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

    /// Measures profile `p` (one count per report interval), once, with
    /// batches of replications until the intervals `open` are settled.
    fn eval(&mut self, p: &[u32], open: &[bool], round: u32) -> Result<&Eval> {
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
                if reps.unstable || reps.n >= cap || self.settled(&e, open) {
                    break e;
                }
            };
            let staffed = &self.staffed;
            self.s
                .log
                .borrow_mut()
                .rows(|w| super::req_report::profile_rows(w, self.s, round, p, &e, staffed))?;
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

/// A change tried on a profile that meets everywhere; each one takes one
/// agent off the profile's total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    /// One agent fewer in interval `k`.
    Drop(usize),
    /// Two fewer in `k`, one more in `k + 1`: `k`'s drop left a backlog
    /// the next interval could not absorb.
    ToNext(usize),
    /// Two fewer in `k`, one more in `k - 1`: less backlog carried into `k`.
    ToPrev(usize),
}

/// The moves tried on an interval, in order; its stage indexes this list
/// (`STAGES` = none left: the interval is minimal).
const STAGES: usize = 3;

impl Move {
    /// The interval the move lowers.
    fn at(self) -> usize {
        match self {
            Move::Drop(k) | Move::ToNext(k) | Move::ToPrev(k) => k,
        }
    }

    /// Its index in the order moves are tried.
    fn stage(self) -> usize {
        match self {
            Move::Drop(_) => 0,
            Move::ToNext(_) => 1,
            Move::ToPrev(_) => 2,
        }
    }

    /// The move of `stage` at `k`, if `p` allows it (`open`: intervals the
    /// search may change; `max`: most agents in one interval).
    fn of(stage: usize, k: usize, p: &[u32], open: &[bool], max: u32) -> Option<Move> {
        let can_add = |j: usize| open[j] && p[j] < max;
        match stage {
            0 if p[k] >= 1 => Some(Move::Drop(k)),
            1 if p[k] >= 2 && k + 1 < p.len() && can_add(k + 1) => Some(Move::ToNext(k)),
            2 if p[k] >= 2 && k >= 1 && can_add(k - 1) => Some(Move::ToPrev(k)),
            _ => None,
        }
    }

    /// The intervals whose misses it may cause: from the first it changes
    /// to the one after the last (backlog flows forward).
    fn window(self) -> (usize, usize) {
        match self {
            Move::Drop(k) => (k, k + 1),
            Move::ToNext(k) => (k, k + 2),
            Move::ToPrev(k) => (k - 1, k + 1),
        }
    }

    /// Applies the move to `p` (`sign` 1), or undoes it (`sign` -1).
    fn apply(self, p: &mut [u32], sign: i64) {
        let mut add = |j: usize, d: i64| {
            p[j] = u32::try_from(i64::from(p[j]) + sign * d).unwrap_or(0);
        };
        match self {
            Move::Drop(k) => add(k, -1),
            Move::ToNext(k) => {
                add(k, -2);
                add(k + 1, 1);
            }
            Move::ToPrev(k) => {
                add(k, -2);
                add(k - 1, 1);
            }
        }
    }
}

/// The next move of every interval not yet minimal (advancing `stage` past
/// moves `p` does not allow).
fn candidates(p: &[u32], stage: &mut [usize], open: &[bool], max: u32) -> Vec<Move> {
    let mut out = Vec::new();
    for k in 0..p.len() {
        while open[k] && stage[k] < STAGES {
            if let Some(m) = Move::of(stage[k], k, p, open, max) {
                out.push(m);
                break;
            }
            stage[k] += 1;
        }
    }
    out
}

/// The moves of one round: candidates whose windows do not overlap, so a
/// miss can be blamed on one move; those not tried in the last round
/// (`last`: the intervals moved then) are picked first.
fn pick(cands: &[Move], last: &[usize]) -> Vec<Move> {
    let mut chosen: Vec<Move> = Vec::new();
    for fresh in [true, false] {
        for &m in cands {
            if last.contains(&m.at()) == fresh {
                continue;
            }
            let (a, b) = m.window();
            if chosen.iter().all(|c| {
                let (x, y) = c.window();
                b < x || y < a
            }) {
                chosen.push(m);
            }
        }
    }
    chosen.sort_by_key(|m| m.at());
    chosen
}

/// Which of `moves` (sorted, windows disjoint) to undo when the intervals
/// `miss` miss: a miss is the doing of the last move whose window starts at
/// or before it (backlog flows forward); a miss before every move blames
/// them all.
fn blamed(moves: &[Move], miss: &[usize]) -> Vec<bool> {
    let mut out = vec![false; moves.len()];
    for &j in miss {
        match moves.iter().rposition(|m| m.window().0 <= j) {
            Some(i) => out[i] = true,
            None => out.iter_mut().for_each(|b| *b = true),
        }
    }
    out
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
            IvAnswer::Count { ci, mean } => mean.unwrap_or(*ci).min(*ci),
            IvAnswer::NotMet(_) => by_mean(k),
            IvAnswer::NoDemand | IvAnswer::NoAgents => 0,
        })
        .collect();
    // Intervals the search may change.
    let open: Vec<bool> = staffed.iter().zip(&apart).map(|(&x, &a)| x && !a).collect();
    let mut stage: Vec<usize> = open.iter().map(|&o| if o { 0 } else { STAGES }).collect();
    let mut pr = Profiles::new(s, &staffed)?;
    let mut best: Option<Vec<u32>> = None;
    // Moves applied to `p` and not yet seen to meet everywhere.
    let mut pending: Vec<Move> = Vec::new();
    let mut last: Vec<usize> = Vec::new();
    // Each pass runs a profile (or finds it run); a pass without a new
    // profile only undoes moves or picks new ones, so the cap on passes
    // is a backstop.
    let mut passes = 0;
    while pr.cache.len() < MAX_ROUNDS as usize && passes < 4 * MAX_ROUNDS {
        passes += 1;
        let round = pr.cache.len() as u32 + 1;
        let e = pr.eval(&p, &open, round)?;
        let miss: Vec<usize> = (0..p.len())
            .filter(|&k| open[k] && !met(&targets, e, k))
            .collect();
        if !pending.is_empty() {
            if miss.is_empty() {
                for m in pending.drain(..) {
                    // The lowered interval may lose more; after a trade
                    // forward, the interval after the raised one carries
                    // less backlog and may lose one too.
                    stage[m.at()] = 0;
                    if let Move::ToNext(k) = m
                        && k + 2 < p.len()
                        && open[k + 2]
                    {
                        stage[k + 2] = 0;
                    }
                }
                best = Some(p.clone());
            } else {
                let undo = blamed(&pending, &miss);
                let mut kept = Vec::new();
                for (m, u) in pending.drain(..).zip(undo) {
                    if u {
                        m.apply(&mut p, -1);
                        stage[m.at()] = m.stage() + 1;
                    } else {
                        kept.push(m);
                    }
                }
                pending = kept;
            }
            continue;
        }
        if !miss.is_empty() {
            // Before any profile met: one agent more wherever it misses.
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
            continue;
        }
        best = Some(p.clone());
        let moves = pick(&candidates(&p, &mut stage, &open, max), &last);
        if moves.is_empty() {
            break;
        }
        for m in &moves {
            m.apply(&mut p, 1);
        }
        last = moves.iter().map(|m| m.at()).collect();
        pending = moves;
    }
    let answer = best.unwrap_or(p);
    let round = pr.cache.len() as u32 + 1;
    let e = pr.eval(&answer, &open, round)?.clone();
    let rounds = pr.cache.len() as u32;
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
        confidence: pr.s.cfg.confidence,
        batch: pr.s.replications,
        max_replications: pr.s.cfg.max_replications.max(pr.s.replications),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_interval_offers_its_next_possible_move() {
        let p = [3, 0, 1, 4, 2];
        let open = [true, false, true, true, true];
        let mut stage = [0, STAGES, 1, 1, 2];
        // Interval 2 cannot give two agents (it has one): minimal.
        let c = candidates(&p, &mut stage, &open, 10);
        assert_eq!(c, vec![Move::Drop(0), Move::ToNext(3), Move::ToPrev(4)]);
        assert_eq!(stage, [0, STAGES, STAGES, 1, 2]);
        // At --max the neighbour cannot take the agent.
        let mut stage = [STAGES, STAGES, STAGES, 1, STAGES];
        assert!(candidates(&[0, 0, 4, 4, 4], &mut stage, &open, 4).is_empty());
    }

    #[test]
    fn moves_change_the_total_by_one_and_undo_exactly() {
        for m in [Move::Drop(1), Move::ToNext(1), Move::ToPrev(1)] {
            let mut p = vec![2, 5, 3];
            m.apply(&mut p, 1);
            assert_eq!(p.iter().sum::<u32>(), 9, "{m:?}");
            m.apply(&mut p, -1);
            assert_eq!(p, [2, 5, 3], "{m:?}");
        }
    }

    #[test]
    fn a_round_takes_disjoint_windows_untried_first() {
        let c = [Move::Drop(0), Move::Drop(1), Move::ToNext(2), Move::Drop(5)];
        assert_eq!(
            pick(&c, &[]),
            vec![Move::Drop(0), Move::ToNext(2), Move::Drop(5)]
        );
        assert_eq!(pick(&c, &[0, 5]), vec![Move::Drop(1), Move::Drop(5)]);
    }

    #[test]
    fn a_miss_blames_the_move_at_or_before_it() {
        let moves = [Move::Drop(0), Move::ToPrev(3), Move::Drop(6)];
        assert_eq!(blamed(&moves, &[4]), vec![false, true, false]);
        assert_eq!(blamed(&moves, &[1, 9]), vec![true, false, true]);
        assert_eq!(blamed(&moves[1..], &[0]), vec![true, true]);
    }
}

//! The wait and first response of a conversation that has to queue: a
//! transient chain that follows it from its arrival (every agent full,
//! `j` conversations ahead of it) until it is assigned or abandons.
//!
//! While it waits, every agent is full and conversations behind it do not
//! matter (first come, first served), so a phase is each agent's owed
//! replies `p` and, among them, the `o` whose message is older than the
//! tagged conversation's arrival (the ones ahead of it in that agent's
//! SLA-sorted work list, where the deadline is the message time plus one
//! `response_sla` for every message of the skill). A conversation ahead
//! of it that an agent takes is older too. When the tagged conversation is
//! taken by the agent whose reply just solved one, that agent types its
//! `o` older replies first, then the tagged one's: `(o + 1)` efforts.
//! Agents are interchangeable here (the one that frees a slot takes the
//! queue's head), so a phase is a sorted tuple.

use super::chain::{Rates, tuples};
use std::collections::HashMap;

/// One agent in a phase: owed replies, and how many of them are older
/// than the tagged arrival.
type Owed = (u8, u8);

/// For an arrival that finds the agents owing `p` (every agent full) and
/// `j` conversations queued: E[wait · 1{assigned}], P(assigned) and
/// E[(first response − wait) · 1{assigned}].
#[derive(Clone, Copy, Default, Debug)]
pub struct Outcome {
    /// P(assigned before patience runs out).
    pub served: f64,
    /// E[queue wait · 1{assigned}] (s).
    pub wait: f64,
    /// E[time from assignment to first reply · 1{assigned}] (s).
    pub after: f64,
}

/// What has happened to a queued conversation by some time after its
/// arrival (probabilities).
#[derive(Clone, Copy, Default, Debug)]
pub struct Within {
    /// Assigned.
    pub served: f64,
    /// Abandoned.
    pub abandoned: f64,
    /// Assigned and sent its first reply.
    pub replied: f64,
}

impl Within {
    fn add(&mut self, o: &Within, w: f64) {
        self.served += w * o.served;
        self.abandoned += w * o.abandoned;
        self.replied += w * o.replied;
    }
}

/// The phases and their moves, and the solved outcome level by level.
pub struct Tagged {
    phases: Vec<Vec<Owed>>,
    index: HashMap<Vec<Owed>, usize>,
    moves: Vec<Moves>,
    theta: f64,
    mu: f64,
    /// Outcomes per level j (conversations ahead), per phase.
    levels: Vec<Vec<Outcome>>,
}

/// A phase's moves: within its level, to the level below (a conversation
/// ahead taken or abandoned), or the tagged one's own assignment.
struct Moves {
    within: Vec<(usize, f64)>,
    /// (phase at level j − 1, rate) when a slot frees and j > 0.
    down: Vec<(usize, f64)>,
    /// (rate, replies its agent types up to the tagged one's first) when j = 0.
    taken: Vec<(f64, u8)>,
    /// Out-rate without the abandonments (added per level).
    rate: f64,
}

fn canonical(mut v: Vec<Owed>) -> Vec<Owed> {
    v.sort_unstable();
    v
}

impl Tagged {
    /// Solves levels 0..=jmax for `agents` full agents.
    pub fn solve(r: &Rates, agents: usize, jmax: u32) -> Tagged {
        let k = r.capacity;
        let each: Vec<Owed> = (0..=k).flat_map(|p| (0..=p).map(move |o| (p, o))).collect();
        let mut all: Vec<Vec<Owed>> = tuples(&each, agents).into_iter().map(canonical).collect();
        all.sort();
        all.dedup();
        let index: HashMap<Vec<Owed>, usize> = all
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        let moves: Vec<Moves> = all.iter().map(|ph| phase_moves(ph, r, &index)).collect();
        let mut levels: Vec<Vec<Outcome>> = Vec::new();
        for j in 0..=jmax {
            let below = levels.last();
            let start = below
                .cloned()
                .unwrap_or_else(|| vec![Outcome::default(); all.len()]);
            levels.push(level(&moves, r, j, below, start));
        }
        Tagged {
            phases: all,
            index,
            moves,
            theta: r.theta,
            mu: r.mu,
            levels,
        }
    }

    /// The phase of an arrival that finds every agent full, owing `owed`.
    pub fn phase(&self, owed: impl Iterator<Item = u8>) -> usize {
        let ph = canonical(owed.map(|p| (p, p)).collect());
        let i = self.index[&ph];
        debug_assert_eq!(self.phases[i], ph);
        i
    }

    /// For queued arrivals distributed as `start` (phase, conversations
    /// ahead, probability), what has happened by `t` after arrival, by
    /// uniformization of the transient chain extended with the replies the
    /// agent types after assigning it (Poisson weights summed until their
    /// tail is below 1e-15).
    pub fn within(&self, start: &[(usize, u32, f64)], t: f64) -> Within {
        let phases = self.phases.len();
        let levels = start.iter().map(|s| s.1 as usize + 1).max().unwrap_or(1);
        let out = |i: usize, j: usize| self.moves[i].rate + self.theta * (j as f64 + 1.0);
        let uniform = (0..phases)
            .map(|i| out(i, levels - 1))
            .fold(self.mu, f64::max);
        let lt = uniform * t;
        assert!(lt < 600.0, "uniformization needs Λt < 600, got {lt}");
        let mut v = vec![0.0; phases * levels];
        for &(i, j, x) in start {
            v[j as usize * phases + i] += x;
        }
        // Assigned, with `s` replies of its agent to go until its first.
        let stages = self.moves.iter().flat_map(|m| &m.taken).map(|t| t.1);
        let mut typing = vec![0.0; stages.max().unwrap_or(0) as usize + 1];
        // Absorbed so far (within n uniformized steps), and weighted by P(N(t) = n).
        let mut now = Within::default();
        let mut by_t = Within::default();
        let (mut w, mut weights) = ((-lt).exp(), 0.0);
        for n in 0.. {
            by_t.add(&now, w);
            weights += w;
            if f64::from(n) > lt && 1.0 - weights < 1e-15 {
                break;
            }
            let mut next = vec![0.0; v.len()];
            let mut next_typing = vec![0.0; typing.len()];
            for j in 0..levels {
                for (i, m) in self.moves.iter().enumerate() {
                    let x = v[j * phases + i] / uniform;
                    if x == 0.0 {
                        continue;
                    }
                    next[j * phases + i] += x * (uniform - out(i, j));
                    for &(y, rate) in &m.within {
                        next[j * phases + y] += x * rate;
                    }
                    if j > 0 {
                        for &(y, rate) in &m.down {
                            next[(j - 1) * phases + y] += x * rate;
                        }
                        next[(j - 1) * phases + i] += x * self.theta * j as f64;
                    } else {
                        for &(rate, s) in &m.taken {
                            now.served += x * rate;
                            next_typing[s as usize] += x * rate;
                        }
                    }
                    now.abandoned += x * self.theta;
                }
            }
            for s in 1..typing.len() {
                let x = typing[s] / uniform;
                next_typing[s] += x * (uniform - self.mu);
                if s > 1 {
                    next_typing[s - 1] += x * self.mu;
                } else {
                    now.replied += x * self.mu;
                }
            }
            v = next;
            typing = next_typing;
            w *= lt / f64::from(n + 1);
        }
        by_t
    }

    /// The outcome of an arrival that finds every agent full in `phase`
    /// and `j` conversations queued (None beyond the solved levels).
    pub fn outcome(&self, phase: usize, j: u32) -> Option<Outcome> {
        self.levels.get(j as usize).map(|l| l[phase])
    }
}

fn phase_moves(ph: &[Owed], r: &Rates, index: &HashMap<Vec<Owed>, usize>) -> Moves {
    let k = r.capacity;
    let mut m = Moves {
        within: Vec::new(),
        down: Vec::new(),
        taken: Vec::new(),
        rate: 0.0,
    };
    let with = |i: usize, a: Owed| {
        let mut v = ph.to_vec();
        v[i] = a;
        index[&canonical(v)]
    };
    for (i, &(p, o)) in ph.iter().enumerate() {
        if p > 0 {
            // The most urgent reply is sent: an older one while any is owed.
            let (p1, o1) = (p - 1, o.saturating_sub(1));
            let solved = r.mu * r.last;
            // Solved: the freed slot takes the queue's head, older than the
            // tagged conversation (level below), or the tagged one itself.
            m.down.push((with(i, (p1 + 1, o1 + 1)), solved));
            m.taken.push((solved, o1 + 1));
            if r.last < 1.0 {
                m.within.push((with(i, (p1, o1)), r.mu - solved));
            }
            m.rate += r.mu;
        }
        if p < k {
            // A consumer message, newer than the tagged conversation.
            let rate = r.nu * f64::from(k - p);
            m.within.push((with(i, (p + 1, o)), rate));
            m.rate += rate;
        }
    }
    m
}

/// Solves one level by Gauss–Seidel, starting from `start`.
fn level(
    moves: &[Moves],
    r: &Rates,
    j: u32,
    below: Option<&Vec<Outcome>>,
    mut x: Vec<Outcome>,
) -> Vec<Outcome> {
    let ahead = r.theta * f64::from(j);
    for _ in 0..1_000_000 {
        let mut change: f64 = 0.0;
        for (i, m) in moves.iter().enumerate() {
            // Leaving rates: the moves, the ones ahead abandoning, the
            // tagged one abandoning (an outcome of 0 on every count).
            let total = m.rate + ahead + r.theta;
            let mut new = Outcome::default();
            for &(t, rate) in &m.within {
                new.served += rate * x[t].served;
                new.wait += rate * x[t].wait;
                new.after += rate * x[t].after;
            }
            match below {
                Some(b) => {
                    for &(t, rate) in &m.down {
                        new.served += rate * b[t].served;
                        new.wait += rate * b[t].wait;
                        new.after += rate * b[t].after;
                    }
                    new.served += ahead * b[i].served;
                    new.wait += ahead * b[i].wait;
                    new.after += ahead * b[i].after;
                }
                None => {
                    for &(rate, replies) in &m.taken {
                        new.served += rate;
                        new.after += rate * f64::from(replies) / r.mu;
                    }
                }
            }
            new.served /= total;
            // E[T·1{served}] = E[holding time]·P(served) + Σ P(move)·E[T'·1{served}].
            new.wait = (new.wait + new.served) / total;
            new.after /= total;
            change = change
                .max((new.served - x[i].served).abs())
                .max((new.wait - x[i].wait).abs() * r.mu)
                .max((new.after - x[i].after).abs() * r.mu);
            x[i] = new;
        }
        if change < 1e-15 {
            return x;
        }
    }
    panic!("the tagged conversation's level {j} did not converge");
}

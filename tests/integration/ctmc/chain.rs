//! The stationary chain: its state space (each agent's open conversations
//! and owed replies, agents in the order of their last assignment, the
//! queue length), its transition rates as ccsim's model defines them, and
//! the stationary distribution by symmetric Gauss–Seidel.

use super::{Params, Selection};
use std::collections::HashMap;

/// One agent: `n` open conversations, `p` of them awaiting its reply (the
/// one being typed included); the other `n − p` await the consumer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Agent {
    /// Open conversations (0..=capacity).
    pub n: u8,
    /// Conversations awaiting the agent's reply (0..=n).
    pub p: u8,
}

/// A state: the agents in the order the selection rule ranks them — the
/// longest since its last assignment first (`most_available` ties,
/// `round_robin`), or the longest since it last became free first
/// (`longest_idle`) — and the number of conversations in the queue (positive only when
/// every agent is full).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct State {
    /// The agents, in the selection rule's order (see [`State`]).
    pub agents: Vec<Agent>,
    /// Conversations queued.
    pub q: u32,
}

/// The chain truncated at `qmax` queued conversations (arrivals that would
/// exceed it are refused; the caller checks the mass there is negligible).
pub struct Chain {
    /// Every state.
    pub states: Vec<State>,
    /// Stationary probabilities, in `states` order.
    pub pi: Vec<f64>,
}

/// Rates of the model in events per second.
pub struct Rates {
    /// Arrivals.
    pub lambda: f64,
    /// Replies typed by a typing agent.
    pub mu: f64,
    /// Messages of one consumer whose reply the conversation awaits.
    pub nu: f64,
    /// Abandonments of one queued conversation (0: never).
    pub theta: f64,
    /// Probability that a reply is the conversation's last (1 / mean exchanges).
    pub last: f64,
    /// Conversations per agent.
    pub capacity: u8,
}

impl Rates {
    /// The rates of `p`.
    pub fn of(p: &Params) -> Rates {
        Rates {
            lambda: p.rate,
            mu: 1.0 / p.effort_mean,
            nu: 1.0 / p.consumer_mean,
            theta: p.patience_mean.map_or(0.0, |m| 1.0 / m),
            last: 1.0 / p.exchanges_mean,
            capacity: p.capacity as u8,
        }
    }
}

/// The agent a new conversation goes to when none waits in the queue, or
/// None when every agent is full. `most_available`: the most free
/// capacity, ties to the least recently assigned; `round_robin`: the
/// least recently assigned with room; `longest_idle`: the longest free
/// with room (the state's order is the rule's, so: the first with room).
pub fn choose(agents: &[Agent], capacity: u8, selection: Selection) -> Option<usize> {
    let room = agents.iter().enumerate().filter(|(_, a)| a.n < capacity);
    match selection {
        Selection::MostAvailable => room.min_by_key(|&(i, a)| (a.n, i)).map(|(i, _)| i),
        Selection::RoundRobin | Selection::LongestIdle => room.map(|(i, _)| i).next(),
    }
}

/// The agent at `i` after `f`, moved to the end (the most recent).
fn to_end(agents: &[Agent], i: usize, f: Agent) -> Vec<Agent> {
    let mut v: Vec<Agent> = agents.to_vec();
    v.remove(i);
    v.push(f);
    v
}

/// The agent at `i` replaced by `f`, in place.
fn replaced(agents: &[Agent], i: usize, f: Agent) -> Vec<Agent> {
    let mut v = agents.to_vec();
    v[i] = f;
    v
}

/// Every transition out of `s` with its rate (several may lead to the same state).
pub fn moves(s: &State, r: &Rates, sel: Selection, qmax: u32) -> Vec<(State, f64)> {
    let mut out = Vec::new();
    let k = r.capacity;
    let at = |agents: Vec<Agent>, q: u32| State { agents, q };
    // A new conversation: to an agent now, or into the queue.
    if s.q == 0
        && let Some(i) = choose(&s.agents, k, sel)
    {
        let a = s.agents[i];
        let f = Agent {
            n: a.n + 1,
            p: a.p + 1,
        };
        // An assignment moves the agent last, except in `longest_idle`'s
        // order, which only a freed slot changes.
        let v = if sel == Selection::LongestIdle {
            replaced(&s.agents, i, f)
        } else {
            to_end(&s.agents, i, f)
        };
        out.push((at(v, 0), r.lambda));
    } else if s.q < qmax {
        out.push((at(s.agents.clone(), s.q + 1), r.lambda));
    }
    for (i, a) in s.agents.iter().enumerate() {
        if a.p > 0 {
            // A reply sent: the last one solves (closes) the conversation
            // and the freed slot takes the head of the queue at once.
            let solved = r.mu * r.last;
            // The freed slot makes the agent the most recently free (and,
            // when it takes the queue's head, the most recently assigned).
            if s.q > 0 {
                out.push((at(to_end(&s.agents, i, *a), s.q - 1), solved));
            } else {
                let f = Agent {
                    n: a.n - 1,
                    p: a.p - 1,
                };
                let v = if sel == Selection::LongestIdle {
                    to_end(&s.agents, i, f)
                } else {
                    replaced(&s.agents, i, f)
                };
                out.push((at(v, 0), solved));
            }
            if r.last < 1.0 {
                let f = Agent { n: a.n, p: a.p - 1 };
                out.push((at(replaced(&s.agents, i, f), s.q), r.mu - solved));
            }
        }
        if a.n > a.p {
            // A consumer message: the agent owes one more reply.
            let f = Agent { n: a.n, p: a.p + 1 };
            let rate = r.nu * f64::from(a.n - a.p);
            out.push((at(replaced(&s.agents, i, f), s.q), rate));
        }
    }
    if s.q > 0 && r.theta > 0.0 {
        out.push((at(s.agents.clone(), s.q - 1), r.theta * f64::from(s.q)));
    }
    out
}

/// Every agent state (n, p) with p <= n <= capacity, or with n = capacity only.
fn agent_states(capacity: u8, full_only: bool) -> Vec<Agent> {
    let lo = if full_only { capacity } else { 0 };
    (lo..=capacity)
        .flat_map(|n| (0..=n).map(move |p| Agent { n, p }))
        .collect()
}

/// Every ordered tuple of `count` items drawn from `each`.
pub fn tuples<T: Copy>(each: &[T], count: usize) -> Vec<Vec<T>> {
    let mut v: Vec<Vec<T>> = vec![Vec::new()];
    for _ in 0..count {
        v = v
            .into_iter()
            .flat_map(|t| {
                each.iter().map(move |a| {
                    let mut t = t.clone();
                    t.push(*a);
                    t
                })
            })
            .collect();
    }
    v
}

/// Builds the chain up to `qmax` queued and solves it.
pub fn solve(p: &Params, qmax: u32) -> Chain {
    let r = Rates::of(p);
    let mut states: Vec<State> = tuples(&agent_states(r.capacity, false), p.agents)
        .into_iter()
        .map(|agents| State { agents, q: 0 })
        .collect();
    let full = tuples(&agent_states(r.capacity, true), p.agents);
    for q in 1..=qmax {
        states.extend(full.iter().map(|a| State {
            agents: a.clone(),
            q,
        }));
    }
    let index: HashMap<&State, usize> = states.iter().enumerate().map(|(i, s)| (s, i)).collect();
    // Incoming transitions per state (from, rate), and the total out-rate.
    let mut incoming: Vec<Vec<(usize, f64)>> = vec![Vec::new(); states.len()];
    let mut out_rate = vec![0.0; states.len()];
    for (i, s) in states.iter().enumerate() {
        for (t, rate) in moves(s, &r, p.selection, qmax) {
            let j = *index.get(&t).expect("a move stays in the state space");
            if j != i {
                incoming[j].push((i, rate));
                out_rate[i] += rate;
            }
        }
    }
    let level: Vec<u32> = states.iter().map(|s| s.q).collect();
    let pi = gauss_seidel(&incoming, &out_rate, &level);
    Chain { states, pi }
}

/// Stationary distribution of the chain given by its incoming transitions,
/// out-rates and each state's level (queue length; moves change it by at
/// most one): symmetric Gauss–Seidel sweeps of π_j·out_j = Σ π_i·r_ij, each
/// followed by an aggregation step that sets the levels' masses to the
/// exact solution of the birth–death chain of levels the sweep implies
/// (iterative aggregation–disaggregation; without it a long queue takes
/// thousands of sweeps), until the balance residual is below 1e-14 of the
/// total flow.
fn gauss_seidel(incoming: &[Vec<(usize, f64)>], out_rate: &[f64], level: &[u32]) -> Vec<f64> {
    let n = incoming.len();
    let levels = level.iter().max().map_or(1, |&l| l as usize + 1);
    let mut pi = vec![1.0 / n as f64; n];
    let update = |pi: &mut Vec<f64>, j: usize| {
        if out_rate[j] > 0.0 {
            let inflow: f64 = incoming[j].iter().map(|&(i, r)| pi[i] * r).sum();
            pi[j] = inflow / out_rate[j];
        }
    };
    for _ in 0..100_000 {
        for j in 0..n {
            update(&mut pi, j);
        }
        for j in (0..n).rev() {
            update(&mut pi, j);
        }
        aggregate(&mut pi, incoming, level, levels);
        let mut residual = 0.0;
        let mut flow = 0.0;
        for j in 0..n {
            let inflow: f64 = incoming[j].iter().map(|&(i, r)| pi[i] * r).sum();
            residual += (inflow - pi[j] * out_rate[j]).abs();
            flow += pi[j] * out_rate[j];
        }
        if residual <= 1e-14 * flow {
            return pi;
        }
    }
    panic!("the chain's Gauss–Seidel iteration did not converge in 100000 sweeps");
}

/// Rescales each level of `pi` so that the levels' masses solve the
/// birth–death chain with the up and down rates `pi` implies, and
/// normalises.
fn aggregate(pi: &mut [f64], incoming: &[Vec<(usize, f64)>], level: &[u32], levels: usize) {
    let mut mass = vec![0.0; levels];
    let mut up = vec![0.0; levels];
    let mut down = vec![0.0; levels];
    for (j, inc) in incoming.iter().enumerate() {
        mass[level[j] as usize] += pi[j];
        for &(i, r) in inc {
            let (from, to) = (level[i] as usize, level[j] as usize);
            if to == from + 1 {
                up[from] += pi[i] * r;
            } else if to + 1 == from {
                down[from] += pi[i] * r;
            }
        }
    }
    let mut target = vec![0.0; levels];
    target[0] = 1.0;
    for q in 1..levels {
        // Level q's mass from the cut between q − 1 and q.
        target[q] = if mass[q] > 0.0 && down[q] > 0.0 && mass[q - 1] > 0.0 {
            target[q - 1] * (up[q - 1] / mass[q - 1]) / (down[q] / mass[q])
        } else {
            0.0
        };
    }
    let total: f64 = target.iter().sum();
    for (j, x) in pi.iter_mut().enumerate() {
        let l = level[j] as usize;
        if mass[l] > 0.0 {
            *x *= target[l] / total / mass[l];
        }
    }
}

//! An exact reference for chat concurrency: a continuous-time Markov chain
//! of a small live-chat system, solved numerically, for tests to compare
//! ccsim with (and, later, its staffing answers for capacity > 1).
//!
//! The system is ccsim's documented model (README "What is simulated",
//! SPEC §2–§4, `src/sim/work.rs`, `src/acd/`) in the case where it is
//! Markov: one `live_chat` skill with Poisson arrivals; `agents` identical,
//! always-online agents with `capacity` live chats each, auto-accept, no
//! switch overhead; a geometric number of consumer messages (exchanges);
//! exponential agent effort per reply, consumer reply time and patience in
//! the queue (patience runs until the first assignment only). An agent
//! types one reply at a time, the most urgent of its work list (earliest
//! message + `response_sla`: first come, first served among its owed
//! replies); after the last reply the conversation is solved and closed
//! and the freed slot takes the head of the queue at once. A new
//! conversation goes to an agent with room chosen by `agent_selection`,
//! ties to the least recently assigned, so the state keeps the agents in
//! the order of their last assignment: the chain is exact, not a
//! symmetrised approximation.
//!
//! State: per agent (open conversations n, owed replies p), in that order,
//! and the queue length, truncated where its probability is below 1e-15.
//! Metrics (all per arrival, PASTA, and Little's law for the means):
//! P(wait) = P(every agent full); abandonment = θ·E[queue] / λ; queue time
//! = E[queue] / λ; ASA and first response from [`tagged`], the transient
//! chain of one queued conversation; response time = (E[Σp] + λ·E[wait ·
//! 1{served}]) / reply rate; handle time = E[Σn] / served rate; occupancy
//! = E[typing agents] / agents; concurrency = E[Σn] / agents; service
//! level and first-response service level from the queued conversation's
//! chain by uniformization (a conversation assigned at once gets its first
//! reply after its agent's owed ones: an Erlang sum of efforts).
//!
//! Use (a staffing test, say: solve for 1, 2, 3 agents and take the first
//! that meets the target):
//!
//! ```ignore
//! let m = crate::ctmc::solve(&Params {
//!     agents: 2, capacity: 3, rate: 80.0 / 3600.0, exchanges_mean: 3.0,
//!     effort_mean: 20.0, consumer_mean: 40.0, patience_mean: Some(90.0),
//!     selection: Selection::MostAvailable, service_level: 30.0,
//!     first_response_target: 60.0,
//! });
//! assert!(m.service_level > 0.8);
//! ```
//!
//! Size: ((K+1)(K+2)/2)^N states with an empty queue plus (K+1)^N per
//! queued conversation (N agents of capacity K): a few thousand for N ≤ 3,
//! about 50,000 for N = 4, K = 4; milliseconds to about a second.

mod chain;
mod check;
mod tagged;

use chain::Rates;
use tagged::Tagged;

/// How a new conversation picks among the agents with room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// `most_available`: most free capacity, then least recently assigned.
    MostAvailable,
    /// `round_robin`: least recently assigned.
    RoundRobin,
    /// `longest_idle`: the longest since it last became free (a
    /// conversation left its capacity), assignments not counted.
    LongestIdle,
}

/// A small live-chat system. Times in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// Agents (1–3 keeps the chain small).
    pub agents: usize,
    /// Live chats per agent.
    pub capacity: usize,
    /// Arrivals per second.
    pub rate: f64,
    /// Mean of the geometric number of consumer messages (>= 1).
    pub exchanges_mean: f64,
    /// Mean agent effort per reply (exponential).
    pub effort_mean: f64,
    /// Mean consumer reply time (exponential).
    pub consumer_mean: f64,
    /// Mean patience in the queue (exponential); None: never abandons.
    pub patience_mean: Option<f64>,
    /// Agent selection.
    pub selection: Selection,
    /// The service-level target: a queue time (s).
    pub service_level: f64,
    /// The first-response target: arrival to first reply (s).
    pub first_response_target: f64,
}

/// The exact steady-state values, named as ccsim's metrics (times in s).
#[derive(Clone, Copy, Debug)]
pub struct Metrics {
    /// P(an arrival waits) = P(every agent full).
    pub wait_probability: f64,
    /// P(an arrival abandons).
    pub abandonment_rate: f64,
    /// Mean queue time over all arrivals (abandoned ones included).
    pub queue_time_mean: f64,
    /// Mean queue time of the assigned ones.
    pub asa: f64,
    /// Share assigned within `service_level`, of the arrivals that did
    /// not abandon within it.
    pub service_level: f64,
    /// Mean arrival → first reply, over the assigned ones.
    pub first_response_mean: f64,
    /// Share of the assigned ones with a first reply within `first_response_target`.
    pub first_response_sl: f64,
    /// Mean message → reply over every reply (the first from arrival).
    pub response_time_mean: f64,
    /// Mean message → reply over every reply but the first (NaN with one exchange).
    pub next_response_mean: f64,
    /// Mean assigned-and-open time per closed conversation.
    pub handle_time_mean: f64,
    /// Mean typing time per closed conversation.
    pub effort_mean: f64,
    /// Share of agent time typing.
    pub occupancy: f64,
    /// Mean open conversations per agent.
    pub concurrency_mean: f64,
    /// Mean queue length.
    pub queue_mean: f64,
    /// Replies per second sent (from the agents' typing).
    pub reply_rate: f64,
    /// Probability of the truncation level (must be negligible).
    pub truncated: f64,
    /// States of the solved chain.
    pub states: usize,
}

/// Solves the chain for `p`.
///
/// # Panics
/// If a parameter is out of range or the queue is unstable (no patience
/// and more load than the agents can take: the truncation never becomes
/// negligible).
pub fn solve(p: &Params) -> Metrics {
    assert!(p.agents >= 1 && p.capacity >= 1 && p.exchanges_mean >= 1.0);
    assert!(p.rate > 0.0 && p.effort_mean > 0.0 && p.consumer_mean > 0.0);
    let mut qmax = 32;
    loop {
        let c = chain::solve(p, qmax);
        let mut mass = vec![0.0; qmax as usize + 1];
        for (s, x) in c.states.iter().zip(&c.pi) {
            mass[s.q as usize] += x;
        }
        let top = mass[qmax as usize];
        if top < 1e-15 {
            return metrics(p, &c, top);
        }
        // The queue's tail is geometric: extend the truncation to where
        // it falls below 1e-16 (doubling when the tail does not decay).
        let half = qmax / 2;
        let ratio = (top / mass[half as usize]).powf(1.0 / f64::from(qmax - half));
        let more = if ratio > 0.0 && ratio < 1.0 {
            ((1e-16 / top).ln() / ratio.ln()).ceil().min(4096.0) as u32
        } else {
            qmax
        };
        qmax += more.max(8);
        assert!(
            qmax <= 4096,
            "the queue does not settle (unstable without patience?): {p:?}"
        );
    }
}

/// P(the sum of `k` exponential stages of rate `mu` is at most `t`).
fn erlang_cdf(k: u8, mu: f64, t: f64) -> f64 {
    let x = mu * t;
    let mut term = (-x).exp();
    let mut below = 0.0;
    for i in 0..k {
        below += term;
        term *= x / f64::from(i + 1);
    }
    1.0 - below
}

fn metrics(p: &Params, c: &chain::Chain, truncated: f64) -> Metrics {
    let r = Rates::of(p);
    let k = r.capacity;
    let full = |s: &chain::State| s.agents.iter().all(|a| a.n == k);
    // The queued arrivals' outcomes need the levels that carry mass.
    let jmax = c
        .states
        .iter()
        .zip(&c.pi)
        .filter(|(s, x)| full(s) && **x > 1e-18)
        .map(|(s, _)| s.q)
        .max()
        .unwrap_or(0);
    let tagged = Tagged::solve(&r, p.agents, jmax);
    let (mut p_full, mut queue, mut open, mut owed, mut typing) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut served, mut wait_served, mut first) = (0.0, 0.0, 0.0);
    let mut queued = Vec::new();
    let mut first_in_time = 0.0;
    for (s, &x) in c.states.iter().zip(&c.pi) {
        queue += x * f64::from(s.q);
        for a in &s.agents {
            open += x * f64::from(a.n);
            owed += x * f64::from(a.p);
            typing += x * f64::from(u8::from(a.p > 0));
        }
        match chain::choose(&s.agents, k, p.selection) {
            Some(i) if s.q == 0 => {
                // Assigned at once: its reply comes after the agent's owed ones.
                let replies = s.agents[i].p + 1;
                served += x;
                first += x * f64::from(replies) / r.mu;
                first_in_time += x * erlang_cdf(replies, r.mu, p.first_response_target);
            }
            _ => {
                p_full += x;
                let phase = tagged.phase(s.agents.iter().map(|a| a.p));
                if s.q <= jmax {
                    queued.push((phase, s.q, x));
                }
                if let Some(o) = tagged.outcome(phase, s.q) {
                    served += x * o.served;
                    wait_served += x * o.wait;
                    first += x * (o.wait + o.after);
                }
            }
        }
    }
    let abandon = r.theta * queue / r.lambda;
    // Answered within the target: at once, or assigned from the queue in
    // time; those abandoning within it are left out (as ccsim counts).
    let sl = tagged.within(&queued, p.service_level);
    let replied = tagged.within(&queued, p.first_response_target).replied;
    let served_rate = r.lambda * (1.0 - abandon);
    let reply_rate = r.mu * typing;
    let next_n = served_rate * (p.exchanges_mean - 1.0);
    let total_response = owed + r.lambda * wait_served;
    let first_response = first / served;
    Metrics {
        wait_probability: p_full,
        abandonment_rate: abandon,
        queue_time_mean: queue / r.lambda,
        asa: wait_served / served,
        service_level: (1.0 - p_full + sl.served) / (1.0 - sl.abandoned),
        first_response_sl: (first_in_time + replied) / served,
        first_response_mean: first_response,
        response_time_mean: total_response / reply_rate,
        next_response_mean: if next_n > 0.0 {
            (total_response - r.lambda * first) / next_n
        } else {
            f64::NAN
        },
        handle_time_mean: open / served_rate,
        effort_mean: p.exchanges_mean * p.effort_mean,
        occupancy: typing / p.agents as f64,
        concurrency_mean: open / p.agents as f64,
        queue_mean: queue,
        reply_rate,
        truncated,
        states: c.states.len(),
    }
}

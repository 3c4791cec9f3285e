//! The simulation of one replication: the event loop, routing (ACD) and
//! the conversation lifecycle, over a validated [`Scenario`].
//!
//! The engine ([`crate::engine`]) supplies the clock, the event queue and
//! the random streams; this module supplies the model. It does no I/O:
//! per-conversation rows go to a [`TraceSink`] when one is given, and the
//! result is plain data ([`RepResult`]).
//!
//! Timer cancellation: each conversation carries three epochs — `epoch`
//! (state: patience, sticky, ring, park and style timers), `cgen` (the
//! consumer's pending reply) and `agen` (auto-close). A timer fires only if
//! its epoch still matches; cancelling is one increment.
//!
//! Order of same-time events: insertion order (see the queue). Within one
//! event, an agent whose capacity frees first pulls from the queues, then
//! starts its next reply.

pub mod agent;
pub mod conversation;
pub mod eligible;
pub mod interval;
mod routing;

use crate::engine::{EventQueue, Streams, rng::mix64};
use crate::metrics::{AgentTally, Tally};
use crate::scenario::{Arrivals, Scenario, Style};
use agent::{Agent, Status};
use conversation::{CloseReason, Conv, NONE, State, flag};
use interval::IntervalTally;
use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};
use std::collections::VecDeque;

/// The most conversations alive at once (queued, open, parked, solved)
/// before a replication is stopped as unstable: memory stays bounded (about
/// 3 GB) instead of growing until the machine runs out.
pub const MAX_LIVE: usize = 10_000_000;

/// Events. Conversation timers carry the epoch they were armed in.
#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrival { skill: u32 },
    Patience { conv: u32, id: u32 },
    ReplyDone { agent: u32, epoch: u32 },
    ConsumerMsg { conv: u32, cgen: u32 },
    AutoClose { conv: u32, agen: u32 },
    Park { conv: u32, epoch: u32 },
    StyleClose { conv: u32, epoch: u32 },
    Return { slot: u32 },
    Sticky { conv: u32, epoch: u32 },
    RingTimeout { conv: u32, epoch: u32 },
    Accept { conv: u32, epoch: u32 },
    RampReady { agent: u32 },
    ShiftStart { group: u32, shift: u32 },
    ShiftEnd { group: u32, shift: u32 },
    BreakStart { agent: u32, back_soon: bool },
    BreakEnd { agent: u32 },
    Tick,
}

/// One finished (or still open at the end) conversation, for `--trace`.
#[derive(Clone, Debug)]
pub struct TraceRow<'a> {
    /// Replication.
    pub replication: u32,
    /// Conversation id.
    pub id: u64,
    /// Consumer issue id.
    pub issue: u64,
    /// Skill of arrival.
    pub skill: &'a str,
    /// Arrival time (s).
    pub arrival: f64,
    /// Time of the end (close, abandonment, or the end of the run).
    pub end: f64,
    /// Final state (`closed`, `abandoned`, or the state at the end).
    pub state: &'static str,
    /// Close reason, or empty.
    pub reason: &'static str,
    /// First queue time (s), NaN if never assigned.
    pub queue_time: f64,
    /// Arrival → first reply (s), NaN if none.
    pub first_response: f64,
    /// Time assigned and open (s).
    pub handle: f64,
    /// Agent typing time (s).
    pub effort: f64,
    /// Reopens.
    pub reopens: u32,
    /// Last agent as `group#index`, or empty.
    pub agent: String,
}

/// Receives per-conversation rows as they happen.
pub trait TraceSink {
    /// One conversation ended (or the run ended with it open).
    fn row(&mut self, row: &TraceRow<'_>);
}

/// One line of a logged run's timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// Time (s).
    pub t: f64,
    /// Conversation id.
    pub conv: u64,
    /// Consumer issue id.
    pub issue: u64,
    /// State after the event (`queued`, `offered`, `awaiting_agent`, `awaiting_consumer`, `parked`, `solved`, `closed`, `abandoned`).
    pub state: &'static str,
    /// Owning or ringing agent as `group#index`, or empty.
    pub agent: String,
}

/// Per-agent totals of one replication.
#[derive(Clone, Debug)]
pub struct AgentResult {
    /// Group index.
    pub group: usize,
    /// Index within the group.
    pub index: usize,
    /// Totals per login (index 0 live_chat / the only login, 1 messaging).
    pub tally: [AgentTally; 2],
}

/// Everything one replication measured.
#[derive(Clone, Debug)]
pub struct RepResult {
    /// Set when the run stopped early because the system was unstable
    /// (more than [`MAX_LIVE`] conversations alive): what happened.
    pub unstable: Option<String>,
    /// Per skill, then `all` last.
    pub skills: Vec<Tally>,
    /// Agents' totals, all agents.
    pub agents_all: AgentTally,
    /// Per agent.
    pub agents: Vec<AgentResult>,
    /// Per interval, per skill then `all` (row = interval × (skills + 1) + skill).
    pub intervals: Vec<IntervalTally>,
    /// Events processed.
    pub events: u64,
    /// Conservation: measured conversations offered = closed + abandoned + in system.
    pub conservation: (u64, u64, u64, u64),
    /// Largest number of conversations alive at once (memory check).
    pub peak_conversations: usize,
}

/// A pending consumer return.
#[derive(Clone, Copy, Debug)]
struct PendingReturn {
    conv: u32,
    epoch: u32,
    skill: u16,
    issue: u64,
    seed: u64,
}

/// Run-time state of a skill.
struct SkillRt {
    queue: VecDeque<(u32, u32)>,
    qlen: u64,
    arrivals: Xoshiro256PlusPlus,
    conv_seeds: Xoshiro256PlusPlus,
    trace_pos: usize,
    /// Groups with this skill, with the group's priority for it.
    groups: Vec<(u32, i64)>,
    /// Agents with the skill, logged into its channel: online, and logged
    /// in at all (online or away).
    staffed: [u64; 2],
    channel: usize,
}

/// Run-time state of an agent group.
struct GroupRt {
    first_agent: u32,
    count: u32,
    /// Eligible agents per channel, ordered by selection key.
    avail: [eligible::Eligible; 2],
    /// Conversations transferred to this group.
    queue: VecDeque<(u32, u32)>,
    /// Channels the group's skills use (bits).
    channels: u8,
    /// Next occurrence start of each shift.
    next_shift: Vec<f64>,
    /// Skill indices (for online counts).
    skills: Vec<usize>,
}

/// One replication in progress.
pub struct Sim<'a> {
    scn: &'a Scenario,
    rep: u32,
    q: EventQueue<Ev>,
    convs: Vec<Conv>,
    free_convs: Vec<u32>,
    alive: usize,
    peak_alive: usize,
    agents: Vec<Agent>,
    groups: Vec<GroupRt>,
    skills: Vec<SkillRt>,
    returns: Vec<PendingReturn>,
    free_returns: Vec<u32>,
    tally: Vec<Tally>,
    intervals: Vec<IntervalTally>,
    n_intervals: usize,
    cur_interval: usize,
    last_area_t: f64,
    total_q: u64,
    total_q_max: u64,
    total_q_max_iv: Vec<u64>,
    /// Distinct agents online and logged in (the `all` scope's staffing).
    staffed_agents: [u64; 2],
    /// Integrals of `staffed_agents`, in total and per interval.
    staffed_area: [f64; 2],
    staffed_area_iv: Vec<[f64; 2]>,
    ring_rng: Xoshiro256PlusPlus,
    next_id: u64,
    next_issue: u64,
    stamp: u64,
    events: u64,
    warmup: f64,
    end: f64,
    trace: Option<&'a mut dyn TraceSink>,
    /// Broken rules seen on the way (checked by `run_checked`).
    violations: Vec<String>,
    /// Why the run stopped early, if it did.
    unstable: Option<String>,
    /// The limit of live conversations ([`MAX_LIVE`] unless set).
    max_live: usize,
}

impl<'a> Sim<'a> {
    /// Prepares replication `rep` of `scn` (0-based).
    pub fn new(scn: &'a Scenario, rep: u32, trace: Option<&'a mut dyn TraceSink>) -> Sim<'a> {
        let streams = Streams::new(scn.seed, rep);
        let ns = scn.skills.len();
        let mut skills: Vec<SkillRt> = scn
            .skills
            .iter()
            .map(|s| SkillRt {
                queue: VecDeque::new(),
                qlen: 0,
                arrivals: streams.stream(&format!("arrivals/{}", s.name), 0),
                conv_seeds: streams.stream(&format!("conversations/{}", s.name), 0),
                trace_pos: 0,
                groups: Vec::new(),
                staffed: [0, 0],
                channel: s.channel as usize,
            })
            .collect();
        let mut agents = Vec::new();
        let mut groups = Vec::new();
        for (gi, g) in scn.groups.iter().enumerate() {
            let first = agents.len() as u32;
            for i in 0..g.count {
                let stamp = agents.len() as u64;
                agents.push(Agent::new(gi as u32, i, stamp));
            }
            let mut channels = 0u8;
            for &(s, p) in &g.skills {
                skills[s].groups.push((gi as u32, p));
                channels |= 1 << scn.skills[s].channel as u8;
            }
            groups.push(GroupRt {
                first_agent: first,
                count: g.count,
                avail: [
                    eligible::Eligible::new(first, g.count),
                    eligible::Eligible::new(first, g.count),
                ],
                queue: VecDeque::new(),
                channels,
                next_shift: Vec::new(),
                skills: g.skills.iter().map(|&(s, _)| s).collect(),
            });
        }
        let n_intervals = ((scn.horizon / scn.interval).ceil() as usize).max(1);
        Sim {
            scn,
            rep,
            q: EventQueue::new(),
            convs: Vec::new(),
            free_convs: Vec::new(),
            alive: 0,
            peak_alive: 0,
            stamp: agents.len() as u64,
            agents,
            groups,
            skills,
            returns: Vec::new(),
            free_returns: Vec::new(),
            tally: vec![Tally::default(); ns],
            intervals: vec![IntervalTally::default(); n_intervals * ns],
            n_intervals,
            cur_interval: 0,
            last_area_t: 0.0,
            total_q: 0,
            total_q_max: 0,
            total_q_max_iv: vec![0; n_intervals],
            staffed_agents: [0, 0],
            staffed_area: [0.0, 0.0],
            staffed_area_iv: vec![[0.0, 0.0]; n_intervals],
            ring_rng: streams.stream("ring", 0),
            next_id: 0,
            next_issue: 0,
            events: 0,
            warmup: scn.warmup,
            end: scn.end(),
            trace,
            violations: Vec::new(),
            unstable: None,
            max_live: MAX_LIVE,
        }
    }

    /// Sets the most conversations alive at once before the run stops as
    /// unstable (default [`MAX_LIVE`]).
    pub fn max_live(mut self, n: usize) -> Self {
        self.max_live = n;
        self
    }

    /// Runs to the end of the horizon and returns what was measured.
    pub fn run(self) -> RepResult {
        match self.run_with(|_, _, _| Ok::<(), std::convert::Infallible>(())) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }

    /// The event loop: `after` sees the simulation after every event (and
    /// once after the start, with no event) and may stop the run.
    fn run_with<E>(
        mut self,
        mut after: impl FnMut(&Self, f64, Option<Ev>) -> Result<(), E>,
    ) -> Result<RepResult, E> {
        self.start();
        after(&self, 0.0, None)?;
        let end = self.end;
        while let Some((t, ev)) = self.q.pop() {
            if t > end {
                break;
            }
            self.events += 1;
            self.dispatch(ev);
            after(&self, t, Some(ev))?;
            if self.unstable.is_some() {
                break;
            }
        }
        Ok(self.finish())
    }

    /// Runs like [`Sim::run`], checking the model's invariants after every
    /// event (capacity per channel and in total, slots matching held
    /// conversations, queue lengths, work lists, no assignment to an agent
    /// that is not online). Slow: for tests.
    pub fn run_checked(self) -> Result<RepResult, String> {
        self.run_with(|sim, t, ev| {
            sim.check_invariants()
                .map_err(|e| format!("at t={t} after {ev:?}: {e}"))
        })
    }

    /// Runs with the invariants checked after every event (panicking on a
    /// broken one) and returns, besides the result, the timeline of
    /// conversation states: an entry whenever a conversation's state or
    /// agent differs after an event from before it. For scripted tests.
    pub fn run_logged(self) -> (RepResult, Vec<LogEntry>) {
        let mut log = Vec::new();
        let mut snap: Vec<(u64, State, u32)> = Vec::new();
        let result = self.run_with(|sim, t, ev| {
            if let Err(e) = sim.check_invariants() {
                panic!("invariant broken at t={t} after {ev:?}: {e}");
            }
            sim.log_changes(&mut snap, &mut log);
            Ok::<(), std::convert::Infallible>(())
        });
        match result {
            Ok(r) => (r, log),
            Err(never) => match never {},
        }
    }

    fn log_changes(&self, snap: &mut Vec<(u64, State, u32)>, log: &mut Vec<LogEntry>) {
        for (i, c) in self.convs.iter().enumerate() {
            let now = (c.id, c.state, c.agent);
            if snap.get(i) != Some(&now) {
                let agent = if c.agent == NONE {
                    String::new()
                } else {
                    let ag = &self.agents[c.agent as usize];
                    format!("{}#{}", self.scn.groups[ag.group as usize].name, ag.index)
                };
                log.push(LogEntry {
                    t: self.q.now(),
                    conv: c.id,
                    issue: c.issue,
                    state: c.state.name(),
                    agent,
                });
                if i < snap.len() {
                    snap[i] = now;
                } else {
                    snap.push(now);
                }
            }
        }
    }

    fn check_invariants(&self) -> Result<(), String> {
        if let Some(v) = self.violations.first() {
            return Err(v.clone());
        }
        let mut open = vec![[0u32; 2]; self.agents.len()];
        let mut qlen = vec![0u64; self.skills.len()];
        for (i, c) in self.convs.iter().enumerate() {
            let ch = self.skills[c.skill as usize].channel;
            if c.state.holds_capacity() {
                if c.agent == NONE {
                    return Err(format!("conversation {i} in {:?} has no agent", c.state));
                }
                open[c.agent as usize][ch] += 1;
            }
            if c.state == State::Queued {
                qlen[c.skill as usize] += 1;
            }
            if c.state == State::AwaitAgent {
                let ag = &self.agents[c.agent as usize];
                if ag.typing != i as u32 && !ag.worklist.contains(&(i as u32)) {
                    return Err(format!(
                        "conversation {i} awaits agent {} but is not in its work list",
                        c.agent
                    ));
                }
            }
        }
        for (a, ag) in self.agents.iter().enumerate() {
            let g = &self.scn.groups[ag.group as usize];
            if open[a] != ag.open {
                return Err(format!(
                    "agent {a}: open {:?} but holds {:?}",
                    ag.open, open[a]
                ));
            }
            for ch in 0..2 {
                if ag.open[ch] > g.capacity[ch] {
                    return Err(format!(
                        "agent {a}: {} open on channel {ch}, capacity {}",
                        ag.open[ch], g.capacity[ch]
                    ));
                }
            }
            // A two_login agent's logins are two users: the total is per login.
            let held = if g.mode == crate::scenario::Mode::TwoLogin {
                ag.open[0].max(ag.open[1])
            } else {
                ag.open_total()
            };
            if held > g.capacity_total {
                return Err(format!(
                    "agent {a}: {held} open, total capacity {}",
                    g.capacity_total
                ));
            }
            if ag.login == 0b11
                && g.mode == crate::scenario::Mode::TwoLogin
                && ag.status != Status::Offline
            {
                return Err(format!("two_login agent {a} logged into both channels"));
            }
            // With `return_to_queue`, a login switch hands the old channel's
            // conversations back: a two_login agent never holds both. With
            // `keep`, the other login's conversations wait, unanswered.
            if g.mode == crate::scenario::Mode::TwoLogin
                && g.logout == crate::scenario::LogoutPolicy::ReturnToQueue
                && ag.open[0] > 0
                && ag.open[1] > 0
            {
                return Err(format!(
                    "two_login agent {a} holds both channels at once: {:?}",
                    ag.open
                ));
            }
            if ag.typing != NONE {
                let ch = self.skills[self.convs[ag.typing as usize].skill as usize].channel;
                if ag.status == Status::Offline || ag.login & (1 << ch) == 0 {
                    return Err(format!(
                        "agent {a} types on channel {ch} while {:?} with login {:#b}",
                        ag.status, ag.login
                    ));
                }
            }
        }
        for (s, rt) in self.skills.iter().enumerate() {
            if rt.qlen != qlen[s] {
                return Err(format!(
                    "skill {s}: qlen {} but {} queued",
                    rt.qlen, qlen[s]
                ));
            }
        }
        Ok(())
    }

    /// Whether a state timer armed at `epoch` still applies: nothing
    /// changed since, and the conversation is in the state it was armed for.
    #[inline]
    fn armed(&self, conv: u32, epoch: u32, state: State) -> bool {
        let c = &self.convs[conv as usize];
        c.epoch == epoch && c.state == state
    }

    fn dispatch(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival { skill } => self.on_arrival(skill as usize),
            Ev::Patience { conv, id } => {
                // Patience outlives state changes (offers, re-queues): it ends
                // at the first assignment, so it is keyed by the conversation's id.
                if self.convs[conv as usize].id as u32 == id {
                    self.abandon(conv);
                }
            }
            Ev::ReplyDone { agent, epoch } => {
                if self.agents[agent as usize].type_epoch == epoch {
                    self.on_reply_done(agent);
                }
            }
            Ev::ConsumerMsg { conv, cgen } => {
                if self.convs[conv as usize].cgen == cgen {
                    self.on_consumer_msg(conv);
                }
            }
            Ev::AutoClose { conv, agen } => {
                let c = &self.convs[conv as usize];
                if c.agen == agen && matches!(c.state, State::AwaitConsumer | State::Parked) {
                    self.auto_close(conv);
                }
            }
            Ev::Park { conv, epoch } => {
                if self.armed(conv, epoch, State::AwaitConsumer) {
                    self.park(conv);
                }
            }
            Ev::StyleClose { conv, epoch } => {
                if self.armed(conv, epoch, State::Solved) {
                    self.close(conv, CloseReason::Timer);
                }
            }
            Ev::Return { slot } => self.on_return(slot),
            Ev::Sticky { conv, epoch } => {
                if self.armed(conv, epoch, State::Queued) {
                    self.sticky_expired(conv);
                }
            }
            Ev::RingTimeout { conv, epoch } => {
                if self.armed(conv, epoch, State::Offered) {
                    self.ring_timeout(conv);
                }
            }
            Ev::Accept { conv, epoch } => {
                if self.armed(conv, epoch, State::Offered) {
                    self.accept(conv);
                }
            }
            Ev::RampReady { agent } => {
                self.refresh(agent);
                self.pull(agent);
            }
            Ev::ShiftStart { group, shift } => self.shift_start(group, shift),
            Ev::ShiftEnd { group, shift } => self.shift_end(group, shift),
            Ev::BreakStart { agent, back_soon } => self.break_start(agent, back_soon),
            Ev::BreakEnd { agent } => self.break_end(agent),
            Ev::Tick => self.tick(),
        }
    }

    // ----- time-based accounting -------------------------------------------------

    /// Measured length of [a, b].
    #[inline]
    pub(super) fn span(&self, a: f64, b: f64) -> f64 {
        (b.min(self.end) - a.max(self.warmup)).max(0.0)
    }

    /// Brings queue and staffing areas up to now (call before changing them).
    #[inline]
    fn flush_areas(&mut self) {
        self.flush_areas_to(self.q.now());
    }

    /// Brings queue and staffing areas up to `now` (clipped to the measured window).
    fn flush_areas_to(&mut self, now: f64) {
        let dt = self.span(self.last_area_t, now);
        self.last_area_t = now;
        if dt == 0.0 {
            return;
        }
        let base = self.cur_interval * self.skills.len();
        for (i, s) in self.skills.iter().enumerate() {
            let ql = s.qlen as f64 * dt;
            let (on, li) = (s.staffed[0] as f64 * dt, s.staffed[1] as f64 * dt);
            let t = &mut self.tally[i];
            t.queue_area += ql;
            t.online_area += on;
            t.logged_in_area += li;
            let iv = &mut self.intervals[base + i];
            iv.queue_area += ql;
            iv.online_area += on;
            iv.logged_in_area += li;
        }
        for k in 0..2 {
            let area = self.staffed_agents[k] as f64 * dt;
            self.staffed_area[k] += area;
            self.staffed_area_iv[self.cur_interval][k] += area;
        }
    }

    /// Brings an agent's time totals up to now (call before changing its status or load).
    #[inline]
    fn flush_agent(&mut self, a: u32) {
        let now = self.q.now();
        let ag = &self.agents[a as usize];
        let dt = self.span(ag.last_t, now);
        let ag = &mut self.agents[a as usize];
        ag.last_t = now;
        if dt == 0.0 || ag.status == Status::Offline {
            return;
        }
        let open = ag.open_total();
        let t = &mut ag.tally[ag.tix];
        t.logged_in += dt;
        if ag.status == Status::Online {
            t.online += dt;
        }
        t.open_area += open as f64 * dt;
    }

    fn interval_of(&self, t: f64) -> usize {
        (((t - self.warmup) / self.scn.interval) as usize).min(self.n_intervals - 1)
    }

    /// A conversation enters a queue of its skill (or its sticky wait).
    pub(super) fn queue_enter(&mut self, c: u32) {
        let now = self.q.now();
        self.convs[c as usize].q_since = now;
        self.set_qlen(self.convs[c as usize].skill as usize, 1);
    }

    /// A conversation leaves its queue; its time in queue within the
    /// measured window is added up (Little's law check: the sum of these
    /// equals the integral of the queue length).
    pub(super) fn queue_leave(&mut self, c: u32) {
        let now = self.q.now();
        let conv = &self.convs[c as usize];
        let (s, since) = (conv.skill as usize, conv.q_since);
        self.tally[s].queue_wait_sum += self.span(since, now);
        self.set_qlen(s, -1);
    }

    fn set_qlen(&mut self, skill: usize, delta: i64) {
        self.flush_areas();
        let s = &mut self.skills[skill];
        s.qlen = (s.qlen as i64 + delta) as u64;
        self.total_q = (self.total_q as i64 + delta) as u64;
        if self.q.now() >= self.warmup {
            let ql = self.skills[skill].qlen;
            let t = &mut self.tally[skill];
            t.queue_max = t.queue_max.max(ql);
            let iv = &mut self.intervals[self.cur_interval * self.skills.len() + skill];
            iv.queue_max = iv.queue_max.max(ql);
            self.total_q_max = self.total_q_max.max(self.total_q);
            let m = &mut self.total_q_max_iv[self.cur_interval];
            *m = (*m).max(self.total_q);
        }
    }

    fn tick(&mut self) {
        self.flush_areas();
        if self.cur_interval + 1 < self.n_intervals {
            self.cur_interval += 1;
            let base = self.cur_interval * self.skills.len();
            for i in 0..self.skills.len() {
                self.intervals[base + i].queue_max = self.skills[i].qlen;
            }
            self.total_q_max_iv[self.cur_interval] = self.total_q;
            self.q.schedule(
                self.warmup + (self.cur_interval + 1) as f64 * self.scn.interval,
                Ev::Tick,
            );
        }
    }

    // ----- start and finish ------------------------------------------------------

    fn start(&mut self) {
        for s in 0..self.skills.len() {
            self.schedule_next_arrival(s, 0.0);
        }
        if self.n_intervals > 1 {
            self.q.schedule(self.warmup + self.scn.interval, Ev::Tick);
        }
        let week = crate::engine::time::WEEK;
        for g in 0..self.groups.len() {
            let shifts = &self.scn.groups[g].shifts;
            if shifts.is_empty() {
                let login = self.groups[g].channels;
                for a in self.group_agents(g) {
                    self.login(a, login);
                }
                continue;
            }
            let mut next = Vec::with_capacity(shifts.len());
            for (k, s) in shifts.iter().enumerate() {
                // The occurrence in progress at time 0 (from last week), or the first one.
                let occ = if s.start - week + s.length > 0.0 {
                    s.start - week
                } else {
                    s.start
                };
                next.push(occ);
                self.q.schedule(
                    occ.max(0.0),
                    Ev::ShiftStart {
                        group: g as u32,
                        shift: k as u32,
                    },
                );
            }
            self.groups[g].next_shift = next;
        }
    }

    fn group_agents(&self, g: usize) -> std::ops::Range<u32> {
        let gr = &self.groups[g];
        gr.first_agent..gr.first_agent + gr.count
    }

    fn finish(mut self) -> RepResult {
        // Bring every area up to the end.
        self.flush_areas_to(self.end);
        for a in 0..self.agents.len() as u32 {
            self.flush_agent(a);
        }
        let mut in_sys = vec![0u64; self.skills.len()];
        let mut rows = Vec::new();
        for c in &self.convs {
            if c.state == State::Queued {
                let w = (self.end - c.q_since.max(self.warmup)).max(0.0);
                self.tally[c.skill as usize].queue_wait_sum += w;
            }
        }
        for (i, c) in self.convs.iter().enumerate() {
            if !matches!(c.state, State::Closed | State::Abandoned) && c.has(flag::MEASURED) {
                in_sys[c.origin as usize] += 1;
                if self.trace.is_some() {
                    rows.push(i as u32);
                }
            }
        }
        for r in rows {
            let c = self.convs[r as usize].clone();
            self.emit(&c, c.state.name(), "", self.end);
        }
        let ns = self.skills.len();
        let mut skills = self.tally.clone();
        for (t, n) in skills.iter_mut().zip(&in_sys) {
            t.in_system_end = *n;
        }
        let mut all = Tally::default();
        for t in &skills {
            all.merge(t);
        }
        all.queue_max = self.total_q_max;
        // An agent with several skills counts once.
        [all.online_area, all.logged_in_area] = self.staffed_area;
        skills.push(all);
        // Intervals: add an `all` row per interval.
        let mut intervals = Vec::with_capacity(self.n_intervals * (ns + 1));
        for k in 0..self.n_intervals {
            let mut all = IntervalTally::default();
            for s in 0..ns {
                let row = self.intervals[k * ns + s].clone();
                all.merge(&row);
                intervals.push(row);
            }
            all.queue_max = self.total_q_max_iv[k];
            [all.online_area, all.logged_in_area] = self.staffed_area_iv[k];
            intervals.push(all);
        }
        let mut agents_all = AgentTally::default();
        let agents: Vec<AgentResult> = self
            .agents
            .iter()
            .map(|a| {
                agents_all.merge(&a.tally[0]);
                agents_all.merge(&a.tally[1]);
                AgentResult {
                    group: a.group as usize,
                    index: a.index as usize,
                    tally: a.tally.clone(),
                }
            })
            .collect();
        let all = &skills[ns];
        let conservation = (all.offered, all.closed, all.abandoned, all.in_system_end);
        RepResult {
            skills,
            agents_all,
            agents,
            intervals,
            events: self.events,
            conservation,
            peak_conversations: self.peak_alive,
            unstable: self.unstable.take(),
        }
    }

    // ----- arrivals --------------------------------------------------------------

    fn schedule_next_arrival(&mut self, s: usize, now: f64) {
        let next = match &self.scn.skills[s].arrivals {
            Arrivals::Poisson { rate } => {
                let e: f64 = rand_distr::Distribution::sample(
                    &rand_distr::Exp1,
                    &mut self.skills[s].arrivals,
                );
                Some(now + e / rate)
            }
            Arrivals::Profile { rates, per } => {
                // Inversion of the piecewise-constant cumulative rate.
                let mut e: f64 = rand_distr::Distribution::sample(
                    &rand_distr::Exp1,
                    &mut self.skills[s].arrivals,
                );
                let mut t = now;
                let n = rates.len();
                loop {
                    let k = (t / per).floor();
                    let rate = rates[(k as usize) % n];
                    let boundary = (k + 1.0) * per;
                    let room = boundary - t;
                    if rate > 0.0 && e <= rate * room {
                        break Some(t + e / rate);
                    }
                    e -= rate * room;
                    t = boundary;
                    if t > self.end {
                        break None;
                    }
                }
            }
            Arrivals::Trace { times, .. } => {
                let rt = &mut self.skills[s];
                let t = times.get(rt.trace_pos).copied();
                rt.trace_pos += 1;
                t
            }
        };
        if let Some(t) = next
            && t <= self.end
        {
            self.q.schedule(t.max(now), Ev::Arrival { skill: s as u32 });
        }
    }

    fn on_arrival(&mut self, s: usize) {
        let now = self.q.now();
        self.schedule_next_arrival(s, now);
        let seed = self.skills[s].conv_seeds.next_u64();
        let issue = self.next_issue;
        self.next_issue += 1;
        let c = self.new_conversation(s, issue, seed, true);
        self.route_new(c);
    }

    /// Creates a conversation arriving now (a new issue, or a return).
    fn new_conversation(&mut self, s: usize, issue: u64, seed: u64, new_issue: bool) -> u32 {
        let now = self.q.now();
        let sk = &self.scn.skills[s];
        let mut crng = SplitMix64::seed_from_u64(seed);
        let arng = SplitMix64::seed_from_u64(mix64(seed ^ 0xA6E7));
        let exchanges = sk.exchanges.sample(&mut crng);
        let manual =
            sk.manual_sla_probability > 0.0 && crng.random::<f64>() < sk.manual_sla_probability;
        let measured = now >= self.warmup;
        let mut flags = flag::PENDING_MSG | flag::FIRST_WAIT;
        if manual {
            flags |= flag::MANUAL_SLA;
        }
        if measured {
            flags |= flag::MEASURED;
        }
        let conv = Conv {
            epoch: 0,
            cgen: 0,
            agen: 0,
            state: State::Queued,
            skill: s as u16,
            origin: s as u16,
            flags,
            agent: NONE,
            prev_agent: NONE,
            ignored: Vec::new(),
            target_group: NONE,
            left: exchanges - 1,
            reopens: 0,
            id: self.next_id,
            issue,
            arrival: now,
            enqueued: now,
            open_since: now,
            msg_at: now,
            deadline: now + sk.response_sla,
            ring_since: now,
            handle: 0.0,
            effort: 0.0,
            solved_at: f64::NAN,
            wait: f64::NAN,
            first_response: f64::NAN,
            q_since: now,
            crng,
            arng,
        };
        self.next_id += 1;
        let idx = match self.free_convs.pop() {
            Some(i) => {
                let old = &self.convs[i as usize];
                let (g, cg, ag) = (
                    old.epoch.wrapping_add(1),
                    old.cgen.wrapping_add(1),
                    old.agen.wrapping_add(1),
                );
                self.convs[i as usize] = Conv {
                    epoch: g,
                    cgen: cg,
                    agen: ag,
                    ..conv
                };
                i
            }
            None => {
                self.convs.push(conv);
                (self.convs.len() - 1) as u32
            }
        };
        self.alive += 1;
        self.peak_alive = self.peak_alive.max(self.alive);
        if self.alive > self.max_live && self.unstable.is_none() {
            self.unstable = Some(format!(
                "more than {} conversations alive at once at {} (skill `{}`: {} queued): demand far exceeds what the agents can take \
                 (check arrival rates, agent counts, capacities and shifts, or give the skill a patience)",
                self.max_live,
                crate::engine::time::label(now),
                self.scn.skills[s].name,
                self.skills[s].qlen
            ));
        }
        if measured {
            let unroutable = self.skills[s].staffed[0] == 0;
            let t = &mut self.tally[s];
            t.offered += 1;
            if new_issue {
                t.issues += 1;
            }
            t.unroutable += unroutable as u64;
            let iv = self.interval_of(now) * self.skills.len() + s;
            self.intervals[iv].offered += 1;
            self.intervals[iv].unroutable += unroutable as u64;
        }
        idx
    }

    /// Routes a new conversation: to an agent now, or into the queue with its patience.
    fn route_new(&mut self, c: u32) {
        let s = self.convs[c as usize].skill as usize;
        if self.try_route(c) {
            // Offered in ring mode: patience still runs until accepted.
            if self.convs[c as usize].state != State::Offered {
                return;
            }
        } else {
            self.enqueue(c, false);
        }
        if let Some(p) = &self.scn.skills[s].patience {
            let conv = &mut self.convs[c as usize];
            let patience = p.sample(&mut conv.crng);
            let id = conv.id as u32;
            self.q.schedule_in(patience, Ev::Patience { conv: c, id });
        }
    }

    // ----- the conversation's own events ----------------------------------------

    fn abandon(&mut self, c: u32) {
        let now = self.q.now();
        let state = self.convs[c as usize].state;
        if !self.convs[c as usize].has(flag::FIRST_WAIT) {
            return;
        }
        match state {
            State::Queued => self.queue_leave(c),
            State::Offered => {
                let a = self.convs[c as usize].agent;
                self.release_ring(c, a);
            }
            _ => return,
        }
        let conv = &self.convs[c as usize];
        if conv.has(flag::MEASURED) {
            let s = conv.origin as usize;
            let wait = now - conv.arrival;
            let within = wait <= self.scn.skills[s].service_level;
            let t = &mut self.tally[s];
            t.abandoned += 1;
            t.waited += 1;
            t.queue_time_sum += wait;
            t.abandoned_within_sl += within as u64;
            let iv = self.interval_of(conv.arrival) * self.skills.len() + s;
            self.intervals[iv].abandoned += 1;
            self.intervals[iv].abandoned_within_sl += within as u64;
        }
        self.convs[c as usize].go(State::Abandoned);
        if self.trace.is_some() {
            let conv = self.convs[c as usize].clone();
            self.emit(&conv, "abandoned", CloseReason::Abandoned.name(), now);
        }
        self.free(c);
    }

    fn free(&mut self, c: u32) {
        let conv = &mut self.convs[c as usize];
        conv.cgen = conv.cgen.wrapping_add(1);
        conv.agen = conv.agen.wrapping_add(1);
        self.free_convs.push(c);
        self.alive -= 1;
    }

    fn on_consumer_msg(&mut self, c: u32) {
        let now = self.q.now();
        let sla = self.scn.skills[self.convs[c as usize].skill as usize].response_sla;
        let conv = &mut self.convs[c as usize];
        conv.msg_at = now;
        conv.deadline = now + sla;
        conv.agen = conv.agen.wrapping_add(1);
        match conv.state {
            State::AwaitConsumer => {
                conv.go(State::AwaitAgent);
                let a = conv.agent;
                self.agents[a as usize].worklist.push(c);
                self.start_next(a);
            }
            State::Parked => {
                conv.set(flag::PENDING_MSG, true);
                self.route_returning(c);
            }
            State::Queued | State::Offered => conv.set(flag::PENDING_MSG, true),
            s => debug_assert!(false, "consumer message in state {s:?}"),
        }
    }

    fn park(&mut self, c: u32) {
        let a = self.convs[c as usize].agent;
        self.end_open(c);
        self.release_slot(c, a);
        let conv = &mut self.convs[c as usize];
        conv.go(State::Parked);
        if conv.has(flag::MEASURED) {
            self.tally[conv.origin as usize].parks += 1;
        }
        self.after_release(a);
    }

    /// The agent's last reply: solved, then closed now or later by the style.
    fn solve(&mut self, c: u32) {
        let now = self.q.now();
        let (s, measured) = {
            let conv = &self.convs[c as usize];
            (conv.skill as usize, conv.has(flag::MEASURED))
        };
        let sk = &self.scn.skills[s];
        if measured {
            let conv = &self.convs[c as usize];
            let t = &mut self.tally[conv.origin as usize];
            t.solved += 1;
            t.solve_time_sum += now - conv.arrival;
        }
        // Consumer-side decisions, in a fixed order on the consumer's stream.
        let mut return_slot = None;
        let conv = &mut self.convs[c as usize];
        let consumer_closes = sk.consumer_can_close
            && sk.consumer_close_probability > 0.0
            && conv.crng.random::<f64>() < sk.consumer_close_probability;
        if let Some(r) = &sk.returns
            && r.probability > 0.0
            && conv.crng.random::<f64>() < r.probability
        {
            let after = r.after.sample(&mut conv.crng);
            let seed = conv.crng.next_u64();
            let pr = PendingReturn {
                conv: c,
                epoch: 0,
                skill: conv.origin,
                issue: conv.issue,
                seed,
            };
            let slot = match self.free_returns.pop() {
                Some(i) => {
                    self.returns[i as usize] = pr;
                    i
                }
                None => {
                    self.returns.push(pr);
                    (self.returns.len() - 1) as u32
                }
            };
            self.q.schedule_in(after, Ev::Return { slot });
            // The epoch is filled in once the conversation's next state is known.
            return_slot = Some(slot);
        }
        let conv = &mut self.convs[c as usize];
        conv.solved_at = now;
        if consumer_closes {
            self.close(c, CloseReason::Consumer);
        } else {
            match sk.style {
                Style::LiveChat => self.close(c, CloseReason::Agent),
                Style::LiveChatReturning | Style::SocialMessaging => {
                    let window = if sk.style == Style::LiveChatReturning {
                        sk.reopen_window
                    } else {
                        sk.solved_to_closed
                    };
                    let a = self.convs[c as usize].agent;
                    self.end_open(c);
                    self.release_slot(c, a);
                    let conv = &mut self.convs[c as usize];
                    conv.go(State::Solved);
                    conv.prev_agent = a;
                    conv.agent = NONE;
                    conv.cgen = conv.cgen.wrapping_add(1);
                    conv.agen = conv.agen.wrapping_add(1);
                    let epoch = conv.epoch;
                    self.q
                        .schedule_in(window, Ev::StyleClose { conv: c, epoch });
                    self.after_release(a);
                }
            }
        }
        if let Some(slot) = return_slot {
            self.returns[slot as usize].epoch = self.convs[c as usize].epoch;
        }
    }

    fn on_return(&mut self, slot: u32) {
        let pr = self.returns[slot as usize];
        self.free_returns.push(slot);
        let conv = &self.convs[pr.conv as usize];
        if conv.epoch == pr.epoch && conv.state == State::Solved {
            // Inside the window: the same conversation reopens.
            let now = self.q.now();
            let iv_now = self.interval_of(now);
            let s = conv.skill as usize;
            let sk = &self.scn.skills[s];
            let conv = &mut self.convs[pr.conv as usize];
            let more = sk.exchanges.sample(&mut conv.crng);
            conv.left = more - 1;
            conv.reopens += 1;
            conv.msg_at = now;
            conv.deadline = now + sk.response_sla;
            conv.set(flag::PENDING_MSG, true);
            if conv.has(flag::MEASURED) {
                let s = conv.origin as usize;
                self.tally[s].reopens += 1;
                self.intervals[iv_now * self.skills.len() + s].reopens += 1;
            }
            self.route_returning(pr.conv);
        } else {
            // Closed meanwhile: a new conversation for the same issue.
            let c = self.new_conversation(pr.skill as usize, pr.issue, pr.seed, false);
            self.route_new(c);
        }
    }

    /// Auto-close of an idle conversation; with the skill's
    /// `resume_probability` its agent resumes it at once to follow up: the
    /// close is counted (`auto_closed`, `resumed`), the consumer's pending
    /// reply is dropped, and the agent owes one more message, after which
    /// the conversation is solved as usual.
    fn auto_close(&mut self, c: u32) {
        let now = self.q.now();
        let scn = self.scn;
        let conv = &mut self.convs[c as usize];
        let sk = &scn.skills[conv.skill as usize];
        let resume =
            sk.resume_probability > 0.0 && conv.arng.random::<f64>() < sk.resume_probability;
        if !resume {
            self.close(c, CloseReason::AutoClose);
            return;
        }
        if conv.has(flag::MEASURED) {
            let t = &mut self.tally[conv.origin as usize];
            t.auto_closed += 1;
            t.resumed += 1;
        }
        conv.cgen = conv.cgen.wrapping_add(1);
        conv.agen = conv.agen.wrapping_add(1);
        conv.left = 0;
        conv.msg_at = now;
        conv.deadline = now + sk.response_sla;
        if conv.state == State::AwaitConsumer {
            conv.go(State::AwaitAgent);
            let a = conv.agent;
            self.agents[a as usize].worklist.push(c);
            self.start_next(a);
        } else {
            conv.set(flag::PENDING_MSG, true);
            self.route_returning(c);
        }
    }

    /// Closes a conversation for `reason`, releasing whatever it holds.
    fn close(&mut self, c: u32, reason: CloseReason) {
        let now = self.q.now();
        let iv_now = self.interval_of(now);
        let (state, a) = (self.convs[c as usize].state, self.convs[c as usize].agent);
        if state.holds_capacity() {
            self.end_open(c);
            self.release_slot(c, a);
        }
        let conv = &mut self.convs[c as usize];
        conv.go(State::Closed);
        if a != NONE {
            conv.prev_agent = a;
            conv.agent = NONE;
        }
        if conv.has(flag::MEASURED) {
            let s = conv.origin as usize;
            let t = &mut self.tally[s];
            t.closed += 1;
            t.handle_sum += conv.handle;
            t.effort_sum += conv.effort;
            t.resolution_sum += now - conv.arrival;
            match reason {
                CloseReason::Agent => t.closed_by_agent += 1,
                CloseReason::Consumer => t.closed_by_consumer += 1,
                CloseReason::Timer => t.closed_by_timer += 1,
                CloseReason::AutoClose => t.auto_closed += 1,
                CloseReason::Abandoned => {}
            }
            // Per interval: in the interval of the close.
            let row = &mut self.intervals[iv_now * self.skills.len() + s];
            row.closed += 1;
            row.handle_sum += conv.handle;
            row.effort_sum += conv.effort;
            row.resolution_sum += now - conv.arrival;
            row.auto_closed += (reason == CloseReason::AutoClose) as u64;
        }
        if self.trace.is_some() {
            let conv = self.convs[c as usize].clone();
            self.emit(&conv, "closed", reason.name(), now);
        }
        self.free(c);
        if state.holds_capacity() {
            self.after_release(a);
        }
    }

    fn emit(&mut self, c: &Conv, state: &'static str, reason: &'static str, end: f64) {
        if !c.has(flag::MEASURED) {
            return;
        }
        let Some(sink) = self.trace.as_mut() else {
            return;
        };
        let last = if c.agent != NONE {
            c.agent
        } else {
            c.prev_agent
        };
        let agent = if last == NONE {
            String::new()
        } else {
            let ag = &self.agents[last as usize];
            format!("{}#{}", self.scn.groups[ag.group as usize].name, ag.index)
        };
        sink.row(&TraceRow {
            replication: self.rep,
            id: c.id,
            issue: c.issue,
            skill: &self.scn.skills[c.origin as usize].name,
            arrival: c.arrival,
            end,
            state,
            reason,
            queue_time: c.wait,
            first_response: c.first_response,
            handle: c.handle,
            effort: c.effort,
            reopens: c.reopens,
            agent,
        });
    }
}

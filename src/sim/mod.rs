//! One replication: the [`Sim`] ties the model ([`crate::model`]), routing
//! ([`crate::acd`]), staffing ([`crate::staffing`]) and the recorder
//! ([`crate::record`]) to the engine's clock, event queue, streams and
//! event loop ([`crate::engine::run`]). This module holds the events, the
//! arrivals, the conversation's own lifecycle handlers (`lifecycle`) and
//! the agent's work on what it holds (`work`). It does no I/O:
//! per-conversation rows go to a [`TraceSink`] when one is given, and the
//! result is plain data ([`RepResult`]).
//!
//! Timer cancellation: every timer carries the [`TimerKey`] of the
//! [`crate::model::Timer`] it belongs to (see the timer table in
//! [`crate::model::conversation`]); an event whose key is stale is dropped
//! when it pops.
//!
//! Order of same-time events: insertion order (see the queue). Within one
//! event, an agent whose capacity frees first pulls from the queues, then
//! starts its next reply.

mod arrivals;
mod check;
pub mod interval;
mod lifecycle;
#[cfg(test)]
mod tests;
mod work;

use crate::engine::{EventQueue, Streams};
use crate::metrics::{AgentTally, Tally};
use crate::model::agent::Agent;
use crate::model::conversation::{CloseReason, Conv, State};
use crate::model::style::StylePolicy;
use crate::model::{AgentId, ConvId, GroupId, Id, IdVec, TimerKey};
use crate::record::Recorder;
pub use crate::record::trace::{TraceRow, TraceSink};
use crate::scenario::Scenario;
use interval::IntervalTally;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most conversations alive at once (queued, open, parked, solved)
/// before a replication is stopped as unstable: memory stays bounded (about
/// 3 GB) instead of growing until the machine runs out.
pub const MAX_LIVE: usize = 10_000_000;

/// The most events processed at one simulated instant before a replication
/// is stopped as making no progress (simulated time frozen: e.g. returns
/// after a zero delay with zero effort, or a ring timeout of nearly zero).
/// Ten million is far above any real burst (a whole day's arrivals of a
/// large center, with all their timers, at one instant) and costs about a
/// second to reach.
pub const MAX_EVENTS_AT_ONE_INSTANT: u64 = 10_000_000;

/// A budget of live conversations shared by the replications of one
/// process (clones share it). A replication given it with [`Sim::budget`]
/// takes one unit each time its number of live conversations reaches a new
/// peak (its arena keeps that memory until the end), gives everything back
/// when it ends, and stops as unstable when the budget is exhausted.
#[derive(Clone, Debug)]
pub struct LiveBudget {
    left: Arc<AtomicUsize>,
    limit: usize,
}

/// Units taken from a [`LiveBudget`], given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    budget: LiveBudget,
    units: usize,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.left.fetch_add(self.units, Ordering::Relaxed);
    }
}

impl LiveBudget {
    /// A budget of `limit` conversations alive at once over all replications.
    pub fn new(limit: usize) -> LiveBudget {
        LiveBudget {
            left: Arc::new(AtomicUsize::new(limit)),
            limit,
        }
    }

    /// The limit it was created with.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Units still available.
    pub fn available(&self) -> usize {
        self.left.load(Ordering::Relaxed)
    }

    /// Takes `units` (given back when the reservation is dropped), or
    /// `None`, taking nothing, if fewer are left.
    pub fn reserve(&self, units: usize) -> Option<Reservation> {
        self.take(units).then(|| Reservation {
            budget: self.clone(),
            units,
        })
    }

    fn take(&self, units: usize) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
                l.checked_sub(units)
            })
            .is_ok()
    }
}

/// Events. Timers carry the key of the timer they were armed under.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ev {
    Arrival {
        skill: u32,
    },
    Patience {
        conv: ConvId,
        key: TimerKey,
    },
    ReplyDone {
        agent: AgentId,
        key: TimerKey,
    },
    ConsumerMsg {
        conv: ConvId,
        key: TimerKey,
    },
    AutoClose {
        conv: ConvId,
        key: TimerKey,
    },
    Park {
        conv: ConvId,
        key: TimerKey,
    },
    StyleClose {
        conv: ConvId,
        key: TimerKey,
    },
    Return {
        slot: u32,
    },
    Sticky {
        conv: ConvId,
        key: TimerKey,
    },
    RingTimeout {
        conv: ConvId,
        key: TimerKey,
    },
    Accept {
        conv: ConvId,
        key: TimerKey,
    },
    RampReady {
        agent: AgentId,
    },
    ShiftStart {
        group: GroupId,
        shift: u32,
    },
    ShiftEnd {
        group: GroupId,
        shift: u32,
    },
    /// The next interval of a group's count profile begins.
    CountStep {
        group: GroupId,
    },
    /// Wind-down before a shift's end (`Some(shift)`) or before the count
    /// profile's next step (`None`).
    WindDown {
        group: GroupId,
        shift: Option<u32>,
    },
    BreakStart {
        agent: AgentId,
        back_soon: bool,
    },
    BreakEnd {
        agent: AgentId,
    },
    Tick,
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
    /// (more than [`MAX_LIVE`] conversations alive, or no progress in
    /// simulated time): what happened.
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
    /// Agent load per report interval, group and login
    /// (`[interval × columns + column]`, columns from
    /// [`crate::record::groups::columns`]).
    pub group_intervals: Vec<crate::metrics::LoadTally>,
}

/// A pending consumer return.
#[derive(Clone, Copy, Debug)]
struct PendingReturn {
    conv: ConvId,
    /// The conversation's state key once solved: it reopens only if
    /// nothing happened to it since.
    key: TimerKey,
    skill: u32,
    issue: u64,
    seed: u64,
    /// A retry after abandoning (always a new conversation).
    retry: bool,
}

/// Run-time state of a skill.
pub(crate) struct SkillRt {
    /// Waiting conversations with the state key they were queued under
    /// (stale entries are skipped).
    pub(crate) queue: VecDeque<(ConvId, TimerKey)>,
    pub(crate) qlen: u64,
    arrivals: Xoshiro256PlusPlus,
    conv_seeds: Xoshiro256PlusPlus,
    trace_pos: usize,
    /// Each day's volume factor (`arrivals.day_cv`; empty: none).
    day_factors: Vec<f64>,
    /// Groups with this skill, with the group's priority for it.
    pub(crate) groups: Vec<(GroupId, i64)>,
    pub(crate) channel: usize,
}

/// Run-time state of an agent group.
pub(crate) struct GroupRt {
    pub(crate) first_agent: u32,
    pub(crate) count: u32,
    /// Eligible agents per channel, ordered by selection rank.
    pub(crate) avail: [crate::acd::eligible::Eligible; 2],
    /// Conversations transferred to this group.
    pub(crate) queue: VecDeque<(ConvId, TimerKey)>,
    /// Channels the group's skills use (bits).
    pub(crate) channels: u8,
    /// Next occurrence start of each shift.
    pub(crate) next_shift: Vec<f64>,
    /// Skill indices (for `work_waits_for`).
    pub(crate) skills: Vec<usize>,
    /// The count profile's current interval (counted from time 0).
    pub(crate) step: u64,
}

/// One replication in progress.
pub struct Sim<'a> {
    pub(crate) scn: &'a Scenario,
    pub(crate) q: EventQueue<Ev>,
    pub(crate) convs: IdVec<ConvId, Conv>,
    free_convs: Vec<ConvId>,
    alive: usize,
    peak_alive: usize,
    pub(crate) agents: IdVec<AgentId, Agent>,
    pub(crate) groups: IdVec<GroupId, GroupRt>,
    pub(crate) skills: Vec<SkillRt>,
    styles: Vec<StylePolicy>,
    returns: Vec<PendingReturn>,
    free_returns: Vec<u32>,
    pub(crate) ring_rng: Xoshiro256PlusPlus,
    next_id: u64,
    next_issue: u64,
    pub(crate) stamp: u64,
    events: u64,
    pub(crate) warmup: f64,
    end: f64,
    pub(crate) rec: Recorder<'a>,
    /// Broken rules seen on the way (checked by `run_checked`).
    pub(crate) violations: Vec<String>,
    /// Why the run stopped early, if it did.
    unstable: Option<String>,
    /// The limit of live conversations ([`MAX_LIVE`] unless set).
    max_live: usize,
    /// A budget shared with other replications, and the units held from it.
    budget: Option<Reservation>,
    /// The limit of events at one instant.
    max_at_instant: u64,
}

/// The replication as the engine's model (a private view, so the events
/// stay private to the crate).
struct Driver<'s, 'a>(&'s mut Sim<'a>);

impl crate::engine::run::Model for Driver<'_, '_> {
    type Event = Ev;
    #[inline]
    fn queue(&mut self) -> &mut EventQueue<Ev> {
        &mut self.0.q
    }
    #[inline]
    fn handle(&mut self, ev: Ev) {
        self.0.dispatch(ev);
    }
    #[inline]
    fn stopped(&self) -> bool {
        self.0.unstable.is_some()
    }
    fn frozen(&mut self, t: f64, ev: Ev) {
        self.0.stop_frozen(t, ev);
    }
}

impl<'a> Sim<'a> {
    /// Prepares replication `rep` of `scn` (0-based).
    pub fn new(scn: &'a Scenario, rep: u32, trace: Option<&'a mut dyn TraceSink>) -> Sim<'a> {
        let streams = Streams::new(scn.seed, rep);
        let mut skills: Vec<SkillRt> = scn
            .skills
            .iter()
            .map(|s| SkillRt {
                queue: VecDeque::new(),
                qlen: 0,
                arrivals: streams.stream(&format!("arrivals/{}", s.name), 0),
                conv_seeds: streams.stream(&format!("conversations/{}", s.name), 0),
                trace_pos: 0,
                day_factors: arrivals::day_factors(
                    &streams,
                    &s.name,
                    s.day_cv,
                    (scn.end() / crate::engine::time::DAY) as usize + 1,
                ),
                groups: Vec::new(),
                channel: s.channel as usize,
            })
            .collect();
        let mut agents: IdVec<AgentId, Agent> = IdVec::default();
        let mut groups: IdVec<GroupId, GroupRt> = IdVec::default();
        for (gi, g) in scn.groups.iter().enumerate() {
            let first = agents.len() as u32;
            for i in 0..g.count {
                let stamp = agents.len() as u64;
                let _ = agents.push(Agent::new(GroupId::new(gi), i, stamp));
            }
            let mut channels = 0u8;
            for &(s, p) in &g.skills {
                skills[s].groups.push((GroupId::new(gi), p));
                channels |= 1 << scn.skills[s].channel as u8;
            }
            let _ = groups.push(GroupRt {
                first_agent: first,
                count: g.count,
                avail: [
                    crate::acd::eligible::Eligible::new(first, g.count),
                    crate::acd::eligible::Eligible::new(first, g.count),
                ],
                queue: VecDeque::new(),
                channels,
                next_shift: Vec::new(),
                skills: g.skills.iter().map(|&(s, _)| s).collect(),
                step: 0,
            });
        }
        let rec = Recorder::new(
            scn,
            rep,
            agents.iter().map(|a| (a.group.ix() as u32, a.index)),
            trace,
        );
        Sim {
            scn,
            q: EventQueue::new(),
            convs: IdVec::default(),
            free_convs: Vec::new(),
            alive: 0,
            peak_alive: 0,
            stamp: agents.len() as u64,
            agents,
            groups,
            skills,
            styles: scn.skills.iter().map(StylePolicy::of).collect(),
            returns: Vec::new(),
            free_returns: Vec::new(),
            ring_rng: streams.stream("ring", 0),
            next_id: 0,
            next_issue: 0,
            events: 0,
            warmup: scn.warmup,
            end: scn.end(),
            rec,
            violations: Vec::new(),
            unstable: None,
            max_live: MAX_LIVE,
            budget: None,
            max_at_instant: MAX_EVENTS_AT_ONE_INSTANT,
        }
    }

    /// Sets the most conversations alive at once before the run stops as
    /// unstable (default [`MAX_LIVE`]).
    pub fn max_live(mut self, n: usize) -> Self {
        self.max_live = n;
        self
    }

    /// Sends every event of the measured period to `sink` (the event log,
    /// [`crate::record::events`]).
    pub fn events(mut self, sink: &'a mut dyn crate::record::events::EventSink) -> Self {
        self.rec.set_events(sink);
        self
    }

    /// Sets the most events at one simulated instant before the run stops
    /// as making no progress (default [`MAX_EVENTS_AT_ONE_INSTANT`]).
    pub fn max_events_at_one_instant(mut self, n: u64) -> Self {
        self.max_at_instant = n;
        self
    }

    /// Shares `budget` of live conversations with the other replications
    /// given it: the run also stops as unstable when the budget is
    /// exhausted. What it holds is given back when the run ends.
    pub fn budget(mut self, budget: &LiveBudget) -> Self {
        self.budget = Some(Reservation {
            budget: budget.clone(),
            units: 0,
        });
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
        let (end, limit) = (self.end, self.max_at_instant);
        self.events = crate::engine::run::run(
            &mut Driver(&mut self),
            end,
            limit,
            &mut |d: &Driver, t, ev| after(d.0, t, ev),
        )?;
        Ok(self.finish())
    }

    /// Simulated time stopped advancing at `t`: the run ends as unstable,
    /// naming the event that keeps recurring.
    #[cold]
    fn stop_frozen(&mut self, t: f64, ev: Ev) {
        let skill_of = |c: ConvId| &self.scn.skills[self.convs[c].skill as usize].name;
        let what = match ev {
            Ev::Arrival { skill } => format!(
                "arrivals of skill `{}`",
                self.scn.skills[skill as usize].name
            ),
            Ev::Patience { conv, .. } => format!("abandonments of skill `{}`", skill_of(conv)),
            Ev::ConsumerMsg { conv, .. } => {
                format!("consumer messages of skill `{}`", skill_of(conv))
            }
            Ev::AutoClose { conv, .. } => format!("auto-closes of skill `{}`", skill_of(conv)),
            Ev::Park { conv, .. } => format!("parks of skill `{}`", skill_of(conv)),
            Ev::StyleClose { conv, .. } => format!(
                "closes of solved conversations of skill `{}`",
                skill_of(conv)
            ),
            Ev::Return { slot } => format!(
                "consumer returns to skill `{}` (a return delay of zero?)",
                self.scn.skills[self.returns[slot as usize].skill as usize].name
            ),
            Ev::Sticky { conv, .. } => format!("sticky waits of skill `{}`", skill_of(conv)),
            Ev::RingTimeout { conv, .. } => format!(
                "ring timeouts of skill `{}` (ring_timeout too small?)",
                skill_of(conv)
            ),
            Ev::Accept { conv, .. } => format!("ring accepts of skill `{}`", skill_of(conv)),
            Ev::ReplyDone { agent, .. } => {
                let ag = &self.agents[agent];
                let group = &self.scn.groups[ag.group.ix()].name;
                match ag.typing {
                    Some(c) => format!(
                        "agent replies in skill `{}` by group `{group}` (an agent effort of zero?)",
                        skill_of(c)
                    ),
                    None => format!("agent replies by group `{group}`"),
                }
            }
            Ev::RampReady { .. } => "ramp-up steps".to_string(),
            Ev::ShiftStart { .. }
            | Ev::ShiftEnd { .. }
            | Ev::CountStep { .. }
            | Ev::WindDown { .. } => "shift changes".to_string(),
            Ev::BreakStart { .. } | Ev::BreakEnd { .. } => "breaks".to_string(),
            Ev::Tick => "report intervals".to_string(),
        };
        self.stop_unstable(format!(
            "simulated time stopped at {} (t = {t} s): more than {} events at one instant, the last among them {what}: \
             the scenario makes no progress (check zero or tiny delays, efforts and timeouts)",
            crate::engine::time::label(t),
            self.max_at_instant,
        ));
    }

    fn stop_unstable(&mut self, why: String) {
        if self.unstable.is_none() {
            self.unstable = Some(why);
        }
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
        .and_then(|r| match &r.unstable {
            Some(why) => Err(why.clone()),
            None => Ok(r),
        })
    }

    /// Runs with the invariants checked after every event (panicking on a
    /// broken one) and returns, besides the result, the timeline of
    /// conversation states: an entry whenever a conversation's state or
    /// agent differs after an event from before it. For scripted tests.
    pub fn run_logged(self) -> (RepResult, Vec<LogEntry>) {
        let mut log = Vec::new();
        let mut snap = Vec::new();
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

    fn dispatch(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival { skill } => self.on_arrival(skill as usize),
            Ev::Patience { conv, key } => {
                if self.convs[conv].timers.patience.fires(key) {
                    self.abandon(conv);
                }
            }
            Ev::ReplyDone { agent, key } => {
                if self.agents[agent].reply.fires(key) {
                    self.on_reply_done(agent);
                }
            }
            Ev::ConsumerMsg { conv, key } => {
                if self.convs[conv].timers.consumer.fires(key) {
                    self.on_consumer_msg(conv);
                }
            }
            Ev::AutoClose { conv, key } => {
                let c = &self.convs[conv];
                if c.timers.auto_close.fires(key) && c.consumer_turn() {
                    self.auto_close(conv);
                }
            }
            Ev::Park { conv, key } => {
                if self.convs[conv].armed(key, State::AwaitConsumer) {
                    self.park(conv);
                }
            }
            Ev::StyleClose { conv, key } => {
                if self.convs[conv].armed(key, State::Solved) {
                    self.close(conv, CloseReason::Timer);
                }
            }
            Ev::Return { slot } => self.on_return(slot),
            Ev::Sticky { conv, key } => {
                if self.convs[conv].armed(key, State::Queued) {
                    self.sticky_expired(conv);
                }
            }
            Ev::RingTimeout { conv, key } => {
                if self.convs[conv].armed(key, State::Offered) {
                    self.ring_timeout(conv);
                }
            }
            Ev::Accept { conv, key } => {
                if self.convs[conv].armed(key, State::Offered) {
                    self.accept(conv);
                }
            }
            Ev::RampReady { agent } => {
                self.refresh(agent);
                self.pull(agent);
            }
            Ev::ShiftStart { group, shift } => self.shift_start(group, shift),
            Ev::ShiftEnd { group, shift } => self.shift_end(group, shift),
            Ev::CountStep { group } => self.count_step(group),
            Ev::WindDown { group, shift } => self.wind_down(group, shift),
            Ev::BreakStart { agent, back_soon } => self.break_start(agent, back_soon),
            Ev::BreakEnd { agent } => self.break_end(agent),
            Ev::Tick => {
                if let Some(next) = self.rec.tick(self.q.now()) {
                    self.q.schedule(next, Ev::Tick);
                }
            }
        }
    }

    // ----- start and finish ------------------------------------------------------

    fn start(&mut self) {
        for s in 0..self.skills.len() {
            self.schedule_next_arrival(s, 0.0);
        }
        if let Some(t) = self.rec.first_tick() {
            self.q.schedule(t, Ev::Tick);
        }
        self.start_staffing();
    }

    fn finish(mut self) -> RepResult {
        // What it held from a shared budget is given back.
        self.budget = None;
        let agents = self
            .agents
            .iter_ids()
            .map(|(a, ag)| (a, ag.status, ag.open));
        self.rec.finish(
            &self.convs,
            agents,
            self.events,
            self.peak_alive,
            self.unstable.take(),
        )
    }

    /// Counts one more live conversation; stops the run as unstable past
    /// the limit (or when a shared budget is exhausted).
    #[inline]
    fn count_alive(&mut self, skill: usize) {
        self.alive += 1;
        if self.alive > self.peak_alive {
            self.peak_alive = self.alive;
            self.new_peak(skill);
        }
    }

    /// A new peak of live conversations: within the limits?
    fn new_peak(&mut self, skill: usize) {
        let mut shared = None;
        if let Some(held) = &mut self.budget
            && self.alive > held.units
        {
            if held.budget.take(1) {
                held.units += 1;
            } else {
                shared = Some(held.budget.limit());
            }
        }
        let limit = match shared {
            Some(limit) => format!(
                "the budget of {limit} conversations alive at once over all replications running together is exhausted"
            ),
            None if self.alive > self.max_live => {
                format!("more than {} conversations alive at once", self.max_live)
            }
            None => return,
        };
        if self.unstable.is_none() {
            let now = self.q.now();
            self.unstable = Some(format!(
                "{limit} at {} (skill `{}`: {} queued): demand far exceeds what the agents can take \
                 (check arrival rates, agent counts, capacities and shifts, or give the skill a patience)",
                crate::engine::time::label(now),
                self.scn.skills[skill].name,
                self.skills[skill].qlen
            ));
        }
    }
}

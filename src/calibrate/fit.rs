//! The estimators: a [`Fitter`] consumes the log's events one at a time and
//! keeps state only for open conversations, agents, groups, skills and the
//! consumers seen within the return window; [`Fitter::finish`] turns its
//! sums and samples into a [`FitResult`].
//!
//! What each estimate is, per skill:
//!
//! - **arrivals**: fresh `arrived` rows (returns and retries, which the
//!   simulator generates itself, excluded) per day of week × interval,
//!   divided by how many times that slot was observed (partial slots at
//!   the log's ends count by the share covered). **`day_cv`**: with
//!   `D_j` a full day's fresh volume and `m_j` the profile's total for that
//!   weekday, a gamma-mixed Poisson has `Var = m + cv² m²`, so
//!   `cv² = Σ((D_j − m_j)² − m_j) / Σ m_j²`, corrected by `W/(W−1)` for
//!   the profile being estimated from the same W weeks (at least two
//!   weeks needed); interval: 500 bootstrap resamples of the days (fixed
//!   seed), percentile method.
//! - **exchanges**: 1 (`arrived`) + `consumer_message` rows until the first
//!   `solved` or `closed`; after a `reopened`, a new count starts.
//! - **consumer reply**: the first `agent_message` after a consumer message
//!   → the next `consumer_message` of that conversation. Replies cut by a
//!   close are not counted (they are the end of the conversation, not
//!   censored replies), which slightly shortens the fit when auto-close
//!   is short.
//! - **patience**: the first wait of each conversation, `arrived` →
//!   `assigned` (censored) or → `abandoned` (an event). See `stats::Survival`.
//! - **agent effort per reply** (no platform records it): an agent's work
//!   list is the set of its conversations whose last consumer message has
//!   no reply yet. The agent types one reply at a time and never idles
//!   while the list is non-empty, so a reply's effort is the time from the
//!   later of (the agent's previous reply, the moment its list became
//!   non-empty) to this reply. This is exact for the simulator. On real
//!   data it is biased **upwards** by pauses the agent takes with work
//!   waiting (other tools, supervisor chats, reading history — all counted
//!   as effort) and **downwards** when agents send one answer as several
//!   messages (each counted as a reply). Ring/accept delays before the
//!   first reply count as effort.
//! - **returns**: `reopened` rows, and new conversations of the same
//!   consumer within the return window after a solve (or a close without
//!   one), per solve; delay from the solve. **retries**: new
//!   conversations of a consumer within the window after an abandonment,
//!   per abandonment. Both are right-censored by the window and the log's
//!   end (not corrected).
//! - **transfers** per agent reply and their targets; **parking**: `parked`
//!   per agent reply, delay from the last reply; **auto-close**: share of
//!   closes with detail `auto_close` and the idle time since the last
//!   agent reply; **style timer**: `solved` → `closed` with detail `timer`;
//!   **response SLA**: `sla=<duration>` in the `detail` of `arrived`,
//!   `consumer_message` or `assigned` (omitted when absent).
//!
//! Per group: skills (from `assigned`), capacity (the maximum concurrent
//! open conversations of one agent per channel: an `assigned` takes a
//! slot; `solved`, `closed`, `parked`, `transferred`, `returned_to_queue`
//! free it; after a consumer message on a parked conversation, its next
//! `assigned` takes it back — or, in a log that records no re-assignment,
//! the agent's next reply, the reply's effort counting from the consumer's
//! message),
//! logged-in agents per slot (login → logout; an agent whose first row is
//! not a login is taken as logged in since the log's start), breaks
//! (`status` away/back_soon → online within a session).

use super::log::{CalibrateError, Event, Kind};
use super::result::*;
use super::stats::{Moments, Reservoir, Survival, fit_counts, fit_durations};
use crate::scenario::schema::parse_duration;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::{BTreeMap, HashMap, VecDeque};

mod finish;
mod staffing;

/// Options of a fit.
#[derive(Clone, Debug)]
pub struct FitOptions {
    /// Profile interval in seconds (default 30 minutes).
    pub interval: f64,
    /// A consumer coming back within this time after a solve, close or
    /// abandonment counts as a return or retry (default 7 days).
    pub return_window: f64,
    /// Reservoir size of each fitted distribution (default 10,000).
    pub reservoir: usize,
    /// Seed of the reservoirs and bootstraps.
    pub seed: u64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            interval: 1800.0,
            return_window: 7.0 * 86_400.0,
            reservoir: 10_000,
            seed: 1,
        }
    }
}

impl FitOptions {
    /// Checks the options: the interval divides a day into whole slots,
    /// the return window is positive.
    pub fn check(&self) -> Result<(), CalibrateError> {
        let i = self.interval;
        if !((1.0..=86_400.0).contains(&i) && (86_400.0 / i).fract() == 0.0) {
            return Err(CalibrateError::Options {
                message: format!(
                    "--interval {i}s: expected a length that divides a day into whole intervals, such as 15m, 30m or 1h"
                ),
            });
        }
        if !(self.return_window > 0.0 && self.return_window.is_finite()) {
            return Err(CalibrateError::Options {
                message: format!(
                    "return window {}s: expected a duration above 0",
                    self.return_window
                ),
            });
        }
        Ok(())
    }
}

const WEEK: f64 = 7.0 * 86_400.0;

/// Observations of one duration: every value summed, a reservoir fitted.
#[derive(Clone, Debug)]
struct Sample {
    res: Reservoir<f64>,
    m: Moments,
}

impl Sample {
    fn new(o: &FitOptions, salt: u64) -> Self {
        Sample {
            res: Reservoir::new(
                o.reservoir,
                o.seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            ),
            m: Moments::default(),
        }
    }
    fn add(&mut self, x: f64) {
        let x = x.max(0.0);
        self.res.push(x);
        self.m.add(x);
    }
    fn fit(&self) -> Option<super::stats::DurationFit> {
        fit_durations(self.res.items(), &self.m)
    }
}

struct SkillAcc {
    name: String,
    channels: [u64; 2],
    slots: Vec<u64>,
    days: BTreeMap<i64, u64>,
    arrivals: u64,
    fresh: u64,
    exchanges: Vec<u64>,
    consumer_reply: Sample,
    effort: Sample,
    patience: Survival,
    handled: u64,
    agent_replies: u64,
    transfers: u64,
    targets: BTreeMap<String, u64>,
    parked: u64,
    park_delay: Sample,
    closes: BTreeMap<String, u64>,
    auto_close_idle: Sample,
    timer: Sample,
    solves: u64,
    reopens: u64,
    returns: u64,
    return_delay: Sample,
    abandoned: u64,
    retries: u64,
    retry_delay: Sample,
    sla: BTreeMap<u64, u64>,
}

struct Conv {
    /// The skill now (a transfer changes it).
    skill: usize,
    /// The skill it arrived in (exchanges are counted there).
    origin: usize,
    arrived: Option<f64>,
    waiting: bool,
    agent: Option<usize>,
    slot: Option<(usize, usize)>,
    parked: bool,
    /// A consumer message came while parked: the slot comes back with the
    /// next `assigned` (or the agent's next reply).
    unparking: bool,
    awaiting_agent: bool,
    in_list: Option<usize>,
    msgs: u32,
    counting: bool,
    reply_since: Option<f64>,
    last_agent_msg: Option<f64>,
    solved_at: Option<f64>,
    consumer: String,
}

struct AgentAcc {
    group: usize,
    session: Option<f64>,
    break_since: Option<f64>,
    open: [u32; 2],
    list: u32,
    busy_since: Option<f64>,
}

struct GroupAcc {
    name: String,
    skills: BTreeMap<usize, u64>,
    assignments: [u64; 2],
    capacity: [u32; 2],
    capacity_total: u32,
    logged: u32,
    max_logged: u32,
    agents: u32,
    has_logins: bool,
    slot_secs: Vec<f64>,
    sessions: u64,
    breaks: u64,
    break_duration: Sample,
    break_after: Sample,
}

struct Memo {
    t: f64,
    skill: usize,
    abandoned: bool,
}

/// The streaming estimator.
pub struct Fitter {
    o: FitOptions,
    file: String,
    slots: usize,
    skills: Vec<SkillAcc>,
    skill_ix: HashMap<String, usize>,
    groups: Vec<GroupAcc>,
    group_ix: HashMap<String, usize>,
    agents: Vec<AgentAcc>,
    agent_ix: HashMap<String, usize>,
    convs: HashMap<String, Conv>,
    ended_unseen: HashMap<String, u64>,
    in_flight: u64,
    consumers: HashMap<String, Memo>,
    consumer_queue: VecDeque<(f64, String)>,
    start: Option<(f64, f64)>,
    last: (f64, f64),
    events: u64,
    /// Whether the log records re-assignments of unparked conversations
    /// (an `assigned` after a parked conversation's consumer message, as
    /// the simulator writes): then an unparked conversation is its agent's
    /// work only once re-assigned.
    reassigns: bool,
}

fn ch(channel: &str) -> Option<usize> {
    match channel {
        "live_chat" => Some(0),
        "messaging" => Some(1),
        _ => None,
    }
}

/// Adds `weight` × the overlap of [a, b) (local seconds) with each week slot.
fn spread(slots: &mut [f64], a: f64, b: f64, interval: f64, weight: f64) {
    let mut t = a;
    while t < b {
        let k = (t / interval).floor();
        let end = ((k + 1.0) * interval).min(b);
        let n = slots.len() as i64;
        slots[(k as i64).rem_euclid(n) as usize] += weight * (end - t);
        t = end;
    }
}

impl Fitter {
    /// A fitter for the log `file` (named in error messages).
    pub fn new(file: &str, o: FitOptions) -> Self {
        let slots = (WEEK / o.interval).round().max(1.0) as usize;
        Fitter {
            o,
            file: file.to_string(),
            slots,
            skills: Vec::new(),
            skill_ix: HashMap::new(),
            groups: Vec::new(),
            group_ix: HashMap::new(),
            agents: Vec::new(),
            agent_ix: HashMap::new(),
            convs: HashMap::new(),
            ended_unseen: HashMap::new(),
            in_flight: 0,
            consumers: HashMap::new(),
            consumer_queue: VecDeque::new(),
            start: None,
            last: (0.0, 0.0),
            events: 0,
            reassigns: false,
        }
    }

    fn err(&self, e: &Event, col: usize, name: &str, message: String) -> CalibrateError {
        CalibrateError::At {
            file: self.file.clone(),
            line: e.line,
            column: col,
            name: name.into(),
            message,
        }
    }

    fn skill(&mut self, name: &str) -> usize {
        if let Some(&i) = self.skill_ix.get(name) {
            return i;
        }
        let o = &self.o;
        let salt = self.skills.len() as u64 * 16;
        self.skills.push(SkillAcc {
            name: name.to_string(),
            channels: [0; 2],
            slots: vec![0; self.slots],
            days: BTreeMap::new(),
            arrivals: 0,
            fresh: 0,
            exchanges: Vec::new(),
            consumer_reply: Sample::new(o, salt + 1),
            effort: Sample::new(o, salt + 2),
            patience: Survival::new(o.reservoir, o.seed ^ (salt + 3)),
            handled: 0,
            agent_replies: 0,
            transfers: 0,
            targets: BTreeMap::new(),
            parked: 0,
            park_delay: Sample::new(o, salt + 4),
            closes: BTreeMap::new(),
            auto_close_idle: Sample::new(o, salt + 5),
            timer: Sample::new(o, salt + 6),
            solves: 0,
            reopens: 0,
            returns: 0,
            return_delay: Sample::new(o, salt + 7),
            abandoned: 0,
            retries: 0,
            retry_delay: Sample::new(o, salt + 8),
            sla: BTreeMap::new(),
        });
        self.skill_ix
            .insert(name.to_string(), self.skills.len() - 1);
        self.skills.len() - 1
    }

    /// Frees the conversation's capacity slot and takes it off its agent's work list.
    fn release(&mut self, c: &mut Conv) {
        if let Some((a, chn)) = c.slot.take() {
            self.agents[a].open[chn] = self.agents[a].open[chn].saturating_sub(1);
        }
        self.unlist(c);
    }

    fn unlist(&mut self, c: &mut Conv) {
        if let Some(a) = c.in_list.take() {
            let ag = &mut self.agents[a];
            ag.list = ag.list.saturating_sub(1);
            if ag.list == 0 {
                ag.busy_since = None;
            }
        }
    }

    /// Puts an assigned conversation awaiting its reply on its agent's work
    /// list (only while it holds a capacity slot: a reopened or transferred
    /// conversation waits for its assignment first).
    fn list(&mut self, c: &mut Conv, t: f64) {
        if let (Some(a), None, true, true) =
            (c.agent, c.in_list, c.awaiting_agent, c.slot.is_some())
        {
            c.in_list = Some(a);
            let ag = &mut self.agents[a];
            ag.list += 1;
            if ag.busy_since.is_none() {
                ag.busy_since = Some(t);
            }
        }
    }

    fn take_slot(&mut self, c: &mut Conv, a: usize) {
        if c.slot.is_some() {
            return;
        }
        let chn = ch(self.skills_channel(c.skill)).unwrap_or(0);
        c.slot = Some((a, chn));
        let ag = &mut self.agents[a];
        ag.open[chn] += 1;
        let (open, g) = (ag.open, ag.group);
        let grp = &mut self.groups[g];
        grp.capacity[chn] = grp.capacity[chn].max(open[chn]);
        grp.capacity_total = grp.capacity_total.max(open[0] + open[1]);
    }

    fn skills_channel(&self, s: usize) -> &'static str {
        let c = self.skills[s].channels;
        if c[1] > c[0] {
            "messaging"
        } else {
            "live_chat"
        }
    }

    fn record_exchanges(&mut self, c: &mut Conv) {
        if c.counting && c.msgs > 0 {
            let h = &mut self.skills[c.origin].exchanges;
            let k = c.msgs as usize;
            if h.len() <= k {
                h.resize(k + 1, 0);
            }
            h[k] += 1;
        }
        c.counting = false;
    }

    fn remember(&mut self, consumer: &str, t: f64, skill: usize, abandoned: bool) {
        if consumer.is_empty() {
            return;
        }
        self.consumers.insert(
            consumer.to_string(),
            Memo {
                t,
                skill,
                abandoned,
            },
        );
        self.consumer_queue.push_back((t, consumer.to_string()));
    }

    fn prune_consumers(&mut self, now: f64) {
        while let Some((t, _)) = self.consumer_queue.front() {
            if *t >= now - self.o.return_window {
                break;
            }
            let (t, k) = self.consumer_queue.pop_front().expect("front exists");
            if self.consumers.get(&k).is_some_and(|m| m.t == t) {
                self.consumers.remove(&k);
            }
        }
    }

    fn take_sla(&mut self, skill: usize, detail: &str) {
        for part in detail.split([';', ' ']) {
            if let Some(v) = part.strip_prefix("sla=").and_then(parse_duration) {
                *self.skills[skill].sla.entry(v.round() as u64).or_insert(0) += 1;
            }
        }
    }

    /// Consumes one event (in log order).
    pub fn push(&mut self, e: &Event) -> Result<(), CalibrateError> {
        self.events += 1;
        if self.start.is_none() {
            self.start = Some((e.t, e.local));
        }
        self.last = (e.t, e.local);
        if self.events.is_multiple_of(4096) {
            self.prune_consumers(e.t);
        }
        if !e.kind.is_conversation() {
            return self.agent_event(e);
        }
        if e.kind == Kind::Arrived {
            return self.arrive(e);
        }
        let Some(c) = self.convs.remove(&e.conversation) else {
            // In flight at the log's start: follow it from here, without
            // its arrival (no exchanges, no patience).
            let skill = self.skill(if e.skill.is_empty() {
                "unknown"
            } else {
                &e.skill
            });
            self.in_flight += 1;
            let c = Conv {
                skill,
                origin: skill,
                arrived: None,
                waiting: false,
                agent: None,
                slot: None,
                parked: false,
                unparking: false,
                awaiting_agent: false,
                in_list: None,
                msgs: 0,
                counting: false,
                reply_since: None,
                last_agent_msg: None,
                solved_at: None,
                consumer: e.consumer.clone(),
            };
            return self.on_conv(e, c);
        };
        if !e.skill.is_empty() && e.kind != Kind::Transferred {
            let s = self.skill(&e.skill);
            if let Some(x) = ch(&e.channel) {
                self.skills[s].channels[x] += 1;
            }
        }
        self.on_conv(e, c)
    }

    fn arrive(&mut self, e: &Event) -> Result<(), CalibrateError> {
        if let Some(line) = self.ended_unseen.get(&e.conversation) {
            return Err(self.err(
                e,
                3,
                "conversation",
                format!(
                    "conversation `{}` ends (line {line}) before it starts (this line)",
                    e.conversation
                ),
            ));
        }
        if self.convs.contains_key(&e.conversation) {
            return Err(self.err(e, 3, "conversation", format!(
                "conversation `{}` arrives again while open (a return after close needs a new conversation id; a reopen is `reopened`)", e.conversation)));
        }
        let skill = self.skill(&e.skill);
        let s = &mut self.skills[skill];
        if let Some(x) = ch(&e.channel) {
            s.channels[x] += 1;
        }
        s.arrivals += 1;
        let memo = self
            .consumers
            .get(&e.consumer)
            .filter(|m| e.t - m.t <= self.o.return_window);
        match memo {
            Some(m) if m.abandoned => {
                let (ms, mt) = (m.skill, m.t);
                self.skills[ms].retries += 1;
                self.skills[ms].retry_delay.add(e.t - mt);
            }
            Some(m) => {
                let (ms, mt) = (m.skill, m.t);
                self.skills[ms].returns += 1;
                self.skills[ms].return_delay.add(e.t - mt);
            }
            None => {
                let slot =
                    ((e.local / self.o.interval).floor() as i64).rem_euclid(self.slots as i64);
                s.slots[slot as usize] += 1;
                s.fresh += 1;
                *s.days
                    .entry((e.local / 86_400.0).floor() as i64)
                    .or_insert(0) += 1;
            }
        }
        self.consumers.remove(&e.consumer);
        self.take_sla(skill, &e.detail);
        self.convs.insert(
            e.conversation.clone(),
            Conv {
                skill,
                origin: skill,
                arrived: Some(e.t),
                waiting: true,
                agent: None,
                slot: None,
                parked: false,
                unparking: false,
                awaiting_agent: true,
                in_list: None,
                msgs: 1,
                counting: true,
                reply_since: None,
                last_agent_msg: None,
                solved_at: None,
                consumer: e.consumer.clone(),
            },
        );
        Ok(())
    }

    fn on_conv(&mut self, e: &Event, mut c: Conv) -> Result<(), CalibrateError> {
        let t = e.t;
        let sk = c.skill;
        match e.kind {
            Kind::Assigned => {
                let a = self.agent(e);
                if c.waiting {
                    c.waiting = false;
                    if let Some(at) = c.arrived {
                        self.skills[sk].patience.add(t - at, false);
                        self.skills[sk].handled += 1;
                    }
                }
                if c.agent != Some(a) {
                    self.release(&mut c);
                }
                c.agent = Some(a);
                c.parked = false;
                self.reassigns |= c.unparking;
                c.unparking = false;
                self.take_slot(&mut c, a);
                self.list(&mut c, t);
                let g = self.agents[a].group;
                *self.groups[g].skills.entry(sk).or_insert(0) += 1;
                let chn = ch(self.skills_channel(sk)).unwrap_or(0);
                self.groups[g].assignments[chn] += 1;
                self.take_sla(sk, &e.detail);
            }
            Kind::ConsumerMessage => {
                if c.counting {
                    c.msgs += 1;
                }
                if let Some(since) = c.reply_since.take() {
                    self.skills[sk].consumer_reply.add(t - since);
                }
                c.awaiting_agent = true;
                if c.parked {
                    // Capacity comes back with the re-assignment, which may
                    // wait (the owner full, a sticky wait, another agent).
                    c.parked = false;
                    c.unparking = true;
                    if !self.reassigns
                        && let Some(a) = c.agent
                        && c.in_list.is_none()
                    {
                        // No re-assignments seen in this log: the reply is
                        // the owner's work from the consumer's message on.
                        c.in_list = Some(a);
                        let ag = &mut self.agents[a];
                        ag.list += 1;
                        ag.busy_since.get_or_insert(t);
                    }
                }
                self.list(&mut c, t);
                self.take_sla(sk, &e.detail);
            }
            Kind::AgentMessage => {
                self.skills[sk].agent_replies += 1;
                let by = if e.agent.is_empty() {
                    c.agent
                } else {
                    Some(self.agent(e))
                };
                if c.unparking {
                    // A log without re-assignments: the agent holds it again.
                    c.unparking = false;
                    if let Some(a) = by {
                        c.agent = Some(a);
                        self.take_slot(&mut c, a);
                    }
                }
                if c.awaiting_agent {
                    c.awaiting_agent = false;
                    if c.in_list.is_some() && c.in_list == by {
                        let a = by.expect("listed");
                        if let Some(b) = self.agents[a].busy_since {
                            self.skills[sk].effort.add(t - b);
                        }
                        self.unlist(&mut c);
                        if self.agents[a].list > 0 {
                            self.agents[a].busy_since = Some(t);
                        }
                    } else {
                        self.unlist(&mut c);
                    }
                    c.reply_since = Some(t);
                } else if let Some(a) = by
                    && self.agents[a].list > 0
                {
                    self.agents[a].busy_since = Some(t);
                }
                c.last_agent_msg = Some(t);
            }
            Kind::Parked => {
                let s = &mut self.skills[sk];
                s.parked += 1;
                if let Some(l) = c.last_agent_msg {
                    s.park_delay.add(t - l);
                }
                c.parked = true;
                if let Some((a, chn)) = c.slot.take() {
                    self.agents[a].open[chn] = self.agents[a].open[chn].saturating_sub(1);
                }
            }
            Kind::Solved => {
                self.record_exchanges(&mut c);
                self.skills[sk].solves += 1;
                c.solved_at = Some(t);
                self.release(&mut c);
            }
            Kind::Reopened => {
                let s = &mut self.skills[sk];
                s.reopens += 1;
                if let Some(at) = c.solved_at.take() {
                    s.returns += 1;
                    s.return_delay.add(t - at);
                }
                c.msgs = 0;
                c.counting = true;
                c.reply_since = None;
            }
            Kind::Transferred => {
                let s = &mut self.skills[sk];
                s.transfers += 1;
                *s.targets.entry(e.skill.clone()).or_insert(0) += 1;
                self.release(&mut c);
                c.agent = None;
                c.skill = self.skill(&e.skill);
            }
            Kind::ReturnedToQueue => {
                self.release(&mut c);
                c.agent = None;
            }
            Kind::Abandoned => {
                if c.waiting
                    && let Some(at) = c.arrived
                {
                    self.skills[sk].patience.add(t - at, true);
                }
                self.skills[sk].abandoned += 1;
                self.release(&mut c);
                self.remember(&c.consumer.clone(), t, sk, true);
                if c.arrived.is_none() {
                    self.ended_unseen.insert(e.conversation.clone(), e.line);
                }
                return Ok(());
            }
            Kind::Closed => {
                let s = &mut self.skills[sk];
                let reason = if e.detail.is_empty() {
                    "unknown"
                } else {
                    e.detail.as_str()
                };
                *s.closes.entry(reason.to_string()).or_insert(0) += 1;
                match reason {
                    "auto_close" => {
                        if let Some(l) = c.last_agent_msg {
                            s.auto_close_idle.add(t - l);
                        }
                    }
                    "timer" => {
                        if let Some(at) = c.solved_at {
                            s.timer.add(t - at);
                        }
                    }
                    _ => {}
                }
                // A timer close follows a solve; without one in the log,
                // the solve came before the log's start (not counted).
                if c.solved_at.is_none() && reason != "timer" {
                    self.skills[sk].solves += 1;
                }
                self.record_exchanges(&mut c);
                self.release(&mut c);
                let at = c.solved_at.unwrap_or(t);
                self.remember(&c.consumer.clone(), at, sk, false);
                if c.arrived.is_none() {
                    self.ended_unseen.insert(e.conversation.clone(), e.line);
                }
                return Ok(());
            }
            _ => unreachable!("agent events are handled apart"),
        }
        self.convs.insert(e.conversation.clone(), c);
        Ok(())
    }
}

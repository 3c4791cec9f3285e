//! The recorder: the model announces what happened (arrived, assigned,
//! replied, closed, abandoned, queue changed, staffing changed, …) and the
//! recorder keeps every statistic of the replication — per skill, per
//! report interval, per agent — and writes the trace. Lifecycle handlers
//! never touch a counter. Calls are statically dispatched.
//!
//! Attribution rules: a conversation's counts go to the skill it arrived
//! at (`origin`) and only if it arrived after the warm-up (`MEASURED`);
//! per interval, arrivals, assignments and abandonments go to the interval
//! of arrival, replies, closes and reopens to the interval they happen in.
//! Agent counts are kept when they happen after the warm-up; time
//! integrals ([`level`]) are clipped to the measured window.

pub mod events;
pub mod groups;
pub mod level;
pub mod trace;

use crate::metrics::{AgentTally, Tally};
use crate::model::agent::{Login, Status};
use crate::model::conversation::{CloseReason, Conv, State, flag};
use crate::model::{AgentId, ConvId, IdVec};
use crate::scenario::Scenario;
use crate::sim::interval::IntervalTally;
use crate::sim::{AgentResult, RepResult};
use groups::GroupLoad;
use level::{Levels, Staffed, Window};
pub use trace::{TraceRow, TraceSink};

/// Time totals of one agent.
struct AgentRecord {
    group: u32,
    index: u32,
    /// Last time the time totals were brought up to date.
    last_t: f64,
    /// Whether the current login reports to `tally[1]` (a two_login
    /// agent's messaging login); a bool, so indexing needs no bounds check.
    tix: bool,
    /// Whether each login counts only its own channel's conversations (a
    /// two_login agent: conversations kept from the other login are not
    /// this login's load).
    split: bool,
    /// Totals per login (index 0 live_chat / the only login, 1 messaging).
    tally: [AgentTally; 2],
}

/// The times known to fall in report interval `k`: the interval of a time
/// is a monotone function of it (a rounded subtraction and division, then
/// a saturating cast and a cap), so every time between two that gave `k`
/// gives `k` as well; the first interval reaches down to −∞ and the last
/// up to +∞. Saves the division and the cast for most attributions (all
/// of them in a one-interval run). Used by the recorder and by the group
/// load ([`groups`]).
#[derive(Clone, Copy)]
pub(super) struct IntervalMemo {
    lo: f64,
    hi: f64,
    k: usize,
}

impl IntervalMemo {
    /// Knows nothing (no time satisfies `lo <= t <= hi`).
    pub(super) const EMPTY: IntervalMemo = IntervalMemo {
        lo: f64::INFINITY,
        hi: f64::NEG_INFINITY,
        k: usize::MAX,
    };

    /// The interval of `t`: remembered, or `compute(t)` (monotone in `t`,
    /// at most `last`) and remembered.
    #[inline]
    pub(super) fn get(&mut self, t: f64, last: usize, compute: impl FnOnce(f64) -> usize) -> usize {
        if self.lo <= t && t <= self.hi {
            return self.k;
        }
        self.learn(t, last, compute(t))
    }

    /// The interval of every time in `[a, b]`, if both ends are known to
    /// fall in the same one.
    #[inline]
    pub(super) fn covers(&self, a: f64, b: f64) -> Option<usize> {
        (self.lo <= a && b <= self.hi).then_some(self.k)
    }

    /// `t` is in interval `k`.
    #[cold]
    fn learn(&mut self, t: f64, last: usize, k: usize) -> usize {
        if k == self.k {
            self.lo = self.lo.min(t);
            self.hi = self.hi.max(t);
        } else {
            *self = IntervalMemo { lo: t, hi: t, k };
        }
        if k == 0 {
            self.lo = f64::NEG_INFINITY;
        }
        if k == last {
            self.hi = f64::INFINITY;
        }
        k
    }
}

impl AgentRecord {
    /// The open conversations that load the current login.
    #[inline]
    fn load(&self, open: [u32; 2]) -> u32 {
        if self.split {
            open[self.tix as usize]
        } else {
            open[0] + open[1]
        }
    }
}

/// The statistics of one replication in progress.
pub struct Recorder<'a> {
    scn: &'a Scenario,
    rep: u32,
    win: Window,
    n_intervals: usize,
    cur_interval: usize,
    memo: IntervalMemo,
    tally: Vec<Tally>,
    intervals: Vec<IntervalTally>,
    levels: Levels,
    agents: Vec<AgentRecord>,
    /// Per-interval load per group and login.
    group_load: GroupLoad,
    trace: Option<&'a mut dyn TraceSink>,
    /// The event log (`--events`), see [`events`].
    events: Option<events::EventLog<'a>>,
}

impl<'a> Recorder<'a> {
    /// A recorder for replication `rep` of `scn`; `agents` lists each
    /// agent's (group, index within the group).
    pub fn new(
        scn: &'a Scenario,
        rep: u32,
        agents: impl Iterator<Item = (u32, u32)>,
        trace: Option<&'a mut dyn TraceSink>,
    ) -> Recorder<'a> {
        let ns = scn.skills.len();
        let n_intervals = ((scn.horizon / scn.interval).ceil() as usize).max(1);
        Recorder {
            scn,
            rep,
            win: Window {
                warmup: scn.warmup,
                end: scn.end(),
            },
            n_intervals,
            cur_interval: 0,
            memo: IntervalMemo::EMPTY,
            tally: vec![Tally::default(); ns],
            intervals: vec![IntervalTally::default(); n_intervals * ns],
            levels: Levels::new(ns, n_intervals),
            agents: agents
                .map(|(group, index)| AgentRecord {
                    group,
                    index,
                    last_t: 0.0,
                    tix: false,
                    split: false,
                    tally: Default::default(),
                })
                .collect(),
            group_load: GroupLoad::new(scn, n_intervals),
            trace,
            events: None,
        }
    }

    /// The measured window.
    #[inline]
    pub fn window(&self) -> Window {
        self.win
    }

    #[inline]
    fn measured(&self, now: f64) -> bool {
        now >= self.win.warmup
    }

    /// The report interval of time `t` (times are attributed to intervals
    /// of arrival as well as to the current one, so `t` may lie before
    /// `cur_interval`).
    #[inline]
    fn interval_of(&mut self, t: f64) -> usize {
        let (warmup, interval, last) = (self.win.warmup, self.scn.interval, self.n_intervals - 1);
        self.memo
            .get(t, last, |t| (((t - warmup) / interval) as usize).min(last))
    }

    /// The row of `skill` in the interval of time `t`.
    #[inline]
    fn row(&mut self, t: f64, skill: usize) -> &mut IntervalTally {
        let i = self.interval_of(t) * self.tally.len() + skill;
        &mut self.intervals[i]
    }

    #[inline]
    fn flush_levels(&mut self, now: f64) {
        let (win, cur) = (self.win, self.cur_interval);
        self.levels
            .flush(now, &win, cur, &mut self.tally, &mut self.intervals);
    }

    // ----- report intervals ------------------------------------------------------

    /// When the first interval ends, if there are several.
    pub fn first_tick(&self) -> Option<f64> {
        (self.n_intervals > 1).then(|| self.win.warmup + self.scn.interval)
    }

    /// A report interval ends now; returns when the next one ends, if it does.
    pub fn tick(&mut self, now: f64) -> Option<f64> {
        self.flush_levels(now);
        if self.cur_interval + 1 >= self.n_intervals {
            return None;
        }
        self.cur_interval += 1;
        let ns = self.tally.len();
        let base = self.cur_interval * ns;
        let l = &mut self.levels;
        for ((row, &q), &o) in self.intervals[base..base + ns]
            .iter_mut()
            .zip(&l.qlen)
            .zip(&l.owner_q)
        {
            row.queue_max = q;
            row.split_max.see(q, o);
        }
        l.total_q_max_iv[self.cur_interval] = l.total_q;
        l.total_split_max_iv[self.cur_interval].see(l.total_q, l.total_owner_q);
        Some(self.win.warmup + (self.cur_interval + 1) as f64 * self.scn.interval)
    }

    // ----- conversations ---------------------------------------------------------

    /// A conversation arrived at `skill` (a new issue, or a return).
    #[inline]
    pub fn arrived(&mut self, now: f64, skill: usize, new_issue: bool) {
        if !self.measured(now) {
            return;
        }
        let unroutable = self.levels.staffed[skill].online == 0;
        let t = &mut self.tally[skill];
        t.offered += 1;
        if new_issue {
            t.issues += 1;
        }
        t.unroutable += unroutable as u64;
        let row = self.row(now, skill);
        row.offered += 1;
        row.unroutable += unroutable as u64;
    }

    /// A conversation left its first wait for an agent after `wait` seconds.
    #[inline]
    pub fn first_assigned(&mut self, conv: &Conv, wait: f64) {
        if !conv.has(flag::MEASURED) {
            return;
        }
        let s = conv.origin as usize;
        let within = wait <= self.scn.skills[s].service_level;
        let t = &mut self.tally[s];
        t.handled += 1;
        t.asa_sum += wait;
        t.queue_time_sum += wait;
        t.waited += (wait > 0.0) as u64;
        t.handled_within_sl += within as u64;
        let row = self.row(conv.arrival, s);
        row.handled += 1;
        row.asa_sum += wait;
        row.handled_within_sl += within as u64;
    }

    /// A conversation left the queue unassigned (its agent labels are
    /// looked up for the trace).
    #[inline]
    pub fn abandoned(&mut self, now: f64, conv: &Conv) {
        if !conv.has(flag::MEASURED) {
            return;
        }
        let s = conv.origin as usize;
        // After a re-queue (SPEC §10) its first wait is already counted
        // (handled): only the abandonment itself counts.
        let first = conv.has(flag::FIRST_WAIT);
        let wait = now - conv.arrival;
        let within = first && wait <= self.scn.skills[s].service_level;
        let t = &mut self.tally[s];
        t.abandoned += 1;
        if first {
            t.waited += 1;
            t.queue_time_sum += wait;
        }
        t.abandoned_within_sl += within as u64;
        let row = self.row(conv.arrival, s);
        row.abandoned += 1;
        row.abandoned_within_sl += within as u64;
        self.emit(conv, "abandoned", CloseReason::Abandoned.name(), now);
    }

    /// A consumer who abandoned started a new conversation of skill
    /// `skill` now (`retry`, SPEC §11).
    #[inline]
    pub fn retried(&mut self, now: f64, skill: usize) {
        if !self.measured(now) {
            return;
        }
        self.tally[skill].retries += 1;
        self.row(now, skill).retries += 1;
    }

    /// The agent sent a reply; `first` if it is the conversation's first.
    #[inline]
    pub fn replied(&mut self, now: f64, conv: &Conv, first: bool) {
        if !conv.has(flag::MEASURED) {
            return;
        }
        let s = conv.origin as usize;
        let response = now - conv.msg_at;
        let overdue = (now > conv.deadline) as u64;
        let target = self.scn.skills[s].first_response_target;
        let i = self.interval_of(now) * self.tally.len() + s;
        let (t, row) = (&mut self.tally[s], &mut self.intervals[i]);
        t.replies += 1;
        t.response_sum += response;
        t.overdue += overdue;
        row.replies += 1;
        row.response_sum += response;
        row.overdue += overdue;
        if first {
            let first = now - conv.arrival;
            t.first_response_n += 1;
            t.first_response_sum += first;
            t.first_response_within += (first <= target) as u64;
            t.first_response_hist.add(first);
            row.first_response_n += 1;
            row.first_response_sum += first;
        } else {
            let within = 1 - overdue;
            t.next_response_n += 1;
            t.next_response_sum += response;
            t.next_response_within += within;
            t.next_response_hist.add(response);
            row.next_response_n += 1;
            row.next_response_sum += response;
            row.next_response_within += within;
        }
    }

    /// A measured conversation's event that only counts (`f` picks the counter).
    #[inline]
    fn count(&mut self, conv: &Conv, f: impl FnOnce(&mut Tally)) {
        if conv.has(flag::MEASURED) {
            f(&mut self.tally[conv.origin as usize]);
        }
    }

    /// Offered to an agent (ring mode).
    #[inline]
    pub fn rang(&mut self, conv: &Conv) {
        self.count(conv, |t| t.rings += 1);
    }

    /// A ring ended (accepted, timed out, withdrawn or abandoned).
    #[inline]
    pub fn ring_ended(&mut self, now: f64, conv: &Conv) {
        self.count(conv, |t| t.ring_time += now - conv.ring_since);
    }

    /// The ringing agent accepted.
    #[inline]
    pub fn ring_accepted(&mut self, conv: &Conv) {
        self.count(conv, |t| t.ring_accepts += 1);
    }

    /// The ring timed out (or was withdrawn).
    #[inline]
    pub fn ring_timed_out(&mut self, conv: &Conv) {
        self.count(conv, |t| t.ring_timeouts += 1);
    }

    /// Parked: its slot is freed.
    #[inline]
    pub fn parked(&mut self, conv: &Conv) {
        self.count(conv, |t| t.parks += 1);
    }

    /// Adds a solved conversation's time to its last solve (arrival →
    /// `conv.solved_at`), once per conversation: when it closes, or at the
    /// end of the run if it is still in the system.
    #[inline]
    fn count_solve(&mut self, conv: &Conv) {
        if !conv.solved_at.is_nan() {
            self.count(conv, |t| {
                t.solved += 1;
                t.solve_time_sum += conv.solved_at - conv.arrival;
            });
        }
    }

    /// A consumer return reopened it.
    #[inline]
    pub fn reopened(&mut self, now: f64, conv: &Conv) {
        if conv.has(flag::MEASURED) {
            let s = conv.origin as usize;
            self.tally[s].reopens += 1;
            self.row(now, s).reopens += 1;
        }
    }

    /// Auto-closed, and its agent resumed it at once.
    #[inline]
    pub fn resumed(&mut self, conv: &Conv) {
        self.count(conv, |t| {
            t.auto_closed += 1;
            t.resumed += 1;
        });
    }

    /// Transferred by its agent (called before the conversation is marked
    /// [`flag::TRANSFERRED`], so its first transfer also counts it as a
    /// transferred conversation).
    #[inline]
    pub fn transferred(&mut self, conv: &Conv) {
        let once = !conv.has(flag::TRANSFERRED) as u64;
        self.count(conv, |t| {
            t.transfers += 1;
            t.transferred += once;
        });
    }

    /// Returned to the queue by its agent (or a logout).
    #[inline]
    pub fn returned_to_queue(&mut self, conv: &Conv) {
        self.count(conv, |t| t.returned_to_queue += 1);
    }

    /// Kept by its agent through a logout.
    pub fn kept_at_logout(&mut self, conv: &Conv) {
        self.count(conv, |t| t.kept_at_logout += 1);
    }

    /// Its agent logged in again after `waited` seconds away.
    pub fn kept_waited(&mut self, conv: &Conv, waited: f64) {
        self.count(conv, |t| t.kept_wait_sum += waited);
    }

    /// Closed for `reason` (after its agent was released).
    #[inline]
    pub fn closed(&mut self, now: f64, conv: &Conv, reason: CloseReason) {
        if !conv.has(flag::MEASURED) {
            return;
        }
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
        self.count_solve(conv);
        let row = self.row(now, s);
        row.closed += 1;
        row.handle_sum += conv.handle;
        row.effort_sum += conv.effort;
        row.resolution_sum += now - conv.arrival;
        row.auto_closed += (reason == CloseReason::AutoClose) as u64;
        self.emit(conv, "closed", reason.name(), now);
    }

    /// Writes a trace row if a trace is asked for.
    #[inline]
    fn emit(&mut self, c: &Conv, state: &'static str, reason: &'static str, end: f64) {
        if self.trace.is_some() {
            self.write_row(c, state, reason, end);
        }
    }

    #[cold]
    fn write_row(&mut self, c: &Conv, state: &'static str, reason: &'static str, end: f64) {
        let Some(sink) = self.trace.as_mut() else {
            return;
        };
        let agent = match c.last_agent() {
            None => String::new(),
            Some(a) => {
                let ag = &self.agents[a.ix()];
                format!("{}#{}", self.scn.groups[ag.group as usize].name, ag.index)
            }
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

    // ----- levels ----------------------------------------------------------------

    /// The queue of `skill` changed by `delta` (±1): the ACD queue, or with
    /// `owner` the conversations waiting for their previous agent (`sticky`).
    #[inline]
    pub fn queue_changed(&mut self, now: f64, skill: usize, delta: i64, owner: bool) {
        self.flush_levels(now);
        let measured = self.measured(now);
        let l = &mut self.levels;
        l.qlen[skill] = (l.qlen[skill] as i64 + delta) as u64;
        l.total_q = (l.total_q as i64 + delta) as u64;
        if owner {
            l.owner_q[skill] = (l.owner_q[skill] as i64 + delta) as u64;
            l.total_owner_q = (l.total_owner_q as i64 + delta) as u64;
        }
        // A queue that shrinks raises no maximum once its level before the
        // change was seen in the measured period: skipping is exact.
        if measured && !(delta < 0 && l.q_seen[skill]) {
            l.q_seen[skill] = true;
            let (ql, ol) = (l.qlen[skill], l.owner_q[skill]);
            let t = &mut self.tally[skill];
            t.queue_max = t.queue_max.max(ql);
            t.split_max.see(ql, ol);
            let row = &mut self.intervals[self.cur_interval * self.tally.len() + skill];
            row.queue_max = row.queue_max.max(ql);
            row.split_max.see(ql, ol);
            l.total_q_max = l.total_q_max.max(l.total_q);
            let m = &mut l.total_q_max_iv[self.cur_interval];
            *m = (*m).max(l.total_q);
            l.total_split_max.see(l.total_q, l.total_owner_q);
            l.total_split_max_iv[self.cur_interval].see(l.total_q, l.total_owner_q);
        }
    }

    /// A conversation of `skill` left a queue wait that began at `since`
    /// (`owner`: a wait for its previous agent). Little's law: these sum to
    /// the integral of the queue length.
    #[inline]
    pub fn queue_left(&mut self, now: f64, skill: usize, since: f64, owner: bool) {
        self.tally[skill].queue_wait_sum += self.win.span(since, now);
        self.queue_changed(now, skill, -1, owner);
    }

    /// An agent of group `group` changed status or login: the staffing of
    /// its skills' channels and of the `all` scope.
    pub fn staffing_changed(
        &mut self,
        now: f64,
        group: usize,
        before: (Status, Login),
        after: (Status, Login),
    ) {
        self.flush_levels(now);
        // Channels counted as online and as logged in.
        let counted = |(st, login): (Status, Login)| {
            let on = if st.online() { login } else { 0 };
            let li = if st.logged_in() { login } else { 0 };
            (on, li)
        };
        let (b, a) = (counted(before), counted(after));
        let step = |n: &mut u64, was: bool, is: bool| match (was, is) {
            (false, true) => *n += 1,
            (true, false) => *n -= 1,
            _ => {}
        };
        let l = &mut self.levels;
        step(&mut l.agents.online, b.0 != 0, a.0 != 0);
        if b.0 != a.0 {
            for &(s, _) in &self.scn.groups[group].skills {
                let bit = 1u8 << self.scn.skills[s].channel as u8;
                step(&mut l.staffed[s].online, b.0 & bit != 0, a.0 & bit != 0);
            }
        }
        step(&mut l.agents.logged_in, b.1 != 0, a.1 != 0);
        if b.1 != a.1 {
            for &(s, _) in &self.scn.groups[group].skills {
                let bit = 1u8 << self.scn.skills[s].channel as u8;
                step(&mut l.staffed[s].logged_in, b.1 & bit != 0, a.1 & bit != 0);
            }
        }
    }

    /// Agents with `skill` online and logged in now.
    pub fn staffed(&self, skill: usize) -> Staffed {
        self.levels.staffed[skill]
    }

    // ----- agents ----------------------------------------------------------------

    /// Brings an agent's time totals up to `now`, under the status and load
    /// it had until now. Called by the model before every change of either.
    #[inline]
    pub fn agent_time(&mut self, a: AgentId, now: f64, status: Status, open: [u32; 2]) {
        let win = self.win;
        let r = &mut self.agents[a.ix()];
        let open = r.load(open);
        let dt = win.span(r.last_t, now);
        r.last_t = now;
        if dt == 0.0 || status == Status::Offline {
            return;
        }
        let t = &mut r.tally[r.tix as usize];
        t.logged_in += dt;
        if status == Status::Online {
            t.online += dt;
        }
        let open = open as f64;
        t.open_area += open * dt;
        let (g, m, b) = (r.group, r.tix, now.min(win.end));
        self.group_load.span(g, m, b - dt, b, |row, d| {
            row.logged_in += d;
            row.open_area += open * d;
        });
    }

    /// The agent logs in to `login`; a two_login agent's logins report
    /// apart, each with its own channel's conversations only.
    pub fn agent_login(&mut self, a: AgentId, two_login: bool, login: Login) {
        let r = &mut self.agents[a.ix()];
        r.split = two_login;
        r.tix = two_login && login == 0b10;
    }

    #[inline]
    fn agent_tally(&mut self, a: AgentId) -> &mut AgentTally {
        let r = &mut self.agents[a.ix()];
        &mut r.tally[r.tix as usize]
    }

    /// A conversation was assigned to the agent, who now holds `open` (per
    /// channel); `new_to_agent` unless this agent held it before (an unpark,
    /// a reopen, a kept or returned conversation coming back).
    #[inline]
    pub fn agent_assigned(&mut self, a: AgentId, now: f64, open: [u32; 2], new_to_agent: bool) {
        if self.measured(now) {
            let r = &mut self.agents[a.ix()];
            let open = r.load(open);
            let t = &mut r.tally[r.tix as usize];
            t.assignments += 1;
            t.conversations += new_to_agent as u64;
            t.max_open = t.max_open.max(open);
        }
    }

    /// A conversation rang at the agent, who will ignore it or not.
    #[inline]
    pub fn agent_rang(&mut self, a: AgentId, now: f64, ignored: bool) {
        if self.measured(now) {
            let t = self.agent_tally(a);
            t.rings += 1;
            t.rings_ignored += ignored as u64;
        }
    }

    /// The agent typed for `typed` measured seconds and sent the reply
    /// (`sent`) or was interrupted.
    #[inline]
    pub fn agent_typed(&mut self, a: AgentId, now: f64, typed: f64, sent: bool) {
        let measured = self.measured(now);
        let t = self.agent_tally(a);
        t.effort += typed;
        if sent && measured {
            t.replies += 1;
        }
        let r = &self.agents[a.ix()];
        let (g, m, b) = (r.group, r.tix, now.min(self.win.end));
        self.group_load
            .span(g, m, b - typed, b, |row, d| row.effort += d);
    }

    // ----- the end ---------------------------------------------------------------

    /// Brings every total up to the end, writes the trace rows of the
    /// conversations still in the system, and returns the result.
    pub fn finish(
        mut self,
        convs: &IdVec<ConvId, Conv>,
        agents: impl Iterator<Item = (AgentId, Status, [u32; 2])>,
        events: u64,
        peak_conversations: usize,
        unstable: Option<String>,
    ) -> RepResult {
        let end = self.win.end;
        self.flush_levels(end);
        for (a, status, open) in agents {
            self.agent_time(a, end, status, open);
        }
        for c in convs.iter() {
            if c.state == State::Queued {
                let w = (end - c.q_since.max(self.win.warmup)).max(0.0);
                self.tally[c.skill as usize].queue_wait_sum += w;
            }
        }
        let ns = self.tally.len();
        let mut in_sys = vec![0u64; ns];
        for c in convs.iter() {
            if !matches!(c.state, State::Closed | State::Abandoned) && c.has(flag::MEASURED) {
                in_sys[c.origin as usize] += 1;
                self.count_solve(c);
                self.emit(c, c.state.name(), "", end);
            }
        }
        let mut skills = std::mem::take(&mut self.tally);
        for (t, n) in skills.iter_mut().zip(&in_sys) {
            t.in_system_end = *n;
        }
        let mut all = Tally::default();
        for t in &skills {
            all.merge(t);
        }
        all.queue_max = self.levels.total_q_max;
        all.split_max = self.levels.total_split_max;
        // An agent with several skills counts once.
        all.online_area = self.levels.agents_area.online;
        all.logged_in_area = self.levels.agents_area.logged_in;
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
            all.queue_max = self.levels.total_q_max_iv[k];
            all.split_max = self.levels.total_split_max_iv[k];
            all.online_area = self.levels.agents_area_iv[k].online;
            all.logged_in_area = self.levels.agents_area_iv[k].logged_in;
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
            group_intervals: std::mem::take(&mut self.group_load.rows),
            skills,
            agents_all,
            agents,
            intervals,
            events,
            conservation,
            peak_conversations,
            unstable,
        }
    }
}

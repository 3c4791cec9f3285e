//! The ACD: routing (SPEC §4). Three decisions, as in ContactCenters'
//! router: select an agent for a waiting conversation (`select`), select
//! the queue an agent serves next (`pull`: its sticky conversations, its
//! group's transfers, then its skills' queues by priority and waiting
//! time), and select the reply an agent types next (the SLA-sorted work
//! list, `start_next` in `sim::work`). Ring mode is in `ring`, the
//! eligible-agent heap in [`eligible`].
//!
//! Agent selection (SPEC §4), among the agents that can take the
//! conversation: `most_available` — the most free slots in its channel,
//! then the earliest last assignment, then the lowest index;
//! `longest_idle` — the earliest time the agent last became free for more
//! work (login, break end, or a conversation leaving its capacity; an
//! assignment does not reset it), then the lowest index; `round_robin` —
//! the agent assigned least recently (in assignment order, whatever its
//! load), then the lowest index.
//!
//! Eligible agents are kept per group and channel in an indexed heap keyed
//! by the selection rule, so choosing an agent costs O(groups with the
//! skill · log agents), not a scan of every agent. Ranks end with the
//! agent index: ties are deterministic.

pub mod eligible;
mod ring;

use crate::model::conversation::{State, flag};
use crate::model::{AgentId, ConvId, GroupId, Id};
use crate::scenario::{Accept, Selection};
use crate::sim::Sim;
use eligible::{Eligible, Rank};

/// Queues compact their stale entries once longer than this and four
/// times the live queue.
const COMPACT_AT: usize = 64;

impl Sim<'_> {
    /// The agent's selection rank for a new conversation of channel `ch`,
    /// or None if it cannot take one now (see [`crate::model::agent::Agent::free_for`]).
    #[inline]
    fn rank(&self, a: AgentId, ch: usize) -> Option<Rank> {
        let ag = &self.agents[a];
        let g = &self.scn.groups[ag.group.ix()];
        let free = ag.free_for(ch, self.q.now(), &g.capacity, g.capacity_total)?;
        let i = a.ix() as u32;
        Some(match self.scn.routing.agent_selection {
            Selection::MostAvailable => (u32::MAX - free, ag.last_assign.to_bits(), i),
            // Times are >= 0, so their bits order as the times do.
            Selection::LongestIdle => (0, ag.idle_since.to_bits(), i),
            Selection::RoundRobin => (0, ag.assign_stamp, i),
        })
    }

    /// Whether the agent can take a new conversation of channel `ch` now.
    #[inline]
    fn can_take(&self, a: AgentId, ch: usize) -> bool {
        let ag = &self.agents[a];
        let g = &self.scn.groups[ag.group.ix()];
        ag.free_for(ch, self.q.now(), &g.capacity, g.capacity_total)
            .is_some()
    }

    /// Whether anything waits that this agent could take: its sticky
    /// conversations, its group's transfers, or its skills' queues. A cheap
    /// test that lets `pull` stop at once in the common case of empty queues.
    #[inline]
    fn work_waits_for(&self, a: AgentId) -> bool {
        let ag = &self.agents[a];
        if !ag.sticky.is_empty() {
            return true;
        }
        let g = &self.groups[ag.group];
        !g.queue.is_empty() || g.skills.iter().any(|&s| self.skills[s].qlen > 0)
    }

    /// Puts the agent in (or takes it out of) its group's eligible sets.
    pub(crate) fn refresh(&mut self, a: AgentId) {
        let g = self.agents[a].group;
        let channels = self.groups[g].channels;
        for ch in 0..2 {
            if channels & (1 << ch) == 0 {
                continue;
            }
            let k = self.rank(a, ch);
            let ag = &mut self.agents[a];
            if k != ag.rank[ch] {
                ag.rank[ch] = k;
                self.groups[g].avail[ch].set(a.ix() as u32, k);
            }
        }
    }

    /// select_agent: the best eligible agent for a conversation, if any. In
    /// ring mode the agents that ignored it are skipped until every eligible
    /// agent has had it; then a new round starts, skipping only the last one.
    pub(crate) fn select(&self, c: ConvId) -> Option<AgentId> {
        let conv = &self.convs[c];
        let ch = self.channel(c);
        if conv.ignored.is_empty() {
            // The common case: the best head of the groups' sets.
            return self.best_head(c, ch, Eligible::first);
        }
        let ignored = |a: u32| conv.ignored.contains(&AgentId::new(a as usize));
        self.best_head(c, ch, |e| e.first_where(&ignored))
            .or_else(|| {
                let last = conv.ignored.last().expect("non-empty").ix() as u32;
                self.best_head(c, ch, |e| e.first_where(&|a| a == last))
            })
    }

    /// The best of the ranks `head` reads from the channel-`ch` eligible
    /// set of each group that may take conversation `c` (its transfer
    /// target, or its skill's groups).
    #[inline]
    fn best_head(
        &self,
        c: ConvId,
        ch: usize,
        head: impl Fn(&Eligible) -> Option<Rank>,
    ) -> Option<AgentId> {
        let conv = &self.convs[c];
        let best = match conv.target_group {
            Some(g) => head(&self.groups[g].avail[ch]),
            None => self.skills[conv.skill as usize]
                .groups
                .iter()
                .filter_map(|&(g, _)| head(&self.groups[g].avail[ch]))
                .min(),
        };
        best.map(|k| AgentId::new(k.2 as usize))
    }

    /// Routes a waiting conversation to an agent now; false if none is eligible.
    pub(crate) fn try_route(&mut self, c: ConvId) -> bool {
        match self.select(c) {
            Some(a) => {
                self.hand_over(c, a);
                true
            }
            None => false,
        }
    }

    /// Assigns (auto) or offers (ring) a conversation to an agent.
    pub(crate) fn hand_over(&mut self, c: ConvId, a: AgentId) {
        self.ramp_tick(a);
        if self.scn.routing.accept == Accept::Ring {
            self.offer(c, a);
        } else {
            self.assign(c, a);
        }
    }

    fn ramp_tick(&mut self, a: AgentId) {
        if let Some((_, interval)) = self.scn.routing.ramp_up {
            let ag = &mut self.agents[a];
            if ag.ramp_left > 0 {
                ag.ramp_left -= 1;
                ag.ramp_next = self.q.now() + interval;
                self.q
                    .schedule(ag.ramp_next, crate::sim::Ev::RampReady { agent: a });
            }
        }
    }

    /// Puts a conversation at the end (or front) of its queue.
    pub(crate) fn enqueue(&mut self, c: ConvId, front: bool) {
        let now = self.q.now();
        let conv = &mut self.convs[c];
        conv.go(State::Queued);
        if !front {
            conv.enqueued = now;
        }
        let entry = (c, conv.timers.state.key());
        let (s, tg) = (conv.skill as usize, conv.target_group);
        let queue = match tg {
            Some(g) => &mut self.groups[g].queue,
            None => &mut self.skills[s].queue,
        };
        if front {
            queue.push_front(entry);
        } else {
            queue.push_back(entry);
        }
        self.queue_enter(c, false);
        // Compact stale entries (abandoned, assigned elsewhere) so the deque
        // stays proportional to the live queue.
        let live = self.skills[s].qlen as usize;
        let convs = &self.convs;
        let queue = match tg {
            Some(g) => &mut self.groups[g].queue,
            None => &mut self.skills[s].queue,
        };
        if queue.len() > COMPACT_AT && queue.len() > 4 * live {
            queue.retain(|&(c, key)| convs[c].armed(key, State::Queued));
        }
    }

    /// A conversation enters a queue of its skill, or with `owner` its
    /// sticky wait for its previous agent.
    #[inline]
    pub(crate) fn queue_enter(&mut self, c: ConvId, owner: bool) {
        let now = self.q.now();
        self.convs[c].q_since = now;
        let s = self.convs[c].skill as usize;
        self.skills[s].qlen += 1;
        self.rec.queue_changed(now, s, 1, owner);
    }

    /// A conversation leaves its queue (`owner`: its sticky wait).
    #[inline]
    pub(crate) fn queue_leave(&mut self, c: ConvId, owner: bool) {
        let now = self.q.now();
        let conv = &self.convs[c];
        let (s, since) = (conv.skill as usize, conv.q_since);
        self.skills[s].qlen -= 1;
        self.rec.queue_left(now, s, since, owner);
    }

    /// A conversation that needs its owner again (unparked, reopened):
    /// the previous agent if it can take it now, else wait for it up to
    /// `sticky`, else anyone.
    pub(crate) fn route_returning(&mut self, c: ConvId) {
        let now = self.q.now();
        let conv = &self.convs[c];
        let prev = if conv.state == State::Parked {
            conv.agent
        } else {
            conv.prev_agent
        };
        let ch = self.channel(c);
        if let Some(p) = prev
            && self.rank(p, ch).is_some()
        {
            self.assign(c, p);
            return;
        }
        let sticky = self.scn.routing.sticky;
        let conv = &mut self.convs[c];
        conv.prev_agent = prev;
        conv.agent = None;
        conv.go(State::Queued);
        match prev {
            // An owner winding down before its logout takes nothing new:
            // waiting for it would only delay the consumer.
            Some(p) if sticky > 0.0 && !self.agents[p].winding_down => {
                conv.enqueued = now;
                let key = conv.timers.state.key();
                self.agents[p].sticky.push_back((c, key));
                self.queue_enter(c, true);
                self.q
                    .schedule_fixed(sticky, crate::sim::Ev::Sticky { conv: c, key });
            }
            _ => {
                if !self.try_route(c) {
                    self.enqueue(c, false);
                }
            }
        }
    }

    /// The sticky wait for the previous agent ended: anyone may take it.
    pub(crate) fn sticky_expired(&mut self, c: ConvId) {
        self.convs[c].go(State::Queued);
        self.queue_leave(c, true);
        if !self.try_route(c) {
            self.enqueue(c, false);
        }
    }

    /// Assignment proper: the conversation enters the agent's capacity and,
    /// if a consumer message waits, its work list.
    pub(crate) fn assign(&mut self, c: ConvId, a: AgentId) {
        let now = self.q.now();
        let ch = self.channel(c);
        let conv = &mut self.convs[c];
        if conv.has(flag::FIRST_WAIT) {
            conv.set(flag::FIRST_WAIT, false);
            conv.set(flag::HANDLED, true);
            let wait = now - conv.arrival;
            conv.wait = wait;
            self.rec.first_assigned(&self.convs[c], wait);
        }
        let conv = &mut self.convs[c];
        let new_to_agent = conv.new_to_agent(a);
        // An agent has it: the consumer no longer waits (patience ends).
        conv.timers.patience.cancel();
        conv.target_group = None;
        conv.ignored.clear();
        conv.agent = Some(a);
        conv.open_since = now;
        let pending = conv.has(flag::PENDING_MSG);
        if pending {
            conv.set(flag::PENDING_MSG, false);
            conv.go(State::AwaitAgent);
        } else {
            conv.go(State::AwaitConsumer);
        }
        if !self.agents[a].status.online() || self.agents[a].winding_down {
            self.assigned_unavailable(c, a);
        }
        self.change_load(a, ch, 1);
        let stamp = self.stamp;
        self.stamp += 1;
        let ag = &mut self.agents[a];
        ag.held.push(c);
        ag.last_assign = now;
        ag.assign_stamp = stamp;
        let open = ag.open;
        self.rec.agent_assigned(a, now, open, new_to_agent);
        self.conv_event(
            c,
            crate::calibrate::Kind::Assigned,
            Some(a),
            crate::record::events::Detail::None,
        );
        if pending {
            self.agents[a].worklist.push(c);
        } else {
            self.arm_idle(c);
        }
        self.refresh(a);
        self.start_next(a);
    }

    /// Records the invariant violation of an assignment to an agent that
    /// is not online or winds down before its logout (never on a correct run).
    #[cold]
    #[inline(never)]
    fn assigned_unavailable(&mut self, c: ConvId, a: AgentId) {
        self.violations.push(format!(
            "conversation {c} assigned to agent {a} in status {:?}{}",
            self.agents[a].status,
            if self.agents[a].winding_down {
                ", winding down"
            } else {
                ""
            }
        ));
    }

    /// select_queue: the agent takes work while it can: its sticky
    /// conversations, its group's transfers, then the queues of its skills
    /// (highest priority, then longest waiting).
    #[inline]
    pub(crate) fn pull(&mut self, a: AgentId) {
        // Most calls find nothing waiting: they stop here, without the
        // setup of the loop's frame.
        if self.work_waits_for(a) {
            self.pull_waiting(a);
        }
    }

    /// [`Self::pull`] once something waits.
    #[inline(never)]
    fn pull_waiting(&mut self, a: AgentId) {
        loop {
            if !self.work_waits_for(a) {
                return;
            }
            let elig = [self.can_take(a, 0), self.can_take(a, 1)];
            if !elig[0] && !elig[1] {
                return;
            }
            // 1. Conversations waiting for this agent (sticky): assigned directly.
            if let Some(c) = self.take_sticky(a, elig) {
                self.assign(c, a);
                continue;
            }
            let g = self.agents[a].group.ix();
            // 2. Transfers to this group.
            if let Some(c) = self.take_group_queue(GroupId::new(g), a, elig) {
                self.hand_over(c, a);
                continue;
            }
            // 3. The skills' queues.
            let mut best: Option<(i64, f64, usize)> = None;
            for &(s, p) in &self.scn.groups[g].skills {
                if !elig[self.skills[s].channel] {
                    continue;
                }
                let convs = &self.convs;
                let queue = &mut self.skills[s].queue;
                while let Some(&(c, key)) = queue.front() {
                    if convs[c].armed(key, State::Queued) {
                        break;
                    }
                    queue.pop_front();
                }
                if let Some(&(c, _)) = queue.front() {
                    let conv = &self.convs[c];
                    if conv.ignored.contains(&a) {
                        continue;
                    }
                    let better = match best {
                        None => true,
                        Some((bp, be, _)) => p > bp || (p == bp && conv.enqueued < be),
                    };
                    if better {
                        best = Some((p, conv.enqueued, s));
                    }
                }
            }
            let Some((_, _, s)) = best else { return };
            let (c, _) = self.skills[s]
                .queue
                .pop_front()
                .expect("head checked above");
            self.queue_leave(c, false);
            self.hand_over(c, a);
        }
    }

    fn take_sticky(&mut self, a: AgentId, elig: [bool; 2]) -> Option<ConvId> {
        while let Some(&(c, key)) = self.agents[a].sticky.front() {
            if !self.convs[c].armed(key, State::Queued) {
                self.agents[a].sticky.pop_front();
                continue;
            }
            if !elig[self.channel(c)] {
                return None;
            }
            self.agents[a].sticky.pop_front();
            self.queue_leave(c, true);
            return Some(c);
        }
        None
    }

    fn take_group_queue(&mut self, g: GroupId, a: AgentId, elig: [bool; 2]) -> Option<ConvId> {
        while let Some(&(c, key)) = self.groups[g].queue.front() {
            let conv = &self.convs[c];
            if !conv.armed(key, State::Queued) {
                self.groups[g].queue.pop_front();
                continue;
            }
            if !elig[self.channel(c)] || conv.ignored.contains(&a) {
                return None;
            }
            self.groups[g].queue.pop_front();
            self.queue_leave(c, false);
            return Some(c);
        }
        None
    }
}

//! Routing (SPEC §4) and the agent's side of the lifecycle: eligibility
//! and selection, queues, ring mode, ramp-up, sticky returns, the
//! SLA-sorted work list, replies, transfers, return to queue, logins,
//! shifts and breaks.
//!
//! Eligible agents are kept per group and channel in an ordered set keyed
//! by the selection rule, so choosing an agent costs O(groups with the
//! skill · log agents), not a scan of every agent. Keys end with the agent
//! index: ties are deterministic.

use super::agent::Status;
use super::conversation::{CloseReason, NONE, State, flag};
use super::{Ev, Sim};
use crate::scenario::{Accept, LogoutPolicy, Selection, Style, TransferTarget};
use rand::RngExt;

impl Sim<'_> {
    #[inline]
    fn channel(&self, c: u32) -> usize {
        self.skills[self.convs[c as usize].skill as usize].channel
    }

    /// Whether the agent can take a new conversation of channel `ch` now.
    #[inline]
    fn can_take(&self, a: u32, ch: usize) -> bool {
        let ag = &self.agents[a as usize];
        if ag.status != Status::Online
            || ag.login & (1 << ch) == 0
            || ag.ringing != NONE
            || self.q.now() < ag.ramp_next
        {
            return false;
        }
        let g = &self.scn.groups[ag.group as usize];
        ag.free(ch, &g.capacity, g.capacity_total) > 0
    }

    /// Whether anything waits that this agent could take: its sticky
    /// conversations, its group's transfers, or its skills' queues. A cheap
    /// test that lets `pull` stop at once in the common case of empty queues.
    #[inline]
    fn work_waits_for(&self, a: u32) -> bool {
        let ag = &self.agents[a as usize];
        if !ag.sticky.is_empty() {
            return true;
        }
        let g = &self.groups[ag.group as usize];
        !g.queue.is_empty() || g.skills.iter().any(|&s| self.skills[s].qlen > 0)
    }

    /// The agent's selection key for `ch`, or None if it cannot take a new
    /// conversation of that channel now.
    fn key(&self, a: u32, ch: usize) -> Option<(u32, u64, u32)> {
        let ag = &self.agents[a as usize];
        if ag.status != Status::Online
            || ag.login & (1 << ch) == 0
            || ag.ringing != NONE
            || self.q.now() < ag.ramp_next
        {
            return None;
        }
        let g = &self.scn.groups[ag.group as usize];
        let free = ag.free(ch, &g.capacity, g.capacity_total);
        if free == 0 {
            return None;
        }
        Some(match self.scn.routing.agent_selection {
            Selection::MostAvailable => (u32::MAX - free, ag.last_assign.to_bits(), a),
            Selection::LongestIdle => (0, ag.last_assign.to_bits(), a),
            Selection::RoundRobin => (0, ag.assign_stamp, a),
        })
    }

    /// Puts the agent in (or takes it out of) its group's eligible sets.
    pub(super) fn refresh(&mut self, a: u32) {
        let g = self.agents[a as usize].group as usize;
        for ch in 0..2 {
            if self.groups[g].channels & (1 << ch) == 0 {
                continue;
            }
            let k = self.key(a, ch);
            let old = self.agents[a as usize].key[ch];
            if k != old {
                self.groups[g].avail[ch].set(a, k);
                self.agents[a as usize].key[ch] = k;
            }
        }
    }

    /// The best eligible agent for a conversation, if any. In ring mode the
    /// agents that ignored it are skipped until every eligible agent has had
    /// it; then a new round starts, skipping only the last one.
    fn select(&self, c: u32) -> Option<u32> {
        let conv = &self.convs[c as usize];
        let pick = |skip: &dyn Fn(u32) -> bool| {
            let ch = self.channel(c);
            let mut best: Option<(u32, u64, u32)> = None;
            let mut consider = |g: usize| {
                if let Some(k) = self.groups[g].avail[ch].first_where(skip)
                    && best.is_none_or(|b| k < b)
                {
                    best = Some(k);
                }
            };
            if conv.target_group != NONE {
                consider(conv.target_group as usize);
            } else {
                for &(g, _) in &self.skills[conv.skill as usize].groups {
                    consider(g as usize);
                }
            }
            best.map(|k| k.2)
        };
        if conv.ignored.is_empty() {
            return pick(&|_| false);
        }
        pick(&|a| conv.ignored.contains(&a)).or_else(|| {
            let last = *conv.ignored.last().expect("non-empty");
            pick(&|a| a == last)
        })
    }

    /// Routes a waiting conversation to an agent now; false if none is eligible.
    pub(super) fn try_route(&mut self, c: u32) -> bool {
        match self.select(c) {
            Some(a) => {
                self.hand_over(c, a);
                true
            }
            None => false,
        }
    }

    /// Assigns (auto) or offers (ring) a conversation to an agent.
    fn hand_over(&mut self, c: u32, a: u32) {
        self.ramp_tick(a);
        if self.scn.routing.accept == Accept::Ring {
            self.offer(c, a);
        } else {
            self.assign(c, a);
        }
    }

    fn ramp_tick(&mut self, a: u32) {
        if let Some((_, interval)) = self.scn.routing.ramp_up {
            let ag = &mut self.agents[a as usize];
            if ag.ramp_left > 0 {
                ag.ramp_left -= 1;
                ag.ramp_next = self.q.now() + interval;
                self.q.schedule(ag.ramp_next, Ev::RampReady { agent: a });
            }
        }
    }

    /// Puts a conversation at the end (or front) of its queue.
    pub(super) fn enqueue(&mut self, c: u32, front: bool) {
        let now = self.q.now();
        let conv = &mut self.convs[c as usize];
        conv.go(State::Queued);
        if !front {
            conv.enqueued = now;
        }
        let entry = (c, conv.epoch);
        let (s, tg) = (conv.skill as usize, conv.target_group);
        let queue = if tg != NONE {
            &mut self.groups[tg as usize].queue
        } else {
            &mut self.skills[s].queue
        };
        if front {
            queue.push_front(entry);
        } else {
            queue.push_back(entry);
        }
        self.queue_enter(c);
        // Compact stale entries (abandoned, assigned elsewhere) so the deque
        // stays proportional to the live queue.
        let live = self.skills[s].qlen as usize;
        let convs = &self.convs;
        let queue = if tg != NONE {
            &mut self.groups[tg as usize].queue
        } else {
            &mut self.skills[s].queue
        };
        if queue.len() > 64 && queue.len() > 4 * live {
            queue.retain(|&(c, epoch)| {
                convs[c as usize].epoch == epoch && convs[c as usize].state == State::Queued
            });
        }
    }

    /// A conversation that needs its owner again (unparked, reopened):
    /// the previous agent if it can take it now, else wait for it up to
    /// `sticky`, else anyone.
    pub(super) fn route_returning(&mut self, c: u32) {
        let now = self.q.now();
        let conv = &self.convs[c as usize];
        let prev = if conv.state == State::Parked {
            conv.agent
        } else {
            conv.prev_agent
        };
        let ch = self.channel(c);
        if prev != NONE && self.key(prev, ch).is_some() {
            self.assign(c, prev);
            return;
        }
        let sticky = self.scn.routing.sticky;
        let conv = &mut self.convs[c as usize];
        conv.prev_agent = prev;
        conv.agent = NONE;
        conv.go(State::Queued);
        if prev != NONE && sticky > 0.0 {
            conv.enqueued = now;
            let epoch = conv.epoch;
            self.agents[prev as usize].sticky.push_back((c, epoch));
            self.queue_enter(c);
            self.q.schedule(now + sticky, Ev::Sticky { conv: c, epoch });
        } else if !self.try_route(c) {
            self.enqueue(c, false);
        }
    }

    pub(super) fn sticky_expired(&mut self, c: u32) {
        self.convs[c as usize].go(State::Queued);
        self.queue_leave(c);
        if !self.try_route(c) {
            self.enqueue(c, false);
        }
    }

    /// Assignment proper: the conversation enters the agent's capacity and,
    /// if a consumer message waits, its work list.
    pub(super) fn assign(&mut self, c: u32, a: u32) {
        let now = self.q.now();
        let ch = self.channel(c);
        let iv_base = self.interval_of(self.convs[c as usize].arrival) * self.skills.len();
        let conv = &mut self.convs[c as usize];
        if conv.has(flag::FIRST_WAIT) {
            conv.set(flag::FIRST_WAIT, false);
            conv.set(flag::HANDLED, true);
            let wait = now - conv.arrival;
            conv.wait = wait;
            if conv.has(flag::MEASURED) {
                let s = conv.origin as usize;
                let within = wait <= self.scn.skills[s].service_level;
                let t = &mut self.tally[s];
                t.handled += 1;
                t.asa_sum += wait;
                t.queue_time_sum += wait;
                t.waited += (wait > 0.0) as u64;
                t.handled_within_sl += within as u64;
                let row = &mut self.intervals[iv_base + s];
                row.handled += 1;
                row.asa_sum += wait;
                row.handled_within_sl += within as u64;
            }
        }
        let conv = &mut self.convs[c as usize];
        conv.set(flag::ACTIONABLE, false);
        conv.target_group = NONE;
        conv.ignored.clear();
        conv.agent = a;
        conv.open_since = now;
        let pending = conv.has(flag::PENDING_MSG);
        if pending {
            conv.set(flag::PENDING_MSG, false);
            conv.go(State::AwaitAgent);
        } else {
            conv.go(State::AwaitConsumer);
        }
        if self.agents[a as usize].status != Status::Online {
            self.violations.push(format!(
                "conversation {c} assigned to agent {a} in status {:?}",
                self.agents[a as usize].status
            ));
        }
        self.flush_agent(a);
        let stamp = self.stamp;
        self.stamp += 1;
        let measured = now >= self.warmup;
        let ag = &mut self.agents[a as usize];
        ag.open[ch] += 1;
        ag.held.push(c);
        ag.last_assign = now;
        ag.assign_stamp = stamp;
        let open = ag.open_total();
        let t = &mut ag.tally[ag.tix];
        if measured {
            t.conversations += 1;
            t.max_open = t.max_open.max(open);
        }
        if pending {
            ag.worklist.push(c);
        } else {
            self.arm_idle(c);
        }
        self.refresh(a);
        self.start_next(a);
    }

    /// Ring mode: offer to one agent, who accepts after a delay or ignores it.
    fn offer(&mut self, c: u32, a: u32) {
        let now = self.q.now();
        let ch = self.channel(c);
        let r = &self.scn.routing;
        let conv = &mut self.convs[c as usize];
        conv.go(State::Offered);
        conv.agent = a;
        conv.ring_since = now;
        let epoch = conv.epoch;
        if conv.has(flag::MEASURED) {
            self.tally[conv.origin as usize].rings += 1;
        }
        if self.agents[a as usize].status != Status::Online {
            self.violations.push(format!(
                "conversation {c} offered to agent {a} in status {:?}",
                self.agents[a as usize].status
            ));
        }
        self.flush_agent(a);
        let measured = now >= self.warmup;
        let ag = &mut self.agents[a as usize];
        ag.ringing = c;
        ag.open[ch] += 1;
        let ignored =
            r.ignore_probability > 0.0 && self.ring_rng.random::<f64>() < r.ignore_probability;
        let delay = if ignored {
            f64::INFINITY
        } else {
            r.accept_delay.sample(&mut self.ring_rng)
        };
        let t = &mut ag.tally[ag.tix];
        if measured {
            t.rings += 1;
            t.rings_ignored += ignored as u64;
        }
        if delay < r.ring_timeout {
            self.q.schedule(now + delay, Ev::Accept { conv: c, epoch });
        } else {
            self.q
                .schedule(now + r.ring_timeout, Ev::RingTimeout { conv: c, epoch });
        }
        self.refresh(a);
    }

    /// Ends a ring at agent `a`, freeing the slot it reserved.
    pub(super) fn release_ring(&mut self, c: u32, a: u32) {
        let now = self.q.now();
        let ch = self.channel(c);
        self.flush_agent(a);
        let ag = &mut self.agents[a as usize];
        debug_assert_eq!(ag.ringing, c);
        ag.ringing = NONE;
        ag.open[ch] -= 1;
        let conv = &self.convs[c as usize];
        if conv.has(flag::MEASURED) {
            self.tally[conv.origin as usize].ring_time += now - conv.ring_since;
        }
        self.refresh(a);
    }

    pub(super) fn accept(&mut self, c: u32) {
        let a = self.convs[c as usize].agent;
        self.release_ring(c, a);
        let conv = &self.convs[c as usize];
        if conv.has(flag::MEASURED) {
            self.tally[conv.origin as usize].ring_accepts += 1;
        }
        self.assign(c, a);
    }

    pub(super) fn ring_timeout(&mut self, c: u32) {
        let a = self.convs[c as usize].agent;
        self.release_ring(c, a);
        let conv = &mut self.convs[c as usize];
        if conv.has(flag::MEASURED) {
            self.tally[conv.origin as usize].ring_timeouts += 1;
        }
        conv.ignored.push(a);
        conv.agent = NONE;
        conv.go(State::Queued);
        match self.select(c) {
            Some(next) => {
                let conv = &mut self.convs[c as usize];
                if conv.ignored.contains(&next) {
                    // Everyone had it: a new round (this pick skipped only the last).
                    conv.ignored.clear();
                }
                self.hand_over(c, next);
            }
            None => self.enqueue(c, true),
        }
        self.after_release(a);
    }

    /// Takes a conversation out of the agent's capacity (and work list).
    pub(super) fn release_slot(&mut self, c: u32, a: u32) {
        let ch = self.channel(c);
        self.flush_agent(a);
        let ag = &mut self.agents[a as usize];
        debug_assert_ne!(ag.typing, c, "releasing a conversation being typed");
        ag.open[ch] -= 1;
        if let Some(i) = ag.held.iter().position(|&x| x == c) {
            ag.held.swap_remove(i);
        }
        if let Some(i) = ag.worklist.iter().position(|&x| x == c) {
            ag.worklist.remove(i);
        }
    }

    /// After an agent's load or status changed: update eligibility, pull
    /// from the queues, type the next reply.
    pub(super) fn after_release(&mut self, a: u32) {
        self.refresh(a);
        self.pull(a);
        self.start_next(a);
    }

    /// Adds the time of the current assigned-and-open period to handle time.
    pub(super) fn end_open(&mut self, c: u32) {
        let now = self.q.now();
        let conv = &mut self.convs[c as usize];
        conv.handle += now - conv.open_since;
    }

    /// The agent takes work while it can: its sticky conversations, its
    /// group's transfers, then the queues of its skills (highest priority,
    /// then longest waiting).
    pub(super) fn pull(&mut self, a: u32) {
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
            let g = self.agents[a as usize].group as usize;
            // 2. Transfers to this group.
            if let Some(c) = self.take_group_queue(g, a, elig) {
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
                while let Some(&(c, epoch)) = queue.front() {
                    if convs[c as usize].epoch == epoch && convs[c as usize].state == State::Queued
                    {
                        break;
                    }
                    queue.pop_front();
                }
                if let Some(&(c, _)) = queue.front() {
                    let conv = &self.convs[c as usize];
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
            let _ = s;
            self.queue_leave(c);
            self.hand_over(c, a);
        }
    }

    fn take_sticky(&mut self, a: u32, elig: [bool; 2]) -> Option<u32> {
        while let Some(&(c, epoch)) = self.agents[a as usize].sticky.front() {
            let conv = &self.convs[c as usize];
            if conv.epoch != epoch || conv.state != State::Queued {
                self.agents[a as usize].sticky.pop_front();
                continue;
            }
            if !elig[self.channel(c)] {
                return None;
            }
            self.agents[a as usize].sticky.pop_front();
            self.queue_leave(c);
            return Some(c);
        }
        None
    }

    fn take_group_queue(&mut self, g: usize, a: u32, elig: [bool; 2]) -> Option<u32> {
        while let Some(&(c, epoch)) = self.groups[g].queue.front() {
            let conv = &self.convs[c as usize];
            if conv.epoch != epoch || conv.state != State::Queued {
                self.groups[g].queue.pop_front();
                continue;
            }
            if !elig[self.channel(c)] || conv.ignored.contains(&a) {
                return None;
            }
            self.groups[g].queue.pop_front();
            self.queue_leave(c);
            return Some(c);
        }
        None
    }

    /// Starts typing the most urgent reply of the agent's work list (the
    /// seeds' SLA-sorted list), unless it is typing or logged out.
    pub(super) fn start_next(&mut self, a: u32) {
        let ag = &self.agents[a as usize];
        if ag.typing != NONE || ag.status == Status::Offline || ag.worklist.is_empty() {
            return;
        }
        let convs = &self.convs;
        let skills = &self.skills;
        // Earliest deadline among the conversations of the channels it is
        // logged into (a two_login agent's other login waits); ties: first
        // in the list (min_by keeps the first).
        let Some((pos, _)) = ag
            .worklist
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                ag.login & (1 << skills[convs[**c as usize].skill as usize].channel) != 0
            })
            .min_by(|x, y| {
                convs[*x.1 as usize]
                    .deadline
                    .total_cmp(&convs[*y.1 as usize].deadline)
            })
        else {
            return;
        };
        let overhead = self.scn.groups[ag.group as usize].switch_overhead;
        let ag = &mut self.agents[a as usize];
        let c = ag.worklist.remove(pos);
        let conv = &mut self.convs[c as usize];
        let mut effort = self.scn.skills[conv.skill as usize]
            .agent_reply
            .sample(&mut conv.arng);
        if ag.last_conv != NONE && ag.last_conv != c {
            effort += overhead;
        }
        conv.effort += effort;
        ag.typing = c;
        let now = self.q.now();
        ag.typing_since = now;
        ag.typing_until = now + effort;
        let epoch = ag.type_epoch;
        self.q
            .schedule(now + effort, Ev::ReplyDone { agent: a, epoch });
    }

    /// A reply is sent: statistics, then transfer, the consumer's turn, or solve.
    pub(super) fn on_reply_done(&mut self, a: u32) {
        let now = self.q.now();
        let typed = self.span(self.agents[a as usize].typing_since, now);
        let ag = &mut self.agents[a as usize];
        let c = ag.typing;
        ag.typing = NONE;
        ag.last_conv = c;
        let t = &mut ag.tally[ag.tix];
        t.effort += typed;
        if now >= self.warmup {
            t.replies += 1;
        }
        let scn = self.scn;
        let iv_base = self.interval_of(now) * self.skills.len();
        let conv = &mut self.convs[c as usize];
        let sk = &scn.skills[conv.skill as usize];
        if conv.has(flag::MEASURED) {
            let s = conv.origin as usize;
            let response = now - conv.msg_at;
            let t = &mut self.tally[s];
            t.replies += 1;
            t.response_sum += response;
            t.overdue += (now > conv.deadline) as u64;
            let row = &mut self.intervals[iv_base + s];
            row.replies += 1;
            row.response_sum += response;
            row.overdue += (now > conv.deadline) as u64;
            if !conv.has(flag::FIRST_REPLY) {
                let first = now - conv.arrival;
                t.first_response_n += 1;
                t.first_response_sum += first;
                t.first_response_within += (first <= scn.skills[s].service_level) as u64;
                t.first_response_hist.add(first);
                row.first_response_n += 1;
                row.first_response_sum += first;
            }
        }
        if !conv.has(flag::FIRST_REPLY) {
            conv.set(flag::FIRST_REPLY, true);
            conv.first_response = now - conv.arrival;
        }
        let transfer = match &sk.transfer {
            Some(tr) if tr.probability > 0.0 => conv.arng.random::<f64>() < tr.probability,
            _ => false,
        };
        if transfer {
            self.transfer(c, sk.transfer.as_ref().expect("checked").to);
        } else if conv.left > 0 {
            conv.left -= 1;
            let give_back =
                sk.return_probability > 0.0 && conv.arng.random::<f64>() < sk.return_probability;
            self.await_consumer(c);
            if give_back && self.convs[c as usize].state == State::AwaitConsumer {
                // The agent returns it: to the end of its skill's queue.
                self.return_to_queue(c);
            }
        } else {
            self.solve(c);
        }
        self.after_release(a);
    }

    /// The agent replied and more consumer messages will come.
    fn await_consumer(&mut self, c: u32) {
        let now = self.q.now();
        let conv = &mut self.convs[c as usize];
        conv.go(State::AwaitConsumer);
        conv.cgen = conv.cgen.wrapping_add(1);
        let reply = self.scn.skills[conv.skill as usize]
            .consumer_reply
            .sample(&mut conv.crng);
        let cgen = conv.cgen;
        self.q
            .schedule(now + reply, Ev::ConsumerMsg { conv: c, cgen });
        self.arm_idle(c);
    }

    /// Timers of a conversation that now awaits the consumer: auto-close
    /// (unless exempt: manual SLA, actionable) and, in social messaging, park.
    fn arm_idle(&mut self, c: u32) {
        let now = self.q.now();
        let conv = &mut self.convs[c as usize];
        let sk = &self.scn.skills[conv.skill as usize];
        if let Some(ac) = sk.auto_close
            && !conv.has(flag::MANUAL_SLA)
            && !conv.has(flag::ACTIONABLE)
        {
            conv.agen = conv.agen.wrapping_add(1);
            let agen = conv.agen;
            self.q.schedule(now + ac, Ev::AutoClose { conv: c, agen });
        }
        if sk.style == Style::SocialMessaging {
            if sk.park_after <= 0.0 {
                self.park(c);
            } else {
                let epoch = conv.epoch;
                self.q
                    .schedule(now + sk.park_after, Ev::Park { conv: c, epoch });
            }
        }
    }

    /// The agent transfers the conversation: it leaves the agent and waits
    /// for the target's agents, actionable (no auto-close) until it reaches one.
    fn transfer(&mut self, c: u32, to: TransferTarget) {
        let now = self.q.now();
        let a = self.convs[c as usize].agent;
        self.end_open(c);
        self.release_slot(c, a);
        let conv = &mut self.convs[c as usize];
        if conv.has(flag::MEASURED) {
            self.tally[conv.origin as usize].transfers += 1;
        }
        conv.prev_agent = a;
        conv.agent = NONE;
        conv.set(flag::ACTIONABLE, true);
        conv.set(flag::PENDING_MSG, true);
        conv.cgen = conv.cgen.wrapping_add(1);
        conv.agen = conv.agen.wrapping_add(1);
        match to {
            TransferTarget::Skill(k) => conv.skill = k as u16,
            TransferTarget::Group(g) => conv.target_group = g as u32,
        }
        conv.msg_at = now;
        conv.deadline = now + self.scn.skills[conv.skill as usize].response_sla;
        conv.go(State::Queued);
        if !self.try_route(c) {
            self.enqueue(c, false);
        }
    }

    /// Unassigns a conversation to the end of its queue (logout policy).
    pub(super) fn return_to_queue(&mut self, c: u32) {
        let a = self.convs[c as usize].agent;
        let awaiting_agent = self.convs[c as usize].state == State::AwaitAgent;
        self.end_open(c);
        self.release_slot(c, a);
        let conv = &mut self.convs[c as usize];
        if conv.has(flag::MEASURED) {
            self.tally[conv.origin as usize].returned_to_queue += 1;
        }
        conv.prev_agent = a;
        conv.agent = NONE;
        conv.set(flag::PENDING_MSG, awaiting_agent);
        conv.agen = conv.agen.wrapping_add(1);
        // Not straight back to the agent who returned it.
        conv.ignored.push(a);
        conv.go(State::Queued);
        if !self.try_route(c) {
            self.enqueue(c, false);
        }
    }

    /// Changes an agent's status and login, keeping online counts per skill.
    fn change_status(&mut self, a: u32, status: Status, login: u8) {
        self.flush_agent(a);
        self.flush_areas();
        let ag = &self.agents[a as usize];
        // Channels counted as online (k = 0) and as logged in (k = 1), before and after.
        let counted = |st: Status, login: u8| {
            [
                if st == Status::Online { login } else { 0 },
                if st != Status::Offline { login } else { 0 },
            ]
        };
        let (before, after) = (counted(ag.status, ag.login), counted(status, login));
        let g = ag.group as usize;
        for k in 0..2 {
            match (before[k] != 0, after[k] != 0) {
                (false, true) => self.staffed_agents[k] += 1,
                (true, false) => self.staffed_agents[k] -= 1,
                _ => {}
            }
            if before[k] != after[k] {
                for &s in &self.groups[g].skills {
                    let bit = 1u8 << self.skills[s].channel;
                    match (before[k] & bit != 0, after[k] & bit != 0) {
                        (false, true) => self.skills[s].staffed[k] += 1,
                        (true, false) => self.skills[s].staffed[k] -= 1,
                        _ => {}
                    }
                }
            }
        }
        let ag = &mut self.agents[a as usize];
        ag.status = status;
        ag.login = login;
        self.refresh(a);
    }

    /// Logs an agent in to the channels in `login`.
    pub(super) fn login(&mut self, a: u32, login: u8) {
        let now = self.q.now();
        if let Some((first, _)) = self.scn.routing.ramp_up {
            let ag = &mut self.agents[a as usize];
            ag.ramp_left = first;
            ag.ramp_next = now;
        }
        let two_login = self.scn.groups[self.agents[a as usize].group as usize].mode
            == crate::scenario::Mode::TwoLogin;
        let ag = &mut self.agents[a as usize];
        ag.per_login = two_login;
        ag.tix = if two_login && login == 0b10 { 1 } else { 0 };
        self.change_status(a, Status::Online, login);
        // Conversations kept through the last logout waited until now.
        if self.agents[a as usize].kept > 0 {
            let waited = now - self.agents[a as usize].logout_at;
            for i in 0..self.agents[a as usize].held.len() {
                let conv = &self.convs[self.agents[a as usize].held[i] as usize];
                if conv.has(flag::MEASURED) {
                    self.tally[conv.origin as usize].kept_wait_sum += waited;
                }
            }
        }
        self.agents[a as usize].kept = 0;
        self.pull(a);
        self.start_next(a);
    }

    /// Logs an agent out; its open conversations follow the group's policy.
    fn logout(&mut self, a: u32) {
        let now = self.q.now();
        let login = self.agents[a as usize].login;
        self.change_status(a, Status::Offline, login);
        self.withdraw_ring(a);
        self.interrupt_typing(a);
        // Conversations waiting for this agent go to anyone now.
        while let Some((c, epoch)) = self.agents[a as usize].sticky.pop_front() {
            if self.convs[c as usize].epoch == epoch
                && self.convs[c as usize].state == State::Queued
            {
                self.sticky_expired(c);
            }
        }
        let g = self.agents[a as usize].group as usize;
        match self.scn.groups[g].logout {
            LogoutPolicy::ReturnToQueue => {
                let held: Vec<u32> = self.agents[a as usize].held.clone();
                for c in held {
                    if self.agents[a as usize].typing != c {
                        self.return_to_queue(c);
                    }
                }
            }
            LogoutPolicy::Keep => {
                let held = self.agents[a as usize].held.clone();
                for &c in &held {
                    let conv = &self.convs[c as usize];
                    if conv.has(flag::MEASURED) {
                        self.tally[conv.origin as usize].kept_at_logout += 1;
                    }
                }
                let ag = &mut self.agents[a as usize];
                ag.kept = held.len() as u32;
                ag.logout_at = now;
            }
        }
    }

    /// A conversation ringing at an agent that stops being online is
    /// offered to the next agent (counted as a ring timeout).
    fn withdraw_ring(&mut self, a: u32) {
        let ringing = self.agents[a as usize].ringing;
        if ringing != NONE {
            self.ring_timeout(ringing);
        }
    }

    /// A reply in progress at logout is abandoned: the typed part counts as
    /// effort, the rest does not; the consumer's message waits again in
    /// the agent's work list, then follows the logout policy.
    fn interrupt_typing(&mut self, a: u32) {
        let now = self.q.now();
        let typed = self.span(self.agents[a as usize].typing_since, now);
        let ag = &mut self.agents[a as usize];
        let c = ag.typing;
        if c == NONE {
            return;
        }
        ag.typing = NONE;
        ag.type_epoch = ag.type_epoch.wrapping_add(1);
        ag.tally[ag.tix].effort += typed;
        let unfinished = ag.typing_until - now;
        ag.worklist.push(c);
        self.convs[c as usize].effort -= unfinished;
    }

    pub(super) fn shift_start(&mut self, g: u32, k: u32) {
        let now = self.q.now();
        let gi = g as usize;
        let scn = self.scn;
        let shift = scn.groups[gi].shifts[k as usize];
        let occ = self.groups[gi].next_shift[k as usize];
        let login = shift
            .login
            .map_or(self.groups[gi].channels, |c| 1u8 << c as u8);
        let end = occ + shift.length;
        let n = self.groups[gi].count;
        for a in self.group_agents(gi) {
            if self.agents[a as usize].status != Status::Offline {
                // Back-to-back shifts (two_login switching channel): log out first.
                self.logout(a);
            }
            self.agents[a as usize].shift = k;
            self.login(a, login);
            let i = (a - self.groups[gi].first_agent) as f64;
            for b in &scn.groups[gi].breaks {
                let st = occ + b.after + b.stagger * i / n as f64;
                if st >= now && st + b.duration <= end {
                    self.q.schedule(
                        st,
                        Ev::BreakStart {
                            agent: a,
                            back_soon: b.back_soon,
                        },
                    );
                    self.q.schedule(st + b.duration, Ev::BreakEnd { agent: a });
                }
            }
        }
        self.q.schedule(end, Ev::ShiftEnd { group: g, shift: k });
        let next = occ + crate::engine::time::WEEK;
        self.groups[gi].next_shift[k as usize] = next;
        self.q.schedule(next, Ev::ShiftStart { group: g, shift: k });
    }

    pub(super) fn shift_end(&mut self, g: u32, k: u32) {
        for a in self.group_agents(g as usize) {
            let ag = &self.agents[a as usize];
            if ag.shift == k && ag.status != Status::Offline {
                self.logout(a);
            }
        }
    }

    pub(super) fn break_start(&mut self, a: u32, back_soon: bool) {
        let ag = &self.agents[a as usize];
        if ag.status == Status::Online {
            let login = ag.login;
            let status = if back_soon {
                Status::BackSoon
            } else {
                Status::Away
            };
            self.change_status(a, status, login);
            self.withdraw_ring(a);
        }
    }

    pub(super) fn break_end(&mut self, a: u32) {
        let ag = &self.agents[a as usize];
        if matches!(ag.status, Status::Away | Status::BackSoon) {
            let login = ag.login;
            self.change_status(a, Status::Online, login);
            self.pull(a);
            self.start_next(a);
        }
    }

    /// Closes a conversation by the agent (used by tests and resume).
    #[allow(dead_code)]
    pub(super) fn agent_close(&mut self, c: u32) {
        self.close(c, CloseReason::Agent);
    }
}

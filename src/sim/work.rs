//! The agent's work on the conversations it holds: its load (slots of
//! capacity), the SLA-sorted work list, replies, the consumer's turn and
//! the idle timers (auto-close, park), transfers and returns to the queue.

use super::{Ev, Sim};
use crate::calibrate::Kind;
use crate::model::conversation::{State, flag};
use crate::model::{AgentId, ConvId};
use crate::record::events::Detail;
use crate::scenario::TransferTarget;
use rand::RngExt;

impl Sim<'_> {
    /// The channel of a conversation's current skill.
    #[inline]
    pub(crate) fn channel(&self, c: ConvId) -> usize {
        self.skills[self.convs[c].skill as usize].channel
    }

    /// Announces a conversation event (`agent` acting, if any) to the
    /// recorder's event log, looking the conversation up only when one is
    /// written.
    #[inline]
    pub(crate) fn conv_event(
        &mut self,
        c: ConvId,
        kind: Kind,
        agent: Option<AgentId>,
        detail: Detail<'_>,
    ) {
        let now = self.q.now();
        if self.rec.logs_conv_events(now) {
            self.rec
                .write_conv_event(now, kind, &self.convs[c], agent, detail);
        }
    }

    /// Changes the agent's load on channel `ch` by `delta` slots, bringing
    /// its time totals up to now first.
    #[inline]
    pub(crate) fn change_load(&mut self, a: AgentId, ch: usize, delta: i32) {
        let now = self.q.now();
        let ag = &mut self.agents[a];
        self.rec.agent_time(a, now, ag.status, ag.open);
        ag.open[ch] = (ag.open[ch] as i64 + delta as i64) as u32;
    }

    /// Adds the time of the current assigned-and-open period to handle time.
    pub(crate) fn end_open(&mut self, c: ConvId) {
        let now = self.q.now();
        let conv = &mut self.convs[c];
        conv.handle += now - conv.open_since;
    }

    /// Takes a conversation out of the agent's capacity (and work list).
    pub(crate) fn release_slot(&mut self, c: ConvId, a: AgentId) {
        let ch = self.channel(c);
        self.change_load(a, ch, -1);
        let now = self.q.now();
        let ag = &mut self.agents[a];
        // Freer for more work: longest idle counts from here.
        ag.idle_since = now;
        debug_assert_ne!(ag.typing, Some(c), "releasing a conversation being typed");
        if let Some(i) = ag.held.iter().position(|&x| x == c) {
            ag.held.swap_remove(i);
        }
        if let Some(i) = ag.worklist.iter().position(|&x| x == c) {
            ag.worklist.remove(i);
        }
    }

    /// After an agent's load or status changed: pull from the queues,
    /// update eligibility, type the next reply. Pulling first spares an
    /// agent that takes waiting work at once an insertion into its group's
    /// eligible set and the removal right after: pulling reads no rank
    /// (it asks [`crate::model::agent::Agent::free_for`]), its assignments
    /// refresh the agent themselves, and what selection reads of the sets
    /// (the best key, the best key outside a skip list) does not depend on
    /// the order in which the sets were updated.
    pub(crate) fn after_release(&mut self, a: AgentId) {
        self.pull(a);
        self.refresh(a);
        self.start_next(a);
    }

    /// Starts typing the most urgent reply of the agent's work list (the
    /// seeds' SLA-sorted list), unless it is typing or logged out.
    #[inline]
    pub(crate) fn start_next(&mut self, a: AgentId) {
        let ag = &self.agents[a];
        if ag.typing.is_none() && ag.status.logged_in() && !ag.worklist.is_empty() {
            self.start_reply(a);
        }
    }

    /// [`Self::start_next`] for an agent that is free to type and owes a reply.
    #[inline(never)]
    fn start_reply(&mut self, a: AgentId) {
        let ag = &self.agents[a];
        let convs = &self.convs;
        let skills = &self.skills;
        // Earliest deadline among the conversations of the channels it is
        // logged into (a two_login agent's other login waits); ties: first
        // in the list.
        let mut best: Option<(usize, f64)> = None;
        for (i, &c) in ag.worklist.iter().enumerate() {
            let conv = &convs[c];
            if ag.login & (1 << skills[conv.skill as usize].channel) != 0
                && best.is_none_or(|(_, d)| conv.deadline.total_cmp(&d).is_lt())
            {
                best = Some((i, conv.deadline));
            }
        }
        let Some((pos, _)) = best else {
            return;
        };
        let overhead = self.scn.groups[ag.group.ix()].switch_overhead;
        let ag = &mut self.agents[a];
        // The chosen reply is most often the last in the list: popping it
        // is cheaper than `remove` (measured with callgrind).
        let c = if pos + 1 == ag.worklist.len() {
            ag.worklist.pop().expect("non-empty")
        } else {
            ag.worklist.remove(pos)
        };
        let conv = &mut self.convs[c];
        let mut effort = self.scn.skills[conv.skill as usize]
            .agent_reply
            .sample(&mut conv.arng);
        if ag.last_conv.is_some_and(|l| l != c) {
            effort += overhead;
        }
        conv.effort += effort;
        ag.typing = Some(c);
        let now = self.q.now();
        ag.typing_since = now;
        ag.typing_until = now + effort;
        let key = ag.reply.key();
        self.q
            .schedule(now + effort, Ev::ReplyDone { agent: a, key });
    }

    /// A reply is sent: statistics, then transfer, the consumer's turn, or solve.
    pub(super) fn on_reply_done(&mut self, a: AgentId) {
        let now = self.q.now();
        let typed = self.rec.window().span(self.agents[a].typing_since, now);
        let ag = &mut self.agents[a];
        let c = ag.typing.take().expect("typing");
        ag.last_conv = Some(c);
        self.rec.agent_typed(a, now, typed, true);
        let scn = self.scn;
        let first = !self.convs[c].has(flag::FIRST_REPLY);
        self.rec.replied(now, &self.convs[c], first);
        self.conv_event(c, Kind::AgentMessage, Some(a), Detail::None);
        let conv = &mut self.convs[c];
        let sk = &scn.skills[conv.skill as usize];
        if first {
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
            if give_back && self.convs[c].state == State::AwaitConsumer {
                // The agent returns it: to the end of its skill's queue.
                self.return_to_queue(c);
            }
        } else if self.solve(c) == Some(a) {
            // Solving released the agent and ran `after_release` for it,
            // and nothing changed since: a second run would find nothing
            // to update, pull or start.
            return;
        }
        self.after_release(a);
    }

    /// The agent replied and more consumer messages will come.
    fn await_consumer(&mut self, c: ConvId) {
        let now = self.q.now();
        let conv = &mut self.convs[c];
        conv.go(State::AwaitConsumer);
        let reply = self.scn.skills[conv.skill as usize]
            .consumer_reply
            .sample(&mut conv.crng);
        let key = conv.timers.consumer.rearm();
        self.q
            .schedule(now + reply, Ev::ConsumerMsg { conv: c, key });
        self.arm_idle(c);
    }

    /// Timers of a conversation that now awaits the consumer: auto-close
    /// (unless exempt: manual SLA) and, if the style parks, park.
    pub(crate) fn arm_idle(&mut self, c: ConvId) {
        let s = self.convs[c].skill as usize;
        let conv = &mut self.convs[c];
        if let Some(ac) = self.scn.skills[s].auto_close
            && !conv.has(flag::MANUAL_SLA)
        {
            let key = conv.timers.auto_close.rearm();
            self.q.schedule_fixed(ac, Ev::AutoClose { conv: c, key });
        }
        if let Some(after) = self.styles[s].park_after {
            if after <= 0.0 {
                self.park(c);
            } else {
                let key = conv.timers.state.key();
                self.q.schedule_fixed(after, Ev::Park { conv: c, key });
            }
        }
    }

    /// The agent transfers the conversation: it leaves the agent and waits
    /// for the target's agents, actionable (no auto-close) until it reaches one.
    fn transfer(&mut self, c: ConvId, to: TransferTarget) {
        let now = self.q.now();
        let a = self.convs[c].agent.expect("open");
        self.end_open(c);
        self.release_slot(c, a);
        self.rec.transferred(&self.convs[c]);
        let conv = &mut self.convs[c];
        conv.prev_agent = Some(a);
        conv.agent = None;
        conv.set(flag::TRANSFERRED, true);
        conv.set(flag::PENDING_MSG, true);
        conv.timers.consumer.cancel();
        conv.timers.auto_close.cancel();
        match to {
            TransferTarget::Skill(k) => conv.skill = k as u32,
            TransferTarget::Group(g) => conv.target_group = Some(crate::model::Id::new(g)),
        }
        conv.msg_at = now;
        conv.deadline = now + self.scn.skills[conv.skill as usize].response_sla;
        conv.go(State::Queued);
        let scn = self.scn;
        let detail = match to {
            TransferTarget::Skill(_) => Detail::None,
            TransferTarget::Group(g) => Detail::Group(&scn.groups[g].name),
        };
        self.conv_event(c, Kind::Transferred, Some(a), detail);
        self.requeue(c);
    }

    /// Unassigns a conversation to the end of its queue (logout policy).
    pub(crate) fn return_to_queue(&mut self, c: ConvId) {
        let a = self.convs[c].agent.expect("open");
        let awaiting_agent = self.convs[c].state == State::AwaitAgent;
        self.end_open(c);
        self.release_slot(c, a);
        self.rec.returned_to_queue(&self.convs[c]);
        self.conv_event(c, Kind::ReturnedToQueue, Some(a), Detail::None);
        let conv = &mut self.convs[c];
        conv.prev_agent = Some(a);
        conv.agent = None;
        conv.set(flag::PENDING_MSG, awaiting_agent);
        // On the consumer's turn its idle clock (auto-close) runs on.
        // Not straight back to the agent who returned it.
        conv.ignored.push(a);
        conv.go(State::Queued);
        self.requeue(c);
    }
}

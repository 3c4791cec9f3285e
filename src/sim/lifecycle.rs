//! The conversation's own events (SPEC §2, §10): a new or re-queued
//! conversation's routing and patience, abandonment and retries, consumer
//! messages, park, solve, returns and reopens, auto-close and close. Each handler moves the state machine of
//! [`crate::model::conversation`] and announces what happened to the
//! recorder; none touches a counter.

use super::{Ev, PendingReturn, Sim};
use crate::calibrate::Kind;
use crate::model::conversation::{CloseReason, State, flag};
use crate::model::style::AfterSolve;
use crate::model::{AgentId, ConvId};
use crate::record::events::Detail;
use crate::scenario::{Dist, Returns};
use rand::{Rng, RngExt};

/// Why a consumer comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comeback {
    /// `returns`: after a solve, or after an auto-close (the consumer had
    /// no answer).
    Return,
    /// `retry`: after abandoning.
    Retry,
}

impl Sim<'_> {
    /// Routes a new conversation: to an agent now, or into the queue with its patience.
    pub(super) fn route_new(&mut self, c: ConvId) {
        let s = self.convs[c].skill as usize;
        if !self.try_route(c) {
            self.enqueue(c, false);
        }
        let scn = self.scn;
        self.arm_patience(c, scn.skills[s].patience.as_ref());
    }

    /// A conversation that was with an agent goes back to a queue (returned
    /// to the queue, transferred): to an agent now, or into the queue with
    /// a fresh patience drawn from the skill's `requeue_patience` (SPEC §10).
    pub(crate) fn requeue(&mut self, c: ConvId) {
        if !self.try_route(c) {
            self.enqueue(c, false);
        }
        let scn = self.scn;
        let skill = &scn.skills[self.convs[c].skill as usize];
        self.arm_patience(c, skill.requeue_patience());
    }

    /// Starts the consumer's patience if the conversation waits (queued,
    /// or ringing in ring mode: patience runs until an agent accepts). The
    /// timer is cancelled at assignment.
    fn arm_patience(&mut self, c: ConvId, patience: Option<&Dist>) {
        let conv = &mut self.convs[c];
        if let Some(p) = patience
            && matches!(conv.state, State::Queued | State::Offered)
        {
            let patience = p.sample(&mut conv.crng);
            let key = conv.timers.patience.rearm();
            self.q.schedule_in(patience, Ev::Patience { conv: c, key });
        }
    }

    /// Patience ran out: the consumer leaves the queue (or the ring). A
    /// conversation abandoned in its first wait was never handled; one
    /// abandoned after a re-queue was (it counts as abandoned, not in the
    /// queue times). With the skill's `retry`, the consumer starts a new
    /// conversation of the same issue later.
    pub(super) fn abandon(&mut self, c: ConvId) {
        let now = self.q.now();
        match self.convs[c].state {
            State::Queued => self.queue_leave(c, false),
            State::Offered => {
                let a = self.convs[c].agent.expect("offered to an agent");
                self.release_ring(c, a);
            }
            _ => return,
        }
        self.convs[c].go(State::Abandoned);
        self.rec.abandoned(now, &self.convs[c]);
        self.conv_event(c, Kind::Abandoned, None, Detail::None);
        let scn = self.scn;
        if let Some(r) = &scn.skills[self.convs[c].origin as usize].retry {
            self.come_back(c, r, Comeback::Retry);
        }
        self.free(c);
    }

    /// The conversation ended: its slot is reused, its timers are stale.
    fn free(&mut self, c: ConvId) {
        let t = &mut self.convs[c].timers;
        t.consumer.cancel();
        t.auto_close.cancel();
        t.patience.cancel();
        self.free_convs.push(c);
        self.alive -= 1;
    }

    pub(super) fn on_consumer_msg(&mut self, c: ConvId) {
        let now = self.q.now();
        let sla = self.scn.skills[self.convs[c].skill as usize].response_sla;
        self.conv_event(c, Kind::ConsumerMessage, None, Detail::None);
        let conv = &mut self.convs[c];
        conv.msg_at = now;
        conv.deadline = now + sla;
        conv.timers.auto_close.cancel();
        match conv.state {
            State::AwaitConsumer => {
                conv.go(State::AwaitAgent);
                let a = conv.agent.expect("open");
                self.agents[a].worklist.push(c);
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

    pub(super) fn park(&mut self, c: ConvId) {
        let a = self.convs[c].agent.expect("open");
        self.end_open(c);
        self.release_slot(c, a);
        self.convs[c].go(State::Parked);
        self.rec.parked(&self.convs[c]);
        self.conv_event(c, Kind::Parked, Some(a), Detail::None);
        self.after_release(a);
    }

    /// The agent's last reply: solved, then closed now or later by the
    /// style. Returns the agent it released (its capacity freed and
    /// [`Sim::after_release`] run for it), if any.
    pub(super) fn solve(&mut self, c: ConvId) -> Option<AgentId> {
        let now = self.q.now();
        let s = self.convs[c].skill as usize;
        let scn = self.scn;
        let sk = &scn.skills[s];
        self.convs[c].solved_at = now;
        // Consumer-side decisions, in a fixed order on the consumer's stream.
        let conv = &mut self.convs[c];
        let consumer_closes = sk.consumer_can_close
            && sk.consumer_close_probability > 0.0
            && conv.crng.random::<f64>() < sk.consumer_close_probability;
        let return_slot = match &sk.returns {
            Some(r) => self.come_back(c, r, Comeback::Return),
            None => None,
        };
        let released = if consumer_closes {
            self.close(c, CloseReason::Consumer)
        } else {
            match self.styles[s].after_solve {
                AfterSolve::Close => self.close(c, CloseReason::Agent),
                AfterSolve::Solved { window } => {
                    let a = self.convs[c].agent.expect("open");
                    self.conv_event(c, Kind::Solved, Some(a), Detail::None);
                    self.end_open(c);
                    self.release_slot(c, a);
                    let conv = &mut self.convs[c];
                    conv.go(State::Solved);
                    conv.prev_agent = Some(a);
                    conv.agent = None;
                    conv.timers.consumer.cancel();
                    conv.timers.auto_close.cancel();
                    let key = conv.timers.state.key();
                    self.q
                        .schedule_fixed(window, Ev::StyleClose { conv: c, key });
                    self.after_release(a);
                    Some(a)
                }
            }
        };
        if let Some(slot) = return_slot {
            self.returns[slot as usize].key = self.convs[c].timers.state.key();
        }
        released
    }

    /// With `r.probability`, the consumer of `c` comes back `r.after`
    /// later (drawn now, on the consumer's stream): a return (reopening
    /// `c` if it is then still solved, else a new conversation of the same
    /// issue) or a retry after abandoning (always a new conversation).
    /// Returns the pending return's slot.
    fn come_back(&mut self, c: ConvId, r: &Returns, kind: Comeback) -> Option<u32> {
        let conv = &mut self.convs[c];
        if !(r.probability > 0.0 && conv.crng.random::<f64>() < r.probability) {
            return None;
        }
        let after = r.after.sample(&mut conv.crng);
        let seed = conv.crng.next_u64();
        let pr = PendingReturn {
            conv: c,
            // A return after a solve replaces it once the conversation's
            // next state is known.
            key: conv.timers.state.key(),
            skill: conv.origin,
            issue: conv.issue,
            seed,
            retry: kind == Comeback::Retry,
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
        Some(slot)
    }

    pub(super) fn on_return(&mut self, slot: u32) {
        let pr = self.returns[slot as usize];
        self.free_returns.push(slot);
        if !pr.retry && self.convs[pr.conv].armed(pr.key, State::Solved) {
            // Inside the window: the same conversation reopens.
            let now = self.q.now();
            let sk = &self.scn.skills[self.convs[pr.conv].skill as usize];
            let conv = &mut self.convs[pr.conv];
            let more = sk.exchanges.sample(&mut conv.crng);
            conv.left = more - 1;
            conv.reopens += 1;
            conv.msg_at = now;
            conv.deadline = now + sk.response_sla;
            conv.set(flag::PENDING_MSG, true);
            self.rec.reopened(now, &self.convs[pr.conv]);
            self.conv_event(pr.conv, Kind::Reopened, None, Detail::None);
            self.conv_event(pr.conv, Kind::ConsumerMessage, None, Detail::None);
            self.route_returning(pr.conv);
        } else {
            // Closed meanwhile (or abandoned): a new conversation for the same issue.
            let c = self.new_conversation(pr.skill as usize, pr.issue, pr.seed, false);
            if pr.retry {
                self.rec.retried(self.q.now(), pr.skill as usize);
            }
            self.route_new(c);
        }
    }

    /// Auto-close of an idle conversation; with the skill's
    /// `resume_probability` its agent resumes it at once to follow up: the
    /// close is counted (`auto_closed`, `resumed`), the consumer's pending
    /// reply is dropped, and the agent owes one more message, after which
    /// the conversation is solved as usual.
    pub(super) fn auto_close(&mut self, c: ConvId) {
        if matches!(self.convs[c].state, State::Queued | State::Offered) {
            self.auto_close_waiting(c);
            return;
        }
        let now = self.q.now();
        let scn = self.scn;
        let conv = &mut self.convs[c];
        let sk = &scn.skills[conv.skill as usize];
        let resume =
            sk.resume_probability > 0.0 && conv.arng.random::<f64>() < sk.resume_probability;
        if !resume {
            // The consumer had no answer: the skill's `returns` apply (drawn
            // now, the delay from the auto-close), always as a new
            // conversation of the same issue (this one is closed).
            if let Some(r) = &sk.returns {
                self.come_back(c, r, Comeback::Return);
            }
            self.close(c, CloseReason::AutoClose);
            return;
        }
        self.rec.resumed(&self.convs[c]);
        let conv = &mut self.convs[c];
        conv.timers.consumer.cancel();
        conv.timers.auto_close.cancel();
        conv.left = 0;
        conv.msg_at = now;
        conv.deadline = now + sk.response_sla;
        if conv.state == State::AwaitConsumer {
            conv.go(State::AwaitAgent);
            let a = conv.agent.expect("open");
            self.agents[a].worklist.push(c);
            self.start_next(a);
        } else {
            conv.set(flag::PENDING_MSG, true);
            self.route_returning(c);
        }
    }

    /// Auto-close of a conversation back in a queue on its consumer's turn
    /// (returned to the queue while it awaited the consumer): it leaves the
    /// queue (or its ring) and closes. No agent holds it, so none resumes
    /// it; `returns` apply as after any auto-close.
    fn auto_close_waiting(&mut self, c: ConvId) {
        let ringing = match self.convs[c].state {
            State::Queued => {
                // Returned to the ACD queue (never a sticky wait: that one
                // follows a consumer message, so it is the agent's turn).
                self.queue_leave(c, false);
                None
            }
            State::Offered => {
                let a = self.convs[c].agent.expect("offered to an agent");
                self.release_ring(c, a);
                self.convs[c].agent = None;
                Some(a)
            }
            s => unreachable!("auto-close while waiting in state {s:?}"),
        };
        let scn = self.scn;
        if let Some(r) = &scn.skills[self.convs[c].skill as usize].returns {
            self.come_back(c, r, Comeback::Return);
        }
        self.close(c, CloseReason::AutoClose);
        if let Some(a) = ringing {
            self.after_release(a);
        }
    }

    /// Closes a conversation for `reason`, releasing whatever it holds.
    /// Returns the agent whose capacity it freed (and for whom
    /// [`Sim::after_release`] ran), if any.
    pub(super) fn close(&mut self, c: ConvId, reason: CloseReason) -> Option<AgentId> {
        let now = self.q.now();
        let (state, a) = (self.convs[c].state, self.convs[c].agent);
        let holder = a.filter(|_| state.holds_capacity());
        if let Some(a) = holder {
            self.end_open(c);
            self.release_slot(c, a);
        }
        let conv = &mut self.convs[c];
        conv.go(State::Closed);
        if a.is_some() {
            conv.prev_agent = a;
            conv.agent = None;
        }
        self.rec.closed(now, &self.convs[c], reason);
        let by = a.or(self.convs[c].prev_agent);
        self.conv_event(c, Kind::Closed, by, Detail::Text(reason.name()));
        self.free(c);
        if let Some(a) = holder {
            self.after_release(a);
        }
        holder
    }
}

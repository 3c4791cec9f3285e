//! The conversation's own events (SPEC §2): a new conversation's routing
//! and patience, abandonment, consumer messages, park, solve, returns and
//! reopens, auto-close and close. Each handler moves the state machine of
//! [`crate::model::conversation`] and announces what happened to the
//! recorder; none touches a counter.

use super::{Ev, PendingReturn, Sim};
use crate::model::ConvId;
use crate::model::conversation::{CloseReason, State, flag};
use crate::model::style::AfterSolve;
use rand::{Rng, RngExt};

impl Sim<'_> {
    /// Routes a new conversation: to an agent now, or into the queue with its patience.
    pub(super) fn route_new(&mut self, c: ConvId) {
        let s = self.convs[c].skill as usize;
        if self.try_route(c) {
            // Offered in ring mode: patience still runs until accepted.
            if self.convs[c].state != State::Offered {
                return;
            }
        } else {
            self.enqueue(c, false);
        }
        if let Some(p) = &self.scn.skills[s].patience {
            let conv = &mut self.convs[c];
            let patience = p.sample(&mut conv.crng);
            let key = conv.timers.patience.key();
            self.q.schedule_in(patience, Ev::Patience { conv: c, key });
        }
    }

    /// Patience ran out: the conversation leaves if it is still in its first wait.
    pub(super) fn abandon(&mut self, c: ConvId) {
        let now = self.q.now();
        if !self.convs[c].has(flag::FIRST_WAIT) {
            return;
        }
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
        self.after_release(a);
    }

    /// The agent's last reply: solved, then closed now or later by the style.
    pub(super) fn solve(&mut self, c: ConvId) {
        let now = self.q.now();
        let s = self.convs[c].skill as usize;
        let sk = &self.scn.skills[s];
        self.convs[c].solved_at = now;
        // Consumer-side decisions, in a fixed order on the consumer's stream.
        let mut return_slot = None;
        let conv = &mut self.convs[c];
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
                // Replaced once the conversation's next state is known.
                key: conv.timers.state.key(),
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
            return_slot = Some(slot);
        }
        if consumer_closes {
            self.close(c, CloseReason::Consumer);
        } else {
            match self.styles[s].after_solve {
                AfterSolve::Close => self.close(c, CloseReason::Agent),
                AfterSolve::Solved { window } => {
                    let a = self.convs[c].agent.expect("open");
                    self.end_open(c);
                    self.release_slot(c, a);
                    let conv = &mut self.convs[c];
                    conv.go(State::Solved);
                    conv.prev_agent = Some(a);
                    conv.agent = None;
                    conv.timers.consumer.cancel();
                    conv.timers.auto_close.cancel();
                    let key = conv.timers.state.key();
                    self.q.schedule_in(window, Ev::StyleClose { conv: c, key });
                    self.after_release(a);
                }
            }
        }
        if let Some(slot) = return_slot {
            self.returns[slot as usize].key = self.convs[c].timers.state.key();
        }
    }

    pub(super) fn on_return(&mut self, slot: u32) {
        let pr = self.returns[slot as usize];
        self.free_returns.push(slot);
        if self.convs[pr.conv].armed(pr.key, State::Solved) {
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
    pub(super) fn auto_close(&mut self, c: ConvId) {
        let now = self.q.now();
        let scn = self.scn;
        let conv = &mut self.convs[c];
        let sk = &scn.skills[conv.skill as usize];
        let resume =
            sk.resume_probability > 0.0 && conv.arng.random::<f64>() < sk.resume_probability;
        if !resume {
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

    /// Closes a conversation for `reason`, releasing whatever it holds.
    pub(super) fn close(&mut self, c: ConvId, reason: CloseReason) {
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
        self.free(c);
        if let Some(a) = holder {
            self.after_release(a);
        }
    }
}

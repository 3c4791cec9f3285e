//! Ring mode (`accept = "ring"`): a conversation is offered to one agent
//! at a time; the agent accepts after a delay or ignores it until the
//! ring timeout, and the next eligible agent gets it (the ones that
//! ignored it are skipped for the round, see `select`).

use crate::model::conversation::State;
use crate::model::{AgentId, ConvId};
use crate::sim::{Ev, Sim};
use rand::RngExt;

impl Sim<'_> {
    /// Offers to one agent, who accepts after a delay or ignores it.
    pub(super) fn offer(&mut self, c: ConvId, a: AgentId) {
        let now = self.q.now();
        let ch = self.channel(c);
        let r = &self.scn.routing;
        let conv = &mut self.convs[c];
        conv.go(State::Offered);
        conv.agent = Some(a);
        conv.ring_since = now;
        let key = conv.timers.state.key();
        self.rec.rang(&self.convs[c]);
        if !self.agents[a].status.online() {
            self.violations.push(format!(
                "conversation {c} offered to agent {a} in status {:?}",
                self.agents[a].status
            ));
        }
        self.change_load(a, ch, 1);
        self.agents[a].ringing = Some(c);
        let ignored =
            r.ignore_probability > 0.0 && self.ring_rng.random::<f64>() < r.ignore_probability;
        let delay = if ignored {
            f64::INFINITY
        } else {
            r.accept_delay.sample(&mut self.ring_rng)
        };
        self.rec.agent_rang(a, now, ignored);
        if delay < r.ring_timeout {
            self.q.schedule(now + delay, Ev::Accept { conv: c, key });
        } else {
            self.q
                .schedule_fixed(r.ring_timeout, Ev::RingTimeout { conv: c, key });
        }
        self.refresh(a);
    }

    /// Ends a ring at agent `a`, freeing the slot it reserved.
    pub(crate) fn release_ring(&mut self, c: ConvId, a: AgentId) {
        let now = self.q.now();
        let ch = self.channel(c);
        debug_assert_eq!(self.agents[a].ringing, Some(c));
        self.change_load(a, ch, -1);
        self.agents[a].ringing = None;
        self.rec.ring_ended(now, &self.convs[c]);
        self.refresh(a);
    }

    /// The ringing agent accepts: assigned.
    pub(crate) fn accept(&mut self, c: ConvId) {
        let a = self.convs[c].agent.expect("offered");
        self.release_ring(c, a);
        self.rec.ring_accepted(&self.convs[c]);
        self.assign(c, a);
    }

    /// The ring timed out (or was withdrawn): the next agent, or the front
    /// of the queue.
    pub(crate) fn ring_timeout(&mut self, c: ConvId) {
        let a = self.convs[c].agent.expect("offered");
        self.release_ring(c, a);
        self.rec.ring_timed_out(&self.convs[c]);
        let conv = &mut self.convs[c];
        conv.ignored.push(a);
        conv.agent = None;
        conv.go(State::Queued);
        match self.select(c) {
            Some(next) => {
                let conv = &mut self.convs[c];
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

    /// A conversation ringing at an agent that stops being online is
    /// offered to the next agent (counted as a ring timeout).
    pub(crate) fn withdraw_ring(&mut self, a: AgentId) {
        if let Some(c) = self.agents[a].ringing {
            self.ring_timeout(c);
        }
    }
}

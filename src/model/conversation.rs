//! A conversation and its lifecycle (SPEC §2), as one explicit state
//! machine.
//!
//! ```text
//!  arrival ─► Queued ─► (Offered) ─► AwaitAgent ⇄ AwaitConsumer ─► Solved ─► Closed
//!               ▲  │        │            │   ▲         │   ▲           │
//!               │  │        └─ ignored ──┘   │         ▼   │           └─► reopened (AwaitAgent / Queued)
//!               │  └─► Abandoned             │        Parked (social_messaging)
//!               └──── transfer / return-to-queue / logout ────┘
//! ```
//!
//! * `Queued` — in its skill's queue (or waiting for its previous agent,
//!   `sticky`). Patience runs on the first wait of a new conversation and,
//!   with the skill's `requeue_patience`, on every re-queue (returned to
//!   the queue, transferred; SPEC §10); a reopened or unparked one keeps
//!   its place.
//! * `Offered` — ringing at one agent (ring mode); holds a slot of that
//!   agent's capacity; patience still runs.
//! * `AwaitAgent` / `AwaitConsumer` — the two turns of *Open*: assigned,
//!   holding a slot. In `AwaitAgent` a consumer message waits in the
//!   agent's SLA-sorted work list; in `AwaitConsumer` the consumer's reply
//!   time runs (and auto-close, and the park timer).
//! * `Parked` — Pending / On hold in `social_messaging`: owned, but the
//!   slot is free; a consumer message needs capacity again.
//! * `Solved` — the agent solved it; the style's timer will close it; a
//!   consumer return before then reopens it.
//! * Closed and Abandoned are final: the slot is released.
//!
//! Transitions go through [`State::can_go`], which the simulation asserts
//! in debug builds and the tests exercise: an illegal transition is a bug
//! that fails loudly.
//!
//! ## Timers ([`Timers`], one [`Timer`] each)
//!
//! | timer        | armed by                                   | event(s)                                  | cancelled by |
//! |--------------|--------------------------------------------|-------------------------------------------|--------------|
//! | `state`      | any timer or queue entry tied to a state   | park, style close, sticky, ring, accept, queue and sticky entries, a pending return | **every transition** ([`Conv::go`]) |
//! | `consumer`   | the agent's reply (→ AwaitConsumer)        | the consumer's next message               | → Solved, transfer, resume after auto-close, the end |
//! | `auto_close` | an idle conversation (→ AwaitConsumer)     | auto-close (acts on the consumer's turn, [`Conv::consumer_turn`]) | a consumer message, → Solved, transfer, resume, the end |
//! | `patience`   | a wait: the first, or a re-queue with `requeue_patience` | abandonment (acts only while it waits) | assignment, the end |
//!
//! A slot reused by a new conversation cancels all four.
//!
//! Auto-close is the consumer's idle clock (the seeds: conversations
//! *awaiting a consumer response* are auto-closed; never one pending an
//! agent's reply). It keeps running when a conversation goes back to the
//! queue on the consumer's turn (returned by the agent or at logout), so
//! a queued conversation can be auto-closed (Queued/Offered → Closed). A
//! transferred conversation is *actionable* — not auto-closed until it
//! has reached an agent: the transfer cancels the clock and the new agent
//! owes it a reply, so it awaits an agent until then.

use super::ids::{AgentId, GroupId};
use super::timer::Timer;
use rand_xoshiro::SplitMix64;

/// Where a conversation is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Waiting for an agent.
    Queued,
    /// Ringing at an agent.
    Offered,
    /// Open: a consumer message waits for the agent's reply.
    AwaitAgent,
    /// Open: waiting for the consumer.
    AwaitConsumer,
    /// Pending / On hold: owned, capacity freed.
    Parked,
    /// Solved, not yet closed.
    Solved,
    /// Final: closed (by agent, consumer, timer or auto-close).
    Closed,
    /// Final: left the queue unassigned.
    Abandoned,
}

impl State {
    /// Every state, in lifecycle order.
    pub const ALL: [State; 8] = [
        State::Queued,
        State::Offered,
        State::AwaitAgent,
        State::AwaitConsumer,
        State::Parked,
        State::Solved,
        State::Closed,
        State::Abandoned,
    ];

    /// Whether the lifecycle allows `self → to`.
    pub fn can_go(self, to: State) -> bool {
        use State::*;
        matches!(
            (self, to),
            (
                Queued,
                Offered | AwaitAgent | AwaitConsumer | Abandoned | Queued | Closed
            ) | (
                Offered,
                Queued | AwaitAgent | AwaitConsumer | Abandoned | Offered | Closed
            ) | (AwaitAgent, AwaitConsumer | Solved | Closed | Queued)
                | (AwaitConsumer, AwaitAgent | Parked | Closed | Queued)
                | (Parked, AwaitAgent | Queued | Closed)
                | (Solved, AwaitAgent | Queued | Closed)
        )
    }

    /// Whether the conversation holds a slot of its agent's capacity.
    pub fn holds_capacity(self) -> bool {
        matches!(
            self,
            State::Offered | State::AwaitAgent | State::AwaitConsumer
        )
    }

    /// The name used in traces.
    pub fn name(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Offered => "offered",
            State::AwaitAgent => "awaiting_agent",
            State::AwaitConsumer => "awaiting_consumer",
            State::Parked => "parked",
            State::Solved => "solved",
            State::Closed => "closed",
            State::Abandoned => "abandoned",
        }
    }
}

/// Why a conversation closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// Solved in live_chat style, or closed by the agent.
    Agent,
    /// The consumer closed it.
    Consumer,
    /// The style's solved → closed timer.
    Timer,
    /// Auto-close of an inactive conversation.
    AutoClose,
    /// Left the queue (not a close: the abandoned end state).
    Abandoned,
}

impl CloseReason {
    /// The name used in traces.
    pub fn name(self) -> &'static str {
        match self {
            CloseReason::Agent => "agent",
            CloseReason::Consumer => "consumer",
            CloseReason::Timer => "timer",
            CloseReason::AutoClose => "auto_close",
            CloseReason::Abandoned => "abandoned",
        }
    }
}

/// Flag bits of a conversation.
pub mod flag {
    /// The first agent reply was sent.
    pub const FIRST_REPLY: u8 = 1;
    /// A manual SLA is set: exempt from auto-close.
    pub const MANUAL_SLA: u8 = 4;
    /// A consumer message waits for an agent reply (meaningful when queued/offered).
    pub const PENDING_MSG: u8 = 8;
    /// Arrived after the warm-up: counted in the statistics.
    pub const MEASURED: u8 = 16;
    /// Has been assigned at least once (handled).
    pub const HANDLED: u8 = 32;
    /// Still in its first queue wait (counted in the queue times when it ends).
    pub const FIRST_WAIT: u8 = 64;
    /// Transferred at least once (counted in `transfer_rate`).
    pub const TRANSFERRED: u8 = 128;
}

/// The timers of one conversation (see the table in the module doc).
#[derive(Clone, Copy, Debug, Default)]
pub struct Timers {
    /// Tied to the current state: every transition cancels it.
    pub state: Timer,
    /// The consumer's next message.
    pub consumer: Timer,
    /// Auto-close of an idle conversation.
    pub auto_close: Timer,
    /// Abandonment while waiting (first wait or re-queue).
    pub patience: Timer,
}

impl Timers {
    /// Cancels every timer (the slot is reused by a new conversation).
    pub fn cancel_all(&mut self) {
        self.state.cancel();
        self.consumer.cancel();
        self.auto_close.cancel();
        self.patience.cancel();
    }
}

/// One conversation, stored in the simulation's arena.
#[derive(Clone, Debug)]
pub struct Conv {
    /// Its timers.
    pub timers: Timers,
    /// Lifecycle state.
    pub state: State,
    /// Skill whose queue it is in / it belongs to now.
    pub skill: u32,
    /// Skill it arrived at (statistics are attributed there).
    pub origin: u32,
    /// Flags ([`flag`]).
    pub flags: u8,
    /// Owning (or ringing) agent.
    pub agent: Option<AgentId>,
    /// Previous owner, for sticky routing.
    pub prev_agent: Option<AgentId>,
    /// Agents that ignored it in the current round of offers (ring mode).
    pub ignored: Vec<AgentId>,
    /// Every agent that held it, once it has had more than one (empty
    /// before: [`Conv::new_to_agent`] allocates only on a change of agent).
    pub held_by: Vec<AgentId>,
    /// Agent group it was transferred to.
    pub target_group: Option<GroupId>,
    /// Consumer messages still to come after the current one.
    pub left: u32,
    /// Reopens so far.
    pub reopens: u32,
    /// Conversation id (per replication).
    pub id: u64,
    /// Consumer issue id.
    pub issue: u64,
    /// Arrival time.
    pub arrival: f64,
    /// When it entered the current queue wait.
    pub enqueued: f64,
    /// When the current assigned-and-open period began.
    pub open_since: f64,
    /// When the awaited consumer message arrived.
    pub msg_at: f64,
    /// Response-SLA deadline of the awaited reply.
    pub deadline: f64,
    /// When it started ringing.
    pub ring_since: f64,
    /// Total time assigned and open.
    pub handle: f64,
    /// Total agent typing time.
    pub effort: f64,
    /// When the current queue episode began.
    pub q_since: f64,
    /// First queue time (s), NaN until first assigned.
    pub wait: f64,
    /// Arrival → first agent reply (s), NaN until then.
    pub first_response: f64,
    /// Time of the agent's last solve (NaN: never solved).
    pub solved_at: f64,
    /// Consumer-side random stream (reply times, returns, closing).
    pub crng: SplitMix64,
    /// Agent-side random stream (efforts, transfers).
    pub arng: SplitMix64,
}

/// What a conversation starts with when it arrives (a new issue or a
/// return): everything else starts empty, NaN or at the arrival time.
#[derive(Clone, Debug)]
pub struct Arrival {
    /// Its skill (and origin).
    pub skill: u32,
    /// Its flags ([`flag`]).
    pub flags: u8,
    /// Consumer messages still to come after the first.
    pub left: u32,
    /// Conversation id.
    pub id: u64,
    /// Consumer issue id.
    pub issue: u64,
    /// Arrival time.
    pub now: f64,
    /// Response-SLA deadline of the first reply.
    pub deadline: f64,
    /// Consumer-side random stream.
    pub crng: SplitMix64,
    /// Agent-side random stream.
    pub arng: SplitMix64,
}

impl Conv {
    /// A conversation arriving, queued, with fresh timers.
    pub fn new(a: Arrival) -> Conv {
        let mut c = Conv {
            timers: Timers::default(),
            state: State::Queued,
            skill: 0,
            origin: 0,
            flags: 0,
            agent: None,
            prev_agent: None,
            ignored: Vec::new(),
            held_by: Vec::new(),
            target_group: None,
            left: 0,
            reopens: 0,
            id: 0,
            issue: 0,
            arrival: 0.0,
            enqueued: 0.0,
            open_since: 0.0,
            msg_at: 0.0,
            deadline: 0.0,
            ring_since: 0.0,
            handle: 0.0,
            effort: 0.0,
            q_since: 0.0,
            wait: f64::NAN,
            first_response: f64::NAN,
            solved_at: f64::NAN,
            crng: a.crng.clone(),
            arng: a.arng.clone(),
        };
        c.restart(a);
        c.timers = Timers::default();
        c
    }

    /// Reuses this slot for a conversation arriving: every field as
    /// [`Conv::new`] sets it, written in place (no temporary, and the
    /// lists keep their memory); every timer of the previous conversation
    /// becomes stale.
    #[inline]
    pub fn restart(&mut self, a: Arrival) {
        self.timers.cancel_all();
        self.state = State::Queued;
        self.skill = a.skill;
        self.origin = a.skill;
        self.flags = a.flags;
        self.agent = None;
        self.prev_agent = None;
        self.ignored.clear();
        self.held_by.clear();
        self.target_group = None;
        self.left = a.left;
        self.reopens = 0;
        self.id = a.id;
        self.issue = a.issue;
        let now = a.now;
        self.arrival = now;
        self.enqueued = now;
        self.open_since = now;
        self.msg_at = now;
        self.deadline = a.deadline;
        self.ring_since = now;
        self.handle = 0.0;
        self.effort = 0.0;
        self.wait = f64::NAN;
        self.first_response = f64::NAN;
        self.solved_at = f64::NAN;
        self.q_since = now;
        self.crng = a.crng;
        self.arng = a.arng;
    }

    /// Whether a flag is set.
    #[inline]
    pub fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }

    /// Sets or clears a flag.
    #[inline]
    pub fn set(&mut self, f: u8, on: bool) {
        if on {
            self.flags |= f
        } else {
            self.flags &= !f
        }
    }

    /// Moves to `to`, cancelling the state timer; illegal moves panic in debug builds.
    #[inline]
    pub fn go(&mut self, to: State) {
        debug_assert!(
            self.state.can_go(to),
            "illegal transition {:?} -> {:?}",
            self.state,
            to
        );
        self.state = to;
        self.timers.state.cancel();
    }

    /// Whether a state timer armed with `key` still applies: no transition
    /// since, and the conversation is in the state it was armed for.
    #[inline]
    pub fn armed(&self, key: super::timer::TimerKey, state: State) -> bool {
        self.timers.state.fires(key) && self.state == state
    }

    /// Whether it is the consumer's turn, where auto-close applies:
    /// awaiting the consumer, parked, or back in a queue with no consumer
    /// message pending (returned to the queue while it awaited the
    /// consumer). Not while an agent's reply is owed — a transferred
    /// conversation included (actionable until it has reached an agent).
    #[inline]
    pub fn consumer_turn(&self) -> bool {
        match self.state {
            State::AwaitConsumer | State::Parked => true,
            State::Queued | State::Offered => !self.has(flag::PENDING_MSG),
            _ => false,
        }
    }

    /// The agent it was last with: its owner, else its previous owner.
    #[inline]
    pub fn last_agent(&self) -> Option<AgentId> {
        self.agent.or(self.prev_agent)
    }

    /// Notes that agent `a` is assigned it and returns whether `a` never
    /// held it before (an agent's distinct conversations).
    pub fn new_to_agent(&mut self, a: AgentId) -> bool {
        first_hold(self.last_agent(), &mut self.held_by, a)
    }
}

/// Whether agent `a`, assigned a conversation last held by `last`, never
/// held it before; `held_by` lists its agents once it has had two.
fn first_hold(last: Option<AgentId>, held_by: &mut Vec<AgentId>, a: AgentId) -> bool {
    match last {
        None => true,
        Some(last) if last == a => false,
        Some(last) => {
            if held_by.is_empty() {
                held_by.push(last);
            }
            let new = !held_by.contains(&a);
            if new {
                held_by.push(a);
            }
            new
        }
    }
}

#[cfg(test)]
mod tests {
    use super::State::*;

    /// A → A (unpark) → B (returned to the queue) → A: two distinct agents,
    /// each counting the conversation once; nothing allocated until B.
    #[test]
    fn an_agent_holds_a_conversation_for_the_first_time_once() {
        use crate::model::{AgentId, Id};
        let (a, b) = (AgentId::new(0), AgentId::new(1));
        let mut held = Vec::new();
        assert!(super::first_hold(None, &mut held, a));
        assert!(!super::first_hold(Some(a), &mut held, a));
        assert!(held.is_empty());
        assert!(super::first_hold(Some(a), &mut held, b));
        assert!(!super::first_hold(Some(b), &mut held, a));
        assert!(!super::first_hold(Some(a), &mut held, b));
        assert_eq!(held, [a, b]);
    }

    #[test]
    fn final_states_have_no_way_out() {
        for to in super::State::ALL {
            assert!(!Closed.can_go(to));
            assert!(!Abandoned.can_go(to));
        }
    }

    #[test]
    fn only_waiting_conversations_abandon_and_only_open_ones_solve() {
        for s in super::State::ALL {
            assert_eq!(s.can_go(Abandoned), matches!(s, Queued | Offered), "{s:?}");
            assert_eq!(s.can_go(Solved), s == AwaitAgent, "{s:?}");
            assert_eq!(s.can_go(Parked), s == AwaitConsumer, "{s:?}");
        }
        assert!(!Queued.can_go(Solved));
        assert!(!Parked.can_go(AwaitConsumer));
    }

    /// Auto-close can end a conversation waiting in a queue (returned there
    /// on the consumer's turn); abandonment only a waiting one.
    #[test]
    fn a_waiting_conversation_can_be_closed() {
        assert!(Queued.can_go(Closed) && Offered.can_go(Closed));
        assert!(!Parked.can_go(Abandoned) && !Solved.can_go(Abandoned));
    }

    #[test]
    fn capacity_is_held_only_while_offered_or_open() {
        assert!(
            AwaitAgent.holds_capacity()
                && AwaitConsumer.holds_capacity()
                && Offered.holds_capacity()
        );
        assert!(!Parked.holds_capacity() && !Solved.holds_capacity() && !Queued.holds_capacity());
    }
}

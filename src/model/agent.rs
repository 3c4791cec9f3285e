//! Agents: login status, capacity per channel and in total, the
//! SLA-sorted work list of replies they owe, and the one predicate that
//! says whether an agent can take a new conversation ([`Agent::free_for`]).
//! Their statistics live in the recorder ([`crate::record`]).
//!
//! ```text
//!            login                 break start
//!  Offline ─────────► Online ◄──────────────────► Away / BackSoon
//!     ▲                 │          break end            │
//!     └──── logout ─────┴───────────────────────────────┘
//! ```
//!
//! Only `Online` agents receive new conversations, and not while they
//! wind down before a logout (`wind_down`); `Away` and `BackSoon` keep
//! working what they hold; `Offline` agents type nothing. The agent's
//! one timer is its reply in progress (`reply`), cancelled when a logout
//! interrupts it.

use super::ids::{ConvId, GroupId};
use super::timer::{Timer, TimerKey};
use std::collections::VecDeque;

/// An agent's status (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Logged out.
    Offline,
    /// Eligible for new conversations.
    Online,
    /// Not eligible (break); keeps working what it has.
    Away,
    /// Like away (the seeds' "Back Soon"): not eligible, keeps working.
    BackSoon,
}

impl Status {
    /// Whether the agent counts as online (eligible for new work).
    #[inline]
    pub fn online(self) -> bool {
        self == Status::Online
    }

    /// Whether the agent is logged in (online or on a break).
    #[inline]
    pub fn logged_in(self) -> bool {
        self != Status::Offline
    }
}

/// Bits of the channels an agent is logged into: bit 0 live_chat, bit 1 messaging.
pub type Login = u8;

/// One agent.
#[derive(Clone, Debug)]
pub struct Agent {
    /// Its group.
    pub group: GroupId,
    /// Index within the group.
    pub index: u32,
    /// Status.
    pub status: Status,
    /// Channels logged in ([`Login`]).
    pub login: Login,
    /// Conversations holding capacity, per channel.
    pub open: [u32; 2],
    /// Consumer messages awaiting this agent's reply; the most urgent
    /// (earliest deadline) is typed next.
    pub worklist: Vec<ConvId>,
    /// Conversation being typed.
    pub typing: Option<ConvId>,
    /// When the current reply started.
    pub typing_since: f64,
    /// When the reply in progress will be done.
    pub typing_until: f64,
    /// The reply in progress (cancelled when a logout interrupts it).
    pub reply: Timer,
    /// Last conversation typed (switch overhead).
    pub last_conv: Option<ConvId>,
    /// Conversation ringing.
    pub ringing: Option<ConvId>,
    /// Time of the last assignment (most_available's tie-break).
    pub last_assign: f64,
    /// When it last became free for more work (longest idle): its login,
    /// the end of a break, or a conversation leaving its capacity
    /// (solved, closed, parked, transferred, returned). An assignment does
    /// not reset it.
    pub idle_since: f64,
    /// Winding down before a logout (`wind_down`): takes no new
    /// conversation, finishes what it holds.
    pub winding_down: bool,
    /// Sequence stamp of the last assignment (round robin).
    pub assign_stamp: u64,
    /// Ramp-up: assignments left to space out.
    pub ramp_left: u32,
    /// Ramp-up: not eligible before this time.
    pub ramp_next: f64,
    /// Conversations holding a slot of this agent's capacity (open, either turn).
    pub held: Vec<ConvId>,
    /// Index of the shift it is logged in for (shifted groups).
    pub shift: Option<u32>,
    /// Conversations waiting for this agent (sticky), with their state keys.
    pub sticky: VecDeque<(ConvId, TimerKey)>,
    /// When it last logged out (keep policy accounting).
    pub logout_at: f64,
    /// Conversations kept through the last logout.
    pub kept: u32,
    /// The key under which it sits in its group's eligible set, per channel.
    pub rank: [Option<crate::acd::eligible::Rank>; 2],
    /// two_login: capacity is per login (the other login's kept
    /// conversations do not count against this one).
    pub per_login: bool,
}

impl Agent {
    /// A logged-out agent.
    pub fn new(group: GroupId, index: u32, stamp: u64) -> Agent {
        Agent {
            group,
            index,
            status: Status::Offline,
            login: 0,
            open: [0, 0],
            worklist: Vec::new(),
            typing: None,
            typing_since: 0.0,
            typing_until: 0.0,
            reply: Timer::default(),
            last_conv: None,
            ringing: None,
            last_assign: 0.0,
            idle_since: 0.0,
            winding_down: false,
            assign_stamp: stamp,
            ramp_left: 0,
            ramp_next: 0.0,
            held: Vec::new(),
            shift: None,
            sticky: VecDeque::new(),
            logout_at: 0.0,
            kept: 0,
            rank: [None, None],
            per_login: false,
        }
    }

    /// Conversations holding capacity.
    #[inline]
    pub fn open_total(&self) -> u32 {
        self.open[0] + self.open[1]
    }

    /// Free slots for a conversation of `channel` under the given capacities.
    #[inline]
    pub fn free(&self, channel: usize, cap: &[u32; 2], total: u32) -> u32 {
        let c = cap[channel].saturating_sub(self.open[channel]);
        let held = if self.per_login {
            self.open[channel]
        } else {
            self.open_total()
        };
        c.min(total.saturating_sub(held))
    }

    /// The eligibility predicate: the free slots for a new conversation of
    /// `channel` at `now`, or `None` if the agent cannot take one (not
    /// online, winding down before a logout, not logged into the channel,
    /// ringing, ramping up, full).
    #[inline]
    pub fn free_for(&self, channel: usize, now: f64, cap: &[u32; 2], total: u32) -> Option<u32> {
        // Fullness first: an agent refreshed after an assignment is full
        // more often than not, and then nothing else needs reading.
        let free = self.free(channel, cap, total);
        if free == 0
            || self.status != Status::Online
            || self.winding_down
            || self.login & (1 << channel) == 0
            || self.ringing.is_some()
            || now < self.ramp_next
        {
            return None;
        }
        Some(free)
    }
}

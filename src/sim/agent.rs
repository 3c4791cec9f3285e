//! Agents: login status, capacity per channel and in total, the
//! SLA-sorted work list of replies they owe, and their running totals.

use super::conversation::NONE;
use crate::metrics::AgentTally;

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

/// One agent.
#[derive(Clone, Debug)]
pub struct Agent {
    /// Group index.
    pub group: u32,
    /// Index within the group.
    pub index: u32,
    /// Status.
    pub status: Status,
    /// Channels logged in: bit 0 live_chat, bit 1 messaging.
    pub login: u8,
    /// Conversations holding capacity, per channel.
    pub open: [u32; 2],
    /// Consumer messages awaiting this agent's reply (conversation ids);
    /// the most urgent (earliest deadline) is typed next.
    pub worklist: Vec<u32>,
    /// Conversation being typed, or NONE.
    pub typing: u32,
    /// When the current reply started.
    pub typing_since: f64,
    /// Last conversation typed (switch overhead).
    pub last_conv: u32,
    /// Conversation ringing, or NONE.
    pub ringing: u32,
    /// Time of the last assignment (longest idle).
    pub last_assign: f64,
    /// Sequence stamp of the last assignment (round robin).
    pub assign_stamp: u64,
    /// Ramp-up: assignments left to space out.
    pub ramp_left: u32,
    /// Ramp-up: not eligible before this time.
    pub ramp_next: f64,
    /// Conversations holding a slot of this agent's capacity (open, either turn).
    pub held: Vec<u32>,
    /// Index of the shift it is logged in for (shifted groups).
    pub shift: u32,
    /// Conversations waiting for this agent (sticky), with their epochs.
    pub sticky: std::collections::VecDeque<(u32, u32)>,
    /// When it last logged out (keep policy accounting).
    pub logout_at: f64,
    /// Conversations kept through the last logout.
    pub kept: u32,
    /// Last time the time-based totals were brought up to date.
    pub last_t: f64,
    /// The key under which it sits in its group's eligible set, per channel.
    pub key: [Option<(u32, u64, u32)>; 2],
    /// Index of `tally` the current login reports to.
    pub tix: usize,
    /// two_login: capacity is per login (the other login's kept
    /// conversations do not count against this one).
    pub per_login: bool,
    /// Bumped when a reply in progress is interrupted (logout).
    pub type_epoch: u32,
    /// When the reply in progress will be done.
    pub typing_until: f64,
    /// Running totals per login (index 0 live_chat, 1 messaging); for
    /// dedicated and blended agents everything goes to index 0.
    pub tally: [AgentTally; 2],
}

impl Agent {
    /// A logged-out agent.
    pub fn new(group: u32, index: u32, stamp: u64) -> Agent {
        Agent {
            group,
            index,
            status: Status::Offline,
            login: 0,
            open: [0, 0],
            worklist: Vec::new(),
            typing: NONE,
            typing_since: 0.0,
            last_conv: NONE,
            ringing: NONE,
            last_assign: 0.0,
            assign_stamp: stamp,
            ramp_left: 0,
            ramp_next: 0.0,
            held: Vec::new(),
            shift: u32::MAX,
            sticky: Default::default(),
            logout_at: 0.0,
            kept: 0,
            last_t: 0.0,
            key: [None, None],
            tix: 0,
            per_login: false,
            type_epoch: 0,
            typing_until: 0.0,
            tally: Default::default(),
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
}

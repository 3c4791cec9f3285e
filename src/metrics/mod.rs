//! Streaming statistics.
//!
//! During a replication the simulation adds to plain tallies (sums and
//! counts: memory does not grow with simulated time). A finished
//! replication turns its tallies into metric values ([`metric_values`]);
//! ratios are ratios of sums within the replication. Across replications,
//! [`Estimate`] gives the mean and a 95% Student-t confidence interval.

pub mod ci;
pub mod histogram;
pub mod registry;

pub use ci::{Estimate, estimate, paired_difference};
pub use histogram::Histogram;
pub use registry::{Id, Metric, REGISTRY};

/// Counts and sums for one skill (or all skills) in one replication,
/// over conversations that arrived after the warm-up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Conversations that arrived (new conversations, returns included).
    pub offered: u64,
    /// Offered conversations assigned to an agent.
    pub handled: u64,
    /// Offered conversations that left the queue unassigned.
    pub abandoned: u64,
    /// Abandoned within the service-level target.
    pub abandoned_within_sl: u64,
    /// Handled within the service-level target.
    pub handled_within_sl: u64,
    /// Offered conversations that had to wait in queue at all.
    pub waited: u64,
    /// Offered conversations whose skill had no online agent on arrival.
    pub unroutable: u64,
    /// Sum of first queue times of conversations that left the queue (s).
    pub queue_time_sum: f64,
    /// Sum of first queue times of handled conversations (s).
    pub asa_sum: f64,
    /// First agent replies.
    pub first_response_n: u64,
    /// Sum of arrival → first reply (s).
    pub first_response_sum: f64,
    /// First replies within the service-level target.
    pub first_response_within: u64,
    /// Agent replies.
    pub replies: u64,
    /// Sum of consumer message → agent reply (s).
    pub response_sum: f64,
    /// Replies later than the response SLA.
    pub overdue: u64,
    /// Conversations closed (any reason but abandonment).
    pub closed: u64,
    /// Sum of handle times of closed conversations (s).
    pub handle_sum: f64,
    /// Sum of agent typing time of closed conversations (s).
    pub effort_sum: f64,
    /// Sum of arrival → close of closed conversations (s).
    pub resolution_sum: f64,
    /// Solved conversations, each once however often it was reopened
    /// (counted when it closes, or at the end if still in the system).
    pub solved: u64,
    /// Sum of arrival → last solve, once per solved conversation (s).
    pub solve_time_sum: f64,
    /// Reopens (returns inside the window, unparks excluded).
    pub reopens: u64,
    /// New consumer issues (first conversations).
    pub issues: u64,
    /// Closed by the agent.
    pub closed_by_agent: u64,
    /// Closed by the consumer.
    pub closed_by_consumer: u64,
    /// Closed by the style's timer (solved → closed).
    pub closed_by_timer: u64,
    /// Closed by auto-close (resumed ones included).
    pub auto_closed: u64,
    /// Auto-closed conversations the agent resumed.
    pub resumed: u64,
    /// Transfers out of this skill.
    pub transfers: u64,
    /// Returned to the queue (agent action or logout).
    pub returned_to_queue: u64,
    /// Offers (ring mode).
    pub rings: u64,
    /// Rings that timed out (ignored).
    pub ring_timeouts: u64,
    /// Rings accepted.
    pub ring_accepts: u64,
    /// Time kept conversations waited from the logout to the agent's next login (s).
    pub kept_wait_sum: f64,
    /// Time conversations spent ringing (s).
    pub ring_time: f64,
    /// Conversations kept assigned through a logout.
    pub kept_at_logout: u64,
    /// Parks (social messaging).
    pub parks: u64,
    /// Offered conversations still in the system at the end.
    pub in_system_end: u64,
    /// Integral of the queue length over measured time (conversation·s).
    pub queue_area: f64,
    /// Largest queue length seen in measured time.
    pub queue_max: u64,
    /// Integral of online agents having the skill (agent·s).
    pub online_area: f64,
    /// Integral of logged-in agents (online or away) having the skill (agent·s).
    pub logged_in_area: f64,
    /// Sum of every queue episode's time inside the measured window
    /// (conversation·s); equals `queue_area` when the bookkeeping is right.
    pub queue_wait_sum: f64,
    /// Distribution of first response times (log bins).
    pub first_response_hist: Histogram,
    /// Agent replies to a consumer message other than the conversation's
    /// first (every reply but the first).
    pub next_response_n: u64,
    /// Sum of consumer message → agent reply of those (s).
    pub next_response_sum: f64,
    /// Of those, replies within the response SLA.
    pub next_response_within: u64,
    /// Conversations transferred at least once.
    pub transferred: u64,
    /// New conversations started by consumers who abandoned (`retry`).
    pub retries: u64,
    /// Integral of the ACD queue (waiting for any agent) (conversation·s).
    pub acd_queue_area: f64,
    /// Integral of the conversations waiting for their previous agent
    /// (`sticky`) (conversation·s); with `acd_queue_area` it makes `queue_area`.
    pub owner_queue_area: f64,
    /// Largest ACD queue and owner wait seen in measured time.
    pub split_max: QueueSplitMax,
    /// Distribution of next response times (log bins).
    pub next_response_hist: Histogram,
}

impl Tally {
    /// Adds another tally (for `all` = sum of skills; maxima combine as max).
    pub fn merge(&mut self, o: &Tally) {
        macro_rules! add { ($($f:ident),*) => { $( self.$f += o.$f; )* } }
        add!(
            offered,
            handled,
            abandoned,
            abandoned_within_sl,
            handled_within_sl,
            waited,
            unroutable,
            queue_time_sum,
            asa_sum,
            first_response_n,
            first_response_sum,
            first_response_within,
            replies,
            response_sum,
            overdue,
            closed,
            handle_sum,
            effort_sum,
            resolution_sum,
            solved,
            solve_time_sum,
            reopens,
            issues,
            closed_by_agent,
            closed_by_consumer,
            closed_by_timer,
            auto_closed,
            resumed,
            transfers,
            returned_to_queue,
            rings,
            ring_timeouts,
            ring_accepts,
            kept_wait_sum,
            ring_time,
            kept_at_logout,
            parks,
            in_system_end,
            queue_area,
            online_area,
            logged_in_area,
            queue_wait_sum,
            next_response_n,
            next_response_sum,
            next_response_within,
            transferred,
            retries,
            acd_queue_area,
            owner_queue_area
        );
        self.queue_max = self.queue_max.max(o.queue_max);
        self.split_max.merge(&o.split_max);
        self.first_response_hist.merge(&o.first_response_hist);
        self.next_response_hist.merge(&o.next_response_hist);
    }
}

/// The largest ACD queue and the largest number of conversations waiting
/// for their owner, of one scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueSplitMax {
    /// Largest ACD queue (waiting for any agent).
    pub acd: u64,
    /// Largest number waiting for their previous agent.
    pub owner: u64,
}

impl QueueSplitMax {
    /// Raises the maxima to a queue of `q` of which `owner` wait for their owner.
    #[inline]
    pub fn see(&mut self, q: u64, owner: u64) {
        self.acd = self.acd.max(q.saturating_sub(owner));
        self.owner = self.owner.max(owner);
    }

    /// The larger of each maximum.
    pub fn merge(&mut self, o: &QueueSplitMax) {
        self.acd = self.acd.max(o.acd);
        self.owner = self.owner.max(o.owner);
    }
}

/// The load of a set of agents over some measured time: what occupancy
/// and concurrency per group are made of (issue 10 item 15).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoadTally {
    /// Time logged in (online or away), summed over the agents (s).
    pub logged_in: f64,
    /// Time typing replies (s).
    pub effort: f64,
    /// Integral of open conversations over logged-in time (conversation·s).
    pub open_area: f64,
}

impl LoadTally {
    /// Adds another set's load.
    pub fn merge(&mut self, o: &LoadTally) {
        self.logged_in += o.logged_in;
        self.effort += o.effort;
        self.open_area += o.open_area;
    }

    /// The load part of an agent's totals.
    pub fn of(a: &AgentTally) -> LoadTally {
        LoadTally {
            logged_in: a.logged_in,
            effort: a.effort,
            open_area: a.open_area,
        }
    }

    /// [`GROUP_METRICS`] of this load over `length` seconds: occupancy
    /// (typing ÷ logged-in time), mean concurrency (open conversations per
    /// logged-in agent) and mean agents logged in; NaN without logged-in time.
    pub fn values(&self, length: f64) -> [f64; 3] {
        let r = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        [
            r(self.effort, self.logged_in),
            r(self.open_area, self.logged_in),
            r(self.logged_in, length),
        ]
    }
}

/// The metrics of `groups.csv` and `group_intervals.csv`, in
/// [`LoadTally::values`] order (the names mean what they mean in
/// `summary.csv`, for one group's agents).
pub const GROUP_METRICS: [&str; 3] = ["occupancy", "concurrency_mean", "agents_logged_in"];

/// Time-based totals over the agents of one replication (measured time only).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgentTally {
    /// Time logged in (online or away) (s).
    pub logged_in: f64,
    /// Time online (s).
    pub online: f64,
    /// Time typing replies (s).
    pub effort: f64,
    /// Integral of open conversations over logged-in time (conversation·s).
    pub open_area: f64,
    /// Largest number of open conversations.
    pub max_open: u32,
    /// Distinct conversations assigned (one assigned again to an agent who
    /// held it before — unparked, reopened, kept — does not count again).
    pub conversations: u64,
    /// Assignments (every one, unparks and reassignments included).
    pub assignments: u64,
    /// Replies typed.
    pub replies: u64,
    /// Rings offered to this agent.
    pub rings: u64,
    /// Rings this agent ignored.
    pub rings_ignored: u64,
}

impl AgentTally {
    /// Adds another agent's totals.
    pub fn merge(&mut self, o: &AgentTally) {
        self.logged_in += o.logged_in;
        self.online += o.online;
        self.effort += o.effort;
        self.open_area += o.open_area;
        self.max_open = self.max_open.max(o.max_open);
        self.conversations += o.conversations;
        self.assignments += o.assignments;
        self.replies += o.replies;
        self.rings += o.rings;
        self.rings_ignored += o.rings_ignored;
    }
}

/// The metric names of `summary.csv`, in output order (from the [`registry`]).
pub const METRICS: &[&str] = &registry::SUMMARY_NAMES;

/// The value of every metric in [`METRICS`] order for one replication.
/// `horizon` is the measured time; `agents` the agents' totals for the
/// same scope (occupancy and concurrency are NaN without one).
pub fn metric_values(t: &Tally, agents: Option<&AgentTally>, horizon: f64) -> Vec<f64> {
    registry::summary_values(t, agents, horizon)
}

/// Index of a metric in [`METRICS`].
pub fn metric_index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| *m == name)
}

//! Per-report-interval tallies of one replication: a compact row per
//! (interval, skill), filled as the run goes.

/// Counts and sums of one skill in one report interval. Conversation
/// counts are attributed to the interval of arrival; replies to the
/// interval they were sent in; queue and staffing are time averages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IntervalTally {
    /// Conversations that arrived.
    pub offered: u64,
    /// Of those, assigned.
    pub handled: u64,
    /// Of those, abandoned.
    pub abandoned: u64,
    /// Handled within the service-level target.
    pub handled_within_sl: u64,
    /// Abandoned within the service-level target.
    pub abandoned_within_sl: u64,
    /// Sum of queue times of handled conversations (s).
    pub asa_sum: f64,
    /// Offered while no online agent had the skill.
    pub unroutable: u64,
    /// First replies sent in the interval.
    pub first_response_n: u64,
    /// Sum of first response times (s).
    pub first_response_sum: f64,
    /// Agent replies sent in the interval.
    pub replies: u64,
    /// Sum of response times (s).
    pub response_sum: f64,
    /// Replies later than the response SLA.
    pub overdue: u64,
    /// Conversations closed in the interval (any reason).
    pub closed: u64,
    /// Of those, auto-closed.
    pub auto_closed: u64,
    /// Sum of handle times of those (s).
    pub handle_sum: f64,
    /// Sum of agent effort of those (s).
    pub effort_sum: f64,
    /// Sum of arrival → close of those (s).
    pub resolution_sum: f64,
    /// Reopens in the interval.
    pub reopens: u64,
    /// Integral of the queue length (conversation·s).
    pub queue_area: f64,
    /// Largest queue length.
    pub queue_max: u64,
    /// Integral of online agents with the skill (agent·s).
    pub online_area: f64,
    /// Integral of logged-in agents (online or away) with the skill (agent·s).
    pub logged_in_area: f64,
    /// Replies but a conversation's first sent in the interval.
    pub next_response_n: u64,
    /// Sum of their response times (s).
    pub next_response_sum: f64,
    /// Of those, within the response SLA.
    pub next_response_within: u64,
    /// Retries (new conversations of consumers who abandoned) arrived.
    pub retries: u64,
    /// Integral of the ACD queue (conversation·s).
    pub acd_queue_area: f64,
    /// Integral of the conversations waiting for their previous agent (conversation·s).
    pub owner_queue_area: f64,
    /// Largest ACD queue and owner wait.
    pub split_max: crate::metrics::QueueSplitMax,
}

/// Column names of the per-interval metrics, in [`interval_values`] order
/// (from the metric registry).
pub const INTERVAL_METRICS: &[&str] = &crate::metrics::registry::INTERVAL_NAMES;

/// Metric values of one interval row; `length` is the interval's length.
pub fn interval_values(t: &IntervalTally, length: f64) -> Vec<f64> {
    crate::metrics::registry::interval_values(t, length)
}

impl IntervalTally {
    /// Adds another row (for the `all` scope).
    pub fn merge(&mut self, o: &IntervalTally) {
        self.offered += o.offered;
        self.handled += o.handled;
        self.abandoned += o.abandoned;
        self.handled_within_sl += o.handled_within_sl;
        self.abandoned_within_sl += o.abandoned_within_sl;
        self.asa_sum += o.asa_sum;
        self.unroutable += o.unroutable;
        self.first_response_n += o.first_response_n;
        self.first_response_sum += o.first_response_sum;
        self.replies += o.replies;
        self.response_sum += o.response_sum;
        self.overdue += o.overdue;
        self.closed += o.closed;
        self.auto_closed += o.auto_closed;
        self.handle_sum += o.handle_sum;
        self.effort_sum += o.effort_sum;
        self.resolution_sum += o.resolution_sum;
        self.reopens += o.reopens;
        self.queue_area += o.queue_area;
        self.queue_max += o.queue_max;
        self.online_area += o.online_area;
        self.logged_in_area += o.logged_in_area;
        self.next_response_n += o.next_response_n;
        self.next_response_sum += o.next_response_sum;
        self.next_response_within += o.next_response_within;
        self.retries += o.retries;
        self.acd_queue_area += o.acd_queue_area;
        self.owner_queue_area += o.owner_queue_area;
        self.split_max.acd += o.split_max.acd;
        self.split_max.owner += o.split_max.owner;
    }
}

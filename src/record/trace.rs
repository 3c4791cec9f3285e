//! The per-conversation trace (`--trace`): one row per conversation when
//! it ends (or is still in the system at the end), handed to a sink as it
//! happens. Rows exist only when a sink is given.

/// One finished (or still open at the end) conversation, for `--trace`.
#[derive(Clone, Debug)]
pub struct TraceRow<'a> {
    /// Replication.
    pub replication: u32,
    /// Conversation id.
    pub id: u64,
    /// Consumer issue id.
    pub issue: u64,
    /// Skill of arrival.
    pub skill: &'a str,
    /// Arrival time (s).
    pub arrival: f64,
    /// Time of the end (close, abandonment, or the end of the run).
    pub end: f64,
    /// Final state (`closed`, `abandoned`, or the state at the end).
    pub state: &'static str,
    /// Close reason, or empty.
    pub reason: &'static str,
    /// First queue time (s), NaN if never assigned.
    pub queue_time: f64,
    /// Arrival → first reply (s), NaN if none.
    pub first_response: f64,
    /// Time assigned and open (s).
    pub handle: f64,
    /// Agent typing time (s).
    pub effort: f64,
    /// Reopens.
    pub reopens: u32,
    /// Last agent as `group#index`, or empty.
    pub agent: String,
}

/// Receives per-conversation rows as they happen.
pub trait TraceSink {
    /// One conversation ended (or the run ended with it open).
    fn row(&mut self, row: &TraceRow<'_>);
}

//! The metric registry: every metric ccsim reports, written once — its
//! name (the contract in `summary.csv`, `intervals.csv`, `sweep.csv`,
//! targets), how people read it (label, title, unit, which direction is
//! better), where it exists (summary, per interval, `all` only) and how
//! its value follows from a replication's tallies.
//!
//! Everything that shows or checks a metric (the CSV writers, the printed
//! tables, compare's charts, staffing targets) reads this table through a
//! typed [`Id`]; nothing looks a metric up by a string it wrote itself.
//!
//! Adding a metric: a variant of [`Id`] and a row of [`REGISTRY`] (and,
//! if it needs a new sum, a field of the tally that feeds it).

use super::{AgentTally, Tally};
use crate::sim::interval::IntervalTally;

/// How a metric's values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A count of conversations or events.
    Count,
    /// A share from 0 to 1 (shown in percent).
    Share,
    /// A duration in seconds.
    Seconds,
    /// Another quantity (a mean level, such as a queue length or agents).
    Level,
}

/// Which direction of a metric is better for the center.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// More is better (service level).
    Higher,
    /// Less is better (waits, abandonment).
    Lower,
    /// Neither (volumes, counts by reason).
    Neither,
}

/// A summary value: (the scope's tally, the agents' totals for the `all`
/// scope, the measured time in seconds).
pub type SummaryFn = fn(&Tally, Option<&AgentTally>, f64) -> f64;

/// An interval value: (the interval's tally, the interval's length in seconds).
pub type IntervalFn = fn(&IntervalTally, f64) -> f64;

/// One metric.
#[derive(Clone, Copy)]
pub struct Metric {
    /// Its identity.
    pub id: Id,
    /// The name in files and targets (a contract: never renamed).
    pub name: &'static str,
    /// A short label for tables.
    pub label: &'static str,
    /// A chart title saying what it measures.
    pub title: &'static str,
    /// The quantity on a chart's value axis.
    pub axis: &'static str,
    /// Its unit.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// Defined only for all skills together (agent metrics).
    pub all_only: bool,
    /// May be a staffing target (`ccsim staff --target`).
    pub target: bool,
    /// Its value in `summary.csv`, if it is reported there.
    pub summary: Option<SummaryFn>,
    /// Its value per report interval, if it is reported there.
    pub interval: Option<IntervalFn>,
}

impl std::fmt::Debug for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every metric, by identity. The order is the order of `summary.csv`.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Id {
    Offered,
    Handled,
    Abandoned,
    AbandonmentRate,
    WaitProbability,
    QueueTimeMean,
    Asa,
    ServiceLevel,
    FirstResponseMean,
    FirstResponseSl,
    ResponseTimeMean,
    OverdueRate,
    HandleTimeMean,
    EffortMean,
    Occupancy,
    ConcurrencyMean,
    Unroutable,
    ResolutionTimeMean,
    SolveTimeMean,
    ReopenRate,
    ConversationsPerIssue,
    Closed,
    ClosedByAgent,
    ClosedByConsumer,
    ClosedByTimer,
    AutoClosed,
    Resumed,
    Transfers,
    ReturnedToQueue,
    Rings,
    RingTimeouts,
    RingAccepts,
    RingTimeMean,
    KeptAtLogout,
    KeptWaitMean,
    Parks,
    InSystemEnd,
    QueueMean,
    QueueMax,
    AgentsOnline,
    AgentsLoggedIn,
    Reopens,
    NextResponseMean,
    NextResponseSl,
    TransferRate,
    Retries,
    // Issue 10 item 6: the queue split into the ACD queue and the owner waits.
    AcdQueueMean,
    AcdQueueMax,
    OwnerQueueMean,
    OwnerQueueMax,
}

impl Id {
    /// The registry row.
    pub fn metric(self) -> &'static Metric {
        &REGISTRY[self as usize]
    }

    /// The name in files.
    pub fn name(self) -> &'static str {
        self.metric().name
    }

    /// The metric named `name`, if any.
    pub fn from_name(name: &str) -> Option<Id> {
        REGISTRY.iter().find(|m| m.name == name).map(|m| m.id)
    }

    /// Position among the summary metrics (the index into a summary row).
    pub fn summary_index(self) -> Option<usize> {
        SUMMARY.iter().position(|&i| i == self)
    }

    /// Position among the interval metrics (the index into an interval row).
    pub fn interval_index(self) -> Option<usize> {
        INTERVAL.iter().position(|&i| i == self)
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

fn f(x: u64) -> f64 {
    x as f64
}

/// A metric with the defaults of a count reported in the summary only.
const fn base(id: Id, name: &'static str, label: &'static str) -> Metric {
    Metric {
        id,
        name,
        label,
        title: label,
        axis: label,
        unit: Unit::Count,
        better: Better::Neither,
        all_only: false,
        target: false,
        summary: None,
        interval: None,
    }
}

/// A share metric.
const fn share(id: Id, name: &'static str, label: &'static str, better: Better) -> Metric {
    Metric {
        unit: Unit::Share,
        better,
        ..base(id, name, label)
    }
}

/// A duration metric.
const fn time(id: Id, name: &'static str, label: &'static str, better: Better) -> Metric {
    Metric {
        unit: Unit::Seconds,
        better,
        ..base(id, name, label)
    }
}

/// The registry, in [`Id`] order.
pub const REGISTRY: &[Metric] = &[
    Metric {
        title: "Conversations offered",
        summary: Some(|t, _, _| f(t.offered)),
        interval: Some(|t, _| f(t.offered)),
        ..base(Id::Offered, "offered", "offered")
    },
    Metric {
        summary: Some(|t, _, _| f(t.handled)),
        interval: Some(|t, _| f(t.handled)),
        ..base(Id::Handled, "handled", "handled")
    },
    Metric {
        summary: Some(|t, _, _| f(t.abandoned)),
        interval: Some(|t, _| f(t.abandoned)),
        ..base(Id::Abandoned, "abandoned", "abandoned (count)")
    },
    Metric {
        title: "Abandonment rate: share leaving the queue unanswered",
        axis: "abandoned",
        target: true,
        summary: Some(|t, _, _| ratio(f(t.abandoned), f(t.offered))),
        interval: Some(|t, _| ratio(f(t.abandoned), f(t.offered))),
        ..share(
            Id::AbandonmentRate,
            "abandonment_rate",
            "abandoned",
            Better::Lower,
        )
    },
    Metric {
        summary: Some(|t, _, _| ratio(f(t.waited), f(t.offered))),
        ..share(
            Id::WaitProbability,
            "wait_probability",
            "waited",
            Better::Lower,
        )
    },
    Metric {
        summary: Some(|t, _, _| ratio(t.queue_time_sum, f(t.handled + t.abandoned))),
        ..time(
            Id::QueueTimeMean,
            "queue_time_mean",
            "queue time",
            Better::Lower,
        )
    },
    Metric {
        title: "Average speed of answer",
        target: true,
        summary: Some(|t, _, _| ratio(t.asa_sum, f(t.handled))),
        interval: Some(|t, _| ratio(t.asa_sum, f(t.handled))),
        ..time(Id::Asa, "asa", "ASA", Better::Lower)
    },
    Metric {
        title: "Service level: share answered within target",
        target: true,
        summary: Some(|t, _, _| {
            ratio(
                f(t.handled_within_sl),
                f(t.offered) - f(t.abandoned_within_sl),
            )
        }),
        interval: Some(|t, _| {
            ratio(
                f(t.handled_within_sl),
                f(t.offered) - f(t.abandoned_within_sl),
            )
        }),
        ..share(
            Id::ServiceLevel,
            "service_level",
            "service level",
            Better::Higher,
        )
    },
    Metric {
        title: "Mean first response time (arrival → first reply)",
        axis: "mean first response",
        target: true,
        summary: Some(|t, _, _| ratio(t.first_response_sum, f(t.first_response_n))),
        interval: Some(|t, _| ratio(t.first_response_sum, f(t.first_response_n))),
        ..time(
            Id::FirstResponseMean,
            "first_response_mean",
            "first response",
            Better::Lower,
        )
    },
    Metric {
        target: true,
        summary: Some(|t, _, _| ratio(f(t.first_response_within), f(t.first_response_n))),
        ..share(
            Id::FirstResponseSl,
            "first_response_sl",
            "first response SL",
            Better::Higher,
        )
    },
    Metric {
        title: "Mean response time (consumer message → agent reply)",
        axis: "mean response time",
        target: true,
        summary: Some(|t, _, _| ratio(t.response_sum, f(t.replies))),
        interval: Some(|t, _| ratio(t.response_sum, f(t.replies))),
        ..time(
            Id::ResponseTimeMean,
            "response_time_mean",
            "response time",
            Better::Lower,
        )
    },
    Metric {
        summary: Some(|t, _, _| ratio(f(t.overdue), f(t.replies))),
        interval: Some(|t, _| ratio(f(t.overdue), f(t.replies))),
        ..share(Id::OverdueRate, "overdue_rate", "overdue", Better::Lower)
    },
    Metric {
        title: "Mean handle time (assigned and open)",
        axis: "mean handle time",
        summary: Some(|t, _, _| ratio(t.handle_sum, f(t.closed))),
        interval: Some(|t, _| ratio(t.handle_sum, f(t.closed))),
        ..time(
            Id::HandleTimeMean,
            "handle_time_mean",
            "handle time",
            Better::Neither,
        )
    },
    Metric {
        summary: Some(|t, _, _| ratio(t.effort_sum, f(t.closed))),
        interval: Some(|t, _| ratio(t.effort_sum, f(t.closed))),
        ..time(Id::EffortMean, "effort_mean", "effort", Better::Neither)
    },
    Metric {
        title: "Agent occupancy: typing time ÷ logged-in time",
        all_only: true,
        summary: Some(|_, a, _| a.map_or(f64::NAN, |a| ratio(a.effort, a.logged_in))),
        ..share(Id::Occupancy, "occupancy", "occupancy", Better::Neither)
    },
    Metric {
        unit: Unit::Level,
        all_only: true,
        summary: Some(|_, a, _| a.map_or(f64::NAN, |a| ratio(a.open_area, a.logged_in))),
        ..base(Id::ConcurrencyMean, "concurrency_mean", "concurrency")
    },
    Metric {
        summary: Some(|t, _, _| f(t.unroutable)),
        interval: Some(|t, _| f(t.unroutable)),
        ..base(Id::Unroutable, "unroutable", "unroutable")
    },
    Metric {
        summary: Some(|t, _, _| ratio(t.resolution_sum, f(t.closed))),
        interval: Some(|t, _| ratio(t.resolution_sum, f(t.closed))),
        ..time(
            Id::ResolutionTimeMean,
            "resolution_time_mean",
            "resolution time",
            Better::Lower,
        )
    },
    Metric {
        summary: Some(|t, _, _| ratio(t.solve_time_sum, f(t.solved))),
        ..time(
            Id::SolveTimeMean,
            "solve_time_mean",
            "solve time",
            Better::Lower,
        )
    },
    Metric {
        summary: Some(|t, _, _| ratio(f(t.reopens), f(t.handled))),
        ..share(Id::ReopenRate, "reopen_rate", "reopened", Better::Lower)
    },
    Metric {
        unit: Unit::Level,
        better: Better::Lower,
        summary: Some(|t, _, _| ratio(f(t.offered), f(t.issues))),
        ..base(
            Id::ConversationsPerIssue,
            "conversations_per_issue",
            "conversations per issue",
        )
    },
    Metric {
        summary: Some(|t, _, _| f(t.closed)),
        interval: Some(|t, _| f(t.closed)),
        ..base(Id::Closed, "closed", "closed")
    },
    Metric {
        summary: Some(|t, _, _| f(t.closed_by_agent)),
        ..base(Id::ClosedByAgent, "closed_by_agent", "closed by agent")
    },
    Metric {
        summary: Some(|t, _, _| f(t.closed_by_consumer)),
        ..base(
            Id::ClosedByConsumer,
            "closed_by_consumer",
            "closed by consumer",
        )
    },
    Metric {
        summary: Some(|t, _, _| f(t.closed_by_timer)),
        ..base(Id::ClosedByTimer, "closed_by_timer", "closed by timer")
    },
    Metric {
        summary: Some(|t, _, _| f(t.auto_closed)),
        interval: Some(|t, _| f(t.auto_closed)),
        ..base(Id::AutoClosed, "auto_closed", "auto-closed")
    },
    Metric {
        summary: Some(|t, _, _| f(t.resumed)),
        ..base(Id::Resumed, "resumed", "resumed")
    },
    Metric {
        summary: Some(|t, _, _| f(t.transfers)),
        ..base(Id::Transfers, "transfers", "transfers")
    },
    Metric {
        summary: Some(|t, _, _| f(t.returned_to_queue)),
        ..base(
            Id::ReturnedToQueue,
            "returned_to_queue",
            "returned to queue",
        )
    },
    Metric {
        summary: Some(|t, _, _| f(t.rings)),
        ..base(Id::Rings, "rings", "rings")
    },
    Metric {
        summary: Some(|t, _, _| f(t.ring_timeouts)),
        ..base(Id::RingTimeouts, "ring_timeouts", "ring timeouts")
    },
    Metric {
        summary: Some(|t, _, _| f(t.ring_accepts)),
        ..base(Id::RingAccepts, "ring_accepts", "ring accepts")
    },
    Metric {
        summary: Some(|t, _, _| ratio(t.ring_time, f(t.rings))),
        ..time(
            Id::RingTimeMean,
            "ring_time_mean",
            "ring time",
            Better::Lower,
        )
    },
    Metric {
        summary: Some(|t, _, _| f(t.kept_at_logout)),
        ..base(Id::KeptAtLogout, "kept_at_logout", "kept at logout")
    },
    Metric {
        summary: Some(|t, _, _| ratio(t.kept_wait_sum, f(t.kept_at_logout))),
        ..time(
            Id::KeptWaitMean,
            "kept_wait_mean",
            "kept wait",
            Better::Lower,
        )
    },
    Metric {
        summary: Some(|t, _, _| f(t.parks)),
        ..base(Id::Parks, "parks", "parks")
    },
    Metric {
        summary: Some(|t, _, _| f(t.in_system_end)),
        ..base(Id::InSystemEnd, "in_system_end", "in system at the end")
    },
    Metric {
        unit: Unit::Level,
        better: Better::Lower,
        summary: Some(|t, _, h| ratio(t.queue_area, h)),
        interval: Some(|t, len| t.queue_area / len),
        ..base(Id::QueueMean, "queue_mean", "queue (mean)")
    },
    Metric {
        summary: Some(|t, _, _| f(t.queue_max)),
        interval: Some(|t, _| f(t.queue_max)),
        ..base(Id::QueueMax, "queue_max", "queue (max)")
    },
    Metric {
        unit: Unit::Level,
        summary: Some(|t, _, h| ratio(t.online_area, h)),
        interval: Some(|t, len| t.online_area / len),
        ..base(Id::AgentsOnline, "agents_online", "agents online")
    },
    Metric {
        unit: Unit::Level,
        summary: Some(|t, _, h| ratio(t.logged_in_area, h)),
        interval: Some(|t, len| t.logged_in_area / len),
        ..base(Id::AgentsLoggedIn, "agents_logged_in", "agents logged in")
    },
    Metric {
        interval: Some(|t, _| f(t.reopens)),
        ..base(Id::Reopens, "reopens", "reopens")
    },
    Metric {
        title: "Mean next response time (every consumer message but the first → agent reply)",
        axis: "mean next response",
        summary: Some(|t, _, _| ratio(t.next_response_sum, f(t.next_response_n))),
        interval: Some(|t, _| ratio(t.next_response_sum, f(t.next_response_n))),
        ..time(
            Id::NextResponseMean,
            "next_response_mean",
            "next response",
            Better::Lower,
        )
    },
    Metric {
        title: "Next response SL: share of replies but the first within the response SLA",
        axis: "next response SL",
        summary: Some(|t, _, _| ratio(f(t.next_response_within), f(t.next_response_n))),
        interval: Some(|t, _| ratio(f(t.next_response_within), f(t.next_response_n))),
        ..share(
            Id::NextResponseSl,
            "next_response_sl",
            "next response SL",
            Better::Higher,
        )
    },
    Metric {
        summary: Some(|t, _, _| ratio(f(t.transferred), f(t.handled))),
        ..share(
            Id::TransferRate,
            "transfer_rate",
            "transferred",
            Better::Neither,
        )
    },
    Metric {
        title: "Retries: new conversations of consumers who abandoned",
        axis: "retries",
        summary: Some(|t, _, _| f(t.retries)),
        interval: Some(|t, _| f(t.retries)),
        ..base(Id::Retries, "retries", "retries")
    },
    // Issue 10 item 6: `queue_mean`/`queue_max` count both; these split them.
    Metric {
        title: "Mean ACD queue (waiting for any agent; owner waits excluded)",
        axis: "conversations in the ACD queue",
        unit: Unit::Level,
        better: Better::Lower,
        summary: Some(|t, _, h| ratio(t.acd_queue_area, h)),
        interval: Some(|t, len| t.acd_queue_area / len),
        ..base(Id::AcdQueueMean, "acd_queue_mean", "ACD queue (mean)")
    },
    Metric {
        summary: Some(|t, _, _| f(t.split_max.acd)),
        interval: Some(|t, _| f(t.split_max.acd)),
        ..base(Id::AcdQueueMax, "acd_queue_max", "ACD queue (max)")
    },
    Metric {
        title: "Mean number of conversations waiting for their previous agent (sticky)",
        axis: "conversations waiting for their owner",
        unit: Unit::Level,
        better: Better::Lower,
        summary: Some(|t, _, h| ratio(t.owner_queue_area, h)),
        interval: Some(|t, len| t.owner_queue_area / len),
        ..base(Id::OwnerQueueMean, "owner_queue_mean", "owner wait (mean)")
    },
    Metric {
        summary: Some(|t, _, _| f(t.split_max.owner)),
        interval: Some(|t, _| f(t.split_max.owner)),
        ..base(Id::OwnerQueueMax, "owner_queue_max", "owner wait (max)")
    },
];

/// The summary metrics, in `summary.csv` order.
pub const SUMMARY: &[Id] = &{
    let mut out = [Id::Offered; count(true)];
    let (mut i, mut n) = (0, 0);
    while i < REGISTRY.len() {
        if REGISTRY[i].summary.is_some() {
            out[n] = REGISTRY[i].id;
            n += 1;
        }
        i += 1;
    }
    out
};

/// The per-interval metrics, in `intervals.csv` column order.
pub const INTERVAL: &[Id] = &[
    Id::Offered,
    Id::Handled,
    Id::Abandoned,
    Id::AbandonmentRate,
    Id::ServiceLevel,
    Id::Asa,
    Id::FirstResponseMean,
    Id::ResponseTimeMean,
    Id::OverdueRate,
    Id::Closed,
    Id::AutoClosed,
    Id::HandleTimeMean,
    Id::EffortMean,
    Id::ResolutionTimeMean,
    Id::Reopens,
    Id::Unroutable,
    Id::QueueMean,
    Id::QueueMax,
    Id::AgentsOnline,
    Id::AgentsLoggedIn,
    Id::NextResponseMean,
    Id::NextResponseSl,
    Id::Retries,
    // Issue 10 item 6.
    Id::AcdQueueMean,
    Id::AcdQueueMax,
    Id::OwnerQueueMean,
    Id::OwnerQueueMax,
];

/// How many registry rows have a summary value (`true`) or an interval one.
const fn count(summary: bool) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < REGISTRY.len() {
        let has = if summary {
            REGISTRY[i].summary.is_some()
        } else {
            REGISTRY[i].interval.is_some()
        };
        if has {
            n += 1;
        }
        i += 1;
    }
    n
}

/// Names of `ids`, as a const array.
const fn names<const N: usize>(ids: &[Id]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = REGISTRY[ids[i] as usize].name;
        i += 1;
    }
    out
}

/// Summary metric names, in [`SUMMARY`] order.
pub const SUMMARY_NAMES: [&str; count(true)] = names(SUMMARY);

/// Interval metric names, in [`INTERVAL`] order.
pub const INTERVAL_NAMES: [&str; count(false)] = names(INTERVAL);

/// The value of every summary metric for one replication and scope.
pub fn summary_values(t: &Tally, agents: Option<&AgentTally>, horizon: f64) -> Vec<f64> {
    SUMMARY
        .iter()
        .map(|id| (id.metric().summary.expect("summary metric"))(t, agents, horizon))
        .collect()
}

/// The value of every interval metric for one interval row.
pub fn interval_values(t: &IntervalTally, length: f64) -> Vec<f64> {
    INTERVAL
        .iter()
        .map(|id| (id.metric().interval.expect("interval metric"))(t, length))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_id_order_with_unique_names() {
        for (i, m) in REGISTRY.iter().enumerate() {
            assert_eq!(m.id as usize, i, "{} is out of place", m.name);
            assert_eq!(
                Id::from_name(m.name),
                Some(m.id),
                "{} is named twice",
                m.name
            );
        }
    }

    #[test]
    fn every_interval_metric_has_an_interval_value_and_appears_once() {
        let mut seen = std::collections::BTreeSet::new();
        for id in INTERVAL {
            assert!(
                id.metric().interval.is_some(),
                "{} has no interval value",
                id.name()
            );
            assert!(seen.insert(*id), "{} listed twice", id.name());
        }
        let with_value = REGISTRY.iter().filter(|m| m.interval.is_some()).count();
        assert_eq!(
            with_value,
            INTERVAL.len(),
            "an interval metric is missing from INTERVAL"
        );
    }

    #[test]
    fn indices_match_the_name_lists() {
        assert_eq!(
            Id::ServiceLevel.summary_index().map(|i| SUMMARY_NAMES[i]),
            Some("service_level")
        );
        assert_eq!(Id::Reopens.summary_index(), None);
        assert_eq!(
            Id::Reopens.interval_index().map(|i| INTERVAL_NAMES[i]),
            Some("reopens")
        );
        assert_eq!(Id::WaitProbability.interval_index(), None);
    }
}

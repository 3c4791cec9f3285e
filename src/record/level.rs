//! Levels: quantities that change at instants and are measured by their
//! time integral (queue length per skill — split into the ACD queue and
//! the conversations waiting for their previous agent (`sticky`) — agents
//! online and logged in per skill and in total). The integrals are brought up to date inside every
//! change, so no caller can forget to flush before changing a level.
//!
//! All levels are flushed together, at every change of any of them: the
//! areas are sums of `level × dt` over the same instants in every run.
//! A level that is zero is skipped (its term is `+0.0`, which changes no
//! sum), so a flush costs the skills with a queue or agents logged in.

use crate::metrics::{QueueSplitMax, Tally};
use crate::sim::interval::IntervalTally;

/// Agents counted as online and as logged in (online or away).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Staffed {
    /// Online: eligible for new conversations.
    pub online: u64,
    /// Logged in: online or on a break.
    pub logged_in: u64,
}

/// Integrals of [`Staffed`] (agent·s).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StaffedArea {
    /// Of agents online.
    pub online: f64,
    /// Of agents logged in.
    pub logged_in: f64,
}

impl StaffedArea {
    fn add(&mut self, s: Staffed, dt: f64) {
        self.online += s.online as f64 * dt;
        self.logged_in += s.logged_in as f64 * dt;
    }
}

/// The measured window of a replication: [warm-up, end].
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Start of measurement.
    pub warmup: f64,
    /// End of the run.
    pub end: f64,
}

impl Window {
    /// Measured length of [a, b].
    #[inline]
    pub fn span(&self, a: f64, b: f64) -> f64 {
        (b.min(self.end) - a.max(self.warmup)).max(0.0)
    }
}

/// The levels of one replication and their integrals.
pub(super) struct Levels {
    last_t: f64,
    /// Queue length per skill (the ACD queue and the owner waits).
    pub qlen: Vec<u64>,
    /// Of `qlen`, conversations waiting for their previous agent (sticky).
    pub owner_q: Vec<u64>,
    /// Agents with the skill, logged into its channel, per skill.
    pub staffed: Vec<Staffed>,
    /// Queued conversations over all skills.
    pub total_q: u64,
    /// Distinct agents (the `all` scope's staffing).
    pub agents: Staffed,
    /// Integral of `agents`, in total and per interval.
    pub agents_area: StaffedArea,
    pub agents_area_iv: Vec<StaffedArea>,
    /// Largest `total_q`, in total and per interval.
    pub total_q_max: u64,
    pub total_q_max_iv: Vec<u64>,
    /// `total_q` split: conversations waiting for their owner, and their
    /// largest number and the ACD queue's (total and per interval).
    pub total_owner_q: u64,
    pub total_split_max: QueueSplitMax,
    pub total_split_max_iv: Vec<QueueSplitMax>,
    /// Per skill: a queue change of the skill was seen in the measured
    /// period, so every level since is in its maxima and in the totals'
    /// (each later change sees its level, each interval starts from it).
    pub q_seen: Vec<bool>,
}

impl Levels {
    pub fn new(skills: usize, intervals: usize) -> Levels {
        Levels {
            last_t: 0.0,
            qlen: vec![0; skills],
            owner_q: vec![0; skills],
            staffed: vec![Staffed::default(); skills],
            total_q: 0,
            agents: Staffed::default(),
            agents_area: StaffedArea::default(),
            agents_area_iv: vec![StaffedArea::default(); intervals],
            total_q_max: 0,
            total_q_max_iv: vec![0; intervals],
            total_owner_q: 0,
            total_split_max: QueueSplitMax::default(),
            total_split_max_iv: vec![QueueSplitMax::default(); intervals],
            q_seen: vec![false; skills],
        }
    }

    /// Brings every integral up to `now` (clipped to the window) into the
    /// skills' totals and the rows of interval `cur`.
    pub fn flush(
        &mut self,
        now: f64,
        win: &Window,
        cur: usize,
        tally: &mut [Tally],
        intervals: &mut [IntervalTally],
    ) {
        let dt = win.span(self.last_t, now);
        self.last_t = now;
        if dt == 0.0 {
            return;
        }
        let ns = self.qlen.len();
        let rows = &mut intervals[cur * ns..(cur + 1) * ns];
        for (((t, iv), (&q, s)), &o) in tally
            .iter_mut()
            .zip(rows)
            .zip(self.qlen.iter().zip(&self.staffed))
            .zip(&self.owner_q)
        {
            // A zero level adds `+0.0` to an area that is never `-0.0`,
            // which leaves it unchanged: skipping it is exact.
            if q != 0 {
                let ql = q as f64 * dt;
                let ol = o as f64 * dt;
                let al = (q - o) as f64 * dt;
                t.queue_area += ql;
                t.acd_queue_area += al;
                t.owner_queue_area += ol;
                iv.queue_area += ql;
                iv.acd_queue_area += al;
                iv.owner_queue_area += ol;
            }
            if (s.online | s.logged_in) != 0 {
                let (on, li) = (s.online as f64 * dt, s.logged_in as f64 * dt);
                t.online_area += on;
                t.logged_in_area += li;
                iv.online_area += on;
                iv.logged_in_area += li;
            }
        }
        self.agents_area.add(self.agents, dt);
        self.agents_area_iv[cur].add(self.agents, dt);
    }
}

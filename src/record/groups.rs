//! Agent load per group and login, per report interval (issue 10 item 15):
//! logged-in time, typing time and the integral of open conversations of
//! each group's agents — each login of a `two_login` group apart — split
//! exactly at the interval boundaries. Over the whole run the same totals
//! are the sums of the agents' own ([`crate::metrics::AgentTally`]), so only
//! the per-interval split is kept here.
//!
//! A column is one (group, login): one per group, two for a `two_login`
//! group (live chat, then messaging), in group order.

use super::IntervalMemo;
use crate::metrics::LoadTally;
use crate::scenario::{Mode, Scenario};

/// The first column of each group, and whether it has two (`two_login`).
pub fn columns(scn: &Scenario) -> Vec<(usize, bool)> {
    let mut next = 0;
    scn.groups
        .iter()
        .map(|g| {
            let two = g.mode == Mode::TwoLogin;
            let first = next;
            next += 1 + two as usize;
            (first, two)
        })
        .collect()
}

/// The per-interval load of one replication, `[interval × columns + column]`.
pub(super) struct GroupLoad {
    /// Per group: its first column, and whether it has a second.
    cols: Vec<(usize, bool)>,
    n_cols: usize,
    warmup: f64,
    interval: f64,
    last: usize,
    /// The times known to fall in one interval.
    memo: IntervalMemo,
    pub rows: Vec<LoadTally>,
}

impl GroupLoad {
    pub fn new(scn: &Scenario, n_intervals: usize) -> GroupLoad {
        let cols = columns(scn);
        let n_cols = cols.last().map_or(0, |&(f, two)| f + 1 + two as usize);
        GroupLoad {
            cols,
            n_cols,
            warmup: scn.warmup,
            interval: scn.interval,
            last: n_intervals - 1,
            memo: IntervalMemo::EMPTY,
            rows: vec![LoadTally::default(); n_cols * n_intervals],
        }
    }

    /// The column of `group`'s login (`messaging`: the second login of a
    /// `two_login` group).
    #[inline]
    fn column(&self, group: u32, messaging: bool) -> usize {
        let (first, two) = self.cols[group as usize];
        first + (two && messaging) as usize
    }

    /// The interval of time `t` (remembered: see [`IntervalMemo`]).
    #[inline]
    fn interval_of(&mut self, t: f64) -> usize {
        let (warmup, interval, last) = (self.warmup, self.interval, self.last);
        self.memo.get(t, last, |t| {
            (((t - warmup) / interval).max(0.0) as usize).min(last)
        })
    }

    /// Adds `f(row, dt)` for each interval's part of the measured span
    /// [a, b] (already clipped to the window).
    #[inline]
    pub fn span(
        &mut self,
        group: u32,
        messaging: bool,
        a: f64,
        b: f64,
        f: impl Fn(&mut LoadTally, f64),
    ) {
        if b <= a {
            return;
        }
        let c = self.column(group, messaging);
        if let Some(k) = self.memo.covers(a, b) {
            f(&mut self.rows[k * self.n_cols + c], b - a);
            return;
        }
        let (k0, k1) = (self.interval_of(a), self.interval_of(b));
        if k0 == k1 {
            f(&mut self.rows[k0 * self.n_cols + c], b - a);
            return;
        }
        let mut t = a;
        for k in k0..=k1 {
            let end = if k == k1 {
                b
            } else {
                self.warmup + (k + 1) as f64 * self.interval
            };
            f(&mut self.rows[k * self.n_cols + c], end - t);
            t = end;
        }
    }
}

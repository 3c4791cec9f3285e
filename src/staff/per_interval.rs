//! Sizing each report interval (`--per-interval`): the smallest count
//! whose interval values meet every target, among runs of the whole
//! scenario at constant counts (a stationary-per-interval approximation),
//! with intervals without demand or without the group on shift set apart.

use super::search::{Eval, Searcher};
use crate::error::Result;

/// Why an interval has no count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum IvAnswer {
    /// Smallest count meeting (by the CI rule) and by the means.
    Count {
        /// By the confidence rule.
        ci: u32,
        /// By the means alone.
        mean: Option<u32>,
    },
    /// No conversations offered in the interval.
    NoDemand,
    /// The group is not on shift (or no agent online).
    NoAgents,
    /// Not met up to the largest count run.
    NotMet(u32),
}

/// Whether a group with these weekly shifts is logged in at some time in
/// `[from, to)` (seconds since Monday 00:00 of week 0).
pub(crate) fn group_on_shift(shifts: &[crate::scenario::Shift], from: f64, to: f64) -> bool {
    use crate::engine::time::WEEK;
    if shifts.is_empty() {
        return true;
    }
    shifts.iter().any(|sh| {
        let first = ((from - sh.start - sh.length) / WEEK).floor() as i64;
        let last = ((to - sh.start) / WEEK).ceil() as i64;
        (first..=last).any(|w| {
            let a = sh.start + w as f64 * WEEK;
            a < to && a + sh.length > from
        })
    })
}

/// Sizes every report interval: the smallest count whose interval values
/// meet every target, among runs of the whole scenario at constant counts.
pub(crate) fn per_interval(s: &mut Searcher<'_>) -> Result<Vec<IvAnswer>> {
    let targets = s.cfg.targets.clone();
    s.eval(&[1])?;
    let on_shift: Vec<bool> = s
        .starts
        .iter()
        .map(|&start| group_on_shift(&s.shifts, start, start + s.interval))
        .collect();
    let staffed = |e: &Eval, k: usize| -> Option<IvAnswer> {
        let row = &e.intervals[k];
        if !on_shift.get(k).copied().unwrap_or(true) {
            Some(IvAnswer::NoAgents)
        } else if row.iter().all(|c| c.offered.is_nan() || c.offered <= 0.0) {
            Some(IvAnswer::NoDemand)
        } else if row.iter().any(|c| c.online.is_nan() || c.online <= 0.0) {
            Some(IvAnswer::NoAgents)
        } else {
            None
        }
    };
    let met = |e: &Eval, k: usize, by_mean: bool| {
        targets
            .iter()
            .zip(&e.intervals[k])
            .all(|(t, c)| t.met(&c.ci, by_mean))
    };
    // Bracket: double until every interval that can be staffed meets.
    let max = s.cfg.max;
    let mut top = 1u32;
    loop {
        let e = s.eval(&[top])?;
        let done = (0..e.intervals.len()).all(|k| staffed(e, k).is_some() || met(e, k, false));
        if done || top >= max {
            break;
        }
        top = top.saturating_mul(2).min(max);
    }
    let n = s.eval(&[top])?.intervals.len();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let e = s.eval(&[top])?;
        if let Some(a) = staffed(e, k) {
            out.push(a);
            continue;
        }
        let by_ci = s.smallest_below(top, &|e| met(e, k, false))?;
        let by_mean = s.smallest_below(top, &|e| met(e, k, true))?;
        out.push(match by_ci {
            Some(c) => IvAnswer::Count {
                ci: c,
                mean: by_mean,
            },
            None => IvAnswer::NotMet(top),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_repeat_weekly() {
        use crate::scenario::Shift;
        let day = 86_400.0;
        let early = [Shift {
            start: 7.0 * 3600.0,
            length: 8.0 * 3600.0,
            login: None,
        }];
        assert!(group_on_shift(&early, 8.0 * 3600.0, 9.0 * 3600.0));
        assert!(group_on_shift(&early, 6.5 * 3600.0, 7.5 * 3600.0));
        assert!(!group_on_shift(&early, 15.0 * 3600.0, 16.0 * 3600.0));
        assert!(!group_on_shift(&early, day, day + 3600.0));
        assert!(group_on_shift(
            &early,
            7.0 * day + 8.0 * 3600.0,
            7.0 * day + 9.0 * 3600.0
        ));
        assert!(group_on_shift(&[], 0.0, 1.0));
    }
}

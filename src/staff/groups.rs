//! Sizing two groups together at least cost (`--group a --group b --cost
//! a=1.0 --cost b=1.2`): a staircase over the feasible frontier.
//!
//! With `b(a)` the least count of `b` meeting every target when `a` has
//! `a` agents, monotonicity of the targets in each count makes `b(a)`
//! non-increasing. The search finds `a_min` (least `a` with `b` at its
//! cap) and `b_min` (least `b` with `a` at its cap), then walks `a` upward
//! from `a_min`, finding each `b(a)` by bisection between `b_min` and the
//! previous step's `b`, and stops once `a` alone costs more than the best
//! point so far (with `b` at `b_min`) or `b(a)` reaches `b_min`.
//!
//! **Guarantee.** If each target is monotone in each group's count (more
//! agents never make it worse), every feasible point `(a, b)` has
//! `b ≥ b(a)`, so the cheapest point of the staircase is the cheapest
//! feasible point; ties go to fewer agents in total, then to fewer in `a`.
//! Simulated estimates are only nearly monotone, so this holds up to their
//! noise (common random numbers keep neighbouring points consistent).

use super::search::{Eval, Outcome, Searcher};
use crate::error::Result;
use crate::scenario::Shift;

/// The cheapest point found, or why there is none.
pub(crate) fn cheapest(
    s: &mut Searcher<'_>,
    cost: &dyn Fn(&[u32]) -> f64,
    met: &dyn Fn(&Eval) -> bool,
) -> Result<Outcome2> {
    let max = s.cfg.max;
    // Each group's cap: the count meeting with the other at 0, or --max.
    let cap_of = |o: Outcome| match o {
        Outcome::Met(c) => c,
        _ => max,
    };
    let a_alone = s.smallest(&|a| vec![a, 0], 1, met)?;
    let b_alone = s.smallest(&|b| vec![0, b], 1, met)?;
    let (a_cap, b_cap) = (cap_of(a_alone), cap_of(b_alone));
    let a_min = match s.smallest(&|a| vec![a, b_cap], 0, met)? {
        Outcome::Met(a) => a,
        Outcome::Stalled(why) => return Ok(Outcome2::Stalled(why)),
        Outcome::NotMet(_) => return Ok(Outcome2::NotMet),
    };
    let b_min = match s.smallest(&|b| vec![a_cap, b], 0, met)? {
        Outcome::Met(b) => b,
        Outcome::Stalled(why) => return Ok(Outcome2::Stalled(why)),
        Outcome::NotMet(_) => return Ok(Outcome2::NotMet),
    };
    let better = |p: &[u32], q: &[u32]| {
        let (cp, cq) = (cost(p), cost(q));
        let total = |x: &[u32]| x.iter().map(|&c| u64::from(c)).sum::<u64>();
        cp < cq || (cp == cq && (total(p), p[0]) < (total(q), q[0]))
    };
    let mut best = vec![a_min, b_cap];
    let mut b_prev = b_cap;
    for a in a_min..=a_cap {
        if a > a_min {
            // The least b in b_min..=b_prev meeting with `a` (b_prev meets by monotonicity).
            let (mut lo, mut hi) = (b_min.saturating_sub(1), b_prev);
            if b_min == 0 && met(s.eval(&[a, 0])?) {
                hi = 0;
            }
            while hi > lo + 1 {
                let mid = lo + (hi - lo) / 2;
                if met(s.eval(&[a, mid])?) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            b_prev = hi;
        }
        let p = vec![a, b_prev];
        s.eval(&p)?;
        if better(&p, &best) {
            best = p;
        }
        if b_prev <= b_min || cost(&[a + 1, b_min]) > cost(&best) {
            break;
        }
    }
    Ok(Outcome2::Met(best))
}

/// How a two-group search ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome2 {
    /// The cheapest point.
    Met(Vec<u32>),
    /// Not met within the caps.
    NotMet,
    /// A target does not improve with more agents.
    Stalled(String),
}

/// Logged-in hours per agent of a group with these weekly shifts over
/// `[from, to)` (seconds; no shifts: always logged in).
pub(crate) fn hours_per_agent(shifts: &[Shift], from: f64, to: f64) -> f64 {
    use crate::engine::time::WEEK;
    if shifts.is_empty() {
        return (to - from) / 3600.0;
    }
    let mut secs = 0.0;
    for sh in shifts {
        let first = ((from - sh.start - sh.length) / WEEK).floor() as i64;
        let last = ((to - sh.start) / WEEK).ceil() as i64;
        for w in first..=last {
            let a = sh.start + w as f64 * WEEK;
            secs += ((a + sh.length).min(to) - a.max(from)).max(0.0);
        }
    }
    secs / 3600.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_count_each_shift_inside_the_window() {
        let day = 86_400.0;
        let early = [Shift {
            start: 7.0 * 3600.0,
            length: 8.0 * 3600.0,
            login: None,
        }];
        assert_eq!(hours_per_agent(&early, 0.0, day), 8.0);
        assert_eq!(hours_per_agent(&early, 8.0 * 3600.0, day), 7.0);
        assert_eq!(hours_per_agent(&early, 0.0, 8.0 * day), 16.0);
        assert_eq!(hours_per_agent(&[], 3600.0, 9.0 * 3600.0), 8.0);
    }
}

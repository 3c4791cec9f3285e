//! Sizing several groups together at least cost (`--group a --group b
//! --group c --cost a=1.0 --cost b=1.2`): an enumeration of all groups'
//! counts but one, bounded and pruned, with the last group's count found
//! by bisection.
//!
//! With `f(x)` the least count of the last group meeting every target when
//! the others have counts `x`, monotonicity of the targets in each count
//! makes `f` non-increasing in each coordinate of `x`. The search
//!
//! 1. finds each group's count alone (the others at 0), an upper bound
//!    `u_i` (`--max` when it alone meets nothing): a cheapest point never
//!    needs more, since that count alone already meets;
//! 2. finds each group's least count `l_i` with the others at their `u`: a
//!    lower bound of every cheapest point (`l` itself is the answer when it
//!    meets); `u_i` shrinks to what the cheapest point met so far leaves
//!    for group `i` once the others are at their `l`;
//! 3. takes as last the group with the widest range and enumerates the
//!    others' counts in the box `l ≤ x ≤ u` (with three groups or more, at
//!    most [`MAX_COMBINATIONS`]; more is refused, exit 2), skipping a combination that costs more
//!    than the best point with the last group at `l` or that is above one
//!    already needing only `l` of the last group; each remaining
//!    combination bisects `f(x)` between `l` and the least `f` of the
//!    combinations just below it.
//!
//! Independent points run side by side on the workers: the groups'
//! one-group searches of steps 1 and 2 advance together
//! ([`Searcher::smallest_all`]), and [`LOCKSTEP`] combinations bisect
//! together; both are fixed, so the points run do not depend on
//! `--threads`.
//!
//! The answer is the cheapest measured point meeting the targets; ties go
//! to fewer agents in total, then to the smaller counts in group order.
//!
//! **Guarantee.** If every target is monotone in each group's count (more
//! agents never make it worse) and the decision at every measured point is
//! right, every feasible point `x` has its last count at least `f(x)`, so
//! the answer is the cheapest feasible combination with every count at most
//! `--max`. Simulated estimates are only nearly monotone (common random
//! numbers keep neighbouring points consistent), so this holds up to their
//! noise. Points simulated: two one-group searches per group (a doubling
//! bracket and a bisection each) plus, for each combination not skipped, a
//! bisection of at most `log2(u − l) + 2` points; the printout says how
//! many and how large the box was.

use super::search::{Eval, Outcome, PointOf, Searcher};
use crate::error::{Error, Result};
use crate::scenario::Shift;
use std::collections::BTreeMap;

/// Most combinations of the enumerated groups' counts (every sized group
/// but the last) a search of three groups or more walks; a larger box is
/// refused. Two groups enumerate one count, at most `--max + 1` values.
pub const MAX_COMBINATIONS: u64 = 1_000;

/// Combinations whose bisections run side by side (fixed, so the points
/// simulated do not depend on `--threads`).
const LOCKSTEP: usize = 2;

/// How a several-group search ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cheapest {
    /// The cheapest point, and what the search did (for the printout).
    Met(Vec<u32>, String),
    /// Not met within `--max`.
    NotMet,
    /// A target does not improve with more agents.
    Stalled(String),
}

/// The cheapest measured point meeting `met` (ties: fewer agents, then
/// smaller counts in group order).
fn best_met(
    s: &Searcher<'_>,
    cost: &dyn Fn(&[u32]) -> f64,
    met: &dyn Fn(&Eval) -> bool,
) -> Option<Vec<u32>> {
    let total = |x: &[u32]| x.iter().map(|&c| u64::from(c)).sum::<u64>();
    let mut best: Option<&Vec<u32>> = None;
    for (p, e) in &s.cache {
        if !met(e) {
            continue;
        }
        let better = best.is_none_or(|q| {
            let (cp, cq) = (cost(p), cost(q));
            cp < cq || (cp == cq && total(p) < total(q))
        });
        if better {
            best = Some(p);
        }
    }
    best.cloned()
}

/// One combination's bisection of the last group's count over `lo+1..=hi`
/// (`lo` fails or is below `l`; `hi` meets when `sure`, else only by
/// monotonicity and is measured before it is taken).
struct Probe {
    x: Vec<u32>,
    lo: i64,
    hi: i64,
    sure: bool,
    /// The last group's upper bound `u`.
    top: i64,
    /// The least count found (`Some(None)`: none up to the bound).
    found: Option<Option<u32>>,
}

impl Probe {
    /// The last group's count to measure next, or None when done.
    fn ask(&mut self) -> Option<u32> {
        if self.found.is_some() {
            return None;
        }
        if self.hi - self.lo > 1 {
            return Some((self.lo + (self.hi - self.lo) / 2) as u32);
        }
        if self.sure {
            self.found = Some(Some(self.hi as u32));
            return None;
        }
        Some(self.hi as u32)
    }

    /// Takes the result at count `c` of the last group.
    fn tell(&mut self, c: u32, ok: bool) {
        let c = i64::from(c);
        if c == self.hi {
            if ok {
                self.sure = true;
            } else if self.hi < self.top {
                (self.lo, self.hi) = (self.hi, self.top);
            } else {
                self.found = Some(None);
            }
        } else if ok {
            (self.hi, self.sure) = (c, true);
        } else {
            self.lo = c;
        }
    }
}

/// The cheapest point meeting `met`, or why there is none.
pub(crate) fn cheapest(
    s: &mut Searcher<'_>,
    cost: &dyn Fn(&[u32]) -> f64,
    met: &dyn Fn(&Eval) -> bool,
) -> Result<Cheapest> {
    let k = s.groups.len();
    let max = s.cfg.max;
    let ran_before = s.cache.len();
    // 1. Each group alone: an upper bound (measured to meet, or --max),
    // every group's search side by side.
    let alone: Vec<Box<dyn Fn(u32) -> Vec<u32>>> = (0..k)
        .map(|i| {
            Box::new(move |c: u32| {
                let mut p = vec![0; k];
                p[i] = c;
                p
            }) as Box<dyn Fn(u32) -> Vec<u32>>
        })
        .collect();
    let searches: Vec<(PointOf<'_>, u32)> = alone.iter().map(|f| (f.as_ref(), 1)).collect();
    let up: Vec<u32> = s
        .smallest_all(&searches, met)?
        .into_iter()
        .map(|o| match o {
            Outcome::Met(c) => c,
            _ => max,
        })
        .collect();
    // 2. Each group's least count with the others at their upper bounds.
    let with_caps: Vec<Box<dyn Fn(u32) -> Vec<u32>>> = (0..k)
        .map(|i| {
            let caps = up.clone();
            Box::new(move |c: u32| {
                let mut p = caps.clone();
                p[i] = c;
                p
            }) as Box<dyn Fn(u32) -> Vec<u32>>
        })
        .collect();
    let searches: Vec<(PointOf<'_>, u32)> = with_caps.iter().map(|f| (f.as_ref(), 0)).collect();
    let mut low = Vec::with_capacity(k);
    for o in s.smallest_all(&searches, met)? {
        match o {
            Outcome::Met(c) => low.push(c),
            Outcome::Stalled(why) => return Ok(Cheapest::Stalled(why)),
            Outcome::NotMet(_) => return Ok(Cheapest::NotMet),
        }
    }
    let mut up = up;
    let names = s.groups.clone();
    let show = |b: &[u32]| -> String {
        names
            .iter()
            .zip(b)
            .map(|(g, c)| format!("{g}={c}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (ups, lows) = (up.clone(), low.clone());
    if met(s.eval(&low)?) {
        let note = format!(
            "upper bounds {} (each group alone), lower bounds {} (the others at their upper \
             bounds) meet together, so they are the answer",
            show(&ups),
            show(&lows)
        );
        return finish(s, cost, met, ran_before, note);
    }
    // Tighten the upper bounds by the cheapest point so far.
    let best = best_met(s, cost, met).ok_or_else(|| Error::other("internal: no point met"))?;
    let budget = cost(&best);
    for i in 0..k {
        let mut p = low.clone();
        p[i] = 0;
        let rate = cost(&{
            let mut q = vec![0; k];
            q[i] = 1;
            q
        });
        if rate > 0.0 {
            let room = ((budget - cost(&p)) / rate + 1e-9).floor();
            if room.is_finite() && room >= 0.0 && room < f64::from(up[i]) {
                up[i] = (room as u32).max(low[i]);
            }
        }
    }
    // 3. The widest range is bisected; the others are enumerated.
    let width = |i: usize| u64::from(up[i].saturating_sub(low[i]));
    let last = (0..k).rev().max_by_key(|&i| (width(i), i)).unwrap_or(k - 1);
    let free: Vec<usize> = (0..k).filter(|&i| i != last).collect();
    let combos = free
        .iter()
        .fold(1u64, |n, &i| n.saturating_mul(width(i) + 1));
    // Two groups walk one count (at most --max + 1 combinations): no blow-up.
    if free.len() > 1 && combos > MAX_COMBINATIONS {
        let ranges: Vec<String> = free
            .iter()
            .map(|&i| format!("`{}` {}..={}", s.groups[i], low[i], up[i]))
            .collect();
        let sizes: Vec<String> = free.iter().map(|&i| (width(i) + 1).to_string()).collect();
        return Err(Error::input(format!(
            "{}: sizing {k} groups together would enumerate {} = {combos} combinations \
             of {} (with `{}` bisected), more than the limit of {MAX_COMBINATIONS}; a group \
             whose count alone meets nothing is bounded only by --max ({max}): lower --max, or \
             size fewer groups (give fewer --group and fix the others' counts in the scenario)",
            s.variant_name(),
            sizes.join(" x "),
            ranges.join(", "),
            s.groups[last]
        )));
    }
    let point = |x: &[u32], c: u32| -> Vec<u32> {
        let mut p = vec![0; k];
        for (&i, &v) in free.iter().zip(x) {
            p[i] = v;
        }
        p[last] = c;
        p
    };
    let l_last = low[last];
    let mut f: BTreeMap<Vec<u32>, Option<u32>> = BTreeMap::new();
    let mut floors: Vec<Vec<u32>> = Vec::new();
    let mut x: Option<Vec<u32>> = Some(free.iter().map(|&i| low[i]).collect());
    let (mut walked, mut skipped) = (0u64, 0u64);
    while x.is_some() {
        // The next LOCKSTEP combinations not skipped.
        let best_cost = best_met(s, cost, met).map_or(f64::INFINITY, |b| cost(&b));
        let mut probes: Vec<Probe> = Vec::new();
        while probes.len() < LOCKSTEP
            && let Some(cur) = x.take()
        {
            x = next(&cur, &free, &low, &up);
            let above_floor = floors
                .iter()
                .any(|fl| fl.iter().zip(&cur).all(|(a, b)| a <= b));
            if cost(&point(&cur, l_last)) > best_cost || above_floor {
                skipped += 1;
                continue;
            }
            // The least f of the combinations just below (they meet with it).
            let below = (0..cur.len())
                .filter(|&j| cur[j] > low[free[j]])
                .filter_map(|j| {
                    let mut y = cur.clone();
                    y[j] -= 1;
                    f.get(&y).copied().flatten()
                })
                .min();
            let top = i64::from(up[last]);
            let hi = below.map_or(top, i64::from);
            let sure = s.cache.get(&point(&cur, hi as u32)).is_some_and(met);
            probes.push(Probe {
                x: cur,
                lo: i64::from(l_last) - 1,
                hi,
                sure,
                top,
                found: None,
            });
        }
        // Bisect them side by side.
        loop {
            let asks: Vec<(usize, u32)> = probes
                .iter_mut()
                .enumerate()
                .filter_map(|(j, p)| p.ask().map(|c| (j, c)))
                .collect();
            if asks.is_empty() {
                break;
            }
            let pts: Vec<Vec<u32>> = asks.iter().map(|&(j, c)| point(&probes[j].x, c)).collect();
            s.eval_many(&pts)?;
            for ((j, c), p) in asks.into_iter().zip(&pts) {
                let ok = s.cache.get(p).is_some_and(met);
                probes[j].tell(c, ok);
            }
        }
        for p in probes {
            walked += 1;
            let found = p.found.flatten();
            if found == Some(l_last) {
                floors.push(p.x.clone());
            }
            f.insert(p.x, found);
        }
    }
    let last_name = &s.groups[last];
    let enumerated: Vec<String> = free.iter().map(|&i| format!("`{}`", s.groups[i])).collect();
    let note = format!(
        "upper bounds {} (each group alone, then what the cheapest point met leaves), \
         lower bounds {} (the others at their upper bounds); {walked} of the {combos} \
         combinations of {} bisected `{last_name}`, {skipped} skipped (costlier than the \
         best, or above one needing only {l_last} of `{last_name}`)",
        show(&up),
        show(&lows),
        enumerated.join(", ")
    );
    finish(s, cost, met, ran_before, note)
}

/// The answer (the cheapest measured point meeting) and the search's note.
fn finish(
    s: &Searcher<'_>,
    cost: &dyn Fn(&[u32]) -> f64,
    met: &dyn Fn(&Eval) -> bool,
    ran_before: usize,
    note: String,
) -> Result<Cheapest> {
    let best = best_met(s, cost, met).ok_or_else(|| Error::other("internal: no point met"))?;
    let ran = s.cache.len() - ran_before;
    Ok(Cheapest::Met(
        best,
        format!("{note}; {ran} points simulated by this search"),
    ))
}

/// The combination after `x` in the box `low..=up` (lexicographic, the
/// last free group fastest), or None after the last.
fn next(x: &[u32], free: &[usize], low: &[u32], up: &[u32]) -> Option<Vec<u32>> {
    let mut y = x.to_vec();
    for j in (0..y.len()).rev() {
        if y[j] < up[free[j]] {
            y[j] += 1;
            return Some(y);
        }
        y[j] = low[free[j]];
    }
    None
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
    fn the_box_is_walked_in_order_once() {
        // Groups 0 and 2 enumerated (1..=2 and 0..=1), group 1 bisected.
        let (free, low, up) = ([0, 2], [1, 5, 0], [2, 9, 1]);
        let mut x = Some(vec![1, 0]);
        let mut seen = Vec::new();
        while let Some(cur) = x {
            x = next(&cur, &free, &low, &up);
            seen.push(cur);
        }
        assert_eq!(seen, [[1, 0], [1, 1], [2, 0], [2, 1]]);
    }

    /// Runs a probe against "meets from `need` on" and returns (found, asked).
    fn probe(lo: i64, hi: i64, top: i64, need: u32) -> (Option<u32>, Vec<u32>) {
        let mut p = Probe {
            x: Vec::new(),
            lo,
            hi,
            sure: false,
            top,
            found: None,
        };
        let mut asked = Vec::new();
        while let Some(c) = p.ask() {
            asked.push(c);
            p.tell(c, c >= need);
        }
        (p.found.flatten(), asked)
    }

    #[test]
    fn a_probe_bisects_and_measures_what_it_answers() {
        for need in 0..=9 {
            let (found, asked) = probe(-1, 9, 9, need);
            assert_eq!(found, Some(need), "{asked:?}");
            assert!(
                asked.contains(&need) && asked.len() <= 5,
                "{need}: {asked:?}"
            );
        }
        // An upper end that fails after all (noise) falls back to the bound.
        assert_eq!(probe(1, 4, 12, 7).0, Some(7));
        // Nothing up to the bound meets.
        assert_eq!(probe(1, 4, 12, 13).0, None);
    }

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

//! Targets no head-count can meet, said before searching: demand that
//! arrives when no group of its skill is on shift waits at least until the
//! next shift, which bounds what any head-count achieves —
//!
//! * a service level (or first-response SL) of at most `1 − M/O`, `M` the
//!   off-shift arrivals that wait at least the threshold and are still
//!   there (patience not shorter than the threshold), `O` all offered;
//! * an abandonment rate of at least `Σ O_k P(patience < w_k) / O`, `w_k`
//!   the least wait of interval `k`'s off-shift arrivals.
//!
//! Intervals count as on shift when any group of the skill is logged in at
//! any time in them, and waits are counted from the interval's end, so the
//! bounds are conservative. `P(patience < x)` is estimated from 20,000
//! draws of a fixed stream (deterministic).

use super::search::Searcher;
use super::target::Target;
use crate::metrics::registry::Id;
use crate::scenario::{Dist, Scenario};
use crate::staff::per_interval::group_on_shift;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Why each target that cannot be met cannot be (empty: none found).
pub(crate) fn diagnose(s: &Searcher<'_>, scn: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let ns = scn.skills.len() + 1;
    for (t, scope) in &s.targets {
        if !matches!(
            t.metric,
            Id::ServiceLevel | Id::FirstResponseSl | Id::AbandonmentRate
        ) {
            continue;
        }
        let skills: Vec<usize> = if *scope == ns - 1 {
            (0..scn.skills.len()).collect()
        } else {
            vec![*scope]
        };
        let (mut offered, mut bad) = (0.0, 0.0);
        let mut worst: Option<(String, f64, f64)> = None;
        for &i in &skills {
            let b = bound(s, scn, t, i);
            offered += b.offered;
            bad += b.bad;
            if b.off > 0.0 && worst.as_ref().is_none_or(|w| b.off / b.offered > w.1) {
                worst = Some((scn.skills[i].name.clone(), b.off / b.offered, b.wait));
            }
        }
        let Some((skill, share, wait)) = worst.filter(|_| offered > 0.0) else {
            continue;
        };
        let why = format!(
            "{:.1}% of `{skill}` arrives when no group of the skill is on shift (it waits at \
             least {} for the next shift)",
            share * 100.0,
            crate::report::describe::duration(wait)
        );
        match t.metric {
            Id::AbandonmentRate if bad / offered > t.value => out.push(format!(
                "`{}` cannot be met: {why}, and patience shorter than that wait keeps \
                 abandonment at {:.3} or more whatever the head-count",
                t.text(),
                bad / offered
            )),
            Id::ServiceLevel | Id::FirstResponseSl if 1.0 - bad / offered < t.value => {
                out.push(format!(
                    "`{}` cannot be met: {why}, so at most {:.3} can be answered within the \
                     threshold whatever the head-count",
                    t.text(),
                    1.0 - bad / offered
                ));
            }
            _ => {}
        }
    }
    out
}

/// One skill's off-shift demand and what it costs target `t`.
struct Bound {
    /// Offered in the measured period (mean per replication).
    offered: f64,
    /// Of those, arriving in intervals with no group of the skill on shift.
    off: f64,
    /// Of those, the misses (SL) or the abandons (abandonment) bound.
    bad: f64,
    /// The longest least wait of an off-shift interval.
    wait: f64,
}

fn bound(s: &Searcher<'_>, scn: &Scenario, t: &Target, skill: usize) -> Bound {
    let k_of = &s.demand;
    let on: Vec<bool> = s
        .starts
        .iter()
        .map(|&a| {
            scn.groups.iter().any(|g| {
                let sized = s.groups.contains(&g.name);
                g.skills.iter().any(|&(k, _)| k == skill)
                    && (sized || g.count > 0)
                    && group_on_shift(&g.shifts, a, a + s.interval)
            })
        })
        .collect();
    let sk = &scn.skills[skill];
    let threshold = match t.metric {
        Id::FirstResponseSl => sk.first_response_target,
        _ => sk.service_level,
    };
    let cdf = Cdf::new(sk.patience.as_ref());
    let mut b = Bound {
        offered: 0.0,
        off: 0.0,
        bad: 0.0,
        wait: 0.0,
    };
    for (k, row) in k_of.iter().enumerate() {
        let o = row.get(skill).copied().unwrap_or(0.0);
        b.offered += o;
        if on.get(k).copied().unwrap_or(true) {
            continue;
        }
        b.off += o;
        let end = s.starts[k] + s.interval;
        let wait = (k + 1..on.len())
            .find(|&j| on[j])
            .map_or(f64::INFINITY, |j| s.starts[j] - end);
        b.wait = b.wait.max(wait.min(scn.end() - end));
        b.bad += match t.metric {
            Id::AbandonmentRate => o * cdf.below(wait),
            _ if wait >= threshold => o * (1.0 - cdf.below(threshold)),
            _ => 0.0,
        };
    }
    b
}

/// The empirical distribution of patience (none: nobody abandons).
struct Cdf(Vec<f64>);

impl Cdf {
    fn new(d: Option<&Dist>) -> Cdf {
        let Some(d) = d else {
            return Cdf(Vec::new());
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x5EED_0F_FA71_E7CE);
        let mut xs: Vec<f64> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
        xs.sort_by(f64::total_cmp);
        Cdf(xs)
    }

    /// P(patience < x).
    fn below(&self, x: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        self.0.partition_point(|&p| p < x) as f64 / self.0.len() as f64
    }
}

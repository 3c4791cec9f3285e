//! Confidence intervals across replications: the mean of per-replication
//! values and a 95% interval (or one at another level, [`estimate_at`]) from Student's t with n − 1 degrees of
//! freedom. Values that are undefined in a replication (NaN, e.g. a mean
//! over no conversations) are left out, and the count says how many were
//! used.
//!
//! Shares (service level, abandonment rate) get [`share_estimate`]: a
//! Wilson score interval on the counts pooled over replications, its
//! sample size reduced by the design effect the replications show, so it
//! stays inside [0, 1] and honest at 0 and 1 (five replications at 100% do
//! not give [1, 1]); [`Estimate::clipped`] clips any other share interval.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A mean with its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Lower bound (NaN with fewer than 2 values).
    pub lo: f64,
    /// Upper bound (NaN with fewer than 2 values).
    pub hi: f64,
    /// Replications that had a value.
    pub n: usize,
}

impl Estimate {
    /// Half the width of the interval.
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }

    /// The estimate with its mean and bounds clipped to `[lo, hi]` (a share
    /// to [0, 1]); undefined values stay undefined.
    #[must_use]
    pub fn clipped(self, lo: f64, hi: f64) -> Estimate {
        let c = |v: f64| if v.is_nan() { v } else { v.clamp(lo, hi) };
        Estimate {
            mean: c(self.mean),
            lo: c(self.lo),
            hi: c(self.hi),
            n: self.n,
        }
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom
/// (computed once per df up to 256, the usual replication counts: the
/// inverse CDF is costly and every estimate needs it).
pub fn t_quantile(df: usize) -> f64 {
    const CACHED: usize = 256;
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    if df < CACHED {
        return TABLE.get_or_init(|| (0..CACHED).map(t_quantile_exact).collect())[df];
    }
    t_quantile_exact(df)
}

fn t_quantile_exact(df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => f64::NAN,
    }
}

/// Mean and 95% CI of the finite values, summed in the given order (the
/// caller passes replications in order, so results are reproducible).
pub fn estimate(values: impl IntoIterator<Item = f64>) -> Estimate {
    estimate_at(values, 0.95)
}

/// Mean and two-sided Student-t interval at `confidence` (e.g. 0.95, in
/// (0, 1)) of the finite values, summed in the given order.
pub fn estimate_at(values: impl IntoIterator<Item = f64>, confidence: f64) -> Estimate {
    let xs: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
    let n = xs.len();
    if n == 0 {
        return Estimate {
            mean: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
            n,
        };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Estimate {
            mean,
            lo: f64::NAN,
            hi: f64::NAN,
            n,
        };
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let h = t_at(n - 1, confidence) * (var / n as f64).sqrt();
    Estimate {
        mean,
        lo: mean - h,
        hi: mean + h,
        n,
    }
}

/// The two-sided Student-t quantile at `confidence` with `df` degrees of freedom.
fn t_at(df: usize, confidence: f64) -> f64 {
    let p = 0.5 + confidence / 2.0;
    if p == 0.975 {
        t_quantile(df)
    } else {
        StudentsT::new(0.0, 1.0, df as f64).map_or(f64::NAN, |d| d.inverse_cdf(p))
    }
}

/// A share estimated from per-replication counts `(numerator, denominator)`
/// (replications with a zero denominator are left out): the pooled ratio
/// Σ numerator ÷ Σ denominator and a Wilson score interval at `confidence`.
///
/// Conversations of one replication are not independent (they share the
/// queue), so the interval's sample size is the pooled denominator reduced
/// by the design effect: `n_eff = p(1 − p) / v`, `v` the between-replication
/// (linearised ratio) variance of the pooled ratio, never more than the
/// pooled denominator. The quantile is Student's t with (replications − 1)
/// degrees of freedom, as for other metrics. The interval lies in [0, 1]
/// and does not collapse when every replication is at 0 or 1: with 5
/// replications of 20 conversations all answered in time it is
/// [0.928, 1]. Bounds are undefined with fewer than 2 replications.
pub fn share_estimate(counts: impl IntoIterator<Item = (f64, f64)>, confidence: f64) -> Estimate {
    let xs: Vec<(f64, f64)> = counts
        .into_iter()
        .filter(|(x, d)| x.is_finite() && d.is_finite() && *d > 0.0)
        .collect();
    let r = xs.len();
    let (num, den) = xs.iter().fold((0.0, 0.0), |(a, b), (x, d)| (a + x, b + d));
    let undefined = Estimate {
        mean: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
        n: r,
    };
    if r == 0 {
        return undefined;
    }
    let p = (num / den).clamp(0.0, 1.0);
    if r < 2 {
        return Estimate {
            mean: p,
            ..undefined
        };
    }
    // Linearised variance of the ratio estimator over replications.
    let ss: f64 = xs.iter().map(|(x, d)| (x - p * d).powi(2)).sum();
    let v = ss * r as f64 / (r - 1) as f64 / (den * den);
    let pq = p * (1.0 - p);
    let n = if v > 0.0 { (pq / v).min(den) } else { den };
    let z = t_at(r - 1, confidence);
    let z2n = z * z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = z / (1.0 + z2n) * (pq / n + z2n / (4.0 * n)).sqrt();
    Estimate {
        mean: p,
        lo: (centre - half).clamp(0.0, p),
        hi: (centre + half).clamp(p, 1.0),
        n: r,
    }
}

/// Paired difference `b − a` by replication (common random numbers): the
/// t interval of the per-replication differences, over replications where
/// both are defined.
pub fn paired_difference(a: &[f64], b: &[f64]) -> Estimate {
    estimate(a.iter().zip(b).map(|(x, y)| y - x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles() {
        assert!((t_quantile(1) - 12.706).abs() < 1e-3);
        assert!((t_quantile(9) - 2.262).abs() < 1e-3);
        assert!((t_quantile(1000) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn estimate_of_known_values() {
        let e = estimate([1.0, 2.0, 3.0, f64::NAN]);
        assert_eq!(e.n, 3);
        assert_eq!(e.mean, 2.0);
        assert!((e.half_width() - 4.303 * (1.0f64 / 3.0).sqrt()).abs() < 1e-3);
        assert!(estimate([5.0]).lo.is_nan());
    }

    #[test]
    fn other_confidence_levels_widen_or_narrow_the_interval() {
        let xs = [0.8, 0.85, 0.9, 0.82, f64::NAN];
        let a = estimate_at(xs, 0.95);
        assert_eq!(a, estimate(xs));
        let wide = estimate_at(xs, 0.99);
        let narrow = estimate_at(xs, 0.8);
        assert!(wide.lo < a.lo && wide.hi > a.hi && narrow.lo > a.lo && narrow.hi < a.hi);
        assert_eq!(wide.mean, a.mean);
    }

    #[test]
    fn a_share_at_one_keeps_an_honest_interval() {
        // Five replications, every conversation answered in time: Student's
        // t collapses to [1, 1]; the Wilson interval does not.
        let all = [(20.0, 20.0); 5];
        let t = estimate(all.iter().map(|(x, d)| x / d));
        assert_eq!((t.lo, t.hi), (1.0, 1.0));
        let w = share_estimate(all, 0.95);
        let t4 = t_quantile(4);
        assert_eq!(w.mean, 1.0);
        assert_eq!(w.hi, 1.0);
        assert!((w.lo - 100.0 / (100.0 + t4 * t4)).abs() < 1e-12, "{w:?}");
        assert!(w.lo < 0.93 && w.lo > 0.92);
        // And at zero.
        let none = share_estimate([(0.0, 30.0); 4], 0.95);
        assert_eq!((none.mean, none.lo), (0.0, 0.0));
        assert!(none.hi > 0.0 && none.hi < 0.2);
    }

    #[test]
    fn a_share_interval_stays_in_0_1_and_widens_with_replication_spread() {
        // 0.929 on average with one bad replication: Student's t leaves
        // [0, 1]; the share interval does not.
        let reps = [
            (50.0, 50.0),
            (50.0, 50.0),
            (50.0, 50.0),
            (50.0, 50.0),
            (32.25, 50.0),
        ];
        let t = estimate(reps.iter().map(|(x, d)| x / d));
        assert!((t.mean - 0.929).abs() < 1e-9 && t.hi > 1.0);
        assert_eq!(t.clipped(0.0, 1.0).hi, 1.0);
        let w = share_estimate(reps, 0.95);
        assert!((w.mean - 0.929).abs() < 1e-9);
        assert!(w.lo >= 0.0 && w.hi <= 1.0 && w.lo < w.mean && w.hi > w.mean);
        // The spread between replications widens it beyond the binomial
        // interval of 250 independent conversations.
        let even = [(46.45, 50.0); 5];
        let narrow = share_estimate(even, 0.95);
        assert!(
            w.half_width() > narrow.half_width() * 2.0,
            "{w:?} vs {narrow:?}"
        );
        // Empty replications are left out; one replication has no interval.
        assert_eq!(share_estimate([(3.0, 4.0), (0.0, 0.0)], 0.95).n, 1);
        assert!(share_estimate([(3.0, 4.0)], 0.95).lo.is_nan());
        assert!(share_estimate([], 0.95).mean.is_nan());
        // A higher confidence widens it.
        assert!(share_estimate(reps, 0.99).lo < w.lo);
    }

    #[test]
    fn paired() {
        let d = paired_difference(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.5]);
        assert!((d.mean - 7.0 / 6.0).abs() < 1e-12);
    }
}

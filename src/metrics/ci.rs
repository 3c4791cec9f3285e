//! Confidence intervals across replications: the mean of per-replication
//! values and a 95% interval (or one at another level, [`estimate_at`]) from Student's t with n − 1 degrees of
//! freedom. Values that are undefined in a replication (NaN, e.g. a mean
//! over no conversations) are left out, and the count says how many were
//! used.

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
    let p = 0.5 + confidence / 2.0;
    let t = if p == 0.975 {
        t_quantile(n - 1)
    } else {
        StudentsT::new(0.0, 1.0, (n - 1) as f64).map_or(f64::NAN, |d| d.inverse_cdf(p))
    };
    let h = t * (var / n as f64).sqrt();
    Estimate {
        mean,
        lo: mean - h,
        hi: mean + h,
        n,
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
    fn paired() {
        let d = paired_difference(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.5]);
        assert!((d.mean - 7.0 / 6.0).abs() < 1e-12);
    }
}

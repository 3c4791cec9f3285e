//! Distributions, resolved from their specs and ready to sample.
//!
//! Users give lognormal and gamma by mean and standard deviation; the
//! underlying parameters are computed here once. Empirical distributions
//! sample a CSV column: durations by inverse CDF with linear interpolation
//! between sorted samples, counts by drawing one of the values.

use rand::Rng;
use rand::RngExt;
use rand_distr::{Distribution, Exp1, Gamma, StandardNormal};
use serde::Serialize;

/// A distribution of non-negative durations (seconds).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum Dist {
    /// Exponential.
    Exponential {
        /// Mean.
        mean: f64,
    },
    /// Lognormal; `mu`, `sigma` of the underlying normal.
    Lognormal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Location of ln X.
        #[serde(skip)]
        mu: f64,
        /// Scale of ln X.
        #[serde(skip)]
        sigma: f64,
    },
    /// Gamma.
    Gamma {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Sampler (shape k, scale theta).
        #[serde(skip)]
        sampler: Gamma<f64>,
    },
    /// Weibull: scale · E^(1/shape) with E a standard exponential. Sampled
    /// by hand, not with `rand_distr::Weibull`: that one draws
    /// `−ln U` from a uniform, this one E from the ziggurat `Exp1`, so the
    /// two give different numbers from the same stream, and outputs must
    /// not change.
    Weibull {
        /// Shape.
        shape: f64,
        /// Scale.
        scale: f64,
    },
    /// Uniform.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// A constant.
    Deterministic {
        /// The value.
        value: f64,
    },
    /// Inverse CDF over sorted samples.
    Empirical {
        /// Source file.
        file: String,
        /// Sorted samples.
        #[serde(skip)]
        sorted: Vec<f64>,
    },
}

impl Dist {
    /// Lognormal from mean and sd (both > 0 for sd; sd 0 is deterministic).
    pub fn lognormal(mean: f64, sd: f64) -> Dist {
        let s2 = (1.0 + (sd * sd) / (mean * mean)).ln();
        Dist::Lognormal {
            mean,
            sd,
            mu: mean.ln() - s2 / 2.0,
            sigma: s2.sqrt(),
        }
    }

    /// Gamma from mean and sd (> 0).
    pub fn gamma(mean: f64, sd: f64) -> Result<Dist, String> {
        let shape = (mean / sd).powi(2);
        let scale = sd * sd / mean;
        let sampler = Gamma::new(shape, scale).map_err(|e| format!("bad gamma parameters: {e}"))?;
        Ok(Dist::Gamma { mean, sd, sampler })
    }

    /// Draws one value. The exponential (the common case) is drawn inline;
    /// the others out of line (the same draws either way).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if let Dist::Exponential { mean } = self {
            let e: f64 = Exp1.sample(rng);
            return mean * e;
        }
        self.sample_any(rng)
    }

    /// [`Dist::sample`] for every kind.
    #[inline(never)]
    fn sample_any<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Dist::Lognormal { mu, sigma, .. } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Dist::Gamma { sampler, .. } => sampler.sample(rng),
            Dist::Weibull { shape, scale } => {
                let e: f64 = Exp1.sample(rng);
                scale * e.powf(1.0 / shape)
            }
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Deterministic { value } => *value,
            Dist::Empirical { sorted, .. } => {
                let n = sorted.len();
                if n == 1 {
                    return sorted[0];
                }
                let u = rng.random::<f64>() * (n - 1) as f64;
                let i = (u as usize).min(n - 2);
                let f = u - i as f64;
                sorted[i] + f * (sorted[i + 1] - sorted[i])
            }
        }
    }

    /// The smallest value the distribution can give.
    pub fn min(&self) -> f64 {
        match self {
            Dist::Exponential { .. }
            | Dist::Lognormal { .. }
            | Dist::Gamma { .. }
            | Dist::Weibull { .. } => 0.0,
            Dist::Uniform { min, .. } => *min,
            Dist::Deterministic { value } => *value,
            Dist::Empirical { sorted, .. } => sorted.first().copied().unwrap_or(0.0),
        }
    }

    /// A value no sample exceeds: the samplers draw from `Exp1` and
    /// `StandardNormal`, whose ziggurat tails stay below 50 (an exponential)
    /// and 40 (a normal) for any 64-bit uniform. Infinite when sampling could
    /// overflow.
    pub fn ceiling(&self) -> f64 {
        match self {
            Dist::Exponential { mean } => mean * 50.0,
            Dist::Lognormal { mu, sigma, .. } => (mu + 40.0 * sigma).exp(),
            Dist::Gamma { mean, sd, .. } => mean + 100.0 * sd,
            Dist::Weibull { shape, scale } => scale * 50f64.powf(1.0 / shape),
            Dist::Uniform { max, .. } => *max,
            Dist::Deterministic { value } => *value,
            Dist::Empirical { sorted, .. } => sorted.last().copied().unwrap_or(0.0),
        }
    }

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean }
            | Dist::Lognormal { mean, .. }
            | Dist::Gamma { mean, .. } => *mean,
            Dist::Weibull { shape, scale } => {
                scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape)
            }
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Deterministic { value } => *value,
            Dist::Empirical { sorted, .. } => {
                // The mean of the piecewise-linear inverse CDF.
                let n = sorted.len();
                if n == 1 {
                    return sorted[0];
                }
                let inner: f64 = sorted.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum();
                inner / (n - 1) as f64
            }
        }
    }
}

/// A distribution of counts >= 1.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum CountDist {
    /// Geometric on 1, 2, … with mean 1/p.
    Geometric {
        /// Mean.
        mean: f64,
        /// ln(1 − p), cached.
        #[serde(skip)]
        ln_q: f64,
    },
    /// 1 + Poisson(mean − 1).
    Poisson {
        /// Mean.
        mean: f64,
        /// Sampler of the shifted part, None when mean == 1.
        #[serde(skip)]
        sampler: Option<rand_distr::Poisson<f64>>,
    },
    /// Constant.
    Deterministic {
        /// The count.
        value: u32,
    },
    /// Uniform on min..=max.
    Uniform {
        /// Lower bound.
        min: u32,
        /// Upper bound.
        max: u32,
    },
    /// One of the listed values, equally likely.
    Empirical {
        /// Source file.
        file: String,
        /// Values.
        #[serde(skip)]
        values: Vec<u32>,
    },
}

impl CountDist {
    /// Geometric with mean >= 1.
    pub fn geometric(mean: f64) -> CountDist {
        let p = 1.0 / mean;
        CountDist::Geometric {
            mean,
            ln_q: (1.0 - p).ln(),
        }
    }

    /// Shifted Poisson with mean >= 1.
    pub fn poisson(mean: f64) -> Result<CountDist, String> {
        let sampler = if mean > 1.0 {
            Some(
                rand_distr::Poisson::new(mean - 1.0)
                    .map_err(|e| format!("bad poisson mean: {e}"))?,
            )
        } else {
            None
        };
        Ok(CountDist::Poisson { mean, sampler })
    }

    /// Draws one count (>= 1). A fixed count (the common case: one
    /// exchange) is read inline, the others drawn out of line.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        if let CountDist::Deterministic { value } = self {
            return *value;
        }
        self.sample_any(rng)
    }

    /// [`CountDist::sample`] for every kind.
    #[inline(never)]
    fn sample_any<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self {
            CountDist::Geometric { ln_q, .. } => {
                if *ln_q == f64::NEG_INFINITY {
                    return 1;
                }
                // 1 - U is in (0, 1]: ln never sees 0.
                let u = 1.0 - rng.random::<f64>();
                let k = (u.ln() / ln_q).floor();
                1 + k.min(u32::MAX as f64 / 2.0) as u32
            }
            CountDist::Poisson { sampler, .. } => match sampler {
                Some(s) => 1 + s.sample(rng).min(u32::MAX as f64 / 2.0) as u32,
                None => 1,
            },
            CountDist::Deterministic { value } => *value,
            CountDist::Uniform { min, max } => rng.random_range(*min..=*max),
            CountDist::Empirical { values, .. } => values[rng.random_range(0..values.len())],
        }
    }

    /// The mean count.
    pub fn mean(&self) -> f64 {
        match self {
            CountDist::Geometric { mean, .. } | CountDist::Poisson { mean, .. } => *mean,
            CountDist::Deterministic { value } => *value as f64,
            CountDist::Uniform { min, max } => (*min as f64 + *max as f64) / 2.0,
            CountDist::Empirical { values, .. } => {
                values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Sample mean within 4 standard errors of the stated mean.
    fn check_mean(d: &Dist, sd: f64) {
        let mut r = Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        let m: f64 = (0..n).map(|_| d.sample(&mut r)).sum::<f64>() / n as f64;
        let se = sd / (n as f64).sqrt();
        assert!(
            (m - d.mean()).abs() < 4.0 * se + 1e-12,
            "{d:?}: sample mean {m} vs {}",
            d.mean()
        );
    }

    #[test]
    fn duration_means_match_parameters() {
        check_mean(&Dist::Exponential { mean: 30.0 }, 30.0);
        check_mean(&Dist::lognormal(40.0, 30.0), 30.0);
        check_mean(&Dist::gamma(40.0, 20.0).unwrap(), 20.0);
        check_mean(
            &Dist::Weibull {
                shape: 1.5,
                scale: 60.0,
            },
            40.0,
        );
        check_mean(
            &Dist::Uniform {
                min: 10.0,
                max: 20.0,
            },
            3.0,
        );
        check_mean(
            &Dist::Empirical {
                file: String::new(),
                sorted: vec![1.0, 2.0, 10.0],
            },
            4.0,
        );
    }

    #[test]
    fn lognormal_sd_matches() {
        let d = Dist::lognormal(40.0, 30.0);
        let mut r = Xoshiro256PlusPlus::seed_from_u64(3);
        let xs: Vec<f64> = (0..400_000).map(|_| d.sample(&mut r)).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64;
        assert!((var.sqrt() - 30.0).abs() < 1.0, "sd {}", var.sqrt());
    }

    #[test]
    fn count_means_match_and_are_at_least_one() {
        let mut r = Xoshiro256PlusPlus::seed_from_u64(11);
        for d in [
            CountDist::geometric(4.0),
            CountDist::poisson(3.0).unwrap(),
            CountDist::Uniform { min: 1, max: 5 },
        ] {
            let n = 200_000;
            let xs: Vec<u32> = (0..n).map(|_| d.sample(&mut r)).collect();
            assert!(xs.iter().all(|&x| x >= 1));
            let m = xs.iter().map(|&x| x as f64).sum::<f64>() / n as f64;
            assert!((m - d.mean()).abs() < 0.03, "{d:?}: {m}");
        }
        assert_eq!(CountDist::geometric(1.0).sample(&mut r), 1);
    }
}

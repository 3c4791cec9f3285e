//! The statistics of calibration: bounded samples, maximum-likelihood fits
//! of the §7 families chosen by AIC with a Kolmogorov–Smirnov check,
//! count fits, and survival estimates for censored waits.
//!
//! - [`Reservoir`]: a uniform sample of at most `cap` items (Algorithm R,
//!   a fixed seed), so memory does not grow with the log.
//! - [`fit_durations`]: exponential, lognormal, gamma and Weibull by
//!   maximum likelihood on the reservoir (exact MLE when the reservoir
//!   holds every observation), the smallest AIC chosen; deterministic when
//!   every value is the same; empirical when the chosen family's KS p-value
//!   is below 0.01. The p-value is the asymptotic Kolmogorov distribution
//!   with Stephens' correction, `λ = (√n + 0.12 + 0.11/√n)·D`; as the
//!   parameters come from the same data it is conservative (a fit is
//!   rejected less often than a Lilliefors test would); values in whole
//!   seconds are compared cell by cell (see [`ks`]). The mean's 95%
//!   interval uses every observation (streaming sums, normal approximation).
//! - [`fit_counts`]: geometric and shifted Poisson on a full histogram.
//! - [`Survival`]: censored waits — the exponential MLE (events ÷ total
//!   exposure, an exact chi-square interval) and Kaplan–Meier (median,
//!   restricted mean, bootstrap interval with a fixed seed).

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::{digamma, gamma_lr, ln_gamma};

/// 97.5% normal quantile.
pub const Z975: f64 = 1.959_963_984_540_054;

/// A uniform sample of at most `cap` items, reproducible (fixed seed).
#[derive(Clone, Debug)]
pub struct Reservoir<T> {
    cap: usize,
    seen: u64,
    items: Vec<T>,
    rng: Xoshiro256PlusPlus,
}

impl<T> Reservoir<T> {
    /// An empty reservoir of capacity `cap`, seeded with `seed`.
    pub fn new(cap: usize, seed: u64) -> Self {
        Reservoir {
            cap: cap.max(1),
            seen: 0,
            items: Vec::new(),
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// Offers one item.
    pub fn push(&mut self, x: T) {
        self.seen += 1;
        if self.items.len() < self.cap {
            self.items.push(x);
        } else {
            let j = self.rng.random_range(0..self.seen);
            if (j as usize) < self.cap {
                self.items[j as usize] = x;
            }
        }
    }

    /// The sample.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Items offered in all.
    pub fn seen(&self) -> u64 {
        self.seen
    }
}

/// Streaming count, sum and sum of squares.
#[derive(Clone, Copy, Debug, Default)]
pub struct Moments {
    /// Observations.
    pub n: u64,
    /// Sum.
    pub sum: f64,
    /// Sum of squares.
    pub sum2: f64,
}

impl Moments {
    /// Adds one observation.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum2 += x * x;
    }

    /// The mean (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }

    /// The sample standard deviation.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        ((self.sum2 - self.sum * self.sum / n) / (n - 1.0))
            .max(0.0)
            .sqrt()
    }

    /// 95% interval of the mean (normal approximation), cut at 0: every
    /// quantity summed here (durations, counts) is non-negative.
    pub fn mean_ci(&self) -> (f64, f64) {
        let h = Z975 * self.sd() / (self.n.max(1) as f64).sqrt();
        ((self.mean() - h).max(0.0), self.mean() + h)
    }
}

/// A family of duration distributions (SPEC §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Exponential.
    Exponential,
    /// Lognormal.
    Lognormal,
    /// Gamma.
    Gamma,
    /// Weibull.
    Weibull,
    /// Every value the same.
    Deterministic,
    /// None fits: the data's own quantiles.
    Empirical,
}

impl Family {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
            Family::Deterministic => "deterministic",
            Family::Empirical => "empirical",
        }
    }
}

/// One candidate's fit.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Family.
    pub family: Family,
    /// First parameter: the mean (exponential, lognormal, gamma) or the
    /// shape (Weibull).
    pub a: f64,
    /// Second parameter: the sd (lognormal, gamma) or the scale (Weibull).
    pub b: f64,
    /// Akaike information criterion on the sample.
    pub aic: f64,
    /// Kolmogorov–Smirnov statistic.
    pub ks_d: f64,
    /// Its asymptotic p-value.
    pub ks_p: f64,
}

impl Candidate {
    /// The fitted distribution function at `x` (for charts). For
    /// `Empirical` (no parametric form) and `Deterministic` (a step at `a`)
    /// it is the step at `a`; callers draw the data's quantiles instead.
    pub fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        match self.family {
            Family::Exponential => 1.0 - (-x / self.a).exp(),
            Family::Lognormal => {
                let var = (1.0 + (self.b / self.a).powi(2)).ln();
                let mu = self.a.ln() - var / 2.0;
                normal_cdf((x.ln() - mu) / var.sqrt())
            }
            Family::Gamma => {
                let k = (self.a / self.b).powi(2);
                gamma_lr(k, x * k / self.a)
            }
            Family::Weibull => 1.0 - (-(x / self.b).powf(self.a)).exp(),
            Family::Deterministic | Family::Empirical => f64::from(x >= self.a),
        }
    }
}

/// A fitted distribution of durations.
#[derive(Clone, Debug)]
pub struct DurationFit {
    /// The chosen candidate (for `Empirical`, the best parametric one's
    /// goodness of fit is kept in `ks_d`/`ks_p`).
    pub chosen: Candidate,
    /// Every candidate tried, in AIC order.
    pub candidates: Vec<Candidate>,
    /// Observations in all.
    pub n: u64,
    /// Observations in the sample fitted.
    pub sample_n: usize,
    /// Mean of all observations and its 95% interval.
    pub mean: f64,
    /// 95% interval of the mean.
    pub mean_ci: (f64, f64),
    /// Standard deviation of all observations.
    pub sd: f64,
    /// Up to 1000 evenly spaced quantiles of the sample (for an empirical file).
    pub quantiles: Vec<f64>,
}

impl DurationFit {
    /// `KS D=… p=… (family, sample n)`: the goodness of fit as written in fit.csv.
    pub fn goodness(&self) -> String {
        if self.chosen.family == Family::Deterministic {
            return "all values equal".into();
        }
        format!(
            "KS D={:.4} p={:.3} on {}",
            self.chosen.ks_d, self.chosen.ks_p, self.sample_n
        )
    }
}

/// Kolmogorov's survival function Q(λ) = 2 Σ (−1)^{j−1} e^{−2 j² λ²}.
fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for j in 1..=100 {
        let j = j as f64;
        let term = (-2.0 * j * j * lambda * lambda).exp();
        sum += if j as i64 % 2 == 1 { term } else { -term };
        if term < 1e-12 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// KS statistic of a sorted sample against `cdf`, and its p-value. Values
/// rounded to a grid of width 2h (whole seconds: h = 0.5) are compared
/// with the CDF at the edges of their cell, F(x + h) above and F(x − h)
/// below, so rounding alone does not reject a family.
pub fn ks(sorted: &[f64], cdf: impl Fn(f64) -> f64, h: f64) -> (f64, f64) {
    let n = sorted.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &x) in sorted.iter().enumerate() {
        let below = if x - h > 0.0 { cdf(x - h) } else { 0.0 };
        d = d
            .max((i as f64 + 1.0) / n - cdf(x + h))
            .max(below - i as f64 / n);
    }
    let sn = n.sqrt();
    (d, kolmogorov_q((sn + 0.12 + 0.11 / sn) * d))
}

/// ψ'(x), the trigamma function.
fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 6.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc + 1.0 / x
        + x2 / 2.0
        + x2 / x * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 / 30.0)))
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// Gamma shape by maximum likelihood from s = ln(mean) − mean(ln x).
fn gamma_shape(s: f64) -> f64 {
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..50 {
        let f = k.ln() - digamma(k) - s;
        let step = f / (1.0 / k - trigamma(k));
        let next = (k - step).max(k / 10.0);
        if (next - k).abs() < 1e-10 * k {
            return next;
        }
        k = next;
    }
    k
}

/// Weibull (shape, scale) by maximum likelihood (Newton on the shape).
fn weibull_mle(x: &[f64], mean_ln: f64, sd_ln: f64) -> Option<(f64, f64)> {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    // Scale-free: fit y = x / m, then scale back.
    let mut k = (std::f64::consts::PI / (6f64.sqrt() * sd_ln)).clamp(0.05, 50.0);
    let lm = mean_ln - m.ln();
    for _ in 0..100 {
        let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
        for &xi in x {
            let ly = (xi / m).ln();
            let yk = (k * ly).exp();
            a += yk * ly;
            b += yk;
            c += yk * ly * ly;
        }
        let g = a / b - 1.0 / k - lm;
        let dg = (c * b - a * a) / (b * b) + 1.0 / (k * k);
        let next = (k - g / dg).clamp(k / 2.0, k * 2.0);
        if (next - k).abs() < 1e-10 * k {
            k = next;
            break;
        }
        k = next;
    }
    let b: f64 = x.iter().map(|&xi| (xi / m).powf(k)).sum();
    let scale = m * (b / n).powf(1.0 / k);
    (k.is_finite() && scale.is_finite() && k > 0.0).then_some((k, scale))
}

/// Evenly spaced quantiles (at most 1000) of a sorted sample.
fn quantiles(sorted: &[f64]) -> Vec<f64> {
    let k = sorted.len().min(1000);
    if k == 0 {
        return Vec::new();
    }
    (0..k)
        .map(|i| {
            let p = if k == 1 {
                0.5
            } else {
                i as f64 / (k - 1) as f64
            };
            sorted[((sorted.len() - 1) as f64 * p).round() as usize]
        })
        .collect()
}

/// Fits the §7 families to `sample` (a reservoir of the observations;
/// `all` summarises every observation). `None` without observations.
pub fn fit_durations(sample: &[f64], all: &Moments) -> Option<DurationFit> {
    if sample.is_empty() {
        return None;
    }
    let mut sorted = sample.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let base = |chosen: Candidate, candidates: Vec<Candidate>| DurationFit {
        chosen,
        candidates,
        n: all.n,
        sample_n: sorted.len(),
        mean: all.mean(),
        mean_ci: all.mean_ci(),
        sd: all.sd(),
        quantiles: quantiles(&sorted),
    };
    if sorted[sorted.len() - 1] - sorted[0] <= 1e-9 * sorted[0].abs().max(1e-9) {
        let c = Candidate {
            family: Family::Deterministic,
            a: mean,
            b: 0.0,
            aic: f64::NEG_INFINITY,
            ks_d: 0.0,
            ks_p: 1.0,
        };
        return Some(base(c.clone(), vec![c]));
    }
    // Whole seconds (timestamps without fractions): KS on cells of 1 s.
    let h = if sorted.iter().all(|x| x.fract() == 0.0) {
        0.5
    } else {
        0.0
    };
    let mut cands = Vec::new();
    // Exponential.
    if mean > 0.0 {
        let ll = -n * mean.ln() - n;
        let (d, p) = ks(&sorted, |x| 1.0 - (-x.max(0.0) / mean).exp(), h);
        cands.push(Candidate {
            family: Family::Exponential,
            a: mean,
            b: 0.0,
            aic: 2.0 - 2.0 * ll,
            ks_d: d,
            ks_p: p,
        });
    }
    // The others need positive values: a few zeros (same-second
    // timestamps) are lifted to a hundredth of the smallest positive value.
    let zeros = sorted.iter().filter(|&&x| x <= 0.0).count();
    let min_pos = sorted.iter().copied().find(|&x| x > 0.0);
    if let (true, Some(floor)) = (zeros * 100 <= sorted.len(), min_pos) {
        let pos: Vec<f64> = sorted.iter().map(|&x| x.max(floor / 100.0)).collect();
        let lns: Vec<f64> = pos.iter().map(|x| x.ln()).collect();
        let sum_ln: f64 = lns.iter().sum();
        let mu = sum_ln / n;
        let var = lns.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / n;
        let sigma = var.sqrt();
        if sigma > 0.0 {
            let ll =
                -sum_ln - n * sigma.ln() - n / 2.0 * (2.0 * std::f64::consts::PI).ln() - n / 2.0;
            let (d, p) = ks(&pos, |x| normal_cdf((x.ln() - mu) / sigma), h);
            let m = (mu + var / 2.0).exp();
            cands.push(Candidate {
                family: Family::Lognormal,
                a: m,
                b: m * (var.exp() - 1.0).sqrt(),
                aic: 4.0 - 2.0 * ll,
                ks_d: d,
                ks_p: p,
            });
            let pm = pos.iter().sum::<f64>() / n;
            let s = pm.ln() - mu;
            if s > 0.0 {
                let k = gamma_shape(s);
                let theta = pm / k;
                let ll = (k - 1.0) * sum_ln - n * pm / theta - n * k * theta.ln() - n * ln_gamma(k);
                let (d, p) = ks(&pos, |x| gamma_lr(k, x / theta), h);
                cands.push(Candidate {
                    family: Family::Gamma,
                    a: pm,
                    b: pm / k.sqrt(),
                    aic: 4.0 - 2.0 * ll,
                    ks_d: d,
                    ks_p: p,
                });
            }
            if let Some((k, lam)) = weibull_mle(&pos, mu, sigma) {
                let ll = n * k.ln() - n * k * lam.ln() + (k - 1.0) * sum_ln
                    - pos.iter().map(|x| (x / lam).powf(k)).sum::<f64>();
                let (d, p) = ks(&pos, |x| 1.0 - (-(x / lam).powf(k)).exp(), h);
                cands.push(Candidate {
                    family: Family::Weibull,
                    a: k,
                    b: lam,
                    aic: 4.0 - 2.0 * ll,
                    ks_d: d,
                    ks_p: p,
                });
            }
        }
    }
    cands.retain(|c| c.aic.is_finite());
    cands.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    let best = cands.first()?.clone();
    let chosen = if best.ks_p < 0.01 {
        Candidate {
            family: Family::Empirical,
            ..best
        }
    } else {
        best
    };
    Some(base(chosen, cands))
}

/// A fitted distribution of counts (>= 1).
#[derive(Clone, Debug)]
pub struct CountFit {
    /// `geometric`, `poisson` (shifted), `deterministic` or `empirical`.
    pub family: &'static str,
    /// Mean.
    pub mean: f64,
    /// 95% interval of the mean (normal approximation).
    pub mean_ci: (f64, f64),
    /// Observations.
    pub n: u64,
    /// KS statistic of the chosen family (or the best one for empirical).
    pub ks_d: f64,
    /// Its p-value (asymptotic, conservative for counts).
    pub ks_p: f64,
    /// AIC of each family tried.
    pub aic: Vec<(&'static str, f64)>,
    /// Up to 1000 evenly spaced quantiles (for an empirical file).
    pub quantiles: Vec<f64>,
}

/// Fits geometric and shifted Poisson to a histogram (`hist[k]` = how many
/// conversations had k consumer messages, k >= 1).
pub fn fit_counts(hist: &[u64]) -> Option<CountFit> {
    let mut m = Moments::default();
    let mut n = 0u64;
    for (k, &c) in hist.iter().enumerate() {
        n += c;
        m.n += c;
        m.sum += (k * c as usize) as f64;
        m.sum2 += (k * k) as f64 * c as f64;
    }
    if n == 0 {
        return None;
    }
    let mean = m.mean();
    let nonzero: Vec<usize> = (0..hist.len()).filter(|&k| hist[k] > 0).collect();
    let mut sorted_q = Vec::new();
    let step = (n as f64 / 1000.0).max(1.0);
    let mut next = 0.0;
    let mut cum = 0u64;
    for &k in &nonzero {
        cum += hist[k];
        while next < cum as f64 && sorted_q.len() < 1000 {
            sorted_q.push(k as f64);
            next += step;
        }
    }
    let base = |family, ks_d, ks_p, aic| CountFit {
        family,
        mean,
        mean_ci: m.mean_ci(),
        n,
        ks_d,
        ks_p,
        aic,
        quantiles: sorted_q.clone(),
    };
    if nonzero.len() == 1 {
        return Some(base("deterministic", 0.0, 1.0, Vec::new()));
    }
    let nf = n as f64;
    let kmax = *nonzero.last().unwrap();
    let emp_cdf: Vec<f64> = {
        let mut c = 0u64;
        (0..=kmax)
            .map(|k| {
                c += hist.get(k).copied().unwrap_or(0);
                c as f64 / nf
            })
            .collect()
    };
    let sn = nf.sqrt();
    let test = |pmf: &dyn Fn(usize) -> f64| -> (f64, f64, f64) {
        let (mut ll, mut cdf, mut d) = (0.0, 0.0, 0.0f64);
        for (k, emp) in emp_cdf.iter().enumerate().skip(1) {
            let p = pmf(k);
            cdf += p;
            d = d.max((emp - cdf).abs());
            let c = hist.get(k).copied().unwrap_or(0);
            if c > 0 {
                ll += c as f64 * p.max(1e-300).ln();
            }
        }
        (ll, d, kolmogorov_q((sn + 0.12 + 0.11 / sn) * d))
    };
    let p = 1.0 / mean;
    let (ll_g, d_g, p_g) = test(&|k| p * (1.0 - p).powi(k as i32 - 1));
    let lam = mean - 1.0;
    let (ll_p, d_p, p_p) = test(&|k| {
        let j = (k - 1) as f64;
        (-lam + j * lam.ln() - ln_gamma(j + 1.0)).exp()
    });
    let aic = vec![
        ("geometric", 2.0 - 2.0 * ll_g),
        ("poisson", 2.0 - 2.0 * ll_p),
    ];
    let (family, d, pv) = if aic[0].1 <= aic[1].1 {
        ("geometric", d_g, p_g)
    } else {
        ("poisson", d_p, p_p)
    };
    let family = if pv < 0.01 { "empirical" } else { family };
    Some(base(family, d, pv, aic))
}

/// Waits that ended in an event (abandonment) or were censored
/// (assignment): streaming sums for the exponential MLE and a reservoir of
/// (wait, event) pairs for Kaplan–Meier.
#[derive(Clone, Debug)]
pub struct Survival {
    /// Events (abandonments).
    pub events: u64,
    /// Censored waits (assignments).
    pub censored: u64,
    /// Total exposure: the sum of every wait.
    pub exposure: f64,
    /// Sum of the waits that ended in an event (for the naive mean).
    pub event_sum: f64,
    sample: Reservoir<(f64, bool)>,
}

/// Kaplan–Meier summaries.
#[derive(Clone, Debug)]
pub struct KmSummary {
    /// Median (None when the curve stays above 0.5).
    pub median: Option<f64>,
    /// 95% bootstrap interval of the median (percentile method).
    pub median_ci: Option<(f64, f64)>,
    /// Mean restricted to the longest observed wait.
    pub restricted_mean: f64,
    /// The restriction (the longest observed wait).
    pub tau: f64,
    /// 95% bootstrap interval of the restricted mean.
    pub restricted_mean_ci: (f64, f64),
}

/// (median, restricted mean) of a Kaplan–Meier curve of `data`.
fn km(data: &mut [(f64, bool)], tau: f64) -> (Option<f64>, f64) {
    // Events before censorings at equal times.
    data.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = data.len() as f64;
    let (mut s, mut last_t, mut area) = (1.0f64, 0.0f64, 0.0f64);
    let mut median = None;
    let mut i = 0;
    while i < data.len() {
        let t = data[i].0;
        let (mut d, mut c) = (0.0, 0.0);
        while i < data.len() && data[i].0 == t {
            if data[i].1 {
                d += 1.0
            } else {
                c += 1.0
            }
            i += 1;
        }
        area += s * (t.min(tau) - last_t.min(tau)).max(0.0);
        last_t = t;
        if d > 0.0 {
            s *= 1.0 - d / at_risk;
            if median.is_none() && s <= 0.5 {
                median = Some(t);
            }
        }
        at_risk -= d + c;
    }
    area += s * (tau - last_t.min(tau)).max(0.0);
    (median, area)
}

impl Survival {
    /// Empty, with a reservoir of `cap` waits and a fixed seed.
    pub fn new(cap: usize, seed: u64) -> Self {
        Survival {
            events: 0,
            censored: 0,
            exposure: 0.0,
            event_sum: 0.0,
            sample: Reservoir::new(cap, seed),
        }
    }

    /// Adds one wait; `event` = it ended in abandonment.
    pub fn add(&mut self, wait: f64, event: bool) {
        let wait = wait.max(0.0);
        if event {
            self.events += 1;
            self.event_sum += wait;
        } else {
            self.censored += 1;
        }
        self.exposure += wait;
        self.sample.push((wait, event));
    }

    /// Exponential mean by censored maximum likelihood (exposure ÷ events)
    /// with its exact 95% chi-square interval; None without events.
    pub fn exponential_mean(&self) -> Option<(f64, (f64, f64))> {
        if self.events == 0 {
            return None;
        }
        let d = self.events as f64;
        let chi = ChiSquared::new(2.0 * d).ok()?;
        let t2 = 2.0 * self.exposure;
        Some((
            self.exposure / d,
            (t2 / chi.inverse_cdf(0.975), t2 / chi.inverse_cdf(0.025)),
        ))
    }

    /// The mean of the abandoned waits alone: biased low, reported only
    /// to show the difference.
    pub fn naive_mean(&self) -> Option<f64> {
        (self.events > 0).then(|| self.event_sum / self.events as f64)
    }

    /// Kaplan–Meier on the sample, with 200 bootstrap resamples (seeded).
    pub fn kaplan_meier(&self) -> Option<KmSummary> {
        let data = self.sample.items();
        if data.is_empty() || self.events == 0 {
            return None;
        }
        let tau = data.iter().map(|d| d.0).fold(0.0, f64::max);
        let mut work = data.to_vec();
        let (median, rmean) = km(&mut work, tau);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x6b6d);
        let (mut meds, mut means) = (Vec::new(), Vec::new());
        for _ in 0..200 {
            for w in work.iter_mut() {
                *w = data[rng.random_range(0..data.len())];
            }
            let (m, r) = km(&mut work, tau);
            if let Some(m) = m {
                meds.push(m);
            }
            means.push(r);
        }
        let pct = |v: &mut Vec<f64>| -> (f64, f64) {
            v.sort_by(f64::total_cmp);
            let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
            (at(0.025), at(0.975))
        };
        let median_ci = (meds.len() >= 190).then(|| pct(&mut meds));
        Some(KmSummary {
            median,
            median_ci,
            restricted_mean: rmean,
            tau,
            restricted_mean_ci: pct(&mut means),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Dist;

    fn sample(d: &Dist, n: usize, seed: u64) -> (Vec<f64>, Moments) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut m = Moments::default();
        let v: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        v.iter().for_each(|&x| m.add(x));
        (v, m)
    }

    #[test]
    fn families_are_recognised() {
        let cases = [
            (Dist::Exponential { mean: 30.0 }, Family::Exponential),
            (Dist::lognormal(40.0, 30.0), Family::Lognormal),
            (Dist::gamma(40.0, 15.0).unwrap(), Family::Gamma),
            (
                Dist::Weibull {
                    shape: 3.0,
                    scale: 50.0,
                },
                Family::Weibull,
            ),
        ];
        for (i, (d, fam)) in cases.iter().enumerate() {
            let (v, m) = sample(d, 5000, i as u64 + 1);
            let f = fit_durations(&v, &m).unwrap();
            assert_eq!(f.chosen.family, *fam, "{d:?}: {:?}", f.candidates);
            assert!(f.chosen.ks_p > 0.01);
            let true_mean = d.mean();
            assert!((f.chosen.a - true_mean).abs() < 0.05 * true_mean || *fam == Family::Weibull);
        }
        // Whole seconds: rounding alone does not reject the family.
        let (v, mut m) = sample(&Dist::Exponential { mean: 30.0 }, 10_000, 9);
        let v: Vec<f64> = v.iter().map(|x| x.round()).collect();
        m.sum = v.iter().sum();
        let f = fit_durations(&v, &m).unwrap();
        assert_eq!(f.chosen.family, Family::Exponential, "{:?}", f.candidates);
        // Negative control: a two-point mixture fits none of them.
        let v: Vec<f64> = (0..4000)
            .map(|i| {
                if i % 2 == 0 {
                    10.0 + (i % 7) as f64 * 0.01
                } else {
                    100.0 + (i % 5) as f64 * 0.01
                }
            })
            .collect();
        let mut m = Moments::default();
        v.iter().for_each(|&x| m.add(x));
        assert_eq!(
            fit_durations(&v, &m).unwrap().chosen.family,
            Family::Empirical
        );
    }

    #[test]
    fn counts() {
        let mut hist = vec![0u64; 40];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let geo = crate::scenario::CountDist::geometric(4.0);
        for _ in 0..5000 {
            let k = geo.sample(&mut rng) as usize;
            if k < hist.len() {
                hist[k] += 1;
            }
        }
        let f = fit_counts(&hist).unwrap();
        assert_eq!(f.family, "geometric");
        assert!(f.mean_ci.0 < 4.0 && 4.0 < f.mean_ci.1 + 0.1, "{f:?}");
        assert_eq!(fit_counts(&[0, 0, 7]).unwrap().family, "deterministic");
    }

    #[test]
    fn km_without_censoring_is_the_sample() {
        let mut s = Survival::new(100, 1);
        for x in [1.0, 2.0, 3.0, 4.0] {
            s.add(x, true);
        }
        let k = s.kaplan_meier().unwrap();
        assert_eq!(k.median, Some(2.0));
        assert!((k.restricted_mean - 2.5).abs() < 1e-12);
        assert_eq!(s.exponential_mean().unwrap().0, 2.5);
    }
}

//! A streaming histogram of durations with logarithmic bins (20 per
//! decade from 1 s to about 115 days, one bin below 1 s): fixed memory,
//! mergeable, enough resolution (±6%) to draw distributions such as the
//! first-response CDF.

/// Bins per decade.
const PER_DECADE: f64 = 20.0;
/// Number of bins: [0,1 s), then 7 decades, then overflow.
const BINS: usize = 2 + 7 * PER_DECADE as usize;

/// Counts of durations in log-spaced bins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    counts: Vec<u64>,
}

/// Lower edges of bins 1.. (10^(i/20)), computed once: finding a bin is a
/// binary search, not a logarithm, on the simulation's hot path.
fn edges() -> &'static [f64; BINS - 1] {
    static EDGES: std::sync::OnceLock<[f64; BINS - 1]> = std::sync::OnceLock::new();
    EDGES.get_or_init(|| std::array::from_fn(|i| 10f64.powf(i as f64 / PER_DECADE)))
}

impl Histogram {
    fn index(v: f64) -> usize {
        if !(v >= 1.0) {
            return 0;
        }
        // Number of edges <= v: bin 1 starts at the first edge (1 s).
        edges().partition_point(|&e| e <= v).min(BINS - 1)
    }

    /// Upper edge of bin `i` (seconds).
    pub fn upper(i: usize) -> f64 {
        if i == 0 {
            1.0
        } else {
            10f64.powf(i as f64 / PER_DECADE)
        }
    }

    /// Adds one value.
    #[inline]
    pub fn add(&mut self, v: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BINS];
        }
        self.counts[Self::index(v)] += 1;
    }

    /// Adds another histogram.
    pub fn merge(&mut self, o: &Histogram) {
        if o.counts.is_empty() {
            return;
        }
        if self.counts.is_empty() {
            self.counts = vec![0; BINS];
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The empirical CDF at the bins' upper edges: (seconds, share ≤ it),
    /// up to the last non-empty bin.
    pub fn cdf(&self) -> Vec<(f64, f64)> {
        let n = self.count();
        if n == 0 {
            return Vec::new();
        }
        let last = self.counts.iter().rposition(|&c| c > 0).unwrap_or(0);
        let mut acc = 0;
        (0..=last)
            .map(|i| {
                acc += self.counts[i];
                (Self::upper(i), acc as f64 / n as f64)
            })
            .collect()
    }

    /// The share of values ≤ `t` (to bin resolution).
    pub fn share_below(&self, t: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let k = Self::index(t);
        self.counts[..k].iter().sum::<u64>() as f64 / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_log_spaced() {
        assert_eq!(Histogram::index(0.5), 0);
        assert_eq!(Histogram::index(1.0), 1);
        assert_eq!(Histogram::index(1.1), 1);
        assert_eq!(Histogram::index(10.0), 21);
        assert_eq!(Histogram::index(1e12), BINS - 1);
        for v in [1.5, 7.0, 33.0, 1234.5, 86_400.0] {
            let i = Histogram::index(v);
            assert!(
                Histogram::upper(i - 1) <= v * (1.0 + 1e-12)
                    && v < Histogram::upper(i) * (1.0 + 1e-12),
                "{v} in bin {i}"
            );
        }
    }

    #[test]
    fn cdf_reaches_one_and_is_monotone() {
        let mut h = Histogram::default();
        for v in [0.5, 2.0, 30.0, 30.0, 600.0] {
            h.add(v);
        }
        let c = h.cdf();
        assert_eq!(h.count(), 5);
        assert!((c.last().unwrap().1 - 1.0).abs() < 1e-12);
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        assert!((c[0].1 - 0.2).abs() < 1e-12);
        let mut m = Histogram::default();
        m.merge(&h);
        m.merge(&h);
        assert_eq!(m.count(), 10);
    }
}

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

/// Sub-ranges per octave of the bin lookup table (a power of two).
const SUB_BITS: u32 = 3;
/// Octaves from 1 s covered by the lookup table (2^24 s > the last edge).
const OCTAVES: usize = 24;

/// The bin edges and a lookup table over them, computed once.
struct Edges {
    /// Lower edges of bins 1.. (10^(i/20)).
    lower: [f64; BINS - 1],
    /// Per sub-range of an octave (the top `SUB_BITS` bits of the
    /// mantissa of a value ≥ 1, with its exponent): the number of edges ≤
    /// the sub-range's smallest value. A value's bin is that count plus the
    /// one or two edges of its own sub-range it reaches (a sub-range spans
    /// less than one bin), so finding it takes no logarithm and no search.
    first: [u8; OCTAVES << SUB_BITS],
}

fn edges() -> &'static Edges {
    static EDGES: std::sync::OnceLock<Edges> = std::sync::OnceLock::new();
    EDGES.get_or_init(|| {
        let lower: [f64; BINS - 1] = std::array::from_fn(|i| 10f64.powf(i as f64 / PER_DECADE));
        let first = std::array::from_fn(|k| {
            let low = f64::from_bits((ONE_KEY + k as u64) << (52 - SUB_BITS));
            lower.partition_point(|&e| e <= low) as u8
        });
        Edges { lower, first }
    })
}

/// The table key of 1.0: its biased exponent, shifted by `SUB_BITS`.
const ONE_KEY: u64 = 1023 << SUB_BITS;

impl Histogram {
    /// The bin of `v`: 0 below 1 s (and NaN), else the number of lower
    /// edges ≤ `v`, capped at the overflow bin.
    #[inline]
    fn index(v: f64) -> usize {
        if !(v >= 1.0) {
            return 0;
        }
        let e = edges();
        let key = ((v.to_bits() >> (52 - SUB_BITS)) - ONE_KEY) as usize;
        let Some(&first) = e.first.get(key) else {
            // At least 2^24 s: past the last edge.
            return BINS - 1;
        };
        let mut i = first as usize;
        while let Some(&edge) = e.lower.get(i)
            && edge <= v
        {
            i += 1;
        }
        i.min(BINS - 1)
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
        assert_eq!(Histogram::index(f64::INFINITY), BINS - 1);
        assert_eq!(Histogram::index(f64::NAN), 0);
        for v in [1.5, 7.0, 33.0, 1234.5, 86_400.0] {
            let i = Histogram::index(v);
            assert!(
                Histogram::upper(i - 1) <= v * (1.0 + 1e-12)
                    && v < Histogram::upper(i) * (1.0 + 1e-12),
                "{v} in bin {i}"
            );
        }
    }

    /// The table lookup gives the bin a search of the edges gives, at
    /// every edge, just around it, and between edges.
    #[test]
    fn lookup_matches_a_search_of_the_edges() {
        let lower = &edges().lower;
        let search = |v: f64| {
            if !(v >= 1.0) {
                0
            } else {
                lower.partition_point(|&e| e <= v).min(BINS - 1)
            }
        };
        let mut values = vec![0.0, 0.999, 1.0, 2.0, 4.0, 1e7, 2e7, 16_777_216.0, 1e300];
        for &e in lower.iter() {
            values.extend([e, e.next_down(), e.next_up(), e * 1.03, e * 0.97]);
        }
        for v in values {
            assert_eq!(Histogram::index(v), search(v), "{v}");
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

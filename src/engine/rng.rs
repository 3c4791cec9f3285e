//! Named random streams.
//!
//! Every purpose and entity draws from its own stream, derived from
//! (seed, replication, a stable name, an index) by hashing — never from
//! creation order, never from a global generator. Two variants of a
//! scenario therefore see the same arrivals, patience, exchanges and reply
//! times: common random numbers, so their differences are the staffing's.
//!
//! Long-lived streams (one per skill and purpose) are
//! `Xoshiro256PlusPlus`; each conversation carries two tiny `SplitMix64`
//! streams (consumer side and agent side) seeded from its skill's stream
//! at arrival, so a conversation's own demand is identical in every
//! variant, whatever order the agents reach it in.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The SplitMix64 finaliser: a bijective 64-bit mix.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over bytes: stable across platforms and Rust releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The 64-bit seed of the stream (seed, replication, name, index).
pub fn stream_seed(seed: u64, replication: u32, name: &str, index: u64) -> u64 {
    let mut h = mix64(seed ^ 0x5EED);
    h = mix64(h ^ replication as u64);
    h = mix64(h ^ fnv1a(name.as_bytes()));
    mix64(h ^ index)
}

/// The stream factory of one replication.
#[derive(Clone, Copy, Debug)]
pub struct Streams {
    seed: u64,
    replication: u32,
}

impl Streams {
    /// Streams of replication `replication` under `seed`.
    pub fn new(seed: u64, replication: u32) -> Self {
        Streams { seed, replication }
    }

    /// The stream for a purpose (`name`, e.g. `"arrivals/billing"`) and an
    /// entity index.
    pub fn stream(&self, name: &str, index: u64) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(stream_seed(self.seed, self.replication, name, index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_stable_and_distinct() {
        let s = Streams::new(1, 0);
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("arrivals/billing", 0), |r, _| {
                Some(r.random::<u64>())
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("arrivals/billing", 0), |r, _| {
                Some(r.random::<u64>())
            })
            .collect();
        let c: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("arrivals/tech", 0), |r, _| Some(r.random::<u64>()))
            .collect();
        let d: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(Streams::new(1, 1).stream("arrivals/billing", 0), |r, _| {
                Some(r.random::<u64>())
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        // Pinned: a change here changes every result file.
        assert_eq!(
            stream_seed(1, 0, "arrivals/billing", 0),
            0x9786_9ff8_8605_56e6
        );
    }
}

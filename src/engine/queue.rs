//! The future event list: a binary min-heap ordered by time, then by
//! insertion sequence.
//!
//! Ties: two events scheduled for the same instant pop in the order they
//! were scheduled (first scheduled, first popped) — never at random — so a
//! run is reproducible and the order is part of the model's contract.
//!
//! Cancellation is the model's business and cheap: timers carry the
//! key of the [`crate::model::Timer`] they belong to; a timer
//! whose generation is stale is dropped when popped, in O(1), instead of
//! being searched for in the heap. The queue never holds more than the
//! timers that are pending or stale-but-not-yet-due, which is bounded by
//! the rate of timers times their longest delay, not by the horizon.

use super::time::Time;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An event with its key. The key packs the time's bits (monotone for
/// non-negative floats) above the insertion sequence, so one integer
/// comparison orders by time, then by sequence.
struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse for earliest-first.
        other.key.cmp(&self.key)
    }
}

/// A future event list with a simulated clock.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
    now: Time,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue at time 0.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            seq: 0,
            now: 0.0,
        }
    }

    /// The current simulated time: the time of the last event popped.
    #[inline]
    pub fn now(&self) -> Time {
        self.now
    }

    /// Schedules `event` at absolute time `at` (not before now).
    #[inline]
    pub fn schedule(&mut self, at: Time, event: E) {
        debug_assert!(
            at.is_finite() && at >= self.now,
            "event at {at} before now {}",
            self.now
        );
        // `+ 0.0` turns -0.0 into 0.0 so the bit pattern orders correctly.
        let at = at.max(self.now) + 0.0;
        let key = ((at.to_bits() as u128) << 64) | self.seq as u128;
        self.seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// Schedules `event` after a delay from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: Time, event: E) {
        self.schedule(self.now + delay.max(0.0), event);
    }

    /// Removes the earliest event, advancing the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let Entry { key, event } = self.heap.pop()?;
        self.now = f64::from_bits((key >> 64) as u64);
        Some((self.now, event))
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap
            .peek()
            .map(|e| f64::from_bits((e.key >> 64) as u64))
    }

    /// Number of pending entries (stale timers included).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn same_time_pops_in_insertion_order() {
        let mut q = EventQueue::new();
        q.schedule(5.0, 'a');
        q.schedule(1.0, 'b');
        q.schedule(5.0, 'c');
        q.schedule(1.0, 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['b', 'd', 'a', 'c']);
    }

    proptest! {
        /// The heap behaves as a BTreeMap keyed by (time, sequence), for any
        /// interleaving of schedules and pops.
        #[test]
        fn matches_btreemap_model(ops in proptest::collection::vec((0u8..3, 0u32..50), 1..400)) {
            let mut q = EventQueue::new();
            let mut model: BTreeMap<(u64, u64), u32> = BTreeMap::new();
            let mut seq = 0u64;
            for (i, (op, dt)) in ops.into_iter().enumerate() {
                if op < 2 {
                    let at = q.now() + dt as f64 * 0.5;
                    q.schedule(at, i as u32);
                    model.insert((at.to_bits(), seq), i as u32);
                    seq += 1;
                } else {
                    let got = q.pop();
                    let want = model.pop_first();
                    prop_assert_eq!(got.map(|(t, e)| (t.to_bits(), e)), want.map(|((t, _), e)| (t, e)));
                }
            }
            while let Some(want) = model.pop_first() {
                let (t, e) = q.pop().unwrap();
                prop_assert_eq!((t.to_bits(), e), (want.0.0, want.1));
            }
            prop_assert!(q.pop().is_none());
        }
    }
}

//! The future event list: an implicit 4-ary min-heap ordered by time,
//! then by insertion sequence.
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
//!
//! Layout (a large center keeps tens of thousands of entries pending,
//! most of them stale patience timers, so the heap's cache footprint is
//! what an event costs): an entry is the time's bits, a 32-bit insertion
//! sequence and the event — 24 bytes for the model's 12-byte events,
//! against 32 with a `u128` key — and each node has four children, so a
//! pop walks half the levels of a binary heap, and the four children of a
//! node lie side by side. A pop moves the hole at the root down to a leaf
//! along the smallest children, then sifts the last entry up from there
//! (most entries belong near the bottom, so this compares less than a
//! sift-down that tests the last entry at every level). When the 32-bit
//! sequence runs out (after 4 G schedules) the pending entries are
//! renumbered in their order, which keeps the order exact.

use super::time::Time;

/// Children per node.
const ARITY: usize = 4;

/// An event with its place in the order.
struct Entry<E> {
    /// The time's bits: monotone for non-negative floats.
    time: u64,
    /// Insertion sequence, for ties.
    seq: u32,
    event: E,
}

impl<E> Entry<E> {
    /// The order key: time, then sequence (one integer comparison).
    #[inline(always)]
    fn key(&self) -> u128 {
        ((self.time as u128) << 32) | self.seq as u128
    }
}

/// A future event list with a simulated clock.
pub struct EventQueue<E> {
    heap: Vec<Entry<E>>,
    seq: u32,
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
            heap: Vec::with_capacity(1024),
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
        if self.seq == u32::MAX {
            self.renumber();
        }
        // `+ 0.0` turns -0.0 into 0.0 so the bit pattern orders correctly.
        let at = at.max(self.now) + 0.0;
        let entry = Entry {
            time: at.to_bits(),
            seq: self.seq,
            event,
        };
        self.seq += 1;
        self.heap.push(entry);
        let last = self.heap.len() - 1;
        self.sift_up(last);
    }

    /// Schedules `event` after a delay from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: Time, event: E) {
        self.schedule(self.now + delay.max(0.0), event);
    }

    /// Removes the earliest event, advancing the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let last = self.heap.pop()?;
        let top = if self.heap.is_empty() {
            last
        } else {
            let top = std::mem::replace(&mut self.heap[0], last);
            self.sift_down_to_bottom();
            top
        };
        self.now = f64::from_bits(top.time);
        Some((self.now, top.event))
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.first().map(|e| f64::from_bits(e.time))
    }

    /// Number of pending entries (stale timers included).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Moves the entry at `i` up to its place.
    #[inline(always)]
    fn sift_up(&mut self, mut i: usize) {
        let h = &mut self.heap[..];
        let key = h[i].key();
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if h[parent].key() <= key {
                break;
            }
            h.swap(i, parent);
            i = parent;
        }
    }

    /// Restores the heap after the root was replaced by the last entry:
    /// moves the smallest child up at every level down to a leaf, then
    /// sifts the former last entry up from that leaf.
    #[inline(always)]
    fn sift_down_to_bottom(&mut self) {
        let h = &mut self.heap[..];
        let n = h.len();
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first + ARITY <= n {
                // All four children exist.
                let c = &h[first..first + ARITY];
                let (k0, k1, k2, k3) = (c[0].key(), c[1].key(), c[2].key(), c[3].key());
                let (a, ka) = if k1 < k0 { (1, k1) } else { (0, k0) };
                let (b, kb) = if k3 < k2 { (3, k3) } else { (2, k2) };
                let m = if kb < ka { b } else { a };
                h.swap(i, first + m);
                i = first + m;
            } else if first < n {
                let mut m = first;
                for j in first + 1..n {
                    if h[j].key() < h[m].key() {
                        m = j;
                    }
                }
                h.swap(i, m);
                i = m;
            } else {
                break;
            }
        }
        self.sift_up(i);
    }

    /// Gives the pending entries the sequences 0, 1, … in their order
    /// (a sorted array is a heap), so the sequence can go on.
    #[cold]
    fn renumber(&mut self) {
        self.heap.sort_unstable_by_key(Entry::key);
        for (k, e) in self.heap.iter_mut().enumerate() {
            e.seq = u32::try_from(k).expect("fewer than 4 G pending events");
        }
        self.seq = self.heap.len() as u32;
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

    #[test]
    fn order_survives_the_sequence_running_out() {
        let mut q = EventQueue::new();
        q.seq = u32::MAX - 3;
        for (k, t) in [4.0, 1.0, 4.0, 1.0, 2.0, 4.0, 1.0].into_iter().enumerate() {
            q.schedule(t, k);
        }
        assert!(q.seq < 10, "renumbered");
        let order: Vec<(f64, usize)> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (1.0, 1),
                (1.0, 3),
                (1.0, 6),
                (2.0, 4),
                (4.0, 0),
                (4.0, 2),
                (4.0, 5)
            ]
        );
    }

    proptest! {
        /// The heap behaves as a BTreeMap keyed by (time, sequence), for any
        /// interleaving of schedules and pops.
        #[test]
        fn matches_btreemap_model(ops in proptest::collection::vec((0u8..3, 0u32..50), 1..1500)) {
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

//! The future event list: an implicit 4-ary min-heap ordered by time,
//! then by insertion sequence, beside FIFO lanes for events scheduled
//! after a recurring fixed delay.
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
//! Lanes ([`EventQueue::schedule_fixed`]): a timer whose delay is the same
//! for every conversation of a skill (a solved conversation's close
//! window, park, sticky, ring timeout, auto-close) comes due in the order
//! it was scheduled, because the clock never goes backwards. Such events
//! wait in a FIFO per delay value instead of the heap; the earliest lane
//! head is kept, and a pop takes the smaller of it and the heap's root,
//! comparing the same (time, sequence) key, so the order is exactly the
//! one a single heap would give. In the large center the close windows
//! alone are most of the pending entries (a day's solved conversations),
//! so the heap the other events pay log(n) cache misses in shrinks by
//! about five times.
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
//! sequence runs out (after 4 G schedules) the pending entries, lanes
//! included, are renumbered in their order, which keeps the order exact.

use super::time::Time;
use std::collections::VecDeque;

/// Children per node.
const ARITY: usize = 4;

/// Most lanes (distinct fixed delays); later delays go to the heap.
const MAX_LANES: usize = 32;

/// No lane holds an entry: a time above every entry's (times are
/// finite, so their bits are below +inf's, let alone `u64::MAX`).
const NO_TIME: u64 = u64::MAX;

/// An event with its place in the order.
#[derive(Clone, Copy)]
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

    /// Whether `self` comes before `o`: time, then sequence. Times are
    /// almost never equal, so this is one well-predicted comparison
    /// (building a `u128` key costs several instructions per entry).
    #[inline(always)]
    fn before(&self, o: &Self) -> bool {
        self.time < o.time || (self.time == o.time && self.seq < o.seq)
    }
}

/// Events scheduled after one fixed delay, in (time, sequence) order.
struct Lane<E> {
    /// The delay's bits.
    delay: u64,
    fifo: VecDeque<Entry<E>>,
}

/// A future event list with a simulated clock.
pub struct EventQueue<E> {
    heap: Vec<Entry<E>>,
    lanes: Vec<Lane<E>>,
    /// The lane whose head is earliest, and that head's time ([`NO_TIME`]
    /// when every lane is empty: then a pop compares the heap's root with
    /// it once and never looks at the lanes) and sequence.
    lane_min: usize,
    lane_min_time: u64,
    lane_min_seq: u32,
    seq: u32,
    now: Time,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue at time 0.
    pub fn new() -> Self {
        EventQueue {
            heap: Vec::with_capacity(1024),
            lanes: Vec::new(),
            lane_min: 0,
            lane_min_time: NO_TIME,
            lane_min_seq: 0,
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
    #[inline(always)]
    pub fn schedule(&mut self, at: Time, event: E) {
        debug_assert!(
            at.is_finite() && at >= self.now,
            "event at {at} before now {}",
            self.now
        );
        let entry = self.entry(at, event);
        self.push_heap(entry);
    }

    /// The entry of `event` at `at`, with the next sequence.
    #[inline(always)]
    fn entry(&mut self, at: Time, event: E) -> Entry<E> {
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
        entry
    }

    /// Adds `entry` at the end and moves it up to its place. A new event
    /// usually comes after its parent (it is later than most pending ones):
    /// then one comparison and no other write.
    #[inline(always)]
    fn push_heap(&mut self, entry: Entry<E>) {
        let i = self.heap.len();
        self.heap.push(entry);
        if i > 0 && entry.before(&self.heap[(i - 1) / ARITY]) {
            self.sift_up(i, entry);
        }
    }

    /// Schedules `event` after a delay from now.
    #[inline(always)]
    pub fn schedule_in(&mut self, delay: Time, event: E) {
        self.schedule(self.now + delay.max(0.0), event);
    }

    /// Schedules `event` after `delay` from now, a delay that recurs (the
    /// same constant for every conversation of a skill, say): the events
    /// of one delay come due in the order they were scheduled, so they wait
    /// in a FIFO lane of their own rather than in the heap. The order is
    /// the same as [`EventQueue::schedule_in`]'s.
    #[inline]
    pub fn schedule_fixed(&mut self, delay: Time, event: E) {
        debug_assert!(delay.is_finite(), "delay {delay}");
        let delay = delay.max(0.0) + 0.0;
        let entry = self.entry(self.now + delay, event);
        let bits = delay.to_bits();
        let lane = match self.lanes.iter().position(|l| l.delay == bits) {
            Some(i) => i,
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push(Lane {
                    delay: bits,
                    fifo: VecDeque::new(),
                });
                self.lanes.len() - 1
            }
            None => return self.push_heap(entry),
        };
        let fifo = &mut self.lanes[lane].fifo;
        match fifo.back() {
            // The clock never goes back, so this holds; the heap keeps the
            // order if it ever does not.
            Some(b) if b.time > entry.time => self.push_heap(entry),
            Some(_) => fifo.push_back(entry),
            None => {
                fifo.push_back(entry);
                if self.before_lanes(&entry) {
                    self.lane_min = lane;
                    (self.lane_min_time, self.lane_min_seq) = (entry.time, entry.seq);
                }
            }
        }
    }

    /// Whether `h` (the heap's root, say) comes before every lane head:
    /// with no lane in use, one comparison of times.
    #[inline(always)]
    fn before_lanes(&self, h: &Entry<E>) -> bool {
        h.time < self.lane_min_time || (h.time == self.lane_min_time && h.seq < self.lane_min_seq)
    }

    /// Removes the earliest event, advancing the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let top = match self.heap.first() {
            Some(h) if self.before_lanes(h) => self.pop_heap(),
            _ if self.lane_min_time != NO_TIME => self.pop_lane(),
            _ => return None,
        };
        self.now = f64::from_bits(top.time);
        Some((self.now, top.event))
    }

    /// Takes the earliest lane head and finds the next one.
    #[inline]
    fn pop_lane(&mut self) -> Entry<E> {
        let top = self.lanes[self.lane_min]
            .fifo
            .pop_front()
            .expect("the earliest lane holds its head");
        self.find_lane_min();
        top
    }

    /// Recomputes the earliest lane head.
    fn find_lane_min(&mut self) {
        let mut min: Option<(usize, u128)> = None;
        for (i, l) in self.lanes.iter().enumerate() {
            if let Some(h) = l.fifo.front()
                && min.is_none_or(|(_, k)| h.key() < k)
            {
                min = Some((i, h.key()));
            }
        }
        (self.lane_min, self.lane_min_time, self.lane_min_seq) = match min {
            Some((i, k)) => (i, (k >> 32) as u64, k as u32),
            None => (0, NO_TIME, 0),
        };
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        let heap = self.heap.first().map_or(NO_TIME, |h| h.time);
        let t = heap.min(self.lane_min_time);
        (t != NO_TIME).then(|| f64::from_bits(t))
    }

    /// Number of pending entries (stale timers included).
    pub fn len(&self) -> usize {
        self.heap.len() + self.lanes.iter().map(|l| l.fifo.len()).sum::<usize>()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.lane_min_time == NO_TIME
    }

    /// Moves `entry`, whose place (a hole) is `i`, up to where it
    /// belongs: each parent after it moves down into the hole, and `entry`
    /// is written once, at the end.
    #[inline(always)]
    fn sift_up(&mut self, mut i: usize, entry: Entry<E>) {
        let h = &mut self.heap[..];
        while i > 0 {
            let parent = (i - 1) / ARITY;
            let p = h[parent];
            if !entry.before(&p) {
                break;
            }
            h[i] = p;
            i = parent;
        }
        h[i] = entry;
    }

    /// Removes the root of a non-empty heap: the hole it leaves moves down
    /// to a leaf along the smallest children (each moves up one level),
    /// then the last entry sifts up from that leaf.
    #[inline(always)]
    fn pop_heap(&mut self) -> Entry<E> {
        let last = self.heap.pop().expect("a root");
        let h = &mut self.heap[..];
        let n = h.len();
        let Some(&top) = h.first() else {
            return last;
        };
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if let Some(c) = h.get(first..first + ARITY) {
                // All four children exist. Which is smallest is a coin
                // toss, so it is chosen without branches (conditional
                // moves on whole keys): a mispredicted branch per level
                // costs more than building the keys in a large heap.
                let (k0, k1, k2, k3) = (c[0].key(), c[1].key(), c[2].key(), c[3].key());
                let (a, ka) = if k1 < k0 { (1, k1) } else { (0, k0) };
                let (b, kb) = if k3 < k2 { (3, k3) } else { (2, k2) };
                let m = first + if kb < ka { b } else { a };
                h[i] = h[m];
                i = m;
            } else {
                if first < n {
                    // Fewer than four: their own children are past the end.
                    let mut m = first;
                    for j in first + 1..n {
                        if h[j].before(&h[m]) {
                            m = j;
                        }
                    }
                    h[i] = h[m];
                    i = m;
                }
                break;
            }
        }
        self.sift_up(i, last);
        top
    }

    /// Gives the pending entries, heap and lanes, the sequences 0, 1, …
    /// in their order (each entry's rank among all keys), so the sequence
    /// can go on: the heap stays a heap and every lane stays sorted.
    #[cold]
    fn renumber(&mut self) {
        let mut keys: Vec<u128> = self.heap.iter().map(Entry::key).collect();
        for l in &self.lanes {
            keys.extend(l.fifo.iter().map(Entry::key));
        }
        keys.sort_unstable();
        let rank = |e: &mut Entry<E>| {
            let k = keys.binary_search(&e.key()).expect("a pending key");
            e.seq = u32::try_from(k).expect("fewer than 4 G pending events");
        };
        self.heap.iter_mut().for_each(&rank);
        for l in &mut self.lanes {
            l.fifo.iter_mut().for_each(&rank);
        }
        self.seq = keys.len() as u32;
        self.find_lane_min();
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

    #[test]
    fn lanes_merge_with_the_heap_in_time_then_insertion_order() {
        let mut q = EventQueue::new();
        q.schedule_fixed(2.0, 'a');
        q.schedule(2.0, 'b');
        q.schedule_fixed(1.0, 'c');
        q.schedule_fixed(2.0, 'd');
        q.schedule(1.0, 'e');
        assert_eq!((q.len(), q.peek_time()), (5, Some(1.0)));
        let order: Vec<(f64, char)> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![(1.0, 'c'), (1.0, 'e'), (2.0, 'a'), (2.0, 'b'), (2.0, 'd')]
        );
        assert!(q.is_empty() && q.peek_time().is_none());
    }

    #[test]
    fn delays_past_the_lane_limit_wait_in_the_heap() {
        let mut q = EventQueue::new();
        for k in (0..MAX_LANES + 5).rev() {
            q.schedule_fixed(k as f64, k);
        }
        assert_eq!((q.lanes.len(), q.heap.len()), (MAX_LANES, 5));
        let order: Vec<usize> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, (0..MAX_LANES + 5).collect::<Vec<_>>());
    }

    #[test]
    fn renumbering_keeps_the_order_of_lanes_and_heap() {
        let mut q = EventQueue::new();
        q.seq = u32::MAX - 4;
        q.schedule_fixed(3.0, 0);
        q.schedule(3.0, 1);
        q.schedule_fixed(1.0, 2);
        q.schedule_fixed(3.0, 3);
        q.schedule(1.0, 4);
        q.schedule_fixed(1.0, 5);
        assert!(q.seq < 10, "renumbered");
        let order: Vec<u32> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec![2, 4, 5, 0, 1, 3]);
    }

    proptest! {
        /// The heap and its lanes behave as a BTreeMap keyed by (time,
        /// sequence), for any interleaving of schedules (at a time, or
        /// after one of a few fixed delays) and pops.
        #[test]
        fn matches_btreemap_model(ops in proptest::collection::vec((0u8..5, 0u32..50), 1..1500)) {
            let mut q = EventQueue::new();
            let mut model: BTreeMap<(u64, u64), u32> = BTreeMap::new();
            let mut seq = 0u64;
            for (i, (op, dt)) in ops.into_iter().enumerate() {
                if op < 2 {
                    let at = q.now() + dt as f64 * 0.5;
                    q.schedule(at, i as u32);
                    model.insert((at.to_bits(), seq), i as u32);
                    seq += 1;
                } else if op < 4 {
                    let delay = (dt % 4) as f64 * 1.5;
                    q.schedule_fixed(delay, i as u32);
                    model.insert(((q.now() + delay).to_bits(), seq), i as u32);
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

//! The eligible agents of one group and channel: an indexed binary
//! min-heap of selection keys. Insert, remove and re-key an agent in
//! O(log n) by its index (no search), read the best in O(1), and find the
//! best agent outside a small exclusion set (ring mode) by a best-first
//! walk of the heap. It replaces an ordered set on the hot path: the same
//! order, a fraction of the work per assignment.

/// A selection key: smaller is better; the last field is the agent index,
/// so keys are unique and ties are deterministic.
pub type Rank = (u32, u64, u32);

const ABSENT: u32 = u32::MAX;

/// Indexed min-heap of agents by key.
#[derive(Clone, Debug, Default)]
pub struct Eligible {
    heap: Vec<Rank>,
    /// Position in `heap` of each agent (by `key.2 - base`), or ABSENT.
    pos: Vec<u32>,
    base: u32,
}

impl Eligible {
    /// An empty set for agents `base..base + count`.
    pub fn new(base: u32, count: u32) -> Self {
        Eligible {
            heap: Vec::with_capacity(count as usize),
            pos: vec![ABSENT; count as usize],
            base,
        }
    }

    /// Number of agents in the set.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The best key.
    #[inline]
    pub fn first(&self) -> Option<Rank> {
        self.heap.first().copied()
    }

    #[inline]
    fn slot(&self, agent: u32) -> usize {
        (agent - self.base) as usize
    }

    /// Inserts, re-keys or removes (`None`) an agent.
    #[inline]
    pub fn set(&mut self, agent: u32, key: Option<Rank>) {
        let p = self.pos[self.slot(agent)];
        match (p, key) {
            (ABSENT, None) => {}
            (ABSENT, Some(k)) => {
                debug_assert_eq!(k.2, agent);
                self.heap.push(k);
                let i = self.heap.len() - 1;
                let s = self.slot(agent);
                self.pos[s] = i as u32;
                self.up(i);
            }
            (p, Some(k)) => {
                let i = p as usize;
                let old = self.heap[i];
                self.heap[i] = k;
                if k < old { self.up(i) } else { self.down(i) }
            }
            (p, None) => {
                let i = p as usize;
                let s = self.slot(agent);
                self.pos[s] = ABSENT;
                let last = self.heap.pop().expect("present");
                if i < self.heap.len() {
                    let old = self.heap[i];
                    self.heap[i] = last;
                    let ls = self.slot(last.2);
                    self.pos[ls] = i as u32;
                    if last < old { self.up(i) } else { self.down(i) }
                }
            }
        }
    }

    #[inline]
    fn swap(&mut self, i: usize, j: usize) {
        self.heap.swap(i, j);
        let (si, sj) = (self.slot(self.heap[i].2), self.slot(self.heap[j].2));
        self.pos[si] = i as u32;
        self.pos[sj] = j as u32;
    }

    fn up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.heap[i] < self.heap[parent] {
                self.swap(i, parent);
                i = parent;
            } else {
                break;
            }
        }
    }

    fn down(&mut self, mut i: usize) {
        let n = self.heap.len();
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut m = i;
            if l < n && self.heap[l] < self.heap[m] {
                m = l;
            }
            if r < n && self.heap[r] < self.heap[m] {
                m = r;
            }
            if m == i {
                break;
            }
            self.swap(i, m);
            i = m;
        }
    }

    /// The best key whose agent is not skipped: a best-first walk from the
    /// root, visiting only skipped agents and their children.
    pub fn first_where(&self, skip: &dyn Fn(u32) -> bool) -> Option<Rank> {
        let root = *self.heap.first()?;
        if !skip(root.2) {
            return Some(root);
        }
        let mut frontier = std::collections::BinaryHeap::new();
        frontier.push(std::cmp::Reverse((root, 0usize)));
        while let Some(std::cmp::Reverse((k, i))) = frontier.pop() {
            if !skip(k.2) {
                return Some(k);
            }
            for c in [2 * i + 1, 2 * i + 2] {
                if c < self.heap.len() {
                    frontier.push(std::cmp::Reverse((self.heap[c], c)));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        /// Behaves as an ordered set of keys, one per agent, for any
        /// sequence of inserts, re-keys and removals; `first_where` finds
        /// the smallest key outside the skip set.
        #[test]
        fn matches_an_ordered_set(ops in proptest::collection::vec((0u32..12, proptest::option::of(0u32..6), 0u64..5), 1..300), skip in proptest::collection::vec(0u32..12, 0..6)) {
            let base = 100;
            let mut e = Eligible::new(base, 12);
            let mut model: BTreeSet<Rank> = BTreeSet::new();
            let mut current: Vec<Option<Rank>> = vec![None; 12];
            for (a, k0, k1) in ops {
                let agent = base + a;
                let key = k0.map(|k0| (k0, k1, agent));
                if let Some(old) = current[a as usize] {
                    model.remove(&old);
                }
                if let Some(k) = key {
                    model.insert(k);
                }
                current[a as usize] = key;
                e.set(agent, key);
                prop_assert_eq!(e.first(), model.first().copied());
                prop_assert_eq!(e.len(), model.len());
            }
            let skipped = |a: u32| skip.contains(&(a - base));
            prop_assert_eq!(e.first_where(&skipped), model.iter().find(|k| !skipped(k.2)).copied());
        }
    }
}

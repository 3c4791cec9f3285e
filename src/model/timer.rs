//! The one timer-cancellation mechanism of the model: a generation counter.
//!
//! A [`Timer`] belongs to an entity (a conversation's state, its
//! consumer's pending reply, its auto-close, its patience; an agent's
//! reply in progress). Scheduling an event takes the timer's current
//! [`TimerKey`]; [`Timer::cancel`] makes every key taken before it stale,
//! in O(1); when the event pops, it acts only if [`Timer::fires`] still
//! accepts its key. Stale events are dropped without a search in the
//! event queue (STYLE habit 4). Nothing else in the core changes a
//! generation.

/// A cancellable timer's generation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timer(u32);

/// The key an event carries: the timer's generation when it was armed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerKey(u32);

impl Timer {
    /// The key of an event armed now; it fires unless the timer is
    /// cancelled before.
    #[must_use = "schedule an event with the key"]
    #[inline]
    pub fn key(&self) -> TimerKey {
        TimerKey(self.0)
    }

    /// Cancels every event armed so far.
    #[inline]
    pub fn cancel(&mut self) {
        self.0 = self.0.wrapping_add(1);
    }

    /// Cancels what was armed and returns the key of a new event.
    #[must_use = "schedule an event with the key"]
    #[inline]
    pub fn rearm(&mut self) -> TimerKey {
        self.cancel();
        self.key()
    }

    /// Whether an event armed with `key` still applies.
    #[inline]
    pub fn fires(&self, key: TimerKey) -> bool {
        self.0 == key.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_makes_earlier_keys_stale_only() {
        let mut t = Timer::default();
        let a = t.key();
        assert!(t.fires(a));
        let b = t.rearm();
        assert!(!t.fires(a) && t.fires(b));
        t.cancel();
        assert!(!t.fires(b));
    }
}

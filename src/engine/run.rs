//! The event loop: pop the earliest event, advance the clock, let the
//! model handle it and an observer look at the result; stop at the
//! horizon, when the model asks to, or when simulated time stops
//! advancing (more than a given number of events at one instant).
//! Statically dispatched: the model is a type parameter.

use super::queue::EventQueue;
use super::time::Time;

/// A model driven by [`run`].
pub trait Model {
    /// Its events.
    type Event: Copy;
    /// Its future event list.
    fn queue(&mut self) -> &mut EventQueue<Self::Event>;
    /// Handles one event at the current time.
    fn handle(&mut self, event: Self::Event);
    /// Whether the model asks to stop (checked after every event).
    fn stopped(&self) -> bool;
    /// Simulated time stopped advancing at `t`: `event` is the one over
    /// the limit. The model should ask to stop.
    fn frozen(&mut self, t: Time, event: Self::Event);
}

/// Runs `model` until no event is left before `end`, the model stops, or
/// more than `max_at_instant` events happen at one instant; `after` sees
/// the model after every event and may stop the run with an error.
/// Returns the number of events handled.
pub fn run<M: Model, E>(
    model: &mut M,
    end: Time,
    max_at_instant: u64,
    after: &mut impl FnMut(&M, Time, Option<M::Event>) -> Result<(), E>,
) -> Result<u64, E> {
    let mut events = 0u64;
    let (mut instant, mut at_instant) = (f64::NAN, 0u64);
    while let Some((t, ev)) = model.queue().pop() {
        if t > end {
            break;
        }
        events += 1;
        if t == instant {
            at_instant += 1;
            if at_instant > max_at_instant {
                model.frozen(t, ev);
            }
        } else {
            (instant, at_instant) = (t, 1);
        }
        model.handle(ev);
        after(model, t, Some(ev))?;
        if model.stopped() {
            break;
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each event schedules the next `gap` seconds later.
    struct Chain {
        q: EventQueue<u32>,
        gap: f64,
        frozen_at: Option<(Time, u32)>,
    }

    impl Model for Chain {
        type Event = u32;
        fn queue(&mut self) -> &mut EventQueue<u32> {
            &mut self.q
        }
        fn handle(&mut self, n: u32) {
            self.q.schedule_in(self.gap, n + 1);
        }
        fn stopped(&self) -> bool {
            self.frozen_at.is_some()
        }
        fn frozen(&mut self, t: Time, n: u32) {
            self.frozen_at = Some((t, n));
        }
    }

    fn chain(gap: f64) -> (Chain, u64) {
        let mut m = Chain {
            q: EventQueue::new(),
            gap,
            frozen_at: None,
        };
        m.q.schedule(1.0, 0);
        let n = run(&mut m, 100.0, 50, &mut |_, _, _| Ok::<(), ()>(())).unwrap();
        (m, n)
    }

    #[test]
    fn stops_at_the_horizon_or_when_time_freezes() {
        let (m, n) = chain(1.0);
        assert_eq!((n, m.frozen_at), (100, None));
        let (m, n) = chain(0.0);
        assert_eq!((n, m.frozen_at), (51, Some((1.0, 50))));
    }
}

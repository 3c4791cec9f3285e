//! The discrete-event engine: simulated time, the event queue, named
//! random streams and the event loop. It knows nothing of contact centers and does no I/O;
//! the model in [`crate::sim`] drives it.

pub mod queue;
pub mod rng;
pub mod run;
pub mod time;

pub use queue::EventQueue;
pub use rng::{Streams, stream_seed};
pub use time::Time;

//! # ccsim — a discrete-event simulator of chat and messaging contact centers
//!
//! A planner describes demand (skills with arrival processes and
//! conversation behaviour), agents (groups with skills, capacity, modes,
//! shifts) and routing in a TOML scenario; ccsim runs independent
//! replications on a simulated clock and reports handle-time, queue,
//! response-time and occupancy metrics with 95% confidence intervals.
//!
//! The pipeline:
//!
//! ```text
//! scenario file ─► scenario::load ─► Scenario ─► runner::run ─► RunResult ─► report (CSV, table, charts)
//!                                       │
//!                     sim::Sim (one replication)
//! ```
//!
//! The simulation core, one concept per module:
//!
//! * [`engine`] — simulated time, the event queue (time, then insertion
//!   order), named random streams.
//! * [`model`] — the entities as data: the conversation's state machine and
//!   its timer table, the agent's status and its one eligibility
//!   predicate, the style policy, typed ids and the one timer type.
//! * [`sim`] — one replication: the events, the event loop, the
//!   conversation's lifecycle handlers and the agent's work.
//! * [`acd`] — routing: select an agent, select a queue, the eligible-agent
//!   heap, ring mode, sticky returns.
//! * [`staffing`] — logins, logouts, shifts and breaks.
//! * [`record`] — the recorder: the model announces what happened, the
//!   recorder keeps the statistics (time integrals as self-flushing
//!   levels) and writes the trace, and produces the [`sim::RepResult`].
//!
//! [`runner`] is the one replication runner behind `run`, [`compare`],
//! [`sweep`], [`staff`], [`schedule`] and [`bench`](mod@bench). Every fallible function returns the
//! one [`Error`], whose [`Error::exit_code`] says how the command line
//! exits (2 bad input, 1 otherwise); the command line itself (clap,
//! printing, exit codes) lives in the binary, not here.
//!
//! ```
//! let scn = ccsim::scenario::load_str(ccsim::EXAMPLE, "example.toml", std::path::Path::new("."), "example").unwrap();
//! let mut scn = scn;
//! scn.replications = 2;
//! scn.horizon = 3600.0;
//! let result = ccsim::runner::run(&scn, &ccsim::runner::RunOptions::default()).unwrap();
//! assert!(result.summary("all", "offered").unwrap().mean > 0.0);
//! ```

#![warn(missing_docs)]

pub mod acd;
pub mod analytic;
pub mod bench;
pub mod calibrate;
pub mod compare;
pub mod engine;
pub mod error;
pub mod metrics;
pub mod model;
pub mod record;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod schedule;
pub mod sim;
pub mod staff;
pub mod staffing;
pub mod sweep;

pub use error::{Error, Result};

/// The built-in example scenario (`scenarios/example.toml`), run by `ccsim run` without an argument.
pub const EXAMPLE: &str = include_str!("../scenarios/example.toml");

//! The one replication runner, serving `run`, `compare`, `sweep`, `staff`
//! and `bench`.
//!
//! * [`pool`] runs jobs (one replication each) on a rayon pool and delivers
//!   them in job order as they finish ([`pool::replicate`]);
//! * [`aggregate`](mod@aggregate) folds delivered replications into estimates as they
//!   come ([`Accumulator`]), keeping metric values, not whole results;
//! * [`trace`] writes and joins the per-replication traces;
//! * [`memory`] estimates what a run needs before it starts.
//!
//! An unstable replication (the engine stopped it: more conversations
//! alive than it allows) becomes [`Error::Unstable`] here and nowhere else;
//! a caller that wants to go on (the staffing search counts such a
//! head-count as failing) uses [`run_lenient`]. Outputs are byte-identical
//! whatever the thread count: replications are delivered and summed in
//! replication order.

pub mod aggregate;
pub mod memory;
pub mod pool;
pub mod trace;

pub use aggregate::{Accumulator, AgentRow, Detail, GroupRow, RunResult, aggregate};
pub use trace::TRACE_HEADER;

use crate::error::{Error, Result, Unstable};
use crate::scenario::Scenario;
use std::path::PathBuf;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Write `conversations.csv` into this directory.
    pub trace_dir: Option<PathBuf>,
    /// Write `events.csv` (SPEC §13) of replication 1 into this directory,
    /// dated from this start.
    pub events: Option<(PathBuf, crate::record::events::Start)>,
    /// Variant name in the results (default `base`).
    pub variant: Option<String>,
    /// What to aggregate (default: everything).
    pub detail: Detail,
    /// Refuse to start when the estimated memory exceeds this many bytes
    /// (None: no check). See [`memory::estimate`].
    pub max_memory: Option<u64>,
    /// Stop the run as unstable beyond this many live conversations, over
    /// all replications running together (None: the engine's limit,
    /// [`crate::sim::MAX_LIVE`]); see [`pool::Live`].
    pub max_live: Option<usize>,
}

/// Runs every replication of `scn` and aggregates.
///
/// # Errors
///
/// [`Error::Unstable`] when a replication stopped as unstable (the first in
/// replication order); [`Error::Input`] when the run would need more memory
/// than `opts.max_memory`; [`Error::Io`] when the trace cannot be written.
/// On any error no trace file (temporary or final) is left behind.
pub fn run(scn: &Scenario, opts: &RunOptions) -> Result<RunResult> {
    run_with_progress(scn, opts, &|| {})
}

/// Like [`run`], calling `tick` after each replication (for progress bars).
///
/// # Errors
///
/// As [`run`].
pub fn run_with_progress(
    scn: &Scenario,
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<RunResult> {
    match run_lenient(scn, opts, tick)? {
        (_, Some(u)) => Err(Error::Unstable(u)),
        (r, None) => Ok(r),
    }
}

/// Runs every replication of `scn` and aggregates, returning an unstable
/// replication beside the (then partial and meaningless) result instead of
/// failing. For callers that treat instability as an outcome, not an error.
///
/// # Errors
///
/// As [`run`], except instability.
pub fn run_lenient(
    scn: &Scenario,
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<(RunResult, Option<Unstable>)> {
    let pool = pool::pool(opts.threads)?;
    if let Some(limit) = opts.max_memory {
        memory::estimate(scn, opts.detail, pool.current_num_threads()).check(limit)?;
    }
    let trace_dir = opts.trace_dir.as_deref();
    let mut joined = match trace_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
            Some(trace::Joined::start(dir)?)
        }
        None => None,
    };
    let mut acc = Accumulator::new(scn, opts.detail);
    let events_to = opts
        .events
        .as_ref()
        .map(|(dir, start)| (dir.as_path(), *start));
    if let Some((dir, _)) = events_to {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    // The event log is replication 1's.
    let mut events = None;
    let job = |i: usize| pool::Job {
        scenario: scn,
        replication: i as u32,
        trace_dir,
        events: events_to.filter(|_| i == 0),
    };
    let live = pool::Live::new(opts.max_live);
    pool::replicate(
        &pool,
        &live,
        scn.replications as usize,
        &job,
        &mut |_, replica| {
            acc.add(&replica.result);
            if let (Some(j), Some(part)) = (joined.as_mut(), replica.trace) {
                j.append(part)?;
            }
            if replica.events.is_some() {
                events = replica.events;
            }
            tick();
            Ok(())
        },
    )?;
    let unstable = acc.unstable().cloned();
    if let (Some(j), None) = (joined, &unstable) {
        j.publish()?;
    }
    if let (Some(e), None, Some((dir, _))) = (events, &unstable, events_to) {
        e.publish()
            .map_err(|err| Error::io("write", &dir.join("events.csv"), err))?;
    }
    let variant = opts.variant.as_deref().unwrap_or("base");
    let mut unstable = unstable;
    if let (Some(u), Some(v)) = (&mut unstable, &opts.variant) {
        u.run = format!("{}, variant `{v}`", u.run);
    }
    Ok((acc.finish(variant), unstable))
}

/// Runs one replication (replication 0) of `scn` on the calling thread: what
/// the speed benchmark measures (no pool, no aggregation).
///
/// # Errors
///
/// [`Error::Unstable`] when it stopped as unstable.
pub fn run_one(scn: &Scenario) -> Result<crate::sim::RepResult> {
    let replica = pool::run_job(
        &pool::Job {
            scenario: scn,
            replication: 0,
            trace_dir: None,
            events: None,
        },
        crate::sim::MAX_LIVE,
        None,
    )?;
    match &replica.result.unstable {
        Some(why) => Err(Error::Unstable(Unstable {
            run: format!("scenario `{}`", scn.name),
            replication: 1,
            detail: why.clone(),
        })),
        None => Ok(replica.result),
    }
}

/// The built-in example scenario, for unit tests.
#[cfg(test)]
pub(crate) fn example() -> Scenario {
    crate::scenario::load_str(
        crate::EXAMPLE,
        "example.toml",
        std::path::Path::new("scenarios"),
        "example",
    )
    .expect("the built-in example is valid")
}

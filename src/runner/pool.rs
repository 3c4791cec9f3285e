//! The one replication runner's engine room: runs jobs (one replication of
//! one scenario each, optionally traced) on a rayon pool and hands their
//! results to the caller strictly in job order, as soon as each one and
//! every one before it are done.
//!
//! Work is handed out from one shared counter in job order, so every worker
//! stays busy even when a caller flattens many small runs (a sweep's
//! points) into one job list. A result that finishes ahead of an earlier one
//! waits in a reorder buffer; workers never run more than [`window`] jobs
//! ahead of the oldest undelivered one, so the buffer (and the memory of
//! results in flight) stays bounded whatever the number of replications.
//! The calling thread receives, reorders and delivers; the workers only
//! simulate. Delivery order is the job order, so whatever the caller sums
//! is summed in the same order for any thread count.
//!
//! The replications running together share one budget of live conversations
//! ([`Live`]), so memory stays bounded by one replication's limit whatever
//! the thread count. Whether a replication runs out of that shared budget
//! depends on what ran beside it, so such a replication is run again alone
//! (no other job running) under its own limit: its outcome, and every
//! delivered byte, is the same for any thread count.

use super::trace::{self, Part};
use crate::error::{Error, Result};
use crate::record::events::{CsvEvents, Start};
use crate::scenario::Scenario;
use crate::sim::{LiveBudget, MAX_LIVE, RepResult, Sim};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, RwLock, mpsc};

/// One replication to run.
#[derive(Clone, Copy, Debug)]
pub struct Job<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The replication (0-based; it selects the random streams).
    pub replication: u32,
    /// Write the replication's trace rows into a temporary file in this
    /// directory ([`Replica::trace`]).
    pub trace_dir: Option<&'a Path>,
    /// Write the replication's event log (`events.csv`, SPEC §13) into a
    /// temporary file in this directory, times dated from this start
    /// ([`Replica::events`]).
    pub events: Option<(&'a Path, Start)>,
}

/// The live-conversation limit of the replications of one [`replicate`]
/// call (the calls of one process run one after another, so it is the
/// process's limit): one [`LiveBudget`] shared by the replications running
/// together, and a gate that lets a replication that ran out of it run
/// again alone.
#[derive(Debug)]
pub struct Live {
    budget: LiveBudget,
    /// Held shared by every job running with the budget, exclusively by a
    /// job running again alone.
    gate: RwLock<()>,
    reruns: AtomicUsize,
}

impl Live {
    /// A limit of `max_live` conversations alive at once over all
    /// replications (None: the engine's limit, [`MAX_LIVE`]).
    #[must_use]
    pub fn new(max_live: Option<usize>) -> Live {
        Live {
            budget: LiveBudget::new(max_live.unwrap_or(MAX_LIVE)),
            gate: RwLock::new(()),
            reruns: AtomicUsize::new(0),
        }
    }

    /// The shared budget.
    #[must_use]
    pub fn budget(&self) -> &LiveBudget {
        &self.budget
    }

    /// How many replications stopped as unstable beside others and were run
    /// again alone.
    #[must_use]
    pub fn reruns(&self) -> usize {
        self.reruns.load(Ordering::Relaxed)
    }

    /// Runs `job` beside others (sharing the budget), and again alone when
    /// it stopped as unstable there: the outcome is the one of a run alone.
    fn run(&self, job: &Job<'_>) -> Result<Replica> {
        let beside = {
            let _running = self.gate.read().unwrap_or_else(|e| e.into_inner());
            run_job(job, self.budget.limit(), Some(&self.budget))?
        };
        if beside.result.unstable.is_none() {
            return Ok(beside);
        }
        // It ran out of the shared budget (or stopped for a reason of its
        // own); drop what it held, then run it with nothing beside it.
        drop(beside);
        self.reruns.fetch_add(1, Ordering::Relaxed);
        let _alone = self.gate.write().unwrap_or_else(|e| e.into_inner());
        run_job(job, self.budget.limit(), None)
    }
}

/// A finished replication.
#[derive(Debug)]
pub struct Replica {
    /// What it measured.
    pub result: RepResult,
    /// Its trace rows (CSV without header), when the job asked for them; the
    /// file is deleted when this is dropped.
    pub trace: Option<Part>,
    /// Its event log, when the job asked for it (unpublished: deleted when
    /// dropped).
    pub events: Option<CsvEvents>,
}

/// How many jobs the workers may run ahead of the oldest undelivered one.
#[must_use]
pub fn window(threads: usize) -> usize {
    2 * threads + 2
}

/// Runs one job on the calling thread, stopping it as unstable beyond
/// `max_live` conversations alive at once, or when `budget` (shared with
/// other jobs) is exhausted.
///
/// # Errors
///
/// When its trace file cannot be created or written.
pub fn run_job(job: &Job<'_>, max_live: usize, budget: Option<&LiveBudget>) -> Result<Replica> {
    let mut trace = match job.trace_dir {
        Some(dir) => Some(trace::CsvTrace::create(dir, job.replication)?),
        None => None,
    };
    let mut events = match job.events {
        Some((dir, start)) => Some(
            CsvEvents::create(dir, start)
                .map_err(|e| Error::io("create a temporary event log in", dir, e))?,
        ),
        None => None,
    };
    let mut sim = Sim::new(
        job.scenario,
        job.replication,
        trace.as_mut().map(|t| t as &mut dyn crate::sim::TraceSink),
    )
    .max_live(max_live);
    if let Some(b) = budget {
        sim = sim.budget(b);
    }
    if let Some(e) = events.as_mut() {
        sim = sim.events(e);
    }
    let result = sim.run();
    let trace = match trace {
        Some(t) => Some(t.finish()?),
        None => None,
    };
    Ok(Replica {
        result,
        trace,
        events,
    })
}

/// Runs jobs `0..count` (`job(i)` describes job `i`) on `pool` within
/// `live` and calls `deliver(i, replica)` for each in increasing `i`, on the
/// calling thread. With one thread, jobs run alone under the limit (no
/// budget to share).
///
/// # Errors
///
/// The first error of a job (in job order) or of `deliver`; no job is
/// delivered after it, and workers stop at their next job.
pub fn replicate<'a>(
    pool: &rayon::ThreadPool,
    live: &Live,
    count: usize,
    job: &(dyn Fn(usize) -> Job<'a> + Sync),
    deliver: &mut dyn FnMut(usize, Replica) -> Result<()>,
) -> Result<()> {
    let threads = pool.current_num_threads().max(1);
    let ahead = window(threads);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // The number of jobs delivered so far, and a signal when it moves.
    let delivered = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, Result<Replica>)>();
    let (next, stop, delivered_ref) = (&next, &stop, &delivered);

    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            scope.spawn(move |_| {
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= count {
                        break;
                    }
                    {
                        let (lock, cv) = delivered_ref;
                        let mut done = lock.lock().unwrap_or_else(|e| e.into_inner());
                        while j >= *done + ahead && !stop.load(Ordering::Relaxed) {
                            done = cv.wait(done).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let out = if threads == 1 {
                        run_job(&job(j), live.budget.limit(), None)
                    } else {
                        live.run(&job(j))
                    };
                    if tx.send((j, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let result = receive(count, &rx, deliver, delivered_ref);
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
            delivered_ref.1.notify_all();
        }
        // Dropping the receiver makes a still-running worker stop at its next send.
        drop(rx);
        result
    })
}

/// The calling thread's side: reorders results and delivers them in order.
fn receive(
    count: usize,
    rx: &mpsc::Receiver<(usize, Result<Replica>)>,
    deliver: &mut dyn FnMut(usize, Replica) -> Result<()>,
    delivered: &(Mutex<usize>, Condvar),
) -> Result<()> {
    let mut pending: BTreeMap<usize, Result<Replica>> = BTreeMap::new();
    let mut next_out = 0usize;
    for (j, out) in rx {
        pending.insert(j, out);
        while let Some(out) = pending.remove(&next_out) {
            deliver(next_out, out?)?;
            next_out += 1;
            let (lock, cv) = delivered;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = next_out;
            cv.notify_all();
        }
    }
    if next_out < count {
        return Err(Error::other(format!(
            "the run stopped after {next_out} of {count} replications"
        )));
    }
    Ok(())
}

/// A pool of `threads` workers (None: one per core).
///
/// # Errors
///
/// When the threads cannot be started.
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::other(format!("cannot start the worker threads: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_delivered_in_job_order_whatever_the_threads() {
        let mut scn = crate::runner::example();
        scn.horizon = 2.0 * 3600.0;
        scn.warmup = 0.0;
        let job = |i: usize| Job {
            scenario: &scn,
            replication: (i % 7) as u32,
            trace_dir: None,
            events: None,
        };
        let live = Live::new(None);
        let mut runs = Vec::new();
        for threads in [1, 3] {
            let pool = pool(Some(threads)).unwrap();
            let mut seen = Vec::new();
            replicate(&pool, &live, 20, &job, &mut |i, r| {
                seen.push((i, r.result.events));
                Ok(())
            })
            .unwrap();
            assert_eq!(
                seen.iter().map(|s| s.0).collect::<Vec<_>>(),
                (0..20).collect::<Vec<_>>()
            );
            runs.push(seen);
        }
        assert_eq!(runs[0], runs[1]);
        // A delivery error stops the run and is returned.
        let pool = pool(Some(2)).unwrap();
        let e = replicate(&pool, &live, 20, &job, &mut |i, _| {
            if i == 4 {
                Err(Error::other("stop"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "stop");
    }

    #[test]
    fn a_replication_out_of_the_shared_budget_runs_again_alone() {
        let mut scn = crate::runner::example();
        scn.horizon = 4.0 * 3600.0;
        scn.warmup = 0.0;
        let job = |i: usize| Job {
            scenario: &scn,
            replication: i as u32,
            trace_dir: None,
            events: None,
        };
        let alone: Vec<RepResult> = (0..4)
            .map(|i| run_job(&job(i), MAX_LIVE, None).unwrap().result)
            .collect();
        let peak = alone.iter().map(|r| r.peak_conversations).max().unwrap();
        // A budget that holds any one replication, but of which something
        // else holds most: every replication runs out of it beside the
        // others, and is run again alone, as with one thread.
        let live = Live::new(Some(peak));
        let held = live.budget().reserve(peak - 1).unwrap();
        let pool = pool(Some(2)).unwrap();
        let mut seen = Vec::new();
        replicate(&pool, &live, 4, &job, &mut |_, r| {
            seen.push(r.result);
            Ok(())
        })
        .unwrap();
        assert_eq!(live.reruns(), 4);
        for (ours, theirs) in seen.iter().zip(&alone) {
            assert_eq!(ours.unstable, None);
            assert_eq!(ours.events, theirs.events);
            assert_eq!(ours.conservation, theirs.conservation);
        }
        // Under a limit below the peak, the outcome (the error) is the one
        // of a run alone, whatever the threads.
        drop(held);
        let outcome = |threads: usize| {
            let live = Live::new(Some(peak - 1));
            let pool = super::pool(Some(threads)).unwrap();
            let mut why = Vec::new();
            replicate(&pool, &live, 4, &job, &mut |i, r| {
                why.push((i, r.result.unstable));
                Ok(())
            })
            .unwrap();
            why
        };
        let one = outcome(1);
        assert!(one.iter().any(|(_, u)| {
            u.as_deref()
                .is_some_and(|u| u.contains(&format!("more than {} conversations", peak - 1)))
        }));
        assert_eq!(one, outcome(2));
    }
}

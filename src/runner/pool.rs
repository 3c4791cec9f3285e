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

use super::trace::{self, Part};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::sim::{RepResult, Sim};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

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
    /// Stop the replication as unstable beyond this many live conversations
    /// (None: the engine's limit, [`crate::sim::MAX_LIVE`]).
    pub max_live: Option<usize>,
}

/// A finished replication.
#[derive(Debug)]
pub struct Replica {
    /// What it measured.
    pub result: RepResult,
    /// Its trace rows (CSV without header), when the job asked for them; the
    /// file is deleted when this is dropped.
    pub trace: Option<Part>,
}

/// How many jobs the workers may run ahead of the oldest undelivered one.
#[must_use]
pub fn window(threads: usize) -> usize {
    2 * threads + 2
}

/// Runs one job on the calling thread.
///
/// # Errors
///
/// When its trace file cannot be created or written.
pub fn run_job(job: &Job<'_>) -> Result<Replica> {
    fn with_limit<'s>(sim: Sim<'s>, max_live: Option<usize>) -> Sim<'s> {
        match max_live {
            Some(n) => sim.max_live(n),
            None => sim,
        }
    }
    match job.trace_dir {
        None => Ok(Replica {
            result: with_limit(Sim::new(job.scenario, job.replication, None), job.max_live).run(),
            trace: None,
        }),
        Some(dir) => {
            let mut sink = trace::CsvTrace::create(dir, job.replication)?;
            let result = with_limit(
                Sim::new(job.scenario, job.replication, Some(&mut sink)),
                job.max_live,
            )
            .run();
            let part = sink.finish()?;
            Ok(Replica {
                result,
                trace: Some(part),
            })
        }
    }
}

/// Runs jobs `0..count` (`job(i)` describes job `i`) on `pool` and calls
/// `deliver(i, replica)` for each in increasing `i`, on the calling thread.
///
/// # Errors
///
/// The first error of a job (in job order) or of `deliver`; no job is
/// delivered after it, and workers stop at their next job.
pub fn replicate<'a>(
    pool: &rayon::ThreadPool,
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
                    let out = run_job(&job(j));
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
            max_live: None,
        };
        let mut runs = Vec::new();
        for threads in [1, 3] {
            let pool = pool(Some(threads)).unwrap();
            let mut seen = Vec::new();
            replicate(&pool, 20, &job, &mut |i, r| {
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
        let e = replicate(&pool, 20, &job, &mut |i, _| {
            if i == 4 {
                Err(Error::other("stop"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "stop");
    }
}

//! The edge of the program: what each subcommand does with its parsed
//! arguments (load, call the library, print), and how the outcome becomes
//! the exit code (2 bad input, 1 anything else, 0 for a closed stdout).
//! Diagnostics go to stderr without ever panicking: a full or closed
//! stderr loses the message, not the exit code.

pub mod args;
mod calibrate;

use args::{
    Command, EventsArgs, ExecArgs, GoalArgs, MergeArgs, OutputArgs, ScheduleArgs, StaffArgs,
    SweepArgs,
};
use ccsim::error::{Context, Error, Result};
use ccsim::report::csv_out::write_run_outputs;
use ccsim::report::publish::{Publisher, lock_output};
use ccsim::report::targets::{self, Goals};
use ccsim::report::{pages, run_charts, table};
use ccsim::runner::{self, RunOptions};
use ccsim::scenario::{self, Scenario};
use std::io::Write;
use std::path::Path;

/// Writes one line to stderr, ignoring failure (a full disk, a closed pipe).
pub fn diag(line: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{line}");
}

/// Prints a warning on stderr.
fn warn(w: &str) {
    diag(&format!("warning: {w}"));
}

/// Prints to stdout; a closed pipe comes back as an [`Error::Io`] that
/// [`Error::is_broken_pipe`] recognises.
fn print(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .with_context(|| "cannot write to stdout")
}

/// Runs a command.
///
/// # Errors
///
/// The command's failure, whose class gives the exit code.
pub fn execute(command: Command) -> Result<()> {
    match command {
        Command::Run {
            scenario,
            output,
            events,
            goals,
            exec,
        } => run(scenario.as_deref(), &output, &events, &goals, &exec),
        Command::Compare {
            scenario,
            output,
            goals,
            exec,
        } => compare(&scenario, &output, &goals, &exec),
        Command::Sweep(a) => sweep(&a),
        Command::Merge(a) => merge(&a),
        Command::Staff(a) => staff(&a),
        Command::Schedule(a) => schedule(&a),
        Command::Check { scenario } => check(&scenario),
        Command::Fit(a) => calibrate::fit(&a),
        Command::Backtest(a) => calibrate::backtest(&a),
        Command::Log { command } => calibrate::log(&command),
        Command::Bench {
            customers,
            model,
            hours,
        } => {
            let r = match model.as_str() {
                "routing" => ccsim::bench::routing()?,
                "large" => ccsim::bench::large(hours)?,
                _ => ccsim::bench::erlang_a(customers)?,
            };
            print(&r.report())
        }
    }
}

/// Loads a scenario file (or the built-in example when `None`), printing
/// its warnings; errors are bad input.
pub(crate) fn load_scenario(path: Option<&Path>) -> Result<Scenario> {
    let scn = match path {
        Some(p) => scenario::load(p),
        None => scenario::load_str(
            ccsim::EXAMPLE,
            "<built-in example>",
            Path::new("scenarios"),
            "example",
        ),
    }
    .map_err(Error::input)?;
    for w in &scn.warnings {
        warn(w);
    }
    Ok(scn)
}

/// Applies `--seed` and `--replications`.
pub(crate) fn apply(exec: &ExecArgs, scn: &mut Scenario) {
    if let Some(s) = exec.seed {
        scn.seed = s;
    }
    if let Some(r) = exec.replications {
        scn.replications = r;
    }
}

fn run(
    path: Option<&Path>,
    output: &OutputArgs,
    events: &EventsArgs,
    goals: &GoalArgs,
    exec: &ExecArgs,
) -> Result<()> {
    let mut scn = load_scenario(path)?;
    apply(exec, &mut scn);
    let judged = Goals::new(&scn, &goals.targets).map_err(Error::input)?;
    let dir = output.out.join(&scn.name);
    // One run per output directory; every file goes to a staging directory
    // that replaces `dir` whole once all are written.
    let lock = lock_output(&dir)?;
    let stage = Publisher::begin(&lock)?;
    let staged = stage.path();
    let opts = RunOptions {
        threads: exec.threads(),
        trace_dir: output.trace.then(|| staged.to_path_buf()),
        events: events.events.then(|| (staged.to_path_buf(), events.start)),
        max_memory: exec.max_memory(),
        ..RunOptions::default()
    };
    let result = runner::run(&scn, &opts)?;
    let results = std::slice::from_ref(&result);
    write_run_outputs(staged, &scn, results)?;
    let stems = run_charts::write_run_charts(&staged.join("charts"), &result, &judged)?;
    let page = pages::run_page(&scn, &result, &stems, &goals.targets)?;
    pages::write_page(staged, &page)?;
    if output.xlsx {
        pages::write_xlsx(staged, results)?;
    }
    stage.commit()?;
    drop(lock);
    print(&table::render(&result))?;
    print(&targets::render(results, &goals.targets))?;
    print(&format!("wrote {}\n", dir.display()))
}

fn compare(path: &Path, output: &OutputArgs, goals: &GoalArgs, exec: &ExecArgs) -> Result<()> {
    let mut scn = load_scenario(Some(path))?;
    apply(exec, &mut scn);
    let opts = ccsim::compare::CompareOptions {
        out: output.out.clone(),
        trace: output.trace,
        xlsx: output.xlsx,
        threads: exec.threads(),
        max_memory: exec.max_memory(),
        max_live: None,
        targets: goals.targets.clone(),
    };
    print(&ccsim::compare::compare(path, &scn, &opts)?)
}

fn sweep(a: &SweepArgs) -> Result<()> {
    // The shard comes from the command line or, with `auto`, from the
    // scheduler's environment: read here, at the edge.
    let shard = ccsim::sweep::grid::resolve_shard(
        a.shard.as_deref(),
        a.shard_count.map(|n| n as usize),
        &|var| std::env::var(var).ok(),
    )
    .map_err(|e| ccsim::Error::input(format!("--shard: {e}")))?;
    let opts = ccsim::sweep::SweepOptions {
        sweep: a.sweep.clone(),
        out: a.out.clone(),
        threads: a.exec.threads(),
        resume: a.resume,
        shard,
        replications: a.exec.replications,
        seed: a.exec.seed,
        max_memory: a.exec.max_memory(),
    };
    print(&ccsim::sweep::sweep(&opts, &mut |w| warn(w))?)
}

fn merge(a: &MergeArgs) -> Result<()> {
    let opts = ccsim::sweep::MergeOptions {
        inputs: a.inputs.clone(),
        sweep: a.sweep.clone(),
        out: a.out.clone(),
    };
    print(&ccsim::sweep::merge(&opts)?)
}

fn staff(a: &StaffArgs) -> Result<()> {
    let mut precision_share = 0.01;
    let mut precision_time = 0.02;
    for p in &a.precision {
        match *p {
            args::Precision::Share(v) => precision_share = v,
            args::Precision::Time(v) => precision_time = v,
        }
    }
    let cfg = ccsim::staff::StaffConfig {
        targets: a.targets.clone(),
        groups: a.groups.clone(),
        costs: a.costs.clone(),
        variants: a.variants,
        per_interval: a.per_interval,
        confidence: a.confidence,
        precision_share,
        precision_time,
        max_replications: a.max_replications,
        max: a.max,
        out: a.out.clone(),
        overrides: ccsim::sweep::run::Overrides {
            seed: a.exec.seed,
            replications: a.exec.replications,
        },
        threads: a.exec.threads(),
        progress: true,
        max_memory: a.exec.max_memory(),
    };
    let outcome = ccsim::staff::run(&a.scenario, &cfg, &mut |w| warn(w))?;
    print(&outcome.text)?;
    if outcome.infeasible.is_empty() {
        Ok(())
    } else {
        Err(Error::input(format!(
            "no head-count can meet the targets:\n  {}",
            outcome.infeasible.join("\n  ")
        )))
    }
}

fn schedule(a: &ScheduleArgs) -> Result<()> {
    let cfg = ccsim::schedule::ScheduleConfig {
        shifts: a.shifts.clone(),
        targets: a.targets.clone(),
        shrinkage: a.shrinkage,
        confidence: a.confidence,
        max: a.max,
        max_repairs: a.max_repairs,
        out: a.out.clone(),
        overrides: ccsim::sweep::run::Overrides {
            seed: a.exec.seed,
            replications: a.exec.replications,
        },
        threads: a.exec.threads(),
        max_memory: a.exec.max_memory(),
        progress: true,
    };
    print(&ccsim::schedule::run(&a.scenario, &cfg, &mut |l| diag(l))?)
}

fn check(path: &Path) -> Result<()> {
    let scn = load_scenario(Some(path))?;
    print(&format!(
        "{}: ok — {} skill(s), {} agent group(s), {} agent(s), {} variant(s), {} warning(s)\n",
        path.display(),
        scn.skills.len(),
        scn.groups.len(),
        scn.groups.iter().map(|g| g.count as u64).sum::<u64>(),
        scn.variants.len(),
        scn.warnings.len()
    ))
}

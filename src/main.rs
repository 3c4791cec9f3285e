//! The `ccsim` command line: `run`, `compare`, `sweep`, `merge`, `staff`,
//! `check`, `bench`. Maps errors to exit codes: 2 for bad input
//! (scenario, options, files), 1 for anything else; a closed pipe on
//! stdout exits 0.

use anyhow::Context;
use ccsim::cli::{CliError, CommonArgs, load_scenario, write_run_outputs};
use ccsim::report::table;
use ccsim::runner::{self, RunOptions};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ccsim",
    version,
    about = "Discrete-event simulator of chat and messaging contact centers"
)]
struct Cli {
    /// Without a command: `run` on the built-in example (what `cargo run --release` does).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario (without one: the built-in example) and write its reports.
    Run {
        /// Scenario file (TOML). Omit to run the built-in example.
        scenario: Option<PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Run the base scenario and every [[variant]] on common random numbers; paired differences and charts.
    Compare(ccsim::compare::CompareArgs),
    /// Run a grid of parameter values in parallel.
    Sweep(ccsim::sweep::SweepArgs),
    /// Join sweep shard files into one, checking nothing is missing or duplicated.
    Merge(ccsim::sweep::MergeArgs),
    /// Find the smallest head-count that meets a target, by simulation.
    Staff(ccsim::sweep::StaffArgs),
    /// Validate a scenario: print errors and warnings, run nothing.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Measure speed on the Erlang A model (single-threaded).
    Bench {
        /// Customers to simulate (erlang-a model).
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
        /// Which model: `erlang-a` (the Erlang A reference row) or `routing`
        /// (500 agents, 5 groups, 10 skills, ring mode, shifts, one week).
        #[arg(long, default_value = "erlang-a", value_parser = ["erlang-a", "routing"])]
        model: String,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let command = cli.command.unwrap_or(Command::Run {
        scenario: None,
        common: CommonArgs::default(),
    });
    let result = match command {
        Command::Run { scenario, common } => cmd_run(scenario.as_deref(), &common),
        Command::Compare(a) => ccsim::compare::compare(&a).and_then(|s| print(&s)),
        Command::Sweep(a) => ccsim::sweep::sweep(&a).and_then(|s| print(&s)),
        Command::Merge(a) => ccsim::sweep::merge(&a).and_then(|s| print(&s)),
        Command::Staff(a) => ccsim::sweep::staff(&a).and_then(|s| print(&s)),
        Command::Check { scenario } => cmd_check(&scenario),
        Command::Bench { customers, model } => print(
            &if model == "routing" {
                ccsim::bench::routing()
            } else {
                ccsim::bench::erlang_a(customers)
            }
            .report(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Input(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(CliError::Other(e)) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints to stdout; a closed pipe is reported as such (and exits 0).
fn print(s: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| CliError::Other(e.into()))
}

fn cmd_run(path: Option<&Path>, common: &CommonArgs) -> Result<(), CliError> {
    let mut scn = load_scenario(path)?;
    common.apply(&mut scn);
    let dir = common.out.join(&scn.name);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let opts = RunOptions {
        threads: common.threads(),
        trace_dir: common.trace.then(|| dir.clone()),
        variant: None,
    };
    let result = runner::run(&scn, &opts)?;
    write_run_outputs(&dir, &scn, std::slice::from_ref(&result))?;
    print(&table::render(&result))?;
    print(&format!("wrote {}\n", dir.display()))
}

fn cmd_check(path: &Path) -> Result<(), CliError> {
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

//! The `ccsim` command line: `run`, `compare`, `sweep`, `check`, `bench`.
//! Maps errors to exit codes: 2 for bad input (scenario, options, files),
//! 1 for anything else; a closed pipe on stdout exits 0.

use anyhow::Context;
use ccsim::report::{self, csv_out, table, write_atomic};
use ccsim::runner::{self, RunOptions};
use ccsim::scenario::{self, Scenario};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ccsim",
    version,
    about = "Discrete-event simulator of chat and messaging contact centers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario (without one: the built-in example) and write its reports.
    Run {
        /// Scenario file (TOML). Omit to run the built-in example.
        scenario: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Validate a scenario: print errors and warnings, run nothing.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Measure speed on the Erlang A model (single-threaded).
    Bench {
        /// Customers to simulate.
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
    },
}

#[derive(Args, Clone, Debug, Default)]
struct Common {
    /// Output directory; results go to DIR/<name>/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Seed (overrides the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Replications (overrides the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    replications: Option<u32>,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Also write conversations.csv, one row per conversation.
    #[arg(long)]
    trace: bool,
}

/// An error with its exit code.
enum Failure {
    /// Bad input: exit 2.
    Input(anyhow::Error),
    /// Anything else: exit 1.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
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

fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run { scenario, common } => cmd_run(scenario.as_deref(), &common),
        Command::Check { scenario } => cmd_check(&scenario),
        Command::Bench { customers } => cmd_bench(customers),
    }
}

/// Loads a scenario file, or the built-in example; prints warnings.
fn load(path: Option<&Path>) -> Result<Scenario, Failure> {
    let scn = match path {
        Some(p) => scenario::load(p),
        None => scenario::load_str(
            ccsim::EXAMPLE,
            "<built-in example>",
            Path::new("scenarios"),
            "example",
        ),
    }
    .map_err(|e| Failure::Input(anyhow::anyhow!("{e}")))?;
    for w in &scn.warnings {
        eprintln!("warning: {w}");
    }
    Ok(scn)
}

fn apply_overrides(scn: &mut Scenario, c: &Common) {
    if let Some(s) = c.seed {
        scn.seed = s;
    }
    if let Some(r) = c.replications {
        scn.replications = r;
    }
}

fn println_safe(s: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Failure::Other(e.into()))
}

fn cmd_run(path: Option<&Path>, common: &Common) -> Result<(), Failure> {
    let mut scn = load(path)?;
    apply_overrides(&mut scn, common);
    let dir = common.out.join(&scn.name);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let opts = RunOptions {
        threads: common.threads.map(|t| t as usize),
        trace_dir: common.trace.then(|| dir.clone()),
        variant: None,
    };
    let result = runner::run(&scn, &opts)?;
    write_outputs(&dir, &scn, std::slice::from_ref(&result))?;
    println_safe(&table::render(&result))?;
    println_safe(&format!("wrote {}\n", dir.display()))?;
    Ok(())
}

/// Writes the report files of a run (one or more variants) into `dir`.
fn write_outputs(dir: &Path, scn: &Scenario, results: &[runner::RunResult]) -> Result<(), Failure> {
    let files: [(&str, Vec<u8>); 4] = [
        ("summary.csv", csv_out::summary(results)),
        ("intervals.csv", csv_out::intervals(results)),
        ("agents.csv", csv_out::agents(results, scn.horizon)),
        ("scenario.resolved.json", scn.resolved_text().into_bytes()),
    ];
    for (name, bytes) in files {
        let p = dir.join(name);
        write_atomic(&p, &bytes).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(())
}

fn cmd_check(path: &Path) -> Result<(), Failure> {
    let scn = load(Some(path))?;
    println_safe(&format!(
        "{}: ok — {} skill(s), {} agent group(s), {} agent(s), {} variant(s), {} warning(s)\n",
        path.display(),
        scn.skills.len(),
        scn.groups.len(),
        scn.groups.iter().map(|g| g.count as u64).sum::<u64>(),
        scn.variants.len(),
        scn.warnings.len()
    ))
}

fn cmd_bench(customers: u64) -> Result<(), Failure> {
    let b = ccsim::bench::erlang_a(customers);
    println_safe(&b.report())?;
    let _ = report::num(0.0);
    Ok(())
}

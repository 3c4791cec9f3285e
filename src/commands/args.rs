//! The command line's grammar (clap): every subcommand, its options, their
//! defaults and help, and the value parsers that check `--shard`,
//! `--target` and `--max-memory` while parsing (a bad value exits 2 with
//! clap's message, which quotes the library's explanation).

use ccsim::staff::Target;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// `ccsim`: the whole command line.
#[derive(Parser)]
#[command(
    name = "ccsim",
    version,
    about = "Discrete-event simulator of chat and messaging contact centers"
)]
pub struct Cli {
    /// Without a command: `run` on the built-in example (what `cargo run --release` does).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Run a scenario (without one: the built-in example) and write its reports.
    Run {
        /// Scenario file (TOML). Omit to run the built-in example.
        scenario: Option<PathBuf>,
        /// Output and trace options.
        #[command(flatten)]
        output: OutputArgs,
        /// Seed, replications, threads, memory.
        #[command(flatten)]
        exec: ExecArgs,
    },
    /// Run the base scenario and every [[variant]] on common random numbers; paired differences and charts.
    Compare {
        /// Scenario file with `[[variant]]` entries.
        scenario: PathBuf,
        /// Output and trace options.
        #[command(flatten)]
        output: OutputArgs,
        /// Seed, replications, threads, memory.
        #[command(flatten)]
        exec: ExecArgs,
    },
    /// Run a grid of parameter values in parallel.
    Sweep(SweepArgs),
    /// Join sweep shard files into one, checking nothing is missing or duplicated.
    Merge(MergeArgs),
    /// Find the smallest head-count that meets a target, by simulation.
    Staff(StaffArgs),
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
        /// Which model: `erlang-a` (the Erlang A reference row), `routing`
        /// (500 agents, 5 groups, 10 skills, ring mode, shifts, one week) or
        /// `large` (100 skills, 10,000 agents, 50 groups, shifts, breaks).
        #[arg(long, default_value = "erlang-a", value_parser = ["erlang-a", "routing", "large"])]
        model: String,
        /// Simulated hours after the 6 h warm-up (large model; 168 = the reference week).
        #[arg(long, default_value_t = 168, value_parser = clap::value_parser!(u32).range(1..=8760))]
        hours: u32,
    },
}

/// Where a run's report files go (`run`, `compare`).
#[derive(Args, Clone, Debug)]
pub struct OutputArgs {
    /// Output directory; results go to DIR/<name>/.
    #[arg(long, default_value = "output", value_name = "DIR")]
    pub out: PathBuf,
    /// Also write conversations.csv, one row per conversation.
    #[arg(long)]
    pub trace: bool,
    /// Also write results.xlsx (summary, intervals, agents, per-group sheets).
    #[arg(long)]
    pub xlsx: bool,
}

impl Default for OutputArgs {
    fn default() -> Self {
        OutputArgs {
            out: PathBuf::from("output"),
            trace: false,
            xlsx: false,
        }
    }
}

/// How to run replications: options every simulating subcommand takes.
#[derive(Args, Clone, Debug, Default)]
pub struct ExecArgs {
    /// Seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications (overrides the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Refuse a run whose estimated memory exceeds SIZE (e.g. 8G, 512M;
    /// default: the machine's physical memory).
    #[arg(long, value_name = "SIZE", value_parser = ccsim::runner::memory::parse_size)]
    pub max_memory: Option<u64>,
}

impl ExecArgs {
    /// Threads as the runner wants them.
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(|t| t as usize)
    }

    /// The memory limit: `--max-memory`, or the machine's memory.
    pub fn max_memory(&self) -> Option<u64> {
        self.max_memory
            .or_else(ccsim::runner::memory::physical_memory)
    }
}

/// Arguments of `ccsim sweep`.
#[derive(Args, Clone, Debug)]
#[command(mut_arg("replications", |a| a.help(
    "Replications per point (overrides the sweep file and the scenario)"
)))]
pub struct SweepArgs {
    /// Sweep file (TOML): a base scenario and a `[grid]` of dotted keys.
    pub sweep: PathBuf,
    /// Output directory; results go to DIR/NAME/, NAME being the sweep's name.
    #[arg(long, default_value = "output", value_name = "DIR")]
    pub out: PathBuf,
    /// Keep the complete points of an existing results file and run only the rest.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard K of N (points with index % N == K-1), into
    /// sweep.shard-K-of-N.csv; `auto` takes K and N from a job array
    /// (Slurm, Kubernetes indexed Job, AWS Batch).
    #[arg(long, value_name = "K/N|auto", value_parser = shard_arg)]
    pub shard: Option<String>,
    /// The number of shards N for `--shard auto` where the scheduler does not
    /// say it (a Kubernetes indexed Job's completions).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub shard_count: Option<u32>,
    /// Seed, replications, threads, memory.
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// `--shard`: `auto` or a valid `K/N`.
fn shard_arg(s: &str) -> Result<String, String> {
    if s.trim() != "auto" {
        ccsim::sweep::grid::parse_shard(s)?;
    }
    Ok(s.to_string())
}

/// Arguments of `ccsim merge`.
#[derive(Args, Clone, Debug)]
pub struct MergeArgs {
    /// Shard result files (sweep.shard-K-of-N.csv).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The sweep file: every one of its points must be present exactly once,
    /// with every row as the sweep writes it.
    #[arg(long, value_name = "SWEEP")]
    pub sweep: Option<PathBuf>,
    /// Merged file (default: sweep.csv beside the first input).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `ccsim staff`.
#[derive(Args, Clone, Debug)]
#[command(mut_arg("replications", |a| a.help(
    "Replications per count (overrides the scenario's; at least 2)"
)))]
pub struct StaffArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// A target every count must meet, e.g. "service_level>=0.8", "asa<=30s",
    /// "billing:abandonment_rate<=0.05" (repeatable).
    #[arg(long = "target", required = true, value_name = "TARGET", value_parser = Target::parse)]
    pub targets: Vec<Target>,
    /// The agent group to size (default: the only group).
    #[arg(long)]
    pub group: Option<String>,
    /// Also find the smallest count per report interval.
    #[arg(long)]
    pub per_interval: bool,
    /// Confidence level of the decision: a count meets `>= x` when the lower
    /// bound of its confidence interval is >= x (`<= x`: the upper bound).
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Largest head-count tried.
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max: u32,
    /// Output directory; staffing.csv goes to DIR/NAME/, NAME being the scenario's name.
    #[arg(long, default_value = "output", value_name = "DIR")]
    pub out: PathBuf,
    /// Seed, replications, threads, memory.
    #[command(flatten)]
    pub exec: ExecArgs,
}

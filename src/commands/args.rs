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
        /// The event log (`--events`, `--start`).
        #[command(flatten)]
        events: EventsArgs,
        /// Goals (`--target`).
        #[command(flatten)]
        goals: GoalArgs,
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
        /// Goals (`--target`).
        #[command(flatten)]
        goals: GoalArgs,
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
    /// Plan shifts: agents per allowed shift template at least cost, simulated and repaired.
    Schedule(ScheduleArgs),
    /// Validate a scenario: print errors and warnings, run nothing.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Fit a scenario to an event log (SPEC §13): fitted.toml, fit.csv, charts.
    Fit(FitArgs),
    /// Back-test a scenario against an event log: the log's arrivals and
    /// staffing replayed, its KPIs per skill and interval against the simulated band.
    Backtest(BacktestArgs),
    /// Event logs (SPEC §13): convert a vendor export to the neutral log.
    Log {
        /// What to do.
        #[command(subcommand)]
        command: LogCommand,
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

/// Goals a run or comparison is judged against (`run`, `compare`).
#[derive(Args, Clone, Debug, Default)]
pub struct GoalArgs {
    /// A goal to draw on the charts of its metric and to mark met or not
    /// met in the KPI table, in `ccsim staff`'s syntax, e.g.
    /// "service_level>=0.8", "billing:asa<=30s" (repeatable).
    #[arg(long = "target", value_name = "TARGET", value_parser = Target::parse)]
    pub targets: Vec<Target>,
}

/// The event log of `run` (SPEC §13).
#[derive(Args, Clone, Debug, Default)]
pub struct EventsArgs {
    /// Also write events.csv: every event of the measured period of
    /// replication 1 in the §13 log format (what `ccsim fit` reads).
    #[arg(long)]
    pub events: bool,
    /// The date of simulated time 0 in events.csv: a Monday at 00:00,
    /// RFC 3339 (2024-01-01T00:00:00Z, 2024-01-01T00:00:00+01:00) or a date.
    #[arg(long, value_name = "DATE", default_value = "2024-01-01T00:00:00Z",
          value_parser = ccsim::record::events::Start::parse)]
    pub start: ccsim::record::events::Start,
}

/// Arguments of `ccsim fit`.
#[derive(Args, Clone, Debug)]
pub struct FitArgs {
    /// The event log (CSV, SPEC §13), e.g. the events.csv of `ccsim run --events`.
    pub log: PathBuf,
    /// Profile interval: arrivals and logged-in agents per day of week × interval
    /// (must divide a day: 15m, 30m, 1h, …).
    #[arg(long, default_value = "30m", value_name = "DURATION", value_parser = duration_arg)]
    pub interval: f64,
    /// Directory that receives fitted.toml, fit.csv and charts/ (replaced whole).
    #[arg(long, default_value = "output/fit", value_name = "DIR")]
    pub out: PathBuf,
}

/// Arguments of `ccsim backtest`.
#[derive(Args, Clone, Debug)]
#[command(mut_arg("replications", |a| a.help(
    "Replications (default 40: the band is the 2.5% and 97.5% quantiles across them)"
)))]
pub struct BacktestArgs {
    /// The event log (CSV, SPEC §13).
    pub log: PathBuf,
    /// The scenario to test (e.g. the fitted.toml of `ccsim fit`).
    pub scenario: PathBuf,
    /// Report interval the KPIs are compared in (at least 1m, dividing a day).
    #[arg(long, default_value = "30m", value_name = "DURATION", value_parser = duration_arg)]
    pub interval: f64,
    /// Directory that receives backtest.csv, charts/ and report.html (replaced whole).
    #[arg(long, default_value = "output/backtest", value_name = "DIR")]
    pub out: PathBuf,
    /// Seed, replications, threads, memory.
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// A duration such as `30m`, `1h` or `900` (seconds).
fn duration_arg(s: &str) -> Result<f64, String> {
    ccsim::scenario::schema::parse_duration(s)
        .filter(|v| *v > 0.0)
        .ok_or_else(|| format!("expected a duration above 0 such as 30m, 1h or 900s, not `{s}`"))
}

/// The subcommands of `ccsim log`.
#[derive(Subcommand, Clone, Debug)]
pub enum LogCommand {
    /// Convert a vendor export to the §13 event log.
    Convert(ConvertArgs),
}

/// Arguments of `ccsim log convert`.
#[derive(Args, Clone, Debug)]
pub struct ConvertArgs {
    /// The export's format.
    #[arg(long, value_parser = ["liveperson"])]
    pub from: String,
    /// The export (LivePerson: a Messaging Interactions conversations/search response, JSON).
    pub file: PathBuf,
    /// Write the log to FILE (default: stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
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

/// A `--precision` value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Precision {
    /// Half-width of share targets.
    Share(f64),
    /// Half-width of time targets, as a fraction of the target.
    Time(f64),
}

/// `--precision`: `0.01` (shares) or `2%` (times, of the target).
fn precision_arg(s: &str) -> Result<Precision, String> {
    let bad = || {
        format!(
            "`{s}`: expected a share half-width such as 0.01 (share targets) or a percentage \
             of the target such as 2% (time targets), above 0"
        )
    };
    let (text, pct) = match s.trim().strip_suffix('%') {
        Some(p) => (p, true),
        None => (s.trim(), false),
    };
    let v: f64 = text.trim().parse().map_err(|_| bad())?;
    match (pct, v) {
        (true, v) if v > 0.0 && v <= 100.0 => Ok(Precision::Time(v / 100.0)),
        (false, v) if v > 0.0 && v < 1.0 => Ok(Precision::Share(v)),
        _ => Err(bad()),
    }
}

/// `--cost GROUP=COST`.
fn cost_arg(s: &str) -> Result<(String, f64), String> {
    let bad =
        || format!("`{s}`: expected GROUP=COST with a positive cost per agent-hour, e.g. b=1.2");
    let (g, c) = s.split_once('=').ok_or_else(bad)?;
    let c: f64 = c.trim().parse().map_err(|_| bad())?;
    if g.trim().is_empty() || !(c.is_finite() && c > 0.0) {
        return Err(bad());
    }
    Ok((g.trim().to_string(), c))
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
    /// An agent group to size (default: the only group); give two to find
    /// the cheapest combination of both, or `*` to size the total head-count
    /// of every group, split in the scenario's proportions.
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// Cost per agent-hour of a sized group, e.g. `b=1.2` (default 1; repeatable).
    #[arg(long = "cost", value_name = "GROUP=COST", value_parser = cost_arg)]
    pub costs: Vec<(String, f64)>,
    /// Size the base scenario and every [[variant]] on common random numbers.
    #[arg(long)]
    pub variants: bool,
    /// Also find the smallest count per report interval.
    #[arg(long)]
    pub per_interval: bool,
    /// Confidence level of the decision: a count meets `>= x` when the lower
    /// bound of its confidence interval is >= x (`<= x`: the upper bound).
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Confidence half-width to reach before deciding: a share (default
    /// 0.01) for share targets, or a percentage of the target (default 2%)
    /// for time targets, e.g. `--precision 0.005 --precision 5%`.
    #[arg(long = "precision", value_name = "X|P%", value_parser = precision_arg)]
    pub precision: Vec<Precision>,
    /// Most replications run at one head-count (replications are added in
    /// batches of --replications until the precision is reached).
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    pub max_replications: u32,
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

/// Arguments of `ccsim schedule`.
#[derive(Args, Clone, Debug)]
#[command(mut_arg("replications", |a| a.help(
    "Replications per simulated count or plan (overrides the scenario's; at least 2)"
)))]
pub struct ScheduleArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// The shifts file: `group = "NAME"` and its allowed `[[template]]`s
    /// (days, start or a list of starts, end, breaks, cost per agent-hour).
    #[arg(long, value_name = "SHIFTS.toml")]
    pub shifts: PathBuf,
    /// A target every report interval must meet, e.g. "service_level>=0.8",
    /// "chat:asa<=30s" (repeatable; measured per interval).
    #[arg(long = "target", required = true, value_name = "TARGET", value_parser = Target::parse)]
    pub targets: Vec<Target>,
    /// Share of paid time not on the floor (absence, meetings): scheduled
    /// agents = agents needed / (1 - shrinkage).
    #[arg(long, default_value_t = 0.0, value_name = "SHARE")]
    pub shrinkage: f64,
    /// Confidence level of the decision rule (as for `ccsim staff`).
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Largest head-count tried when sizing an interval.
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max: u32,
    /// Most repair rounds (simulate, add agents where an interval misses) after the first plan.
    #[arg(long, default_value_t = 20, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub max_repairs: u32,
    /// Output directory; results go to DIR/NAME/, NAME being the scenario's name.
    #[arg(long, default_value = "output", value_name = "DIR")]
    pub out: PathBuf,
    /// Seed, replications, threads, memory.
    #[command(flatten)]
    pub exec: ExecArgs,
}

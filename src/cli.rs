//! Command-line plumbing shared by the subcommands: the common options,
//! loading a scenario with its warnings, writing a run's report files, and
//! the error type that carries the exit code (2 bad input, 1 otherwise).

use crate::report::{csv_out, write_atomic};
use crate::runner::RunResult;
use crate::scenario::{self, Scenario};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Options every running subcommand takes.
#[derive(clap::Args, Clone, Debug)]
pub struct CommonArgs {
    /// Output directory; results go to DIR/<name>/.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications (overrides the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Also write conversations.csv, one row per conversation.
    #[arg(long)]
    pub trace: bool,
}

impl Default for CommonArgs {
    fn default() -> Self {
        CommonArgs {
            out: PathBuf::from("output"),
            seed: None,
            replications: None,
            threads: None,
            trace: false,
        }
    }
}

impl CommonArgs {
    /// Applies the seed and replication overrides.
    pub fn apply(&self, scn: &mut Scenario) {
        if let Some(s) = self.seed {
            scn.seed = s;
        }
        if let Some(r) = self.replications {
            scn.replications = r;
        }
    }

    /// Threads as rayon wants them.
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(|t| t as usize)
    }
}

/// A command's failure, with its exit code.
#[derive(Debug)]
pub enum CliError {
    /// Bad input (scenario, options, files): exit 2.
    Input(anyhow::Error),
    /// Anything else: exit 1.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        // An unstable scenario is bad input (exit 2), like any other.
        if e.downcast_ref::<crate::runner::Unstable>().is_some() {
            CliError::Input(e)
        } else {
            CliError::Other(e)
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Other(e.into())
    }
}

impl CliError {
    /// A bad-input error from a message.
    pub fn input(msg: impl std::fmt::Display) -> Self {
        CliError::Input(anyhow::anyhow!("{msg}"))
    }
}

/// Loads a scenario file (or the built-in example when `None`), printing
/// its warnings to stderr; errors are bad input.
pub fn load_scenario(path: Option<&Path>) -> Result<Scenario, CliError> {
    let scn = match path {
        Some(p) => scenario::load(p),
        None => scenario::load_str(
            crate::EXAMPLE,
            "<built-in example>",
            Path::new("scenarios"),
            "example",
        ),
    }
    .map_err(CliError::input)?;
    for w in &scn.warnings {
        eprintln!("warning: {w}");
    }
    Ok(scn)
}

/// Writes the report files of a run (one or more variants) into `dir`,
/// each whole or not at all.
pub fn write_run_outputs(dir: &Path, scn: &Scenario, results: &[RunResult]) -> anyhow::Result<()> {
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

//! Parameter sweeps: grids over scenario keys (`grid`), the parallel
//! runner, shards and merging, and staffing search. (Being built.)

pub mod grid;

use crate::cli::CliError;
use std::path::PathBuf;

/// Arguments of `ccsim sweep`.
#[derive(clap::Args, Clone, Debug)]
pub struct SweepArgs {
    /// Sweep file (TOML).
    pub sweep: PathBuf,
}

/// Arguments of `ccsim merge`.
#[derive(clap::Args, Clone, Debug)]
pub struct MergeArgs {
    /// Shard result files.
    pub inputs: Vec<PathBuf>,
}

/// Arguments of `ccsim staff`.
#[derive(clap::Args, Clone, Debug)]
pub struct StaffArgs {
    /// Scenario file.
    pub scenario: PathBuf,
}

/// Runs a sweep; returns the text to print.
pub fn sweep(_args: &SweepArgs) -> Result<String, CliError> {
    Err(CliError::Other(anyhow::anyhow!(
        "ccsim sweep is not implemented yet"
    )))
}

/// Merges shard files; returns the text to print.
pub fn merge(_args: &MergeArgs) -> Result<String, CliError> {
    Err(CliError::Other(anyhow::anyhow!(
        "ccsim merge is not implemented yet"
    )))
}

/// Staffing search; returns the text to print.
pub fn staff(_args: &StaffArgs) -> Result<String, CliError> {
    Err(CliError::Other(anyhow::anyhow!(
        "ccsim staff is not implemented yet"
    )))
}

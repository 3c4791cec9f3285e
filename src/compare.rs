//! `ccsim compare`: the base scenario and every `[[variant]]` on common
//! random numbers, with paired differences and charts. (Being built.)

use crate::cli::{CliError, CommonArgs};
use std::path::PathBuf;

/// Arguments of `ccsim compare`.
#[derive(clap::Args, Clone, Debug)]
pub struct CompareArgs {
    /// Scenario file with `[[variant]]` entries.
    pub scenario: PathBuf,
    /// Common options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs the comparison; returns the text to print.
pub fn compare(_args: &CompareArgs) -> Result<String, CliError> {
    Err(CliError::Other(anyhow::anyhow!(
        "ccsim compare is not implemented yet"
    )))
}

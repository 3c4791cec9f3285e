//! Calibration: a scenario from a center's own history (SPEC §13).
//!
//! ```text
//! events.csv ─► log::LogReader ─► fit::Fitter (streaming) ─► FitResult ─► output::fit_csv / fitted_toml
//! export.json ─► liveperson::convert ─► events.csv (the §13 log)
//! ```
//!
//! The reader streams the log and the fitter keeps state only for the
//! conversations still open, the agents, and the consumers seen within the
//! return window: memory follows the open conversations, not the log's
//! length. Distributions are fitted on reservoirs of at most
//! [`FitOptions::reservoir`] observations (a uniform sample with a fixed
//! seed); means and counts use every observation. The estimators and their
//! biases are documented in [`fit`], the statistics in [`stats`], the
//! scenario written in [`output`].
//!
//! ```
//! use ccsim::calibrate;
//! let log = "time,event,conversation,consumer,skill,channel,agent,group,detail\n\
//!            0,arrived,c1,u1,billing,live_chat,,,\n\
//!            12,assigned,c1,u1,billing,live_chat,a1,team,\n\
//!            40,agent_message,c1,u1,billing,live_chat,a1,team,\n\
//!            90,closed,c1,u1,billing,live_chat,a1,team,agent\n";
//! let fit = calibrate::fit_reader(log.as_bytes(), "log.csv", &calibrate::FitOptions::default()).unwrap();
//! assert_eq!(fit.skills[0].name, "billing");
//! assert_eq!(fit.groups[0].capacity[0], 1);
//! let toml = calibrate::output::fitted_toml(&fit);
//! assert!(toml.contains("[[agents]]"));
//! ```

pub mod backtest;
pub mod fit;
pub mod liveperson;
pub mod log;
pub mod output;
pub mod result;
pub mod stats;

pub use fit::{FitOptions, Fitter};
pub use log::{CalibrateError, Event, Kind, LogReader};
pub use result::{Estimate, FitResult, GroupFit, SkillFit};

use std::io::BufRead;
use std::path::Path;

/// Fits a §13 log read from `input` (`file` names it in messages).
pub fn fit_reader<R: BufRead>(
    input: R,
    file: &str,
    options: &FitOptions,
) -> Result<FitResult, CalibrateError> {
    options.check()?;
    let mut reader = LogReader::new(input, file)?;
    let mut fitter = Fitter::new(file, options.clone());
    while let Some(e) = reader.next_event()? {
        fitter.push(&e)?;
    }
    if reader.rows() == 0 {
        return Err(CalibrateError::File {
            file: file.to_string(),
            message: "the log has no events (only a header, or only unknown events)".into(),
        });
    }
    Ok(fitter.finish(reader.unknown_events(), reader.epoch_start()))
}

/// Fits the §13 log at `path`.
pub fn fit_file(path: &Path, options: &FitOptions) -> Result<FitResult, CalibrateError> {
    let shown = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| CalibrateError::File {
        file: shown.clone(),
        message: format!("cannot open the log: {e}"),
    })?;
    fit_reader(std::io::BufReader::new(f), &shown, options)
}

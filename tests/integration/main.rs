//! The integration tests: one binary, one module per contract.

mod browser;
mod calibrate;
mod cli;
mod common;
mod compare;
mod conservation;
mod determinism;
mod erlang;
mod fidelity_counts;
mod fidelity_metrics;
mod fuzz;
mod golden;
mod lifecycle;
mod limits;
mod outputs_faults;
mod publish;
mod reports;
mod routing;
mod staff;
mod sweep;
mod sweep_files;
mod validation;

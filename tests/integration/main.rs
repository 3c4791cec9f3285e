//! The integration tests: one binary, one module per contract.

mod browser;
mod calibrate;
mod cli;
mod common;
mod compare;
mod conservation;
mod ctmc;
mod determinism;
mod erlang;
mod fidelity_counts;
mod fidelity_demand;
mod fidelity_metrics;
mod fidelity_staffing;
mod fuzz;
mod golden;
mod lifecycle;
mod limits;
mod outputs_faults;
mod publish;
mod reports;
mod roundtrip;
mod routing;
mod schedule;
mod sweep;
mod sweep_files;
mod validation;

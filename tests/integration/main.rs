//! The integration tests: one binary, one module per contract.

mod cli;
mod common;
mod compare;
mod conservation;
mod determinism;
mod erlang;
mod fuzz;
mod golden;
mod lifecycle;
mod routing;
mod sweep;

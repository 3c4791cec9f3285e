//! The integration tests: one binary, one module per contract.

mod browser;
mod cli;
mod common;
mod compare;
mod conservation;
mod determinism;
mod erlang;
mod golden;
mod lifecycle;
mod reports;
mod routing;
mod sweep;

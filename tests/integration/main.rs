//! The integration tests: one binary, one module per contract.

mod cli;
mod common;
mod compare;
mod conservation;
mod determinism;
mod erlang;
mod golden;
mod lifecycle;
mod publish;
mod routing;
mod sweep;

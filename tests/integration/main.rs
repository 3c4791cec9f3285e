//! The integration tests: one binary, one module per contract.

mod cli;
mod compare;
mod common;
mod conservation;
mod determinism;
mod erlang;
mod lifecycle;
mod routing;

//! The `ccsim` command line: `run`, `compare`, `sweep`, `merge`, `staff`,
//! `check`, `bench`. Parses the arguments ([`commands::args`]), runs the
//! command ([`commands::execute`]) and maps its outcome to the exit code:
//! 2 for bad input (scenario, options, files, an unstable system, a run
//! that would not fit in memory), 1 for anything else; a closed pipe on
//! stdout exits 0. Errors are printed, never returned from `main` (that
//! would print a backtrace when `RUST_BACKTRACE` is set).

mod commands;

use clap::Parser;
use commands::args::{Cli, Command, EventsArgs, ExecArgs, GoalArgs, OutputArgs};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let command = cli.command.unwrap_or(Command::Run {
        scenario: None,
        output: OutputArgs::default(),
        events: EventsArgs::default(),
        goals: GoalArgs::default(),
        exec: ExecArgs::default(),
    });
    match commands::execute(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            commands::diag(&format!("error: {e}"));
            ExitCode::from(e.exit_code())
        }
    }
}

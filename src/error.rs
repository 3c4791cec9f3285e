//! The library's one error type, [`Error`], and the class of exit code it
//! belongs to ([`Error::exit_code`]: 2 for bad input — a scenario, an
//! option, a file the user gave, an unstable system, a run that would not
//! fit in memory — and 1 for anything else). The command line maps it to
//! the process's exit status; the library never exits or prints.
//!
//! [`Context`] adds what was being done (and to which file) to an I/O
//! error (naming the file), as a context does in error-handling crates.

use std::fmt;
use std::path::Path;

/// A result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure the library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a scenario, option, sweep or results file, target or
    /// output directory the user gave is wrong. The message says where and
    /// how to fix it. Exit 2.
    #[error("{0}")]
    Input(String),
    /// A replication stopped because the system is unstable (its queues grow
    /// without bound): a property of the input. Exit 2.
    #[error(transparent)]
    Unstable(#[from] Unstable),
    /// An I/O failure, with what was being done (naming the file). Exit 1.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. `cannot write out/summary.csv`.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Anything else (a thread pool that cannot start, a chart that cannot
    /// be drawn). Exit 1.
    #[error("{0}")]
    Other(String),
}

/// A replication stopped early: more conversations alive at once than the
/// engine allows, because demand far exceeds what the agents can take.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the system is unstable: {run}, replication {replication}: {detail}")]
pub struct Unstable {
    /// What was run, e.g. ``scenario `NAME` `` or ``variant `V` `` or a sweep point.
    pub run: String,
    /// The replication (1-based, as shown).
    pub replication: u32,
    /// The engine's description (the time, the skill and its queue).
    pub detail: String,
}

impl Error {
    /// A bad-input error (exit 2) from a message.
    pub fn input(msg: impl fmt::Display) -> Self {
        Error::Input(msg.to_string())
    }

    /// An error of the "other" class (exit 1) from a message.
    pub fn other(msg: impl fmt::Display) -> Self {
        Error::Other(msg.to_string())
    }

    /// Whether the error is about the input (exit 2) rather than the run.
    #[must_use]
    pub fn is_input(&self) -> bool {
        matches!(self, Error::Input(_) | Error::Unstable(_))
    }

    /// The process exit code of this error's class: 2 bad input, 1 other.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        if self.is_input() { 2 } else { 1 }
    }

    /// Whether this is a write to a closed pipe (the reader went away: not
    /// a failure of ours).
    #[must_use]
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The same error with `what` in front of its message (its class kept).
    #[must_use]
    pub fn prefixed(self, what: impl fmt::Display) -> Self {
        match self {
            Error::Input(m) => Error::Input(format!("{what}: {m}")),
            Error::Unstable(mut u) => {
                u.run = format!("{what}, {}", u.run);
                Error::Unstable(u)
            }
            Error::Io { context, source } => Error::Io {
                context: format!("{what}: {context}"),
                source,
            },
            Error::Other(m) => Error::Other(format!("{what}: {m}")),
        }
    }

    /// An I/O error about `path`: `cannot <verb> <path>: <error>`.
    pub fn io(verb: &str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            context: format!("cannot {verb} {}", path.display()),
            source,
        }
    }
}

impl From<crate::report::publish::PublishError> for Error {
    /// A locked output directory is an exit-2 error (another run holds it:
    /// retrying at once cannot help); a failed file-system step is an I/O
    /// error naming the file.
    fn from(e: crate::report::publish::PublishError) -> Self {
        use crate::report::publish::PublishError;
        match e {
            PublishError::Locked { .. } => Error::Input(e.to_string()),
            PublishError::Io {
                action,
                path,
                source,
            } => Error::Io {
                context: format!("{action} {}", path.display()),
                source,
            },
        }
    }
}

/// Adds context to an I/O result, turning it into an [`Error::Io`].
pub trait Context<T> {
    /// The error's context, computed only on failure (e.g. `cannot write FILE`).
    fn with_context<C: fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, std::io::Error> {
    fn with_context<C: fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.map_err(|source| Error::Io {
            context: f().to_string(),
            source,
        })
    }
}

impl<T> Context<T> for std::result::Result<T, csv::Error> {
    fn with_context<C: fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.map_err(|e| Error::Io {
            context: f().to_string(),
            source: std::io::Error::other(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_exit_codes() {
        assert_eq!(Error::input("bad").exit_code(), 2);
        let u = Error::from(Unstable {
            run: "scenario `x`".into(),
            replication: 1,
            detail: "skill `chat`".into(),
        });
        assert_eq!(u.exit_code(), 2);
        assert_eq!(
            u.prefixed("variant `v`").to_string(),
            "the system is unstable: variant `v`, scenario `x`, replication 1: skill `chat`"
        );
        assert_eq!(Error::other("x").exit_code(), 1);
        let io: Result<()> = Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .with_context(|| "cannot write stdout");
        let io = io.unwrap_err();
        assert!(io.is_broken_pipe() && io.exit_code() == 1);
        assert!(io.to_string().starts_with("cannot write stdout: "));
        let locked = Error::from(crate::report::publish::PublishError::Locked {
            dir: "out/x".into(),
            holder: "held by pid 7".into(),
        });
        assert_eq!(locked.exit_code(), 2);
        assert!(locked.to_string().contains("held by pid 7"));
        let failed = Error::from(crate::report::publish::PublishError::Io {
            action: "cannot rename",
            path: "out/x".into(),
            source: std::io::Error::other("boom"),
        });
        assert_eq!(failed.exit_code(), 1);
        assert_eq!(failed.to_string(), "cannot rename out/x: boom");
    }
}

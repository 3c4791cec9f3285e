//! Traces (`conversations.csv`): each replication writes its rows as they
//! happen to its own temporary file ([`CsvTrace`] → [`Part`]); the runner
//! appends the parts in replication order to one temporary file
//! ([`Joined`]) as replications are delivered, and publishes it under its
//! name only when every replication succeeded. Every temporary file has a
//! unique name, is created without following links, and is deleted when
//! dropped, so no failure leaves one behind.

use crate::error::{Context, Error, Result};
use crate::sim::{TraceRow, TraceSink};
use std::io::Write;
use std::path::Path;

/// Header of `conversations.csv`.
pub const TRACE_HEADER: &[&str] = &[
    "replication",
    "conversation",
    "issue",
    "skill",
    "arrival",
    "end",
    "state",
    "close_reason",
    "queue_time",
    "first_response",
    "handle_time",
    "effort",
    "reopens",
    "agent",
];

/// One replication's trace rows in a temporary file (deleted when dropped).
#[derive(Debug)]
pub struct Part(tempfile::TempPath);

/// Writes trace rows as CSV, as they come.
pub struct CsvTrace {
    w: csv::Writer<std::io::BufWriter<tempfile::NamedTempFile>>,
    err: Option<csv::Error>,
}

impl CsvTrace {
    /// A trace for replication `rep`, in a new temporary file in `dir`.
    ///
    /// # Errors
    ///
    /// When the file cannot be created.
    pub fn create(dir: &Path, rep: u32) -> Result<CsvTrace> {
        let f = crate::report::temp_file_in(dir, &format!(".conversations.rep{rep}."), ".part")
            .with_context(|| format!("cannot create a trace file in {}", dir.display()))?;
        Ok(CsvTrace {
            w: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(std::io::BufWriter::new(f)),
            err: None,
        })
    }

    /// Flushes and closes the file.
    ///
    /// # Errors
    ///
    /// The first write error, or one of the flush.
    pub fn finish(mut self) -> Result<Part> {
        let dir = || "cannot write the trace of a replication".to_string();
        if let Some(e) = self.err.take() {
            return Err(e).with_context(dir);
        }
        let buf = self.w.into_inner().map_err(|e| Error::Io {
            context: dir(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let f = buf.into_inner().map_err(|e| Error::Io {
            context: dir(),
            source: e.into_error(),
        })?;
        Ok(Part(f.into_temp_path()))
    }
}

impl TraceSink for CsvTrace {
    fn row(&mut self, r: &TraceRow<'_>) {
        if self.err.is_some() {
            return;
        }
        let res = self.w.write_record([
            r.replication.to_string(),
            r.id.to_string(),
            r.issue.to_string(),
            r.skill.to_string(),
            crate::report::num(r.arrival),
            crate::report::num(r.end),
            r.state.to_string(),
            r.reason.to_string(),
            crate::report::num(r.queue_time),
            crate::report::num(r.first_response),
            crate::report::num(r.handle),
            crate::report::num(r.effort),
            r.reopens.to_string(),
            r.agent.clone(),
        ]);
        if let Err(e) = res {
            self.err = Some(e);
        }
    }
}

/// `conversations.csv` being assembled in a temporary file beside it.
pub struct Joined {
    out: std::io::BufWriter<tempfile::NamedTempFile>,
    dir: std::path::PathBuf,
}

impl Joined {
    /// Starts the file in `dir` with its header.
    ///
    /// # Errors
    ///
    /// When the temporary file cannot be created or written.
    pub fn start(dir: &Path) -> Result<Joined> {
        let f = crate::report::temp_file_in(dir, ".conversations.csv.", ".tmp")
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        let mut out = std::io::BufWriter::new(f);
        writeln!(out, "{}", TRACE_HEADER.join(","))
            .with_context(|| format!("cannot write the trace in {}", dir.display()))?;
        Ok(Joined {
            out,
            dir: dir.to_path_buf(),
        })
    }

    /// Appends one replication's rows (the next in order); deletes the part.
    ///
    /// # Errors
    ///
    /// When the part cannot be read or the file written.
    pub fn append(&mut self, part: Part) -> Result<()> {
        let mut f = std::fs::File::open(&part.0)
            .with_context(|| format!("cannot read {}", part.0.display()))?;
        std::io::copy(&mut f, &mut self.out)
            .with_context(|| format!("cannot write the trace in {}", self.dir.display()))?;
        Ok(())
    }

    /// Publishes the file as `conversations.csv`.
    ///
    /// # Errors
    ///
    /// When it cannot be flushed or renamed.
    pub fn publish(self) -> Result<()> {
        let target = self.dir.join("conversations.csv");
        let f = self.out.into_inner().map_err(|e| Error::Io {
            context: format!("cannot write {}", target.display()),
            source: e.into_error(),
        })?;
        f.persist(&target).map_err(|e| Error::Io {
            context: format!("cannot write {}", target.display()),
            source: e.error,
        })?;
        Ok(())
    }
}

//! `ccsim compare`'s orchestration (the table and the charts are in
//! [`crate::report::compare_table`] and [`crate::report::compare_charts`]): runs the base scenario
//! and every `[[variant]]` on common random numbers, writes the report files
//! of all of them (`summary.csv`, `intervals.csv`, `agents.csv`), the paired
//! differences (`differences.csv`) and the comparison charts, and renders
//! the comparison table printed on the terminal.
//!
//! Common random numbers come from the engine: every random stream is
//! derived from (seed, replication, skill name), and each conversation draws
//! its demand (arrival, patience, exchanges, reply times) from its own
//! stream. A variant changes only agents and routing, so replication `r` of
//! every variant sees the same consumers; the difference of a metric between
//! a variant and the base is then measured replication by replication, and
//! its confidence interval (a paired t interval) is much narrower than the
//! two separate intervals suggest.

use crate::error::{Context, Error, Result};
use crate::report::csv_out::{self, write_run_outputs};
use crate::report::publish::{Publisher, lock_output};
use crate::report::{compare_charts, compare_table, pages, write_atomic};
use crate::runner::{self, RunOptions, RunResult};
use crate::scenario::Scenario;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// How to run a comparison.
#[derive(Clone, Debug, Default)]
pub struct CompareOptions {
    /// Results go to `out/<scenario name>/`.
    pub out: PathBuf,
    /// Also write `<variant>/conversations.csv` for every variant.
    pub trace: bool,
    /// Also write `results.xlsx`.
    pub xlsx: bool,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// Refuse a run whose estimated memory exceeds this (None: no check).
    pub max_memory: Option<u64>,
    /// The engine's limit of live conversations (None: its default); a
    /// lower one makes instability quick to reach in tests.
    pub max_live: Option<usize>,
    /// Goals drawn on the charts and judged in the tables (`--target`).
    pub targets: Vec<crate::staff::target::Target>,
}

/// Runs the base scenario `scn` (read from `path`) and each of its
/// variants, writes the report files, the differences and the charts into
/// `opts.out/<name>/` as one unit (the directory is replaced whole, or left
/// as it was when anything fails), and returns the text to print.
///
/// # Errors
///
/// Bad input ([`Error::Input`]) for a scenario without `[[variant]]`, two
/// variants whose trace directories collide, an output directory that
/// cannot be written (checked before anything runs) or that another run
/// holds; [`Error::Unstable`]
/// (bad input too) when a variant's system is unstable, naming the variant
/// and the skill; [`Error::Io`] when a file cannot be written.
pub fn compare(path: &Path, scn: &Scenario, opts: &CompareOptions) -> Result<String> {
    if scn.variants.is_empty() {
        return Err(Error::input(no_variant_message(path)));
    }
    let goals = crate::report::targets::Goals::new(scn, &opts.targets).map_err(Error::input)?;
    let dir = opts.out.join(&scn.name);
    let trace_dirs = if opts.trace {
        Some(trace_dir_names(scn)?)
    } else {
        None
    };
    // One run per output directory; every file (the variants' traces
    // included) goes to a staging directory that replaces `dir` whole.
    let lock = lock_output(&dir)?;
    let stage = Publisher::begin(&lock)?;
    let staged = stage.path();

    let run_variant = |s: &Scenario, name: &str, k: usize| -> Result<RunResult> {
        let run = RunOptions {
            threads: opts.threads,
            trace_dir: trace_dirs.as_ref().map(|t| staged.join(&t[k])),
            variant: Some(name.to_string()),
            max_memory: opts.max_memory,
            max_live: opts.max_live,
            ..RunOptions::default()
        };
        runner::run(s, &run)
    };
    let mut results = Vec::with_capacity(1 + scn.variants.len());
    results.push(run_variant(scn, "base", 0)?);
    for (k, v) in scn.variants.iter().enumerate() {
        results.push(run_variant(&scn.with_variant(v), &v.name, k + 1)?);
    }

    write_run_outputs(staged, scn, &results)?;
    let diff_path = staged.join("differences.csv");
    write_atomic(
        &diff_path,
        &csv_out::differences(&results[0], &results[1..]),
    )
    .with_context(|| format!("cannot write {}", diff_path.display()))?;
    let charts_dir = staged.join("charts");
    let stems = compare_charts::write_charts(&charts_dir, &results, &goals)?;
    let page = pages::compare_page(scn, &results, &stems, &opts.targets)?;
    pages::write_page(staged, &page)?;
    if opts.xlsx {
        pages::write_xlsx(staged, &results)?;
    }
    stage.commit()?;

    let mut out = compare_table::table(&scn.name, &results);
    out.push_str(&crate::report::targets::render(&results, &opts.targets));
    let _ = writeln!(
        out,
        "\nwrote {}\n  summary.csv, intervals.csv, agents.csv, groups.csv, group_intervals.csv,\n  \
         differences.csv{}\n  \
         charts/: {} charts, each as SVG and PNG",
        dir.display(),
        if opts.trace {
            ", <variant>/conversations.csv"
        } else {
            ""
        },
        stems.len()
    );
    Ok(out)
}

/// The error text for a scenario without variants.
fn no_variant_message(path: &Path) -> String {
    format!(
        "{}: no [[variant]] to compare with the base scenario.\n\
         A variant keeps the demand (skills) and replaces the agents and/or the routing, e.g.\n\n\
         [[variant]]\n\
         name = \"blended\"\n\
         agents = [{{ name = \"all\", count = 12, mode = \"blended\", skills = [\"chat\", \"messaging\"],\n\
         \x20           capacity = {{ live_chat = 2, messaging = 4, total = 5 }} }}]\n\n\
         To run the scenario on its own, use `ccsim run`.",
        path.display()
    )
}

/// Directory names for the traces: `base`, then each variant's name made
/// safe as a single path component (and never `charts`). Two variants that
/// become the same name are bad input.
fn trace_dir_names(scn: &Scenario) -> Result<Vec<String>> {
    let mut names = vec!["base".to_string()];
    for v in &scn.variants {
        let mut n: String = v
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if n.starts_with('.') || n == "charts" {
            n.insert(0, '_');
        }
        if names.contains(&n) {
            return Err(Error::input(format!(
                "variant `{}`: its trace directory `{n}` is taken by another variant; \
                 rename one of them (names differing only in characters other than \
                 letters, digits, `-`, `_` and `.` collide)",
                v.name
            )));
        }
        names.push(n);
    }
    Ok(names)
}

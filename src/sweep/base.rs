//! The base scenario of a sweep or a staffing search, kept as a parsed TOML
//! table, and building modified scenarios from it: grid values (or a
//! head-count) are set by dotted path ([`super::grid::apply`]) and the
//! table goes through the same validation as a scenario file
//! ([`scenario::load_table_with`]; no scenario text is generated), so a
//! swept value is checked exactly as if it had been written in the file,
//! and every diagnostic names the dotted key it is about.
//!
//! Arrival traces are read once: the base and every point take them from
//! one [`Traces`] cache, so a sweep reads each distinct trace file once and
//! keeps one copy of its times however many points it has.

use super::grid;
use crate::scenario::load::ScenarioError;
use crate::scenario::{self, Scenario, Traces};
use std::path::{Path, PathBuf};

/// A base scenario: its file, its text parsed as a TOML table, and the
/// scenario as validated from the file itself.
#[derive(Debug)]
pub struct Base {
    /// The scenario file.
    pub path: PathBuf,
    /// The file parsed as a TOML table (key order kept).
    pub table: toml::Table,
    /// The unmodified scenario, as `scenario::load` gives it.
    pub scenario: Scenario,
    /// The arrival traces read so far, shared by the base and the points.
    traces: Traces,
}

/// Why a modified scenario could not be built.
#[derive(Clone, Debug)]
pub enum BuildError {
    /// A dotted path could not be applied: the key and [`grid::apply`]'s message.
    Apply {
        /// The dotted path.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The scenario validator rejected the modified scenario.
    Invalid(ScenarioError),
}

impl BuildError {
    /// The problem without a file: the validator's keys and messages,
    /// joined by `; `.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            BuildError::Apply { message, .. } => message.clone(),
            BuildError::Invalid(e) => describe_diagnostics(e),
        }
    }

    /// Whether the problem is about the dotted path `key` (or a key inside
    /// it): the path could not be applied, or a diagnostic is about it.
    #[must_use]
    pub fn is_about(&self, key: &str) -> bool {
        match self {
            BuildError::Apply { key: k, .. } => k == key,
            BuildError::Invalid(e) => e.diagnostics.iter().any(|d| d.is_about(key)),
        }
    }
}

/// The validator's diagnostics as `key `k`: message`, joined by `; `.
#[must_use]
pub fn describe_diagnostics(e: &ScenarioError) -> String {
    let parts: Vec<String> = e
        .diagnostics
        .iter()
        .map(|d| {
            let message: Vec<&str> = d
                .message
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .collect();
            match &d.key {
                Some(k) => format!("key `{k}`: {}", message.join(" ")),
                None => message.join(" "),
            }
        })
        .collect();
    parts.join("; ")
}

impl Base {
    /// Loads and validates the scenario file at `path` (errors and warnings
    /// with their lines) and parses it as a TOML table; its arrival traces
    /// are the first the shared cache reads.
    ///
    /// # Errors
    ///
    /// The scenario loader's error (file, line, key) when the file cannot be
    /// read or is not a valid scenario.
    pub fn load(path: &Path) -> Result<Base, ScenarioError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ScenarioError::plain(&shown, None, format!("cannot read the scenario file: {e}"))
        })?;
        let traces = Traces::new();
        let (dir, stem) = (dir_of(path), stem_of(path));
        let mut scenario = scenario::load_str_with(&text, &shown, &dir, &stem, Some(&traces))?;
        scenario.file = path.to_path_buf();
        let table: toml::Table = toml::from_str(&text).map_err(|e| {
            ScenarioError::plain(&shown, None, format!("invalid TOML: {}", e.message()))
        })?;
        Ok(Base {
            path: path.to_path_buf(),
            table,
            scenario,
            traces,
        })
    }

    /// The base scenario with every `(dotted path, value)` assignment
    /// applied in order, validated as a scenario file would be. Relative
    /// paths inside it resolve against the base file's directory, and its
    /// default name is the base file's stem.
    ///
    /// # Errors
    ///
    /// [`BuildError::Apply`] naming the first path that cannot be applied,
    /// [`BuildError::Invalid`] with the validator's diagnostics.
    pub fn build(&self, assignments: &[(String, toml::Value)]) -> Result<Scenario, BuildError> {
        let mut doc = self.table.clone();
        for (key, value) in assignments {
            grid::apply(&mut doc, key, value).map_err(|message| BuildError::Apply {
                key: key.clone(),
                message,
            })?;
        }
        let mut scn = self.validate(&doc)?;
        scn.file = self.path.clone();
        Ok(scn)
    }

    /// Validates a modified scenario table exactly as the scenario file
    /// would be validated, relative paths resolving against the base file's
    /// directory and the default name being its stem; arrival traces come
    /// from the shared cache.
    ///
    /// # Errors
    ///
    /// [`BuildError::Invalid`] with the validator's diagnostics, each with
    /// its dotted key.
    pub fn validate(&self, doc: &toml::Table) -> Result<Scenario, BuildError> {
        let shown = self.path.display().to_string();
        scenario::load_table_with(
            doc,
            &shown,
            &dir_of(&self.path),
            &stem_of(&self.path),
            Some(&self.traces),
        )
        .map_err(BuildError::Invalid)
    }

    /// How many trace files have been read for the base and the scenarios
    /// built from it.
    #[must_use]
    pub fn traces_read(&self) -> usize {
        self.traces.files_read()
    }
}

/// The directory relative paths in the scenario file resolve against.
fn dir_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The scenario's default name: its file's stem.
fn stem_of(path: &Path) -> String {
    path.file_stem().map_or_else(
        || "scenario".to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Arrivals;
    use std::sync::Arc;

    fn trace_times(scn: &Scenario) -> Vec<Arc<Vec<f64>>> {
        scn.skills
            .iter()
            .filter_map(|s| match &s.arrivals {
                Arrivals::Trace { times, .. } => Some(Arc::clone(times)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn points_share_one_copy_of_each_trace() {
        let dir = tempfile::tempdir().unwrap();
        let times: String = (0..500).map(|i| format!("{}\n", i * 7)).collect();
        std::fs::write(dir.path().join("a.csv"), format!("time\n{times}")).unwrap();
        std::fs::write(dir.path().join("b.csv"), "time\n1\n2\n3\n").unwrap();
        let scenario = dir.path().join("base.toml");
        std::fs::write(
            &scenario,
            r#"[simulation]
horizon = "1h"

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { trace = "a.csv" }

[[skill]]
name = "mail"
channel = "live_chat"
arrivals = { rate = 10, per = "1h" }

[[agents]]
name = "team"
count = 2
skills = ["chat", "mail"]
"#,
        )
        .unwrap();
        let base = Base::load(&scenario).unwrap();
        let set = |k: &str, v: toml::Value| vec![(k.to_string(), v)];
        let p1 = base
            .build(&set("agents.team.count", toml::Value::Integer(3)))
            .unwrap();
        let p2 = base
            .build(&set("agents.team.count", toml::Value::Integer(4)))
            .unwrap();
        let (t0, t1, t2) = (
            trace_times(&base.scenario),
            trace_times(&p1),
            trace_times(&p2),
        );
        assert_eq!(t1[0].len(), 500);
        assert!(Arc::ptr_eq(&t0[0], &t1[0]) && Arc::ptr_eq(&t1[0], &t2[0]));
        // Held by the base, the cache, the two points and this test's
        // three clones: one vector of times, no copy.
        assert_eq!(Arc::strong_count(&t0[0]), 2 + 2 + 3);
        assert_eq!(base.traces_read(), 1);

        // Another trace is kept on its own; a point with a trace the base
        // does not have shares it with the next such point.
        let other = set(
            "skill.mail.arrivals",
            toml::Value::Table(toml::from_str("trace = \"b.csv\"").unwrap()),
        );
        let p3 = base.build(&other).unwrap();
        let p4 = base.build(&other).unwrap();
        let (t3, t4) = (trace_times(&p3), trace_times(&p4));
        assert_eq!((t3.len(), base.traces_read()), (2, 2));
        assert!(Arc::ptr_eq(&t3[1], &t4[1]) && Arc::ptr_eq(&t3[0], &t0[0]));
        assert_eq!(*t3[1], [1.0, 2.0, 3.0]);
    }
}

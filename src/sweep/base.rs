//! The base scenario of a sweep or a staffing search, kept as a parsed TOML
//! table, and building modified scenarios from it: grid values (or a
//! head-count) are set by dotted path ([`super::grid::apply`]) and the
//! result goes through the same validation as a scenario file
//! ([`Base::validate`], the one place that turns the table back into
//! scenario text), so a swept value is checked exactly as if it had been
//! written in the file.
//!
//! Arrival traces are shared: every point whose trace holds the same times
//! as one seen before (the base's, or another point's) gets that one's
//! `Arc`, so a sweep keeps one copy of a trace however many points it has.

use super::grid;
use crate::scenario::load::ScenarioError;
use crate::scenario::{self, Arrivals, Scenario};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

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
    /// Every distinct arrival trace seen so far, shared by the points.
    traces: Mutex<Vec<Arc<Vec<f64>>>>,
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
    /// The modified table could not be written back as TOML text.
    Serialize(String),
}

impl BuildError {
    /// The problem without a location in the (generated) scenario text:
    /// the validator's keys and messages, joined by `; `.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            BuildError::Apply { message, .. } => message.clone(),
            BuildError::Invalid(e) => describe_diagnostics(e),
            BuildError::Serialize(m) => format!("cannot write the modified scenario: {m}"),
        }
    }
}

/// The validator's diagnostics as `key `k`: message`, joined by `; `, with
/// the source snippets of the generated text (whose line numbers mean
/// nothing to the user) left out.
#[must_use]
pub fn describe_diagnostics(e: &ScenarioError) -> String {
    let parts: Vec<String> = e
        .diagnostics
        .iter()
        .map(|d| {
            let message: Vec<&str> = d
                .message
                .lines()
                .filter(|l| !is_snippet(l))
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

/// Whether a message line is a source snippet such as `  12 | count = 3`.
fn is_snippet(line: &str) -> bool {
    let t = line.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && line.len() > t.len() && t[digits..].starts_with(" |")
}

impl Base {
    /// Loads and validates the scenario file at `path` and parses it as a
    /// TOML table.
    ///
    /// # Errors
    ///
    /// The scenario loader's error (file, line, key) when the file cannot be
    /// read or is not a valid scenario.
    pub fn load(path: &Path) -> Result<Base, ScenarioError> {
        let scenario = scenario::load(path)?;
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ScenarioError::plain(&shown, None, format!("cannot read the scenario file: {e}"))
        })?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| {
            ScenarioError::plain(&shown, None, format!("invalid TOML: {}", e.message()))
        })?;
        let traces = Mutex::new(Vec::new());
        let mut scenario = scenario;
        share_traces(&traces, &mut scenario);
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
        share_traces(&self.traces, &mut scn);
        Ok(scn)
    }

    /// Validates a modified scenario table exactly as the scenario file
    /// would be validated, relative paths resolving against the base file's
    /// directory and the default name being its stem.
    ///
    /// This is the only place where a sweep goes through scenario *text*
    /// (and the reason [`describe_diagnostics`] drops source snippets, whose
    /// line numbers point into generated text): a structured loader taking
    /// the table itself, with dotted key paths, replaces the body below.
    ///
    /// # Errors
    ///
    /// [`BuildError::Invalid`] with the validator's diagnostics;
    /// [`BuildError::Serialize`] if the table cannot be written as TOML.
    pub fn validate(&self, doc: &toml::Table) -> Result<Scenario, BuildError> {
        let text = toml::to_string(doc).map_err(|e| BuildError::Serialize(e.to_string()))?;
        let dir = self
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let stem = self.path.file_stem().map_or_else(
            || "scenario".to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let shown = self.path.display().to_string();
        scenario::load_str(&text, &shown, &dir, &stem).map_err(BuildError::Invalid)
    }

    /// How many distinct arrival traces the scenarios built so far hold.
    #[must_use]
    pub fn distinct_traces(&self) -> usize {
        self.traces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Points every arrival trace of `scn` at the shared copy of the same
/// times (bit for bit), adding it to the shared ones when it is new; the
/// point's own copy is dropped.
fn share_traces(seen: &Mutex<Vec<Arc<Vec<f64>>>>, scn: &mut Scenario) {
    let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
    for skill in &mut scn.skills {
        let Arrivals::Trace { times, .. } = &mut skill.arrivals else {
            continue;
        };
        let same = |t: &Arc<Vec<f64>>| {
            Arc::ptr_eq(t, times)
                || (t.len() == times.len()
                    && t.iter()
                        .zip(times.iter())
                        .all(|(a, b)| a.to_bits() == b.to_bits()))
        };
        match seen.iter().find(|t| same(t)) {
            Some(shared) => *times = Arc::clone(shared),
            None => seen.push(Arc::clone(times)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Held by the base, the shared list, the two points and this test's
        // three clones: one vector of times, no copy.
        assert_eq!(Arc::strong_count(&t0[0]), 2 + 2 + 3);
        assert_eq!(base.distinct_traces(), 1);

        // Another trace is kept on its own; a point with a trace the base
        // does not have shares it with the next such point.
        let other = set(
            "skill.mail.arrivals",
            toml::Value::Table(toml::from_str("trace = \"b.csv\"").unwrap()),
        );
        let p3 = base.build(&other).unwrap();
        let p4 = base.build(&other).unwrap();
        let (t3, t4) = (trace_times(&p3), trace_times(&p4));
        assert_eq!((t3.len(), base.distinct_traces()), (2, 2));
        assert!(Arc::ptr_eq(&t3[1], &t4[1]) && Arc::ptr_eq(&t3[0], &t0[0]));
        assert_eq!(*t3[1], [1.0, 2.0, 3.0]);
    }

    #[test]
    fn snippets_are_recognised() {
        assert!(is_snippet("  12 | count = 3"));
        assert!(!is_snippet("12 agents: expected a whole number"));
        assert!(!is_snippet("count | x"));
    }
}

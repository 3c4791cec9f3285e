//! The base scenario of a sweep or a staffing search, kept as a parsed TOML
//! table, and building modified scenarios from it: grid values (or a
//! head-count) are set by dotted path ([`super::grid::apply`]) and the
//! result goes through the same validation as a scenario file
//! ([`crate::scenario::load_str`]), so a swept value is checked exactly as if
//! it had been written in the file.

use super::grid;
use crate::scenario::load::ScenarioError;
use crate::scenario::{self, Scenario};
use std::path::{Path, PathBuf};

/// A base scenario: its file, its text parsed as a TOML table, and the
/// scenario as validated from the file itself.
#[derive(Clone, Debug)]
pub struct Base {
    /// The scenario file.
    pub path: PathBuf,
    /// The file parsed as a TOML table (key order kept).
    pub table: toml::Table,
    /// The unmodified scenario, as `scenario::load` gives it.
    pub scenario: Scenario,
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
        Ok(Base {
            path: path.to_path_buf(),
            table,
            scenario,
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
        let text = toml::to_string(&doc).map_err(|e| BuildError::Serialize(e.to_string()))?;
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
        let mut scn =
            scenario::load_str(&text, &shown, &dir, &stem).map_err(BuildError::Invalid)?;
        scn.file = self.path.clone();
        Ok(scn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_recognised() {
        assert!(is_snippet("  12 | count = 3"));
        assert!(!is_snippet("12 agents: expected a whole number"));
        assert!(!is_snippet("count | x"));
    }
}

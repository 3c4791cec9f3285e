//! Reading a scenario file: TOML text → raw structs, with every error
//! carrying the file, the line and the key, and toml's source snippet kept.

use super::schema::RawScenario;
use super::{Scenario, validate};
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a scenario, located in its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The file (as the user named it).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The key, as a dotted path when known (e.g. `skill.billing.arrivals`).
    pub key: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(k) = &self.key {
            write!(f, ": key `{k}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything wrong with a scenario (at least one diagnostic).
#[derive(Clone, Debug, thiserror::Error)]
pub struct ScenarioError {
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl ScenarioError {
    /// A single diagnostic with no line.
    pub fn plain(file: &str, key: Option<&str>, message: impl Into<String>) -> Self {
        ScenarioError {
            diagnostics: vec![Diagnostic {
                file: file.to_string(),
                line: None,
                key: key.map(str::to_string),
                message: message.into(),
            }],
        }
    }
}

/// 1-based line of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key being assigned on the line of `offset`: the last `name =` before
/// it on that line (toml's spans point at values).
fn key_near(src: &str, offset: usize) -> Option<String> {
    let offset = offset.min(src.len());
    let start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &src[start..offset];
    let eq = before.rfind('=')?;
    let head = before[..eq].trim_end();
    let key: String = head
        .chars()
        .rev()
        .take_while(|c| {
            c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.' || *c == '"'
        })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let key = key.trim_matches('"').to_string();
    (!key.is_empty()).then_some(key)
}

/// Loads and validates a scenario file. Relative paths inside it (traces,
/// empirical distributions) are relative to the file's directory.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioError::plain(&shown, None, format!("cannot read the scenario file: {e}"))
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    load_str(&text, &shown, &base, &stem).map(|mut s| {
        s.file = path.to_path_buf();
        s
    })
}

/// Validates scenario text. `shown` names the file in messages, `base_dir`
/// resolves relative paths, `stem` is the default name.
pub fn load_str(
    text: &str,
    shown: &str,
    base_dir: &Path,
    stem: &str,
) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        // toml names an unknown key itself; otherwise the key assigned on the line.
        let key =
            unknown_field(e.message()).or_else(|| e.span().and_then(|s| key_near(text, s.start)));
        ScenarioError {
            diagnostics: vec![Diagnostic {
                file: shown.to_string(),
                line,
                key,
                message: format!("{}\n{}", e.message().trim_end(), snippet(text, line)),
            }],
        }
    })?;
    validate::validate(raw, text, shown, base_dir, stem)
}

/// The key named by toml's "unknown field `x`" message.
fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg.split("unknown field `").nth(1)?;
    Some(rest.split('`').next()?.to_string())
}

/// The offending line, as toml shows it.
fn snippet(text: &str, line: Option<usize>) -> String {
    match line.and_then(|l| text.lines().nth(l - 1).map(|s| (l, s))) {
        Some((l, s)) => format!("  {l} | {s}"),
        None => String::new(),
    }
}

/// Resolves a path written in a scenario relative to its directory.
pub fn resolve_path(base_dir: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    }
}

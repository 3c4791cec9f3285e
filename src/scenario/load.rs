//! Reading a scenario: TOML text (or an already-parsed table) → raw
//! structs → [`validate`], with every error carrying the file, the line (for
//! text) and the dotted key, and toml's source snippet kept.

use super::schema::RawScenario;
use super::table_de::TableValue;
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

impl Diagnostic {
    /// Whether this diagnostic is about `key` or a key inside it (`agents.team`
    /// covers `agents.team.count`): what a sweep needs to blame a grid key.
    #[must_use]
    pub fn is_about(&self, key: &str) -> bool {
        self.key.as_deref().is_some_and(|k| {
            k == key || (k.starts_with(key) && k.as_bytes().get(key.len()) == Some(&b'.'))
        })
    }
}

impl ScenarioError {
    /// One diagnostic.
    #[must_use]
    pub fn one(d: Diagnostic) -> Self {
        ScenarioError {
            diagnostics: vec![d],
        }
    }

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
    load_str_with(text, shown, base_dir, stem, None)
}

/// [`load_str`], taking arrival traces from `traces` when given (see
/// [`load_table_with`]).
pub fn load_str_with(
    text: &str,
    shown: &str,
    base_dir: &Path,
    stem: &str,
    traces: Option<&validate::Traces>,
) -> Result<Scenario, ScenarioError> {
    let de = toml::Deserializer::parse(text).map_err(|e| syntax_error(&e, text, shown))?;
    let raw: RawScenario = serde_path_to_error::deserialize(de).map_err(|e| {
        let doc = toml::from_str::<toml::Table>(text).ok();
        let inner = e.inner();
        let line = inner.span().map(|s| line_of(text, s.start));
        let key = dotted_key(e.path(), doc.as_ref(), inner.message())
            .or_else(|| inner.span().and_then(|s| key_near(text, s.start)));
        let message = plain_words(inner.message().trim_end(), key.as_deref());
        ScenarioError::one(Diagnostic {
            file: shown.to_string(),
            line,
            key,
            message: format!("{message}\n{}", snippet(text, line)),
        })
    })?;
    validate::validate(raw, Some(text), shown, base_dir, stem, traces)
}

/// Validates a scenario already parsed as a TOML table (a sweep's base with
/// grid values set): the same checks as [`load_str`], with `origin` naming
/// the source in messages, `base_dir` resolving relative paths and
/// `default_name` the name when `simulation.name` is absent.
///
/// A table has no text, so the diagnostics carry no line; every one carries
/// its dotted key ([`Diagnostic::key`], e.g. `skill.billing.arrivals.rate`
/// or `agents.team.count`), and the messages hold no source snippet.
pub fn load_table(
    doc: &toml::Table,
    origin: &str,
    base_dir: &Path,
    default_name: &str,
) -> Result<Scenario, ScenarioError> {
    load_table_with(doc, origin, base_dir, default_name, None)
}

/// [`load_table`], taking arrival traces from `traces` when given: each
/// distinct trace file is read once however many tables use it (a sweep's
/// points), and its times held once.
pub fn load_table_with(
    doc: &toml::Table,
    origin: &str,
    base_dir: &Path,
    default_name: &str,
    traces: Option<&validate::Traces>,
) -> Result<Scenario, ScenarioError> {
    let value = TableValue(toml::Value::Table(doc.clone()));
    let raw: RawScenario = serde_path_to_error::deserialize(value).map_err(|e| {
        let message = e.inner().message().trim_end();
        let key = dotted_key(e.path(), Some(doc), message);
        ScenarioError::one(Diagnostic {
            file: origin.to_string(),
            line: None,
            message: plain_words(message, key.as_deref()),
            key,
        })
    })?;
    validate::validate(raw, None, origin, base_dir, default_name, traces)
}

/// A TOML syntax error (the text is not TOML at all): its line, the key it
/// is about when one can be told, and toml's message with the line shown.
pub(crate) fn syntax_error(e: &toml::de::Error, text: &str, shown: &str) -> ScenarioError {
    let line = e.span().map(|s| line_of(text, s.start));
    let key = e.span().and_then(|s| {
        if e.message().contains("duplicate key") {
            // The span is the repeated key itself.
            let k = text.get(s.clone())?.trim().trim_matches(['"', '\'']);
            (!k.is_empty()).then(|| match table_before(text, s.start) {
                Some(t) => format!("{t}.{k}"),
                None => k.to_string(),
            })
        } else {
            key_near(text, s.start)
        }
    });
    let mut message = e.message().trim_end().to_string();
    if let Some(k) = key.as_deref().filter(|_| message == "duplicate key") {
        let bare = k.rsplit('.').next().unwrap_or(k);
        message = format!("duplicate key `{bare}`: each key may be set once per table");
    }
    ScenarioError::one(Diagnostic {
        file: shown.to_string(),
        line,
        key,
        message: format!("{message}\n{}", snippet(text, line)),
    })
}

/// The table that the text at `offset` is in, as the validator names it:
/// `simulation`, or `skill.NAME` for a `[[skill]]` entry with a `name`
/// line before `offset`. `None` at the top of the file.
fn table_before(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let mut name = None;
    for line in before.lines().rev() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[') {
            let header = h.trim_start_matches('[').split(']').next()?.trim();
            let array = l.starts_with("[[");
            return Some(match (array, name) {
                (true, Some(n)) => format!("{header}.{n}"),
                _ => header.to_string(),
            });
        }
        if name.is_none()
            && let Some((k, v)) = l.split_once('=')
            && k.trim() == "name"
        {
            name = Some(v.trim().trim_matches(['"', '\'']).to_string());
        }
    }
    None
}

/// The dotted key the validator would use for a serde error at `path`:
/// entries of `[[skill]]`, `[[agents]]` and `[[variant]]` are named by their
/// `name` (`skill.billing.arrivals.rate`), other list positions are left
/// out, and a key that is unknown or missing is appended.
pub(crate) fn dotted_key(
    path: &serde_path_to_error::Path,
    doc: Option<&toml::Table>,
    message: &str,
) -> Option<String> {
    use serde_path_to_error::Segment;
    let mut parts: Vec<String> = Vec::new();
    // Where the path is in the document, while it can be followed.
    let mut at: Option<&toml::Value> = None;
    let mut at_root = true;
    for seg in path {
        match seg {
            Segment::Map { key } if key.starts_with("$__serde_spanned") => {}
            Segment::Map { key } => {
                at = if at_root {
                    doc.and_then(|d| d.get(key))
                } else {
                    at.and_then(|v| v.get(key))
                };
                at_root = false;
                parts.push(key.clone());
            }
            Segment::Seq { index } => {
                at = at.and_then(|v| v.get(*index));
                if let Some(name) = at.and_then(|v| v.get("name")).and_then(toml::Value::as_str) {
                    parts.push(name.to_string());
                }
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    for marker in ["unknown field `", "missing field `"] {
        if let Some(k) = message
            .split(marker)
            .nth(1)
            .and_then(|r| r.split('`').next())
            && parts.last().is_none_or(|last| last != k)
        {
            parts.push(k.to_string());
        }
    }
    (!parts.is_empty()).then(|| parts.join("."))
}

/// serde's "unknown variant `x`, expected one of `a`, `b`, `c`" as the
/// validator says it: "unknown mode `x`: expected a, b or c". Other
/// messages are returned as they are.
fn plain_words(message: &str, key: Option<&str>) -> String {
    let Some(rest) = message.strip_prefix("unknown variant `") else {
        return message.to_string();
    };
    if key.is_some_and(|k| k.ends_with(".dist")) {
        // A distribution's name: serde's list says it well.
        return message.to_string();
    }
    let Some((value, expected)) = rest.split_once("`, expected ") else {
        return message.to_string();
    };
    let allowed: Vec<&str> = expected
        .trim_start_matches("one of ")
        .split(['`', ',', ' '])
        .filter(|w| !w.is_empty() && *w != "or")
        .collect();
    let list = match allowed.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
        None => return message.to_string(),
    };
    let what = match key.and_then(|k| k.rsplit('.').next()) {
        Some("accept") => "accept mode".to_string(),
        Some("logout") => "logout policy".to_string(),
        Some("state") => "break state".to_string(),
        Some(k) => k.replace('_', " "),
        None => "value".to_string(),
    };
    format!("unknown {what} `{value}`: expected {list}")
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

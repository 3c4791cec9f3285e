//! `SHIFTS.toml`: the agent group a shift plan is for and its allowed shift
//! templates, read with every problem reported by file, line and key (exit
//! 2), as a scenario's are.
//!
//! ```toml
//! group = "team"
//! [[template]]
//! name = "early"
//! days = "Mon-Fri"          # as in [[agents]] shifts
//! start = "07:00"           # or a list: ["07:00", "07:30"] (one template per start)
//! end = "15:00"             # with a list: the first start's end; later starts keep its length
//! breaks = [{ after = "4h", duration = "30m" }]   # optional, as in [[agents]]
//! cost = 1.0                # per paid agent-hour, optional (default 1)
//! ```
//!
//! Days, times and breaks are checked by the scenario's own validator: each
//! template (one per start) is set as the group's `shifts` and `breaks` in
//! the base scenario and validated there ([`Base::validate`]), so a template
//! means exactly what the same entry means under `[[agents]]`, and the
//! resolved weekly windows and breaks are what the coverage is computed from.

use crate::error::{Error, Result};
use crate::scenario::load::{self, Diagnostic, ScenarioError, line_of};
use crate::scenario::{Break, Mode, Shift};
use crate::sweep::base::{Base, BuildError};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// `SHIFTS.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    group: Spanned<String>,
    template: Option<Vec<RawTemplate>>,
}

/// One `[[template]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    name: Spanned<String>,
    days: Spanned<String>,
    start: Spanned<toml::Value>,
    end: Spanned<String>,
    breaks: Option<Spanned<toml::Value>>,
    cost: Option<Spanned<f64>>,
}

/// One allowed shift (a `[[template]]` at one of its starts), resolved.
#[derive(Clone, Debug)]
pub struct Template {
    /// Name: the template's, with `@HH:MM` appended when it lists several starts.
    pub name: String,
    /// Days as written, e.g. `Mon-Fri`.
    pub days: String,
    /// Start as written, `HH:MM`.
    pub start: String,
    /// End as written, `HH:MM`.
    pub end: String,
    /// Breaks as written (a TOML array), copied into `scheduled.toml`.
    pub breaks: Option<toml::Value>,
    /// Cost per paid agent-hour.
    pub cost: f64,
    /// The weekly login windows (one per day), as the scenario resolves them.
    pub shifts: Vec<Shift>,
    /// The breaks within each window, as the scenario resolves them.
    pub resolved_breaks: Vec<Break>,
}

/// A whole `SHIFTS.toml`.
#[derive(Clone, Debug)]
pub struct ShiftsFile {
    /// The agent group to plan.
    pub group: String,
    /// The allowed shifts, in file order (a list of starts expanded in order).
    pub templates: Vec<Template>,
}

/// The diagnostics gathered while reading one file.
struct Diags<'a> {
    file: &'a str,
    text: &'a str,
    list: Vec<Diagnostic>,
}

impl Diags<'_> {
    fn err<T>(&mut self, at: &Spanned<T>, key: &str, message: impl Into<String>) {
        let line = line_of(self.text, at.span().start);
        let shown = self.text.lines().nth(line - 1).unwrap_or("");
        self.list.push(Diagnostic {
            file: self.file.to_string(),
            line: Some(line),
            key: Some(key.to_string()),
            message: format!("{}\n  {line} | {shown}", message.into()),
        });
    }
}

/// Reads and checks `path` against the base scenario: the group must exist
/// (and not be `two_login`, whose shifts name logins), every template
/// must be a valid shift of it, names unique, costs positive.
///
/// # Errors
///
/// Bad input (exit 2) listing every problem with file, line and key; the
/// file cannot be read.
pub fn load(path: &Path, base: &Base) -> Result<ShiftsFile> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::input(format!(
            "{}: cannot read the shifts file: {e}",
            path.display()
        ))
    })?;
    parse(&text, &path.display().to_string(), base)
}

/// [`load()`] from text; `file` names it in messages.
///
/// # Errors
///
/// As [`load()`].
pub fn parse(text: &str, file: &str, base: &Base) -> Result<ShiftsFile> {
    let raw = syntax(text, file).map_err(Error::input)?;
    let mut d = Diags {
        file,
        text,
        list: Vec::new(),
    };
    let group = raw.group.get_ref().clone();
    let scn = &base.scenario;
    match scn.groups.iter().find(|g| g.name == group) {
        None => {
            let names: Vec<String> = scn.groups.iter().map(|g| format!("`{}`", g.name)).collect();
            d.err(
                &raw.group,
                "group",
                format!(
                    "{} has no agent group `{group}`; groups are: {}",
                    base.path.display(),
                    names.join(", ")
                ),
            );
        }
        Some(g) if g.mode == Mode::TwoLogin => d.err(
            &raw.group,
            "group",
            format!(
                "group `{group}` is two_login: its shifts name a login each, which templates do \
                 not; plan a dedicated or blended group"
            ),
        ),
        Some(_) => {}
    }
    let raws = raw.template.unwrap_or_default();
    if raws.is_empty() {
        d.list.push(Diagnostic {
            file: file.to_string(),
            line: None,
            key: Some("template".into()),
            message: "no [[template]]: list the shifts the plan may use".into(),
        });
    }
    let mut templates: Vec<Template> = Vec::new();
    if d.list.is_empty() {
        for t in &raws {
            templates.extend(template(&mut d, t, &group, base));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (t, r) in templates.iter().zip(&raws) {
        if !seen.insert(t.name.clone()) {
            d.err(
                &r.name,
                &format!("template.{}.name", r.name.get_ref()),
                format!("a second template named `{}`: names must be unique", t.name),
            );
        }
    }
    if d.list.is_empty() {
        Ok(ShiftsFile { group, templates })
    } else {
        Err(Error::input(ScenarioError {
            diagnostics: d.list,
        }))
    }
}

/// The file as raw structs, or its first syntax or type error located as
/// the scenario loader locates them (line, snippet, `template.NAME.key`).
fn syntax(text: &str, file: &str) -> Result<RawFile, ScenarioError> {
    let de = toml::Deserializer::parse(text).map_err(|e| load::syntax_error(&e, text, file))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let doc = toml::from_str::<toml::Table>(text).ok();
        let inner = e.inner();
        let line = inner.span().map(|s| line_of(text, s.start));
        let shown = line
            .and_then(|l| text.lines().nth(l - 1).map(|s| format!("\n  {l} | {s}")))
            .unwrap_or_default();
        ScenarioError::one(Diagnostic {
            file: file.to_string(),
            line,
            key: load::dotted_key(e.path(), doc.as_ref(), inner.message()),
            message: format!("{}{shown}", inner.message().trim_end()),
        })
    })
}

/// One `[[template]]`: one [`Template`] per start, each validated as the
/// group's only shift.
fn template(d: &mut Diags, t: &RawTemplate, group: &str, base: &Base) -> Vec<Template> {
    let name = t.name.get_ref();
    let key = |k: &str| format!("template.{name}.{k}");
    let cost = t.cost.as_ref().map_or(1.0, |c| *c.get_ref());
    if let Some(c) = &t.cost
        && !(c.get_ref().is_finite() && *c.get_ref() > 0.0)
    {
        d.err(
            c,
            &key("cost"),
            "expected a cost per agent-hour above 0, e.g. 1.0",
        );
    }
    if name.is_empty() || name.chars().any(char::is_control) {
        d.err(&t.name, &key("name"), "expected a non-empty printable name");
    }
    let starts: Vec<String> = match t.start.get_ref() {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Array(a) if !a.is_empty() && a.iter().all(toml::Value::is_str) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => {
            d.err(
                &t.start,
                &key("start"),
                "expected a time \"HH:MM\" or a non-empty list of them, e.g. [\"07:00\", \"07:30\"]",
            );
            return Vec::new();
        }
    };
    let several = starts.len() > 1;
    let mut out: Vec<Template> = Vec::new();
    for start in starts {
        // Later starts keep the first start's length.
        let end = match out.first() {
            None => t.end.get_ref().clone(),
            Some(first) => match (clock(&start), first.shifts.first()) {
                (Some(s), Some(sh)) => hh_mm(s + sh.length),
                _ => {
                    d.err(
                        &t.start,
                        &key("start"),
                        format!("bad start \"{start}\": expected a time \"HH:MM\""),
                    );
                    continue;
                }
            },
        };
        let mut shift = toml::Table::new();
        shift.insert("days".into(), t.days.get_ref().clone().into());
        shift.insert("start".into(), start.clone().into());
        shift.insert("end".into(), end.clone().into());
        let breaks = t.breaks.as_ref().map(|b| b.get_ref().clone());
        match probe(base, group, &shift, breaks.as_ref()) {
            Ok((shifts, resolved_breaks)) => out.push(Template {
                name: if several {
                    format!("{name}@{start}")
                } else {
                    name.clone()
                },
                days: t.days.get_ref().clone(),
                start,
                end,
                breaks,
                cost,
                shifts,
                resolved_breaks,
            }),
            Err(problems) => {
                for (field, message) in problems {
                    match field {
                        Field::Breaks => match &t.breaks {
                            Some(b) => d.err(b, &key("breaks"), message),
                            None => d.err(&t.name, &key("breaks"), message),
                        },
                        Field::Days => d.err(&t.days, &key("days"), message),
                        Field::Start => d.err(&t.start, &key("start"), message),
                        Field::End => d.err(&t.end, &key("end"), message),
                        Field::Other => d.err(&t.name, &format!("template.{name}"), message),
                    }
                }
            }
        }
    }
    out
}

/// `"HH:MM"` as seconds of the day (the validator checks the range).
fn clock(s: &str) -> Option<f64> {
    let (h, m) = s.trim().split_once(':')?;
    Some(f64::from(h.parse::<u32>().ok()?) * 3600.0 + f64::from(m.parse::<u32>().ok()?) * 60.0)
}

/// Seconds (of any day) as `"HH:MM"` of the day.
fn hh_mm(t: f64) -> String {
    let m = (t / 60.0).round() as i64 % (24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Which key of a template a problem is about.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Field {
    Days,
    Start,
    End,
    Breaks,
    Other,
}

/// The group's windows and breaks with `shift` as its only shift, or the
/// validator's problems blamed on the template's keys.
fn probe(
    base: &Base,
    group: &str,
    shift: &toml::Table,
    breaks: Option<&toml::Value>,
) -> std::result::Result<(Vec<Shift>, Vec<Break>), Vec<(Field, String)>> {
    let scn = validate_with(base, group, shift, breaks);
    let e = match scn {
        Ok(scn) => {
            let g = scn.groups.iter().find(|g| g.name == group);
            return Ok(g.map_or((Vec::new(), Vec::new()), |g| {
                (g.shifts.clone(), g.breaks.clone())
            }));
        }
        Err(e) => e,
    };
    let shifts_key = format!("agents.{group}.shifts");
    let breaks_key = format!("agents.{group}.breaks");
    let mut out = Vec::new();
    let diags = match &e {
        BuildError::Invalid(se) => se.diagnostics.clone(),
        BuildError::Apply { .. } => Vec::new(),
    };
    for dg in diags {
        let field = if dg.is_about(&breaks_key) {
            Field::Breaks
        } else if dg.is_about(&shifts_key) {
            blame(base, group, shift)
        } else {
            Field::Other
        };
        out.push((field, dg.message));
    }
    if out.is_empty() {
        out.push((Field::Other, e.describe()));
    }
    Err(out)
}

/// Which of days, start and end makes `shift` invalid: each is tried
/// alone with harmless values for the others.
fn blame(base: &Base, group: &str, shift: &toml::Table) -> Field {
    let try_with = |field: &str| {
        let mut s = toml::Table::new();
        s.insert("days".into(), "daily".into());
        s.insert("start".into(), "00:00".into());
        s.insert("end".into(), "01:00".into());
        if let Some(v) = shift.get(field) {
            s.insert(field.into(), v.clone());
        }
        if field == "start" {
            s.insert("end".into(), "24:00".into());
        }
        validate_with(base, group, &s, None).is_ok()
    };
    if !try_with("days") {
        Field::Days
    } else if !try_with("start") {
        Field::Start
    } else if !try_with("end") {
        Field::End
    } else {
        Field::Other
    }
}

/// The base scenario with the group's shifts and breaks replaced, validated.
fn validate_with(
    base: &Base,
    group: &str,
    shift: &toml::Table,
    breaks: Option<&toml::Value>,
) -> std::result::Result<crate::scenario::Scenario, BuildError> {
    let mut doc = base.table.clone();
    if let Some(g) = group_entry(&mut doc, group) {
        g.insert(
            "shifts".into(),
            toml::Value::Array(vec![toml::Value::Table(shift.clone())]),
        );
        match breaks {
            Some(b) => g.insert("breaks".into(), b.clone()),
            None => g.remove("breaks"),
        };
    }
    base.validate(&doc)
}

/// The `[[agents]]` entry named `group` in a scenario table.
pub(crate) fn group_entry<'a>(
    doc: &'a mut toml::Table,
    group: &str,
) -> Option<&'a mut toml::Table> {
    doc.get_mut("agents")?
        .as_array_mut()?
        .iter_mut()
        .filter_map(toml::Value::as_table_mut)
        .find(|t| t.get("name").and_then(toml::Value::as_str) == Some(group))
}

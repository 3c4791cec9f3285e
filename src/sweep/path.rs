//! Dotted paths into a scenario (`agents.chat-team.count`,
//! `skill.*.arrivals.rate`, `routing.accept`): checking their shape
//! (`check_path`) and setting a value by path in a parsed scenario table
//! ([`apply`], [`check_paths`]). Whether the leaf key means anything is left
//! to the scenario validator.

use super::spec::{SweepError, SweepSpec};

/// Scenario sections that are plain tables (`[simulation]`).
const TABLE_SECTIONS: [&str; 2] = ["simulation", "routing"];

/// Scenario sections that are arrays of named tables (`[[skill]]`).
const ARRAY_SECTIONS: [&str; 3] = ["skill", "agents", "variant"];

/// A checked dotted path.
enum Target<'k> {
    /// `simulation.a.b`: a key inside a plain table section.
    Table {
        section: &'k str,
        rest: Vec<&'k str>,
    },
    /// `agents.NAME.a.b` or `agents.*.a.b`: a key inside named entries.
    Entries {
        section: &'k str,
        entry: &'k str,
        rest: Vec<&'k str>,
    },
}

/// Checks the shape of the dotted path `key` (a known section, an entry
/// name where one is needed, no empty segment, `*` only as the entry name).
///
/// # Errors
///
/// A message saying what is wrong and what was expected.
pub(super) fn check_path(key: &str) -> Result<(), String> {
    parse_path(key).map(|_| ())
}

fn parse_path(key: &str) -> Result<Target<'_>, String> {
    let segments: Vec<&str> = key.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(
            "empty segment in dotted path; expected e.g. `agents.chat-team.count`".to_string(),
        );
    }
    let section = segments[0];
    let sections = || {
        TABLE_SECTIONS
            .iter()
            .chain(&ARRAY_SECTIONS)
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if TABLE_SECTIONS.contains(&section) {
        if segments.len() < 2 {
            return Err(format!(
                "expected a key inside `[{section}]`, e.g. `{section}.KEY`"
            ));
        }
        let rest = segments[1..].to_vec();
        if rest.contains(&"*") {
            return Err(
                "`*` is only allowed as the entry name of `skill`, `agents` or `variant`"
                    .to_string(),
            );
        }
        Ok(Target::Table { section, rest })
    } else if ARRAY_SECTIONS.contains(&section) {
        if segments.len() < 3 {
            return Err(format!(
                "expected `{section}.NAME.KEY` (NAME is an entry's `name`, or `*` for every entry)"
            ));
        }
        let rest = segments[2..].to_vec();
        if rest.contains(&"*") {
            return Err("`*` is only allowed as the entry name (the second segment)".to_string());
        }
        if rest == ["name"] {
            return Err(format!(
                "the `name` of a [[{section}]] entry cannot be swept"
            ));
        }
        Ok(Target::Entries {
            section,
            entry: segments[1],
            rest,
        })
    } else {
        Err(format!(
            "unknown section `{section}`; expected one of {}",
            sections()
        ))
    }
}

/// Sets the dotted path `key` to `value` in the parsed scenario `doc`.
///
/// * `simulation.K...` / `routing.K...`: a key in that table (the table is
///   created if absent);
/// * `skill.NAME.K...`, `agents.NAME.K...`, `variant.NAME.K...`: a key in
///   the array entry whose `name` is NAME (which must exist), or in every
///   entry when NAME is `*`.
///
/// Missing intermediate tables are created (`agents.a.capacity.messaging`
/// creates `capacity`); an existing leaf is overwritten. Whether the leaf key
/// means anything is left to the scenario validator.
///
/// # Errors
///
/// A message when the first segment is not a known section, a named entry
/// does not exist, or the path descends into a value that is not a table.
/// The message says what exists (the known sections, the entry names, or the
/// type of the value in the way). `doc` is left unchanged on error.
pub fn apply(doc: &mut toml::Table, key: &str, value: &toml::Value) -> Result<(), String> {
    match parse_path(key)? {
        Target::Table { section, rest } => {
            let place = format!("[{section}]");
            match doc.get(section) {
                None => {}
                Some(toml::Value::Table(t)) => check_descent(t, &rest, &place)?,
                Some(other) => {
                    return Err(format!(
                        "`{section}` in the scenario is {}, not a table",
                        describe(other)
                    ));
                }
            }
            let table = doc
                .entry(section)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            match table {
                toml::Value::Table(t) => set_nested(t, &rest, value, &place),
                _ => Err(format!("`{section}` in the scenario is not a table")),
            }
        }
        Target::Entries {
            section,
            entry,
            rest,
        } => {
            let items = match doc.get_mut(section) {
                None => {
                    return Err(format!(
                        "the scenario has no [[{section}]] entries, so there is no entry `{entry}`"
                    ));
                }
                Some(toml::Value::Array(items)) => items,
                Some(other) => {
                    return Err(format!(
                        "`{section}` in the scenario is {}, not an array of tables ([[{section}]])",
                        describe(other)
                    ));
                }
            };
            let name_of = |item: &toml::Value| {
                item.get("name")
                    .and_then(toml::Value::as_str)
                    .map(str::to_string)
            };
            let targets: Vec<usize> = (0..items.len())
                .filter(|&i| entry == "*" || name_of(&items[i]).as_deref() == Some(entry))
                .collect();
            if targets.is_empty() {
                if entry == "*" {
                    return Err(format!("the scenario has no [[{section}]] entries"));
                }
                let names: Vec<String> = items
                    .iter()
                    .map(|i| {
                        name_of(i).map_or_else(|| "(unnamed)".to_string(), |n| format!("`{n}`"))
                    })
                    .collect();
                return Err(format!(
                    "no [[{section}]] entry named `{entry}`; entries are: {}",
                    names.join(", ")
                ));
            }
            // Check every target before changing any, so errors leave `doc` intact.
            let place_of = |i: usize, item: &toml::Value| match name_of(item) {
                Some(n) => format!("[[{section}]] `{n}`"),
                None => format!("[[{section}]] entry #{}", i + 1),
            };
            for &i in &targets {
                let place = place_of(i, &items[i]);
                match &items[i] {
                    toml::Value::Table(t) => check_descent(t, &rest, &place)?,
                    other => return Err(format!("{place} is {}, not a table", describe(other))),
                }
            }
            for &i in &targets {
                let place = place_of(i, &items[i]);
                if let toml::Value::Table(t) = &mut items[i] {
                    set_nested(t, &rest, value, &place)?;
                }
            }
            Ok(())
        }
    }
}

fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::Table(_) => "a table".to_string(),
        toml::Value::Array(_) => "an array".to_string(),
        toml::Value::Integer(_) => format!("an integer ({v})"),
        other => format!("a {} ({other})", other.type_str()),
    }
}

fn descent_error(place: &str, prefix: &[&str], full: &[&str], found: &toml::Value) -> String {
    format!(
        "`{}` in {place} is {}, not a table, so `{}` cannot be set",
        prefix.join("."),
        describe(found),
        full.join(".")
    )
}

/// Checks that every intermediate segment of `rest` is a table or absent.
fn check_descent(table: &toml::Table, rest: &[&str], place: &str) -> Result<(), String> {
    let mut current = table;
    for (depth, seg) in rest[..rest.len().saturating_sub(1)].iter().enumerate() {
        match current.get(*seg) {
            None => return Ok(()),
            Some(toml::Value::Table(t)) => current = t,
            Some(other) => return Err(descent_error(place, &rest[..=depth], rest, other)),
        }
    }
    Ok(())
}

fn set_nested(
    table: &mut toml::Table,
    rest: &[&str],
    value: &toml::Value,
    place: &str,
) -> Result<(), String> {
    let Some((leaf, parents)) = rest.split_last() else {
        return Err(format!("no key given inside {place}"));
    };
    let mut current = table;
    for (depth, seg) in parents.iter().enumerate() {
        let next = current
            .entry(*seg)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        match next {
            toml::Value::Table(t) => current = t,
            other => {
                return Err(descent_error(place, &rest[..=depth], rest, other));
            }
        }
    }
    current.insert((*leaf).to_string(), value.clone());
    Ok(())
}

/// Checks that every grid key of `spec` can be applied to the base scenario
/// `base` (by applying its first value to a copy).
///
/// # Errors
///
/// The first failure of [`apply`], as a [`SweepError`] with the sweep file,
/// the key's line and the key.
pub fn check_paths(spec: &SweepSpec, base: &toml::Table) -> Result<(), SweepError> {
    for key in &spec.keys {
        let Some(first) = key.values.first() else {
            return Err(SweepError {
                file: spec.path.clone(),
                line: Some(key.line),
                key: Some(key.path.clone()),
                message: "the key has no values".to_string(),
            });
        };
        let mut doc = base.clone();
        apply(&mut doc, &key.path, first).map_err(|message| SweepError {
            file: spec.path.clone(),
            line: Some(key.line),
            key: Some(key.path.clone()),
            message: format!(
                "cannot apply to the scenario {}: {message}",
                spec.scenario.display()
            ),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::load::load;
    use crate::sweep::load::tests::{EXAMPLE, sweep_file};
    use toml::Value;

    const SCENARIO: &str = r#"
[simulation]
seed = 1

[[skill]]
name = "billing"
arrivals = { kind = "poisson", rate = 1.0 }

[[skill]]
name = "sales-2"

[[agents]]
name = "chat-team"
count = 10
capacity = { live_chat = 2 }

[[agents]]
name = "mail"
count = 3
"#;

    fn scenario() -> toml::Table {
        toml::from_str(SCENARIO).unwrap()
    }

    #[test]
    fn apply_by_name_star_and_nested_creation() {
        let mut doc = scenario();
        apply(&mut doc, "agents.chat-team.count", &Value::Integer(14)).unwrap();
        assert_eq!(doc["agents"][0]["count"], Value::Integer(14));
        assert_eq!(doc["agents"][1]["count"], Value::Integer(3));

        apply(
            &mut doc,
            "agents.chat-team.capacity.messaging",
            &Value::Integer(5),
        )
        .unwrap();
        assert_eq!(doc["agents"][0]["capacity"]["messaging"], Value::Integer(5));
        assert_eq!(doc["agents"][0]["capacity"]["live_chat"], Value::Integer(2));

        apply(&mut doc, "agents.*.shift.hours.start", &Value::Float(8.5)).unwrap();
        for i in 0..2 {
            assert_eq!(
                doc["agents"][i]["shift"]["hours"]["start"],
                Value::Float(8.5)
            );
        }

        apply(&mut doc, "skill.sales-2.arrivals.rate", &Value::Float(0.75)).unwrap();
        assert_eq!(doc["skill"][1]["arrivals"]["rate"], Value::Float(0.75));
        assert_eq!(doc["skill"][0]["arrivals"]["rate"], Value::Float(1.0));

        apply(&mut doc, "simulation.seed", &Value::Integer(9)).unwrap();
        assert_eq!(doc["simulation"]["seed"], Value::Integer(9));
        // `[routing]` is absent and gets created.
        apply(&mut doc, "routing.accept", &Value::String("ring".into())).unwrap();
        assert_eq!(doc["routing"]["accept"], Value::String("ring".into()));
        apply(&mut doc, "routing.limits.queue", &Value::Integer(50)).unwrap();
        assert_eq!(doc["routing"]["limits"]["queue"], Value::Integer(50));
        // An existing leaf is overwritten, whatever it was.
        apply(
            &mut doc,
            "skill.billing.arrivals",
            &Value::String("none".into()),
        )
        .unwrap();
        assert_eq!(doc["skill"][0]["arrivals"], Value::String("none".into()));
    }

    #[test]
    fn apply_errors_say_what_exists() {
        let base = scenario();
        let err = |key: &str| {
            let mut doc = base.clone();
            let e = apply(&mut doc, key, &Value::Integer(1)).unwrap_err();
            assert_eq!(doc, base, "failed apply of {key} changed the document");
            e
        };
        let e = err("staff.chat-team.count");
        assert!(
            e.contains("unknown section `staff`") && e.contains("`agents`"),
            "{e}"
        );
        let e = err("agents.voice-team.count");
        assert!(
            e.contains("no [[agents]] entry named `voice-team`; entries are: `chat-team`, `mail`"),
            "{e}"
        );
        let e = err("variant.fast.routing");
        assert!(e.contains("no [[variant]] entries"), "{e}");
        let e = err("variant.*.routing");
        assert!(e.contains("no [[variant]] entries"), "{e}");
        let e = err("agents.chat-team.count.max");
        assert!(
            e.contains("`count` in [[agents]] `chat-team` is an integer (10), not a table"),
            "{e}"
        );
        let e = err("agents.chat-team.capacity.live_chat.x");
        assert!(
            e.contains("`capacity.live_chat` in [[agents]] `chat-team` is an integer (2)"),
            "{e}"
        );
        // With `*`, the first entry would succeed and the second fail: nothing changes.
        let mut doc = base.clone();
        doc["agents"].as_array_mut().unwrap()[1]
            .as_table_mut()
            .unwrap()
            .insert("capacity".into(), Value::Integer(4));
        let before = doc.clone();
        let e = apply(&mut doc, "agents.*.capacity.messaging", &Value::Integer(3)).unwrap_err();
        assert_eq!(doc, before);
        assert!(
            e.contains("`capacity` in [[agents]] `mail` is an integer (4)"),
            "{e}"
        );
        let e = err("skill.billing.arrivals.kind.x");
        assert!(
            e.contains("`arrivals.kind` in [[skill]] `billing` is a string (\"poisson\")"),
            "{e}"
        );
        let mut doc = base.clone();
        doc.insert("simulation".into(), Value::Array(vec![]));
        let e = apply(&mut doc, "simulation.seed", &Value::Integer(1)).unwrap_err();
        assert!(
            e.contains("`simulation` in the scenario is an array, not a table"),
            "{e}"
        );
        let e = err("simulation.seed.x");
        assert!(
            e.contains("`seed` in [simulation] is an integer (1), not a table"),
            "{e}"
        );
        let mut doc = base.clone();
        doc.insert("routing".into(), Value::String("auto".into()));
        let e = apply(&mut doc, "routing.accept", &Value::Integer(1)).unwrap_err();
        assert!(e.contains("`routing` in the scenario is a string"), "{e}");
        let mut doc = base.clone();
        doc.insert("variant".into(), Value::Integer(2));
        let e = apply(&mut doc, "variant.a.b", &Value::Integer(1)).unwrap_err();
        assert!(e.contains("not an array of tables"), "{e}");
    }

    #[test]
    fn check_paths_reports_file_line_and_key() {
        let (_dir, path) = sweep_file(
            "paths.toml",
            "scenario = \"s.toml\"\n[grid]\n\"agents.chat-team.count\" = [1, 2]\n\"routing.accept\" = [\"ring\"]\n\n\"skill.refunds.arrivals.rate\" = [0.5]\n",
        );
        let spec = load(&path).unwrap();
        let err = check_paths(&spec, &scenario()).unwrap_err();
        assert_eq!(err.line, Some(6));
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!(
                "{}:6: key `skill.refunds.arrivals.rate`: ",
                path.display()
            )),
            "{shown}"
        );
        assert!(
            shown.contains("entries are: `billing`, `sales-2`"),
            "{shown}"
        );

        let (_dir, path) = sweep_file("ok.toml", EXAMPLE);
        let spec = load(&path).unwrap();
        check_paths(&spec, &scenario()).unwrap();
    }
}

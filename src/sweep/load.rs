//! Reading a sweep file: [`load`] checks the top-level keys and every grid
//! key (its dotted path's shape, its values: an array of distinct scalars or
//! a range, see [`super::range`]) and returns a [`SweepSpec`]; every error
//! names the sweep file, the line and the key.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::path::check_path;
use super::range::parse_range;
use super::spec::{GridKey, MAX_POINTS, SweepError, SweepSpec};

/// Top-level keys a sweep file may contain.
const TOP_LEVEL_KEYS: &str = "`scenario`, `name`, `replications`, `grid`";

/// Reads and checks the sweep file at `path`.
///
/// Allowed top-level keys are `scenario` (required string, relative to the
/// sweep file's directory), `name` (optional string, default the file stem),
/// `replications` (optional integer >= 1) and `grid` (required table with at
/// least one key). Each grid key is a quoted dotted scenario path whose value
/// is either
///
/// * a non-empty array of distinct scalars (integers, finite floats,
///   strings, booleans), or
/// * a range table `{ from, to, step }`: with only integers it yields
///   integers; with any float it yields floats computed exactly in decimal
///   from the literals (`from + i * step`, so `step = 0.1` gives exactly
///   `0.1, 0.2, 0.3, ...` with no accumulated error). `to` is included when
///   hit exactly; `step` must be > 0 and `from <= to`.
///
/// Ranges of more than [`MAX_POINTS`] values are refused before they are
/// expanded, as are grids whose total point count exceeds it.
///
/// # Errors
///
/// A [`SweepError`] naming the file, the line and the key, and saying what
/// was expected, when the file cannot be read, is not valid TOML, or breaks
/// any of the rules above.
pub fn load(path: &Path) -> Result<SweepSpec, SweepError> {
    let src = std::fs::read_to_string(path).map_err(|e| SweepError {
        file: path.to_path_buf(),
        line: None,
        key: None,
        message: format!("cannot read sweep file: {e}"),
    })?;
    parse_spec(path, &src)
}

/// Source text plus file name, for locating errors.
pub(super) struct Ctx<'a> {
    file: &'a Path,
    /// The sweep file's text.
    pub(super) src: &'a str,
}

impl Ctx<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.src.len());
        self.src.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// An error at `span` (its line), about `key`.
    pub(super) fn err(
        &self,
        span: Option<Range<usize>>,
        key: Option<&str>,
        msg: impl Into<String>,
    ) -> SweepError {
        SweepError {
            file: self.file.to_path_buf(),
            line: span.map(|s| self.line(s.start)),
            key: key.map(str::to_string),
            message: msg.into(),
        }
    }
}

type SpannedValue<'i> = toml::Spanned<DeValue<'i>>;

pub(super) fn parse_spec(path: &Path, src: &str) -> Result<SweepSpec, SweepError> {
    let ctx = Ctx { file: path, src };
    let doc = DeTable::parse(src).map_err(|e| {
        ctx.err(
            e.span(),
            None,
            format!("invalid TOML: {}", e.message().trim()),
        )
    })?;

    let mut scenario: Option<String> = None;
    let mut name: Option<String> = None;
    let mut replications: Option<u32> = None;
    let mut grid: Option<(Range<usize>, &DeTable<'_>)> = None;

    for (k, v) in doc.get_ref() {
        let key: &str = k.get_ref();
        let at = Some(v.span());
        match key {
            "scenario" => match v.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => scenario = Some(s.to_string()),
                other => {
                    return Err(ctx.err(
                        at,
                        Some(key),
                        format!(
                            "expected a non-empty string path to the base scenario, found {}",
                            describe_de(other)
                        ),
                    ));
                }
            },
            "name" => match v.get_ref() {
                DeValue::String(s) => {
                    if let Some(why) = crate::scenario::validate::directory_name_problem(s) {
                        return Err(ctx.err(at, Some(key), why));
                    }
                    name = Some(s.to_string());
                }
                other => {
                    return Err(ctx.err(
                        at,
                        Some(key),
                        format!(
                            "expected a non-empty string without path separators, found {}",
                            describe_de(other)
                        ),
                    ));
                }
            },
            "replications" => {
                let n = match v.get_ref() {
                    DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
                    _ => None,
                };
                match n.and_then(|n| u32::try_from(n).ok()).filter(|&n| n >= 1) {
                    Some(n) => replications = Some(n),
                    None => {
                        return Err(ctx.err(
                            at,
                            Some(key),
                            format!(
                                "expected an integer from 1 to {}, found {}",
                                u32::MAX,
                                describe_de(v.get_ref())
                            ),
                        ));
                    }
                }
            }
            "grid" => match v.get_ref() {
                DeValue::Table(t) => grid = Some((k.span(), t)),
                other => {
                    return Err(ctx.err(
                        at,
                        Some(key),
                        format!(
                            "expected a table of grid keys (`[grid]`), found {}",
                            describe_de(other)
                        ),
                    ));
                }
            },
            other => {
                return Err(ctx.err(
                    Some(k.span()),
                    Some(other),
                    format!("unknown top-level key; expected one of {TOP_LEVEL_KEYS}"),
                ));
            }
        }
    }

    let scenario = scenario.ok_or_else(|| {
        ctx.err(
            None,
            Some("scenario"),
            "missing; expected `scenario = \"path/to/base.toml\"` (relative to the sweep file)",
        )
    })?;
    let (grid_span, grid) = grid.ok_or_else(|| {
        ctx.err(
            None,
            Some("grid"),
            "missing; expected a `[grid]` table with at least one key",
        )
    })?;
    if grid.is_empty() {
        return Err(ctx.err(
            Some(grid_span),
            Some("grid"),
            "empty; expected at least one key such as `\"agents.team.count\" = [10, 12]`",
        ));
    }

    let mut keys = Vec::with_capacity(grid.len());
    for (k, v) in grid {
        keys.push(parse_grid_key(&ctx, k.get_ref(), k.span(), v)?);
    }

    let total = keys
        .iter()
        .fold(1u128, |acc, k| acc.saturating_mul(k.values.len() as u128));
    if total > MAX_POINTS as u128 {
        let sizes: Vec<String> = keys.iter().map(|k| k.values.len().to_string()).collect();
        return Err(ctx.err(
            Some(grid_span),
            Some("grid"),
            format!(
                "the grid has {total} points ({}), more than the limit of {MAX_POINTS}; \
                 use fewer values or split the sweep",
                sizes.join(" x ")
            ),
        ));
    }

    let dir = path.parent().unwrap_or_else(|| Path::new(""));
    let name = name.unwrap_or_else(|| {
        path.file_stem()
            .map_or_else(|| "sweep".to_string(), |s| s.to_string_lossy().into_owned())
    });
    Ok(SweepSpec {
        path: path.to_path_buf(),
        name,
        scenario: dir.join(scenario),
        replications,
        keys,
    })
}

pub(super) fn describe_de(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("string \"{s}\""),
        DeValue::Integer(i) => format!("integer {i}"),
        DeValue::Float(f) => format!("float {f}"),
        DeValue::Boolean(b) => format!("boolean {b}"),
        other => other.type_str().to_string(),
    }
}

fn parse_grid_key(
    ctx: &Ctx<'_>,
    key: &str,
    key_span: Range<usize>,
    value: &SpannedValue<'_>,
) -> Result<GridKey, SweepError> {
    let line = ctx.line(key_span.start);
    let err_at = |span: Range<usize>, msg: String| ctx.err(Some(span), Some(key), msg);

    if let DeValue::Table(t) = value.get_ref() {
        let is_range = t
            .iter()
            .any(|(k, _)| ["from", "to", "step"].contains(&k.get_ref().as_ref()));
        if !t.is_empty() && !is_range {
            return Err(err_at(
                key_span,
                format!(
                    "expected an array of values or a range table {{ from, to, step }}, found a nested \
                     table; unquoted dotted keys make nested tables, so quote the whole path: \
                     \"{}\" = [...]",
                    first_leaf_path(key, t)
                ),
            ));
        }
    }
    check_path(key).map_err(|m| err_at(key_span.clone(), m))?;

    let values = match value.get_ref() {
        DeValue::Array(items) => {
            if items.is_empty() {
                return Err(err_at(
                    value.span(),
                    "empty array; expected at least one value, or a range `{ from, to, step }`"
                        .to_string(),
                ));
            }
            let mut values: Vec<toml::Value> = Vec::with_capacity(items.len());
            for item in items {
                let v = scalar(item.get_ref()).map_err(|m| err_at(item.span(), m))?;
                if values.contains(&v) {
                    return Err(err_at(
                        item.span(),
                        format!("duplicate value {v}; each value may appear once"),
                    ));
                }
                values.push(v);
            }
            values
        }
        DeValue::Table(t) => parse_range(ctx, key, value.span(), t)?,
        other => {
            return Err(err_at(
                value.span(),
                format!(
                    "expected an array of values like [1, 2, 3] or a range {{ from = 1, to = 3, step = 1 }}, found {}",
                    describe_de(other)
                ),
            ));
        }
    };
    Ok(GridKey {
        path: key.to_string(),
        values,
        line,
    })
}

/// `key.a.b...` down the first entries of nested tables, for error hints.
fn first_leaf_path(key: &str, table: &DeTable<'_>) -> String {
    let mut path = key.to_string();
    let mut current = table;
    while let Some((k, v)) = current.iter().next() {
        path.push('.');
        path.push_str(k.get_ref());
        match v.get_ref() {
            DeValue::Table(t) => current = t,
            _ => break,
        }
    }
    path
}

/// Converts one array element to a grid value.
fn scalar(v: &DeValue<'_>) -> Result<toml::Value, String> {
    match v {
        DeValue::String(s) => Ok(toml::Value::String(s.to_string())),
        DeValue::Boolean(b) => Ok(toml::Value::Boolean(*b)),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(toml::Value::Integer)
            .map_err(|_| format!("integer {i} does not fit in 64 bits")),
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(toml::Value::Float(x)),
            _ => Err(format!("expected a finite number, found float {f}")),
        },
        other => Err(format!(
            "expected a scalar value (integer, float, string or boolean), found {}",
            other.type_str()
        )),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::fs;
    use std::path::PathBuf;
    use toml::Value;

    /// Writes `text` as `name` in a fresh temp dir; returns (dir guard, path).
    pub(crate) fn sweep_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        (dir, path)
    }

    pub(crate) fn load_str(text: &str) -> Result<SweepSpec, SweepError> {
        let (_dir, path) = sweep_file("sweep.toml", text);
        load(&path)
    }

    /// Loads `text`, expects an error, and checks it names the file, `line`
    /// and `key` and contains `needle`.
    pub(crate) fn load_err(
        text: &str,
        line: Option<usize>,
        key: Option<&str>,
        needle: &str,
    ) -> SweepError {
        let (_dir, path) = sweep_file("bad-sweep.toml", text);
        let err = load(&path).expect_err("expected an error");
        let shown = err.to_string();
        assert_eq!(err.file, path);
        assert!(shown.starts_with(&path.display().to_string()), "{shown}");
        assert_eq!(err.line, line, "{shown}");
        if let Some(line) = line {
            assert!(
                shown.contains(&format!("bad-sweep.toml:{line}: ")),
                "{shown}"
            );
        }
        assert_eq!(err.key.as_deref(), key, "{shown}");
        if let Some(key) = key {
            assert!(shown.contains(&format!("key `{key}`: ")), "{shown}");
        }
        assert!(shown.contains(needle), "{shown:?} lacks {needle:?}");
        err
    }

    pub(crate) fn ints(v: &[i64]) -> Vec<Value> {
        v.iter().map(|&i| Value::Integer(i)).collect()
    }

    pub(crate) fn floats(v: &[f64]) -> Vec<Value> {
        v.iter().map(|&f| Value::Float(f)).collect()
    }

    pub(crate) const EXAMPLE: &str = r#"
scenario = "retail.toml"          # relative to the sweep file
[grid]
"agents.chat-team.count" = [10, 12, 14, 16]
"agents.chat-team.capacity.live_chat" = { from = 1, to = 4, step = 1 }
"skill.billing.arrivals.rate" = { from = 0.5, to = 1.5, step = 0.25 }
"routing.accept" = ["auto", "ring"]
"#;

    #[test]
    fn loads_the_example() {
        let (dir, path) = sweep_file("staffing.toml", EXAMPLE);
        let spec = load(&path).unwrap();
        assert_eq!(spec.path, path);
        assert_eq!(spec.name, "staffing");
        assert_eq!(spec.scenario, dir.path().join("retail.toml"));
        assert_eq!(spec.replications, None);
        let paths: Vec<&str> = spec.keys.iter().map(|k| k.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "agents.chat-team.count",
                "agents.chat-team.capacity.live_chat",
                "skill.billing.arrivals.rate",
                "routing.accept"
            ]
        );
        let lines: Vec<usize> = spec.keys.iter().map(|k| k.line).collect();
        assert_eq!(lines, [4, 5, 6, 7]);
        assert_eq!(spec.keys[0].values, ints(&[10, 12, 14, 16]));
        assert_eq!(spec.keys[1].values, ints(&[1, 2, 3, 4]));
        assert_eq!(spec.keys[2].values, floats(&[0.5, 0.75, 1.0, 1.25, 1.5]));
        assert_eq!(
            spec.keys[3].values,
            vec![Value::String("auto".into()), Value::String("ring".into())]
        );
        assert_eq!(spec.len(), 4 * 4 * 5 * 2);
        assert!(!spec.is_empty());
    }

    #[test]
    fn name_replications_and_paths() {
        let spec = load_str(
            "name = \"big-one\"\nreplications = 7\nscenario = \"../base/s.toml\"\n[grid]\n\"simulation.seed\" = [1]\n",
        )
        .unwrap();
        assert_eq!(spec.name, "big-one");
        assert_eq!(spec.replications, Some(7));
        assert!(spec.scenario.ends_with("../base/s.toml"));
        assert_eq!(spec.len(), 1);
        // A bare file name resolves against the current directory.
        let spec = parse_spec(
            Path::new("s.toml"),
            "scenario = \"b.toml\"\n[grid]\n\"routing.x\" = [true, false]\n",
        )
        .unwrap();
        assert_eq!(spec.scenario, PathBuf::from("b.toml"));
        assert_eq!(
            spec.keys[0].values,
            vec![Value::Boolean(true), Value::Boolean(false)]
        );
    }

    #[test]
    fn bad_inputs_name_file_line_and_key() {
        let ok_grid = "[grid]\n\"simulation.a\" = [1]\n";
        load_err(
            &format!("scenario = \"s.toml\"\nscenery = 1\n{ok_grid}"),
            Some(2),
            Some("scenery"),
            "expected one of",
        );
        load_err(
            &format!("scenario = 3\n{ok_grid}"),
            Some(1),
            Some("scenario"),
            "found integer 3",
        );
        load_err(
            &format!("scenario = \"s.toml\"\n\nreplications = 0\n{ok_grid}"),
            Some(3),
            Some("replications"),
            "expected an integer from 1",
        );
        load_err(
            &format!("scenario = \"s.toml\"\nreplications = 2.5\n{ok_grid}"),
            Some(2),
            Some("replications"),
            "found float 2.5",
        );
        load_err(
            &format!("scenario = \"s.toml\"\nname = \"a/b\"\n{ok_grid}"),
            Some(2),
            Some("name"),
            "usable as a directory",
        );
        // The same rules as `simulation.name`: length and control characters.
        load_err(
            &format!(
                "scenario = \"s.toml\"\nname = \"{}\"\n{ok_grid}",
                "x".repeat(300)
            ),
            Some(2),
            Some("name"),
            "300 bytes long",
        );
        load_err(
            &format!("scenario = \"s.toml\"\nname = \"a\\u0000b\"\n{ok_grid}"),
            Some(2),
            Some("name"),
            "control character",
        );
        load_err(ok_grid, None, Some("scenario"), "missing");
        load_err("scenario = \"s.toml\"\n", None, Some("grid"), "missing");
        load_err(
            "scenario = \"s.toml\"\ngrid = 4\n",
            Some(2),
            Some("grid"),
            "expected a table",
        );
        load_err(
            "scenario = \"s.toml\"\n[grid]\n",
            Some(2),
            Some("grid"),
            "empty",
        );
        load_err(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = [1]\n\"simulation.b\" = [1,\n 2, ]x\n",
            Some(5),
            None,
            "invalid TOML",
        );
        load_err(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = [1]\n\"simulation.a\" = [2]\n",
            Some(4),
            None,
            "invalid TOML",
        );

        let grid = |entry: &str| {
            format!("scenario = \"s.toml\"\n[grid]\n\"simulation.ok\" = [1, 2]\n{entry}\n")
        };
        let cases: &[(&str, usize, &str, &str)] = &[
            ("\"simulation.x\" = []", 4, "simulation.x", "empty array"),
            (
                "\"simulation.x\" = 5",
                4,
                "simulation.x",
                "expected an array of values",
            ),
            (
                "\"simulation.x\" = [1, [2]]",
                4,
                "simulation.x",
                "found array",
            ),
            (
                "\"simulation.x\" = [1, { a = 2 }]",
                4,
                "simulation.x",
                "found table",
            ),
            (
                "\"simulation.x\" = [1979-05-27]",
                4,
                "simulation.x",
                "found datetime",
            ),
            ("\"simulation.x\" = [1.0, nan]", 4, "simulation.x", "finite"),
            (
                "\"simulation.x\" = [\"a\",\n \"b\",\n \"a\"]",
                6,
                "simulation.x",
                "duplicate value \"a\"",
            ),
            (
                "\"simulation.x\" = { from = 1, to = 5 }",
                4,
                "simulation.x",
                "missing `step`",
            ),
            (
                "\"simulation.x\" = { to = 5 }",
                4,
                "simulation.x",
                "missing `from`, `step`",
            ),
            (
                "\"simulation.x\" = {}",
                4,
                "simulation.x",
                "missing `from`, `to`, `step`",
            ),
            (
                "\"simulation.x\" = { from = 1, to = 5, step = 0 }",
                4,
                "simulation.x",
                "`step` must be greater than 0",
            ),
            (
                "\"simulation.x\" = { from = 1.0, to = 5, step = -0.5 }",
                4,
                "simulation.x",
                "`step` must be greater than 0",
            ),
            (
                "\"simulation.x\" = { from = 5, to = 1, step = 1 }",
                4,
                "simulation.x",
                "`from` (5) must not be greater than `to` (1)",
            ),
            (
                "\"simulation.x\" = { from = 0.5, to = 0.25, step = 0.1 }",
                4,
                "simulation.x",
                "`from` (0.5) must not be greater than `to` (0.25)",
            ),
            (
                "\"simulation.x\" = { from = \"a\", to = 5, step = 1 }",
                4,
                "simulation.x",
                "`from` must be a number",
            ),
            (
                "\"simulation.x\" = { from = 1, to = 5, step = 1, by = 2 }",
                4,
                "simulation.x",
                "unknown key `by`",
            ),
            (
                "\"simulation.x\" = { from = 1, to = inf, step = 1 }",
                4,
                "simulation.x",
                "finite decimal",
            ),
            (
                "\"simulation.x\" = { from = 1, to = 2, step = 1e-30 }",
                4,
                "simulation.x",
                "decimal places",
            ),
            (
                "agents.team.count = [1, 2]",
                4,
                "agents",
                "quote the whole path: \"agents.team.count\" = [...]",
            ),
            (
                "[grid.skill.billing]\nrate = [1, 2]",
                4,
                "skill",
                "\"skill.billing.rate\"",
            ),
            (
                "\"staff.team.count\" = [1]",
                4,
                "staff.team.count",
                "unknown section `staff`; expected one of `simulation`, `routing`, `skill`, `agents`, `variant`",
            ),
            (
                "\"agents.team\" = [1]",
                4,
                "agents.team",
                "expected `agents.NAME.KEY`",
            ),
            (
                "\"simulation\" = [1]",
                4,
                "simulation",
                "expected a key inside `[simulation]`",
            ),
            (
                "\"agents..count\" = [1]",
                4,
                "agents..count",
                "empty segment",
            ),
            (
                "\"agents.team.name\" = [\"x\"]",
                4,
                "agents.team.name",
                "cannot be swept",
            ),
            (
                "\"agents.team.*\" = [1]",
                4,
                "agents.team.*",
                "`*` is only allowed",
            ),
        ];
        for (entry, line, key, needle) in cases {
            load_err(&grid(entry), Some(*line), Some(key), needle);
        }
    }

    #[test]
    fn unreadable_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.toml");
        let err = load(&path).unwrap_err();
        assert_eq!(err.line, None);
        assert!(
            err.to_string()
                .starts_with(&format!("{}: cannot read sweep file", path.display())),
            "{err}"
        );
    }
}

//! Sweep grids: everything about a sweep that is not running scenarios.
//!
//! This module owns
//!
//! * the sweep file format and its loader ([`load`] → [`SweepSpec`]), with
//!   errors that name the sweep file, the line and the grid key ([`SweepError`]);
//! * grid expansion: exact integer and decimal ranges, the cartesian product
//!   and point numbering ([`SweepSpec::len`], [`SweepSpec::point`]), and the
//!   canonical CSV spelling of a grid value ([`labels`]);
//! * applying a grid value to a parsed scenario by dotted path ([`apply`],
//!   [`check_paths`]);
//! * sharding a sweep over several processes ([`parse_shard`],
//!   [`shard_points`]) and merging the shards' result files back into the
//!   file an unsharded run would have written ([`merge`], [`results_writer`]).
//!
//! It does not read or validate scenarios beyond the structure of the dotted
//! paths: unknown leaf keys are left to the scenario validator.
//!
//! A sweep file looks like this:
//!
//! ```toml
//! scenario = "retail.toml"          # relative to the sweep file
//! name = "retail-staffing"          # optional, defaults to the file stem
//! replications = 20                 # optional, overrides the scenario's count
//! [grid]
//! "agents.chat-team.count" = [10, 12, 14, 16]
//! "agents.chat-team.capacity.live_chat" = { from = 1, to = 4, step = 1 }
//! "skill.billing.arrivals.rate" = { from = 0.5, to = 1.5, step = 0.25 }
//! "routing.accept" = ["auto", "ring"]
//! ```
//!
//! Grid keys are quoted dotted paths into the scenario. Their order in the
//! file is the order of the CSV columns and of the cartesian product: the
//! first key varies slowest.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// The largest number of points a sweep grid (or any single range in it) may
/// have. Larger grids are refused when the sweep file is loaded.
pub const MAX_POINTS: usize = 100_000;

/// Top-level keys a sweep file may contain.
const TOP_LEVEL_KEYS: &str = "`scenario`, `name`, `replications`, `grid`";

/// Scenario sections that are plain tables (`[simulation]`).
const TABLE_SECTIONS: [&str; 2] = ["simulation", "routing"];

/// Scenario sections that are arrays of named tables (`[[skill]]`).
const ARRAY_SECTIONS: [&str; 3] = ["skill", "agents", "variant"];

/// Most decimal places a range literal may have.
const MAX_DECIMAL_PLACES: u32 = 18;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// An error in a sweep file, located as precisely as is known.
///
/// Displays as `{file}:{line}: key `{key}`: {message}`; the `:{line}` part is
/// left out when the line is unknown (e.g. the file cannot be read) and the
/// `key ...: ` part when no key is involved (e.g. a TOML syntax error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SweepError {
    /// The sweep file, as given to [`load`].
    pub file: PathBuf,
    /// 1-based line in the sweep file, when known.
    pub line: Option<usize>,
    /// The sweep-file key (top-level key or grid key) the error is about.
    pub key: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "key `{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

// ---------------------------------------------------------------------------
// Sweep specification
// ---------------------------------------------------------------------------

/// A loaded sweep file.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    /// The sweep file itself, as given to [`load`].
    pub path: PathBuf,
    /// The sweep's name: the `name` key, or the sweep file's stem.
    pub name: String,
    /// The base scenario, resolved relative to the sweep file's directory
    /// (not checked for existence; the caller reads it).
    pub scenario: PathBuf,
    /// The `replications` override, if given (always >= 1).
    pub replications: Option<u32>,
    /// The grid keys in file order; the first varies slowest.
    pub keys: Vec<GridKey>,
}

/// One grid key: a dotted scenario path and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct GridKey {
    /// Dotted path into the scenario, e.g. `agents.chat-team.count`.
    pub path: String,
    /// The values, in order: scalars (integer, float, string or boolean),
    /// non-empty, without duplicates.
    pub values: Vec<toml::Value>,
    /// 1-based line of the key in the sweep file.
    pub line: usize,
}

impl SweepSpec {
    /// Number of grid points: the product of the keys' value counts.
    ///
    /// [`load`] guarantees this is at most [`MAX_POINTS`]; for hand-built
    /// specs the product saturates at `usize::MAX`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys
            .iter()
            .fold(1usize, |acc, k| acc.saturating_mul(k.values.len()))
    }

    /// Whether the grid has no points (only possible for hand-built specs
    /// with a key that has no values).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key/value assignments of point `index` (`0..self.len()`), one per
    /// grid key in key order. Points enumerate the cartesian product with
    /// the first key varying slowest and the last key fastest.
    ///
    /// # Panics
    ///
    /// If `index >= self.len()`.
    #[must_use]
    pub fn point(&self, index: usize) -> Vec<(String, toml::Value)> {
        let len = self.len();
        assert!(
            index < len,
            "sweep point {index} out of range: the grid has {len} points"
        );
        let mut choice = vec![0usize; self.keys.len()];
        let mut rest = index;
        for (slot, key) in choice.iter_mut().zip(&self.keys).rev() {
            let n = key.values.len();
            *slot = rest % n;
            rest /= n;
        }
        self.keys
            .iter()
            .zip(choice)
            .map(|(key, i)| (key.path.clone(), key.values[i].clone()))
            .collect()
    }
}

/// The canonical CSV cell for a grid value.
///
/// * integers: decimal, e.g. `12`, `-3`;
/// * floats: the shortest representation that parses back to the same
///   `f64`, always marked as a float: `0.1`, `2.0`, `1.25`, with an exponent
///   only for very small or large magnitudes (`1e-7`, `1e16`); `nan`, `inf`,
///   `-inf` for non-finite values (which [`load`] never produces);
/// * strings: the bare string (CSV quoting is the writer's business);
/// * booleans: `true` / `false`; datetimes: their TOML form;
/// * arrays and tables (never produced by [`load`]): their inline TOML form.
#[must_use]
pub fn labels(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => format_float(*f),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    }
}

fn format_float(f: f64) -> String {
    if f.is_nan() {
        "nan".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        // `Debug` is the shortest round-trip repr and keeps a `.0` on whole
        // numbers, so floats stay distinguishable from integers.
        format!("{f:?}")
    }
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

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
struct Ctx<'a> {
    file: &'a Path,
    src: &'a str,
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

    fn err(
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

fn parse_spec(path: &Path, src: &str) -> Result<SweepSpec, SweepError> {
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
                DeValue::String(s)
                    if !s.trim().is_empty()
                        && !s.contains(['/', '\\'])
                        && s != "."
                        && s != ".." =>
                {
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

fn describe_de(v: &DeValue<'_>) -> String {
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
    parse_path(key).map_err(|m| err_at(key_span.clone(), m))?;

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

/// A number literal from a range table.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Dec(Decimal),
}

/// An exact decimal `mant * 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    mant: i128,
    scale: u32,
}

impl Decimal {
    /// Parses a TOML float literal (`1.25`, `-0.5`, `1e-3`, `2.5E+2`) exactly.
    fn parse(s: &str) -> Option<Decimal> {
        let s: String = s.chars().filter(|&c| c != '_').collect();
        let (neg, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, &s[..]),
        };
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], body[i + 1..].parse::<i32>().ok()?),
            None => (body, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut mant: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mant = mant.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let mut scale = i64::try_from(frac.len()).ok()? - i64::from(exp);
        // Drop trailing zeros of the fraction so `0.50` and `0.5` agree.
        while scale > 0 && mant % 10 == 0 {
            mant /= 10;
            scale -= 1;
        }
        if scale < 0 {
            mant = mant.checked_mul(pow10(u32::try_from(-scale).ok()?)?)?;
            scale = 0;
        }
        let scale = u32::try_from(scale).ok()?;
        if scale > MAX_DECIMAL_PLACES {
            return None;
        }
        Some(Decimal {
            mant: if neg { -mant } else { mant },
            scale,
        })
    }

    /// The mantissa at a larger scale.
    fn rescale(self, scale: u32) -> Option<i128> {
        self.mant
            .checked_mul(pow10(scale.checked_sub(self.scale)?)?)
    }
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// The `f64` nearest to `mant * 10^-scale` (parsed from its decimal text, so
/// it is exactly what the literal would give).
fn decimal_to_f64(mant: i128, scale: u32) -> f64 {
    let digits = mant.unsigned_abs().to_string();
    let scale = scale as usize;
    let text = if scale == 0 {
        digits
    } else {
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{int}.{frac}")
    };
    let x: f64 = text.parse().unwrap_or(f64::NAN);
    if mant < 0 { -x } else { x }
}

fn parse_range(
    ctx: &Ctx<'_>,
    key: &str,
    span: Range<usize>,
    table: &DeTable<'_>,
) -> Result<Vec<toml::Value>, SweepError> {
    let err_at = |span: Range<usize>, msg: String| ctx.err(Some(span), Some(key), msg);
    let expected = "expected a range like { from = 1, to = 4, step = 1 }";
    // (number, span, literal as written) for `from`, `to`, `step`.
    let mut parts: [Option<(Num, Range<usize>, String)>; 3] = [None, None, None];
    let names = ["from", "to", "step"];
    for (k, v) in table {
        let name: &str = k.get_ref();
        let Some(slot) = names.iter().position(|n| *n == name) else {
            return Err(err_at(
                k.span(),
                format!("unknown key `{name}` in range table; {expected}"),
            ));
        };
        let num = match v.get_ref() {
            DeValue::Integer(i) => {
                Num::Int(i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| {
                    err_at(v.span(), format!("`{name}` = {i} does not fit in 64 bits"))
                })?)
            }
            DeValue::Float(f) => Num::Dec(Decimal::parse(f.as_str()).ok_or_else(|| {
                err_at(
                    v.span(),
                    format!(
                        "`{name}` = {f}: expected a finite decimal number with at most \
                         {MAX_DECIMAL_PLACES} decimal places"
                    ),
                )
            })?),
            other => {
                return Err(err_at(
                    v.span(),
                    format!("`{name}` must be a number, found {}", describe_de(other)),
                ));
            }
        };
        parts[slot] = Some((num, v.span(), ctx.src[v.span()].trim().to_string()));
    }
    let [from, to, step] = parts;
    let missing: Vec<&str> = [&from, &to, &step]
        .iter()
        .zip(names)
        .filter(|(p, _)| p.is_none())
        .map(|(_, n)| n)
        .collect();
    let (Some(from), Some(to), Some(step)) = (from, to, step) else {
        return Err(err_at(
            span,
            format!("range is missing `{}`; {expected}", missing.join("`, `")),
        ));
    };

    // Integers are decimals with scale 0; one float makes the range decimal.
    let integer = [&from, &to, &step]
        .iter()
        .all(|(n, _, _)| matches!(n, Num::Int(_)));
    let dec = |n: Num| match n {
        Num::Int(i) => Decimal {
            mant: i128::from(i),
            scale: 0,
        },
        Num::Dec(d) => d,
    };
    let (df, dt, ds) = (dec(from.0), dec(to.0), dec(step.0));
    let scale = df.scale.max(dt.scale).max(ds.scale);
    let overflow = || {
        err_at(
            span.clone(),
            "range literals are too large to step exactly in decimal".to_string(),
        )
    };
    let f = df.rescale(scale).ok_or_else(overflow)?;
    let t = dt.rescale(scale).ok_or_else(overflow)?;
    let s = ds.rescale(scale).ok_or_else(overflow)?;
    if s <= 0 {
        return Err(err_at(
            step.1,
            format!("`step` must be greater than 0, found {}", step.2),
        ));
    }
    if f > t {
        return Err(err_at(
            span,
            format!(
                "`from` ({}) must not be greater than `to` ({})",
                from.2, to.2
            ),
        ));
    }
    let count = t.checked_sub(f).ok_or_else(overflow)? / s + 1;
    if count > MAX_POINTS as i128 {
        return Err(err_at(
            span,
            format!(
                "the range has {count} values, more than the limit of {MAX_POINTS}; \
                 use a larger step"
            ),
        ));
    }
    // Every value lies between `from` and `to`, so nothing overflows and the
    // integer conversion never fails.
    let values = (0..count).map(|i| f + i * s);
    Ok(if integer {
        values
            .filter_map(|v| i64::try_from(v).ok().map(toml::Value::Integer))
            .collect()
    } else {
        values
            .map(|v| toml::Value::Float(decimal_to_f64(v, scale)))
            .collect()
    })
}

// ---------------------------------------------------------------------------
// Applying grid values to a scenario
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Shards
// ---------------------------------------------------------------------------

/// Parses a shard spec `K/N` (shard K of N, 1-based) with `1 <= K <= N`.
///
/// # Errors
///
/// A message quoting the input when it is not two whole numbers separated by
/// `/`, when N is 0, or when K is not in `1..=N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let shape = "expected K/N with 1 <= K <= N, e.g. `2/4`";
    let Some((k, n)) = s.trim().split_once('/') else {
        return Err(format!("invalid shard `{s}`: {shape}"));
    };
    let parse = |part: &str, what: &str| {
        part.trim().parse::<usize>().map_err(|_| {
            format!(
                "invalid shard `{s}`: {what} `{}` is not a whole number; {shape}",
                part.trim()
            )
        })
    };
    let k = parse(k, "K")?;
    let n = parse(n, "N")?;
    if n == 0 {
        return Err(format!(
            "invalid shard `{s}`: the number of shards N must be at least 1"
        ));
    }
    if k == 0 || k > n {
        return Err(format!(
            "invalid shard `{s}`: K must be between 1 and N = {n}"
        ));
    }
    Ok((k, n))
}

/// The point indices (ascending) that shard `k` of `n` runs out of `len`
/// points: those with `index % n == k - 1`. The shards `1..=n` together
/// cover every point exactly once.
///
/// # Panics
///
/// Unless `1 <= k <= n` (as [`parse_shard`] guarantees).
#[must_use]
pub fn shard_points(len: usize, k: usize, n: usize) -> Vec<usize> {
    assert!(1 <= k && k <= n, "invalid shard {k}/{n}");
    (k - 1..len).step_by(n).collect()
}

// ---------------------------------------------------------------------------
// Merging sharded result files
// ---------------------------------------------------------------------------

/// The CSV writer configuration of sweep result files (LF line endings,
/// quoting only where needed). Runs should write their results with it so
/// that [`merge`] reproduces them byte for byte.
#[must_use]
pub fn results_writer<W: std::io::Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out)
}

/// Merges sharded sweep result files into one.
///
/// Each input is a CSV file with the header
/// `point,<grid keys...>,skill,metric,mean,ci_low,ci_high,replications`.
/// All headers must be identical; a point may appear in only one file; rows
/// must have as many columns as the header. When `expected_points` is
/// `Some(n)`, every point `0..n` must be present and none beyond. Returns the
/// merged CSV (written with [`results_writer`]) with rows sorted by point,
/// keeping each file's row order within a point.
///
/// # Errors
///
/// A message naming the file (and the line, where there is one) when a file
/// cannot be read or parsed, is empty, lacks the `point` header, has a header
/// different from the first file's, has a row with the wrong number of
/// columns or a bad `point`; naming both files when a point appears in two
/// of them; listing up to 10 missing points when `expected_points` is not
/// covered. Malformed input never panics.
pub fn merge(inputs: &[PathBuf], expected_points: Option<usize>) -> Result<Vec<u8>, String> {
    if inputs.is_empty() {
        return Err("no result files to merge".to_string());
    }
    let mut header: Option<(csv::StringRecord, &Path)> = None;
    let mut owner: HashMap<usize, usize> = HashMap::new();
    let mut rows: Vec<(usize, csv::StringRecord)> = Vec::new();

    for (file_idx, path) in inputs.iter().enumerate() {
        let shown = path.display();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|e| format!("{shown}: cannot read: {e}"))?;
        let mut records = reader.records();
        let first = match records.next() {
            None => {
                return Err(format!(
                    "{shown}: empty file; expected a header row starting with `point`"
                ));
            }
            Some(r) => r.map_err(|e| format!("{shown}: {}", csv_error(&e)))?,
        };
        if first.get(0) != Some("point") {
            return Err(format!(
                "{shown}:1: expected a header row starting with `point`, found `{}`",
                join_record(&first)
            ));
        }
        match &header {
            None => header = Some((first.clone(), path)),
            Some((h, from)) => {
                if !h.iter().eq(first.iter()) {
                    return Err(format!(
                        "{shown}:1: header `{}` differs from the header of {}: `{}`",
                        join_record(&first),
                        from.display(),
                        join_record(h)
                    ));
                }
            }
        }
        let columns = first.len();
        for record in records {
            let record = record.map_err(|e| format!("{shown}: {}", csv_error(&e)))?;
            let line = record.position().map_or(0, csv::Position::line);
            if record.len() != columns {
                return Err(format!(
                    "{shown}:{line}: expected {columns} columns as in the header, found {}",
                    record.len()
                ));
            }
            let cell = record.get(0).unwrap_or("");
            let point: usize = cell.trim().parse().map_err(|_| {
                format!("{shown}:{line}: `point` must be a non-negative integer, found `{cell}`")
            })?;
            let first_file = *owner.entry(point).or_insert(file_idx);
            if first_file != file_idx {
                return Err(format!(
                    "point {point} appears in both {} and {shown}",
                    inputs[first_file].display()
                ));
            }
            rows.push((point, record));
        }
    }

    if let Some(n) = expected_points {
        let mut missing: Vec<usize> = (0..n).filter(|p| !owner.contains_key(p)).collect();
        if !missing.is_empty() {
            let count = missing.len();
            missing.truncate(10);
            let list: Vec<String> = missing.iter().map(usize::to_string).collect();
            let more = if count > 10 {
                format!(" and {} more", count - 10)
            } else {
                String::new()
            };
            return Err(format!(
                "{count} of {n} points missing from the merged results: {}{more}",
                list.join(", ")
            ));
        }
        if let Some((&p, &f)) = owner
            .iter()
            .filter(|(p, _)| **p >= n)
            .min_by_key(|(p, _)| **p)
        {
            return Err(format!(
                "{}: point {p} is outside the sweep's {n} points (0..{n})",
                inputs[f].display()
            ));
        }
    }

    // Stable: within a point, rows keep their file's order.
    rows.sort_by_key(|(p, _)| *p);

    let mut writer = results_writer(Vec::new());
    let write_err = |e: csv::Error| format!("cannot write merged results: {e}");
    if let Some((h, _)) = &header {
        writer.write_record(h).map_err(write_err)?;
    }
    for (_, record) in &rows {
        writer.write_record(record).map_err(write_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| format!("cannot write merged results: {}", e.error()))
}

fn join_record(r: &csv::StringRecord) -> String {
    r.iter().collect::<Vec<_>>().join(",")
}

fn csv_error(e: &csv::Error) -> String {
    match e.position() {
        Some(p) => format!("line {}: {e}", p.line()),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fs;
    use toml::Value;

    /// Writes `text` as `name` in a fresh temp dir; returns (dir guard, path).
    fn sweep_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn load_str(text: &str) -> Result<SweepSpec, SweepError> {
        let (_dir, path) = sweep_file("sweep.toml", text);
        load(&path)
    }

    /// Loads `text`, expects an error, and checks it names the file, `line`
    /// and `key` and contains `needle`.
    fn load_err(text: &str, line: Option<usize>, key: Option<&str>, needle: &str) -> SweepError {
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

    fn ints(v: &[i64]) -> Vec<Value> {
        v.iter().map(|&i| Value::Integer(i)).collect()
    }

    fn floats(v: &[f64]) -> Vec<Value> {
        v.iter().map(|&f| Value::Float(f)).collect()
    }

    const EXAMPLE: &str = r#"
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
    fn decimal_ranges_are_exact() {
        let spec = load_str(
            r#"scenario = "s.toml"
[grid]
"simulation.a" = { from = 0.1, to = 1.0, step = 0.1 }
"simulation.b" = { from = 0, to = 0.3, step = 0.1 }
"simulation.c" = { from = 1, to = 2, step = 0.5 }
"simulation.d" = { from = 0, to = 1, step = 0.3 }
"simulation.e" = { from = -0.2, to = 0.2, step = 1e-1 }
"simulation.f" = { from = 0.05, to = 0.1, step = 0.025 }
"#,
        )
        .unwrap();
        let want: Vec<f64> = (1..=10)
            .map(|i| format!("0.{i}").replace("0.10", "1.0").parse().unwrap())
            .collect();
        assert_eq!(spec.keys[0].values, floats(&want));
        assert_eq!(spec.keys[0].values[2], Value::Float(0.3));
        assert_eq!(spec.keys[1].values, floats(&[0.0, 0.1, 0.2, 0.3]));
        assert_eq!(spec.keys[2].values, floats(&[1.0, 1.5, 2.0]));
        assert_eq!(spec.keys[3].values, floats(&[0.0, 0.3, 0.6, 0.9]));
        assert_eq!(spec.keys[4].values, floats(&[-0.2, -0.1, 0.0, 0.1, 0.2]));
        assert_eq!(spec.keys[5].values, floats(&[0.05, 0.075, 0.1]));
        let labels: Vec<String> = spec.keys[0].values.iter().map(labels).collect();
        assert_eq!(
            labels,
            [
                "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"
            ]
        );
    }

    #[test]
    fn integer_ranges_stay_integers() {
        let spec = load_str(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = -3, to = 7, step = 5 }\n\"simulation.b\" = { from = 4, to = 4, step = 1 }\n\"simulation.c\" = { from = 0x10, to = 1_000, step = 500 }\n",
        )
        .unwrap();
        assert_eq!(spec.keys[0].values, ints(&[-3, 2, 7]));
        assert_eq!(spec.keys[1].values, ints(&[4]));
        assert_eq!(spec.keys[2].values, ints(&[16, 516]));
    }

    #[test]
    fn limits() {
        load_err(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = 0, to = 100000, step = 1 }\n",
            Some(3),
            Some("simulation.a"),
            "100001 values",
        );
        // Huge ranges are refused without being expanded.
        load_err(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = -9000000000000000000, to = 9000000000000000000, step = 1 }\n",
            Some(3),
            Some("simulation.a"),
            "18000000000000000001 values",
        );
        load_err(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = 0.0, to = 1e6, step = 0.001 }\n",
            Some(3),
            Some("simulation.a"),
            "1000000001 values",
        );
        // Exactly MAX_POINTS in one range is fine.
        let spec = load_str("scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = 1, to = 100000, step = 1 }\n")
            .unwrap();
        assert_eq!(spec.len(), MAX_POINTS);
        let err = load_err(
            "scenario = \"s.toml\"\n\n[grid]\n\"simulation.a\" = { from = 1, to = 400, step = 1 }\n\"simulation.b\" = { from = 0.5, to = 200, step = 0.5 }\n\"simulation.c\" = [1, 2]\n",
            Some(3),
            Some("grid"),
            "320000 points (400 x 400 x 2)",
        );
        assert!(err.message.contains("100000"), "{err}");
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
            "path separators",
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

    #[test]
    fn error_display_format() {
        let mut e = SweepError {
            file: PathBuf::from("a/s.toml"),
            line: Some(3),
            key: Some("routing.accept".into()),
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "a/s.toml:3: key `routing.accept`: bad");
        e.line = None;
        assert_eq!(e.to_string(), "a/s.toml: key `routing.accept`: bad");
    }

    #[test]
    fn cartesian_order_first_key_slowest() {
        let spec = load_str(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = [1, 2]\n\"simulation.b\" = [\"x\", \"y\", \"z\"]\n\"simulation.c\" = [true, false]\n",
        )
        .unwrap();
        assert_eq!(spec.len(), 12);
        let cell = |p: &[(String, Value)]| {
            p.iter()
                .map(|(_, v)| labels(v))
                .collect::<Vec<_>>()
                .join(",")
        };
        let all: Vec<String> = (0..spec.len()).map(|i| cell(&spec.point(i))).collect();
        assert_eq!(
            all,
            [
                "1,x,true",
                "1,x,false",
                "1,y,true",
                "1,y,false",
                "1,z,true",
                "1,z,false",
                "2,x,true",
                "2,x,false",
                "2,y,true",
                "2,y,false",
                "2,z,true",
                "2,z,false",
            ]
        );
        let keys: Vec<String> = spec.point(5).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["simulation.a", "simulation.b", "simulation.c"]);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn point_out_of_range_panics() {
        let spec = load_str("scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = [1, 2]\n").unwrap();
        let _ = spec.point(2);
    }

    #[test]
    fn canonical_labels() {
        assert_eq!(labels(&Value::Integer(12)), "12");
        assert_eq!(labels(&Value::Integer(-3)), "-3");
        assert_eq!(labels(&Value::Float(0.1)), "0.1");
        assert_eq!(labels(&Value::Float(2.0)), "2.0");
        assert_eq!(labels(&Value::Float(-1.25)), "-1.25");
        assert_eq!(labels(&Value::Float(1e-7)), "1e-7");
        assert_eq!(labels(&Value::Float(f64::NAN)), "nan");
        assert_eq!(labels(&Value::Float(f64::NEG_INFINITY)), "-inf");
        assert_eq!(labels(&Value::String("ring, fast".into())), "ring, fast");
        assert_eq!(labels(&Value::Boolean(false)), "false");
    }

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

    #[test]
    fn shard_parsing() {
        assert_eq!(parse_shard("1/1"), Ok((1, 1)));
        assert_eq!(parse_shard(" 3/4 "), Ok((3, 4)));
        for (bad, needle) in [
            ("0/4", "between 1 and N = 4"),
            ("5/4", "between 1 and N = 4"),
            ("1/0", "at least 1"),
            ("3", "expected K/N"),
            ("a/4", "K `a` is not a whole number"),
            ("1/-2", "N `-2` is not a whole number"),
            ("", "expected K/N"),
        ] {
            let e = parse_shard(bad).unwrap_err();
            assert!(
                e.contains(needle) && e.contains(&format!("`{bad}`")),
                "{bad}: {e}"
            );
        }
        assert_eq!(shard_points(10, 2, 4), [1, 5, 9]);
        assert_eq!(shard_points(2, 4, 4), Vec::<usize>::new());
    }

    proptest! {
        #[test]
        fn shards_cover_every_point_exactly_once(len in 0usize..3000, n in 1usize..40) {
            let mut seen = vec![0u32; len];
            for k in 1..=n {
                let pts = shard_points(len, k, n);
                prop_assert!(pts.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(pts.len() == len / n || pts.len() == len / n + 1);
                for p in pts {
                    prop_assert_eq!(p % n, k - 1);
                    seen[p] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&c| c == 1));
        }

        #[test]
        fn decimal_steps_match_the_exact_decimal(
            from in -5000i64..5000, count in 1i64..60, step in 1i64..5000, places in 1u32..5,
        ) {
            let scale = 10i64.pow(places);
            let lit = |m: i64| {
                let sign = if m < 0 { "-" } else { "" };
                let a = m.unsigned_abs();
                let s = scale as u64;
                format!("{sign}{}.{:0width$}", a / s, a % s, width = places as usize)
            };
            let to = from + (count - 1) * step;
            let text = format!(
                "scenario = \"s.toml\"\n[grid]\n\"simulation.x\" = {{ from = {}, to = {}, step = {} }}\n",
                lit(from), lit(to), lit(step)
            );
            let spec = parse_spec(Path::new("p.toml"), &text).unwrap();
            let got = &spec.keys[0].values;
            prop_assert_eq!(got.len() as i64, count);
            for (i, v) in got.iter().enumerate() {
                let want: f64 = lit(from + i as i64 * step).parse().unwrap();
                prop_assert_eq!(v, &Value::Float(want));
            }
        }
    }

    // ---- merge ----

    const HEADER: &str =
        "point,agents.chat-team.count,routing.accept,skill,metric,mean,ci_low,ci_high,replications";

    /// Rows for `points` points: two skills and two metrics per point.
    fn rows(points: usize) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for p in 0..points {
            for skill in ["billing", "sales, \"west\""] {
                for metric in ["wait_p90", "abandon"] {
                    out.push(vec![
                        p.to_string(),
                        (10 + p).to_string(),
                        "ring".into(),
                        skill.into(),
                        metric.into(),
                        format!("{}.5", p),
                        "0.25".into(),
                        "1e-7".into(),
                        "20".into(),
                    ]);
                }
            }
        }
        out
    }

    fn write_csv(path: &Path, rows: &[&Vec<String>]) {
        let mut w = results_writer(Vec::new());
        w.write_record(HEADER.split(',')).unwrap();
        for r in rows {
            w.write_record(r.iter()).unwrap();
        }
        fs::write(path, w.into_inner().unwrap()).unwrap();
    }

    /// Writes the unsharded file and `n` shard files; returns (full bytes, shard paths).
    fn sharded(dir: &Path, points: usize, n: usize) -> (Vec<u8>, Vec<PathBuf>) {
        let all = rows(points);
        let full = dir.join("full.csv");
        write_csv(&full, &all.iter().collect::<Vec<_>>());
        let mut paths = Vec::new();
        for k in 1..=n {
            let mine: Vec<usize> = shard_points(points, k, n);
            let rows: Vec<&Vec<String>> = all
                .iter()
                .filter(|r| mine.contains(&r[0].parse().unwrap()))
                .collect();
            let path = dir.join(format!("p{points}-shard-{k}-of-{n}.csv"));
            write_csv(&path, &rows);
            paths.push(path);
        }
        (fs::read(full).unwrap(), paths)
    }

    #[test]
    fn merge_round_trips_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        for (points, n) in [(1, 1), (7, 3), (12, 4), (3, 5), (25, 2)] {
            let (full, mut shards) = sharded(dir.path(), points, n);
            assert_eq!(
                merge(&shards, Some(points)).unwrap(),
                full,
                "{points} points / {n} shards"
            );
            shards.reverse();
            assert_eq!(merge(&shards, None).unwrap(), full);
            // Merging an unsharded file is the identity.
            assert_eq!(
                merge(&[dir.path().join("full.csv")], Some(points)).unwrap(),
                full
            );
        }
        let text = String::from_utf8(merge(&[dir.path().join("full.csv")], None).unwrap()).unwrap();
        assert!(
            text.starts_with(&format!("{HEADER}\n0,10,ring,billing,wait_p90,0.5,")),
            "{text}"
        );
        assert!(text.contains("\"sales, \"\"west\"\"\""), "{text}");
    }

    #[test]
    fn merge_keeps_row_order_within_a_point() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        fs::write(&a, format!("{HEADER}\n2,1,x,s,z,1,1,1,1\n0,1,x,s,b,1,1,1,1\n2,1,x,s,a,1,1,1,1\n0,1,x,s,a,1,1,1,1\n")).unwrap();
        fs::write(&b, format!("{HEADER}\n1,1,x,s,q,1,1,1,1\n")).unwrap();
        let out = String::from_utf8(merge(&[a, b], Some(3)).unwrap()).unwrap();
        let metrics: Vec<&str> = out
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(4).unwrap())
            .collect();
        assert_eq!(metrics, ["b", "a", "q", "z", "a"]);
    }

    #[test]
    fn merge_detects_duplicates_and_missing_points() {
        let dir = tempfile::tempdir().unwrap();
        let (_, shards) = sharded(dir.path(), 30, 3);

        // The same shard twice: duplicate naming both files.
        let dup = dir.path().join("again.csv");
        fs::copy(&shards[1], &dup).unwrap();
        let e = merge(&[shards[0].clone(), shards[1].clone(), dup.clone()], None).unwrap_err();
        assert!(
            e.contains(&format!(
                "point 1 appears in both {} and {}",
                shards[1].display(),
                dup.display()
            )),
            "{e}"
        );

        // A shard left out: missing points listed, at most 10.
        let e = merge(&shards[..2], Some(30)).unwrap_err();
        assert!(e.contains("10 of 30 points missing"), "{e}");
        assert!(e.contains("2, 5, 8, 11, 14, 17, 20, 23, 26, 29"), "{e}");
        let e = merge(&shards[1..], Some(30)).unwrap_err();
        assert!(e.contains("0, 3, 6, 9, 12, 15, 18, 21, 24, 27"), "{e}");
        let (_, one_of_six) = sharded(dir.path(), 30, 6);
        let e = merge(&one_of_six[..1], Some(30)).unwrap_err();
        assert!(e.contains("25 of 30 points missing from the merged results: 1, 2, 3, 4, 5, 7, 8, 9, 10, 11 and 15 more"), "{e}");

        // Points beyond the grid.
        let e = merge(&shards, Some(20)).unwrap_err();
        assert!(
            e.contains("point 20 is outside the sweep's 20 points"),
            "{e}"
        );
        merge(&shards, Some(30)).unwrap();
    }

    #[test]
    fn merge_rejects_malformed_input() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let p = dir.path().join(name);
            fs::write(&p, text).unwrap();
            p
        };
        let good = file("good.csv", &format!("{HEADER}\n0,1,x,s,m,1,1,1,1\n"));
        let check = |inputs: &[PathBuf], needles: &[String]| {
            let e = merge(inputs, None).unwrap_err();
            for n in needles {
                assert!(e.contains(n.as_str()), "{e:?} lacks {n:?}");
            }
        };
        let short = file(
            "short.csv",
            &format!("{HEADER}\n1,1,x,s,m,1,1,1,1\n1,1,x,s,m,1\n"),
        );
        check(
            &[good.clone(), short.clone()],
            &[
                format!("{}:3: expected 9 columns", short.display()),
                "found 6".into(),
            ],
        );
        let other = file(
            "other.csv",
            "point,x,skill,metric,mean,ci_low,ci_high,replications\n",
        );
        check(
            &[good.clone(), other.clone()],
            &[
                format!("{}:1: header", other.display()),
                good.display().to_string(),
            ],
        );
        let empty = file("empty.csv", "");
        check(
            &[good.clone(), empty.clone()],
            &[format!("{}: empty file", empty.display())],
        );
        let noheader = file("noheader.csv", "0,1,x,s,m,1,1,1,1\n");
        check(
            std::slice::from_ref(&noheader),
            &[format!("{}:1: expected a header row", noheader.display())],
        );
        let badpoint = file("badpoint.csv", &format!("{HEADER}\n-1,1,x,s,m,1,1,1,1\n"));
        check(
            std::slice::from_ref(&badpoint),
            &[format!(
                "{}:2: `point` must be a non-negative integer, found `-1`",
                badpoint.display()
            )],
        );
        let binary = file("binary.csv", "point,a\n\u{0}\u{1},\"unterminated\n");
        let _ = merge(&[binary], None); // must not panic
        let latin1 = dir.path().join("latin1.csv");
        fs::write(&latin1, b"point,a\n0,\xff\n").unwrap();
        check(
            std::slice::from_ref(&latin1),
            &[latin1.display().to_string()],
        );
        check(
            &[dir.path().join("absent.csv")],
            &["absent.csv: cannot read".into()],
        );
        check(&[], &["no result files".into()]);
        // A header-only shard (no points) merges fine.
        let header_only = file("header-only.csv", &format!("{HEADER}\n"));
        assert_eq!(
            merge(&[good.clone(), header_only], Some(1)).unwrap(),
            fs::read(&good).unwrap()
        );
    }
}

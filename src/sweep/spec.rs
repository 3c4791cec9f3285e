//! The sweep file's data: [`SweepSpec`] (the base scenario, the name, the
//! replications and the grid keys), grid points as the cartesian product of
//! the keys' values ([`SweepSpec::point`]), the canonical CSV spelling of a
//! grid value ([`labels`]) and the located error of a sweep file
//! ([`SweepError`]). Reading the file is [`super::load`]'s business.

use std::fmt;
use std::path::PathBuf;

/// The largest number of points a sweep grid (or any single range in it) may
/// have. Larger grids are refused when the sweep file is loaded.
pub const MAX_POINTS: usize = 100_000;

/// An error in a sweep file, located as precisely as is known.
///
/// Displays as `{file}:{line}: key `{key}`: {message}`; the `:{line}` part is
/// left out when the line is unknown (e.g. the file cannot be read) and the
/// `key ...: ` part when no key is involved (e.g. a TOML syntax error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SweepError {
    /// The sweep file, as given to [`super::load::load`].
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

/// A loaded sweep file.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    /// The sweep file itself, as given to [`super::load::load`].
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
    /// [`super::load::load`] guarantees this is at most [`MAX_POINTS`]; for hand-built
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
///   `-inf` for non-finite values (which [`super::load::load`] never produces);
/// * strings: the bare string (CSV quoting is the writer's business);
/// * booleans: `true` / `false`; datetimes: their TOML form;
/// * arrays and tables (never produced by [`super::load::load`]): their inline TOML form.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::load::tests::load_str;
    use toml::Value;

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
}

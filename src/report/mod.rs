//! Reports: pure functions from results to bytes (CSV files, the printed
//! table, charts of runs, comparisons and sweeps), and writing files whole
//! or not at all.

pub mod charts;
pub mod csv_out;
pub mod publish;
pub mod sweep_charts;
pub mod table;

use std::path::Path;

/// Formats a number for CSV: integers without decimals, others with up to
/// 6 decimals (trailing zeros trimmed), NaN and infinities as empty cells.
/// Deterministic on every platform.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Writes `bytes` to `path` atomically: a fresh temporary file beside it (unique name,
/// created with `O_EXCL`, so a symlink planted there is never followed), then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    publish::write_file(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(-1e-9), "0");
    }
}

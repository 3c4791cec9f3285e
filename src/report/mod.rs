//! Reports: pure functions from results to bytes (CSV files, the printed
//! table, charts of runs, comparisons and sweeps), and writing files whole
//! or not at all.

pub mod charts;
pub mod csv_out;
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

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
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

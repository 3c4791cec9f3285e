//! Reports: pure functions from results to bytes (CSV files, the printed
//! table, charts of runs, comparisons and sweeps), and writing files whole
//! or not at all.

pub mod backtest_charts;
pub mod charts;
pub mod compare_charts;
pub mod compare_table;
pub mod csv_out;
pub mod describe;
pub mod fit_charts;
pub mod html;
pub mod pages;
pub mod publish;
pub mod run_charts;
pub mod sweep_charts;
pub mod table;
pub mod targets;
pub mod xlsx;

use std::path::Path;

/// The columns of one estimate in the long-format files (`summary.csv`,
/// `sweep.csv`), after the columns that say what it is an estimate of.
pub const ESTIMATE_COLUMNS: [&str; 6] = [
    "skill",
    "metric",
    "mean",
    "ci_low",
    "ci_high",
    "replications",
];

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

/// A new temporary file in `dir` named `<prefix><random><suffix>`: a unique
/// name, created exclusively (an existing file or link there is never
/// followed), with the permissions an ordinary new file gets (0666 less the
/// umask), deleted when dropped unless persisted.
///
/// # Errors
///
/// When it cannot be created.
pub fn temp_file_in(
    dir: &Path,
    prefix: &(impl AsRef<std::ffi::OsStr> + ?Sized),
    suffix: &str,
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// Writes `bytes` to `path` atomically: a fresh temporary file beside it (unique name,
/// created with `O_EXCL`, so a symlink planted there is never followed), then a rename.
///
/// # Errors
///
/// When the directory cannot be created or the file written or renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    publish::write_file(path, bytes)
}

/// Checks that `dir` (created if missing) can take new files, before any
/// work is done: bad input naming the directory otherwise.
///
/// # Errors
///
/// [`crate::Error::Input`] when the directory cannot be created or written.
pub fn check_writable(dir: &Path) -> crate::error::Result<()> {
    let fail = |e: std::io::Error| {
        crate::Error::input(format!(
            "cannot write to the output directory {}: {e}; choose another with --out",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    temp_file_in(dir, ".ccsim-write-check.", ".tmp").map_err(fail)?;
    Ok(())
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

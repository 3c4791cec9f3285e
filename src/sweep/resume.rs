//! Resuming a sweep: reading an existing results file, checking it was
//! written for the same grid, and finding how much of it to keep — the
//! longest run of complete points, in the order this run writes them, each
//! with every row present and well-formed and ended by a newline. Whatever
//! follows (a point cut off by an interruption, rows of an unexpected point)
//! is cut off by the caller.

use crate::error::{Context, Error};
use crate::metrics::METRICS;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// What to keep of an existing results file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scan {
    /// Complete points at the start of the file (in run order).
    pub complete_points: usize,
    /// Bytes to keep: the header and the complete points (0: start afresh).
    pub keep_bytes: u64,
    /// Data rows after the complete points, to be discarded.
    pub discarded_rows: usize,
}

/// Scans the results file at `path`.
///
/// `header` is the header this sweep writes, `scopes` its scope names
/// (skills, then `all`), and `expected(i)` the `i`-th point this run writes
/// (its index and grid-value labels), `None` past the last one.
///
/// # Errors
///
/// Bad input when the file's header differs from `header` (the file belongs
/// to another sweep); other errors when the file cannot be read.
pub fn scan(
    path: &Path,
    header: &[String],
    scopes: &[String],
    expected: &dyn Fn(usize) -> Option<(usize, Vec<String>)>,
) -> Result<Scan, Error> {
    let shown = path.display();
    let mut f = std::fs::File::open(path).with_context(|| format!("cannot open {shown}"))?;
    let len = f
        .metadata()
        .with_context(|| format!("cannot read {shown}"))?
        .len();
    let ends_with_newline = len > 0 && {
        let mut last = [0u8; 1];
        f.seek(SeekFrom::Start(len - 1))
            .and_then(|_| f.read_exact(&mut last))
            .with_context(|| format!("cannot read {shown}"))?;
        f.seek(SeekFrom::Start(0))
            .with_context(|| format!("cannot read {shown}"))?;
        last[0] == b'\n'
    };
    // A record ending at `end` is whole if a newline follows it.
    let whole = |end: u64| end < len || ends_with_newline;

    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::BufReader::new(f));
    let mut rec = csv::ByteRecord::new();
    let fresh = Scan {
        complete_points: 0,
        keep_bytes: 0,
        discarded_rows: 0,
    };
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        // Empty or unreadable from the start: nothing to keep.
        Ok(false) | Err(_) => return Ok(fresh),
    }
    let header_end = rdr.position().byte();
    if !whole(header_end) {
        // The header itself was cut off: nothing was written after it.
        return Ok(fresh);
    }
    let same_header =
        rec.len() == header.len() && rec.iter().zip(header).all(|(a, b)| a == b.as_bytes());
    if !same_header {
        let found: Vec<String> = rec
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        return Err(Error::input(format!(
            "{shown}:1: cannot resume: the header `{}` differs from this sweep's `{}`; \
             the file was written for another grid. Delete it or run without --resume",
            found.join(","),
            header.join(",")
        )));
    }

    let keys = header.len() - 7;
    let per_point = scopes.len() * METRICS.len();
    let mut keep = header_end;
    let mut complete = 0usize;
    let mut row_in_point = 0usize;
    let mut current = expected(0);
    let mut rows_after = 0usize;
    let mut valid = true;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => {
                // Unparseable rest: count it as one discarded row.
                rows_after += 1;
                break;
            }
        }
        rows_after += 1;
        if !valid {
            continue;
        }
        let ok = current
            .as_ref()
            .is_some_and(|(p, labels)| row_ok(&rec, *p, labels, keys, scopes, row_in_point));
        if !ok {
            valid = false;
            continue;
        }
        row_in_point += 1;
        if row_in_point == per_point {
            let end = rdr.position().byte();
            if !whole(end) {
                valid = false;
                continue;
            }
            keep = end;
            complete += 1;
            row_in_point = 0;
            rows_after = 0;
            current = expected(complete);
        }
    }
    Ok(Scan {
        complete_points: complete,
        keep_bytes: keep,
        discarded_rows: rows_after,
    })
}

/// Whether `rec` is row `r` of point `point` with grid labels `labels`.
fn row_ok(
    rec: &csv::ByteRecord,
    point: usize,
    labels: &[String],
    keys: usize,
    scopes: &[String],
    r: usize,
) -> bool {
    if rec.len() != keys + 7 || labels.len() != keys {
        return false;
    }
    let cell = |i: usize| rec.get(i).unwrap_or_default();
    let text = |i: usize| std::str::from_utf8(cell(i)).unwrap_or("\u{0}");
    let number = |i: usize| cell(i).is_empty() || text(i).parse::<f64>().is_ok_and(f64::is_finite);
    text(0) == point.to_string()
        && labels.iter().enumerate().all(|(k, l)| text(1 + k) == l)
        && text(1 + keys) == scopes[r / METRICS.len()]
        && text(2 + keys) == METRICS[r % METRICS.len()]
        && number(3 + keys)
        && number(4 + keys)
        && number(5 + keys)
        && text(6 + keys).parse::<u32>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        [
            "point",
            "a",
            "skill",
            "metric",
            "mean",
            "ci_low",
            "ci_high",
            "replications",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect()
    }

    fn point_text(p: usize) -> String {
        let mut s = String::new();
        for scope in ["x", "all"] {
            for m in METRICS {
                s.push_str(&format!("{p},{},{scope},{m},0.5,,1,3\n", p * 10));
            }
        }
        s
    }

    fn expected(i: usize) -> Option<(usize, Vec<String>)> {
        (i < 3).then(|| (i, vec![(i * 10).to_string()]))
    }

    fn scan_text(text: &str) -> Result<Scan, Error> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.csv");
        std::fs::write(&p, text).unwrap();
        let scopes = vec!["x".to_string(), "all".to_string()];
        scan(&p, &header(), &scopes, &expected)
    }

    #[test]
    fn keeps_complete_points_and_cuts_the_rest() {
        let head = format!("{}\n", header().join(","));
        let full = format!("{head}{}{}", point_text(0), point_text(1));
        let s = scan_text(&full).unwrap();
        assert_eq!(s.complete_points, 2);
        assert_eq!(s.keep_bytes, full.len() as u64);
        assert_eq!(s.discarded_rows, 0);

        // A point cut in the middle of a row, without a newline.
        let p2 = point_text(2);
        let cut = format!("{full}{}", &p2[..p2.len() / 2 + 3]);
        let s = scan_text(&cut).unwrap();
        assert_eq!((s.complete_points, s.keep_bytes), (2, full.len() as u64));
        assert!(s.discarded_rows > 0);

        // The last point's final newline missing: that point is not whole.
        let s = scan_text(&full[..full.len() - 1]).unwrap();
        assert_eq!(s.complete_points, 1);

        // A point out of order ends what is kept.
        let s = scan_text(&format!("{head}{}{}", point_text(1), point_text(0))).unwrap();
        assert_eq!((s.complete_points, s.keep_bytes), (0, head.len() as u64));

        // A point beyond the expected ones is discarded.
        let extra = format!("{full}{}{}", point_text(2), point_text(3));
        let s = scan_text(&extra).unwrap();
        assert_eq!(s.complete_points, 3);
        assert_eq!(s.discarded_rows, 2 * METRICS.len());

        // A malformed number makes the point incomplete.
        let bad = full.replacen("0.5", "x.5", 1);
        assert_eq!(scan_text(&bad).unwrap().complete_points, 0);
    }

    #[test]
    fn header_checks() {
        assert_eq!(scan_text("").unwrap().keep_bytes, 0);
        assert_eq!(scan_text("point,a,sk").unwrap().keep_bytes, 0);
        let e = scan_text("point,b,skill,metric,mean,ci_low,ci_high,replications\n").unwrap_err();
        match e {
            Error::Input(e) => assert!(e.to_string().contains("another grid"), "{e}"),
            other => panic!("not an input error: {other}"),
        }
    }
}

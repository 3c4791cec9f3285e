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
        let ok = current.as_ref().is_some_and(|(p, labels)| {
            labels.len() == keys
                && row_problem(&rec, header, *p, labels, scopes, row_in_point).is_none()
        });
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

/// Why `rec` is not row `r` of point `point` with grid labels `labels` in a
/// file with the header `header` (the
/// row of scope `scopes[r / METRICS.len()]` and metric
/// `METRICS[r % METRICS.len()]`, with finite numbers), or `None` when it is.
/// `--resume` keeps a point only when every row passes, and `merge --sweep`
/// refuses one that does not.
#[must_use]
pub fn row_problem(
    rec: &csv::ByteRecord,
    header: &[String],
    point: usize,
    labels: &[String],
    scopes: &[String],
    r: usize,
) -> Option<String> {
    let keys = labels.len();
    if rec.len() != keys + 7 {
        return Some(format!(
            "expected {} columns, found {}",
            keys + 7,
            rec.len()
        ));
    }
    let cell = |i: usize| rec.get(i).unwrap_or_default();
    let text = |i: usize| std::str::from_utf8(cell(i)).unwrap_or("\u{0}");
    let number = |i: usize| cell(i).is_empty() || text(i).parse::<f64>().is_ok_and(f64::is_finite);
    let Some(scope) = scopes.get(r / METRICS.len()) else {
        return Some(format!(
            "more rows than the {} a point has",
            scopes.len() * METRICS.len()
        ));
    };
    let metric = METRICS[r % METRICS.len()];
    let found = |i: usize| String::from_utf8_lossy(cell(i)).into_owned();
    if text(0) != point.to_string() {
        return Some(format!("expected point {point}, found `{}`", found(0)));
    }
    if let Some(k) = (0..keys).find(|&k| text(1 + k) != labels[k]) {
        return Some(format!(
            "`{}` is `{}`, expected `{}`",
            header.get(1 + k).map_or("a grid value", String::as_str),
            found(1 + k),
            labels[k]
        ));
    }
    if text(1 + keys) != scope || text(2 + keys) != metric {
        return Some(format!(
            "expected the row of skill `{scope}`, metric `{metric}`, found `{}`, `{}` \
             (a row is missing or out of order)",
            found(1 + keys),
            found(2 + keys)
        ));
    }
    let names = ["mean", "ci_low", "ci_high"];
    if let Some(i) = (0..3).find(|&i| !number(3 + keys + i)) {
        return Some(format!(
            "`{}` is `{}`, not a finite number",
            names[i],
            found(3 + keys + i)
        ));
    }
    if text(6 + keys).parse::<u32>().is_err() {
        return Some(format!(
            "`replications` is `{}`, not a whole number",
            found(6 + keys)
        ));
    }
    None
}

/// Checks the rows of one point of a file with the header `header` as
/// `--resume` does: every row in order ([`row_problem`]) and none missing.
///
/// # Errors
///
/// The index (in `rows`) of the first bad row, or `rows.len()` when rows are
/// missing at the end, and what is wrong.
pub fn check_point(
    rows: &[&csv::ByteRecord],
    header: &[String],
    point: usize,
    labels: &[String],
    scopes: &[String],
) -> Result<(), (usize, String)> {
    for (r, rec) in rows.iter().enumerate() {
        if let Some(why) = row_problem(rec, header, point, labels, scopes, r) {
            return Err((r, why));
        }
    }
    let want = scopes.len() * METRICS.len();
    if rows.len() < want {
        return Err((
            rows.len(),
            format!(
                "{} of its {want} rows are present; the point is incomplete",
                rows.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        ["point", "a"]
            .iter()
            .chain(&crate::report::ESTIMATE_COLUMNS)
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
    fn check_point_says_what_is_wrong() {
        let scopes = vec!["x".to_string(), "all".to_string()];
        let check = |text: &str| {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            let recs: Vec<csv::ByteRecord> = rdr.byte_records().map(Result::unwrap).collect();
            let refs: Vec<&csv::ByteRecord> = recs.iter().collect();
            check_point(&refs, &header(), 1, &["10".to_string()], &scopes)
        };
        let good = point_text(1);
        assert_eq!(check(&good), Ok(()));
        let lines: Vec<&str> = good.lines().collect();
        let n = lines.len();
        let cut = format!("{}\n", lines[..n - 2].join("\n"));
        assert_eq!(
            check(&cut),
            Err((
                n - 2,
                format!(
                    "{} of its {n} rows are present; the point is incomplete",
                    n - 2
                )
            ))
        );
        let mut gap = lines.clone();
        gap.remove(1);
        let e = check(&format!("{}\n", gap.join("\n"))).unwrap_err();
        assert_eq!(e.0, 1);
        assert!(e.1.contains("a row is missing or out of order"), "{e:?}");
        let abc = good.replacen("1,10,", "1,abc,", 1);
        assert_eq!(
            check(&abc),
            Err((0, "`a` is `abc`, expected `10`".to_string()))
        );
        let nan = good.replacen("0.5", "NaN", 1);
        assert_eq!(
            check(&nan),
            Err((0, "`mean` is `NaN`, not a finite number".to_string()))
        );
        let other = good.replacen("1,10,", "2,10,", 1);
        assert_eq!(
            check(&other),
            Err((0, "expected point 1, found `2`".to_string()))
        );
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

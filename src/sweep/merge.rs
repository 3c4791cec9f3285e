//! Merging the result files of a sharded sweep back into the file an
//! unsharded run would have written ([`merge`], and [`merge_checked`], which
//! also checks every point's rows), and the CSV writer configuration every
//! sweep results file is written with ([`results_writer`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::resume;
use super::run;
use super::spec::SweepSpec;

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
/// covered, or when a file does not end with a newline (its last row was
/// cut off). Malformed input never panics.
pub fn merge(inputs: &[PathBuf], expected_points: Option<usize>) -> Result<Vec<u8>, String> {
    merge_checked(inputs, expected_points, &|_, _| Ok(()))
}

/// Checks the rows of one point (its index and its rows in file order):
/// `Err((i, why))` names the first bad row `i` (or `rows.len()` when rows
/// are missing at the end) and what is wrong.
pub type PointCheck<'a> = dyn Fn(usize, &[&csv::ByteRecord]) -> Result<(), (usize, String)> + 'a;

/// [`merge`], with every point's rows checked by `check` before anything is
/// written.
///
/// # Errors
///
/// Those of [`merge`]; and when `check` refuses a point, a message naming
/// the file that holds it, the line, the point and what is wrong.
pub fn merge_checked(
    inputs: &[PathBuf],
    expected_points: Option<usize>,
    check: &PointCheck<'_>,
) -> Result<Vec<u8>, String> {
    if inputs.is_empty() {
        return Err("no result files to merge".to_string());
    }
    let mut header: Option<(csv::StringRecord, &Path)> = None;
    let mut owner: HashMap<usize, usize> = HashMap::new();
    let mut rows: Vec<(usize, csv::StringRecord)> = Vec::new();

    for (file_idx, path) in inputs.iter().enumerate() {
        let shown = path.display();
        let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
        if bytes.last().is_some_and(|&b| b != b'\n') {
            let line = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(format!(
                "{shown}:{line}: the last row is cut off (the file does not end with a newline)"
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
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
    for group in rows.chunk_by(|a, b| a.0 == b.0) {
        let point = group[0].0;
        let records: Vec<&csv::ByteRecord> =
            group.iter().map(|(_, r)| r.as_byte_record()).collect();
        if let Err((i, why)) = check(point, &records) {
            let file = inputs[owner[&point]].display();
            let line = match group.get(i) {
                Some((_, r)) => r.position().map_or(0, csv::Position::line),
                // Rows missing after the last one: the line after it.
                None => group[group.len() - 1]
                    .1
                    .position()
                    .map_or(0, |p| p.line() + 1),
            };
            return Err(format!("{file}:{line}: point {point}: {why}"));
        }
    }

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

/// Merges the result files of the sweep `spec` whose results have the
/// scopes `scopes` (its skills, then `all`): the headers must be `spec`'s,
/// every point of the grid must be present once, and every point's rows are
/// checked as `--resume` checks them ([`resume::check_point`]): each scope and
/// metric in order, the point's grid values, finite numbers, none missing.
///
/// # Errors
///
/// Those of [`merge_checked`]; a header that is not `spec`'s names the file
/// and both headers.
pub fn merge_sweep(
    inputs: &[PathBuf],
    spec: &SweepSpec,
    scopes: &[String],
) -> Result<Vec<u8>, String> {
    let want = run::header(spec);
    for path in inputs {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        if let Some(Ok(first)) = reader.records().next() {
            if first.get(0) == Some("point") && !first.iter().eq(want.iter()) {
                return Err(format!(
                    "{}:1: the results' header `{}` does not match the grid of {}: expected `{}`",
                    path.display(),
                    join_record(&first),
                    spec.path.display(),
                    want.join(",")
                ));
            }
        }
    }
    merge_checked(inputs, Some(spec.len()), &|point, rows| {
        resume::check_point(rows, &want, point, &run::point_labels(spec, point), scopes)
    })
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
    use crate::sweep::shard::shard_points;
    use std::fs;

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

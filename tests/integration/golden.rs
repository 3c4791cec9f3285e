//! Golden snapshots: the output files of short runs of every scenario in
//! `scenarios/` (with `--trace`), of `compare` on the scenarios that have
//! variants, of the example sweep and of a staffing search, compared byte
//! for byte with the files under `tests/golden/`.
//!
//! A refactoring must leave every byte as it is. When a change of
//! behaviour is deliberate, regenerate the snapshots and say in the commit
//! why the numbers changed:
//!
//! ```sh
//! CCSIM_BLESS=1 cargo test golden
//! ```
//!
//! Images (PNG) are not compared; SVG charts are.

use crate::common::root;
use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Shortens a scenario's measured period so the snapshots stay quick.
fn shorten(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("horizon =") || t.starts_with("horizon=") {
                "horizon = \"1d\"".to_string()
            } else if t.starts_with("warmup =") || t.starts_with("warmup=") {
                "warmup = \"3h\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Runs the binary in `cwd` and returns its stdout; panics on failure.
fn ccsim(cwd: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("ccsim")
        .unwrap()
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ccsim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Lines naming the (temporary) output paths and wall-clock times differ
    // from run to run.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("wrote ") && !l.starts_with("charts: "))
        // Wall-clock times differ from run to run.
        .map(|l| match l.find(" in ") {
            Some(i) if l.starts_with("ran ") => l[..i].to_string(),
            _ => l.to_string(),
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Every compared file below `dir` as (relative path, bytes), sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if p.extension().is_none_or(|x| x != "png") {
                let rel = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut v);
    }
    v.sort();
    v
}

/// Compares `actual` (a directory of outputs) with `tests/golden/<name>`, or
/// rewrites the snapshot when `CCSIM_BLESS` is set.
fn check(name: &str, actual: &Path) {
    let golden: PathBuf = root().join("tests").join("golden").join(name);
    let got = files(actual);
    assert!(!got.is_empty(), "{name}: no output files");
    if std::env::var_os("CCSIM_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
        for (rel, bytes) in &got {
            let p = golden.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        return;
    }
    let want = files(&golden);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&got),
        names(&want),
        "{name}: the set of output files changed"
    );
    for ((rel, a), (_, b)) in got.iter().zip(&want) {
        if a != b {
            let at = a
                .iter()
                .zip(b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let line = a[..at].iter().filter(|&&c| c == b'\n').count() + 1;
            panic!(
                "{name}/{rel}: differs from the golden snapshot at byte {at} (line {line}); \
                 if the change is deliberate, run CCSIM_BLESS=1 cargo test golden and say why in the commit"
            );
        }
    }
}

/// A run of one scenario file (shortened, 2 replications, traced), and
/// `compare` when it has variants.
fn scenario_snapshot(stem: &str) {
    let src = root().join("scenarios").join(format!("{stem}.toml"));
    let text = std::fs::read_to_string(&src).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let file = format!("{stem}.toml");
    std::fs::write(tmp.path().join(&file), shorten(&text)).unwrap();
    let common = [
        "--replications",
        "2",
        "--seed",
        "5",
        "--threads",
        "2",
        "--trace",
    ];

    let out = tmp.path().join("run");
    let mut args = vec!["run", file.as_str(), "--out", "run"];
    args.extend(common);
    let table = ccsim(tmp.path(), &args);
    std::fs::write(out.join("stdout.txt"), table).unwrap();
    check(&format!("run-{stem}"), &out);

    if text.contains("[[variant]]") {
        let out = tmp.path().join("compare");
        let mut args = vec!["compare", file.as_str(), "--out", "compare"];
        args.extend(common);
        let table = ccsim(tmp.path(), &args);
        std::fs::write(out.join("stdout.txt"), table).unwrap();
        check(&format!("compare-{stem}"), &out);
    }
}

#[test]
fn golden_example() {
    scenario_snapshot("example");
}

#[test]
fn golden_modes() {
    scenario_snapshot("modes");
}

#[test]
fn golden_style_live_chat() {
    scenario_snapshot("style_live_chat");
}

#[test]
fn golden_style_returning() {
    scenario_snapshot("style_returning");
}

#[test]
fn golden_style_social() {
    scenario_snapshot("style_social");
}

#[test]
fn golden_retry() {
    scenario_snapshot("retry");
}

#[test]
fn golden_weekday() {
    scenario_snapshot("weekday");
}

#[test]
fn golden_count_profile() {
    scenario_snapshot("count_profile");
}

#[test]
fn golden_covers_every_scenario() {
    let here = std::fs::read_to_string(root().join("tests/integration/golden.rs")).unwrap();
    for p in crate::common::scenario_files() {
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            here.contains(&format!("scenario_snapshot(\"{stem}\")")),
            "scenarios/{stem}.toml has no golden snapshot"
        );
    }
}

#[test]
fn golden_sweep_and_staff() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["erlang-base.toml", "staffing.toml"] {
        let text = std::fs::read_to_string(root().join("scenarios/sweeps").join(f)).unwrap();
        std::fs::write(tmp.path().join(f), text).unwrap();
    }
    let table = ccsim(
        tmp.path(),
        &[
            "sweep",
            "staffing.toml",
            "--out",
            "sweep",
            "--replications",
            "2",
            "--threads",
            "2",
        ],
    );
    std::fs::write(tmp.path().join("sweep").join("stdout.txt"), table).unwrap();
    check("sweep-staffing", &tmp.path().join("sweep"));

    let table = ccsim(
        tmp.path(),
        &[
            "staff",
            "erlang-base.toml",
            "--target",
            "service_level>=0.8",
            "--out",
            "staff",
            "--replications",
            "4",
            "--threads",
            "2",
        ],
    );
    std::fs::create_dir_all(tmp.path().join("staff")).unwrap();
    std::fs::write(tmp.path().join("staff").join("stdout.txt"), table).unwrap();
    check("staff-erlang", &tmp.path().join("staff"));

    let table = ccsim(
        tmp.path(),
        &[
            "staff",
            "erlang-base.toml",
            "--target",
            "service_level>=0.8",
            "--per-interval",
            "--out",
            "staff-iv",
            "--replications",
            "3",
            "--threads",
            "2",
        ],
    );
    std::fs::create_dir_all(tmp.path().join("staff-iv")).unwrap();
    std::fs::write(tmp.path().join("staff-iv").join("stdout.txt"), table).unwrap();
    check("staff-erlang-per-interval", &tmp.path().join("staff-iv"));
}

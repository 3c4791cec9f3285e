//! What people open: `report.html` of `run` and `compare` (structure:
//! every chart the command wrote is inline, no external request, names
//! escaped; and in a real browser via [`crate::browser::check_report`]),
//! the charts of `ccsim run`, and `--xlsx`'s `results.xlsx`.

use crate::browser::check_report;
use crate::common::root;
use assert_cmd::Command;
use std::path::Path;

/// A scenario of the examples with a short measured period, and a name
/// that needs escaping in HTML.
fn short(stem: &str, dir: &Path) -> String {
    let text = std::fs::read_to_string(root().join("scenarios").join(format!("{stem}.toml")))
        .unwrap()
        .lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("horizon =") {
                "horizon = \"1d\"".to_string()
            } else if t.starts_with("warmup =") {
                "warmup = \"3h\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let file = format!("{stem}.toml");
    std::fs::write(dir.join(&file), text).unwrap();
    file
}

fn ccsim(cwd: &Path, args: &[&str]) {
    let out = Command::cargo_bin("ccsim")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ccsim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The structural checks of a report page; returns the number of charts.
fn check_structure(dir: &Path) -> usize {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "no doctype");
    assert!(html.trim_end().ends_with("</html>"), "not closed");
    let mut svgs: Vec<String> = std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    svgs.sort();
    assert!(!svgs.is_empty(), "no chart written");
    for name in &svgs {
        assert!(
            html.contains(&format!("<figcaption>charts/{name}</figcaption>")),
            "{name} missing from report.html"
        );
    }
    assert_eq!(html.matches("<figure").count(), svgs.len());
    assert_eq!(html.matches("<svg").count(), svgs.len());
    let outside = html.replace("http://www.w3.org/2000/svg", "");
    let outside = outside.replace("http://www.w3.org/1999/xlink", "");
    for banned in ["<script", "http://", "https://", "<link", "<?xml", "<img"] {
        assert!(!outside.contains(banned), "report.html contains {banned}");
    }
    assert!(html.contains("cenario</h2>"), "no scenario section");
    assert!(
        !html.contains(&root().display().to_string()),
        "absolute path"
    );
    svgs.len()
}

#[test]
fn run_writes_its_charts_report_and_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let file = short("modes", tmp.path());
    ccsim(
        tmp.path(),
        &[
            "run",
            &file,
            "--out",
            "out",
            "--replications",
            "2",
            "--seed",
            "3",
            "--xlsx",
        ],
    );
    let dir = tmp.path().join("out/modes");
    for stem in [
        "intraday_offered",
        "intraday_service_level",
        "intraday_asa",
        "intraday_queue_mean",
        "intraday_agents_online",
        "occupancy_by_group",
        "concurrency_by_group",
        "occupancy_by_group_over_time",
        "concurrency_by_group_over_time",
        "first_response_cdf",
        "next_response_cdf",
        "next_response_cdf_messaging",
    ] {
        assert!(
            dir.join("charts").join(format!("{stem}.svg")).is_file(),
            "charts/{stem}.svg missing"
        );
    }
    let n = check_structure(&dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<th>metric</th>") && html.contains("<td>service level</td>"));
    check_report(&dir.join("report.html"), n);

    // A zip holding the five kinds of sheet.
    let bytes = std::fs::read(dir.join("results.xlsx")).unwrap();
    assert_eq!(&bytes[..4], b"PK\x03\x04", "not a zip");
    // The zip's file names are stored uncompressed: one worksheet each for
    // summary, intervals, agents and groups, and one per agent group (4 in modes).
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("xl/workbook.xml"));
    for k in 1..=8 {
        assert!(
            text.contains(&format!("xl/worksheets/sheet{k}.xml")),
            "sheet {k} missing"
        );
    }
    assert!(!text.contains("xl/worksheets/sheet9.xml"), "an extra sheet");
    // Without --xlsx there is no workbook.
    ccsim(
        tmp.path(),
        &["run", &file, "--out", "plain", "--replications", "2"],
    );
    assert!(!tmp.path().join("plain/modes/results.xlsx").exists());
    assert!(tmp.path().join("plain/modes/report.html").is_file());
}

#[test]
fn compare_report_holds_the_differences_and_escapes_names() {
    let tmp = tempfile::tempdir().unwrap();
    let file = short("modes", tmp.path());
    // A variant name that must be escaped.
    let text = std::fs::read_to_string(tmp.path().join(&file)).unwrap();
    let text = text.replacen("name = \"blended\"", "name = \"blended <b>&\"", 1);
    assert!(
        text.contains("blended <b>&"),
        "modes.toml has a `blended` variant"
    );
    std::fs::write(tmp.path().join(&file), text).unwrap();
    ccsim(
        tmp.path(),
        &[
            "compare",
            &file,
            "--out",
            "out",
            "--replications",
            "2",
            "--xlsx",
        ],
    );
    let dir = tmp.path().join("out/modes");
    let n = check_structure(&dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("blended &lt;b&gt;&amp;"));
    assert!(!html.contains("<b>&"));
    assert!(html.contains("<th>Δ two_login</th>") || html.contains("<th>Δ "));
    assert!(html.contains("paired differences"));
    assert!(dir.join("results.xlsx").is_file());
    check_report(&dir.join("report.html"), n);
}

#[test]
fn sweep_and_staff_reports_hold_their_tables_and_charts() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["erlang-base.toml", "staffing.toml"] {
        let text = std::fs::read_to_string(root().join("scenarios/sweeps").join(f)).unwrap();
        std::fs::write(tmp.path().join(f), text).unwrap();
    }
    ccsim(
        tmp.path(),
        &[
            "sweep",
            "staffing.toml",
            "--out",
            "sweep",
            "--replications",
            "2",
        ],
    );
    let dir = std::fs::read_dir(tmp.path().join("sweep"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .expect("the sweep's directory");
    let n = check_structure(&dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<h2>Results (sweep.csv)</h2>") && html.contains("<h2>Swept keys</h2>"));
    let points = std::fs::read_to_string(dir.join("sweep.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    // One row per sweep.csv row, up to the page's cap of 1000.
    assert_eq!(
        html.matches("<tr>").count(),
        1 + points.min(1000),
        "one row per sweep.csv row"
    );
    if points > 1000 {
        assert!(html.contains(&format!("The first 1000 of {points} rows")));
    }
    check_report(&dir.join("report.html"), n);

    ccsim(
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
        ],
    );
    let dir = std::fs::read_dir(tmp.path().join("staff"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .expect("the staff directory");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<h2>Scenario</h2>"));
    assert!(
        html.contains("<li>service_level&gt;=0.8</li>"),
        "the target, escaped"
    );
    let rows = std::fs::read_to_string(dir.join("staffing.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(html.matches("<tr>").count(), 1 + rows);
    assert!(!html.contains("<script") && !html.contains("https://"));
    check_report(&dir.join("report.html"), 0);
}

/// `--target` on `run` and `compare`: goal lines on the charts of the
/// metric, thresholds on the response-time distributions, met or not met
/// in the printed and HTML tables; an unknown skill is bad input.
#[test]
fn targets_are_drawn_and_judged() {
    let tmp = tempfile::tempdir().unwrap();
    let file = short("modes", tmp.path());
    let run = |args: &[&str]| {
        Command::cargo_bin("ccsim")
            .unwrap()
            .current_dir(tmp.path())
            .args(args)
            .output()
            .unwrap()
    };
    let base = [file.as_str(), "--replications", "2", "--seed", "3"];
    let goals = ["--target", "service_level>=0.8", "--target", "asa<=45s"];
    for cmd in ["run", "compare"] {
        let out_dir = format!("out-{cmd}");
        let args: Vec<&str> = [cmd]
            .into_iter()
            .chain(base)
            .chain(["--out", &out_dir])
            .chain(goals)
            .collect();
        let out = run(&args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = |t: &str| {
            stdout
                .lines()
                .find(|l| l.trim_start().starts_with(t))
                .unwrap_or_else(|| panic!("{cmd}: no row for {t} in\n{stdout}"))
                .to_string()
        };
        assert!(stdout.contains("\nTargets ("), "{cmd}: {stdout}");
        for t in ["service_level>=0.8", "asa<=45"] {
            let row = line(t);
            assert!(row.ends_with(" met"), "{cmd}: {row}");
            // One verdict per variant (modes has two variants besides the base).
            let n = if cmd == "run" { 1 } else { 3 };
            assert_eq!(row.matches(" met").count(), n, "{cmd}: {row}");
        }
        let dir = tmp.path().join(&out_dir).join("modes");
        let svg = |stem: &str| {
            std::fs::read_to_string(dir.join("charts").join(format!("{stem}.svg"))).unwrap()
        };
        assert!(svg("kpi_service_level").contains("target ≥ 80%"), "{cmd}");
        assert!(
            svg("service_level_over_time").contains("target ≥ 80%"),
            "{cmd}"
        );
        assert!(!svg("kpi_occupancy").contains("target"), "{cmd}");
        assert!(svg("first_response_cdf").contains("target 30s"), "{cmd}");
        if cmd == "run" {
            assert!(svg("intraday_asa").contains("all skills: target ≤ 45s"));
        }
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(html.contains("<h2>Targets</h2>"), "{cmd}");
        assert!(html.contains("<td>service_level&gt;=0.8</td>"), "{cmd}");
    }
    let out = run(&["run", &file, "--out", "bad", "--target", "nosuch:asa<=30s"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no skill `nosuch`") && err.contains("skills: "),
        "{err}"
    );
    let out = run(&["compare", &file, "--out", "bad", "--target", "asa>=30s"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("takes `<=`"));
}

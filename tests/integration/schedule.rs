//! Shift plans (`ccsim schedule`, SPEC §12): the integer program's optimum
//! on a hand-made requirement curve, a plan that simulated again with other
//! seeds still meets its targets, the same files whatever `--threads`, and
//! bad `SHIFTS.toml` input exiting 2 with file, line and key.

use assert_cmd::Command;
use ccsim::schedule::{ilp, plan, shifts};
use ccsim::sweep::base::Base;
use std::path::Path;
use std::process::Output;

/// An Erlang C day (one exchange, capacity 1, no abandonment), busy from
/// 08:00 to 16:00 only: Monday, hourly intervals, no warm-up.
const DAY: &str = r#"[simulation]
name = "day"
horizon = "1d"
warmup = "0s"
replications = 4
seed = 3
interval = "1h"

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { profile = [0, 0, 0, 0, 0, 0, 0, 0, 40, 60, 60, 40, 20, 20, 20, 20, 0, 0, 0, 0, 0, 0, 0, 0], per = "1h" }
exchanges = { dist = "deterministic", value = 1 }
agent_reply = { dist = "exponential", mean = "2m" }
service_level = "30s"

[[agents]]
name = "team"
count = 5
skills = ["chat"]
capacity = { live_chat = 1 }
"#;

/// Three templates on Monday: a morning and an afternoon of 4 hours at 1
/// per hour, a day of 8 hours at 0.9 per hour.
const SHIFTS: &str = r#"group = "team"

[[template]]
name = "morning"
days = "Mon"
start = "08:00"
end = "12:00"

[[template]]
name = "afternoon"
days = "Mon"
start = "12:00"
end = "16:00"

[[template]]
name = "day"
days = "Mon"
start = "08:00"
end = "16:00"
cost = 0.9
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn ccsim(cwd: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("ccsim")
        .expect("the ccsim binary")
        .current_dir(cwd)
        .args(args)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .expect("run ccsim")
}

/// Needs of 3 agents from 08:00 to 12:00 and 1 from 12:00 to 16:00: one
/// `day` agent (7.2) and two `morning` ones (8) cost 15.2, less than three
/// `day` agents (21.6) or three mornings and an afternoon (16).
#[test]
fn a_hand_made_requirement_curve_has_the_known_optimum() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "day.toml", DAY);
    let base = Base::load(&tmp.path().join("day.toml")).unwrap();
    let file = shifts::parse(SHIFTS, "shifts.toml", &base).unwrap();
    let names: Vec<&str> = file.templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["morning", "afternoon", "day"]);
    let starts: Vec<f64> = (0..24).map(|h| f64::from(h) * 3600.0).collect();
    let need = |h: usize| match h {
        8..=11 => 3.0,
        12..=15 => 1.0,
        _ => 0.0,
    };
    let t = &file.templates;
    let problem = ilp::Problem {
        req: (0..24).map(need).collect(),
        cover: t
            .iter()
            .map(|t| starts.iter().map(|&a| plan::cover(t, a, 3600.0)).collect())
            .collect(),
        unit_cost: t
            .iter()
            .map(|t| t.cost * plan::paid_hours(t, 0.0, 86_400.0))
            .collect(),
        availability: 1.0,
    };
    assert_eq!(problem.unit_cost, vec![4.0, 4.0, 0.9 * 8.0]);
    let best = problem.solve().unwrap();
    assert_eq!(best.agents, vec![2, 0, 1]);
    assert!((best.cost - 15.2).abs() < 1e-9, "{}", best.cost);
    assert!(best.lp_bound <= best.cost + 1e-9);
    // With 20% shrinkage the floor needs become 3.75 and 1.25 scheduled.
    let shrunk = ilp::Problem {
        availability: 0.8,
        ..problem
    };
    let p = shrunk.solve().unwrap();
    assert!(shrunk.feasible(&p.agents) && !shrunk.feasible(&best.agents));
}

/// Rows of a CSV file as maps from column to cell.
fn rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn a_plan_meets_its_targets_again_with_other_seeds_and_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "day.toml", DAY);
    write(d, "shifts.toml", SHIFTS);
    let args = |out: &'static str, threads: &'static str| {
        [
            "schedule",
            "day.toml",
            "--shifts",
            "shifts.toml",
            "--target",
            "service_level>=0.8",
            "--out",
            out,
            "--threads",
            threads,
        ]
    };
    let one = ccsim(d, &args("one", "1"));
    assert_eq!(
        one.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let text = String::from_utf8_lossy(&one.stdout).into_owned();
    assert!(text.contains("LP relaxation"), "{text}");
    let two = ccsim(d, &args("two", "2"));
    assert_eq!(two.status.code(), Some(0));
    // The same plan printed, but for the output directory's name.
    let two_text = String::from_utf8_lossy(&two.stdout).replace("two/day", "one/day");
    assert_eq!(text, two_text);
    for f in [
        "schedule.csv",
        "plans.csv",
        "coverage.csv",
        "report.html",
        "charts/coverage.svg",
    ] {
        let a = std::fs::read(d.join("one/day").join(f)).unwrap();
        let b = std::fs::read(d.join("two/day").join(f)).unwrap();
        assert!(a == b, "{f} differs between --threads 1 and 2");
    }
    // The progress files (profiles, plans) are gone once the outputs are
    // written: their rows are in requirements and plans.csv.
    let left: Vec<_> = std::fs::read_dir(d.join("one"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["day"], "{left:?}");
    let dir = d.join("one/day");
    crate::browser::check_report(&dir.join("report.html"), 1);
    let plan = rows(&dir.join("schedule.csv"));
    assert_eq!(plan.len(), 3);
    assert!(
        plan.iter()
            .map(|r| r["agents"].parse::<u32>().unwrap())
            .sum::<u32>()
            > 0
    );
    // The final plan meets every interval with demand, by the CI rule.
    let cov = rows(&dir.join("coverage.csv"));
    assert_eq!(cov.len(), 24);
    assert!(cov.iter().all(|r| r["met"] == "true"), "{cov:?}");

    // The plan as a scenario: valid, and with another seed and more
    // replications no busy interval's service level is significantly
    // below the target (the upper end of its 95% interval reaches it).
    let check = ccsim(&dir, &["check", "scheduled.toml"]);
    assert_eq!(check.status.code(), Some(0));
    let run = ccsim(
        &dir,
        &[
            "run",
            "scheduled.toml",
            "--seed",
            "991",
            "--replications",
            "8",
            "--out",
            "again",
        ],
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let iv = rows(&dir.join("again/day-scheduled/intervals.csv"));
    let busy: Vec<_> = iv
        .iter()
        .filter(|r| r["skill"] == "all" && r["offered"].parse::<f64>().unwrap_or(0.0) > 0.0)
        .collect();
    assert!(busy.len() >= 8, "{}", busy.len());
    for r in busy {
        let hi: f64 = r["service_level_ci_high"].parse().unwrap();
        assert!(hi >= 0.8, "{r:?}");
    }

    // Negative control: the same check fails for a plan with one agent
    // per template.
    let text = std::fs::read_to_string(dir.join("scheduled.toml")).unwrap();
    let thin: String = text
        .lines()
        .map(|l| {
            if l.starts_with("count = ") {
                "count = 1".to_string()
            } else {
                l.replace("day-scheduled", "thin")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    write(&dir, "thin.toml", &thin);
    let run = ccsim(
        &dir,
        &[
            "run",
            "thin.toml",
            "--seed",
            "991",
            "--replications",
            "8",
            "--out",
            "again",
        ],
    );
    assert_eq!(run.status.code(), Some(0));
    let iv = rows(&dir.join("again/thin/intervals.csv"));
    assert!(iv.iter().any(|r| {
        r["skill"] == "all"
            && r["service_level_ci_high"]
                .parse::<f64>()
                .is_ok_and(|hi| hi < 0.8)
    }));
}

/// The example of the README plans `scenarios/modes.toml`: it stays valid.
#[test]
fn the_example_shifts_file_is_valid_for_modes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = Base::load(&root.join("scenarios/modes.toml")).unwrap();
    let file = shifts::load(&root.join("examples/shifts.toml"), &base).unwrap();
    assert_eq!(file.group, "chat-early");
    let early: Vec<(&str, &str)> = file.templates[..3]
        .iter()
        .map(|t| (t.start.as_str(), t.end.as_str()))
        .collect();
    // A list of starts keeps the first start's length (8 hours).
    assert_eq!(
        early,
        [("06:00", "14:00"), ("07:00", "15:00"), ("08:00", "16:00")]
    );
    assert!(file.templates.iter().all(|t| !t.shifts.is_empty()));
}

#[test]
fn bad_shifts_files_exit_2_naming_file_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "day.toml", DAY);
    for (text, want) in [
        (
            SHIFTS.replace("cost = 0.9", "coast = 0.9"),
            "shifts.toml:20: key `template.day.coast`",
        ),
        (
            SHIFTS.replace(
                "days = \"Mon\"\nstart = \"12:00\"",
                "days = \"Funday\"\nstart = \"12:00\"",
            ),
            "shifts.toml:11: key `template.afternoon.days`",
        ),
        (
            SHIFTS.replace("end = \"16:00\"\ncost", "end = \"25:00\"\ncost"),
            "shifts.toml:19: key `template.day.end`",
        ),
        (
            SHIFTS.replace("group = \"team\"", "group = \"nobody\""),
            "shifts.toml:1: key `group`",
        ),
        (
            SHIFTS.replace("cost = 0.9", "cost = -1"),
            "shifts.toml:20: key `template.day.cost`",
        ),
    ] {
        write(d, "shifts.toml", &text);
        let o = ccsim(
            d,
            &[
                "schedule",
                "day.toml",
                "--shifts",
                "shifts.toml",
                "--target",
                "service_level>=0.8",
            ],
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{want}: {err}");
        assert!(err.contains(want), "want {want}, got: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!d.join("output").exists());
    }
    write(d, "shifts.toml", SHIFTS);
    for (extra, want) in [
        (
            ["--target", "nope:service_level>=0.8"],
            "has no skill `nope`",
        ),
        (["--shrinkage", "1"], "--shrinkage 1 must be a share"),
        (["--replications", "1"], "at least 2 replications"),
    ] {
        let mut args = vec!["schedule", "day.toml", "--shifts", "shifts.toml"];
        if extra[0] != "--target" {
            args.extend(["--target", "service_level>=0.8"]);
        }
        args.extend(extra);
        let o = ccsim(d, &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{want}: {err}");
        assert!(err.contains(want), "want {want}, got: {err}");
        assert!(!err.contains("requirements.toml"), "{err}");
    }
}

//! `ccsim backtest` (SPEC §13): simulate a scenario with its event log,
//! fit it, and back-test the fitted scenario against the log — most
//! interval KPIs fall inside the simulated 95% prediction band; a
//! deliberately wrong scenario (effort doubled) falls outside clearly more
//! often (the negative control). The command writes everything or nothing.

use super::common::root;
use assert_cmd::Command;
use ccsim::calibrate::{self, backtest};
use std::path::{Path, PathBuf};

/// The truth: live chat with concurrency and abandonment, staffed by a
/// count profile that changes through the day.
const TRUTH: &str = r#"
[simulation]
name = "bt_truth"
horizon = "2d"
warmup = "0s"
replications = 1
seed = 5
interval = "1h"

[[skill]]
name = "chat"
channel = "live_chat"
style = "live_chat"
arrivals = { profile = [20, 20, 20, 20, 20, 20, 30, 40, 50, 50, 50, 50, 50, 50, 50, 50, 40, 40, 30, 30, 20, 20, 20, 20], per = "1h" }
patience = { dist = "exponential", mean = "2m" }
exchanges = { dist = "geometric", mean = 3 }
consumer_reply = { dist = "exponential", mean = "40s" }
agent_reply = { dist = "exponential", mean = "30s" }
response_sla = "1m"
service_level = "30s"

[[agents]]
name = "desk"
count = { profile = [2, 2, 2, 2, 2, 2, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2], per = "1h" }
skills = ["chat"]
capacity = { live_chat = 2 }
"#;

/// Simulates the truth with `--events`, fits the log and writes the fitted
/// scenario (with its files) into a temporary directory: (dir, log, fitted.toml).
fn simulate_and_fit() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let scn = super::common::scenario(TRUTH);
    let dir = tempfile::tempdir().unwrap();
    let opts = ccsim::runner::RunOptions {
        threads: Some(1),
        events: Some((dir.path().to_path_buf(), Default::default())),
        ..Default::default()
    };
    ccsim::runner::run(&scn, &opts).unwrap();
    let log = dir.path().join("events.csv");
    let options = calibrate::FitOptions {
        interval: 3600.0,
        ..Default::default()
    };
    let fit = calibrate::fit_file(&log, &options).unwrap();
    let fitted = calibrate::output::fitted(&fit);
    for (name, bytes) in &fitted.files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let toml = dir.path().join("fitted.toml");
    std::fs::write(&toml, &fitted.toml).unwrap();
    (dir, log, toml)
}

/// Back-tests `scn` against `log` with 40 replications in 1h intervals.
fn run_backtest(log: &Path, scn: &ccsim::scenario::Scenario) -> backtest::Backtest {
    let f = std::io::BufReader::new(std::fs::File::open(log).unwrap());
    let obs = backtest::observe(f, "events.csv", scn, 3600.0, 86_400.0).unwrap();
    let (replay, notes) = backtest::replay(scn, &obs, 40);
    let sim = ccsim::runner::run(&replay, &Default::default()).unwrap();
    backtest::compare(obs, &sim, notes)
}

#[test]
fn the_fitted_scenario_reproduces_its_log_and_a_wrong_one_does_not() {
    let (_dir, log, toml) = simulate_and_fit();
    let fitted = ccsim::scenario::load(&toml).unwrap();
    let b = run_backtest(&log, &fitted);
    // Two days of 1h intervals, six KPIs: most intervals have every KPI.
    assert!(b.rows.len() > 200, "{} rows", b.rows.len());
    let by = b.by_metric();
    assert!(by.iter().all(|m| m.0 > 30), "every KPI compared: {by:?}");
    let good = b.share_within();
    assert!(
        good >= 0.90,
        "fitted: {:.1}% within the band\n{}",
        100.0 * good,
        backtest::summary_text(&b)
    );
    // The observed KPIs are ccsim's own: the log's first interval with
    // arrivals matches what the run counted.
    let arrived = b.observed.row(8, 0).offered;
    assert!(arrived > 20, "{arrived} arrivals at 08:00");

    // Negative control: agents twice as slow.
    let mut wrong = fitted.clone();
    for s in &mut wrong.skills {
        s.agent_reply = ccsim::scenario::Dist::Exponential { mean: 60.0 };
    }
    let w = run_backtest(&log, &wrong);
    let bad = w.share_within();
    assert!(
        bad < good - 0.15,
        "effort doubled: {:.1}% within vs {:.1}% fitted\n{}",
        100.0 * bad,
        100.0 * good,
        backtest::summary_text(&w)
    );
}

fn ccsim(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("ccsim")
        .expect("the ccsim binary")
        .current_dir(cwd)
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run ccsim")
}

#[test]
fn the_command_writes_csv_charts_and_page_or_nothing() {
    let (dir, log, toml) = simulate_and_fit();
    let d = dir.path();
    let out = d.join("bt");
    let args = [
        "backtest",
        log.to_str().unwrap(),
        toml.to_str().unwrap(),
        "--replications",
        "10",
        "--interval",
        "1h",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = ccsim(&root(), &args);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains("inside the 95% prediction band"),
        "{stdout}"
    );
    assert!(stdout.contains("service_level"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("backtest.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("interval_start,skill,metric,observed,sim_mean,sim_low,sim_high,within")
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row.len(), 8);
    assert!(row[0].starts_with("2024-01-01T"), "{row:?}");
    assert_eq!(row[1], "chat");
    let (lo, hi): (f64, f64) = (row[5].parse().unwrap(), row[6].parse().unwrap());
    assert!(lo <= hi);
    assert!(matches!(row[7], "true" | "false"));
    assert!(out.join("charts/chat.service_level.svg").exists());
    assert!(out.join("charts/chat.asa.png").exists());
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("prediction band") && page.contains("<svg"));
    crate::browser::check_report(&out.join("report.html"), 2);

    // Bad input: a log out of order names file, line and column; exit 2;
    // nothing written.
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        "time,event,conversation,consumer,skill,channel,agent,group,detail\n\
         10,arrived,c1,u1,chat,live_chat,,,\n\
         5,assigned,c1,u1,chat,live_chat,a1,desk,\n",
    )
    .unwrap();
    let out2 = d.join("bt2");
    let o = ccsim(
        &root(),
        &[
            "backtest",
            bad.to_str().unwrap(),
            toml.to_str().unwrap(),
            "--out",
            out2.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.csv:3: column 1 (time)"), "{err}");
    assert!(!out2.exists());
    // A skill the scenario does not have.
    std::fs::write(
        &bad,
        "time,event,conversation,consumer,skill,channel,agent,group,detail\n\
         10,arrived,c1,u1,billing,live_chat,,,\n",
    )
    .unwrap();
    let o = ccsim(
        &root(),
        &[
            "backtest",
            bad.to_str().unwrap(),
            toml.to_str().unwrap(),
            "--out",
            out2.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.csv:2: column 5 (skill)") && err.contains("`billing`"),
        "{err}"
    );
    assert!(!out2.exists());
}

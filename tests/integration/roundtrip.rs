//! The event log of a run (`ccsim run --events`, SPEC §13) and the round
//! trip through `ccsim fit`: the log is ordered, complete and identical for
//! any thread count; simulating with known parameters and fitting the log
//! gives the parameters back within their interval or a stated tolerance.

use super::common::root;
use assert_cmd::Command;
use std::path::Path;
use std::process::Output;

/// Runs `ccsim` with `args` in `cwd`.
fn ccsim(cwd: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("ccsim")
        .expect("the ccsim binary")
        .current_dir(cwd)
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run ccsim")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn events_csv_is_ordered_complete_and_the_same_for_any_thread_count() {
    let scn = root().join("scenarios/style_social.toml");
    let scn = scn.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut logs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let o = ccsim(
            dir.path(),
            &[
                "run",
                scn,
                "--events",
                "--replications",
                "3",
                "--threads",
                threads,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        logs.push(std::fs::read(out.join("style_social/events.csv")).unwrap());
    }
    assert_eq!(
        logs[0], logs[1],
        "events.csv differs between 1 and 2 threads"
    );
    let text = String::from_utf8(logs[0].clone()).unwrap();
    assert!(
        text.starts_with("time,event,conversation,consumer,skill,channel,agent,group,detail\n")
    );
    // The measured period starts after the one-day warm-up, on 2024-01-02,
    // with the staffed agents' logins.
    let first = text.lines().nth(1).unwrap();
    assert_eq!(first, "2024-01-02T00:00:00.000Z,login,,,,,team#0,team,");
    // The calibration reader accepts it: ordered, known events only.
    let mut r = ccsim::calibrate::LogReader::new(logs[0].as_slice(), "events.csv").unwrap();
    let mut kinds = std::collections::BTreeMap::new();
    let mut last = f64::NEG_INFINITY;
    while let Some(e) = r.next_event().unwrap() {
        assert!(e.t >= last);
        last = e.t;
        *kinds.entry(format!("{:?}", e.kind)).or_insert(0u64) += 1;
    }
    assert!(r.unknown_events().is_empty());
    for k in [
        "Arrived",
        "Assigned",
        "ConsumerMessage",
        "AgentMessage",
        "Parked",
        "Solved",
        "Reopened",
        "Closed",
        "Login",
    ] {
        assert!(
            kinds.get(k).copied().unwrap_or(0) > 0,
            "no {k} rows: {kinds:?}"
        );
    }
    // Three measured days (the horizon follows the warm-up).
    assert!(last > 2.9 * 86_400.0 && last <= 3.0 * 86_400.0, "{last}");
}

#[test]
fn events_need_the_flag_and_a_monday_start() {
    let scn = root().join("scenarios/style_live_chat.toml");
    let scn = scn.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = ccsim(
        dir.path(),
        &["run", scn, "--replications", "1", "--out", out],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().join("style_live_chat/events.csv").exists());
    let o = ccsim(
        dir.path(),
        &[
            "run",
            scn,
            "--replications",
            "1",
            "--events",
            "--start",
            "2026-11-03",
            "--out",
            out,
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a Tuesday"), "{}", stderr(&o));
    // Another offset: times carry it, midnight Monday local.
    let o = ccsim(
        dir.path(),
        &[
            "run",
            scn,
            "--replications",
            "1",
            "--events",
            "--start",
            "2026-11-02T00:00:00-05:00",
            "--out",
            out,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("style_live_chat/events.csv")).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(
        row.starts_with("2026-11-0") && row.contains("-05:00,"),
        "{row}"
    );
}

#[test]
fn fit_and_convert_commands_write_everything_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A LivePerson export converted to a log, then fitted.
    let json = super::common::data("calibrate/liveperson.json");
    let log = d.join("lp.csv");
    let o = ccsim(
        d,
        &[
            "log",
            "convert",
            "--from",
            "liveperson",
            json.to_str().unwrap(),
            "--out",
            log.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("time,event,conversation,"), "{text}");
    let o = ccsim(
        d,
        &[
            "log",
            "convert",
            "--from",
            "liveperson",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        text,
        "stdout is the same log"
    );
    let out = d.join("fit");
    let o = ccsim(
        d,
        &[
            "fit",
            log.to_str().unwrap(),
            "--interval",
            "1h",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let toml = std::fs::read_to_string(out.join("fitted.toml")).unwrap();
    assert!(toml.contains("interval = \"1h\""), "{toml}");
    let csv = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    assert!(
        csv.starts_with("skill,group,parameter,estimate,ci_low,ci_high,method,n,goodness_of_fit\n")
    );
    // The fitted scenario is one `ccsim check` accepts.
    let o = ccsim(d, &["check", out.join("fitted.toml").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Bad input: file, line and column, exit 2, nothing written.
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        "time,event,conversation,consumer,skill,channel,agent,group,detail\n\
         10,arrived,c1,u1,billing,live_chat,,,\n\
         5,assigned,c1,u1,billing,live_chat,a1,team,\n",
    )
    .unwrap();
    let out2 = d.join("fit2");
    let o = ccsim(
        d,
        &[
            "fit",
            bad.to_str().unwrap(),
            "--out",
            out2.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.csv:3: column 1 (time)"),
        "{}",
        stderr(&o)
    );
    assert!(!out2.exists());
    let o = ccsim(
        d,
        &[
            "fit",
            bad.to_str().unwrap(),
            "--interval",
            "7m",
            "--out",
            out2.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--interval"), "{}", stderr(&o));
    let broken = d.join("broken.json");
    std::fs::write(&broken, "{\"conversationHistoryRecords\": [}").unwrap();
    let o = ccsim(
        d,
        &[
            "log",
            "convert",
            "--from",
            "liveperson",
            broken.to_str().unwrap(),
            "--out",
            d.join("x.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("broken.json:1"), "{}", stderr(&o));
    assert!(!d.join("x.csv").exists());
}

//! `ccsim compare` and the staffing modes it compares (SPEC §3, §8): common
//! random numbers across variants, each mode's capacity and login rules,
//! per-login reports of two_login agents, the files and charts `compare`
//! writes, exact zero differences for an identical variant, and the error
//! for a scenario without variants.

use crate::common;
use assert_cmd::Command;
use ccsim::runner::{self, RunOptions, RunResult};
use ccsim::scenario::Scenario;
use ccsim::sim::{Sim, TraceRow, TraceSink};
use std::collections::BTreeMap;
use std::path::Path;

/// Collects the trace rows of one replication.
#[derive(Default)]
struct Rows(Vec<Row>);

/// The fields of a trace row the tests look at.
#[derive(Clone, Debug)]
struct Row {
    skill: String,
    arrival: f64,
    end: f64,
    state: String,
    queue_time: f64,
    agent: String,
}

impl TraceSink for Rows {
    fn row(&mut self, r: &TraceRow<'_>) {
        self.0.push(Row {
            skill: r.skill.to_string(),
            arrival: r.arrival,
            end: r.end,
            state: r.state.to_string(),
            queue_time: r.queue_time,
            agent: r.agent.clone(),
        });
    }
}

/// Runs replication `rep` of `scn`, returning its trace rows.
fn trace(scn: &Scenario, rep: u32) -> Vec<Row> {
    let mut sink = Rows::default();
    Sim::new(scn, rep, Some(&mut sink)).run();
    sink.0
}

/// Runs a scenario (or one of its variants) through the runner.
fn run(scn: &Scenario, variant: &str) -> RunResult {
    runner::run(
        scn,
        &RunOptions {
            threads: Some(1),
            trace_dir: None,
            variant: Some(variant.to_string()),
            ..RunOptions::default()
        },
    )
    .unwrap()
}

/// Two skills (one per channel), no returns or transfers; the base has 3
/// dedicated agents, variant `more` 6 dedicated agents, variant `blended`
/// 3 blended agents.
const CRN: &str = r#"
[simulation]
horizon = "6h"
warmup = "0s"
replications = 3
seed = 11

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { profile = [40, 90, 60], per = "2h" }
patience = { dist = "exponential", mean = "2m" }
exchanges = { dist = "geometric", mean = 3 }
consumer_reply = { dist = "exponential", mean = "30s" }
agent_reply = { dist = "exponential", mean = "30s" }

[[skill]]
name = "messaging"
channel = "messaging"
style = "social_messaging"
arrivals = { rate = 20, per = "1h" }
exchanges = { dist = "geometric", mean = 2 }
consumer_reply = { dist = "exponential", mean = "5m" }
agent_reply = { dist = "exponential", mean = "1m" }

[[agents]]
name = "chat"
count = 2
skills = ["chat"]
capacity = { live_chat = 2 }

[[agents]]
name = "msg"
count = 1
skills = ["messaging"]
capacity = { messaging = 4 }

[[variant]]
name = "more"
agents = [{ name = "chat", count = 4, skills = ["chat"], capacity = { live_chat = 2 } },
          { name = "msg", count = 2, skills = ["messaging"], capacity = { messaging = 4 } }]

[[variant]]
name = "blended"
agents = [{ name = "all", count = 3, mode = "blended", skills = ["chat", "messaging"],
            capacity = { live_chat = 2, messaging = 3, total = 4 } }]
"#;

/// Arrival times per skill, sorted.
fn arrivals(rows: &[Row]) -> BTreeMap<String, Vec<f64>> {
    let mut m: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in rows {
        m.entry(r.skill.clone()).or_default().push(r.arrival);
    }
    for v in m.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    m
}

#[test]
fn variants_see_the_same_arrivals() {
    let scn = common::scenario(CRN);
    let variants: Vec<Scenario> = scn.variants.iter().map(|v| scn.with_variant(v)).collect();
    for rep in 0..scn.replications {
        let base = arrivals(&trace(&scn, rep));
        assert_eq!(base.len(), 2, "both skills have arrivals");
        assert!(base.values().all(|v| v.len() > 50));
        for (v, vs) in scn.variants.iter().zip(&variants) {
            let other = arrivals(&trace(vs, rep));
            // Exactly the same times (f64 equality): the same streams.
            assert_eq!(base, other, "variant {} replication {rep}", v.name);
        }
    }
    // Different staffing does change what happens to those arrivals...
    let b = run(&scn, "base");
    let m = run(&variants[0], "more");
    let sl = |r: &RunResult| r.summary("chat", "service_level").unwrap().mean;
    assert!(sl(&m) > sl(&b), "more agents: {} vs {}", sl(&m), sl(&b));
    // ...but not the demand: offered per replication and skill is identical.
    let offered = ccsim::metrics::metric_index("offered").unwrap();
    for (rb, rm) in b.per_rep.iter().zip(&m.per_rep) {
        for s in 0..b.scopes.len() {
            assert_eq!(rb[s][offered], rm[s][offered]);
        }
    }
}

/// A small scenario of one mode: a chat and a messaging skill (no returns
/// or transfers), agents of `mode` given as TOML lines, `accept` auto or ring.
fn mode_scenario(agents: &str, accept: &str) -> Scenario {
    common::scenario(&format!(
        r#"
[simulation]
horizon = "1d"
warmup = "0s"
replications = 2
seed = 5

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = {{ rate = 50, per = "1h" }}
patience = {{ dist = "exponential", mean = "3m" }}
exchanges = {{ dist = "geometric", mean = 3 }}
consumer_reply = {{ dist = "exponential", mean = "40s" }}
agent_reply = {{ dist = "exponential", mean = "30s" }}

[[skill]]
name = "messaging"
channel = "messaging"
style = "social_messaging"
arrivals = {{ rate = 25, per = "1h" }}
exchanges = {{ dist = "geometric", mean = 3 }}
consumer_reply = {{ dist = "exponential", mean = "4m" }}
agent_reply = {{ dist = "exponential", mean = "1m" }}
park_after = "1m"
consumer_can_close = false

{agents}

[routing]
accept = "{accept}"
ring_timeout = "20s"
accept_delay = {{ dist = "exponential", mean = "5s" }}
ignore_probability = 0.1
"#
    ))
}

const DEDICATED: &str = r#"
[[agents]]
name = "chat"
count = 3
skills = ["chat"]
capacity = { live_chat = 2 }
shifts = [{ days = "daily", start = "00:00", end = "12:00" }, { days = "daily", start = "13:00", end = "23:00" }]
breaks = [{ after = "2h", duration = "30m", stagger = "1h" }]

[[agents]]
name = "msg"
count = 2
skills = ["messaging"]
capacity = { messaging = 5 }
shifts = [{ days = "daily", start = "02:00", end = "20:00" }]
logout = "keep"
"#;

/// two_login with gaps between the logins of the two channels.
const TWO_LOGIN: &str = r#"
[[agents]]
name = "rota"
count = 4
mode = "two_login"
skills = ["chat", "messaging"]
capacity = { live_chat = 2, messaging = 5 }
shifts = [{ days = "daily", start = "00:00", end = "07:00", login = "live_chat" },
          { days = "daily", start = "07:30", end = "13:00", login = "messaging" },
          { days = "daily", start = "13:30", end = "23:30", login = "live_chat" }]
breaks = [{ after = "2h", duration = "15m", stagger = "30m" }]
"#;

/// two_login switching channel back to back (log out of one, straight
/// into the other).
const TWO_LOGIN_BACK_TO_BACK: &str = r#"
[[agents]]
name = "rota"
count = 4
mode = "two_login"
skills = ["chat", "messaging"]
capacity = { live_chat = 2, messaging = 5 }
shifts = [{ days = "daily", start = "00:00", end = "06:00", login = "live_chat" },
          { days = "daily", start = "06:00", end = "12:00", login = "messaging" },
          { days = "daily", start = "12:00", end = "18:00", login = "live_chat" },
          { days = "daily", start = "18:00", end = "23:59", login = "messaging" }]
"#;

const BLENDED: &str = r#"
[[agents]]
name = "team"
count = 4
mode = "blended"
skills = ["chat", "messaging"]
capacity = { live_chat = 2, messaging = 3, total = 4 }
shifts = [{ days = "daily", start = "00:00", end = "11:00" }, { days = "daily", start = "11:30", end = "23:30" }]
breaks = [{ after = "3h", duration = "20m", stagger = "1h" }]
"#;

/// Runs every replication with the invariant checks on (capacity per
/// channel and in total, two_login one channel at a time, assignments only
/// to online agents); returns the first broken rule.
fn checked(scn: &Scenario, what: &str) -> Result<(), String> {
    for rep in 0..scn.replications {
        Sim::new(scn, rep, None)
            .run_checked()
            .map_err(|e| format!("{what}, replication {rep}: {e}"))?;
    }
    Ok(())
}

#[test]
fn each_mode_keeps_its_capacity_and_login_rules() {
    // Shifts and staggered breaks everywhere: logouts with open
    // conversations (return to queue, keep), two_login switching with a
    // gap and back to back, rings withdrawn from agents who leave.
    let mut broken = Vec::new();
    for accept in ["auto", "ring"] {
        for (name, agents) in [
            ("dedicated", DEDICATED),
            ("two_login", TWO_LOGIN),
            ("two_login back to back", TWO_LOGIN_BACK_TO_BACK),
            ("blended", BLENDED),
        ] {
            let scn = mode_scenario(agents, accept);
            if let Err(e) = checked(&scn, &format!("{name}, accept {accept}")) {
                broken.push(e);
            }
            // Both skills are served.
            let r = run(&scn, name);
            for skill in ["chat", "messaging"] {
                let h = r.summary(skill, "handled").unwrap().mean;
                assert!(h > 10.0, "{name}/{accept}: {skill} handled {h}");
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Per agent, the (skill, assigned, end) of closed conversations.
fn holdings(rows: &[Row]) -> BTreeMap<String, Vec<(String, f64, f64)>> {
    let mut m: BTreeMap<String, Vec<(String, f64, f64)>> = BTreeMap::new();
    for r in rows {
        if r.state == "closed" && !r.agent.is_empty() && r.queue_time.is_finite() {
            m.entry(r.agent.clone()).or_default().push((
                r.skill.clone(),
                r.arrival + r.queue_time,
                r.end,
            ));
        }
    }
    m
}

#[test]
fn blended_agents_hold_both_channels_at_once_within_capacity() {
    // Always on, auto accept, live_chat style on both channels: every
    // conversation is assigned once and holds its slot from assignment to
    // close, so the trace gives each agent's holdings exactly.
    let scn = common::scenario(
        r#"
[simulation]
horizon = "8h"
warmup = "0s"
replications = 1
seed = 3

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 60, per = "1h" }
exchanges = { dist = "geometric", mean = 3 }
consumer_reply = { dist = "exponential", mean = "40s" }
agent_reply = { dist = "exponential", mean = "20s" }

[[skill]]
name = "messaging"
channel = "messaging"
style = "live_chat"
arrivals = { rate = 30, per = "1h" }
exchanges = { dist = "geometric", mean = 2 }
consumer_reply = { dist = "exponential", mean = "3m" }
agent_reply = { dist = "exponential", mean = "40s" }

[[agents]]
name = "team"
count = 3
mode = "blended"
skills = ["chat", "messaging"]
capacity = { live_chat = 2, messaging = 3, total = 4 }
"#,
    );
    checked(&scn, "blended").unwrap();
    let rows = trace(&scn, 0);
    let held = holdings(&rows);
    assert_eq!(held.len(), 3, "every agent worked: {:?}", held.keys());
    let mut both_at_once = 0;
    for (agent, convs) in &held {
        // Sweep the holdings: count open conversations per channel.
        let mut events: Vec<(f64, i32, usize)> = Vec::new();
        for (skill, from, to) in convs {
            let ch = usize::from(skill == "messaging");
            events.push((*from, 1, ch));
            events.push((*to, -1, ch));
        }
        // Closes before assignments at the same instant.
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut open = [0i32; 2];
        let mut max = [0i32; 2];
        let mut max_total = 0;
        let mut both = 0;
        for (_, d, ch) in events {
            open[ch] += d;
            max[ch] = max[ch].max(open[ch]);
            max_total = max_total.max(open[0] + open[1]);
            both += (open[0] > 0 && open[1] > 0) as i32;
        }
        assert!(
            max[0] <= 2 && max[1] <= 3 && max_total <= 4,
            "{agent}: {max:?} {max_total}"
        );
        assert!(
            max[0] == 2 && max_total >= 3,
            "{agent} was never busy: {max:?}"
        );
        if both > 0 {
            both_at_once += 1;
        }
    }
    assert_eq!(
        both_at_once, 3,
        "every blended agent held chat and messaging at once"
    );
    // The one report row per blended agent counts both channels' conversations.
    let r = run(&scn, "base");
    assert_eq!(r.agents.len(), 3);
    let per_agent: f64 = r.agents.iter().map(|a| a.conversations).sum();
    let handled = r.summary("all", "handled").unwrap().mean;
    assert!(r.agents.iter().all(|a| a.login == "blended"));
    assert!(
        (per_agent - handled).abs() <= 1.0,
        "{per_agent} vs {handled}"
    );
}

#[test]
fn two_login_agents_report_one_row_per_login() {
    let scn = mode_scenario(TWO_LOGIN, "auto");
    let r = run(&scn, "base");
    let csv = String::from_utf8(ccsim::report::csv_out::agents(
        std::slice::from_ref(&r),
        scn.horizon,
    ))
    .unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (agent, login, logged_in, convs) = (
        col("agent"),
        col("login"),
        col("logged_in"),
        col("conversations"),
    );
    let mut per_agent: BTreeMap<String, Vec<(String, f64, f64)>> = BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        per_agent.entry(f[agent].to_string()).or_default().push((
            f[login].to_string(),
            f[logged_in].parse().unwrap(),
            f[convs].parse().unwrap(),
        ));
    }
    assert_eq!(per_agent.len(), 4);
    for (a, rows) in &per_agent {
        let logins: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(logins, ["live_chat", "messaging"], "agent {a}");
        // 17 h on live_chat, 5.5 h on messaging a day.
        assert!(
            (rows[0].1 - 17.0 * 3600.0).abs() < 1.0,
            "agent {a}: {rows:?}"
        );
        assert!(
            (rows[1].1 - 5.5 * 3600.0).abs() < 1.0,
            "agent {a}: {rows:?}"
        );
        assert!(rows[0].2 > 0.0 && rows[1].2 > 0.0, "agent {a}: {rows:?}");
    }
}

#[test]
fn dedicated_messaging_agents_report_their_work() {
    let scn = mode_scenario(DEDICATED, "auto");
    let r = run(&scn, "base");
    for a in r.agents.iter().filter(|a| a.group == "msg") {
        assert_eq!(a.login, "messaging");
        assert!(a.logged_in > 0.0 && a.conversations > 0.0, "{a:?}");
    }
}

/// Runs `ccsim compare` with `args`; returns (exit code, stdout, stderr).
fn compare_cmd(args: &[&str], out: &Path) -> (i32, String, String) {
    let o = Command::cargo_bin("ccsim")
        .unwrap()
        .arg("compare")
        .args(args)
        .arg("--out")
        .arg(out)
        .current_dir(common::root())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Rows of a CSV file as header → value maps.
fn read_csv(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn compare_writes_every_file_and_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = compare_cmd(
        &["scenarios/modes.toml", "--replications", "3", "--trace"],
        tmp.path(),
    );
    assert_eq!(code, 0, "stderr: {stderr}");
    let dir = tmp.path().join("modes");
    let variants = ["base", "two_login", "blended"];

    let (_, summary) = read_csv(&dir.join("summary.csv"));
    for v in variants {
        assert!(
            summary
                .iter()
                .any(|r| r["variant"] == v && r["metric"] == "offered"),
            "summary.csv lacks {v}"
        );
    }
    let (header, diffs) = read_csv(&dir.join("differences.csv"));
    assert_eq!(
        header,
        [
            "variant",
            "skill",
            "metric",
            "diff_mean",
            "ci_low",
            "ci_high",
            "replications"
        ]
    );
    for v in ["two_login", "blended"] {
        for skill in ["chat", "messaging", "all"] {
            assert!(
                diffs.iter().any(|r| r["variant"] == v
                    && r["skill"] == skill
                    && r["metric"] == "service_level"
                    && r["replications"] == "3"),
                "differences.csv lacks {v}/{skill}"
            );
        }
    }
    assert!(diffs.iter().all(|r| r["variant"] != "base"));
    // Same demand: the offered difference is exactly 0.
    assert!(
        diffs
            .iter()
            .filter(|r| r["metric"] == "offered")
            .all(|r| r["diff_mean"] == "0" && r["ci_low"] == "0" && r["ci_high"] == "0")
    );
    let (_, agents) = read_csv(&dir.join("agents.csv"));
    for v in variants {
        assert!(
            agents.iter().any(|r| r["variant"] == v),
            "agents.csv lacks {v}"
        );
    }
    assert!(dir.join("intervals.csv").is_file());
    for v in variants {
        let t = dir.join(v).join("conversations.csv");
        assert!(
            std::fs::metadata(&t).is_ok_and(|m| m.len() > 100),
            "{}",
            t.display()
        );
    }

    let mut stems: Vec<String> = [
        "service_level",
        "first_response_mean",
        "response_time_mean",
        "abandonment_rate",
        "occupancy",
        "handle_time_mean",
    ]
    .iter()
    .map(|k| format!("kpi_{k}"))
    .collect();
    stems.extend(
        [
            "queue_over_time",
            "service_level_over_time",
            "queue_by_time_of_day",
            "service_level_by_time_of_day",
            "first_response_cdf",
            "first_response_cdf_chat",
            "first_response_cdf_messaging",
        ]
        .map(String::from),
    );
    for stem in &stems {
        let svg = std::fs::read(dir.join("charts").join(format!("{stem}.svg"))).unwrap();
        let png = std::fs::read(dir.join("charts").join(format!("{stem}.png"))).unwrap();
        assert!(
            svg.starts_with(b"<svg") || svg.starts_with(b"<?xml"),
            "{stem}.svg"
        );
        assert!(svg.len() > 1000, "{stem}.svg is nearly empty");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{stem}.png");
        assert!(png.len() > 1000, "{stem}.png is nearly empty");
    }

    // The printed table: every variant, readable in 100 columns.
    for v in variants {
        assert!(stdout.contains(v), "{v} missing from:\n{stdout}");
    }
    assert!(stdout.contains("Δ blended") && stdout.contains("service level"));
    for line in stdout.lines().filter(|l| !l.starts_with("wrote ")) {
        assert!(line.chars().count() <= 100, "line too wide: {line}");
    }
}

#[test]
fn an_identical_variant_differs_by_exactly_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("{CRN}\n[[variant]]\nname = \"same\"\n");
    let path = tmp.path().join("same.toml");
    std::fs::write(&path, text).unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = compare_cmd(&[path.to_str().unwrap()], &out);
    assert_eq!(code, 0, "stderr: {stderr}");
    let (_, diffs) = read_csv(&out.join("same").join("differences.csv"));
    let same: Vec<_> = diffs.iter().filter(|r| r["variant"] == "same").collect();
    assert_eq!(same.len(), 3 * ccsim::metrics::METRICS.len());
    let mut defined = 0;
    for r in same {
        // Undefined metrics (e.g. occupancy per skill) are empty; the rest 0.
        for k in ["diff_mean", "ci_low", "ci_high"] {
            assert!(r[k].is_empty() || r[k] == "0", "{r:?}");
        }
        defined += (r["diff_mean"] == "0") as usize;
    }
    assert!(defined > 50);
    // The other variants did differ somewhere.
    assert!(diffs.iter().any(|r| r["variant"] == "more"
        && r["metric"] == "service_level"
        && r["diff_mean"] != "0"));
    assert!(stdout.contains("same"), "{stdout}");
}

#[test]
fn compare_without_variants_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = compare_cmd(&["scenarios/example.toml"], &out);
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("example.toml"), "{stderr}");
    assert!(stderr.contains("no [[variant]]"), "{stderr}");
    assert!(stderr.contains("name ="), "shows how to add one: {stderr}");
    assert!(!out.exists(), "nothing written");
    // And a missing file is bad input too, not a panic.
    let (code, _, stderr) = compare_cmd(&["scenarios/no-such-file.toml"], &out);
    assert_eq!(code, 2, "{stderr}");
}

/// A scenario whose queue grows without bound (one agent, 1,000 arrivals
/// a minute), with a variant that is no better.
const FLOOD: &str = r#"
[simulation]
name = "flood"
horizon = "1d"
warmup = 0
replications = 2
[[skill]]
name = "flood"
arrivals = { rate = 1000, per = "1m" }
[[agents]]
name = "a"
count = 1
skills = ["flood"]
[[variant]]
name = "two"
agents = [{ name = "a", count = 2, skills = ["flood"] }]
"#;

/// An unstable system is bad input (exit 2) for `compare` as for `run`,
/// and the message names the skill (and, for compare, the variant's scenario).
#[test]
fn an_unstable_comparison_is_bad_input_naming_the_skill() {
    let scn = common::scenario(FLOOD);
    let out = tempfile::tempdir().unwrap();
    let opts = ccsim::compare::CompareOptions {
        out: out.path().to_path_buf(),
        trace: true,
        xlsx: false,
        threads: Some(2),
        max_memory: None,
        max_live: Some(2_000),
        targets: Vec::new(),
    };
    let e = ccsim::compare::compare(Path::new("flood.toml"), &scn, &opts).unwrap_err();
    assert!(matches!(e, ccsim::Error::Unstable(_)), "{e:?}");
    assert_eq!(e.exit_code(), 2);
    let msg = e.to_string();
    assert!(
        msg.contains("unstable") && msg.contains("skill `flood`") && msg.contains("replication 1"),
        "{msg}"
    );
    // `run` reports it the same way.
    let run = runner::run(
        &scn,
        &RunOptions {
            max_live: Some(2_000),
            ..RunOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(run.exit_code(), 2);
    assert!(run.to_string().contains("skill `flood`"), "{run}");
}

/// A traced run that fails leaves no temporary trace file behind (and no
/// `conversations.csv`); a traced run that succeeds leaves only that file.
#[test]
fn a_failed_traced_run_leaves_no_temporary_files() {
    let scn = common::scenario(FLOOD);
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        threads: Some(2),
        trace_dir: Some(dir.path().to_path_buf()),
        max_live: Some(2_000),
        ..RunOptions::default()
    };
    assert!(runner::run(&scn, &opts).is_err());
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");

    let mut ok = common::scenario(FLOOD);
    ok.horizon = 60.0;
    let opts = RunOptions {
        max_live: None,
        ..opts
    };
    runner::run(&ok, &opts).unwrap();
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["conversations.csv".to_string()]);
}

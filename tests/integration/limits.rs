//! Resource limits: the live-conversation budget shared by the replications
//! of one process, and bounded reading of trace and empirical CSV files.

use super::common;
use ccsim::runner::{self, RunOptions};
use ccsim::sim::Sim;

/// A skill no one can keep up with and no patience: its queue grows without bound.
const FLOOD: &str = r#"
[simulation]
horizon = "1d"
warmup = 0
replications = 4
[[skill]]
name = "flood"
arrivals = { rate = 1000, per = "1m" }
[[agents]]
name = "a"
count = 1
skills = ["flood"]
"#;

/// An unstable run stops with the same documented error (exit 2, naming the
/// skill) whatever the thread count, though with two threads the
/// replications share one budget of live conversations.
#[test]
fn an_exhausted_live_budget_is_the_same_unstable_error_for_any_threads() {
    let scn = common::scenario(FLOOD);
    let error = |threads: usize| {
        let opts = RunOptions {
            threads: Some(threads),
            max_live: Some(2_000),
            ..RunOptions::default()
        };
        let e = runner::run(&scn, &opts).unwrap_err();
        assert!(matches!(e, ccsim::Error::Unstable(_)), "{e:?}");
        assert_eq!(e.exit_code(), 2);
        e.to_string()
    };
    let one = error(1);
    assert!(
        one.contains("skill `flood`")
            && one.contains("replication 1")
            && one.contains("more than 2000 conversations"),
        "{one}"
    );
    assert_eq!(error(2), one);
}

/// A stable run's results do not depend on the budget: a limit that holds
/// any one replication but not two together gives what no limit gives.
#[test]
fn a_stable_run_is_the_same_under_a_tight_shared_budget() {
    let mut scn = common::scenario(
        &std::fs::read_to_string(common::root().join("scenarios/example.toml")).unwrap(),
    );
    scn.horizon = 6.0 * 3600.0;
    scn.warmup = 0.0;
    scn.replications = 6;
    let peak = (0..scn.replications)
        .map(|r| Sim::new(&scn, r, None).run().peak_conversations)
        .max()
        .unwrap();
    let free = runner::run(
        &scn,
        &RunOptions {
            threads: Some(1),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let tight = runner::run(
        &scn,
        &RunOptions {
            threads: Some(2),
            max_live: Some(peak),
            ..RunOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        format!("{:?}", tight.summary),
        format!("{:?}", free.summary)
    );
}

/// A one-skill scenario whose arrivals come from `trace` (and, when given,
/// whose replies take `reply`).
fn traced(trace: &str, reply: &str) -> String {
    format!(
        r#"[simulation]
horizon = "2h"
warmup = 0

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = {{ trace = "{trace}" }}
{reply}

[[agents]]
name = "team"
count = 2
skills = ["chat"]
"#
    )
}

/// A sweep reads each arrival trace file once, however many points it has,
/// and its points hold one copy of the times.
#[test]
fn a_sweep_reads_its_trace_once() {
    use ccsim::scenario::Arrivals;
    use ccsim::sweep::base::Base;
    let dir = tempfile::tempdir().unwrap();
    let times: String = (0..2_000).map(|i| format!("{}\n", i * 3)).collect();
    std::fs::write(dir.path().join("arrivals.csv"), format!("time\n{times}")).unwrap();
    let path = dir.path().join("base.toml");
    std::fs::write(&path, traced("arrivals.csv", "")).unwrap();
    let base = Base::load(&path).unwrap();
    let points: Vec<_> = (1..=5)
        .map(|n| {
            base.build(&[("agents.team.count".to_string(), toml::Value::Integer(n))])
                .unwrap()
        })
        .collect();
    assert_eq!(base.traces_read(), 1);
    let times = |s: &ccsim::scenario::Scenario| match &s.skills[0].arrivals {
        Arrivals::Trace { times, .. } => std::sync::Arc::clone(times),
        other => panic!("not a trace: {other:?}"),
    };
    assert_eq!(times(&points[0]).len(), 2_000);
    for p in &points {
        assert!(std::sync::Arc::ptr_eq(&times(p), &times(&base.scenario)));
    }
}

/// A trace or empirical file with an endless line is bad input naming the
/// file and the line, found before it fills the memory.
#[test]
fn an_endless_line_in_a_csv_file_is_refused_fast() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zero.toml");
    std::fs::write(&path, traced("/dev/zero", "")).unwrap();
    let started = std::time::Instant::now();
    let e = ccsim::scenario::load(&path).unwrap_err().to_string();
    assert!(
        e.contains("skill.chat.arrivals.trace")
            && e.contains("/dev/zero")
            && e.contains("line 1 is longer than 1 MiB"),
        "{e}"
    );
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());

    // A long line further down an empirical distribution's file.
    let long = format!("effort\n12\n30\n{}\n", "7".repeat(2 << 20));
    std::fs::write(dir.path().join("efforts.csv"), long).unwrap();
    std::fs::write(dir.path().join("arrivals.csv"), "time\n1\n2\n").unwrap();
    std::fs::write(
        &path,
        traced(
            "arrivals.csv",
            "agent_reply = { dist = \"empirical\", file = \"efforts.csv\" }",
        ),
    )
    .unwrap();
    let e = ccsim::scenario::load(&path).unwrap_err().to_string();
    assert!(
        e.contains("skill.chat.agent_reply")
            && e.contains("efforts.csv")
            && e.contains("line 4 is longer than 1 MiB"),
        "{e}"
    );
}

/// A value that is rejected only beside another grid value is blamed on
/// the grid key the validator's message is about (its line in the sweep
/// file), naming the point.
#[test]
fn a_sweep_blames_the_grid_key_the_validator_is_about() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        r#"[simulation]
horizon = "4h"
warmup = 0
[[skill]]
name = "chat"
channel = "messaging"
arrivals = { rate = 30, per = "1h" }
[[agents]]
name = "team"
count = 2
skills = ["chat"]
capacity = { live_chat = 1, messaging = 2 }
"#,
    )
    .unwrap();
    // Each value alone is fine; live_chat with capacity 0 is not.
    std::fs::write(
        dir.path().join("sweep.toml"),
        "scenario = \"base.toml\"\n[grid]\n\"skill.chat.channel\" = [\"messaging\", \"live_chat\"]\n\"agents.team.capacity.live_chat\" = [1, 0]\n",
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .current_dir(dir.path())
        .args(["sweep", "sweep.toml", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with(
            "error: sweep.toml:4: key `agents.team.capacity.live_chat`: value 0 is rejected \
             (point 3: `skill.chat.channel` = \"live_chat\", `agents.team.capacity.live_chat` = 0)"
        ) && err.contains("live_chat capacity 0"),
        "{err}"
    );
}

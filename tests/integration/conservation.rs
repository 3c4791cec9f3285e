//! Conservation and Little's law on every scenario in scenarios/: every
//! offered conversation is closed, abandoned or still in the system at the
//! end; the integral of each queue's length equals the sum of the time
//! conversations spent in it; and every file there loads and runs.

use crate::common;
use ccsim::runner::{RunOptions, run};
use ccsim::sim::Sim;

#[test]
fn every_scenario_conserves_conversations_and_queue_time() {
    let files = common::scenario_files();
    assert!(!files.is_empty());
    for f in files {
        let mut scn = ccsim::scenario::load(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        scn.replications = 2;
        for rep in 0..scn.replications {
            let r = Sim::new(&scn, rep, None).run();
            let (offered, closed, abandoned, in_system) = r.conservation;
            assert!(offered > 0, "{}: nothing offered", f.display());
            assert_eq!(
                offered,
                closed + abandoned + in_system,
                "{}: conservation, replication {rep}",
                f.display()
            );
            // The report intervals add up to the summary.
            let ns = r.skills.len();
            let (mut iv_offered, mut iv_closed, mut iv_reopens, mut iv_replies) = (0, 0, 0, 0);
            for row in r.intervals.iter().skip(ns - 1).step_by(ns) {
                iv_offered += row.offered;
                iv_closed += row.closed;
                iv_reopens += row.reopens;
                iv_replies += row.replies;
            }
            let all = &r.skills[ns - 1];
            assert_eq!(
                (iv_offered, iv_closed, iv_reopens, iv_replies),
                (all.offered, all.closed, all.reopens, all.replies),
                "{}: intervals vs summary",
                f.display()
            );
            for (s, t) in r.skills.iter().enumerate() {
                let tol = 1e-9 * t.queue_area.max(1.0);
                assert!(
                    (t.queue_area - t.queue_wait_sum).abs() <= tol,
                    "{} scope {s}: queue integral {} vs summed waits {}",
                    f.display(),
                    t.queue_area,
                    t.queue_wait_sum
                );
            }
        }
        // The runner and the reports work on it too.
        let res = run(&scn, &RunOptions::default()).unwrap();
        assert_eq!(res.per_rep.len(), 2);
    }
}

/// Memory does not grow with simulated time: ten times the horizon keeps
/// the same peak number of live conversations (within noise).
#[test]
fn live_conversations_do_not_grow_with_the_horizon() {
    let text = |h: &str| {
        format!(
            r#"
[simulation]
horizon = "{h}"
warmup = "1h"
[[skill]]
name = "s"
arrivals = {{ rate = 100, per = "1h" }}
patience = {{ dist = "exponential", mean = "5m" }}
exchanges = {{ dist = "geometric", mean = 3 }}
[[agents]]
name = "a"
count = 4
skills = ["s"]
capacity = {{ live_chat = 2 }}
"#
        )
    };
    let short = Sim::new(&common::scenario(&text("2d")), 0, None)
        .run()
        .peak_conversations;
    let long = Sim::new(&common::scenario(&text("40d")), 0, None)
        .run()
        .peak_conversations;
    assert!(
        long < short * 2 + 20,
        "peak live conversations grew with the horizon: {short} -> {long}"
    );
}

/// A system whose queue grows without bound stops with an explanation
/// instead of exhausting memory.
#[test]
fn an_unstable_system_stops_with_a_reason() {
    let scn = common::scenario(
        r#"
[simulation]
horizon = "1d"
warmup = 0
[[skill]]
name = "flood"
arrivals = { rate = 1000, per = "1m" }
[[agents]]
name = "a"
count = 1
skills = ["flood"]
"#,
    );
    let r = Sim::new(&scn, 0, None).max_live(5_000).run();
    let why = r.unstable.expect("the run should stop as unstable");
    assert!(
        why.contains("more than 5000 conversations") && why.contains("flood"),
        "{why}"
    );
    // A stable system is not flagged.
    let example = ccsim::scenario::load(&common::root().join("scenarios/example.toml")).unwrap();
    assert!(Sim::new(&example, 0, None).run().unstable.is_none());
}

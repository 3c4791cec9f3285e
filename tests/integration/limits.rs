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

//! The Erlang C and Erlang A contracts (SPEC §9) on every row of the
//! reference table: one skill, Poisson arrivals, one exchange, exponential
//! effort, capacity 1, auto-accept, and (Erlang A) exponential patience.
//!
//! Each simulated estimate must fall inside its 95% confidence interval
//! (across replications) widened by a stated tolerance: 1.5% of the exact
//! value plus 0.002 absolute (probabilities) or 0.002 minutes (waits). The
//! tolerance covers the small bias of a finite warm-up; it is far below the
//! effect of a wrong model, which `a_wrong_rate_is_caught` demonstrates.

use crate::common;
use ccsim::runner::{RunOptions, run};

/// One reference row.
#[derive(Clone, Debug)]
struct Row {
    case: String,
    rate: f64,
    effort: f64,
    agents: u32,
    patience: Option<f64>,
    p_wait: f64,
    wait_all: f64,
    wait_served: f64,
    p_abandon: f64,
    utilization: f64,
}

fn rows() -> Vec<Row> {
    let mut rdr = csv::Reader::from_path(common::data("erlang.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let f = |i: usize| r[i].parse::<f64>().unwrap();
            Row {
                case: r[0].to_string(),
                rate: f(2),
                effort: f(3),
                agents: r[4].parse().unwrap(),
                patience: (!r[5].is_empty()).then(|| f(5)),
                p_wait: f(6),
                wait_all: f(7),
                wait_served: f(8),
                p_abandon: f(9),
                utilization: f(10),
            }
        })
        .collect()
}

/// The scenario for a row, with `customers_per_rep` arrivals per replication.
fn scenario_for(
    row: &Row,
    rate_factor: f64,
    reps: u32,
    customers_per_rep: f64,
) -> ccsim::scenario::Scenario {
    let horizon_min = customers_per_rep / row.rate;
    let patience = row.patience.map_or(String::new(), |p| {
        format!(
            "patience = {{ dist = \"exponential\", mean = {} }}\n",
            p * 60.0
        )
    });
    common::scenario(&format!(
        r#"
[simulation]
horizon = {h}
warmup = {w}
replications = {reps}
seed = 20261121
interval = {h}
[[skill]]
name = "main"
arrivals = {{ rate = {rate}, per = "1m" }}
{patience}exchanges = {{ dist = "deterministic", value = 1 }}
agent_reply = {{ dist = "exponential", mean = {effort} }}
[[agents]]
name = "agents"
count = {c}
skills = ["main"]
capacity = {{ live_chat = 1 }}
"#,
        h = horizon_min * 60.0,
        w = 200.0 * row.effort * 60.0,
        rate = row.rate * rate_factor,
        effort = row.effort * 60.0,
        c = row.agents,
    ))
}

/// Checks every reference value of a row; returns the failures.
fn check(row: &Row, rate_factor: f64) -> Vec<String> {
    let scn = scenario_for(row, rate_factor, 16, 60_000.0);
    let res = run(&scn, &RunOptions::default()).unwrap();
    let mut failures = Vec::new();
    let mut expect = |metric: &str, exact: f64, scale: f64| {
        // Agent metrics (occupancy) exist for all skills together only.
        let scope = if metric == "occupancy" { "all" } else { "main" };
        let e = res.summary(scope, metric).unwrap();
        let (mean, lo, hi) = (e.mean / scale, e.lo / scale, e.hi / scale);
        let tol = 0.015 * exact.abs() + 0.002;
        let ok = lo - tol <= exact && exact <= hi + tol;
        let line = format!(
            "{} {metric}: simulated {mean:.5} [{lo:.5}, {hi:.5}] vs exact {exact:.5} (tolerance ±{tol:.5})",
            row.case
        );
        eprintln!("{line}");
        if !ok {
            failures.push(line);
        }
    };
    expect("wait_probability", row.p_wait, 1.0);
    expect("queue_time_mean", row.wait_all, 60.0);
    expect("asa", row.wait_served, 60.0);
    expect("abandonment_rate", row.p_abandon, 1.0);
    expect("occupancy", row.utilization, 1.0);
    failures
}

#[test]
fn every_reference_row_matches() {
    let rows = rows();
    assert_eq!(rows.len(), 5, "the reference table has five rows");
    let failures: Vec<String> = rows.iter().flat_map(|r| check(r, 1.0)).collect();
    assert!(
        failures.is_empty(),
        "Erlang contract failed:\n{}",
        failures.join("\n")
    );
}

/// The contract can fail: 5% more arrivals than the reference rate moves
/// the estimates outside their intervals.
#[test]
fn a_wrong_rate_is_caught() {
    for row in rows()
        .iter()
        .filter(|r| r.case == "main_erlangC" || r.case == "main_erlangA")
    {
        let failures = check(row, 1.05);
        assert!(
            !failures.is_empty(),
            "{}: a 5% wrong arrival rate went unnoticed",
            row.case
        );
    }
}

/// Little's law on the queue: mean queue length = arrival rate × mean time
/// in queue (all arrivals), within the confidence interval.
#[test]
fn littles_law_on_the_queue() {
    let row = rows()
        .into_iter()
        .find(|r| r.case == "main_erlangA")
        .unwrap();
    let scn = scenario_for(&row, 1.0, 16, 60_000.0);
    let res = run(&scn, &RunOptions::default()).unwrap();
    let l = res.summary("main", "queue_mean").unwrap();
    let lambda_w: Vec<f64> = res
        .per_rep
        .iter()
        .map(|r| {
            let m = |n: &str| r[r.len() - 1][ccsim::metrics::metric_index(n).unwrap()];
            m("offered") / scn.horizon * m("queue_time_mean")
        })
        .collect();
    let lw = ccsim::metrics::estimate(lambda_w);
    let gap = (l.mean - lw.mean).abs();
    assert!(
        gap <= l.half_width() + lw.half_width() + 0.01 * l.mean,
        "L = {l:?}, λW = {lw:?}"
    );
}

//! The chain's checks: it is Erlang C and Erlang A where those apply
//! (capacity 1, one exchange), ccsim agrees with it on small concurrent
//! systems, and a chain with a wrong parameter is told apart.
//!
//! ccsim against the chain: each metric's exact value must fall inside
//! ccsim's 95% confidence interval (across replications) widened on each
//! side by half its half-width (a 1.5× interval, so some forty comparisons
//! do not fail by chance) plus 0.3% of the exact value (the bias of a
//! finite warm-up and of conversations cut by the horizon). A 10% error in
//! one parameter moves several metrics far outside that
//! (`a_wrong_effort_is_caught`).

use super::{Metrics, Params, Selection, solve};
use crate::common;
use ccsim::analytic::{erlang_a, erlang_c, erlang_c_service_level};
use ccsim::runner::{RunOptions, RunResult, run};

/// Relative agreement asked of the chain against the closed forms.
const EXACT: f64 = 1e-9;

fn close(what: &str, chain: f64, exact: f64) {
    assert!(
        (chain - exact).abs() <= EXACT * exact.abs().max(1.0),
        "{what}: chain {chain:.15} vs closed form {exact:.15}"
    );
}

/// Capacity 1 and one exchange is M/M/c (+M): the chain must reproduce
/// `src/analytic.rs` to 1e-9, and its concurrency metrics must reduce to
/// the single-conversation ones.
#[test]
fn capacity_one_is_erlang_c_and_a() {
    let effort = 60.0;
    for agents in 1..=3 {
        for load in [0.5, 0.8, 0.95] {
            for patience in [None, Some(30.0), Some(240.0)] {
                let p = Params {
                    agents,
                    capacity: 1,
                    rate: load * agents as f64 / effort,
                    exchanges_mean: 1.0,
                    effort_mean: effort,
                    consumer_mean: 40.0,
                    patience_mean: patience,
                    selection: Selection::MostAvailable,
                    service_level: 20.0,
                    first_response_target: 90.0,
                };
                let m = solve(&p);
                let c = agents as u32;
                let e = match patience {
                    None => erlang_c(p.rate, effort, c).unwrap(),
                    Some(t) => erlang_a(p.rate, effort, c, t).unwrap(),
                };
                let case = format!("{agents} agents, load {load}, patience {patience:?}");
                assert!(m.truncated < 1e-15, "{case}: truncation {}", m.truncated);
                close(&format!("{case} p_wait"), m.wait_probability, e.p_wait);
                close(&format!("{case} wait"), m.queue_time_mean, e.mean_wait_all);
                close(&format!("{case} asa"), m.asa, e.mean_wait_served);
                close(&format!("{case} abandon"), m.abandonment_rate, e.p_abandon);
                close(&format!("{case} occupancy"), m.occupancy, e.utilization);
                close(
                    &format!("{case} first"),
                    m.first_response_mean,
                    m.asa + effort,
                );
                close(
                    &format!("{case} response"),
                    m.response_time_mean,
                    m.first_response_mean,
                );
                close(&format!("{case} handle"), m.handle_time_mean, effort);
                close(
                    &format!("{case} concurrency"),
                    m.concurrency_mean,
                    m.occupancy,
                );
                assert!(m.next_response_mean.is_nan(), "{case}: no next replies");
                if patience.is_none() {
                    let sl = erlang_c_service_level(p.rate, effort, c, 20.0).unwrap();
                    close(&format!("{case} service level"), m.service_level, sl);
                    let first = first_within(e.p_wait, p.rate, effort, c, 90.0);
                    close(&format!("{case} first SL"), m.first_response_sl, first);
                }
            }
        }
    }
}

/// M/M/c: P(wait + effort <= t), the wait being 0 with probability
/// 1 − `p_wait` and otherwise exponential with rate cμ − λ.
fn first_within(p_wait: f64, lambda: f64, effort: f64, c: u32, t: f64) -> f64 {
    let mu = 1.0 / effort;
    let gamma = f64::from(c) * mu - lambda;
    let reply = 1.0 - (-mu * t).exp();
    let both = if (gamma - mu).abs() < 1e-12 * mu {
        1.0 - (-mu * t).exp() * (1.0 + mu * t)
    } else {
        1.0 - (mu * (-gamma * t).exp() - gamma * (-mu * t).exp()) / (mu - gamma)
    };
    (1.0 - p_wait) * reply + p_wait * both
}

/// A small system to compare ccsim with the chain on.
struct Case {
    /// Skill name (and, with the seed, its own arrival stream).
    skill: &'static str,
    seed: u64,
    /// ccsim's `agent_selection` key (matching `p.selection`).
    selection: &'static str,
    p: Params,
}

#[allow(clippy::too_many_arguments)]
fn case(
    skill: &'static str,
    seed: u64,
    selection: &'static str,
    (agents, capacity): (usize, usize),
    per_hour: f64,
    exchanges_mean: f64,
    (effort_mean, consumer_mean): (f64, f64),
    patience_mean: Option<f64>,
) -> Case {
    let sel = match selection {
        "most_available" => Selection::MostAvailable,
        "round_robin" => Selection::RoundRobin,
        _ => Selection::LongestIdle,
    };
    Case {
        skill,
        seed,
        selection,
        p: Params {
            agents,
            capacity,
            rate: per_hour / 3600.0,
            exchanges_mean,
            effort_mean,
            consumer_mean,
            patience_mean,
            selection: sel,
            service_level: 30.0,
            first_response_target: 60.0,
        },
    }
}

/// 1–3 agents, capacity 2–4, 1.5–5 exchanges, light to heavy load, with
/// and without patience, the three selection rules; a skill name and seed
/// of their own each.
fn cases() -> Vec<Case> {
    let ma = "most_available";
    vec![
        case(
            "one_of_two",
            11,
            ma,
            (1, 2),
            40.0,
            3.0,
            (20.0, 40.0),
            Some(60.0),
        ),
        case("pair", 12, ma, (2, 2), 70.0, 4.0, (15.0, 45.0), Some(120.0)),
        case("patient", 13, ma, (2, 3), 80.0, 3.0, (20.0, 40.0), None),
        case("trio", 14, ma, (3, 4), 150.0, 3.0, (20.0, 60.0), Some(90.0)),
        case(
            "trio_idle",
            15,
            "longest_idle",
            (3, 4),
            150.0,
            3.0,
            (20.0, 60.0),
            Some(90.0),
        ),
        case(
            "chatty",
            16,
            "round_robin",
            (3, 3),
            180.0,
            5.0,
            (10.0, 30.0),
            Some(180.0),
        ),
        case(
            "slow_typist",
            17,
            ma,
            (1, 4),
            50.0,
            2.0,
            (30.0, 20.0),
            Some(300.0),
        ),
        case("rush", 18, ma, (2, 4), 220.0, 1.5, (20.0, 30.0), Some(30.0)),
    ]
}

/// ccsim's run of a case: `reps` replications of about `per_rep`
/// conversations after a warm-up of 100 conversation lifetimes.
fn simulate(c: &Case, reps: u32, per_rep: f64) -> RunResult {
    let p = &c.p;
    let horizon = per_rep / p.rate;
    let warmup = 100.0 * p.exchanges_mean * (p.effort_mean + p.consumer_mean);
    let patience = p.patience_mean.map_or(String::new(), |m| {
        format!("patience = {{ dist = \"exponential\", mean = {m} }}\n")
    });
    let scn = common::scenario(&format!(
        r#"
[simulation]
horizon = {horizon}
warmup = {warmup}
replications = {reps}
seed = {seed}
interval = {horizon}
[[skill]]
name = "{skill}"
arrivals = {{ rate = {rate}, per = "1h" }}
{patience}exchanges = {{ dist = "geometric", mean = {m} }}
agent_reply = {{ dist = "exponential", mean = {effort} }}
consumer_reply = {{ dist = "exponential", mean = {consumer} }}
service_level = {sl}
first_response_target = {frt}
[[agents]]
name = "agents"
count = {n}
skills = ["{skill}"]
capacity = {{ live_chat = {k} }}
[routing]
agent_selection = "{sel}"
"#,
        seed = c.seed,
        skill = c.skill,
        rate = p.rate * 3600.0,
        m = p.exchanges_mean,
        effort = p.effort_mean,
        consumer = p.consumer_mean,
        n = p.agents,
        k = p.capacity,
        sel = c.selection,
        sl = p.service_level,
        frt = p.first_response_target,
    ));
    run(&scn, &RunOptions::default()).unwrap()
}

/// The metrics compared, with the chain's value of each.
fn compared(m: &Metrics) -> Vec<(&'static str, f64)> {
    vec![
        ("wait_probability", m.wait_probability),
        ("abandonment_rate", m.abandonment_rate),
        ("queue_time_mean", m.queue_time_mean),
        ("asa", m.asa),
        ("service_level", m.service_level),
        ("first_response_mean", m.first_response_mean),
        ("first_response_sl", m.first_response_sl),
        ("response_time_mean", m.response_time_mean),
        ("next_response_mean", m.next_response_mean),
        ("handle_time_mean", m.handle_time_mean),
        ("effort_mean", m.effort_mean),
        ("occupancy", m.occupancy),
        ("concurrency_mean", m.concurrency_mean),
        ("queue_mean", m.queue_mean),
    ]
}

/// Compares a run with exact values: the failures, and how many values
/// fell inside the plain 95% interval out of how many.
fn check(c: &Case, exact: &Metrics, res: &RunResult) -> (Vec<String>, usize, usize) {
    let mut failures = Vec::new();
    let mut inside = 0;
    let all = compared(exact);
    for &(metric, value) in &all {
        // Agent metrics exist for all skills together only.
        let scope = if matches!(metric, "occupancy" | "concurrency_mean") {
            "all"
        } else {
            c.skill
        };
        let e = res.summary(scope, metric).unwrap();
        let tol = 0.5 * e.half_width() + 0.003 * value.abs();
        inside += usize::from(e.lo <= value && value <= e.hi);
        let ok = e.lo - tol <= value && value <= e.hi + tol;
        let line = format!(
            "{} {metric}: ccsim {:.5} [{:.5}, {:.5}] vs chain {value:.5} (±{tol:.5}){}",
            c.skill,
            e.mean,
            e.lo,
            e.hi,
            if ok { "" } else { "  <- outside" }
        );
        eprintln!("{line}");
        if !ok {
            failures.push(line);
        }
    }
    (failures, inside, all.len())
}

/// The chain's own bookkeeping: replies sent = conversations served ×
/// exchanges; response time splits into first and next replies.
fn consistent(c: &Case, m: &Metrics) {
    let p = &c.p;
    let served = p.rate * (1.0 - m.abandonment_rate);
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    assert!(
        m.truncated < 1e-15,
        "{}: truncation {}",
        c.skill,
        m.truncated
    );
    assert!(
        rel(m.reply_rate, served * p.exchanges_mean) < 1e-9,
        "{}: replies {} vs served × exchanges {}",
        c.skill,
        m.reply_rate,
        served * p.exchanges_mean
    );
    let split = (m.first_response_mean + (p.exchanges_mean - 1.0) * m.next_response_mean)
        / p.exchanges_mean;
    assert!(rel(split, m.response_time_mean) < 1e-9, "{}", c.skill);
}

#[test]
fn ccsim_matches_the_chain() {
    let mut failures = Vec::new();
    let (mut inside, mut total) = (0, 0);
    for c in cases() {
        let exact = solve(&c.p);
        consistent(&c, &exact);
        eprintln!("{}: a chain of {} states", c.skill, exact.states);
        let res = simulate(&c, 8, 20_000.0);
        let (f, i, n) = check(&c, &exact, &res);
        failures.extend(f);
        inside += i;
        total += n;
    }
    eprintln!("{inside} of {total} exact values inside ccsim's plain 95% intervals");
    assert!(
        failures.is_empty(),
        "ccsim disagrees with the exact chain:\n{}",
        failures.join("\n")
    );
}

/// The comparison can fail: a chain whose agents type 10% slower than
/// ccsim's is told apart on the same run.
#[test]
fn a_wrong_effort_is_caught() {
    let c = cases().swap_remove(1);
    let res = simulate(&c, 8, 20_000.0);
    let right = solve(&c.p);
    assert!(
        check(&c, &right, &res).0.is_empty(),
        "the right chain fails"
    );
    let wrong = solve(&Params {
        effort_mean: c.p.effort_mean * 1.1,
        ..c.p
    });
    let failures = check(&c, &wrong, &res).0;
    assert!(
        failures.len() >= 3,
        "a 10% wrong effort went (almost) unnoticed: {failures:?}"
    );
}

/// The agents' order is part of the state for a reason: ccsim's
/// `longest_idle` run is told apart from the chain of `most_available`
/// (same system), while its own chain agrees with it.
#[test]
fn the_selection_rule_is_seen() {
    let c = cases().swap_remove(4);
    assert_eq!(c.p.selection, Selection::LongestIdle);
    let res = simulate(&c, 8, 20_000.0);
    assert!(check(&c, &solve(&c.p), &res).0.is_empty());
    let other = solve(&Params {
        selection: Selection::MostAvailable,
        ..c.p
    });
    let failures = check(&c, &other, &res).0;
    assert!(
        failures.len() >= 2,
        "most_available's chain passed for a longest_idle run: {failures:?}"
    );
}

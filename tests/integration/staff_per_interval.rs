//! `ccsim staff --per-interval` by time-varying staffing (issue 12,
//! Validation): capacity 1 and one exchange under a piecewise-constant
//! arrival profile needs, interval by interval, what Erlang C says for its
//! block; capacity > 1 needs what the exact chain (`crate::ctmc`) says.

use crate::ctmc::{Params, Selection, solve};
use ccsim::staff::{StaffConfig, Target};
use ccsim::sweep::base::Base;
use std::path::Path;

fn config(out: &Path, targets: &[&str]) -> StaffConfig {
    StaffConfig {
        targets: targets.iter().map(|t| Target::parse(t).unwrap()).collect(),
        groups: Vec::new(),
        costs: Vec::new(),
        variants: false,
        per_interval: true,
        confidence: 0.95,
        precision_share: 0.01,
        precision_time: 0.02,
        max_replications: 24,
        max: 100,
        out: out.to_path_buf(),
        overrides: ccsim::sweep::run::Overrides::default(),
        threads: Some(2),
        progress: false,
        max_memory: None,
    }
}

/// Arrivals per hour of the profile's blocks: hours 1–3, 4–6 and 7–9.
const BLOCKS: [(usize, f64); 3] = [(1, 150.0), (4, 300.0), (7, 120.0)];

/// M/M/c per block: 90 s handling, no patience, 80% within 20 s.
fn erlang_profile() -> String {
    let mut profile = vec![150.0; 24];
    for h in 0..24 {
        if let Some(&(_, r)) = BLOCKS.iter().rev().find(|(from, _)| h >= *from) {
            profile[h] = r;
        }
    }
    let profile: Vec<String> = profile.iter().map(|r| format!("{r}")).collect();
    format!(
        r#"
[simulation]
name = "blocks"
horizon = "9h"
warmup = "1h"
replications = 6
seed = 21
interval = "1h"

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = {{ profile = [{}], per = "1h" }}
exchanges = {{ dist = "deterministic", value = 1 }}
agent_reply = {{ dist = "exponential", mean = "90s" }}
service_level = "20s"

[[agents]]
name = "team"
count = 10
skills = ["chat"]
capacity = {{ live_chat = 1 }}
"#,
        profile.join(", ")
    )
}

#[test]
fn a_piecewise_constant_profile_needs_erlang_c_block_by_block() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blocks.toml");
    std::fs::write(&file, erlang_profile()).unwrap();
    let base = Base::load(&file).unwrap();
    let cfg = config(&dir.path().join("out"), &["service_level>=0.8"]);
    let req = ccsim::staff::requirements(&base, "team", &cfg, false).unwrap();
    assert_eq!(req.agents.len(), 9, "{req:?}");
    assert!(req.missed().is_empty(), "{req:?}");
    let mut got = Vec::new();
    for (k, &start) in req.starts.iter().enumerate() {
        let hour = (start / 3600.0).round() as usize;
        let (from, rate) = *BLOCKS.iter().rev().find(|(f, _)| hour >= *f).unwrap();
        // A block's first interval inherits the previous block's backlog.
        let edge = hour == from && k > 0;
        let c = &req.values[k][0];
        got.push(Hour {
            hour,
            rate,
            agents: req.agents[k],
            half_width: (c.hi - c.lo) / 2.0,
            edge,
        });
    }
    let wrong = check_erlang(&got, 1.0);
    assert!(wrong.is_empty(), "{wrong:?}\n{got:?}");
    // Negative controls: the heavy block needs more than the light ones,
    // and Erlang C at 80% of the arrivals disagrees with the answer.
    let need = |h: usize| got.iter().find(|g| g.hour == h).unwrap().agents;
    assert!(need(5) > need(2) && need(5) > need(8), "{got:?}");
    assert!(!check_erlang(&got, 0.8).is_empty(), "{got:?}");
}

/// One interval of the answer on the block profile.
#[derive(Debug)]
struct Hour {
    hour: usize,
    rate: f64,
    agents: u32,
    /// Half-width of the service level's interval at the answer.
    half_width: f64,
    /// The first interval of a block (after the first).
    edge: bool,
}

/// The intervals whose answer disagrees with Erlang C at `scale` × the
/// block's arrival rate: inside a block the answer is Erlang C's count, or
/// one more only where the confidence rule demands it (Erlang C's service
/// level at its count is within the interval's half-width of the target,
/// so a lower confidence bound falls below 0.8); a block's first interval
/// is within ± 1 of Erlang C (the backlog it inherits, or the lack of one).
fn check_erlang(got: &[Hour], scale: f64) -> Vec<String> {
    let mut wrong = Vec::new();
    for g in got {
        let lambda = scale * g.rate / 3600.0;
        let erlang =
            ccsim::analytic::erlang_c_agents_for_service_level(lambda, 90.0, 20.0, 0.8, 100)
                .unwrap();
        let sl = ccsim::analytic::erlang_c_service_level(lambda, 90.0, erlang, 20.0).unwrap();
        let confidence = u32::from(sl < 0.8 + g.half_width);
        let ok = if g.edge {
            g.agents.abs_diff(erlang) <= 1
        } else {
            g.agents >= erlang && g.agents <= erlang + confidence
        };
        if !ok {
            wrong.push(format!(
                "hour {}: {} agents, Erlang C says {erlang} (service level {sl:.3}, \
                 half-width {:.3}{})",
                g.hour,
                g.agents,
                g.half_width,
                if g.edge { ", block edge" } else { "" }
            ));
        }
    }
    wrong
}

#[test]
fn concurrent_chats_need_what_the_exact_chain_says() {
    // Two chats per agent, three messages on average, 90 chats an hour.
    let params = |agents| Params {
        agents,
        capacity: 2,
        rate: 90.0 / 3600.0,
        exchanges_mean: 3.0,
        effort_mean: 20.0,
        consumer_mean: 40.0,
        patience_mean: Some(120.0),
        selection: Selection::MostAvailable,
        service_level: 30.0,
        first_response_target: 60.0,
    };
    let exact = (1..=3)
        .find(|&n| solve(&params(n)).service_level >= 0.8)
        .expect("three agents meet the target");
    assert!(exact >= 2, "a case where the count matters: {exact}");
    let text = r#"
[simulation]
name = "pairs"
horizon = "24h"
warmup = "1h"
replications = 6
seed = 5
interval = "1h"

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 90, per = "1h" }
patience = { dist = "exponential", mean = 120 }
exchanges = { dist = "geometric", mean = 3 }
agent_reply = { dist = "exponential", mean = 20 }
consumer_reply = { dist = "exponential", mean = 40 }
service_level = 30

[[agents]]
name = "team"
count = 2
skills = ["chat"]
capacity = { live_chat = 2 }
"#;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pairs.toml");
    std::fs::write(&file, text).unwrap();
    let mut cfg = config(&dir.path().join("out"), &["service_level>=0.8"]);
    cfg.per_interval = false;
    ccsim::staff::run(&file, &cfg, &mut |_| {}).unwrap();
    let csv = cfg.out.join("pairs").join("staffing.csv");
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&csv)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    let found: u32 = rows
        .iter()
        .find(|r| r[1].is_empty() && r[12].starts_with("ci"))
        .map(|r| r[3].parse().unwrap())
        .expect("a chosen count");
    assert!(
        found.abs_diff(exact as u32) <= 1,
        "simulation {found} agents, chain {exact}"
    );
    // Negative control: at twice the arrivals the chain asks for more
    // agents than the simulation found (or more than three).
    let heavier = (1..=3).find(|&n| {
        let mut p = params(n);
        p.rate *= 2.0;
        solve(&p).service_level >= 0.8
    });
    assert!(
        heavier.is_none_or(|h| h as u32 > found),
        "{heavier:?} vs {found}"
    );
}

/// The time-varying search gives the same profile, values and intervals
/// with one worker thread or two (replications are delivered in order).
#[test]
fn the_per_interval_answer_is_the_same_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blocks.toml");
    std::fs::write(&file, erlang_profile()).unwrap();
    let base = Base::load(&file).unwrap();
    let answers: Vec<String> = [1, 2]
        .iter()
        .map(|&threads| {
            let mut cfg = config(&dir.path().join(format!("out{threads}")), &["asa<=30s"]);
            cfg.threads = Some(threads);
            cfg.max_replications = 6;
            let req = ccsim::staff::requirements(&base, "team", &cfg, false).unwrap();
            format!("{req:?}")
        })
        .collect();
    assert!(answers[0].contains("agents"), "{}", answers[0]);
    assert_eq!(answers[0], answers[1]);
}

//! `ccsim staff` (SPEC §12): the answer per variant against Erlang C, two
//! and three groups at least cost (against a brute force), the box too
//! large to enumerate, each variant's cheapest combination, targets no head-count can meet (said, exit 2),
//! and the thread count changing nothing.

use assert_cmd::Command;
use ccsim::staff::{StaffConfig, StaffOutcome, Target};
use std::path::Path;

/// An Erlang C queue (capacity 1, one exchange, no patience): 3 chats a
/// minute of 90 s, 80% within 20 s; a variant changes only the agent
/// selection (still M/M/c), another adds a second group.
const ERLANG: &str = r#"
[simulation]
name = "erl"
horizon = "8h"
warmup = "1h"
replications = 6
seed = 11
interval = "1h"

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 180, per = "1h" }
exchanges = { dist = "deterministic", value = 1 }
agent_reply = { dist = "exponential", mean = "90s" }
service_level = "20s"

[[agents]]
name = "team"
count = 7
skills = ["chat"]
capacity = { live_chat = 1 }

[[variant]]
name = "longest_idle"
routing = { agent_selection = "longest_idle" }
"#;

fn config(out: &Path, targets: &[&str]) -> StaffConfig {
    StaffConfig {
        targets: targets.iter().map(|t| Target::parse(t).unwrap()).collect(),
        groups: Vec::new(),
        costs: Vec::new(),
        variants: false,
        per_interval: false,
        confidence: 0.95,
        precision_share: 0.01,
        precision_time: 0.02,
        max_replications: 30,
        max: 200,
        out: out.to_path_buf(),
        overrides: ccsim::sweep::run::Overrides::default(),
        threads: Some(2),
        progress: false,
        max_memory: None,
    }
}

fn run(dir: &Path, text: &str, cfg: &StaffConfig) -> (StaffOutcome, Vec<csv::StringRecord>) {
    let file = dir.join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = ccsim::staff::run(&file, cfg, &mut |_| {}).unwrap();
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("name = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap();
    let csv = cfg.out.join(name).join("staffing.csv");
    let rows = csv::Reader::from_path(&csv)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    (out, rows)
}

/// The chosen (confidence rule) count per variant, from `staffing.csv`.
fn chosen(rows: &[csv::StringRecord]) -> Vec<(String, String, String)> {
    // scope,interval_start,interval,count,...,chosen(12),variant(13),replications,group_counts(15),cost
    rows.iter()
        .filter(|r| r[1].is_empty() && r[12].starts_with("ci"))
        .map(|r| (r[13].to_string(), r[3].to_string(), r[15].to_string()))
        .collect()
}

#[test]
fn every_variant_of_an_erlang_c_queue_needs_what_erlang_c_says() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&dir.path().join("out"), &["service_level>=0.8"]);
    cfg.variants = true;
    let (out, rows) = run(dir.path(), ERLANG, &cfg);
    let erlang =
        ccsim::analytic::erlang_c_agents_for_service_level(180.0 / 3600.0, 90.0, 20.0, 0.8, 100)
            .unwrap();
    let answers = chosen(&rows);
    assert_eq!(
        answers.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(),
        ["base", "longest_idle"],
        "{}",
        out.text
    );
    for (variant, count, _) in &answers {
        let c: u32 = count.parse().unwrap();
        assert!(
            c.abs_diff(erlang) <= 1,
            "{variant}: {c} agents, Erlang C says {erlang}\n{}",
            out.text
        );
    }
    assert!(
        out.text.contains("Agents needed per variant"),
        "{}",
        out.text
    );
    assert!(out.infeasible.is_empty());
    let charts = cfg.out.join("erl").join("charts");
    assert!(charts.join("agents_per_variant.svg").is_file());
    assert!(charts.join("agents_per_variant.png").is_file());
    // The progress file is gone once staffing.csv holds its rows.
    assert!(!cfg.out.join("erl.staff-progress.csv").exists());
    // Negative control: Erlang C at a higher load asks for more agents than
    // the simulation of this load found.
    let heavier =
        ccsim::analytic::erlang_c_agents_for_service_level(300.0 / 3600.0, 90.0, 20.0, 0.8, 100)
            .unwrap();
    assert!(
        answers
            .iter()
            .all(|(_, c, _)| c.parse::<u32>().unwrap() + 1 < heavier)
    );
}

#[test]
fn two_groups_at_different_costs_cost_less_than_the_cheaper_group_alone() {
    let dir = tempfile::tempdir().unwrap();
    // `senior` handles two chats at once but costs more per hour.
    let text = ERLANG.split("[[variant]]").next().unwrap().to_string()
        + r#"
[[agents]]
name = "senior"
count = 2
skills = ["chat"]
capacity = { live_chat = 2 }
"#;
    let mut cfg = config(&dir.path().join("out"), &["service_level>=0.8"]);
    cfg.groups = vec!["team".into(), "senior".into()];
    cfg.costs = vec![("team".into(), 1.0), ("senior".into(), 1.2)];
    let (out, rows) = run(dir.path(), &text, &cfg);
    let cost_of = |r: &csv::StringRecord| r[16].parse::<f64>().unwrap();
    let answer = rows
        .iter()
        .find(|r| r[12].starts_with("ci"))
        .unwrap_or_else(|| panic!("no answer\n{}", out.text));
    // Every point that was run and met costs at least the answer.
    for r in rows.iter().filter(|r| &r[10] == "true") {
        assert!(cost_of(r) >= cost_of(answer), "{:?} vs {:?}", r, answer);
    }
    // `team` alone (senior = 0) meets at a higher cost than the mix.
    let team_alone = rows
        .iter()
        .filter(|r| &r[10] == "true" && r[15].ends_with("senior=0"))
        .map(cost_of)
        .fold(f64::INFINITY, f64::min);
    assert!(
        team_alone.is_finite() && cost_of(answer) < team_alone,
        "answer {:?} vs team alone {team_alone}\n{}",
        answer,
        out.text
    );
    assert!(out.text.contains("cheapest combination"), "{}", out.text);
}

/// Half the day's demand arrives at night, when the only group is off shift.
const NIGHT: &str = r#"
[simulation]
name = "night"
horizon = "1d"
replications = 4
seed = 3
interval = "1h"

[[skill]]
name = "tech"
channel = "live_chat"
arrivals = { rate = 60, per = "1h" }
exchanges = { dist = "deterministic", value = 1 }
agent_reply = { dist = "exponential", mean = "90s" }
service_level = "20s"

[[agents]]
name = "team"
count = 3
skills = ["tech"]
capacity = { live_chat = 1 }
shifts = [{ days = "daily", start = "08:00", end = "20:00" }]
"#;

#[test]
fn a_target_no_head_count_can_meet_is_said_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("night.toml"), NIGHT).unwrap();
    let o = Command::cargo_bin("ccsim")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("RUST_BACKTRACE")
        .args([
            "staff",
            "night.toml",
            "--target",
            "service_level>=0.8",
            "--threads",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("of `tech` arrives when no group of the skill is on shift")
            && err.contains("`service_level>=0.8` cannot be met"),
        "{err}"
    );
    // It stopped at once instead of climbing to --max.
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("no head-count can meet"), "{stdout}");
    let rows = std::fs::read_to_string(dir.path().join("output/night/staffing.csv")).unwrap();
    assert_eq!(rows.lines().count(), 2, "{rows}");
    // A time target stops when doubling the head-count no longer helps.
    let mut cfg = config(&dir.path().join("out"), &["asa<=60"]);
    cfg.max = 1000;
    let (out, rows) = run(dir.path(), NIGHT, &cfg);
    assert!(
        out.infeasible.len() == 1 && out.infeasible[0].contains("hardly improves"),
        "{out:?}"
    );
    assert!(
        rows.iter().all(|r| r[3].parse::<u32>().unwrap() <= 64),
        "{out:?}"
    );
}

#[test]
fn the_search_is_byte_identical_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    for threads in [1, 2] {
        let mut cfg = config(&dir.path().join(format!("out{threads}")), &["asa<=20s"]);
        cfg.threads = Some(threads);
        cfg.variants = true;
        let (out, _) = run(dir.path(), ERLANG, &cfg);
        let csv = std::fs::read(cfg.out.join("erl").join("staffing.csv")).unwrap();
        bytes.push((out.text.replace(&format!("out{threads}"), "out"), csv));
    }
    assert_eq!(bytes[0], bytes[1]);
}

#[test]
fn bad_staff_options_are_exit_2_with_the_accepted_form() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("erl.toml"), ERLANG).unwrap();
    for (extra, says) in [
        (&["--cost", "team"][..], "expected GROUP=COST"),
        (&["--cost", "team=-1"][..], "expected GROUP=COST"),
        (&["--precision", "0"][..], "percentage of the target"),
        (&["--precision", "150%"][..], "percentage of the target"),
        (&["--group", "nobody"][..], "no agent group of that name"),
        (
            &["--group", "team", "--cost", "other=2"][..],
            "not a group given with --group",
        ),
    ] {
        let o = Command::cargo_bin("ccsim")
            .unwrap()
            .current_dir(dir.path())
            .env_remove("RUST_BACKTRACE")
            .args(["staff", "erl.toml", "--target", "asa<=20"])
            .args(extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(says), "{extra:?}: {err}");
    }
}

#[test]
fn every_group_together_is_sized_in_the_scenarios_proportions() {
    let dir = tempfile::tempdir().unwrap();
    // Two identical groups, 6 and 3 agents in the file: the total is split 2:1.
    let text = ERLANG
        .split("[[variant]]")
        .next()
        .unwrap()
        .replace("count = 7", "count = 6")
        + r#"
[[agents]]
name = "other"
count = 3
skills = ["chat"]
capacity = { live_chat = 1 }
"#;
    let mut cfg = config(&dir.path().join("out"), &["service_level>=0.8"]);
    cfg.groups = vec!["*".into()];
    let (out, rows) = run(dir.path(), &text, &cfg);
    let answers = chosen(&rows);
    assert_eq!(answers.len(), 1, "{}", out.text);
    let (_, count, groups) = &answers[0];
    let total: u32 = count.parse().unwrap();
    let erlang =
        ccsim::analytic::erlang_c_agents_for_service_level(180.0 / 3600.0, 90.0, 20.0, 0.8, 100)
            .unwrap();
    assert!(
        total.abs_diff(erlang) <= 1,
        "{total} vs {erlang}\n{}",
        out.text
    );
    let counts: Vec<u32> = groups
        .split(' ')
        .map(|g| g.split_once('=').unwrap().1.parse().unwrap())
        .collect();
    assert!(
        groups.starts_with("team=") && groups.contains(" other="),
        "{groups}"
    );
    assert_eq!(counts.iter().sum::<u32>(), total);
    assert!(
        counts[0].abs_diff(2 * counts[1]) <= 2,
        "{groups}\n{}",
        out.text
    );
    assert!(out.text.contains("agents over every group"), "{}", out.text);
}

/// Three groups serving one chat queue with patience (so no count is
/// unstable): `a` and `c` one chat at a time, `b` two.
const THREE: &str = r#"
[simulation]
name = "three"
horizon = "3h"
warmup = "30m"
replications = 3
seed = 5
interval = "1h"

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 100, per = "1h" }
exchanges = { dist = "deterministic", value = 1 }
agent_reply = { dist = "exponential", mean = "60s" }
patience = { dist = "exponential", mean = "3m" }
service_level = "20s"

[[agents]]
name = "a"
count = 1
skills = ["chat"]
capacity = { live_chat = 1 }

[[agents]]
name = "b"
count = 1
skills = ["chat"]
capacity = { live_chat = 2 }

[[agents]]
name = "c"
count = 1
skills = ["chat"]
capacity = { live_chat = 1 }
"#;

/// The largest count of each group in the three-group box.
const BOX: u32 = 4;

fn three_config(out: &Path, costs: [f64; 3]) -> StaffConfig {
    let mut cfg = config(out, &["asa<=15s"]);
    cfg.groups = vec!["a".into(), "b".into(), "c".into()];
    cfg.costs = ["a", "b", "c"]
        .iter()
        .zip(costs)
        .map(|(g, c)| (g.to_string(), c))
        .collect();
    // Exactly the scenario's replications at every point, and the box as
    // the search's limit, so a brute force measures what the search does.
    cfg.max_replications = 3;
    cfg.max = BOX;
    cfg
}

/// `THREE` with the groups at `counts`.
fn three_with(counts: [u32; 3]) -> String {
    let mut parts = THREE.split("count = 1");
    let mut text = parts.next().unwrap().to_string();
    for (c, rest) in counts.iter().zip(parts) {
        text.push_str(&format!("count = {c}"));
        text.push_str(rest);
    }
    text
}

/// Every combination of the box, simulated with the search's seed and
/// replications: whether it meets `asa<=15s` by the confidence rule and
/// by its mean.
fn brute_force(dir: &Path) -> Vec<([u32; 3], bool, bool)> {
    let target = Target::parse("asa<=15s").unwrap();
    let asa = ccsim::metrics::metric_index("asa").unwrap();
    let mut out = Vec::new();
    for a in 0..=BOX {
        for b in 0..=BOX {
            for c in 0..=BOX {
                let scn =
                    ccsim::scenario::load_str(&three_with([a, b, c]), "three.toml", dir, "three")
                        .unwrap();
                let run = ccsim::runner::run(&scn, &Default::default()).unwrap();
                let all = run.scopes.iter().position(|s| s == "all").unwrap();
                let values = run.per_rep.iter().map(|r| r[all][asa]);
                let e = ccsim::metrics::ci::estimate_at(values, 0.95);
                out.push(([a, b, c], target.met(&e, false), target.met(&e, true)));
            }
        }
    }
    out
}

/// The cheapest combination meeting (by the confidence rule or the means).
fn cheapest_of(all: &[([u32; 3], bool, bool)], costs: [f64; 3], by_mean: bool) -> f64 {
    all.iter()
        .filter(|x| if by_mean { x.2 } else { x.1 })
        .map(|x| (0..3).map(|i| costs[i] * f64::from(x.0[i])).sum::<f64>())
        .fold(f64::INFINITY, f64::min)
}

/// `a=1 b=2 c=0` as counts.
fn counts_of(groups: &str) -> [u32; 3] {
    let v: Vec<u32> = groups
        .split(' ')
        .map(|g| g.split_once('=').unwrap().1.parse().unwrap())
        .collect();
    [v[0], v[1], v[2]]
}

#[test]
fn three_groups_find_the_cheapest_combination_a_brute_force_finds() {
    let dir = tempfile::tempdir().unwrap();
    let truth = brute_force(dir.path());
    let met: Vec<_> = truth.iter().filter(|x| x.1).collect();
    assert!(!met.is_empty() && met.len() < truth.len());
    for (costs, b_used) in [
        ([1.0, 1.5, 1.2], None),
        ([1.0, 0.6, 1.2], Some(true)),
        ([1.0, 3.0, 1.2], Some(false)),
    ] {
        let cfg = three_config(&dir.path().join(format!("out{}", costs[1])), costs);
        let (out, rows) = run(dir.path(), THREE, &cfg);
        let points: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[15]).collect();
        assert!(
            points.len() < truth.len() / 2,
            "{} points simulated, the box holds {}\n{}",
            points.len(),
            truth.len(),
            out.text
        );
        for (by_mean, tag) in [(false, "ci"), (true, "mean")] {
            let answer = rows
                .iter()
                .find(|r| r[12].contains(tag))
                .unwrap_or_else(|| panic!("no {tag} answer\n{}", out.text));
            let p = counts_of(&answer[15]);
            let known = truth.iter().find(|x| x.0 == p).unwrap();
            assert!(
                if by_mean { known.2 } else { known.1 },
                "{tag}: {p:?}\n{}",
                out.text
            );
            let cost: f64 = (0..3).map(|i| costs[i] * f64::from(p[i])).sum();
            let best = cheapest_of(&truth, costs, by_mean);
            assert!(
                (cost - best).abs() < 1e-9,
                "{tag} with costs {costs:?}: {p:?} costs {cost}, the brute force finds {best}\n{}",
                out.text
            );
            // Negative control: a cheap `b` is used, a dear one is not.
            if let Some(used) = b_used {
                assert_eq!(
                    p[1] > 0,
                    used,
                    "{tag} with costs {costs:?}: {p:?}\n{}",
                    out.text
                );
            }
        }
        assert!(out.text.contains("points simulated in all"), "{}", out.text);
    }
}

#[test]
fn three_groups_are_byte_identical_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    for threads in [1, 2] {
        let mut cfg = three_config(&dir.path().join(format!("out{threads}")), [1.0, 1.5, 1.2]);
        cfg.threads = Some(threads);
        let (out, _) = run(dir.path(), THREE, &cfg);
        let csv = std::fs::read(cfg.out.join("three").join("staffing.csv")).unwrap();
        bytes.push((out.text.replace(&format!("out{threads}"), "out"), csv));
    }
    assert_eq!(bytes[0], bytes[1]);
}

#[test]
fn every_variant_gets_its_cheapest_combination_of_three_groups() {
    let dir = tempfile::tempdir().unwrap();
    // In the variant `a` logs off after 2h, so the last hour needs `b` or `c`.
    let text = THREE.to_string()
        + r#"
[[variant]]
name = "early_a"
agents = [
  { name = "a", count = 1, skills = ["chat"], capacity = { live_chat = 1 },
    shifts = [{ days = "daily", start = "00:00", end = "02:00" }] },
  { name = "b", count = 1, skills = ["chat"], capacity = { live_chat = 2 } },
  { name = "c", count = 1, skills = ["chat"], capacity = { live_chat = 1 } },
]
"#;
    let cfg = StaffConfig {
        variants: true,
        ..three_config(&dir.path().join("out"), [1.0, 1.5, 1.2])
    };
    let (out, rows) = run(dir.path(), &text, &cfg);
    let answers = chosen(&rows);
    assert_eq!(
        answers.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(),
        ["base", "early_a"],
        "{}",
        out.text
    );
    let cost = |r: &csv::StringRecord| r[16].parse::<f64>().unwrap();
    for (variant, _, groups) in &answers {
        let mine: Vec<_> = rows.iter().filter(|r| &r[13] == variant.as_str()).collect();
        let answer = mine.iter().find(|r| &r[15] == groups.as_str()).unwrap();
        assert_eq!(groups.split(' ').count(), 3, "{groups}");
        // No point of the variant that met costs less.
        for r in mine.iter().filter(|r| &r[10] == "true") {
            assert!(cost(r) >= cost(answer), "{variant}: {:?} vs {groups}", r);
        }
    }
    assert_ne!(answers[0].2, answers[1].2, "{}", out.text);
    assert!(
        out.text.contains("Agents needed per variant"),
        "{}",
        out.text
    );
}

/// Two skills, two groups for each.
const SPLIT: &str = r#"
[simulation]
name = "split"
horizon = "3h"
warmup = "30m"
replications = 2
seed = 5
interval = "1h"

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 60, per = "1h" }
exchanges = { dist = "deterministic", value = 1 }
agent_reply = { dist = "exponential", mean = "60s" }
patience = { dist = "exponential", mean = "3m" }

[[skill]]
name = "mail"
channel = "live_chat"
arrivals = { rate = 60, per = "1h" }
exchanges = { dist = "deterministic", value = 1 }
agent_reply = { dist = "exponential", mean = "60s" }
patience = { dist = "exponential", mean = "3m" }

[[agents]]
name = "chat_a"
count = 1
skills = ["chat"]
capacity = { live_chat = 1 }

[[agents]]
name = "chat_b"
count = 1
skills = ["chat"]
capacity = { live_chat = 1 }

[[agents]]
name = "mail_a"
count = 1
skills = ["mail"]
capacity = { live_chat = 1 }

[[agents]]
name = "mail_b"
count = 1
skills = ["mail"]
capacity = { live_chat = 1 }
"#;

#[test]
fn a_box_too_large_to_enumerate_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("split.toml"), SPLIT).unwrap();
    // No group meets both skills' targets alone, so only --max bounds each.
    let staff = |max: &str| {
        Command::cargo_bin("ccsim")
            .unwrap()
            .current_dir(dir.path())
            .env_remove("RUST_BACKTRACE")
            .args(["staff", "split.toml", "--threads", "2"])
            .args(["--target", "chat:asa<=30s", "--target", "mail:asa<=30s"])
            .args(["--group", "chat_a", "--group", "chat_b"])
            .args(["--group", "mail_a", "--group", "mail_b"])
            .args(["--cost", "chat_b=1.5", "--cost", "mail_b=0.5"])
            .args(["--max-replications", "2", "--max", max])
            .output()
            .unwrap()
    };
    let o = staff("12");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("13 x 13 x 13 = 2197 combinations")
            && err.contains("more than the limit of 1000")
            && err.contains("lower --max"),
        "{err}"
    );
    // The points measured before the refusal are in the progress file.
    let progress =
        std::fs::read_to_string(dir.path().join("output/split.staff-progress.csv")).unwrap();
    let points: std::collections::BTreeSet<&str> = progress
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(15))
        .collect();
    assert!(
        points.len() > 8 && points.contains("chat_a=12 chat_b=0 mail_a=0 mail_b=0"),
        "{progress}"
    );
    // Narrowed as it says, the same search runs: the cheap groups answer.
    let o = staff("6");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("Answer: chat_a=") && out.contains("chat_b=0 mail_a=0 mail_b="),
        "{out}"
    );
}

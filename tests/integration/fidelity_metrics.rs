//! Fidelity metrics (issue 10, items 7 and 8; SPEC §11): next response
//! time and its share within the response SLA, the first-response target
//! of its own, and the transfer rate — on scripted deterministic timelines
//! whose values were worked out by hand.

use crate::common::{self, timeline};
use ccsim::metrics::{Id, Tally};
use ccsim::sim::interval::IntervalTally;
use std::path::Path;

fn det(v: f64) -> String {
    format!("{{ dist = \"deterministic\", value = {v} }}")
}

/// A metric's summary value for one scope's tally.
fn summary(id: Id, t: &Tally) -> f64 {
    (id.metric().summary.expect("a summary metric"))(t, None, 1.0)
}

/// A metric's value for one interval row.
fn interval(id: Id, t: &IntervalTally) -> f64 {
    (id.metric().interval.expect("an interval metric"))(t, 1.0)
}

/// One live-chat skill `s` (two arrivals, two consumer messages each,
/// 10 s replies, consumers answer after 30 s, `extra` spliced in) and one
/// agent of capacity 2. The agent types one reply at a time, so:
///
/// - conv 0 arrives at 100, first reply 110 (10 s); its message at 140
///   waits while the agent types conv 1's first reply (135–145), so its
///   reply is at 155: a next response of 15 s.
/// - conv 1 arrives at 135, first reply 145 (10 s); its message at 175 is
///   answered at 185: a next response of 10 s.
fn two_chats(extra: &str) -> String {
    format!(
        r#"
[simulation]
horizon = 1000
warmup = 0
replications = 1
interval = 1000
[[skill]]
name = "s"
arrivals = {{ trace = "{}" }}
exchanges = {}
consumer_reply = {}
agent_reply = {}
{extra}
[[agents]]
name = "a"
count = 1
skills = ["s"]
capacity = {{ live_chat = 2 }}
"#,
        common::trace(&[100.0, 135.0]),
        det(2.0),
        det(30.0),
        det(10.0),
    )
}

#[test]
fn next_response_counts_every_reply_but_the_first_against_the_response_sla() {
    let (r, _) = timeline(&two_chats("response_sla = 12"));
    for t in [&r.skills[0], &r.skills[1]] {
        assert_eq!(t.replies, 4);
        assert_eq!((t.first_response_n, t.first_response_sum), (2, 20.0));
        // Next responses 15 s (past the 12 s SLA) and 10 s (within it).
        assert_eq!(
            (
                t.next_response_n,
                t.next_response_sum,
                t.next_response_within
            ),
            (2, 25.0, 1)
        );
        assert_eq!(summary(Id::NextResponseMean, t), 12.5);
        assert_eq!(summary(Id::NextResponseSl, t), 0.5);
        // response_time_mean keeps the first message's wait (from arrival).
        assert_eq!(summary(Id::ResponseTimeMean, t), 45.0 / 4.0);
    }
    // The one interval, skill `s` and `all`.
    for row in &r.intervals[0..2] {
        assert_eq!(interval(Id::NextResponseMean, row), 12.5);
        assert_eq!(interval(Id::NextResponseSl, row), 0.5);
    }
    // A 15 s SLA takes both in.
    let (r, _) = timeline(&two_chats("response_sla = 15"));
    assert_eq!(summary(Id::NextResponseSl, &r.skills[1]), 1.0);
    // The new metrics come after every existing summary and interval one.
    let (s, i) = (
        ccsim::metrics::registry::SUMMARY_NAMES,
        ccsim::metrics::registry::INTERVAL_NAMES,
    );
    let after = |names: &[&str], old: &str, new: &[&str]| {
        let at = |n: &str| names.iter().position(|m| *m == n).unwrap();
        let mut last = at(old);
        for n in new {
            assert!(at(n) > last, "{n} is not after {old} and its predecessors");
            last = at(n);
        }
    };
    after(
        &s,
        "agents_logged_in",
        &[
            "next_response_mean",
            "next_response_sl",
            "transfer_rate",
            "retries",
            "acd_queue_mean",
        ],
    );
    after(
        &i,
        "agents_logged_in",
        &[
            "next_response_mean",
            "next_response_sl",
            "retries",
            "acd_queue_mean",
        ],
    );
}

#[test]
fn first_response_sl_uses_first_response_target_when_set() {
    // Both first responses take 10 s.
    let (r, _) = timeline(&two_chats("service_level = 5"));
    assert_eq!(summary(Id::FirstResponseSl, &r.skills[1]), 0.0);
    let (r, _) = timeline(&two_chats(
        "service_level = 5\nfirst_response_target = \"10s\"",
    ));
    assert_eq!(summary(Id::FirstResponseSl, &r.skills[1]), 1.0);
    // The queue service level keeps `service_level` (both waited 0 s).
    assert_eq!(summary(Id::ServiceLevel, &r.skills[1]), 1.0);
    let (r, _) = timeline(&two_chats("service_level = 20\nfirst_response_target = 9"));
    assert_eq!(summary(Id::FirstResponseSl, &r.skills[1]), 0.0);
}

#[test]
fn first_response_target_is_validated_like_a_duration() {
    let text = two_chats("first_response_target = \"7\"");
    let e = ccsim::scenario::load_str(&text, "v.toml", Path::new("."), "v")
        .expect_err("a unitless string is not a duration");
    let d = e
        .diagnostics
        .iter()
        .find(|d| {
            d.key
                .as_deref()
                .is_some_and(|k| k.contains("first_response_target"))
        })
        .unwrap_or_else(|| panic!("no diagnostic names first_response_target:\n{e}"));
    assert!(d.line.is_some(), "no line in {d}");
}

/// Skill `s` transfers to `t` at every reply and `t` back to `s`, so its
/// one conversation bounces until the horizon; skill `u`'s conversation
/// is never transferred (`t`'s own arrival comes after the horizon). The rate counts conversations, not transfers.
#[test]
fn transfer_rate_counts_transferred_conversations_over_handled() {
    let skill = |name: &str, arrivals: &[f64], transfer: &str| {
        let arrivals = format!("{{ trace = \"{}\" }}", common::trace(arrivals));
        format!(
            "[[skill]]\nname = \"{name}\"\narrivals = {arrivals}\nagent_reply = {}\n{transfer}\n",
            det(10.0)
        )
    };
    let text = format!(
        "[simulation]\nhorizon = 200\nwarmup = 0\nreplications = 1\ninterval = 200\n{}{}{}[[agents]]\nname = \"a\"\ncount = 2\nskills = [\"s\", \"t\", \"u\"]\ncapacity = {{ live_chat = 2 }}\n",
        skill(
            "s",
            &[100.0],
            "transfer = { probability = 1.0, to = \"t\" }"
        ),
        skill(
            "t",
            &[5000.0],
            "transfer = { probability = 1.0, to = \"s\" }"
        ),
        skill("u", &[100.0], ""),
    );
    let (r, _) = timeline(&text);
    let (s, u, all) = (&r.skills[0], &r.skills[2], &r.skills[3]);
    // Conversation 0 is transferred at every reply (110, 120, …, 190).
    assert_eq!((s.handled, s.transferred), (1, 1));
    assert!(s.transfers >= 8, "{} transfers", s.transfers);
    assert_eq!(summary(Id::TransferRate, s), 1.0);
    assert_eq!((u.handled, u.transferred, u.transfers), (1, 0, 0));
    assert_eq!(summary(Id::TransferRate, u), 0.0);
    assert_eq!(summary(Id::TransferRate, all), 0.5);
}

/// Issue 10 item 20: service level and occupancy are the mean of the
/// replications' ratios (each a ratio of sums within its replication),
/// not the ratio of the counts summed over the replications. A short,
/// small run makes the replications' volumes differ so the two estimators
/// part.
#[test]
fn ratios_are_means_of_per_replication_ratios() {
    let scn = common::scenario(
        r#"
[simulation]
horizon = "2h"
warmup = 0
replications = 6
seed = 11
[[skill]]
name = "s"
arrivals = { rate = 40, per = "1h" }
service_level = 20
patience = { dist = "exponential", mean = "2m" }
exchanges = { dist = "geometric", mean = 2 }
[[agents]]
name = "a"
count = 2
skills = ["s"]
capacity = { live_chat = 2 }
"#,
    );
    let res = ccsim::runner::run(&scn, &ccsim::runner::RunOptions::default()).unwrap();
    let reps: Vec<_> = (0..scn.replications)
        .map(|r| ccsim::sim::Sim::new(&scn, r, None).run())
        .collect();
    let n = reps.len() as f64;
    let all = |r: &ccsim::sim::RepResult| r.skills.last().unwrap().clone();
    // Service level: answered within target ÷ (offered − abandoned within target).
    let sl =
        |t: &Tally| t.handled_within_sl as f64 / (t.offered as f64 - t.abandoned_within_sl as f64);
    let mean_of_ratios = reps.iter().map(|r| sl(&all(r))).sum::<f64>() / n;
    let mut summed = Tally::default();
    for r in &reps {
        summed.merge(&all(r));
    }
    let ratio_of_sums = sl(&summed);
    let got = res.summary("all", "service_level").unwrap().mean;
    assert!(
        (mean_of_ratios - ratio_of_sums).abs() > 1e-6,
        "the case does not tell the estimators apart: {mean_of_ratios} vs {ratio_of_sums}"
    );
    assert!(
        (got - mean_of_ratios).abs() < 1e-12,
        "service level {got} is not the mean of ratios {mean_of_ratios}"
    );
    // Occupancy: typing time ÷ logged-in time over the replication's agents.
    let occ = |r: &ccsim::sim::RepResult| r.agents_all.effort / r.agents_all.logged_in;
    let mean_of_ratios = reps.iter().map(occ).sum::<f64>() / n;
    let (effort, logged): (f64, f64) = reps.iter().fold((0.0, 0.0), |(e, l), r| {
        (e + r.agents_all.effort, l + r.agents_all.logged_in)
    });
    let got = res.summary("all", "occupancy").unwrap().mean;
    assert!(
        (got - mean_of_ratios).abs() < 1e-12,
        "occupancy {got} is not the mean of ratios {mean_of_ratios}"
    );
    // Every replication is logged in for the same time here, so for
    // occupancy the two estimators coincide (as the README says).
    assert!((got - effort / logged).abs() < 1e-12);
}

/// Issue 10 item 15: occupancy and concurrency per group, over the run and
/// per interval, split exactly at the interval boundary. Group `busy`
/// (one agent) gets two chats of one 10 s reply each, at 100 and at 495
/// (typing and open 495–505 straddle the boundary at 500); group `idle`
/// (one agent) has nothing to do. Two identical replications.
#[test]
fn occupancy_and_concurrency_per_group_and_interval() {
    let scn = common::scenario(&format!(
        r#"
[simulation]
horizon = 1000
warmup = 0
replications = 2
interval = 500
[[skill]]
name = "s"
arrivals = {{ trace = "{}" }}
agent_reply = {}
[[skill]]
name = "t"
arrivals = {{ trace = "{}" }}
[[agents]]
name = "busy"
count = 1
skills = ["s"]
[[agents]]
name = "idle"
count = 1
skills = ["t"]
"#,
        common::trace(&[100.0, 495.0]),
        det(10.0),
        common::trace(&[5000.0]),
    ));
    let res = ccsim::runner::run(&scn, &ccsim::runner::RunOptions::default()).unwrap();
    assert_eq!(ccsim::metrics::GROUP_METRICS[0], "occupancy");
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    let busy = &res.groups[0];
    assert_eq!(
        (busy.group.as_str(), busy.login.as_str()),
        ("busy", "live_chat")
    );
    // Over the run: 20 s typing, 20 s open, one agent logged in, in 1000 s.
    let run: Vec<f64> = busy.run.iter().map(|e| e.mean).collect();
    assert!(
        close(run[0], 0.02) && close(run[1], 0.02) && close(run[2], 1.0),
        "{run:?}"
    );
    assert_eq!(busy.run[0].n, 2);
    // Per interval: 15 s then 5 s of typing and of open conversation.
    let iv = |k: usize| -> Vec<f64> { busy.intervals[k].iter().map(|e| e.mean).collect() };
    assert!(
        close(iv(0)[0], 0.03) && close(iv(0)[1], 0.03),
        "{:?}",
        iv(0)
    );
    assert!(
        close(iv(1)[0], 0.01) && close(iv(1)[1], 0.01),
        "{:?}",
        iv(1)
    );
    // The idle group is not mixed in; all agents together are half as busy.
    let idle = &res.groups[1];
    assert_eq!(idle.group, "idle");
    assert!(close(idle.run[0].mean, 0.0) && close(idle.run[1].mean, 0.0));
    assert!(close(res.summary("all", "occupancy").unwrap().mean, 0.01));
    // The files: groups.csv in the long form of summary.csv.
    let csv =
        String::from_utf8(ccsim::report::csv_out::groups(std::slice::from_ref(&res))).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("variant,group,login,metric,mean,ci_low,ci_high,replications")
    );
    assert_eq!(
        lines.next(),
        Some("base,busy,live_chat,occupancy,0.02,0.02,0.02,2")
    );
    let ivs = String::from_utf8(ccsim::report::csv_out::group_intervals(
        std::slice::from_ref(&res),
    ))
    .unwrap();
    assert_eq!(ivs.lines().count(), 1 + 2 * 2, "{ivs}");
    assert!(
        ivs.lines()
            .nth(1)
            .unwrap()
            .starts_with("base,0,Mon 00:00,busy,live_chat,0.03,0.03,1,"),
        "{ivs}"
    );
}

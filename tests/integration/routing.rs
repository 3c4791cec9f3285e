//! Routing and the working day (issue 4): scripted timelines with
//! deterministic distributions — ring mode, ramp-up, logout policies,
//! breaks, agent selection, priorities, unroutable skills — and a property
//! test that no agent ever exceeds its capacity or gets a conversation
//! while not online, on random scenarios.

use crate::common::{self, st, steps, timeline};
use proptest::prelude::*;

fn det(v: f64) -> String {
    format!("{{ dist = \"deterministic\", value = {v} }}")
}

/// One skill `s`, one group `a`; `skill`, `group` and `routing` are spliced in.
fn scenario(horizon: f64, skill: &str, group: &str, routing: &str) -> String {
    format!(
        r#"
[simulation]
horizon = {horizon}
warmup = 0
replications = 1
interval = {horizon}
[[skill]]
name = "s"
{skill}
[[agents]]
name = "a"
skills = ["s"]
{group}
[routing]
{routing}
"#
    )
}

/// Ring mode: an ignored offer times out after `ring_timeout` and goes to
/// the next eligible agent, not the one that ignored it.
#[test]
fn ring_timeout_moves_to_the_next_agent() {
    let skill = format!("arrivals = {{ trace = \"{}\" }}", common::trace(&[100.0]));
    let (r, log) = timeline(&scenario(
        400.0,
        &skill,
        "count = 3",
        "accept = \"ring\"\nignore_probability = 1.0\nring_timeout = \"60s\"",
    ));
    let offers: Vec<(f64, String)> = steps(&log, 0)
        .into_iter()
        .map(|(t, s, a)| {
            assert_eq!(s, "offered");
            (t, a)
        })
        .collect();
    assert_eq!(
        offers,
        vec![
            // Every agent in turn; then a new round, never the one that just ignored it.
            (100.0, "a#0".to_string()),
            (160.0, "a#1".to_string()),
            (220.0, "a#2".to_string()),
            (280.0, "a#0".to_string()),
            (340.0, "a#1".to_string()),
            (400.0, "a#2".to_string()),
        ]
    );
    let t = &r.skills[0];
    assert_eq!((t.rings, t.ring_timeouts, t.handled), (6, 5, 0));
    let ignored: u64 = r.agents.iter().map(|a| a.tally[0].rings_ignored).sum();
    assert_eq!(ignored, 6);
}

/// Ring mode: accepted after the accept delay; the ring time counts as
/// time in queue (an ACD's answer time).
#[test]
fn ring_accept_after_the_delay() {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nagent_reply = {}",
        common::trace(&[100.0]),
        det(10.0)
    );
    let (r, log) = timeline(&scenario(
        400.0,
        &skill,
        "count = 2",
        &format!("accept = \"ring\"\naccept_delay = {}", det(8.0)),
    ));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "offered", "a#0"),
            st(108.0, "awaiting_agent", "a#0"),
            st(118.0, "closed", "")
        ]
    );
    let t = &r.skills[0];
    assert_eq!(
        (t.rings, t.ring_timeouts, t.ring_accepts, t.handled),
        (1, 0, 1, 1)
    );
    assert_eq!((t.asa_sum, t.ring_time), (8.0, 8.0));
}

/// Ramp-up: after login the first 3 assignments come one at a time, 2
/// minutes apart, although the agent has free capacity for all 5.
#[test]
fn ramp_up_spaces_the_first_assignments() {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nagent_reply = {}",
        common::trace(&[10.0, 10.0, 10.0, 10.0, 10.0]),
        det(5000.0)
    );
    let (_, log) = timeline(&scenario(
        2000.0,
        &skill,
        "count = 1\ncapacity = { live_chat = 5 }",
        "ramp_up = { first = 3, interval = \"2m\" }",
    ));
    let assigned: Vec<f64> = (0..5)
        .map(|c| {
            steps(&log, c)
                .iter()
                .find(|s| s.1 == "awaiting_agent")
                .map(|s| s.0)
                .unwrap()
        })
        .collect();
    assert_eq!(assigned, vec![10.0, 130.0, 250.0, 370.0, 370.0]);
}

/// The two-shift scenario of the logout tests: group `a` works Monday
/// 00:00–00:10 (and, with `keep`, every day), group `b` (if any) later.
fn logout_case(
    policy: &str,
    days: &str,
    with_b: bool,
) -> (ccsim::sim::RepResult, Vec<ccsim::sim::LogEntry>) {
    let b = if with_b {
        "[[agents]]\nname = \"b\"\ncount = 1\nskills = [\"s\"]\nshifts = [{ days = \"Mon\", start = \"00:20\", end = \"01:00\" }]\n"
    } else {
        ""
    };
    let text = format!(
        r#"
[simulation]
horizon = 100000
warmup = 0
replications = 1
interval = 100000
[[skill]]
name = "s"
arrivals = {{ trace = "{}" }}
exchanges = {}
consumer_reply = {}
agent_reply = {}
[[agents]]
name = "a"
count = 1
skills = ["s"]
logout = "{policy}"
shifts = [{{ days = "{days}", start = "00:00", end = "00:10" }}]
{b}"#,
        common::trace(&[100.0]),
        det(3.0),
        det(400.0),
        det(10.0),
    );
    timeline(&text)
}

/// Logout with `return_to_queue`: the open conversation goes back to the
/// queue at the shift's end and the next agent to log in takes it.
#[test]
fn logout_returns_conversations_to_the_queue() {
    let (r, log) = logout_case("return_to_queue", "Mon", true);
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "awaiting_consumer", "a#0"),
            st(510.0, "awaiting_agent", "a#0"),
            st(520.0, "awaiting_consumer", "a#0"),
            st(600.0, "queued", ""),
            // The consumer's message at 920 waits in the queue; b logs in at 00:20.
            st(1200.0, "awaiting_agent", "b#0"),
            st(1210.0, "closed", ""),
        ]
    );
    let t = &r.skills[0];
    assert_eq!((t.returned_to_queue, t.kept_at_logout), (1, 0));
}

/// Logout with `keep`: the conversation stays with the agent, unanswered,
/// until its next login the next day.
#[test]
fn logout_keeps_conversations_until_the_next_login() {
    let (r, log) = logout_case("keep", "daily", false);
    assert_eq!(
        steps(&log, 0)[3..],
        [
            st(520.0, "awaiting_consumer", "a#0"),
            st(920.0, "awaiting_agent", "a#0"),
            st(86_410.0, "closed", ""),
        ]
    );
    let t = &r.skills[0];
    assert_eq!((t.returned_to_queue, t.kept_at_logout), (0, 1));
    // Kept from the logout at 00:10 to the next login at 00:00 the next day.
    assert_eq!(t.kept_wait_sum, 86_400.0 - 600.0);
    // The kept message waited from 920 until the reply the next day.
    assert_eq!(t.response_sum, 10.0 + 10.0 + (86_410.0 - 920.0));
}

/// A break sets the agent away: no new conversation although it has free
/// capacity; it takes the queued one when the break ends.
#[test]
fn no_assignment_during_a_break() {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nagent_reply = {}",
        common::trace(&[150.0]),
        det(10.0)
    );
    let (r, log) = timeline(&scenario(
        2000.0,
        &skill,
        "count = 1\nshifts = [{ days = \"daily\", start = \"00:00\", end = \"12:00\" }]\nbreaks = [{ after = \"100s\", duration = \"300s\" }]",
        "",
    ));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(150.0, "queued", ""),
            st(400.0, "awaiting_agent", "a#0"),
            st(410.0, "closed", "")
        ]
    );
    let a = &r.agents[0].tally[0];
    assert_eq!((a.logged_in, a.online), (2000.0, 1700.0));
    // Staffing per skill: logged in all along, online but for the break.
    assert_eq!(
        (r.skills[0].logged_in_area, r.skills[0].online_area),
        (2000.0, 1700.0)
    );
}

/// The agents that get four conversations under a selection rule: three
/// agents with room for two; at t = 0 a long conversation (typed for
/// 1000 s) then two short ones (10 s, closed at t = 10); at t = 20 a
/// fourth, short.
fn first_agents(selection: &str) -> Vec<String> {
    let text = format!(
        r#"
[simulation]
horizon = 200
warmup = 0
replications = 1
interval = 200
[[skill]]
name = "long"
arrivals = {{ trace = "{}" }}
agent_reply = {}
[[skill]]
name = "short"
arrivals = {{ trace = "{}" }}
agent_reply = {}
[[agents]]
name = "a"
count = 3
capacity = {{ live_chat = 2 }}
skills = ["long", "short"]
[routing]
agent_selection = "{selection}"
"#,
        common::trace(&[0.0]),
        det(1000.0),
        common::trace(&[0.0, 0.0, 20.0]),
        det(10.0)
    );
    let (_, log) = timeline(&text);
    (0..4).map(|c| steps(&log, c)[0].2.clone()).collect()
}

/// Agent selection: each rule gives its own order on the same script (the
/// fourth conversation goes to a different agent under each rule).
#[test]
fn agent_selection_rules() {
    // Most free slots first, then the earliest last assignment, then the
    // index: spread over the three; at t = 20 a#0 still holds the long one.
    assert_eq!(first_agents("most_available"), ["a#0", "a#1", "a#2", "a#1"]);
    // The earliest time the agent last became free (login, or a
    // conversation leaving it); an assignment does not reset it. At t = 0
    // all three logged in together: the index decides until a#0 is full.
    // At t = 10 the short ones close at a#0 and a#1, so at t = 20 a#2,
    // free since its login, has been idle longest.
    assert_eq!(first_agents("longest_idle"), ["a#0", "a#0", "a#1", "a#2"]);
    // The order of assignments, whatever the time and the load: a#0 was
    // assigned first, so it is next at t = 20 though it is the busiest.
    assert_eq!(first_agents("round_robin"), ["a#0", "a#1", "a#2", "a#0"]);
}

/// When capacity frees, the agent takes the highest-priority skill's
/// conversation first, even if another waited longer.
#[test]
fn priority_beats_waiting_time() {
    let text = format!(
        r#"
[simulation]
horizon = 1000
warmup = 0
replications = 1
interval = 1000
[[skill]]
name = "low"
arrivals = {{ trace = "{}" }}
agent_reply = {}
[[skill]]
name = "high"
priority = 5
arrivals = {{ trace = "{}" }}
agent_reply = {}
[[agents]]
name = "a"
count = 1
skills = ["low", "high"]
"#,
        common::trace(&[10.0, 20.0]),
        det(100.0),
        common::trace(&[30.0]),
        det(100.0)
    );
    let (_, log) = timeline(&text);
    // Conversation ids in arrival order: low@10 (0), low@20 (1), high@30 (2).
    assert_eq!(steps(&log, 2)[1], st(110.0, "awaiting_agent", "a#0"));
    assert_eq!(steps(&log, 1)[1], st(210.0, "awaiting_agent", "a#0"));
}

/// A skill no agent has: every conversation is counted unroutable, in the
/// summary and per interval.
#[test]
fn unroutable_conversations_are_counted() {
    let text = r#"
[simulation]
horizon = "4h"
warmup = 0
replications = 2
interval = "1h"
[[skill]]
name = "served"
arrivals = { rate = 20, per = "1h" }
[[skill]]
name = "orphan"
arrivals = { rate = 20, per = "1h" }
[[agents]]
name = "a"
count = 2
skills = ["served"]
"#;
    let scn = common::scenario(text);
    assert!(
        scn.warnings
            .iter()
            .any(|w| w.contains("orphan") && w.contains("unroutable"))
    );
    let res = ccsim::runner::run(&scn, &Default::default()).unwrap();
    let orphan = res.summary("orphan", "unroutable").unwrap();
    assert_eq!(orphan.mean, res.summary("orphan", "offered").unwrap().mean);
    assert_eq!(res.summary("served", "unroutable").unwrap().mean, 0.0);
    let k = ccsim::sim::interval::INTERVAL_METRICS
        .iter()
        .position(|m| *m == "unroutable")
        .unwrap();
    let per_interval: f64 = res.intervals.iter().map(|iv| iv[1][k].mean).sum();
    assert!((per_interval - orphan.mean).abs() < 1e-9);
}

/// Random small scenarios (styles, modes, capacities, ring mode, shifts,
/// breaks, count profiles, wind-down, logout policies, transfers, returns):
/// the invariants hold after
/// every event — capacity per channel and in total, slots matching held
/// conversations, queue lengths, no assignment to an agent not online,
/// no two_login agent holding both channels — and conversations are conserved.
fn random_scenario(
    style: usize,
    mode: usize,
    cap: u32,
    ring: bool,
    shifts: bool,
    keep: bool,
    transfer: bool,
    profile: bool,
    seed: u64,
) -> String {
    let (style, channel) = [
        ("live_chat", "live_chat"),
        ("live_chat_returning", "messaging"),
        ("social_messaging", "messaging"),
    ][style];
    let mode = ["dedicated", "blended", "two_login"][mode];
    // A count profile (with a wind-down before each drop) instead of shifts;
    // two_login groups keep their shifts and wind down before each end.
    let wind_down = if profile { "wind_down = \"10m\"" } else { "" };
    let shift_lines = if profile && mode != "two_login" {
        format!("count = {{ profile = [3, 1, 0, 2, 3, 2], per = \"2h\" }}\n{wind_down}")
    } else if mode == "two_login" {
        "shifts = [{ days = \"daily\", start = \"00:00\", end = \"06:00\", login = \"live_chat\" }, { days = \"daily\", start = \"06:00\", end = \"12:00\", login = \"messaging\" }]\nbreaks = [{ after = \"2h\", duration = \"15m\", stagger = \"30m\" }]\n".to_string() + wind_down
    } else if shifts {
        "shifts = [{ days = \"daily\", start = \"01:00\", end = \"09:00\" }]\nbreaks = [{ after = \"3h\", duration = \"20m\", stagger = \"1h\", state = \"back_soon\" }]".to_string()
    } else {
        String::new()
    };
    let count = if profile && mode != "two_login" {
        ""
    } else {
        "count = 3\n"
    };
    let (chat_skill, groups) = if mode == "dedicated" {
        (
            "",
            format!(
                "[[agents]]\nname = \"a\"\n{count}skills = [\"s\"]\ncapacity = {{ {channel} = {cap} }}\n{shift_lines}\nlogout = \"{}\"\n",
                if keep { "keep" } else { "return_to_queue" }
            ),
        )
    } else {
        (
            "[[skill]]\nname = \"chat\"\narrivals = { rate = 15, per = \"1h\" }\nexchanges = { dist = \"geometric\", mean = 3 }\nconsumer_reply = { dist = \"exponential\", mean = \"40s\" }\npatience = { dist = \"exponential\", mean = \"4m\" }\n",
            format!(
                "[[agents]]\nname = \"a\"\n{count}mode = \"{mode}\"\nskills = [\"s\", \"chat\"]\ncapacity = {{ live_chat = {cap}, messaging = {}, total = {} }}\n{shift_lines}\nlogout = \"{}\"\n",
                cap + 1,
                cap + 1,
                if keep { "keep" } else { "return_to_queue" }
            ),
        )
    };
    let transfer_line = if transfer {
        "transfer = { probability = 0.1, to = \"s2\" }"
    } else {
        ""
    };
    format!(
        r#"
[simulation]
horizon = "14h"
warmup = "1h"
replications = 1
seed = {seed}
interval = "1h"
[[skill]]
name = "s"
channel = "{channel}"
style = "{style}"
arrivals = {{ profile = [20, 5, 30, 10], per = "1h" }}
patience = {{ dist = "exponential", mean = "10m" }}
exchanges = {{ dist = "geometric", mean = 3 }}
consumer_reply = {{ dist = "exponential", mean = "90s" }}
agent_reply = {{ dist = "lognormal", mean = "40s", sd = "30s" }}
auto_close = "3m"
reopen_window = "20m"
solved_to_closed = "1h"
park_after = "30s"
returns = {{ probability = 0.3, after = {{ dist = "exponential", mean = "15m" }} }}
manual_sla_probability = 0.1
resume_probability = 0.2
return_probability = 0.05
{transfer_line}
[[skill]]
name = "s2"
channel = "{channel}"
style = "{style}"
arrivals = {{ rate = 2, per = "1h" }}
{chat_skill}
{groups}
[[agents]]
name = "b"
count = 1
skills = ["s2"]
capacity = {{ {channel} = 2 }}
[routing]
accept = "{}"
ignore_probability = 0.3
ring_timeout = "20s"
ramp_up = {{ first = 2, interval = "1m" }}
sticky = "2m"
"#,
        if ring { "ring" } else { "auto" }
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn invariants_hold_on_random_scenarios(
        style in 0usize..3, mode in 0usize..3, cap in 1u32..4, ring: bool, shifts: bool, keep: bool,
        transfer: bool, profile: bool, seed in 0u64..1000,
    ) {
        // Blended and two_login groups span both channels.
        let text = random_scenario(style, mode, cap, ring, shifts, keep, transfer, profile, seed);
        let scn = common::scenario(&text);
        let r = ccsim::sim::Sim::new(&scn, 0, None).run_checked();
        let r = r.map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let (offered, closed, abandoned, in_system) = r.conservation;
        prop_assert_eq!(offered, closed + abandoned + in_system);
        prop_assert!(offered > 0);
    }
}

/// `agents_online` for `all` counts each agent once, even with several
/// skills (a blended agent is online for both of its skills).
#[test]
fn agents_online_counts_distinct_agents() {
    let text = r#"
[simulation]
horizon = "2h"
warmup = 0
replications = 1
interval = "1h"
[[skill]]
name = "chat"
arrivals = { rate = 10, per = "1h" }
[[skill]]
name = "msg"
channel = "messaging"
arrivals = { rate = 10, per = "1h" }
[[agents]]
name = "team"
count = 3
mode = "blended"
skills = ["chat", "msg"]
"#;
    let res = ccsim::runner::run(&common::scenario(text), &Default::default()).unwrap();
    for (scope, want) in [("chat", 3.0), ("msg", 3.0), ("all", 3.0)] {
        assert_eq!(
            res.summary(scope, "agents_online").unwrap().mean,
            want,
            "{scope}"
        );
    }
    let k = ccsim::sim::interval::INTERVAL_METRICS
        .iter()
        .position(|m| *m == "agents_online")
        .unwrap();
    assert!(res.intervals.iter().all(|iv| iv[2][k].mean == 3.0));
}

/// A `back_soon` break works like `away`: no new conversations, existing
/// ones continue; the time is not online but logged in.
#[test]
fn back_soon_break_takes_nothing_new() {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nagent_reply = {}",
        common::trace(&[150.0]),
        det(10.0)
    );
    let (r, log) = timeline(&scenario(
        2000.0,
        &skill,
        "count = 1\nshifts = [{ days = \"daily\", start = \"00:00\", end = \"12:00\" }]\nbreaks = [{ after = \"100s\", duration = \"300s\", state = \"back_soon\" }]",
        "",
    ));
    assert_eq!(steps(&log, 0)[1], st(400.0, "awaiting_agent", "a#0"));
    assert_eq!(
        (r.skills[0].logged_in_area, r.skills[0].online_area),
        (2000.0, 1700.0)
    );
}

/// The agent returns a conversation to the queue (return_probability):
/// it goes to another agent, not back to the one who returned it.
#[test]
fn an_agent_returns_a_conversation_to_the_queue() {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}\nreturn_probability = 1.0",
        common::trace(&[100.0]),
        det(2.0),
        det(20.0),
        det(10.0)
    );
    let (r, log) = timeline(&scenario(1000.0, &skill, "count = 2", ""));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "awaiting_consumer", "a#1"),
            st(130.0, "awaiting_agent", "a#1"),
            st(140.0, "closed", ""),
        ]
    );
    assert_eq!(r.skills[0].returned_to_queue, 1);
}

//! Reporting fidelity (issue 10, items 2–4), on scripted timelines whose
//! numbers were worked out by hand: `solve_time_mean` counts each
//! conversation once at its last solve; an agent's `conversations` are
//! distinct conversations and `assignments` every assignment; a two_login
//! login's concurrency counts only its own channel's conversations.

use crate::common::{self, st, steps, timeline};
use ccsim::metrics::{METRICS, metric_index, metric_values};

fn det(v: f64) -> String {
    format!("{{ dist = \"deterministic\", value = {v} }}")
}

fn one_skill(horizon: f64, skill: &str, cap: &str) -> String {
    format!(
        "[simulation]\nhorizon = {horizon}\nwarmup = 0\nreplications = 1\ninterval = {horizon}\n[[skill]]\nname = \"s\"\n{skill}\n[[agents]]\nname = \"a\"\ncount = 1\nskills = [\"s\"]\ncapacity = {cap}\n"
    )
}

/// A conversation solved at 140, reopened and solved again at 480 and at
/// 820 (arrival 100) counts once, at its last solve: 720 s. Averaging every
/// solve gave (40 + 380 + 720) / 3 = 380 s.
#[test]
fn solve_time_counts_each_conversation_once_at_its_last_solve() {
    let skill = format!(
        "channel = \"messaging\"\nstyle = \"live_chat_returning\"\nreopen_window = 600\narrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}\nreturns = {{ probability = 1.0, after = {} }}",
        common::trace(&[100.0]),
        det(2.0),
        det(20.0),
        det(10.0),
        det(300.0)
    );
    let (r, log) = timeline(&one_skill(1000.0, &skill, "{ messaging = 1 }"));
    let solves: Vec<f64> = steps(&log, 0)
        .into_iter()
        .filter(|s| s.1 == "solved")
        .map(|s| s.0)
        .collect();
    assert_eq!(solves, [140.0, 480.0, 820.0]);
    for t in &r.skills {
        assert_eq!((t.reopens, t.solved, t.solve_time_sum), (2, 1, 720.0));
        let v = metric_values(t, Some(&r.agents_all), 1000.0);
        let i = metric_index("solve_time_mean").unwrap();
        assert_eq!((METRICS[i], v[i]), ("solve_time_mean", 720.0));
    }
}

/// social_messaging with parking: each of the two conversations is
/// assigned, parked and unparked to its owner — 2 conversations, 4
/// assignments (the old count said 4 conversations).
#[test]
fn agent_conversations_are_distinct_and_assignments_count_every_one() {
    let skill = format!(
        "channel = \"messaging\"\nstyle = \"social_messaging\"\npark_after = 0\nsolved_to_closed = \"1h\"\narrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}",
        common::trace(&[100.0, 105.0]),
        det(2.0),
        det(20.0),
        det(10.0)
    );
    let (r, log) = timeline(&one_skill(5000.0, &skill, "{ messaging = 1 }"));
    assert_eq!(
        steps(&log, 0)[1..3],
        [
            st(110.0, "parked", "a#0"),
            st(130.0, "awaiting_agent", "a#0")
        ]
    );
    assert_eq!(r.skills[0].parks, 2);
    let t = &r.agents[0].tally[0];
    assert_eq!((t.conversations, t.assignments), (2, 4));
}

/// two_login with `keep`: the live-chat login (00:00–00:10) holds a chat
/// from 100 s to its logout at 600 s and keeps it; the messaging login
/// (00:10–00:20) takes one messaging conversation at 700 s. The kept chat
/// is no part of the messaging login's load (capacity 2 there).
#[test]
fn two_login_keep_counts_only_the_logins_own_conversations() {
    let text = format!(
        r#"
[simulation]
horizon = 1200
warmup = 0
replications = 1
interval = 1200
[[skill]]
name = "c"
arrivals = {{ trace = "{}" }}
exchanges = {}
consumer_reply = {}
agent_reply = {}
[[skill]]
name = "m"
channel = "messaging"
arrivals = {{ trace = "{}" }}
exchanges = {}
consumer_reply = {}
agent_reply = {}
[[agents]]
name = "a"
count = 1
mode = "two_login"
skills = ["c", "m"]
capacity = {{ live_chat = 1, messaging = 2, total = 3 }}
logout = "keep"
shifts = [{{ days = "daily", start = "00:00", end = "00:10", login = "live_chat" }}, {{ days = "daily", start = "00:10", end = "00:20", login = "messaging" }}]
"#,
        common::trace(&[100.0]),
        det(3.0),
        det(400.0),
        det(10.0),
        common::trace(&[700.0]),
        det(1.0),
        det(10.0),
        det(10.0),
    );
    let (r, log) = timeline(&text);
    // The chat waits, kept, from its consumer's message at 920 s; the
    // messaging conversation is open from 700 s to its solve at 710 s.
    assert_eq!(steps(&log, 0)[4], st(920.0, "awaiting_agent", "a#0"));
    assert_eq!(steps(&log, 1)[1], st(710.0, "solved", ""));
    let [chat, msg] = &r.agents[0].tally;
    assert_eq!(
        (chat.logged_in, chat.open_area, chat.max_open),
        (600.0, 500.0, 1)
    );
    // Counting the kept chat too gave 10 + 600 s and a maximum of 2.
    assert_eq!(
        (msg.logged_in, msg.open_area, msg.max_open),
        (600.0, 10.0, 1)
    );
}

//! The conversation lifecycle, style by style (issue 3): scripted
//! scenarios with deterministic distributions whose exact timelines were
//! worked out by hand, run with the model's invariants checked after every
//! event. Agent `a#0` is agent 0 of group `a`.

use crate::common::{self, st, steps, timeline};

/// A one-skill scenario: `skill` and `extra` are spliced into the skill
/// table; one agent group `a` of `agents` agents with `cap` capacity.
fn one_skill(horizon: f64, skill: &str, agents: u32, cap: &str) -> String {
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
count = {agents}
skills = ["s"]
capacity = {cap}
"#
    )
}

fn det(v: f64) -> String {
    format!("{{ dist = \"deterministic\", value = {v} }}")
}

/// live_chat style: solved closes at once; a return is a new conversation
/// of the same issue, with a new queue wait.
#[test]
fn live_chat_closes_at_solve_and_a_return_is_a_new_conversation() {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}\nreturns = {{ probability = 1.0, after = {} }}",
        common::trace(&[100.0]),
        det(2.0),
        det(20.0),
        det(10.0),
        det(300.0)
    );
    let (r, log) = timeline(&one_skill(1000.0, &skill, 1, "{ live_chat = 1 }"));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "awaiting_consumer", "a#0"),
            st(130.0, "awaiting_agent", "a#0"),
            st(140.0, "closed", ""),
        ]
    );
    // The return 300 s after the solve is conversation 1 of the same issue.
    assert_eq!(steps(&log, 1)[0], st(440.0, "awaiting_agent", "a#0"));
    assert_eq!(steps(&log, 1)[3], st(480.0, "closed", ""));
    assert!(log.iter().filter(|e| e.conv == 1).all(|e| e.issue == 0));
    let all = &r.skills[1];
    assert_eq!(
        (all.offered, all.issues, all.closed_by_agent, all.reopens),
        (3, 1, 3, 0)
    );
    assert_eq!(all.offered, all.closed + all.abandoned + all.in_system_end);
}

fn returning(window: f64, back_after: f64, horizon: f64) -> String {
    let skill = format!(
        "channel = \"messaging\"\nstyle = \"live_chat_returning\"\nreopen_window = {window}\narrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}\nreturns = {{ probability = 1.0, after = {} }}",
        common::trace(&[100.0]),
        det(2.0),
        det(20.0),
        det(10.0),
        det(back_after)
    );
    one_skill(horizon, &skill, 1, "{ messaging = 1 }")
}

/// live_chat_returning: a return inside the window reopens the same
/// conversation, back to the same agent, with no new conversation.
#[test]
fn live_chat_returning_reopens_inside_the_window_to_the_same_agent() {
    let (r, log) = timeline(&returning(600.0, 300.0, 1000.0));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "awaiting_consumer", "a#0"),
            st(130.0, "awaiting_agent", "a#0"),
            st(140.0, "solved", ""),
            st(440.0, "awaiting_agent", "a#0"),
            st(450.0, "awaiting_consumer", "a#0"),
            st(470.0, "awaiting_agent", "a#0"),
            st(480.0, "solved", ""),
            st(780.0, "awaiting_agent", "a#0"),
            st(790.0, "awaiting_consumer", "a#0"),
            st(810.0, "awaiting_agent", "a#0"),
            st(820.0, "solved", ""),
        ]
    );
    let t = &r.skills[0];
    assert_eq!(
        (t.offered, t.reopens, t.closed, t.in_system_end),
        (1, 2, 0, 1)
    );
}

/// live_chat_returning: Solved is closed by the style's timer after the
/// window; a later return is a new conversation.
#[test]
fn live_chat_returning_closes_by_timer_then_a_return_is_new() {
    let (r, log) = timeline(&returning(600.0, 900.0, 1500.0));
    assert_eq!(
        steps(&log, 0)[3..],
        [st(140.0, "solved", ""), st(740.0, "closed", "")]
    );
    assert_eq!(steps(&log, 1)[0], st(1040.0, "awaiting_agent", "a#0"));
    let t = &r.skills[0];
    assert_eq!(
        (t.offered, t.issues, t.closed_by_timer, t.reopens),
        (2, 1, 1, 0)
    );
}

/// social_messaging: parking frees the agent's capacity for another
/// conversation; a consumer reply unparks to the owner, waiting for it
/// (sticky) while it is busy; capacity 1 is never exceeded.
#[test]
fn social_messaging_parks_frees_capacity_and_returns_to_the_owner() {
    let skill = format!(
        "channel = \"messaging\"\nstyle = \"social_messaging\"\npark_after = 0\nsolved_to_closed = \"1h\"\narrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}",
        common::trace(&[100.0, 105.0]),
        det(2.0),
        det(20.0),
        det(10.0)
    );
    let (r, log) = timeline(&one_skill(5000.0, &skill, 1, "{ messaging = 1 }"));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "parked", "a#0"),
            st(130.0, "awaiting_agent", "a#0"),
            st(140.0, "solved", ""),
            st(3740.0, "closed", ""),
        ]
    );
    assert_eq!(
        steps(&log, 1),
        vec![
            st(105.0, "queued", ""),
            st(110.0, "awaiting_agent", "a#0"),
            st(120.0, "parked", "a#0"),
            // Its consumer replies at 140, an event before the agent finishes
            // conversation 0's last reply (also at 140): it waits for its owner
            // (sticky), who takes it when that reply frees the slot.
            st(140.0, "queued", ""),
            st(140.0, "awaiting_agent", "a#0"),
            st(150.0, "solved", ""),
            st(3750.0, "closed", ""),
        ]
    );
    let t = &r.skills[0];
    assert_eq!((t.parks, t.closed_by_timer, t.handled), (2, 2, 2));
}

fn auto_close_case(
    extra: &str,
    consumer: f64,
    agent: f64,
    exchanges: f64,
) -> (ccsim::sim::RepResult, Vec<ccsim::sim::LogEntry>) {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}\nauto_close = 60\n{extra}",
        common::trace(&[100.0]),
        det(exchanges),
        det(consumer),
        det(agent)
    );
    timeline(&one_skill(2000.0, &skill, 1, "{ live_chat = 1 }"))
}

/// Auto-close: a conversation awaiting the consumer longer than
/// `auto_close` is closed, reason auto_close.
#[test]
fn auto_close_closes_an_idle_conversation() {
    let (r, log) = auto_close_case("", 120.0, 10.0, 3.0);
    assert_eq!(
        steps(&log, 0)[1..],
        [
            st(110.0, "awaiting_consumer", "a#0"),
            st(170.0, "closed", "")
        ]
    );
    assert_eq!(
        (r.skills[0].auto_closed, r.skills[0].closed_by_agent),
        (1, 0)
    );
}

/// Never when a manual SLA is set.
#[test]
fn auto_close_spares_a_manual_sla() {
    let (r, log) = auto_close_case("manual_sla_probability = 1.0", 120.0, 10.0, 3.0);
    assert_eq!(steps(&log, 0).last().unwrap(), &st(370.0, "closed", ""));
    assert_eq!(
        (r.skills[0].auto_closed, r.skills[0].closed_by_agent),
        (0, 1)
    );
}

/// Never while it awaits an agent reply: the consumer replied at 220 and
/// the agent takes until 320; the timer armed at 200 (due 260) is disarmed.
#[test]
fn auto_close_never_while_awaiting_the_agent() {
    let (r, log) = auto_close_case("", 20.0, 100.0, 2.0);
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(200.0, "awaiting_consumer", "a#0"),
            st(220.0, "awaiting_agent", "a#0"),
            st(320.0, "closed", ""),
        ]
    );
    assert_eq!(
        (r.skills[0].auto_closed, r.skills[0].closed_by_agent),
        (0, 1)
    );
}

/// The consumer closes (when the skill allows it).
#[test]
fn the_consumer_can_close() {
    let (r, log) = auto_close_case("consumer_close_probability = 1.0", 20.0, 10.0, 1.0);
    assert_eq!(steps(&log, 0).last().unwrap(), &st(110.0, "closed", ""));
    assert_eq!(
        (r.skills[0].closed_by_consumer, r.skills[0].closed_by_agent),
        (1, 0)
    );
}

/// The agent resumes an auto-closed conversation: one follow-up reply,
/// then solved; both closes are counted by reason, the conversation once.
#[test]
fn the_agent_resumes_an_auto_closed_conversation() {
    let (r, log) = auto_close_case("resume_probability = 1.0", 120.0, 10.0, 2.0);
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "awaiting_consumer", "a#0"),
            st(170.0, "awaiting_agent", "a#0"),
            st(180.0, "closed", ""),
        ]
    );
    let t = &r.skills[0];
    assert_eq!(
        (t.auto_closed, t.resumed, t.closed_by_agent, t.closed),
        (1, 1, 1, 1)
    );
}

/// Two skills: `first` (agent `a#0`) transfers every conversation at its
/// first reply to `second`, whose only agent `b#0` logs in at 600 s;
/// `second` gets `extra`.
pub(crate) fn transfer_case(extra: &str) -> String {
    transfer_case_in("live_chat", extra)
}

/// [`transfer_case`] with both skills in `channel`.
pub(crate) fn transfer_case_in(channel: &str, extra: &str) -> String {
    format!(
        r#"
[simulation]
horizon = 2000
warmup = 0
replications = 1
interval = 2000
[[skill]]
name = "first"
channel = "{channel}"
arrivals = {{ trace = "{}" }}
exchanges = {}
agent_reply = {}
transfer = {{ probability = 1.0, to = "second" }}
[[skill]]
name = "second"
channel = "{channel}"
arrivals = {{ trace = "{}" }}
consumer_reply = {}
agent_reply = {}
{extra}
[[agents]]
name = "a"
count = 1
skills = ["first"]
[[agents]]
name = "b"
count = 1
skills = ["second"]
shifts = [{{ days = "Mon", start = "00:10", end = "01:00" }}]
"#,
        common::trace(&[100.0]),
        det(2.0),
        det(10.0),
        common::trace(&[5000.0]),
        det(60.0),
        det(10.0)
    )
}

/// One live chat (`extra` spliced into its skill) arriving at 100 to agent
/// `a#0`, whose shift ends at 300 with `logout = "return_to_queue"`: three
/// consumer messages, 10 s replies, the consumer answers after 1000 s, so
/// at 300 it goes back to the queue on the consumer's turn.
pub(crate) fn returned_at_logout(extra: &str) -> String {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}\n{extra}",
        common::trace(&[100.0]),
        det(3.0),
        det(1000.0),
        det(10.0)
    );
    one_skill(2000.0, &skill, 1, "{ live_chat = 1 }").replace(
        "capacity = {",
        "shifts = [{ days = \"Mon\", start = \"00:00\", end = \"00:05\" }]\nlogout = \"return_to_queue\"\ncapacity = {",
    )
}

/// A chat returned to the queue at logout while it awaited the consumer
/// keeps its idle clock: auto-close (600 s after the agent's reply at 110)
/// closes it in the queue at 710 — the queued conversation the actionable
/// exemption below is about (seeds: transferred conversations "will not be
/// auto-closed by the system until they have reached an agent").
#[test]
fn auto_close_runs_on_in_the_queue_on_the_consumers_turn() {
    let (r, log) = timeline(&returned_at_logout("auto_close = 600"));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "awaiting_consumer", "a#0"),
            st(300.0, "queued", ""),
            st(710.0, "closed", ""),
        ]
    );
    let t = &r.skills[0];
    assert_eq!((t.returned_to_queue, t.auto_closed, t.closed), (1, 1, 1));
    assert_eq!(t.offered, t.closed + t.abandoned + t.in_system_end);
}

/// A transferred conversation is actionable: it waits in the target's
/// queue far longer than `auto_close` without being closed (unlike the
/// conversation returned on the consumer's turn above); once it has
/// reached an agent, auto-close applies again.
#[test]
fn transfer_then_auto_close_exemption() {
    let text = transfer_case("auto_close = 30");
    let (r, log) = timeline(&text);
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "queued", ""),
            st(600.0, "awaiting_agent", "b#0"),
            st(610.0, "awaiting_consumer", "b#0"),
            st(640.0, "closed", ""),
        ]
    );
    let first = &r.skills[0];
    assert_eq!((first.transfers, first.auto_closed), (1, 1));
}

/// The three style examples on the same demand: live chat makes more
/// conversations per consumer issue than the returning and social styles.
#[test]
fn styles_change_conversations_per_issue() {
    let run = |file: &str| {
        let mut scn = ccsim::scenario::load(&common::root().join("scenarios").join(file)).unwrap();
        scn.replications = 4;
        ccsim::runner::run(&scn, &Default::default()).unwrap()
    };
    let cpi = |r: &ccsim::runner::RunResult| r.summary("all", "conversations_per_issue").unwrap();
    let (live, returning, social) = (
        run("style_live_chat.toml"),
        run("style_returning.toml"),
        run("style_social.toml"),
    );
    let (l, rt, so) = (cpi(&live), cpi(&returning), cpi(&social));
    assert!(
        l.lo > rt.hi && l.lo > so.hi,
        "live chat {l:?} vs returning {rt:?} vs social {so:?}"
    );
    assert!(returning.summary("all", "reopen_rate").unwrap().lo > 0.0);
    assert_eq!(live.summary("all", "reopen_rate").unwrap().mean, 0.0);
}

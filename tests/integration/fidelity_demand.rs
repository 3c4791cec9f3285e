//! The demand a planner describes (issue 10, items 1, 9, 11, 12; SPEC
//! §10–§11): patience on every wait of a live chat (`requeue_patience`),
//! consumers who retry after abandoning (`retry`, metric `retries`) and
//! return after an auto-close, and day-to-day volume variance
//! (`arrivals.day_cv`). Scripted timelines are worked out by hand and run
//! with the model's invariants checked after every event; the statistical
//! test derives its tolerance from the sample and has a negative control.

use crate::common::{self, st, steps, timeline};
use crate::lifecycle::{returned_at_logout, transfer_case, transfer_case_in};
use ccsim::scenario::load::ScenarioError;
use ccsim::scenario::{Scenario, load_str};
use ccsim::sim::Sim;
use std::path::Path;

fn det(v: f64) -> String {
    format!("{{ dist = \"deterministic\", value = {v} }}")
}

/// One live-chat skill `s` (`skill` spliced in) and one agent `a#0` of
/// capacity 1 (`agents` spliced into its group).
fn one_skill(skill: &str, agents: &str) -> String {
    format!(
        r#"
[simulation]
horizon = 2000
warmup = 0
replications = 1
interval = 2000
[[skill]]
name = "s"
{skill}
[[agents]]
name = "a"
count = 1
skills = ["s"]
{agents}
"#
    )
}

/// A live chat returned to the queue at its agent's logout waits there
/// with a fresh patience (`requeue_patience`) and abandons, instead of
/// waiting for the next shift and counting as answered.
#[test]
fn a_chat_returned_at_logout_abandons_with_its_requeue_patience() {
    let (r, log) = timeline(&returned_at_logout(&format!(
        "requeue_patience = {}",
        det(60.0)
    )));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "awaiting_consumer", "a#0"),
            st(300.0, "queued", ""),
            st(360.0, "abandoned", ""),
        ]
    );
    let t = &r.skills[0];
    assert_eq!(
        (t.offered, t.handled, t.abandoned, t.returned_to_queue),
        (1, 1, 1, 1)
    );
    // Its first wait (none: assigned on arrival) is what the queue times
    // count; the abandonment after the re-queue is not a first wait.
    assert_eq!((t.waited, t.queue_time_sum), (0, 0.0));
    assert_eq!(t.offered, t.closed + t.abandoned + t.in_system_end);
}

/// A transferred chat draws the target skill's `requeue_patience` and
/// abandons in the target's queue; the abandonment counts for the skill
/// it arrived at.
#[test]
fn a_transferred_chat_abandons_with_the_targets_requeue_patience() {
    let (r, log) = timeline(&transfer_case(&format!(
        "requeue_patience = {}",
        det(100.0)
    )));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "queued", ""),
            st(210.0, "abandoned", ""),
        ]
    );
    let first = &r.skills[0];
    assert_eq!(
        (
            first.handled,
            first.transfers,
            first.abandoned,
            first.closed
        ),
        (1, 1, 1, 0)
    );
}

/// Without `requeue_patience`, a re-queued live chat draws the skill's
/// `patience`; a messaging conversation keeps its place until an agent
/// takes it.
#[test]
fn requeue_patience_defaults_to_patience_for_live_chat_only() {
    let patience = format!("patience = {}", det(100.0));
    let (r, log) = timeline(&transfer_case(&patience));
    assert_eq!(steps(&log, 0)[2], st(210.0, "abandoned", ""));
    assert_eq!(r.skills[0].abandoned, 1);
    let (r, log) = timeline(&transfer_case_in("messaging", &patience));
    assert_eq!(
        steps(&log, 0)[..3],
        [
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "queued", ""),
            st(600.0, "awaiting_agent", "b#0"),
        ]
    );
    assert_eq!((r.skills[0].abandoned, r.skills[0].handled), (0, 1));
}

/// A consumer who abandons comes back `retry.after` later with a new
/// conversation of the same issue, until one is answered; `retries`
/// counts the new conversations.
#[test]
fn an_abandoned_consumer_retries_with_a_new_conversation_of_the_same_issue() {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\npatience = {}\nagent_reply = {}\nretry = {{ probability = 1.0, after = {} }}",
        common::trace(&[100.0]),
        det(50.0),
        det(10.0),
        det(250.0)
    );
    let agents = "shifts = [{ days = \"Mon\", start = \"00:10\", end = \"01:00\" }]";
    let (r, log) = timeline(&one_skill(&skill, agents));
    assert_eq!(
        steps(&log, 0),
        vec![st(100.0, "queued", ""), st(150.0, "abandoned", "")]
    );
    assert_eq!(
        steps(&log, 1),
        vec![st(400.0, "queued", ""), st(450.0, "abandoned", "")]
    );
    assert_eq!(
        steps(&log, 2),
        vec![st(700.0, "awaiting_agent", "a#0"), st(710.0, "closed", "")]
    );
    assert!(log.iter().all(|e| e.issue == 0), "one consumer issue");
    let t = &r.skills[0];
    assert_eq!(
        (t.offered, t.issues, t.abandoned, t.retries, t.closed),
        (3, 1, 2, 2, 1)
    );
    let retries_per_interval: u64 = r.intervals.iter().step_by(2).map(|i| i.retries).sum();
    assert_eq!(retries_per_interval, 2);
    // Without `retry` the consumer is lost after the first abandonment.
    let (r, _) = timeline(&one_skill(
        &skill.replace("retry = {", "# retry = {"),
        agents,
    ));
    assert_eq!((r.skills[0].offered, r.skills[0].retries), (1, 0));
}

/// A consumer whose conversation was auto-closed had no answer: `returns`
/// apply there too, `after` from the auto-close, as a new conversation of
/// the same issue. Here every conversation is auto-closed 60 s after the
/// agent's first reply and comes back 300 s later: arrivals at 100, 470,
/// 840, 1210, 1580, 1950 (the last still open at the end, 2000).
#[test]
fn returns_apply_after_an_auto_close() {
    let skill = format!(
        "arrivals = {{ trace = \"{}\" }}\nexchanges = {}\nconsumer_reply = {}\nagent_reply = {}\nauto_close = 60\nreturns = {{ probability = 1.0, after = {} }}",
        common::trace(&[100.0]),
        det(3.0),
        det(1000.0),
        det(10.0),
        det(300.0)
    );
    let (r, log) = timeline(&one_skill(&skill, ""));
    assert_eq!(
        steps(&log, 0),
        vec![
            st(100.0, "awaiting_agent", "a#0"),
            st(110.0, "awaiting_consumer", "a#0"),
            st(170.0, "closed", ""),
        ]
    );
    assert_eq!(steps(&log, 1)[0], st(470.0, "awaiting_agent", "a#0"));
    assert_eq!(steps(&log, 5)[0], st(1950.0, "awaiting_agent", "a#0"));
    assert!(log.iter().all(|e| e.issue == 0), "one consumer issue");
    let t = &r.skills[0];
    assert_eq!(
        (
            t.offered,
            t.issues,
            t.auto_closed,
            t.in_system_end,
            t.reopens
        ),
        (6, 1, 5, 1, 0)
    );
}

/// Daily volumes of skill 0 over the run (report interval one day).
fn daily_offered(scn: &Scenario) -> Vec<f64> {
    let r = Sim::new(scn, 0, None).run();
    let rows = scn.skills.len() + 1;
    r.intervals
        .iter()
        .step_by(rows)
        .map(|i| i.offered as f64)
        .collect()
}

fn day_scenario(arrivals: &str, days: u32, before: &str) -> Scenario {
    common::scenario(&day_text(arrivals, days, before))
}

/// A skill `chat` with `arrivals` over `days` days (report interval one
/// day), `before` spliced in before it, and one agent of ample capacity.
fn day_text(arrivals: &str, days: u32, before: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "{days}d"
warmup = 0
replications = 1
interval = "1d"
seed = 7
{before}
[[skill]]
name = "chat"
arrivals = {arrivals}
agent_reply = {{ dist = "deterministic", value = 1 }}
patience = {{ dist = "deterministic", value = 60 }}
[[agents]]
name = "a"
count = 1
skills = ["chat"]
capacity = {{ live_chat = 1000 }}
"#
    )
}

/// Mean, sample variance and the standard error of that variance
/// (from the sample's fourth central moment).
fn moments(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let s2 = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = x.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    let se = ((m4 - s2 * s2 * (n - 3.0) / (n - 1.0)) / n).sqrt();
    (mean, s2, se)
}

/// `day_cv`: daily volumes are gamma-mixed Poisson, so their variance is
/// mean + cv²·mean², within four standard errors of the sample variance
/// (a profile and a constant rate alike). Negative control: the same
/// estimator puts the Poisson variance (the mean) far outside, and finds
/// it for `day_cv = 0`.
#[test]
fn day_cv_gives_the_variance_of_a_gamma_mixed_poisson() {
    let (days, cv, m) = (400, 0.3, 200.0);
    let profile = format!(
        "{{ profile = [{}], per = \"1h\", day_cv = {cv} }}",
        [
            4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 6.0, 8.0, 12.0, 14.0, 14.0, 14.0
        ]
        .iter()
        .chain(&[
            14.0, 14.0, 14.0, 12.0, 12.0, 10.0, 8.0, 6.0, 4.0, 4.0, 4.0, 2.0
        ])
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
    );
    let rate = format!("{{ rate = {m}, per = \"1d\", day_cv = {cv} }}");
    let want = m + cv * cv * m * m;
    for arrivals in [profile, rate] {
        let x = daily_offered(&day_scenario(&arrivals, days, ""));
        assert_eq!(x.len(), days as usize);
        let (mean, s2, se) = moments(&x);
        let n = x.len() as f64;
        assert!(
            (mean - m).abs() < 4.0 * (s2 / n).sqrt(),
            "{arrivals}: mean {mean} vs {m}"
        );
        assert!(
            (s2 - want).abs() < 4.0 * se,
            "{arrivals}: variance {s2} ± {se} vs {want}"
        );
        assert!(
            (s2 - m).abs() > 4.0 * se,
            "{arrivals}: the Poisson variance {m} is not rejected ({s2} ± {se})"
        );
    }
    let x = daily_offered(&day_scenario(
        &format!("{{ rate = {m}, per = \"1d\" }}"),
        days,
        "",
    ));
    let (_, s2, se) = moments(&x);
    assert!((s2 - m).abs() < 4.0 * se, "Poisson: {s2} ± {se} vs {m}");
    assert!((s2 - want).abs() > 4.0 * se, "Poisson: {s2} looks mixed");
}

/// The day factors depend only on (seed, replication, skill name, day):
/// another staffing, another skill before it in the file and a longer
/// horizon leave a skill's daily volumes unchanged (common random numbers
/// in a compare).
#[test]
fn day_factors_are_common_to_every_variant() {
    let arrivals = "{ rate = 300, per = \"1d\", day_cv = 0.5 }";
    let base = daily_offered(&day_scenario(arrivals, 10, ""));
    let other_skill = r#"
[[skill]]
name = "email"
channel = "messaging"
arrivals = { rate = 50, per = "1d", day_cv = 0.2 }
[[agents]]
name = "mail"
count = 3
skills = ["email"]
"#;
    let more = daily_offered(&common::scenario(
        &day_text(arrivals, 25, "").replace("count = 1\n", "count = 4\n"),
    ));
    assert_eq!(base[..], more[..10]);
    let scn = day_scenario(arrivals, 10, other_skill);
    let r = Sim::new(&scn, 0, None).run();
    let chat_daily: Vec<f64> = r
        .intervals
        .iter()
        .skip(1)
        .step_by(3)
        .map(|i| i.offered as f64)
        .collect();
    assert_eq!(scn.skills[1].name, "chat");
    assert_eq!(base, chat_daily);
    // And the factors are really applied: a plain Poisson day differs.
    let plain = daily_offered(&day_scenario("{ rate = 300, per = \"1d\" }", 10, ""));
    assert_ne!(base, plain);
}

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    load_str(text, "d.toml", Path::new("."), "d")
}

/// `retry` on a skill whose consumers never abandon is a warning (it can
/// never apply); with a patience it is not.
#[test]
fn a_retry_without_patience_is_a_warning() {
    let retry = "arrivals = { rate = 60 }\nretry = { probability = 0.3, after = { dist = \"exponential\", mean = \"1h\" } }";
    let scn = load(&one_skill(retry, "")).expect("valid");
    assert!(
        scn.warnings
            .iter()
            .any(|w| w.contains("key `skill.s.retry`:") && w.contains("never retry")),
        "{:#?}",
        scn.warnings
    );
    let scn = load(&one_skill(
        &format!("{retry}\npatience = {}", det(60.0)),
        "",
    ))
    .expect("valid");
    assert!(!scn.warnings.iter().any(|w| w.contains("skill.s.retry")));
}

/// Bad values of the new keys are refused with the file, line and key.
#[test]
fn bad_demand_keys_name_their_key_and_line() {
    let cases = [
        (
            "arrivals = { rate = 60, per = \"1h\", day_cv = -0.1 }",
            "skill.s.arrivals.day_cv",
            "coefficient of variation",
        ),
        (
            &format!(
                "arrivals = {{ trace = \"{}\", day_cv = 0.2 }}",
                common::trace(&[1.0])
            ),
            "skill.s.arrivals.day_cv",
            "does not go with `trace`",
        ),
        (
            "arrivals = { rate = 60 }\nretry = { probability = 1.5, after = { dist = \"exponential\", mean = \"1h\" } }",
            "skill.s.retry.probability",
            "not a probability",
        ),
        (
            "arrivals = { rate = 60 }\nretry = { probability = 1, after = { dist = \"deterministic\", value = 0 } }",
            "skill.s.retry",
            "without end",
        ),
        (
            "arrivals = { rate = 60 }\nrequeue_patience = { dist = \"exponential\", mean = -3 }",
            "skill.s.requeue_patience",
            "",
        ),
    ];
    for (skill, key, phrase) in cases {
        let text = one_skill(skill, "");
        let e = load(&text).expect_err(skill);
        let d = e
            .diagnostics
            .iter()
            .find(|d| d.key.as_deref() == Some(key))
            .unwrap_or_else(|| panic!("no diagnostic `{key}` for {skill}:\n{e}"));
        assert!(d.message.contains(phrase), "{d}");
        assert!(d.line.is_some() && d.file == "d.toml", "{d}");
    }
}

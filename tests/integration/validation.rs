//! Scenario validation at the door: values that load but cannot mean
//! anything are refused with their key (and line), setups that run but
//! cannot work as meant are warnings, and a scenario built from a parsed
//! table is checked exactly as its text is.
//!
//! Each test starts from [`BASE`], a small valid scenario, changes one thing
//! and loads it in-process.

use ccsim::scenario::load::{Diagnostic, ScenarioError};
use ccsim::scenario::{Scenario, load_str, load_table};
use std::path::Path;

const BASE: &str = r#"[simulation]
name = "v"
horizon = "1d"
warmup = "0s"
replications = 1

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 60, per = "1h" }
service_level = "30s"

[[agents]]
name = "team"
count = 2
skills = ["chat"]
"#;

/// `BASE` with `old` (exactly once) replaced by `new`.
fn edit(old: &str, new: &str) -> String {
    assert_eq!(BASE.matches(old).count(), 1, "test bug: `{old}`");
    BASE.replacen(old, new, 1)
}

/// `BASE` with `extra` added after the line `after`.
fn after(line: &str, extra: &str) -> String {
    edit(&format!("{line}\n"), &format!("{line}\n{extra}\n"))
}

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    load_str(text, "v.toml", Path::new("."), "v")
}

fn ok(text: &str) -> Scenario {
    load(text).unwrap_or_else(|e| panic!("expected a valid scenario, got:\n{e}\n---\n{text}"))
}

/// The diagnostic about `key` (exact dotted key); panics when the scenario
/// loads or no diagnostic names that key. Each phrase must be in its message.
fn rejected(text: &str, key: &str, phrases: &[&str]) -> Diagnostic {
    let e = match load(text) {
        Ok(_) => panic!("expected an error about `{key}`, the scenario loaded:\n{text}"),
        Err(e) => e,
    };
    let d = e
        .diagnostics
        .iter()
        .find(|d| d.key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("no diagnostic with key `{key}`:\n{e}"))
        .clone();
    for p in phrases {
        assert!(d.message.contains(p), "`{}` does not say `{p}`", d.message);
    }
    assert!(d.line.is_some(), "no line in {d}");
    d
}

/// The warning that names `key` and says every phrase; panics if none does.
fn warned(scn: &Scenario, key: &str, phrases: &[&str]) -> String {
    let tag = format!("key `{key}`:");
    scn.warnings
        .iter()
        .find(|w| w.contains(&tag) && phrases.iter().all(|p| w.contains(p)))
        .unwrap_or_else(|| panic!("no warning `{key}` saying {phrases:?}: {:#?}", scn.warnings))
        .clone()
}

fn no_warning(scn: &Scenario, key: &str) {
    let tag = format!("key `{key}`:");
    assert!(
        !scn.warnings.iter().any(|w| w.contains(&tag)),
        "unexpected warning about `{key}`: {:#?}",
        scn.warnings
    );
}

#[test]
fn the_base_scenario_has_no_warning() {
    assert!(ok(BASE).warnings.is_empty(), "{:#?}", ok(BASE).warnings);
}

// ------------------------------------------------ reliability item 6: NaN, inf

#[test]
fn distributions_whose_mean_or_samples_overflow_are_refused() {
    let cases = [
        (
            "agent_reply = { dist = \"lognormal\", mean = 1e300, sd = 1e300 }",
            "skill.chat.agent_reply",
        ),
        (
            "patience = { dist = \"weibull\", shape = 1e-3, scale = \"5m\" }",
            "skill.chat.patience",
        ),
        (
            "consumer_reply = { dist = \"exponential\", mean = 1.7e308 }",
            "skill.chat.consumer_reply",
        ),
        (
            "agent_reply = { dist = \"deterministic\", value = 1e12 }",
            "skill.chat.agent_reply",
        ),
    ];
    for (line, key) in cases {
        rejected(&after("service_level = \"30s\"", line), key, &[]);
    }
    // Negative control: the same families with sane parameters load.
    ok(&after(
        "service_level = \"30s\"",
        "patience = { dist = \"weibull\", shape = 0.5, scale = \"5m\" }\nagent_reply = { dist = \"lognormal\", mean = \"30s\", sd = \"1h\" }",
    ));
}

#[test]
fn accept_delay_and_returns_are_checked_too() {
    let text = format!(
        "{}\n[routing]\naccept = \"ring\"\naccept_delay = {{ dist = \"exponential\", mean = 1e200 }}\n",
        BASE
    );
    rejected(&text, "routing.accept_delay", &["mean"]);
    let text = after(
        "service_level = \"30s\"",
        "returns = { probability = 0.1, after = { dist = \"weibull\", shape = 1e-4, scale = \"1h\" } }",
    );
    rejected(&text, "skill.chat.returns.after", &[]);
}

// ---------------------------------------- reliability item 7: time that stands

#[test]
fn a_ring_timeout_below_a_millisecond_is_refused_and_below_a_second_warned() {
    let ring = |t: &str| format!("{BASE}\n[routing]\naccept = \"ring\"\nring_timeout = {t}\n");
    rejected(&ring("1e-300"), "routing.ring_timeout", &["1ms"]);
    let scn = ok(&ring("\"1ms\""));
    warned(&scn, "routing.ring_timeout", &["slow"]);
    no_warning(&ok(&ring("\"30s\"")), "routing.ring_timeout");
}

#[test]
fn a_transfer_to_itself_with_zero_effort_is_refused() {
    let text = after(
        "service_level = \"30s\"",
        "agent_reply = { dist = \"deterministic\", value = 0 }\ntransfer = { probability = 0.5, to = \"chat\" }",
    );
    rejected(&text, "skill.chat.transfer.to", &["itself", "agent_reply"]);
    // With effort, simulated time moves on: accepted.
    ok(&after(
        "service_level = \"30s\"",
        "agent_reply = { dist = \"deterministic\", value = \"20s\" }\ntransfer = { probability = 0.5, to = \"chat\" }",
    ));
}

#[test]
fn a_certain_immediate_return_with_zero_effort_is_refused() {
    let text = after(
        "service_level = \"30s\"",
        "agent_reply = { dist = \"deterministic\", value = 0 }\nreturns = { probability = 1, after = { dist = \"deterministic\", value = 0 } }",
    );
    rejected(
        &text,
        "skill.chat.returns",
        &["probability 1", "same instant"],
    );
    ok(&after(
        "service_level = \"30s\"",
        "agent_reply = { dist = \"deterministic\", value = 0 }\nreturns = { probability = 1, after = { dist = \"deterministic\", value = \"1h\" } }",
    ));
}

// ------------------------------------------------- reliability item 11: names

#[test]
fn simulation_names_must_make_a_directory_name() {
    let long = "n".repeat(300);
    rejected(
        &edit("name = \"v\"", &format!("name = \"{long}\"")),
        "simulation.name",
        &["300 bytes", "at most 100"],
    );
    rejected(
        &edit("name = \"v\"", "name = \"a\\u0000b\""),
        "simulation.name",
        &["control character"],
    );
    rejected(
        &edit("name = \"v\"", "name = \"a\\nb\""),
        "simulation.name",
        &["control character"],
    );
    ok(&edit(
        "name = \"v\"",
        &format!("name = \"{}\"", "n".repeat(100)),
    ));
}

#[test]
fn a_skill_may_not_be_called_all_nor_hold_control_characters() {
    let all = BASE.replace("\"chat\"", "\"all\"");
    rejected(&all, "skill.name", &["`all`", "totals"]);
    let tab = BASE.replace("\"chat\"", "\"ch\\tat\"");
    rejected(&tab, "skill.name", &["control character"]);
    let group = edit("name = \"team\"", "name = \"te\\u001bam\"");
    rejected(&group, "agents.name", &["control character"]);
}

// ------------------------------------------ reliability item 13: messages

#[test]
fn a_duplicate_key_is_named() {
    let d = rejected(
        &edit("count = 2", "count = 2\ncount = 3"),
        "agents.team.count",
        &["duplicate key `count`"],
    );
    assert_eq!(d.line, Some(16), "{d}");
    rejected(
        &edit("warmup = \"0s\"", "warmup = \"0s\"\nwarmup = \"1h\""),
        "simulation.warmup",
        &["duplicate key `warmup`"],
    );
}

#[test]
fn type_errors_name_the_dotted_key() {
    let d = rejected(
        &edit("count = 2", "count = \"two\""),
        "agents.team.count",
        &["invalid type"],
    );
    assert_eq!(d.line, Some(15));
    rejected(
        &edit("rate = 60", "rate = \"sixty\""),
        "skill.chat.arrivals.rate",
        &["invalid type"],
    );
}

#[test]
fn a_shift_from_24_00_to_00_00_is_refused() {
    let shift = |s: &str, e: &str| {
        after(
            "skills = [\"chat\"]",
            &format!("shifts = [{{ days = \"daily\", start = \"{s}\", end = \"{e}\" }}]"),
        )
    };
    rejected(
        &shift("24:00", "00:00"),
        "agents.team.shifts",
        &["zero hours"],
    );
    let whole = ok(&shift("00:00", "24:00"));
    assert_eq!(whole.groups[0].shifts[0].length, 86_400.0);
}

// --------------------------------------------------- fidelity 16, 17: traps

#[test]
fn a_profile_needs_per_and_a_day_or_a_week() {
    let day: Vec<String> = (0..24).map(|i| (i % 5).to_string()).collect();
    let profile = |n: usize, per: &str| {
        edit(
            "rate = 60, per = \"1h\"",
            &format!("profile = [{}]{per}", day[..n].join(", ")),
        )
    };
    rejected(
        &profile(24, ""),
        "skill.chat.arrivals.per",
        &["report interval"],
    );
    no_warning(
        &ok(&profile(24, ", per = \"1h\"")),
        "skill.chat.arrivals.profile",
    );
    let scn = ok(&profile(23, ", per = \"1h\""));
    warned(&scn, "skill.chat.arrivals.profile", &["23 entries", "23h"]);
}

#[test]
fn a_duration_string_needs_a_unit() {
    rejected(
        &edit("horizon = \"1d\"", "horizon = \"7\""),
        "simulation.horizon",
        &["no unit", "\"7s\""],
    );
    let seconds = ok(&edit("horizon = \"1d\"", "horizon = 7"));
    assert_eq!(seconds.horizon, 7.0);
    rejected(
        &after(
            "service_level = \"30s\"",
            "agent_reply = { dist = \"lognormal\", mean = \"30s\", sd = \"10\" }",
        ),
        "skill.chat.agent_reply",
        &["no unit"],
    );
}

// ------------------------------------------------ fidelity 18: check warnings

#[test]
fn demand_with_no_agents_or_off_shift_is_warned_with_its_share() {
    let none = ok(&edit("count = 2", "count = 0"));
    warned(&none, "skill.chat", &["no agents", "team"]);
    let half = ok(&after(
        "skills = [\"chat\"]",
        "shifts = [{ days = \"daily\", start = \"00:00\", end = \"12:00\" }]",
    ));
    warned(&half, "skill.chat", &["50.0%", "on shift"]);
    let weekdays = ok(&after(
        "skills = [\"chat\"]",
        "shifts = [{ days = \"Mon-Fri\", start = \"00:00\", end = \"24:00\" }]",
    )
    .replace("horizon = \"1d\"", "horizon = \"1w\""));
    // Saturday and Sunday: 2 of 7 days.
    warned(&weekdays, "skill.chat", &["28.6%"]);
}

#[test]
fn rings_that_can_never_be_accepted_are_warned() {
    let text = format!(
        "{BASE}\n[routing]\naccept = \"ring\"\nring_timeout = \"20s\"\naccept_delay = {{ dist = \"uniform\", min = \"25s\", max = \"40s\" }}\n"
    );
    warned(
        &ok(&text),
        "routing.accept_delay",
        &["never", "ring_timeout"],
    );
    let fine = text.replace("min = \"25s\"", "min = \"5s\"");
    no_warning(&ok(&fine), "routing.accept_delay");
}

#[test]
fn keep_on_live_chat_logins_is_warned() {
    let keep = after("skills = [\"chat\"]", "logout = \"keep\"");
    warned(&ok(&keep), "agents.team.logout", &["live chat"]);
}

#[test]
fn park_after_on_a_style_that_never_parks_is_warned() {
    let text = edit(
        "channel = \"live_chat\"",
        "channel = \"messaging\"\nstyle = \"live_chat_returning\"\npark_after = \"2m\"",
    );
    warned(&ok(&text), "skill.chat.park_after", &["social_messaging"]);
    let social = text.replace("live_chat_returning", "social_messaging");
    no_warning(&ok(&social), "skill.chat.park_after");
}

#[test]
fn a_total_below_a_channel_capacity_is_warned() {
    let text = after(
        "skills = [\"chat\"]",
        "capacity = { live_chat = 3, total = 2 }",
    );
    warned(&ok(&text), "agents.team.capacity.total", &["below", "3"]);
}

#[test]
fn mixed_service_level_targets_are_warned() {
    let text = format!(
        "{BASE}\n[[skill]]\nname = \"mail\"\nchannel = \"messaging\"\narrivals = {{ rate = 5, per = \"1h\" }}\nservice_level = \"5m\"\n\n[[agents]]\nname = \"back\"\ncount = 1\nskills = [\"mail\"]\n"
    );
    warned(
        &ok(&text),
        "skill.mail.service_level",
        &["different", "all-skills"],
    );
    let same = text.replace("\"5m\"", "\"30s\"");
    no_warning(&ok(&same), "skill.mail.service_level");
}

// ------------------------------------------------------- building from a table

#[test]
fn a_table_loads_like_its_text() {
    for f in [
        "scenarios/example.toml",
        "scenarios/modes.toml",
        "scenarios/weekday.toml",
    ] {
        let path = crate::common::root().join(f);
        let text = std::fs::read_to_string(&path).unwrap();
        let dir = path.parent().unwrap();
        let from_text = load_str(&text, f, dir, "x").unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        let from_table = load_table(&table, f, dir, "x").unwrap();
        assert_eq!(from_text.resolved_text(), from_table.resolved_text(), "{f}");
        assert_eq!(from_text.warnings.len(), from_table.warnings.len(), "{f}");
    }
}

#[test]
fn table_errors_carry_the_dotted_key_and_no_line() {
    let mut table: toml::Table = toml::from_str(BASE).unwrap();
    let set = |t: &mut toml::Table, path: &[&str], v: toml::Value| {
        let mut cur = &mut *t;
        for p in &path[..path.len() - 1] {
            cur = match cur.get_mut(*p).unwrap() {
                toml::Value::Table(x) => x,
                toml::Value::Array(a) => a[0].as_table_mut().unwrap(),
                _ => unreachable!(),
            };
        }
        cur.insert(path[path.len() - 1].to_string(), v);
    };
    let cases: Vec<(&[&str], toml::Value, &str, &str)> = vec![
        (
            &["agents", "count"],
            "two".into(),
            "agents.team.count",
            "invalid type",
        ),
        (
            &["agents", "count"],
            (-1).into(),
            "agents.team.count",
            "0 to 100000",
        ),
        (
            &["agents", "mode"],
            "hybrid".into(),
            "agents.team.mode",
            "expected dedicated, two_login or blended",
        ),
        (
            &["skill", "service_level"],
            "7".into(),
            "skill.chat.service_level",
            "no unit",
        ),
        (
            &["simulation", "colour"],
            "red".into(),
            "simulation.colour",
            "unknown field",
        ),
    ];
    for (path, value, key, phrase) in cases {
        let mut t = table.clone();
        set(&mut t, path, value);
        let e = load_table(&t, "base.toml", Path::new("."), "v").unwrap_err();
        let d = &e.diagnostics[0];
        assert_eq!(d.key.as_deref(), Some(key), "{e}");
        assert!(d.is_about(key) && d.is_about(&key[..key.rfind('.').unwrap()]));
        assert_eq!(d.line, None, "{e}");
        assert!(d.message.contains(phrase), "{e}");
        assert!(!d.message.contains(" | "), "a snippet in {e}");
    }
    set(&mut table, &["agents", "count"], 3.into());
    assert_eq!(
        load_table(&table, "base.toml", Path::new("."), "v")
            .unwrap()
            .groups[0]
            .count,
        3
    );
}

#[test]
fn the_unstaffed_share_is_computed_far_from_time_zero() {
    // At 1e18 s a one-minute step is below the rounding of the time: the
    // share must still be computed (in a bounded number of steps).
    let text = after(
        "skills = [\"chat\"]",
        "shifts = [{ days = \"daily\", start = \"00:00\", end = \"12:00\" }]",
    )
    .replace("warmup = \"0s\"", "warmup = 1e18");
    let scn = ok(&text);
    warned(&scn, "skill.chat", &["on shift"]);
}

//! The event log of a run (`ccsim run --events`, SPEC §13) and the round
//! trip through `ccsim fit`: the log is ordered, complete and identical for
//! any thread count; simulating with known parameters and fitting the log
//! gives the parameters back within their interval or a stated tolerance.

use super::common::root;
use assert_cmd::Command;
use std::path::Path;
use std::process::Output;

/// Runs `ccsim` with `args` in `cwd`.
fn ccsim(cwd: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("ccsim")
        .expect("the ccsim binary")
        .current_dir(cwd)
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run ccsim")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn events_csv_is_ordered_complete_and_the_same_for_any_thread_count() {
    let scn = root().join("scenarios/style_social.toml");
    let scn = scn.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut logs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let o = ccsim(
            dir.path(),
            &[
                "run",
                scn,
                "--events",
                "--replications",
                "3",
                "--threads",
                threads,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        logs.push(std::fs::read(out.join("style_social/events.csv")).unwrap());
    }
    assert_eq!(
        logs[0], logs[1],
        "events.csv differs between 1 and 2 threads"
    );
    let text = String::from_utf8(logs[0].clone()).unwrap();
    assert!(
        text.starts_with("time,event,conversation,consumer,skill,channel,agent,group,detail\n")
    );
    // The measured period starts after the one-day warm-up, on 2024-01-02,
    // with the staffed agents' logins.
    let first = text.lines().nth(1).unwrap();
    assert_eq!(first, "2024-01-02T00:00:00.000Z,login,,,,,team#0,team,");
    // The calibration reader accepts it: ordered, known events only.
    let mut r = ccsim::calibrate::LogReader::new(logs[0].as_slice(), "events.csv").unwrap();
    let mut kinds = std::collections::BTreeMap::new();
    let mut last = f64::NEG_INFINITY;
    while let Some(e) = r.next_event().unwrap() {
        assert!(e.t >= last);
        last = e.t;
        *kinds.entry(format!("{:?}", e.kind)).or_insert(0u64) += 1;
    }
    assert!(r.unknown_events().is_empty());
    for k in [
        "Arrived",
        "Assigned",
        "ConsumerMessage",
        "AgentMessage",
        "Parked",
        "Solved",
        "Reopened",
        "Closed",
        "Login",
    ] {
        assert!(
            kinds.get(k).copied().unwrap_or(0) > 0,
            "no {k} rows: {kinds:?}"
        );
    }
    // Three measured days (the horizon follows the warm-up).
    assert!(last > 2.9 * 86_400.0 && last <= 3.0 * 86_400.0, "{last}");
}

#[test]
fn events_need_the_flag_and_a_monday_start() {
    let scn = root().join("scenarios/style_live_chat.toml");
    let scn = scn.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = ccsim(
        dir.path(),
        &["run", scn, "--replications", "1", "--out", out],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().join("style_live_chat/events.csv").exists());
    let o = ccsim(
        dir.path(),
        &[
            "run",
            scn,
            "--replications",
            "1",
            "--events",
            "--start",
            "2026-11-03",
            "--out",
            out,
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a Tuesday"), "{}", stderr(&o));
    // Another offset: times carry it, midnight Monday local.
    let o = ccsim(
        dir.path(),
        &[
            "run",
            scn,
            "--replications",
            "1",
            "--events",
            "--start",
            "2026-11-02T00:00:00-05:00",
            "--out",
            out,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("style_live_chat/events.csv")).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(
        row.starts_with("2026-11-0") && row.contains("-05:00,"),
        "{row}"
    );
}

#[test]
fn fit_and_convert_commands_write_everything_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A LivePerson export converted to a log, then fitted.
    let json = super::common::data("calibrate/liveperson.json");
    let log = d.join("lp.csv");
    let o = ccsim(
        d,
        &[
            "log",
            "convert",
            "--from",
            "liveperson",
            json.to_str().unwrap(),
            "--out",
            log.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("time,event,conversation,"), "{text}");
    let o = ccsim(
        d,
        &[
            "log",
            "convert",
            "--from",
            "liveperson",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        text,
        "stdout is the same log"
    );
    let out = d.join("fit");
    let o = ccsim(
        d,
        &[
            "fit",
            log.to_str().unwrap(),
            "--interval",
            "1h",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let toml = std::fs::read_to_string(out.join("fitted.toml")).unwrap();
    assert!(toml.contains("interval = \"1h\""), "{toml}");
    let csv = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    assert!(
        csv.starts_with("skill,group,parameter,estimate,ci_low,ci_high,method,n,goodness_of_fit\n")
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        page.contains("<svg") && page.contains("agent_reply.mean"),
        "{page}"
    );
    crate::browser::check_report(&out.join("report.html"), 1);
    // The fitted scenario is one `ccsim check` accepts.
    let o = ccsim(d, &["check", out.join("fitted.toml").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Bad input: file, line and column, exit 2, nothing written.
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        "time,event,conversation,consumer,skill,channel,agent,group,detail\n\
         10,arrived,c1,u1,billing,live_chat,,,\n\
         5,assigned,c1,u1,billing,live_chat,a1,team,\n",
    )
    .unwrap();
    let out2 = d.join("fit2");
    let o = ccsim(
        d,
        &[
            "fit",
            bad.to_str().unwrap(),
            "--out",
            out2.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.csv:3: column 1 (time)"),
        "{}",
        stderr(&o)
    );
    assert!(!out2.exists());
    let o = ccsim(
        d,
        &[
            "fit",
            bad.to_str().unwrap(),
            "--interval",
            "7m",
            "--out",
            out2.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--interval"), "{}", stderr(&o));
    let broken = d.join("broken.json");
    std::fs::write(&broken, "{\"conversationHistoryRecords\": [}").unwrap();
    let o = ccsim(
        d,
        &[
            "log",
            "convert",
            "--from",
            "liveperson",
            broken.to_str().unwrap(),
            "--out",
            d.join("x.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("broken.json:1"), "{}", stderr(&o));
    assert!(!d.join("x.csv").exists());
}

/// Simulates `toml` (one replication, no warm-up) with its event log, and
/// fits the log with `interval`.
fn simulate_and_fit(toml: &str, interval: f64) -> ccsim::calibrate::FitResult {
    let scn = super::common::scenario(toml);
    let dir = tempfile::tempdir().unwrap();
    let opts = ccsim::runner::RunOptions {
        threads: Some(1),
        events: Some((dir.path().to_path_buf(), Default::default())),
        ..Default::default()
    };
    ccsim::runner::run(&scn, &opts).unwrap();
    let options = ccsim::calibrate::FitOptions {
        interval,
        ..Default::default()
    };
    ccsim::calibrate::fit_file(&dir.path().join("events.csv"), &options).unwrap()
}

/// `got` is within `tol` (relative) of `truth`.
#[track_caller]
fn near(what: &str, got: f64, truth: f64, tol: f64) {
    let err = (got - truth).abs() / truth;
    assert!(
        err <= tol,
        "{what}: fitted {got}, true {truth} ({:.1}% off, tolerance {:.0}%)",
        100.0 * err,
        100.0 * tol
    );
}

/// Arrivals per hour over the week of a fitted profile.
fn rate_per_hour(s: &ccsim::calibrate::SkillFit) -> f64 {
    s.profile.iter().sum::<f64>() / 168.0
}

#[test]
fn live_chat_with_concurrency_and_abandonment_comes_back() {
    let f = simulate_and_fit(
        r#"
        [simulation]
        name = "rt_live"
        horizon = "14d"
        warmup = "0s"
        replications = 1
        seed = 11
        interval = "1h"

        [[skill]]
        name = "chat"
        channel = "live_chat"
        style = "live_chat"
        arrivals = { rate = 60, per = "1h" }
        patience = { dist = "exponential", mean = "2m" }
        exchanges = { dist = "geometric", mean = 4 }
        consumer_reply = { dist = "exponential", mean = "40s" }
        agent_reply = { dist = "lognormal", mean = "30s", sd = "15s" }
        response_sla = "1m"

        [[agents]]
        name = "desk"
        count = 3
        skills = ["chat"]
        capacity = { live_chat = 2 }
        "#,
        1800.0,
    );
    let s = &f.skills[0];
    assert_eq!(
        (s.name.as_str(), s.channel, s.style),
        ("chat", "live_chat", "live_chat")
    );
    near("arrival rate", rate_per_hour(s), 60.0, 0.03);
    near("exchanges", s.exchanges.as_ref().unwrap().mean, 4.0, 0.05);
    let reply = s.consumer_reply.as_ref().unwrap();
    near("consumer reply mean", reply.mean, 40.0, 0.05);
    let effort = s.effort.as_ref().unwrap();
    near("effort mean", effort.mean, 30.0, 0.15);
    // Patience is censored data: enough abandonments to matter, and the
    // censored estimate is right where the naive mean is far off.
    let p = s.patience.as_ref().unwrap();
    assert!(p.abandoned > 300, "{} abandonments", p.abandoned);
    near("patience (censored MLE)", p.mean, 120.0, 0.10);
    assert!(
        p.mean_ci.0 <= 120.0 * 1.05 && p.mean_ci.1 >= 120.0 * 0.95,
        "{:?}",
        p.mean_ci
    );
    assert!(p.naive_mean < 0.8 * 120.0, "naive mean {}", p.naive_mean);
    assert_eq!(s.response_sla.map(|x| x.0), Some(60.0));
    let g = &f.groups[0];
    assert_eq!(
        (g.capacity, g.capacity_total),
        ([2, 0], 2),
        "capacity is exact"
    );
    assert_eq!(g.max_logged_in, 3);
}

#[test]
fn social_messaging_with_parking_returns_and_reopens_comes_back() {
    let f = simulate_and_fit(
        r#"
        [simulation]
        name = "rt_social"
        horizon = "14d"
        warmup = "0s"
        replications = 1
        seed = 5
        interval = "1h"

        [[skill]]
        name = "support"
        channel = "messaging"
        style = "social_messaging"
        solved_to_closed = "1d"
        park_after = "2m"
        arrivals = { rate = 20, per = "1h" }
        exchanges = { dist = "geometric", mean = 3 }
        consumer_reply = { dist = "lognormal", mean = "2m", sd = "2m" }
        agent_reply = { dist = "lognormal", mean = "45s", sd = "30s" }
        response_sla = "2m"
        auto_close = "2h"
        consumer_can_close = false
        returns = { probability = 0.3, after = { dist = "exponential", mean = "30m" } }

        [[agents]]
        name = "team"
        count = 4
        skills = ["support"]
        capacity = { messaging = 3 }

        [routing]
        sticky = "5m"
        "#,
        3600.0,
    );
    let s = &f.skills[0];
    assert_eq!((s.channel, s.style), ("messaging", "social_messaging"));
    near("arrival rate", rate_per_hour(s), 20.0, 0.04);
    near("exchanges", s.exchanges.as_ref().unwrap().mean, 3.0, 0.05);
    near(
        "consumer reply mean",
        s.consumer_reply.as_ref().unwrap().mean,
        120.0,
        0.10,
    );
    near("effort mean", s.effort.as_ref().unwrap().mean, 45.0, 0.15);
    let park = s.park.as_ref().unwrap();
    let park_after = park.after.as_ref().unwrap();
    near("park delay", park_after.mean, 120.0, 0.01);
    let timer = s.timer.as_ref().unwrap();
    near("solved → closed", timer.mean, 86_400.0, 0.01);
    let returns = s.returns.as_ref().unwrap();
    let p = &returns.probability;
    let (lo, hi) = p.ci.unwrap();
    assert!(
        (lo - 0.02..=hi + 0.02).contains(&0.3),
        "return probability {} [{lo}, {hi}]",
        p.value
    );
    near(
        "return delay",
        returns.after.as_ref().unwrap().mean,
        1800.0,
        0.10,
    );
    assert!(s.reopen_rate.as_ref().unwrap().value > 0.1);
    let g = &f.groups[0];
    assert_eq!(
        (g.capacity, g.capacity_total),
        ([0, 3], 3),
        "capacity is exact"
    );
}

#[test]
fn blended_agents_with_shifts_come_back() {
    let f = simulate_and_fit(
        r#"
        [simulation]
        name = "rt_blended"
        horizon = "14d"
        warmup = "0s"
        replications = 1
        seed = 3
        interval = "1h"

        [[skill]]
        name = "chat"
        channel = "live_chat"
        style = "live_chat"
        arrivals = { rate = 24, per = "1h" }
        patience = { dist = "exponential", mean = "5m" }
        exchanges = { dist = "geometric", mean = 3 }
        consumer_reply = { dist = "exponential", mean = "30s" }
        agent_reply = { dist = "gamma", mean = "40s", sd = "20s" }

        [[skill]]
        name = "mail"
        channel = "messaging"
        style = "social_messaging"
        park_after = "1m"
        solved_to_closed = "2h"
        arrivals = { rate = 8, per = "1h" }
        exchanges = { dist = "geometric", mean = 2 }
        consumer_reply = { dist = "exponential", mean = "5m" }
        agent_reply = { dist = "gamma", mean = "40s", sd = "20s" }

        [[agents]]
        name = "early"
        count = 3
        mode = "blended"
        skills = ["chat", "mail"]
        capacity = { live_chat = 2, messaging = 3, total = 4 }
        shifts = [{ days = "daily", start = "06:00", end = "14:00" }]

        [[agents]]
        name = "late"
        count = 2
        mode = "blended"
        skills = ["chat", "mail"]
        capacity = { live_chat = 2, messaging = 3, total = 4 }
        shifts = [{ days = "daily", start = "14:00", end = "22:00" }]
        "#,
        3600.0,
    );
    let chat = f.skills.iter().find(|s| s.name == "chat").unwrap();
    let mail = f.skills.iter().find(|s| s.name == "mail").unwrap();
    near("chat arrival rate", rate_per_hour(chat), 24.0, 0.04);
    near("mail arrival rate", rate_per_hour(mail), 8.0, 0.06);
    near(
        "chat exchanges",
        chat.exchanges.as_ref().unwrap().mean,
        3.0,
        0.05,
    );
    near(
        "mail exchanges",
        mail.exchanges.as_ref().unwrap().mean,
        2.0,
        0.06,
    );
    near(
        "chat reply",
        chat.consumer_reply.as_ref().unwrap().mean,
        30.0,
        0.05,
    );
    near(
        "mail reply",
        mail.consumer_reply.as_ref().unwrap().mean,
        300.0,
        0.10,
    );
    near(
        "chat effort",
        chat.effort.as_ref().unwrap().mean,
        40.0,
        0.15,
    );
    near(
        "mail effort",
        mail.effort.as_ref().unwrap().mean,
        40.0,
        0.15,
    );
    for (name, count, hours) in [("early", 3.0, 6..14), ("late", 2.0, 14..22)] {
        let g = f.groups.iter().find(|g| g.name == name).unwrap();
        assert_eq!(g.capacity, [2, 3], "{name}: capacity per channel");
        assert!(g.capacity_total <= 4, "{name}: total {}", g.capacity_total);
        assert_eq!(g.max_logged_in, count as u32);
        // Staffing per interval within one agent: on shift and off.
        for day in 0..7 {
            for h in 0..24 {
                let want = if hours.contains(&h) { count } else { 0.0 };
                let got = g.logged_in[day * 24 + h];
                assert!(
                    (got - want).abs() <= 1.0,
                    "{name}: day {day} {h}:00 {got} vs {want}"
                );
            }
        }
    }
    // fitted.toml staffs each group with that profile (SPEC §10 count
    // profile): within one agent of the shifts in every interval.
    let toml = ccsim::calibrate::output::fitted_toml(&f);
    let scn = ccsim::scenario::load_str(&toml, "fitted.toml", &root(), "fitted")
        .unwrap_or_else(|e| panic!("{e}\n{toml}"));
    for (name, count, hours) in [("early", 3, 6..14), ("late", 2, 14..22)] {
        let g = scn.groups.iter().find(|g| g.name == name).unwrap();
        let cp = g.count_profile.as_ref().expect("a count profile");
        assert_eq!((cp.per, cp.counts.len(), g.count), (3600.0, 168, count));
        for (slot, &got) in cp.counts.iter().enumerate() {
            let want = if hours.contains(&(slot % 24)) {
                count
            } else {
                0
            };
            assert!(
                got.abs_diff(want) <= 1,
                "{name}: slot {slot}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn transfers_and_their_targets_come_back() {
    let f = simulate_and_fit(
        r#"
        [simulation]
        name = "rt_transfer"
        horizon = "7d"
        warmup = "0s"
        replications = 1
        seed = 9
        interval = "1h"

        [[skill]]
        name = "sales"
        channel = "live_chat"
        style = "live_chat"
        arrivals = { rate = 30, per = "1h" }
        exchanges = { dist = "geometric", mean = 3 }
        consumer_reply = { dist = "exponential", mean = "30s" }
        agent_reply = { dist = "exponential", mean = "20s" }
        transfer = { probability = 0.1, to = "support" }

        [[skill]]
        name = "support"
        channel = "live_chat"
        style = "live_chat"
        arrivals = { rate = 10, per = "1h" }
        exchanges = { dist = "geometric", mean = 2 }
        consumer_reply = { dist = "exponential", mean = "30s" }
        agent_reply = { dist = "exponential", mean = "20s" }

        [[agents]]
        name = "front"
        count = 3
        skills = ["sales"]
        capacity = { live_chat = 2 }

        [[agents]]
        name = "back"
        count = 2
        skills = ["support"]
        capacity = { live_chat = 2 }
        "#,
        3600.0,
    );
    let sales = f.skills.iter().find(|s| s.name == "sales").unwrap();
    let t = sales.transfer.as_ref().unwrap();
    let (lo, hi) = t.ci.unwrap();
    assert!(
        lo <= 0.1 && 0.1 <= hi,
        "transfers per reply {} [{lo}, {hi}]",
        t.value
    );
    assert_eq!(sales.transfer_targets.len(), 1);
    assert_eq!(sales.transfer_targets[0].0, "support");
    // Fresh arrivals only: transferred conversations are not new demand.
    let support = f.skills.iter().find(|s| s.name == "support").unwrap();
    near("support arrival rate", rate_per_hour(support), 10.0, 0.08);
    near("sales arrival rate", rate_per_hour(sales), 30.0, 0.05);
    let back = f.groups.iter().find(|g| g.name == "back").unwrap();
    assert_eq!(back.skills.len(), 1, "{:?}", back.skills);
    assert_eq!(back.capacity, [2, 0]);
}

//! Back-testing (SPEC §13, `ccsim backtest LOG.csv SCENARIO`): the log's
//! own observed KPIs per skill and report interval, the scenario replayed
//! with the log's own demand and staffing, and the comparison.
//!
//! ```text
//! log ─► observe ─► Observed { arrival traces, logged-in agents, IntervalTally per skill × interval }
//! scenario + Observed ─► replay ─► Scenario (trace arrivals, count profiles) ─► runner ─► RunResult
//! Observed + RunResult ─► compare ─► Backtest { rows: observed, sim mean, 2.5%–97.5% band }
//! ```
//!
//! **Observed KPIs are ccsim's own metrics.** The log fills the same
//! [`IntervalTally`] the recorder fills and the values come from the
//! metric registry, so each KPI means exactly what it means in
//! `intervals.csv`: service level, ASA and abandonment by the interval of
//! the arrival; first and next response by the interval of the reply;
//! handle time (assigned and open, per conversation) by the interval of
//! the close. Each is attributed to the conversation's first skill (its
//! skill at arrival), as ccsim does. Targets (`service_level`,
//! `response_sla`) are the scenario's. Occupancy is not compared: typing
//! time (agent effort) is not in a §13 log, so it has no observed value.
//!
//! **Replay.** Times are the log's wall clock from the Monday 00:00 of its
//! first row's week (as `fit` reads them), so the replay's time 0 is that
//! Monday and its report intervals line up with the log's. Each skill
//! replays its fresh arrivals as a trace: arrivals of a consumer who ended
//! a conversation within the return window before are returns or retries,
//! which the scenario generates itself (as `fit` counts them). Each group
//! in the log gets a count profile (SPEC §10): its mean logged-in agents
//! per interval, rounded; its shifts and breaks are dropped (a `two_login`
//! group keeps its shifts: it cannot take a profile). Conversations in
//! flight at the log's start are not replayed (they are not observed
//! either: only conversations that arrive in the log count).
//!
//! **The band** is a prediction band, not a confidence interval of the
//! mean: the 2.5% and 97.5% quantiles (linear interpolation between order
//! statistics) of that interval's value across the replications, where one
//! observed interval should fall if the scenario is right.

use super::log::{CalibrateError, Event, Kind, LogReader, format_rfc3339};
use crate::metrics::registry::INTERVAL_NAMES;
use crate::runner::RunResult;
use crate::scenario::{Arrivals, Mode, Scenario};
use crate::sim::interval::{IntervalTally, interval_values};
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::sync::Arc;

mod output;
pub use output::{backtest_csv, summary_text};

/// The KPIs compared, by their `intervals.csv` names.
pub const METRICS: [&str; 6] = [
    "service_level",
    "asa",
    "abandonment_rate",
    "first_response_mean",
    "next_response_mean",
    "handle_time_mean",
];

/// A conversation being followed in the log.
#[derive(Clone, Debug)]
struct Conv {
    origin: usize,
    arrival: f64,
    assigned: bool,
    open_since: Option<f64>,
    handle: f64,
    replied: bool,
    pending_since: Option<f64>,
}

/// What the log says, per report interval (from the Monday 00:00 of its first row's week).
#[derive(Clone, Debug)]
pub struct Observed {
    /// The log as named.
    pub file: String,
    /// Report interval (s).
    pub interval: f64,
    /// Intervals from time 0 to the log's last row (the replay's horizon).
    pub intervals: usize,
    /// The first interval with a row.
    pub first: usize,
    /// Epoch seconds of time 0 (RFC 3339 logs).
    pub epoch_zero: Option<f64>,
    /// Skill names, in order of first appearance.
    pub skills: Vec<String>,
    /// Per skill: fresh arrival times (s since time 0), sorted.
    pub arrivals: Vec<Vec<f64>>,
    /// Per group: name and logged-in agent-seconds per interval.
    pub groups: Vec<(String, Vec<f64>)>,
    /// Per interval × skill (row `k * skills + s`).
    pub tally: Vec<IntervalTally>,
    /// Known events read.
    pub events: u64,
}

impl Observed {
    /// The tally of interval `k`, skill `s`.
    pub fn row(&self, k: usize, s: usize) -> &IntervalTally {
        &self.tally[k * self.skills.len() + s]
    }

    /// Group `g`'s head-count per interval: its mean logged-in agents, rounded.
    pub fn head_count(&self, g: usize) -> Vec<u32> {
        self.groups[g]
            .1
            .iter()
            .map(|&s| (s / self.interval).round().max(0.0) as u32)
            .collect()
    }

    /// Interval `k`'s start as written in `backtest.csv`: RFC 3339 for a
    /// dated log, else seconds since time 0.
    pub fn label(&self, k: usize) -> String {
        let t = k as f64 * self.interval;
        match self.epoch_zero {
            Some(e) => format_rfc3339(e + t),
            None => super::output::num(t),
        }
    }
}

/// The scenario's targets the observed KPIs use, per skill name.
#[derive(Clone, Copy, Debug)]
struct Targets {
    service_level: f64,
    response_sla: f64,
}

/// Reads the log and tallies it per skill and interval with `scn`'s targets.
/// A skill of the log that is not in the scenario is bad input.
pub fn observe<R: BufRead>(
    input: R,
    file: &str,
    scn: &Scenario,
    interval: f64,
    return_window: f64,
) -> Result<Observed, CalibrateError> {
    if !((60.0..=86_400.0).contains(&interval) && (86_400.0 / interval).fract() == 0.0) {
        return Err(CalibrateError::Options {
            message: format!(
                "--interval {interval}s: expected at least 1m and a length that divides a day into whole intervals, such as 15m, 30m or 1h"
            ),
        });
    }
    let mut reader = LogReader::new(input, file)?;
    let mut o = Obs {
        file: file.to_string(),
        interval,
        return_window,
        scn,
        skills: Vec::new(),
        skill_ix: HashMap::new(),
        arrivals: Vec::new(),
        groups: Vec::new(),
        group_ix: HashMap::new(),
        sessions: HashMap::new(),
        tally: BTreeMap::new(),
        convs: HashMap::new(),
        consumers: HashMap::new(),
        first: None,
        last: 0.0,
        zero: None,
    };
    let mut events = 0;
    while let Some(e) = reader.next_event()? {
        events += 1;
        o.push(&e)?;
    }
    if events == 0 {
        return Err(CalibrateError::File {
            file: file.to_string(),
            message: "the log has no events (only a header, or only unknown events)".into(),
        });
    }
    Ok(o.finish(events, reader.epoch_start()))
}

struct Obs<'a> {
    file: String,
    interval: f64,
    return_window: f64,
    scn: &'a Scenario,
    skills: Vec<(String, Targets)>,
    skill_ix: HashMap<String, usize>,
    arrivals: Vec<Vec<f64>>,
    groups: Vec<(String, Vec<f64>)>,
    group_ix: HashMap<String, usize>,
    /// Agent → (group, logged in since).
    sessions: HashMap<String, (usize, Option<f64>)>,
    tally: BTreeMap<(usize, usize), IntervalTally>,
    convs: HashMap<String, Conv>,
    /// Consumer → when its last conversation ended.
    consumers: HashMap<String, f64>,
    first: Option<f64>,
    last: f64,
    /// (local, epoch) of the first row.
    zero: Option<f64>,
}

impl Obs<'_> {
    fn at(&self, e: &Event, column: usize, name: &str, message: String) -> CalibrateError {
        CalibrateError::At {
            file: self.file.clone(),
            line: e.line,
            column,
            name: name.into(),
            message,
        }
    }

    fn skill(&mut self, e: &Event) -> Result<usize, CalibrateError> {
        if let Some(&i) = self.skill_ix.get(&e.skill) {
            return Ok(i);
        }
        let Some(sk) = self.scn.skills.iter().find(|s| s.name == e.skill) else {
            let known: Vec<&str> = self.scn.skills.iter().map(|s| s.name.as_str()).collect();
            return Err(self.at(
                e,
                5,
                "skill",
                format!(
                    "skill `{}` is not in the scenario {} (its skills: {})",
                    e.skill,
                    self.scn.file.display(),
                    known.join(", ")
                ),
            ));
        };
        let t = Targets {
            service_level: sk.service_level,
            response_sla: sk.response_sla,
        };
        self.skills.push((e.skill.clone(), t));
        self.arrivals.push(Vec::new());
        self.skill_ix.insert(e.skill.clone(), self.skills.len() - 1);
        Ok(self.skills.len() - 1)
    }

    fn row(&mut self, t: f64, s: usize) -> &mut IntervalTally {
        let k = (t / self.interval).floor().max(0.0) as usize;
        self.tally.entry((k, s)).or_default()
    }

    fn logged_in(&mut self, g: usize, a: f64, b: f64) {
        let slots = &mut self.groups[g].1;
        let mut t = a;
        while t < b {
            let k = (t / self.interval).floor() as usize;
            let end = ((k + 1) as f64 * self.interval).min(b);
            if slots.len() <= k {
                slots.resize(k + 1, 0.0);
            }
            slots[k] += end - t;
            t = end;
        }
    }

    fn push(&mut self, e: &Event) -> Result<(), CalibrateError> {
        let now = e.local;
        self.first.get_or_insert(now);
        self.last = now;
        if !e.kind.is_conversation() {
            return self.agent(e, now);
        }
        if !e.agent.is_empty() && !self.sessions.contains_key(&e.agent) {
            // An agent seen working before any login: logged in since the start.
            self.agent(e, now)?;
        }
        if e.kind == Kind::Arrived {
            if self.convs.contains_key(&e.conversation) {
                return Err(self.at(e, 3, "conversation", format!("conversation `{}` arrives again while open (a return after close needs a new conversation id)", e.conversation)));
            }
            let s = self.skill(e)?;
            let fresh = self
                .consumers
                .get(&e.consumer)
                .is_none_or(|&end| now - end > self.return_window);
            if fresh {
                self.arrivals[s].push(now);
            }
            self.row(now, s).offered += 1;
            self.convs.insert(
                e.conversation.clone(),
                Conv {
                    origin: s,
                    arrival: now,
                    assigned: false,
                    open_since: None,
                    handle: 0.0,
                    replied: false,
                    pending_since: Some(now),
                },
            );
            return Ok(());
        }
        if e.kind == Kind::Transferred {
            // The target must be a skill of the scenario too.
            self.skill(e)?;
        }
        // Conversations in flight at the log's start are not followed.
        let Some(mut c) = self.convs.remove(&e.conversation) else {
            return Ok(());
        };
        let t = self.skills[c.origin].1;
        let s = c.origin;
        let mut keep = true;
        match e.kind {
            Kind::Assigned => {
                if !c.assigned {
                    let wait = now - c.arrival;
                    let row = self.row(c.arrival, s);
                    row.handled += 1;
                    row.asa_sum += wait;
                    row.handled_within_sl += (wait <= t.service_level) as u64;
                    c.assigned = true;
                }
                c.open_since.get_or_insert(now);
            }
            Kind::AgentMessage => {
                if !c.replied {
                    c.replied = true;
                    let row = self.row(now, s);
                    row.first_response_n += 1;
                    row.first_response_sum += now - c.arrival;
                } else if let Some(p) = c.pending_since {
                    let response = now - p;
                    let row = self.row(now, s);
                    row.next_response_n += 1;
                    row.next_response_sum += response;
                    row.next_response_within += (response <= t.response_sla) as u64;
                }
                c.pending_since = None;
            }
            Kind::ConsumerMessage | Kind::Reopened => {
                c.pending_since.get_or_insert(now);
            }
            Kind::Transferred => {
                end_open(&mut c, now);
                c.pending_since = Some(now);
            }
            Kind::Parked | Kind::ReturnedToQueue | Kind::Solved => end_open(&mut c, now),
            Kind::Abandoned => {
                let wait = now - c.arrival;
                let row = self.row(c.arrival, s);
                row.abandoned += 1;
                row.abandoned_within_sl += (!c.assigned && wait <= t.service_level) as u64;
                self.consumers.insert(e.consumer.clone(), now);
                keep = false;
            }
            Kind::Closed => {
                end_open(&mut c, now);
                let row = self.row(now, s);
                row.closed += 1;
                row.handle_sum += c.handle;
                self.consumers.insert(e.consumer.clone(), now);
                keep = false;
            }
            Kind::Arrived | Kind::Login | Kind::Logout | Kind::Status => {}
        }
        if keep {
            self.convs.insert(e.conversation.clone(), c);
        }
        Ok(())
    }

    fn agent(&mut self, e: &Event, now: f64) -> Result<(), CalibrateError> {
        let group = if e.group.is_empty() {
            "agents"
        } else {
            &e.group
        };
        let g = match self.group_ix.get(group) {
            Some(&g) => g,
            None => {
                if !self.scn.groups.iter().any(|x| x.name == group) {
                    let known: Vec<&str> =
                        self.scn.groups.iter().map(|x| x.name.as_str()).collect();
                    return Err(self.at(
                        e,
                        8,
                        "group",
                        format!(
                            "group `{group}` is not in the scenario {} (its groups: {})",
                            self.scn.file.display(),
                            known.join(", ")
                        ),
                    ));
                }
                self.groups.push((group.to_string(), Vec::new()));
                self.group_ix
                    .insert(group.to_string(), self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let first = self.first.unwrap_or(now);
        let entry = self.sessions.entry(e.agent.clone()).or_insert_with(|| {
            // An agent whose first row is not a login is logged in since the log's start.
            (g, (e.kind != Kind::Login).then_some(first))
        });
        let (g, since) = *entry;
        match e.kind {
            Kind::Login => {
                if since.is_none() {
                    entry.1 = Some(now);
                }
            }
            Kind::Logout => {
                entry.1 = None;
                if let Some(s) = since {
                    self.logged_in(g, s, now);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(mut self, events: u64, epoch_start: Option<f64>) -> Observed {
        let last = self.last;
        let open: Vec<(usize, f64)> = self
            .sessions
            .values()
            .filter_map(|&(g, s)| s.map(|s| (g, s)))
            .collect();
        for (g, s) in open {
            self.logged_in(g, s, last);
        }
        let first = self.first.unwrap_or(0.0);
        let intervals = ((last / self.interval).floor() as usize + 1).max(1);
        for (_, v) in &mut self.groups {
            v.resize(intervals, 0.0);
        }
        let n = self.skills.len();
        let mut tally = vec![IntervalTally::default(); intervals * n];
        for ((k, s), t) in self.tally {
            if k < intervals {
                tally[k * n + s] = t;
            }
        }
        self.zero = epoch_start.map(|e| e - first);
        Observed {
            file: self.file,
            interval: self.interval,
            intervals,
            first: (first / self.interval).floor() as usize,
            epoch_zero: self.zero,
            skills: self.skills.into_iter().map(|(n, _)| n).collect(),
            arrivals: self.arrivals,
            groups: self.groups,
            tally,
            events,
        }
    }
}

fn end_open(c: &mut Conv, now: f64) {
    if let Some(s) = c.open_since.take() {
        c.handle += now - s;
    }
}

/// The scenario with the log's demand and staffing: every skill replays
/// the log's fresh arrivals (none if the log has none), every group seen
/// in the log logs in its head-count per interval; the horizon is the
/// log's, without warm-up, in intervals of the log's. Notes say what was
/// kept as it was.
pub fn replay(scn: &Scenario, obs: &Observed, replications: u32) -> (Scenario, Vec<String>) {
    let mut r = scn.clone();
    let mut notes = Vec::new();
    r.variants.clear();
    r.warmup = 0.0;
    r.interval = obs.interval;
    r.horizon = obs.intervals as f64 * obs.interval;
    r.replications = replications;
    for sk in &mut r.skills {
        let times = obs
            .skills
            .iter()
            .position(|n| *n == sk.name)
            .map(|i| obs.arrivals[i].clone())
            .unwrap_or_default();
        sk.arrivals = Arrivals::Trace {
            file: format!("{} (replayed)", obs.file),
            times: Arc::new(times),
        };
        sk.day_cv = 0.0;
    }
    for gr in &mut r.groups {
        let Some(g) = obs.groups.iter().position(|(n, _)| *n == gr.name) else {
            notes.push(format!(
                "group `{}` has no agent in the log: its staffing is the scenario's",
                gr.name
            ));
            continue;
        };
        if gr.mode == Mode::TwoLogin {
            notes.push(format!(
                "group `{}` is two_login: it keeps the scenario's shifts (a count profile needs one login)",
                gr.name
            ));
            continue;
        }
        gr.shifts.clear();
        gr.breaks.clear();
        gr.wind_down = 0.0;
        let counts = obs.head_count(g);
        if let Err(e) = gr.set_count_profile(counts, obs.interval) {
            notes.push(format!("{e}: its staffing is the scenario's"));
        }
    }
    (r, notes)
}

/// One compared KPI of one skill in one interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Interval index (from time 0).
    pub interval: usize,
    /// Skill index in [`Observed::skills`].
    pub skill: usize,
    /// Index into [`METRICS`].
    pub metric: usize,
    /// The log's value.
    pub observed: f64,
    /// Mean over the replications.
    pub sim_mean: f64,
    /// 2.5% quantile over the replications.
    pub sim_low: f64,
    /// 97.5% quantile over the replications.
    pub sim_high: f64,
}

impl Row {
    /// Whether the observed value lies inside the band.
    pub fn within(&self) -> bool {
        self.sim_low <= self.observed && self.observed <= self.sim_high
    }
}

/// A whole back-test.
#[derive(Clone, Debug)]
pub struct Backtest {
    /// What the log said.
    pub observed: Observed,
    /// Replications simulated.
    pub replications: usize,
    /// Every KPI with an observed value and at least two simulated ones.
    pub rows: Vec<Row>,
    /// What the replay kept from the scenario.
    pub notes: Vec<String>,
}

/// Per metric: rows compared, rows within the band, mean absolute error.
pub type MetricSummary = (usize, usize, f64);

impl Backtest {
    /// Share of rows within the band (NaN without rows).
    pub fn share_within(&self) -> f64 {
        let k = self.rows.iter().filter(|r| r.within()).count();
        k as f64 / self.rows.len() as f64
    }

    /// Per metric of [`METRICS`]: rows, rows within, mean |observed − sim mean|.
    pub fn by_metric(&self) -> Vec<MetricSummary> {
        let mut out = vec![(0, 0, 0.0); METRICS.len()];
        for r in &self.rows {
            let m = &mut out[r.metric];
            m.0 += 1;
            m.1 += r.within() as usize;
            m.2 += (r.observed - r.sim_mean).abs();
        }
        for m in &mut out {
            m.2 /= m.0 as f64;
        }
        out
    }
}

/// The `q` quantile of sorted `v` (linear between order statistics).
fn quantile(v: &[f64], q: f64) -> f64 {
    let h = (v.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Compares the log with the replay's replications, per interval, skill and KPI.
pub fn compare(obs: Observed, sim: &RunResult, notes: Vec<String>) -> Backtest {
    let idx: Vec<usize> = METRICS
        .iter()
        .map(|m| {
            INTERVAL_NAMES
                .iter()
                .position(|n| n == m)
                .expect("an interval metric")
        })
        .collect();
    let mut rows = Vec::new();
    for k in obs.first..obs.intervals.min(sim.interval_starts.len()) {
        for (s, name) in obs.skills.iter().enumerate() {
            let Some(scope) = sim.scopes.iter().position(|n| n == name) else {
                continue;
            };
            let values = interval_values(obs.row(k, s), obs.interval);
            for (m, &i) in idx.iter().enumerate() {
                let observed = values[i];
                let mut v: Vec<f64> = sim
                    .interval_reps(k, scope, i)
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .collect();
                if !observed.is_finite() || v.len() < 2 {
                    continue;
                }
                v.sort_by(f64::total_cmp);
                rows.push(Row {
                    interval: k,
                    skill: s,
                    metric: m,
                    observed,
                    sim_mean: v.iter().sum::<f64>() / v.len() as f64,
                    sim_low: quantile(&v, 0.025),
                    sim_high: quantile(&v, 0.975),
                });
            }
        }
    }
    Backtest {
        observed: obs,
        replications: sim.per_rep.len(),
        rows,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCN: &str = r#"
        [simulation]
        horizon = "1d"
        interval = "1h"
        [[skill]]
        name = "chat"
        channel = "live_chat"
        arrivals = { rate = 1, per = "1h" }
        exchanges = { dist = "deterministic", value = 2 }
        consumer_reply = { dist = "exponential", mean = "30s" }
        agent_reply = { dist = "exponential", mean = "30s" }
        service_level = "30s"
        response_sla = "1m"
        [[agents]]
        name = "desk"
        count = 1
        skills = ["chat"]
        capacity = { live_chat = 2 }
    "#;

    /// A hand-made log: each KPI's observed value follows ccsim's definition.
    #[test]
    fn observed_kpis_follow_the_metric_definitions() {
        let scn = crate::scenario::load_str(SCN, "t.toml", std::path::Path::new("."), "t").unwrap();
        let h = 3600.0;
        let rows = [
            (0.0, "login,,,,live_chat,a1,desk,"),
            // c1: waits 20s (within 30s), first reply 50s after arrival,
            // consumer writes at +80s, reply at +150s (70s: over the 1m SLA),
            // closed at +200s: handle 180s.
            (h + 0.0, "arrived,c1,u1,chat,live_chat,,,"),
            (h + 20.0, "assigned,c1,u1,chat,live_chat,a1,desk,"),
            (h + 50.0, "agent_message,c1,u1,chat,live_chat,a1,desk,"),
            (h + 80.0, "consumer_message,c1,u1,chat,live_chat,,,"),
            (h + 90.0, "consumer_message,c1,u1,chat,live_chat,,,"),
            (h + 150.0, "agent_message,c1,u1,chat,live_chat,a1,desk,"),
            // c2 abandons after 10s (within the target): out of the SL base.
            (h + 300.0, "arrived,c2,u2,chat,live_chat,,,"),
            (h + 310.0, "abandoned,c2,u2,chat,live_chat,,,"),
            // c3 waits 40s: answered, not within.
            (h + 400.0, "arrived,c3,u3,chat,live_chat,,,"),
            (h + 440.0, "assigned,c3,u3,chat,live_chat,a1,desk,"),
            (
                h + 200.0 + 3000.0,
                "closed,c1,u1,chat,live_chat,a1,desk,agent",
            ),
            // u2 comes back: offered, but a retry (not replayed).
            (2.0 * h, "arrived,c4,u2,chat,live_chat,,,"),
            (2.5 * h, "logout,,,,live_chat,a1,desk,"),
        ];
        let mut log =
            String::from("time,event,conversation,consumer,skill,channel,agent,group,detail\n");
        for (t, r) in rows {
            log.push_str(&format!("{t},{r}\n"));
        }
        let o = observe(log.as_bytes(), "log.csv", &scn, h, 86_400.0).unwrap();
        assert_eq!((o.intervals, o.first), (3, 0));
        assert_eq!(
            o.arrivals[0],
            vec![h, h + 300.0, h + 400.0],
            "the retry is left to the scenario"
        );
        let v = interval_values(o.row(1, 0), h);
        let get = |name: &str| v[INTERVAL_NAMES.iter().position(|n| *n == name).unwrap()];
        assert_eq!(get("offered"), 3.0);
        // SL: 1 within of (3 offered - 1 abandoned within).
        assert_eq!(get("service_level"), 0.5);
        assert_eq!(get("asa"), 30.0);
        assert_eq!(get("abandonment_rate"), 1.0 / 3.0);
        assert_eq!(get("first_response_mean"), 50.0);
        assert_eq!(
            get("next_response_mean"),
            70.0,
            "from the first unanswered message"
        );
        assert_eq!(get("next_response_sl"), 0.0);
        assert_eq!(
            get("handle_time_mean"),
            3180.0,
            "assigned at +20s, closed at +3200s"
        );
        // Staffing: logged in 2.5 intervals, one agent.
        assert_eq!(o.head_count(0), vec![1, 1, 1]);
        let (r, notes) = replay(&scn, &o, 5);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!((r.horizon, r.warmup, r.replications), (3.0 * h, 0.0, 5));
        assert_eq!(
            r.groups[0].count_profile.as_ref().unwrap().counts,
            vec![1, 1, 1]
        );
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let v: Vec<f64> = (0..=40).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.025), 1.0);
        assert_eq!(quantile(&v, 0.975), 39.0);
        assert_eq!(quantile(&[1.0, 3.0], 0.5), 2.0);
    }
}

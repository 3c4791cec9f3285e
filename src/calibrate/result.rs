//! What a fit found: plain data, per skill and per agent group, each
//! estimate with its interval, method and number of observations. The
//! exporters in `output` turn it into `fit.csv` and `fitted.toml`.

use super::stats::{CountFit, DurationFit, KmSummary, Z975};
use std::collections::BTreeMap;

/// One estimated number.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// 95% interval, where one exists.
    pub ci: Option<(f64, f64)>,
    /// Observations it rests on.
    pub n: u64,
    /// How it was computed (and how its interval was).
    pub method: String,
}

impl Estimate {
    /// A share `k / n` with its Wilson 95% interval; None when n is 0.
    pub fn share(k: u64, n: u64, method: &str) -> Option<Estimate> {
        if n == 0 {
            return None;
        }
        let (kf, nf) = (k as f64, n as f64);
        let p = kf / nf;
        let z2 = Z975 * Z975;
        let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
        let half = Z975 * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / (1.0 + z2 / nf);
        Some(Estimate {
            value: p,
            ci: Some(((centre - half).max(0.0), (centre + half).min(1.0))),
            n,
            method: format!("{method} (Wilson interval)"),
        })
    }
}

/// Patience from censored waits.
#[derive(Clone, Debug)]
pub struct PatienceFit {
    /// Exponential mean by censored MLE (exposure ÷ abandonments).
    pub mean: f64,
    /// Its exact chi-square 95% interval.
    pub mean_ci: (f64, f64),
    /// Abandonments (events).
    pub abandoned: u64,
    /// Waits that ended in assignment (censored).
    pub censored: u64,
    /// Kaplan–Meier summaries.
    pub km: Option<KmSummary>,
    /// Mean of the abandoned waits alone (biased; for comparison only).
    pub naive_mean: f64,
}

/// A probability with the delay until it happens.
#[derive(Clone, Debug)]
pub struct Delayed {
    /// The probability (per the base the method names).
    pub probability: Estimate,
    /// The delay, when observed.
    pub after: Option<DurationFit>,
}

/// Everything estimated for one skill.
#[derive(Clone, Debug)]
pub struct SkillFit {
    /// Name.
    pub name: String,
    /// `live_chat` or `messaging` (the most frequent in its rows).
    pub channel: &'static str,
    /// Inferred conversational style.
    pub style: &'static str,
    /// Why that style.
    pub style_reason: String,
    /// Fresh arrivals per week slot (day of week × interval), averaged over the weeks observed.
    pub profile: Vec<f64>,
    /// Fresh arrivals counted (returns and retries excluded).
    pub fresh_arrivals: u64,
    /// Every arrival.
    pub arrivals: u64,
    /// Day-to-day coefficient of variation net of Poisson noise.
    pub day_cv: Option<Estimate>,
    /// Consumer messages per conversation.
    pub exchanges: Option<CountFit>,
    /// Agent message → next consumer message.
    pub consumer_reply: Option<DurationFit>,
    /// Agent effort per reply (estimated from the agents' timelines).
    pub effort: Option<DurationFit>,
    /// Patience.
    pub patience: Option<PatienceFit>,
    /// Returns (reopens and new conversations of the same consumer after a solve or close).
    pub returns: Option<Delayed>,
    /// Reopens per handled conversation.
    pub reopen_rate: Option<Estimate>,
    /// Retries: new conversations of consumers who abandoned.
    pub retry: Option<Delayed>,
    /// Transfers per agent reply.
    pub transfer: Option<Estimate>,
    /// Transfer targets, most frequent first.
    pub transfer_targets: Vec<(String, u64)>,
    /// Parked after a reply: share of replies and the delay.
    pub park: Option<Delayed>,
    /// Closed by auto-close: share of closes and the idle time before it.
    pub auto_close: Option<Delayed>,
    /// Solved → closed by the style timer.
    pub timer: Option<DurationFit>,
    /// Closed by the consumer, per closed conversation.
    pub consumer_close: Option<Estimate>,
    /// Response SLA recorded in `detail` (`sla=…`), the most frequent value.
    pub response_sla: Option<(f64, u64)>,
    /// Close reasons counted.
    pub close_reasons: BTreeMap<String, u64>,
}

/// Everything estimated for one agent group.
#[derive(Clone, Debug)]
pub struct GroupFit {
    /// Name.
    pub name: String,
    /// Skills with their assignment counts.
    pub skills: Vec<(String, u64)>,
    /// Maximum concurrent open conversations of one agent, per channel (live_chat, messaging).
    pub capacity: [u32; 2],
    /// Maximum concurrent open conversations of one agent in total.
    pub capacity_total: u32,
    /// Assignments seen per channel.
    pub assignments: [u64; 2],
    /// Maximum logged-in agents at once.
    pub max_logged_in: u32,
    /// Distinct agents seen.
    pub agents: u32,
    /// Whether the log has login/logout events for this group.
    pub has_logins: bool,
    /// Mean logged-in agents per week slot, averaged over the weeks observed.
    pub logged_in: Vec<f64>,
    /// Breaks (away / back soon) per login session.
    pub breaks_per_session: Option<Estimate>,
    /// Break length.
    pub break_duration: Option<DurationFit>,
    /// Time from login to a break's start.
    pub break_after: Option<DurationFit>,
}

/// The whole fit.
#[derive(Clone, Debug)]
pub struct FitResult {
    /// The log as named.
    pub file: String,
    /// Known events read.
    pub events: u64,
    /// Unknown event names and counts (`""`: names past the first 64).
    pub unknown: BTreeMap<String, u64>,
    /// Seconds from the first to the last row.
    pub span: f64,
    /// Weeks observed (span ÷ 7 days).
    pub weeks: f64,
    /// Profile interval (s).
    pub interval: f64,
    /// Epoch seconds of the first row (RFC 3339 logs).
    pub epoch_start: Option<f64>,
    /// Conversations seen without their arrival (in flight at the log's start).
    pub in_flight_at_start: u64,
    /// Conversations still open at the log's end.
    pub open_at_end: u64,
    /// Per skill, in order of first appearance.
    pub skills: Vec<SkillFit>,
    /// Per group, in order of first appearance.
    pub groups: Vec<GroupFit>,
}

/// `Mon 08:30`: the label of a week slot.
pub fn slot_label(slot: usize, interval: f64) -> String {
    let t = slot as f64 * interval;
    let day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][(t / 86_400.0) as usize % 7];
    let s = (t % 86_400.0) as u64;
    format!("{day} {:02}:{:02}", s / 3600, s / 60 % 60)
}

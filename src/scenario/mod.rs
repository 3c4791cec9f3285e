//! Scenario files: reading (`load`: from text, or from a parsed table with
//! [`load_table`]), the raw schema (`schema`, read from a table by
//! `table_de`), validation into a resolved [`Scenario`] (`validate`) and
//! distributions (`dist`).
//!
//! Validation happens in two stages: the TOML text becomes raw structs
//! (unknown keys and malformed values rejected with their line), then the
//! raw structs become a [`Scenario`] with indices instead of names and
//! seconds instead of strings. The simulation only ever sees the latter.

pub mod dist;
pub mod load;
pub mod schema;
pub mod table_de;
pub mod validate;

pub use dist::{CountDist, Dist};
pub use load::{load, load_str, load_str_with, load_table, load_table_with};
pub use validate::Traces;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The two channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Synchronous live chat.
    LiveChat = 0,
    /// Asynchronous messaging.
    Messaging = 1,
}

impl Channel {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Channel::LiveChat => "live_chat",
            Channel::Messaging => "messaging",
        }
    }
}

/// Conversational styles (SPEC §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// Closed as soon as solved; a return is a new conversation.
    LiveChat,
    /// Solved, then closed after the reopen window; a return inside it reopens.
    LiveChatReturning,
    /// Solved, then closed after `solved_to_closed`; parked statuses free capacity.
    SocialMessaging,
}

/// How a skill's conversations arrive.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrivals {
    /// Homogeneous Poisson with this rate per second.
    Poisson {
        /// Arrivals per second.
        rate: f64,
    },
    /// Poisson with a rate per interval, repeating.
    Profile {
        /// Arrivals per second in each interval.
        rates: Vec<f64>,
        /// Length of one interval in seconds.
        per: f64,
    },
    /// Replay of arrival times (seconds since time 0), sorted.
    Trace {
        /// Source file.
        file: String,
        /// The times.
        #[serde(skip)]
        times: std::sync::Arc<Vec<f64>>,
    },
}

impl Arrivals {
    /// Mean arrival rate per second (over the profile, or the trace's span).
    pub fn mean_rate(&self) -> f64 {
        match self {
            Arrivals::Poisson { rate } => *rate,
            Arrivals::Profile { rates, .. } => rates.iter().sum::<f64>() / rates.len() as f64,
            Arrivals::Trace { times, .. } => match (times.first(), times.last()) {
                (Some(a), Some(b)) if b > a => times.len() as f64 / (b - a),
                _ => 0.0,
            },
        }
    }
}

/// Consumers coming back.
#[derive(Clone, Debug, Serialize)]
pub struct Returns {
    /// Probability per solved/closed conversation.
    pub probability: f64,
    /// Delay until the return, measured from the solve (or close).
    pub after: Dist,
}

/// Where a transfer goes.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    /// A skill's queue (index).
    Skill(usize),
    /// A named agent group (index).
    Group(usize),
}

/// Transfers at agent replies.
#[derive(Clone, Debug, Serialize)]
pub struct Transfer {
    /// Probability per agent reply.
    pub probability: f64,
    /// Target.
    pub to: TransferTarget,
}

/// A resolved skill.
#[derive(Clone, Debug, Serialize)]
pub struct Skill {
    /// Name.
    pub name: String,
    /// Channel.
    pub channel: Channel,
    /// Conversational style.
    pub style: Style,
    /// Arrival process.
    pub arrivals: Arrivals,
    /// Patience in queue; None: never abandons.
    pub patience: Option<Dist>,
    /// `requeue_patience` as given (see [`Skill::requeue_patience`] for
    /// the one that applies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requeue_patience: Option<Dist>,
    /// Coefficient of variation of each day's volume (`arrivals.day_cv`).
    #[serde(skip_serializing_if = "is_zero")]
    pub day_cv: f64,
    /// Consumer messages per conversation.
    pub exchanges: CountDist,
    /// Consumer reply time.
    pub consumer_reply: Dist,
    /// Agent effort per reply.
    pub agent_reply: Dist,
    /// Response SLA (s).
    pub response_sla: f64,
    /// Service-level target (s).
    pub service_level: f64,
    /// Target of `first_response_sl` (s; default `service_level`).
    pub first_response_target: f64,
    /// Auto-close idle time (s); None: never.
    pub auto_close: Option<f64>,
    /// live_chat_returning window (s).
    pub reopen_window: f64,
    /// social_messaging solved → closed (s).
    pub solved_to_closed: f64,
    /// social_messaging park delay (s).
    pub park_after: f64,
    /// Queue priority.
    pub priority: i64,
    /// Whether consumers can close.
    pub consumer_can_close: bool,
    /// Probability the consumer closes after the last reply (when allowed).
    pub consumer_close_probability: f64,
    /// Probability a manual SLA is set (exempt from auto-close).
    pub manual_sla_probability: f64,
    /// Probability an agent resumes a closed conversation.
    pub resume_probability: f64,
    /// Probability, at a reply awaiting the consumer, that the agent returns it to the queue.
    pub return_probability: f64,
    /// Returns.
    pub returns: Option<Returns>,
    /// Retries of consumers who abandoned (a new conversation, same issue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<Returns>,
    /// Transfers.
    pub transfer: Option<Transfer>,
}

/// Whether a value is left out of `scenario.resolved.json` (unset keys
/// stay out, so older outputs are unchanged).
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Skill {
    /// The patience of a re-queued conversation (returned to the queue,
    /// transferred): `requeue_patience` if set; else, for live chat, the
    /// skill's `patience` (a consumer does not sit in a chat window through
    /// the night); else none (a messaging conversation keeps its place).
    pub fn requeue_patience(&self) -> Option<&Dist> {
        match (&self.requeue_patience, self.channel) {
            (Some(d), _) => Some(d),
            (None, Channel::LiveChat) => self.patience.as_ref(),
            (None, Channel::Messaging) => None,
        }
    }
}

/// Agent modes (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// One channel only.
    Dedicated,
    /// Both channels, one per shift (login).
    TwoLogin,
    /// Both channels at once.
    Blended,
}

/// Logout policy for open conversations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogoutPolicy {
    /// Return them to their queues.
    ReturnToQueue,
    /// Keep them assigned, unanswered, until the next login.
    Keep,
}

/// One weekly login window of a group.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Shift {
    /// Start, seconds since Monday 00:00.
    pub start: f64,
    /// Length in seconds.
    pub length: f64,
    /// two_login: the channel logged in; None: the group's channels.
    pub login: Option<Channel>,
}

/// A break within each shift.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Break {
    /// Offset from the shift start (s).
    pub after: f64,
    /// Length (s).
    pub duration: f64,
    /// Spread of the agents' starts (s): agent i of n starts at after + stagger·i/n.
    pub stagger: f64,
    /// `back_soon` instead of `away` during the break (both: no new conversations).
    pub back_soon: bool,
}

/// A resolved agent group.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Mode.
    pub mode: Mode,
    /// Skills (index) with this group's priority for each.
    pub skills: Vec<(usize, i64)>,
    /// Capacity per channel, indexed by `Channel as usize`.
    pub capacity: [u32; 2],
    /// Capacity in total.
    pub capacity_total: u32,
    /// Weekly login windows; empty: always on.
    pub shifts: Vec<Shift>,
    /// Breaks in each shift.
    pub breaks: Vec<Break>,
    /// Logout policy.
    pub logout: LogoutPolicy,
    /// Extra effort when switching conversations (s).
    pub switch_overhead: f64,
    /// Agents logged in per interval (`count = { profile, per }`); `None`:
    /// all `count` agents, within the shifts. Set it with
    /// [`Group::set_count_profile`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count_profile: Option<CountProfile>,
    /// No new assignments this long before each logout (s): the end of a
    /// shift, or a count-profile drop for the agents chosen to log out.
    #[serde(skip_serializing_if = "is_zero")]
    pub wind_down: f64,
}

/// A time-varying head-count: agents logged in during each interval of
/// length `per`, repeating from time 0 (Monday 00:00) like an arrival
/// profile. Interval `k` is `[k·per, (k+1)·per)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountProfile {
    /// Agents logged in per interval (not empty).
    pub counts: Vec<u32>,
    /// Length of one interval (s, > 0).
    pub per: f64,
}

impl CountProfile {
    /// The shortest `per` accepted (s): logins and logouts at most once a minute.
    pub const MIN_PER: f64 = 60.0;

    /// Agents logged in during interval `k` (counted from time 0).
    pub fn at_step(&self, k: u64) -> u32 {
        self.counts[(k % self.counts.len() as u64) as usize]
    }

    /// Agents logged in at time `t`.
    pub fn at(&self, t: f64) -> u32 {
        self.at_step((t / self.per).floor().max(0.0) as u64)
    }

    /// The largest head-count: the group's size.
    pub fn max(&self) -> u32 {
        self.counts.iter().copied().max().unwrap_or(0)
    }
}

impl Group {
    /// Gives the group a time-varying head-count (agents logged in per
    /// interval of `per` seconds, repeating); its size (`count`, the rows of
    /// `agents.csv`) becomes the profile's maximum. For searches that set
    /// a head-count per interval on a loaded scenario. Refused, with the
    /// reason, when the group has shifts (a group has either shifts or a
    /// count profile), when it is a `two_login` group, when the profile is
    /// empty, or when `per` is shorter than [`CountProfile::MIN_PER`] or
    /// not longer than the group's `wind_down`.
    pub fn set_count_profile(&mut self, counts: Vec<u32>, per: f64) -> Result<(), String> {
        let problem = if !self.shifts.is_empty() {
            Some("it has shifts (a group has either shifts or a count profile)".to_string())
        } else if self.mode == Mode::TwoLogin {
            Some("a two_login group logs in by shifts, each naming its login".to_string())
        } else if counts.is_empty() {
            Some("the profile is empty".to_string())
        } else if !(per >= CountProfile::MIN_PER && per.is_finite()) {
            Some(format!(
                "per = {per}s: expected at least {}s",
                CountProfile::MIN_PER
            ))
        } else if self.wind_down >= per {
            Some(format!(
                "per = {per}s is not longer than the group's wind_down ({}s)",
                self.wind_down
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(format!(
                "group `{}` cannot take a count profile: {p}",
                self.name
            ));
        }
        let profile = CountProfile { counts, per };
        self.count = profile.max();
        self.count_profile = Some(profile);
        Ok(())
    }
}

/// Accept mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Accept {
    /// Straight into the agent's list.
    Auto,
    /// Offered to one agent at a time.
    Ring,
}

/// Agent selection among eligible agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Most free capacity.
    MostAvailable,
    /// Longest since the last assignment.
    LongestIdle,
    /// Cyclic over the group.
    RoundRobin,
}

/// Routing rules.
#[derive(Clone, Debug, Serialize)]
pub struct Routing {
    /// Accept mode.
    pub accept: Accept,
    /// Ring timeout (s).
    pub ring_timeout: f64,
    /// Accept delay.
    pub accept_delay: Dist,
    /// Ignore probability.
    pub ignore_probability: f64,
    /// Agent selection.
    pub agent_selection: Selection,
    /// Ramp-up: first N assignments after login, spaced by the interval (s).
    pub ramp_up: Option<(u32, f64)>,
    /// Sticky wait for the previous agent (s).
    pub sticky: f64,
}

/// A staffing variant for `ccsim compare`.
#[derive(Clone, Debug, Serialize)]
pub struct Variant {
    /// Name.
    pub name: String,
    /// Agent groups.
    pub groups: Vec<Group>,
    /// Routing.
    pub routing: Routing,
}

/// A validated scenario: what the simulation runs.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// The file it came from (or `<built-in>`).
    #[serde(skip)]
    pub file: PathBuf,
    /// Name (output directory).
    pub name: String,
    /// Measured time after warm-up (s).
    pub horizon: f64,
    /// Warm-up (s).
    pub warmup: f64,
    /// Replications.
    pub replications: u32,
    /// Seed.
    pub seed: u64,
    /// Report interval (s).
    pub interval: f64,
    /// Skills.
    pub skills: Vec<Skill>,
    /// Agent groups.
    pub groups: Vec<Group>,
    /// Routing.
    pub routing: Routing,
    /// Variants (compare).
    pub variants: Vec<Variant>,
    /// Warnings found while validating.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Scenario {
    /// The scenario with its agent groups and routing replaced by a variant's.
    pub fn with_variant(&self, v: &Variant) -> Scenario {
        Scenario {
            groups: v.groups.clone(),
            routing: v.routing.clone(),
            variants: Vec::new(),
            ..self.clone()
        }
    }

    /// Index of the skill named `name`.
    pub fn skill_index(&self, name: &str) -> Option<usize> {
        self.skills.iter().position(|s| s.name == name)
    }

    /// End of the simulated time (warm-up + horizon).
    pub fn end(&self) -> f64 {
        self.warmup + self.horizon
    }

    /// The resolved scenario as pretty-printed JSON, written to the output
    /// directory as `scenario.resolved.json`.
    pub fn resolved_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

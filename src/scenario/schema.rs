//! The raw scenario file as written: serde structs that reject unknown
//! keys. Values that validation checks later keep their position in the
//! file (`Spanned`) so every error can name the line. Leaf types with a
//! grammar of their own (durations, distributions) check it while being
//! read, so toml reports their line itself.

use super::{Accept, Channel, LogoutPolicy, Mode, Selection, Style};
use serde::{Deserialize, Deserializer, Serialize};
use toml::Spanned;

/// A duration: a string with a unit (`"500ms"`, `"45s"`, `"5m"`, `"2h"`,
/// `"4d"`, `"1w"`) or a plain number of seconds. Never negative.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Dur(pub f64);

const DUR_EXPECTED: &str =
    "a duration such as \"45s\", \"5m\", \"2h\", \"4d\" or a number of seconds (>= 0)";

/// Parses a duration string — a number of seconds, or one or more
/// number-unit pairs (`"45s"`, `"2h"`, `"3h30m"`, `"1d 12h"`); units `ms`,
/// `s`, `m`/`min`, `h`, `d`, `w`. `None` if it is not one or is negative.
pub fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(v) = s.parse::<f64>() {
        return (v.is_finite() && v >= 0.0).then_some(v);
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let value: f64 = rest[..num_end].trim().parse().ok()?;
        let after = &rest[num_end..];
        let unit_end = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let scale = match &after[..unit_end] {
            "s" | "sec" | "secs" => 1.0,
            "ms" => 0.001,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hrs" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            "w" | "week" | "weeks" => 604_800.0,
            _ => return None,
        };
        if !(value.is_finite() && value >= 0.0) {
            return None;
        }
        total += value * scale;
        rest = after[unit_end..].trim_start();
    }
    total.is_finite().then_some(total)
}

/// The message for a duration string that is a bare number (`"7"`): in a
/// scenario a string must carry its unit, so that `"7"` is not silently
/// seven seconds; the number `7` (no quotes) still is.
fn missing_unit(s: &str) -> Option<String> {
    let t = s.trim();
    t.parse::<f64>().ok().map(|v| {
        format!(
            "the duration \"{t}\" has no unit: write \"{t}s\", \"{t}m\", \"{t}h\" or \"{t}d\" (or the number {v} without quotes for seconds)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{missing_unit, parse_duration};

    #[test]
    fn duration_strings_need_a_unit() {
        assert!(missing_unit("7").is_some_and(|m| m.contains("no unit")));
        assert!(missing_unit(" 2.5 ").is_some());
        assert_eq!(missing_unit("7s"), None);
        assert_eq!(missing_unit("1h 30m"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("45s"), Some(45.0));
        assert_eq!(parse_duration("5m"), Some(300.0));
        assert_eq!(parse_duration("2h"), Some(7200.0));
        assert_eq!(parse_duration("4d"), Some(345_600.0));
        assert_eq!(parse_duration("3h30m"), Some(12_600.0));
        assert_eq!(parse_duration("1d 12h"), Some(129_600.0));
        assert_eq!(parse_duration("1.5h"), Some(5400.0));
        assert_eq!(parse_duration("90"), Some(90.0));
        assert_eq!(parse_duration("500ms"), Some(0.5));
        assert_eq!(parse_duration("-5m"), None);
        assert_eq!(parse_duration("5 parsecs"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration(""), None);
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(DUR_EXPECTED)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Dur, E> {
                if v < 0 {
                    return Err(E::custom(format!(
                        "negative duration {v}: expected {DUR_EXPECTED}"
                    )));
                }
                Ok(Dur(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dur, E> {
                Ok(Dur(v as f64))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Dur, E> {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(E::custom(format!(
                        "bad duration {v}: expected {DUR_EXPECTED}"
                    )));
                }
                Ok(Dur(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dur, E> {
                if let Some(m) = missing_unit(v) {
                    return Err(E::custom(m));
                }
                parse_duration(v).map(Dur).ok_or_else(|| {
                    E::custom(format!("bad duration \"{v}\": expected {DUR_EXPECTED}"))
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A distribution of durations, tagged by `dist`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawDist {
    /// Exponential with a mean.
    Exponential {
        /// Mean.
        mean: Dur,
    },
    /// Lognormal by its own mean and standard deviation.
    Lognormal {
        /// Mean.
        mean: Dur,
        /// Standard deviation.
        sd: f64orDur,
    },
    /// Gamma by mean and standard deviation.
    Gamma {
        /// Mean.
        mean: Dur,
        /// Standard deviation.
        sd: f64orDur,
    },
    /// Weibull by shape and scale.
    Weibull {
        /// Shape (> 0).
        shape: f64,
        /// Scale.
        scale: Dur,
    },
    /// Uniform between min and max.
    Uniform {
        /// Lower bound.
        min: Dur,
        /// Upper bound.
        max: Dur,
    },
    /// Always the same value.
    Deterministic {
        /// The value.
        value: Dur,
    },
    /// Samples from a CSV column (values in seconds or with units).
    Empirical {
        /// CSV file, relative to the scenario file.
        file: String,
        /// Column name (default: the first column).
        #[serde(default)]
        column: Option<String>,
    },
}

/// A standard deviation: like a duration, but a negative number is kept so
/// that validation can say "negative sd" with the key's line.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct f64orDur(pub f64);

impl<'de> Deserialize<'de> for f64orDur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = f64orDur;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a standard deviation: a duration such as \"30s\" or a number of seconds, >= 0",
                )
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<f64orDur, E> {
                if v < 0 {
                    return Err(E::custom(format!(
                        "negative sd {v}: expected a standard deviation >= 0"
                    )));
                }
                Ok(f64orDur(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<f64orDur, E> {
                Ok(f64orDur(v as f64))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<f64orDur, E> {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(E::custom(format!(
                        "negative or non-finite sd {v}: expected a standard deviation >= 0"
                    )));
                }
                Ok(f64orDur(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<f64orDur, E> {
                let t = v.trim();
                if t.starts_with('-') {
                    return Err(E::custom(format!(
                        "negative sd \"{v}\": expected a standard deviation >= 0"
                    )));
                }
                if let Some(m) = missing_unit(v) {
                    return Err(E::custom(m));
                }
                parse_duration(t)
                    .map(f64orDur)
                    .ok_or_else(|| E::custom(format!("bad sd \"{v}\": expected {DUR_EXPECTED}")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A distribution of counts (>= 1), tagged by `dist`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawCount {
    /// Geometric on 1, 2, … with this mean (>= 1).
    Geometric {
        /// Mean (>= 1).
        mean: f64,
    },
    /// 1 + Poisson(mean − 1): Poisson shifted to be >= 1, with this mean.
    Poisson {
        /// Mean (>= 1).
        mean: f64,
    },
    /// Always this count.
    Deterministic {
        /// The count (>= 1).
        value: i64,
    },
    /// Uniform on the integers min..=max.
    Uniform {
        /// Lower bound (>= 1).
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// Samples from a CSV column of counts.
    Empirical {
        /// CSV file, relative to the scenario file.
        file: String,
        /// Column name (default: the first column).
        #[serde(default)]
        column: Option<String>,
    },
}

/// The whole scenario file.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// `[simulation]`.
    #[serde(default)]
    pub simulation: RawSimulation,
    /// `[[skill]]` entries.
    #[serde(default)]
    pub skill: Vec<Spanned<RawSkill>>,
    /// `[[agents]]` entries.
    #[serde(default)]
    pub agents: Vec<Spanned<RawAgents>>,
    /// `[routing]`.
    #[serde(default)]
    pub routing: Option<Spanned<RawRouting>>,
    /// `[[variant]]` entries.
    #[serde(default)]
    pub variant: Vec<Spanned<RawVariant>>,
}

/// `[simulation]`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    /// Name; output goes to output/<name>/.
    pub name: Option<Spanned<String>>,
    /// Measured time after the warm-up.
    pub horizon: Option<Spanned<Dur>>,
    /// Simulated, then discarded.
    pub warmup: Option<Spanned<Dur>>,
    /// Independent replications.
    pub replications: Option<Spanned<i64>>,
    /// Base seed.
    pub seed: Option<Spanned<i64>>,
    /// Report interval.
    pub interval: Option<Spanned<Dur>>,
}

/// `arrivals = {...}`: exactly one of rate, profile, trace.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawArrivals {
    /// Poisson rate, per `per`.
    pub rate: Option<f64>,
    /// Volumes per interval of length `per`, repeating.
    pub profile: Option<Vec<f64>>,
    /// The unit of `rate`, or the length of one profile entry.
    pub per: Option<Dur>,
    /// CSV file of arrival times to replay.
    pub trace: Option<String>,
    /// Column of the trace file (default: the first).
    pub column: Option<String>,
    /// Coefficient of variation of each day's volume around the profile
    /// (gamma-mixed Poisson); default 0.
    pub day_cv: Option<f64>,
}

/// `returns = { probability, after }` (and `retry`, of the same shape).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawReturns {
    /// Probability that the consumer comes back (after a solve or close;
    /// for `retry`, after abandoning).
    pub probability: f64,
    /// Time until the consumer comes back.
    pub after: RawDist,
}

/// `transfer = { probability, to }`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawTransfer {
    /// Probability at each agent reply that the agent transfers the conversation.
    pub probability: f64,
    /// Target skill name.
    pub to: Option<String>,
    /// Target agent group name (instead of a skill).
    pub to_group: Option<String>,
}

/// One `[[skill]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSkill {
    /// Unique name.
    pub name: Spanned<String>,
    /// `live_chat` | `messaging`.
    pub channel: Option<Spanned<Channel>>,
    /// `live_chat` | `live_chat_returning` | `social_messaging`.
    pub style: Option<Spanned<Style>>,
    /// Arrival process.
    pub arrivals: Spanned<RawArrivals>,
    /// Patience in queue; absent: never abandons.
    pub patience: Option<Spanned<RawDist>>,
    /// Patience at every re-queue (return to queue, transfer); default the
    /// patience for live chat, none (keeps its place) for messaging.
    pub requeue_patience: Option<Spanned<RawDist>>,
    /// Consumer messages per conversation.
    pub exchanges: Option<Spanned<RawCount>>,
    /// Consumer reply time.
    pub consumer_reply: Option<Spanned<RawDist>>,
    /// Agent effort per reply.
    pub agent_reply: Option<Spanned<RawDist>>,
    /// Response SLA per consumer message.
    pub response_sla: Option<Spanned<Dur>>,
    /// Service-level target for queue time and first response.
    pub service_level: Option<Spanned<Dur>>,
    /// Target of `first_response_sl` (default `service_level`).
    pub first_response_target: Option<Spanned<Dur>>,
    /// Consumer idle time after which an awaiting-consumer conversation is closed.
    pub auto_close: Option<Spanned<Dur>>,
    /// live_chat_returning: Solved → Closed after this.
    pub reopen_window: Option<Spanned<Dur>>,
    /// social_messaging: Solved → Closed after this (<= 28d).
    pub solved_to_closed: Option<Spanned<Dur>>,
    /// social_messaging: park this long after a reply that awaits the consumer.
    pub park_after: Option<Spanned<Dur>>,
    /// Queue priority (higher first).
    pub priority: Option<Spanned<i64>>,
    /// Whether consumers can close conversations themselves.
    pub consumer_can_close: Option<bool>,
    /// Probability that the consumer closes after the agent's last reply.
    pub consumer_close_probability: Option<Spanned<f64>>,
    /// Probability that the manual SLA is set on a conversation (exempt from auto-close).
    pub manual_sla_probability: Option<Spanned<f64>>,
    /// Probability that the agent resumes a closed conversation.
    pub resume_probability: Option<Spanned<f64>>,
    /// Probability at a reply awaiting the consumer that the agent returns the conversation to the queue.
    pub return_probability: Option<Spanned<f64>>,
    /// Consumer returns.
    pub returns: Option<Spanned<RawReturns>>,
    /// Consumers who abandoned starting a new conversation later.
    pub retry: Option<Spanned<RawReturns>>,
    /// Transfers.
    pub transfer: Option<Spanned<RawTransfer>>,
}

/// A skill reference in an agent group: a name, or a name with a priority.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum RawSkillRef {
    /// Just the name.
    Name(String),
    /// Name and priority.
    WithPriority {
        /// Skill name.
        name: String,
        /// This group's priority for the skill (higher first).
        priority: Option<i64>,
    },
}

/// `capacity = {...}`.
#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct RawCapacity {
    /// Max concurrent live-chat conversations.
    pub live_chat: Option<i64>,
    /// Max concurrent messaging conversations.
    pub messaging: Option<i64>,
    /// Max concurrent conversations in total.
    pub total: Option<i64>,
}

/// One shift.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawShift {
    /// Days: `"Mon-Fri"`, `"Sat,Sun"`, `"daily"`.
    pub days: String,
    /// Start time of day, `"HH:MM"`.
    pub start: String,
    /// End time of day, `"HH:MM"` (may pass midnight).
    pub end: String,
    /// two_login: the login (channel) of this shift.
    pub login: Option<Channel>,
}

/// One break.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawBreak {
    /// Time after the shift start.
    pub after: Dur,
    /// Duration of the break (state away).
    pub duration: Dur,
    /// Spread of the agents' break starts: agent i of n starts at after + stagger·i/n.
    pub stagger: Option<Dur>,
    /// The status during the break: `away` (default) or `back_soon`.
    pub state: Option<BreakState>,
}

/// The agent status during a break.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BreakState {
    /// `away`.
    Away,
    /// `back_soon`.
    BackSoon,
}

/// One `[[agents]]` group.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawAgents {
    /// Unique name.
    pub name: Spanned<String>,
    /// Number of agents, or agents logged in per interval.
    pub count: Option<Spanned<RawHeadCount>>,
    /// `dedicated` | `two_login` | `blended`.
    pub mode: Option<Spanned<Mode>>,
    /// Skills.
    pub skills: Spanned<Vec<RawSkillRef>>,
    /// Capacity.
    pub capacity: Option<Spanned<RawCapacity>>,
    /// Shifts; absent: always on.
    pub shifts: Option<Spanned<Vec<RawShift>>>,
    /// Breaks.
    pub breaks: Option<Spanned<Vec<RawBreak>>>,
    /// `return_to_queue` | `keep`.
    pub logout: Option<Spanned<LogoutPolicy>>,
    /// Extra time when the agent switches from one conversation to another.
    pub switch_overhead: Option<Spanned<Dur>>,
    /// No new assignments this long before each logout (shift end, count-profile drop).
    pub wind_down: Option<Spanned<Dur>>,
}

/// A group's `count`: a whole number of agents, or a count profile.
#[derive(Debug, Clone)]
pub enum RawHeadCount {
    /// `count = 12`: always this many (within the shifts).
    Fixed(i64),
    /// `count = { profile = [..], per = "30m" }`: agents logged in per interval.
    Profile(RawCountProfile),
}

/// `count = { profile = [2, 3, 5], per = "30m" }`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawCountProfile {
    /// Agents logged in during each interval, repeating.
    pub profile: Vec<i64>,
    /// The length of each interval.
    pub per: Option<Dur>,
}

impl<'de> Deserialize<'de> for RawHeadCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawHeadCount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a whole number of agents, or a count profile such as { profile = [2, 3, 5], per = \"30m\" }",
                )
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawHeadCount, E> {
                Ok(RawHeadCount::Fixed(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawHeadCount, E> {
                Ok(RawHeadCount::Fixed(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                m: A,
            ) -> Result<RawHeadCount, A::Error> {
                RawCountProfile::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(RawHeadCount::Profile)
            }
        }
        d.deserialize_any(V)
    }
}

/// `[routing]`.
#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct RawRouting {
    /// `auto` | `ring`.
    pub accept: Option<Spanned<Accept>>,
    /// Ring time before the next agent is tried.
    pub ring_timeout: Option<Spanned<Dur>>,
    /// Time to accept a ringing conversation.
    pub accept_delay: Option<Spanned<RawDist>>,
    /// Probability an agent ignores a ring.
    pub ignore_probability: Option<Spanned<f64>>,
    /// `most_available` | `longest_idle` | `round_robin`.
    pub agent_selection: Option<Spanned<Selection>>,
    /// Warm-up after login.
    pub ramp_up: Option<Spanned<RawRampUp>>,
    /// How long a returning conversation waits for its previous agent.
    pub sticky: Option<Spanned<Dur>>,
}

/// `ramp_up = { first, interval }`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawRampUp {
    /// Number of first assignments that are spaced.
    pub first: i64,
    /// Spacing.
    pub interval: Dur,
}

/// One `[[variant]]` for `ccsim compare`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    /// Name.
    pub name: Spanned<String>,
    /// Replacement agent groups.
    pub agents: Option<Vec<Spanned<RawAgents>>>,
    /// Replacement routing.
    pub routing: Option<Spanned<RawRouting>>,
}

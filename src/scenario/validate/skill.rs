//! `[[skill]]` entries: channel and style, arrivals, the conversation's
//! distributions and probabilities, returns and transfers.

use super::super::load::resolve_path;
use super::super::schema::{RawArrivals, RawReturns, RawScenario, RawSkill, RawTransfer};
use super::super::{
    Arrivals, Channel, CountDist, Dist, Returns, Skill, Style, Transfer, TransferTarget,
};
use super::{Ctx, MAX_SOLVED_TO_CLOSED, dists, dur_or, names};
use crate::engine::time::{DAY, WEEK};
use toml::Spanned;

/// The skills of a scenario: their names (in file order) and each one
/// resolved, `None` where it had errors (positions stay aligned with the
/// file so groups look up the right skill).
pub(super) struct Skills {
    pub names: Vec<String>,
    pub resolved: Vec<Option<Skill>>,
}

impl Skills {
    /// The resolved skill at index `i`, if it had no errors.
    pub fn get(&self, i: usize) -> Option<&Skill> {
        self.resolved.get(i).and_then(Option::as_ref)
    }
}

/// Every `[[skill]]`: names first, so transfers can refer to any of them.
pub(super) fn skills(cx: &mut Ctx, raw: &RawScenario) -> Skills {
    let mut names: Vec<String> = Vec::new();
    for s in &raw.skill {
        let n = s.get_ref().name.get_ref().clone();
        names::skill_name(cx, &s.get_ref().name);
        if names.contains(&n) {
            cx.err(
                &s.get_ref().name,
                "skill.name",
                format!("duplicate skill name `{n}`"),
            );
        }
        names.push(n);
    }
    if raw.skill.is_empty() {
        cx.err_at(
            None,
            "skill",
            "the scenario has no [[skill]]: expected at least one",
        );
    }
    let group_names: Vec<String> = raw
        .agents
        .iter()
        .map(|g| g.get_ref().name.get_ref().clone())
        .collect();
    let channels: Vec<Channel> = raw
        .skill
        .iter()
        .map(|s| {
            s.get_ref()
                .channel
                .as_ref()
                .map_or(Channel::LiveChat, |c| *c.get_ref())
        })
        .collect();
    let others = Others {
        skills: &names,
        groups: &group_names,
        channels: &channels,
    };
    let resolved = raw
        .skill
        .iter()
        .map(|s| skill(cx, s.get_ref(), &others))
        .collect();
    Skills { names, resolved }
}

/// What a skill's transfer may name.
struct Others<'a> {
    skills: &'a [String],
    groups: &'a [String],
    channels: &'a [Channel],
}

fn skill(cx: &mut Ctx, s: &RawSkill, others: &Others) -> Option<Skill> {
    let name = s.name.get_ref().clone();
    let k = |key: &str| format!("skill.{name}.{key}");
    let channel = s
        .channel
        .as_ref()
        .map_or(Channel::LiveChat, |c| *c.get_ref());
    let style = match &s.style {
        None if channel == Channel::LiveChat => Style::LiveChat,
        None => Style::SocialMessaging,
        Some(st) => *st.get_ref(),
    };
    if let Some(st) = &s.style
        && channel == Channel::LiveChat
        && style != Style::LiveChat
    {
        cx.err(st, &k("style"), "the live_chat channel only has the live_chat style (conversational styles are for messaging)");
    }

    let arrivals = arrivals(cx, &s.arrivals, &k("arrivals"));
    let day_cv = day_cv(cx, &s.arrivals, &k("arrivals.day_cv"));
    let patience = s.patience.as_ref().and_then(|d| cx.dist(d, &k("patience")));
    let requeue_patience = s
        .requeue_patience
        .as_ref()
        .and_then(|d| cx.dist(d, &k("requeue_patience")));
    let exchanges = match &s.exchanges {
        None => Some(CountDist::Deterministic { value: 1 }),
        Some(d) => cx.count(d, &k("exchanges")),
    };
    let default_reply = if channel == Channel::LiveChat {
        45.0
    } else {
        600.0
    };
    let consumer_reply = match &s.consumer_reply {
        None => Some(Dist::Exponential {
            mean: default_reply,
        }),
        Some(d) => cx.dist(d, &k("consumer_reply")),
    };
    let agent_reply = match &s.agent_reply {
        None => Some(Dist::Exponential { mean: 30.0 }),
        Some(d) => cx.dist(d, &k("agent_reply")),
    };
    let (sla_default, sl_default) = if channel == Channel::LiveChat {
        (60.0, 30.0)
    } else {
        (3600.0, 300.0)
    };
    let response_sla = cx.positive_dur(&s.response_sla, &k("response_sla"), sla_default);
    let service_level = dur_or(&s.service_level, sl_default);
    let first_response_target = dur_or(&s.first_response_target, service_level);
    let auto_close = match &s.auto_close {
        None => None,
        Some(a) if a.get_ref().0 > 0.0 => Some(a.get_ref().0),
        Some(a) => {
            cx.err(
                a,
                &k("auto_close"),
                "must be longer than 0 (omit the key to never auto-close)",
            );
            None
        }
    };
    let reopen_window = dur_or(&s.reopen_window, 3600.0);
    let solved_to_closed = dur_or(&s.solved_to_closed, 4.0 * 86_400.0);
    if let Some(st) = &s.solved_to_closed
        && st.get_ref().0 > MAX_SOLVED_TO_CLOSED
    {
        cx.err(
            st,
            &k("solved_to_closed"),
            format!(
                "{}d is more than the 28 days allowed between solved and closed",
                st.get_ref().0 / 86_400.0
            ),
        );
    }
    let park_after = dur_or(&s.park_after, 0.0);
    let priority = s.priority.as_ref().map_or(0, |p| *p.get_ref());
    let consumer_can_close = s.consumer_can_close.unwrap_or(true);
    let consumer_close_probability = cx.probability(
        &s.consumer_close_probability,
        &k("consumer_close_probability"),
    );
    if let Some(p) = &s.consumer_close_probability
        && !consumer_can_close
        && consumer_close_probability > 0.0
    {
        cx.err(
            p,
            &k("consumer_close_probability"),
            "consumers of this skill cannot close (consumer_can_close = false)",
        );
    }
    let manual_sla_probability =
        cx.probability(&s.manual_sla_probability, &k("manual_sla_probability"));
    let resume_probability = cx.probability(&s.resume_probability, &k("resume_probability"));
    let return_probability = cx.probability(&s.return_probability, &k("return_probability"));
    let retry = s.retry.as_ref().and_then(|r| returns(cx, r, &k("retry")));
    if let (Some(raw), None, None) = (&s.retry, &s.patience, &s.requeue_patience) {
        cx.warn(
            raw,
            &k("retry"),
            "the skill has no `patience` (nor `requeue_patience`): its consumers never abandon, so they never retry",
        );
    }
    let returns = s
        .returns
        .as_ref()
        .and_then(|r| returns(cx, r, &k("returns")));
    if let (Some(r), Some(raw)) = (&retry, &s.retry)
        && r.probability >= 1.0
        && r.after.mean() == 0.0
    {
        cx.err(
            raw,
            &k("retry"),
            "every consumer who abandons retries (probability 1) after no time: with a zero patience that repeats at one instant without end; lower the probability or give `after` a positive duration",
        );
    }
    let transfer = s
        .transfer
        .as_ref()
        .and_then(|t| transfer(cx, t, &k("transfer"), channel, others));
    if let Some(effort) = &agent_reply {
        no_loop_at_one_instant(cx, s, effort, &returns, &transfer, others);
    }
    Some(Skill {
        name,
        channel,
        style,
        arrivals: arrivals?,
        patience,
        requeue_patience,
        day_cv: day_cv?,
        exchanges: exchanges?,
        consumer_reply: consumer_reply?,
        agent_reply: agent_reply?,
        response_sla,
        service_level,
        first_response_target,
        auto_close,
        reopen_window,
        solved_to_closed,
        park_after,
        priority,
        consumer_can_close,
        consumer_close_probability,
        manual_sla_probability,
        resume_probability,
        return_probability,
        returns,
        retry,
        transfer,
    })
}

/// `arrivals.day_cv`: a coefficient of variation from 0 (no day-to-day
/// variance beyond Poisson) to 10, not with a trace (replayed as given).
fn day_cv(cx: &mut Ctx, a: &Spanned<RawArrivals>, key: &str) -> Option<f64> {
    let r = a.get_ref();
    let Some(cv) = r.day_cv else {
        return Some(0.0);
    };
    if !(0.0..=10.0).contains(&cv) {
        cx.err(
            a,
            key,
            format!("{cv} is not a coefficient of variation from 0 to 10 (e.g. 0.15: a day's volume varies by about 15% around the profile)"),
        );
        return None;
    }
    if r.trace.is_some() && cv > 0.0 {
        cx.err(
            a,
            key,
            "`day_cv` does not go with `trace` (a trace is replayed as recorded)",
        );
        return None;
    }
    Some(cv)
}

/// Refuses what would repeat for ever without simulated time moving: with
/// zero agent effort, a transfer to the skill itself comes straight back to
/// the same queue, and a certain return after zero delay comes straight
/// back as a new conversation.
fn no_loop_at_one_instant(
    cx: &mut Ctx,
    s: &RawSkill,
    effort: &Dist,
    returns: &Option<Returns>,
    transfer: &Option<Transfer>,
    others: &Others,
) {
    if effort.mean() > 0.0 {
        return;
    }
    let name = s.name.get_ref();
    let me = others.skills.iter().position(|n| n == name);
    if let (Some(t), Some(raw)) = (transfer, &s.transfer)
        && matches!(t.to, TransferTarget::Skill(i) if Some(i) == me)
        && t.probability > 0.0
    {
        cx.err(
            raw,
            &format!("skill.{name}.transfer.to"),
            "a transfer to the skill itself with zero agent effort (agent_reply always 0) goes round at one instant without end: give agent_reply a positive duration, or transfer to another skill",
        );
    }
    if let (Some(r), Some(raw)) = (returns, &s.returns)
        && r.probability >= 1.0
        && r.after.mean() == 0.0
    {
        cx.err(
            raw,
            &format!("skill.{name}.returns"),
            "every conversation returns (probability 1) after no time with zero agent effort: it comes back at the same instant without end; lower the probability or give `after` or agent_reply a positive duration",
        );
    }
}

fn returns(cx: &mut Ctx, r: &Spanned<RawReturns>, key: &str) -> Option<Returns> {
    let rr = r.get_ref();
    if !(0.0..=1.0).contains(&rr.probability) {
        cx.err(
            r,
            &format!("{key}.probability"),
            format!("{} is not a probability: expected 0 to 1", rr.probability),
        );
        return None;
    }
    match dists::resolve_dist(&rr.after, cx.base) {
        Ok(after) => Some(Returns {
            probability: rr.probability,
            after,
        }),
        Err(m) => {
            cx.err(r, &format!("{key}.after"), m);
            None
        }
    }
}

fn transfer(
    cx: &mut Ctx,
    t: &Spanned<RawTransfer>,
    key: &str,
    channel: Channel,
    others: &Others,
) -> Option<Transfer> {
    let tr = t.get_ref();
    if !(0.0..=1.0).contains(&tr.probability) {
        cx.err(
            t,
            &format!("{key}.probability"),
            format!("{} is not a probability: expected 0 to 1", tr.probability),
        );
        return None;
    }
    let to = match (&tr.to, &tr.to_group) {
        (Some(sk), None) => match others.skills.iter().position(|n| n == sk) {
            Some(i) => TransferTarget::Skill(i),
            None => {
                cx.err(
                    t,
                    &format!("{key}.to"),
                    format!(
                        "unknown skill `{sk}` (skills: {})",
                        others.skills.join(", ")
                    ),
                );
                return None;
            }
        },
        (None, Some(g)) => match others.groups.iter().position(|n| n == g) {
            Some(i) => TransferTarget::Group(i),
            None => {
                cx.err(
                    t,
                    &format!("{key}.to_group"),
                    format!(
                        "unknown agent group `{g}` (groups: {})",
                        others.groups.join(", ")
                    ),
                );
                return None;
            }
        },
        _ => {
            cx.err(
                t,
                key,
                "expected exactly one of `to` (a skill) or `to_group` (an agent group)",
            );
            return None;
        }
    };
    if let TransferTarget::Skill(i) = to
        && others.channels[i] != channel
    {
        cx.err(
            t,
            &format!("{key}.to"),
            "a transfer stays in its channel: the target skill has another channel",
        );
        return None;
    }
    Some(Transfer {
        probability: tr.probability,
        to,
    })
}

fn arrivals(cx: &mut Ctx, a: &Spanned<RawArrivals>, key: &str) -> Option<Arrivals> {
    let r = a.get_ref();
    let given = r.rate.is_some() as u8 + r.profile.is_some() as u8 + r.trace.is_some() as u8;
    if given != 1 {
        cx.err(a, key, "expected exactly one of `rate` (Poisson), `profile` (volumes per interval) or `trace` (a CSV file of arrival times)");
        return None;
    }
    if r.trace.is_none() && r.column.is_some() {
        cx.err(
            a,
            &format!("{key}.column"),
            "`column` only goes with `trace`",
        );
    }
    if let Some(per) = r.per
        && per.0 <= 0.0
    {
        cx.err(a, &format!("{key}.per"), "must be longer than 0");
        return None;
    }
    if let Some(rate) = r.rate {
        if !(rate > 0.0 && rate.is_finite()) {
            cx.err(
                a,
                &format!("{key}.rate"),
                format!(
                    "rate {rate} must be greater than 0 (arrivals per `per`, default per hour)"
                ),
            );
            return None;
        }
        let per = r.per.map_or(3600.0, |p| p.0);
        return Some(Arrivals::Poisson { rate: rate / per });
    }
    if let Some(profile) = &r.profile {
        return profile_arrivals(cx, a, profile, key);
    }
    let file = r.trace.as_ref()?;
    if r.per.is_some() {
        cx.err(a, &format!("{key}.per"), "`per` does not go with `trace`");
    }
    let path = resolve_path(cx.base, file);
    let column = r.column.as_deref();
    let times = match cx.traces {
        Some(traces) => traces.times(&path, column),
        None => dists::sorted_times(&path, column).map(std::sync::Arc::new),
    };
    match times {
        Ok(times) => Some(Arrivals::Trace {
            file: file.clone(),
            times,
        }),
        Err(m) => {
            cx.err(a, &format!("{key}.trace"), format!("trace file: {m}"));
            None
        }
    }
}

fn profile_arrivals(
    cx: &mut Ctx,
    a: &Spanned<RawArrivals>,
    profile: &[f64],
    key: &str,
) -> Option<Arrivals> {
    if profile.is_empty() {
        cx.err(
            a,
            &format!("{key}.profile"),
            "the profile is empty: expected a list of volumes per interval, e.g. [40, 55, 70]",
        );
        return None;
    }
    if let Some(v) = profile.iter().find(|v| !(**v >= 0.0 && v.is_finite())) {
        cx.err(
            a,
            &format!("{key}.profile"),
            format!("volume {v} must be >= 0"),
        );
        return None;
    }
    if profile.iter().all(|v| *v == 0.0) {
        cx.err(
            a,
            &format!("{key}.profile"),
            "every volume is 0: expected at least one positive volume",
        );
        return None;
    }
    let Some(per) = a.get_ref().per.map(|p| p.0) else {
        cx.err(
            a,
            &format!("{key}.per"),
            "a profile needs `per`, the length of each entry (e.g. per = \"1h\"): without it the volumes would be read per report interval, and changing `interval` would change the demand",
        );
        return None;
    };
    let span = profile.len() as f64 * per;
    if ![DAY, WEEK].iter().any(|p| (span - p).abs() < 1e-6) {
        cx.warn(
            a,
            &format!("{key}.profile"),
            format!(
                "{} entries of {per}s cover {}h, not a day (24h) or a week (168h): the profile repeats out of step with the calendar",
                profile.len(),
                span / 3600.0
            ),
        );
    }
    Some(Arrivals::Profile {
        rates: profile.iter().map(|v| v / per).collect(),
        per,
    })
}

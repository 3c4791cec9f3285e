//! Warnings: setups that run but cannot work as the user meant, found by
//! looking across the parts of a valid scenario (`ccsim check` prints them,
//! and so do `run`, `compare` and `sweep`).
//!
//! - a skill no group has (its conversations are unroutable);
//! - a skill whose groups have no agents, or are off shift when part of its
//!   demand arrives (the share is given);
//! - ring mode where `accept_delay` is never shorter than `ring_timeout`;
//! - `logout = "keep"` on live-chat logins;
//! - `park_after` on a style that never parks;
//! - a `total` capacity below a channel's capacity;
//! - an all-skills service level that mixes different targets.

use super::super::schema::{RawAgents, RawRouting, RawScenario};
use super::super::{
    Accept, Arrivals, Channel, Group, LogoutPolicy, Mode, Routing, Scenario, Style,
};
use super::Ctx;
use crate::engine::time::WEEK;
use toml::Spanned;

/// The smallest share of a skill's demand arriving unstaffed that is
/// reported.
const UNSTAFFED_SHARE: f64 = 0.001;

/// Every warning about the resolved `scn` (read from `raw`, for lines).
pub(super) fn warnings(cx: &mut Ctx, raw: &RawScenario, scn: &Scenario) {
    unroutable(cx, raw, scn);
    unstaffed(cx, raw, scn);
    skill_settings(cx, raw, scn);
    let base = raw.routing.as_ref();
    routing(cx, base, &scn.routing, "routing");
    groups(cx, &raw.agents, &scn.groups, scn, "agents");
    for (rv, v) in raw.variant.iter().zip(&scn.variants) {
        let prefix = format!("variant.{}", v.name);
        if let Some(r) = &rv.get_ref().routing {
            routing(cx, Some(r), &v.routing, &format!("{prefix}.routing"));
        }
        if let Some(a) = &rv.get_ref().agents {
            groups(cx, a, &v.groups, scn, &format!("{prefix}.agents"));
        }
    }
}

/// A skill that no agent group has: its conversations are unroutable
/// (reported per run as well).
fn unroutable(cx: &mut Ctx, raw: &RawScenario, scn: &Scenario) {
    for (i, s) in scn.skills.iter().enumerate() {
        if !scn
            .groups
            .iter()
            .any(|g| g.skills.iter().any(|&(k, _)| k == i))
        {
            let n = &s.name;
            cx.warn(
                &raw.skill[i],
                &format!("skill.{n}"),
                format!("no agent group has skill `{n}`: its conversations are unroutable"),
            );
        }
    }
}

/// Whether group `g` has agents logged in for `channel` at time `t` (on
/// shift, and its count profile above 0 then).
fn on_shift(g: &Group, channel: Channel, t: f64) -> bool {
    g.count > 0
        && g.count_profile.as_ref().is_none_or(|p| p.at(t) > 0)
        && (g.shifts.is_empty()
            || g.shifts.iter().any(|sh| {
                (t - sh.start).rem_euclid(WEEK) < sh.length && sh.login.is_none_or(|l| l == channel)
            }))
}

/// A skill whose groups have no agents, or are off shift when some of its
/// demand arrives (over the measured time).
fn unstaffed(cx: &mut Ctx, raw: &RawScenario, scn: &Scenario) {
    for (i, s) in scn.skills.iter().enumerate() {
        let serving: Vec<&Group> = scn
            .groups
            .iter()
            .filter(|g| g.skills.iter().any(|&(k, _)| k == i))
            .collect();
        if serving.is_empty() {
            continue; // unroutable, said above
        }
        let names: Vec<&str> = serving.iter().map(|g| g.name.as_str()).collect();
        let key = format!("skill.{}", s.name);
        if serving.iter().all(|g| g.count == 0) {
            cx.warn(
                &raw.skill[i],
                &key,
                format!(
                    "the groups that serve it ({}) have no agents (count 0): none of its demand is answered",
                    names.join(", ")
                ),
            );
            continue;
        }
        let staffed = |t: f64| serving.iter().any(|g| on_shift(g, s.channel, t));
        let share = unstaffed_share(&s.arrivals, scn.warmup, scn.end(), staffed);
        if share >= UNSTAFFED_SHARE {
            cx.warn(
                &raw.skill[i],
                &key,
                format!(
                    "{:.1}% of its demand arrives when none of its groups ({}) is on shift: it waits for the next shift (or abandons)",
                    share * 100.0,
                    names.join(", ")
                ),
            );
        }
    }
}

/// The share of the arrivals in `[from, to)` that come when `staffed` is
/// false: the trace's own times, or the arrival rate integrated on a grid
/// of at most 100,000 steps (one minute or longer).
fn unstaffed_share(a: &Arrivals, from: f64, to: f64, staffed: impl Fn(f64) -> bool) -> f64 {
    let (mut all, mut alone) = (0.0, 0.0);
    if let Arrivals::Trace { times, .. } = a {
        for &t in times.iter().filter(|&&t| t >= from && t < to) {
            all += 1.0;
            if !staffed(t) {
                alone += 1.0;
            }
        }
    } else {
        let step = ((to - from) / 100_000.0).max(60.0);
        let steps = ((to - from) / step).ceil().max(1.0) as u64;
        // Counted in steps, not by adding to t: far from time 0 a small
        // step could be lost in rounding and the loop never end.
        for i in 0..steps {
            let t = from + (i as f64 + 0.5) * step;
            let rate = match a {
                Arrivals::Poisson { rate } => *rate,
                Arrivals::Profile { rates, per } => {
                    rates[((t / per).floor() as usize) % rates.len()]
                }
                Arrivals::Trace { .. } => 0.0,
            };
            all += rate;
            if !staffed(t) {
                alone += rate;
            }
        }
    }
    if all > 0.0 { alone / all } else { 0.0 }
}

/// Skill settings that do nothing or mean something else than they seem.
fn skill_settings(cx: &mut Ctx, raw: &RawScenario, scn: &Scenario) {
    for (rs, s) in raw.skill.iter().zip(&scn.skills) {
        if let Some(p) = &rs.get_ref().park_after
            && s.style != Style::SocialMessaging
        {
            cx.warn(
                p,
                &format!("skill.{}.park_after", s.name),
                "only the social_messaging style parks conversations: park_after does nothing here",
            );
        }
    }
    let first = &scn.skills[0];
    if let Some((rs, s)) = raw
        .skill
        .iter()
        .zip(&scn.skills)
        .find(|(_, s)| s.service_level != first.service_level)
    {
        cx.warn(
            rs,
            &format!("skill.{}.service_level", s.name),
            format!(
                "the skills have different service-level targets (`{}` {}s, `{}` {}s): the all-skills service_level is the share answered within each skill's own target",
                first.name, first.service_level, s.name, s.service_level
            ),
        );
    }
}

/// Ring mode where no ring can ever be accepted.
fn routing(cx: &mut Ctx, raw: Option<&Spanned<RawRouting>>, r: &Routing, prefix: &str) {
    if r.accept == Accept::Ring && r.accept_delay.min() >= r.ring_timeout {
        let at = raw.and_then(|x| x.get_ref().accept_delay.as_ref().map(|d| d.span().start));
        cx.warn_at(
            at.or_else(|| raw.map(|x| x.span().start)),
            &format!("{prefix}.accept_delay"),
            format!(
                "accept_delay is never shorter than ring_timeout ({}s): no ring is ever accepted, so no conversation is assigned",
                r.ring_timeout
            ),
        );
    }
}

/// Group settings that strand conversations or do nothing.
fn groups(
    cx: &mut Ctx,
    raw: &[Spanned<RawAgents>],
    groups: &[Group],
    scn: &Scenario,
    prefix: &str,
) {
    for (rg, g) in raw.iter().zip(groups) {
        let k = |key: &str| format!("{prefix}.{}.{key}", g.name);
        let serves = |c: Channel| {
            g.skills
                .iter()
                .any(|&(i, _)| scn.skills.get(i).is_some_and(|s| s.channel == c))
        };
        let live_logins = serves(Channel::LiveChat)
            && (g.mode != Mode::TwoLogin
                || g.shifts.iter().any(|s| s.login == Some(Channel::LiveChat)));
        if g.logout == LogoutPolicy::Keep
            && live_logins
            && let Some(l) = &rg.get_ref().logout
        {
            cx.warn(
                l,
                &k("logout"),
                "`keep` on live-chat logins: a live chat open at the end of a shift stays with its logged-out agent, unanswered, until the next login (hours); use return_to_queue",
            );
        }
        for (c, ch) in [(0, "live_chat"), (1, "messaging")] {
            let channel = if c == 0 {
                Channel::LiveChat
            } else {
                Channel::Messaging
            };
            if serves(channel) && g.capacity_total < g.capacity[c] {
                cx.warn_at(
                    rg.get_ref()
                        .capacity
                        .as_ref()
                        .map(|x| x.span().start)
                        .or(Some(rg.span().start)),
                    &k("capacity.total"),
                    format!(
                        "total {} is below the {ch} capacity {}: an agent never has more than {} open",
                        g.capacity_total, g.capacity[c], g.capacity_total
                    ),
                );
            }
        }
    }
}

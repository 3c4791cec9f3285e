//! `[[agents]]` groups (also a variant's replacement groups): head-count
//! (a number, or a count profile per interval), mode, the skills they serve with their priorities, capacity, and their
//! shifts and breaks ([`super::time`]).

use super::super::schema::{RawAgents, RawCapacity, RawHeadCount, RawSkillRef};
use super::super::{Channel, CountProfile, Group, LogoutPolicy, Mode};
use super::skill::Skills;
use super::{Ctx, dur_or, names, time};
use crate::engine::time::{DAY, WEEK};
use std::collections::HashSet;
use toml::Spanned;

/// The groups of `raw`, whose keys start with `prefix` (`agents`, or
/// `variant.NAME.agents`).
pub(super) fn groups(
    cx: &mut Ctx,
    raw: &[Spanned<RawAgents>],
    skills: &Skills,
    prefix: &str,
) -> Vec<Group> {
    let mut seen = HashSet::new();
    raw.iter()
        .map(|g| {
            let name = g.get_ref().name.get_ref().clone();
            if !names::group_name(cx, &g.get_ref().name, prefix) || !seen.insert(name.clone()) {
                cx.err(
                    &g.get_ref().name,
                    &format!("{prefix}.name"),
                    format!(
                        "agent group name `{name}` must be unique, non-empty and contain no '.'"
                    ),
                );
            }
            group(cx, g, skills, &format!("{prefix}.{name}"))
        })
        .collect()
}

fn group(cx: &mut Ctx, g: &Spanned<RawAgents>, skills: &Skills, prefix: &str) -> Group {
    let gr = g.get_ref();
    let k = |key: &str| format!("{prefix}.{key}");
    let (count, count_profile) = head_count(cx, g, &k);
    let mode = gr.mode.as_ref().map_or(Mode::Dedicated, |m| *m.get_ref());
    let gskills = skill_refs(cx, gr, skills, &k);
    let channels = [Channel::LiveChat, Channel::Messaging].map(|c| {
        gskills
            .iter()
            .any(|&(i, _)| skills.get(i).is_some_and(|s| s.channel == c))
    });
    if mode == Mode::Dedicated && channels[0] && channels[1] {
        cx.err(&gr.skills, &k("skills"), "a dedicated group works one channel, but these skills span live_chat and messaging: use mode two_login or blended, or split the group");
    }
    let (capacity, capacity_total) = capacity(cx, g, mode, channels, &k);
    let shifts = time::shifts(cx, g, mode, &k);
    let breaks = time::breaks(cx, gr, &shifts, &k);
    if let (Some(c), Some(_)) = (&gr.count, &count_profile) {
        if gr.shifts.is_some() {
            cx.err(
                c,
                &k("count"),
                "a group has either `shifts` or a count profile (agents logged in per interval), not both: drop one",
            );
        }
        if mode == Mode::TwoLogin {
            cx.err(
                c,
                &k("count"),
                "a count profile is for dedicated and blended groups: a two_login group logs in by shifts, each naming its login",
            );
        }
    }
    let wind_down = time::wind_down(cx, gr, &shifts, count_profile.as_ref(), &k);
    Group {
        name: gr.name.get_ref().clone(),
        count,
        mode,
        skills: gskills,
        capacity,
        capacity_total,
        shifts,
        breaks,
        logout: gr
            .logout
            .as_ref()
            .map_or(LogoutPolicy::ReturnToQueue, |l| *l.get_ref()),
        switch_overhead: dur_or(&gr.switch_overhead, 0.0),
        count_profile,
        wind_down,
    }
}

/// The group's size and, for `count = { profile, per }`, its count profile
/// (the size is then the profile's maximum).
fn head_count(
    cx: &mut Ctx,
    g: &Spanned<RawAgents>,
    k: &dyn Fn(&str) -> String,
) -> (u32, Option<CountProfile>) {
    const MAX: i64 = 100_000;
    let Some(c) = &g.get_ref().count else {
        cx.err(
            g,
            &k("count"),
            "missing key `count`: expected the number of agents in the group, or a count profile { profile = [..], per = \"30m\" }",
        );
        return (0, None);
    };
    let p = match c.get_ref() {
        RawHeadCount::Fixed(n) if (0..=MAX).contains(n) => return (*n as u32, None),
        RawHeadCount::Fixed(n) => {
            cx.err(
                c,
                &k("count"),
                format!("{n} agents: expected a whole number from 0 to {MAX}"),
            );
            return (0, None);
        }
        RawHeadCount::Profile(p) => p,
    };
    if p.profile.is_empty() {
        cx.err(
            c,
            &k("count.profile"),
            "the count profile is empty: expected agents logged in per interval, e.g. [2, 3, 5]",
        );
        return (0, None);
    }
    if let Some(n) = p.profile.iter().find(|n| !(0..=MAX).contains(*n)) {
        cx.err(
            c,
            &k("count.profile"),
            format!("{n} agents: expected whole numbers from 0 to {MAX}"),
        );
        return (0, None);
    }
    let Some(per) = p.per.map(|d| d.0) else {
        cx.err(
            c,
            &k("count.per"),
            "a count profile needs `per`, the length of each entry (e.g. per = \"30m\")",
        );
        return (0, None);
    };
    if per < CountProfile::MIN_PER {
        cx.err(
            c,
            &k("count.per"),
            format!(
                "per = {per}s: expected at least 1m (logins and logouts happen at most once a minute)"
            ),
        );
        return (0, None);
    }
    let span = p.profile.len() as f64 * per;
    if ![DAY, WEEK].iter().any(|w| (span - w).abs() < 1e-6) {
        cx.warn(
            c,
            &k("count.profile"),
            format!(
                "{} entries of {per}s cover {}h, not a day (24h) or a week (168h): the head-count repeats out of step with the calendar",
                p.profile.len(),
                span / 3600.0
            ),
        );
    }
    let profile = CountProfile {
        counts: p.profile.iter().map(|&n| n as u32).collect(),
        per,
    };
    (profile.max(), Some(profile))
}

/// The group's skills as (index, this group's priority); the priority
/// defaults to the skill's own.
fn skill_refs(
    cx: &mut Ctx,
    gr: &RawAgents,
    skills: &Skills,
    k: &dyn Fn(&str) -> String,
) -> Vec<(usize, i64)> {
    let mut out: Vec<(usize, i64)> = Vec::new();
    if gr.skills.get_ref().is_empty() {
        cx.err(
            &gr.skills,
            &k("skills"),
            "no skills: expected at least one skill name",
        );
    }
    for sr in gr.skills.get_ref() {
        let (sname, prio) = match sr {
            RawSkillRef::Name(n) => (n, None),
            RawSkillRef::WithPriority { name, priority } => (name, *priority),
        };
        let Some(i) = skills.names.iter().position(|n| n == sname) else {
            cx.err(
                &gr.skills,
                &k("skills"),
                format!(
                    "unknown skill `{sname}` (skills: {})",
                    skills.names.join(", ")
                ),
            );
            continue;
        };
        let p = prio.unwrap_or_else(|| skills.get(i).map_or(0, |s| s.priority));
        if out.iter().any(|&(j, _)| j == i) {
            cx.err(
                &gr.skills,
                &k("skills"),
                format!("skill `{sname}` is listed twice"),
            );
        }
        out.push((i, p));
    }
    out
}

/// Capacity per channel (default 1) and in total (default the sum over the
/// channels the group serves).
fn capacity(
    cx: &mut Ctx,
    g: &Spanned<RawAgents>,
    mode: Mode,
    channels: [bool; 2],
    k: &dyn Fn(&str) -> String,
) -> ([u32; 2], u32) {
    let gr = g.get_ref();
    let default_cap = RawCapacity::default();
    let cap = gr.capacity.as_ref().map_or(&default_cap, |c| c.get_ref());
    let cap_at = Some(
        gr.capacity
            .as_ref()
            .map_or(g.span().start, |c| c.span().start),
    );
    let mut capacity = [1u32, 1u32];
    for (ch, v) in [(0, cap.live_chat), (1, cap.messaging)] {
        if let Some(v) = v {
            if (0..=1000).contains(&v) {
                capacity[ch] = v as u32;
            } else {
                cx.err_at(
                    cap_at,
                    &k("capacity"),
                    format!("capacity {v}: expected a whole number from 0 to 1000"),
                );
            }
        }
    }
    let usable: u32 = (0..2).filter(|&c| channels[c]).map(|c| capacity[c]).sum();
    let total = match cap.total {
        None => usable.max(1),
        Some(t) if (1..=2000).contains(&t) => t as u32,
        Some(t) => {
            cx.err_at(
                cap_at,
                &k("capacity.total"),
                format!("total capacity {t}: expected a whole number from 1 to 2000"),
            );
            1
        }
    };
    for c in 0..2 {
        if channels[c] && capacity[c] == 0 && mode != Mode::TwoLogin {
            let ch = if c == 0 { "live_chat" } else { "messaging" };
            cx.err_at(
                cap_at,
                &k(&format!("capacity.{ch}")),
                format!("the group has {ch} skills but {ch} capacity 0"),
            );
        }
    }
    (capacity, total)
}

//! `[[agents]]` groups (also a variant's replacement groups): head-count,
//! mode, the skills they serve with their priorities, capacity, and their
//! shifts and breaks ([`super::time`]).

use super::super::schema::{RawAgents, RawCapacity, RawSkillRef};
use super::super::{Channel, Group, LogoutPolicy, Mode};
use super::skill::Skills;
use super::{Ctx, dur_or, names, time};
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
    let count = match &gr.count {
        None => {
            cx.err(
                g,
                &k("count"),
                "missing key `count`: expected the number of agents in the group",
            );
            0
        }
        Some(c) if (0..=100_000).contains(c.get_ref()) => *c.get_ref() as u32,
        Some(c) => {
            cx.err(
                c,
                &k("count"),
                format!(
                    "{} agents: expected a whole number from 0 to 100000",
                    c.get_ref()
                ),
            );
            0
        }
    };
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
    }
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

//! Stage two: raw structs → a resolved [`Scenario`]. Names become indices,
//! durations seconds, distribution specs samplers; defaults are filled in.
//! Every problem is collected (not just the first) with its file, line and
//! key; a skill that no agent group has is a warning, not an error.

use super::load::{Diagnostic, ScenarioError, line_of, resolve_path};
use super::schema::*;
use super::*;
use std::collections::HashSet;
use std::path::Path;
use toml::Spanned;

/// The longest `solved_to_closed` the seeds allow: 28 days.
pub const MAX_SOLVED_TO_CLOSED: f64 = 28.0 * 86_400.0;

struct Ctx<'a> {
    src: &'a str,
    file: &'a str,
    base: &'a Path,
    errors: Vec<Diagnostic>,
    warnings: Vec<String>,
}

impl Ctx<'_> {
    fn err_at(&mut self, offset: Option<usize>, key: &str, msg: impl Into<String>) {
        self.errors.push(Diagnostic {
            file: self.file.to_string(),
            line: offset.map(|o| line_of(self.src, o)),
            key: Some(key.to_string()),
            message: msg.into(),
        });
    }
    fn err<T>(&mut self, s: &Spanned<T>, key: &str, msg: impl Into<String>) {
        self.err_at(Some(s.span().start), key, msg);
    }
    fn warn(&mut self, offset: usize, key: &str, msg: impl Into<String>) {
        let line = line_of(self.src, offset);
        self.warnings.push(format!(
            "{}:{}: key `{}`: {}",
            self.file,
            line,
            key,
            msg.into()
        ));
    }

    fn dist(&mut self, d: &Spanned<RawDist>, key: &str) -> Option<Dist> {
        let at = d.span().start;
        match resolve_dist(d.get_ref(), self.base) {
            Ok(x) => Some(x),
            Err(m) => {
                self.err_at(Some(at), key, m);
                None
            }
        }
    }

    fn count(&mut self, d: &Spanned<RawCount>, key: &str) -> Option<CountDist> {
        match resolve_count(d.get_ref(), self.base) {
            Ok(x) => Some(x),
            Err(m) => {
                self.err(d, key, m);
                None
            }
        }
    }

    fn probability(&mut self, p: &Option<Spanned<f64>>, key: &str) -> f64 {
        match p {
            None => 0.0,
            Some(s) if (0.0..=1.0).contains(s.get_ref()) => *s.get_ref(),
            Some(s) => {
                let v = *s.get_ref();
                self.err(
                    s,
                    key,
                    format!("{v} is not a probability: expected a number from 0 to 1"),
                );
                0.0
            }
        }
    }

    fn positive_dur(&mut self, d: &Option<Spanned<Dur>>, key: &str, default: f64) -> f64 {
        match d {
            None => default,
            Some(s) if s.get_ref().0 > 0.0 => s.get_ref().0,
            Some(s) => {
                self.err(s, key, "must be longer than 0");
                default
            }
        }
    }
}

fn dur_or(d: &Option<Spanned<Dur>>, default: f64) -> f64 {
    d.as_ref().map_or(default, |s| s.get_ref().0)
}

/// Reads one numeric column of a CSV file: values as seconds or durations.
pub fn read_column(path: &Path, column: Option<&str>) -> Result<Vec<f64>, String> {
    let shown = path.display();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("cannot read {shown}: {}", io_reason(&e)))?;
    let headers = rdr
        .headers()
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .clone();
    // A header that is itself a number means the file has no header row.
    let headerless = headers.get(0).is_some_and(|h| parse_duration(h).is_some());
    let idx = match column {
        None => 0,
        Some(c) => headers.iter().position(|h| h.trim() == c).ok_or_else(|| {
            format!(
                "{shown} has no column `{c}` (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })?,
    };
    let mut out = Vec::new();
    if headerless {
        out.push(parse_duration(headers.get(0).unwrap_or_default()).unwrap_or(0.0));
    }
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| format!("{shown}: {e}"))?;
        let line = i + 2;
        let cell = rec.get(idx).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v = parse_duration(cell).ok_or_else(|| {
            format!("{shown}:{line}: `{cell}` is not a number of seconds or a duration")
        })?;
        out.push(v);
    }
    if out.is_empty() {
        return Err(format!("{shown} has no values"));
    }
    Ok(out)
}

fn io_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "file not found".into()
        }
        _ => e.to_string(),
    }
}

/// A duration distribution spec → sampler.
pub fn resolve_dist(d: &RawDist, base: &Path) -> Result<Dist, String> {
    Ok(match d {
        RawDist::Exponential { mean } => {
            if mean.0 <= 0.0 {
                return Err("exponential mean must be > 0".into());
            }
            Dist::Exponential { mean: mean.0 }
        }
        RawDist::Lognormal { mean, sd } => {
            if mean.0 <= 0.0 {
                return Err("lognormal mean must be > 0".into());
            }
            if sd.0 == 0.0 {
                Dist::Deterministic { value: mean.0 }
            } else {
                Dist::lognormal(mean.0, sd.0)
            }
        }
        RawDist::Gamma { mean, sd } => {
            if mean.0 <= 0.0 {
                return Err("gamma mean must be > 0".into());
            }
            if sd.0 == 0.0 {
                Dist::Deterministic { value: mean.0 }
            } else {
                Dist::gamma(mean.0, sd.0)?
            }
        }
        RawDist::Weibull { shape, scale } => {
            if !(*shape > 0.0 && shape.is_finite()) || scale.0 <= 0.0 {
                return Err("weibull needs shape > 0 and scale > 0".into());
            }
            Dist::Weibull {
                shape: *shape,
                scale: scale.0,
            }
        }
        RawDist::Uniform { min, max } => {
            if min.0 > max.0 {
                return Err(format!(
                    "uniform min ({}s) is above max ({}s)",
                    min.0, max.0
                ));
            }
            Dist::Uniform {
                min: min.0,
                max: max.0,
            }
        }
        RawDist::Deterministic { value } => Dist::Deterministic { value: value.0 },
        RawDist::Empirical { file, column } => {
            let mut sorted = read_column(&resolve_path(base, file), column.as_deref())?;
            sorted.sort_by(f64::total_cmp);
            Dist::Empirical {
                file: file.clone(),
                sorted,
            }
        }
    })
}

/// A count distribution spec → sampler.
pub fn resolve_count(d: &RawCount, base: &Path) -> Result<CountDist, String> {
    Ok(match d {
        RawCount::Geometric { mean } => {
            if !(*mean >= 1.0 && mean.is_finite()) {
                return Err(format!(
                    "geometric mean {mean} must be >= 1 (counts start at 1)"
                ));
            }
            CountDist::geometric(*mean)
        }
        RawCount::Poisson { mean } => {
            if !(*mean >= 1.0 && mean.is_finite()) {
                return Err(format!(
                    "poisson mean {mean} must be >= 1 (shifted to start at 1)"
                ));
            }
            CountDist::poisson(*mean)?
        }
        RawCount::Deterministic { value } => {
            if *value < 1 || *value > u32::MAX as i64 {
                return Err(format!("count {value} must be >= 1"));
            }
            CountDist::Deterministic {
                value: *value as u32,
            }
        }
        RawCount::Uniform { min, max } => {
            if *min < 1 || min > max || *max > u32::MAX as i64 {
                return Err(format!(
                    "uniform counts need 1 <= min <= max, got {min}..{max}"
                ));
            }
            CountDist::Uniform {
                min: *min as u32,
                max: *max as u32,
            }
        }
        RawCount::Empirical { file, column } => {
            let vals = read_column(&resolve_path(base, file), column.as_deref())?;
            let mut values = Vec::with_capacity(vals.len());
            for v in vals {
                if v < 1.0 || v.fract() != 0.0 {
                    return Err(format!("{file}: count {v} must be a whole number >= 1"));
                }
                values.push(v as u32);
            }
            CountDist::Empirical {
                file: file.clone(),
                values,
            }
        }
    })
}

/// Parses `"HH:MM"` (00:00 to 24:00) into seconds of the day.
fn parse_clock(s: &str) -> Option<f64> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some((h * 3600 + m * 60) as f64)
}

/// Parses days: `"Mon-Fri"`, `"Sat,Sun"`, `"Tue"`, `"daily"` → a 7-bit set, Monday = bit 0.
fn parse_days(s: &str) -> Option<u8> {
    let day = |d: &str| {
        crate::engine::time::DAY_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(d.trim()))
    };
    let s = s.trim();
    if s.eq_ignore_ascii_case("daily")
        || s.eq_ignore_ascii_case("all")
        || s.eq_ignore_ascii_case("Mon-Sun")
    {
        return Some(0x7f);
    }
    let mut set = 0u8;
    for part in s.split(',') {
        if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (day(a)?, day(b)?);
            let mut d = a;
            loop {
                set |= 1 << d;
                if d == b {
                    break;
                }
                d = (d + 1) % 7;
            }
        } else {
            set |= 1 << day(part)?;
        }
    }
    (set != 0).then_some(set)
}

fn parse_channel(s: &str) -> Option<Channel> {
    match s {
        "live_chat" => Some(Channel::LiveChat),
        "messaging" => Some(Channel::Messaging),
        _ => None,
    }
}

/// Validates the raw scenario into a [`Scenario`].
pub fn validate(
    raw: RawScenario,
    src: &str,
    file: &str,
    base: &Path,
    stem: &str,
) -> Result<Scenario, ScenarioError> {
    let mut cx = Ctx {
        src,
        file,
        base,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let sim = &raw.simulation;
    let name = sim
        .name
        .as_ref()
        .map_or_else(|| stem.to_string(), |n| n.get_ref().clone());
    if let Some(n) = &sim.name
        && (n.get_ref().is_empty()
            || n.get_ref().contains(['/', '\\'])
            || n.get_ref() == ".."
            || n.get_ref() == ".")
    {
        cx.err(
            n,
            "simulation.name",
            "must be a non-empty name usable as a directory (no '/')",
        );
    }
    let horizon = cx.positive_dur(&sim.horizon, "simulation.horizon", 86_400.0);
    let warmup = dur_or(&sim.warmup, 7_200.0);
    let replications = match &sim.replications {
        None => 10,
        Some(r) if (1..=1_000_000).contains(r.get_ref()) => *r.get_ref() as u32,
        Some(r) => {
            cx.err(
                r,
                "simulation.replications",
                "expected a whole number from 1 to 1000000",
            );
            1
        }
    };
    let seed = match &sim.seed {
        None => 1,
        Some(s) if *s.get_ref() >= 0 => *s.get_ref() as u64,
        Some(s) => {
            cx.err(s, "simulation.seed", "expected a whole number >= 0");
            1
        }
    };
    let interval = cx.positive_dur(&sim.interval, "simulation.interval", 1800.0);
    if interval > 0.0 && horizon / interval > 2_000_000.0 {
        cx.err_at(sim.interval.as_ref().map(|s| s.span().start), "simulation.interval", "too many report intervals over the horizon (more than 2,000,000): use a longer interval");
    }

    // Skills: names first, so transfers can refer to any of them.
    let mut skill_names: Vec<String> = Vec::new();
    for s in &raw.skill {
        let n = s.get_ref().name.get_ref().clone();
        if n.is_empty() || n.contains('.') {
            cx.err(
                &s.get_ref().name,
                "skill.name",
                format!("skill name `{n}` must be non-empty and contain no '.'"),
            );
        }
        if skill_names.contains(&n) {
            cx.err(
                &s.get_ref().name,
                "skill.name",
                format!("duplicate skill name `{n}`"),
            );
        }
        skill_names.push(n);
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

    let channels: Vec<Option<Channel>> = raw
        .skill
        .iter()
        .map(|s| match &s.get_ref().channel {
            None => Some(Channel::LiveChat),
            Some(c) => parse_channel(c.get_ref()),
        })
        .collect();
    let mut skills = Vec::new();
    for s in &raw.skill {
        if let Some(sk) = skill(
            &mut cx,
            s.get_ref(),
            s.span().start,
            interval,
            &skill_names,
            &group_names,
            &channels,
        ) {
            skills.push(Some(sk));
        } else {
            // Keep positions aligned with the file so groups look up the right skill.
            skills.push(None);
        }
    }

    let routing = routing(&mut cx, raw.routing.as_ref());
    let base_groups = groups(&mut cx, &raw.agents, &skill_names, &skills, "agents");

    // Unroutable skills: a warning, reported per run as well.
    for (i, s) in raw.skill.iter().enumerate() {
        if !base_groups
            .iter()
            .any(|g| g.skills.iter().any(|&(k, _)| k == i))
        {
            let n = &skill_names[i];
            cx.warn(
                s.span().start,
                &format!("skill.{n}"),
                format!("no agent group has skill `{n}`: its conversations are unroutable"),
            );
        }
    }

    let mut variants: Vec<Variant> = Vec::new();
    for v in &raw.variant {
        let vr = v.get_ref();
        let vname = vr.name.get_ref().clone();
        if vname == "base" || vname.is_empty() || variants.iter().any(|x| x.name == vname) {
            cx.err(
                &vr.name,
                "variant.name",
                format!("variant name `{vname}` must be unique, non-empty and not `base`"),
            );
        }
        let vgroups = match &vr.agents {
            Some(a) => groups(
                &mut cx,
                a,
                &skill_names,
                &skills,
                &format!("variant.{vname}.agents"),
            ),
            None => base_groups.clone(),
        };
        let vrouting = match &vr.routing {
            Some(r) => self::routing(&mut cx, Some(r)),
            None => routing.clone(),
        };
        variants.push(Variant {
            name: vname,
            groups: vgroups,
            routing: vrouting,
        });
    }

    if !cx.errors.is_empty() {
        cx.errors.sort_by_key(|d| d.line.unwrap_or(0));
        return Err(ScenarioError {
            diagnostics: cx.errors,
        });
    }
    Ok(Scenario {
        file: std::path::PathBuf::from(file),
        name,
        horizon,
        warmup,
        replications,
        seed,
        interval,
        skills: skills.into_iter().flatten().collect(),
        groups: base_groups,
        routing,
        variants,
        warnings: cx.warnings,
    })
}

fn skill(
    cx: &mut Ctx,
    s: &RawSkill,
    at: usize,
    interval: f64,
    skill_names: &[String],
    group_names: &[String],
    channels: &[Option<Channel>],
) -> Option<Skill> {
    let name = s.name.get_ref().clone();
    let k = |key: &str| format!("skill.{name}.{key}");
    let channel = match &s.channel {
        None => Channel::LiveChat,
        Some(c) => parse_channel(c.get_ref()).unwrap_or_else(|| {
            cx.err(
                c,
                &k("channel"),
                format!(
                    "unknown channel `{}`: expected live_chat or messaging",
                    c.get_ref()
                ),
            );
            Channel::LiveChat
        }),
    };
    let style = match &s.style {
        None if channel == Channel::LiveChat => Style::LiveChat,
        None => Style::SocialMessaging,
        Some(st) => match st.get_ref().as_str() {
            "live_chat" => Style::LiveChat,
            "live_chat_returning" => Style::LiveChatReturning,
            "social_messaging" => Style::SocialMessaging,
            other => {
                cx.err(st, &k("style"), format!("unknown style `{other}`: expected live_chat, live_chat_returning or social_messaging"));
                Style::LiveChat
            }
        },
    };
    if channel == Channel::LiveChat && style != Style::LiveChat {
        cx.err(s.style.as_ref().unwrap(), &k("style"), "the live_chat channel only has the live_chat style (conversational styles are for messaging)");
    }

    let arrivals = arrivals(cx, &s.arrivals, &k("arrivals"), interval);
    let patience = s.patience.as_ref().and_then(|d| cx.dist(d, &k("patience")));
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
    if !consumer_can_close && consumer_close_probability > 0.0 {
        cx.err(
            s.consumer_close_probability.as_ref().unwrap(),
            &k("consumer_close_probability"),
            "consumers of this skill cannot close (consumer_can_close = false)",
        );
    }
    let manual_sla_probability =
        cx.probability(&s.manual_sla_probability, &k("manual_sla_probability"));
    let resume_probability = cx.probability(&s.resume_probability, &k("resume_probability"));
    let return_probability = cx.probability(&s.return_probability, &k("return_probability"));
    let returns = s.returns.as_ref().and_then(|r| {
        let rr = r.get_ref();
        if !(0.0..=1.0).contains(&rr.probability) {
            cx.err(
                r,
                &k("returns.probability"),
                format!("{} is not a probability: expected 0 to 1", rr.probability),
            );
            return None;
        }
        match resolve_dist(&rr.after, cx.base) {
            Ok(after) => Some(Returns {
                probability: rr.probability,
                after,
            }),
            Err(m) => {
                cx.err(r, &k("returns.after"), m);
                None
            }
        }
    });
    let transfer = s.transfer.as_ref().and_then(|t| {
        let tr = t.get_ref();
        if !(0.0..=1.0).contains(&tr.probability) {
            cx.err(
                t,
                &k("transfer.probability"),
                format!("{} is not a probability: expected 0 to 1", tr.probability),
            );
            return None;
        }
        let to = match (&tr.to, &tr.to_group) {
            (Some(sk), None) => match skill_names.iter().position(|n| n == sk) {
                Some(i) => TransferTarget::Skill(i),
                None => {
                    cx.err(
                        t,
                        &k("transfer.to"),
                        format!("unknown skill `{sk}` (skills: {})", skill_names.join(", ")),
                    );
                    return None;
                }
            },
            (None, Some(g)) => match group_names.iter().position(|n| n == g) {
                Some(i) => TransferTarget::Group(i),
                None => {
                    cx.err(
                        t,
                        &k("transfer.to_group"),
                        format!(
                            "unknown agent group `{g}` (groups: {})",
                            group_names.join(", ")
                        ),
                    );
                    return None;
                }
            },
            _ => {
                cx.err(
                    t,
                    &k("transfer"),
                    "expected exactly one of `to` (a skill) or `to_group` (an agent group)",
                );
                return None;
            }
        };
        Some(Transfer {
            probability: tr.probability,
            to,
        })
    });
    let transfer = transfer.filter(|t| match t.to {
        TransferTarget::Skill(i) => {
            let ok = channels[i].is_none_or(|c| c == channel);
            if !ok {
                cx.err(
                    s.transfer.as_ref().expect("a transfer was read"),
                    &k("transfer.to"),
                    "a transfer stays in its channel: the target skill has another channel",
                );
            }
            ok
        }
        TransferTarget::Group(_) => true,
    });
    let _ = at;
    Some(Skill {
        name,
        channel,
        style,
        arrivals: arrivals?,
        patience,
        exchanges: exchanges?,
        consumer_reply: consumer_reply?,
        agent_reply: agent_reply?,
        response_sla,
        service_level,
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
        transfer,
    })
}

fn arrivals(cx: &mut Ctx, a: &Spanned<RawArrivals>, key: &str, interval: f64) -> Option<Arrivals> {
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
        let per = r.per.map_or(interval, |p| p.0);
        return Some(Arrivals::Profile {
            rates: profile.iter().map(|v| v / per).collect(),
            per,
        });
    }
    let file = r.trace.as_ref().unwrap();
    if r.per.is_some() {
        cx.err(a, &format!("{key}.per"), "`per` does not go with `trace`");
    }
    match read_column(&resolve_path(cx.base, file), r.column.as_deref()) {
        Ok(mut times) => {
            times.sort_by(f64::total_cmp);
            Some(Arrivals::Trace {
                file: file.clone(),
                times: std::sync::Arc::new(times),
            })
        }
        Err(m) => {
            cx.err(a, &format!("{key}.trace"), format!("trace file: {m}"));
            None
        }
    }
}

fn routing(cx: &mut Ctx, r: Option<&Spanned<RawRouting>>) -> Routing {
    let default = RawRouting::default();
    let raw = r.map_or(&default, |s| s.get_ref());
    let accept = match &raw.accept {
        None => Accept::Auto,
        Some(a) => match a.get_ref().as_str() {
            "auto" => Accept::Auto,
            "ring" => Accept::Ring,
            other => {
                cx.err(
                    a,
                    "routing.accept",
                    format!("unknown accept mode `{other}`: expected auto or ring"),
                );
                Accept::Auto
            }
        },
    };
    let ring_timeout = cx.positive_dur(&raw.ring_timeout, "routing.ring_timeout", 60.0);
    let accept_delay = match &raw.accept_delay {
        None => Dist::Exponential { mean: 8.0 },
        Some(d) => cx
            .dist(d, "routing.accept_delay")
            .unwrap_or(Dist::Deterministic { value: 0.0 }),
    };
    let ignore_probability = cx.probability(&raw.ignore_probability, "routing.ignore_probability");
    let agent_selection = match &raw.agent_selection {
        None => Selection::MostAvailable,
        Some(a) => match a.get_ref().as_str() {
            "most_available" => Selection::MostAvailable,
            "longest_idle" => Selection::LongestIdle,
            "round_robin" => Selection::RoundRobin,
            other => {
                cx.err(a, "routing.agent_selection", format!("unknown agent selection `{other}`: expected most_available, longest_idle or round_robin"));
                Selection::MostAvailable
            }
        },
    };
    let ramp_up = raw.ramp_up.as_ref().and_then(|ru| {
        let v = ru.get_ref();
        if v.first < 0 || v.first > 1000 {
            cx.err(
                ru,
                "routing.ramp_up.first",
                "expected a whole number from 0 to 1000",
            );
            return None;
        }
        (v.first > 0 && v.interval.0 > 0.0).then_some((v.first as u32, v.interval.0))
    });
    let sticky = dur_or(&raw.sticky, 300.0);
    Routing {
        accept,
        ring_timeout,
        accept_delay,
        ignore_probability,
        agent_selection,
        ramp_up,
        sticky,
    }
}

fn groups(
    cx: &mut Ctx,
    raw: &[Spanned<RawAgents>],
    skill_names: &[String],
    skills: &[Option<Skill>],
    prefix: &str,
) -> Vec<Group> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for g in raw {
        let gr = g.get_ref();
        let name = gr.name.get_ref().clone();
        let k = |key: &str| format!("{prefix}.{name}.{key}");
        if name.is_empty() || name.contains('.') || !seen.insert(name.clone()) {
            cx.err(
                &gr.name,
                &format!("{prefix}.name"),
                format!("agent group name `{name}` must be unique, non-empty and contain no '.'"),
            );
        }
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
        let mode = match &gr.mode {
            None => Mode::Dedicated,
            Some(m) => match m.get_ref().as_str() {
                "dedicated" => Mode::Dedicated,
                "two_login" => Mode::TwoLogin,
                "blended" => Mode::Blended,
                other => {
                    cx.err(
                        m,
                        &k("mode"),
                        format!("unknown mode `{other}`: expected dedicated, two_login or blended"),
                    );
                    Mode::Dedicated
                }
            },
        };
        let mut gskills = Vec::new();
        if gr.skills.get_ref().is_empty() {
            cx.err(
                &gr.skills,
                &k("skills"),
                "no skills: expected at least one skill name",
            );
        }
        for sr in gr.skills.get_ref() {
            let (sname, prio) = match sr {
                RawSkillRef::Name(n) => (n.clone(), None),
                RawSkillRef::WithPriority { name, priority } => (name.clone(), *priority),
            };
            match skill_names.iter().position(|n| *n == sname) {
                Some(i) => {
                    let p = prio.unwrap_or_else(|| {
                        skills
                            .get(i)
                            .and_then(Option::as_ref)
                            .map_or(0, |s| s.priority)
                    });
                    if gskills.iter().any(|&(j, _)| j == i) {
                        cx.err(
                            &gr.skills,
                            &k("skills"),
                            format!("skill `{sname}` is listed twice"),
                        );
                    }
                    gskills.push((i, p));
                }
                None => cx.err(
                    &gr.skills,
                    &k("skills"),
                    format!(
                        "unknown skill `{sname}` (skills: {})",
                        skill_names.join(", ")
                    ),
                ),
            }
        }
        let channels: [bool; 2] = [
            gskills.iter().any(|&(i, _)| {
                skills
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_some_and(|s| s.channel == Channel::LiveChat)
            }),
            gskills.iter().any(|&(i, _)| {
                skills
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_some_and(|s| s.channel == Channel::Messaging)
            }),
        ];
        if mode == Mode::Dedicated && channels[0] && channels[1] {
            cx.err(&gr.skills, &k("skills"), "a dedicated group works one channel, but these skills span live_chat and messaging: use mode two_login or blended, or split the group");
        }
        let default_cap = RawCapacity::default();
        let cap = gr.capacity.as_ref().map_or(&default_cap, |c| c.get_ref());
        let cap_at = gr
            .capacity
            .as_ref()
            .map_or(g.span().start, |c| c.span().start);
        let mut capacity = [1u32, 1u32];
        for (ch, v) in [(0, cap.live_chat), (1, cap.messaging)] {
            if let Some(v) = v {
                if !(0..=1000).contains(&v) {
                    cx.err_at(
                        Some(cap_at),
                        &k("capacity"),
                        format!("capacity {v}: expected a whole number from 0 to 1000"),
                    );
                } else {
                    capacity[ch] = v as u32;
                }
            }
        }
        let usable: u32 = (0..2).filter(|&c| channels[c]).map(|c| capacity[c]).sum();
        let capacity_total = match cap.total {
            None => usable.max(1),
            Some(t) if (1..=2000).contains(&t) => t as u32,
            Some(t) => {
                cx.err_at(
                    Some(cap_at),
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
                    Some(cap_at),
                    &k(&format!("capacity.{ch}")),
                    format!("the group has {ch} skills but {ch} capacity 0"),
                );
            }
        }

        let mut shifts = Vec::new();
        if let Some(sh) = &gr.shifts {
            for s in sh.get_ref() {
                let (Some(days), Some(start), Some(end)) = (
                    parse_days(&s.days),
                    parse_clock(&s.start),
                    parse_clock(&s.end),
                ) else {
                    cx.err(sh, &k("shifts"), format!("bad shift {{ days = \"{}\", start = \"{}\", end = \"{}\" }}: expected days like \"Mon-Fri\" or \"Sat,Sun\" and times \"HH:MM\"", s.days, s.start, s.end));
                    continue;
                };
                let login = match (&s.login, mode) {
                    (Some(l), Mode::TwoLogin) => match parse_channel(l) {
                        Some(c) => Some(c),
                        None => {
                            cx.err(
                                sh,
                                &k("shifts.login"),
                                format!("unknown login `{l}`: expected live_chat or messaging"),
                            );
                            None
                        }
                    },
                    (None, Mode::TwoLogin) => {
                        cx.err(sh, &k("shifts.login"), format!("a two_login shift must name its login (live_chat or messaging): shift {} {}-{}", s.days, s.start, s.end));
                        None
                    }
                    (Some(_), _) => {
                        cx.err(
                            sh,
                            &k("shifts.login"),
                            "`login` is only for two_login groups",
                        );
                        None
                    }
                    (None, _) => None,
                };
                let mut length = end - start;
                if length <= 0.0 {
                    length += 86_400.0;
                }
                for d in 0..7 {
                    if days & (1 << d) != 0 {
                        shifts.push(Shift {
                            start: d as f64 * 86_400.0 + start,
                            length,
                            login,
                        });
                    }
                }
            }
            shifts.sort_by(|a, b| a.start.total_cmp(&b.start));
            let week = 7.0 * 86_400.0;
            for i in 0..shifts.len() {
                let next = if i + 1 < shifts.len() {
                    shifts[i + 1].start
                } else {
                    shifts[0].start + week
                };
                if shifts[i].start + shifts[i].length > next + 1e-9
                    && (shifts.len() > 1 || shifts[i].length > week)
                {
                    cx.err(
                        sh,
                        &k("shifts"),
                        format!("shifts overlap at {}", crate::engine::time::label(next)),
                    );
                    break;
                }
            }
            if shifts.is_empty() && !sh.get_ref().is_empty() {
                // errors already reported
            } else if sh.get_ref().is_empty() {
                cx.err(
                    sh,
                    &k("shifts"),
                    "empty list of shifts: omit the key for an always-on group",
                );
            }
        }
        if mode == Mode::TwoLogin && gr.shifts.is_none() {
            cx.err(
                g,
                &k("shifts"),
                "a two_login group needs shifts, each naming its login (live_chat or messaging)",
            );
        }
        let mut breaks = Vec::new();
        if let Some(b) = &gr.breaks {
            if gr.shifts.is_none() {
                cx.err(
                    b,
                    &k("breaks"),
                    "breaks need shifts (they are counted from each shift's start)",
                );
            }
            for br in b.get_ref() {
                if br.duration.0 <= 0.0 {
                    cx.err(b, &k("breaks"), "a break's duration must be longer than 0");
                }
                let stagger = br.stagger.map_or(0.0, |d| d.0);
                if let Some(short) = shifts
                    .iter()
                    .find(|s| br.after.0 + stagger + br.duration.0 > s.length)
                {
                    cx.err(
                        b,
                        &k("breaks"),
                        format!(
                            "the break after {}s (stagger {}s) does not fit in a {}h shift",
                            br.after.0,
                            stagger,
                            short.length / 3600.0
                        ),
                    );
                    break;
                }
                let back_soon = match br.state.as_deref() {
                    None | Some("away") => false,
                    Some("back_soon") => true,
                    Some(other) => {
                        cx.err(
                            b,
                            &k("breaks.state"),
                            format!("unknown break state `{other}`: expected away or back_soon"),
                        );
                        false
                    }
                };
                breaks.push(Break {
                    after: br.after.0,
                    duration: br.duration.0,
                    stagger,
                    back_soon,
                });
            }
            breaks.sort_by(|a, b| a.after.total_cmp(&b.after));
            for w in breaks.windows(2) {
                if w[0].after + w[0].stagger + w[0].duration > w[1].after {
                    cx.err(b, &k("breaks"), "breaks overlap");
                    break;
                }
            }
        }
        let logout = match &gr.logout {
            None => LogoutPolicy::ReturnToQueue,
            Some(l) => match l.get_ref().as_str() {
                "return_to_queue" => LogoutPolicy::ReturnToQueue,
                "keep" => LogoutPolicy::Keep,
                other => {
                    cx.err(
                        l,
                        &k("logout"),
                        format!(
                            "unknown logout policy `{other}`: expected return_to_queue or keep"
                        ),
                    );
                    LogoutPolicy::ReturnToQueue
                }
            },
        };
        let switch_overhead = dur_or(&gr.switch_overhead, 0.0);
        out.push(Group {
            name,
            count,
            mode,
            skills: gskills,
            capacity,
            capacity_total,
            shifts,
            breaks,
            logout,
            switch_overhead,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_and_days() {
        assert_eq!(parse_clock("08:30"), Some(30_600.0));
        assert_eq!(parse_clock("24:00"), Some(86_400.0));
        assert_eq!(parse_clock("24:01"), None);
        assert_eq!(parse_days("Mon-Fri"), Some(0b0011111));
        assert_eq!(parse_days("Sat,Sun"), Some(0b1100000));
        assert_eq!(parse_days("Fri-Mon"), Some(0b1110001));
        assert_eq!(parse_days("daily"), Some(0x7f));
        assert_eq!(parse_days("Funday"), None);
    }
}

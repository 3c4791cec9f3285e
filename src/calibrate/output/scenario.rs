//! `fitted.toml`: the fit as a scenario the loader accepts, each value
//! commented with its source and number of observations, and the CSV files
//! of its empirical distributions.

use super::{dur, name, num, per, q};
use crate::calibrate::result::{FitResult, GroupFit, SkillFit};
use crate::calibrate::stats::{CountFit, DurationFit, Family};
use crate::scenario::CountProfile;
use std::fmt::Write as _;

/// The median of a fit's sample.
fn median(f: &DurationFit) -> f64 {
    f.quantiles
        .get(f.quantiles.len() / 2)
        .copied()
        .unwrap_or(f.mean)
}

/// `fitted.toml` and the empirical files it names.
pub struct Fitted {
    /// The scenario text.
    pub toml: String,
    /// (file name, bytes) of each empirical distribution, to write beside it.
    pub files: Vec<(String, Vec<u8>)>,
}

fn empirical_file(
    files: &mut Vec<(String, Vec<u8>)>,
    skill: &str,
    p: &str,
    values: &[f64],
) -> String {
    let file: String = format!("fitted-{}-{p}.csv", name(skill))
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut body = String::from("value\n");
    for v in values {
        let _ = writeln!(body, "{}", num(*v));
    }
    files.push((file.clone(), body.into_bytes()));
    format!(
        "{{ dist = \"empirical\", file = {}, column = \"value\" }}",
        q(&file)
    )
}

fn dist_toml(f: &DurationFit, files: &mut Vec<(String, Vec<u8>)>, skill: &str, p: &str) -> String {
    let c = &f.chosen;
    match c.family {
        Family::Exponential => format!("{{ dist = \"exponential\", mean = {} }}", dur(c.a)),
        Family::Lognormal | Family::Gamma => format!(
            "{{ dist = \"{}\", mean = {}, sd = {} }}",
            c.family.name(),
            dur(c.a),
            dur(c.b)
        ),
        Family::Weibull => format!(
            "{{ dist = \"weibull\", shape = {}, scale = {} }}",
            num(c.a),
            dur(c.b)
        ),
        Family::Deterministic => format!("{{ dist = \"deterministic\", value = {} }}", dur(c.a)),
        Family::Empirical => empirical_file(files, skill, p, &f.quantiles),
    }
}

fn dist_comment(f: &DurationFit, what: &str) -> String {
    let tried: Vec<String> = f
        .candidates
        .iter()
        .map(|c| format!("{} {}", c.family.name(), num(c.aic)))
        .collect();
    let choice = match f.chosen.family {
        Family::Deterministic => "every value equal".to_string(),
        Family::Empirical => format!(
            "empirical: the best by AIC ({}) fails KS at 1%; {}",
            tried.join(", "),
            f.goodness()
        ),
        fam => format!(
            "{} chosen by AIC ({}); {}",
            fam.name(),
            tried.join(", "),
            f.goodness()
        ),
    };
    format!(
        "# {what}: {} observations (fitted on {}), mean {}s [{}s, {}s]; {choice}",
        f.n,
        f.sample_n,
        num(f.mean),
        num(f.mean_ci.0),
        num(f.mean_ci.1),
    )
}

fn count_toml(c: &CountFit, files: &mut Vec<(String, Vec<u8>)>, skill: &str) -> String {
    match c.family {
        "deterministic" => format!(
            "{{ dist = \"deterministic\", value = {} }}",
            num(c.mean.round().max(1.0))
        ),
        "empirical" => empirical_file(files, skill, "exchanges", &c.quantiles),
        f => format!("{{ dist = \"{f}\", mean = {} }}", num(c.mean.max(1.0))),
    }
}

fn profile(v: &[f64], round: bool) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|&x| {
            if round {
                num(x.round())
            } else {
                num((x * 1e4).round() / 1e4)
            }
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// `fitted.toml` alone (empirical files, if any, are dropped: see [`fitted`]).
pub fn fitted_toml(fit: &FitResult) -> String {
    fitted(fit).toml
}

/// `fitted.toml` and its empirical files.
pub fn fitted(fit: &FitResult) -> Fitted {
    let mut t = String::new();
    let mut files = Vec::new();
    let _ = writeln!(
        t,
        "# Fitted by ccsim from {} ({} events over {} days, {} weeks).",
        fit.file,
        fit.events,
        num(fit.span / 86_400.0),
        num(fit.weeks)
    );
    if !fit.unknown.is_empty() {
        let u: Vec<String> = fit
            .unknown
            .iter()
            .map(|(k, v)| format!("{} ×{v}", if k.is_empty() { "(others)" } else { k }))
            .collect();
        let _ = writeln!(t, "# Unknown events skipped: {}.", u.join(", "));
    }
    let _ = writeln!(
        t,
        "# Conversations in flight at the log's start: {}; still open at its end: {}.",
        fit.in_flight_at_start, fit.open_at_end
    );
    let _ = writeln!(
        t,
        "# Every estimate, its 95% interval, method and n: fit.csv.\n"
    );
    let _ = writeln!(
        t,
        "[simulation]\nname = \"fitted\"\nhorizon = \"7d\"   # the fitted profiles repeat weekly\nwarmup = \"1d\"\nreplications = 10\nseed = 1\ninterval = {}   # the fit's interval\n",
        per(fit.interval)
    );
    let known: Vec<(&str, &str)> = fit
        .skills
        .iter()
        .filter(|s| {
            s.arrivals > 0
                || s.agent_replies_seen()
                || fit
                    .skills
                    .iter()
                    .any(|o| o.transfer_targets.iter().any(|t| t.0 == s.name))
        })
        .map(|s| (s.name.as_str(), s.channel))
        .collect();
    for s in fit
        .skills
        .iter()
        .filter(|s| known.iter().any(|k| k.0 == s.name))
    {
        skill_toml(&mut t, &mut files, s, fit, &known);
    }
    for g in &fit.groups {
        group_toml(&mut t, g, fit, &known);
    }
    Fitted { toml: t, files }
}

impl SkillFit {
    /// Whether the skill had any conversation activity to fit.
    fn agent_replies_seen(&self) -> bool {
        self.exchanges.is_some() || self.effort.is_some() || self.consumer_reply.is_some()
    }
}

fn skill_toml(
    t: &mut String,
    files: &mut Vec<(String, Vec<u8>)>,
    s: &SkillFit,
    fit: &FitResult,
    known: &[(&str, &str)],
) {
    let k = s.name.as_str();
    let _ = writeln!(
        t,
        "[[skill]]\nname = {}\nchannel = \"{}\"\nstyle = \"{}\"   # {}",
        q(&name(k)),
        s.channel,
        s.style,
        s.style_reason
    );
    if s.fresh_arrivals > 0 {
        let _ = writeln!(
            t,
            "# arrivals: {} fresh arrivals ({} returns and retries excluded) per {} slot from Monday 00:00, averaged over {} weeks",
            s.fresh_arrivals,
            s.arrivals - s.fresh_arrivals,
            per(fit.interval).trim_matches('"'),
            num(fit.weeks)
        );
        let p = profile(&s.profile, false);
        if let Some(cv) = &s.day_cv {
            let _ = writeln!(
                t,
                "# day_cv {} [{}, {}] from {} days ({}); the loader does not read arrivals.day_cv yet:",
                num(cv.value),
                num(cv.ci.map_or(0.0, |c| c.0)),
                num(cv.ci.map_or(0.0, |c| c.1)),
                cv.n,
                cv.method
            );
            let _ = writeln!(
                t,
                "# arrivals = {{ profile = {p}, per = {}, day_cv = {} }}",
                per(fit.interval),
                num(cv.value)
            );
        }
        let _ = writeln!(
            t,
            "arrivals = {{ profile = {p}, per = {} }}",
            per(fit.interval)
        );
    } else {
        let _ = writeln!(
            t,
            "# no arrivals of its own (a transfer target): a negligible rate, as the loader needs one\narrivals = {{ rate = 0.000001, per = \"1h\" }}"
        );
    }
    if let Some(p) = &s.patience {
        let mut c = format!(
            "# patience: censored exponential MLE over {} abandoned and {} assigned waits (total wait ÷ abandonments), 95% [{}s, {}s]",
            p.abandoned,
            p.censored,
            num(p.mean_ci.0),
            num(p.mean_ci.1)
        );
        if let Some(km) = &p.km {
            if let Some(m) = km.median {
                let _ = write!(c, "; Kaplan–Meier median {}s", num(m));
            }
            let _ = write!(
                c,
                ", mean restricted to {}s {}s",
                num(km.tau),
                num(km.restricted_mean)
            );
        }
        let _ = write!(
            c,
            "; the mean of abandoned waits alone, {}s, is biased and not used",
            num(p.naive_mean)
        );
        let _ = writeln!(
            t,
            "{c}\npatience = {{ dist = \"exponential\", mean = {} }}",
            dur(p.mean)
        );
    } else {
        let _ = writeln!(
            t,
            "# patience: no abandonment seen: omitted (never abandons)"
        );
    }
    if let Some(c) = &s.exchanges {
        let _ = writeln!(
            t,
            "# exchanges: {} conversations, mean {} [{}, {}], {} ({})\nexchanges = {}",
            c.n,
            num(c.mean),
            num(c.mean_ci.0),
            num(c.mean_ci.1),
            c.family,
            if c.family == "deterministic" {
                "all equal".into()
            } else {
                format!("KS D={:.4} p={:.3}", c.ks_d, c.ks_p)
            },
            count_toml(c, files, k)
        );
    }
    if let Some(f) = &s.consumer_reply {
        let _ = writeln!(
            t,
            "{}\nconsumer_reply = {}",
            dist_comment(f, "consumer reply (agent message → next consumer message)"),
            dist_toml(f, files, k, "consumer_reply")
        );
    }
    if let Some(f) = &s.effort {
        let _ = writeln!(
            t,
            "{}\nagent_reply = {}",
            dist_comment(
                f,
                "agent effort per reply, estimated from the agents' timelines (see calibrate::fit)"
            ),
            dist_toml(f, files, k, "agent_reply")
        );
    }
    if let Some((v, n)) = s.response_sla {
        let _ = writeln!(
            t,
            "response_sla = {}   # most frequent sla= in detail ({n} rows)",
            dur(v)
        );
    }
    if let Some(d) = &s.auto_close
        && let Some(a) = &d.after
    {
        let _ = writeln!(
            t,
            "auto_close = {}   # median idle time before auto-close; {} of {} closes",
            dur(median(a)),
            (d.probability.value * d.probability.n as f64).round(),
            d.probability.n
        );
    }
    if let Some(f) = &s.timer {
        let key = match s.style {
            "social_messaging" => "solved_to_closed",
            "live_chat_returning" => "reopen_window",
            _ => "",
        };
        if !key.is_empty() {
            let v = if key == "solved_to_closed" {
                median(f).min(28.0 * 86_400.0)
            } else {
                median(f)
            };
            let _ = writeln!(
                t,
                "{key} = {}   # median solved → closed by the timer, {} conversations",
                dur(v),
                f.n
            );
        }
    }
    if s.style == "social_messaging"
        && let Some(d) = &s.park
        && let Some(a) = &d.after
    {
        let _ = writeln!(
            t,
            "park_after = {}   # median reply → parked; {} parked",
            dur(median(a)),
            a.n
        );
    }
    if let Some(e) = &s.consumer_close
        && e.value > 0.0
    {
        let _ = writeln!(
            t,
            "consumer_close_probability = {}   # closed by the consumer ÷ {} closed",
            num(e.value),
            e.n
        );
    }
    if let Some(d) = &s.returns {
        let after = d
            .after
            .as_ref()
            .map(|a| dist_toml(a, files, k, "returns_after"));
        if let Some(after) = after {
            let _ = writeln!(
                t,
                "# returns: {} of {} solves came back (a reopen, or a new conversation of the same consumer within the window); delay from the solve\nreturns = {{ probability = {}, after = {after} }}",
                (d.probability.value * d.probability.n as f64).round(),
                d.probability.n,
                num(d.probability.value)
            );
        }
    }
    if let Some(d) = &s.retry
        && let Some(a) = &d.after
    {
        let after = dist_toml(a, files, k, "retry_after");
        let _ = writeln!(
            t,
            "# retry (SPEC §10; the loader does not read it yet): {} of {} abandonments came back within the window\n# retry = {{ probability = {}, after = {after} }}",
            (d.probability.value * d.probability.n as f64).round(),
            d.probability.n,
            num(d.probability.value)
        );
    }
    if let Some(e) = &s.transfer {
        let targets: Vec<String> = s
            .transfer_targets
            .iter()
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect();
        let top = s
            .transfer_targets
            .first()
            .map(|x| x.0.as_str())
            .unwrap_or("");
        let _ = writeln!(
            t,
            "# transfers: {} of {} agent replies; targets {}",
            (e.value * e.n as f64).round(),
            e.n,
            targets.join(", ")
        );
        match known.iter().find(|x| x.0 == top) {
            Some((_, c)) if *c == s.channel => {
                let _ = writeln!(
                    t,
                    "transfer = {{ probability = {}, to = {} }}",
                    num(e.value),
                    q(&name(top))
                );
            }
            _ => {
                let _ = writeln!(
                    t,
                    "# transfer = {{ probability = {}, to = {} }}   # target not a skill of this channel in the fit",
                    num(e.value),
                    q(&name(top))
                );
            }
        }
    }
    t.push('\n');
}

fn group_toml(t: &mut String, g: &GroupFit, fit: &FitResult, known: &[(&str, &str)]) {
    let skills: Vec<&(String, u64)> = g
        .skills
        .iter()
        .filter(|(s, _)| known.iter().any(|k| k.0 == s))
        .collect();
    if skills.is_empty() {
        let _ = writeln!(
            t,
            "# agent group {}: no assignments seen, not written ({} agents)\n",
            g.name, g.agents
        );
        return;
    }
    let _ = writeln!(t, "[[agents]]\nname = {}", q(&name(&g.name)));
    if g.has_logins && fit.interval >= CountProfile::MIN_PER {
        let _ = writeln!(
            t,
            "# logged-in agents per {} slot from login/logout events (mean over the slot, averaged over {} weeks, rounded; at most {} at once, {} agents seen)",
            per(fit.interval).trim_matches('"'),
            num(fit.weeks),
            g.max_logged_in,
            g.agents
        );
        let _ = writeln!(
            t,
            "count = {{ profile = {}, per = {} }}",
            profile(&g.logged_in, true),
            per(fit.interval)
        );
    } else {
        let how = if g.has_logins {
            "from login/logout events; the interval is too short for a count profile"
        } else {
            "no login events: every agent seen, always on"
        };
        let _ = writeln!(
            t,
            "count = {}   # maximum agents logged in at once ({how}; {} agents seen)",
            g.max_logged_in, g.agents
        );
    }
    let both = g.assignments[0] > 0 && g.assignments[1] > 0;
    let _ = writeln!(
        t,
        "{}",
        if both {
            "mode = \"blended\"   # assignments in both channels, by the same agents"
        } else {
            "mode = \"dedicated\""
        }
    );
    let names: Vec<String> = skills.iter().map(|(s, _)| q(&name(s))).collect();
    let counts: Vec<String> = skills.iter().map(|(s, n)| format!("{s} {n}")).collect();
    let _ = writeln!(
        t,
        "skills = [{}]   # assignments: {}",
        names.join(", "),
        counts.join(", ")
    );
    let mut cap = Vec::new();
    for (c, chn) in ["live_chat", "messaging"].iter().enumerate() {
        if g.assignments[c] > 0 {
            cap.push(format!("{chn} = {}", g.capacity[c].clamp(1, 1000)));
        }
    }
    cap.push(format!("total = {}", g.capacity_total.clamp(1, 2000)));
    let _ = writeln!(
        t,
        "capacity = {{ {} }}   # maximum concurrent open conversations of one agent",
        cap.join(", ")
    );
    if let (Some(b), Some(d), Some(a)) = (&g.breaks_per_session, &g.break_duration, &g.break_after)
    {
        let _ = writeln!(
            t,
            "# breaks: {} per login session; length median {}s, starting a median {}s after login (breaks need shifts in a scenario: not written)",
            num(b.value),
            num(median(d)),
            num(median(a))
        );
    }
    t.push('\n');
}

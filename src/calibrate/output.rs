//! The fit's exporters, pure functions from a [`FitResult`] to bytes:
//!
//! - [`fit_csv`]: `fit.csv`, one row per estimate:
//!   `skill,group,parameter,estimate,ci_low,ci_high,method,n,goodness_of_fit`
//!   (times in seconds; an empty interval where none exists).
//! - [`fitted`]: `fitted.toml`, a scenario the loader accepts, every value
//!   commented with where it came from and how many observations, plus the
//!   CSV files of any empirical distribution it names (written beside it).
//!
//! Keys the loader does not read yet are written as comments in their
//! exact SPEC §10 syntax directly above the key they will replace:
//! `arrivals = { profile = [..], per = "30m", day_cv = … }`, `retry = {…}`
//! and, for staffing, `count = { profile = [..], per = "30m" }` above the
//! `count` that is written today (the maximum number of agents seen logged
//! in at once). Switching is deleting one line and uncommenting the other.
//! Durations are written as seconds with a unit (`"41.3s"`).

use super::result::{Delayed, Estimate, FitResult, GroupFit, SkillFit, slot_label};
use super::stats::{CountFit, DurationFit, Family};
use std::fmt::Write as _;

/// A number in at most 6 significant digits, no trailing zeros.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x == x.round() && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = (5 - mag).clamp(0, 12) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    s
}

/// A duration string in seconds with a unit.
fn dur(x: f64) -> String {
    format!("\"{}s\"", num(x.max(0.0)))
}

/// The interval as the loader writes it (`"30m"`, `"1h"`, `"900s"`).
fn per(interval: f64) -> String {
    if interval % 3600.0 == 0.0 {
        format!("\"{}h\"", num(interval / 3600.0))
    } else if interval % 60.0 == 0.0 {
        format!("\"{}m\"", num(interval / 60.0))
    } else {
        format!("\"{}s\"", num(interval))
    }
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name the loader accepts (no '.').
fn name(s: &str) -> String {
    s.replace('.', "_")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

struct Rows(String);

impl Rows {
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        skill: &str,
        group: &str,
        p: &str,
        est: f64,
        ci: Option<(f64, f64)>,
        method: &str,
        n: u64,
        gof: &str,
    ) {
        let (lo, hi) = ci.map_or((String::new(), String::new()), |(a, b)| (num(a), num(b)));
        let _ = writeln!(
            self.0,
            "{},{},{},{},{lo},{hi},{},{n},{}",
            csv_field(skill),
            csv_field(group),
            csv_field(p),
            num(est),
            csv_field(method),
            csv_field(gof)
        );
    }

    fn est(&mut self, skill: &str, group: &str, p: &str, e: &Estimate) {
        self.row(skill, group, p, e.value, e.ci, &e.method, e.n, "");
    }

    fn dist(&mut self, skill: &str, group: &str, p: &str, f: &DurationFit, what: &str) {
        let fam = f.chosen.family;
        let tried: Vec<&str> = f.candidates.iter().map(|c| c.family.name()).collect();
        let method = match fam {
            Family::Deterministic => format!("{what}; every value equal"),
            Family::Empirical => format!(
                "{what}; empirical: no family fits (best by AIC of {} has KS p < 0.01); mean interval: normal approximation",
                tried.join("/")
            ),
            _ => format!(
                "{what}; {} by maximum likelihood, chosen by AIC among {}; mean interval: normal approximation",
                fam.name(),
                tried.join("/")
            ),
        };
        self.row(
            skill,
            group,
            &format!("{p}.mean"),
            f.mean,
            Some(f.mean_ci),
            &method,
            f.n,
            &f.goodness(),
        );
        match fam {
            Family::Lognormal | Family::Gamma => self.row(
                skill,
                group,
                &format!("{p}.sd"),
                f.chosen.b,
                None,
                &format!("{} MLE", fam.name()),
                f.sample_n as u64,
                "",
            ),
            Family::Weibull => {
                self.row(
                    skill,
                    group,
                    &format!("{p}.shape"),
                    f.chosen.a,
                    None,
                    "weibull MLE",
                    f.sample_n as u64,
                    "",
                );
                self.row(
                    skill,
                    group,
                    &format!("{p}.scale"),
                    f.chosen.b,
                    None,
                    "weibull MLE",
                    f.sample_n as u64,
                    "",
                );
            }
            _ => {}
        }
    }

    fn delayed(&mut self, skill: &str, p: &str, d: &Delayed, what: &str) {
        self.est(skill, "", &format!("{p}.probability"), &d.probability);
        if let Some(a) = &d.after {
            self.dist(skill, "", &format!("{p}.after"), a, what);
        }
    }
}

/// `fit.csv` as bytes.
pub fn fit_csv(fit: &FitResult) -> Vec<u8> {
    let mut r = Rows(String::from(
        "skill,group,parameter,estimate,ci_low,ci_high,method,n,goodness_of_fit\n",
    ));
    let weeks = fit.weeks.max(1e-9);
    for s in &fit.skills {
        let k = s.name.as_str();
        let total: f64 = s.profile.iter().sum();
        let h = 1.959_963_984_540_054 * (s.fresh_arrivals as f64).sqrt() / weeks;
        r.row(
            k,
            "",
            "arrivals.per_week",
            total,
            Some(((total - h).max(0.0), total + h)),
            "fresh arrivals ÷ weeks observed (Poisson normal approximation)",
            s.fresh_arrivals,
            "",
        );
        for (i, &v) in s.profile.iter().enumerate() {
            let count = (v * fit.weeks).round();
            let half = if count > 0.0 {
                v * 1.959_963_984_540_054 / count.sqrt()
            } else {
                0.0
            };
            r.row(
                k,
                "",
                &format!("arrivals.{}", slot_label(i, fit.interval)),
                v,
                Some(((v - half).max(0.0), v + half)),
                "fresh arrivals in this slot ÷ times observed (Poisson normal approximation)",
                count as u64,
                "",
            );
        }
        if let Some(e) = &s.day_cv {
            r.est(k, "", "arrivals.day_cv", e);
        }
        if let Some(c) = &s.exchanges {
            let aic: Vec<String> = c
                .aic
                .iter()
                .map(|(f, a)| format!("{f} AIC {}", num(*a)))
                .collect();
            let method = format!(
                "consumer messages per conversation; {} ({}); mean interval: normal approximation",
                c.family,
                aic.join(", ")
            );
            let gof = if c.family == "deterministic" {
                "all values equal".to_string()
            } else {
                format!("KS D={:.4} p={:.3}", c.ks_d, c.ks_p)
            };
            r.row(
                k,
                "",
                "exchanges.mean",
                c.mean,
                Some(c.mean_ci),
                &method,
                c.n,
                &gof,
            );
        }
        if let Some(f) = &s.consumer_reply {
            r.dist(
                k,
                "",
                "consumer_reply",
                f,
                "agent message → next consumer message",
            );
        }
        if let Some(f) = &s.effort {
            r.dist(
                k,
                "",
                "agent_reply",
                f,
                "effort per reply from the agent's timeline (see calibrate::fit)",
            );
        }
        if let Some(p) = &s.patience {
            let n = p.abandoned + p.censored;
            r.row(
                k,
                "",
                "patience.mean",
                p.mean,
                Some(p.mean_ci),
                "exponential, censored MLE: total wait ÷ abandonments (exact chi-square interval)",
                n,
                &format!(
                    "{} abandoned, {} censored by assignment",
                    p.abandoned, p.censored
                ),
            );
            if let Some(km) = &p.km {
                if let Some(m) = km.median {
                    r.row(
                        k,
                        "",
                        "patience.km_median",
                        m,
                        km.median_ci,
                        "Kaplan–Meier median (bootstrap interval, 200 resamples)",
                        n,
                        "",
                    );
                }
                r.row(
                    k,
                    "",
                    "patience.km_restricted_mean",
                    km.restricted_mean,
                    Some(km.restricted_mean_ci),
                    &format!(
                        "Kaplan–Meier mean restricted to {}s (bootstrap interval, 200 resamples)",
                        num(km.tau)
                    ),
                    n,
                    "",
                );
            }
            r.row(
                k,
                "",
                "patience.naive_mean",
                p.naive_mean,
                None,
                "mean of abandoned waits only: biased low, not used",
                p.abandoned,
                "",
            );
        }
        if let Some(d) = &s.returns {
            r.delayed(
                k,
                "returns",
                d,
                "solve → reopen or new conversation of the same consumer",
            );
        }
        if let Some(e) = &s.reopen_rate {
            r.est(k, "", "reopen_rate", e);
        }
        if let Some(d) = &s.retry {
            r.delayed(
                k,
                "retry",
                d,
                "abandonment → new conversation of the same consumer",
            );
        }
        if let Some(e) = &s.transfer {
            r.est(k, "", "transfer.probability", e);
            let total: u64 = s.transfer_targets.iter().map(|t| t.1).sum();
            for (t, n) in &s.transfer_targets {
                if let Some(e) = Estimate::share(*n, total, "share of transfers") {
                    r.est(k, "", &format!("transfer.to.{t}"), &e);
                }
            }
        }
        if let Some(d) = &s.park {
            r.delayed(k, "park", d, "agent reply → parked");
        }
        if let Some(d) = &s.auto_close {
            r.delayed(k, "auto_close", d, "last agent reply → auto-close");
        }
        if let Some(f) = &s.timer {
            r.dist(
                k,
                "",
                "solved_to_closed",
                f,
                "solved → closed by the style timer",
            );
        }
        if let Some(e) = &s.consumer_close {
            r.est(k, "", "consumer_close_probability", e);
        }
        if let Some((v, n)) = s.response_sla {
            r.row(
                k,
                "",
                "response_sla",
                v,
                None,
                "most frequent sla= in detail",
                n,
                "",
            );
        }
    }
    for g in &fit.groups {
        group_rows(&mut r, g, fit);
    }
    r.0.into_bytes()
}

fn group_rows(r: &mut Rows, g: &GroupFit, fit: &FitResult) {
    let n = g.name.as_str();
    let how = if g.has_logins {
        "from login/logout events"
    } else {
        "no login events: agents seen"
    };
    r.row(
        "",
        n,
        "count",
        g.max_logged_in as f64,
        None,
        &format!("maximum agents logged in at once ({how})"),
        g.agents as u64,
        "",
    );
    for (c, chn) in ["live_chat", "messaging"].iter().enumerate() {
        if g.assignments[c] > 0 {
            r.row(
                "",
                n,
                &format!("capacity.{chn}"),
                g.capacity[c] as f64,
                None,
                "maximum concurrent open conversations of one agent",
                g.assignments[c],
                "",
            );
        }
    }
    r.row(
        "",
        n,
        "capacity.total",
        g.capacity_total as f64,
        None,
        "maximum concurrent open conversations of one agent",
        g.assignments[0] + g.assignments[1],
        "",
    );
    for (s, k) in &g.skills {
        r.row(
            s,
            n,
            "assignments",
            *k as f64,
            None,
            "assigned rows of this group's agents",
            *k,
            "",
        );
    }
    if g.has_logins {
        for (i, &v) in g.logged_in.iter().enumerate() {
            r.row(
                "",
                n,
                &format!("logged_in.{}", slot_label(i, fit.interval)),
                v,
                None,
                "mean agents logged in over the slot, averaged over the weeks observed",
                g.agents as u64,
                "",
            );
        }
    }
    if let Some(e) = &g.breaks_per_session {
        r.est("", n, "breaks.per_session", e);
    }
    if let Some(f) = &g.break_duration {
        r.dist("", n, "breaks.duration", f, "away/back_soon → online");
    }
    if let Some(f) = &g.break_after {
        r.dist("", n, "breaks.after", f, "login → away/back_soon");
    }
}

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
    format!(
        "# {what}: {} observations (fitted on {}), mean {}s [{}s, {}s]; {} chosen by AIC ({}); {}",
        f.n,
        f.sample_n,
        num(f.mean),
        num(f.mean_ci.0),
        num(f.mean_ci.1),
        f.chosen.family.name(),
        tried.join(", "),
        f.goodness()
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
        .filter(|s| s.arrivals > 0 || s.agent_replies_seen())
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
                "# returns: {} ({} of {} solves), delay from the solve\nreturns = {{ probability = {}, after = {after} }}",
                d.probability.method,
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
    if g.has_logins {
        let _ = writeln!(
            t,
            "# logged-in agents per {} slot (mean over the slot, averaged over {} weeks, rounded); SPEC §10, not read by the loader yet:",
            per(fit.interval).trim_matches('"'),
            num(fit.weeks)
        );
        let _ = writeln!(
            t,
            "# count = {{ profile = {}, per = {} }}",
            profile(&g.logged_in, true),
            per(fit.interval)
        );
    }
    let how = if g.has_logins {
        "from login/logout events"
    } else {
        "no login events: every agent seen, always on"
    };
    let _ = writeln!(
        t,
        "count = {}   # maximum agents logged in at once ({how}; {} agents seen)",
        g.max_logged_in, g.agents
    );
    let both = g.assignments[0] > 0 && g.assignments[1] > 0;
    let _ = writeln!(
        t,
        "mode = \"{}\"",
        if both {
            "blended   # assignments in both channels"
        } else {
            "dedicated"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(41.2345678), "41.2346");
        assert_eq!(num(0.000123456789), "0.000123457");
        assert_eq!(num(-0.0000001), "-0.0000001");
        assert_eq!(num(-0.0), "0");
        assert_eq!(per(1800.0), "\"30m\"");
        assert_eq!(per(3600.0), "\"1h\"");
        assert_eq!(q("a\"b"), "\"a\\\"b\"");
    }
}

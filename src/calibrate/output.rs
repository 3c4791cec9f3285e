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
//! `arrivals = { profile = [..], per = "30m", day_cv = … }` and `retry = {…}`.
//! Switching is deleting one line and uncommenting the other. Staffing is
//! `count = { profile = [..], per = "30m" }`, the logged-in agents per week
//! slot from the login/logout events; a log without them (or an interval
//! under a minute) gives `count = N`, the most agents seen at once.
//! Durations are written as seconds with a unit (`"41.3s"`).

use super::result::{Delayed, Estimate, FitResult, GroupFit, slot_label};
use super::stats::{DurationFit, Family};
use std::fmt::Write as _;

mod scenario;
pub use scenario::{Fitted, fitted, fitted_toml};

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
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
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

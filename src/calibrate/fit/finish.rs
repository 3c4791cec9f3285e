//! The end of a fit: sessions closed, sums and samples turned into the
//! estimates of a [`FitResult`] (profiles, `day_cv`, fitted distributions,
//! shares with their intervals, the inferred style).

use super::*;

impl Fitter {
    /// Ends the log: closes sessions and computes every estimate.
    pub fn finish(mut self, unknown: BTreeMap<String, u64>, epoch_start: Option<f64>) -> FitResult {
        let (t0, l0) = self.start.unwrap_or((0.0, 0.0));
        let (t1, l1) = self.last;
        for a in 0..self.agents.len() {
            self.end_session(a, l1);
        }
        let interval = self.o.interval;
        let mut exposure = vec![0.0; self.slots];
        spread(&mut exposure, l0, l1.max(l0), interval, 1.0 / interval);
        let span = t1 - t0;
        let weeks = span / WEEK;
        let per_day = (86_400.0 / interval).round() as usize;
        let mut skills = Vec::new();
        for s in &self.skills {
            let profile: Vec<f64> = s
                .slots
                .iter()
                .zip(&exposure)
                .map(|(&c, &e)| if e > 0.0 { c as f64 / e } else { 0.0 })
                .collect();
            let day_cv = day_cv(s, &profile, per_day, l0, l1, self.o.seed);
            skills.push(skill_fit(
                s,
                profile,
                day_cv,
                self.skills_channel(self.skill_ix[&s.name]),
            ));
        }
        let groups = self
            .groups
            .iter()
            .map(|g| GroupFit {
                name: g.name.clone(),
                skills: g
                    .skills
                    .iter()
                    .map(|(&k, &n)| (self.skills[k].name.clone(), n))
                    .collect(),
                capacity: g.capacity,
                capacity_total: g.capacity_total,
                assignments: g.assignments,
                max_logged_in: g.max_logged,
                agents: g.agents,
                has_logins: g.has_logins,
                logged_in: g
                    .slot_secs
                    .iter()
                    .zip(&exposure)
                    .map(|(&s, &e)| if e > 0.0 { s / (e * interval) } else { 0.0 })
                    .collect(),
                breaks_per_session: (g.breaks > 0).then(|| Estimate {
                    value: g.breaks as f64 / g.sessions.max(1) as f64,
                    ci: None,
                    n: g.sessions,
                    method: "breaks ÷ login sessions".into(),
                }),
                break_duration: g.break_duration.fit(),
                break_after: g.break_after.fit(),
            })
            .collect();
        FitResult {
            file: self.file.clone(),
            events: self.events,
            unknown,
            span,
            weeks,
            interval,
            epoch_start,
            in_flight_at_start: self.in_flight,
            open_at_end: self.convs.len() as u64,
            skills,
            groups,
        }
    }
}

/// `day_cv` of a skill from its full days' fresh volumes (see the module doc).
fn day_cv(
    s: &SkillAcc,
    profile: &[f64],
    per_day: usize,
    l0: f64,
    l1: f64,
    seed: u64,
) -> Option<Estimate> {
    let first = (l0 / 86_400.0).ceil() as i64;
    let last = (l1 / 86_400.0).floor() as i64; // exclusive
    let days: Vec<(f64, f64)> = (first..last)
        .map(|d| {
            let wd = d.rem_euclid(7) as usize;
            let m: f64 = profile[wd * per_day..(wd + 1) * per_day].iter().sum();
            (s.days.get(&d).copied().unwrap_or(0) as f64, m)
        })
        .filter(|&(_, m)| m > 0.0)
        .collect();
    let w = days.len() as f64 / 7.0;
    if w < 2.0 {
        return None;
    }
    let est = |ds: &[(f64, f64)]| -> f64 {
        let num: f64 = ds.iter().map(|(d, m)| (d - m).powi(2) - m).sum();
        let den: f64 = ds.iter().map(|(_, m)| m * m).sum();
        (num / den * w / (w - 1.0)).max(0.0).sqrt()
    };
    let value = est(&days);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xda7c);
    let mut boot: Vec<f64> = (0..500)
        .map(|_| {
            let r: Vec<(f64, f64)> = (0..days.len())
                .map(|_| days[rng.random_range(0..days.len())])
                .collect();
            est(&r)
        })
        .collect();
    boot.sort_by(f64::total_cmp);
    Some(Estimate {
        value,
        ci: Some((boot[12], boot[487])),
        n: days.len() as u64,
        method: "gamma-mixed Poisson moments over full days, net of Poisson noise (bootstrap over days, 500 resamples)".into(),
    })
}

fn skill_fit(
    s: &SkillAcc,
    profile: Vec<f64>,
    day_cv: Option<Estimate>,
    channel: &'static str,
) -> SkillFit {
    let timer = s.timer.fit();
    let (style, style_reason) = if channel == "live_chat" {
        ("live_chat", "live_chat channel".to_string())
    } else if s.parked > 0 || timer.as_ref().is_some_and(|t| t.mean >= 86_400.0) {
        (
            "social_messaging",
            "messaging with parking or a solved → closed timer of a day or more".to_string(),
        )
    } else if timer.is_some() {
        (
            "live_chat_returning",
            "messaging with a solved → closed timer shorter than a day".to_string(),
        )
    } else {
        (
            "live_chat",
            "messaging closed at once when solved (no style timer seen)".to_string(),
        )
    };
    let closed: u64 = s.closes.values().sum();
    let patience = s
        .patience
        .exponential_mean()
        .map(|(mean, mean_ci)| PatienceFit {
            mean,
            mean_ci,
            abandoned: s.patience.events,
            censored: s.patience.censored,
            km: s.patience.kaplan_meier(),
            naive_mean: s.patience.naive_mean().unwrap_or(0.0),
        });
    let mut targets: Vec<(String, u64)> = s.targets.iter().map(|(k, &v)| (k.clone(), v)).collect();
    targets.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let delayed = |k: u64, n: u64, method: &str, after: &Sample| {
        Estimate::share(k, n, method)
            .filter(|_| k > 0)
            .map(|probability| Delayed {
                probability,
                after: after.fit(),
            })
    };
    SkillFit {
        name: s.name.clone(),
        channel,
        style,
        style_reason,
        profile,
        fresh_arrivals: s.fresh,
        arrivals: s.arrivals,
        day_cv,
        exchanges: fit_counts(&s.exchanges),
        consumer_reply: s.consumer_reply.fit(),
        effort: s.effort.fit(),
        patience,
        returns: delayed(
            s.returns,
            s.solves,
            "returns (reopens and new conversations) ÷ solves",
            &s.return_delay,
        ),
        reopen_rate: Estimate::share(s.reopens, s.handled, "reopens ÷ handled")
            .filter(|_| s.reopens > 0),
        retry: delayed(
            s.retries,
            s.abandoned,
            "retries ÷ abandonments",
            &s.retry_delay,
        ),
        transfer: Estimate::share(s.transfers, s.agent_replies, "transfers ÷ agent replies")
            .filter(|_| s.transfers > 0),
        transfer_targets: targets,
        park: delayed(
            s.parked,
            s.agent_replies,
            "parked ÷ agent replies",
            &s.park_delay,
        ),
        auto_close: delayed(
            s.closes.get("auto_close").copied().unwrap_or(0),
            closed,
            "auto-closed ÷ closed",
            &s.auto_close_idle,
        ),
        timer,
        consumer_close: Estimate::share(
            s.closes.get("consumer").copied().unwrap_or(0),
            closed,
            "closed by the consumer ÷ closed",
        ),
        response_sla: s
            .sla
            .iter()
            .max_by_key(|(v, n)| (**n, std::cmp::Reverse(**v)))
            .map(|(&v, &n)| (v as f64, n)),
        close_reasons: s.closes.clone(),
    }
}

//! The outputs of the per-interval requirement found with time-varying
//! staffing ([`super::profile`]): the printed table, `requirements.csv`
//! (one row per variant and report interval:
//! `variant,group,interval_start,interval_label,agents`, then each
//! target's `<metric>_mean,<metric>_ci_low,<metric>_ci_high` at the answer
//! — `<metric>_<skill>_…` for a target on one skill — and `met`: `yes`,
//! `no`, or `not staffed` without demand or off shift) and the
//! chart of agents per interval (`charts/requirements`), and the rows of
//! each profile simulated, for the progress file ([`profile_rows`]). Pure:
//! results in, text or bytes out, except the chart, drawn by
//! [`crate::report::charts`].

use super::profile::Requirement;
use super::report::{Found, row};
use super::search::{Eval, Searcher};
use super::target::Target;
use crate::engine::time::label;
use crate::error::{Error, Result};
use crate::report::charts::{Estimate, Series};
use crate::report::num;
use crate::report::table::{Align, text_table};
use std::fmt::Write as _;
use std::path::Path;

/// A target's column stem in `requirements.csv`.
fn stem(t: &Target) -> String {
    match &t.skill {
        Some(s) => format!("{}_{s}", t.metric.name()),
        None => t.metric.name().to_string(),
    }
}

/// The bytes of `requirements.csv` for every search that has a requirement.
pub(crate) fn csv(found: &[Found<'_>]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let targets = found.first().map_or(&[][..], |f| &f.s.cfg.targets[..]);
    let mut head: Vec<String> = [
        "variant",
        "group",
        "interval_start",
        "interval_label",
        "agents",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    for t in targets {
        let s = stem(t);
        head.extend([
            format!("{s}_mean"),
            format!("{s}_ci_low"),
            format!("{s}_ci_high"),
        ]);
    }
    head.push("met".into());
    let fail = |e: csv::Error| Error::other(format!("cannot write requirements.csv: {e}"));
    w.write_record(&head).map_err(fail)?;
    let f6 = |v: f64| {
        if v.is_finite() {
            format!("{v:.6}")
        } else {
            String::new()
        }
    };
    for f in found {
        let Some(r) = &f.requirement else { continue };
        for (k, &start) in r.starts.iter().enumerate() {
            let mut row = vec![
                f.s.variant_name().to_string(),
                f.s.groups[0].clone(),
                num(start),
                label(start),
                r.agents[k].to_string(),
            ];
            for t in 0..targets.len() {
                match r.values[k].get(t).filter(|_| r.staffed[k]) {
                    Some(c) => row.extend([f6(c.mean), f6(c.lo), f6(c.hi)]),
                    None => row.extend([String::new(), String::new(), String::new()]),
                }
            }
            row.push(match (r.staffed[k], r.met[k]) {
                (false, _) => "not staffed".into(),
                (true, true) => "yes".into(),
                (true, false) => "no".into(),
            });
            w.write_record(&row).map_err(fail)?;
        }
    }
    w.into_inner()
        .map_err(|e| Error::other(format!("cannot write requirements.csv: {e}")))
}

/// The printed table of one search's requirement.
pub(crate) fn text(r: &Requirement, targets: &[Target], o: &mut String) {
    let _ = writeln!(o);
    let hours: f64 = r.agents.iter().map(|&a| f64::from(a)).sum::<f64>() * r.interval / 3600.0;
    let _ = writeln!(
        o,
        "Per report interval, with time-varying staffing: the group's head-count follows a \
         profile (one count per interval) over the whole horizon, so backlog carried between \
         intervals is included; {} profiles simulated, {} replications at the answer, {} \
         agent-hours.",
        r.rounds,
        r.replications,
        num((hours * 10.0).round() / 10.0)
    );
    let _ = writeln!(
        o,
        "Rule per interval: an interval meets a target when its {}% confidence interval clears \
         it (lower bound >= x for `>=`, upper bound <= x for `<=`), a statement about each \
         interval on its own, not about all intervals at once; every profile gets batches of {} \
         replications until each searched interval's target is decided (its interval on one \
         side of the target) or its half-width is below the precision, up to {}.",
        num(r.confidence * 100.0),
        r.batch,
        r.max_replications
    );
    let _ = writeln!(o);
    let mut head = vec!["interval".to_string(), "agents".to_string()];
    head.extend(targets.iter().map(|t| format!("{} mean [CI]", t.text())));
    head.push("met".to_string());
    let mut rows = vec![head];
    for (k, &start) in r.starts.iter().enumerate() {
        let mut row = vec![label(start), r.agents[k].to_string()];
        if r.staffed[k] {
            row.extend(targets.iter().zip(&r.values[k]).map(|(t, c)| t.show(c)));
            row.push(if r.met[k] { "yes" } else { "no" }.to_string());
        } else {
            row.extend(targets.iter().map(|_| "-".to_string()));
            row.push("not staffed".to_string());
        }
        rows.push(row);
    }
    o.push_str(&text_table(&rows, |_| Align::Left, "", false));
    let missed = r.missed();
    if !missed.is_empty() {
        let at: Vec<String> = missed.iter().map(|&k| label(r.starts[k])).collect();
        let _ = writeln!(
            o,
            "Not met (no constant count met it, or --max or the round cap reached) in: {}",
            at.join(", ")
        );
    }
}

/// Draws `charts/requirements` under `dir`: agents per interval, a line per variant.
pub(crate) fn chart(found: &[Found<'_>], dir: &Path) -> Result<()> {
    let series: Vec<Series> = found
        .iter()
        .filter_map(|f| {
            let r = f.requirement.as_ref()?;
            Some(Series {
                name: f.s.variant_name().to_string(),
                points: r
                    .starts
                    .iter()
                    .zip(&r.agents)
                    .map(|(&x, &a)| (x, Estimate::point(f64::from(a))))
                    .collect(),
            })
        })
        .collect();
    crate::report::charts::lines(
        &dir.join("requirements"),
        "Agents needed per interval (time-varying staffing)",
        "interval start",
        "agents",
        &series,
        Some(&|t| label(t)),
    )
}

/// The progress file's rows of profile `p`, the `round`-th simulated by the
/// time-varying search: one per staffed interval and target, in the
/// columns of `staffing.csv`, with `count` the interval's head-count in the
/// profile, `group_counts` the group's (`team=4`), `chosen` `profile N`
/// and `cost` empty.
pub(crate) fn profile_rows(
    w: &mut csv::Writer<impl std::io::Write>,
    s: &Searcher<'_>,
    round: u32,
    p: &[u32],
    e: &Eval,
    staffed: &[bool],
) -> Result<()> {
    let conf = num(s.cfg.confidence);
    let chosen = format!("profile {round}");
    let group = s.groups.first().map_or("", String::as_str);
    for (k, row_k) in e.intervals.iter().enumerate() {
        if !staffed.get(k).copied().unwrap_or(false) {
            continue;
        }
        let start = s.starts.get(k).copied().unwrap_or(f64::NAN);
        let (st, lab) = (num(start), label(start));
        let count = p.get(k).copied().unwrap_or(0).to_string();
        let gc = format!("{group}={count}");
        for ((t, _), c) in s.targets.iter().zip(row_k) {
            w.serialize(row(
                t,
                &st,
                &lab,
                &count,
                Some(&c.ci),
                &conf,
                &chosen,
                s,
                Some(e.reps),
                &gc,
                None,
            ))
            .map_err(|e| Error::other(format!("cannot write a profile row: {e}")))?;
        }
    }
    Ok(())
}

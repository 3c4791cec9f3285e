//! Charts of a fit (`ccsim fit`): for each fitted duration of each skill
//! and group, the data's distribution function (from the sample's
//! quantiles) with the chosen family's drawn over it, so a planner sees
//! where the fit departs from the data; and each skill's arrival profile
//! over the week. Pure: a [`FitResult`] in, files out (through
//! [`crate::report::charts`], written whole or not at all).

use crate::calibrate::FitResult;
use crate::calibrate::result::slot_label;
use crate::calibrate::stats::{DurationFit, Family};
use crate::error::Result;
use crate::report::charts::{self, Estimate, Series};
use std::path::Path;

/// A file-name-safe form of a skill or group name.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The (x, share) points of the data and of the fitted family.
pub fn cdf_series(f: &DurationFit) -> Vec<(String, Vec<(f64, f64)>)> {
    let q = &f.quantiles;
    let k = q.len();
    let data: Vec<(f64, f64)> = q
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            (
                x,
                if k > 1 {
                    i as f64 / (k - 1) as f64
                } else {
                    1.0
                },
            )
        })
        .collect();
    let mut series = vec![(format!("data (n = {})", f.n), data)];
    let c = &f.chosen;
    if !matches!(c.family, Family::Empirical | Family::Deterministic) && k > 1 {
        let hi = q[k - 1].max(f.mean);
        let fitted: Vec<(f64, f64)> = (0..=200)
            .map(|i| {
                let x = hi * i as f64 / 200.0;
                (x, c.cdf(x))
            })
            .collect();
        series.push((format!("fitted {}", c.family.name()), fitted));
    }
    series
}

/// Writes the charts of `fit` into `dir` (created if needed); returns the
/// stems written, in order.
///
/// # Errors
///
/// When a chart cannot be written.
pub fn write_fit_charts(dir: &Path, fit: &FitResult) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io("create", dir, e))?;
    let mut stems = Vec::new();
    let mut dist = |stem: String, title: String, f: &DurationFit| -> Result<()> {
        charts::cdf(&dir.join(&stem), &title, "seconds", &cdf_series(f))?;
        stems.push(stem);
        Ok(())
    };
    for s in &fit.skills {
        let name = safe(&s.name);
        let fits = [
            (
                "consumer_reply",
                "consumer reply time",
                s.consumer_reply.as_ref(),
            ),
            ("agent_reply", "agent effort per reply", s.effort.as_ref()),
            ("timer", "solved to closed", s.timer.as_ref()),
            (
                "return_after",
                "return delay",
                s.returns.as_ref().and_then(|d| d.after.as_ref()),
            ),
            (
                "park_after",
                "park delay",
                s.park.as_ref().and_then(|d| d.after.as_ref()),
            ),
        ];
        for (key, what, f) in fits {
            if let Some(f) = f {
                dist(
                    format!("{name}.{key}"),
                    format!("{}: {what}, data and fit", s.name),
                    f,
                )?;
            }
        }
    }
    for g in &fit.groups {
        if let Some(f) = &g.break_duration {
            dist(
                format!("group.{}.break", safe(&g.name)),
                format!("{}: break length, data and fit", g.name),
                f,
            )?;
        }
    }
    let interval = fit.interval;
    let per_hour = 3600.0 / interval;
    let label = |x: f64| slot_label((x / interval).max(0.0) as usize, interval);
    for s in &fit.skills {
        let stem = format!("{}.arrivals", safe(&s.name));
        let series = Series {
            name: format!("fresh arrivals per hour ({} observed)", s.fresh_arrivals),
            points: s
                .profile
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64 * interval, Estimate::point(v * per_hour)))
                .collect(),
        };
        charts::lines(
            &dir.join(&stem),
            &format!("{}: fitted arrival profile over the week", s.name),
            "time of the week",
            "arrivals per hour",
            &[series],
            Some(&label),
        )?;
        stems.push(stem);
    }
    Ok(stems)
}

//! The requirement source of a shift plan: agents needed per report
//! interval for the planned group, from the staffing search's per-interval
//! machinery (`ccsim staff --per-interval`, the same targets and rule).
//!
//! The group is sized *always on* (its own shifts and breaks removed: the
//! plan decides when it works) while every other group keeps its shifts.
//! [`per_interval`] is the one call a plan makes: it calls
//! [`crate::staff::requirements`] (time-varying staffing: a count profile
//! per report interval, simulated over the whole horizon) directly.

use crate::error::Result;
use crate::staff::{Requirement, StaffConfig, Target};
use crate::sweep::base::Base;
use crate::sweep::run::Overrides;
use std::path::Path;

/// What one report interval needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Need {
    /// This many agents on the floor meet every target in the interval.
    Agents(u32),
    /// Nothing is offered in the interval: no agent is needed for it.
    NoDemand,
    /// Not met up to the largest count tried (the count given is planned).
    NotMet(u32),
}

impl Need {
    /// The agents to plan for (0 without demand).
    #[must_use]
    pub fn agents(self) -> u32 {
        match self {
            Need::Agents(n) | Need::NotMet(n) => n,
            Need::NoDemand => 0,
        }
    }
}

/// The requirement curve over the measured horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirements {
    /// Interval starts, seconds since Monday 00:00 of week 0.
    pub starts: Vec<f64>,
    /// Length of a report interval (s).
    pub interval: f64,
    /// What each interval needs, in order.
    pub needs: Vec<Need>,
}

/// How to size the intervals.
#[derive(Clone, Debug)]
pub struct ReqConfig {
    /// Targets (each measured per report interval).
    pub targets: Vec<Target>,
    /// Confidence level of the decision rule.
    pub confidence: f64,
    /// Largest head-count tried.
    pub max: u32,
    /// Seed and replications.
    pub overrides: Overrides,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Memory limit per run.
    pub max_memory: Option<u64>,
    /// Show the search's spinner.
    pub progress: bool,
    /// Where the search's progress file goes (none when empty).
    pub out: std::path::PathBuf,
}

/// Agents needed per report interval for `group` of `base`, sized always on
/// (its shifts and breaks removed), by the staffing search's time-varying
/// per-interval requirement ([`crate::staff::requirements`]), called directly.
///
/// # Errors
///
/// The staffing search's errors (bad targets, too few replications, a
/// group that cannot take a count profile).
pub fn per_interval(base: &Base, group: &str, cfg: &ReqConfig) -> Result<Requirements> {
    let staff = StaffConfig {
        targets: cfg.targets.clone(),
        groups: vec![group.to_string()],
        costs: Vec::new(),
        variants: false,
        per_interval: true,
        precision_share: 0.01,
        precision_time: 0.02,
        max_replications: 100,
        confidence: cfg.confidence,
        max: cfg.max,
        out: cfg.out.clone(),
        overrides: cfg.overrides.clone(),
        threads: cfg.threads,
        progress: cfg.progress,
        max_memory: cfg.max_memory,
    };
    let req = crate::staff::requirements(base, group, &staff, true)
        .map_err(|e| e.prefixed("sizing each interval"))?;
    Ok(Requirements {
        needs: needs(&req),
        starts: req.starts,
        interval: req.interval,
    })
}

/// Each interval's need from the search's answer.
fn needs(req: &Requirement) -> Vec<Need> {
    (0..req.agents.len())
        .map(|k| match (req.staffed[k], req.met[k]) {
            (false, _) => Need::NoDemand,
            (true, true) => Need::Agents(req.agents[k]),
            (true, false) => Need::NotMet(req.agents[k]),
        })
        .collect()
}

/// The directory relative paths in the scenario resolve against.
pub(crate) fn base_dir(path: &Path) -> std::path::PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Makes the scenario's file references (`trace`, an empirical `file`)
/// absolute, so the table can be written anywhere.
pub(crate) fn absolute_paths(doc: &mut toml::Table, dir: &Path) {
    for (k, v) in doc.iter_mut() {
        match v {
            toml::Value::String(s) if k == "trace" || k == "file" => {
                let p = crate::scenario::load::resolve_path(dir, s);
                let p = std::path::absolute(&p).unwrap_or(p);
                *s = p.to_string_lossy().into_owned();
            }
            toml::Value::Table(t) => absolute_paths(t, dir),
            toml::Value::Array(a) => {
                for x in a.iter_mut() {
                    if let toml::Value::Table(t) = x {
                        absolute_paths(t, dir);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_interval_needs_the_answer_unless_it_has_no_demand() {
        let req = Requirement {
            starts: vec![0.0, 3600.0, 7200.0],
            interval: 3600.0,
            agents: vec![0, 3, 8],
            staffed: vec![false, true, true],
            values: vec![Vec::new(); 3],
            met: vec![false, true, false],
            rounds: 1,
            replications: 2,
            confidence: 0.95,
            batch: 2,
            max_replications: 2,
        };
        let needs = needs(&req);
        assert_eq!(
            needs,
            vec![Need::NoDemand, Need::Agents(3), Need::NotMet(8)]
        );
        assert_eq!(needs.iter().map(|n| n.agents()).sum::<u32>(), 11);
    }

    #[test]
    fn file_references_become_absolute() {
        let mut doc: toml::Table = toml::from_str(
            "[[skill]]\narrivals = { trace = \"t.csv\" }\nagent_reply = { dist = \"empirical\", file = \"/abs/x.csv\" }\nname = \"file\"\n",
        )
        .unwrap();
        absolute_paths(&mut doc, Path::new("/data"));
        let s = &doc["skill"][0];
        assert_eq!(s["arrivals"]["trace"].as_str(), Some("/data/t.csv"));
        assert_eq!(s["agent_reply"]["file"].as_str(), Some("/abs/x.csv"));
        assert_eq!(s["name"].as_str(), Some("file"));
    }
}

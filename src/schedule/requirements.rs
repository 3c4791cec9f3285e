//! The requirement source of a shift plan: agents needed per report
//! interval for the planned group, from the staffing search's per-interval
//! machinery (`ccsim staff --per-interval`, the same targets and rule).
//!
//! The group is sized *always on* (its own shifts and breaks removed: the
//! plan decides when it works) while every other group keeps its shifts.
//! [`per_interval`] is the one call a plan makes; the staffing module
//! offers [`crate::staff::run`] as its interface, so this runs it on the
//! modified scenario in a private temporary directory and reads back the
//! per-interval answers from its `staffing.csv`. When the per-interval
//! requirement by time-varying staffing (a count profile) arrives, only
//! this function changes.

use super::shifts::group_entry;
use crate::error::{Context, Error, Result};
use crate::staff::{StaffConfig, Target};
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
}

/// Agents needed per report interval for `group` of `base`, sized always on.
///
/// # Errors
///
/// The staffing search's errors (bad targets, too few replications), I/O
/// in the temporary directory.
pub fn per_interval(base: &Base, group: &str, cfg: &ReqConfig) -> Result<Requirements> {
    let mut doc = base.table.clone();
    let g = group_entry(&mut doc, group)
        .ok_or_else(|| Error::input(format!("the scenario has no agent group `{group}`")))?;
    g.remove("shifts");
    g.remove("breaks");
    let sim = doc
        .entry("simulation")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(s) = sim.as_table_mut() {
        s.insert("name".into(), "requirements".into());
    }
    absolute_paths(&mut doc, &base_dir(&base.path));
    let tmp = tempfile::tempdir().with_context(|| "cannot create a temporary directory")?;
    let file = tmp.path().join("requirements.toml");
    let text = toml::to_string(&doc)
        .map_err(|e| Error::other(format!("cannot write the sizing scenario: {e}")))?;
    std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
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
        out: tmp.path().join("out"),
        overrides: cfg.overrides.clone(),
        threads: cfg.threads,
        progress: cfg.progress,
        max_memory: cfg.max_memory,
    };
    // The temporary file's warnings repeat the scenario's, already shown.
    crate::staff::run(&file, &staff, &mut |_| {})
        .map_err(|e| e.prefixed("sizing each interval"))?;
    let csv = tmp.path().join("out/requirements/staffing.csv");
    let bytes = std::fs::read(&csv).with_context(|| format!("cannot read {}", csv.display()))?;
    let (starts, needs) = read_staffing(&bytes)?;
    Ok(Requirements {
        starts,
        interval: base.scenario.interval,
        needs,
    })
}

/// The per-interval answers of a `staffing.csv`: each interval's start and
/// its need (the row chosen by the confidence rule).
fn read_staffing(bytes: &[u8]) -> Result<(Vec<f64>, Vec<Need>)> {
    let bad = |why: &str| Error::other(format!("internal: staffing.csv {why}"));
    let mut r = csv::Reader::from_reader(bytes);
    let head = r.headers().map_err(|_| bad("has no header"))?.clone();
    let col = |n: &str| {
        head.iter()
            .position(|h| h == n)
            .ok_or_else(|| bad(&format!("has no `{n}` column")))
    };
    let (c_start, c_count, c_chosen) = (col("interval_start")?, col("count")?, col("chosen")?);
    let mut starts: Vec<f64> = Vec::new();
    let mut needs: Vec<Need> = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|_| bad("is not CSV"))?;
        let Some(start) = rec.get(c_start).filter(|s| !s.is_empty()) else {
            continue;
        };
        let start: f64 = start.parse().map_err(|_| bad("has a bad interval_start"))?;
        let count = rec.get(c_count).and_then(|c| c.parse::<u32>().ok());
        let need = match (rec.get(c_chosen).unwrap_or(""), count) {
            ("ci" | "ci+mean", Some(c)) => Need::Agents(c),
            ("not met", Some(c)) => Need::NotMet(c),
            ("no demand" | "not on shift", _) => Need::NoDemand,
            _ => continue,
        };
        // One row per target: the interval's first row gives its need.
        if starts.last() != Some(&start) {
            starts.push(start);
            needs.push(need);
        }
    }
    Ok((starts, needs))
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
    fn the_chosen_rows_give_each_interval_its_need() {
        let csv = "scope,interval_start,interval,count,metric,target,mean,ci_low,ci_high,confidence,met,mean_met,chosen\n\
all,,,4,service_level,>=0.8,0.9,0.85,0.95,0.95,true,true,ci+mean\n\
all,0,Mon 00:00,,service_level,>=0.8,,,,0.95,,,no demand\n\
all,3600,Mon 01:00,3,service_level,>=0.8,0.9,0.85,0.95,0.95,true,true,ci\n\
all,3600,Mon 01:00,2,service_level,>=0.8,0.8,0.7,0.9,0.95,false,true,mean\n\
all,7200,Mon 02:00,8,service_level,>=0.8,0.5,0.4,0.6,0.95,false,false,not met\n";
        let (starts, needs) = read_staffing(csv.as_bytes()).unwrap();
        assert_eq!(starts, vec![0.0, 3600.0, 7200.0]);
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

//! What a run is judged against, for its charts and tables: each skill's
//! thresholds from the scenario (`first_response_target` and
//! `response_sla`, durations drawn as vertical lines on the first- and
//! next-response distributions) and the goals given with `--target`
//! (values such as `service_level>=0.8`, drawn as horizontal lines on the
//! KPI charts of their metric and marked met or not met in the KPI
//! table). Pure: results and goals in, marks and table cells out.

use super::charts::Mark;
use super::num;
use crate::metrics::registry::{Id, Unit};
use crate::runner::RunResult;
use crate::scenario::Scenario;
use crate::staff::target::{Op, Target};

/// The thresholds of a scenario's skills and the goals of a run.
#[derive(Clone, Debug, Default)]
pub struct Goals {
    /// Per skill, in scenario order: (name, first-response target,
    /// response SLA), in seconds.
    thresholds: Vec<(String, f64, f64)>,
    /// The goals given with `--target`, in the order given.
    pub targets: Vec<Target>,
}

/// Which response-time threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// Arrival to the first agent reply (`first_response_target`).
    First,
    /// Every later consumer message to its reply (`response_sla`).
    Next,
}

impl Goals {
    /// The thresholds of `scn`'s skills and `targets`.
    ///
    /// # Errors
    ///
    /// A target naming a skill the scenario does not have (the message
    /// lists the skills).
    pub fn new(scn: &Scenario, targets: &[Target]) -> Result<Goals, String> {
        for t in targets {
            if let Some(s) = &t.skill
                && !scn.skills.iter().any(|k| &k.name == s)
            {
                let names: Vec<&str> = scn.skills.iter().map(|k| k.name.as_str()).collect();
                return Err(format!(
                    "--target `{}`: no skill `{s}` in scenario `{}` (skills: {})",
                    t.text(),
                    scn.name,
                    names.join(", ")
                ));
            }
        }
        Ok(Goals {
            thresholds: scn
                .skills
                .iter()
                .map(|k| (k.name.clone(), k.first_response_target, k.response_sla))
                .collect(),
            targets: targets.to_vec(),
        })
    }

    /// The vertical marks of a response-time distribution of `scope` (a
    /// skill's name, or anything else for all skills: each distinct
    /// threshold once), in seconds divided by `k`, labelled `target 30s`.
    #[must_use]
    pub fn response_marks(&self, which: Response, scope: &str, k: f64) -> Vec<Mark> {
        let mine = self.thresholds.iter().any(|t| t.0 == scope);
        let mut marks: Vec<Mark> = Vec::new();
        for (name, first, next) in &self.thresholds {
            if mine && name != scope {
                continue;
            }
            let secs = match which {
                Response::First => *first,
                Response::Next => *next,
            };
            let label = format!("target {}", duration(secs));
            if !marks.iter().any(|m| m.label == label) {
                marks.push(Mark {
                    value: secs / k,
                    label,
                    category: None,
                });
            }
        }
        marks
    }

    /// The horizontal marks of the `--target` goals on metric `id`, at its
    /// values divided by `k`, labelled `target ≥ 80%` (shares) or
    /// `target ≤ 30s` (times). `place` gives
    /// a target's scope (a skill's name or `all`) its category on the
    /// chart: `None` when the chart does not show that scope (no mark),
    /// `Some(None)` for a line across the whole chart. With `named`, the
    /// label names the scope (charts with a line per scope).
    #[must_use]
    pub fn goal_marks(
        &self,
        id: Id,
        k: f64,
        named: bool,
        place: impl Fn(&str) -> Option<Option<usize>>,
    ) -> Vec<Mark> {
        self.targets
            .iter()
            .filter(|t| t.metric == id)
            .filter_map(|t| {
                let category = place(t.scope())?;
                let sign = match t.op {
                    Op::AtLeast => "≥",
                    Op::AtMost => "≤",
                };
                let shown = match id.metric().unit {
                    Unit::Share => format!("{}%", num((t.value * 1e4).round() / 100.0)),
                    _ => duration(t.value),
                };
                let scope = match (&t.skill, named) {
                    (Some(s), true) => format!("{s}: "),
                    (None, true) => "all skills: ".to_string(),
                    (_, false) => String::new(),
                };
                Some(Mark {
                    value: t.value / k,
                    label: format!("{scope}target {sign} {shown}"),
                    category,
                })
            })
            .collect()
    }
}

/// A threshold as the scenario would write it: `30s`, `2m`, `1h`, `1.5h`.
fn duration(secs: f64) -> String {
    if secs >= 3600.0 && (secs / 360.0).fract() == 0.0 {
        format!("{}h", num(secs / 3600.0))
    } else if secs >= 60.0 && (secs / 60.0).fract() == 0.0 {
        format!("{}m", num(secs / 60.0))
    } else {
        format!("{}s", num((secs * 10.0).round() / 10.0))
    }
}

/// The goals' table: a header (`target`, then each result's variant),
/// then a row per target whose cells give the estimate, `[lo, hi]` and
/// `met` or `not met` (by the confidence bound on the target's side, as
/// `ccsim staff` decides; by the mean alone with a single replication).
/// Empty without targets.
#[must_use]
pub fn cells(results: &[RunResult], targets: &[Target]) -> Vec<Vec<String>> {
    if targets.is_empty() {
        return Vec::new();
    }
    let mut rows = vec![
        std::iter::once("target".to_string())
            .chain(results.iter().map(|r| r.variant.clone()))
            .collect::<Vec<_>>(),
    ];
    for t in targets {
        let mut row = vec![t.text()];
        for r in results {
            let cell = match r.summary(t.scope(), t.metric.name()) {
                Some(e) => {
                    let by_mean = e.n < 2;
                    let verdict = if t.met(&e, by_mean) { "met" } else { "not met" };
                    format!("{} {verdict}", t.show(&e))
                }
                None => "-".to_string(),
            };
            row.push(cell);
        }
        rows.push(row);
    }
    rows
}

/// How [`cells`] decides, for a note under the table.
pub const RULE: &str =
    "met: the 95% CI lies on the target's side of the bound (one replication: the mean)";

/// The goals' table as text for the terminal (empty without targets).
#[must_use]
pub fn render(results: &[RunResult], targets: &[Target]) -> String {
    let rows = cells(results, targets);
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "\nTargets ({RULE}):\n{}",
        super::table::text_table(&rows, super::table::first_left, "  ", true)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goals() -> Goals {
        Goals {
            thresholds: vec![("chat".into(), 30.0, 60.0), ("billing".into(), 30.0, 120.0)],
            targets: vec![
                Target::parse("service_level>=0.8").unwrap(),
                Target::parse("billing:service_level>=0.85").unwrap(),
                Target::parse("asa<=30s").unwrap(),
            ],
        }
    }

    #[test]
    fn thresholds_are_marked_per_skill_and_once_for_all_skills() {
        let g = goals();
        let all = g.response_marks(Response::First, "all", 1.0);
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].value, all[0].label.as_str()), (30.0, "target 30s"));
        let next = g.response_marks(Response::Next, "all", 60.0);
        let labels: Vec<&str> = next.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["target 1m", "target 2m"]);
        assert_eq!(next[1].value, 2.0);
        let billing = g.response_marks(Response::Next, "billing", 1.0);
        assert_eq!(billing.len(), 1);
        assert_eq!(billing[0].value, 120.0);
        assert_eq!(duration(5400.0), "1.5h");
        assert_eq!(duration(12.5), "12.5s");
    }

    #[test]
    fn goals_land_on_their_metric_and_scope() {
        let g = goals();
        let cats = ["chat", "billing", "all"];
        let place = |s: &str| Some(cats.iter().position(|c| *c == s));
        let sl = g.goal_marks(Id::ServiceLevel, 0.01, false, place);
        assert_eq!(sl.len(), 2);
        assert_eq!((sl[0].value, sl[0].category), (80.0, Some(2)));
        assert_eq!(sl[0].label, "target ≥ 80%");
        assert_eq!((sl[1].value, sl[1].category), (85.0, Some(1)));
        let asa = g.goal_marks(Id::Asa, 60.0, true, |_| Some(None));
        assert_eq!(asa.len(), 1);
        assert_eq!(asa[0].label, "all skills: target ≤ 30s");
        assert_eq!(asa[0].value, 0.5);
        // A chart without the target's scope gets no mark.
        assert!(
            g.goal_marks(Id::ServiceLevel, 0.01, false, |s| (s == "all")
                .then_some(None))
                .len()
                == 1
        );
        assert!(g.goal_marks(Id::Occupancy, 0.01, false, place).is_empty());
    }
}

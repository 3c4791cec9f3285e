//! The staffing search's report: the text printed on the terminal (every
//! count run, the answer, the per-interval table) and `staffing.csv`.

use super::per_interval::IvAnswer;
use super::search::Searcher;
use super::target::Target;
use crate::engine::time::label;
use crate::metrics::Estimate;
use crate::report::num;
use crate::report::table::{Align, text_table};
use std::fmt::Write as _;
use std::path::Path;

/// A row of `staffing.csv` (the header is its field names; an undefined
/// value is an empty cell).
#[derive(serde::Serialize)]
struct StaffingRow<'a> {
    scope: &'a str,
    interval_start: &'a str,
    interval: &'a str,
    count: &'a str,
    metric: &'a str,
    target: String,
    #[serde(serialize_with = "opt_num")]
    mean: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    ci_low: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    ci_high: Option<f64>,
    confidence: &'a str,
    met: Option<bool>,
    mean_met: Option<bool>,
    chosen: &'a str,
}

/// A number as [`num`] formats it; `None` as an empty cell.
fn opt_num<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&x.map_or(String::new(), num))
}

/// The search's results, ready to print and write.
pub(crate) struct Report<'a> {
    pub(crate) path: &'a Path,
    pub(crate) group: &'a str,
    pub(crate) s: &'a Searcher<'a>,
    pub(crate) answer: Option<u32>,
    pub(crate) mean_answer: Option<u32>,
    pub(crate) iv_answers: &'a [IvAnswer],
}

impl Report<'_> {
    fn conf_pct(&self) -> String {
        num(self.s.cfg.confidence * 100.0)
    }

    /// The text printed on the terminal.
    pub(crate) fn text(&self) -> String {
        let cfg = self.s.cfg;
        let targets = &cfg.targets;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "Staffing search: group `{}` of {}, {} replications, seed {}",
            self.group,
            self.path.display(),
            self.s.replications,
            self.s.seed
        );
        let _ = writeln!(
            o,
            "Rule: a head-count meets a target when its {}% confidence interval clears it \
             (lower bound >= x for `>=`, upper bound <= x for `<=`); \
             the count meeting by the means alone is shown beside it.",
            self.conf_pct()
        );
        let _ = writeln!(o);
        let cols: Vec<String> = targets.iter().map(Target::text).collect();
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec!["count".to_string()];
        head.extend(cols.iter().map(|c| format!("{c} mean [CI]")));
        head.push(format!("met ({}% CI)", self.conf_pct()));
        head.push("met (mean)".to_string());
        rows.push(head);
        for (c, e) in &self.s.cache {
            let mut r = vec![c.to_string()];
            r.extend(targets.iter().zip(&e.overall).map(|(t, ci)| t.show(ci)));
            let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
            r.push(yes(targets
                .iter()
                .zip(&e.overall)
                .all(|(t, c)| t.met(c, false))));
            r.push(yes(targets
                .iter()
                .zip(&e.overall)
                .all(|(t, c)| t.met(c, true))));
            rows.push(r);
        }
        o.push_str(&text_table(&rows, |_| Align::Left, "", false));
        let _ = writeln!(o);
        match self.answer {
            Some(c) => {
                let below = if c > 2 {
                    format!("{} agents do not", c - 1)
                } else if c == 2 {
                    "1 agent does not".to_string()
                } else {
                    "the smallest count tried".to_string()
                };
                let _ = writeln!(
                    o,
                    "Answer: {c} agents in `{}` meet every target at {}% confidence ({below}).",
                    self.group,
                    self.conf_pct()
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "Answer: no head-count up to --max {} meets every target at {}% confidence.",
                    cfg.max,
                    self.conf_pct()
                );
            }
        }
        match self.mean_answer {
            Some(c) => {
                let _ = writeln!(o, "By the means alone: {c} agents.");
            }
            None => {
                let _ = writeln!(o, "By the means alone: none up to {}.", cfg.max);
            }
        }
        if cfg.per_interval {
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "Per report interval ({}): the smallest count whose interval values meet every target.",
                crate::report::num(self.s.interval / 60.0) + " min"
            );
            let _ = writeln!(
                o,
                "Stationary-per-interval approximation: each count is simulated over the whole \
                 horizon with a constant head-count (carry-over between intervals is included), \
                 and each interval takes the smallest count that meets the targets in it; \
                 staffing is not varied within a run."
            );
            let _ = writeln!(o);
            let mut rows: Vec<Vec<String>> = Vec::new();
            let mut head = vec![
                "interval".to_string(),
                "offered".to_string(),
                "count".to_string(),
            ];
            head.extend(cols.iter().map(|c| format!("{c} mean [CI]")));
            head.push("by mean".to_string());
            rows.push(head);
            for (k, a) in self.iv_answers.iter().enumerate() {
                let start = self.s.starts.get(k).copied().unwrap_or(f64::NAN);
                let at = match a {
                    IvAnswer::Count { ci, .. } => Some(*ci),
                    IvAnswer::NotMet(top) => Some(*top),
                    _ => self.s.cache.keys().next_back().copied(),
                };
                let e = at.and_then(|c| self.s.cache.get(&c));
                let offered = e
                    .and_then(|e| e.intervals.get(k))
                    .and_then(|r| r.first())
                    .map_or("-".to_string(), |c| format!("{:.1}", c.offered));
                let mut r = vec![label(start), offered];
                match a {
                    IvAnswer::Count { ci, mean } => {
                        r.push(ci.to_string());
                        if let Some(row) = e.and_then(|e| e.intervals.get(k)) {
                            r.extend(targets.iter().zip(row).map(|(t, c)| t.show(&c.ci)));
                        }
                        r.push(mean.map_or("-".to_string(), |m| m.to_string()));
                    }
                    IvAnswer::NotMet(top) => {
                        r.push(format!("> {top}"));
                        if let Some(row) = e.and_then(|e| e.intervals.get(k)) {
                            r.extend(targets.iter().zip(row).map(|(t, c)| t.show(&c.ci)));
                        }
                        r.push("-".to_string());
                    }
                    IvAnswer::NoDemand => r.push("- (no demand)".to_string()),
                    IvAnswer::NoAgents => r.push("- (no agents on shift)".to_string()),
                }
                rows.push(r);
            }
            o.push_str(&text_table(&rows, |_| Align::Left, "", false));
        }
        o
    }

    /// The bytes of `staffing.csv`.
    pub(crate) fn csv(&self) -> Vec<u8> {
        let cfg = self.s.cfg;
        let mut w = crate::sweep::grid::results_writer(Vec::new());
        let conf = num(cfg.confidence);
        let chosen = |c: Option<u32>, ci: Option<u32>, mean: Option<u32>| match (
            c.is_some() && c == ci,
            c.is_some() && c == mean,
        ) {
            (true, true) => "ci+mean",
            (true, false) => "ci",
            (false, true) => "mean",
            (false, false) => "",
        };
        let mut row = |scope: &str,
                       start: &str,
                       lab: &str,
                       count: &str,
                       t: &Target,
                       c: Option<&Estimate>,
                       ch: &str| {
            let _ = w.serialize(StaffingRow {
                scope,
                interval_start: start,
                interval: lab,
                count,
                metric: t.metric.name(),
                target: t.bound(),
                mean: c.map(|c| c.mean),
                ci_low: c.map(|c| c.lo),
                ci_high: c.map(|c| c.hi),
                confidence: &conf,
                met: c.map(|c| t.met(c, false)),
                mean_met: c.map(|c| t.met(c, true)),
                chosen: ch,
            });
        };
        for (c, e) in &self.s.cache {
            for (t, ci) in cfg.targets.iter().zip(&e.overall) {
                let ch = chosen(Some(*c), self.answer, self.mean_answer);
                row(t.scope(), "", "", &c.to_string(), t, Some(ci), ch);
            }
        }
        for (k, a) in self.iv_answers.iter().enumerate() {
            let start = self.s.starts.get(k).copied().unwrap_or(f64::NAN);
            let (st, lab) = (num(start), label(start));
            let cell = |c: u32, t: usize| {
                self.s
                    .cache
                    .get(&c)
                    .and_then(|e| e.intervals.get(k))
                    .and_then(|r| r.get(t))
                    .map(|x| x.ci)
            };
            for (ti, t) in cfg.targets.iter().enumerate() {
                match a {
                    IvAnswer::Count { ci, mean } => {
                        let ch = chosen(Some(*ci), Some(*ci), *mean);
                        row(
                            t.scope(),
                            &st,
                            &lab,
                            &ci.to_string(),
                            t,
                            cell(*ci, ti).as_ref(),
                            ch,
                        );
                        if let Some(m) = mean.filter(|m| m != ci) {
                            row(
                                t.scope(),
                                &st,
                                &lab,
                                &m.to_string(),
                                t,
                                cell(m, ti).as_ref(),
                                "mean",
                            );
                        }
                    }
                    IvAnswer::NotMet(top) => {
                        row(
                            t.scope(),
                            &st,
                            &lab,
                            &top.to_string(),
                            t,
                            cell(*top, ti).as_ref(),
                            "not met",
                        );
                    }
                    IvAnswer::NoDemand => row(t.scope(), &st, &lab, "", t, None, "no demand"),
                    IvAnswer::NoAgents => row(t.scope(), &st, &lab, "", t, None, "not on shift"),
                }
            }
        }
        w.into_inner().unwrap_or_default()
    }
}

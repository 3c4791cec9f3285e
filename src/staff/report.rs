//! The staffing search's report: the text printed on the terminal (every
//! point run, the answer, the per-interval table, the agents needed per
//! variant), `staffing.csv`, and the progress file written as each point
//! finishes ([`Progress`]).

use super::per_interval::IvAnswer;
use super::search::{Eval, Searcher};
use super::target::Target;
use crate::engine::time::label;
use crate::error::{Error, Result};
use crate::metrics::Estimate;
use crate::report::num;
use crate::report::table::{Align, text_table};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A row of `staffing.csv` (the header is its field names; an undefined
/// value is an empty cell). The columns after `chosen` were added with
/// variants and several groups: `count` is the head-count of all sized
/// groups together, `group_counts` each group's (`a=3 b=5`).
#[derive(serde::Serialize)]
pub(super) struct StaffingRow<'a> {
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
    variant: &'a str,
    replications: Option<u32>,
    group_counts: &'a str,
    #[serde(serialize_with = "opt_num")]
    cost: Option<f64>,
}

/// A number as [`num`] formats it; `None` as an empty cell.
fn opt_num<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&x.map_or(String::new(), num))
}

/// The answer of one search.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Answer {
    /// The point chosen (a count per sized group).
    Met(Vec<u32>),
    /// Not met up to `--max`.
    NotMet,
    /// No head-count can meet a target: why.
    Infeasible(Vec<String>),
}

impl Answer {
    fn point(&self) -> Option<&[u32]> {
        match self {
            Answer::Met(p) => Some(p),
            _ => None,
        }
    }
}

/// One variant's search and its answers.
pub(crate) struct Found<'a> {
    pub(crate) s: Searcher<'a>,
    pub(crate) answer: Answer,
    pub(crate) mean_answer: Answer,
    pub(crate) iv_answers: Vec<IvAnswer>,
    /// The per-interval requirement by time-varying staffing.
    pub(crate) requirement: Option<super::profile::Requirement>,
    /// How a several-group search reached its answer (printed under it).
    pub(crate) note: Option<String>,
}

fn total(p: &[u32]) -> u64 {
    p.iter().map(|&c| u64::from(c)).sum()
}

/// `group_counts`: `a=3 b=5`.
fn group_counts(s: &Searcher<'_>, p: &[u32]) -> String {
    s.groups
        .iter()
        .zip(p)
        .map(|(g, c)| format!("{g}={c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the cost is worth showing (several groups or a cost given).
fn costed(s: &Searcher<'_>) -> bool {
    s.groups.len() > 1 || !s.cfg.costs.is_empty()
}

/// The rows of one point (overall values, one per target).
fn point_rows(
    w: &mut csv::Writer<impl std::io::Write>,
    s: &Searcher<'_>,
    p: &[u32],
    e: &Eval,
    chosen: &str,
) -> Result<()> {
    let conf = num(s.cfg.confidence);
    let (count, gc) = (total(p).to_string(), group_counts(s, p));
    for ((t, _), c) in s.targets.iter().zip(&e.overall) {
        w.serialize(row(
            t,
            "",
            "",
            &count,
            Some(c),
            &conf,
            chosen,
            s,
            Some(e.reps),
            &gc,
            Some(s.cost(p)),
        ))
        .map_err(|e| Error::other(format!("cannot write a staffing row: {e}")))?;
    }
    Ok(())
}

/// One row of `staffing.csv` (also used for the per-interval profiles'
/// rows of the progress file, [`super::req_report::profile_rows`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn row<'a>(
    t: &'a Target,
    start: &'a str,
    lab: &'a str,
    count: &'a str,
    c: Option<&Estimate>,
    conf: &'a str,
    chosen: &'a str,
    s: &'a Searcher<'_>,
    reps: Option<u32>,
    gc: &'a str,
    cost: Option<f64>,
) -> StaffingRow<'a> {
    StaffingRow {
        scope: t.scope(),
        interval_start: start,
        interval: lab,
        count,
        metric: t.metric.name(),
        target: t.bound(),
        mean: c.map(|c| c.mean),
        ci_low: c.map(|c| c.lo),
        ci_high: c.map(|c| c.hi),
        confidence: conf,
        met: c.map(|c| t.met(c, false)),
        mean_met: c.map(|c| t.met(c, true)),
        chosen,
        variant: s.variant_name(),
        replications: reps,
        group_counts: gc,
        cost,
    }
}

/// A progress file's CSV writer at `path`: a previous file there is
/// replaced, never written through a link (the new file is created
/// exclusively).
pub(crate) fn progress_writer(path: &Path) -> Result<csv::Writer<std::fs::File>> {
    let _ = std::fs::remove_file(path);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    Ok(crate::sweep::grid::results_writer(f))
}

/// The progress file: every point's rows, appended and flushed as it
/// finishes, so a long search that fails loses nothing already run.
#[derive(Default)]
pub(crate) struct Progress {
    w: Option<csv::Writer<std::fs::File>>,
    path: PathBuf,
}

impl Progress {
    /// Creates `path` (replacing a previous progress file, never through a
    /// link) with the header of `staffing.csv`.
    pub(crate) fn create(path: &Path) -> Result<Progress> {
        Ok(Progress {
            w: Some(progress_writer(path)?),
            path: path.to_path_buf(),
        })
    }

    /// Appends point `p`'s rows.
    pub(crate) fn point(&mut self, s: &Searcher<'_>, p: &[u32], e: &Eval) -> Result<()> {
        if let Some(w) = &mut self.w {
            point_rows(w, s, p, e, "")?;
            w.flush().map_err(|e| Error::io("write", &self.path, e))?;
        }
        Ok(())
    }

    /// Appends rows written by `f` (when there is a file).
    pub(crate) fn rows(
        &mut self,
        f: impl FnOnce(&mut csv::Writer<std::fs::File>) -> Result<()>,
    ) -> Result<()> {
        if let Some(w) = &mut self.w {
            f(w)?;
            w.flush().map_err(|e| Error::io("write", &self.path, e))?;
        }
        Ok(())
    }

    /// Removes the file (its rows are in `staffing.csv`).
    pub(crate) fn finish(self) {
        if self.w.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Found<'_> {
    fn chosen(&self, p: &[u32]) -> &'static str {
        let is = |a: &Answer| a.point() == Some(p);
        match (is(&self.answer), is(&self.mean_answer)) {
            (true, true) => "ci+mean",
            (true, false) => "ci",
            (false, true) => "mean",
            (false, false) => "",
        }
    }

    /// The text printed on the terminal for this search.
    pub(crate) fn text(&self, path: &Path) -> String {
        let s = &self.s;
        let cfg = s.cfg;
        let conf_pct = num(cfg.confidence * 100.0);
        let mut o = String::new();
        let what = match &s.variant {
            Some(v) => format!("variant `{v}`, "),
            None if cfg.variants => "base, ".to_string(),
            None => String::new(),
        };
        let mut groups: Vec<String> = s.groups.iter().map(|g| format!("`{g}`")).collect();
        if s.weights.is_some() && groups.len() > 1 {
            groups = vec![format!(
                "{} together, in the scenario's proportions,",
                groups.join(", ")
            )];
        }
        let _ = writeln!(
            o,
            "Staffing search: {what}group{} {} of {}, {} replications a batch (at most {}), seed {}",
            if s.groups.len() > 1 { "s" } else { "" },
            groups.join(" and "),
            path.display(),
            s.replications,
            cfg.max_replications.max(s.replications),
            s.seed
        );
        let _ = writeln!(
            o,
            "Rule: a head-count meets a target when its {conf_pct}% confidence interval clears it \
             (lower bound >= x for `>=`, upper bound <= x for `<=`; shares: Wilson interval on \
             pooled counts); replications are added until every half-width is below the \
             precision or the target is decided; the count meeting by the means alone is shown \
             beside it."
        );
        let _ = writeln!(o);
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec!["count".to_string()];
        head.extend(
            cfg.targets
                .iter()
                .map(|t| format!("{} mean [CI]", t.text())),
        );
        head.push("reps".to_string());
        if costed(s) {
            head.push("cost".to_string());
        }
        head.push(format!("met ({conf_pct}% CI)"));
        head.push("met (mean)".to_string());
        rows.push(head);
        let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
        for (p, e) in &s.cache {
            let mut r = vec![match (p.len(), &s.weights) {
                (1, _) => p[0].to_string(),
                (_, Some(_)) => format!("{} ({})", total(p), group_counts(s, p)),
                _ => group_counts(s, p),
            }];
            r.extend(cfg.targets.iter().zip(&e.overall).map(|(t, ci)| t.show(ci)));
            r.push(e.reps.to_string());
            if costed(s) {
                r.push(format!("{:.1}", s.cost(p)));
            }
            let all = |by_mean| {
                cfg.targets
                    .iter()
                    .zip(&e.overall)
                    .all(|(t, c)| t.met(c, by_mean))
            };
            r.push(yes(all(false)));
            r.push(yes(all(true)));
            rows.push(r);
        }
        o.push_str(&text_table(&rows, |_| Align::Left, "", false));
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", self.answer_line(&conf_pct));
        if let Some(n) = &self.note {
            let _ = writeln!(o, "Search: {n}; {} points simulated in all.", s.cache.len());
        }
        match &self.mean_answer {
            Answer::Met(p) => {
                let _ = writeln!(o, "By the means alone: {}.", s.show_counts(p));
            }
            Answer::NotMet => {
                let _ = writeln!(o, "By the means alone: none up to {}.", cfg.max);
            }
            Answer::Infeasible(_) => {}
        }
        if cfg.per_interval {
            self.interval_text(&mut o);
            if let Some(r) = &self.requirement {
                super::req_report::text(r, &cfg.targets, &mut o);
            }
        }
        o
    }

    fn answer_line(&self, conf_pct: &str) -> String {
        let s = &self.s;
        match &self.answer {
            Answer::Met(p) if p.len() == 1 || s.weights.is_some() => {
                let c = total(p);
                let below = if c > 2 {
                    format!("{} agents do not", c - 1)
                } else if c == 2 {
                    "1 agent does not".to_string()
                } else {
                    "the smallest count tried".to_string()
                };
                let whom = if s.weights.is_some() {
                    format!("over every group ({})", group_counts(s, p))
                } else {
                    format!("in `{}`", s.groups[0])
                };
                format!(
                    "Answer: {c} agents {whom} meet every target at {conf_pct}% confidence ({below})."
                )
            }
            Answer::Met(p) => format!(
                "Answer: {} ({} agents, cost {:.1}) is the cheapest combination meeting every \
                 target at {conf_pct}% confidence (optimal if every target is monotone in each \
                 group's count and the decision at each measured point is right; ties go to \
                 fewer agents).",
                group_counts(s, p),
                total(p),
                s.cost(p)
            ),
            Answer::NotMet => format!(
                "Answer: no head-count up to --max {} meets every target at {conf_pct}% confidence.",
                s.cfg.max
            ),
            Answer::Infeasible(why) => format!(
                "Answer: no head-count can meet the targets:\n{}",
                why.iter()
                    .map(|w| format!("  - {w}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }

    fn interval_text(&self, o: &mut String) {
        let s = &self.s;
        let targets = &s.cfg.targets;
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Per report interval ({}): the smallest count whose interval values meet every target.",
            num(s.interval / 60.0) + " min"
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
        head.extend(targets.iter().map(|t| format!("{} mean [CI]", t.text())));
        head.push("by mean".to_string());
        rows.push(head);
        for (k, a) in self.iv_answers.iter().enumerate() {
            let start = s.starts.get(k).copied().unwrap_or(f64::NAN);
            let at = match a {
                IvAnswer::Count { ci, .. } => Some(*ci),
                IvAnswer::NotMet(top) => Some(*top),
                _ => s.cache.keys().next_back().and_then(|p| p.first().copied()),
            };
            let e = at.and_then(|c| s.cache.get(&vec![c]));
            let offered = e
                .and_then(|e| e.intervals.get(k))
                .and_then(|r| r.first())
                .map_or("-".to_string(), |c| format!("{:.1}", c.offered));
            let mut r = vec![label(start), offered];
            let cells = |r: &mut Vec<String>| {
                if let Some(row) = e.and_then(|e| e.intervals.get(k)) {
                    r.extend(targets.iter().zip(row).map(|(t, c)| t.show(&c.ci)));
                }
            };
            match a {
                IvAnswer::Count { ci, mean } => {
                    r.push(ci.to_string());
                    cells(&mut r);
                    r.push(mean.map_or("-".to_string(), |m| m.to_string()));
                }
                IvAnswer::NotMet(top) => {
                    r.push(format!("> {top}"));
                    cells(&mut r);
                    r.push("-".to_string());
                }
                IvAnswer::NoDemand => r.push("- (no demand)".to_string()),
                IvAnswer::NoAgents => r.push("- (no agents on shift)".to_string()),
            }
            rows.push(r);
        }
        o.push_str(&text_table(&rows, |_| Align::Left, "", false));
    }

    /// This search's rows of `staffing.csv`.
    fn csv_rows(&self, w: &mut csv::Writer<Vec<u8>>) -> Result<()> {
        let s = &self.s;
        for (p, e) in &s.cache {
            point_rows(w, s, p, e, self.chosen(p))?;
        }
        let conf = num(s.cfg.confidence);
        for (k, a) in self.iv_answers.iter().enumerate() {
            let start = s.starts.get(k).copied().unwrap_or(f64::NAN);
            let (st, lab) = (num(start), label(start));
            let at = |c: u32| s.cache.get(&vec![c]);
            let cell = |c: u32, t: usize| {
                at(c)
                    .and_then(|e| e.intervals.get(k))
                    .and_then(|r| r.get(t))
                    .map(|x| x.ci)
            };
            for (ti, (t, _)) in s.targets.iter().enumerate() {
                let mut put = |count: Option<u32>, ch: &str| {
                    let cs = count.map_or(String::new(), |c| c.to_string());
                    let gc = count.map_or(String::new(), |c| group_counts(s, &[c]));
                    let c = count.and_then(|c| cell(c, ti));
                    let reps = count.and_then(|c| at(c)).map(|e| e.reps);
                    let cost = count.map(|c| s.cost(&[c]));
                    w.serialize(row(
                        t,
                        &st,
                        &lab,
                        &cs,
                        c.as_ref(),
                        &conf,
                        ch,
                        s,
                        reps,
                        &gc,
                        cost,
                    ))
                    .map_err(|e| Error::other(format!("cannot write a staffing row: {e}")))
                };
                match a {
                    IvAnswer::Count { ci, mean } => {
                        let ch = match mean {
                            Some(m) if m == ci => "ci+mean",
                            _ => "ci",
                        };
                        put(Some(*ci), ch)?;
                        if let Some(m) = mean.filter(|m| m != ci) {
                            put(Some(m), "mean")?;
                        }
                    }
                    IvAnswer::NotMet(top) => put(Some(*top), "not met")?,
                    IvAnswer::NoDemand => put(None, "no demand")?,
                    IvAnswer::NoAgents => put(None, "not on shift")?,
                }
            }
        }
        Ok(())
    }
}

/// The bytes of `staffing.csv`: every search's rows, variant by variant.
pub(crate) fn csv(found: &[Found<'_>]) -> Result<Vec<u8>> {
    let mut w = crate::sweep::grid::results_writer(Vec::new());
    for f in found {
        f.csv_rows(&mut w)?;
    }
    w.into_inner()
        .map_err(|e| Error::other(format!("cannot write staffing.csv: {e}")))
}

/// The agents each variant needs: a table (text) and the chart's bars.
pub(crate) fn per_variant(found: &[Found<'_>]) -> (String, Vec<(String, Option<f64>)>) {
    let mut rows = vec![vec![
        "variant".to_string(),
        "agents".to_string(),
        "by means".to_string(),
        "groups".to_string(),
        "cost".to_string(),
    ]];
    let mut bars = Vec::new();
    for f in found {
        let s = &f.s;
        let (agents, groups, cost) = match &f.answer {
            Answer::Met(p) => (
                total(p).to_string(),
                group_counts(s, p),
                format!("{:.1}", s.cost(p)),
            ),
            Answer::NotMet => (format!("> {}", s.cfg.max), String::new(), String::new()),
            Answer::Infeasible(_) => ("infeasible".into(), String::new(), String::new()),
        };
        let by_mean = f
            .mean_answer
            .point()
            .map_or("-".to_string(), |p| total(p).to_string());
        rows.push(vec![
            s.variant_name().to_string(),
            agents,
            by_mean,
            groups,
            cost,
        ]);
        bars.push((
            s.variant_name().to_string(),
            f.answer.point().map(|p| total(p) as f64),
        ));
    }
    let mut o =
        String::from("Agents needed per variant (same targets, common random numbers):\n\n");
    o.push_str(&text_table(&rows, |_| Align::Left, "", false));
    (o, bars)
}

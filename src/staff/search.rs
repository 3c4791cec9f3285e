//! The search over head-counts of one scenario (the base or one variant):
//! every point (a count per sized group) is measured once (cached) on the
//! same seed, so neighbouring points see the same demand (common random
//! numbers), with replications added in batches until every target is
//! precise enough or already decided ([`Searcher::eval`]);
//! [`Searcher::smallest`] brackets one group's count by doubling and then
//! bisects, keeping the invariant that the answer meets and the count below
//! it was run and fails, and stops early when a doubling leaves agents idle
//! without improving a target ([`Outcome::Stalled`]).

use super::StaffConfig;
use super::measure::Reps;
use super::target::{Op, Target};
use crate::error::{Error, Result};
use crate::metrics::Estimate;
use crate::metrics::registry::Unit;
use crate::scenario::Scenario;
use crate::sweep::base::Base;
use std::collections::BTreeMap;

/// One target's value in one report interval.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IvCell {
    /// The target's metric in the interval.
    pub ci: Estimate,
    /// Mean offered conversations in the interval (target's scope).
    pub offered: f64,
    /// Mean agents online with the scope's skills in the interval.
    pub online: f64,
}

/// One point's results.
#[derive(Clone, Debug)]
pub(crate) struct Eval {
    /// Per target.
    pub overall: Vec<Estimate>,
    /// Per interval, per target (empty unless per-interval).
    pub intervals: Vec<Vec<IvCell>>,
    /// Mean occupancy of all agents.
    pub occupancy: f64,
    /// Replications run.
    pub reps: u32,
}

/// A one-group search's point of a count (the others' counts fixed).
pub(crate) type PointOf<'f> = &'f dyn Fn(u32) -> Vec<u32>;

/// How a one-dimensional search ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    /// The smallest count meeting.
    Met(u32),
    /// Not met up to the cap.
    NotMet(u32),
    /// A doubling from `from` to `to` agents left them idle without
    /// improving a target: why.
    Stalled(String),
}

/// One [`Searcher::smallest`] search as a state machine (so several can
/// run side by side): a doubling bracket, then bisection.
struct Climb {
    /// Count 0 is still to be tried (a search from 0).
    zero: bool,
    /// The largest count known to fail (or `start - 1`).
    lo: u32,
    /// The next count of the doubling.
    c: u32,
    /// The target that did not improve over the last doubling, and the count before it.
    flat: Option<(usize, u32)>,
    /// The bracket's meeting end, once found (bisection).
    hi: Option<u32>,
    /// How it ended.
    out: Option<Outcome>,
}

impl Climb {
    fn new(start: u32) -> Climb {
        Climb {
            zero: start == 0,
            lo: start.saturating_sub(1),
            c: start.max(1),
            flat: None,
            hi: None,
            out: None,
        }
    }

    /// The count to measure next (None: ended).
    fn ask(&self) -> Option<u32> {
        if self.out.is_some() {
            None
        } else if self.zero {
            Some(0)
        } else if let Some(hi) = self.hi {
            Some(self.lo + (hi - self.lo) / 2)
        } else {
            Some(self.c)
        }
    }
}

/// The search's state for one scenario: the targets' scopes and every point run.
pub(crate) struct Searcher<'a> {
    pub(crate) base: &'a Base,
    pub(crate) cfg: &'a StaffConfig,
    /// The variant searched (None: the base scenario).
    pub(crate) variant: Option<String>,
    /// The sized groups.
    pub(crate) groups: Vec<String>,
    /// Each target with its scope index (a skill, or the skill count for `all`).
    pub(crate) targets: Vec<(Target, usize)>,
    pub(crate) cache: BTreeMap<Vec<u32>, Eval>,
    pub(crate) starts: Vec<f64>,
    pub(crate) interval: f64,
    /// Replications per batch (the first batch included).
    pub(crate) replications: u32,
    pub(crate) seed: u64,
    /// The first sized group's weekly login windows (empty: always logged in).
    pub(crate) shifts: Vec<crate::scenario::Shift>,
    /// Mean offered per interval and scope at the first point measured.
    pub(crate) demand: Vec<Vec<f64>>,
    /// With `--group '*'`: every group's count in the scenario, the
    /// proportions a total head-count is split in ([`split`]).
    pub(crate) weights: Option<Vec<u32>>,
    /// Per sized group: cost of one agent over the measured period
    /// (`--cost` per agent-hour × its logged-in hours).
    pub(crate) rates: Vec<f64>,
    pub(crate) bar: &'a indicatif::ProgressBar,
    pub(crate) pool: &'a rayon::ThreadPool,
    /// Where each point goes once it is measured (the progress file).
    pub(crate) log: &'a std::cell::RefCell<super::report::Progress>,
    /// The sized groups work always (their shifts and breaks removed).
    pub(crate) free: bool,
}

impl Searcher<'_> {
    /// The variant's name in files (`base` for the scenario itself).
    pub(crate) fn variant_name(&self) -> &str {
        self.variant.as_deref().unwrap_or("base")
    }

    /// The scenario (base or variant) with the sized groups at `counts`.
    pub(crate) fn scenario(&self, counts: &[u32]) -> Result<Scenario> {
        let mut doc = self.base.table.clone();
        let shown: Vec<String> = self
            .groups
            .iter()
            .zip(counts)
            .map(|(g, c)| format!("`{g}` = {c}"))
            .collect();
        let fail = |e: String| {
            Error::input(format!(
                "{}: {}with {}: {e}",
                self.base.path.display(),
                self.variant
                    .as_ref()
                    .map_or(String::new(), |v| format!("variant `{v}` ")),
                shown.join(", ")
            ))
        };
        for (g, c) in self.groups.iter().zip(counts) {
            set_count(&mut doc, self.variant.as_deref(), g, *c, self.free).map_err(fail)?;
        }
        let mut scn = self.base.validate(&doc).map_err(|e| fail(e.describe()))?;
        scn.file = self.base.path.clone();
        if let Some(v) = &self.variant {
            let var = scn
                .variants
                .iter()
                .find(|x| &x.name == v)
                .ok_or_else(|| fail(format!("no variant `{v}`")))?;
            scn = scn.with_variant(var);
        }
        scn.seed = self.seed;
        scn.replications = self.replications;
        Ok(scn)
    }

    /// The half-width below which target `t` needs no more replications.
    pub(crate) fn precision(&self, t: &Target) -> f64 {
        match t.metric.metric().unit {
            Unit::Share => self.cfg.precision_share,
            _ => self.cfg.precision_time * t.value,
        }
    }

    /// Whether `e` needs no more replications: every target's half-width is
    /// below its precision, or its interval lies wholly on one side of it.
    fn settled(&self, e: &Eval) -> bool {
        self.targets.iter().zip(&e.overall).all(|((t, _), c)| {
            let decided = t.met(c, false)
                || match t.op {
                    Op::AtLeast => c.hi < t.value,
                    Op::AtMost => c.lo > t.value,
                };
            c.n >= 2 && (decided || c.half_width() <= self.precision(t))
        })
    }

    /// Measures `counts` (once), adding replications in batches while
    /// [`Self::settled`] is not, up to `--max-replications`.
    pub(crate) fn eval(&mut self, counts: &[u32]) -> Result<&Eval> {
        self.eval_many(&[counts.to_vec()])?;
        self.cache
            .get(counts)
            .ok_or_else(|| Error::other("internal: point not run"))
    }

    /// Measures every point of `points` not measured yet, together: each
    /// round runs one batch of every point still unsettled as one job list
    /// on the pool (so independent points keep every worker busy), and a
    /// point leaves the rounds once [`Self::settled`] and is then logged to
    /// the progress file and cached (points settling in the same round in
    /// the order given). Each point gets the replications, and the values,
    /// it would get alone.
    pub(crate) fn eval_many(&mut self, points: &[Vec<u32>]) -> Result<()> {
        let mut todo: Vec<Vec<u32>> = Vec::new();
        for p in points {
            if !self.cache.contains_key(p) && !todo.contains(p) {
                todo.push(p.clone());
            }
        }
        if todo.is_empty() {
            return Ok(());
        }
        let mut scns = Vec::with_capacity(todo.len());
        for p in &todo {
            let scn = self.scenario(p)?;
            if let Some(limit) = self.cfg.max_memory {
                crate::runner::memory::estimate(
                    &scn,
                    crate::runner::Detail::Summary,
                    self.pool.current_num_threads(),
                )
                .check(limit)?;
            }
            scns.push(scn);
        }
        let mut reps = vec![Reps::default(); todo.len()];
        let mut done = vec![false; todo.len()];
        let cap = self.cfg.max_replications.max(self.replications);
        let conf = self.cfg.confidence;
        // Every open point has run the same replications (same batches).
        while let Some(first) = done.iter().position(|d| !d) {
            let n = reps[first].n;
            let batch = self.replications.min(cap - n);
            let shown: Vec<String> = (0..todo.len())
                .filter(|&i| !done[i])
                .map(|i| self.show_counts(&todo[i]))
                .collect();
            self.bar.set_message(format!(
                "{}: {} — replications {}..{} ({} points run)",
                self.variant_name(),
                shown.join(" | "),
                n + 1,
                n + batch,
                self.cache.len()
            ));
            let mut items: Vec<(&Scenario, &mut Reps, u32)> = scns
                .iter()
                .zip(reps.iter_mut())
                .zip(&done)
                .filter(|(_, d)| !**d)
                .map(|((scn, r), _)| (scn, r, batch))
                .collect();
            let bar = self.bar;
            Reps::extend_all(
                &mut items,
                &self.targets,
                self.cfg.per_interval,
                self.pool,
                &mut || bar.tick(),
            )?;
            for i in 0..todo.len() {
                if done[i] {
                    continue;
                }
                let e = reps[i].estimates(&self.targets, conf);
                if reps[i].unstable || reps[i].n >= cap || self.settled(&e) {
                    done[i] = true;
                    self.settled_point(&todo[i], &scns[i], &reps[i], e)?;
                }
            }
        }
        Ok(())
    }

    /// Keeps a point that needs no more replications: logged to the
    /// progress file at once, cached, and (the first point measured) the
    /// demand per interval taken from it.
    fn settled_point(&mut self, p: &[u32], scn: &Scenario, r: &Reps, e: Eval) -> Result<()> {
        if self.demand.is_empty() {
            let ns = scn.skills.len() + 1;
            self.demand = (0..r.n_intervals())
                .map(|k| (0..ns).map(|s| r.offered(k, s)).collect())
                .collect();
            self.starts = (0..r.n_intervals())
                .map(|k| scn.warmup + k as f64 * scn.interval)
                .collect();
            self.interval = scn.interval;
        }
        self.log.borrow_mut().point(self, p, &e)?;
        self.cache.insert(p.to_vec(), e);
        Ok(())
    }

    /// The cost of a point over the measured period.
    pub(crate) fn cost(&self, counts: &[u32]) -> f64 {
        self.rates
            .iter()
            .zip(counts)
            .map(|(r, &c)| r * f64::from(c))
            .sum()
    }

    /// `a=3 b=5`, or `3 agents` for one group.
    pub(crate) fn show_counts(&self, counts: &[u32]) -> String {
        if let [c] = counts {
            return format!("{c} agents");
        }
        let each = self
            .groups
            .iter()
            .zip(counts)
            .map(|(g, c)| format!("{g}={c}"))
            .collect::<Vec<_>>()
            .join(" ");
        if self.weights.is_some() {
            let total: u32 = counts.iter().sum();
            return format!("{total} agents ({each})");
        }
        each
    }

    /// One group's count `c` within a point (the others fixed).
    pub(crate) fn eval1(&mut self, point: &dyn Fn(u32) -> Vec<u32>, c: u32) -> Result<&Eval> {
        self.eval(&point(c))
    }

    /// The smallest count in `start..=max` (`point` makes the whole point of
    /// a count) meeting `met`: 0 when `start` is 0 and it meets, else a
    /// doubling bracket from `start` (at least 1), then
    /// bisection. Stops early ([`Outcome::Stalled`]) when a doubling leaves
    /// the agents idler (occupancy down by a quarter or more) without
    /// improving a failing target by its precision.
    pub(crate) fn smallest(
        &mut self,
        point: &dyn Fn(u32) -> Vec<u32>,
        start: u32,
        met: &dyn Fn(&Eval) -> bool,
    ) -> Result<Outcome> {
        let mut out = self.smallest_all(&[(point, start)], met)?;
        out.pop()
            .ok_or_else(|| Error::other("internal: no search ran"))
    }

    /// Several [`Self::smallest`] searches side by side: each round
    /// measures the next count of every search still running together
    /// ([`Self::eval_many`]). Each search measures the counts it would
    /// alone and ends the same way.
    pub(crate) fn smallest_all(
        &mut self,
        searches: &[(PointOf<'_>, u32)],
        met: &dyn Fn(&Eval) -> bool,
    ) -> Result<Vec<Outcome>> {
        let mut climbs: Vec<Climb> = searches.iter().map(|&(_, st)| Climb::new(st)).collect();
        loop {
            let asks: Vec<(usize, Vec<u32>)> = climbs
                .iter()
                .enumerate()
                .filter_map(|(i, cl)| cl.ask().map(|c| (i, (searches[i].0)(c))))
                .collect();
            if asks.is_empty() {
                break;
            }
            let points: Vec<Vec<u32>> = asks.iter().map(|a| a.1.clone()).collect();
            self.eval_many(&points)?;
            for (i, _) in asks {
                self.step(&mut climbs[i], searches[i].0, met)?;
            }
        }
        climbs
            .into_iter()
            .map(|cl| {
                cl.out
                    .ok_or_else(|| Error::other("internal: a search did not end"))
            })
            .collect()
    }

    /// Moves `cl` on by the count it asked for (measured; so are the
    /// counts before it that it reads).
    fn step(
        &self,
        cl: &mut Climb,
        point: &dyn Fn(u32) -> Vec<u32>,
        met: &dyn Fn(&Eval) -> bool,
    ) -> Result<()> {
        let get = |c: u32| {
            self.cache
                .get(&point(c))
                .ok_or_else(|| Error::other("internal: count not run"))
        };
        if cl.zero {
            cl.zero = false;
            if met(get(0)?) {
                cl.out = Some(Outcome::Met(0));
            }
            return Ok(());
        }
        if let Some(hi) = cl.hi {
            let mid = cl.lo + (hi - cl.lo) / 2;
            let hi = if met(get(mid)?) {
                mid
            } else {
                cl.lo = mid;
                hi
            };
            cl.hi = Some(hi);
            if hi - cl.lo <= 1 {
                cl.out = Some(Outcome::Met(hi));
            }
            return Ok(());
        }
        let c = cl.c;
        let e = get(c)?;
        if met(e) {
            if c - cl.lo <= 1 {
                cl.out = Some(Outcome::Met(c));
            } else {
                cl.hi = Some(c);
            }
            return Ok(());
        }
        if cl.lo >= 1 && cl.lo < c {
            let prev = get(cl.lo)?;
            let now = self.flat(cl.lo, prev, c, e);
            if let (Some((t, first)), Some(t2)) = (cl.flat, now)
                && t == t2
            {
                let points = [(first, get(first)?), (cl.lo, prev), (c, e)];
                cl.out = Some(Outcome::Stalled(self.stall_reason(t, &points)));
                return Ok(());
            }
            cl.flat = now.map(|t| (t, cl.lo));
        }
        cl.lo = c;
        if c >= self.cfg.max {
            cl.out = Some(Outcome::NotMet(self.cfg.max));
        } else {
            cl.c = c.saturating_mul(2).min(self.cfg.max);
        }
        Ok(())
    }

    /// The first failing target that going from `a` agents to `b` (at
    /// least twice as many) left nearly where it was — closer to its bound
    /// by less than half the gap, or by less than its precision — while the
    /// agents got idler (occupancy down by a quarter or more, so they were
    /// not all saturated).
    fn flat(&self, a: u32, ea: &Eval, b: u32, eb: &Eval) -> Option<usize> {
        if !(ea.occupancy.is_finite() && eb.occupancy.is_finite())
            || eb.occupancy > 0.75 * ea.occupancy
            || b < 2 * a
        {
            return None;
        }
        self.targets
            .iter()
            .zip(ea.overall.iter().zip(&eb.overall))
            .position(|((t, _), (x, y))| {
                if t.met(y, false) || !x.mean.is_finite() || !y.mean.is_finite() {
                    return false;
                }
                let (gain, gap) = match t.op {
                    Op::AtLeast => (y.mean - x.mean, t.value - x.mean),
                    Op::AtMost => (x.mean - y.mean, x.mean - t.value),
                };
                gain < self.precision(t) || gain < 0.5 * gap
            })
    }

    /// Why target `t` stalled over `points` (count, results).
    fn stall_reason(&self, t: usize, points: &[(u32, &Eval)]) -> String {
        let target = &self.targets[t].0;
        let values: Vec<String> = points
            .iter()
            .map(|(c, e)| format!("{} at {c} agents", target.show(&e.overall[t])))
            .collect();
        let occ: Vec<String> = points
            .iter()
            .map(|(_, e)| format!("{:.2}", e.occupancy))
            .collect();
        format!(
            "`{}` hardly improves as the head-count doubles: {} (occupancy {}: the added \
             agents wait idle while the target stays out of reach)",
            target.text(),
            values.join(", "),
            occ.join(" -> ")
        )
    }

    /// The smallest count in `lo+1..=hi` meeting `met`, given that `hi`
    /// meets it and `lo` does not (bisection, assuming monotonicity).
    fn bisect(
        &mut self,
        point: &dyn Fn(u32) -> Vec<u32>,
        mut lo: u32,
        mut hi: u32,
        met: &dyn Fn(&Eval) -> bool,
    ) -> Result<u32> {
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if met(self.eval1(point, mid)?) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }

    /// The smallest count in `1..=top` meeting `met`, by bisection between
    /// the counts already run (one sized group; assuming monotonicity).
    pub(crate) fn smallest_below(
        &mut self,
        top: u32,
        met: &dyn Fn(&Eval) -> bool,
    ) -> Result<Option<u32>> {
        let one = |c: &Vec<u32>| c.first().copied().unwrap_or(0);
        let Some(hi) = self
            .cache
            .iter()
            .filter(|(c, e)| one(c) <= top && met(e))
            .map(|(c, _)| one(c))
            .next()
        else {
            return Ok(None);
        };
        let lo = self
            .cache
            .iter()
            .filter(|(c, e)| one(c) < hi && !met(e))
            .map(|(c, _)| one(c))
            .next_back()
            .unwrap_or(0);
        self.bisect(&|c| vec![c], lo, hi, met).map(Some)
    }
}

/// `total` agents split over groups in proportion to `weights` (equal
/// shares when they are all 0) by the Sainte-Laguë (Webster) divisor
/// method: agents are handed out one at a time, each to the group with the
/// largest `weight / (2 × count + 1)`, ties to the first group. Being
/// sequential, the split of `n + 1` is that of `n` plus one agent: a larger
/// total never takes an agent from a group.
pub(crate) fn split(total: u32, weights: &[u32]) -> Vec<u32> {
    let zero = weights.iter().all(|&w| w == 0);
    let w = |i: usize| if zero { 1 } else { u64::from(weights[i]) };
    let mut out = vec![0u32; weights.len()];
    for _ in 0..total {
        let mut best: Option<usize> = None;
        for i in 0..weights.len() {
            // w_i / (2c_i + 1) > w_b / (2c_b + 1), in integers.
            let better = best.is_none_or(|b| {
                w(i) * (2 * u64::from(out[b]) + 1) > w(b) * (2 * u64::from(out[i]) + 1)
            });
            if w(i) > 0 && better {
                best = Some(i);
            }
        }
        match best {
            Some(i) => out[i] += 1,
            None => break,
        }
    }
    out
}

/// Sets the count of group `group` in the scenario table: in the variant's
/// `agents` when it has its own, else in the base's; with `free`, also
/// removes its shifts and breaks (always on).
fn set_count(
    doc: &mut toml::Table,
    variant: Option<&str>,
    group: &str,
    count: u32,
    free: bool,
) -> std::result::Result<(), String> {
    fn groups_of(t: &mut toml::Table) -> Option<&mut toml::value::Array> {
        t.get_mut("agents").and_then(toml::Value::as_array_mut)
    }
    let in_variant = variant.and_then(|v| {
        doc.get_mut("variant")
            .and_then(toml::Value::as_array_mut)?
            .iter_mut()
            .filter_map(toml::Value::as_table_mut)
            .find(|t| t.get("name").and_then(toml::Value::as_str) == Some(v))
            .filter(|t| t.contains_key("agents"))
    });
    let arr = match in_variant {
        Some(t) => groups_of(t),
        None => groups_of(doc),
    }
    .ok_or_else(|| "no [[agents]] groups".to_string())?;
    let entry = arr
        .iter_mut()
        .filter_map(toml::Value::as_table_mut)
        .find(|t| t.get("name").and_then(toml::Value::as_str) == Some(group))
        .ok_or_else(|| format!("no agent group `{group}`"))?;
    entry.insert("count".into(), toml::Value::Integer(i64::from(count)));
    if free {
        entry.remove("shifts");
        entry.remove("breaks");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn a_total_is_split_in_proportion_and_grows_in_every_group() {
        assert_eq!(split(12, &[4, 4, 2, 2]), [4, 4, 2, 2]);
        assert_eq!(split(6, &[4, 4, 2, 2]), [2, 2, 1, 1]);
        assert_eq!(split(7, &[4, 4, 2, 2]), [3, 2, 1, 1]);
        assert_eq!(split(3, &[0, 0]), [2, 1]);
        assert_eq!(split(0, &[3, 1]), [0, 0]);
        assert_eq!(split(9, &[6, 3]), [6, 3]);
        assert_eq!(split(4, &[3, 0]), [4, 0]);
        let w = [6, 6, 2, 1, 1];
        for n in 0..60 {
            let (a, b) = (split(n, &w), split(n + 1, &w));
            assert_eq!(b.iter().sum::<u32>(), n + 1);
            assert!(a.iter().zip(&b).all(|(x, y)| x <= y), "{n}: {a:?} -> {b:?}");
        }
    }
}

//! The integer program of a shift plan, solved with `good_lp` and its
//! pure-Rust `microlp` solver (branch and bound on the simplex):
//!
//! ```text
//! minimise    Σ_t unit_cost_t · x_t                 (unit cost = cost per hour × paid hours)
//! subject to  Σ_t cover(t, i) · x_t · (1 − shrinkage) ≥ req_i   for every interval i
//!             x_t ≥ 0 integer
//! ```
//!
//! `cover(t, i)` is the share of interval `i` an agent on template `t`
//! works (breaks excluded). The LP relaxation's optimum (x real) is a lower
//! bound on any plan's cost, reported beside the plan.

use crate::error::{Error, Result};
use good_lp::{
    Expression, ProblemVariables, Solution as _, SolverModel, constraint, microlp, variable,
};

/// One plan's integer program.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Agents needed on the floor per interval.
    pub req: Vec<f64>,
    /// `cover[t][i]`: share of interval `i` template `t` works, in [0, 1].
    pub cover: Vec<Vec<f64>>,
    /// Cost of one agent on template `t` over the horizon.
    pub unit_cost: Vec<f64>,
    /// Share of scheduled time on the floor: 1 − shrinkage, in (0, 1].
    pub availability: f64,
}

/// The optimum.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Agents per template.
    pub agents: Vec<u32>,
    /// Its cost.
    pub cost: f64,
    /// The LP relaxation's cost: no plan costs less.
    pub lp_bound: f64,
}

impl Problem {
    /// Intervals that need agents but that no template works in: no plan
    /// can cover them (the caller sets them apart before [`Problem::solve`]).
    #[must_use]
    pub fn uncoverable(&self) -> Vec<usize> {
        (0..self.req.len())
            .filter(|&i| self.req[i] > 0.0 && self.cover.iter().all(|c| c[i] <= 0.0))
            .collect()
    }

    /// The cost of `agents`.
    #[must_use]
    pub fn cost(&self, agents: &[u32]) -> f64 {
        agents
            .iter()
            .zip(&self.unit_cost)
            .map(|(&x, c)| f64::from(x) * c)
            .sum()
    }

    /// Whether `agents` meets every coverable interval's requirement.
    #[must_use]
    pub fn feasible(&self, agents: &[u32]) -> bool {
        let skip = self.uncoverable();
        (0..self.req.len()).all(|i| {
            skip.contains(&i)
                || self
                    .cover
                    .iter()
                    .zip(agents)
                    .map(|(c, &x)| c[i] * f64::from(x) * self.availability)
                    .sum::<f64>()
                    >= self.req[i] - 1e-6
        })
    }

    /// The cheapest integer plan covering every coverable interval, and
    /// the LP relaxation's bound.
    ///
    /// # Errors
    ///
    /// When the solver fails (it reports the reason).
    pub fn solve(&self) -> Result<Plan> {
        let lp_bound = self.optimum(false)?.1;
        let (x, _) = self.optimum(true)?;
        let agents: Vec<u32> = x.iter().map(|v| v.round().max(0.0) as u32).collect();
        if !self.feasible(&agents) {
            return Err(Error::other(
                "internal: the solver's plan does not cover every interval",
            ));
        }
        Ok(Plan {
            cost: self.cost(&agents),
            agents,
            lp_bound,
        })
    }

    /// The solver's optimum, with integer variables or not.
    fn optimum(&self, integer: bool) -> Result<(Vec<f64>, f64)> {
        let mut vars = ProblemVariables::new();
        let x: Vec<_> = self
            .unit_cost
            .iter()
            .map(|_| {
                let v = variable().min(0);
                vars.add(if integer { v.integer() } else { v })
            })
            .collect();
        let objective: Expression = x.iter().zip(&self.unit_cost).map(|(&v, &c)| c * v).sum();
        let skip = self.uncoverable();
        let mut model = vars.minimise(objective).using(microlp);
        for i in 0..self.req.len() {
            if self.req[i] <= 0.0 || skip.contains(&i) {
                continue;
            }
            let lhs: Expression = x
                .iter()
                .zip(&self.cover)
                .filter(|(_, c)| c[i] > 0.0)
                .map(|(&v, c)| (c[i] * self.availability) * v)
                .sum();
            model = model.with(constraint!(lhs >= self.req[i]));
        }
        let sol = model
            .solve()
            .map_err(|e| Error::other(format!("the shift plan's integer program: {e}")))?;
        let values: Vec<f64> = x.iter().map(|&v| sol.value(v)).collect();
        let cost = values.iter().zip(&self.unit_cost).map(|(v, c)| v * c).sum();
        Ok((values, cost))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two templates: `a` covers intervals 0-1 and costs 8, `b` covers
    /// 1-2 and costs 10. Needs 3, 5, 2: the optimum is a = 3, b = 2
    /// (interval 1 gets 5), cost 44; the LP bound is the same here.
    #[test]
    fn a_known_optimum() {
        let p = Problem {
            req: vec![3.0, 5.0, 2.0],
            cover: vec![vec![1.0, 1.0, 0.0], vec![0.0, 1.0, 1.0]],
            unit_cost: vec![8.0, 10.0],
            availability: 1.0,
        };
        let plan = p.solve().unwrap();
        assert_eq!(plan.agents, vec![3, 2]);
        assert!((plan.cost - 44.0).abs() < 1e-9);
        assert!((plan.lp_bound - 44.0).abs() < 1e-6);
        // Shrinkage 0.5 doubles the agents.
        let half = Problem {
            availability: 0.5,
            ..p.clone()
        };
        assert_eq!(half.solve().unwrap().agents, vec![6, 4]);
    }

    /// A template working half an interval needs two agents for one; a
    /// need of 1.5 costs 2 whole agents of the cheaper template (not one of
    /// each), above the relaxation's 1.5.
    #[test]
    fn the_integer_optimum_is_above_the_relaxation_when_it_must_be() {
        let p = Problem {
            req: vec![1.0, 1.0],
            cover: vec![vec![0.5, 0.0], vec![0.0, 1.0]],
            unit_cost: vec![3.0, 1.0],
            availability: 1.0,
        };
        let plan = p.solve().unwrap();
        assert_eq!(plan.agents, vec![2, 1]);
        let q = Problem {
            req: vec![1.5, 0.0],
            cover: vec![vec![1.0, 0.0], vec![1.0, 1.0]],
            unit_cost: vec![1.0, 1.2],
            availability: 1.0,
        };
        let plan = q.solve().unwrap();
        assert_eq!(plan.agents, vec![2, 0]);
        assert!((plan.lp_bound - 1.5).abs() < 1e-6);
        assert!(plan.cost > plan.lp_bound);
    }

    #[test]
    fn uncoverable_intervals_are_set_apart() {
        let p = Problem {
            req: vec![2.0, 4.0, 0.0],
            cover: vec![vec![1.0, 0.0, 0.0]],
            unit_cost: vec![1.0],
            availability: 1.0,
        };
        assert_eq!(p.uncoverable(), vec![1]);
        let plan = p.solve().unwrap();
        assert_eq!(plan.agents, vec![2]);
        assert!(p.feasible(&plan.agents) && !p.feasible(&[1]));
    }
}

//! Staffing targets: the grammar (`service_level>=0.8`, `billing:asa<=30s`,
//! [`Target::parse`]), the metrics a target may name with their direction
//! and unit, and the decision rule ([`Target::met`]): a count meets a `>=`
//! target when the lower bound of its confidence interval is at least the
//! bound, a `<=` target when the upper bound is at most it.

use crate::metrics::Estimate;
use crate::metrics::registry::{Better, Id, REGISTRY, Unit};
use crate::report::num;

/// Direction of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `metric >= value`.
    AtLeast,
    /// `metric <= value`.
    AtMost,
}

impl Op {
    /// The direction a target on `id` takes, from the registry's better
    /// direction (`None` for a metric that is neither).
    fn of(id: Id) -> Option<Op> {
        match id.metric().better {
            Better::Higher => Some(Op::AtLeast),
            Better::Lower => Some(Op::AtMost),
            Better::Neither => None,
        }
    }

    /// `>=` or `<=`.
    fn sign(self) -> &'static str {
        match self {
            Op::AtLeast => ">=",
            Op::AtMost => "<=",
        }
    }
}

/// The metrics a target may name (the registry's `target` metrics), shares
/// first (`>=` before `<=`), then durations, each in registry order.
#[must_use]
pub fn targets() -> Vec<Id> {
    let mut ids: Vec<Id> = REGISTRY
        .iter()
        .filter(|m| m.target && Op::of(m.id).is_some())
        .map(|m| m.id)
        .collect();
    ids.sort_by_key(|id| {
        (
            id.metric().unit != Unit::Share,
            Op::of(*id) != Some(Op::AtLeast),
        )
    });
    ids
}

/// `` `name>=X` `` for each of `ids`, joined by `, `.
fn forms(ids: &[Id], x: &str) -> String {
    ids.iter()
        .filter_map(|&id| Op::of(id).map(|op| format!("`{}{}{x}`", id.name(), op.sign())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The accepted target forms, for error messages and `--help`.
#[must_use]
pub fn accepted() -> String {
    let (shares, times): (Vec<Id>, Vec<Id>) = targets()
        .into_iter()
        .partition(|id| id.metric().unit == Unit::Share);
    format!(
        "accepted forms: {} (X a share from 0 to 1), {} (T in seconds, or a duration such as \
         30s or 2m); prefix `SKILL:` for one skill instead of all, e.g. \
         `billing:service_level>=0.8`",
        forms(&shares, "X"),
        forms(&times, "T")
    )
}

/// One staffing target, e.g. `service_level>=0.8` or `billing:asa<=30s`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The skill it is about, or `None` for all skills together.
    pub skill: Option<String>,
    /// The metric, one of [`targets`].
    pub metric: Id,
    /// The direction.
    pub op: Op,
    /// The bound (a share, or seconds).
    pub value: f64,
}

impl Target {
    /// Parses a target string.
    ///
    /// # Errors
    ///
    /// A message quoting the input and listing the accepted forms.
    pub fn parse(text: &str) -> Result<Target, String> {
        let bad = |why: &str| format!("invalid target `{text}`: {why}; {}", accepted());
        let s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (lhs, op, rhs) = if let Some((l, r)) = s.split_once(">=") {
            (l, Op::AtLeast, r)
        } else if let Some((l, r)) = s.split_once("<=") {
            (l, Op::AtMost, r)
        } else {
            return Err(bad("expected `>=` or `<=`"));
        };
        let (skill, metric) = match lhs.rsplit_once(':') {
            Some((sk, m)) if !sk.is_empty() => (Some(sk.to_string()), m),
            Some(_) => return Err(bad("empty skill name before `:`")),
            None => (None, lhs),
        };
        let Some((id, want)) = targets()
            .into_iter()
            .find(|id| id.name() == metric)
            .and_then(|id| Op::of(id).map(|op| (id, op)))
        else {
            return Err(bad(&format!("unknown metric `{metric}`")));
        };
        if op != want {
            return Err(bad(&format!("`{}` takes `{}`", id.name(), want.sign())));
        }
        let value = match id.metric().unit {
            Unit::Share => match rhs.parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => v,
                _ => return Err(bad(&format!("`{rhs}` is not a share from 0 to 1"))),
            },
            _ => match crate::scenario::schema::parse_duration(rhs) {
                Some(v) => v,
                None => {
                    return Err(bad(&format!(
                        "`{rhs}` is not a number of seconds or a duration"
                    )));
                }
            },
        };
        Ok(Target {
            skill,
            metric: id,
            op,
            value,
        })
    }

    /// The bound as written back, e.g. `>=0.8`.
    #[must_use]
    pub fn bound(&self) -> String {
        format!("{}{}", self.op.sign(), num(self.value))
    }

    /// The scope name: the skill, or `all`.
    #[must_use]
    pub fn scope(&self) -> &str {
        self.skill.as_deref().unwrap_or("all")
    }

    /// The target as text, e.g. `billing:service_level>=0.8`.
    #[must_use]
    pub fn text(&self) -> String {
        match &self.skill {
            Some(s) => format!("{s}:{}{}", self.metric.name(), self.bound()),
            None => format!("{}{}", self.metric.name(), self.bound()),
        }
    }

    /// Whether `c` meets the target: by its confidence bound (`lo >= x` for
    /// `>=`, `hi <= x` for `<=`; never with fewer than 2 values), or by its
    /// mean alone when `by_mean`. Undefined values never meet.
    #[must_use]
    pub fn met(&self, c: &Estimate, by_mean: bool) -> bool {
        let v = match (by_mean, self.op) {
            (true, _) => c.mean,
            (false, _) if c.n < 2 => return false,
            (false, Op::AtLeast) => c.lo,
            (false, Op::AtMost) => c.hi,
        };
        match self.op {
            Op::AtLeast => v >= self.value,
            Op::AtMost => v <= self.value,
        }
    }

    pub(crate) fn show(&self, c: &Estimate) -> String {
        let f = |v: f64| match (v.is_finite(), self.metric.metric().unit) {
            (false, _) => "-".to_string(),
            (true, Unit::Share) => format!("{v:.4}"),
            (true, _) => format!("{v:.1}s"),
        };
        format!("{} [{}, {}]", f(c.mean), f(c.lo), f(c.hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t = Target::parse("service_level>=0.8").unwrap();
        assert_eq!(
            (t.metric, t.op, t.value, t.skill.as_deref()),
            (Id::ServiceLevel, Op::AtLeast, 0.8, None)
        );
        let t = Target::parse(" billing : asa <= 30s ").unwrap();
        assert_eq!((t.metric, t.value, t.scope()), (Id::Asa, 30.0, "billing"));
        assert_eq!(t.text(), "billing:asa<=30");
        assert_eq!(
            Target::parse("first_response_mean<=2m").unwrap().value,
            120.0
        );
        for (bad, why) in [
            ("service_level<=0.8", "takes `>=`"),
            ("asa>=20", "takes `<=`"),
            ("service_level>=1.2", "not a share"),
            ("sl>=0.8", "unknown metric `sl`"),
            ("service_level=0.8", "expected `>=` or `<=`"),
            ("asa<=soon", "not a number of seconds"),
            (":asa<=3", "empty skill"),
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert!(
                e.contains(why) && e.contains("accepted forms"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn the_accepted_forms_come_from_the_registry() {
        assert_eq!(
            accepted(),
            "accepted forms: `service_level>=X`, `first_response_sl>=X`, \
`abandonment_rate<=X` (X a share from 0 to 1), `asa<=T`, `first_response_mean<=T`, \
`response_time_mean<=T` (T in seconds, or a duration such as 30s or 2m); \
prefix `SKILL:` for one skill instead of all, e.g. `billing:service_level>=0.8`"
        );
        for id in targets() {
            let unit = id.metric().unit;
            assert!(unit == Unit::Share || unit == Unit::Seconds, "{id:?}");
            assert!(id.summary_index().is_some(), "{id:?} has no summary value");
        }
    }

    #[test]
    fn the_rule_uses_the_bound_on_the_right_side() {
        let c = Estimate {
            mean: 0.82,
            lo: 0.79,
            hi: 0.85,
            n: 10,
        };
        let sl = Target::parse("service_level>=0.8").unwrap();
        assert!(!sl.met(&c, false) && sl.met(&c, true));
        let ab = Target::parse("abandonment_rate<=0.84").unwrap();
        assert!(!ab.met(&c, false) && ab.met(&c, true));
        let one = Estimate { n: 1, ..c };
        assert!(
            !Target::parse("service_level>=0.1")
                .unwrap()
                .met(&one, false)
        );
    }
}

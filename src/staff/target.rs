//! Staffing targets: the grammar (`service_level>=0.8`, `billing:asa<=30s`,
//! [`Target::parse`]), the metrics a target may name with their direction
//! and unit, and the decision rule ([`Target::met`]): a count meets a `>=`
//! target when the lower bound of its confidence interval is at least the
//! bound, a `<=` target when the upper bound is at most it.

use crate::metrics::Estimate;
use crate::report::num;

/// Direction of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `metric >= value`.
    AtLeast,
    /// `metric <= value`.
    AtMost,
}

/// The unit of a target's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Share,
    Seconds,
}

/// The metrics a target may name, with their direction and unit.
const KINDS: [(&str, Op, Unit); 6] = [
    ("service_level", Op::AtLeast, Unit::Share),
    ("first_response_sl", Op::AtLeast, Unit::Share),
    ("abandonment_rate", Op::AtMost, Unit::Share),
    ("asa", Op::AtMost, Unit::Seconds),
    ("first_response_mean", Op::AtMost, Unit::Seconds),
    ("response_time_mean", Op::AtMost, Unit::Seconds),
];

/// The accepted target forms, for error messages and `--help`.
pub const ACCEPTED: &str = "accepted forms: `service_level>=X`, `first_response_sl>=X`, \
`abandonment_rate<=X` (X a share from 0 to 1), `asa<=T`, `first_response_mean<=T`, \
`response_time_mean<=T` (T in seconds, or a duration such as 30s or 2m); \
prefix `SKILL:` for one skill instead of all, e.g. `billing:service_level>=0.8`";

/// One staffing target, e.g. `service_level>=0.8` or `billing:asa<=30s`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The skill it is about, or `None` for all skills together.
    pub skill: Option<String>,
    /// The metric, one of the names in [`ACCEPTED`].
    pub metric: &'static str,
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
        let bad = |why: &str| format!("invalid target `{text}`: {why}; {ACCEPTED}");
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
        let Some(&(name, want, unit)) = KINDS.iter().find(|(n, _, _)| *n == metric) else {
            return Err(bad(&format!("unknown metric `{metric}`")));
        };
        if op != want {
            let sign = if want == Op::AtLeast { ">=" } else { "<=" };
            return Err(bad(&format!("`{name}` takes `{sign}`")));
        }
        let value = match unit {
            Unit::Share => match rhs.parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => v,
                _ => return Err(bad(&format!("`{rhs}` is not a share from 0 to 1"))),
            },
            Unit::Seconds => match crate::scenario::schema::parse_duration(rhs) {
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
            metric: name,
            op,
            value,
        })
    }

    pub(crate) fn unit(&self) -> Unit {
        KINDS
            .iter()
            .find(|(n, _, _)| *n == self.metric)
            .map_or(Unit::Share, |k| k.2)
    }

    /// The bound as written back, e.g. `>=0.8`.
    #[must_use]
    pub fn bound(&self) -> String {
        let sign = if self.op == Op::AtLeast { ">=" } else { "<=" };
        format!("{sign}{}", num(self.value))
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
            Some(s) => format!("{s}:{}{}", self.metric, self.bound()),
            None => format!("{}{}", self.metric, self.bound()),
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
        let f = |v: f64| match (v.is_finite(), self.unit()) {
            (false, _) => "-".to_string(),
            (true, Unit::Share) => format!("{v:.4}"),
            (true, Unit::Seconds) => format!("{v:.1}s"),
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
            ("service_level", Op::AtLeast, 0.8, None)
        );
        let t = Target::parse(" billing : asa <= 30s ").unwrap();
        assert_eq!((t.metric, t.value, t.scope()), ("asa", 30.0, "billing"));
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

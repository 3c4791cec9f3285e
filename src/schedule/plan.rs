//! From templates to a plan and back to a scenario: how much of each
//! report interval an agent on a template works ([`cover`], breaks
//! excluded), its paid hours over the horizon, the agents on the floor
//! after shrinkage ([`on_floor`]), and the scenario table with the plan as
//! `[[agents]]` groups, one per template used ([`plan_table`]).

use super::shifts::Template;
use crate::engine::time::WEEK;

/// Seconds of `[a, b)` and `[c, d)` in common.
fn overlap(a: f64, b: f64, c: f64, d: f64) -> f64 {
    (b.min(d) - a.max(c)).max(0.0)
}

/// The windows of `t` (shifts repeated weekly) that may touch `[a, b)`:
/// their starts.
fn window_starts(t: &Template, a: f64, b: f64) -> impl Iterator<Item = (f64, f64)> + '_ {
    t.shifts.iter().flat_map(move |sh| {
        let first = ((a - sh.start - sh.length) / WEEK).floor() as i64;
        let last = ((b - sh.start) / WEEK).ceil() as i64;
        (first..=last).map(move |w| (sh.start + w as f64 * WEEK, sh.length))
    })
}

/// Break offsets averaged over: a staggered break starts at `after +
/// stagger·j/n` for agent `j` of `n`; the coverage takes n = 16.
const STAGGER_STEPS: u32 = 16;

/// Seconds of `[a, b)` one agent on `t` works, breaks excluded (a
/// staggered break counted as the average over the group's agents).
#[must_use]
pub fn worked(t: &Template, a: f64, b: f64) -> f64 {
    let mut total = 0.0;
    for (s0, len) in window_starts(t, a, b) {
        let on = overlap(a, b, s0, s0 + len);
        if on <= 0.0 {
            continue;
        }
        let mut off = 0.0;
        for br in &t.resolved_breaks {
            let steps = if br.stagger > 0.0 { STAGGER_STEPS } else { 1 };
            let mut sum = 0.0;
            for j in 0..steps {
                let bs = s0 + br.after + br.stagger * f64::from(j) / f64::from(steps);
                sum += overlap(a, b, bs, bs + br.duration);
            }
            off += sum / f64::from(steps);
        }
        total += on - off;
    }
    total.max(0.0)
}

/// Share of interval `[a, a + len)` one agent on `t` works.
#[must_use]
pub fn cover(t: &Template, a: f64, len: f64) -> f64 {
    (worked(t, a, a + len) / len).clamp(0.0, 1.0)
}

/// Paid hours of one agent on `t` within `[from, to)` (breaks paid).
#[must_use]
pub fn paid_hours(t: &Template, from: f64, to: f64) -> f64 {
    window_starts(t, from, to)
        .map(|(s0, len)| overlap(from, to, s0, s0 + len))
        .sum::<f64>()
        / 3600.0
}

/// Agents on the floor of `scheduled` after shrinkage: `scheduled ×
/// availability`, rounded to the nearest (half up).
#[must_use]
pub fn on_floor(scheduled: u32, availability: f64) -> u32 {
    (f64::from(scheduled) * availability + 1e-9).round() as u32
}

/// The scheduled agents that put `floor` agents on the floor: the fewest
/// whose [`on_floor`] is at least `floor`.
#[must_use]
pub fn scheduled_for(floor: u32, availability: f64) -> u32 {
    let mut x = ((f64::from(floor) - 0.5) / availability).floor().max(0.0) as u32;
    while on_floor(x, availability) < floor {
        x += 1;
    }
    x
}

/// The group name of template `t` in the plan's scenario.
#[must_use]
pub fn group_name(group: &str, t: &Template) -> String {
    format!("{group}-{}", t.name)
}

/// The base scenario table with `group` replaced by one group per template
/// with agents (`counts[t]` each; when none has any, the first template
/// with 0 agents, so the group's skills keep a group), placed where the
/// group was; every other key of the group is kept.
#[must_use]
pub fn plan_table(
    base: &toml::Table,
    group: &str,
    templates: &[Template],
    counts: &[u32],
) -> toml::Table {
    let mut doc = base.clone();
    let Some(agents) = doc.get_mut("agents").and_then(toml::Value::as_array_mut) else {
        return doc;
    };
    let Some(at) = agents
        .iter()
        .position(|g| g.get("name").and_then(toml::Value::as_str) == Some(group))
    else {
        return doc;
    };
    let toml::Value::Table(proto) = agents.remove(at) else {
        return doc;
    };
    let mut used: Vec<usize> = (0..templates.len()).filter(|&t| counts[t] > 0).collect();
    if used.is_empty() && !templates.is_empty() {
        used.push(0);
    }
    for (k, &t) in used.iter().enumerate() {
        let tp = &templates[t];
        let mut g = proto.clone();
        g.insert("name".into(), group_name(group, tp).into());
        g.insert("count".into(), i64::from(counts[t]).into());
        let mut shift = toml::Table::new();
        shift.insert("days".into(), tp.days.clone().into());
        shift.insert("start".into(), tp.start.clone().into());
        shift.insert("end".into(), tp.end.clone().into());
        g.insert(
            "shifts".into(),
            toml::Value::Array(vec![toml::Value::Table(shift)]),
        );
        match &tp.breaks {
            Some(b) => g.insert("breaks".into(), b.clone()),
            None => g.remove("breaks"),
        };
        agents.insert(at + k, toml::Value::Table(g));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Break, Shift};

    fn early(breaks: Vec<Break>) -> Template {
        let h = 3600.0;
        Template {
            name: "early".into(),
            days: "Mon-Fri".into(),
            start: "07:00".into(),
            end: "15:00".into(),
            breaks: None,
            cost: 1.0,
            shifts: (0..5)
                .map(|d| Shift {
                    start: f64::from(d) * 86_400.0 + 7.0 * h,
                    length: 8.0 * h,
                    login: None,
                })
                .collect(),
            resolved_breaks: breaks,
        }
    }

    #[test]
    fn coverage_counts_shifts_weekly_and_breaks_out() {
        let h = 3600.0;
        let t = early(Vec::new());
        assert_eq!(cover(&t, 8.0 * h, h), 1.0);
        assert_eq!(cover(&t, 6.5 * h, h), 0.5);
        assert_eq!(cover(&t, 15.0 * h, h), 0.0);
        assert_eq!(cover(&t, 5.0 * 86_400.0 + 8.0 * h, h), 0.0); // Saturday
        assert_eq!(cover(&t, WEEK + 8.0 * h, h), 1.0); // next Monday
        assert_eq!(paid_hours(&t, 0.0, WEEK), 40.0);
        assert_eq!(paid_hours(&t, 86_400.0, 2.0 * 86_400.0), 8.0);
        // A 30-minute break 4 h in: half of 11:00-12:00 off.
        let b = early(vec![Break {
            after: 4.0 * h,
            duration: 1800.0,
            stagger: 0.0,
            back_soon: false,
        }]);
        assert_eq!(cover(&b, 11.0 * h, h), 0.5);
        // Staggered over 1 h: the break spreads over 11:00-12:30.
        let s = early(vec![Break {
            after: 4.0 * h,
            duration: 1800.0,
            stagger: h,
            back_soon: false,
        }]);
        let off: f64 = (10..14).map(|k| 1.0 - cover(&s, f64::from(k) * h, h)).sum();
        assert!((off - 0.5).abs() < 1e-9, "{off}");
        assert!(cover(&s, 11.0 * h, h) < 1.0 && cover(&s, 12.0 * h, h) < 1.0);
    }

    #[test]
    fn shrinkage_rounds_to_the_nearest_agent() {
        assert_eq!(on_floor(10, 0.7), 7);
        assert_eq!(on_floor(1, 0.7), 1);
        assert_eq!(on_floor(3, 0.5), 2);
        for a in [1.0, 0.9, 0.7, 0.5, 0.25] {
            for f in 0..30 {
                let x = scheduled_for(f, a);
                assert!(on_floor(x, a) >= f);
                assert!(x == 0 || on_floor(x - 1, a) < f, "{f} {a}");
            }
        }
    }

    #[test]
    fn the_plan_replaces_the_group_in_place() {
        let base: toml::Table = toml::from_str(
            "[[agents]]\nname = \"a\"\ncount = 1\n[[agents]]\nname = \"team\"\ncount = 9\n\
             skills = [\"x\"]\nshifts = [{ days = \"daily\", start = \"00:00\", end = \"08:00\" }]\n\
             [[agents]]\nname = \"z\"\ncount = 2\n",
        )
        .unwrap();
        let mut late = early(Vec::new());
        late.name = "late".into();
        late.breaks = Some(toml::Value::Array(Vec::new()));
        let doc = plan_table(&base, "team", &[early(Vec::new()), late], &[3, 2]);
        let names: Vec<&str> = doc["agents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "team-early", "team-late", "z"]);
        let g = &doc["agents"][1];
        assert_eq!(g["count"].as_integer(), Some(3));
        assert_eq!(g["skills"][0].as_str(), Some("x"));
        assert_eq!(g["shifts"][0]["start"].as_str(), Some("07:00"));
        let none = plan_table(&base, "team", &[early(Vec::new())], &[0]);
        assert_eq!(none["agents"][1]["count"].as_integer(), Some(0));
    }
}

//! Warnings: setups that run but cannot work as the user meant, found by
//! looking across the parts of a valid scenario.

use super::super::Scenario;
use super::super::schema::RawScenario;
use super::Ctx;

/// Every warning about the resolved `scn` (read from `raw`, for lines).
pub(super) fn warnings(cx: &mut Ctx, raw: &RawScenario, scn: &Scenario) {
    unroutable(cx, raw, scn);
}

/// A skill that no agent group has: its conversations are unroutable
/// (reported per run as well).
fn unroutable(cx: &mut Ctx, raw: &RawScenario, scn: &Scenario) {
    for (i, s) in scn.skills.iter().enumerate() {
        if !scn
            .groups
            .iter()
            .any(|g| g.skills.iter().any(|&(k, _)| k == i))
        {
            let n = &s.name;
            cx.warn(
                &raw.skill[i],
                &format!("skill.{n}"),
                format!("no agent group has skill `{n}`: its conversations are unroutable"),
            );
        }
    }
}

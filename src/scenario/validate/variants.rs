//! `[[variant]]` entries for `ccsim compare`: each replaces the agent
//! groups and/or the routing of the base scenario.

use super::super::schema::RawScenario;
use super::super::{Group, Routing, Variant};
use super::skill::Skills;
use super::{Ctx, agents, names, routing};

/// The variants, each with its groups and routing resolved (the base's
/// where it replaces neither).
pub(super) fn variants(
    cx: &mut Ctx,
    raw: &RawScenario,
    skills: &Skills,
    base_groups: &[Group],
    base_routing: &Routing,
) -> Vec<Variant> {
    let mut variants: Vec<Variant> = Vec::new();
    for v in &raw.variant {
        let vr = v.get_ref();
        let vname = vr.name.get_ref().clone();
        names::no_control_chars(cx, &vr.name, "variant.name", "variant");
        if vname == "base" || vname.is_empty() || variants.iter().any(|x| x.name == vname) {
            cx.err(
                &vr.name,
                "variant.name",
                format!("variant name `{vname}` must be unique, non-empty and not `base`"),
            );
        }
        let prefix = format!("variant.{vname}");
        let groups = match &vr.agents {
            Some(a) => agents::groups(cx, a, skills, &format!("{prefix}.agents")),
            None => base_groups.to_vec(),
        };
        let routing = match &vr.routing {
            Some(r) => routing::routing(cx, Some(r), &format!("{prefix}.routing")),
            None => base_routing.clone(),
        };
        variants.push(Variant {
            name: vname,
            groups,
            routing,
        });
    }
    variants
}

//! A scenario in plain words, for the top of `report.html`: what demand,
//! which agents in which mode, which routing — the sentences a planner
//! would use to tell a colleague what was simulated.

use crate::scenario::Scenario;
use serde::Serialize;

/// The file name of a configuration value (`two_login`, `social_messaging`),
/// as the scenario file spells it.
fn word<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s.replace('_', " "),
        _ => String::new(),
    }
}

/// A duration in the largest whole unit that reads well (`90s`, `2.5h`).
pub fn duration(secs: f64) -> String {
    let (v, unit) = if secs >= 2.0 * 86_400.0 {
        (secs / 86_400.0, "d")
    } else if secs >= 2.0 * 3600.0 {
        (secs / 3600.0, "h")
    } else if secs >= 120.0 {
        (secs / 60.0, "min")
    } else {
        (secs, "s")
    };
    let s = format!("{v:.1}");
    format!("{}{unit}", s.trim_end_matches(".0"))
}

/// One sentence per skill, then per agent group, then one for routing.
pub fn scenario(scn: &Scenario) -> Vec<String> {
    let mut out = vec![format!(
        "{} measured after {} of warm-up, {} replication{}, seed {}, report interval {}.",
        duration(scn.horizon),
        duration(scn.warmup),
        scn.replications,
        if scn.replications == 1 { "" } else { "s" },
        scn.seed,
        duration(scn.interval)
    )];
    for s in &scn.skills {
        let mut t = format!(
            "Skill {}: {} in the {} style, about {:.1} conversations an hour on average, \
             {:.1} consumer messages each, {} of agent effort per reply, service-level target {}",
            s.name,
            word(&s.channel),
            word(&s.style),
            s.arrivals.mean_rate() * 3600.0,
            s.exchanges.mean(),
            duration(s.agent_reply.mean()),
            duration(s.service_level),
        );
        match &s.patience {
            Some(p) => t.push_str(&format!(
                ", consumers wait {} on average before leaving",
                duration(p.mean())
            )),
            None => t.push_str(", consumers never leave the queue"),
        }
        t.push('.');
        out.push(t);
    }
    for g in &scn.groups {
        let skills: Vec<&str> = g
            .skills
            .iter()
            .filter_map(|&(i, _)| scn.skills.get(i).map(|s| s.name.as_str()))
            .collect();
        let hours = if let Some(p) = &g.count_profile {
            format!(
                "a head-count per {} (count profile, up to {} logged in)",
                duration(p.per),
                p.max()
            )
        } else if g.shifts.is_empty() {
            "always on shift".to_string()
        } else {
            format!(
                "{} shift{} a week",
                g.shifts.len(),
                if g.shifts.len() == 1 { "" } else { "s" }
            )
        };
        out.push(format!(
            "Group {}: {} agent{}, {} mode, skills {}, capacity {} live chat / {} messaging / {} in total, {}, {} at logout.",
            g.name,
            g.count,
            if g.count == 1 { "" } else { "s" },
            word(&g.mode),
            skills.join(", "),
            g.capacity[0],
            g.capacity[1],
            g.capacity_total,
            hours,
            word(&g.logout),
        ));
    }
    out.push(format!(
        "Routing: {} accept, agents chosen by {}.",
        word(&scn.routing.accept),
        word(&scn.routing.agent_selection)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(30.0), "30s");
        assert_eq!(duration(300.0), "5min");
        assert_eq!(duration(9000.0), "2.5h");
        assert_eq!(duration(7.0 * 86_400.0), "7d");
    }

    #[test]
    fn the_example_in_words() {
        let scn = crate::scenario::load_str(
            crate::EXAMPLE,
            "example.toml",
            std::path::Path::new("."),
            "example",
        )
        .unwrap();
        let words = scenario(&scn);
        assert_eq!(words.len(), 1 + scn.skills.len() + scn.groups.len() + 1);
        assert!(words[0].starts_with("7d measured after 24h of warm-up, 10 replications"));
        assert!(
            words
                .iter()
                .any(|w| w.starts_with("Skill billing: live chat")),
            "{words:?}"
        );
        assert!(words.last().unwrap().starts_with("Routing: "));
    }
}

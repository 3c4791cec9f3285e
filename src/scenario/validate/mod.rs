//! Stage two: raw structs → a resolved [`Scenario`]. Names become indices,
//! durations seconds, distribution specs samplers; defaults are filled in.
//! Every problem is collected (not just the first) with its file, line and
//! key; setups that run but cannot work as meant are warnings.
//!
//! One file per part of the scenario: `simulation` here, [`skill`]
//! (arrivals, returns, transfers), [`agents`] (groups and capacity),
//! [`time`] (shifts and breaks), [`routing`], [`variants`], [`dists`]
//! (distribution specs → samplers), [`names`] (what a name may be) and
//! [`checks`] (warnings that look across parts).

mod agents;
mod checks;
mod dists;
mod names;
pub use names::directory_name_problem;
mod routing;
mod skill;
mod time;
mod variants;

pub use dists::{MAX_LINE, Traces, read_column, resolve_count, resolve_dist};

use super::load::{Diagnostic, ScenarioError, line_of};
use super::schema::{Dur, RawCount, RawDist, RawScenario};
use super::{CountDist, Dist, Scenario};
use std::path::Path;
use toml::Spanned;

/// The longest `solved_to_closed` the seeds allow: 28 days.
pub const MAX_SOLVED_TO_CLOSED: f64 = 28.0 * 86_400.0;

/// What validation carries from part to part: where the scenario came from
/// and the problems found so far.
pub(crate) struct Ctx<'a> {
    /// The scenario text; `None` when it came from a table (no lines).
    src: Option<&'a str>,
    /// The file (or origin) named in messages.
    file: &'a str,
    /// Directory that relative paths resolve against.
    base: &'a Path,
    /// Arrival traces read before, shared (None: read each one).
    traces: Option<&'a Traces>,
    errors: Vec<Diagnostic>,
    warnings: Vec<String>,
}

impl Ctx<'_> {
    fn line(&self, offset: Option<usize>) -> Option<usize> {
        Some(line_of(self.src?, offset?))
    }

    fn err_at(&mut self, offset: Option<usize>, key: &str, msg: impl Into<String>) {
        self.errors.push(Diagnostic {
            file: self.file.to_string(),
            line: self.line(offset),
            key: Some(key.to_string()),
            message: msg.into(),
        });
    }

    fn err<T>(&mut self, s: &Spanned<T>, key: &str, msg: impl Into<String>) {
        self.err_at(Some(s.span().start), key, msg);
    }

    fn warn_at(&mut self, offset: Option<usize>, key: &str, msg: impl Into<String>) {
        let at = match self.line(offset) {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.to_string(),
        };
        self.warnings
            .push(format!("{at}: key `{key}`: {}", msg.into()));
    }

    fn warn<T>(&mut self, s: &Spanned<T>, key: &str, msg: impl Into<String>) {
        self.warn_at(Some(s.span().start), key, msg);
    }

    fn dist(&mut self, d: &Spanned<RawDist>, key: &str) -> Option<Dist> {
        match resolve_dist(d.get_ref(), self.base) {
            Ok(x) => Some(x),
            Err(m) => {
                self.err(d, key, m);
                None
            }
        }
    }

    fn count(&mut self, d: &Spanned<RawCount>, key: &str) -> Option<CountDist> {
        match resolve_count(d.get_ref(), self.base) {
            Ok(x) => Some(x),
            Err(m) => {
                self.err(d, key, m);
                None
            }
        }
    }

    fn probability(&mut self, p: &Option<Spanned<f64>>, key: &str) -> f64 {
        match p {
            None => 0.0,
            Some(s) if (0.0..=1.0).contains(s.get_ref()) => *s.get_ref(),
            Some(s) => {
                let v = *s.get_ref();
                self.err(
                    s,
                    key,
                    format!("{v} is not a probability: expected a number from 0 to 1"),
                );
                0.0
            }
        }
    }

    fn positive_dur(&mut self, d: &Option<Spanned<Dur>>, key: &str, default: f64) -> f64 {
        match d {
            None => default,
            Some(s) if s.get_ref().0 > 0.0 => s.get_ref().0,
            Some(s) => {
                self.err(s, key, "must be longer than 0");
                default
            }
        }
    }
}

fn dur_or(d: &Option<Spanned<Dur>>, default: f64) -> f64 {
    d.as_ref().map_or(default, |s| s.get_ref().0)
}

/// `[simulation]`, resolved.
struct Simulation {
    name: String,
    horizon: f64,
    warmup: f64,
    replications: u32,
    seed: u64,
    interval: f64,
}

fn simulation(cx: &mut Ctx, raw: &RawScenario, stem: &str) -> Simulation {
    let sim = &raw.simulation;
    let name = sim
        .name
        .as_ref()
        .map_or_else(|| stem.to_string(), |n| n.get_ref().clone());
    if let Some(n) = &sim.name {
        names::directory_name(cx, n, "simulation.name");
    }
    let horizon = cx.positive_dur(&sim.horizon, "simulation.horizon", 86_400.0);
    let warmup = dur_or(&sim.warmup, 7_200.0);
    let replications = match &sim.replications {
        None => 10,
        Some(r) if (1..=1_000_000).contains(r.get_ref()) => *r.get_ref() as u32,
        Some(r) => {
            cx.err(
                r,
                "simulation.replications",
                "expected a whole number from 1 to 1000000",
            );
            1
        }
    };
    let seed = match &sim.seed {
        None => 1,
        Some(s) if *s.get_ref() >= 0 => *s.get_ref() as u64,
        Some(s) => {
            cx.err(s, "simulation.seed", "expected a whole number >= 0");
            1
        }
    };
    let interval = cx.positive_dur(&sim.interval, "simulation.interval", 1800.0);
    if interval > 0.0 && horizon / interval > 2_000_000.0 {
        cx.err_at(
            sim.interval.as_ref().map(|s| s.span().start),
            "simulation.interval",
            "too many report intervals over the horizon (more than 2,000,000): use a longer interval",
        );
    }
    Simulation {
        name,
        horizon,
        warmup,
        replications,
        seed,
        interval,
    }
}

/// Validates the raw scenario into a [`Scenario`]. `src` is the text it was
/// read from (for line numbers), `None` for a table; arrival traces come
/// from `traces` when given (read once however many scenarios use them).
pub fn validate(
    raw: RawScenario,
    src: Option<&str>,
    file: &str,
    base: &Path,
    stem: &str,
    traces: Option<&Traces>,
) -> Result<Scenario, ScenarioError> {
    let mut cx = Ctx {
        src,
        file,
        base,
        traces,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let sim = simulation(&mut cx, &raw, stem);
    let skills = skill::skills(&mut cx, &raw);
    let routing = routing::routing(&mut cx, raw.routing.as_ref(), "routing");
    let groups = agents::groups(&mut cx, &raw.agents, &skills, "agents");
    let variants = variants::variants(&mut cx, &raw, &skills, &groups, &routing);

    if !cx.errors.is_empty() {
        cx.errors.sort_by_key(|d| d.line.unwrap_or(0));
        return Err(ScenarioError {
            diagnostics: cx.errors,
        });
    }
    let scenario = Scenario {
        file: std::path::PathBuf::from(file),
        name: sim.name,
        horizon: sim.horizon,
        warmup: sim.warmup,
        replications: sim.replications,
        seed: sim.seed,
        interval: sim.interval,
        skills: skills.resolved.into_iter().flatten().collect(),
        groups,
        routing,
        variants,
        warnings: Vec::new(),
    };
    checks::warnings(&mut cx, &raw, &scenario);
    Ok(Scenario {
        warnings: cx.warnings,
        ..scenario
    })
}

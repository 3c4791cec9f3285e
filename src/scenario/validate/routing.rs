//! `[routing]` (also a variant's replacement routing): accept mode, ring,
//! agent selection, ramp-up and sticky.

use super::super::schema::{Dur, RawRouting};
use super::super::{Accept, Dist, Routing, Selection};
use super::{Ctx, dur_or};
use toml::Spanned;

/// The routing rules; `prefix` starts the keys (`routing`, or
/// `variant.NAME.routing`).
pub(super) fn routing(cx: &mut Ctx, r: Option<&Spanned<RawRouting>>, prefix: &str) -> Routing {
    let k = |key: &str| format!("{prefix}.{key}");
    let default = RawRouting::default();
    let raw = r.map_or(&default, |s| s.get_ref());
    let accept = raw.accept.as_ref().map_or(Accept::Auto, |a| *a.get_ref());
    let ring_timeout = cx.positive_dur(&raw.ring_timeout, &k("ring_timeout"), 60.0);
    if let Some(rt) = &raw.ring_timeout {
        ring_timeout_is_meaningful(cx, rt, accept, &k("ring_timeout"));
    }
    let accept_delay = match &raw.accept_delay {
        None => Dist::Exponential { mean: 8.0 },
        Some(d) => cx
            .dist(d, &k("accept_delay"))
            .unwrap_or(Dist::Deterministic { value: 0.0 }),
    };
    let ignore_probability = cx.probability(&raw.ignore_probability, &k("ignore_probability"));
    let agent_selection = raw
        .agent_selection
        .as_ref()
        .map_or(Selection::MostAvailable, |a| *a.get_ref());
    let ramp_up = raw.ramp_up.as_ref().and_then(|ru| {
        let v = ru.get_ref();
        if v.first < 0 || v.first > 1000 {
            cx.err(
                ru,
                &k("ramp_up.first"),
                "expected a whole number from 0 to 1000",
            );
            return None;
        }
        (v.first > 0 && v.interval.0 > 0.0).then_some((v.first as u32, v.interval.0))
    });
    let sticky = dur_or(&raw.sticky, 300.0);
    Routing {
        accept,
        ring_timeout,
        accept_delay,
        ignore_probability,
        agent_selection,
        ramp_up,
        sticky,
    }
}

/// The shortest ring timeout accepted: one millisecond.
pub const MIN_RING_TIMEOUT: f64 = 0.001;

/// A ring timeout under a millisecond is refused (rings time out at the
/// instant they start and the run spins without simulated time moving);
/// under a second it is a warning in ring mode (almost every ring times out
/// and each costs an event: `"1ms"` runs about 600 times slower than
/// `"1s"`).
fn ring_timeout_is_meaningful(cx: &mut Ctx, rt: &Spanned<Dur>, accept: Accept, key: &str) {
    let v = rt.get_ref().0;
    if v > 0.0 && v < MIN_RING_TIMEOUT {
        cx.err(
            rt,
            key,
            format!("{v:e}s is too short to mean anything: a ring must last at least \"1ms\" (rings normally last seconds)"),
        );
    } else if accept == Accept::Ring && (MIN_RING_TIMEOUT..1.0).contains(&v) {
        cx.warn(
            rt,
            key,
            format!("a ring of {v}s: nearly every ring times out before an agent can accept, and each costs the simulation an event (runs get very slow); rings normally last seconds"),
        );
    }
}

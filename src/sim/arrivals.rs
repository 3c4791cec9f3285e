//! Arrivals: the next arrival time of each skill (Poisson, a rate profile
//! by inversion of its cumulative rate, or a trace), each day's volume
//! factor (`arrivals.day_cv`: gamma-mixed Poisson, common to every variant),
//! and the creation of a conversation with its own random streams.

use super::{Ev, Sim};
use crate::engine::Streams;
use crate::engine::rng::mix64;
use crate::engine::time::DAY;
use crate::model::ConvId;
use crate::model::conversation::{Arrival, Conv, flag};
use crate::scenario::Arrivals;
use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;

impl Sim<'_> {
    pub(super) fn schedule_next_arrival(&mut self, s: usize, now: f64) {
        let rt = &mut self.skills[s];
        let next = match &self.scn.skills[s].arrivals {
            Arrivals::Trace { times, .. } => {
                let t = times.get(rt.trace_pos).copied();
                rt.trace_pos += 1;
                t
            }
            arrivals => {
                let e: f64 = rand_distr::Distribution::sample(&rand_distr::Exp1, &mut rt.arrivals);
                match arrivals {
                    // What `next_arrival` computes for a constant positive
                    // rate (its first step reaches an infinite boundary).
                    Arrivals::Poisson { rate } if *rate > 0.0 && rt.day_factors.is_empty() => {
                        Some(now + e / rate)
                    }
                    _ => next_arrival(arrivals, &rt.day_factors, now, e, self.end),
                }
            }
        };
        if let Some(t) = next
            && t <= self.end
        {
            self.q.schedule(t.max(now), Ev::Arrival { skill: s as u32 });
        }
    }

    pub(super) fn on_arrival(&mut self, s: usize) {
        let now = self.q.now();
        self.schedule_next_arrival(s, now);
        let seed = self.skills[s].conv_seeds.next_u64();
        let issue = self.next_issue;
        self.next_issue += 1;
        let c = self.new_conversation(s, issue, seed, true);
        self.route_new(c);
    }

    /// Creates a conversation arriving now (a new issue, or a return).
    pub(super) fn new_conversation(
        &mut self,
        s: usize,
        issue: u64,
        seed: u64,
        new_issue: bool,
    ) -> ConvId {
        let now = self.q.now();
        let sk = &self.scn.skills[s];
        let mut crng = SplitMix64::seed_from_u64(seed);
        let arng = SplitMix64::seed_from_u64(mix64(seed ^ 0xA6E7));
        let exchanges = sk.exchanges.sample(&mut crng);
        let manual =
            sk.manual_sla_probability > 0.0 && crng.random::<f64>() < sk.manual_sla_probability;
        let measured = now >= self.warmup;
        let mut flags = flag::PENDING_MSG | flag::FIRST_WAIT;
        if manual {
            flags |= flag::MANUAL_SLA;
        }
        if measured {
            flags |= flag::MEASURED;
        }
        let arrival = Arrival {
            skill: s as u32,
            flags,
            left: exchanges - 1,
            id: self.next_id,
            issue,
            now,
            deadline: now + sk.response_sla,
            crng,
            arng,
        };
        self.next_id += 1;
        let c = match self.free_convs.pop() {
            // A reused slot: every timer of the previous conversation is stale.
            Some(c) => {
                self.convs[c].restart(arrival);
                c
            }
            None => self.convs.push(Conv::new(arrival)),
        };
        self.count_alive(s);
        self.rec.arrived(now, s, new_issue);
        self.conv_event(
            c,
            crate::calibrate::Kind::Arrived,
            None,
            crate::record::events::Detail::None,
        );
        c
    }
}

/// The next arrival after `now` of a Poisson or profile process whose
/// rate is multiplied by `factors[day]` (none: by 1), given a
/// unit-exponential draw `e`: inversion of the piecewise-constant
/// cumulative rate (it changes at profile steps and at midnight). `None`
/// once past `end`. Traces are not inverted (their times are given).
pub(crate) fn next_arrival(
    arrivals: &Arrivals,
    factors: &[f64],
    now: f64,
    mut e: f64,
    end: f64,
) -> Option<f64> {
    let mut t = now;
    loop {
        let (mut rate, mut boundary) = match arrivals {
            Arrivals::Poisson { rate } => (*rate, f64::INFINITY),
            Arrivals::Profile { rates, per } => {
                let k = step(t, *per);
                (rates[(k as usize) % rates.len()], (k + 1.0) * per)
            }
            Arrivals::Trace { .. } => return None,
        };
        if !factors.is_empty() {
            let d = step(t, DAY);
            rate *= factors.get(d as usize).copied().unwrap_or(1.0);
            boundary = boundary.min((d + 1.0) * DAY);
        }
        let room = boundary - t;
        if rate > 0.0 && e <= rate * room {
            break Some(t + e / rate);
        }
        e -= rate * room;
        t = boundary;
        if t > end {
            break None;
        }
    }
}

/// The index of the step of length `len` that `t` is in (a time exactly
/// on a boundary is in the step it starts, whatever the rounding).
fn step(t: f64, len: f64) -> f64 {
    let k = (t / len).floor();
    if (k + 1.0) * len <= t { k + 1.0 } else { k }
}

/// The day-volume factors of one skill for days `0..days` (SPEC §10,
/// `arrivals.day_cv`): gamma with mean 1 and coefficient of variation
/// `cv`, so a day's volume is Poisson given its factor and its variance is
/// mean + cv²·mean². Each day's factor comes from its own stream named by
/// the skill and the day, so it depends only on (seed, replication, skill
/// name, day): every variant of a compare sees the same days, whatever
/// its staffing, horizon or other skills. Empty when `cv` is 0.
pub(crate) fn day_factors(streams: &Streams, skill: &str, cv: f64, days: usize) -> Vec<f64> {
    if cv <= 0.0 {
        return Vec::new();
    }
    let shape = 1.0 / (cv * cv);
    let gamma = rand_distr::Gamma::new(shape, cv * cv).expect("validated: 0 < cv <= 10");
    let name = format!("day_volume/{skill}");
    (0..days)
        .map(|d| rand_distr::Distribution::sample(&gamma, &mut streams.stream(&name, d as u64)))
        .collect()
}

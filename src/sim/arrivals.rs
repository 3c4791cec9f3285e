//! Arrivals: the next arrival time of each skill (Poisson, a rate profile
//! by inversion of its cumulative rate, or a trace), and the creation of a
//! conversation with its own random streams.

use super::{Ev, Sim};
use crate::engine::rng::mix64;
use crate::model::ConvId;
use crate::model::conversation::{Conv, State, Timers, flag};
use crate::scenario::Arrivals;
use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;

impl Sim<'_> {
    pub(super) fn schedule_next_arrival(&mut self, s: usize, now: f64) {
        let next = match &self.scn.skills[s].arrivals {
            Arrivals::Poisson { rate } => {
                let e: f64 = rand_distr::Distribution::sample(
                    &rand_distr::Exp1,
                    &mut self.skills[s].arrivals,
                );
                Some(now + e / rate)
            }
            Arrivals::Profile { rates, per } => {
                // Inversion of the piecewise-constant cumulative rate.
                let mut e: f64 = rand_distr::Distribution::sample(
                    &rand_distr::Exp1,
                    &mut self.skills[s].arrivals,
                );
                let mut t = now;
                let n = rates.len();
                loop {
                    let k = (t / per).floor();
                    let rate = rates[(k as usize) % n];
                    let boundary = (k + 1.0) * per;
                    let room = boundary - t;
                    if rate > 0.0 && e <= rate * room {
                        break Some(t + e / rate);
                    }
                    e -= rate * room;
                    t = boundary;
                    if t > self.end {
                        break None;
                    }
                }
            }
            Arrivals::Trace { times, .. } => {
                let rt = &mut self.skills[s];
                let t = times.get(rt.trace_pos).copied();
                rt.trace_pos += 1;
                t
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
        let conv = Conv {
            timers: Timers::default(),
            state: State::Queued,
            skill: s as u32,
            origin: s as u32,
            flags,
            agent: None,
            prev_agent: None,
            ignored: Vec::new(),
            held_by: Vec::new(),
            target_group: None,
            left: exchanges - 1,
            reopens: 0,
            id: self.next_id,
            issue,
            arrival: now,
            enqueued: now,
            open_since: now,
            msg_at: now,
            deadline: now + sk.response_sla,
            ring_since: now,
            handle: 0.0,
            effort: 0.0,
            wait: f64::NAN,
            first_response: f64::NAN,
            solved_at: f64::NAN,
            q_since: now,
            crng,
            arng,
        };
        self.next_id += 1;
        let c = match self.free_convs.pop() {
            Some(c) => {
                // A reused slot: every timer of the previous conversation is stale.
                let mut timers = self.convs[c].timers;
                timers.cancel_all();
                self.convs[c] = Conv { timers, ..conv };
                c
            }
            None => self.convs.push(conv),
        };
        self.count_alive(s);
        self.rec.arrived(now, s, new_issue);
        self.rec.conv_event(
            now,
            crate::calibrate::Kind::Arrived,
            &self.convs[c],
            None,
            crate::record::events::Detail::None,
        );
        c
    }
}

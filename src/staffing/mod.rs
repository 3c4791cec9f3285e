//! Staffing: logins and logouts (with the group's logout policy), shifts
//! (weekly occurrences, back-to-back shifts of a two_login group),
//! breaks, and count profiles and wind-down ([`count`]). Status changes go through [`Sim::change_status`], which keeps
//! the recorder's staffing levels and the eligible sets in step.

use crate::model::agent::{Login, Status};
use crate::model::conversation::State;
use crate::model::{AgentId, GroupId, Id};
use crate::scenario::{LogoutPolicy, Mode};
use crate::sim::{Ev, Sim};

mod count;

impl Sim<'_> {
    /// The agents of a group.
    pub(crate) fn group_agents(&self, g: GroupId) -> impl Iterator<Item = AgentId> + use<> {
        let gr = &self.groups[g];
        (gr.first_agent..gr.first_agent + gr.count).map(|i| AgentId::new(i as usize))
    }

    /// Logs in the groups without shifts, starts the count profiles and
    /// schedules the shifts of the others.
    pub(crate) fn start_staffing(&mut self) {
        let week = crate::engine::time::WEEK;
        for g in self.groups.ids() {
            if self.scn.groups[g.ix()].count_profile.is_some() {
                self.count_start(g);
                continue;
            }
            let shifts = &self.scn.groups[g.ix()].shifts;
            if shifts.is_empty() {
                let login = self.groups[g].channels;
                for a in self.group_agents(g) {
                    self.login(a, login);
                }
                continue;
            }
            let mut next = Vec::with_capacity(shifts.len());
            for (k, s) in shifts.iter().enumerate() {
                // The occurrence in progress at time 0 (from last week), or the first one.
                let occ = if s.start - week + s.length > 0.0 {
                    s.start - week
                } else {
                    s.start
                };
                next.push(occ);
                self.q.schedule(
                    occ.max(0.0),
                    Ev::ShiftStart {
                        group: g,
                        shift: k as u32,
                    },
                );
            }
            self.groups[g].next_shift = next;
        }
    }

    /// Changes an agent's status and login, keeping the staffing levels.
    fn change_status(&mut self, a: AgentId, status: Status, login: Login) {
        let now = self.q.now();
        let ag = &self.agents[a];
        self.rec.agent_time(a, now, ag.status, ag.open);
        self.rec
            .staffing_changed(now, ag.group.ix(), (ag.status, ag.login), (status, login));
        self.rec
            .agent_event(now, a, (ag.status, ag.login), (status, login));
        let ag = &mut self.agents[a];
        ag.status = status;
        ag.login = login;
        self.refresh(a);
    }

    /// Logs an agent in to the channels in `login`.
    pub(crate) fn login(&mut self, a: AgentId, login: Login) {
        let now = self.q.now();
        if let Some((first, _)) = self.scn.routing.ramp_up {
            let ag = &mut self.agents[a];
            ag.ramp_left = first;
            ag.ramp_next = now;
        }
        let two_login = self.scn.groups[self.agents[a].group.ix()].mode == Mode::TwoLogin;
        let ag = &mut self.agents[a];
        ag.per_login = two_login;
        ag.winding_down = false;
        ag.idle_since = now;
        self.rec.agent_login(a, two_login, login);
        self.change_status(a, Status::Online, login);
        // Conversations kept through the last logout waited until now.
        let ag = &self.agents[a];
        if ag.kept > 0 {
            let waited = now - ag.logout_at;
            for &c in &ag.held {
                self.rec.kept_waited(&self.convs[c], waited);
            }
        }
        self.agents[a].kept = 0;
        self.pull(a);
        self.start_next(a);
    }

    /// Logs an agent out; its open conversations follow the group's policy.
    fn logout(&mut self, a: AgentId) {
        let now = self.q.now();
        self.agents[a].winding_down = false;
        let login = self.agents[a].login;
        self.change_status(a, Status::Offline, login);
        self.withdraw_ring(a);
        self.interrupt_typing(a);
        // Conversations waiting for this agent go to anyone now.
        while let Some((c, key)) = self.agents[a].sticky.pop_front() {
            if self.convs[c].armed(key, State::Queued) {
                self.sticky_expired(c);
            }
        }
        let g = self.agents[a].group.ix();
        match self.scn.groups[g].logout {
            LogoutPolicy::ReturnToQueue => {
                let held = self.agents[a].held.clone();
                for c in held {
                    if self.agents[a].typing != Some(c) {
                        self.return_to_queue(c);
                    }
                }
            }
            LogoutPolicy::Keep => {
                let ag = &self.agents[a];
                for &c in &ag.held {
                    self.rec.kept_at_logout(&self.convs[c]);
                }
                let ag = &mut self.agents[a];
                ag.kept = ag.held.len() as u32;
                ag.logout_at = now;
            }
        }
    }

    /// A reply in progress at logout is abandoned: the typed part counts as
    /// effort, the rest does not; the consumer's message waits again in
    /// the agent's work list, then follows the logout policy.
    fn interrupt_typing(&mut self, a: AgentId) {
        let now = self.q.now();
        let typed = self.rec.window().span(self.agents[a].typing_since, now);
        let ag = &mut self.agents[a];
        let Some(c) = ag.typing.take() else {
            return;
        };
        ag.reply.cancel();
        self.rec.agent_typed(a, now, typed, false);
        let ag = &mut self.agents[a];
        let unfinished = ag.typing_until - now;
        ag.worklist.push(c);
        self.convs[c].effort -= unfinished;
    }

    pub(crate) fn shift_start(&mut self, g: GroupId, k: u32) {
        let now = self.q.now();
        let scn = self.scn;
        let group = &scn.groups[g.ix()];
        let shift = group.shifts[k as usize];
        let occ = self.groups[g].next_shift[k as usize];
        let login = shift
            .login
            .map_or(self.groups[g].channels, |c| 1u8 << c as u8);
        let end = occ + shift.length;
        let n = self.groups[g].count;
        for (i, a) in self.group_agents(g).enumerate() {
            if self.agents[a].status.logged_in() {
                // Back-to-back shifts (two_login switching channel): log out first.
                self.logout(a);
            }
            self.agents[a].shift = Some(k);
            self.login(a, login);
            for b in &group.breaks {
                let st = occ + b.after + b.stagger * i as f64 / n as f64;
                if st >= now && st + b.duration <= end {
                    self.q.schedule(
                        st,
                        Ev::BreakStart {
                            agent: a,
                            back_soon: b.back_soon,
                        },
                    );
                    self.q.schedule(st + b.duration, Ev::BreakEnd { agent: a });
                }
            }
        }
        if group.wind_down > 0.0 {
            self.q.schedule(
                (end - group.wind_down).max(now),
                Ev::WindDown {
                    group: g,
                    shift: Some(k),
                },
            );
        }
        self.q.schedule(end, Ev::ShiftEnd { group: g, shift: k });
        let next = occ + crate::engine::time::WEEK;
        self.groups[g].next_shift[k as usize] = next;
        self.q.schedule(next, Ev::ShiftStart { group: g, shift: k });
    }

    pub(crate) fn shift_end(&mut self, g: GroupId, k: u32) {
        for a in self.group_agents(g) {
            let ag = &self.agents[a];
            if ag.shift == Some(k) && ag.status.logged_in() {
                self.logout(a);
            }
        }
    }

    pub(crate) fn break_start(&mut self, a: AgentId, back_soon: bool) {
        let ag = &self.agents[a];
        if ag.status.online() {
            let login = ag.login;
            let status = if back_soon {
                Status::BackSoon
            } else {
                Status::Away
            };
            self.change_status(a, status, login);
            self.withdraw_ring(a);
        }
    }

    pub(crate) fn break_end(&mut self, a: AgentId) {
        let ag = &self.agents[a];
        if matches!(ag.status, Status::Away | Status::BackSoon) {
            let login = ag.login;
            // Available again: longest idle counts from here.
            self.agents[a].idle_since = self.q.now();
            self.change_status(a, Status::Online, login);
            self.pull(a);
            self.start_next(a);
        }
    }
}

//! Count profiles (`count = { profile = [..], per = "30m" }`): how many of
//! a group's agents are logged in during each interval, and wind-down
//! (`wind_down`) before a logout, for shifts and count profiles alike.
//!
//! At each interval boundary the group's head-count is brought to the
//! profile's value:
//!
//! * **Logins** go to the logged-out agents that still hold conversations
//!   kept through their last logout (`logout = "keep"`) first, so those
//!   are answered, then by lowest index.
//! * **Logouts** go to the agents winding down first (chosen at the start
//!   of the wind-down), then the least loaded (fewest conversations in
//!   their capacity), ties by highest index — deterministic, and the
//!   agents logged in longest by index stay. Their conversations follow
//!   the group's `logout` policy.
//!
//! Wind-down: `wind_down` before a shift's end every agent of the shift
//! stops taking new conversations; before a count-profile drop, the agents
//! that will log out (as many as the drop, chosen by the logout order
//! above) stop. They finish what they hold.

use crate::model::agent::Login;
use crate::model::{AgentId, GroupId};
use crate::scenario::CountProfile;
use crate::sim::{Ev, Sim};
use std::cmp::Reverse;

impl Sim<'_> {
    fn profile(&self, g: GroupId) -> &CountProfile {
        self.scn.groups[g.ix()]
            .count_profile
            .as_ref()
            .expect("a group with a count profile")
    }

    /// Logs in the first interval's head-count and schedules the next step.
    pub(crate) fn count_start(&mut self, g: GroupId) {
        let now = self.q.now();
        let step = (now / self.profile(g).per).floor().max(0.0) as u64;
        self.groups[g].step = step;
        let target = self.profile(g).at_step(step);
        self.apply_count(g, target);
        self.schedule_count(g);
    }

    /// The profile's next interval begins: logins or logouts to its head-count.
    pub(crate) fn count_step(&mut self, g: GroupId) {
        self.groups[g].step += 1;
        let target = self.profile(g).at_step(self.groups[g].step);
        self.apply_count(g, target);
        self.schedule_count(g);
    }

    /// Schedules the next step (and the wind-down before it).
    fn schedule_count(&mut self, g: GroupId) {
        let now = self.q.now();
        let at = (self.groups[g].step + 1) as f64 * self.profile(g).per;
        let wd = self.scn.groups[g.ix()].wind_down;
        if wd > 0.0 {
            self.q.schedule(
                (at - wd).max(now),
                Ev::WindDown {
                    group: g,
                    shift: None,
                },
            );
        }
        self.q.schedule(at, Ev::CountStep { group: g });
    }

    /// The order in which logged-in agents log out: winding down first,
    /// then the least loaded, ties by highest index.
    fn logout_order(&self, a: AgentId) -> (bool, usize, Reverse<u32>) {
        let ag = &self.agents[a];
        (!ag.winding_down, ag.held.len(), Reverse(ag.index))
    }

    /// The group's logged-in agents, in logout order.
    fn logged_in_by_logout_order(&self, g: GroupId) -> Vec<AgentId> {
        let mut v: Vec<AgentId> = self
            .group_agents(g)
            .filter(|&a| self.agents[a].status.logged_in())
            .collect();
        v.sort_by_key(|&a| self.logout_order(a));
        v
    }

    /// Logs agents in or out until `target` of the group are logged in.
    fn apply_count(&mut self, g: GroupId, target: u32) {
        let logged = self.logged_in_by_logout_order(g);
        let n = logged.len();
        let target = target as usize;
        if n > target {
            for &a in &logged[..n - target] {
                self.logout(a);
            }
        } else if n < target {
            let mut out: Vec<AgentId> = self
                .group_agents(g)
                .filter(|&a| !self.agents[a].status.logged_in())
                .collect();
            out.sort_by_key(|&a| (self.agents[a].held.is_empty(), self.agents[a].index));
            let login: Login = self.groups[g].channels;
            for &a in &out[..target - n] {
                self.login(a, login);
            }
        }
    }

    /// Wind-down before a logout: the agents of shift `Some(k)`, or the
    /// agents that the count profile's next step will log out (`None`),
    /// take nothing new from now on.
    pub(crate) fn wind_down(&mut self, g: GroupId, shift: Option<u32>) {
        let winding: Vec<AgentId> = match shift {
            Some(k) => self
                .group_agents(g)
                .filter(|&a| {
                    let ag = &self.agents[a];
                    ag.shift == Some(k) && ag.status.logged_in()
                })
                .collect(),
            None => {
                let next = self.profile(g).at_step(self.groups[g].step + 1) as usize;
                let logged = self.logged_in_by_logout_order(g);
                let drop = logged.len().saturating_sub(next);
                logged[..drop].to_vec()
            }
        };
        for a in winding {
            self.agents[a].winding_down = true;
            self.refresh(a);
            self.withdraw_ring(a);
        }
    }
}

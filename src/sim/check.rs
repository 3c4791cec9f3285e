//! Self-checks for tests: the model's invariants after every event
//! (`run_checked`, `run_logged`) and the timeline of conversation states
//! (`run_logged`).

use super::{LogEntry, Sim};
use crate::model::AgentId;
use crate::model::agent::Status;
use crate::model::conversation::State;
use crate::scenario::{LogoutPolicy, Mode};

impl Sim<'_> {
    fn agent_label(&self, a: Option<AgentId>) -> String {
        match a {
            None => String::new(),
            Some(a) => {
                let ag = &self.agents[a];
                format!("{}#{}", self.scn.groups[ag.group.ix()].name, ag.index)
            }
        }
    }

    /// Appends to `log` the conversations whose (id, state, agent) changed
    /// since `snap`, and updates `snap`.
    pub(super) fn log_changes(
        &self,
        snap: &mut Vec<(u64, State, Option<AgentId>)>,
        log: &mut Vec<LogEntry>,
    ) {
        for (i, c) in self.convs.iter().enumerate() {
            let now = (c.id, c.state, c.agent);
            if snap.get(i) != Some(&now) {
                log.push(LogEntry {
                    t: self.q.now(),
                    conv: c.id,
                    issue: c.issue,
                    state: c.state.name(),
                    agent: self.agent_label(c.agent),
                });
                if i < snap.len() {
                    snap[i] = now;
                } else {
                    snap.push(now);
                }
            }
        }
    }

    pub(super) fn check_invariants(&self) -> Result<(), String> {
        if let Some(v) = self.violations.first() {
            return Err(v.clone());
        }
        let mut open = vec![[0u32; 2]; self.agents.len()];
        let mut qlen = vec![0u64; self.skills.len()];
        for (i, c) in self.convs.iter_ids() {
            let ch = self.skills[c.skill as usize].channel;
            if c.state.holds_capacity() {
                let Some(a) = c.agent else {
                    return Err(format!("conversation {i} in {:?} has no agent", c.state));
                };
                open[a.ix()][ch] += 1;
            }
            if c.state == State::Queued {
                qlen[c.skill as usize] += 1;
            }
            if c.state == State::AwaitAgent {
                let a = c.agent.expect("open");
                let ag = &self.agents[a];
                if ag.typing != Some(i) && !ag.worklist.contains(&i) {
                    return Err(format!(
                        "conversation {i} awaits agent {a} but is not in its work list"
                    ));
                }
            }
        }
        for (a, ag) in self.agents.iter_ids() {
            let g = &self.scn.groups[ag.group.ix()];
            if open[a.ix()] != ag.open {
                return Err(format!(
                    "agent {a}: open {:?} but holds {:?}",
                    ag.open,
                    open[a.ix()]
                ));
            }
            for ch in 0..2 {
                if ag.open[ch] > g.capacity[ch] {
                    return Err(format!(
                        "agent {a}: {} open on channel {ch}, capacity {}",
                        ag.open[ch], g.capacity[ch]
                    ));
                }
            }
            // A two_login agent's logins are two users: the total is per login.
            let held = if g.mode == Mode::TwoLogin {
                ag.open[0].max(ag.open[1])
            } else {
                ag.open_total()
            };
            if held > g.capacity_total {
                return Err(format!(
                    "agent {a}: {held} open, total capacity {}",
                    g.capacity_total
                ));
            }
            if ag.login == 0b11 && g.mode == Mode::TwoLogin && ag.status != Status::Offline {
                return Err(format!("two_login agent {a} logged into both channels"));
            }
            // With `return_to_queue`, a login switch hands the old channel's
            // conversations back: a two_login agent never holds both. With
            // `keep`, the other login's conversations wait, unanswered.
            if g.mode == Mode::TwoLogin
                && g.logout == LogoutPolicy::ReturnToQueue
                && ag.open[0] > 0
                && ag.open[1] > 0
            {
                return Err(format!(
                    "two_login agent {a} holds both channels at once: {:?}",
                    ag.open
                ));
            }
            if let Some(c) = ag.typing {
                let ch = self.channel(c);
                if ag.status == Status::Offline || ag.login & (1 << ch) == 0 {
                    return Err(format!(
                        "agent {a} types on channel {ch} while {:?} with login {:#b}",
                        ag.status, ag.login
                    ));
                }
            }
        }
        for (s, rt) in self.skills.iter().enumerate() {
            if rt.qlen != qlen[s] {
                return Err(format!(
                    "skill {s}: qlen {} but {} queued",
                    rt.qlen, qlen[s]
                ));
            }
        }
        Ok(())
    }
}

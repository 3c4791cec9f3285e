//! Agents and groups in the fit: an agent's group and login sessions
//! (integrated into the group's logged-in agents per week slot), breaks,
//! and the `login` / `logout` / `status` events.

use super::*;

impl Fitter {
    pub(super) fn group(&mut self, name: &str) -> usize {
        let name = if name.is_empty() { "agents" } else { name };
        if let Some(&i) = self.group_ix.get(name) {
            return i;
        }
        let salt = 1_000_000 + self.groups.len() as u64 * 4;
        self.groups.push(GroupAcc {
            name: name.to_string(),
            skills: BTreeMap::new(),
            assignments: [0; 2],
            capacity: [0; 2],
            capacity_total: 0,
            logged: 0,
            max_logged: 0,
            agents: 0,
            has_logins: false,
            slot_secs: vec![0.0; self.slots],
            sessions: 0,
            breaks: 0,
            break_duration: Sample::new(&self.o, salt),
            break_after: Sample::new(&self.o, salt + 1),
        });
        self.group_ix
            .insert(name.to_string(), self.groups.len() - 1);
        self.groups.len() - 1
    }

    /// The agent's index; a new agent whose first row is not a login is
    /// logged in since the log's start.
    pub(super) fn agent(&mut self, e: &Event) -> usize {
        if let Some(&i) = self.agent_ix.get(&e.agent) {
            return i;
        }
        let g = self.group(&e.group);
        let since = (e.kind != Kind::Login).then(|| self.start.map_or(e.local, |s| s.1));
        let grp = &mut self.groups[g];
        grp.agents += 1;
        if since.is_some() {
            grp.logged += 1;
            grp.max_logged = grp.max_logged.max(grp.logged);
            grp.sessions += 1;
        }
        self.agents.push(AgentAcc {
            group: g,
            session: since,
            break_since: None,
            open: [0; 2],
            list: 0,
            busy_since: None,
        });
        self.agent_ix.insert(e.agent.clone(), self.agents.len() - 1);
        self.agents.len() - 1
    }

    pub(super) fn end_session(&mut self, a: usize, local: f64) {
        let (g, since) = (self.agents[a].group, self.agents[a].session.take());
        if let Some(s) = since {
            self.end_break(a, local);
            let grp = &mut self.groups[g];
            spread(&mut grp.slot_secs, s, local, self.o.interval, 1.0);
            grp.logged = grp.logged.saturating_sub(1);
        }
    }

    pub(super) fn end_break(&mut self, a: usize, local: f64) {
        if let Some(b) = self.agents[a].break_since.take() {
            let g = self.agents[a].group;
            self.groups[g].break_duration.add(local - b);
        }
    }

    pub(super) fn agent_event(&mut self, e: &Event) -> Result<(), CalibrateError> {
        let a = self.agent(e);
        let g = self.agents[a].group;
        match e.kind {
            Kind::Login => {
                self.groups[g].has_logins = true;
                if self.agents[a].session.is_none() {
                    self.agents[a].session = Some(e.local);
                    let grp = &mut self.groups[g];
                    grp.logged += 1;
                    grp.max_logged = grp.max_logged.max(grp.logged);
                    grp.sessions += 1;
                }
            }
            Kind::Logout => {
                self.groups[g].has_logins = true;
                self.end_session(a, e.local);
            }
            Kind::Status => match e.detail.as_str() {
                "away" | "back_soon" => {
                    if let (Some(s), None) = (self.agents[a].session, self.agents[a].break_since) {
                        self.agents[a].break_since = Some(e.local);
                        self.groups[g].breaks += 1;
                        self.groups[g].break_after.add(e.local - s);
                    }
                }
                "online" => self.end_break(a, e.local),
                _ => {}
            },
            _ => unreachable!("conversation events are handled apart"),
        }
        Ok(())
    }
}

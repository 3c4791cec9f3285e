//! The event log of a run (`ccsim run --events`, SPEC §13): the recorder
//! announces each conversation and agent event of the measured period to an
//! [`EventSink`] as it happens, and [`CsvEvents`] writes it as one §13 row
//! (`time,event,conversation,consumer,skill,channel,agent,group,detail`) to
//! a temporary file, streamed: memory does not grow with the run's length.
//!
//! Identifiers (stable for a given seed and replication):
//!
//! - `conversation` is `c<id>`, the simulator's conversation number;
//! - `consumer` is `u<issue>`: a consumer's issue, shared by the
//!   conversations of one issue (a return after close starts a new
//!   conversation with the same consumer);
//! - `agent` is `<group>#<index>` (0-based index within the group, as in
//!   `conversations.csv` and `agents.csv`), `group` the group's name.
//!
//! What is written, and when:
//!
//! - `arrived` (detail `sla=<seconds>s`, the skill's response SLA),
//!   `assigned` (every assignment, also of a parked, reopened, returned or
//!   transferred conversation coming back), `consumer_message`,
//!   `agent_message`, `parked`, `solved` (styles that keep a conversation
//!   solved before closing it), `reopened` (followed by the consumer's
//!   `consumer_message` at the same time), `transferred` (`skill` = the
//!   target; to a group: the skill unchanged and detail `group=<name>`),
//!   `returned_to_queue`, `abandoned`, `closed` (detail `agent`,
//!   `consumer`, `timer`, `auto_close`).
//! - `login` and `logout` (`channel` = the login's channel for a
//!   `two_login` agent, else empty), `status` (detail `online`, `away`,
//!   `back_soon`) at break start and end.
//! - An auto-close the agent resumes at once (`resume_probability`) is not
//!   a close: no row; the agent's follow-up is its next `agent_message`.
//! - Only events at or after the warm-up are written. At the warm-up
//!   instant every agent logged in then gets a `login` row (and a `status`
//!   row if on a break), so a reader knows who is staffed; conversations
//!   already in the system then appear from their next event on (a reader
//!   follows them as in flight at the log's start).
//! - Times are `--start` (the date of time 0, a Monday 00:00) plus the
//!   simulated time, in RFC 3339 with milliseconds and the offset `--start`
//!   was given in.

use super::Recorder;
use crate::calibrate::Kind;
use crate::model::agent::{Login, Status};
use crate::model::conversation::Conv;
use crate::model::{AgentId, Id};
use std::io::Write;
use std::path::Path;

/// Header of `events.csv` (SPEC §13).
pub const EVENTS_HEADER: &str = "time,event,conversation,consumer,skill,channel,agent,group,detail";

/// The date of simulated time 0: a Monday 00:00 in some offset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Start {
    /// Wall-clock seconds since 1970-01-01T00:00 in `offset` (UTC seconds + offset).
    local: i64,
    /// The offset from UTC in seconds.
    offset: i64,
}

impl Default for Start {
    /// 2024-01-01T00:00:00Z.
    fn default() -> Self {
        Start {
            local: 1_704_067_200,
            offset: 0,
        }
    }
}

impl Start {
    /// Parses `--start`: an RFC 3339 date-time (`2024-01-01T00:00:00Z`,
    /// `2024-01-01T00:00:00+01:00`) or a date (`2024-01-01`, UTC), which
    /// must be a Monday at 00:00:00 local time (time 0 of the simulator is
    /// a Monday midnight: day-of-week profiles and shifts count from it).
    ///
    /// # Errors
    ///
    /// What is wrong and what is expected.
    pub fn parse(s: &str) -> Result<Start, String> {
        let s = s.trim();
        let full = if s.len() == 10 {
            format!("{s}T00:00:00Z")
        } else {
            s.to_string()
        };
        let Some((utc, offset)) = crate::calibrate::log::parse_rfc3339(&full) else {
            return Err(format!(
                "`{s}` is not an RFC 3339 date-time or date: expected e.g. 2024-01-01T00:00:00Z, \
                 2024-01-01T00:00:00+01:00 or 2024-01-01"
            ));
        };
        if utc.fract() != 0.0 {
            return Err(format!(
                "`{s}` has fractions of a second: time 0 is a Monday at 00:00:00"
            ));
        }
        let local = utc as i64 + offset as i64;
        let day = local.div_euclid(86_400);
        // 1970-01-01 was a Thursday: day 4 after a Monday.
        let weekday = (day + 3).rem_euclid(7);
        if weekday != 0 {
            let names = [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ];
            return Err(format!(
                "`{s}` is a {}: time 0 of the simulator is a Monday (e.g. 2024-01-01)",
                names[weekday as usize]
            ));
        }
        if local.rem_euclid(86_400) != 0 {
            return Err(format!(
                "`{s}` is not at midnight: time 0 of the simulator is a Monday at 00:00:00"
            ));
        }
        Ok(Start {
            local,
            offset: offset as i64,
        })
    }

    /// Simulated time `t` (seconds) as RFC 3339 with milliseconds, in the
    /// start's offset.
    pub fn format(&self, t: f64, out: &mut String) {
        use std::fmt::Write as _;
        let ms = self.local * 1000 + (t * 1000.0).round() as i64;
        let secs = ms.div_euclid(1000);
        let (y, mo, d) = crate::calibrate::log::civil_from_days(secs.div_euclid(86_400));
        let s = secs.rem_euclid(86_400);
        let _ = write!(
            out,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}",
            s / 3600,
            s / 60 % 60,
            s % 60,
            ms.rem_euclid(1000)
        );
        if self.offset == 0 {
            out.push('Z');
        } else {
            let o = self.offset.abs();
            let sign = if self.offset < 0 { '-' } else { '+' };
            let _ = write!(out, "{sign}{:02}:{:02}", o / 3600, o / 60 % 60);
        }
    }
}

/// What goes in a row's `detail`.
#[derive(Clone, Copy, Debug)]
pub enum Detail<'a> {
    /// Nothing.
    None,
    /// A word (close reason, status).
    Text(&'a str),
    /// `sla=<seconds>s`.
    Sla(f64),
    /// `group=<name>` (a transfer to a group).
    Group(&'a str),
}

/// One event, as the recorder announces it.
#[derive(Clone, Copy, Debug)]
pub struct EventRow<'a> {
    /// Simulated time (s).
    pub t: f64,
    /// The event.
    pub kind: Kind,
    /// Conversation id and consumer issue (conversation events).
    pub conv: Option<(u64, u64)>,
    /// Skill name, or empty.
    pub skill: &'a str,
    /// Channel name, or empty.
    pub channel: &'a str,
    /// Agent: (group name, index within the group).
    pub agent: Option<(&'a str, u32)>,
    /// Detail.
    pub detail: Detail<'a>,
}

/// Receives events as they happen.
pub trait EventSink {
    /// One event happened.
    fn event(&mut self, row: &EventRow<'_>);
}

/// Whether a name needs CSV quoting.
fn needs_quotes(s: &str) -> bool {
    s.contains([',', '"', '\n', '\r'])
}

/// Appends a CSV field.
fn field(out: &mut String, s: &str) {
    if needs_quotes(s) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Formats one row (with its newline) into `out`.
pub fn format_row(start: &Start, r: &EventRow<'_>, out: &mut String) {
    use std::fmt::Write as _;
    start.format(r.t, out);
    out.push(',');
    out.push_str(r.kind.name());
    out.push(',');
    if let Some((id, _)) = r.conv {
        let _ = write!(out, "c{id}");
    }
    out.push(',');
    if let Some((_, issue)) = r.conv {
        let _ = write!(out, "u{issue}");
    }
    out.push(',');
    field(out, r.skill);
    out.push(',');
    out.push_str(r.channel);
    out.push(',');
    match r.agent {
        Some((g, i)) if needs_quotes(g) => field(out, &format!("{g}#{i}")),
        Some((g, i)) => {
            let _ = write!(out, "{g}#{i}");
        }
        None => {}
    }
    out.push(',');
    if let Some((g, _)) = r.agent {
        field(out, g);
    }
    out.push(',');
    match r.detail {
        Detail::None => {}
        Detail::Text(s) => field(out, s),
        Detail::Sla(v) => {
            let _ = write!(out, "sla={}s", crate::report::num(v));
        }
        Detail::Group(g) => field(out, &format!("group={g}")),
    }
    out.push('\n');
}

/// `events.csv` being written to a temporary file (deleted if dropped
/// before [`CsvEvents::publish`]).
pub struct CsvEvents {
    start: Start,
    out: std::io::BufWriter<tempfile::NamedTempFile>,
    dir: std::path::PathBuf,
    line: String,
    err: Option<std::io::Error>,
}

impl CsvEvents {
    /// Starts the file, with its header, in a temporary file in `dir`.
    ///
    /// # Errors
    ///
    /// When it cannot be created or written.
    pub fn create(dir: &Path, start: Start) -> std::io::Result<CsvEvents> {
        let f = crate::report::temp_file_in(dir, ".events.csv.", ".tmp")?;
        let mut out = std::io::BufWriter::new(f);
        writeln!(out, "{EVENTS_HEADER}")?;
        Ok(CsvEvents {
            start,
            out,
            dir: dir.to_path_buf(),
            line: String::with_capacity(160),
            err: None,
        })
    }

    /// Publishes the file as `events.csv` in its directory.
    ///
    /// # Errors
    ///
    /// The first write error, or one of the flush or the rename.
    pub fn publish(self) -> std::io::Result<()> {
        if let Some(e) = self.err {
            return Err(e);
        }
        let f = self.out.into_inner().map_err(|e| e.into_error())?;
        f.persist(self.dir.join("events.csv"))
            .map_err(|e| e.error)?;
        Ok(())
    }
}

impl EventSink for CsvEvents {
    fn event(&mut self, row: &EventRow<'_>) {
        if self.err.is_some() {
            return;
        }
        self.line.clear();
        format_row(&self.start, row, &mut self.line);
        if let Err(e) = self.out.write_all(self.line.as_bytes()) {
            self.err = Some(e);
        }
    }
}

impl std::fmt::Debug for CsvEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvEvents").field("dir", &self.dir).finish()
    }
}

/// The event log of one replication: the sink, and what the recorder needs
/// to announce the agents staffed at the warm-up.
pub struct EventLog<'a> {
    sink: &'a mut dyn EventSink,
    /// Each agent's status and login now.
    agents: Vec<(Status, Login)>,
    /// Whether the measured period has begun (the warm-up rows are written).
    begun: bool,
}

impl<'a> Recorder<'a> {
    /// Sends every event of the measured period to `sink`.
    pub fn set_events(&mut self, sink: &'a mut dyn EventSink) {
        self.events = Some(EventLog {
            sink,
            agents: vec![(Status::Offline, 0); self.agents.len()],
            begun: false,
        });
    }

    /// Whether a conversation event at `now` is written: an event log is
    /// asked for and `now` is in the measured period. The caller tests it
    /// before it looks up the conversation for [`Self::write_conv_event`].
    #[inline]
    pub fn logs_conv_events(&self, now: f64) -> bool {
        self.events.is_some() && now >= self.win.warmup
    }

    /// Writes a conversation event (`agent` acting, if any); call it only
    /// when [`Self::logs_conv_events`] says so.
    #[cold]
    pub fn write_conv_event(
        &mut self,
        now: f64,
        kind: Kind,
        conv: &Conv,
        agent: Option<AgentId>,
        detail: Detail<'_>,
    ) {
        self.begin_events();
        let scn = self.scn;
        let skill = &scn.skills[conv.skill as usize];
        let detail = match (kind, detail) {
            (Kind::Arrived, Detail::None) if skill.response_sla.is_finite() => {
                Detail::Sla(skill.response_sla)
            }
            (_, d) => d,
        };
        let agent = agent.map(|a| {
            let r = &self.agents[a.ix()];
            (scn.groups[r.group as usize].name.as_str(), r.index)
        });
        let row = EventRow {
            t: now,
            kind,
            conv: Some((conv.id, conv.issue)),
            skill: &skill.name,
            channel: skill.channel.name(),
            agent,
            detail,
        };
        if let Some(log) = self.events.as_mut() {
            log.sink.event(&row);
        }
    }

    /// An agent's status or login changed from `before` to `after`: a
    /// `login`, `logout` or `status` row when an event log is asked for and
    /// `now` is in the measured period.
    #[inline]
    pub fn agent_event(
        &mut self,
        now: f64,
        a: AgentId,
        before: (Status, Login),
        after: (Status, Login),
    ) {
        if self.events.is_some() {
            self.write_agent_event(now, a, before, after);
        }
    }

    #[cold]
    fn write_agent_event(
        &mut self,
        now: f64,
        a: AgentId,
        before: (Status, Login),
        after: (Status, Login),
    ) {
        if now >= self.win.warmup {
            self.begin_events();
            self.agent_rows(now, a, before, after);
        }
        if let Some(log) = self.events.as_mut() {
            log.agents[a.ix()] = after;
        }
    }

    /// The rows of an agent's change from `before` to `after`.
    fn agent_rows(
        &mut self,
        now: f64,
        a: AgentId,
        before: (Status, Login),
        after: (Status, Login),
    ) {
        match (before.0.logged_in(), after.0.logged_in()) {
            (false, true) => {
                self.agent_row(now, a, Kind::Login, after.1, Detail::None);
                if after.0 != Status::Online {
                    self.agent_row(now, a, Kind::Status, after.1, status_detail(after.0));
                }
            }
            (true, false) => self.agent_row(now, a, Kind::Logout, before.1, Detail::None),
            (true, true) if before.0 != after.0 => {
                self.agent_row(now, a, Kind::Status, after.1, status_detail(after.0));
            }
            _ => {}
        }
    }

    fn agent_row(&mut self, now: f64, a: AgentId, kind: Kind, login: Login, detail: Detail<'_>) {
        let scn = self.scn;
        let r = &self.agents[a.ix()];
        let g = &scn.groups[r.group as usize];
        // The login's channel for a two_login agent (one channel per login).
        let channel = if g.mode == crate::scenario::Mode::TwoLogin {
            match login {
                0b01 => crate::scenario::Channel::LiveChat.name(),
                0b10 => crate::scenario::Channel::Messaging.name(),
                _ => "",
            }
        } else {
            ""
        };
        let row = EventRow {
            t: now,
            kind,
            conv: None,
            skill: "",
            channel,
            agent: Some((g.name.as_str(), r.index)),
            detail,
        };
        if let Some(log) = self.events.as_mut() {
            log.sink.event(&row);
        }
    }

    /// Before the first row of the measured period: when there is a
    /// warm-up, a `login` (and `status`, on a break) row at the warm-up for
    /// each agent logged in then, so the log says who is staffed from its
    /// start.
    fn begin_events(&mut self) {
        let Some(log) = self.events.as_mut() else {
            return;
        };
        if log.begun {
            return;
        }
        log.begun = true;
        if self.win.warmup <= 0.0 {
            return;
        }
        let states = log.agents.clone();
        for (i, &state) in states.iter().enumerate() {
            self.agent_rows(
                self.win.warmup,
                AgentId::new(i),
                (Status::Offline, 0),
                state,
            );
        }
    }
}

/// The detail of a `status` row.
fn status_detail(s: Status) -> Detail<'static> {
    Detail::Text(match s {
        Status::Online => "online",
        Status::Away => "away",
        Status::BackSoon => "back_soon",
        Status::Offline => "offline",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_must_be_a_monday_midnight() {
        assert_eq!(Start::parse("2024-01-01").unwrap(), Start::default());
        assert_eq!(
            Start::parse("2024-01-01T00:00:00Z").unwrap(),
            Start::default()
        );
        let e = Start::parse("2024-01-02T00:00:00Z").unwrap_err();
        assert!(e.contains("Tuesday"), "{e}");
        let e = Start::parse("2024-01-01T08:00:00Z").unwrap_err();
        assert!(e.contains("midnight"), "{e}");
        assert!(Start::parse("yesterday").unwrap_err().contains("RFC 3339"));
        // Midnight Monday in +01:00 is Sunday 23:00 UTC: still a Monday locally.
        let s = Start::parse("2024-01-01T00:00:00+01:00").unwrap();
        let mut out = String::new();
        s.format(3661.25, &mut out);
        assert_eq!(out, "2024-01-01T01:01:01.250+01:00");
    }

    #[test]
    fn event_names_are_one_table() {
        for (i, (k, n)) in Kind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i);
            assert_eq!(k.name(), *n);
            assert_eq!(Kind::parse(n), Some(*k));
        }
        assert_eq!(Kind::parse("typing"), None);
    }

    #[test]
    fn rows_follow_the_spec_columns() {
        let mut out = String::new();
        let row = EventRow {
            t: 4.0,
            kind: Kind::Assigned,
            conv: Some((1, 17)),
            skill: "billing",
            channel: "live_chat",
            agent: Some(("chat, early", 3)),
            detail: Detail::None,
        };
        format_row(&Start::default(), &row, &mut out);
        assert_eq!(
            out,
            "2024-01-01T00:00:04.000Z,assigned,c1,u17,billing,live_chat,\"chat, early#3\",\"chat, early\",\n"
        );
        out.clear();
        let row = EventRow {
            t: 86_400.0 * 8.0,
            kind: Kind::Arrived,
            agent: None,
            detail: Detail::Sla(60.0),
            ..row
        };
        format_row(&Start::default(), &row, &mut out);
        assert_eq!(
            out,
            "2024-01-09T00:00:00.000Z,arrived,c1,u17,billing,live_chat,,,sla=60s\n"
        );
    }
}

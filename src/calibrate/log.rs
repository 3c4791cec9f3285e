//! The §13 event log, read as a stream: one [`Event`] per row, checked as
//! it is read (header, line length, times, order), unknown event names
//! counted and skipped.
//!
//! Format (SPEC §13): a header naming some of the columns
//! `time,event,conversation,consumer,skill,channel,agent,group,detail` in
//! any order (`time` and `event` are required; a column with another name
//! is bad input), then one row per event, ordered by time. `time` is either
//! RFC 3339 with an offset (`2026-11-02T08:00:04Z`,
//! `2026-11-02T09:00:04.250+01:00`) or a number of seconds since the log's
//! start (time 0 is then a Monday 00:00, as in the simulator); the first
//! row decides which, and every row must use the same form. Fields may be
//! quoted (`"a,b"`, `""` for a quote) but a row is one line.
//!
//! Each event carries two clocks: `t`, seconds since the first row
//! (durations and order), and `local`, seconds since the Monday 00:00 of
//! the first row's week in the row's own offset (day-of-week profiles).
//! Lines are capped at [`MAX_LINE`] bytes so a corrupt file cannot make
//! the reader hold an unbounded line.

use std::collections::BTreeMap;
use std::io::BufRead;

/// The longest line accepted, in bytes.
pub const MAX_LINE: usize = 64 * 1024;

/// At most this many distinct unknown event names are remembered by name.
const MAX_UNKNOWN_NAMES: usize = 64;

/// A bad input or unreadable log: every variant is bad input (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// A problem at one field of one row.
    #[error("{file}:{line}: column {column} ({name}): {message}")]
    At {
        /// The file as the user named it.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column (field number).
        column: usize,
        /// The column's name.
        name: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A bad option (e.g. an interval that does not divide a day).
    #[error("{message}")]
    Options {
        /// What is wrong and what was expected.
        message: String,
    },
    /// A problem with the file as a whole (unreadable, empty, not JSON, …).
    #[error("{file}: {message}")]
    File {
        /// The file as the user named it.
        file: String,
        /// What is wrong.
        message: String,
    },
}

impl CalibrateError {
    /// The process exit code for this error: always 2 (bad input).
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// The columns of the §13 log, in their canonical order.
pub const COLUMNS: [&str; 9] = [
    "time",
    "event",
    "conversation",
    "consumer",
    "skill",
    "channel",
    "agent",
    "group",
    "detail",
];

/// Index of each column in [`COLUMNS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    /// `time`.
    Time = 0,
    /// `event`.
    Event,
    /// `conversation`.
    Conversation,
    /// `consumer`.
    Consumer,
    /// `skill`.
    Skill,
    /// `channel`.
    Channel,
    /// `agent`.
    Agent,
    /// `group`.
    Group,
    /// `detail`.
    Detail,
}

/// The events of SPEC §13.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// The consumer's first message.
    Arrived,
    /// Assigned to an agent.
    Assigned,
    /// A consumer message after the first.
    ConsumerMessage,
    /// An agent reply.
    AgentMessage,
    /// Parked (pending / on hold).
    Parked,
    /// Solved by the agent.
    Solved,
    /// Reopened by the consumer (followed by a consumer message).
    Reopened,
    /// Transferred; `skill` is the target.
    Transferred,
    /// Returned to the queue.
    ReturnedToQueue,
    /// Left the queue unassigned.
    Abandoned,
    /// Closed; `detail` is agent, consumer, timer or auto_close.
    Closed,
    /// Agent login.
    Login,
    /// Agent logout.
    Logout,
    /// Agent status change; `detail` is online, away or back_soon.
    Status,
}

impl Kind {
    /// Every event of §13 with its name.
    pub const ALL: [(Kind, &'static str); 14] = [
        (Kind::Arrived, "arrived"),
        (Kind::Assigned, "assigned"),
        (Kind::ConsumerMessage, "consumer_message"),
        (Kind::AgentMessage, "agent_message"),
        (Kind::Parked, "parked"),
        (Kind::Solved, "solved"),
        (Kind::Reopened, "reopened"),
        (Kind::Transferred, "transferred"),
        (Kind::ReturnedToQueue, "returned_to_queue"),
        (Kind::Abandoned, "abandoned"),
        (Kind::Closed, "closed"),
        (Kind::Login, "login"),
        (Kind::Logout, "logout"),
        (Kind::Status, "status"),
    ];

    /// The event named `s`, if it is one of §13.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.iter().find(|(_, n)| *n == s).map(|(k, _)| *k)
    }

    /// The event's name in the log.
    pub fn name(self) -> &'static str {
        Kind::ALL[self as usize].1
    }

    /// Whether the event concerns a conversation (else an agent).
    pub fn is_conversation(self) -> bool {
        !matches!(self, Kind::Login | Kind::Logout | Kind::Status)
    }
}

/// One row of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Seconds since the log's first row.
    pub t: f64,
    /// Seconds since the Monday 00:00 of the first row's week, local time.
    pub local: f64,
    /// The event.
    pub kind: Kind,
    /// Conversation id (empty for agent events).
    pub conversation: String,
    /// Consumer id.
    pub consumer: String,
    /// Skill (for `transferred`: the target).
    pub skill: String,
    /// Channel.
    pub channel: String,
    /// Agent id.
    pub agent: String,
    /// Agent group.
    pub group: String,
    /// Detail (close reason, status, …).
    pub detail: String,
    /// 1-based line in the file.
    pub line: u64,
}

/// Seconds from 1970-01-01 to the civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC with milliseconds.
pub fn format_rfc3339(epoch: f64) -> String {
    let ms = (epoch * 1000.0).round() as i64;
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms.rem_euclid(1000)
    )
}

/// Parses RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`): (UTC seconds
/// since the epoch, the offset in seconds). `None` if it is not one.
pub fn parse_rfc3339(s: &str) -> Option<(f64, f64)> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let dim = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=dim).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac = 0.0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        frac = format!("0.{}", &s[start..i]).parse().ok()?;
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        c @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *c == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let local = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec;
    Some(((local - offset) as f64 + frac, offset as f64))
}

/// How the log writes its times (decided by the first row).
#[derive(Clone, Copy, Debug, PartialEq)]
enum TimeForm {
    /// Seconds since the log's start (a Monday 00:00).
    Seconds,
    /// RFC 3339; `monday` is the wall-clock reading (epoch seconds plus
    /// offset) of the Monday 00:00 before the first row, `first` the first
    /// row's UTC epoch seconds.
    Rfc3339 { monday: f64, first: f64 },
}

/// Splits one CSV line into `out` (quoted fields allowed); `Err(column)`
/// for a malformed quote.
fn split_line(line: &str, out: &mut Vec<String>) -> Result<(), usize> {
    out.clear();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                    if !matches!(chars.peek(), None | Some(',')) {
                        return Err(out.len() + 1);
                    }
                }
            } else {
                field.push(c);
            }
        } else if c == ',' {
            out.push(std::mem::take(&mut field));
            at_start = true;
            continue;
        } else if c == '"' && at_start {
            quoted = true;
        } else {
            field.push(c);
        }
        at_start = false;
    }
    if quoted {
        return Err(out.len() + 1);
    }
    out.push(field);
    Ok(())
}

/// A streaming reader of a §13 log.
pub struct LogReader<R> {
    input: R,
    file: String,
    line: u64,
    buf: Vec<u8>,
    fields: Vec<String>,
    /// Position in the row of each of [`COLUMNS`].
    index: [Option<usize>; 9],
    names: Vec<String>,
    form: Option<TimeForm>,
    last_t: f64,
    last_line: u64,
    unknown: BTreeMap<String, u64>,
    unknown_other: u64,
    rows: u64,
}

impl<R: BufRead> LogReader<R> {
    /// Reads the header; `file` names the log in messages.
    pub fn new(input: R, file: &str) -> Result<Self, CalibrateError> {
        let mut r = LogReader {
            input,
            file: file.to_string(),
            line: 0,
            buf: Vec::new(),
            fields: Vec::new(),
            index: [None; 9],
            names: Vec::new(),
            form: None,
            last_t: f64::NEG_INFINITY,
            last_line: 0,
            unknown: BTreeMap::new(),
            unknown_other: 0,
            rows: 0,
        };
        if !r.read_line()? {
            return Err(r.file_error("the log is empty: expected a header line".into()));
        }
        let header = std::mem::take(&mut r.fields);
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            match COLUMNS.iter().position(|c| *c == name) {
                Some(k) if r.index[k].is_none() => r.index[k] = Some(i),
                Some(_) => return Err(r.at(i, name, format!("column `{name}` appears twice"))),
                None => {
                    return Err(r.at(
                        i,
                        name,
                        format!("unknown column `{name}`: expected {}", COLUMNS.join(",")),
                    ));
                }
            }
        }
        for req in [Col::Time, Col::Event] {
            if r.index[req as usize].is_none() {
                let name = COLUMNS[req as usize];
                return Err(r.at(
                    header.len(),
                    name,
                    format!("missing column `{name}`: expected {}", COLUMNS.join(",")),
                ));
            }
        }
        r.names = header.iter().map(|h| h.trim().to_string()).collect();
        Ok(r)
    }

    fn file_error(&self, message: String) -> CalibrateError {
        CalibrateError::File {
            file: self.file.clone(),
            message,
        }
    }

    /// An error at the 0-based field `i` of the current line.
    fn at(&self, i: usize, name: &str, message: String) -> CalibrateError {
        CalibrateError::At {
            file: self.file.clone(),
            line: self.line,
            column: i + 1,
            name: name.to_string(),
            message,
        }
    }

    /// An error at column `col` of the current line.
    pub fn error(&self, col: Col, message: String) -> CalibrateError {
        let i = self.index[col as usize].unwrap_or(self.names.len());
        self.at(i, COLUMNS[col as usize], message)
    }

    /// Reads the next non-empty line into `fields`; false at the end.
    fn read_line(&mut self) -> Result<bool, CalibrateError> {
        loop {
            self.buf.clear();
            let n = std::io::Read::take(&mut self.input, MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| self.file_error(format!("cannot read: {e}")))?;
            if n == 0 {
                return Ok(false);
            }
            self.line += 1;
            if self.buf.len() > MAX_LINE && self.buf.last() != Some(&b'\n') {
                return Err(self.at(0, "line", format!("line longer than {MAX_LINE} bytes")));
            }
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            if self.buf.is_empty() {
                continue;
            }
            let text = std::str::from_utf8(&self.buf)
                .map_err(|e| self.at(0, "line", format!("not UTF-8 text: {e}")))?;
            let mut fields = std::mem::take(&mut self.fields);
            let split = split_line(text, &mut fields);
            self.fields = fields;
            if let Err(c) = split {
                return Err(self.at(c - 1, "line", "unbalanced quote".into()));
            }
            return Ok(true);
        }
    }

    fn field(&self, col: Col) -> &str {
        self.index[col as usize]
            .and_then(|i| self.fields.get(i))
            .map_or("", |s| s.trim())
    }

    /// The next event, or `None` at the end of the log. Unknown events
    /// are counted ([`LogReader::unknown_events`]) and skipped.
    pub fn next_event(&mut self) -> Result<Option<Event>, CalibrateError> {
        loop {
            if !self.read_line()? {
                return Ok(None);
            }
            if self.fields.len() != self.names.len() {
                let c = self.fields.len().min(self.names.len());
                let name = self.names.get(c).cloned().unwrap_or_else(|| "row".into());
                return Err(self.at(
                    c,
                    &name,
                    format!(
                        "{} fields, but the header has {}",
                        self.fields.len(),
                        self.names.len()
                    ),
                ));
            }
            let (t, local) = self.time()?;
            if t < self.last_t {
                return Err(self.error(
                    Col::Time,
                    format!(
                        "out of order: `{}` is earlier than line {} (rows must be ordered by time)",
                        self.field(Col::Time),
                        self.last_line
                    ),
                ));
            }
            self.last_t = t;
            self.last_line = self.line;
            let name = self.field(Col::Event).to_string();
            let name = name.as_str();
            let Some(kind) = Kind::parse(name) else {
                if self.unknown.len() < MAX_UNKNOWN_NAMES || self.unknown.contains_key(name) {
                    *self.unknown.entry(name.to_string()).or_insert(0) += 1;
                } else {
                    self.unknown_other += 1;
                }
                continue;
            };
            self.rows += 1;
            let get = |c: Col| self.field(c).to_string();
            let ev = Event {
                t,
                local,
                kind,
                conversation: get(Col::Conversation),
                consumer: get(Col::Consumer),
                skill: get(Col::Skill),
                channel: get(Col::Channel),
                agent: get(Col::Agent),
                group: get(Col::Group),
                detail: get(Col::Detail),
                line: self.line,
            };
            if kind.is_conversation() && ev.conversation.is_empty() {
                return Err(self.error(
                    Col::Conversation,
                    format!("`{name}` needs a conversation id"),
                ));
            }
            if !kind.is_conversation() && ev.agent.is_empty() {
                return Err(self.error(Col::Agent, format!("`{name}` needs an agent id")));
            }
            if matches!(kind, Kind::Arrived | Kind::Transferred) && ev.skill.is_empty() {
                return Err(self.error(Col::Skill, format!("`{name}` needs a skill")));
            }
            if kind == Kind::Assigned && ev.agent.is_empty() {
                return Err(self.error(Col::Agent, "`assigned` needs an agent id".into()));
            }
            if !ev.channel.is_empty() && !matches!(ev.channel.as_str(), "live_chat" | "messaging") {
                return Err(self.error(
                    Col::Channel,
                    format!(
                        "unknown channel `{}`: expected live_chat or messaging",
                        ev.channel
                    ),
                ));
            }
            return Ok(Some(ev));
        }
    }

    /// (t, local) of the current row.
    fn time(&mut self) -> Result<(f64, f64), CalibrateError> {
        let s = self.field(Col::Time);
        let seconds = s.parse::<f64>().ok().filter(|v| v.is_finite());
        match (self.form, seconds) {
            (None, Some(v)) if v >= 0.0 => {
                self.form = Some(TimeForm::Seconds);
                Ok((v, v))
            }
            (Some(TimeForm::Seconds), Some(v)) if v >= 0.0 => Ok((v, v)),
            (Some(TimeForm::Seconds), _) => Err(self.error(
                Col::Time,
                format!("unparseable time `{s}`: this log gives seconds since its start (a number >= 0), as its first row does"),
            )),
            (form, _) => {
                let Some((epoch, offset)) = parse_rfc3339(s) else {
                    return Err(self.error(
                        Col::Time,
                        format!("unparseable time `{s}`: expected RFC 3339 such as 2026-11-02T08:00:04Z or 2026-11-02T09:00:04+01:00, or seconds since the log's start"),
                    ));
                };
                let (monday, first) = match form {
                    Some(TimeForm::Rfc3339 { monday, first }) => (monday, first),
                    _ => {
                        let day = ((epoch + offset) / 86_400.0).floor();
                        // 1970-01-01 was a Thursday: Monday is 3 days before.
                        let weekday = (day as i64 + 3).rem_euclid(7) as f64;
                        let monday = (day - weekday) * 86_400.0;
                        self.form = Some(TimeForm::Rfc3339 { monday, first: epoch });
                        (monday, epoch)
                    }
                };
                // `local` keeps each row's own offset (wall-clock profiles across DST).
                let local = epoch + offset - monday;
                Ok((epoch - first, local))
            }
        }
    }

    /// Counts of unknown event names (at most 64 names; the rest under `""`).
    pub fn unknown_events(&self) -> BTreeMap<String, u64> {
        let mut m = self.unknown.clone();
        if self.unknown_other > 0 {
            m.insert(String::new(), self.unknown_other);
        }
        m
    }

    /// Known events read so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The file name given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Whether the log's times are RFC 3339 (else seconds), once a row is read.
    pub fn epoch_start(&self) -> Option<f64> {
        match self.form {
            Some(TimeForm::Rfc3339 { first, .. }) => Some(first),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0.0, 0.0)));
        assert_eq!(
            parse_rfc3339("2026-11-02T09:00:04.5+01:00"),
            Some((
                days_from_civil(2026, 11, 2) as f64 * 86_400.0 + 8.0 * 3600.0 + 4.5,
                3600.0
            ))
        );
        assert_eq!(parse_rfc3339("2026-02-30T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2026-11-02 08:00:04"), None);
        assert_eq!(parse_rfc3339("2026-11-02T08:00:04+0100"), None);
        assert_eq!(format_rfc3339(0.25), "1970-01-01T00:00:00.250Z");
        let t = parse_rfc3339("2024-01-01T00:00:00Z").unwrap().0;
        assert_eq!(
            format_rfc3339(t + 86_400.0 * 60.0),
            "2024-03-01T00:00:00.000Z"
        );
    }

    #[test]
    fn local_clock_is_weekly() {
        // 2026-11-04 is a Wednesday; 10:00 local at +02:00.
        let text = "time,event,agent\n2026-11-04T10:00:00+02:00,login,a1\n2026-11-04T09:00:00+01:00,login,a2\n";
        let mut r = LogReader::new(text.as_bytes(), "x.csv").unwrap();
        let e = r.next_event().unwrap().unwrap();
        assert_eq!(e.t, 0.0);
        assert_eq!(e.local, 2.0 * 86_400.0 + 10.0 * 3600.0);
        let e = r.next_event().unwrap().unwrap();
        assert_eq!(e.t, 0.0);
        // Same instant, read in its own offset: 09:00 wall clock.
        assert_eq!(e.local, 2.0 * 86_400.0 + 9.0 * 3600.0);
    }

    #[test]
    fn quoted_fields() {
        let mut v = Vec::new();
        split_line(r#"1,"a,b","say ""hi""",x"#, &mut v).unwrap();
        assert_eq!(v, vec!["1", "a,b", "say \"hi\"", "x"]);
        assert_eq!(split_line(r#"1,"ab"c"#, &mut v), Err(2));
    }
}

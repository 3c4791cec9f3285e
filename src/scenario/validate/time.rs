//! Time of the week: a group's `shifts` (days and clock times → weekly
//! login windows), `breaks` within each shift, and `wind_down` before
//! each logout.

use super::super::schema::{BreakState, RawAgents, RawBreak, RawShift};
use super::super::{Break, Channel, CountProfile, Mode, Shift};
use super::Ctx;
use crate::engine::time::{DAY, WEEK};
use toml::Spanned;

/// Parses `"HH:MM"` (00:00 to 24:00) into seconds of the day.
fn parse_clock(s: &str) -> Option<f64> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some((h * 3600 + m * 60) as f64)
}

/// Parses days: `"Mon-Fri"`, `"Sat,Sun"`, `"Tue"`, `"daily"` → a 7-bit set, Monday = bit 0.
fn parse_days(s: &str) -> Option<u8> {
    let day = |d: &str| {
        crate::engine::time::DAY_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(d.trim()))
    };
    let s = s.trim();
    if s.eq_ignore_ascii_case("daily")
        || s.eq_ignore_ascii_case("all")
        || s.eq_ignore_ascii_case("Mon-Sun")
    {
        return Some(0x7f);
    }
    let mut set = 0u8;
    for part in s.split(',') {
        if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (day(a)?, day(b)?);
            let mut d = a;
            loop {
                set |= 1 << d;
                if d == b {
                    break;
                }
                d = (d + 1) % 7;
            }
        } else {
            set |= 1 << day(part)?;
        }
    }
    (set != 0).then_some(set)
}

/// The weekly login windows of a group, sorted by start; errors for bad
/// days or times, a missing or misplaced `login`, and overlaps.
pub(super) fn shifts(
    cx: &mut Ctx,
    g: &Spanned<RawAgents>,
    mode: Mode,
    k: &dyn Fn(&str) -> String,
) -> Vec<Shift> {
    let gr = g.get_ref();
    let mut shifts = Vec::new();
    if let Some(sh) = &gr.shifts {
        for s in sh.get_ref() {
            shifts.extend(one_shift(cx, sh, s, mode, k));
        }
        shifts.sort_by(|a, b| a.start.total_cmp(&b.start));
        if let Some(at) = overlap(&shifts) {
            cx.err(
                sh,
                &k("shifts"),
                format!("shifts overlap at {}", crate::engine::time::label(at)),
            );
        }
        if sh.get_ref().is_empty() {
            cx.err(
                sh,
                &k("shifts"),
                "empty list of shifts: omit the key for an always-on group",
            );
        }
    }
    if mode == Mode::TwoLogin && gr.shifts.is_none() {
        cx.err(
            g,
            &k("shifts"),
            "a two_login group needs shifts, each naming its login (live_chat or messaging)",
        );
    }
    shifts
}

/// One `{ days, start, end, login }` entry: a window on each of its days.
fn one_shift(
    cx: &mut Ctx,
    sh: &Spanned<Vec<RawShift>>,
    s: &RawShift,
    mode: Mode,
    k: &dyn Fn(&str) -> String,
) -> Vec<Shift> {
    let (Some(days), Some(start), Some(end)) = (
        parse_days(&s.days),
        parse_clock(&s.start),
        parse_clock(&s.end),
    ) else {
        cx.err(sh, &k("shifts"), format!("bad shift {{ days = \"{}\", start = \"{}\", end = \"{}\" }}: expected days like \"Mon-Fri\" or \"Sat,Sun\" and times \"HH:MM\"", s.days, s.start, s.end));
        return Vec::new();
    };
    let login: Option<Channel> = match (s.login, mode) {
        (Some(c), Mode::TwoLogin) => Some(c),
        (None, Mode::TwoLogin) => {
            cx.err(sh, &k("shifts.login"), format!("a two_login shift must name its login (live_chat or messaging): shift {} {}-{}", s.days, s.start, s.end));
            None
        }
        (Some(_), _) => {
            cx.err(
                sh,
                &k("shifts.login"),
                "`login` is only for two_login groups",
            );
            None
        }
        (None, _) => None,
    };
    let mut length = end - start;
    if length <= 0.0 {
        length += DAY;
    }
    if length <= 0.0 {
        // Only "24:00" to "00:00": not a day (that is "00:00" to "24:00").
        cx.err(
            sh,
            &k("shifts"),
            format!(
                "the shift {} {}-{} lasts zero hours: for a whole day write start = \"00:00\", end = \"24:00\"",
                s.days, s.start, s.end
            ),
        );
        return Vec::new();
    }
    (0..7)
        .filter(|d| days & (1 << d) != 0)
        .map(|d| Shift {
            start: d as f64 * DAY + start,
            length,
            login,
        })
        .collect()
}

/// Where the first of the sorted `shifts` runs into the next one.
fn overlap(shifts: &[Shift]) -> Option<f64> {
    for i in 0..shifts.len() {
        let next = if i + 1 < shifts.len() {
            shifts[i + 1].start
        } else {
            shifts[0].start + WEEK
        };
        if shifts[i].start + shifts[i].length > next + 1e-9
            && (shifts.len() > 1 || shifts[i].length > WEEK)
        {
            return Some(next);
        }
    }
    None
}

/// `wind_down`: no new assignments this long before each logout. It needs
/// logouts (shifts or a count profile) and must be shorter than every
/// shift and than the profile's `per`.
pub(super) fn wind_down(
    cx: &mut Ctx,
    gr: &RawAgents,
    shifts: &[Shift],
    profile: Option<&CountProfile>,
    k: &dyn Fn(&str) -> String,
) -> f64 {
    let Some(w) = &gr.wind_down else {
        return 0.0;
    };
    let wd = w.get_ref().0;
    if gr.shifts.is_none() && profile.is_none() {
        cx.err(
            w,
            &k("wind_down"),
            "wind_down needs shifts or a count profile: it counts back from each logout, and this group never logs out",
        );
        return 0.0;
    }
    if let Some(short) = shifts.iter().find(|s| wd >= s.length) {
        cx.err(
            w,
            &k("wind_down"),
            format!(
                "wind_down {}s is not shorter than a {}h shift: the agents would take nothing",
                wd,
                short.length / 3600.0
            ),
        );
        return 0.0;
    }
    if let Some(p) = profile.filter(|p| wd >= p.per) {
        cx.err(
            w,
            &k("wind_down"),
            format!(
                "wind_down {wd}s is not shorter than the count profile's per ({}s)",
                p.per
            ),
        );
        return 0.0;
    }
    wd
}

/// The breaks of a group, sorted; each must fit in every shift.
pub(super) fn breaks(
    cx: &mut Ctx,
    gr: &RawAgents,
    shifts: &[Shift],
    k: &dyn Fn(&str) -> String,
) -> Vec<Break> {
    let mut breaks = Vec::new();
    let Some(b) = &gr.breaks else {
        return breaks;
    };
    if gr.shifts.is_none() {
        cx.err(
            b,
            &k("breaks"),
            "breaks need shifts (they are counted from each shift's start)",
        );
    }
    for br in b.get_ref() {
        match one_break(cx, b, br, shifts, k) {
            Some(x) => breaks.push(x),
            None => break,
        }
    }
    breaks.sort_by(|a, b| a.after.total_cmp(&b.after));
    if breaks
        .windows(2)
        .any(|w| w[0].after + w[0].stagger + w[0].duration > w[1].after)
    {
        cx.err(b, &k("breaks"), "breaks overlap");
    }
    breaks
}

/// One break; `None` (after an error) when it does not fit in a shift.
fn one_break(
    cx: &mut Ctx,
    b: &Spanned<Vec<RawBreak>>,
    br: &RawBreak,
    shifts: &[Shift],
    k: &dyn Fn(&str) -> String,
) -> Option<Break> {
    if br.duration.0 <= 0.0 {
        cx.err(b, &k("breaks"), "a break's duration must be longer than 0");
    }
    let stagger = br.stagger.map_or(0.0, |d| d.0);
    if let Some(short) = shifts
        .iter()
        .find(|s| br.after.0 + stagger + br.duration.0 > s.length)
    {
        cx.err(
            b,
            &k("breaks"),
            format!(
                "the break after {}s (stagger {}s) does not fit in a {}h shift",
                br.after.0,
                stagger,
                short.length / 3600.0
            ),
        );
        return None;
    }
    Some(Break {
        after: br.after.0,
        duration: br.duration.0,
        stagger,
        back_soon: br.state == Some(BreakState::BackSoon),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_and_days() {
        assert_eq!(parse_clock("08:30"), Some(30_600.0));
        assert_eq!(parse_clock("24:00"), Some(86_400.0));
        assert_eq!(parse_clock("24:01"), None);
        assert_eq!(parse_days("Mon-Fri"), Some(0b0011111));
        assert_eq!(parse_days("Sat,Sun"), Some(0b1100000));
        assert_eq!(parse_days("Fri-Mon"), Some(0b1110001));
        assert_eq!(parse_days("daily"), Some(0x7f));
        assert_eq!(parse_days("Funday"), None);
    }
}

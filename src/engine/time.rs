//! Simulated time: seconds as `f64`, time 0 is Monday 00:00, and the weekly
//! calendar used for shifts and for report labels.

/// A point in simulated time, in seconds since Monday 00:00 of week 0.
pub type Time = f64;

/// Seconds in a minute, hour, day and week.
pub const MINUTE: f64 = 60.0;
/// Seconds in an hour.
pub const HOUR: f64 = 3600.0;
/// Seconds in a day.
pub const DAY: f64 = 86_400.0;
/// Seconds in a week.
pub const WEEK: f64 = 7.0 * DAY;

/// Day names, Monday first, as used in labels and shift `days`.
pub const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A label such as `Mon 08:30` for a time (the week number is dropped).
pub fn label(t: Time) -> String {
    let secs = t.max(0.0).round() as u64;
    let in_week = secs % WEEK as u64;
    let day = (in_week / DAY as u64) as usize;
    let in_day = in_week % DAY as u64;
    format!(
        "{} {:02}:{:02}",
        DAY_NAMES[day],
        in_day / 3600,
        (in_day % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_wrap_weekly() {
        assert_eq!(label(0.0), "Mon 00:00");
        assert_eq!(label(8.5 * HOUR), "Mon 08:30");
        assert_eq!(label(DAY + 90.0 * MINUTE), "Tue 01:30");
        assert_eq!(
            label(WEEK + 6.0 * DAY + 23.0 * HOUR + 59.0 * MINUTE),
            "Sun 23:59"
        );
    }
}

//! What a run needs in memory, estimated before it starts, so that a
//! scenario that cannot fit (a one-second report interval over weeks, a
//! million replications, hundreds of thousands of agents) is refused with a
//! message naming the cause instead of exhausting the machine.
//!
//! The estimate counts the large, predictable parts: the interval tallies
//! and agent records of the replications in flight, the per-replication
//! values the estimates are computed from, and the agent rows. Live
//! conversations are bounded separately: [`crate::sim::MAX_LIVE`] over all
//! the replications running together ([`super::pool::Live`]).

use super::aggregate::{Detail, n_intervals};
use crate::error::{Error, Result};
use crate::metrics::{AgentTally, METRICS, Tally};
use crate::scenario::Scenario;
use crate::sim::interval::{INTERVAL_METRICS, IntervalTally};

/// The estimated memory of a run, by part.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// (what, bytes), largest first.
    pub parts: Vec<(String, u64)>,
}

impl Estimate {
    /// The total in bytes.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.parts.iter().map(|p| p.1).fold(0, u64::saturating_add)
    }

    /// Bad input when the total exceeds `limit` bytes: the message names the
    /// largest part and how to override.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] when it does not fit.
    pub fn check(&self, limit: u64) -> Result<()> {
        let total = self.total();
        if total <= limit {
            return Ok(());
        }
        let parts: Vec<String> = self
            .parts
            .iter()
            .filter(|p| p.1 > 0)
            .map(|(what, b)| format!("{} for {what}", size_text(*b)))
            .collect();
        Err(Error::input(format!(
            "this run would need about {} of memory, more than the {} allowed: {}. \
             Use a longer report interval (`simulation.interval`), a shorter horizon, fewer \
             replications or fewer --threads; or raise the limit with --max-memory SIZE \
             (e.g. --max-memory 64G)",
            size_text(total),
            size_text(limit),
            parts.join(", ")
        )))
    }
}

/// Estimates the memory of running `scn` with `threads` workers.
#[must_use]
pub fn estimate(scn: &Scenario, detail: Detail, threads: usize) -> Estimate {
    let ns = scn.skills.len() as u64 + 1;
    let reps = u64::from(scn.replications);
    let n_iv = n_intervals(scn) as u64;
    let agents: u64 = scn.groups.iter().map(|g| u64::from(g.count)).sum();
    let in_flight = (super::pool::window(threads.max(1)) as u64).min(reps.max(1));
    let size = |n: usize| n as u64;
    let tally = size(std::mem::size_of::<IntervalTally>());
    let per_rep_result = n_iv
        .saturating_mul(ns)
        .saturating_mul(tally)
        .saturating_add(agents.saturating_mul(size(2 * std::mem::size_of::<AgentTally>() + 64)))
        .saturating_add(ns.saturating_mul(size(std::mem::size_of::<Tally>())));
    let mut parts = vec![
        (
            format!(
                "{in_flight} replication(s) in flight ({n_iv} report interval(s) x {ns} scope(s), {agents} agent(s))"
            ),
            per_rep_result.saturating_mul(in_flight),
        ),
        (
            format!("the summary values of {reps} replication(s)"),
            reps.saturating_mul(ns)
                .saturating_mul(size(METRICS.len() * 8 + 24)),
        ),
    ];
    if detail == Detail::Full {
        parts.push((
            format!(
                "the interval values of {reps} replication(s) ({n_iv} report interval(s) x {ns} scope(s))"
            ),
            n_iv.saturating_mul(ns)
                .saturating_mul(size(INTERVAL_METRICS.len() * 8))
                .saturating_mul(reps),
        ));
        parts.push((
            format!("the interval estimates ({n_iv} report interval(s))"),
            n_iv.saturating_mul(ns)
                .saturating_mul(size(INTERVAL_METRICS.len() * 32 + 24)),
        ));
        parts.push((
            format!("the rows of {agents} agent(s)"),
            agents.saturating_mul(2 * 160),
        ));
    }
    parts.sort_by(|a, b| b.1.cmp(&a.1));
    Estimate { parts }
}

/// Parses a size such as `512M`, `8G`, `1.5T` or a number of bytes
/// (binary units: K = 1024).
///
/// # Errors
///
/// A message quoting the input.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let unit = t[i..].trim().to_ascii_uppercase();
            let m: u64 = match unit.trim_end_matches("IB").trim_end_matches('B') {
                "" => 1,
                "K" => 1 << 10,
                "M" => 1 << 20,
                "G" => 1 << 30,
                "T" => 1 << 40,
                _ => {
                    return Err(format!(
                        "invalid size `{s}`: unknown unit `{}`; use e.g. 512M, 8G or 1T",
                        &t[i..]
                    ));
                }
            };
            (t[..i].trim(), m)
        }
        None => (t, 1),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok((v * mult as f64).min(u64::MAX as f64) as u64),
        _ => Err(format!(
            "invalid size `{s}`: expected a positive number with an optional unit K, M, G or T, e.g. 8G"
        )),
    }
}

/// `1.5 GB`-style text (binary units).
#[must_use]
pub fn size_text(b: u64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} bytes")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// The machine's physical memory (Linux `/proc/meminfo`), if known.
#[must_use]
pub fn physical_memory() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert!(parse_size("lots").is_err() && parse_size("3X").is_err());
        assert!(parse_size("0").is_err() && parse_size("-1G").is_err());
        assert_eq!(size_text(3 << 30), "3.0 GB");
    }

    #[test]
    fn a_one_second_interval_over_weeks_is_refused_before_running() {
        let mut scn = crate::runner::example();
        scn.horizon = 23.0 * 86_400.0;
        scn.interval = 1.0;
        let e = estimate(&scn, Detail::Full, 2);
        assert!(e.total() > 4 << 30, "{e:?}");
        let err = e.check(1 << 30).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let msg = err.to_string();
        assert!(
            msg.contains("--max-memory") && msg.contains("report interval"),
            "{msg}"
        );
        // The example itself fits easily.
        let small = crate::runner::example();
        assert!(estimate(&small, Detail::Full, 2).total() < 64 << 20);
    }
}

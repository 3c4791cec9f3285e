//! The speed benchmarks, one replication, single-threaded: the Erlang A
//! model of the `main_erlangA` reference row (2 arrivals/min, 4 min mean
//! effort, 10 agents, 5 min mean patience) for a given number of customers;
//! the routing model (500 agents, ring mode, shifts); and the large center
//! of `shared/reference/large-center.py` (100 skills, 10,000 agents).

use crate::scenario::{Scenario, load_str};
use std::path::Path;
use std::time::Instant;

/// What a benchmark run measured.
#[derive(Clone, Debug)]
pub struct BenchResult {
    /// Which model.
    pub model: &'static str,
    /// Customers (conversations) offered.
    pub customers: u64,
    /// Events processed.
    pub events: u64,
    /// Wall-clock seconds of the simulation.
    pub seconds: f64,
    /// Peak resident memory of the process (kB), if known.
    pub peak_rss_kb: Option<u64>,
    /// Largest number of live conversations.
    pub peak_conversations: usize,
}

impl BenchResult {
    /// A human-readable report.
    pub fn report(&self) -> String {
        format!(
            "{}, 1 replication, 1 thread\n  customers:          {}\n  events:             {}\n  time:               {:.3} s\n  customers/s:        {:.0}\n  events/s:           {:.0}\n  peak conversations: {}\n  peak RSS:           {}\n",
            self.model,
            self.customers,
            self.events,
            self.seconds,
            self.customers as f64 / self.seconds,
            self.events as f64 / self.seconds,
            self.peak_conversations,
            self.peak_rss_kb
                .map_or("unknown".into(), |k| format!("{:.1} MB", k as f64 / 1024.0)),
        )
    }
}

/// The Erlang A scenario for about `customers` arrivals.
pub fn erlang_a_scenario(customers: u64) -> Scenario {
    // 2 per minute: the horizon that gives `customers` arrivals on average.
    let minutes = customers as f64 / 2.0;
    let text = format!(
        r#"
[simulation]
horizon = {horizon}
warmup = 0
replications = 1
interval = {horizon}
[[skill]]
name = "main"
arrivals = {{ rate = 2, per = "1m" }}
patience = {{ dist = "exponential", mean = "5m" }}
agent_reply = {{ dist = "exponential", mean = "4m" }}
[[agents]]
name = "agents"
count = 10
skills = ["main"]
"#,
        horizon = minutes * 60.0
    );
    load_str(&text, "<bench>", Path::new("."), "bench").expect("the benchmark scenario is valid")
}

/// Peak resident set size of this process (Linux), in kB.
pub fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The routing model: 500 agents in 5 groups over 10 skills, capacity 3,
/// weekday shifts with staggered breaks, ring mode with ignores and
/// ramp-up, one simulated week (no warm-up), one replication.
pub fn routing_scenario() -> Scenario {
    let mut text = String::from(
        "[simulation]\nhorizon = \"7d\"\nwarmup = 0\nreplications = 1\ninterval = \"30m\"\n",
    );
    for s in 0..10 {
        // Volumes per hour of the day: night, morning, midday peak, afternoon, evening.
        text.push_str(&format!(
            "[[skill]]\nname = \"s{s}\"\narrivals = {{ profile = [20, 10, 10, 10, 10, 20, 60, 160, 300, 360, 380, 360, 340, 360, 380, 360, 320, 280, 220, 160, 120, 80, 50, 30], per = \"1h\" }}\npatience = {{ dist = \"exponential\", mean = \"5m\" }}\nexchanges = {{ dist = \"geometric\", mean = 4 }}\nconsumer_reply = {{ dist = \"lognormal\", mean = \"40s\", sd = \"30s\" }}\nagent_reply = {{ dist = \"lognormal\", mean = \"30s\", sd = \"20s\" }}\nauto_close = \"10m\"\n"
        ));
    }
    let shifts = [
        ("Mon-Fri", "06:00", "14:00"),
        ("Mon-Fri", "08:00", "16:00"),
        ("Mon-Fri", "12:00", "20:00"),
        ("Mon-Fri", "16:00", "24:00"),
        ("Sat,Sun", "08:00", "20:00"),
    ];
    for (g, (days, start, end)) in shifts.iter().enumerate() {
        let (a, b) = (2 * g, 2 * g + 1);
        text.push_str(&format!(
            "[[agents]]\nname = \"g{g}\"\ncount = 100\nskills = [\"s{a}\", \"s{b}\", \"s{}\", \"s{}\"]\ncapacity = {{ live_chat = 3 }}\nshifts = [{{ days = \"{days}\", start = \"{start}\", end = \"{end}\" }}, {{ days = \"daily\", start = \"00:00\", end = \"06:00\" }}]\nbreaks = [{{ after = \"3h\", duration = \"30m\", stagger = \"2h\" }}]\n",
            (a + 2) % 10,
            (b + 2) % 10
        ));
    }
    text.push_str("[routing]\naccept = \"ring\"\nring_timeout = \"30s\"\nignore_probability = 0.05\naccept_delay = { dist = \"exponential\", mean = \"5s\" }\nramp_up = { first = 2, interval = \"1m\" }\n");
    load_str(&text, "<bench routing>", Path::new("."), "bench_routing")
        .expect("the routing benchmark scenario is valid")
}

/// Runs the routing benchmark (one week, one thread) through the
/// replication runner's single-replication path ([`crate::runner::run_one`]).
///
/// # Errors
///
/// [`crate::Error::Unstable`] if the model's queues grew without bound.
pub fn routing() -> crate::Result<BenchResult> {
    measure(
        "routing model (500 agents, 5 groups, 10 skills, ring, shifts, one week)",
        &routing_scenario(),
    )
}

/// Runs the Erlang A benchmark through the replication runner's
/// single-replication path ([`crate::runner::run_one`]): on the calling
/// thread, so the measure is of the engine, not of a thread pool.
///
/// # Errors
///
/// [`crate::Error::Unstable`] if the model's queues grew without bound.
pub fn erlang_a(customers: u64) -> crate::Result<BenchResult> {
    measure(
        "erlang A model (main_erlangA)",
        &erlang_a_scenario(customers),
    )
}

/// Runs one replication of `scn` on the calling thread and measures it.
fn measure(model: &'static str, scn: &Scenario) -> crate::Result<BenchResult> {
    let t0 = Instant::now();
    let r = crate::runner::run_one(scn)?;
    let seconds = t0.elapsed().as_secs_f64();
    Ok(BenchResult {
        model,
        // The `all` row (after the skills).
        customers: r.skills.last().map_or(0, |t| t.offered),
        events: r.events,
        seconds,
        peak_rss_kb: peak_rss_kb(),
        peak_conversations: r.peak_conversations,
    })
}

/// The hourly arrival profile of the large center, relative to its mean.
const LARGE_PROFILE: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.6, 1.8, 1.9, 1.8, 1.7, 1.8, 1.8, 1.7, 1.6, 1.5, 1.3,
    1.1, 0.9, 0.7, 0.5, 0.3,
];

/// The large center of `shared/reference/large-center.py`, the same text
/// but for the horizon: 100 skills (live chat at 700/h on average, social
/// messaging at 250/h, parked after 2 min), 10,000 agents in 50 groups of
/// 200 (blended and dedicated in turn, four shift starts, a 30 min break),
/// `hours` of simulated time after a 6 h warm-up (168 h: the reference week,
/// about 8 M conversations), one replication.
pub fn large_scenario(hours: u32) -> Scenario {
    use std::fmt::Write;
    let horizon = if hours == 168 {
        "7d".to_string()
    } else {
        format!("{hours}h")
    };
    let mut text = format!(
        "[simulation]\nname = \"scale\"\nhorizon = \"{horizon}\"\nwarmup = \"6h\"\nreplications = 1\nseed = 3\ninterval = \"1h\"\n\n"
    );
    let mean = LARGE_PROFILE.iter().sum::<f64>() / LARGE_PROFILE.len() as f64;
    for s in 0..100 {
        let live = s % 2 == 0;
        let (ch, style, rate) = if live {
            ("live_chat", "live_chat", 700.0)
        } else {
            ("messaging", "social_messaging", 250.0)
        };
        let profile: Vec<String> = LARGE_PROFILE
            .iter()
            .map(|p| format!("{:.1}", rate * p / mean))
            .collect();
        let (patience, exchanges, reply, reply_sd) = if live {
            ("3m", 4, "40s", "30s")
        } else {
            ("2h", 3, "15m", "20m")
        };
        let _ = write!(
            text,
            "[[skill]]\nname = \"s{s}\"\nchannel = \"{ch}\"\nstyle = \"{style}\"\narrivals = {{ profile = [{}], per = \"1h\" }}\npatience = {{ dist = \"exponential\", mean = \"{patience}\" }}\nexchanges = {{ dist = \"geometric\", mean = {exchanges} }}\nconsumer_reply = {{ dist = \"lognormal\", mean = \"{reply}\", sd = \"{reply_sd}\" }}\nagent_reply = {{ dist = \"lognormal\", mean = \"35s\", sd = \"20s\" }}\n{}\n\n",
            profile.join(", "),
            if live { "" } else { "park_after = \"2m\"" },
        );
    }
    for g in 0..50 {
        let blended = g % 2 == 0;
        // Blended groups take two live-chat and two messaging skills;
        // dedicated ones four live-chat skills.
        let step = if blended { 1 } else { 2 };
        let skills: Vec<String> = (0..4)
            .map(|k| format!("'s{}'", (2 * g + step * k) % 100))
            .collect();
        let (mode, capacity) = if blended {
            ("blended", "{ live_chat = 2, messaging = 4, total = 5 }")
        } else {
            ("dedicated", "{ live_chat = 3 }")
        };
        let (start, end) = [
            ("06:00", "14:00"),
            ("08:00", "16:00"),
            ("10:00", "18:00"),
            ("14:00", "22:00"),
        ][g % 4];
        let _ = write!(
            text,
            "[[agents]]\nname = \"g{g}\"\ncount = 200\nmode = \"{mode}\"\nskills = [{}]\ncapacity = {capacity}\nshifts = [{{ days = \"daily\", start = \"{start}\", end = \"{end}\" }}]\nbreaks = [{{ after = \"4h\", duration = \"30m\", stagger = \"1h\" }}]\n\n",
            skills.join(", "),
        );
    }
    text.push_str("[routing]\naccept = \"auto\"\n");
    load_str(&text, "<bench large>", Path::new("."), "bench_large")
        .expect("the large-center benchmark scenario is valid")
}

/// Runs the large center for `hours` after its warm-up (168: the reference
/// week) through [`crate::runner::run_one`], on the calling thread.
///
/// # Errors
///
/// [`crate::Error::Unstable`] if the model's queues grew without bound.
pub fn large(hours: u32) -> crate::Result<BenchResult> {
    measure(
        "large center (100 skills, 10,000 agents, 50 groups, shifts, breaks)",
        &large_scenario(hours),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_large_center_has_the_reference_size() {
        let scn = large_scenario(2);
        assert_eq!(scn.skills.len(), 100);
        assert_eq!(scn.groups.len(), 50);
        assert_eq!(
            scn.groups.iter().map(|g| g.count as u64).sum::<u64>(),
            10_000
        );
    }
}

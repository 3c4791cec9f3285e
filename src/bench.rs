//! The speed benchmark: the Erlang A model of the `main_erlangA` reference
//! row (2 arrivals/min, 4 min mean effort, 10 agents, 5 min mean patience)
//! for a given number of customers, one replication, single-threaded.

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
    let scn = routing_scenario();
    let t0 = Instant::now();
    let r = crate::runner::run_one(&scn)?;
    let seconds = t0.elapsed().as_secs_f64();
    Ok(BenchResult {
        model: "routing model (500 agents, 5 groups, 10 skills, ring, shifts, one week)",
        customers: r.skills.last().map_or(0, |t| t.offered),
        events: r.events,
        seconds,
        peak_rss_kb: peak_rss_kb(),
        peak_conversations: r.peak_conversations,
    })
}

/// Runs the Erlang A benchmark through the replication runner's
/// single-replication path ([`crate::runner::run_one`]): on the calling
/// thread, so the measure is of the engine, not of a thread pool.
///
/// # Errors
///
/// [`crate::Error::Unstable`] if the model's queues grew without bound.
pub fn erlang_a(customers: u64) -> crate::Result<BenchResult> {
    let scn = erlang_a_scenario(customers);
    let t0 = Instant::now();
    let r = crate::runner::run_one(&scn)?;
    let seconds = t0.elapsed().as_secs_f64();
    Ok(BenchResult {
        model: "erlang A model (main_erlangA)",
        customers: r.skills[0].offered,
        events: r.events,
        seconds,
        peak_rss_kb: peak_rss_kb(),
        peak_conversations: r.peak_conversations,
    })
}

//! The speed benchmark: the Erlang A model of the `main_erlangA` reference
//! row (2 arrivals/min, 4 min mean effort, 10 agents, 5 min mean patience)
//! for a given number of customers, one replication, single-threaded.

use crate::scenario::{Scenario, load_str};
use crate::sim::Sim;
use std::path::Path;
use std::time::Instant;

/// What a benchmark run measured.
#[derive(Clone, Debug)]
pub struct BenchResult {
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
            "erlang A model (main_erlangA), 1 replication, 1 thread\n  customers:          {}\n  events:             {}\n  time:               {:.3} s\n  customers/s:        {:.0}\n  events/s:           {:.0}\n  peak conversations: {}\n  peak RSS:           {}\n",
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

/// Runs the benchmark.
pub fn erlang_a(customers: u64) -> BenchResult {
    let scn = erlang_a_scenario(customers);
    let t0 = Instant::now();
    let r = Sim::new(&scn, 0, None).run();
    let seconds = t0.elapsed().as_secs_f64();
    BenchResult {
        customers: r.skills[0].offered,
        events: r.events,
        seconds,
        peak_rss_kb: peak_rss_kb(),
        peak_conversations: r.peak_conversations,
    }
}

//! Helpers shared by the integration tests.

use ccsim::scenario::{Scenario, load_str};
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scenario from TOML text (relative paths resolve against the repository root).
pub fn scenario(text: &str) -> Scenario {
    match load_str(text, "<test>", &root(), "test") {
        Ok(s) => s,
        Err(e) => panic!("test scenario invalid:\n{e}"),
    }
}

/// Every scenario file in scenarios/.
pub fn scenario_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

/// Path of a file under tests/data.
#[allow(dead_code)]
pub fn data(name: &str) -> PathBuf {
    root().join("tests").join("data").join(name)
}

/// Reads a whole directory's files into (name, bytes), sorted.
#[allow(dead_code)]
pub fn dir_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Writes arrival times to a trace file that lives for the whole test run
/// and returns its absolute path (for `arrivals = { trace = ... }`).
#[allow(dead_code)]
pub fn trace(times: &[f64]) -> String {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    use std::io::Write;
    writeln!(f, "time").unwrap();
    for t in times {
        writeln!(f, "{t}").unwrap();
    }
    let path = f.into_temp_path().keep().unwrap();
    path.to_string_lossy().replace('\\', "/")
}

/// Runs replication 0 with invariants checked after every event and
/// returns the result and the state timeline.
#[allow(dead_code)]
pub fn timeline(text: &str) -> (ccsim::sim::RepResult, Vec<ccsim::sim::LogEntry>) {
    let scn = scenario(text);
    ccsim::sim::Sim::new(&scn, 0, None).run_logged()
}

/// The (time, state, agent) steps of one conversation in a timeline.
#[allow(dead_code)]
pub fn steps(log: &[ccsim::sim::LogEntry], conv: u64) -> Vec<(f64, &'static str, String)> {
    log.iter()
        .filter(|e| e.conv == conv)
        .map(|e| (e.t, e.state, e.agent.clone()))
        .collect()
}

/// Shorthand for expected steps.
#[allow(dead_code)]
pub fn st(t: f64, state: &'static str, agent: &str) -> (f64, &'static str, String) {
    (t, state, agent.to_string())
}

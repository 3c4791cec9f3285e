//! Determinism: the same scenario and seed give byte-identical output
//! files, with one thread and with two, traces included.

use crate::common;
use assert_cmd::Command;

fn run_into(dir: &std::path::Path, threads: &str) -> Vec<(String, Vec<u8>)> {
    Command::cargo_bin("ccsim")
        .unwrap()
        .args([
            "run",
            "scenarios/example.toml",
            "--replications",
            "4",
            "--trace",
            "--threads",
            threads,
            "--out",
        ])
        .arg(dir)
        .current_dir(common::root())
        .assert()
        .success();
    common::dir_bytes(&dir.join("example"))
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let one = run_into(a.path(), "1");
    let two = run_into(b.path(), "2");
    let names: Vec<&str> = one.iter().map(|(n, _)| n.as_str()).collect();
    for f in [
        "summary.csv",
        "intervals.csv",
        "agents.csv",
        "conversations.csv",
        "scenario.resolved.json",
    ] {
        assert!(names.contains(&f), "{f} missing: {names:?}");
    }
    assert_eq!(one.len(), two.len());
    for ((n1, b1), (n2, b2)) in one.iter().zip(&two) {
        assert_eq!(n1, n2);
        assert!(b1 == b2, "{n1} differs between 1 and 2 threads");
    }
}

#[test]
fn another_seed_gives_other_numbers() {
    let scn = |seed: u64| {
        let mut s = ccsim::scenario::load(&common::root().join("scenarios/example.toml")).unwrap();
        s.seed = seed;
        s.replications = 1;
        s
    };
    let a = ccsim::sim::Sim::new(&scn(1), 0, None).run();
    let b = ccsim::sim::Sim::new(&scn(2), 0, None).run();
    assert_ne!(a.skills, b.skills);
}

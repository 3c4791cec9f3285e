//! Fault tests of the commands' output directories (reliability issue items 1–3, 12): one
//! run per output directory (a second run is refused, exit 2, naming the holder), a run's
//! files published as one unit (a run that fails midway leaves the previous results
//! byte-identical and no hidden leftovers), and planted symlinks never followed.

use crate::common::root;
use assert_cmd::cargo::CommandCargoExt;
use ccsim::report::publish::OutputLock;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `ccsim ARGS` in `cwd`, its output captured.
fn ccsim(cwd: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("ccsim")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file below `dir` as (relative path, bytes), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// The names in `parent` that belong to the publishing of `name` (staging or moved-aside
/// directories, the lock file): none may remain after a command ends.
fn leftovers(parent: &Path, name: &str) -> Vec<String> {
    let prefix = format!(".{name}.");
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect()
}

/// Two `ccsim run --trace` into one `--out` at once: the second is refused with exit 2
/// naming the first (its pid and command), and the first's `conversations.csv` is whole —
/// no NUL bytes, every row as wide as the header.
#[test]
fn a_second_concurrent_run_is_refused_and_the_first_is_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "--out",
        "out",
        "--trace",
        "--replications",
        "24",
        "--threads",
        "1",
    ];
    let mut first = Command::cargo_bin("ccsim")
        .unwrap()
        .current_dir(tmp.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first holds the directory, then start the second.
    let lock = tmp.path().join("out").join(".example.lock");
    let start = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("command=")) {
        assert!(
            first.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60),
            "the first run never locked {}",
            lock.display()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let second = ccsim(tmp.path(), &args);
    let first_status = first.wait().unwrap();
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    let err = stderr(&second);
    assert!(
        err.contains("in use by another ccsim run")
            && err.contains(&format!("held by pid {}", first.id()))
            && err.contains("--trace"),
        "{err}"
    );
    assert!(first_status.success());

    let csv = std::fs::read(tmp.path().join("out/example/conversations.csv")).unwrap();
    assert!(!csv.contains(&0), "NUL bytes in conversations.csv");
    let text = String::from_utf8(csv).unwrap();
    assert!(text.ends_with('\n'));
    let mut lines = text.lines();
    let width = lines.next().unwrap().split(',').count();
    let mut rows = 0;
    for l in lines {
        assert_eq!(l.split(',').count(), width, "torn row: {l}");
        rows += 1;
    }
    assert!(rows > 1000, "{rows} rows");
    assert!(leftovers(&tmp.path().join("out"), "example").is_empty());
}

/// Every command that writes an output directory refuses one that another process holds,
/// with exit 2 naming the holder, and touches nothing in it.
#[test]
fn every_command_refuses_a_held_output_directory() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["erlang-base.toml", "staffing.toml"] {
        let text = std::fs::read_to_string(root().join("scenarios/sweeps").join(f)).unwrap();
        std::fs::write(tmp.path().join(f), text).unwrap();
    }
    let modes = root().join("scenarios/modes.toml");
    let modes = modes.to_str().unwrap();
    let cases: [(&str, Vec<&str>); 4] = [
        ("out/example", vec!["run", "--out", "out"]),
        ("out/modes", vec!["compare", modes, "--out", "out"]),
        (
            "out/erlang",
            vec![
                "staff",
                "erlang-base.toml",
                "--target",
                "asa<=20",
                "--out",
                "out",
            ],
        ),
        (
            "out/erlang-staffing/sweep.csv",
            vec!["sweep", "staffing.toml", "--out", "out"],
        ),
    ];
    for (held, args) in cases {
        let held = tmp.path().join(held);
        let parent = held.parent().unwrap();
        std::fs::create_dir_all(parent).unwrap();
        let before = tree(parent);
        let lock = OutputLock::acquire_for(&held, "the-holder --out out").unwrap();
        let o = ccsim(tmp.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("in use by another ccsim run")
                && err.contains(&format!("pid {}", std::process::id()))
                && err.contains("the-holder --out out"),
            "{args:?}: {err}"
        );
        drop(lock);
        assert_eq!(tree(parent), before, "{args:?} touched the held directory");
    }
}

/// A run over earlier results that fails midway (the disk fills up while `report.html` is
/// written, after the CSV files and the charts) leaves the earlier results byte-identical
/// and no hidden staging directory, temporary or lock file beside them.
#[test]
fn a_run_that_fails_midway_leaves_the_previous_results_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ccsim(tmp.path(), &["run", "--out", "out", "--seed", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tmp.path().join("out/example");
    let before = tree(&dir);
    // A file-size limit between the largest other file and report.html.
    let size = |name: &str| before.iter().find(|(n, _)| n == name).unwrap().1.len() as u64;
    let page = size("report.html");
    let largest = before
        .iter()
        .filter(|(n, _)| n != "report.html")
        .map(|(_, b)| b.len() as u64)
        .max()
        .unwrap();
    assert!(
        page > largest + largest / 4,
        "report.html {page} B, largest other {largest} B"
    );
    let limit = (page + largest) / 2;

    let mut cmd = Command::cargo_bin("ccsim").unwrap();
    cmd.current_dir(tmp.path())
        .args(["run", "--out", "out", "--seed", "2"]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("report.html"), "{}", stderr(&o));
    assert!(tree(&dir) == before, "the previous results changed");
    assert_eq!(
        leftovers(&tmp.path().join("out"), "example"),
        Vec::<String>::new()
    );

    // The next run (no limit) replaces the directory whole.
    let o = ccsim(tmp.path(), &["run", "--out", "out", "--seed", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tree(&dir) != before);
    assert_eq!(
        leftovers(&tmp.path().join("out"), "example"),
        Vec::<String>::new()
    );
}

/// Symlinks planted at a temporary name inside the output directory, or at a staging
/// name beside it, are never written through: their targets stay as they were.
#[test]
fn planted_symlinks_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ccsim(tmp.path(), &["run", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let victim = tmp.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("precious"), "keep me").unwrap();
    let out = tmp.path().join("out");
    std::os::unix::fs::symlink(
        victim.join("precious"),
        out.join("example/.summary.csv.tmp"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&victim, out.join(".example.stage-AAAAAA")).unwrap();
    let o = ccsim(tmp.path(), &["run", "--out", "out", "--seed", "9"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(victim.join("precious")).unwrap(),
        "keep me"
    );
    assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 1);
    assert!(leftovers(&out, "example").is_empty());
}

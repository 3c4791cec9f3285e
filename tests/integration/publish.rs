//! Fault tests of `report::publish`: concurrent lockers, stale locks, symlinks planted at
//! temporary names, a failure or a crash at each step of publishing, and a full disk.
//!
//! Some tests need a second process: they run this test binary again with
//! `CCSIM_PUBLISH_CHILD` set, which makes the ignored test `child_process_helper` play
//! the child's part.

use ccsim::report::charts;
use ccsim::report::publish::{
    Fault, OutputLock, PublishError, Publisher, Step, recover, temp_file_beside, write_file,
};
use ccsim::report::write_atomic;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};

/// The files of a directory (recursively), relative name → content.
fn files(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The hidden entries of a directory (staging, old sets, temporaries, lock files).
fn hidden_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    v.sort();
    v
}

fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn old_set() -> BTreeMap<String, String> {
    set(&[
        ("summary.csv", "old summary"),
        ("intervals.csv", "old intervals"),
    ])
}

fn new_set() -> BTreeMap<String, String> {
    set(&[
        ("summary.csv", "new summary"),
        ("intervals.csv", "new intervals"),
        ("charts/wait.svg", "new chart"),
    ])
}

/// Publishes `content` into the locked directory in the ordinary way.
fn publish(lock: &OutputLock, content: &BTreeMap<String, String>) {
    let stage = Publisher::begin(lock).unwrap();
    for (name, text) in content {
        stage.write(name, text.as_bytes()).unwrap();
    }
    stage.commit().unwrap();
}

/// Runs this test binary as a child playing `role` on `dir`.
fn child(role: &str, dir: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "publish::child_process_helper",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CCSIM_PUBLISH_CHILD", format!("{role}:{}", dir.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The child's part (see the module doc); does nothing unless run as a child.
#[test]
#[ignore = "run as a child process by the publish fault tests"]
fn child_process_helper() {
    let Ok(spec) = std::env::var("CCSIM_PUBLISH_CHILD") else {
        eprintln!("child_process_helper only runs as a child of the publish fault tests");
        return;
    };
    let (role, dir) = spec.split_once(':').unwrap();
    let dir = Path::new(dir);
    match role {
        "hold-lock" => {
            let _lock = OutputLock::acquire_for(dir, "ccsim child-holder").unwrap();
            println!("CHILD:locked {}", std::process::id());
            std::io::stdout().flush().unwrap();
            // Hold the lock until the parent closes stdin or kills us (at most a minute).
            let (done, wait) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = std::io::stdin().read_to_end(&mut Vec::new());
                let _ = done.send(());
            });
            let _ = wait.recv_timeout(std::time::Duration::from_secs(60));
        }
        "full-disk" => {
            // SAFETY: plain libc calls on this process; SIGXFSZ ignored so that writing
            // past the limit fails with EFBIG instead of killing the process.
            unsafe {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let limit = libc::rlimit {
                    rlim_cur: 64 * 1024,
                    rlim_max: 64 * 1024,
                };
                assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
            }
            let lock = OutputLock::acquire_for(dir, "ccsim full-disk").unwrap();
            let stage = Publisher::begin(&lock).unwrap();
            let result = stage
                .write("summary.csv", b"new summary")
                .and_then(|()| stage.write("conversations.csv", &vec![b'x'; 1 << 20]))
                .and_then(|()| stage.commit());
            match result {
                Ok(()) => println!("CHILD:published"),
                Err(e) => println!("CHILD:failed {e}"),
            }
        }
        other => panic!("unknown child role {other}"),
    }
}

/// What a running child reports after `CHILD:` (libtest may print the test's name
/// before it on the same line).
fn child_says(child: &mut std::process::Child) -> String {
    let out = child.stdout.take().unwrap();
    BufReader::new(out)
        .lines()
        .find_map(|l| Some(l.unwrap().split_once("CHILD:")?.1.to_string()))
        .expect("the child reports")
}

#[test]
fn a_second_locker_is_refused_and_told_who_holds_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example");
    let first = OutputLock::acquire_for(&dir, "ccsim run first.toml --out out").unwrap();
    let err = OutputLock::acquire_for(&dir, "ccsim run second.toml").unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let PublishError::Locked { holder, .. } = &err else {
        panic!("expected Locked, got {err}");
    };
    assert!(
        holder.contains(&format!("pid {}", std::process::id())),
        "{holder}"
    );
    assert!(
        holder.contains("ccsim run first.toml --out out"),
        "{holder}"
    );
    assert!(holder.contains("on host "), "{holder}");
    let msg = err.to_string();
    assert!(msg.contains("example") && msg.contains("in use"), "{msg}");
    // Released on drop, lock file removed: the next run gets it, and leaves nothing.
    drop(first);
    let again = OutputLock::acquire_for(&dir, "ccsim run second.toml").unwrap();
    drop(again);
    assert!(hidden_entries(tmp.path()).is_empty());
}

#[test]
fn a_lock_held_by_another_process_names_it_and_is_taken_over_when_it_dies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example");
    let mut holder = child("hold-lock", &dir);
    let said = child_says(&mut holder);
    let pid: u32 = said.strip_prefix("locked ").unwrap().parse().unwrap();
    assert_eq!(pid, holder.id());

    let err = OutputLock::acquire_for(&dir, "ccsim run").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&format!("pid {pid}")), "{msg}");
    assert!(msg.contains("ccsim child-holder"), "{msg}");
    assert_eq!(err.exit_code(), 2);

    // Killed while holding it: its lock file stays, but the lock is free.
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert!(dir.parent().unwrap().join(".example.lock").exists());
    let lock = OutputLock::acquire_for(&dir, "ccsim run").unwrap();
    let record = std::fs::read_to_string(lock.lock_path()).unwrap();
    assert!(
        record.contains(&format!("pid={}\n", std::process::id())),
        "{record}"
    );
}

#[test]
fn a_stale_lock_file_from_a_dead_pid_is_taken_over() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example");
    let mut dead = Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    dead.wait().unwrap();
    let lock_path = tmp.path().join(".example.lock");
    std::fs::write(
        &lock_path,
        format!("pid={dead_pid}\nhost=here\nstarted_unix=1\ncommand=ccsim run old\n"),
    )
    .unwrap();
    let _lock = OutputLock::acquire_for(&dir, "ccsim run new").unwrap();
    let record = std::fs::read_to_string(&lock_path).unwrap();
    assert!(record.contains("command=ccsim run new"), "{record}");
    assert!(!record.contains("ccsim run old"), "{record}");
}

#[test]
fn a_symlink_at_the_lock_file_is_refused_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    symlink(&victim, tmp.path().join(".example.lock")).unwrap();
    let err = OutputLock::acquire_for(&tmp.path().join("example"), "ccsim run").unwrap_err();
    assert!(err.to_string().contains(".example.lock"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
}

#[test]
fn symlinks_at_temporary_names_are_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("example");
    std::fs::create_dir_all(&out).unwrap();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    // The fixed temporary names earlier versions used, for files and for charts.
    symlink(&victim, out.join(".summary.csv.tmp")).unwrap();
    for n in 0..64 {
        let pid = std::process::id();
        for ext in ["svg", "png"] {
            symlink(
                &victim,
                out.join(format!(".wait.{ext}.{pid}-{n}.tmp.{ext}")),
            )
            .unwrap();
        }
    }
    write_atomic(&out.join("summary.csv"), b"new summary").unwrap();
    write_file(&out.join("intervals.csv"), b"new intervals").unwrap();
    charts::cdf(
        &out.join("wait"),
        "Waiting time",
        "wait (s)",
        &[("a".to_string(), vec![(1.0, 0.5), (2.0, 1.0)])],
    )
    .unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        "new summary"
    );
    for f in ["wait.svg", "wait.png"] {
        let meta = std::fs::symlink_metadata(out.join(f)).unwrap();
        assert!(meta.is_file() && meta.len() > 1000, "{f}");
    }

    // A temporary is a fresh regular file with a unique name each time.
    let a = temp_file_beside(&out.join("x.csv")).unwrap();
    let b = temp_file_beside(&out.join("x.csv")).unwrap();
    assert_ne!(a.path(), b.path());
    assert!(std::fs::symlink_metadata(a.path()).unwrap().is_file());
    drop((a, b));

    // A symlink at the target itself is replaced, not written through.
    symlink(&victim, out.join("agents.csv")).unwrap();
    write_atomic(&out.join("agents.csv"), b"agents").unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(out.join("agents.csv"))
            .unwrap()
            .is_file()
    );
}

#[test]
fn publishing_replaces_the_whole_set_and_leaves_nothing_hidden() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example");
    let lock = OutputLock::acquire_for(&dir, "ccsim run").unwrap();
    publish(&lock, &old_set());
    assert_eq!(files(&dir), old_set());
    publish(&lock, &new_set());
    assert_eq!(files(&dir), new_set());
    assert_eq!(hidden_entries(tmp.path()), [".example.lock"]);
    // Dropped without a commit: the staging directory goes, the published set stays.
    {
        let stage = Publisher::begin(&lock).unwrap();
        stage.write("summary.csv", b"abandoned").unwrap();
        assert!(stage.path().starts_with(tmp.path()));
    }
    assert_eq!(files(&dir), new_set());
    drop(lock);
    assert!(hidden_entries(tmp.path()).is_empty());
}

const STEPS: [Step; 4] = [
    Step::Sync,
    Step::MoveOldAway,
    Step::MoveNewIn,
    Step::RemoveOld,
];

#[test]
fn a_failure_at_each_step_leaves_the_old_set_or_the_new_one() {
    for step in STEPS {
        for first_run in [false, true] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("example");
            let lock = OutputLock::acquire_for(&dir, "ccsim run").unwrap();
            if !first_run {
                publish(&lock, &old_set());
            }
            let stage = Publisher::begin(&lock).unwrap();
            for (name, text) in new_set() {
                stage.write(&name, text.as_bytes()).unwrap();
            }
            let result = stage.commit_with(Fault::Error(step));
            let now = if dir.exists() {
                files(&dir)
            } else {
                BTreeMap::new()
            };
            let before = if first_run {
                BTreeMap::new()
            } else {
                old_set()
            };
            if step == Step::RemoveOld {
                // Past the point of no return: published; the old set is a leftover
                // for the next recovery.
                assert!(result.is_ok(), "{step:?}");
                assert_eq!(now, new_set(), "{step:?}");
            } else {
                let err = result.expect_err("the failure is reported");
                assert!(err.to_string().contains("simulated failure"), "{err}");
                assert_eq!(now, before, "{step:?} first_run={first_run}");
                assert_eq!(hidden_entries(tmp.path()), [".example.lock"], "{step:?}");
            }
            recover(&lock).unwrap();
            assert_eq!(hidden_entries(tmp.path()), [".example.lock"], "{step:?}");
        }
    }
}

#[test]
fn a_crash_at_each_step_is_repaired_by_the_next_run() {
    for step in STEPS {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("example");
        let lock = OutputLock::acquire_for(&dir, "ccsim run").unwrap();
        publish(&lock, &old_set());
        let stage = Publisher::begin(&lock).unwrap();
        for (name, text) in new_set() {
            stage.write(&name, text.as_bytes()).unwrap();
        }
        let err = stage.commit_with(Fault::Crash(step)).unwrap_err();
        assert!(err.to_string().contains("simulated crash"), "{err}");
        // What a reader sees right after the crash: one whole set, or (only between the
        // two renames) no directory at all — never a mixture.
        if dir.exists() {
            let now = files(&dir);
            assert!(now == old_set() || now == new_set(), "{step:?}: {now:?}");
        } else {
            assert_eq!(step, Step::MoveNewIn);
        }
        assert!(
            hidden_entries(tmp.path()).len() > 1,
            "{step:?} leaves debris"
        );
        drop(lock);
        // The next run repairs it under the lock before staging its own files.
        let lock = OutputLock::acquire_for(&dir, "ccsim run").unwrap();
        let next = Publisher::begin(&lock).unwrap();
        let expected = if step == Step::RemoveOld {
            new_set()
        } else {
            old_set()
        };
        assert_eq!(files(&dir), expected, "{step:?}");
        drop(next);
        assert_eq!(hidden_entries(tmp.path()), [".example.lock"], "{step:?}");
    }
}

#[test]
fn a_full_disk_makes_publishing_fail_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example");
    {
        let lock = OutputLock::acquire_for(&dir, "ccsim run").unwrap();
        publish(&lock, &old_set());
    }
    let mut proc = child("full-disk", &dir);
    drop(proc.stdin.take());
    let out = proc.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child exited with {}: {stdout}",
        out.status
    );
    let said = stdout
        .lines()
        .find_map(|l| Some(l.split_once("CHILD:")?.1))
        .expect("the child reports");
    assert!(said.starts_with("failed "), "{said}");
    assert!(
        said.contains("conversations.csv"),
        "the error names the file: {said}"
    );
    assert!(said.contains("too large"), "{said}");
    assert_eq!(files(&dir), old_set());
    assert!(
        hidden_entries(tmp.path()).is_empty(),
        "{:?}",
        hidden_entries(tmp.path())
    );
}

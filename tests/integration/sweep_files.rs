//! Sweep result files between machines, through the command line:
//! `--shard auto` from a job scheduler's variables, the provenance record
//! beside each shard, and `ccsim merge --sweep` refusing damaged shards
//! (a point cut at a row boundary, a deleted row, a grid value replaced,
//! a row cut in the middle) and shards of different sweeps, with exit code 2
//! and a message naming the file, the point and what is wrong.

use assert_cmd::Command;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// A one-skill scenario with a short horizon and 2 replications.
const BASE: &str = r#"[simulation]
horizon = "1h"
warmup = "10m"
replications = 2
seed = 3

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 60, per = "1h" }

[[agents]]
name = "team"
count = 2
skills = ["chat"]
"#;

/// 3 counts x 2 accept modes = 6 points.
const GRID: &str = r#"scenario = "base.toml"
name = "t"

[grid]
"agents.team.count" = [1, 2, 3]
"routing.accept" = ["auto", "ring"]
"#;

/// Every scheduler variable `--shard auto` reads: removed from each child
/// so the tests do not depend on where they run.
const SCHEDULER_VARS: [&str; 6] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "AWS_BATCH_JOB_ARRAY_SIZE",
];

fn ccsim(dir: &Path, args: &[OsString], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::cargo_bin("ccsim").expect("the ccsim binary");
    cmd.current_dir(dir).args(args);
    for v in SCHEDULER_VARS {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run ccsim")
}

fn args(list: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    list.iter().map(|a| a.as_ref().to_owned()).collect()
}

fn report(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Asserts exit code `code` and, for failures, that stderr holds every needle.
fn expect(o: &Output, code: i32, needles: &[&str]) {
    assert_eq!(o.status.code(), Some(code), "{}", report(o));
    let err = String::from_utf8_lossy(&o.stderr);
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}\n{}", report(o));
    }
}

/// A directory with base.toml and sweep.toml, the unsharded results and two
/// shards run with `--shard auto` (Slurm for the first, a Kubernetes
/// indexed Job for the second).
struct Sharded {
    dir: TempDir,
    full: Vec<u8>,
    shards: [PathBuf; 2],
}

impl Sharded {
    fn new() -> Sharded {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("base.toml"), BASE).unwrap();
        std::fs::write(dir.path().join("sweep.toml"), GRID).unwrap();
        let d = dir.path();
        let o = ccsim(d, &args(&[&"sweep", &"sweep.toml", &"--out", &"full"]), &[]);
        expect(&o, 0, &[]);
        let full = std::fs::read(d.join("full/t/sweep.csv")).unwrap();
        assert!(
            !d.join("full/t/sweep.csv.provenance.json").exists(),
            "an unsharded sweep writes nothing new beside sweep.csv"
        );

        let sweep = args(&[
            &"sweep",
            &"sweep.toml",
            &"--out",
            &"out",
            &"--shard",
            &"auto",
        ]);
        let o = ccsim(
            d,
            &sweep,
            &[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
            ],
        );
        expect(&o, 0, &[]);
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("shard 1/2: 3 of the points"),
            "{}",
            report(&o)
        );
        let mut k8s = sweep.clone();
        k8s.extend(args(&[&"--shard-count", &"2"]));
        expect(&ccsim(d, &k8s, &[("JOB_COMPLETION_INDEX", "1")]), 0, &[]);
        let shards = [1, 2].map(|k| d.join(format!("out/t/sweep.shard-{k}-of-2.csv")));
        for s in &shards {
            assert!(s.exists(), "{} missing", s.display());
        }
        Sharded { dir, full, shards }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `ccsim merge --sweep sweep.toml --out OUT inputs...`.
    fn merge(&self, out: &str, inputs: &[PathBuf]) -> Output {
        let mut a = args(&[&"merge", &"--sweep", &"sweep.toml", &"--out", &out]);
        a.extend(inputs.iter().map(Into::into));
        ccsim(self.dir.path(), &a, &[])
    }

    /// A copy of shard 2, with its provenance record, as `name`, its text
    /// changed by `damage`.
    fn damaged(&self, name: &str, damage: impl Fn(&str) -> String) -> PathBuf {
        let to = self.path(name);
        let text = std::fs::read_to_string(&self.shards[1]).unwrap();
        std::fs::write(&to, damage(&text)).unwrap();
        std::fs::copy(
            provenance(&self.shards[1]),
            self.path(&format!("{name}.provenance.json")),
        )
        .unwrap();
        to
    }
}

fn provenance(results: &Path) -> PathBuf {
    PathBuf::from(format!("{}.provenance.json", results.display()))
}

#[test]
fn shards_from_the_scheduler_merge_to_the_unsharded_file() {
    let s = Sharded::new();
    let o = s.merge("merged.csv", &s.shards);
    expect(&o, 0, &[]);
    assert!(std::fs::read(s.path("merged.csv")).unwrap() == s.full);

    let record = std::fs::read_to_string(provenance(&s.shards[1])).unwrap();
    let json: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(json["shard"], "2/2");
    assert_eq!(json["seed"], 3);
    assert_eq!(json["replications"], 2);
    assert_eq!(json["ccsim_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["sweep_sha256"].as_str().unwrap().len(), 64);

    // No scheduler variable: bad input, naming what was looked for.
    let o = ccsim(
        s.dir.path(),
        &args(&[
            &"sweep",
            &"sweep.toml",
            &"--out",
            &"none",
            &"--shard",
            &"auto",
        ]),
        &[],
    );
    expect(
        &o,
        2,
        &["--shard auto: no job-array index", "SLURM_ARRAY_TASK_ID"],
    );
    assert!(!s.path("none").exists());
}

#[test]
fn merge_refuses_damaged_shards() {
    let s = Sharded::new();
    let text = std::fs::read_to_string(&s.shards[1]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let rows_per_point = (lines.len() - 1) / 3;
    // Shard 2 holds points 1, 3, 5; its last point starts at this line (1-based).
    let last_start = 2 + 2 * rows_per_point;

    // The last point cut at a row boundary.
    let cut = s.damaged("cut.csv", |t| {
        let keep: Vec<&str> = t.lines().take(last_start + 2).collect();
        format!("{}\n", keep.join("\n"))
    });
    // One row deleted from the first point.
    let deleted = s.damaged("deleted.csv", |t| {
        let mut l: Vec<&str> = t.lines().collect();
        l.remove(5);
        format!("{}\n", l.join("\n"))
    });
    // A grid value replaced by `abc` (point 3's count is 2).
    let abc = s.damaged("abc.csv", |t| {
        let mut l: Vec<String> = t.lines().map(str::to_string).collect();
        let i = 2 + rows_per_point + 4;
        assert!(l[i - 1].starts_with("3,2,"), "{}", l[i - 1]);
        l[i - 1] = l[i - 1].replacen("3,2,", "3,abc,", 1);
        format!("{}\n", l.join("\n"))
    });
    // Cut in the middle of the last row.
    let torn = s.damaged("torn.csv", |t| t[..t.len() - 4].to_string());

    let cases = [
        (
            &cut,
            format!("cut.csv:{}: point 5:", last_start + 3),
            format!("3 of its {rows_per_point} rows are present"),
        ),
        (
            &deleted,
            "deleted.csv:6: point 1:".to_string(),
            "a row is missing or out of order".to_string(),
        ),
        (
            &abc,
            format!("abc.csv:{}: point 3:", 2 + rows_per_point + 4),
            "`agents.team.count` is `abc`, expected `2`".to_string(),
        ),
        (
            &torn,
            format!("torn.csv:{}:", lines.len()),
            "the last row is cut off".to_string(),
        ),
    ];
    for (file, at, what) in &cases {
        let o = s.merge("bad.csv", &[s.shards[0].clone(), (*file).clone()]);
        expect(&o, 2, &[at, what]);
        assert!(!s.path("bad.csv").exists(), "nothing written for {at}");
    }
}

#[test]
fn merge_refuses_shards_of_different_sweeps() {
    let s = Sharded::new();
    let d = s.dir.path();
    // Shard 2 again with another seed.
    let o = ccsim(
        d,
        &args(&[
            &"sweep",
            &"sweep.toml",
            &"--out",
            &"other",
            &"--shard",
            &"2/2",
            &"--seed",
            &"99",
        ]),
        &[],
    );
    expect(&o, 0, &[]);
    let other = s.path("other/t/sweep.shard-2-of-2.csv");
    let o = s.merge("bad.csv", &[s.shards[0].clone(), other.clone()]);
    expect(
        &o,
        2,
        &[
            "the shards come from different sweeps: seed is 3 in",
            "sweep.shard-1-of-2.csv.provenance.json but 99 in",
            "other/t/sweep.shard-2-of-2.csv.provenance.json",
        ],
    );
    // Resuming a shard with another seed is refused too.
    let o = ccsim(
        d,
        &args(&[
            &"sweep",
            &"sweep.toml",
            &"--out",
            &"other",
            &"--shard",
            &"2/2",
            &"--resume",
        ]),
        &[],
    );
    expect(
        &o,
        2,
        &["cannot resume", "written with seed 99, this run has 3"],
    );

    // A shard without its record beside one with a record.
    std::fs::copy(&other, s.path("bare.csv")).unwrap();
    let o = s.merge("bad.csv", &[s.shards[0].clone(), s.path("bare.csv")]);
    expect(&o, 2, &["bare.csv has no provenance record"]);

    // The sweep file edited after the shards ran.
    std::fs::write(d.join("sweep.toml"), format!("{GRID}\n# edited\n")).unwrap();
    let o = s.merge("bad.csv", &s.shards);
    expect(&o, 2, &["sweep.toml has changed since the shards were run"]);
    assert!(!s.path("bad.csv").exists());
}

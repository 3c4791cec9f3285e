//! Sweeps, shards, merging and the staffing search, through the command
//! line (SPEC §8): grid expansion and its limits, errors that name the
//! sweep file, line and key, byte-identical results whatever the thread
//! count, `--resume` keeping finished points, shards that merge back into
//! the unsharded file, and `ccsim staff` agreeing with Erlang C.
//!
//! Every sweep here runs a short horizon with few replications so each test
//! takes a second or two.

use crate::common;
use assert_cmd::Command;
use ccsim::analytic;
use ccsim::metrics::METRICS;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// A small two-skill scenario: short horizon, 2 replications.
const BASE: &str = r#"[simulation]
horizon = "1h"
warmup = "10m"
replications = 2
seed = 3
interval = "30m"

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 60, per = "1h" }
exchanges = { dist = "deterministic", value = 2 }
agent_reply = { dist = "exponential", mean = "40s" }

[[skill]]
name = "msg"
channel = "messaging"
style = "social_messaging"
arrivals = { rate = 20, per = "1h" }

[[agents]]
name = "team"
count = 2
mode = "blended"
skills = ["chat", "msg"]
capacity = { live_chat = 2, messaging = 2, total = 3 }
"#;

/// A sweep file over [`BASE`]: 3 counts x 2 accept modes = 6 points.
const GRID: &str = r#"scenario = "base.toml"
name = "t"

[grid]
"agents.team.count" = [1, 2, 3]
"routing.accept" = ["auto", "ring"]
"#;

/// A temporary directory with `base.toml` and `sweep.toml`.
struct Setup {
    dir: TempDir,
}

impl Setup {
    fn new(sweep: &str) -> Setup {
        Setup::with_base(BASE, sweep)
    }

    fn with_base(base: &str, sweep: &str) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("base.toml"), base).expect("write base");
        std::fs::write(dir.path().join("sweep.toml"), sweep).expect("write sweep");
        Setup { dir }
    }

    fn sweep_file(&self) -> PathBuf {
        self.dir.path().join("sweep.toml")
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `ccsim sweep sweep.toml --out OUT extra...`.
    fn sweep(&self, out: &str, extra: &[&str]) -> Output {
        let mut args: Vec<std::ffi::OsString> = vec![
            "sweep".into(),
            self.sweep_file().into(),
            "--out".into(),
            self.out(out).into(),
        ];
        args.extend(extra.iter().map(Into::into));
        ccsim(self.dir.path(), &args)
    }
}

fn ccsim(cwd: &Path, args: &[std::ffi::OsString]) -> Output {
    Command::cargo_bin("ccsim")
        .expect("the ccsim binary")
        .current_dir(cwd)
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run ccsim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn describe(o: &Output) -> String {
    format!(
        "exit status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}

/// Exit code `code`, and never a panic.
fn assert_exit(o: &Output, code: i32) {
    assert!(
        !text(&o.stderr).contains("panicked"),
        "ccsim panicked:\n{}",
        describe(o)
    );
    assert_eq!(o.status.code(), Some(code), "{}", describe(o));
}

/// Rows of a sweep results file (header first).
fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("csv row").iter().map(str::to_string).collect())
        .collect()
}

/// Rows per point of [`BASE`]: two skills and `all`, every metric.
fn rows_per_point() -> usize {
    3 * METRICS.len()
}

#[test]
fn grid_expands_through_the_cli() {
    let s = Setup::new(
        r#"scenario = "base.toml"
name = "grid"
replications = 2
[grid]
"agents.*.count" = [2, 1]
"skill.chat.arrivals.rate" = { from = 30, to = 45, step = 7.5 }
"routing.accept" = ["auto", "ring"]
"#,
    );
    let o = s.sweep("out", &["--replications", "2"]);
    assert_exit(&o, 0);
    let stdout = text(&o.stdout);
    assert!(stdout.contains("12 points"), "{stdout}");
    assert!(stdout.contains("ran 12 point(s), skipped 0"), "{stdout}");
    let bytes = std::fs::read(s.out("out/grid/sweep.csv")).unwrap();
    let rows = rows(&bytes);
    assert_eq!(
        rows[0],
        [
            "point",
            "agents.*.count",
            "skill.chat.arrivals.rate",
            "routing.accept",
            "skill",
            "metric",
            "mean",
            "ci_low",
            "ci_high",
            "replications"
        ]
    );
    assert_eq!(rows.len(), 1 + 12 * rows_per_point());
    // The first key varies slowest; decimal steps are exact; every scope and metric.
    let mut expected = Vec::new();
    for count in ["2", "1"] {
        for rate in ["30.0", "37.5", "45.0"] {
            for accept in ["auto", "ring"] {
                expected.push([count, rate, accept]);
            }
        }
    }
    for (p, want) in expected.iter().enumerate() {
        let block = &rows[1 + p * rows_per_point()..1 + (p + 1) * rows_per_point()];
        for (r, row) in block.iter().enumerate() {
            assert_eq!(row[0], p.to_string());
            assert_eq!(row[1..4], want[..], "point {p}");
            assert_eq!(row[4], ["chat", "msg", "all"][r / METRICS.len()]);
            assert_eq!(row[5], METRICS[r % METRICS.len()]);
            if row[5] == "offered" {
                assert_eq!(row[9], "2");
            }
        }
    }
    // More agents, less waiting: the count is really applied.
    let asa = |p: usize| -> f64 {
        rows.iter()
            .find(|r| r[0] == p.to_string() && r[4] == "all" && r[5] == "queue_time_mean")
            .unwrap()[6]
            .parse()
            .unwrap()
    };
    assert!(asa(6) > asa(0), "1 agent waits longer than 2");
    // The charts of a full sweep.
    for chart in ["service_level", "occupancy", "service_level_heatmap"] {
        for ext in ["svg", "png"] {
            let p = s.out(&format!("out/grid/charts/{chart}.{ext}"));
            assert!(p.exists(), "{} missing", p.display());
        }
    }
}

#[test]
fn grids_over_the_limit_are_refused() {
    let s = Setup::new(
        "scenario = \"base.toml\"\n[grid]\n\"agents.team.count\" = { from = 1, to = 1000, step = 1 }\n\"skill.chat.arrivals.rate\" = { from = 1, to = 1000, step = 1 }\n",
    );
    let o = s.sweep("out", &[]);
    assert_exit(&o, 2);
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("{}:2: key `grid`", s.sweep_file().display())),
        "{err}"
    );
    assert!(
        err.contains("1000000 points") && err.contains("limit of 100000"),
        "{err}"
    );
    assert!(!s.out("out").exists(), "nothing may be written");
}

#[test]
fn a_bad_path_names_the_sweep_file_line_and_key() {
    let s = Setup::new(
        "scenario = \"base.toml\"\n[grid]\n\"agents.team.count\" = [1, 2]\n\"agents.nobody.count\" = [1]\n",
    );
    let o = s.sweep("out", &[]);
    assert_exit(&o, 2);
    let err = text(&o.stderr);
    let prefix = format!(
        "error: {}:4: key `agents.nobody.count`: ",
        s.sweep_file().display()
    );
    assert!(err.starts_with(&prefix), "{err}");
    assert!(err.contains("entries are: `team`"), "{err}");
    assert!(!s.out("out").exists(), "nothing may be written");
}

#[test]
fn a_bad_value_names_the_sweep_file_line_key_and_value_before_running_anything() {
    // The second value of the second key is bad: no point may have run.
    let s = Setup::new(
        "scenario = \"base.toml\"\n[grid]\n\"agents.team.count\" = [1, 2]\n\"skill.chat.arrivals.rate\" = [30, -5]\n",
    );
    let o = s.sweep("out", &[]);
    assert_exit(&o, 2);
    let err = text(&o.stderr);
    let prefix = format!(
        "error: {}:4: key `skill.chat.arrivals.rate`: value -5 ",
        s.sweep_file().display()
    );
    assert!(err.starts_with(&prefix), "{err}");
    assert!(err.contains("base.toml"), "{err}");
    // Then the validator's own message, with its key.
    let validator = err.split("base.toml: ").nth(1).unwrap_or_default();
    assert!(
        validator.starts_with("key `skill.chat.arrivals") && validator.contains("-5"),
        "{err}"
    );
    assert!(!s.out("out/sweep/sweep.csv").exists(), "nothing may run");

    let s = Setup::new(
        "scenario = \"base.toml\"\n# comment\n\n[grid]\n\"routing.accept\" = [\"auto\", \"rng\"]\n",
    );
    let o = s.sweep("out", &[]);
    assert_exit(&o, 2);
    let err = text(&o.stderr);
    assert!(
        err.starts_with(&format!(
            "error: {}:5: key `routing.accept`: value \"rng\"",
            s.sweep_file().display()
        )),
        "{err}"
    );
    assert!(err.contains("rng"), "{err}");
    // Not a panic, not an unreadable message: the validator says what it expected.
    assert!(err.contains("auto") && err.contains("ring"), "{err}");
}

#[test]
fn same_bytes_whatever_the_thread_count() {
    let s = Setup::new(GRID);
    assert_exit(&s.sweep("one", &["--threads", "1"]), 0);
    assert_exit(&s.sweep("two", &["--threads", "2"]), 0);
    let one = std::fs::read(s.out("one/t/sweep.csv")).unwrap();
    let two = std::fs::read(s.out("two/t/sweep.csv")).unwrap();
    assert_eq!(rows(&one).len(), 1 + 6 * rows_per_point());
    assert!(one == two, "sweep.csv differs between 1 and 2 threads");
}

#[test]
fn resume_keeps_finished_points_and_redoes_the_cut_one() {
    let s = Setup::new(GRID);
    assert_exit(&s.sweep("out", &[]), 0);
    let file = s.out("out/t/sweep.csv");
    let full = std::fs::read(&file).unwrap();

    // Cut the file in the middle of a row of point 3 (an interrupted run).
    let text_full = text(&full);
    let mut offset = 0;
    let mut cut = 0;
    for (i, line) in text_full.split_inclusive('\n').enumerate() {
        if i == 1 + 3 * rows_per_point() + 5 {
            cut = offset + line.len() / 2;
            break;
        }
        offset += line.len();
    }
    assert!(cut > 0);
    std::fs::write(&file, &full[..cut]).unwrap();
    let o = s.sweep("out", &["--resume", "--threads", "2"]);
    assert_exit(&o, 0);
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("skipped 3 complete point(s)")
            && stdout.contains("discarded 6 row(s)")
            && stdout.contains("ran 3 point(s), skipped 3"),
        "{stdout}"
    );
    assert!(
        std::fs::read(&file).unwrap() == full,
        "resumed file differs"
    );

    // Finished points are not recomputed: a tampered value survives.
    let mut lines: Vec<String> = text_full.lines().map(str::to_string).collect();
    let row = lines[1].clone();
    let mut cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[4], "offered");
    cells[5] = "12345.5";
    lines[1] = cells.join(",");
    let tampered = format!("{}\n", lines.join("\n"));
    std::fs::write(&file, &tampered).unwrap();
    let o = s.sweep("out", &["--resume"]);
    assert_exit(&o, 0);
    assert!(
        text(&o.stdout).contains("ran 0 point(s), skipped 6"),
        "{}",
        describe(&o)
    );
    assert_eq!(text(&std::fs::read(&file).unwrap()), tampered);

    // Without --resume the file is replaced.
    assert_exit(&s.sweep("out", &[]), 0);
    assert!(std::fs::read(&file).unwrap() == full);

    // A results file of another grid is refused, not overwritten.
    let other = Setup::new(&GRID.replace("\"routing.accept\" = [\"auto\", \"ring\"]\n", ""));
    std::fs::create_dir_all(other.out("out/t")).unwrap();
    std::fs::write(other.out("out/t/sweep.csv"), &full).unwrap();
    let o = other.sweep("out", &["--resume"]);
    assert_exit(&o, 2);
    assert!(
        text(&o.stderr).contains("written for another grid"),
        "{}",
        describe(&o)
    );
    assert!(std::fs::read(other.out("out/t/sweep.csv")).unwrap() == full);
}

#[test]
fn shards_cover_every_point_once_and_merge_to_the_unsharded_file() {
    let s = Setup::new(
        r#"scenario = "base.toml"
name = "t"
[grid]
"agents.team.count" = [1, 2, 3, 4]
"routing.accept" = ["auto", "ring"]
"#,
    );
    assert_exit(&s.sweep("full", &[]), 0);
    let full = std::fs::read(s.out("full/t/sweep.csv")).unwrap();
    let n = 3;
    let mut shards = Vec::new();
    let mut seen = vec![0; 8];
    for k in 1..=n {
        let o = s.sweep("sharded", &["--shard", &format!("{k}/{n}")]);
        assert_exit(&o, 0);
        let file = s.out(&format!("sharded/t/sweep.shard-{k}-of-{n}.csv"));
        for row in rows(&std::fs::read(&file).unwrap()).iter().skip(1) {
            let p: usize = row[0].parse().unwrap();
            assert_eq!(p % n, k - 1, "point {p} in shard {k}");
        }
        let points: std::collections::BTreeSet<usize> = rows(&std::fs::read(&file).unwrap())
            .iter()
            .skip(1)
            .map(|r| r[0].parse().unwrap())
            .collect();
        for p in points {
            seen[p] += 1;
        }
        shards.push(file);
    }
    assert_eq!(seen, [1; 8], "every point exactly once");
    assert!(
        !s.out("sharded/t/charts").exists(),
        "no charts for a partial sweep"
    );

    let merged = s.out("sharded/t/merged.csv");
    let mut args: Vec<std::ffi::OsString> = vec![
        "merge".into(),
        "--sweep".into(),
        s.sweep_file().into(),
        "--out".into(),
        merged.clone().into(),
    ];
    args.extend(shards.iter().rev().map(Into::into));
    let o = ccsim(s.dir.path(), &args);
    assert_exit(&o, 0);
    assert!(
        std::fs::read(&merged).unwrap() == full,
        "merged shards differ from the unsharded sweep.csv"
    );
    assert!(s.out("sharded/t/charts/service_level.png").exists());

    // Default output: sweep.csv beside the first input.
    let args: Vec<std::ffi::OsString> = ["merge".into()]
        .into_iter()
        .chain(shards.iter().map(Into::into))
        .collect();
    assert_exit(&ccsim(s.dir.path(), &args), 0);
    assert!(std::fs::read(s.out("sharded/t/sweep.csv")).unwrap() == full);

    // A missing shard is bad input, and nothing is written.
    let lost = s.out("sharded/t/lost.csv");
    let o = ccsim(
        s.dir.path(),
        &[
            "merge".into(),
            "--sweep".into(),
            s.sweep_file().into(),
            "--out".into(),
            lost.clone().into(),
            shards[0].clone().into(),
            shards[2].clone().into(),
        ],
    );
    assert_exit(&o, 2);
    assert!(
        text(&o.stderr).contains("3 of 8 points missing from the merged results: 1, 4, 7"),
        "{}",
        describe(&o)
    );
    assert!(!lost.exists());
    // The same shard twice.
    let o = ccsim(
        s.dir.path(),
        &[
            "merge".into(),
            "--out".into(),
            lost.clone().into(),
            shards[0].clone().into(),
            shards[0].clone().into(),
        ],
    );
    assert_exit(&o, 2);
    assert!(
        text(&o.stderr).contains("appears in both"),
        "{}",
        describe(&o)
    );
}

#[test]
fn bad_shard_and_missing_sweep_file_are_bad_input() {
    let s = Setup::new(GRID);
    let o = s.sweep("out", &["--shard", "4/3"]);
    assert_exit(&o, 2);
    assert!(
        text(&o.stderr).contains("invalid shard `4/3`"),
        "{}",
        describe(&o)
    );
    let o = ccsim(s.dir.path(), &["sweep".into(), s.out("absent.toml").into()]);
    assert_exit(&o, 2);
    assert!(text(&o.stderr).contains("absent.toml"), "{}", describe(&o));
}

/// An Erlang C scenario: Poisson arrivals at `per_hour`, one exchange,
/// exponential effort `effort` seconds, capacity 1, no patience, 20 s target.
fn erlang_c(per_hour: &str, effort: f64, extra_sim: &str) -> String {
    format!(
        r#"[simulation]
{extra_sim}
seed = 20261121

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = {per_hour}
exchanges = {{ dist = "deterministic", value = 1 }}
agent_reply = {{ dist = "exponential", mean = {effort} }}
service_level = "20s"

[[agents]]
name = "team"
count = 1
skills = ["chat"]
capacity = {{ live_chat = 1 }}
"#
    )
}

/// Runs `ccsim staff` on `scenario` text; returns the output and staffing.csv rows.
fn staff(scenario: &str, args: &[&str]) -> (Output, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("erlang.toml"), scenario).unwrap();
    let mut all: Vec<std::ffi::OsString> = vec!["staff".into(), "erlang.toml".into()];
    all.extend(args.iter().map(Into::into));
    all.extend(["--out".into(), dir.path().join("out").into()]);
    let o = ccsim(dir.path(), &all);
    let csv = std::fs::read(dir.path().join("out/erlang/staffing.csv")).unwrap_or_default();
    (o, rows(&csv))
}

#[test]
fn staffing_search_finds_the_erlang_c_head_count() {
    // 3 chats a minute, 90 s each (4.5 Erlangs), 80% within 20 s.
    let (lambda, effort, t, target) = (3.0 / 60.0, 90.0, 20.0, 0.8);
    let c = analytic::erlang_c_agents_for_service_level(lambda, effort, t, target, 100).unwrap();
    // The case is unambiguous: c - 1 and c are well away from the target.
    let sl = |c| analytic::erlang_c_service_level(lambda, effort, c, t).unwrap();
    assert!(sl(c - 1) <= target - 0.03 && sl(c) >= target + 0.03);
    assert_eq!(c, 7);

    let scn = erlang_c(
        "{ rate = 180, per = \"1h\" }",
        effort,
        "horizon = \"10h\"\nwarmup = \"1h\"\nreplications = 20\ninterval = \"1h\"",
    );
    let (o, rows) = staff(&scn, &["--target", "service_level>=0.8"]);
    assert_exit(&o, 0);
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains(&format!("Answer: {c} agents"))
            && stdout.contains(&format!("({} agents do not)", c - 1)),
        "{stdout}"
    );
    assert!(stdout.contains("95% confidence"), "{stdout}");
    assert_eq!(
        rows[0],
        [
            "scope",
            "interval_start",
            "interval",
            "count",
            "metric",
            "target",
            "mean",
            "ci_low",
            "ci_high",
            "confidence",
            "met",
            "mean_met",
            "chosen",
            "variant",
            "replications",
            "group_counts",
            "cost"
        ]
    );
    let chosen: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[12] == "ci" || r[12] == "ci+mean")
        .collect();
    assert_eq!(chosen.len(), 1, "{rows:?}");
    assert_eq!(chosen[0][3], c.to_string());
    assert_eq!(chosen[0][10], "true");
    // The count below was run and fails.
    let below = rows
        .iter()
        .find(|r| r[3] == (c - 1).to_string())
        .expect("count - 1 was run");
    assert_eq!(below[10], "false");
}

#[test]
fn per_interval_staffing_follows_the_profile() {
    // Two 4-hour intervals: 0.5 then 3 chats a minute, 90 s each.
    let scn = erlang_c(
        "{ profile = [120, 720], per = \"4h\" }",
        90.0,
        "horizon = \"8h\"\nwarmup = \"0s\"\nreplications = 20\ninterval = \"4h\"",
    );
    let (o, rows) = staff(&scn, &["--target", "service_level>=0.8", "--per-interval"]);
    assert_exit(&o, 0);
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("Stationary-per-interval approximation"),
        "{stdout}"
    );
    let per: Vec<(String, u32)> = rows
        .iter()
        .filter(|r| !r[1].is_empty() && r[12].starts_with("ci"))
        .map(|r| (r[2].clone(), r[3].parse().unwrap()))
        .collect();
    assert_eq!(per.len(), 2, "{rows:?}");
    assert_eq!(per[0].0, "Mon 00:00");
    assert_eq!(per[1].0, "Mon 04:00");
    for ((_, got), per_min) in per.iter().zip([0.5, 3.0]) {
        let want =
            analytic::erlang_c_agents_for_service_level(per_min / 60.0, 90.0, 20.0, 0.8, 100)
                .unwrap();
        assert!(
            *got == want || *got == want + 1,
            "{per_min}/min: {got} agents, Erlang C says {want}\n{stdout}"
        );
    }
    assert!(per[0].1 < per[1].1, "{per:?}");
}

#[test]
fn bad_targets_are_bad_input() {
    let scn = erlang_c(
        "{ rate = 60, per = \"1h\" }",
        60.0,
        "horizon = \"1h\"\nreplications = 2",
    );
    for bad in [
        "sl>=0.8",
        "service_level<=0.8",
        "asa<=soon",
        "service_level>0.8",
    ] {
        let (o, _) = staff(&scn, &["--target", bad]);
        assert_exit(&o, 2);
        let err = text(&o.stderr);
        assert!(
            err.contains(&format!("invalid target `{bad}`")) && err.contains("accepted forms"),
            "{err}"
        );
    }
    let (o, _) = staff(&scn, &["--target", "nope:asa<=20"]);
    assert_exit(&o, 2);
    assert!(
        text(&o.stderr).contains("no skill `nope`"),
        "{}",
        describe(&o)
    );
    let (o, _) = staff(&scn, &["--target", "asa<=20", "--group", "other"]);
    assert_exit(&o, 2);
    assert!(
        text(&o.stderr).contains("groups are: `team`"),
        "{}",
        describe(&o)
    );
    let (o, _) = staff(
        &scn,
        &["--target", "first_response_sl>=0.5", "--per-interval"],
    );
    assert_exit(&o, 2);
    let (o, _) = staff(&scn, &["--target", "asa<=20", "--replications", "1"]);
    assert_exit(&o, 2);
    assert!(
        text(&o.stderr).contains("at least 2 replications"),
        "{}",
        describe(&o)
    );
}

/// Every example sweep in scenarios/sweeps/ loads, and every point of it
/// validates; the base scenarios there validate too.
#[test]
fn example_sweeps_are_valid() {
    let dir = common::root().join("scenarios/sweeps");
    let mut sweeps = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        if table.contains_key("grid") {
            let spec = ccsim::sweep::grid::load(&path).unwrap_or_else(|e| panic!("{e}"));
            let prep = ccsim::sweep::run::prepare(spec, Default::default(), None)
                .unwrap_or_else(|_| panic!("{} does not validate", path.display()));
            assert!(!prep.points.is_empty());
            sweeps += 1;
        } else {
            ccsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    assert!(sweeps >= 2, "the example sweeps are missing");
}

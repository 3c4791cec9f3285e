//! Bad input on the command line (SPEC §7–8): every bad scenario, file or
//! option gets a clear error naming the file, line and key and what was
//! expected, exit code 2, never a panic. `ccsim check` validates only: exit
//! 0, `ok` on stdout, warnings on stderr.
//!
//! Each test writes a small scenario into a temporary directory: the minimal
//! valid scenario [`BASE`] with one thing broken. Most run `ccsim check`; a
//! few also run `ccsim run --out DIR` to show that `run` rejects the same
//! input the same way and writes no output directory.

use crate::common;
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// The minimal valid scenario: one live_chat skill, one agent group with it.
/// Short horizon and one replication, so the few `run` tests stay fast.
const BASE: &str = r#"[simulation]
horizon = "1h"
warmup = "0s"
replications = 1

[[skill]]
name = "chat"
channel = "live_chat"
arrivals = { rate = 60, per = "1h" }

[[agents]]
name = "team"
count = 2
skills = ["chat"]
"#;

/// `BASE` with `old` (which must occur exactly once) replaced by `new`.
fn edit(old: &str, new: &str) -> String {
    assert_eq!(
        BASE.matches(old).count(),
        1,
        "test bug: `{old}` must occur exactly once in BASE"
    );
    BASE.replacen(old, new, 1)
}

/// `BASE` with `extra` lines inserted after the line `after` (exact line text).
fn insert_after(after: &str, extra: &str) -> String {
    edit(&format!("{after}\n"), &format!("{after}\n{extra}\n"))
}

/// A scenario written to its own temporary directory.
struct Scn {
    dir: TempDir,
    path: PathBuf,
    text: String,
}

impl Scn {
    fn new(file_name: &str, text: &str) -> Scn {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(file_name);
        std::fs::write(&path, text).expect("write scenario");
        Scn {
            dir,
            path,
            text: text.to_string(),
        }
    }

    /// The path as given on the command line (and so as shown in messages).
    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// 1-based number of the only line of the scenario that contains `needle`.
    fn line(&self, needle: &str) -> usize {
        let hits: Vec<usize> = self
            .text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(hits.len(), 1, "test bug: `{needle}` is on lines {hits:?}");
        hits[0]
    }

    fn check(&self) -> Output {
        ccsim(self.dir.path(), &["check".as_ref(), self.path.as_os_str()])
    }

    /// `ccsim run SCENARIO --out <tempdir>/out --replications 1`; returns the
    /// output and the `--out` directory.
    fn run(&self) -> (Output, PathBuf) {
        let out = self.dir.path().join("out");
        let o = ccsim(
            self.dir.path(),
            &[
                "run".as_ref(),
                self.path.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
                "--replications".as_ref(),
                "1".as_ref(),
            ],
        );
        (o, out)
    }
}

/// Runs `ccsim` with `args` in `cwd`.
fn ccsim(cwd: &Path, args: &[&std::ffi::OsStr]) -> Output {
    Command::cargo_bin("ccsim")
        .expect("the ccsim binary")
        .current_dir(cwd)
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run ccsim")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn describe(o: &Output) -> String {
    format!(
        "exit status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    )
}

/// Exit code `code`, and never a panic.
fn assert_exit(o: &Output, code: i32) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "ccsim panicked:\n{}",
        describe(o)
    );
    assert_eq!(
        o.status.code(),
        Some(code),
        "wrong exit code:\n{}",
        describe(o)
    );
}

/// The stderr line of the diagnostic `<file>:<line>: key `<key>`: …`, which
/// is the first line (`error: ` prefix) or a following one (no prefix).
fn diagnostic_line(o: &Output, file: &str, line: usize, key: &str) -> String {
    let prefix = format!("{file}:{line}: key `{key}`: ");
    let err = stderr(o);
    err.lines()
        .find(|l| l.strip_prefix("error: ").unwrap_or(l).starts_with(&prefix))
        .unwrap_or_else(|| {
            panic!(
                "no diagnostic starting `{prefix}` on stderr:\n{}",
                describe(o)
            )
        })
        .to_string()
}

/// A rejected scenario: exit 2, nothing on stdout claims it is ok, and stderr
/// has `error: `, then a diagnostic naming the file, the line and the key
/// whose message contains every phrase of `expected`.
fn assert_bad(o: &Output, scn: &Scn, line: usize, key: &str, expected: &[&str]) {
    assert_exit(o, 2);
    let err = stderr(o);
    assert!(
        err.starts_with("error: "),
        "stderr must start with `error: `:\n{}",
        describe(o)
    );
    assert!(
        !stdout(o).contains("ok"),
        "a bad scenario was reported ok:\n{}",
        describe(o)
    );
    let d = diagnostic_line(o, &scn.shown(), line, key);
    for phrase in expected {
        assert!(
            d.contains(phrase),
            "the diagnostic `{d}` does not say `{phrase}`:\n{}",
            describe(o)
        );
    }
}

/// `ccsim run` on a bad scenario: the same diagnostic as `check`, exit 2, and
/// no output directory.
fn assert_run_rejects(scn: &Scn, line: usize, key: &str, expected: &[&str]) {
    let (o, out) = scn.run();
    assert_bad(&o, scn, line, key, expected);
    assert!(
        !out.exists(),
        "run wrote {} for a bad scenario:\n{}",
        out.display(),
        describe(&o)
    );
}

/// A scenario path as TOML text (a literal string: no escapes).
fn toml_path(p: &Path) -> String {
    format!("'{}'", p.display())
}

// ---------------------------------------------------------------- valid input

#[test]
fn minimal_scenario_checks_ok() {
    let scn = Scn::new("minimal.toml", BASE);
    let o = scn.check();
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains(&scn.shown()), "{}", describe(&o));
    assert!(out.contains("ok"), "{}", describe(&o));
    assert!(out.contains("0 warning(s)"), "{}", describe(&o));
    assert!(stderr(&o).is_empty(), "{}", describe(&o));
}

#[test]
fn example_scenario_checks_ok() {
    let o = ccsim(
        &common::root(),
        &["check".as_ref(), "scenarios/example.toml".as_ref()],
    );
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains("scenarios/example.toml") && out.contains("ok"),
        "{}",
        describe(&o)
    );
}

#[test]
fn every_scenario_file_checks_ok() {
    let files = common::scenario_files();
    assert!(!files.is_empty(), "no scenarios/*.toml");
    for f in files {
        let o = ccsim(&common::root(), &["check".as_ref(), f.as_os_str()]);
        assert_exit(&o, 0);
        assert!(
            stdout(&o).contains("ok"),
            "{}: {}",
            f.display(),
            describe(&o)
        );
        assert!(
            !stderr(&o).contains("error"),
            "{}: {}",
            f.display(),
            describe(&o)
        );
    }
}

// --------------------------------------------------- the scenario file itself

#[test]
fn missing_scenario_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-scenario.toml");
    let o = ccsim(dir.path(), &["check".as_ref(), path.as_os_str()]);
    assert_exit(&o, 2);
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{}", describe(&o));
    assert!(
        err.contains(&path.display().to_string()),
        "{}",
        describe(&o)
    );
    assert!(err.contains("cannot read"), "{}", describe(&o));

    let out = dir.path().join("out");
    let o = ccsim(
        dir.path(),
        &[
            "run".as_ref(),
            path.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    );
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains(&path.display().to_string()),
        "{}",
        describe(&o)
    );
    assert!(!out.exists(), "run wrote output for a missing scenario");
}

#[test]
fn scenario_path_is_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let o = ccsim(dir.path(), &["check".as_ref(), dir.path().as_os_str()]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains(&dir.path().display().to_string()),
        "{}",
        describe(&o)
    );
}

#[test]
fn scenario_file_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("binary.toml");
    std::fs::write(&path, b"\xff\xfe\x00garbage").unwrap();
    let o = ccsim(dir.path(), &["check".as_ref(), path.as_os_str()]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains(&path.display().to_string()),
        "{}",
        describe(&o)
    );
}

#[test]
fn toml_syntax_error() {
    let scn = Scn::new("syntax.toml", &edit("count = 2", "count = = 2"));
    let line = scn.line("count = = 2");
    assert_eq!(line, 13);
    assert_bad(&scn.check(), &scn, line, "count", &["expected"]);
}

#[test]
fn toml_syntax_error_unclosed_table() {
    let scn = Scn::new("syntax2.toml", &edit("[[agents]]", "[[agents"));
    let line = scn.line("[[agents");
    let o = scn.check();
    assert_exit(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:{line}:", scn.shown())),
        "{}",
        describe(&o)
    );
}

// ------------------------------------------------------ unknown keys, types

#[test]
fn unknown_key_in_simulation() {
    let scn = Scn::new(
        "unknown-key.toml",
        &insert_after("replications = 1", "colour = \"red\""),
    );
    let line = scn.line("colour");
    assert_eq!(line, 5);
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "simulation.colour",
        &["unknown field", "expected one of", "horizon"],
    );
    assert_run_rejects(&scn, line, "simulation.colour", &["unknown field"]);
}

#[test]
fn unknown_key_in_skill() {
    let scn = Scn::new(
        "unknown-skill-key.toml",
        &insert_after("channel = \"live_chat\"", "arival_rate = 60"),
    );
    let line = scn.line("arival_rate");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arival_rate",
        &["unknown field", "arrivals"],
    );
}

#[test]
fn unknown_key_in_agent_group() {
    let scn = Scn::new(
        "unknown-agents-key.toml",
        &insert_after("count = 2", "headcount = 3"),
    );
    let line = scn.line("headcount");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.headcount",
        &["unknown field", "count"],
    );
}

#[test]
fn unknown_table() {
    let scn = Scn::new(
        "unknown-table.toml",
        &format!("{BASE}\n[routnig]\naccept = \"ring\"\n"),
    );
    let line = scn.line("[routnig]");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "routnig",
        &["unknown field", "routing"],
    );
}

#[test]
fn unknown_key_in_inline_table() {
    let scn = Scn::new(
        "unknown-inline-key.toml",
        &edit(
            "arrivals = { rate = 60, per = \"1h\" }",
            "arrivals = { rate = 60, per = \"1h\", burst = 3 }",
        ),
    );
    let line = scn.line("burst");
    let o = scn.check();
    assert_exit(&o, 2);
    let err = stderr(&o);
    let prefix = format!("{}:{line}: key `", scn.shown());
    let at = err
        .find(&prefix)
        .unwrap_or_else(|| panic!("{}", describe(&o)));
    let key = err[at + prefix.len()..].split('`').next().unwrap();
    assert!(
        key == "burst" || key.ends_with(".burst"),
        "the diagnostic names key `{key}`, not `burst`:\n{}",
        describe(&o)
    );
}

#[test]
fn wrong_type_count_is_a_string() {
    let scn = Scn::new("wrong-type.toml", &edit("count = 2", "count = \"two\""));
    let line = scn.line("count =");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.count",
        &["invalid type", "string", "expected"],
    );
    assert_run_rejects(&scn, line, "agents.team.count", &["invalid type"]);
}

#[test]
fn wrong_type_rate_is_a_string() {
    let scn = Scn::new(
        "wrong-type-rate.toml",
        &edit("rate = 60", "rate = \"sixty\""),
    );
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.rate",
        &["invalid type", "expected"],
    );
}

#[test]
fn wrong_type_skills_not_a_list() {
    let scn = Scn::new(
        "wrong-type-skills.toml",
        &edit("skills = [\"chat\"]", "skills = \"chat\""),
    );
    let line = scn.line("skills =");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.skills",
        &["invalid type", "expected a sequence"],
    );
}

#[test]
fn wrong_type_count_is_fractional() {
    let scn = Scn::new("fractional-count.toml", &edit("count = 2", "count = 2.5"));
    let line = scn.line("count =");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.count",
        &["invalid type", "2.5"],
    );
}

#[test]
fn missing_required_key() {
    // A [[skill]] without `arrivals`: the message names the missing key.
    let scn = Scn::new(
        "missing-arrivals.toml",
        &edit("arrivals = { rate = 60, per = \"1h\" }\n", ""),
    );
    let o = scn.check();
    assert_exit(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:", scn.shown())),
        "{}",
        describe(&o)
    );
    assert!(err.contains("missing field `arrivals`"), "{}", describe(&o));
}

// ------------------------------------------------------------------ arrivals

#[test]
fn zero_rate() {
    let scn = Scn::new("zero-rate.toml", &edit("rate = 60", "rate = 0"));
    let line = scn.line("arrivals");
    assert_eq!(line, 9);
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.rate",
        &["rate 0", "greater than 0"],
    );
    assert_run_rejects(&scn, line, "skill.chat.arrivals.rate", &["greater than 0"]);
}

#[test]
fn negative_rate() {
    let scn = Scn::new("negative-rate.toml", &edit("rate = 60", "rate = -5"));
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.rate",
        &["rate -5", "greater than 0"],
    );
}

#[test]
fn nan_rate() {
    let scn = Scn::new("nan-rate.toml", &edit("rate = 60", "rate = nan"));
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.rate",
        &["greater than 0"],
    );
}

#[test]
fn zero_per() {
    let scn = Scn::new("zero-per.toml", &edit("per = \"1h\"", "per = \"0s\""));
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.per",
        &["longer than 0"],
    );
}

#[test]
fn negative_profile_volume() {
    let scn = Scn::new(
        "negative-volume.toml",
        &edit("rate = 60", "profile = [10, -1, 5]"),
    );
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.profile",
        &["-1", ">= 0"],
    );
}

#[test]
fn empty_profile() {
    let scn = Scn::new("empty-profile.toml", &edit("rate = 60", "profile = []"));
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.profile",
        &["empty", "expected a list of volumes"],
    );
}

#[test]
fn all_zero_profile() {
    let scn = Scn::new(
        "zero-profile.toml",
        &edit("rate = 60", "profile = [0, 0, 0]"),
    );
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.profile",
        &["at least one positive volume"],
    );
}

#[test]
fn arrivals_with_neither_rate_nor_profile_nor_trace() {
    let scn = Scn::new(
        "no-arrival-process.toml",
        &edit(
            "arrivals = { rate = 60, per = \"1h\" }",
            "arrivals = { per = \"1h\" }",
        ),
    );
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals",
        &["expected exactly one of", "rate", "profile", "trace"],
    );
}

#[test]
fn missing_trace_file() {
    let scn = Scn::new(
        "missing-trace.toml",
        &edit(
            "arrivals = { rate = 60, per = \"1h\" }",
            "arrivals = { trace = \"traces/no-such-trace.csv\" }",
        ),
    );
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.trace",
        &["no-such-trace.csv", "not found"],
    );
    assert_run_rejects(
        &scn,
        line,
        "skill.chat.arrivals.trace",
        &["no-such-trace.csv"],
    );
}

#[test]
fn trace_file_with_a_non_numeric_value() {
    // tests/data/bad/trace_non_numeric.csv: header, 10, 20, abc (line 4), 30.
    let trace = common::data("bad/trace_non_numeric.csv");
    let scn = Scn::new(
        "bad-trace.toml",
        &edit(
            "arrivals = { rate = 60, per = \"1h\" }",
            &format!("arrivals = {{ trace = {} }}", toml_path(&trace)),
        ),
    );
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.trace",
        &[
            &format!("{}:4:", trace.display()),
            "`abc`",
            "not a number of seconds or a duration",
        ],
    );
}

#[test]
fn trace_file_relative_to_the_scenario() {
    // A relative trace path resolves against the scenario's directory, not
    // the working directory: the same bad trace copied next to the scenario.
    let scn = Scn::new(
        "bad-trace-relative.toml",
        &edit(
            "arrivals = { rate = 60, per = \"1h\" }",
            "arrivals = { trace = \"traces/t.csv\" }",
        ),
    );
    std::fs::create_dir(scn.dir.path().join("traces")).unwrap();
    std::fs::copy(
        common::data("bad/trace_non_numeric.csv"),
        scn.dir.path().join("traces/t.csv"),
    )
    .unwrap();
    let line = scn.line("arrivals");
    let o = ccsim(&common::root(), &["check".as_ref(), scn.path.as_os_str()]);
    assert_bad(
        &o,
        &scn,
        line,
        "skill.chat.arrivals.trace",
        &["t.csv:4:", "`abc`"],
    );
}

#[test]
fn trace_file_without_values() {
    let trace = common::data("bad/trace_empty.csv");
    let scn = Scn::new(
        "empty-trace.toml",
        &edit(
            "arrivals = { rate = 60, per = \"1h\" }",
            &format!("arrivals = {{ trace = {} }}", toml_path(&trace)),
        ),
    );
    let line = scn.line("arrivals");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.arrivals.trace",
        &["trace_empty.csv", "no values"],
    );
}

// ------------------------------------------------------------ distributions

#[test]
fn lognormal_negative_sd() {
    let scn = Scn::new(
        "negative-sd.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "consumer_reply = { dist = \"lognormal\", mean = \"40s\", sd = -3 }",
        ),
    );
    let line = scn.line("consumer_reply");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.consumer_reply",
        &["negative sd", "expected a standard deviation >= 0"],
    );
    assert_run_rejects(&scn, line, "skill.chat.consumer_reply", &["negative sd"]);
}

#[test]
fn lognormal_negative_sd_as_duration() {
    let scn = Scn::new(
        "negative-sd-duration.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "consumer_reply = { dist = \"lognormal\", mean = \"40s\", sd = \"-30s\" }",
        ),
    );
    let line = scn.line("consumer_reply");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.consumer_reply",
        &["negative sd", ">= 0"],
    );
}

#[test]
fn gamma_negative_fractional_sd() {
    let scn = Scn::new(
        "gamma-negative-sd.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "agent_reply = { dist = \"gamma\", mean = \"30s\", sd = -0.5 }",
        ),
    );
    let line = scn.line("agent_reply");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.agent_reply",
        &["sd -0.5", ">= 0"],
    );
}

#[test]
fn unknown_distribution_name() {
    let scn = Scn::new(
        "unknown-dist.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "patience = { dist = \"pareto\", mean = \"2m\" }",
        ),
    );
    let line = scn.line("patience");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.patience.dist",
        &["pareto", "expected one of", "exponential", "lognormal"],
    );
}

#[test]
fn distribution_with_a_parameter_it_does_not_take() {
    let scn = Scn::new(
        "dist-extra-param.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "patience = { dist = \"exponential\", mean = \"2m\", sd = \"1m\" }",
        ),
    );
    let line = scn.line("patience");
    let o = scn.check();
    assert_exit(&o, 2);
    // The unknown key by its dotted path, on the line of `patience`.
    let d = diagnostic_line(&o, &scn.shown(), line, "skill.chat.patience.sd");
    assert!(
        d.contains("unknown field `sd`, expected `mean`"),
        "{}",
        describe(&o)
    );
}

#[test]
fn geometric_mean_below_one() {
    let scn = Scn::new(
        "geometric.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "exchanges = { dist = \"geometric\", mean = 0.5 }",
        ),
    );
    let line = scn.line("exchanges");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.exchanges",
        &["geometric mean 0.5", ">= 1"],
    );
}

#[test]
fn weibull_non_positive_shape() {
    let scn = Scn::new(
        "weibull.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "patience = { dist = \"weibull\", shape = 0, scale = \"2m\" }",
        ),
    );
    let line = scn.line("patience");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.patience",
        &["shape > 0"],
    );
}

#[test]
fn missing_empirical_csv() {
    let scn = Scn::new(
        "missing-empirical.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "agent_reply = { dist = \"empirical\", file = \"no-such-efforts.csv\" }",
        ),
    );
    let line = scn.line("agent_reply");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.agent_reply",
        &["no-such-efforts.csv", "not found"],
    );
}

#[test]
fn empirical_csv_with_a_non_numeric_value() {
    // tests/data/bad/empirical_non_numeric.csv: header, 12, 30s, lots (line 4).
    let csv = common::data("bad/empirical_non_numeric.csv");
    let scn = Scn::new(
        "bad-empirical.toml",
        &insert_after(
            "channel = \"live_chat\"",
            &format!(
                "agent_reply = {{ dist = \"empirical\", file = {} }}",
                toml_path(&csv)
            ),
        ),
    );
    let line = scn.line("agent_reply");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.agent_reply",
        &[&format!("{}:4:", csv.display()), "`lots`"],
    );
}

#[test]
fn empirical_csv_without_the_column() {
    let csv = common::data("bad/empirical_non_numeric.csv");
    let scn = Scn::new(
        "empirical-column.toml",
        &insert_after(
            "channel = \"live_chat\"",
            &format!(
                "agent_reply = {{ dist = \"empirical\", file = {}, column = \"effort\" }}",
                toml_path(&csv)
            ),
        ),
    );
    let line = scn.line("agent_reply");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.agent_reply",
        &["no column `effort`", "seconds"],
    );
}

// ---------------------------------------------------------------- durations

#[test]
fn bad_duration_string() {
    let scn = Scn::new(
        "bad-duration.toml",
        &edit("horizon = \"1h\"", "horizon = \"1 fortnight\""),
    );
    let line = scn.line("horizon");
    assert_eq!(line, 2);
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "simulation.horizon",
        &[
            "bad duration \"1 fortnight\"",
            "expected a duration such as",
        ],
    );
}

#[test]
fn bad_duration_in_a_skill() {
    let scn = Scn::new(
        "bad-sla.toml",
        &insert_after("channel = \"live_chat\"", "response_sla = \"5 parsecs\""),
    );
    let line = scn.line("response_sla");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.response_sla",
        &["bad duration", "expected a duration"],
    );
}

#[test]
fn negative_duration_number() {
    let scn = Scn::new(
        "negative-warmup.toml",
        &edit("warmup = \"0s\"", "warmup = -60"),
    );
    let line = scn.line("warmup");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "simulation.warmup",
        &["negative duration", ">= 0"],
    );
}

#[test]
fn zero_horizon() {
    let scn = Scn::new(
        "zero-horizon.toml",
        &edit("horizon = \"1h\"", "horizon = \"0s\""),
    );
    let line = scn.line("horizon");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "simulation.horizon",
        &["longer than 0"],
    );
}

// ------------------------------------------------------------------- skills

#[test]
fn no_skills_at_all() {
    // `skill = []` at the top, and a group with no skills: nothing to point
    // at for the missing skills, so no line there; the key and file are named.
    let text = format!(
        "skill = []\n\n{}",
        BASE.replace(
            "[[skill]]\nname = \"chat\"\nchannel = \"live_chat\"\narrivals = { rate = 60, per = \"1h\" }\n",
            ""
        )
        .replace("skills = [\"chat\"]", "skills = []")
    );
    let scn = Scn::new("no-skills.toml", &text);
    let o = scn.check();
    assert_exit(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}: key `skill`: ", scn.shown())),
        "{}",
        describe(&o)
    );
    assert!(err.contains("expected at least one"), "{}", describe(&o));
    let line = scn.line("skills = []");
    diagnostic_line(&o, &scn.shown(), line, "agents.team.skills");
}

#[test]
fn empty_scenario_file() {
    let scn = Scn::new("empty.toml", "");
    let o = scn.check();
    assert_exit(&o, 2);
    let err = stderr(&o);
    assert!(err.contains(&scn.shown()), "{}", describe(&o));
    assert!(err.contains("key `skill`"), "{}", describe(&o));
    assert!(err.contains("no [[skill]]"), "{}", describe(&o));
}

#[test]
fn duplicate_skill_names() {
    let scn = Scn::new(
        "duplicate-skill.toml",
        &edit(
            "[[agents]]",
            "[[skill]]\nname = \"chat\" # again\narrivals = { rate = 5 }\n\n[[agents]]",
        ),
    );
    let line = scn.line("# again");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.name",
        &["duplicate skill name `chat`"],
    );
}

#[test]
fn solved_to_closed_over_28_days() {
    let scn = Scn::new(
        "solved-to-closed.toml",
        &edit(
            "channel = \"live_chat\"",
            "channel = \"messaging\"\nstyle = \"social_messaging\"\nsolved_to_closed = \"29d\"",
        ),
    );
    let line = scn.line("solved_to_closed");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.solved_to_closed",
        &["29d", "28 days"],
    );
}

#[test]
fn solved_to_closed_of_exactly_28_days_is_fine() {
    let scn = Scn::new(
        "solved-to-closed-28.toml",
        &edit(
            "channel = \"live_chat\"",
            "channel = \"messaging\"\nstyle = \"social_messaging\"\nsolved_to_closed = \"28d\"",
        ),
    );
    assert_exit(&scn.check(), 0);
}

#[test]
fn unknown_channel() {
    let scn = Scn::new(
        "unknown-channel.toml",
        &edit("channel = \"live_chat\"", "channel = \"email\""),
    );
    let line = scn.line("channel");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.channel",
        &["`email`", "expected live_chat or messaging"],
    );
}

#[test]
fn probability_above_one() {
    let scn = Scn::new(
        "probability.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "consumer_close_probability = 1.5",
        ),
    );
    let line = scn.line("consumer_close_probability");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.consumer_close_probability",
        &["1.5 is not a probability", "0 to 1"],
    );
}

#[test]
fn negative_return_probability() {
    let scn = Scn::new(
        "returns.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "returns = { probability = -0.1, after = { dist = \"exponential\", mean = \"1h\" } }",
        ),
    );
    let line = scn.line("returns");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.returns.probability",
        &["-0.1 is not a probability", "0 to 1"],
    );
}

#[test]
fn routing_probability_above_one() {
    let scn = Scn::new(
        "ignore-probability.toml",
        &format!("{BASE}\n[routing]\nignore_probability = 2\n"),
    );
    let line = scn.line("ignore_probability");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "routing.ignore_probability",
        &["2 is not a probability", "0 to 1"],
    );
}

#[test]
fn transfer_to_an_unknown_skill() {
    let scn = Scn::new(
        "transfer.toml",
        &insert_after(
            "channel = \"live_chat\"",
            "transfer = { probability = 0.1, to = \"tech\" }",
        ),
    );
    let line = scn.line("transfer");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "skill.chat.transfer.to",
        &["unknown skill `tech`", "skills: chat"],
    );
}

// -------------------------------------------------- skills vs agent groups

#[test]
fn skill_no_agent_group_has_is_a_warning() {
    let scn = Scn::new(
        "unroutable.toml",
        &edit(
            "[[agents]]",
            "[[skill]]\nname = \"orphan\"\narrivals = { rate = 60 }\n\n[[agents]]",
        ),
    );
    // The warning points at the orphan's `[[skill]]` header, the line
    // before its name.
    let line = scn.line("\"orphan\"") - 1;
    let o = scn.check();
    assert_exit(&o, 0);
    let err = stderr(&o);
    let w = err
        .lines()
        .find(|l| l.starts_with("warning: "))
        .unwrap_or_else(|| panic!("no warning:\n{}", describe(&o)));
    assert!(
        w.contains("orphan") && w.contains("unroutable"),
        "{}",
        describe(&o)
    );
    assert!(
        w.contains(&format!("{}:{line}:", scn.shown())),
        "the warning does not name the file and line {line}:\n{}",
        describe(&o)
    );
    assert!(!err.contains("error"), "{}", describe(&o));
    let out = stdout(&o);
    assert!(
        out.contains("ok") && out.contains("1 warning(s)"),
        "{}",
        describe(&o)
    );
}

#[test]
fn skill_no_agent_group_has_runs_and_is_reported_unroutable() {
    let scn = Scn::new(
        "unroutable-run.toml",
        &edit(
            "[[agents]]",
            "[[skill]]\nname = \"orphan\"\narrivals = { rate = 60 }\n\n[[agents]]",
        ),
    );
    let (o, out) = scn.run();
    assert_exit(&o, 0);
    let err = stderr(&o);
    assert!(
        err.contains("warning") && err.contains("orphan") && err.contains("unroutable"),
        "{}",
        describe(&o)
    );
    // The run reports the orphan's conversations as unroutable.
    let summary = std::fs::read_to_string(out.join("unroutable-run").join("summary.csv"))
        .unwrap_or_else(|e| panic!("no summary.csv ({e}):\n{}", describe(&o)));
    let row = summary
        .lines()
        .find(|l| l.starts_with("base,orphan,unroutable,"))
        .unwrap_or_else(|| panic!("no unroutable row for orphan:\n{summary}"));
    let mean: f64 = row.split(',').nth(3).unwrap().parse().unwrap();
    assert!(mean > 0.0, "{row}");
}

#[test]
fn agent_group_names_an_unknown_skill() {
    let scn = Scn::new(
        "unknown-skill.toml",
        &edit("skills = [\"chat\"]", "skills = [\"chat\", \"ghost\"]"),
    );
    let line = scn.line("ghost");
    assert_eq!(line, 14);
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.skills",
        &["unknown skill `ghost`", "skills: chat"],
    );
    assert_run_rejects(&scn, line, "agents.team.skills", &["unknown skill `ghost`"]);
}

#[test]
fn dedicated_group_spanning_live_chat_and_messaging() {
    let scn = Scn::new(
        "dedicated-span.toml",
        &edit(
            "[[agents]]\nname = \"team\"\ncount = 2\nskills = [\"chat\"]",
            "[[skill]]\nname = \"msg\"\nchannel = \"messaging\"\narrivals = { rate = 5 }\n\n\
             [[agents]]\nname = \"team\"\ncount = 2\nmode = \"dedicated\"\nskills = [\"chat\", \"msg\"]",
        ),
    );
    let line = scn.line("skills =");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.skills",
        &[
            "dedicated",
            "span live_chat and messaging",
            "two_login or blended",
        ],
    );
}

#[test]
fn two_login_shift_without_login() {
    let scn = Scn::new(
        "two-login.toml",
        &insert_after(
            "skills = [\"chat\"]",
            "mode = \"two_login\"\nshifts = [{ days = \"Mon-Fri\", start = \"08:00\", end = \"16:00\" }]",
        ),
    );
    let line = scn.line("shifts");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.shifts.login",
        &[
            "two_login shift must name its login",
            "live_chat or messaging",
        ],
    );
}

#[test]
fn unknown_agent_mode() {
    let scn = Scn::new(
        "mode.toml",
        &insert_after("skills = [\"chat\"]", "mode = \"hybrid\""),
    );
    let line = scn.line("mode");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.mode",
        &["`hybrid`", "expected dedicated, two_login or blended"],
    );
}

#[test]
fn negative_agent_count() {
    let scn = Scn::new("negative-count.toml", &edit("count = 2", "count = -3"));
    let line = scn.line("count");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.count",
        &["-3 agents", "expected a whole number"],
    );
}

#[test]
fn bad_shift_time() {
    let scn = Scn::new(
        "bad-shift.toml",
        &insert_after(
            "skills = [\"chat\"]",
            "shifts = [{ days = \"Mon-Fri\", start = \"25:00\", end = \"16:00\" }]",
        ),
    );
    let line = scn.line("shifts");
    assert_bad(
        &scn.check(),
        &scn,
        line,
        "agents.team.shifts",
        &["25:00", "\"HH:MM\""],
    );
}

#[test]
fn an_invalid_skill_does_not_cause_errors_about_other_skills() {
    // `broken` fails (rate 0) and is dropped from the resolved skills; the
    // group `team` has only the live_chat skill `chat`, but is then checked
    // against `msg` (the next skill), and gets an error about messaging.
    let text = r#"[simulation]
horizon = "1h"

[[skill]]
name = "broken"
arrivals = { rate = 0 }

[[skill]]
name = "chat"
arrivals = { rate = 5 }

[[skill]]
name = "msg"
channel = "messaging"
arrivals = { rate = 5 }

[[agents]]
name = "team"
count = 2
skills = ["chat"]
capacity = { live_chat = 3, messaging = 0 }

[[agents]]
name = "team2"
count = 2
mode = "blended"
skills = ["broken", "msg"]
"#;
    let scn = Scn::new("shifted-skills.toml", text);
    let o = scn.check();
    assert_bad(
        &o,
        &scn,
        scn.line("rate = 0"),
        "skill.broken.arrivals.rate",
        &["greater than 0"],
    );
    let err = stderr(&o);
    assert_eq!(
        err.lines().count(),
        1,
        "only the bad rate is wrong, but got more diagnostics:\n{}",
        describe(&o)
    );
}

// ---------------------------------------------------------- command line

/// `ccsim` with `args` in a fresh temporary directory, so that nothing is
/// written into the repository; returns the output and the directory.
fn ccsim_in_tempdir(args: &[&str]) -> (Output, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.toml"), BASE).unwrap();
    let a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_ref()).collect();
    (ccsim(dir.path(), &a), dir)
}

/// A rejected command line: exit 2, stderr names `what`, no output written.
fn assert_bad_options(args: &[&str], what: &[&str]) {
    let (o, dir) = ccsim_in_tempdir(args);
    assert_exit(&o, 2);
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{args:?}:\n{}", describe(&o));
    for w in what {
        assert!(
            err.contains(w),
            "{args:?}: stderr does not say `{w}`:\n{}",
            describe(&o)
        );
    }
    assert!(
        !dir.path().join("out").exists() && !dir.path().join("output").exists(),
        "{args:?} wrote output"
    );
}

#[test]
fn unknown_option() {
    assert_bad_options(&["run", "ok.toml", "--out", "out", "--bogus"], &["--bogus"]);
}

#[test]
fn replications_zero() {
    assert_bad_options(
        &["run", "ok.toml", "--out", "out", "--replications", "0"],
        &["--replications", "'0'"],
    );
}

#[test]
fn seed_not_a_number() {
    assert_bad_options(
        &["run", "ok.toml", "--out", "out", "--seed", "abc"],
        &["--seed", "'abc'"],
    );
}

#[test]
fn threads_zero() {
    assert_bad_options(
        &["run", "ok.toml", "--out", "out", "--threads", "0"],
        &["--threads"],
    );
}

#[test]
fn check_with_an_unknown_option() {
    assert_bad_options(&["check", "ok.toml", "--bogus"], &["--bogus"]);
}

#[test]
fn check_without_a_scenario() {
    assert_bad_options(&["check"], &["SCENARIO"]);
}

#[test]
fn unknown_subcommand() {
    assert_bad_options(&["frobnicate", "ok.toml"], &["frobnicate"]);
}

#[test]
fn good_options_are_accepted() {
    // The counterpart of the rejected options: a valid run with overrides.
    let (o, dir) = ccsim_in_tempdir(&[
        "run",
        "ok.toml",
        "--out",
        "out",
        "--seed",
        "7",
        "--replications",
        "1",
        "--threads",
        "1",
    ]);
    assert_exit(&o, 0);
    assert!(
        dir.path().join("out/ok/summary.csv").is_file(),
        "{}",
        describe(&o)
    );
}

/// `ccsim` without a command runs the built-in example, as `cargo run
/// --release` does from a fresh checkout: a summary on stdout and the
/// report files in output/example/.
#[test]
fn no_command_runs_the_built_in_example() {
    let dir = tempfile::tempdir().unwrap();
    let o = assert_cmd::Command::cargo_bin("ccsim")
        .unwrap()
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("service level") && out.contains("wrote output/example"),
        "{out}"
    );
    for f in [
        "summary.csv",
        "intervals.csv",
        "agents.csv",
        "scenario.resolved.json",
    ] {
        let p = dir.path().join("output/example").join(f);
        assert!(
            std::fs::metadata(&p).map(|m| m.len() > 0).unwrap_or(false),
            "{} missing",
            p.display()
        );
    }
}

// ---------------------------------------------------------- reliability

/// `ccsim` in `cwd` with stderr sent to `/dev/full` (every write fails).
fn ccsim_stderr_full(cwd: &Path, args: &[&str]) -> Option<Output> {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()?;
    let o = std::process::Command::new(assert_cmd::cargo::cargo_bin("ccsim"))
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .args(args)
        .stderr(full)
        .output()
        .unwrap();
    Some(o)
}

/// Diagnostics that cannot be written (stderr on a full disk) do not make
/// ccsim panic: bad input still exits 2, a warning does not stop a check.
#[test]
fn diagnostics_to_a_full_stderr_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[simulation]\nhorizon = \"soon\"\n",
    )
    .unwrap();
    let Some(o) = ccsim_stderr_full(dir.path(), &["check", "bad.toml"]) else {
        return; // no /dev/full on this system
    };
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let warn = edit(
        "[[agents]]",
        "[[skill]]\nname = \"orphan\"\narrivals = { rate = 1, per = \"1h\" }\n\n[[agents]]",
    );
    std::fs::write(dir.path().join("warn.toml"), warn).unwrap();
    let o = ccsim_stderr_full(dir.path(), &["check", "warn.toml"]).unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("1 warning(s)"),
        "{o:?}"
    );
}

/// An output directory that cannot be written is bad input (exit 2) found
/// before anything runs, naming the directory: for `run`, `compare`,
/// `sweep` and `staff`.
#[test]
fn an_unwritable_output_directory_is_found_before_running() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.toml"), BASE).unwrap();
    // A file where the output directory should be: no user can write there.
    std::fs::write(dir.path().join("blocked"), "").unwrap();
    let staff = [
        "staff",
        "ok.toml",
        "--target",
        "asa<=20",
        "--out",
        "blocked",
        "--replications",
        "2",
    ];
    for args in [
        &["run", "ok.toml", "--out", "blocked"][..],
        &["run", "ok.toml", "--out", "blocked", "--trace"][..],
        &staff[..],
    ] {
        let a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_ref()).collect();
        let o = ccsim(dir.path(), &a);
        assert_exit(&o, 2);
        let err = stderr(&o);
        assert!(
            err.contains("cannot write to the output directory") && err.contains("blocked"),
            "{args:?}: {}",
            describe(&o)
        );
    }
    // An existing directory without write permission (not for root, who may write anyway).
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), "").is_err() {
            let o = ccsim(
                dir.path(),
                &[
                    "run".as_ref(),
                    "ok.toml".as_ref(),
                    "--out".as_ref(),
                    "ro".as_ref(),
                ],
            );
            assert_exit(&o, 2);
            assert!(
                stderr(&o).contains("ro/ok") || stderr(&o).contains("ro"),
                "{}",
                describe(&o)
            );
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A run that would need more memory than allowed (a one-second report
/// interval over 23 days) is refused before it starts, naming the cause and
/// the flag that overrides the limit.
#[test]
fn a_run_that_cannot_fit_in_memory_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit("horizon = \"1h\"", "horizon = \"23d\"\ninterval = \"1s\"");
    std::fs::write(dir.path().join("big.toml"), text).unwrap();
    let t0 = std::time::Instant::now();
    let o = ccsim(
        dir.path(),
        &[
            "run".as_ref(),
            "big.toml".as_ref(),
            "--max-memory".as_ref(),
            "1G".as_ref(),
        ],
    );
    assert_exit(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains("memory") && err.contains("--max-memory") && err.contains("report interval"),
        "{}",
        describe(&o)
    );
    assert!(t0.elapsed().as_secs() < 30, "it ran before refusing");
    assert!(
        !dir.path()
            .join("output")
            .join("big")
            .join("summary.csv")
            .exists()
    );
    let o = ccsim(
        dir.path(),
        &[
            "run".as_ref(),
            "big.toml".as_ref(),
            "--max-memory".as_ref(),
            "lots".as_ref(),
        ],
    );
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("invalid size `lots`"),
        "{}",
        describe(&o)
    );
}

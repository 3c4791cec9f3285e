//! A fuzz test of the scenario pipeline: the files in `scenarios/` mutated
//! (keys deleted, types swapped, extreme numbers and durations, odd names,
//! broken syntax), then loaded, validated and — when accepted — simulated
//! briefly in-process. Nothing may panic; every rejection must be a
//! scenario error that names its file and a line or a key.
//!
//! The cases come from a fixed seed, so a failure reproduces: the message
//! prints the case number, the mutation and the mutated text.

use crate::common::{root, scenario_files};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Cases per scenario file.
const CASES_PER_FILE: usize = 800;

/// Replacement values for a leaf: other types, extreme numbers and
/// durations, odd names.
const VALUES: &[&str] = &[
    "\"abc\"",
    "\"\"",
    "-1",
    "0",
    "-0.0",
    "1e-300",
    "1e300",
    "1.7e308",
    "9223372036854775807",
    "-9223372036854775808",
    "nan",
    "inf",
    "-inf",
    "true",
    "[]",
    "[1, 2, 3]",
    "{}",
    "{ dist = \"exponential\", mean = \"1e300s\" }",
    "{ dist = \"lognormal\", mean = 1e300, sd = 1e300 }",
    "{ dist = \"weibull\", shape = 0.0001, scale = 1 }",
    "{ dist = \"deterministic\", value = 0 }",
    "{ dist = \"uniform\", min = 5, max = 1 }",
    "{ dist = \"geometric\", mean = 0.5 }",
    "\"0s\"",
    "\"1ms\"",
    "\"1e-9s\"",
    "\"999999d\"",
    "\"7\"",
    "\"24:00\"",
    "\"25:61\"",
    "\"Mon-Sun\"",
    "\"all\"",
    "\"a\\u0000b\"",
    "\"\\u001b[31mred\"",
    "\"../../etc\"",
    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
];

/// One mutation of a scenario's text, described for the failure message.
fn mutate(text: &str, rng: &mut Xoshiro256PlusPlus) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    // Lines that assign a value (`key = value`), outside comments.
    let assigns: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with('#') && !t.starts_with('[') && t.contains(" = ")
        })
        .map(|(i, _)| i)
        .collect();
    let kind = rng.random_range(0..10u32);
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let what = match kind {
        // Delete a key.
        0 | 1 if !assigns.is_empty() => {
            let i = assigns[rng.random_range(0..assigns.len())];
            out.remove(i);
            format!("deleted line {}", i + 1)
        }
        // Replace a value.
        2..=6 if !assigns.is_empty() => {
            let i = assigns[rng.random_range(0..assigns.len())];
            let v = VALUES[rng.random_range(0..VALUES.len())];
            let key = lines[i].split(" = ").next().unwrap_or("");
            out[i] = format!("{key} = {v}");
            format!("line {}: {key} = {v}", i + 1)
        }
        // Replace a value inside an inline table (`key = value` pairs after `{`).
        7 if !assigns.is_empty() => {
            let i = assigns[rng.random_range(0..assigns.len())];
            let line = lines[i];
            let v = VALUES[rng.random_range(0..VALUES.len())];
            match line
                .find("= ")
                .map(|p| p + 2)
                .and_then(|p| line[p..].find(" = ").map(|q| (p, p + q + 3)))
            {
                Some((_, start)) => {
                    let end = line[start..]
                        .find([',', '}'])
                        .map_or(line.len(), |e| start + e);
                    out[i] = format!("{}{v}{}", &line[..start], &line[end..]);
                    format!("line {}: inner value -> {v}", i + 1)
                }
                None => format!("no inner value on line {}", i + 1),
            }
        }
        // Broken syntax: truncate at a random byte (on a char boundary).
        8 => {
            let mut cut = rng.random_range(0..text.len().max(1));
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return (text[..cut].to_string(), format!("truncated at byte {cut}"));
        }
        // Broken syntax: a stray character.
        _ => {
            let mut at = rng.random_range(0..text.len().max(1));
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let c = ['=', '"', '[', ']', '{', '\n', '#', ','][rng.random_range(0..8usize)];
            let s = format!("{}{c}{}", &text[..at], &text[at..]);
            return (s, format!("inserted {c:?} at byte {at}"));
        }
    };
    (out.join("\n") + "\n", what)
}

/// Loads, validates and (when accepted) briefly simulates one case.
/// Returns the scenario error's text, if rejected.
fn exercise(text: &str) -> Option<String> {
    match ccsim::scenario::load_str(text, "fuzz.toml", &root(), "fuzz") {
        Err(e) => Some(e.to_string()),
        Ok(mut scn) => {
            // A short run: the point is the code paths, not the numbers.
            scn.replications = 1;
            scn.warmup = scn.warmup.min(600.0);
            scn.horizon = scn.horizon.min(3600.0);
            let mut runs = vec![scn.clone()];
            runs.extend(scn.variants.iter().map(|v| scn.with_variant(v)));
            for s in &runs {
                let _ = ccsim::sim::Sim::new(s, 0, None)
                    .max_live(20_000)
                    .run_checked();
            }
            None
        }
    }
}

#[test]
fn mutated_scenarios_never_panic_and_errors_are_located() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(20261205);
    let mut rejected = 0usize;
    let mut accepted = 0usize;
    let mut failures: Vec<String> = Vec::new();
    for file in scenario_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for case in 0..CASES_PER_FILE {
            let (mutated, what) = mutate(&text, &mut rng);
            let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&mutated)));
            let ctx = || format!("{} case {case} ({what})", file.display());
            match outcome {
                Err(_) => failures.push(format!("panicked: {}", ctx())),
                Ok(Some(err)) => {
                    rejected += 1;
                    // Each diagnostic names the file and a line or a key.
                    let located = |d: &str| {
                        d.strip_prefix("fuzz.toml:").is_some_and(|rest| {
                            rest.starts_with(|c: char| c.is_ascii_digit())
                                || rest.starts_with(" key `")
                        })
                    };
                    if !err.starts_with("fuzz.toml") {
                        failures.push(format!("error does not name the file: {err} — {}", ctx()));
                    } else if let Some(d) = err
                        .lines()
                        .filter(|l| l.starts_with("fuzz.toml"))
                        .find(|d| !located(d))
                    {
                        failures.push(format!("diagnostic without line or key: {d} — {}", ctx()));
                    }
                }
                Ok(None) => accepted += 1,
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the cases failed; the first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The mutations must exercise both paths.
    assert!(rejected > 500, "only {rejected} cases rejected");
    assert!(accepted > 300, "only {accepted} cases accepted");
}

//! Where a shard's results came from: a sidecar file beside each shard's
//! results (`sweep.shard-K-of-N.csv.provenance.json`) records the digests of
//! the sweep file and of the base scenario, the seed, the replications and
//! the ccsim version, so that `ccsim merge` can refuse shards of different
//! sweeps and `--resume` can refuse to continue a shard with other settings.
//! The results file itself (`sweep.csv`'s format is a contract) is not
//! touched.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The provenance of one shard's results file.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The ccsim version that wrote the file.
    pub ccsim_version: String,
    /// The sweep file, as given on the command line (information only).
    pub sweep_file: String,
    /// SHA-256 of the sweep file's bytes, in hex.
    pub sweep_sha256: String,
    /// The base scenario file (information only).
    pub scenario_file: String,
    /// SHA-256 of the base scenario file's bytes, in hex.
    pub scenario_sha256: String,
    /// The seed of the run (`--seed`, else the scenario's).
    pub seed: u64,
    /// Replications per point (`--replications`, else the sweep file's, else
    /// the scenario's; a grid key `simulation.replications` is covered by the
    /// sweep file's digest).
    pub replications: u32,
    /// The shard, `K/N` (information only: shards of one sweep differ here).
    pub shard: String,
}

/// The sidecar file of the results file `results`: its name with
/// `.provenance.json` appended.
#[must_use]
pub fn sidecar(results: &Path) -> PathBuf {
    let mut name = results.as_os_str().to_owned();
    name.push(".provenance.json");
    PathBuf::from(name)
}

/// SHA-256 of the file at `path`, in lowercase hex.
///
/// # Errors
///
/// A message naming the file when it cannot be read.
pub fn digest_file(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

impl Provenance {
    /// The provenance of a run of the sweep file `sweep` over the base
    /// scenario `scenario`.
    ///
    /// # Errors
    ///
    /// A message naming the file when either cannot be read.
    pub fn of(
        sweep: &Path,
        scenario: &Path,
        seed: u64,
        replications: u32,
        shard: (usize, usize),
    ) -> Result<Provenance, String> {
        Ok(Provenance {
            ccsim_version: env!("CARGO_PKG_VERSION").to_string(),
            sweep_file: sweep.display().to_string(),
            sweep_sha256: digest_file(sweep)?,
            scenario_file: scenario.display().to_string(),
            scenario_sha256: digest_file(scenario)?,
            seed,
            replications,
            shard: format!("{}/{}", shard.0, shard.1),
        })
    }

    /// The fields that must agree between shards of one sweep, by name.
    fn compared(&self) -> [(&'static str, String); 5] {
        [
            ("sweep_sha256", self.sweep_sha256.clone()),
            ("scenario_sha256", self.scenario_sha256.clone()),
            ("seed", self.seed.to_string()),
            ("replications", self.replications.to_string()),
            ("ccsim_version", self.ccsim_version.clone()),
        ]
    }

    /// The first compared field on which `self` and `other` differ: its
    /// name, `self`'s value and `other`'s.
    #[must_use]
    pub fn difference(&self, other: &Provenance) -> Option<(&'static str, String, String)> {
        self.compared()
            .into_iter()
            .zip(other.compared())
            .find(|((_, a), (_, b))| a != b)
            .map(|((name, a), (_, b))| (name, a, b))
    }

    /// Reads the sidecar of the results file `results`; `None` when there
    /// is none.
    ///
    /// # Errors
    ///
    /// A message naming the sidecar when it cannot be read or parsed.
    pub fn read(results: &Path) -> Result<Option<Provenance>, String> {
        let path = sidecar(results);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: not a provenance record: {e}", path.display()))
    }

    /// Writes the sidecar of the results file `results` (atomically).
    ///
    /// # Errors
    ///
    /// A message naming the sidecar when it cannot be written.
    pub fn write(&self, results: &Path) -> Result<(), String> {
        let path = sidecar(results);
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        text.push('\n');
        crate::report::write_atomic(&path, text.as_bytes())
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))
    }
}

/// Records `current` beside the results file `results`. When resuming, an
/// existing record must agree with `current` first.
///
/// # Errors
///
/// When resuming a file written with other settings: a message naming the
/// file, the field and both values; when the record cannot be read or
/// written.
pub fn record(current: &Provenance, results: &Path, resume: bool) -> Result<(), String> {
    if resume && results.exists() {
        if let Some(old) = Provenance::read(results)? {
            if let Some((field, was, now)) = old.difference(current) {
                return Err(format!(
                    "{}: cannot resume: it was written with {field} {was}, this run has {now} \
                     (see {}); run with the same settings, or without --resume to start afresh",
                    results.display(),
                    sidecar(results).display()
                ));
            }
        }
    }
    current.write(results)
}

/// Checks that the result files `inputs` come from one sweep: either none
/// has a provenance record (files written before records existed, or
/// unsharded results) or all have one and they agree on every compared
/// field. With `sweep` (the sweep file and base scenario `merge --sweep`
/// names), the records' digests must also be those files' digests now.
///
/// # Errors
///
/// A message naming the field, the values and the files that differ.
pub fn check_merge(inputs: &[PathBuf], sweep: Option<(&Path, &Path)>) -> Result<(), String> {
    let mut records = Vec::with_capacity(inputs.len());
    for path in inputs {
        records.push((path, Provenance::read(path)?));
    }
    let with = records.iter().find(|(_, r)| r.is_some());
    let without = records.iter().find(|(_, r)| r.is_none());
    let (Some((first_path, Some(first))), without) = (with, without) else {
        return Ok(());
    };
    if let Some((path, _)) = without {
        return Err(format!(
            "{} has no provenance record ({} is missing) but {} has one: \
             were they written by the same sweep?",
            path.display(),
            sidecar(path).display(),
            first_path.display()
        ));
    }
    for (path, rec) in &records {
        let Some(rec) = rec else { continue };
        if let Some((field, a, b)) = first.difference(rec) {
            return Err(format!(
                "the shards come from different sweeps: {field} is {a} in {} but {b} in {}",
                sidecar(first_path).display(),
                sidecar(path).display()
            ));
        }
    }
    if let Some((sweep, scenario)) = sweep {
        for (field, file, recorded) in [
            ("sweep_sha256", sweep, &first.sweep_sha256),
            ("scenario_sha256", scenario, &first.scenario_sha256),
        ] {
            let now = digest_file(file)?;
            if &now != recorded {
                return Err(format!(
                    "{} has changed since the shards were run: {field} is {recorded} in {} \
                     but the file's digest is now {now}",
                    file.display(),
                    sidecar(first_path).display()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prov(seed: u64, k: usize) -> Provenance {
        Provenance {
            ccsim_version: "1.0".into(),
            sweep_file: "s.toml".into(),
            sweep_sha256: "aa".into(),
            scenario_file: "b.toml".into(),
            scenario_sha256: "bb".into(),
            seed,
            replications: 5,
            shard: format!("{k}/2"),
        }
    }

    #[test]
    fn digests_and_sidecar_names() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.txt");
        std::fs::write(&f, "abc").unwrap();
        assert_eq!(
            digest_file(&f).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sidecar(Path::new("o/sweep.shard-1-of-2.csv")),
            PathBuf::from("o/sweep.shard-1-of-2.csv.provenance.json")
        );
        assert!(
            digest_file(&dir.path().join("none"))
                .unwrap_err()
                .contains("none")
        );
    }

    #[test]
    fn shards_differ_only_in_the_shard() {
        assert_eq!(prov(1, 1).difference(&prov(1, 2)), None);
        assert_eq!(
            prov(1, 1).difference(&prov(7, 2)),
            Some(("seed", "1".to_string(), "7".to_string()))
        );
    }

    #[test]
    fn merge_and_resume_checks() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        // No records at all: accepted.
        check_merge(&[a.clone(), b.clone()], None).unwrap();
        prov(1, 1).write(&a).unwrap();
        let e = check_merge(&[a.clone(), b.clone()], None).unwrap_err();
        assert!(e.contains("b.csv has no provenance record"), "{e}");
        prov(2, 2).write(&b).unwrap();
        let e = check_merge(&[a.clone(), b.clone()], None).unwrap_err();
        assert!(
            e.contains("seed is 1 in") && e.contains("a.csv.provenance.json but 2 in"),
            "{e}"
        );
        prov(1, 2).write(&b).unwrap();
        check_merge(&[a.clone(), b.clone()], None).unwrap();
        assert_eq!(Provenance::read(&a).unwrap(), Some(prov(1, 1)));

        // Resuming: the same settings pass, others are refused.
        std::fs::write(&a, "point\n").unwrap();
        record(&prov(1, 1), &a, true).unwrap();
        let e = record(&prov(3, 1), &a, true).unwrap_err();
        assert!(e.contains("written with seed 1, this run has 3"), "{e}");
        record(&prov(3, 1), &a, false).unwrap();
        assert_eq!(Provenance::read(&a).unwrap().unwrap().seed, 3);

        std::fs::write(sidecar(&b), "{").unwrap();
        let e = Provenance::read(&b).unwrap_err();
        assert!(
            e.contains("b.csv.provenance.json: not a provenance record"),
            "{e}"
        );
    }
}

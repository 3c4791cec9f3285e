//! Sharding a sweep over several processes: the `--shard K/N` option
//! ([`parse_shard`]), `--shard auto` reading a job scheduler's array index
//! ([`shard_from_env`]; [`resolve_shard`] does both) and the points each
//! shard runs ([`shard_points`]).

/// Parses a shard spec `K/N` (shard K of N, 1-based) with `1 <= K <= N`.
///
/// # Errors
///
/// A message quoting the input when it is not two whole numbers separated by
/// `/`, when N is 0, or when K is not in `1..=N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let shape = "expected K/N with 1 <= K <= N, e.g. `2/4`";
    let Some((k, n)) = s.trim().split_once('/') else {
        return Err(format!("invalid shard `{s}`: {shape}"));
    };
    let parse = |part: &str, what: &str| {
        part.trim().parse::<usize>().map_err(|_| {
            format!(
                "invalid shard `{s}`: {what} `{}` is not a whole number; {shape}",
                part.trim()
            )
        })
    };
    let k = parse(k, "K")?;
    let n = parse(n, "N")?;
    if n == 0 {
        return Err(format!(
            "invalid shard `{s}`: the number of shards N must be at least 1"
        ));
    }
    if k == 0 || k > n {
        return Err(format!(
            "invalid shard `{s}`: K must be between 1 and N = {n}"
        ));
    }
    Ok((k, n))
}

/// The point indices (ascending) that shard `k` of `n` runs out of `len`
/// points: those with `index % n == k - 1`. The shards `1..=n` together
/// cover every point exactly once.
///
/// # Panics
///
/// Unless `1 <= k <= n` (as [`parse_shard`] guarantees).
#[must_use]
pub fn shard_points(len: usize, k: usize, n: usize) -> Vec<usize> {
    assert!(1 <= k && k <= n, "invalid shard {k}/{n}");
    (k - 1..len).step_by(n).collect()
}

/// The array-job variables `--shard auto` reads, in the order it tries them.
const SCHEDULERS: &str = "SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT (Slurm job array), \
     JOB_COMPLETION_INDEX with --shard-count N (Kubernetes indexed Job), \
     AWS_BATCH_JOB_ARRAY_INDEX with AWS_BATCH_JOB_ARRAY_SIZE or --shard-count N (AWS Batch array job)";

/// The shard of `--shard SPEC` (`K/N`, or `auto`), `count` being
/// `--shard-count` and `env` the environment (a variable's value, if set).
///
/// # Errors
///
/// [`parse_shard`]'s and [`shard_from_env`]'s messages; `--shard-count`
/// without `--shard auto`.
pub fn resolve_shard(
    spec: Option<&str>,
    count: Option<usize>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(usize, usize)>, String> {
    match spec.map(str::trim) {
        Some("auto") => shard_from_env(count, env).map(|(k, n, _)| Some((k, n))),
        Some(s) if count.is_none() => parse_shard(s).map(Some),
        None if count.is_none() => Ok(None),
        _ => Err("--shard-count only goes with `--shard auto`".to_string()),
    }
}

/// The shard (K, N, where it came from) of a job-array task, from the
/// scheduler's variables in `env`:
///
/// * Slurm: `SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_COUNT`, K counted
///   from `SLURM_ARRAY_TASK_MIN` (so `--array=0-15` and `--array=1-16` both
///   give shards 1..16; without `SLURM_ARRAY_TASK_MIN` task IDs are taken as
///   1..N);
/// * Kubernetes indexed Job: `JOB_COMPLETION_INDEX` (0-based), N from
///   `count` (the Job's `completions`, given as `--shard-count`);
/// * AWS Batch array job: `AWS_BATCH_JOB_ARRAY_INDEX` (0-based) and
///   `AWS_BATCH_JOB_ARRAY_SIZE`, or `count` when the size is not set.
///
/// The first scheduler whose index variable is set is used. A `count` that
/// contradicts the scheduler's own count is an error.
///
/// # Errors
///
/// A message naming the variables when none is set, when one is not a whole
/// number, when the count is missing, or when K falls outside 1..=N.
pub fn shard_from_env(
    count: Option<usize>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(usize, usize, &'static str), String> {
    let num = |var: &str| -> Result<Option<usize>, String> {
        match env(var) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| format!("--shard auto: {var} is `{v}`, not a whole number")),
        }
    };
    let total = |var: Option<&str>, n: Option<usize>, source: &str| match (n, count) {
        (Some(n), Some(c)) if n != c => Err(format!(
            "--shard auto: {} is {n} but --shard-count is {c}",
            var.unwrap_or(source)
        )),
        (Some(n), _) | (None, Some(n)) => Ok(n),
        (None, None) => Err(format!(
            "--shard auto: {source} is set but the number of shards is not{}; \
             pass --shard-count N",
            var.map_or(String::new(), |v| format!(" ({v})"))
        )),
    };
    let (k, n, source) = if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
        let n = total(
            Some("SLURM_ARRAY_TASK_COUNT"),
            num("SLURM_ARRAY_TASK_COUNT")?,
            "SLURM_ARRAY_TASK_ID",
        )?;
        let k = match num("SLURM_ARRAY_TASK_MIN")? {
            Some(min) if id >= min => id - min + 1,
            Some(min) => {
                return Err(format!(
                    "--shard auto: SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                ));
            }
            None => id,
        };
        (k, n, "SLURM_ARRAY_TASK_ID")
    } else if let Some(i) = num("JOB_COMPLETION_INDEX")? {
        let n = total(None, None, "JOB_COMPLETION_INDEX")?;
        (i + 1, n, "JOB_COMPLETION_INDEX")
    } else if let Some(i) = num("AWS_BATCH_JOB_ARRAY_INDEX")? {
        let n = total(
            Some("AWS_BATCH_JOB_ARRAY_SIZE"),
            num("AWS_BATCH_JOB_ARRAY_SIZE")?,
            "AWS_BATCH_JOB_ARRAY_INDEX",
        )?;
        (i + 1, n, "AWS_BATCH_JOB_ARRAY_INDEX")
    } else {
        return Err(format!(
            "--shard auto: no job-array index in the environment; expected one of {SCHEDULERS}; \
             or give the shard as --shard K/N"
        ));
    };
    if n == 0 || k == 0 || k > n {
        return Err(format!(
            "--shard auto: {source} gives shard {k} of {n}, outside 1..={n}; a stepped or \
             sparse array cannot be mapped to shards: use a contiguous array, or --shard K/N"
        ));
    }
    Ok((k, n, source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shard_parsing() {
        assert_eq!(parse_shard("1/1"), Ok((1, 1)));
        assert_eq!(parse_shard(" 3/4 "), Ok((3, 4)));
        for (bad, needle) in [
            ("0/4", "between 1 and N = 4"),
            ("5/4", "between 1 and N = 4"),
            ("1/0", "at least 1"),
            ("3", "expected K/N"),
            ("a/4", "K `a` is not a whole number"),
            ("1/-2", "N `-2` is not a whole number"),
            ("", "expected K/N"),
        ] {
            let e = parse_shard(bad).unwrap_err();
            assert!(
                e.contains(needle) && e.contains(&format!("`{bad}`")),
                "{bad}: {e}"
            );
        }
        assert_eq!(shard_points(10, 2, 4), [1, 5, 9]);
        assert_eq!(shard_points(2, 4, 4), Vec::<usize>::new());
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn shards_from_schedulers() {
        let ok = |vars: &[(&str, &str)], count: Option<usize>| {
            shard_from_env(count, &env(vars)).map(|(k, n, _)| (k, n))
        };
        // Slurm, 1-based and 0-based arrays.
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(ok(&slurm, None), Ok((3, 4)));
        assert_eq!(ok(&slurm, Some(4)), Ok((3, 4)));
        let zero = [
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
        ];
        assert_eq!(ok(&zero, None), Ok((1, 4)));
        // Kubernetes: 0-based index, count from --shard-count.
        assert_eq!(
            ok(&[("JOB_COMPLETION_INDEX", "15")], Some(16)),
            Ok((16, 16))
        );
        // AWS Batch, with or without the size variable.
        let aws = [
            ("AWS_BATCH_JOB_ARRAY_INDEX", "0"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "2"),
        ];
        assert_eq!(ok(&aws, None), Ok((1, 2)));
        assert_eq!(ok(&aws[..1], Some(3)), Ok((1, 3)));
        // Slurm wins when several are set.
        let both = [slurm[0], slurm[1], ("JOB_COMPLETION_INDEX", "0")];
        assert_eq!(
            shard_from_env(Some(4), &env(&both)).unwrap().2,
            "SLURM_ARRAY_TASK_ID"
        );

        for (vars, count, needle) in [
            (&[][..], None, "no job-array index in the environment"),
            (
                &[("PATH", "/bin")][..],
                Some(2),
                "SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT",
            ),
            (
                &[("JOB_COMPLETION_INDEX", "2")][..],
                None,
                "JOB_COMPLETION_INDEX is set but the number of shards is not; pass --shard-count N",
            ),
            (
                &[("JOB_COMPLETION_INDEX", "4")][..],
                Some(4),
                "gives shard 5 of 4",
            ),
            (
                &[("JOB_COMPLETION_INDEX", "x1")][..],
                Some(4),
                "JOB_COMPLETION_INDEX is `x1`, not a whole number",
            ),
            (
                &slurm[..1],
                None,
                "(SLURM_ARRAY_TASK_COUNT); pass --shard-count N",
            ),
            (
                &slurm[..],
                Some(5),
                "SLURM_ARRAY_TASK_COUNT is 4 but --shard-count is 5",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "0"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ][..],
                None,
                "gives shard 0 of 4",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("SLURM_ARRAY_TASK_MIN", "2"),
                ][..],
                None,
                "below SLURM_ARRAY_TASK_MIN",
            ),
            (&aws[..1], None, "AWS_BATCH_JOB_ARRAY_INDEX is set"),
        ] {
            let e = shard_from_env(count, &env(vars)).unwrap_err();
            assert!(e.contains(needle), "{vars:?}: {e}");
        }
    }

    #[test]
    fn resolving_the_option() {
        let none = env(&[]);
        assert_eq!(resolve_shard(None, None, &none), Ok(None));
        assert_eq!(resolve_shard(Some("2/3"), None, &none), Ok(Some((2, 3))));
        let k8s = [("JOB_COMPLETION_INDEX", "1")];
        assert_eq!(
            resolve_shard(Some("auto"), Some(3), &env(&k8s)),
            Ok(Some((2, 3)))
        );
        for (spec, count) in [(Some("2/3"), Some(3)), (None, Some(3))] {
            let e = resolve_shard(spec, count, &none).unwrap_err();
            assert!(
                e.contains("--shard-count only goes with `--shard auto`"),
                "{e}"
            );
        }
        assert!(resolve_shard(Some("auto"), None, &none).is_err());
    }

    proptest! {
        #[test]
        fn shards_cover_every_point_exactly_once(len in 0usize..3000, n in 1usize..40) {
            let mut seen = vec![0u32; len];
            for k in 1..=n {
                let pts = shard_points(len, k, n);
                prop_assert!(pts.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(pts.len() == len / n || pts.len() == len / n + 1);
                for p in pts {
                    prop_assert_eq!(p % n, k - 1);
                    seen[p] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&c| c == 1));
        }
    }
}

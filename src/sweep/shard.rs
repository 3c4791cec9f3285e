//! Sharding a sweep over several processes: the `--shard K/N` option
//! ([`parse_shard`]) and the points each shard runs ([`shard_points`]).

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

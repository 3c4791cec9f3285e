//! Exact steady-state queueing formulas, the reference the test suite
//! checks the simulator and its staffing search against (`ccsim staff`
//! itself searches by simulation and calls none of this).
//!
//! This module owns the closed-form / numerically exact results for:
//!
//! * **Erlang C** (M/M/c): Poisson arrivals, exponential service, `c`
//!   identical agents, infinite patience ([`erlang_c`],
//!   [`erlang_c_service_level`], [`erlang_c_agents_for_service_level`]);
//! * **Erlang A** (M/M/c+M, Palm's model): as Erlang C, but every waiting
//!   customer abandons after an exponentially distributed patience
//!   ([`erlang_a`]).
//!
//! All rates and times are expressed in one time unit chosen by the caller
//! (for example minutes): `lambda` is arrivals per unit, `mean_service` and
//! `mean_patience` are in units, and returned waits are in units.
//!
//! Numerics: Erlang B is computed with the stable recursion
//! `B(k) = a·B(k−1) / (k + a·B(k−1))`, so no factorials or powers are ever
//! formed; Erlang A sums the birth–death chain in linear space with explicit
//! rescaling, so both large `c` (thousands of agents) and heavy overload are
//! handled without overflow.

/// Steady-state results of an M/M/c or M/M/c+M queue.
///
/// All probabilities are per arriving customer (PASTA), all waits are in the
/// caller's time unit and only count time in queue (not service time).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueMetrics {
    /// Probability that an arrival finds all agents busy and has to queue.
    pub p_wait: f64,
    /// Mean time in queue over *all* arrivals (those answered immediately
    /// count as zero; abandoning customers count with their time until
    /// abandonment).
    pub mean_wait_all: f64,
    /// Mean time in queue over customers who are eventually served.
    /// Equal to `mean_wait_all` for Erlang C.
    pub mean_wait_served: f64,
    /// Probability that an arrival abandons before being served
    /// (always 0 for Erlang C).
    pub p_abandon: f64,
    /// Long-run fraction of agent time spent serving:
    /// `lambda · (1 − p_abandon) · mean_service / c`.
    pub utilization: f64,
}

/// Validate the parameters shared by every model.
fn check_common(lambda: f64, mean_service: f64, c: u32) -> Result<(), String> {
    if c == 0 {
        return Err("number of agents c must be at least 1".to_string());
    }
    if !(lambda.is_finite() && lambda >= 0.0) {
        return Err(format!(
            "arrival rate must be finite and non-negative, got {lambda}"
        ));
    }
    if !(mean_service.is_finite() && mean_service > 0.0) {
        return Err(format!(
            "mean service time must be finite and positive, got {mean_service}"
        ));
    }
    Ok(())
}

/// Erlang B blocking probability for offered load `a` (Erlangs) and `c`
/// servers, via the numerically stable recursion.
fn erlang_b(a: f64, c: u32) -> f64 {
    let mut b = 1.0_f64;
    for k in 1..=c {
        let ab = a * b;
        b = ab / (k as f64 + ab);
    }
    b
}

/// Erlang C waiting probability from the Erlang B value `b` for the same
/// `a` and `c` (requires `a < c`).
fn erlang_c_from_b(a: f64, c: f64, b: f64) -> f64 {
    if b == 0.0 {
        return 0.0;
    }
    // C = c·B / (c − a·(1 − B)); the denominator is > 0 whenever a < c.
    (c * b / (c - a * (1.0 - b))).min(1.0)
}

/// Erlang C (M/M/c): arrival rate `lambda`, mean service time
/// `mean_service`, `c` servers.
///
/// Returns `p_wait = C(c, a)` with `a = lambda·mean_service`,
/// `mean_wait_all = mean_wait_served = C·mean_service / (c − a)`,
/// `p_abandon = 0` and `utilization = a / c`.
///
/// # Errors
/// If the queue is unstable (`lambda·mean_service >= c`), `c == 0`, or a
/// parameter is negative, zero where it must be positive, or non-finite.
/// `lambda == 0` is allowed and yields an empty system.
pub fn erlang_c(lambda: f64, mean_service: f64, c: u32) -> Result<QueueMetrics, String> {
    check_common(lambda, mean_service, c)?;
    let a = lambda * mean_service;
    let cf = c as f64;
    if a >= cf {
        return Err(format!(
            "Erlang C is unstable: offered load {a} Erlangs >= {c} agents"
        ));
    }
    let p_wait = erlang_c_from_b(a, cf, erlang_b(a, c));
    let mean_wait = p_wait * mean_service / (cf - a);
    Ok(QueueMetrics {
        p_wait,
        mean_wait_all: mean_wait,
        mean_wait_served: mean_wait,
        p_abandon: 0.0,
        utilization: a / cf,
    })
}

/// Erlang C probability that the wait is `<= t`:
/// `1 − C · exp(−(c·mu − lambda)·t)` with `mu = 1 / mean_service`.
///
/// # Errors
/// As for [`erlang_c`], and if `t` is negative or NaN (`t = +∞` gives 1).
pub fn erlang_c_service_level(
    lambda: f64,
    mean_service: f64,
    c: u32,
    t: f64,
) -> Result<f64, String> {
    if t.is_nan() || t < 0.0 {
        return Err(format!("service-level threshold must be >= 0, got {t}"));
    }
    let m = erlang_c(lambda, mean_service, c)?;
    let a = lambda * mean_service;
    Ok(service_level_from_c(m.p_wait, a, c as f64, mean_service, t))
}

/// `1 − C·exp(−(c − a)·t / mean_service)`, clamped to `[0, 1]`.
fn service_level_from_c(p_wait: f64, a: f64, c: f64, mean_service: f64, t: f64) -> f64 {
    let decay = (-(c - a) / mean_service * t).exp();
    (1.0 - p_wait * decay).clamp(0.0, 1.0)
}

/// Erlang A (M/M/c+M, Palm's model): as [`erlang_c`], but each waiting
/// customer abandons after an exponential patience with mean
/// `mean_patience`. Stable for any load.
///
/// Computed exactly from the birth–death chain on the number in system `N`
/// (birth rate `lambda`, death rate `min(n,c)·mu + max(n−c,0)·theta`, with
/// `mu = 1/mean_service`, `theta = 1/mean_patience`), truncated once the
/// remaining tail is below ~1e-17 relative to each accumulated sum:
///
/// * `p_wait = P(N >= c)` (PASTA);
/// * `mean_wait_all = E[(N−c)+] / lambda` (Little);
/// * `p_abandon = theta·E[(N−c)+] / lambda`;
/// * `mean_wait_served = E[W·1{served}] / P(served)`, where an arrival that
///   finds `k` customers waiting passes `k+1` exponential stages with rates
///   `c·mu + j·theta` (`j = 1..=k+1`), is served with probability
///   `c·mu / (c·mu + (k+1)·theta)`, and (stage times being independent of
///   stage outcomes) has served-restricted wait
///   `P(served | k) · Σ_j 1/(c·mu + j·theta)`;
/// * `utilization = lambda·(1 − p_abandon)·mean_service / c`.
///
/// `mean_patience = +∞` is accepted and delegates to [`erlang_c`] (which
/// then requires stability).
///
/// # Errors
/// If `c == 0`, a parameter is out of range (`mean_patience` must be
/// positive), or (only for pathological inputs such as astronomically long
/// patience combined with overload) the chain needs more than 10^8 terms.
pub fn erlang_a(
    lambda: f64,
    mean_service: f64,
    c: u32,
    mean_patience: f64,
) -> Result<QueueMetrics, String> {
    check_common(lambda, mean_service, c)?;
    if mean_patience.is_nan() || mean_patience <= 0.0 {
        return Err(format!(
            "mean patience must be positive, got {mean_patience}"
        ));
    }
    if mean_patience.is_infinite() {
        return erlang_c(lambda, mean_service, c);
    }
    let sums = erlang_a_chain(lambda, mean_service, c, mean_patience)?;
    if lambda == 0.0 {
        return Ok(QueueMetrics {
            p_wait: 0.0,
            mean_wait_all: 0.0,
            mean_wait_served: 0.0,
            p_abandon: 0.0,
            utilization: 0.0,
        });
    }
    let theta = 1.0 / mean_patience;
    let mean_wait_all = sums.mean_queue / lambda;
    let p_abandon = (theta * mean_wait_all).clamp(0.0, 1.0);
    Ok(QueueMetrics {
        p_wait: sums.p_wait,
        mean_wait_all,
        mean_wait_served: sums.mean_wait_served,
        p_abandon,
        utilization: lambda * (1.0 - p_abandon) * mean_service / c as f64,
    })
}

/// Normalized quantities extracted from the Erlang A birth–death chain.
#[derive(Clone, Copy, Debug)]
struct ChainSums {
    /// `P(N >= c)`.
    p_wait: f64,
    /// `E[(N − c)+]`, the mean queue length.
    mean_queue: f64,
    /// `P(served)` computed from the per-state served probabilities
    /// (independent of the Little's-law route; used as a cross-check).
    #[cfg_attr(not(test), allow(dead_code))]
    p_served: f64,
    /// `E[W · 1{served}] / P(served)`.
    mean_wait_served: f64,
}

/// Hard cap on the number of queue states summed in [`erlang_a_chain`].
const MAX_CHAIN_TERMS: u64 = 100_000_000;

/// Sum the M/M/c+M birth–death chain.
///
/// Masses are kept relative to `P(N <= c) = 1`: the states `n < c` carry
/// `1 − B` and state `c + k` carries `w_k = B·Π_{j=1..k} lambda/(c·mu + j·theta)`
/// (with `B` the Erlang B value), since within `n <= c` the chain is the
/// truncated Poisson of Erlang B. All accumulators are rescaled together
/// when `w_k` becomes huge (overload), so nothing overflows.
fn erlang_a_chain(
    lambda: f64,
    mean_service: f64,
    c: u32,
    mean_patience: f64,
) -> Result<ChainSums, String> {
    let a = lambda * mean_service;
    let b = erlang_b(a, c);
    let cmu = c as f64 / mean_service;
    let theta = 1.0 / mean_patience;

    // k = 0: arrival finds exactly c in system, one stage of rate cmu + theta.
    let stage0 = cmu + theta;
    let mut w = b; // w_k
    let mut h = 1.0 / stage0; // H_k = Σ_{j=1..=k+1} 1/(cmu + j·theta)
    let p0 = cmu / stage0; // P(served | k = 0)
    let mut z = 1.0; // total mass (n <= c part is exactly 1)
    let mut s_wait = w; // Σ_{k>=0} w_k
    let mut s_queue = 0.0; // Σ k·w_k
    let mut s_served = (1.0 - b) + w * p0; // Σ over states of mass·P(served | state)
    let mut s_wserved = w * p0 * h; // Σ w_k·P(served | k)·H_k

    if w > 0.0 {
        const BIG: f64 = 1e250;
        const TINY: f64 = 1e-17;
        let mut k: u64 = 0;
        loop {
            k += 1;
            if k > MAX_CHAIN_TERMS {
                return Err(format!(
                    "Erlang A chain did not converge within {MAX_CHAIN_TERMS} states \
                     (lambda={lambda}, mean_service={mean_service}, c={c}, \
                     mean_patience={mean_patience})"
                ));
            }
            let kf = k as f64;
            let ratio = lambda / (cmu + kf * theta);
            let next_stage = cmu + (kf + 1.0) * theta;
            w *= ratio;
            h += 1.0 / next_stage;
            let p_served = cmu / next_stage;
            z += w;
            s_wait += w;
            s_queue += kf * w;
            s_served += w * p_served;
            s_wserved += w * p_served * h;

            if w > BIG {
                let s = 1.0 / BIG;
                w *= s;
                z *= s;
                s_wait *= s;
                s_queue *= s;
                s_served *= s;
                s_wserved *= s;
            }

            // Tail bounds: for i > k, w_i <= w·r^(i−k) with r the next ratio
            // (ratios decrease in k), and H_i <= H_k + (i−k)/cmu.
            let r = lambda / (cmu + (kf + 1.0) * theta);
            if r < 1.0 {
                let g1 = r / (1.0 - r); // Σ_{m>=1} r^m
                let g2 = r / ((1.0 - r) * (1.0 - r)); // Σ_{m>=1} m·r^m
                let tail_mass = w * g1;
                let tail_queue = w * (kf * g1 + g2);
                let tail_wserved = w * (h * g1 + g2 / cmu);
                if tail_mass <= TINY * s_wait
                    && tail_queue <= TINY * s_queue
                    && tail_wserved <= TINY * s_wserved
                {
                    break;
                }
            }
        }
    }

    Ok(ChainSums {
        p_wait: (s_wait / z).clamp(0.0, 1.0),
        mean_queue: s_queue / z,
        p_served: (s_served / z).clamp(0.0, 1.0),
        mean_wait_served: if s_served > 0.0 {
            s_wserved / s_served
        } else {
            0.0
        },
    })
}

/// Smallest `c` whose Erlang C service level `P(W <= t)` is `>= target`.
///
/// `target` must lie in `(0, 1)` and `t >= 0`; only stable staffing levels
/// (`c > lambda·mean_service`) are considered, starting from `c = 1`.
/// The service level is increasing in `c`, so the scan stops at the first
/// hit; it costs `O(result)` time (one incremental Erlang B step per `c`).
///
/// Returns `None` if no `c <= max_c` reaches the target, or if any input is
/// invalid (non-finite/negative rates, `target` outside `(0, 1)`, negative
/// or NaN `t`).
pub fn erlang_c_agents_for_service_level(
    lambda: f64,
    mean_service: f64,
    t: f64,
    target: f64,
    max_c: u32,
) -> Option<u32> {
    if check_common(lambda, mean_service, 1).is_err()
        || t.is_nan()
        || t < 0.0
        || !(target > 0.0 && target < 1.0)
    {
        return None;
    }
    let a = lambda * mean_service;
    let mut b = 1.0_f64;
    for c in 1..=max_c {
        let cf = c as f64;
        let ab = a * b;
        b = ab / (cf + ab);
        if a < cf {
            let p_wait = erlang_c_from_b(a, cf, b);
            if service_level_from_c(p_wait, a, cf, mean_service, t) >= target {
                return Some(c);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel_close(got: f64, want: f64, tol: f64) -> bool {
        if want == 0.0 {
            got.abs() <= tol
        } else {
            ((got - want) / want).abs() <= tol
        }
    }

    #[track_caller]
    fn assert_metrics(m: QueueMetrics, want: [f64; 5], tol: f64) {
        let got = [
            m.p_wait,
            m.mean_wait_all,
            m.mean_wait_served,
            m.p_abandon,
            m.utilization,
        ];
        let names = [
            "p_wait",
            "mean_wait_all",
            "mean_wait_served",
            "p_abandon",
            "utilization",
        ];
        for i in 0..5 {
            assert!(
                rel_close(got[i], want[i], tol),
                "{}: got {:.12e}, want {:.12e} (metrics {m:?})",
                names[i],
                got[i],
                want[i]
            );
        }
    }

    // Reference values carry ~10 significant digits.
    const TOL: f64 = 1e-8;

    #[test]
    fn main_erlang_c_reference() {
        let m = erlang_c(2.0, 4.0, 10).unwrap();
        assert_metrics(m, [0.4091801508, 0.8183603016, 0.8183603016, 0.0, 0.8], TOL);
    }

    #[test]
    fn main_erlang_a_reference() {
        let m = erlang_a(2.0, 4.0, 10, 5.0).unwrap();
        assert_metrics(
            m,
            [
                0.2946914315,
                0.2422242572,
                0.2172143436,
                0.04844485143,
                0.7612441189,
            ],
            TOL,
        );
    }

    #[test]
    fn v1_erlang_c_reference() {
        let m = erlang_c(1.0, 3.0, 5).unwrap();
        assert_metrics(m, [0.2361516035, 0.3542274052, 0.3542274052, 0.0, 0.6], TOL);
    }

    #[test]
    fn v2_erlang_c_reference() {
        let m = erlang_c(10.0, 5.0, 55).unwrap();
        assert_metrics(
            m,
            [0.3845473179, 0.3845473179, 0.3845473179, 0.0, 0.9090909091],
            TOL,
        );
    }

    #[test]
    fn v3_erlang_a_reference() {
        let m = erlang_a(10.0, 5.0, 52, 3.0).unwrap();
        assert_metrics(
            m,
            [
                0.3602695006,
                0.1355633895,
                0.1270394981,
                0.0451877965,
                0.9180886572,
            ],
            TOL,
        );
    }

    #[test]
    fn erlang_c_errors() {
        assert!(erlang_c(2.0, 4.0, 0).is_err());
        assert!(erlang_c(2.5, 4.0, 10).is_err()); // load == c
        assert!(erlang_c(3.0, 4.0, 10).is_err());
        assert!(erlang_c(-1.0, 4.0, 10).is_err());
        assert!(erlang_c(f64::NAN, 4.0, 10).is_err());
        assert!(erlang_c(1.0, 0.0, 10).is_err());
        assert!(erlang_c_service_level(2.0, 4.0, 10, -1.0).is_err());
        assert!(erlang_c_service_level(2.0, 4.0, 10, f64::NAN).is_err());
        assert!(erlang_a(2.0, 4.0, 0, 5.0).is_err());
        assert!(erlang_a(2.0, 4.0, 10, 0.0).is_err());
        assert!(erlang_a(2.0, 4.0, 10, -1.0).is_err());
        assert!(erlang_a(2.0, 4.0, 10, f64::NAN).is_err());
    }

    #[test]
    fn zero_arrivals_is_empty_system() {
        let want = QueueMetrics {
            p_wait: 0.0,
            mean_wait_all: 0.0,
            mean_wait_served: 0.0,
            p_abandon: 0.0,
            utilization: 0.0,
        };
        assert_eq!(erlang_c(0.0, 4.0, 3).unwrap(), want);
        assert_eq!(erlang_a(0.0, 4.0, 3, 2.0).unwrap(), want);
        assert_eq!(
            erlang_c_agents_for_service_level(0.0, 4.0, 0.5, 0.8, 10),
            Some(1)
        );
    }

    #[test]
    fn single_server_closed_forms() {
        // M/M/1: P(wait) = rho, Wq = rho/(mu − lambda).
        let m = erlang_c(0.5, 1.0, 1).unwrap();
        assert!(rel_close(m.p_wait, 0.5, 1e-14));
        assert!(rel_close(m.mean_wait_all, 1.0, 1e-14));
        let sl = erlang_c_service_level(0.5, 1.0, 1, 2.0).unwrap();
        assert!(rel_close(sl, 1.0 - 0.5 * (-1.0f64).exp(), 1e-14));
        assert_eq!(erlang_c_service_level(0.5, 1.0, 1, 0.0).unwrap(), 0.5);
        assert_eq!(
            erlang_c_service_level(0.5, 1.0, 1, f64::INFINITY).unwrap(),
            1.0
        );
    }

    #[test]
    fn erlang_a_huge_patience_approaches_erlang_c() {
        for &(lambda, es, c) in &[(2.0, 4.0, 10u32), (1.0, 3.0, 5), (10.0, 5.0, 55)] {
            let ec = erlang_c(lambda, es, c).unwrap();
            let ea = erlang_a(lambda, es, c, 1e9).unwrap();
            assert!(rel_close(ea.p_wait, ec.p_wait, 1e-6), "{ea:?} vs {ec:?}");
            assert!(
                rel_close(ea.mean_wait_all, ec.mean_wait_all, 1e-6),
                "{ea:?} vs {ec:?}"
            );
            assert!(
                rel_close(ea.mean_wait_served, ec.mean_wait_served, 1e-6),
                "{ea:?} vs {ec:?}"
            );
            assert!(ea.p_abandon < 1e-8, "{ea:?}");
            assert!(
                rel_close(ea.utilization, ec.utilization, 1e-6),
                "{ea:?} vs {ec:?}"
            );
            // Infinite patience is exactly Erlang C.
            assert_eq!(erlang_a(lambda, es, c, f64::INFINITY).unwrap(), ec);
        }
    }

    /// Independent dense evaluation of the M/M/c+M chain for small cases,
    /// using per-state conditional waits (no Little's law).
    fn brute_erlang_a(lambda: f64, es: f64, c: u32, ep: f64) -> (f64, f64, f64, f64) {
        let mu = 1.0 / es;
        let theta = 1.0 / ep;
        let n_max = 4000usize;
        let mut pi = vec![1.0f64; n_max + 1];
        for n in 1..=n_max {
            let death =
                (n.min(c as usize) as f64) * mu + (n.saturating_sub(c as usize) as f64) * theta;
            pi[n] = pi[n - 1] * lambda / death;
        }
        let z: f64 = pi.iter().sum();
        let cu = c as usize;
        let cmu = c as f64 * mu;
        let (mut p_wait, mut e_w, mut p_srv, mut e_wsrv) = (0.0, 0.0, 0.0, 0.0);
        for (n, &p) in pi.iter().enumerate() {
            let p = p / z;
            if n < cu {
                p_srv += p;
                continue;
            }
            p_wait += p;
            let k = n - cu;
            // stages j = 0..=k with rate cmu + (j+1)theta, advance prob (cmu + j theta)/rate
            let mut reach = 1.0; // probability of reaching stage j
            let mut ew = 0.0;
            let mut hsum = 0.0;
            for j in 0..=k {
                let rate = cmu + (j as f64 + 1.0) * theta;
                ew += reach / rate;
                hsum += 1.0 / rate;
                reach *= (cmu + j as f64 * theta) / rate;
            }
            e_w += p * ew;
            p_srv += p * reach;
            e_wsrv += p * reach * hsum;
        }
        (p_wait, e_w, 1.0 - p_srv, e_wsrv / p_srv)
    }

    #[test]
    fn erlang_a_matches_dense_chain() {
        for &(lambda, es, c, ep) in &[
            (2.0, 4.0, 10u32, 5.0),
            (10.0, 5.0, 52, 3.0),
            (3.0, 4.0, 10, 2.0), // overloaded
            (1.0, 1.0, 1, 0.1),
            (0.3, 2.0, 3, 50.0),
        ] {
            let m = erlang_a(lambda, es, c, ep).unwrap();
            let (pw, ew, pa, ews) = brute_erlang_a(lambda, es, c, ep);
            assert!(rel_close(m.p_wait, pw, 1e-11), "{m:?} vs {pw}");
            assert!(rel_close(m.mean_wait_all, ew, 1e-11), "{m:?} vs {ew}");
            assert!(rel_close(m.p_abandon, pa, 1e-10), "{m:?} vs {pa}");
            assert!(rel_close(m.mean_wait_served, ews, 1e-11), "{m:?} vs {ews}");
        }
    }

    #[test]
    fn erlang_a_served_probability_consistent_with_little() {
        for &(lambda, es, c, ep) in &[
            (2.0, 4.0, 10u32, 5.0),
            (10.0, 5.0, 52, 3.0),
            (1200.0, 1.0, 1000, 0.5),
            (990.0, 1.0, 1000, 2.0),
        ] {
            let s = erlang_a_chain(lambda, es, c, ep).unwrap();
            let m = erlang_a(lambda, es, c, ep).unwrap();
            assert!(
                rel_close(s.p_served, 1.0 - m.p_abandon, 1e-11),
                "{s:?} vs {m:?}"
            );
        }
    }

    #[test]
    fn agents_for_service_level_main_rates() {
        // main_erlangC: 2/min, 4 min effort; 20 s = 1/3 min.
        let (lambda, es, t) = (2.0, 4.0, 20.0 / 60.0);
        for &target in &[0.5, 0.8, 0.9, 0.95, 0.99] {
            let c = erlang_c_agents_for_service_level(lambda, es, t, target, 1000).unwrap();
            let sl = erlang_c_service_level(lambda, es, c, t).unwrap();
            assert!(sl >= target, "c={c} sl={sl} target={target}");
            let prev = erlang_c_service_level(lambda, es, c - 1, t).unwrap_or(0.0);
            assert!(prev < target, "c-1={} sl={prev} target={target}", c - 1);
        }
        let c80 = erlang_c_agents_for_service_level(lambda, es, t, 0.8, 1000).unwrap();
        assert_eq!(c80, 11);
        assert!(erlang_c_service_level(lambda, es, 10, t).unwrap() < 0.8);
        assert_eq!(
            erlang_c_agents_for_service_level(lambda, es, t, 0.8, 10),
            None
        );
        assert_eq!(
            erlang_c_agents_for_service_level(lambda, es, t, 0.8, 11),
            Some(11)
        );
        assert_eq!(
            erlang_c_agents_for_service_level(lambda, es, t, 1.0, 1000),
            None
        );
        assert_eq!(
            erlang_c_agents_for_service_level(lambda, es, t, 0.0, 1000),
            None
        );
        assert_eq!(
            erlang_c_agents_for_service_level(lambda, es, -1.0, 0.8, 1000),
            None
        );
    }

    #[test]
    fn agents_for_service_level_large() {
        let (lambda, es, t, target) = (990.0, 1.0, 0.05, 0.8);
        let c = erlang_c_agents_for_service_level(lambda, es, t, target, 5000).unwrap();
        assert!(c > 990);
        assert!(erlang_c_service_level(lambda, es, c, t).unwrap() >= target);
        assert!(erlang_c_service_level(lambda, es, c - 1, t).unwrap_or(0.0) < target);
    }

    #[track_caller]
    fn assert_finite(m: QueueMetrics) {
        for v in [
            m.p_wait,
            m.mean_wait_all,
            m.mean_wait_served,
            m.p_abandon,
            m.utilization,
        ] {
            assert!(v.is_finite() && v >= 0.0, "{m:?}");
        }
        assert!(
            m.p_wait <= 1.0 && m.p_abandon <= 1.0 && m.utilization <= 1.0 + 1e-12,
            "{m:?}"
        );
    }

    #[test]
    fn large_c_near_unit_load_is_finite() {
        let m = erlang_c(990.0, 1.0, 1000).unwrap();
        assert_finite(m);
        assert!(m.p_wait > 0.0 && m.p_wait < 1.0, "{m:?}");
        assert!(rel_close(m.utilization, 0.99, 1e-14));
        // Wq = C·E[S]/(c − a)
        assert!(rel_close(m.mean_wait_all, m.p_wait / 10.0, 1e-12));
        let sl = erlang_c_service_level(990.0, 1.0, 1000, 0.1).unwrap();
        assert!(sl.is_finite() && sl > 0.0 && sl < 1.0);

        let m = erlang_c(999.999, 1.0, 1000).unwrap();
        assert_finite(m);
        assert!(m.p_wait > 0.99, "{m:?}");

        // Light load on many agents: Erlang B underflows, must give zeros, not NaN.
        let m = erlang_c(1.0, 1.0, 1000).unwrap();
        assert_finite(m);
        let m = erlang_a(1.0, 1.0, 1000, 1.0).unwrap();
        assert_finite(m);
        assert_eq!(m.p_wait, 0.0);

        for &(lambda, ep) in &[
            (990.0, 1.0),
            (990.0, 1e6),
            (1000.0, 1.0),
            (1500.0, 0.2),
            (1e5, 1.0),
        ] {
            let m = erlang_a(lambda, 1.0, 1000, ep).unwrap();
            assert_finite(m);
            assert!(m.p_wait > 0.0, "{m:?}");
        }
        // Heavy overload: almost everyone waits, agents saturated, abandonment ≈ 1 − c·mu/lambda.
        let m = erlang_a(1e5, 1.0, 1000, 1.0).unwrap();
        assert!(m.p_wait > 0.999999, "{m:?}");
        assert!(rel_close(m.utilization, 1.0, 1e-9), "{m:?}");
        assert!(rel_close(m.p_abandon, 0.99, 1e-6), "{m:?}");
        // Huge patience at load 0.99 approaches Erlang C.
        let ec = erlang_c(990.0, 1.0, 1000).unwrap();
        let ea = erlang_a(990.0, 1.0, 1000, 1e9).unwrap();
        assert!(rel_close(ea.p_wait, ec.p_wait, 1e-5), "{ea:?} vs {ec:?}");
        assert!(
            rel_close(ea.mean_wait_all, ec.mean_wait_all, 1e-5),
            "{ea:?} vs {ec:?}"
        );
    }
}

//! The discrete Laplace sampler against its exact distribution, and the noise as released.

mod common;

use common::{people, rng, schema, TempDir};
use compute::dp::sample_discrete_laplace;
use compute::run;

/// Mean and variance of `n` samples of scale t/s.
fn moments(t: u128, s: u128, n: usize, seed: u64) -> (f64, f64, Vec<i128>) {
    let mut rng = rng(seed);
    let samples: Vec<i128> = (0..n).map(|_| sample_discrete_laplace(&mut rng, t, s).expect("a sample")).collect();
    let mean = samples.iter().map(|&z| z as f64).sum::<f64>() / n as f64;
    let var = samples.iter().map(|&z| (z as f64 - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    (mean, var, samples)
}

/// Var = 2q/(1-q)² with q = exp(-s/t).
fn expected_variance(t: u128, s: u128) -> f64 {
    let q = (-(s as f64) / t as f64).exp();
    2.0 * q / (1.0 - q).powi(2)
}

fn assert_matches(t: u128, s: u128, n: usize, seed: u64) {
    let (mean, var, samples) = moments(t, s, n, seed);
    let want = expected_variance(t, s);
    // The sample variance of a Laplace has relative standard error sqrt(5/n) (kurtosis 6).
    let tolerance = 5.0 * (5.0 / n as f64).sqrt();
    assert!((var / want - 1.0).abs() < tolerance, "scale {t}/{s}: variance {var}, expected {want}");
    assert!(mean.abs() < 5.0 * (want / n as f64).sqrt(), "scale {t}/{s}: mean {mean}");
    // P[Z = 0] = (1-q)/(1+q).
    let q = (-(s as f64) / t as f64).exp();
    let p0 = samples.iter().filter(|&&z| z == 0).count() as f64 / n as f64;
    let want0 = (1.0 - q) / (1.0 + q);
    assert!((p0 - want0).abs() < 5.0 * (want0 * (1.0 - want0) / n as f64).sqrt() + 1e-9, "P[0] {p0} vs {want0}");
}

#[test]
fn variance_and_mean_match_over_200k_samples() {
    assert_matches(5, 1, 200_000, 1); // scale 5
    assert_matches(1, 2, 200_000, 2); // scale 1/2
    assert_matches(7, 3, 200_000, 3); // a rational scale
}

#[test]
fn large_scales_match_too() {
    // A sum-sized scale: sensitivity 2^20 and ε = 1 in 2^-32 units.
    let t = (1u128 << 20) * (1u128 << 32);
    let s = 1u128 << 32;
    assert_matches(t, s, 50_000, 4);
}

#[test]
fn zero_scale_parts_are_refused() {
    let mut rng = rng(5);
    assert!(sample_discrete_laplace(&mut rng, 0, 1).is_err());
    assert!(sample_discrete_laplace(&mut rng, 1, 0).is_err());
}

#[test]
fn released_counts_are_integers_at_least_zero_with_the_calibrated_spread() {
    let dir = TempDir::new("noise-released");
    let db = people(&dir);
    // Two measurements at ε = 1: each gets ε = 1/2, scale 2 for a count.
    let runs = 2_000;
    let mut rng = rng(6);
    let mut deviations = Vec::with_capacity(runs);
    for _ in 0..runs {
        let a = run(&db, &schema(), "SELECT COUNT(*), COUNT(age) FROM data", 1.0, &mut rng).expect("the query runs");
        let rows = a.rows[0].iter().map(|v| v.as_i64().expect("an integer")).collect::<Vec<_>>();
        assert!(rows.iter().all(|&n| n >= 0));
        deviations.push(rows[0] as f64 - 6.0);
    }
    let mean = deviations.iter().sum::<f64>() / runs as f64;
    let var = deviations.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (runs as f64 - 1.0);
    let want = expected_variance(2, 1);
    // Clamping at 0 trims the far left tail a little; 20% is ~4 standard errors.
    assert!((var / want - 1.0).abs() < 0.2, "variance {var}, expected about {want}");

    // An absent group at small ε: often clamped to 0, never negative, always an integer.
    let mut zeros = 0;
    for _ in 0..300 {
        let a = run(&db, &schema(), "SELECT city, COUNT(*) FROM data GROUP BY city", 0.1, &mut rng)
            .expect("the query runs");
        let nice = a.rows[2][1].as_i64().expect("an integer");
        assert!(nice >= 0);
        zeros += usize::from(nice == 0);
    }
    assert!(zeros > 100, "about half of the noisy zero counts clamp to 0: {zeros}");
}

/// A "generator" that only ever returns zeros.
struct Stuck;

impl compute::rand_core::RngCore for Stuck {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        dst.fill(0);
    }
}

impl compute::rand_core::CryptoRng for Stuck {}

#[test]
fn a_broken_generator_gives_an_error_not_a_hang() {
    let err = sample_discrete_laplace(&mut Stuck, 5, 1).expect_err("must be refused");
    assert!(err.to_string().contains("randomness source looks broken"), "{err}");
}

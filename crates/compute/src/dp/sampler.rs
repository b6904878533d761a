//! Exact sampling of the discrete Laplace distribution, after Canonne, Kamath and Steinke, "The
//! Discrete Gaussian for Differential Privacy" (NeurIPS 2020), Algorithms 1 and 2.
//!
//! Only integer arithmetic and uniform integers from a cryptographically secure generator are used:
//! no floating point, so the output distribution is exactly the one the privacy proof assumes (the
//! classic floating-point Laplace sampler leaks through its gaps, Mironov 2012).
//!
//! Loops that end with probability 1 still carry caps, far beyond anything a working generator
//! reaches (each cap is hit with probability below 2^-200), so a broken generator yields an error
//! instead of spinning forever.

use rand_core::CryptoRng;

use crate::error::ComputeError;

const MAX_UNIFORM_TRIES: u32 = 256;
const MAX_SERIES_TERMS: u128 = 200;
const MAX_GEOMETRIC: u128 = 1_000;
const MAX_ROUNDS: u32 = 1_000;

fn broken(what: &str) -> ComputeError {
    ComputeError::Noise(format!("{what}: the randomness source looks broken; no noise was drawn"))
}

/// A uniform integer in `0..n` (`n ≥ 1`), by rejection from the next power of two (no modulo bias).
fn uniform_below(rng: &mut (impl CryptoRng + ?Sized), n: u128) -> Result<u128, ComputeError> {
    if n <= 1 {
        return Ok(0);
    }
    let bits = 128 - (n - 1).leading_zeros();
    let mask = if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 };
    for _ in 0..MAX_UNIFORM_TRIES {
        let draw = if bits <= 64 {
            u128::from(rng.next_u64())
        } else {
            (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64())
        };
        let r = draw & mask;
        if r < n {
            return Ok(r);
        }
    }
    Err(broken("uniform integer"))
}

/// Bernoulli(num/den), `num ≤ den`, `den ≥ 1`.
fn bernoulli(rng: &mut (impl CryptoRng + ?Sized), num: u128, den: u128) -> Result<bool, ComputeError> {
    Ok(uniform_below(rng, den)? < num)
}

/// Bernoulli(exp(-γ)) for γ = num/den in [0, 1] (Algorithm 1): draw A_k ~ Bernoulli(γ/k) for
/// k = 1, 2, … until one is 0; the result is 1 exactly when that happens at an odd k.
fn bernoulli_exp(rng: &mut (impl CryptoRng + ?Sized), num: u128, den: u128) -> Result<bool, ComputeError> {
    if den == 0 || num > den {
        return Err(ComputeError::Noise(format!("Bernoulli(exp(-{num}/{den})) needs 0 ≤ γ ≤ 1")));
    }
    let mut k: u128 = 1;
    while k <= MAX_SERIES_TERMS {
        let den_k = den.checked_mul(k).ok_or_else(|| broken("Bernoulli(exp(-γ))"))?;
        if !bernoulli(rng, num, den_k)? {
            return Ok(k % 2 == 1);
        }
        k += 1;
    }
    Err(broken("Bernoulli(exp(-γ))"))
}

/// One sample Z of the discrete Laplace distribution with scale `t/s` (`t, s ≥ 1`):
/// P[Z = z] ∝ exp(-|z|·s/t). Its variance is 2q/(1-q)² with q = exp(-s/t). (Algorithm 2.)
pub fn sample_discrete_laplace(rng: &mut (impl CryptoRng + ?Sized), t: u128, s: u128) -> Result<i128, ComputeError> {
    if t == 0 || s == 0 {
        return Err(ComputeError::Noise(format!("discrete Laplace scale {t}/{s} must be positive")));
    }
    for _ in 0..MAX_ROUNDS {
        // X = U + t·V is geometric with parameter exp(-1/t): U uniform in 0..t, kept with
        // probability exp(-U/t), and V geometric with parameter exp(-1).
        let u = uniform_below(rng, t)?;
        if !bernoulli_exp(rng, u, t)? {
            continue;
        }
        let mut v: u128 = 0;
        while bernoulli_exp(rng, 1, 1)? {
            v += 1;
            if v > MAX_GEOMETRIC {
                return Err(broken("geometric"));
            }
        }
        let x = t.checked_mul(v).and_then(|tv| tv.checked_add(u)).ok_or_else(|| broken("geometric"))?;
        // Y = floor(X/s) is geometric with parameter exp(-s/t); a random sign, rejecting "-0" so
        // that zero is not counted twice, makes it two-sided.
        let y = x / s;
        let negative = bernoulli(rng, 1, 2)?;
        if negative && y == 0 {
            continue;
        }
        let y = i128::try_from(y).map_err(|_| broken("discrete Laplace"))?;
        return Ok(if negative { -y } else { y });
    }
    Err(broken("discrete Laplace"))
}

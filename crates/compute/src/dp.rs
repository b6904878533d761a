//! Differential privacy: the exact discrete Laplace sampler and how ε is spent on a query.
//!
//! Composition: a query's ε is split evenly over its distinct *measurements* (COUNT(*), COUNT(col),
//! SUM(col); AVG(col) is SUM(col) / COUNT(col) and reuses them), each getting ε/m — sequential
//! composition. GROUP BY cells are disjoint (a row is in at most one), so every cell's measurement
//! gets the full ε/m — parallel composition. The answer as a whole is ε-DP with respect to adding
//! or removing one row.
//!
//! Randomness comes from the caller as a [`rand_core::CryptoRng`]: [`secure_rng`] in production,
//! a seeded generator in tests.

mod mechanism;
mod sampler;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::error::ComputeError;

pub(crate) use mechanism::{Grid, Mechanism};
pub use sampler::sample_discrete_laplace;

/// A ChaCha20 generator seeded from the operating system, for releases.
pub fn secure_rng() -> Result<ChaCha20Rng, ComputeError> {
    ChaCha20Rng::try_from_os_rng().map_err(|e| ComputeError::Noise(format!("the OS gave no randomness: {e}")))
}

//! From ε and a measurement's sensitivity to integer noise, and how clamped sums become integers.
//!
//! Neighbouring datasets differ by adding or removing one row. A COUNT then moves by at most 1; a
//! SUM of values clamped to `(lo, hi)` by at most max(|lo|, |hi|). Noise is discrete Laplace with
//! scale sensitivity/ε_m, which is ε_m-differentially private for integer-valued measurements.

use rand_core::CryptoRng;

use super::sampler::sample_discrete_laplace;
use crate::budget::validate_epsilon;
use crate::error::ComputeError;

/// ε is used as a multiple of 2^-32, rounded *down*: the noise is then at least as large as the
/// requested ε calls for, so the guarantee holds for the ε that is charged.
const EPSILON_DENOMINATOR_BITS: u32 = 32;
/// Sums are computed on a grid of 2^-k so that the largest clamped value is between 2^19 and 2^20
/// grid steps: relative resolution ~10^-6 of the bound, far below any useful noise.
const GRID_STEPS_BITS: i32 = 20;

/// How a clamped SUM is turned into an integer: each clamped value is multiplied by `scale` (a
/// power of two, so exactly) and rounded; the integers are summed exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Grid {
    pub(crate) scale: f64,
    /// The most one row can move the integer sum: max(|lo|, |hi|)·scale rounded up, plus one step
    /// in case SQLite's rounding differs from ours at a half.
    pub(crate) sensitivity: u128,
}

impl Grid {
    pub(crate) fn for_bounds((lo, hi): (f64, f64)) -> Grid {
        let bound = lo.abs().max(hi.abs());
        let k = if bound > 0.0 { GRID_STEPS_BITS - bound.log2().ceil() as i32 } else { 0 };
        // Bounds are within ±2^53 (schema), so k ≥ -33; a tiny bound is kept within f64's range.
        let scale = 2f64.powi(k.min(1000));
        let steps = (bound * scale).ceil();
        Grid { scale, sensitivity: steps as u128 + 1 }
    }
}

/// ε split evenly over the measurements of one query (sequential composition).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mechanism {
    /// floor(ε · 2^32).
    epsilon_units: u128,
    measurements: u128,
}

impl Mechanism {
    pub(crate) fn new(epsilon: f64, measurements: usize) -> Result<Mechanism, ComputeError> {
        let epsilon = validate_epsilon(epsilon)?;
        let epsilon_units = (epsilon * (1u64 << EPSILON_DENOMINATOR_BITS) as f64).floor() as u128;
        if epsilon_units == 0 || measurements == 0 {
            return Err(ComputeError::Noise(format!("cannot split ε = {epsilon} over {measurements} measurements")));
        }
        Ok(Mechanism { epsilon_units, measurements: measurements as u128 })
    }

    /// Noise for one measurement of the given sensitivity, with ε/measurements of the budget:
    /// discrete Laplace of scale sensitivity·m/ε = (sensitivity·m·2^32) / floor(ε·2^32).
    pub(crate) fn noise(&self, sensitivity: u128, rng: &mut (impl CryptoRng + ?Sized)) -> Result<i128, ComputeError> {
        let t = sensitivity
            .checked_mul(self.measurements)
            .and_then(|v| v.checked_mul(1u128 << EPSILON_DENOMINATOR_BITS))
            .ok_or_else(|| ComputeError::Noise(format!("noise scale overflows for sensitivity {sensitivity}")))?;
        sample_discrete_laplace(rng, t, self.epsilon_units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's ROUND: half away from zero, computed as trunc(r ± 0.5).
    fn sqlite_round(r: f64) -> f64 {
        if r < 0.0 {
            (r - 0.5).trunc()
        } else {
            (r + 0.5).trunc()
        }
    }

    #[test]
    fn one_clamped_row_never_moves_the_grid_sum_more_than_the_sensitivity() {
        for bounds in
            [(0.0, 120.0), (-5.5, 3.0), (0.0, 200_000.0), (-1e15, 1e15), (0.0, 1e-9), (0.0, 0.0), (-0.3, -0.1)]
        {
            let grid = Grid::for_bounds(bounds);
            assert!(grid.scale.is_finite() && grid.scale > 0.0);
            assert!(grid.sensitivity <= (1 << 20) + 1, "{bounds:?}: {grid:?}");
            let (lo, hi) = bounds;
            for i in 0..=1000 {
                let x = lo + (hi - lo) * f64::from(i) / 1000.0;
                let step = sqlite_round(x.clamp(lo, hi) * grid.scale).abs();
                assert!(step <= grid.sensitivity as f64, "{bounds:?}: {x} → {step} > {}", grid.sensitivity);
            }
        }
    }

    #[test]
    fn epsilon_is_rounded_down_and_split() {
        let m = Mechanism::new(1.0, 4).expect("a valid ε");
        assert_eq!(m.epsilon_units, 1 << 32);
        assert_eq!(m.measurements, 4);
        let m = Mechanism::new(0.1, 1).expect("a valid ε");
        assert!((m.epsilon_units as f64) <= 0.1 * 4_294_967_296.0);
        assert!(Mechanism::new(0.0, 1).is_err());
        assert!(Mechanism::new(1.0, 0).is_err());
    }
}

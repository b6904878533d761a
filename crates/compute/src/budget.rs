//! The privacy budget of one (consumer, dataset) pair: how much ε it may spend in total and how much
//! it has spent. Only the arithmetic lives here; the node records `spent` in its store.
//!
//! Charge *before* releasing and never refund: a query that fails after running (e.g. it timed out)
//! may already have revealed something through its failure.

use serde::{Deserialize, Serialize};

/// The smallest ε one query may spend. Below it the noise drowns any answer, and ε is represented as
/// a multiple of 2^-32 in the sampler, so tiny values would lose precision.
pub const MIN_EPSILON: f64 = 1e-6;
/// The largest ε one query may spend: past it the "privacy" is nominal (e^10 ≈ 22,000).
pub const MAX_EPSILON: f64 = 10.0;
/// Float sums of many charges (0.1 + 0.2 …) may exceed an exact total by a rounding error; this much
/// (relative to the total) is forgiven so a consumer can spend exactly what was granted.
const ROUNDING_SLACK: f64 = 1e-9;

/// Why ε or a budget was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetError {
    /// ε is not a finite number in [`MIN_EPSILON`, `MAX_EPSILON`].
    InvalidEpsilon { value: f64 },
    /// A budget total must be finite and positive; `spent` finite and between 0 and the total.
    InvalidBudget { total: f64, spent: f64 },
    /// Charging `requested` would exceed the total; `remaining` is what is left.
    Exhausted { requested: f64, remaining: f64, total: f64 },
}

impl std::fmt::Display for BudgetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BudgetError::InvalidEpsilon { value } => write!(
                f,
                "epsilon: {value} is not accepted; it must be a finite number from {MIN_EPSILON} to {MAX_EPSILON}"
            ),
            BudgetError::InvalidBudget { total, spent } => write!(
                f,
                "budget: total {total} / spent {spent} is not accepted; the total must be finite and positive, \
                 and spent between 0 and the total"
            ),
            BudgetError::Exhausted { requested, remaining, total } => write!(
                f,
                "budget: this query needs epsilon {requested} but only {remaining} of {total} is left \
                 for this consumer and dataset"
            ),
        }
    }
}

impl std::error::Error for BudgetError {}

/// Checks one query's ε: finite, at least [`MIN_EPSILON`], at most [`MAX_EPSILON`].
pub fn validate_epsilon(epsilon: f64) -> Result<f64, BudgetError> {
    if epsilon.is_finite() && (MIN_EPSILON..=MAX_EPSILON).contains(&epsilon) {
        Ok(epsilon)
    } else {
        Err(BudgetError::InvalidEpsilon { value: epsilon })
    }
}

/// The ε a (consumer, dataset) pair may spend (`total`) and has spent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub total: f64,
    pub spent: f64,
}

impl Budget {
    /// A fresh budget of `total` ε, nothing spent.
    pub fn new(total: f64) -> Result<Budget, BudgetError> {
        Budget::restore(total, 0.0)
    }

    /// A budget read back from storage, checked (a corrupted record must not grant more).
    pub fn restore(total: f64, spent: f64) -> Result<Budget, BudgetError> {
        let valid = total.is_finite() && total > 0.0 && spent.is_finite() && spent >= 0.0;
        if valid {
            Ok(Budget { total, spent })
        } else {
            Err(BudgetError::InvalidBudget { total, spent })
        }
    }

    /// What is left to spend (never negative).
    pub fn remaining(&self) -> f64 {
        (self.total - self.spent).max(0.0)
    }

    /// Spends `epsilon`, or refuses without changing anything when it is invalid or would overspend.
    pub fn charge(&mut self, epsilon: f64) -> Result<(), BudgetError> {
        validate_epsilon(epsilon)?;
        Budget::restore(self.total, self.spent)?;
        if self.spent + epsilon > self.total * (1.0 + ROUNDING_SLACK) {
            return Err(BudgetError::Exhausted { requested: epsilon, remaining: self.remaining(), total: self.total });
        }
        self.spent += epsilon;
        Ok(())
    }
}

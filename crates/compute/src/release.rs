//! Turning exact per-group measurements into the released answer: integer discrete-Laplace noise on
//! every measurement of every cell, then the outputs are read from the noisy values. Everything
//! after the noise is post-processing and costs no privacy (rounding, clamping counts at 0, AVG).

use rand_core::CryptoRng;
use serde::Serialize;
use serde_json::Value;

use crate::dp::Mechanism;
use crate::error::ComputeError;
use crate::execute::Cell;
use crate::query::{CheckedQuery, Measure, Source};

/// A released answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub columns: Vec<String>,
    /// One row per released group (exactly one without GROUP BY): group keys as declared, counts as
    /// integers ≥ 0, sums and averages as numbers.
    pub rows: Vec<Vec<Value>>,
    /// The ε this answer consumed (the ε asked for).
    pub epsilon_spent: f64,
    /// How the noise was calibrated, in words.
    pub mechanism: String,
}

pub(crate) fn release(
    query: &CheckedQuery,
    cells: Vec<Cell>,
    epsilon: f64,
    rng: &mut (impl CryptoRng + ?Sized),
) -> Result<Answer, ComputeError> {
    let mechanism = Mechanism::new(epsilon, query.measures.len())?;
    let mut rows = Vec::with_capacity(cells.len());
    for cell in &cells {
        let mut noisy = Vec::with_capacity(query.measures.len());
        for (measure, exact) in query.measures.iter().zip(&cell.values) {
            let noise = mechanism.noise(measure.sensitivity(), rng)?;
            noisy.push(Noisy::new(measure, i128::from(*exact) + noise));
        }
        let row = query.outputs.iter().map(|o| value(o.source, &cell.key, &noisy)).collect();
        rows.push(row);
    }
    Ok(Answer {
        columns: query.outputs.iter().map(|o| o.name.clone()).collect(),
        rows,
        epsilon_spent: epsilon,
        mechanism: describe(query, epsilon, cells.len()),
    })
}

/// A noisy measurement, post-processed.
#[derive(Clone, Copy)]
enum Noisy {
    /// A count, clamped at 0 (a count is never negative).
    Count(i128),
    /// A sum back on the value scale, with its clamping bounds (for AVG).
    Sum(f64, (f64, f64)),
}

impl Noisy {
    fn new(measure: &Measure, noisy: i128) -> Noisy {
        match measure {
            Measure::CountRows | Measure::CountColumn(_) => Noisy::Count(noisy.max(0)),
            Measure::Sum { bounds, grid, .. } => Noisy::Sum(noisy as f64 / grid.scale, *bounds),
        }
    }

    fn count(self) -> i128 {
        match self {
            Noisy::Count(c) => c,
            Noisy::Sum(..) => 0,
        }
    }
}

fn value(source: Source, key: &[crate::key::Key], noisy: &[Noisy]) -> Value {
    let get = |i: usize| noisy.get(i).copied();
    match source {
        Source::Group(at) => key.get(at).map_or(Value::Null, |k| k.to_json()),
        Source::Count(m) => get(m).map_or(Value::Null, |n| Value::from(i64::try_from(n.count()).unwrap_or(i64::MAX))),
        Source::Sum(m) => match get(m) {
            Some(Noisy::Sum(s, _)) => Value::from(s),
            _ => Value::Null,
        },
        Source::Avg { sum, count } => match (get(sum), get(count)) {
            // The average of clamped values lies within the bounds; noise can push it out, so clamp.
            (Some(Noisy::Sum(s, (lo, hi))), Some(c)) => Value::from((s / c.count().max(1) as f64).clamp(lo, hi)),
            _ => Value::Null,
        },
    }
}

fn describe(query: &CheckedQuery, epsilon: f64, cells: usize) -> String {
    let m = query.measures.len();
    let groups = if query.groups.is_empty() {
        String::new()
    } else {
        format!("; {cells} disjoint groups each get the full share (parallel composition)")
    };
    format!(
        "discrete Laplace (Canonne–Kamath–Steinke 2020), ε = {epsilon} split over {m} measurement{} ({}) \
         → {} each{groups}; neighbours differ by one added or removed row; SUM/AVG inputs clamped to declared bounds",
        if m == 1 { "" } else { "s" },
        query.measurements.join(", "),
        epsilon / m as f64,
    )
}

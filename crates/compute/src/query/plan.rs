//! What a checked query computes: the distinct noisy *measurements* per group (COUNT(*), COUNT(col),
//! clamped SUM(col)) and how each output column is read from them (AVG = SUM / COUNT).

use crate::dp::Grid;
use crate::error::QueryError;
use crate::query::column::Scope;
use crate::sql::{quote_ident, Param, Params};

/// One noisy measurement, computed in SQL per group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Measure {
    CountRows,
    /// COUNT(col): rows where the column is not NULL.
    CountColumn(usize),
    /// The sum of the column's values clamped to `bounds`, on the integer `grid`.
    Sum {
        column: usize,
        bounds: (f64, f64),
        grid: Grid,
    },
}

/// Where an output column's value comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Source {
    /// The n-th GROUP BY column.
    Group(usize),
    Count(usize),
    Sum(usize),
    Avg {
        sum: usize,
        count: usize,
    },
}

impl Measure {
    /// The measure's position in `measures`, added if new: SUM(x) and AVG(x) share one noisy sum.
    pub(crate) fn index_in(self, measures: &mut Vec<Measure>) -> usize {
        match measures.iter().position(|m| *m == self) {
            Some(at) => at,
            None => {
                measures.push(self);
                measures.len() - 1
            }
        }
    }

    pub(crate) fn sum(column: usize, bounds: (f64, f64)) -> Measure {
        Measure::Sum { column, bounds, grid: Grid::for_bounds(bounds) }
    }

    /// How much one added or removed row moves the (integer) measurement.
    pub(crate) fn sensitivity(&self) -> u128 {
        match self {
            Measure::CountRows | Measure::CountColumn(_) => 1,
            Measure::Sum { grid, .. } => grid.sensitivity,
        }
    }

    /// For messages: `COUNT(*)`, `COUNT(age)`, `SUM(income)`.
    pub(crate) fn label(&self, scope: &Scope<'_>) -> String {
        let name = |c: &usize| scope.declared(*c).map_or_else(|_| "?".to_string(), |col| col.name.clone());
        match self {
            Measure::CountRows => "COUNT(*)".to_string(),
            Measure::CountColumn(c) => format!("COUNT({})", name(c)),
            Measure::Sum { column, .. } => format!("SUM({})", name(column)),
        }
    }

    /// The SQL aggregate. A clamped value is scaled onto the grid and rounded per row, so the sum is
    /// an exact integer that one row moves by at most `sensitivity` (NULLs stay NULL and are skipped).
    pub(crate) fn sql(&self, scope: &Scope<'_>, params: &mut Params) -> Result<String, QueryError> {
        let name = |c: &usize| scope.declared(*c).map(|col| quote_ident(&col.name));
        Ok(match self {
            Measure::CountRows => "COUNT(*)".to_string(),
            Measure::CountColumn(c) => format!("COUNT({})", name(c)?),
            Measure::Sum { column, bounds: (lo, hi), grid } => {
                let (lo, hi) = (params.bind(Param::Real(*lo)), params.bind(Param::Real(*hi)));
                let scale = params.bind(Param::Real(grid.scale));
                format!("SUM(CAST(ROUND(MIN(MAX({}, {lo}), {hi}) * {scale}) AS INTEGER))", name(column)?)
            }
        })
    }
}

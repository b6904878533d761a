//! Checking a consumer's query against the schema, and rewriting it into the SQL the provider runs.
//!
//! Accepted: `SELECT <aggregates and GROUP BY columns> FROM data [WHERE <conditions>]
//! [GROUP BY <groupable columns>] [ORDER BY <GROUP BY columns>]`, where the aggregates are COUNT(*),
//! COUNT(col), SUM(col) and AVG(col), the last two on numeric columns with declared bounds.
//! Everything else is refused with the clause at fault and the reason, before any data is read.
//!
//! Decisions:
//! - GROUP BY needs a declared domain: one row is released per declared value (combination), present
//!   in the data or not, so which groups exist is never revealed. Rows whose group value is NULL or
//!   outside the domain are in no released group.
//! - ORDER BY is accepted on GROUP BY columns only (it orders the declared domain, a public list);
//!   ordering by an aggregate would reveal the exact ranking. LIMIT/OFFSET are refused: every domain
//!   group is released, and WHERE on the group column narrows groups just as well.
//! - HAVING, DISTINCT, MIN/MAX, window functions, subqueries, joins, CTEs, set operations, other
//!   tables and functions, and statements other than one SELECT are refused.
//! - The SQL that runs is written by this crate from the checked tree (quoted names, bound
//!   literals), never passed through from the consumer.

mod column;
mod condition;
mod plan;
mod select_list;
mod shape;

use serde::Serialize;
use sqlparser::ast::{Expr, OrderByExpr, OrderBySort};

use crate::error::{ComputeError, QueryError};
use crate::schema::{Schema, MAX_DOMAIN};
use crate::sql::{quote_ident, Param, Params};
use column::Scope;
use select_list::Item;

pub(crate) use condition::Condition;
pub(crate) use plan::{Measure, Source};
pub use shape::MAX_QUERY_BYTES;

/// At most this many distinct measurements per query: ε is split over them, so more would leave
/// each one mostly noise.
pub const MAX_MEASUREMENTS: usize = 32;
/// At most this many released groups (the product of the GROUP BY columns' domain sizes).
pub const MAX_CELLS: usize = MAX_DOMAIN;

/// A query that passed every check, with the SQL that computes its exact (pre-noise) aggregates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedQuery {
    /// The released columns, in SELECT order.
    pub outputs: Vec<Output>,
    /// The rewritten SQL: group columns, then one aggregate per measurement; `?N` are `params`.
    pub sql: String,
    #[serde(skip)]
    pub params: Vec<Param>,
    /// Schema indexes of the GROUP BY columns.
    #[serde(skip)]
    pub(crate) groups: Vec<usize>,
    #[serde(skip)]
    pub(crate) measures: Vec<Measure>,
    /// (position in `groups`, descending) from ORDER BY.
    #[serde(skip)]
    pub(crate) order: Vec<(usize, bool)>,
    /// Measurement labels, for the mechanism description.
    pub measurements: Vec<String>,
}

/// One released column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output {
    /// The alias, or the expression (`COUNT(*)`, `AVG(income)`, `city`).
    pub name: String,
    pub kind: OutputKind,
    #[serde(skip)]
    pub(crate) source: Source,
}

/// What a released column holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutputKind {
    /// A GROUP BY column's declared value.
    GroupKey { column: String },
    /// A noisy count: of rows (`column` = None) or of non-NULL values.
    Count { column: Option<String> },
    /// A noisy sum of values clamped to `bounds`.
    Sum { column: String, bounds: (f64, f64) },
    /// Noisy sum / max(noisy count, 1), of values clamped to `bounds`.
    Avg { column: String, bounds: (f64, f64) },
}

/// Checks `sql` against `schema` without touching any data. Its errors depend only on the query and
/// the schema, so a refused query spends no budget.
pub fn check(schema: &Schema, sql: &str) -> Result<CheckedQuery, ComputeError> {
    schema.validate()?;
    let parts = shape::parse(sql)?;
    let scope = Scope { schema, alias: parts.alias.clone() };
    let groups = group_columns(&parts.group_by, &scope)?;
    let mut measures = Vec::new();
    let mut outputs = Vec::with_capacity(parts.projection.len());
    for select_item in &parts.projection {
        let (item, alias) = select_list::item(select_item, &scope)?;
        outputs.push(output(item, alias, &groups, &mut measures, &scope)?);
    }
    if measures.is_empty() {
        let reason = "at least one aggregate (COUNT(*), COUNT(column), SUM(column), AVG(column)) is required";
        return Err(QueryError::new("SELECT", reason).into());
    }
    if measures.len() > MAX_MEASUREMENTS {
        let reason = format!(
            "{} distinct measurements; at most {MAX_MEASUREMENTS} are accepted, since ε is split over them",
            measures.len()
        );
        return Err(QueryError::new("SELECT", reason).into());
    }
    let filter = parts.selection.as_ref().map(|e| condition::check(e, &scope)).transpose()?;
    let order = order_by(&parts.order_by, &groups, &outputs, &scope)?;
    let (sql, params) = render(&groups, &measures, filter.as_ref(), &scope)?;
    let measurements = measures.iter().map(|m| m.label(&scope)).collect();
    Ok(CheckedQuery { outputs, sql, params, groups, measures, order, measurements })
}

fn group_columns(exprs: &[Expr], scope: &Scope<'_>) -> Result<Vec<usize>, QueryError> {
    let mut groups: Vec<usize> = Vec::new();
    let mut cells: usize = 1;
    for expr in exprs {
        let index = scope.require_column(expr, "GROUP BY", "GROUP BY accepts declared column names only")?;
        let column = scope.declared(index)?;
        let name = &column.name;
        let leak = "releasing which groups exist would reveal which values occur in the data";
        if !column.groupable {
            let reason = format!(
                "column {name:?} is not declared groupable; {leak}, so a column is grouped only over categories \
                 declared in the schema (groupable, with a domain)"
            );
            return Err(QueryError::new("GROUP BY", reason));
        }
        let Some(domain) = &column.domain else {
            let reason = format!(
                "column {name:?} has no declared domain; {leak}, so GROUP BY needs the column's categories declared \
                 in the schema"
            );
            return Err(QueryError::new("GROUP BY", reason));
        };
        if !groups.contains(&index) {
            cells = cells.saturating_mul(domain.len());
            groups.push(index);
        }
    }
    if cells > MAX_CELLS {
        let reason =
            format!("the grouped columns' domains make {cells} groups; at most {MAX_CELLS} are released per query");
        return Err(QueryError::new("GROUP BY", reason));
    }
    Ok(groups)
}

fn output(
    item: Item,
    alias: Option<String>,
    groups: &[usize],
    measures: &mut Vec<Measure>,
    scope: &Scope<'_>,
) -> Result<Output, QueryError> {
    let name_of = |c: usize| scope.declared(c).map(|col| col.name.clone());
    let bounds_of = |c: usize| scope.declared(c).map(|col| col.bounds.unwrap_or_default());
    let (default_name, kind, source) = match item {
        Item::Column(c) => {
            let Some(at) = groups.iter().position(|g| *g == c) else {
                let reason = format!(
                    "{:?} is not accepted — row-level results are not released: every selected expression must be \
                     an aggregate or a GROUP BY column",
                    name_of(c)?
                );
                return Err(QueryError::new("SELECT", reason));
            };
            (name_of(c)?, OutputKind::GroupKey { column: name_of(c)? }, Source::Group(at))
        }
        Item::CountRows => (
            "COUNT(*)".to_string(),
            OutputKind::Count { column: None },
            Source::Count(Measure::CountRows.index_in(measures)),
        ),
        Item::Count(c) => {
            let m = Measure::CountColumn(c).index_in(measures);
            (format!("COUNT({})", name_of(c)?), OutputKind::Count { column: Some(name_of(c)?) }, Source::Count(m))
        }
        Item::Sum(c) => {
            let bounds = bounds_of(c)?;
            let m = Measure::sum(c, bounds).index_in(measures);
            (format!("SUM({})", name_of(c)?), OutputKind::Sum { column: name_of(c)?, bounds }, Source::Sum(m))
        }
        Item::Avg(c) => {
            let bounds = bounds_of(c)?;
            let sum = Measure::sum(c, bounds).index_in(measures);
            let count = Measure::CountColumn(c).index_in(measures);
            (
                format!("AVG({})", name_of(c)?),
                OutputKind::Avg { column: name_of(c)?, bounds },
                Source::Avg { sum, count },
            )
        }
    };
    Ok(Output { name: alias.unwrap_or(default_name), kind, source })
}

/// ORDER BY items, each a GROUP BY column (by name or by its output alias).
fn order_by(
    items: &[OrderByExpr],
    groups: &[usize],
    outputs: &[Output],
    scope: &Scope<'_>,
) -> Result<Vec<(usize, bool)>, QueryError> {
    let aggregate = "ordering by an exact aggregate would reveal it; order by GROUP BY columns, or sort the \
                     released (noisy) rows yourself";
    let mut order = Vec::with_capacity(items.len());
    for item in items {
        let descending = match item.options.sort {
            None | Some(OrderBySort::Asc) => false,
            Some(OrderBySort::Desc) => true,
            Some(OrderBySort::Using(_)) => return Err(QueryError::new("ORDER BY", "USING is not accepted")),
        };
        if item.with_fill.is_some() {
            return Err(QueryError::new("ORDER BY", "WITH FILL is not accepted"));
        }
        let by_alias = match &item.expr {
            Expr::Identifier(ident) => outputs.iter().find(|o| o.name.eq_ignore_ascii_case(&ident.value)),
            _ => None,
        };
        let group = match by_alias.map(|o| o.source) {
            Some(Source::Group(at)) => at,
            Some(_) => return Err(QueryError::new("ORDER BY", aggregate)),
            None => match &item.expr {
                Expr::Function(_) => return Err(QueryError::new("ORDER BY", aggregate)),
                expr => {
                    let column = scope.require_column(expr, "ORDER BY", "name a GROUP BY column")?;
                    groups.iter().position(|g| *g == column).ok_or_else(|| {
                        let reason = format!(
                            "{expr} is not a GROUP BY column; only GROUP BY columns can order the released rows"
                        );
                        QueryError::new("ORDER BY", reason)
                    })?
                }
            },
        };
        order.push((group, descending));
    }
    Ok(order)
}

/// `SELECT <groups>, <measures> FROM data [WHERE …] [GROUP BY <groups>]` with bound parameters.
fn render(
    groups: &[usize],
    measures: &[Measure],
    filter: Option<&Condition>,
    scope: &Scope<'_>,
) -> Result<(String, Vec<Param>), QueryError> {
    let mut params = Params::default();
    let group_names =
        groups.iter().map(|g| scope.declared(*g).map(|c| quote_ident(&c.name))).collect::<Result<Vec<_>, _>>()?;
    let mut selected = group_names.clone();
    for measure in measures {
        selected.push(measure.sql(scope, &mut params)?);
    }
    let mut sql = format!("SELECT {} FROM data", selected.join(", "));
    if let Some(filter) = filter {
        sql.push_str(" WHERE ");
        sql.push_str(&filter.render(scope, &mut params)?);
    }
    if !group_names.is_empty() {
        sql.push_str(" GROUP BY ");
        sql.push_str(&group_names.join(", "));
    }
    Ok((sql, params.0))
}

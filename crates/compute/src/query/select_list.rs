//! The SELECT list: each item must be an aggregate (COUNT(*), COUNT(col), SUM(col), AVG(col)) or a
//! GROUP BY column. Anything else would release values of single rows.

use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    SelectItem,
};

use super::column::Scope;
use crate::error::QueryError;
use crate::schema::Column;

const CLAUSE: &str = "SELECT";
const ROW_LEVEL: &str =
    "row-level results are not released: every selected expression must be an aggregate or a GROUP BY column";
const AGGREGATES: &str = "the accepted aggregates are COUNT(*), COUNT(column), SUM(column) and AVG(column)";

/// One selected expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    /// A column; the caller checks that it is grouped by.
    Column(usize),
    CountRows,
    Count(usize),
    Sum(usize),
    Avg(usize),
}

/// The item and its output name (the alias, else the expression as written in canonical form).
pub(crate) fn item(select_item: &SelectItem, scope: &Scope<'_>) -> Result<(Item, Option<String>), QueryError> {
    let (expr, alias) = match select_item {
        SelectItem::UnnamedExpr(expr) => (expr, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
        SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
            return Err(QueryError::new(CLAUSE, format!("* is not accepted — {ROW_LEVEL}")));
        }
        SelectItem::ExprWithAliases { .. } => {
            return Err(QueryError::new(CLAUSE, "a list of aliases is not accepted; use one AS name per item"));
        }
    };
    Ok((expression(expr, scope)?, alias))
}

fn expression(expr: &Expr, scope: &Scope<'_>) -> Result<Item, QueryError> {
    if let Some(column) = scope.column(expr, CLAUSE)? {
        return Ok(Item::Column(column));
    }
    match expr {
        Expr::Nested(inner) => expression(inner, scope),
        Expr::Function(function) => aggregate(function, scope),
        other => Err(QueryError::new(CLAUSE, format!("{other} is not accepted — {ROW_LEVEL}; {AGGREGATES}"))),
    }
}

fn aggregate(f: &Function, scope: &Scope<'_>) -> Result<Item, QueryError> {
    let name = f.name.to_string().to_ascii_lowercase();
    let refuse = |reason: String| Err(QueryError::new(CLAUSE, reason));
    match name.as_str() {
        "count" | "sum" | "avg" => {}
        "min" | "max" => return refuse(format!("{}() is not released: a single row decides it", name.to_uppercase())),
        _ => return refuse(format!("function {}() is not accepted; {AGGREGATES}", f.name)),
    }
    let plain = !f.uses_odbc_syntax
        && matches!(f.parameters, FunctionArguments::None)
        && f.within_group.is_empty()
        && f.null_treatment.is_none();
    if f.over.is_some() {
        return refuse(format!("{f} is not accepted: window functions (OVER) release per-row values"));
    }
    if f.filter.is_some() {
        return refuse(format!("{f} is not accepted: FILTER is not supported; use WHERE"));
    }
    let FunctionArguments::List(FunctionArgumentList { duplicate_treatment, args, clauses }) = &f.args else {
        return refuse(format!("{f} is not accepted; {AGGREGATES}"));
    };
    if matches!(duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
        return refuse(format!("{f} is not accepted: DISTINCT inside an aggregate is not supported; {AGGREGATES}"));
    }
    let [FunctionArg::Unnamed(arg)] = args.as_slice() else {
        return refuse(format!("{f} is not accepted: it takes exactly one argument; {AGGREGATES}"));
    };
    if !plain || !clauses.is_empty() {
        return refuse(format!("{f} is not accepted; {AGGREGATES}"));
    }
    let column = match arg {
        FunctionArgExpr::Wildcard if name == "count" => return Ok(Item::CountRows),
        FunctionArgExpr::Expr(e) => {
            let hint = format!("the argument of {}() must be a declared column", name.to_uppercase());
            scope.require_column(e, CLAUSE, &hint)?
        }
        _ => return refuse(format!("{f} is not accepted; {AGGREGATES}")),
    };
    match name.as_str() {
        "count" => Ok(Item::Count(column)),
        "sum" => summable(scope.declared(column)?, "SUM").map(|()| Item::Sum(column)),
        _ => summable(scope.declared(column)?, "AVG").map(|()| Item::Avg(column)),
    }
}

/// SUM and AVG need a numeric column with declared bounds, which cap one row's influence.
fn summable(column: &Column, function: &str) -> Result<(), QueryError> {
    let name = &column.name;
    if !column.kind.is_numeric() {
        let reason = format!("{function}({name}): column {name:?} is text; {function} needs an integer or real column");
        return Err(QueryError::new(CLAUSE, reason));
    }
    if column.bounds.is_none() {
        let reason = format!(
            "{function}({name}): column {name:?} has no declared bounds; SUM and AVG clamp every value to the \
             column's bounds (lo, hi) so that one row's influence is known — declare bounds in the schema"
        );
        return Err(QueryError::new(CLAUSE, reason));
    }
    Ok(())
}

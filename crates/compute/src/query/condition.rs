//! WHERE: comparisons, IN, BETWEEN, LIKE and IS [NOT] NULL on declared columns with literals,
//! joined by AND, OR and NOT. Checked into our own tree and written back as SQL with every literal
//! bound as a parameter, so nothing of the consumer's text reaches SQLite.
//!
//! Any predicate is private here: DP protects each row whatever the filter, because a row still
//! moves a count by at most one. Filters are limited to keep the SQL SQLite runs small and known.

use sqlparser::ast::{BinaryOperator, Expr, InTarget, UnaryOperator, Value};

use super::column::Scope;
use crate::error::QueryError;
use crate::schema::Kind;
use crate::sql::{quote_ident, Param, Params};

/// AND/OR/NOT nesting deeper than this is refused (it bounds our own recursion).
const MAX_DEPTH: usize = 64;

const CLAUSE: &str = "WHERE";
const ACCEPTED: &str = "conditions compare declared columns with literals: =, <>, <, <=, >, >=, IN (…), \
                        BETWEEN … AND …, LIKE, IS [NOT] NULL, joined by AND, OR, NOT";

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Compare { left: Operand, op: &'static str, right: Operand },
    In { column: usize, values: Vec<Param>, negated: bool },
    Between { column: usize, low: Param, high: Param, negated: bool },
    Like { column: usize, pattern: String, negated: bool },
    IsNull { column: usize, negated: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Column(usize),
    Value(Param),
}

fn refuse(reason: String) -> QueryError {
    QueryError::new(CLAUSE, reason)
}

pub(crate) fn check(expr: &Expr, scope: &Scope<'_>) -> Result<Condition, QueryError> {
    condition(expr, scope, 0)
}

fn condition(expr: &Expr, scope: &Scope<'_>, depth: usize) -> Result<Condition, QueryError> {
    if depth > MAX_DEPTH {
        return Err(refuse(format!(
            "the condition is nested more than {MAX_DEPTH} levels deep; use IN (…) for long lists of values"
        )));
    }
    let boxed = |e: &Expr| condition(e, scope, depth + 1).map(Box::new);
    Ok(match expr {
        Expr::Nested(inner) => condition(inner, scope, depth + 1)?,
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => Condition::And(boxed(left)?, boxed(right)?),
        Expr::BinaryOp { left, op: BinaryOperator::Or, right } => Condition::Or(boxed(left)?, boxed(right)?),
        Expr::UnaryOp { op: UnaryOperator::Not, expr } => Condition::Not(boxed(expr)?),
        Expr::BinaryOp { left, op, right } => {
            let op = comparison(op).ok_or_else(|| refuse(format!("operator {op} is not accepted; {ACCEPTED}")))?;
            let (left, right) = (operand(left, scope)?, operand(right, scope)?);
            same_kind(&left, &right, scope)?;
            Condition::Compare { left, op, right }
        }
        Expr::In { expr, target: InTarget::List(list), negated, global: false } => {
            let column = column(expr, scope)?;
            let values = list.iter().map(|v| typed_literal(v, column, scope)).collect::<Result<_, _>>()?;
            Condition::In { column, values, negated: *negated }
        }
        Expr::Between { expr, negated, low, high } => {
            let column = column(expr, scope)?;
            let (low, high) = (typed_literal(low, column, scope)?, typed_literal(high, column, scope)?);
            Condition::Between { column, low, high, negated: *negated }
        }
        Expr::Like { negated, any: false, expr, pattern, escape_char: None } => {
            let column = column(expr, scope)?;
            match typed_literal(pattern, column, scope)? {
                Param::Text(pattern) => Condition::Like { column, pattern, negated: *negated },
                _ => return Err(refuse("LIKE needs a text column and a quoted pattern".into())),
            }
        }
        Expr::IsNull(e) => Condition::IsNull { column: column(e, scope)?, negated: false },
        Expr::IsNotNull(e) => Condition::IsNull { column: column(e, scope)?, negated: true },
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::In { target: InTarget::Subquery(_), .. } => {
            return Err(refuse("subqueries are not accepted; the dataset is the single table data".into()));
        }
        Expr::Function(f) => {
            return Err(refuse(format!("function {}() is not accepted; {ACCEPTED}", f.name)));
        }
        other => return Err(refuse(format!("{other} is not accepted; {ACCEPTED}"))),
    })
}

fn comparison(op: &BinaryOperator) -> Option<&'static str> {
    Some(match op {
        BinaryOperator::Eq => "=",
        BinaryOperator::NotEq => "<>",
        BinaryOperator::Lt => "<",
        BinaryOperator::LtEq => "<=",
        BinaryOperator::Gt => ">",
        BinaryOperator::GtEq => ">=",
        _ => return None,
    })
}

fn column(expr: &Expr, scope: &Scope<'_>) -> Result<usize, QueryError> {
    scope.require_column(expr, CLAUSE, "the left side must be a declared column")
}

fn operand(expr: &Expr, scope: &Scope<'_>) -> Result<Operand, QueryError> {
    match scope.column(expr, CLAUSE)? {
        Some(column) => Ok(Operand::Column(column)),
        None => literal(expr).map(Operand::Value),
    }
}

/// A literal: a number (optionally signed), a quoted string, or TRUE/FALSE (1/0, as in SQLite).
fn literal(expr: &Expr) -> Result<Param, QueryError> {
    match expr {
        Expr::Nested(inner) => literal(inner),
        Expr::UnaryOp { op: UnaryOperator::Plus, expr } => match literal(expr)? {
            Param::Text(_) => Err(refuse(format!("{expr} is not a number"))),
            number => Ok(number),
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => match literal(expr)? {
            Param::Integer(i) => i.checked_neg().map(Param::Integer).ok_or_else(|| refuse(format!("-{i} overflows"))),
            Param::Real(v) => Ok(Param::Real(-v)),
            Param::Text(_) => Err(refuse(format!("-{expr} is not a number"))),
        },
        Expr::Value(v) => match &v.value {
            Value::Number(text, _) => number(text),
            Value::SingleQuotedString(s) => Ok(Param::Text(s.clone())),
            Value::Boolean(b) => Ok(Param::Integer(i64::from(*b))),
            Value::Null => Err(refuse("NULL never compares equal to anything; use IS NULL or IS NOT NULL".into())),
            Value::Placeholder(p) => Err(refuse(format!("parameter {p} is not accepted; write the value itself"))),
            other => Err(refuse(format!("literal {other} is not accepted; use a number or a 'quoted' string"))),
        },
        Expr::Function(f) => Err(refuse(format!("function {}() is not accepted; {ACCEPTED}", f.name))),
        Expr::Subquery(_) => Err(refuse("subqueries are not accepted; the dataset is the single table data".into())),
        other => Err(refuse(format!(
            "{other} is not accepted; compare a declared column with a literal (a number or a 'quoted' string)"
        ))),
    }
}

fn number(text: &str) -> Result<Param, QueryError> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Param::Integer(i));
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Param::Real(v)),
        _ => Err(refuse(format!("number {text} is not accepted; it must be a finite number"))),
    }
}

/// A literal compared with `column`, which must have the column's kind (numbers for numeric columns).
fn typed_literal(expr: &Expr, column: usize, scope: &Scope<'_>) -> Result<Param, QueryError> {
    let value = literal(expr)?;
    same_kind(&Operand::Column(column), &Operand::Value(value.clone()), scope)?;
    Ok(value)
}

/// Text is compared with text and numbers with numbers: SQLite would otherwise silently coerce.
fn same_kind(left: &Operand, right: &Operand, scope: &Scope<'_>) -> Result<(), QueryError> {
    let describe = |o: &Operand| -> Result<(bool, String), QueryError> {
        Ok(match o {
            Operand::Column(c) => {
                let col = scope.declared(*c)?;
                (col.kind == Kind::Text, format!("column {:?} ({})", col.name, col.kind.describe()))
            }
            Operand::Value(Param::Text(s)) => (true, format!("the text '{s}'")),
            Operand::Value(Param::Integer(i)) => (false, format!("the number {i}")),
            Operand::Value(Param::Real(v)) => (false, format!("the number {v}")),
        })
    };
    let ((left_text, left_name), (right_text, right_name)) = (describe(left)?, describe(right)?);
    if left_text != right_text {
        return Err(refuse(format!(
            "{left_name} is compared with {right_name}; compare text with 'quoted' text and numbers with numbers"
        )));
    }
    Ok(())
}

impl Condition {
    /// The condition as SQL over quoted column names, with literals bound into `params`.
    pub(crate) fn render(&self, scope: &Scope<'_>, params: &mut Params) -> Result<String, QueryError> {
        let name = |c: &usize| scope.declared(*c).map(|col| quote_ident(&col.name));
        let not = |negated: &bool| if *negated { "NOT " } else { "" };
        Ok(match self {
            Condition::And(a, b) => format!("({} AND {})", a.render(scope, params)?, b.render(scope, params)?),
            Condition::Or(a, b) => format!("({} OR {})", a.render(scope, params)?, b.render(scope, params)?),
            Condition::Not(a) => format!("(NOT {})", a.render(scope, params)?),
            Condition::Compare { left, op, right } => {
                let mut side = |o: &Operand| match o {
                    Operand::Column(c) => name(c),
                    Operand::Value(v) => Ok(params.bind(v.clone())),
                };
                let left = side(left)?;
                format!("({left} {op} {})", side(right)?)
            }
            Condition::In { column, values, negated } => {
                let list: Vec<String> = values.iter().map(|v| params.bind(v.clone())).collect();
                format!("({} {}IN ({}))", name(column)?, not(negated), list.join(", "))
            }
            Condition::Between { column, low, high, negated } => {
                let (low, high) = (params.bind(low.clone()), params.bind(high.clone()));
                format!("({} {}BETWEEN {low} AND {high})", name(column)?, not(negated))
            }
            Condition::Like { column, pattern, negated } => {
                format!("({} {}LIKE {})", name(column)?, not(negated), params.bind(Param::Text(pattern.clone())))
            }
            Condition::IsNull { column, negated } => format!("({} IS {}NULL)", name(column)?, not(negated)),
        })
    }
}

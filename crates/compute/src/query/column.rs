//! Resolving a name in a query to a declared column: `age`, `"age"`, `data.age` or `d.age` when the
//! query reads `FROM data AS d`. Unknown names are refused with the declared ones listed.

use sqlparser::ast::{Expr, Ident};

use crate::error::QueryError;
use crate::schema::{Column, Schema};

/// What names mean inside one query.
pub(crate) struct Scope<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) alias: Option<String>,
}

impl<'a> Scope<'a> {
    /// `Some(index)` when `expr` names a declared column, `None` when it is not a name at all, and an
    /// error when it is a name that is not declared.
    pub(crate) fn column(&self, expr: &Expr, clause: &'static str) -> Result<Option<usize>, QueryError> {
        let name = match expr {
            Expr::Identifier(ident) => ident,
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [table, name] if self.is_table(table) => name,
                _ => {
                    let reason = format!("{expr} is not accepted; name a column as col or data.col");
                    return Err(QueryError::new(clause, reason));
                }
            },
            Expr::Nested(inner) => return self.column(inner, clause),
            _ => return Ok(None),
        };
        match self.schema.position(&name.value) {
            Some(index) => Ok(Some(index)),
            None => Err(QueryError::new(
                clause,
                format!("unknown column {:?}; declared columns: {}", name.value, self.schema.names()),
            )),
        }
    }

    /// Like [`Scope::column`], but anything other than a column name is an error.
    pub(crate) fn require_column(&self, expr: &Expr, clause: &'static str, hint: &str) -> Result<usize, QueryError> {
        self.column(expr, clause)?.ok_or_else(|| QueryError::new(clause, format!("{expr} is not accepted; {hint}")))
    }

    pub(crate) fn declared(&self, index: usize) -> Result<&'a Column, QueryError> {
        self.schema.columns.get(index).ok_or_else(|| QueryError::new("query", "internal: column index out of range"))
    }

    fn is_table(&self, ident: &Ident) -> bool {
        ident.value.eq_ignore_ascii_case("data") || self.alias.as_deref().is_some_and(|a| a == ident.value)
    }
}

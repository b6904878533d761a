//! Parsing and the outer shape of an accepted query: exactly one plain `SELECT … FROM data` with
//! optional WHERE, GROUP BY and ORDER BY. Every other clause sqlparser knows is named and refused.
//!
//! The AST structs are destructured without `..`, so a sqlparser upgrade that adds a clause fails
//! to compile here instead of being silently ignored.

use sqlparser::ast::{
    Expr, GroupByExpr, ObjectNamePart, OrderByExpr, OrderByKind, Query, Select, SelectFlavor, SelectItem, SetExpr,
    Statement, TableFactor, TableWithJoins,
};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::error::QueryError;

/// A query longer than this is refused before parsing; with the parser's nesting limit it bounds
/// the work and the recursion depth spent on untrusted text.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// Parenthesis and sub-expression nesting the parser accepts.
const PARSER_RECURSION_LIMIT: usize = 40;
/// At most this many words and operators (values, commas and parentheses not counted). The parser
/// builds chains like `1+1+1…` left-deep without recursing, but printing and dropping them recurses
/// once per link: a cap on links bounds that stack use, while long IN (…) lists stay possible.
const MAX_TOKENS: usize = 500;

/// The pieces of an accepted `SELECT` that the checker goes on to examine.
pub(crate) struct Parts {
    pub(crate) projection: Vec<SelectItem>,
    pub(crate) selection: Option<Expr>,
    pub(crate) group_by: Vec<Expr>,
    pub(crate) order_by: Vec<OrderByExpr>,
    /// The alias of `data` (`FROM data AS d`), if any, accepted as a column qualifier.
    pub(crate) alias: Option<String>,
}

const SHAPE: &str =
    "a query is SELECT <aggregates and GROUP BY columns> FROM data [WHERE …] [GROUP BY …] [ORDER BY group columns]";

fn refuse(clause: &'static str, what: &str) -> QueryError {
    QueryError::new(clause, format!("{what} is not accepted; {SHAPE}"))
}

pub(crate) fn parse(sql: &str) -> Result<Parts, QueryError> {
    if sql.len() > MAX_QUERY_BYTES {
        let reason = format!("the query is {} bytes; at most {MAX_QUERY_BYTES} are accepted", sql.len());
        return Err(QueryError::new("query", reason));
    }
    let tokens = Tokenizer::new(&SQLiteDialect {}, sql)
        .tokenize_with_location()
        .map_err(|e| QueryError::new("syntax", e.to_string()))?;
    let counted = tokens.iter().filter(|t| counts(&t.token)).count();
    if counted > MAX_TOKENS {
        let reason = format!(
            "the query has {counted} words and operators; at most {MAX_TOKENS} are accepted (values in IN (…) lists \
             do not count)"
        );
        return Err(QueryError::new("query", reason));
    }
    let statements = Parser::new(&SQLiteDialect {})
        .with_recursion_limit(PARSER_RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| not_a_select(sql).unwrap_or_else(|| QueryError::new("syntax", e.to_string())))?;
    let mut statements = statements.into_iter();
    let (Some(statement), None) = (statements.next(), statements.next()) else {
        let found = sql.split(';').filter(|s| !s.trim().is_empty()).count();
        let reason = format!("exactly one SELECT statement is accepted; found {found}");
        return Err(QueryError::new("statement", reason));
    };
    let Statement::Query(query) = statement else {
        let text = statement.to_string();
        let keyword = text.split_whitespace().next().unwrap_or_default().to_uppercase();
        let reason = format!("{keyword} statements are not accepted; only one SELECT query is");
        return Err(QueryError::new("statement", reason));
    };
    query_parts(*query)
}

/// Whether a token counts towards [`MAX_TOKENS`]: everything that can link an expression chain.
fn counts(token: &Token) -> bool {
    !matches!(
        token,
        Token::Whitespace(_)
            | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::Comma
            | Token::LParen
            | Token::RParen
            | Token::SemiColon
            | Token::EOF
    )
}

/// When the text does not even parse, a statement that is not a SELECT (PRAGMA with a bare name,
/// VACUUM, …) is still refused as such rather than as a syntax error.
fn not_a_select(sql: &str) -> Option<QueryError> {
    let tokens = Tokenizer::new(&SQLiteDialect {}, sql).tokenize().ok()?;
    let first = tokens.into_iter().find(|t| !matches!(t, Token::Whitespace(_)))?;
    let Token::Word(word) = first else { return None };
    let keyword = word.value.to_uppercase();
    if keyword == "SELECT" || keyword == "WITH" {
        return None;
    }
    let reason = format!("{keyword} statements are not accepted; only one SELECT query is");
    Some(QueryError::new("statement", reason))
}

fn query_parts(query: Query) -> Result<Parts, QueryError> {
    let Query { with, body, order_by, limit_clause, fetch, locks, for_clause, settings, format_clause, pipe_operators } =
        query;
    if with.is_some() {
        return Err(QueryError::new(
            "WITH",
            "common table expressions are not accepted; query the table data directly",
        ));
    }
    if limit_clause.is_some() || fetch.is_some() {
        let reason = "every group of the declared domain is released, so LIMIT/OFFSET/FETCH are not accepted; \
                      narrow the groups with WHERE on the group column instead";
        return Err(QueryError::new("LIMIT", reason));
    }
    if !locks.is_empty() || for_clause.is_some() || settings.is_some() || format_clause.is_some() {
        return Err(refuse("query", "a FOR/SETTINGS/FORMAT clause"));
    }
    if !pipe_operators.is_empty() {
        return Err(refuse("query", "a pipe operator (|>)"));
    }
    let select = match *body {
        SetExpr::Select(select) => *select,
        SetExpr::SetOperation { op, .. } => {
            return Err(QueryError::new("query", format!("{op} is not accepted; {SHAPE}")));
        }
        SetExpr::Query(_) => return Err(QueryError::new("query", format!("subqueries are not accepted; {SHAPE}"))),
        SetExpr::Values(_) => return Err(refuse("query", "VALUES")),
        _ => return Err(refuse("statement", "this statement")),
    };
    let order_by = match order_by {
        None => Vec::new(),
        Some(order) => match (order.kind, order.interpolate) {
            (OrderByKind::Expressions(items), None) => items,
            _ => return Err(refuse("ORDER BY", "ORDER BY ALL or INTERPOLATE")),
        },
    };
    select_parts(select, order_by)
}

fn select_parts(select: Select, order_by: Vec<OrderByExpr>) -> Result<Parts, QueryError> {
    let Select {
        select_token: _,
        optimizer_hints,
        distinct,
        select_modifiers,
        top,
        top_before_distinct: _,
        projection,
        exclude,
        into,
        from,
        lateral_views,
        prewhere,
        selection,
        connect_by,
        group_by,
        cluster_by,
        distribute_by,
        sort_by,
        having,
        named_window,
        qualify,
        window_before_qualify: _,
        value_table_mode,
        flavor,
    } = select;
    if distinct.is_some() {
        let reason = "DISTINCT is not accepted: it works on rows, and results here are aggregates";
        return Err(QueryError::new("DISTINCT", reason));
    }
    if having.is_some() {
        let reason = "HAVING filters groups by their exact aggregates, which would leak them; \
                      filter the released (noisy) rows instead";
        return Err(QueryError::new("HAVING", reason));
    }
    if into.is_some() {
        return Err(refuse("INTO", "SELECT … INTO"));
    }
    if top.is_some() {
        return Err(QueryError::new("TOP", "TOP is not accepted: every group of the declared domain is released"));
    }
    let other_clauses = !optimizer_hints.is_empty()
        || select_modifiers.is_some()
        || exclude.is_some()
        || !lateral_views.is_empty()
        || prewhere.is_some()
        || !connect_by.is_empty()
        || !cluster_by.is_empty()
        || !distribute_by.is_empty()
        || !sort_by.is_empty()
        || !named_window.is_empty()
        || qualify.is_some()
        || value_table_mode.is_some()
        || flavor != SelectFlavor::Standard;
    if other_clauses {
        return Err(refuse("SELECT", "this SELECT modifier or clause (hints, EXCLUDE, WINDOW, QUALIFY, …)"));
    }
    let alias = from_data(from)?;
    let group_by = match group_by {
        GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => exprs,
        _ => return Err(refuse("GROUP BY", "GROUP BY ALL, ROLLUP, CUBE or GROUPING SETS")),
    };
    Ok(Parts { projection, selection, group_by, order_by, alias })
}

/// Checks `FROM data [AS alias]` and returns the alias.
fn from_data(from: Vec<TableWithJoins>) -> Result<Option<String>, QueryError> {
    let mut from = from.into_iter();
    let (Some(TableWithJoins { relation, joins }), None) = (from.next(), from.next()) else {
        let reason = "the query must read exactly one table, FROM data (no comma joins)";
        return Err(QueryError::new("FROM", reason));
    };
    if !joins.is_empty() {
        let reason = "joins are not accepted; the dataset is the single table data";
        return Err(QueryError::new("FROM", reason));
    }
    match relation {
        TableFactor::Table {
            name,
            alias,
            args: None,
            with_hints,
            version: None,
            with_ordinality: false,
            partitions,
            json_path: None,
            sample: None,
            index_directives,
            inheritance: None,
        } if with_hints.is_empty() && partitions.is_empty() && index_directives.is_empty() => {
            let is_data = |part: &ObjectNamePart| part.as_ident().is_some_and(|i| i.value.eq_ignore_ascii_case("data"));
            let is_data = matches!(name.0.as_slice(), [part] if is_data(part));
            if !is_data {
                let reason = format!("table {name} is not accepted; the dataset is the table data");
                return Err(QueryError::new("FROM", reason));
            }
            match alias {
                None => Ok(None),
                Some(a) if a.columns.is_empty() => Ok(Some(a.name.value)),
                Some(_) => Err(refuse("FROM", "a column alias list on data")),
            }
        }
        TableFactor::Table { .. } => Err(refuse("FROM", "a table function, hint, sample or time travel")),
        TableFactor::Derived { .. } => Err(QueryError::new("FROM", "subqueries are not accepted; read FROM data")),
        _ => Err(QueryError::new("FROM", "only the table data is accepted (no table functions or joins)")),
    }
}

//! Running the rewritten SQL and laying its exact results over the declared domain: one cell per
//! domain value (combination), in domain order or ORDER BY order, with zeros where the data has no
//! row — so absent groups are released too (with noise) and their absence does not show.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use rusqlite::types::ValueRef;

use crate::error::ComputeError;
use crate::guard;
use crate::key::Key;
use crate::query::CheckedQuery;
use crate::schema::Schema;

/// One released group: its key (empty without GROUP BY) and each measurement's exact value.
pub(crate) struct Cell {
    pub(crate) key: Vec<Key>,
    pub(crate) values: Vec<i64>,
}

pub(crate) fn execute(
    db: &Path,
    schema: &Schema,
    query: &CheckedQuery,
    limit: Duration,
) -> Result<Vec<Cell>, ComputeError> {
    let mut cells = domain_cells(schema, query)?;
    let index: HashMap<Vec<Key>, usize> = cells.iter().enumerate().map(|(i, c)| (c.key.clone(), i)).collect();
    let guarded = guard::open(db, schema, limit)?;
    let mut stmt = guarded.conn.prepare(&query.sql).map_err(|e| guarded.error(e))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(query.params.iter())).map_err(|e| guarded.error(e))?;
    let kinds: Vec<_> = query.groups.iter().filter_map(|g| schema.columns.get(*g)).map(|c| c.kind).collect();
    let groups = kinds.len();
    while let Some(row) = rows.next().map_err(|e| guarded.error(e))? {
        let mut key = Vec::with_capacity(groups);
        for (i, kind) in kinds.iter().enumerate() {
            match Key::from_sql(*kind, row.get_ref(i)?) {
                Some(k) => key.push(k),
                None => break, // NULL: in no declared group
            }
        }
        let Some(cell) = index.get(&key).and_then(|at| cells.get_mut(*at)) else { continue };
        for (j, value) in cell.values.iter_mut().enumerate() {
            *value = match row.get_ref(groups + j)? {
                ValueRef::Integer(v) => v,
                ValueRef::Null => 0, // SUM over no non-NULL value
                other => {
                    return Err(ComputeError::Io(format!("unexpected {:?} for a measurement", other.data_type())));
                }
            };
        }
    }
    Ok(cells)
}

/// Every combination of the GROUP BY columns' declared values, zeroed, in release order.
fn domain_cells(schema: &Schema, query: &CheckedQuery) -> Result<Vec<Cell>, ComputeError> {
    let mut keys: Vec<Vec<Key>> = vec![Vec::new()];
    for group in &query.groups {
        let column = schema.columns.get(*group).ok_or_else(|| ComputeError::Schema("group column missing".into()))?;
        let domain = column.domain_keys()?;
        keys = keys
            .into_iter()
            .flat_map(|prefix| {
                domain.iter().map(move |value| {
                    let mut key = prefix.clone();
                    key.push(value.clone());
                    key
                })
            })
            .collect();
    }
    // Stable: ties keep the declared domain order.
    keys.sort_by(|a, b| {
        query.order.iter().fold(std::cmp::Ordering::Equal, |acc, (at, descending)| {
            acc.then_with(|| {
                let ord = match (a.get(*at), b.get(*at)) {
                    (Some(x), Some(y)) => x.order(y),
                    _ => std::cmp::Ordering::Equal,
                };
                if *descending {
                    ord.reverse()
                } else {
                    ord
                }
            })
        })
    });
    let measures = query.measures.len();
    Ok(keys.into_iter().map(|key| Cell { key, values: vec![0; measures] }).collect())
}

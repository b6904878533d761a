//! dfft's duties: what they mean ([`Duty`]), how a parsed duty is read (`duty/read.rs`) and the
//! ODRL JSON that states them (`duty/build.rs`: constructors valid against the DSP 2025-1 schemas,
//! and the default offer).
//!
//! ODRL has `delete` but nothing for what a data plane does to the bytes or for "must not pass
//! on"; those are dfft actions (`https://w3id.org/dfft/ns#pseudonymize`, `#drop`, `#generalize`,
//! `#exclude`, `#kAnonymity`, `#encrypt`, `#noOnwardTransfer`), written as full IRIs because the
//! DSP context defines no `dfft` prefix. Their parameters are the duty's constraints, with dfft
//! left operands (`dfft:field`, `dfft:granularity`, `dfft:value`, `dfft:k`). "No onward transfer"
//! is a duty rather than a prohibition of `distribute` so that it travels with the permission it
//! conditions and shows up in [`crate::Evaluation::duties`], which is what the connectors enforce.

mod build;
mod read;

pub use build::{
    default_offer, delete_after, drop_fields, encrypt, exclude, generalize, k_anonymity, no_onward_transfer,
    pseudonymize, without_target,
};

use serde::Serialize;

/// A duty, as structured values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Duty {
    /// Delete the data: at the latest `within` (an xsd:duration) after the agreement started
    /// (`elapsedTime` constraint) and/or `by` a date (`dateTime` constraint); neither = when the
    /// use ends.
    Delete {
        #[serde(skip_serializing_if = "Option::is_none")]
        within: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// Pseudonymize these fields before use (`dfft:field` constraint; empty = every direct
    /// identifier).
    Pseudonymize { fields: Vec<String> },
    /// Remove these fields (CSV columns, JSON keys) before the data leaves (`dfft:drop` with
    /// `dfft:field isAnyOf fields`; at least one).
    Drop { fields: Vec<String> },
    /// Coarsen one field (`dfft:generalize` with `dfft:field eq field` and `dfft:granularity eq
    /// to`): `to` is `year` or `month` (dates), `band:<width>` (integers, e.g. ages in bands of
    /// 10) or `prefix:<n>` (the first n characters, e.g. postcodes to regions).
    Generalize { field: String, to: String },
    /// Leave out the rows whose `field` is one of `values`, e.g. people who withdrew consent
    /// (`dfft:exclude` with `dfft:field eq field` and `dfft:value isAnyOf values`).
    Exclude { field: String, values: Vec<String> },
    /// Release only rows whose combination of quasi-identifier values is shared by at least `k`
    /// rows (`dfft:kAnonymity` with `dfft:k eq k` as an xsd:integer ≥ 1 and `dfft:field isAnyOf
    /// quasi_identifiers`).
    #[serde(rename_all = "camelCase")]
    KAnonymity { k: u64, quasi_identifiers: Vec<String> },
    /// Encrypt the data to the recipient's key (`dfft:encrypt`, no parameters).
    Encrypt,
    /// Do not pass the data on to anyone else.
    NoOnwardTransfer,
    /// Any other duty, by its compact action (e.g. `compensate`, `inform`, or a dfft action this
    /// crate does not know).
    Other { action: String },
}

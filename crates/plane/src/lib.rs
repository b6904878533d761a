//! The data plane's transforms: an agreement's duties enforced on the bytes that leave.
//!
//! An agreement may require fields dropped, fields replaced by keyed pseudonyms (stable for one
//! recipient, unlinkable across recipients), values generalized (dates to year or month, ages to
//! bands, postcodes to regions), rows excluded (people who withdrew consent) and k-anonymity over
//! declared quasi-identifiers. [`Plan::from_duties`] turns the agreement's [`policy::Duty`]s into
//! a [`Plan`] and refuses one it cannot apply, so the transfer does not start; [`check`] tests a
//! plan against the data's fields before anything is sent; [`apply`] streams the data through it
//! and returns a [`Report`] of what it did, and [`Plan::describe`] says it in words for the
//! transfer's record.
//!
//! Formats: CSV with a header ([`Format::Csv`]) and NDJSON ([`Format::Ndjson`]); see `csv_data.rs`
//! and `ndjson.rs` for how each is read and written. The identity plan is a plain buffered copy:
//! the output is the input, byte for byte. Otherwise memory does not grow with the data, except
//! k-anonymity's group counts, which grow with the number of distinct quasi-identifier
//! combinations; k-anonymity reads the source twice (count, then write).
//!
//! Pure apart from the [`Source`] and the output writer: no network, no clock, no randomness
//! (the pseudonym key is the caller's). Malformed data is a [`PlaneError`] naming its line,
//! never a panic.
//!
//! ```
//! use plane::{apply, Format, Generalization, Plan};
//!
//! let data = b"id,name,email,birth_date\n1,Ada,ada@example.org,1815-12-10\n".to_vec();
//! let plan = Plan {
//!     drop: vec!["email".into()],
//!     pseudonymize: vec!["name".into()],
//!     pseudonym_key: [7; 32],
//!     generalize: vec![("birth_date".into(), Generalization::Year)],
//!     ..Plan::none(Format::Csv)
//! };
//! let mut out = Vec::new();
//! let report = apply(&plan, &data, &mut out)?;
//! let name = plane::pseudonym(&[7; 32], "name", "Ada");
//! assert_eq!(String::from_utf8_lossy(&out), format!("id,name,birth_date\n1,{name},1815\n"));
//! assert_eq!((report.rows_in, report.rows_out), (Some(1), Some(1)));
//! # Ok::<(), plane::PlaneError>(())
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod csv_data;
mod error;
mod format;
mod from_duties;
mod generalization;
mod json_object;
mod ndjson;
mod output;
mod plan;
mod pseudonym;
mod report;
mod rules;
mod source;

use std::io::Write;

pub use error::{PlanError, PlaneError};
pub use format::Format;
pub use generalization::Generalization;
pub use plan::Plan;
pub use pseudonym::{pseudonym, PSEUDONYM_LEN};
pub use report::Report;
pub use source::Source;

/// Applies `plan` to the data `source` gives, writing the result to `out` in large chunks.
/// Before anything is written the plan is validated and checked against the CSV header or the
/// first NDJSON object. On an error, whatever was written must be discarded.
pub fn apply(plan: &Plan, source: &dyn Source, out: &mut dyn Write) -> Result<Report, PlaneError> {
    if plan.is_identity() {
        return output::copy(source, out);
    }
    plan.validate()?;
    match plan.format {
        Format::Csv => csv_data::apply(plan, source, out),
        Format::Ndjson => ndjson::apply(plan, source, out),
    }
}

/// Checks, without writing anything, that `plan` can be applied to `source`: the plan is
/// consistent and every field it names is in the CSV header or the first NDJSON object (an
/// empty NDJSON source has no fields to check). Call it before a transfer starts.
pub fn check(plan: &Plan, source: &dyn Source) -> Result<(), PlaneError> {
    if plan.is_identity() {
        return Ok(());
    }
    plan.validate()?;
    let fields = match plan.format {
        Format::Csv => csv_data::fields(source)?,
        Format::Ndjson => match ndjson::first_fields(source)? {
            Some(fields) => fields,
            None => return Ok(()),
        },
    };
    Ok(plan.check_fields(&fields)?)
}

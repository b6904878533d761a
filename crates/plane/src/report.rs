//! What applying a plan did, recorded with the transfer.

/// Counts from one [`crate::apply`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Data rows read (CSV: records after the header; NDJSON: non-blank lines). `None` for the
    /// identity plan, whose bytes are copied without being read as rows.
    pub rows_in: Option<u64>,
    /// Data rows written (CSV: not counting the header). `None` for the identity plan.
    pub rows_out: Option<u64>,
    /// Rows left out because a field had an excluded value.
    pub rows_excluded: u64,
    /// Rows left out because their quasi-identifier group had fewer than k rows.
    pub rows_suppressed: u64,
    /// Values written empty because they did not fit their generalization (e.g. `n/a` for a
    /// year), in rows written.
    pub values_suppressed: u64,
    /// Bytes written to the output.
    pub bytes_out: u64,
}

//! The suite every [`store::Store`] backend must pass.
//!
//! Each function takes an empty store. A backend's test file runs them all with
//! `store_suite!(fresh())`, where the expression (evaluated inside each async test, so it may
//! `.await`) gives `(Arc<S>, guard)`: a new empty store and whatever must live as long as it
//! (a temporary directory, a database).

pub mod concurrent;
pub mod fixtures;
pub mod listings;
pub mod queries;
pub mod writes;

pub use concurrent::{concurrent_charges_never_overspend, concurrent_commits, concurrent_conflicts};
pub use listings::{decisions_by_process, newest_first, outbox_due_and_pending};
pub use queries::{
    charges_within_and_at_budget, data_plane_fields_round_trip, epsilon_spent_sums, over_budget_fails_whole_batch,
    queries_filters_and_order,
};
pub use writes::{
    agreements_round_trip, datasets_round_trip, decisions_round_trip, duplicates_fail_whole_batch,
    failed_batches_apply_nothing, missing_records, negotiations_round_trip, outbox_round_trip, transfers_round_trip,
    versioned_updates,
};

/// One `#[tokio::test]` per suite function, each on a fresh store from `$fresh`.
macro_rules! store_suite {
    ($fresh:expr) => {
        $crate::suite::store_suite!(@by_ref $fresh;
            datasets_round_trip, negotiations_round_trip, agreements_round_trip, transfers_round_trip,
            decisions_round_trip, outbox_round_trip, duplicates_fail_whole_batch, versioned_updates,
            failed_batches_apply_nothing, missing_records, newest_first, decisions_by_process,
            outbox_due_and_pending, data_plane_fields_round_trip, charges_within_and_at_budget,
            over_budget_fails_whole_batch, epsilon_spent_sums, queries_filters_and_order);
        $crate::suite::store_suite!(@shared $fresh; concurrent_commits, concurrent_conflicts,
            concurrent_charges_never_overspend);
    };
    (@by_ref $fresh:expr; $($name:ident),+) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (store, _guard) = $fresh;
            $crate::suite::$name(&*store).await;
        }
    )+};
    (@shared $fresh:expr; $($name:ident),+) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let (store, _guard) = $fresh;
            $crate::suite::$name(store).await;
        }
    )+};
}

pub(crate) use store_suite;

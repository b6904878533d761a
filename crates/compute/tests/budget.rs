//! The ε budget's arithmetic and ε validation.

mod common;

use compute::{validate_epsilon, Budget, BudgetError, ComputeError, MAX_EPSILON, MIN_EPSILON};

#[test]
fn epsilon_must_be_finite_and_in_range() {
    for ok in [MIN_EPSILON, 0.1, 1.0, MAX_EPSILON] {
        assert_eq!(validate_epsilon(ok), Ok(ok));
    }
    for bad in [0.0, -1.0, MIN_EPSILON / 2.0, MAX_EPSILON * 1.01, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = validate_epsilon(bad).expect_err("must be refused");
        assert!(matches!(err, BudgetError::InvalidEpsilon { .. }));
        assert!(err.to_string().contains("must be a finite number from 0.000001 to 10"), "{err}");
    }
}

#[test]
fn charges_add_up_and_overspending_is_refused_naming_what_is_left() {
    let mut budget = Budget::new(1.0).expect("a valid budget");
    budget.charge(0.5).expect("within the budget");
    budget.charge(0.25).expect("within the budget");
    assert_eq!(budget.remaining(), 0.25);
    let err = budget.charge(0.5).expect_err("must be refused");
    assert_eq!(err, BudgetError::Exhausted { requested: 0.5, remaining: 0.25, total: 1.0 });
    assert_eq!(
        err.to_string(),
        "budget: this query needs epsilon 0.5 but only 0.25 of 1 is left for this consumer and dataset"
    );
    assert_eq!(budget.spent, 0.75, "a refused charge changes nothing");
    budget.charge(0.25).expect("within the budget");
    assert!(budget.charge(MIN_EPSILON).is_err());
}

#[test]
fn rounding_does_not_refuse_spending_exactly_the_total() {
    let mut budget = Budget::new(0.3).expect("a valid budget");
    budget.charge(0.1).expect("within the budget");
    budget.charge(0.2).expect("within the budget"); // 0.1 + 0.2 = 0.30000000000000004
    assert!(budget.charge(0.001).is_err());
    let mut budget = Budget::new(1.0).expect("a valid budget");
    for _ in 0..10 {
        budget.charge(0.1).expect("within the budget");
    }
    assert!(budget.charge(0.01).is_err());
}

#[test]
fn invalid_charges_and_budgets_are_refused() {
    let mut budget = Budget::new(1.0).expect("a valid budget");
    assert!(matches!(budget.charge(f64::NAN), Err(BudgetError::InvalidEpsilon { .. })));
    assert!(matches!(budget.charge(-0.1), Err(BudgetError::InvalidEpsilon { .. })));
    assert_eq!(budget.spent, 0.0);
    for (total, spent) in [(0.0, 0.0), (-1.0, 0.0), (f64::INFINITY, 0.0), (1.0, -0.5), (1.0, f64::NAN)] {
        assert!(matches!(Budget::restore(total, spent), Err(BudgetError::InvalidBudget { .. })), "{total} {spent}");
    }
    let mut corrupted = Budget { total: 1.0, spent: f64::NAN };
    assert!(corrupted.charge(0.1).is_err(), "a corrupted record grants nothing");
}

#[test]
fn run_refuses_an_invalid_epsilon_before_reading_data() {
    let schema = common::schema();
    let missing = std::path::Path::new("/nonexistent/db");
    for bad in [0.0, 11.0, f64::NAN] {
        let err = compute::run(missing, &schema, "SELECT COUNT(*) FROM data", bad, &mut common::rng(1))
            .expect_err("must be refused");
        assert!(matches!(err, ComputeError::Budget(BudgetError::InvalidEpsilon { .. })), "{err:?}");
    }
}

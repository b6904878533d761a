//! The dfft rulebook and decision engine.
//!
//! This crate owns the rulebook model (`model`), its loading and validation (`compile`), the
//! compiled decision tables and the engine (`engine`), flows as other tools write them (`flow`),
//! and the readable forms of a decision (`report`, `matrix`). It does no IO beyond reading
//! rulebook files (`Sources::from_dir`); the decision path is pure and allocation-free.
//!
//! ```
//! use rules::{Day, FlowInput, Rulebook};
//!
//! let rulebook = Rulebook::embedded().expect("the embedded rulebook is valid");
//! let input = FlowInput::from_json(
//!     r#"{"from":"DE","to":"JP","data":["personal"],"subjects":1000,"purpose":"research","as_of":"2026-06-01"}"#,
//! ).expect("valid flow");
//! let flow = rulebook.resolve(&input, Day::parse("2026-06-01").expect("date")).expect("known names");
//! let decision = rulebook.decide(&flow).expect("DE is covered");
//! assert_eq!(decision.verdict.as_str(), "allow");
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod compile;
pub mod day;
pub mod engine;
pub mod flow;
pub mod gen;
pub mod matrix;
pub mod model;
pub mod report;
pub mod rulebook;
pub mod source;
pub mod vocab;

pub use day::Day;
pub use engine::{DecideError, Decision, Flow, Verdict};
pub use flow::{FlowError, FlowInput};
pub use report::Report;
pub use rulebook::Rulebook;
pub use source::{Diagnostic, Diagnostics, Sources};

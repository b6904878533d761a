//! The 67 cases of the official DSP 2025-1 compatibility kit (eclipse-dataspacetck/dsp-tck),
//! replayed as black-box tests over real HTTP on loopback: each case starts `dfft serve --tck` in a
//! temporary node directory and plays the kit opposite it — its own callback server, its messages,
//! its HTTP rules, its state polling and schema validation of every message.
//!
//! The ids (datasets `ACN…`/`ACNC…`/`CAT…`, agreements `ATP…`/`ATPC…`) are those of the kit's
//! `config/tck/sample.tck.properties`; the node's scripted reactions to them are
//! `crates/node/src/tck.rs`.

mod harness;
mod kit;
mod messages;
#[path = "../shared/schemas.rs"]
#[allow(dead_code)] // `assert_dsp` serves the `node` target
mod schemas;

mod metadata_catalog;
mod negotiation_consumer;
mod negotiation_provider;
mod transfer_consumer;
mod transfer_provider;

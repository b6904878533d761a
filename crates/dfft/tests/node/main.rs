//! Black-box tests of a running dfft node: each test initialises node directories with the real
//! `dfft` binary, serves them on loopback ports chosen by the system, and checks what a user is
//! promised over real HTTP — the CLI's output and exit codes, the DSP 2025-1 answers (validated
//! against the official schemas), the data endpoint, the management API and `/metrics`, and what
//! survives a crash.
//!
//! Layout: `support` (processes, temp dirs, HTTP, bounded waits), `schemas` (the DSP schemas),
//! then one module per area: `by_hand` (the walkthrough), `law_and_policy`, `bad_input`,
//! `tokens`, `protocol`, `data_and_api`, `durability`, `credentials` (verifiable credentials,
//! trust lists, revocation).

#[path = "../shared/schemas.rs"]
mod schemas;
mod support;

mod bad_input;
mod by_hand;
mod compute;
mod credentials;
mod data_and_api;
mod data_plane;
mod durability;
mod governance;
mod law_and_policy;
mod protocol;
mod tokens;

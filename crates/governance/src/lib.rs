//! Endorsed rulebook releases: multistakeholder governance of the law a node applies.
//!
//! A rulebook release takes effect only when the governance bodies a node trusts have endorsed
//! it. This crate owns:
//! - [`config`]: the node's governance file ([`GovernanceConfig`]): the members (secretariat,
//!   government, advisory), their `did:key`s, and how many endorsements per [`Role`] a release
//!   needs. It is the trust anchor: a release cannot vouch for itself.
//! - [`manifest`]: a release ([`Manifest`]): name, version, effective date and the SHA-256 of every
//!   rulebook file, identified by the digest of its canonical JSON; [`Manifest::check`] says which
//!   files changed since.
//! - [`endorsement`]: a member's signed statement that it endorses one release in one role
//!   ([`endorse`]), a Data Integrity `eddsa-jcs-2022` proof.
//! - [`standing`]: whether a release is in force ([`evaluate`] → [`Standing`]), with who endorsed,
//!   which endorsements were refused and why, and what is still missing, in plain words.
//! - [`comment`]: public comments on a release, signed by anyone ([`comment()`], [`verify_comment`]).
//! - [`diff`] and [`impact`]: what a new release changes — rules added, removed and changed with
//!   their citations, and the flows whose verdict or legal basis changes.
//!
//! It is pure: it takes file contents, keys and the time as arguments and returns values; reading
//! and writing files is the caller's business. Hostile input gets an error value, never a panic.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod comment;
pub mod config;
pub mod diff;
pub mod endorsement;
pub mod impact;
pub mod manifest;
pub mod standing;

mod hex;

pub use comment::{comment, verify_comment, Comment};
pub use config::{GovernanceConfig, Member, Role, Threshold};
pub use diff::{diff, Diff};
pub use endorsement::{endorse, Endorsement};
pub use impact::{impact, Change, Outcome};
pub use manifest::{FileDigest, Manifest};
pub use standing::{evaluate, Endorser, Rejected, Standing};

#[cfg(test)]
mod testing;

//! The running dfft node.
//!
//! One HTTP port serves the Dataspace Protocol 2025-1 (catalog, contract negotiation and
//! transfer, provider and consumer sides), the data endpoint, `/metrics` and the management API.
//! Every contract request and every transfer start is decided by the offer's usage policy AND
//! the rulebook (provider's jurisdiction → consumer's), and the decision is stored with its
//! explanation. State lives in a [`store::Store`]; every state change is durable before it is
//! acknowledged, and messages to peers leave through a durable outbox with retries.
//!
//! Map: [`app`] (the shared node value, serving), [`routes`] (the DSP binding), [`negotiation`]
//! and [`transfer`] (the processes, both sides), [`consumer`] (first moves as consumer),
//! [`provider`] + [`decide`] + [`usage`] (policy and law), [`catalog`], [`data`] (the bytes),
//! [`peer`] (outbox and delivery), [`token`] (request tokens), [`credentials`] (checking
//! presented credentials), [`wallet`] (credentials held), [`issuer`] (issuing, revoking, status
//! lists), [`management`] (operator API),
//! [`config`] (the node directory), [`run`] (start and stop), [`script`]/[`tck`] (test-only
//! scripted behaviour for the compatibility kit).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
// Handlers refuse with a ready HTTP response; its size does not matter on that path.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod catalog;
pub mod client;
pub mod config;
pub mod consumer;
pub mod credentials;
pub mod data;
pub mod datasets;
pub mod decide;
pub mod enforce;
mod files;
pub mod http;
pub mod issuer;
pub mod management;
pub mod metrics;
pub mod negotiation;
pub mod peer;
pub mod provider;
mod published;
pub mod queries;
pub mod random;
mod resume;
pub mod routes;
pub mod run;
pub mod script;
mod seed;
pub mod tck;
mod tck_http;
pub mod token;
pub mod transfer;
mod update;
pub mod usage;
pub mod wallet;

pub use app::{Law, Node, ServeOptions};
pub use config::{Config, NodeDir};
pub use run::{start, Running};

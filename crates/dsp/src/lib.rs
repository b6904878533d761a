//! The Dataspace Protocol 2025-1, as values: the messages two connectors exchange and the state
//! machines that say which message may come next.
//!
//! This crate owns:
//! - the messages, as serde types in compact JSON-LD with the fixed 2025-1 [`CONTEXT`]
//!   (processed as plain JSON; contexts are identifiers, never fetched): [`catalog`]
//!   (catalog and dataset requests, DCAT [`Catalog`] / [`Dataset`] with ODRL offers in
//!   `hasPolicy`, [`CatalogError`]), [`negotiation`] (the six contract negotiation messages,
//!   [`ContractNegotiation`], [`ContractNegotiationError`]), [`transfer`] (the five transfer
//!   messages, [`TransferProcess`], [`TransferError`]), [`common`] ([`VersionResponse`] for
//!   `/.well-known/dspace-version`, DID service entries) and [`odrl`] (the ODRL 2.2 subset of
//!   offers and agreements). Each has a constructor that builds a schema-valid message;
//!   [`Message::from_json`] refuses a message of another `@type` with an error naming the field;
//! - the state machines: [`NegotiationState`] and [`TransferState`], moved by
//!   [`NegotiationMessageKind`] / [`TransferMessageKind`] sent or received by a [`Role`], with
//!   TERMINATED reachable from every non-final state;
//! - the refusals an HTTP layer maps to answers: [`TransitionError`] (400, state unchanged) and
//!   [`ProtocolError`] (also 404 for an unknown process), which build the
//!   `ContractNegotiationError` / `TransferError` body.
//!
//! It is pure: no IO, no HTTP, no clock, no randomness — process ids and timestamps are
//! arguments. Every message it builds validates against the official 2025-1 JSON Schemas
//! (`tests/schemas.rs`).
//!
//! ```
//! use dsp::{
//!     ContractNegotiation, ContractRequestMessage, Message, NegotiationMessageKind, NegotiationState, Offer,
//!     Role, Rule,
//! };
//!
//! // The provider receives a consumer's first request...
//! let body = ContractRequestMessage::initial(
//!     "urn:uuid:consumer-1",
//!     Offer::new("urn:offer:1", Rule::new("use")),
//!     "urn:dataset:cases",
//!     "https://consumer.example/callback",
//! )
//! .to_json();
//! let request = ContractRequestMessage::from_json(&body)?;
//! let state = NegotiationState::receive_first(request.kind(), Role::Provider)?;
//! assert_eq!(state, NegotiationState::Requested);
//!
//! // ...answers with the negotiation's state...
//! let answer = ContractNegotiation::new("urn:uuid:provider-1", &request.consumer_pid, state);
//! assert_eq!(answer.to_value()["state"], "REQUESTED");
//!
//! // ...and refuses a verification before any agreement: 400 with a ContractNegotiationError.
//! let refused = state.receive(NegotiationMessageKind::Verification, Role::Provider).expect_err("refused");
//! assert_eq!(refused.status(), 400);
//! let error = dsp::ProtocolError::from(refused).negotiation_error("urn:uuid:provider-1", "urn:uuid:consumer-1");
//! assert_eq!(error.to_value()["@type"], "ContractNegotiationError");
//!
//! // A message of another type is refused, naming the field.
//! let wrong = ContractNegotiation::from_json(&body).expect_err("refused");
//! assert!(wrong.to_string().starts_with("`@type` must be \"ContractNegotiation\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod catalog;
pub mod common;
mod json;
pub mod negotiation;
pub mod odrl;
mod state;
pub mod transfer;

pub use catalog::{
    AccessService, Catalog, CatalogError, CatalogRequestMessage, DataService, Dataset, DatasetRequestMessage,
    Distribution, HTTP_DATA_PULL,
};
pub use common::{Auth, Binding, DidService, DidServiceKind, Version, VersionResponse};
pub use json::{Context, Message, ParseError};
pub use negotiation::{
    ContractAgreementMessage, ContractAgreementVerificationMessage, ContractNegotiation, ContractNegotiationError,
    ContractNegotiationEventMessage, ContractNegotiationTerminationMessage, ContractOfferMessage,
    ContractRequestMessage, EventType,
};
pub use odrl::{
    Agreement, AtomicConstraint, Constraint, LogicalConstraint, Offer, Operator, Profile, RightOperand, Rule,
};
pub use state::{
    NegotiationMessageKind, NegotiationState, Process, ProtocolError, Role, TransferMessageKind, TransferState,
    TransitionError,
};
pub use transfer::{
    DataAddress, EndpointProperty, TransferCompletionMessage, TransferError, TransferProcess, TransferRequestMessage,
    TransferStartMessage, TransferSuspensionMessage, TransferTerminationMessage,
};

/// The JSON-LD context of every DSP 2025-1 message.
pub const CONTEXT: &str = "https://w3id.org/dspace/2025/1/context.jsonld";

/// The protocol version this crate speaks, as listed in `/.well-known/dspace-version`.
pub const VERSION: &str = "2025-1";

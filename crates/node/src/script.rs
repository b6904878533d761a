//! Scripted behaviour for compatibility testing: what the node does next for a dataset or
//! agreement id the DSP compatibility kit (TCK) seeds, instead of deciding by policy and law.
//!
//! Only active when the node runs with the test-only switch (`dfft serve --tck`). The table
//! itself lives in `tck.rs`; the node asks it through [`negotiation_script`] and
//! [`transfer_script`]. `None` means "not scripted: behave normally"; `Some(&[])` means "do
//! nothing and wait for the peer".

use dsp::{NegotiationMessageKind, TransferMessageKind};

pub use crate::tck::{negotiation_script, seeds, transfer_script};

/// Which side this node plays in the process being scripted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Provider,
    Consumer,
}

/// What just happened to a negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegotiationTrigger {
    /// Consumer side: our initial ContractRequestMessage was acknowledged by the provider.
    RequestAcknowledged,
    /// A message of this kind arrived from the peer and was accepted (state already moved). For
    /// `Request` this is only the request that opens a negotiation; see `CounterRequestReceived`.
    Received(NegotiationMessageKind),
    /// Provider side: a counter ContractRequestMessage (one that names our `providerPid`, sent to
    /// `/negotiations/:pid/request`) arrived and was accepted (state back to REQUESTED). The kit
    /// scripts it apart from the first request (CN:01-02 terminates, CN:03-04 waits).
    CounterRequestReceived,
}

/// What the node sends next, in order, in a negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegotiationStep {
    /// Provider: ContractOfferMessage (the dataset's offer).
    Offer,
    /// Provider: ContractAgreementMessage.
    Agree,
    /// Provider: ContractNegotiationEventMessage FINALIZED.
    Finalize,
    /// Consumer: ContractNegotiationEventMessage ACCEPTED.
    Accept,
    /// Consumer: ContractAgreementVerificationMessage.
    Verify,
    /// Consumer: a counter ContractRequestMessage (the last offer back).
    CounterRequest,
    /// Either side: ContractNegotiationTerminationMessage.
    Terminate,
}

/// What just happened to a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferTrigger {
    /// Consumer side: our TransferRequestMessage was acknowledged by the provider.
    RequestAcknowledged,
    /// A message of this kind arrived from the peer and was accepted (state already moved).
    Received(TransferMessageKind),
}

/// What the node sends next, in order, in a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferStep {
    Start,
    Suspend,
    Complete,
    Terminate,
}

/// A dataset the node must hold in TCK mode (id only; the node gives it a small non-personal
/// file and the default offer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedDataset {
    pub id: &'static str,
    /// The offer id the kit uses for it, when the kit names one (e.g. `CD123:ACN0101:456`).
    pub offer_id: Option<&'static str>,
}

/// An agreement that must already exist in TCK mode (FINALIZED negotiation, provider side or
/// consumer side), with the consumer participant id it was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedAgreement {
    pub id: &'static str,
    /// `Provider`: this node is the provider of the agreement (TP tests); `Consumer`: this node
    /// is the consumer (TP_C tests).
    pub side: Side,
    pub dataset_id: &'static str,
    /// The kit's participant id (`TCK_PARTICIPANT`).
    pub counterparty: &'static str,
}

/// All seeds.
#[derive(Debug, Clone, Default)]
pub struct Seeds {
    pub datasets: Vec<SeedDataset>,
    pub agreements: Vec<SeedAgreement>,
}

/// The kit registers its handler for a message only after it has processed the previous one
/// (its own mock connectors pause 200 ms between steps): wait before scripted step `index`.
pub async fn pause(index: usize) {
    let ms = if index == 0 { 100 } else { 250 };
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

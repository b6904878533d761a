//! Contract negotiation messages, and the negotiation as the other side sees it
//! ([`ContractNegotiation`], [`ContractNegotiationError`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{message, type_tag, Context};
use crate::odrl::{Agreement, Offer};
use crate::state::{NegotiationMessageKind, NegotiationState};

type_tag!(
    ContractRequestMessageTag = "ContractRequestMessage",
    ContractOfferMessageTag = "ContractOfferMessage",
    ContractAgreementMessageTag = "ContractAgreementMessage",
    ContractAgreementVerificationMessageTag = "ContractAgreementVerificationMessage",
    ContractNegotiationEventMessageTag = "ContractNegotiationEventMessage",
    ContractNegotiationTerminationMessageTag = "ContractNegotiationTerminationMessage",
    ContractNegotiationTag = "ContractNegotiation",
    ContractNegotiationErrorTag = "ContractNegotiationError",
);

message!(
    ContractRequestMessage = "ContractRequestMessage",
    ContractOfferMessage = "ContractOfferMessage",
    ContractAgreementMessage = "ContractAgreementMessage",
    ContractAgreementVerificationMessage = "ContractAgreementVerificationMessage",
    ContractNegotiationEventMessage = "ContractNegotiationEventMessage",
    ContractNegotiationTerminationMessage = "ContractNegotiationTerminationMessage",
    ContractNegotiation = "ContractNegotiation",
    ContractNegotiationError = "ContractNegotiationError",
);

/// Consumer → provider: asks for an offer, starting a negotiation (with `callbackAddress`, no
/// `providerPid`) or countering the provider's offer (with `providerPid`, no `callbackAddress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRequestMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: ContractRequestMessageTag,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    #[serde(rename = "providerPid", default, skip_serializing_if = "Option::is_none")]
    pub provider_pid: Option<String>,
    pub offer: Offer,
    #[serde(rename = "callbackAddress", default, skip_serializing_if = "Option::is_none")]
    pub callback_address: Option<String>,
}

impl ContractRequestMessage {
    /// The request that starts a negotiation: `offer` on dataset `target`.
    pub fn initial(
        consumer_pid: impl Into<String>,
        offer: Offer,
        target: impl Into<String>,
        callback_address: impl Into<String>,
    ) -> Self {
        ContractRequestMessage {
            context: Context::dsp(),
            ty: ContractRequestMessageTag,
            consumer_pid: consumer_pid.into(),
            provider_pid: None,
            offer: offer.with_target(target),
            callback_address: Some(callback_address.into()),
        }
    }

    /// A counter-request in a running negotiation.
    pub fn counter(
        consumer_pid: impl Into<String>,
        provider_pid: impl Into<String>,
        offer: Offer,
        target: impl Into<String>,
    ) -> Self {
        ContractRequestMessage {
            context: Context::dsp(),
            ty: ContractRequestMessageTag,
            consumer_pid: consumer_pid.into(),
            provider_pid: Some(provider_pid.into()),
            offer: offer.with_target(target),
            callback_address: None,
        }
    }

    /// Whether this request starts a negotiation (the provider has no process id yet).
    pub fn is_initial(&self) -> bool {
        self.provider_pid.is_none()
    }

    pub fn kind(&self) -> NegotiationMessageKind {
        NegotiationMessageKind::Request
    }
}

/// Provider → consumer: an offer, starting a negotiation (with `callbackAddress`, no
/// `consumerPid`) or answering a request (with `consumerPid`, no `callbackAddress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractOfferMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: ContractOfferMessageTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid", default, skip_serializing_if = "Option::is_none")]
    pub consumer_pid: Option<String>,
    pub offer: Offer,
    #[serde(rename = "callbackAddress", default, skip_serializing_if = "Option::is_none")]
    pub callback_address: Option<String>,
}

impl ContractOfferMessage {
    /// The offer that starts a provider-initiated negotiation.
    pub fn initial(
        provider_pid: impl Into<String>,
        offer: Offer,
        target: impl Into<String>,
        callback_address: impl Into<String>,
    ) -> Self {
        ContractOfferMessage {
            context: Context::dsp(),
            ty: ContractOfferMessageTag,
            provider_pid: provider_pid.into(),
            consumer_pid: None,
            offer: offer.with_target(target),
            callback_address: Some(callback_address.into()),
        }
    }

    /// An offer (or counter-offer) in a running negotiation.
    pub fn counter(
        provider_pid: impl Into<String>,
        consumer_pid: impl Into<String>,
        offer: Offer,
        target: impl Into<String>,
    ) -> Self {
        ContractOfferMessage {
            context: Context::dsp(),
            ty: ContractOfferMessageTag,
            provider_pid: provider_pid.into(),
            consumer_pid: Some(consumer_pid.into()),
            offer: offer.with_target(target),
            callback_address: None,
        }
    }

    /// Whether this offer starts a negotiation (the consumer has no process id yet).
    pub fn is_initial(&self) -> bool {
        self.consumer_pid.is_none()
    }

    pub fn kind(&self) -> NegotiationMessageKind {
        NegotiationMessageKind::Offer
    }
}

/// Provider → consumer: the agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractAgreementMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: ContractAgreementMessageTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    pub agreement: Agreement,
}

impl ContractAgreementMessage {
    pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>, agreement: Agreement) -> Self {
        ContractAgreementMessage {
            context: Context::dsp(),
            ty: ContractAgreementMessageTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
            agreement,
        }
    }

    pub fn kind(&self) -> NegotiationMessageKind {
        NegotiationMessageKind::Agreement
    }
}

/// Consumer → provider: the consumer verifies the agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractAgreementVerificationMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: ContractAgreementVerificationMessageTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
}

impl ContractAgreementVerificationMessage {
    pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>) -> Self {
        ContractAgreementVerificationMessage {
            context: Context::dsp(),
            ty: ContractAgreementVerificationMessageTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
        }
    }

    pub fn kind(&self) -> NegotiationMessageKind {
        NegotiationMessageKind::Verification
    }
}

/// The `eventType` of a [`ContractNegotiationEventMessage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventType {
    /// Consumer → provider: the consumer accepts the latest offer.
    Accepted,
    /// Provider → consumer: the provider finalizes the verified agreement.
    Finalized,
}

/// `ACCEPTED` (consumer → provider) or `FINALIZED` (provider → consumer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractNegotiationEventMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: ContractNegotiationEventMessageTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    #[serde(rename = "eventType")]
    pub event_type: EventType,
}

impl ContractNegotiationEventMessage {
    pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>, event_type: EventType) -> Self {
        ContractNegotiationEventMessage {
            context: Context::dsp(),
            ty: ContractNegotiationEventMessageTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
            event_type,
        }
    }

    pub fn kind(&self) -> NegotiationMessageKind {
        match self.event_type {
            EventType::Accepted => NegotiationMessageKind::Accepted,
            EventType::Finalized => NegotiationMessageKind::Finalized,
        }
    }
}

/// Either side → the other: the negotiation ends without agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractNegotiationTerminationMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: ContractNegotiationTerminationMessageTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Vec<Value>>,
}

impl ContractNegotiationTerminationMessage {
    pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>) -> Self {
        ContractNegotiationTerminationMessage {
            context: Context::dsp(),
            ty: ContractNegotiationTerminationMessageTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
            code: None,
            reason: None,
        }
    }

    /// Says why, with a code (e.g. what would make the flow lawful).
    pub fn because(mut self, code: impl Into<String>, reason: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self.reason = Some(vec![Value::String(reason.into())]);
        self
    }

    pub fn kind(&self) -> NegotiationMessageKind {
        NegotiationMessageKind::Termination
    }
}

/// A negotiation's current state, as returned by `GET /negotiations/:pid` and as the answer
/// (201) to a request that starts one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractNegotiation {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: ContractNegotiationTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    pub state: NegotiationState,
}

impl ContractNegotiation {
    pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>, state: NegotiationState) -> Self {
        ContractNegotiation {
            context: Context::dsp(),
            ty: ContractNegotiationTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
            state,
        }
    }
}

/// The body of a refused negotiation message (see [`crate::ProtocolError`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractNegotiationError {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: ContractNegotiationErrorTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Vec<Value>>,
}

impl ContractNegotiationError {
    pub fn new(
        provider_pid: impl Into<String>,
        consumer_pid: impl Into<String>,
        code: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ContractNegotiationError {
            context: Context::dsp(),
            ty: ContractNegotiationErrorTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
            code: Some(code.into()),
            reason: Some(vec![Value::String(reason.into())]),
        }
    }
}

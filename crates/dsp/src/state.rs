//! The contract negotiation and transfer process state machines, and the errors an HTTP layer
//! turns into 400 and 404 answers.
//!
//! A transition depends only on the current state, the kind of message and which side sent it;
//! whether the message is arriving ([`NegotiationState::receive`]) or leaving
//! ([`NegotiationState::send`]) only says who the sender is. A refused message never changes the
//! state: the functions return the new state and leave the old one to the caller.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::json::ParseError;
use crate::negotiation::ContractNegotiationError;
use crate::transfer::TransferError;

/// Which side of a negotiation or transfer a participant plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Provider,
    Consumer,
}

impl Role {
    /// The other side.
    pub fn peer(self) -> Role {
        match self {
            Role::Provider => Role::Consumer,
            Role::Consumer => Role::Provider,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Provider => "provider",
            Role::Consumer => "consumer",
        }
    }
}

/// The states of a contract negotiation (`state` of [`crate::ContractNegotiation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NegotiationState {
    Requested,
    Offered,
    Accepted,
    Agreed,
    Verified,
    Finalized,
    Terminated,
}

/// The messages that move a contract negotiation; the two events of
/// `ContractNegotiationEventMessage` are separate kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NegotiationMessageKind {
    Request,
    Offer,
    Accepted,
    Agreement,
    Verification,
    Finalized,
    Termination,
}

impl NegotiationState {
    pub const ALL: [NegotiationState; 7] = [
        NegotiationState::Requested,
        NegotiationState::Offered,
        NegotiationState::Accepted,
        NegotiationState::Agreed,
        NegotiationState::Verified,
        NegotiationState::Finalized,
        NegotiationState::Terminated,
    ];

    /// FINALIZED and TERMINATED: no message moves a negotiation out of them.
    pub fn is_terminal(self) -> bool {
        matches!(self, NegotiationState::Finalized | NegotiationState::Terminated)
    }

    /// The name used on the wire, e.g. `OFFERED`.
    pub fn as_str(self) -> &'static str {
        match self {
            NegotiationState::Requested => "REQUESTED",
            NegotiationState::Offered => "OFFERED",
            NegotiationState::Accepted => "ACCEPTED",
            NegotiationState::Agreed => "AGREED",
            NegotiationState::Verified => "VERIFIED",
            NegotiationState::Finalized => "FINALIZED",
            NegotiationState::Terminated => "TERMINATED",
        }
    }

    /// The state of the negotiation that `kind`, arriving at `role`'s side, opens: a provider
    /// receiving an initial request, or a consumer receiving an initial offer.
    pub fn receive_first(kind: NegotiationMessageKind, role: Role) -> Result<Self, TransitionError> {
        Self::step(None, kind, role.peer())
    }

    /// The state of the negotiation that `role` opens by sending `kind`.
    pub fn send_first(kind: NegotiationMessageKind, role: Role) -> Result<Self, TransitionError> {
        Self::step(None, kind, role)
    }

    /// The state after `role` receives `kind` from its peer.
    pub fn receive(self, kind: NegotiationMessageKind, role: Role) -> Result<Self, TransitionError> {
        Self::step(Some(self), kind, role.peer())
    }

    /// The state after `role` sends `kind` to its peer.
    pub fn send(self, kind: NegotiationMessageKind, role: Role) -> Result<Self, TransitionError> {
        Self::step(Some(self), kind, role)
    }

    fn step(from: Option<Self>, kind: NegotiationMessageKind, sender: Role) -> Result<Self, TransitionError> {
        use NegotiationMessageKind as M;
        use NegotiationState as S;
        let next = match (from, kind, sender) {
            (None, M::Request, Role::Consumer) => Some(S::Requested),
            (None, M::Offer, Role::Provider) => Some(S::Offered),
            (Some(S::Offered), M::Request, Role::Consumer) => Some(S::Requested),
            (Some(S::Requested), M::Offer, Role::Provider) => Some(S::Offered),
            (Some(S::Offered), M::Accepted, Role::Consumer) => Some(S::Accepted),
            (Some(S::Requested | S::Accepted), M::Agreement, Role::Provider) => Some(S::Agreed),
            (Some(S::Agreed), M::Verification, Role::Consumer) => Some(S::Verified),
            (Some(S::Verified), M::Finalized, Role::Provider) => Some(S::Finalized),
            (Some(state), M::Termination, _) if !state.is_terminal() => Some(S::Terminated),
            _ => None,
        };
        next.ok_or(TransitionError {
            process: Process::Negotiation,
            state: from.map(S::as_str),
            terminal: from.is_some_and(S::is_terminal),
            message: kind.message_type(),
            sender,
        })
    }
}

impl NegotiationMessageKind {
    pub const ALL: [NegotiationMessageKind; 7] = [
        NegotiationMessageKind::Request,
        NegotiationMessageKind::Offer,
        NegotiationMessageKind::Accepted,
        NegotiationMessageKind::Agreement,
        NegotiationMessageKind::Verification,
        NegotiationMessageKind::Finalized,
        NegotiationMessageKind::Termination,
    ];

    /// The message's `@type` (with the event for the two event messages).
    pub fn message_type(self) -> &'static str {
        match self {
            NegotiationMessageKind::Request => "ContractRequestMessage",
            NegotiationMessageKind::Offer => "ContractOfferMessage",
            NegotiationMessageKind::Accepted => "ContractNegotiationEventMessage ACCEPTED",
            NegotiationMessageKind::Agreement => "ContractAgreementMessage",
            NegotiationMessageKind::Verification => "ContractAgreementVerificationMessage",
            NegotiationMessageKind::Finalized => "ContractNegotiationEventMessage FINALIZED",
            NegotiationMessageKind::Termination => "ContractNegotiationTerminationMessage",
        }
    }
}

/// The states of a transfer process (`state` of [`crate::TransferProcess`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransferState {
    Requested,
    Started,
    Suspended,
    Completed,
    Terminated,
}

/// The messages that move a transfer process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferMessageKind {
    Request,
    Start,
    Suspension,
    Completion,
    Termination,
}

impl TransferState {
    pub const ALL: [TransferState; 5] = [
        TransferState::Requested,
        TransferState::Started,
        TransferState::Suspended,
        TransferState::Completed,
        TransferState::Terminated,
    ];

    /// COMPLETED and TERMINATED: no message moves a transfer out of them.
    pub fn is_terminal(self) -> bool {
        matches!(self, TransferState::Completed | TransferState::Terminated)
    }

    /// The name used on the wire, e.g. `STARTED`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferState::Requested => "REQUESTED",
            TransferState::Started => "STARTED",
            TransferState::Suspended => "SUSPENDED",
            TransferState::Completed => "COMPLETED",
            TransferState::Terminated => "TERMINATED",
        }
    }

    /// The state of the transfer that `kind`, arriving at `role`'s side, opens (a provider
    /// receiving a transfer request).
    pub fn receive_first(kind: TransferMessageKind, role: Role) -> Result<Self, TransitionError> {
        Self::step(None, kind, role.peer())
    }

    /// The state of the transfer that `role` opens by sending `kind` (a consumer's request).
    pub fn send_first(kind: TransferMessageKind, role: Role) -> Result<Self, TransitionError> {
        Self::step(None, kind, role)
    }

    /// The state after `role` receives `kind` from its peer.
    pub fn receive(self, kind: TransferMessageKind, role: Role) -> Result<Self, TransitionError> {
        Self::step(Some(self), kind, role.peer())
    }

    /// The state after `role` sends `kind` to its peer.
    pub fn send(self, kind: TransferMessageKind, role: Role) -> Result<Self, TransitionError> {
        Self::step(Some(self), kind, role)
    }

    fn step(from: Option<Self>, kind: TransferMessageKind, sender: Role) -> Result<Self, TransitionError> {
        use TransferMessageKind as M;
        use TransferState as S;
        let next = match (from, kind, sender) {
            (None, M::Request, Role::Consumer) => Some(S::Requested),
            (Some(S::Requested), M::Start, Role::Provider) => Some(S::Started),
            // Either side may resume a suspended transfer (TCK TP:01-04, TP:02-04).
            (Some(S::Suspended), M::Start, _) => Some(S::Started),
            (Some(S::Started), M::Suspension, _) => Some(S::Suspended),
            (Some(S::Started), M::Completion, _) => Some(S::Completed),
            (Some(state), M::Termination, _) if !state.is_terminal() => Some(S::Terminated),
            _ => None,
        };
        next.ok_or(TransitionError {
            process: Process::Transfer,
            state: from.map(S::as_str),
            terminal: from.is_some_and(S::is_terminal),
            message: kind.message_type(),
            sender,
        })
    }
}

impl TransferMessageKind {
    pub const ALL: [TransferMessageKind; 5] = [
        TransferMessageKind::Request,
        TransferMessageKind::Start,
        TransferMessageKind::Suspension,
        TransferMessageKind::Completion,
        TransferMessageKind::Termination,
    ];

    /// The message's `@type`.
    pub fn message_type(self) -> &'static str {
        match self {
            TransferMessageKind::Request => "TransferRequestMessage",
            TransferMessageKind::Start => "TransferStartMessage",
            TransferMessageKind::Suspension => "TransferSuspensionMessage",
            TransferMessageKind::Completion => "TransferCompletionMessage",
            TransferMessageKind::Termination => "TransferTerminationMessage",
        }
    }
}

/// Which state machine refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    Negotiation,
    Transfer,
}

impl Process {
    fn name(self) -> &'static str {
        match self {
            Process::Negotiation => "contract negotiation",
            Process::Transfer => "transfer process",
        }
    }
}

/// A message the state machine does not allow in the current state (or from that sender).
/// Always answered with 400; the state does not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub process: Process,
    /// The current state's wire name, or `None` when the message would open a process.
    pub state: Option<&'static str>,
    /// Whether the current state is final.
    pub terminal: bool,
    /// The refused message's `@type`.
    pub message: &'static str,
    pub sender: Role,
}

impl TransitionError {
    /// The HTTP status: an invalid transition is a client error, never 404.
    pub fn status(&self) -> u16 {
        400
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (process, message, sender) = (self.process.name(), self.message, self.sender.name());
        match self.state {
            None => write!(f, "a {message} from the {sender} cannot open a {process}"),
            Some(state) if self.terminal => {
                write!(f, "the {process} is {state}, a final state; a {message} from the {sender} cannot change it")
            }
            Some(state) => write!(f, "a {process} in state {state} does not accept a {message} from the {sender}"),
        }
    }
}

impl std::error::Error for TransitionError {}

/// Everything a DSP endpoint can refuse, with the HTTP status and the DSP error body to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// No negotiation or transfer has this process id: 404.
    UnknownProcess { pid: String },
    /// The message is not allowed in the process's state: 400, state unchanged.
    InvalidTransition(TransitionError),
    /// The body is not the message the endpoint takes: 400.
    InvalidMessage(ParseError),
}

impl ProtocolError {
    pub fn status(&self) -> u16 {
        match self {
            ProtocolError::UnknownProcess { .. } => 404,
            ProtocolError::InvalidTransition(e) => e.status(),
            ProtocolError::InvalidMessage(_) => 400,
        }
    }

    /// The `code` of the error body.
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::UnknownProcess { .. } => "unknown-process",
            ProtocolError::InvalidTransition(_) => "invalid-transition",
            ProtocolError::InvalidMessage(_) => "invalid-message",
        }
    }

    /// The body for a negotiation endpoint.
    pub fn negotiation_error(
        &self,
        provider_pid: impl Into<String>,
        consumer_pid: impl Into<String>,
    ) -> ContractNegotiationError {
        ContractNegotiationError::new(provider_pid, consumer_pid, self.code(), self.to_string())
    }

    /// The body for a transfer endpoint.
    pub fn transfer_error(&self, provider_pid: impl Into<String>, consumer_pid: impl Into<String>) -> TransferError {
        TransferError::new(provider_pid, consumer_pid, self.code(), self.to_string())
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::UnknownProcess { pid } => write!(f, "no process with id \"{pid}\""),
            ProtocolError::InvalidTransition(e) => e.fmt(f),
            ProtocolError::InvalidMessage(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ProtocolError {}

impl From<TransitionError> for ProtocolError {
    fn from(e: TransitionError) -> Self {
        ProtocolError::InvalidTransition(e)
    }
}

impl From<ParseError> for ProtocolError {
    fn from(e: ParseError) -> Self {
        ProtocolError::InvalidMessage(e)
    }
}

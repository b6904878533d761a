//! Transfer process messages, and the transfer as the other side sees it ([`TransferProcess`],
//! [`TransferError`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{message, non_empty, type_tag, Context};
use crate::state::{TransferMessageKind, TransferState};

type_tag!(
    TransferRequestMessageTag = "TransferRequestMessage",
    TransferStartMessageTag = "TransferStartMessage",
    TransferSuspensionMessageTag = "TransferSuspensionMessage",
    TransferCompletionMessageTag = "TransferCompletionMessage",
    TransferTerminationMessageTag = "TransferTerminationMessage",
    TransferProcessTag = "TransferProcess",
    TransferErrorTag = "TransferError",
    DataAddressTag = "DataAddress",
    EndpointPropertyTag = "EndpointProperty",
);

message!(
    TransferRequestMessage = "TransferRequestMessage",
    TransferStartMessage = "TransferStartMessage",
    TransferSuspensionMessage = "TransferSuspensionMessage",
    TransferCompletionMessage = "TransferCompletionMessage",
    TransferTerminationMessage = "TransferTerminationMessage",
    TransferProcess = "TransferProcess",
    TransferError = "TransferError",
);

/// Where data is pushed to or pulled from, and the credentials to do it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataAddress {
    #[serde(rename = "@type")]
    ty: DataAddressTag,
    #[serde(rename = "endpointType")]
    pub endpoint_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(
        rename = "endpointProperties",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "non_empty::endpoint_properties"
    )]
    pub endpoint_properties: Vec<EndpointProperty>,
}

impl DataAddress {
    pub fn new(endpoint_type: impl Into<String>, endpoint: impl Into<String>) -> Self {
        DataAddress {
            ty: DataAddressTag,
            endpoint_type: endpoint_type.into(),
            endpoint: Some(endpoint.into()),
            endpoint_properties: Vec::new(),
        }
    }

    /// Adds a property, e.g. `authorization` with a bearer token.
    pub fn with_property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.endpoint_properties.push(EndpointProperty {
            ty: EndpointPropertyTag,
            name: name.into(),
            value: value.into(),
        });
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointProperty {
    #[serde(rename = "@type")]
    ty: EndpointPropertyTag,
    pub name: String,
    pub value: String,
}

/// Consumer → provider: start a transfer under an agreement, in a format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferRequestMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: TransferRequestMessageTag,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    #[serde(rename = "agreementId")]
    pub agreement_id: String,
    pub format: String,
    /// Only for push transfers: where the provider should send the data.
    #[serde(rename = "dataAddress", default, skip_serializing_if = "Option::is_none")]
    pub data_address: Option<DataAddress>,
    #[serde(rename = "callbackAddress")]
    pub callback_address: String,
}

impl TransferRequestMessage {
    pub fn new(
        consumer_pid: impl Into<String>,
        agreement_id: impl Into<String>,
        format: impl Into<String>,
        callback_address: impl Into<String>,
    ) -> Self {
        TransferRequestMessage {
            context: Context::dsp(),
            ty: TransferRequestMessageTag,
            consumer_pid: consumer_pid.into(),
            agreement_id: agreement_id.into(),
            format: format.into(),
            data_address: None,
            callback_address: callback_address.into(),
        }
    }

    /// Sets the push destination.
    pub fn push_to(mut self, data_address: DataAddress) -> Self {
        self.data_address = Some(data_address);
        self
    }

    pub fn kind(&self) -> TransferMessageKind {
        TransferMessageKind::Request
    }
}

/// Provider → consumer (or either side, resuming a suspended transfer): the transfer runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferStartMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: TransferStartMessageTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    /// Only for pull transfers: where the consumer fetches the data.
    #[serde(rename = "dataAddress", default, skip_serializing_if = "Option::is_none")]
    pub data_address: Option<DataAddress>,
}

impl TransferStartMessage {
    pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>) -> Self {
        TransferStartMessage {
            context: Context::dsp(),
            ty: TransferStartMessageTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
            data_address: None,
        }
    }

    /// Sets the pull source.
    pub fn pull_from(mut self, data_address: DataAddress) -> Self {
        self.data_address = Some(data_address);
        self
    }

    pub fn kind(&self) -> TransferMessageKind {
        TransferMessageKind::Start
    }
}

macro_rules! coded_transfer_message {
    ($(#[$doc:meta])* $name:ident, $tag:ident, $kind:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            #[serde(rename = "@context")]
            context: Context,
            #[serde(rename = "@type")]
            ty: $tag,
            #[serde(rename = "providerPid")]
            pub provider_pid: String,
            #[serde(rename = "consumerPid")]
            pub consumer_pid: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub code: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub reason: Option<Vec<Value>>,
        }

        impl $name {
            pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>) -> Self {
                $name {
                    context: Context::dsp(),
                    ty: $tag,
                    provider_pid: provider_pid.into(),
                    consumer_pid: consumer_pid.into(),
                    code: None,
                    reason: None,
                }
            }

            /// Says why, with a code.
            pub fn because(mut self, code: impl Into<String>, reason: impl Into<String>) -> Self {
                self.code = Some(code.into());
                self.reason = Some(vec![Value::String(reason.into())]);
                self
            }

            pub fn kind(&self) -> TransferMessageKind {
                TransferMessageKind::$kind
            }
        }
    };
}

coded_transfer_message!(
    /// Either side → the other: pause a started transfer.
    TransferSuspensionMessage,
    TransferSuspensionMessageTag,
    Suspension
);
coded_transfer_message!(
    /// Either side → the other: end a transfer without completing it.
    TransferTerminationMessage,
    TransferTerminationMessageTag,
    Termination
);

/// Either side → the other: the transfer is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferCompletionMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: TransferCompletionMessageTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
}

impl TransferCompletionMessage {
    pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>) -> Self {
        TransferCompletionMessage {
            context: Context::dsp(),
            ty: TransferCompletionMessageTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
        }
    }

    pub fn kind(&self) -> TransferMessageKind {
        TransferMessageKind::Completion
    }
}

/// A transfer's current state, as returned by `GET /transfers/:pid` and as the answer (201) to
/// a transfer request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferProcess {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: TransferProcessTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    pub state: TransferState,
}

impl TransferProcess {
    pub fn new(provider_pid: impl Into<String>, consumer_pid: impl Into<String>, state: TransferState) -> Self {
        TransferProcess {
            context: Context::dsp(),
            ty: TransferProcessTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
            state,
        }
    }
}

/// The body of a refused transfer message (see [`crate::ProtocolError`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferError {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: TransferErrorTag,
    #[serde(rename = "providerPid")]
    pub provider_pid: String,
    #[serde(rename = "consumerPid")]
    pub consumer_pid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Vec<Value>>,
}

impl TransferError {
    pub fn new(
        provider_pid: impl Into<String>,
        consumer_pid: impl Into<String>,
        code: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        TransferError {
            context: Context::dsp(),
            ty: TransferErrorTag,
            provider_pid: provider_pid.into(),
            consumer_pid: consumer_pid.into(),
            code: Some(code.into()),
            reason: Some(vec![Value::String(reason.into())]),
        }
    }
}

//! Every example message of the DSP 2025-1 specification parses into its type and prints back
//! to the same JSON; a message of another type is refused, naming `@type`.

mod support;

use dsp::*;
use serde_json::Value;

/// Parses `value` as `T` and prints it back.
fn round_trip<T: Message>(value: &Value) -> Result<Value, ParseError> {
    T::from_value(value.clone()).map(|message| message.to_value())
}

fn round_trip_plain<T: serde::Serialize + serde::de::DeserializeOwned>(value: &Value) -> Result<Value, ParseError> {
    serde_json::from_value::<T>(value.clone())
        .map(|message| serde_json::to_value(message).expect("serializable"))
        .map_err(|e| ParseError::Invalid { message: "plain", detail: e.to_string() })
}

type RoundTrip = fn(&Value) -> Result<Value, ParseError>;

/// Each example file and the type it is an instance of.
const EXAMPLES: &[(&str, RoundTrip)] = &[
    ("catalog/example/catalog-error.json", round_trip::<CatalogError>),
    ("catalog/example/catalog-request-message.json", round_trip::<CatalogRequestMessage>),
    ("catalog/example/catalog.json", round_trip::<Catalog>),
    ("catalog/example/dataset-request-message.json", round_trip::<DatasetRequestMessage>),
    ("catalog/example/dataset.json", round_trip::<Dataset>),
    ("catalog/example/nested-catalog.json", round_trip::<Catalog>),
    ("common/example/catalogservice-did-service.json", round_trip_plain::<DidService>),
    ("common/example/dataservice-did-service.json", round_trip_plain::<DidService>),
    ("common/example/protocol-version.json", round_trip_plain::<VersionResponse>),
    ("negotiation/example/contract-agreement-message-full.json", round_trip::<ContractAgreementMessage>),
    ("negotiation/example/contract-agreement-message.json", round_trip::<ContractAgreementMessage>),
    (
        "negotiation/example/contract-agreement-verification-message.json",
        round_trip::<ContractAgreementVerificationMessage>,
    ),
    ("negotiation/example/contract-negotiation-error.json", round_trip::<ContractNegotiationError>),
    ("negotiation/example/contract-negotiation-event-message.json", round_trip::<ContractNegotiationEventMessage>),
    (
        "negotiation/example/contract-negotiation-termination-message.json",
        round_trip::<ContractNegotiationTerminationMessage>,
    ),
    ("negotiation/example/contract-negotiation.json", round_trip::<ContractNegotiation>),
    ("negotiation/example/contract-offer-message.json", round_trip::<ContractOfferMessage>),
    ("negotiation/example/contract-offer-message_initial.json", round_trip::<ContractOfferMessage>),
    ("negotiation/example/contract-request-message.json", round_trip::<ContractRequestMessage>),
    ("negotiation/example/contract-request-message_initial.json", round_trip::<ContractRequestMessage>),
    ("transfer/example/transfer-completion-message.json", round_trip::<TransferCompletionMessage>),
    ("transfer/example/transfer-error.json", round_trip::<TransferError>),
    ("transfer/example/transfer-process.json", round_trip::<TransferProcess>),
    ("transfer/example/transfer-request-message.json", round_trip::<TransferRequestMessage>),
    ("transfer/example/transfer-start-message.json", round_trip::<TransferStartMessage>),
    ("transfer/example/transfer-suspension-message.json", round_trip::<TransferSuspensionMessage>),
    ("transfer/example/transfer-termination-message.json", round_trip::<TransferTerminationMessage>),
];

#[test]
fn the_table_lists_every_example_in_the_spec_folder() {
    let listed: Vec<&str> = EXAMPLES.iter().map(|(path, _)| *path).collect();
    assert_eq!(listed, support::files("example", ".json"));
}

#[test]
fn every_example_parses_and_prints_back_unchanged() {
    for (path, round_trip) in EXAMPLES {
        let original = support::read_json(&support::spec_dir().join(path));
        let printed = round_trip(&original).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(printed, original, "{path}");
    }
}

#[test]
fn a_message_of_another_type_is_refused_naming_the_field() {
    let offer = support::read_json(&support::spec_dir().join("negotiation/example/contract-offer-message.json"));
    let error = ContractRequestMessage::from_value(offer).expect_err("refused");
    assert_eq!(
        error,
        ParseError::WrongType { expected: "ContractRequestMessage", found: "\"ContractOfferMessage\"".into() }
    );
    assert_eq!(error.to_string(), "`@type` must be \"ContractRequestMessage\", found \"ContractOfferMessage\"");

    let untyped =
        r#"{"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "providerPid": "p", "consumerPid": "c"}"#;
    assert_eq!(
        TransferCompletionMessage::from_json(untyped).expect_err("refused").to_string(),
        "missing field `@type` (expected \"TransferCompletionMessage\")"
    );
}

#[test]
fn a_nested_value_of_another_type_is_refused_naming_the_field() {
    let mut message =
        support::read_json(&support::spec_dir().join("negotiation/example/contract-agreement-message.json"));
    message["agreement"]["@type"] = "Offer".into();
    let error = ContractAgreementMessage::from_value(message).expect_err("refused").to_string();
    assert!(
        error.starts_with("invalid ContractAgreementMessage: `@type` must be \"Agreement\", found \"Offer\""),
        "{error}"
    );
}

#[test]
fn a_message_without_the_dsp_context_is_refused() {
    let text = r#"{"@context": ["https://example.com/other.jsonld"], "@type": "TransferCompletionMessage",
                   "providerPid": "p", "consumerPid": "c"}"#;
    let error = TransferCompletionMessage::from_json(text).expect_err("refused").to_string();
    assert!(error.contains("`@context` must contain \"https://w3id.org/dspace/2025/1/context.jsonld\""), "{error}");
}

#[test]
fn a_missing_field_is_named() {
    let text = r#"{"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "TransferStartMessage",
                   "providerPid": "p"}"#;
    assert_eq!(
        TransferStartMessage::from_json(text).expect_err("refused").to_string(),
        "invalid TransferStartMessage: missing field `consumerPid`"
    );
}

#[test]
fn an_unknown_state_or_operator_is_refused() {
    let text = r#"{"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "TransferProcess",
                   "providerPid": "p", "consumerPid": "c", "state": "PAUSED"}"#;
    assert!(TransferProcess::from_json(text).is_err());
    let rule = r#"{"action": "use", "constraint": [{"leftOperand": "a", "operator": "like", "rightOperand": "b"}]}"#;
    assert!(serde_json::from_str::<Rule>(rule).is_err());
}

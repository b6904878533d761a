//! Every message this crate builds validates against the official DSP 2025-1 JSON Schemas,
//! loaded from the spec folder with every `$ref` resolved locally (never over the network).

mod support;

use std::collections::HashMap;

use dsp::*;
use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::Value;

/// Serves the spec folder's schemas by `$id`; any other URI is an error, so a reference that
/// would need the network fails the test instead of being fetched.
struct LocalSchemas(HashMap<String, Value>);

impl Retrieve for LocalSchemas {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0.get(uri.as_str()).cloned().ok_or_else(|| format!("not in the spec folder: {}", uri.as_str()).into())
    }
}

/// The published `#definitions/X` references lack the slash of a JSON Pointer (see SOURCE.md);
/// read them as `#/definitions/X`.
fn fix_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(target) if key == "$ref" && target.contains("#definitions/") => {
                        *target = target.replace("#definitions/", "#/definitions/");
                    }
                    _ => fix_refs(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fix_refs),
        _ => {}
    }
}

struct Schemas {
    /// Schema file (relative to the spec folder) → schema.
    by_file: HashMap<String, Value>,
    local: HashMap<String, Value>,
}

impl Schemas {
    fn load() -> Schemas {
        let mut by_file = HashMap::new();
        let mut local = HashMap::new();
        for file in support::files("", "-schema.json") {
            let mut schema = support::read_json(&support::spec_dir().join(&file));
            fix_refs(&mut schema);
            let id = schema["$id"].as_str().unwrap_or_else(|| panic!("{file} has no $id")).to_owned();
            local.insert(id, schema.clone());
            by_file.insert(file, schema);
        }
        Schemas { by_file, local }
    }

    fn validator(&self, file: &str) -> Validator {
        let schema = self.by_file.get(file).unwrap_or_else(|| panic!("no schema {file}"));
        jsonschema::options()
            .with_draft(Draft::Draft201909)
            .with_retriever(LocalSchemas(self.local.clone()))
            .build(schema)
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    fn errors(&self, file: &str, instance: &Value) -> Vec<String> {
        let validator = self.validator(file);
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
    }

    fn assert_valid(&self, file: &str, instance: &Value) {
        let errors = self.errors(file, instance);
        assert!(errors.is_empty(), "{file}: {instance:#}\n{}", errors.join("\n"));
    }
}

const PROVIDER_PID: &str = "urn:uuid:provider-pid";
const CONSUMER_PID: &str = "urn:uuid:consumer-pid";
const DATASET: &str = "urn:dataset:rw-health-cases";

fn offer() -> Offer {
    Offer::new(
        "urn:offer:cases-research",
        Rule::new("use").constrained(Constraint::atomic("purpose", Operator::Eq, "research")),
    )
}

fn rich_offer() -> Offer {
    let mut offer = offer()
        .permit(Rule::new("use").constrained(Constraint::Logical(LogicalConstraint::Or(vec![
            Constraint::atomic("spatial", Operator::IsAnyOf, RightOperand::Array(vec!["JP".into(), "RW".into()])),
            Constraint::Logical(LogicalConstraint::And(vec![
                Constraint::atomic("dateTime", Operator::Lteq, "2027-01-01T00:00:00Z"),
                Constraint::atomic("recipient", Operator::TermLteq, "urn:example:tokyo-institute"),
            ])),
        ]))))
        .prohibit(Rule::new("distribute"))
        .oblige(Rule::new("delete").constrained(Constraint::atomic("elapsedTime", Operator::Lteq, "P180D")));
    offer.profile = Some(Profile::One("https://w3id.org/dfft/odrl-profile".into()));
    offer
}

fn agreement() -> Agreement {
    Agreement::from_offer(
        "urn:agreement:1",
        &rich_offer(),
        DATASET,
        "did:web:health.example.rw",
        "did:web:institute.example.jp",
    )
    .at("2026-06-01T09:00:00Z")
}

fn data_address() -> DataAddress {
    DataAddress::new("https://w3id.org/idsa/v4.1/HTTP", "https://provider.example/data/cases")
        .with_property("authorization", "token")
        .with_property("authType", "bearer")
}

/// Every constructed message, with the schema file it must satisfy.
fn constructed() -> Vec<(&'static str, Value)> {
    let service = DataService::new("urn:service:dsp", "https://provider.example/api/dsp/2025-1");
    let dataset =
        Dataset::new(DATASET, rich_offer().with_target(DATASET), Distribution::http_data_pull("urn:service:dsp"))
            .with_offer(offer())
            .with_distribution(Distribution::served_by("HttpData-PULL", service.clone()));
    let catalog = Catalog::new("urn:catalog:root", "did:web:health.example.rw")
        .with_service(service.clone())
        .with_dataset(dataset.clone())
        .with_catalog(
            Catalog::nested("urn:catalog:sub")
                .with_service(service.clone())
                .with_distribution(Distribution::new("Catalog", "urn:service:dsp"))
                .with_dataset(dataset.clone()),
        );
    let refusals = [
        ProtocolError::UnknownProcess { pid: "urn:uuid:nobody".into() },
        ProtocolError::from(
            NegotiationState::Offered
                .receive(NegotiationMessageKind::Verification, Role::Provider)
                .expect_err("refused"),
        ),
        ProtocolError::from(ContractRequestMessage::from_json("{}").expect_err("refused")),
    ];

    let mut all: Vec<(&'static str, Value)> = vec![
        ("catalog/catalog-request-message-schema.json", CatalogRequestMessage::new().to_value()),
        (
            "catalog/catalog-request-message-schema.json",
            CatalogRequestMessage::filtered(vec![serde_json::json!({"keyword": "health"})]).to_value(),
        ),
        ("catalog/dataset-request-message-schema.json", DatasetRequestMessage::new(DATASET).to_value()),
        ("catalog/catalog-schema.json", catalog.to_value()),
        ("catalog/catalog-schema.json", Catalog::new("urn:catalog:empty", "did:web:a.example").to_value()),
        ("catalog/dataset-schema.json", dataset.to_value()),
        ("catalog/catalog-error-schema.json", CatalogError::new("not-found", "no dataset \"x\"").to_value()),
        (
            "common/protocol-version-schema.json",
            serde_json::to_value(VersionResponse::dsp_2025_1("/api/dsp/2025-1")).expect("serializable"),
        ),
        (
            "common/did-service-schema.json",
            serde_json::to_value(DidService::catalog_service("did:web:a.example#dsp", "https://a.example/api/catalog"))
                .expect("serializable"),
        ),
        (
            "negotiation/contract-request-message-schema.json",
            ContractRequestMessage::initial(CONSUMER_PID, offer(), DATASET, "https://consumer.example/cb").to_value(),
        ),
        (
            "negotiation/contract-request-message-schema.json",
            ContractRequestMessage::counter(CONSUMER_PID, PROVIDER_PID, rich_offer(), DATASET).to_value(),
        ),
        (
            "negotiation/contract-offer-message-schema.json",
            ContractOfferMessage::initial(PROVIDER_PID, offer(), DATASET, "https://provider.example/cb").to_value(),
        ),
        (
            "negotiation/contract-offer-message-schema.json",
            ContractOfferMessage::counter(PROVIDER_PID, CONSUMER_PID, rich_offer(), DATASET).to_value(),
        ),
        (
            "negotiation/contract-agreement-message-schema.json",
            ContractAgreementMessage::new(PROVIDER_PID, CONSUMER_PID, agreement()).to_value(),
        ),
        (
            "negotiation/contract-agreement-message-schema.json",
            ContractAgreementMessage::new(
                PROVIDER_PID,
                CONSUMER_PID,
                Agreement::new("urn:agreement:2", DATASET, "did:web:p.example", "did:web:c.example", Rule::new("use")),
            )
            .to_value(),
        ),
        ("negotiation/contract-schema.json", serde_json::to_value(agreement()).expect("serializable")),
        (
            "negotiation/contract-agreement-verification-message-schema.json",
            ContractAgreementVerificationMessage::new(PROVIDER_PID, CONSUMER_PID).to_value(),
        ),
        (
            "negotiation/contract-negotiation-event-message-schema.json",
            ContractNegotiationEventMessage::new(PROVIDER_PID, CONSUMER_PID, EventType::Accepted).to_value(),
        ),
        (
            "negotiation/contract-negotiation-event-message-schema.json",
            ContractNegotiationEventMessage::new(PROVIDER_PID, CONSUMER_PID, EventType::Finalized).to_value(),
        ),
        (
            "negotiation/contract-negotiation-termination-message-schema.json",
            ContractNegotiationTerminationMessage::new(PROVIDER_PID, CONSUMER_PID).to_value(),
        ),
        (
            "negotiation/contract-negotiation-termination-message-schema.json",
            ContractNegotiationTerminationMessage::new(PROVIDER_PID, CONSUMER_PID)
                .because("unlawful", "RW → US health data needs the authority's approval")
                .to_value(),
        ),
        (
            "transfer/transfer-request-message-schema.json",
            TransferRequestMessage::new(CONSUMER_PID, "urn:agreement:1", HTTP_DATA_PULL, "https://consumer.example/cb")
                .to_value(),
        ),
        (
            "transfer/transfer-request-message-schema.json",
            TransferRequestMessage::new(
                CONSUMER_PID,
                "urn:agreement:1",
                "HttpData-PUSH",
                "https://consumer.example/cb",
            )
            .push_to(data_address())
            .to_value(),
        ),
        (
            "transfer/transfer-start-message-schema.json",
            TransferStartMessage::new(PROVIDER_PID, CONSUMER_PID).to_value(),
        ),
        (
            "transfer/transfer-start-message-schema.json",
            TransferStartMessage::new(PROVIDER_PID, CONSUMER_PID).pull_from(data_address()).to_value(),
        ),
        ("transfer/data-address-schema.json", serde_json::to_value(data_address()).expect("serializable")),
        (
            "transfer/transfer-suspension-message-schema.json",
            TransferSuspensionMessage::new(PROVIDER_PID, CONSUMER_PID).to_value(),
        ),
        (
            "transfer/transfer-suspension-message-schema.json",
            TransferSuspensionMessage::new(PROVIDER_PID, CONSUMER_PID).because("paused", "consent review").to_value(),
        ),
        (
            "transfer/transfer-completion-message-schema.json",
            TransferCompletionMessage::new(PROVIDER_PID, CONSUMER_PID).to_value(),
        ),
        (
            "transfer/transfer-termination-message-schema.json",
            TransferTerminationMessage::new(PROVIDER_PID, CONSUMER_PID).to_value(),
        ),
        (
            "transfer/transfer-termination-message-schema.json",
            TransferTerminationMessage::new(PROVIDER_PID, CONSUMER_PID)
                .because("revoked", "consent withdrawn")
                .to_value(),
        ),
    ];
    for state in NegotiationState::ALL {
        all.push((
            "negotiation/contract-negotiation-schema.json",
            ContractNegotiation::new(PROVIDER_PID, CONSUMER_PID, state).to_value(),
        ));
    }
    for state in TransferState::ALL {
        all.push((
            "transfer/transfer-process-schema.json",
            TransferProcess::new(PROVIDER_PID, CONSUMER_PID, state).to_value(),
        ));
    }
    for refusal in &refusals {
        all.push((
            "negotiation/contract-negotiation-error-schema.json",
            refusal.negotiation_error(PROVIDER_PID, CONSUMER_PID).to_value(),
        ));
        all.push((
            "transfer/transfer-error-schema.json",
            refusal.transfer_error(PROVIDER_PID, CONSUMER_PID).to_value(),
        ));
    }
    all
}

#[test]
fn every_constructed_message_is_schema_valid() {
    let schemas = Schemas::load();
    for (file, message) in constructed() {
        schemas.assert_valid(file, &message);
    }
}

#[test]
fn every_schema_is_exercised_by_a_constructed_message() {
    let exercised: std::collections::BTreeSet<&str> = constructed().iter().map(|(file, _)| *file).collect();
    // `context-schema.json` and `transfer-schema.json` are fragments every message schema refers to.
    let fragments = ["common/context-schema.json", "transfer/transfer-schema.json"];
    let missing: Vec<String> = support::files("", "-schema.json")
        .into_iter()
        .filter(|file| !exercised.contains(file.as_str()) && !fragments.contains(&file.as_str()))
        .collect();
    assert!(missing.is_empty(), "no constructed message for {missing:?}");
}

/// Checks the loader itself: with the `#definitions` fix every example validates, except the one
/// SOURCE.md lists as failing its own schema.
#[test]
fn the_spec_examples_validate_against_their_schemas() {
    let schemas = Schemas::load();
    let schema_of = |example: &str| -> &'static str {
        match example.rsplit('/').next().unwrap_or_default() {
            "catalog-error.json" => "catalog/catalog-error-schema.json",
            "catalog-request-message.json" => "catalog/catalog-request-message-schema.json",
            "catalog.json" | "nested-catalog.json" => "catalog/catalog-schema.json",
            "dataset-request-message.json" => "catalog/dataset-request-message-schema.json",
            "dataset.json" => "catalog/dataset-schema.json",
            "catalogservice-did-service.json" | "dataservice-did-service.json" => "common/did-service-schema.json",
            "protocol-version.json" => "common/protocol-version-schema.json",
            "contract-agreement-message-full.json" | "contract-agreement-message.json" => {
                "negotiation/contract-agreement-message-schema.json"
            }
            "contract-agreement-verification-message.json" => {
                "negotiation/contract-agreement-verification-message-schema.json"
            }
            "contract-negotiation-error.json" => "negotiation/contract-negotiation-error-schema.json",
            "contract-negotiation-event-message.json" => "negotiation/contract-negotiation-event-message-schema.json",
            "contract-negotiation-termination-message.json" => {
                "negotiation/contract-negotiation-termination-message-schema.json"
            }
            "contract-negotiation.json" => "negotiation/contract-negotiation-schema.json",
            "contract-offer-message.json" | "contract-offer-message_initial.json" => {
                "negotiation/contract-offer-message-schema.json"
            }
            "contract-request-message.json" | "contract-request-message_initial.json" => {
                "negotiation/contract-request-message-schema.json"
            }
            "transfer-completion-message.json" => "transfer/transfer-completion-message-schema.json",
            "transfer-error.json" => "transfer/transfer-error-schema.json",
            "transfer-process.json" => "transfer/transfer-process-schema.json",
            "transfer-request-message.json" => "transfer/transfer-request-message-schema.json",
            "transfer-start-message.json" => "transfer/transfer-start-message-schema.json",
            "transfer-suspension-message.json" => "transfer/transfer-suspension-message-schema.json",
            "transfer-termination-message.json" => "transfer/transfer-termination-message-schema.json",
            other => panic!("no schema known for example {other}"),
        }
    };
    for example in support::files("example", ".json") {
        let instance = support::read_json(&support::spec_dir().join(&example));
        let errors = schemas.errors(schema_of(&example), &instance);
        if example == "common/example/dataservice-did-service.json" {
            assert!(!errors.is_empty(), "SOURCE.md says {example} fails its schema; it now passes");
        } else {
            assert!(errors.is_empty(), "{example}:\n{}", errors.join("\n"));
        }
    }
}

/// The validator is not a rubber stamp: messages that break the schema are refused.
#[test]
fn schema_violations_are_caught() {
    let schemas = Schemas::load();
    let mut both = ContractRequestMessage::counter(CONSUMER_PID, PROVIDER_PID, offer(), DATASET);
    both.callback_address = Some("https://consumer.example/cb".into());
    assert!(!schemas.errors("negotiation/contract-request-message-schema.json", &both.to_value()).is_empty());

    let mut no_context = TransferCompletionMessage::new(PROVIDER_PID, CONSUMER_PID).to_value();
    no_context["@context"] = serde_json::json!(["https://example.com/other.jsonld"]);
    assert!(!schemas.errors("transfer/transfer-completion-message-schema.json", &no_context).is_empty());

    // Only through the fixed `#definitions` reference: a termination needs `providerPid`.
    let mut termination = TransferTerminationMessage::new(PROVIDER_PID, CONSUMER_PID).to_value();
    termination.as_object_mut().expect("an object").remove("providerPid");
    assert!(!schemas.errors("transfer/transfer-termination-message-schema.json", &termination).is_empty());

    let mut bad_time = ContractAgreementMessage::new(PROVIDER_PID, CONSUMER_PID, agreement()).to_value();
    bad_time["agreement"]["timestamp"] = "1 June 2026".into();
    assert!(!schemas.errors("negotiation/contract-agreement-message-schema.json", &bad_time).is_empty());
}

#[test]
fn an_unresolvable_reference_is_not_fetched() {
    let schema = serde_json::json!({"$ref": "https://w3id.org/dspace/2025/1/common/no-such-schema.json"});
    let result = jsonschema::options()
        .with_draft(Draft::Draft201909)
        .with_retriever(LocalSchemas(Schemas::load().local))
        .build(&schema);
    assert!(result.is_err());
}

/// The defect SOURCE.md describes is real for this validator, so the loader's fix is needed.
#[test]
fn the_published_definitions_references_do_not_resolve_unfixed() {
    let file = "transfer/transfer-termination-message-schema.json";
    let raw = support::read_json(&support::spec_dir().join(file));
    let built = jsonschema::options()
        .with_draft(Draft::Draft201909)
        .with_retriever(LocalSchemas(Schemas::load().local))
        .build(&raw);
    assert!(built.is_err(), "the unfixed `#definitions/...` reference resolved");
}

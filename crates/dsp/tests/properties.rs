//! Properties: random message sequences never panic, never leave a final state and only follow
//! the edges the spec allows; random bytes never make a parser panic.

use dsp::{
    Message, NegotiationMessageKind as N, NegotiationState as NS, Role, TransferMessageKind as T, TransferState as TS,
};
use proptest::prelude::*;

/// The spec's negotiation edges, written out independently of the crate's `match`:
/// (from, message, sender, to); `None` is a process that does not exist yet.
const NEGOTIATION_EDGES: &[(Option<NS>, N, Role, NS)] = &[
    (None, N::Request, Role::Consumer, NS::Requested),
    (None, N::Offer, Role::Provider, NS::Offered),
    (Some(NS::Requested), N::Offer, Role::Provider, NS::Offered),
    (Some(NS::Offered), N::Request, Role::Consumer, NS::Requested),
    (Some(NS::Offered), N::Accepted, Role::Consumer, NS::Accepted),
    (Some(NS::Requested), N::Agreement, Role::Provider, NS::Agreed),
    (Some(NS::Accepted), N::Agreement, Role::Provider, NS::Agreed),
    (Some(NS::Agreed), N::Verification, Role::Consumer, NS::Verified),
    (Some(NS::Verified), N::Finalized, Role::Provider, NS::Finalized),
];

const TRANSFER_EDGES: &[(Option<TS>, T, Role, TS)] = &[
    (None, T::Request, Role::Consumer, TS::Requested),
    (Some(TS::Requested), T::Start, Role::Provider, TS::Started),
    (Some(TS::Suspended), T::Start, Role::Provider, TS::Started),
    (Some(TS::Suspended), T::Start, Role::Consumer, TS::Started),
    (Some(TS::Started), T::Suspension, Role::Provider, TS::Suspended),
    (Some(TS::Started), T::Suspension, Role::Consumer, TS::Suspended),
    (Some(TS::Started), T::Completion, Role::Provider, TS::Completed),
    (Some(TS::Started), T::Completion, Role::Consumer, TS::Completed),
];

fn negotiation_allowed(from: Option<NS>, kind: N, sender: Role) -> Option<NS> {
    if kind == N::Termination && from.is_some_and(|s| s != NS::Finalized && s != NS::Terminated) {
        return Some(NS::Terminated);
    }
    NEGOTIATION_EDGES.iter().find(|e| e.0 == from && e.1 == kind && e.2 == sender).map(|e| e.3)
}

fn transfer_allowed(from: Option<TS>, kind: T, sender: Role) -> Option<TS> {
    if kind == T::Termination && from.is_some_and(|s| s != TS::Completed && s != TS::Terminated) {
        return Some(TS::Terminated);
    }
    TRANSFER_EDGES.iter().find(|e| e.0 == from && e.1 == kind && e.2 == sender).map(|e| e.3)
}

fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect()
        }
        serde_json::Value::Array(items) => items.into_iter().map(without_nulls).collect(),
        other => other,
    }
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Provider), Just(Role::Consumer)]
}

/// (message, the side applying it, whether it arrives or leaves).
fn negotiation_step() -> impl Strategy<Value = (N, Role, bool)> {
    (proptest::sample::select(N::ALL.to_vec()), role(), any::<bool>())
}

fn transfer_step() -> impl Strategy<Value = (T, Role, bool)> {
    (proptest::sample::select(T::ALL.to_vec()), role(), any::<bool>())
}

proptest! {
    #[test]
    fn negotiations_follow_only_allowed_edges(steps in proptest::collection::vec(negotiation_step(), 1..40)) {
        let mut state: Option<NS> = None;
        for (kind, me, incoming) in steps {
            let sender = if incoming { me.peer() } else { me };
            let outcome = match (state, incoming) {
                (None, true) => NS::receive_first(kind, me),
                (None, false) => NS::send_first(kind, me),
                (Some(s), true) => s.receive(kind, me),
                (Some(s), false) => s.send(kind, me),
            };
            let allowed = negotiation_allowed(state, kind, sender);
            prop_assert_eq!(outcome.as_ref().ok().copied(), allowed, "{:?} {:?} from {:?}", state, kind, sender);
            if state.is_some_and(NS::is_terminal) {
                prop_assert!(outcome.is_err(), "left final state {:?}", state);
            }
            if let Err(error) = &outcome {
                prop_assert_eq!(error.status(), 400);
                prop_assert_eq!(error.state, state.map(NS::as_str));
            }
            // A refused message leaves the state as it was.
            state = outcome.ok().or(state);
        }
    }

    #[test]
    fn transfers_follow_only_allowed_edges(steps in proptest::collection::vec(transfer_step(), 1..40)) {
        let mut state: Option<TS> = None;
        for (kind, me, incoming) in steps {
            let sender = if incoming { me.peer() } else { me };
            let outcome = match (state, incoming) {
                (None, true) => TS::receive_first(kind, me),
                (None, false) => TS::send_first(kind, me),
                (Some(s), true) => s.receive(kind, me),
                (Some(s), false) => s.send(kind, me),
            };
            let allowed = transfer_allowed(state, kind, sender);
            prop_assert_eq!(outcome.as_ref().ok().copied(), allowed, "{:?} {:?} from {:?}", state, kind, sender);
            if state.is_some_and(TS::is_terminal) {
                prop_assert!(outcome.is_err(), "left final state {:?}", state);
            }
            if let Err(error) = &outcome {
                prop_assert_eq!(error.status(), 400);
                prop_assert_eq!(error.state, state.map(TS::as_str));
            }
            state = outcome.ok().or(state);
        }
    }

    #[test]
    fn parsing_random_text_never_panics(text in ".{0,200}") {
        let _ = dsp::ContractRequestMessage::from_json(&text);
        let _ = dsp::Catalog::from_json(&text);
        let _ = dsp::TransferStartMessage::from_json(&text);
        let _ = dsp::VersionResponse::from_json(&text);
    }

    #[test]
    fn parsing_mutated_messages_never_panics(
        field in proptest::sample::select(vec!["@context", "@type", "consumerPid", "offer", "permission", "constraint"]),
        replacement in prop_oneof![
            Just(serde_json::Value::Null),
            any::<i64>().prop_map(serde_json::Value::from),
            ".{0,20}".prop_map(serde_json::Value::from),
            Just(serde_json::json!([])),
            Just(serde_json::json!({})),
        ],
    ) {
        let mut message = serde_json::json!({
            "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
            "@type": "ContractRequestMessage",
            "consumerPid": "c",
            "callbackAddress": "https://c.example/cb",
            "offer": {"@id": "o", "@type": "Offer", "target": "d",
                      "permission": [{"action": "use", "constraint": [
                          {"leftOperand": "a", "operator": "eq", "rightOperand": "b"}]}]}
        });
        match field {
            "permission" => message["offer"]["permission"] = replacement,
            "constraint" => message["offer"]["permission"][0]["constraint"] = replacement,
            top => message[top] = replacement,
        }
        if let Ok(parsed) = dsp::ContractRequestMessage::from_value(message.clone()) {
            // Whatever is accepted prints back to what was given (a JSON-LD `null` means absent).
            prop_assert_eq!(parsed.to_value(), without_nulls(message));
        }
    }
}

//! The state machines, table-driven: every (state, message, receiving role) pair, and the
//! message sequences of the DSP TCK (`../shared/docs/dsp-tck-cases.md`) replayed from the
//! connector-under-test's side.

use dsp::{NegotiationMessageKind, NegotiationState, Role, TransferMessageKind, TransferState};

/// `receiver state → next state per message` (`-`: refused with 400, state unchanged), then the
/// TCK cases that exercise the row. `new` is a message that would open a process.
/// A receiving provider's messages come from the consumer and vice versa, so the two halves
/// together cover every sender too.
const NEGOTIATION: &str = "
#           state       Request    Offer    Accepted  Agreement  Verification  Finalized  Termination  TCK
provider    new         REQUESTED  -        -         -          -             -          -            CN:01-01
provider    REQUESTED   -          -        -         -          -             -          TERMINATED   CN:02-02 CN:03-04
provider    OFFERED     REQUESTED  -        ACCEPTED  -          -             -          TERMINATED   CN:01-02 CN:01-03 CN:02-04 CN:03-02
provider    ACCEPTED    -          -        -         -          -             -          TERMINATED   CN:03-03
provider    AGREED      -          -        -         -          VERIFIED      -          TERMINATED   CN:01-04 CN:02-03
provider    VERIFIED    -          -        -         -          -             -          TERMINATED
provider    FINALIZED   -          -        -         -          -             -          -            CN:03-01
provider    TERMINATED  -          -        -         -          -             -          -
consumer    new         -          OFFERED  -         -          -             -          -
consumer    REQUESTED   -          OFFERED  -         AGREED     -             -          TERMINATED   CN_C:01-01 CN_C:01-04 CN_C:02-01 CN_C:03-01
consumer    OFFERED     -          -        -         -          -             -          TERMINATED   CN_C:02-04 CN_C:03-02 CN_C:03-03
consumer    ACCEPTED    -          -        -         AGREED     -             -          TERMINATED   CN_C:01-01 CN_C:02-05 CN_C:03-04 CN_C:03-05
consumer    AGREED      -          -        -         -          -             -          TERMINATED   CN_C:02-03 CN_C:03-06
consumer    VERIFIED    -          -        -         -          -             FINALIZED  TERMINATED   CN_C:01-01 CN_C:02-06
consumer    FINALIZED   -          -        -         -          -             -          -
consumer    TERMINATED  -          -        -         -          -             -          -
";

const TRANSFER: &str = "
#           state       Request    Start    Suspension  Completion  Termination  TCK
provider    new         REQUESTED  -        -           -           -            TP:01-01
provider    REQUESTED   -          -        -           -           TERMINATED   TP:02-05 TP:03-01 TP:03-02
provider    STARTED     -          -        SUSPENDED   COMPLETED   TERMINATED   TP:02-01 TP:02-02 TP:02-03
provider    SUSPENDED   -          STARTED  -           -           TERMINATED   TP:02-03 TP:02-04 TP:03-03
provider    COMPLETED   -          -        -           -           -
provider    TERMINATED  -          -        -           -           -            TP:03-04 TP:03-05 TP:03-06
consumer    new         -          -        -           -           -
consumer    REQUESTED   -          STARTED  -           -           TERMINATED   TP_C:01-01 TP_C:01-05 TP_C:03-01 TP_C:03-02
consumer    STARTED     -          -        SUSPENDED   COMPLETED   TERMINATED   TP_C:01-01 TP_C:01-02 TP_C:01-03
consumer    SUSPENDED   -          STARTED  -           -           TERMINATED   TP_C:01-03 TP_C:01-04 TP_C:03-03
consumer    COMPLETED   -          -        -           -           -
consumer    TERMINATED  -          -        -           -           -            TP_C:03-04 TP_C:03-05 TP_C:03-06
";

fn role(name: &str) -> Role {
    match name {
        "provider" => Role::Provider,
        "consumer" => Role::Consumer,
        other => panic!("unknown role {other}"),
    }
}

/// The table's rows: (role, state or `None` for `new`, expected cells in column order).
fn rows(table: &str, columns: usize) -> Vec<(Role, Option<&str>, Vec<&str>)> {
    table
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert!(cells.len() >= 2 + columns, "short row: {line}");
            let state = if cells[1] == "new" { None } else { Some(cells[1]) };
            (role(cells[0]), state, cells[2..2 + columns].to_vec())
        })
        .collect()
}

fn negotiation_state(name: &str) -> NegotiationState {
    *NegotiationState::ALL.iter().find(|s| s.as_str() == name).unwrap_or_else(|| panic!("state {name}"))
}

fn transfer_state(name: &str) -> TransferState {
    *TransferState::ALL.iter().find(|s| s.as_str() == name).unwrap_or_else(|| panic!("state {name}"))
}

#[test]
fn negotiation_table() {
    let rows = rows(NEGOTIATION, NegotiationMessageKind::ALL.len());
    assert_eq!(rows.len(), 2 * (NegotiationState::ALL.len() + 1), "one row per role and state");
    let mut checked = 0;
    for (role, state, cells) in rows {
        for (kind, expected) in NegotiationMessageKind::ALL.into_iter().zip(cells) {
            let actual = match state {
                None => NegotiationState::receive_first(kind, role),
                Some(state) => negotiation_state(state).receive(kind, role),
            };
            let context = format!("{role:?} in {state:?} receiving {kind:?}");
            match (expected, actual) {
                ("-", Err(error)) => {
                    assert_eq!(error.status(), 400, "{context}");
                    assert_eq!(error.state, state.map(|s| negotiation_state(s).as_str()), "{context}");
                    assert_eq!(error.sender, role.peer(), "{context}");
                }
                (next, Ok(actual)) if next != "-" => assert_eq!(actual, negotiation_state(next), "{context}"),
                (expected, actual) => panic!("{context}: expected {expected}, got {actual:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 112);
}

#[test]
fn transfer_table() {
    let rows = rows(TRANSFER, TransferMessageKind::ALL.len());
    assert_eq!(rows.len(), 2 * (TransferState::ALL.len() + 1), "one row per role and state");
    let mut checked = 0;
    for (role, state, cells) in rows {
        for (kind, expected) in TransferMessageKind::ALL.into_iter().zip(cells) {
            let actual = match state {
                None => TransferState::receive_first(kind, role),
                Some(state) => transfer_state(state).receive(kind, role),
            };
            let context = format!("{role:?} in {state:?} receiving {kind:?}");
            match (expected, actual) {
                ("-", Err(error)) => {
                    assert_eq!(error.status(), 400, "{context}");
                    assert_eq!(error.state, state.map(|s| transfer_state(s).as_str()), "{context}");
                }
                (next, Ok(actual)) if next != "-" => assert_eq!(actual, transfer_state(next), "{context}"),
                (expected, actual) => panic!("{context}: expected {expected}, got {actual:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 60);
}

#[test]
fn sending_is_receiving_on_the_other_side() {
    for role in [Role::Provider, Role::Consumer] {
        for kind in NegotiationMessageKind::ALL {
            assert_eq!(NegotiationState::send_first(kind, role), NegotiationState::receive_first(kind, role.peer()));
            for state in NegotiationState::ALL {
                assert_eq!(state.send(kind, role).ok(), state.receive(kind, role.peer()).ok());
            }
        }
        for kind in TransferMessageKind::ALL {
            assert_eq!(TransferState::send_first(kind, role), TransferState::receive_first(kind, role.peer()));
            for state in TransferState::ALL {
                assert_eq!(state.send(kind, role).ok(), state.receive(kind, role.peer()).ok());
            }
        }
    }
}

/// The TCK's sequences as the connector under test (CUT) lives them: `>X` the CUT receives X,
/// `<X` the CUT sends X. The expected end is a state, or `4xx` when the last message is refused.
const NEGOTIATION_CASES: &[(&str, &str, &str, &str)] = &[
    ("CN:01-01", "provider", ">Request <Offer >Termination", "TERMINATED"),
    ("CN:01-02", "provider", ">Request <Offer >Request <Termination", "TERMINATED"),
    ("CN:01-03", "provider", ">Request <Offer >Accepted <Agreement >Verification <Finalized", "FINALIZED"),
    ("CN:01-04", "provider", ">Request <Agreement >Verification <Finalized", "FINALIZED"),
    ("CN:02-01", "provider", ">Request <Termination", "TERMINATED"),
    ("CN:02-02", "provider", ">Request >Termination", "TERMINATED"),
    ("CN:02-03", "provider", ">Request <Agreement >Termination", "TERMINATED"),
    ("CN:02-04", "provider", ">Request <Offer >Termination", "TERMINATED"),
    ("CN:02-05", "provider", ">Request <Offer <Termination", "TERMINATED"),
    ("CN:02-06", "provider", ">Request <Offer >Accepted <Termination", "TERMINATED"),
    ("CN:02-07", "provider", ">Request <Agreement >Verification <Termination", "TERMINATED"),
    ("CN:03-01", "provider", ">Request <Offer >Accepted <Agreement >Verification <Finalized >Termination", "4xx"),
    ("CN:03-02", "provider", ">Request <Offer >Verification", "4xx"),
    ("CN:03-03", "provider", ">Request <Offer >Accepted >Verification", "4xx"),
    ("CN:03-04", "provider", ">Request <Offer >Request >Request", "4xx"),
    ("CN_C:01-01", "consumer", "<Request >Offer <Accepted >Agreement <Verification >Finalized", "FINALIZED"),
    ("CN_C:01-02", "consumer", "<Request >Offer <Request >Termination", "TERMINATED"),
    ("CN_C:01-03", "consumer", "<Request >Offer <Termination", "TERMINATED"),
    ("CN_C:01-04", "consumer", "<Request >Agreement <Verification >Finalized", "FINALIZED"),
    ("CN_C:02-01", "consumer", "<Request >Termination", "TERMINATED"),
    ("CN_C:02-02", "consumer", "<Request <Termination", "TERMINATED"),
    ("CN_C:02-03", "consumer", "<Request >Agreement <Termination", "TERMINATED"),
    ("CN_C:02-04", "consumer", "<Request >Offer >Termination", "TERMINATED"),
    ("CN_C:02-05", "consumer", "<Request >Offer <Accepted >Termination", "TERMINATED"),
    ("CN_C:02-06", "consumer", "<Request >Agreement <Verification >Termination", "TERMINATED"),
    ("CN_C:03-01", "consumer", "<Request >Finalized", "4xx"),
    ("CN_C:03-02", "consumer", "<Request >Offer >Agreement", "4xx"),
    ("CN_C:03-03", "consumer", "<Request >Offer >Finalized", "4xx"),
    ("CN_C:03-04", "consumer", "<Request >Offer <Accepted >Finalized", "4xx"),
    ("CN_C:03-05", "consumer", "<Request >Offer <Accepted >Offer", "4xx"),
    ("CN_C:03-06", "consumer", "<Request >Offer <Accepted >Agreement >Finalized", "4xx"),
];

const TRANSFER_CASES: &[(&str, &str, &str, &str)] = &[
    ("TP:01-01", "provider", ">Request <Start <Termination", "TERMINATED"),
    ("TP:01-02", "provider", ">Request <Start <Completion", "COMPLETED"),
    ("TP:01-03", "provider", ">Request <Start <Suspension <Termination", "TERMINATED"),
    ("TP:01-04", "provider", ">Request <Start <Suspension <Start <Completion", "COMPLETED"),
    ("TP:01-05", "provider", ">Request <Termination", "TERMINATED"),
    ("TP:02-01", "provider", ">Request <Start >Termination", "TERMINATED"),
    ("TP:02-02", "provider", ">Request <Start >Completion", "COMPLETED"),
    ("TP:02-03", "provider", ">Request <Start >Suspension >Termination", "TERMINATED"),
    ("TP:02-04", "provider", ">Request <Start >Suspension >Start >Completion", "COMPLETED"),
    ("TP:02-05", "provider", ">Request >Termination", "TERMINATED"),
    ("TP:03-01", "provider", ">Request >Completion", "4xx"),
    ("TP:03-02", "provider", ">Request >Suspension", "4xx"),
    ("TP:03-03", "provider", ">Request <Start >Suspension >Completion", "4xx"),
    ("TP:03-04", "provider", ">Request <Start >Termination >Start", "4xx"),
    ("TP:03-05", "provider", ">Request <Start >Termination >Suspension", "4xx"),
    ("TP:03-06", "provider", ">Request <Start >Termination >Completion", "4xx"),
    ("TP_C:01-01", "consumer", "<Request >Start >Termination", "TERMINATED"),
    ("TP_C:01-02", "consumer", "<Request >Start >Completion", "COMPLETED"),
    ("TP_C:01-03", "consumer", "<Request >Start >Suspension >Termination", "TERMINATED"),
    ("TP_C:01-04", "consumer", "<Request >Start >Suspension >Start >Completion", "COMPLETED"),
    ("TP_C:01-05", "consumer", "<Request >Termination", "TERMINATED"),
    ("TP_C:02-01", "consumer", "<Request >Start <Termination", "TERMINATED"),
    ("TP_C:02-02", "consumer", "<Request >Start <Completion", "COMPLETED"),
    ("TP_C:02-03", "consumer", "<Request >Start <Suspension <Termination", "TERMINATED"),
    ("TP_C:02-04", "consumer", "<Request >Start <Suspension <Start <Completion", "COMPLETED"),
    ("TP_C:02-05", "consumer", "<Request <Termination", "TERMINATED"),
    ("TP_C:03-01", "consumer", "<Request >Completion", "4xx"),
    ("TP_C:03-02", "consumer", "<Request >Suspension", "4xx"),
    ("TP_C:03-03", "consumer", "<Request >Start >Suspension >Completion", "4xx"),
    ("TP_C:03-04", "consumer", "<Request >Start >Termination >Start", "4xx"),
    ("TP_C:03-05", "consumer", "<Request >Start >Termination >Suspension", "4xx"),
    ("TP_C:03-06", "consumer", "<Request >Start >Termination >Completion", "4xx"),
];

fn negotiation_kind(name: &str) -> NegotiationMessageKind {
    *NegotiationMessageKind::ALL.iter().find(|k| format!("{k:?}") == name).unwrap_or_else(|| panic!("{name}"))
}

fn transfer_kind(name: &str) -> TransferMessageKind {
    *TransferMessageKind::ALL.iter().find(|k| format!("{k:?}") == name).unwrap_or_else(|| panic!("{name}"))
}

/// Replays `steps`; every step but the last must succeed. Returns the last step's outcome and
/// the state before it.
fn replay<S: Copy + std::fmt::Debug, K: Copy>(
    id: &str,
    steps: &str,
    kind: fn(&str) -> K,
    first: impl Fn(K, bool) -> Result<S, dsp::TransitionError>,
    next: impl Fn(S, K, bool) -> Result<S, dsp::TransitionError>,
) -> (Option<S>, Result<S, dsp::TransitionError>) {
    let steps: Vec<(bool, K)> = steps
        .split_whitespace()
        .map(|step| {
            let (incoming, name) = step.split_at(1);
            (incoming == ">", kind(name))
        })
        .collect();
    let mut state: Option<S> = None;
    for (i, (incoming, k)) in steps.iter().copied().enumerate() {
        let outcome = match state {
            None => first(k, incoming),
            Some(s) => next(s, k, incoming),
        };
        if i + 1 == steps.len() {
            return (state, outcome);
        }
        state = Some(outcome.unwrap_or_else(|e| panic!("{id}: step {} refused: {e}", i + 1)));
    }
    panic!("{id}: no steps")
}

#[test]
fn the_tck_negotiation_cases() {
    for &(id, cut, steps, expected) in NEGOTIATION_CASES {
        let me = role(cut);
        let (before, last) = replay(
            id,
            steps,
            negotiation_kind,
            |k, incoming| {
                if incoming {
                    NegotiationState::receive_first(k, me)
                } else {
                    NegotiationState::send_first(k, me)
                }
            },
            |s, k, incoming| if incoming { s.receive(k, me) } else { s.send(k, me) },
        );
        match (expected, last) {
            ("4xx", Err(error)) => {
                assert_eq!(error.status(), 400, "{id}");
                assert_eq!(error.state, before.map(NegotiationState::as_str), "{id}: the state is unchanged");
            }
            (state, Ok(actual)) if state != "4xx" => assert_eq!(actual, negotiation_state(state), "{id}"),
            (expected, actual) => panic!("{id}: expected {expected}, got {actual:?}"),
        }
    }
}

#[test]
fn the_tck_transfer_cases() {
    for &(id, cut, steps, expected) in TRANSFER_CASES {
        let me = role(cut);
        let (before, last) = replay(
            id,
            steps,
            transfer_kind,
            |k, incoming| if incoming { TransferState::receive_first(k, me) } else { TransferState::send_first(k, me) },
            |s, k, incoming| if incoming { s.receive(k, me) } else { s.send(k, me) },
        );
        match (expected, last) {
            ("4xx", Err(error)) => {
                assert_eq!(error.status(), 400, "{id}");
                assert_eq!(error.state, before.map(TransferState::as_str), "{id}: the state is unchanged");
            }
            (state, Ok(actual)) if state != "4xx" => assert_eq!(actual, transfer_state(state), "{id}"),
            (expected, actual) => panic!("{id}: expected {expected}, got {actual:?}"),
        }
    }
}

#[test]
fn refusals_say_what_happened() {
    let late =
        NegotiationState::Finalized.receive(NegotiationMessageKind::Termination, Role::Provider).expect_err("refused");
    assert_eq!(
        late.to_string(),
        "the contract negotiation is FINALIZED, a final state; a ContractNegotiationTerminationMessage from the \
         consumer cannot change it"
    );
    let early = TransferState::Requested.receive(TransferMessageKind::Completion, Role::Consumer).expect_err("refused");
    assert_eq!(
        early.to_string(),
        "a transfer process in state REQUESTED does not accept a TransferCompletionMessage from the provider"
    );
    let unknown = dsp::ProtocolError::UnknownProcess { pid: "urn:uuid:x".into() };
    assert_eq!(unknown.status(), 404);
    let body = dsp::ProtocolError::from(early).transfer_error("p", "c");
    assert_eq!(body.code.as_deref(), Some("invalid-transition"));
    assert_eq!(body.reason.as_ref().map(Vec::len), Some(1));
}

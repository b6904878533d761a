//! The compatibility kit's scripted cases (see script.rs for what the node does with them).
//!
//! Read from the kit's sources (eclipse-dataspacetck/dsp-tck: `config/tck/sample.tck.properties`
//! for the ids, `ContractNegotiation{Provider,Consumer}0{1,2,3}Test` and
//! `TransferProcess{Provider,Consumer}0{1,2,3}Test` for the sequences) and checked against EDC's
//! kit extension (eclipse-edc/Connector `system-tests/tck/tck-extension`: `DataSeed`,
//! `GuardAssembly`). A dataset or agreement id in these tables is scripted completely: a trigger
//! the table does not list means "send nothing, wait for the kit" (`Some(&[])`); an id that is not
//! in the tables is not scripted (`None`). Pure: no IO.

use dsp::{NegotiationMessageKind as Msg, TransferMessageKind as TMsg};

use crate::script::NegotiationStep::{Accept, Agree, CounterRequest, Finalize, Offer, Terminate, Verify};
use crate::script::NegotiationTrigger::{self, CounterRequestReceived, Received, RequestAcknowledged};
use crate::script::Side::{self, Consumer, Provider};
use crate::script::{NegotiationStep, SeedAgreement, SeedDataset, Seeds, TransferStep, TransferTrigger};

/// The kit's own participant id (`DspConstants.TCK_PARTICIPANT_ID`): the counterparty of every
/// seeded agreement.
pub const TCK_PARTICIPANT: &str = "TCK_PARTICIPANT";

/// The dataset every seeded agreement is about (EDC's `DataSeed` does the same with `ATP0101`).
pub const TRANSFER_DATASET: &str = "ATP0101";

/// One case: the id, which side the node plays, and what it sends after each trigger.
type Case<T, S> = (&'static str, Side, &'static [(T, &'static [S])]);
type NegotiationCase = Case<NegotiationTrigger, NegotiationStep>;
type TransferCase = Case<TransferTrigger, TransferStep>;

const REQUEST: NegotiationTrigger = Received(Msg::Request);
const OFFERED: NegotiationTrigger = Received(Msg::Offer);
const ACCEPTED: NegotiationTrigger = Received(Msg::Accepted);
const AGREED: NegotiationTrigger = Received(Msg::Agreement);
const VERIFIED: NegotiationTrigger = Received(Msg::Verification);

/// Contract negotiations, keyed by dataset id. Provider rows: the kit (consumer) sends a
/// ContractRequestMessage for `ACNxxxx` with offer `CD123:ACNxxxx:456`. Consumer rows: the kit
/// triggers `POST /tck/negotiations/requests` for `ACNCxxxx` with offer `offerACNCxxxx`.
#[rustfmt::skip]
const NEGOTIATIONS: &[NegotiationCase] = &[
    // CN:01-01 request → offer; the kit terminates.
    ("ACN0101", Provider, &[(REQUEST, &[Offer])]),
    // CN:01-02 request → offer; the kit counter-requests → terminate.
    ("ACN0102", Provider, &[(REQUEST, &[Offer]), (CounterRequestReceived, &[Terminate])]),
    // CN:01-03 request → offer; ACCEPTED → agreement; verification → FINALIZED.
    ("ACN0103", Provider, &[(REQUEST, &[Offer]), (ACCEPTED, &[Agree]), (VERIFIED, &[Finalize])]),
    // CN:01-04 request → agreement; verification → FINALIZED.
    ("ACN0104", Provider, &[(REQUEST, &[Agree]), (VERIFIED, &[Finalize])]),
    // CN:02-01 request → terminate.
    ("ACN0201", Provider, &[(REQUEST, &[Terminate])]),
    // CN:02-02 request → nothing; the kit terminates while REQUESTED.
    ("ACN0202", Provider, &[]),
    // CN:02-03 request → agreement; the kit terminates while AGREED.
    ("ACN0203", Provider, &[(REQUEST, &[Agree])]),
    // CN:02-04 request → offer; the kit terminates while OFFERED.
    ("ACN0204", Provider, &[(REQUEST, &[Offer])]),
    // CN:02-05 request → offer, then terminate (kit: offer; pause; terminate).
    ("ACN0205", Provider, &[(REQUEST, &[Offer, Terminate])]),
    // CN:02-06 request → offer; ACCEPTED → terminate.
    ("ACN0206", Provider, &[(REQUEST, &[Offer]), (ACCEPTED, &[Terminate])]),
    // CN:02-07 request → agreement; verification → terminate.
    ("ACN0207", Provider, &[(REQUEST, &[Agree]), (VERIFIED, &[Terminate])]),
    // CN:03-01 request → agreement; verification → FINALIZED; the kit's termination must get 4xx.
    ("ACN0301", Provider, &[(REQUEST, &[Agree]), (VERIFIED, &[Finalize])]),
    // CN:03-02 request → offer; the kit's verification (OFFERED) must get 4xx.
    ("ACN0302", Provider, &[(REQUEST, &[Offer])]),
    // CN:03-03 request → offer; ACCEPTED → hold (no agreement); the kit's verification must get 4xx.
    ("ACN0303", Provider, &[(REQUEST, &[Offer])]),
    // CN:03-04 request → offer; counter request → nothing; the second counter request must get 4xx.
    ("ACN0304", Provider, &[(REQUEST, &[Offer])]),

    // CN_C:01-01 offer → ACCEPTED; agreement → verification; the kit finalizes.
    ("ACNC0101", Consumer, &[(OFFERED, &[Accept]), (AGREED, &[Verify])]),
    // CN_C:01-02 offer → counter request; the kit terminates.
    ("ACNC0102", Consumer, &[(OFFERED, &[CounterRequest])]),
    // CN_C:01-03 offer → terminate.
    ("ACNC0103", Consumer, &[(OFFERED, &[Terminate])]),
    // CN_C:01-04 agreement → verification; the kit finalizes.
    ("ACNC0104", Consumer, &[(AGREED, &[Verify])]),
    // CN_C:02-01 nothing; the kit terminates while REQUESTED.
    ("ACNC0201", Consumer, &[]),
    // CN_C:02-02 request acknowledged → terminate.
    ("ACNC0202", Consumer, &[(RequestAcknowledged, &[Terminate])]),
    // CN_C:02-03 agreement → terminate.
    ("ACNC0203", Consumer, &[(AGREED, &[Terminate])]),
    // CN_C:02-04 offer → nothing; the kit terminates while OFFERED.
    ("ACNC0204", Consumer, &[]),
    // CN_C:02-05 offer → ACCEPTED; the kit terminates.
    ("ACNC0205", Consumer, &[(OFFERED, &[Accept])]),
    // CN_C:02-06 agreement → verification; the kit terminates while VERIFIED.
    ("ACNC0206", Consumer, &[(AGREED, &[Verify])]),
    // CN_C:03-01 nothing; the kit's FINALIZED (REQUESTED) must get 4xx.
    ("ACNC0301", Consumer, &[]),
    // CN_C:03-02 offer → nothing; the kit's agreement (OFFERED) must get 4xx.
    ("ACNC0302", Consumer, &[]),
    // CN_C:03-03 offer → nothing; the kit's FINALIZED (OFFERED) must get 4xx.
    ("ACNC0303", Consumer, &[]),
    // CN_C:03-04 offer → ACCEPTED; the kit's FINALIZED (ACCEPTED) must get 4xx.
    ("ACNC0304", Consumer, &[(OFFERED, &[Accept])]),
    // CN_C:03-05 offer → ACCEPTED; the kit's second offer (ACCEPTED) must get 4xx.
    ("ACNC0305", Consumer, &[(OFFERED, &[Accept])]),
    // CN_C:03-06 offer → ACCEPTED; agreement → hold (no verification); FINALIZED (AGREED) must get 4xx.
    ("ACNC0306", Consumer, &[(OFFERED, &[Accept])]),
];

const TP_REQUEST: TransferTrigger = TransferTrigger::Received(TMsg::Request);
const TP_STARTED: TransferTrigger = TransferTrigger::Received(TMsg::Start);
const TP_ACKNOWLEDGED: TransferTrigger = TransferTrigger::RequestAcknowledged;

/// Transfers, keyed by agreement id. Provider rows: the kit (consumer) sends a
/// TransferRequestMessage for `ATPxxxx`, format `HttpData-PULL`. Consumer rows: the kit triggers
/// `POST /tck/transfers/requests` for `ATPCxxxx`.
#[rustfmt::skip]
const TRANSFERS: &[TransferCase] = &[
    // TP:01-01 request → start, terminate.
    ("ATP0101", Provider, &[(TP_REQUEST, &[TransferStep::Start, TransferStep::Terminate])]),
    // TP:01-02 request → start, complete.
    ("ATP0102", Provider, &[(TP_REQUEST, &[TransferStep::Start, TransferStep::Complete])]),
    // TP:01-03 request → start, suspend, terminate.
    ("ATP0103", Provider, &[(TP_REQUEST, &[TransferStep::Start, TransferStep::Suspend, TransferStep::Terminate])]),
    // TP:01-04 request → start, suspend, start, complete.
    ("ATP0104", Provider, &[(TP_REQUEST, &[TransferStep::Start, TransferStep::Suspend, TransferStep::Start, TransferStep::Complete])]),
    // TP:01-05 request → terminate.
    ("ATP0105", Provider, &[(TP_REQUEST, &[TransferStep::Terminate])]),
    // TP:02-01 request → start; the kit terminates.
    ("ATP0201", Provider, &[(TP_REQUEST, &[TransferStep::Start])]),
    // TP:02-02 request → start; the kit completes.
    ("ATP0202", Provider, &[(TP_REQUEST, &[TransferStep::Start])]),
    // TP:02-03 request → start; the kit suspends, then terminates.
    ("ATP0203", Provider, &[(TP_REQUEST, &[TransferStep::Start])]),
    // TP:02-04 request → start; the kit suspends, resumes (start), completes.
    ("ATP0204", Provider, &[(TP_REQUEST, &[TransferStep::Start])]),
    // TP:02-05 request → nothing; the kit terminates while REQUESTED.
    ("ATP0205", Provider, &[]),
    // TP:03-01 request → nothing; the kit's completion (REQUESTED) must get 4xx.
    ("ATP0301", Provider, &[]),
    // TP:03-02 request → nothing; the kit's suspension (REQUESTED) must get 4xx.
    ("ATP0302", Provider, &[]),
    // TP:03-03 request → start; the kit suspends; its completion (SUSPENDED) must get 4xx.
    ("ATP0303", Provider, &[(TP_REQUEST, &[TransferStep::Start])]),
    // TP:03-04 request → start; the kit terminates; its start (TERMINATED) must get 4xx.
    ("ATP0304", Provider, &[(TP_REQUEST, &[TransferStep::Start])]),
    // TP:03-05 request → start; the kit terminates; its suspension (TERMINATED) must get 4xx.
    ("ATP0305", Provider, &[(TP_REQUEST, &[TransferStep::Start])]),
    // TP:03-06 request → start; the kit terminates; its completion (TERMINATED) must get 4xx.
    ("ATP0306", Provider, &[(TP_REQUEST, &[TransferStep::Start])]),

    // TP_C:01-01 … TP_C:01-05 nothing: the kit starts, suspends, completes or terminates.
    // (The kit's sample configuration gives TP_C:01-05 the agreement ATPC0104; ATPC0105 is seeded too.)
    ("ATPC0101", Consumer, &[]),
    ("ATPC0102", Consumer, &[]),
    ("ATPC0103", Consumer, &[]),
    ("ATPC0104", Consumer, &[]),
    ("ATPC0105", Consumer, &[]),
    // TP_C:02-01 started → terminate.
    ("ATPC0201", Consumer, &[(TP_STARTED, &[TransferStep::Terminate])]),
    // TP_C:02-02 started → complete.
    ("ATPC0202", Consumer, &[(TP_STARTED, &[TransferStep::Complete])]),
    // TP_C:02-03 started → suspend, terminate.
    ("ATPC0203", Consumer, &[(TP_STARTED, &[TransferStep::Suspend, TransferStep::Terminate])]),
    // TP_C:02-04 started → suspend, start (resume), complete.
    ("ATPC0204", Consumer, &[(TP_STARTED, &[TransferStep::Suspend, TransferStep::Start, TransferStep::Complete])]),
    // TP_C:02-05 request acknowledged → terminate.
    ("ATPC0205", Consumer, &[(TP_ACKNOWLEDGED, &[TransferStep::Terminate])]),
    // TP_C:03-01 … TP_C:03-06 nothing: the kit's invalid messages must get 4xx.
    ("ATPC0301", Consumer, &[]),
    ("ATPC0302", Consumer, &[]),
    ("ATPC0303", Consumer, &[]),
    ("ATPC0304", Consumer, &[]),
    ("ATPC0305", Consumer, &[]),
    ("ATPC0306", Consumer, &[]),
];

/// Datasets the node provides in TCK mode: the negotiation cases, the two catalog cases and the
/// dataset of the seeded agreements. CAT:01-03 asks for a random id that must stay unknown.
#[rustfmt::skip]
const DATASETS: &[&str] = &[
    "ACN0101", "ACN0102", "ACN0103", "ACN0104", // CN:01-xx
    "ACN0201", "ACN0202", "ACN0203", "ACN0204", "ACN0205", "ACN0206", "ACN0207", // CN:02-xx
    "ACN0301", "ACN0302", "ACN0303", "ACN0304", // CN:03-xx
    "CAT0101", // CAT:01-01 (in the catalog)
    "CAT0102", // CAT:01-02 (GET /catalog/datasets/CAT0102)
    TRANSFER_DATASET,
];

fn find<T: PartialEq, S>(table: &'static [Case<T, S>], id: &str, side: Side, trigger: T) -> Option<&'static [S]> {
    let (_, _, rules) = table.iter().find(|(case, case_side, _)| *case == id && *case_side == side)?;
    Some(rules.iter().find(|(on, _)| *on == trigger).map_or(&[][..], |(_, steps)| *steps))
}

pub fn negotiation_script(
    dataset_id: &str,
    side: Side,
    trigger: NegotiationTrigger,
) -> Option<&'static [NegotiationStep]> {
    find(NEGOTIATIONS, dataset_id, side, trigger)
}

pub fn transfer_script(agreement_id: &str, side: Side, trigger: TransferTrigger) -> Option<&'static [TransferStep]> {
    find(TRANSFERS, agreement_id, side, trigger)
}

pub fn seeds() -> Seeds {
    let datasets = DATASETS
        .iter()
        .map(|&id| SeedDataset { id, offer_id: OFFER_IDS.iter().find(|(d, _)| *d == id).map(|(_, offer)| *offer) })
        .collect();
    let agreements = TRANSFERS
        .iter()
        .map(|&(id, side, _)| SeedAgreement { id, side, dataset_id: TRANSFER_DATASET, counterparty: TCK_PARTICIPANT })
        .collect();
    Seeds { datasets, agreements }
}

/// The kit's offer ids for the provider negotiation datasets (`CN_xx_yy_OFFERID=CD123:<dataset>:456`).
#[rustfmt::skip]
const OFFER_IDS: &[(&str, &str)] = &[
    ("ACN0101", "CD123:ACN0101:456"), ("ACN0102", "CD123:ACN0102:456"),
    ("ACN0103", "CD123:ACN0103:456"), ("ACN0104", "CD123:ACN0104:456"),
    ("ACN0201", "CD123:ACN0201:456"), ("ACN0202", "CD123:ACN0202:456"),
    ("ACN0203", "CD123:ACN0203:456"), ("ACN0204", "CD123:ACN0204:456"),
    ("ACN0205", "CD123:ACN0205:456"), ("ACN0206", "CD123:ACN0206:456"),
    ("ACN0207", "CD123:ACN0207:456"), ("ACN0301", "CD123:ACN0301:456"),
    ("ACN0302", "CD123:ACN0302:456"), ("ACN0303", "CD123:ACN0303:456"),
    ("ACN0304", "CD123:ACN0304:456"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_id_without_a_rule_for_the_trigger_waits() {
        assert_eq!(negotiation_script("ACN0303", Provider, ACCEPTED), Some(&[][..]));
        assert_eq!(negotiation_script("ACN0101", Provider, REQUEST), Some(&[Offer][..]));
        assert_eq!(negotiation_script("ACN0102", Provider, CounterRequestReceived), Some(&[Terminate][..]));
        assert_eq!(negotiation_script("ACN0304", Provider, CounterRequestReceived), Some(&[][..]));
    }

    #[test]
    fn an_unlisted_id_or_side_is_not_scripted() {
        assert_eq!(negotiation_script("urn:dataset:cases", Provider, REQUEST), None);
        assert_eq!(negotiation_script("ACN0101", Consumer, OFFERED), None);
        assert_eq!(transfer_script("ATP0101", Consumer, TP_STARTED), None);
        assert_eq!(transfer_script("ATPC0201", Consumer, TP_STARTED), Some(&[TransferStep::Terminate][..]));
    }

    #[test]
    fn seeds_cover_every_case_with_the_kits_offer_ids() {
        let seeds = seeds();
        assert_eq!(seeds.datasets.len(), DATASETS.len());
        let acn0102 = seeds.datasets.iter().find(|d| d.id == "ACN0102").map(|d| d.offer_id);
        assert_eq!(acn0102, Some(Some("CD123:ACN0102:456")));
        let cat = seeds.datasets.iter().find(|d| d.id == "CAT0101").map(|d| d.offer_id);
        assert_eq!(cat, Some(None));
        assert_eq!(seeds.agreements.len(), 16 + 16);
        assert!(seeds.agreements.iter().all(|a| a.counterparty == TCK_PARTICIPANT));
        let sides = |side| seeds.agreements.iter().filter(|a| a.side == side).count();
        assert_eq!((sides(Provider), sides(Consumer)), (16, 16));
    }
}

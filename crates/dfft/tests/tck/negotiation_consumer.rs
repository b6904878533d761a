//! CN_C_01 … CN_C_03: contract negotiations with the node as consumer; the kit is the provider.
//! Each case starts with the kit's `POST /tck/negotiations/requests` for dataset `ACNCxxyy` and
//! offer `offerACNCxxyy`; the node then sends its ContractRequestMessage to the kit.
//! Kit sources: `ContractNegotiationConsumer0{1,2,3}Test`, `ConsumerNegotiationPipelineImpl`,
//! `HttpConsumerNegotiationClientImpl`, `IdGenerator`, `NegotiationFunctions`.

use dsp::NegotiationState::{self, Accepted, Agreed, Finalized, Offered, Requested, Terminated};
use serde_json::{json, Value};

use crate::harness::{Expect, Tck};
use crate::messages as msg;

const REFUSED: Expect = Expect::Refused("ContractNegotiationError");

/// A negotiation the node (consumer) opened with the kit (provider).
struct Negotiation {
    dataset: String,
    offer_id: String,
    /// The kit's process id.
    provider_pid: String,
    /// The node's process id and callback address, from its ContractRequestMessage.
    consumer_pid: String,
    callback: String,
    /// The node's participant id (the assignee of the kit's offers and agreements).
    participant: String,
}

fn text(value: &Value, field: &str) -> String {
    value.get(field).and_then(Value::as_str).unwrap_or_default().to_owned()
}

impl Negotiation {
    /// The kit's trigger, then ← the node's ContractRequestMessage (the kit answers 200 with a
    /// ContractNegotiation REQUESTED).
    async fn start(tck: &Tck, dataset: &str) -> Negotiation {
        let participant = tck.participant_id().await;
        let offer_id = format!("offer{dataset}");
        let trigger = json!({
            "datasetId": dataset,
            "offerId": offer_id,
            "providerId": msg::TCK_PARTICIPANT,
            "connectorAddress": tck.kit.base,
        });
        tck.post(&format!("{}/tck/negotiations/requests", tck.node.base), &trigger, Expect::Success).await;
        let request = tck.expect_request("ContractRequestMessage").await;
        let offer = request.body.get("offer").cloned().unwrap_or_default();
        if text(&offer, "@id") != offer_id {
            tck.fail(format!(
                "the request must carry the kit's offer id {offer_id} (the kit reads the dataset from it)"
            ));
        }
        let (consumer_pid, callback) = (text(&request.body, "consumerPid"), text(&request.body, "callbackAddress"));
        if callback.is_empty() {
            tck.fail("the node's ContractRequestMessage has no callbackAddress");
        }
        let provider_pid = request.pid.unwrap_or_default();
        Negotiation { dataset: dataset.to_owned(), offer_id, provider_pid, consumer_pid, callback, participant }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/negotiations/{}{path}", self.callback.trim_end_matches('/'), self.consumer_pid)
    }

    /// → ContractOfferMessage to `<callback>/negotiations/<consumerPid>/offers`.
    async fn offer(&self, tck: &Tck, expect: Expect) {
        let offer = msg::contract_offer(
            &self.provider_pid,
            &self.consumer_pid,
            &self.offer_id,
            &self.participant,
            &self.dataset,
        );
        tck.post(&self.url("/offers"), &offer, expect).await;
    }

    /// → ContractAgreementMessage.
    async fn agree(&self, tck: &Tck, expect: Expect) {
        let agreement =
            msg::contract_agreement(&self.provider_pid, &self.consumer_pid, &self.participant, &self.dataset);
        tck.post(&self.url("/agreement"), &agreement, expect).await;
    }

    /// → ContractNegotiationEventMessage FINALIZED.
    async fn finalize(&self, tck: &Tck, expect: Expect) {
        let event = msg::event(&self.provider_pid, &self.consumer_pid, "FINALIZED");
        tck.post(&self.url("/events"), &event, expect).await;
    }

    /// → ContractNegotiationTerminationMessage.
    async fn terminate(&self, tck: &Tck, expect: Expect) {
        let termination = msg::negotiation_termination(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url("/termination"), &termination, expect).await;
    }

    /// ← a message of type `ty` at the kit's `/negotiations/<providerPid>/…`.
    async fn receive(&self, tck: &Tck, ty: &str) {
        let received = tck.expect(&self.provider_pid, ty).await;
        if text(&received.body, "consumerPid") != self.consumer_pid {
            tck.fail(format!("{} does not carry the node's consumerPid {}", received.body, self.consumer_pid));
        }
    }

    /// ← ContractNegotiationEventMessage ACCEPTED.
    async fn receive_accepted(&self, tck: &Tck) {
        tck.expect_event(&self.provider_pid, "ACCEPTED").await;
    }

    /// `GET <callback>/negotiations/<consumerPid>` until the node's state is `state`.
    async fn state(&self, tck: &Tck, state: NegotiationState) {
        tck.wait_state(&self.url(""), state.as_str()).await;
    }
}

/// CN_C:01-01 Verify contract request, offer received, consumer accepted, provider agreed,
/// consumer verified, provider finalized.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_01_01_offer_accept_agree_verify_finalize() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0101").await;
    n.offer(&tck, Expect::Success).await;
    n.receive_accepted(&tck).await;
    n.agree(&tck, Expect::Success).await;
    n.receive(&tck, "ContractAgreementVerificationMessage").await;
    n.finalize(&tck, Expect::Success).await;
    n.state(&tck, Finalized).await;
    tck.finish().await;
}

/// CN_C:01-02 Verify contract request, offer received, consumer counter-offer, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_01_02_offer_counter_request_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0102").await;
    n.offer(&tck, Expect::Success).await;
    n.receive(&tck, "ContractRequestMessage").await;
    n.state(&tck, Requested).await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN_C:01-03 Verify contract request, offer received, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_01_03_offer_consumer_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0103").await;
    n.offer(&tck, Expect::Success).await;
    n.receive(&tck, "ContractNegotiationTerminationMessage").await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN_C:01-04 Verify contract request, provider agreement, consumer verified, provider finalized.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_01_04_agree_verify_finalize() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0104").await;
    n.agree(&tck, Expect::Success).await;
    n.receive(&tck, "ContractAgreementVerificationMessage").await;
    n.finalize(&tck, Expect::Success).await;
    n.state(&tck, Finalized).await;
    tck.finish().await;
}

/// CN_C:02-01 Verify contract request, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_02_01_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0201").await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN_C:02-02 Verify contract request, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_02_02_consumer_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0202").await;
    n.receive(&tck, "ContractNegotiationTerminationMessage").await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN_C:02-03 Verify contract request, provider agreement, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_02_03_agree_consumer_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0203").await;
    n.agree(&tck, Expect::Success).await;
    n.receive(&tck, "ContractNegotiationTerminationMessage").await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN_C:02-04 Verify contract request, offer received, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_02_04_offer_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0204").await;
    n.offer(&tck, Expect::Success).await;
    n.state(&tck, Offered).await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN_C:02-05 Verify contract request, offer received, consumer accepted, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_02_05_offer_accept_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0205").await;
    n.offer(&tck, Expect::Success).await;
    n.receive_accepted(&tck).await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN_C:02-06 Verify contract request, provider agreement, consumer verified, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_02_06_agree_verify_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0206").await;
    n.agree(&tck, Expect::Success).await;
    n.receive(&tck, "ContractAgreementVerificationMessage").await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN_C:03-01 Verify contract request, invalid provider finalized (REQUESTED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_03_01_finalized_while_requested_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0301").await;
    n.finalize(&tck, REFUSED).await;
    n.state(&tck, Requested).await;
    tck.finish().await;
}

/// CN_C:03-02 Verify contract request, offer received, invalid provider agreed (OFFERED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_03_02_agreement_while_offered_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0302").await;
    n.offer(&tck, Expect::Success).await;
    n.state(&tck, Offered).await;
    n.agree(&tck, REFUSED).await;
    n.state(&tck, Offered).await;
    tck.finish().await;
}

/// CN_C:03-03 Verify contract request, offer received, invalid provider finalized (OFFERED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_03_03_finalized_while_offered_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0303").await;
    n.offer(&tck, Expect::Success).await;
    n.finalize(&tck, REFUSED).await;
    n.state(&tck, Offered).await;
    tck.finish().await;
}

/// CN_C:03-04 Verify contract request, offer received, consumer accepted, invalid provider
/// finalized (ACCEPTED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_03_04_finalized_while_accepted_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0304").await;
    n.offer(&tck, Expect::Success).await;
    n.receive_accepted(&tck).await;
    n.finalize(&tck, REFUSED).await;
    n.state(&tck, Accepted).await;
    tck.finish().await;
}

/// CN_C:03-05 Verify contract request, offer received, consumer accepted, invalid provider offer
/// (ACCEPTED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_03_05_offer_while_accepted_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0305").await;
    n.offer(&tck, Expect::Success).await;
    n.receive_accepted(&tck).await;
    n.offer(&tck, REFUSED).await;
    n.state(&tck, Accepted).await;
    tck.finish().await;
}

/// CN_C:03-06 Verify contract request, offer received, consumer accepted, provider agreed,
/// invalid provider finalized (AGREED, not VERIFIED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_c_03_06_finalized_while_agreed_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::start(&tck, "ACNC0306").await;
    n.offer(&tck, Expect::Success).await;
    n.receive_accepted(&tck).await;
    n.agree(&tck, Expect::Success).await;
    n.finalize(&tck, REFUSED).await;
    n.state(&tck, Agreed).await;
    tck.finish().await;
}

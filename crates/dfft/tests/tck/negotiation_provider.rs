//! CN_01 … CN_03: contract negotiations with the node as provider; the kit is the consumer and
//! opens each one with a ContractRequestMessage for dataset `ACNxxyy`, offer `CD123:ACNxxyy:456`.
//! Kit sources: `ContractNegotiationProvider0{1,2,3}Test`, `ProviderNegotiationPipelineImpl`,
//! `HttpProviderNegotiationClientImpl`, `NegotiationFunctions`.

use dsp::NegotiationState::{self, Finalized, Offered, Requested, Terminated};

use crate::harness::{Expect, Tck};
use crate::kit::Received;
use crate::messages as msg;

const REFUSED: Expect = Expect::Refused("ContractNegotiationError");

/// A negotiation the kit (consumer) opened on the node (provider).
struct Negotiation {
    dataset: String,
    offer_id: String,
    consumer_pid: String,
    provider_pid: String,
}

impl Negotiation {
    /// → ContractRequestMessage to `/negotiations/request`; 201 with the ContractNegotiation.
    async fn request(tck: &Tck, dataset: &str) -> Negotiation {
        let offer_id = format!("CD123:{dataset}:456");
        let consumer_pid = tck.kit.new_pid();
        let body = msg::contract_request(&consumer_pid, &offer_id, dataset, &tck.kit.base);
        let answer = tck.post_first(&tck.dsp("/negotiations/request"), &body, "ContractNegotiation").await;
        let field = |name: &str| answer.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        if field("consumerPid") != consumer_pid || field("providerPid").is_empty() {
            tck.fail(format!("the ContractNegotiation does not name both processes: {answer}"));
        }
        Negotiation { dataset: dataset.to_owned(), offer_id, consumer_pid, provider_pid: field("providerPid") }
    }

    fn url(&self, tck: &Tck, path: &str) -> String {
        tck.dsp(&format!("/negotiations/{}{path}", self.provider_pid))
    }

    /// ← a message of type `ty` at the kit's `/negotiations/<consumerPid>/…`.
    async fn receive(&self, tck: &Tck, ty: &str) -> Received {
        let received = tck.expect(&self.consumer_pid, ty).await;
        self.check(tck, &received);
        received
    }

    /// ← ContractNegotiationEventMessage `event`.
    async fn receive_event(&self, tck: &Tck, event: &str) {
        let received = tck.expect_event(&self.consumer_pid, event).await;
        self.check(tck, &received);
    }

    fn check(&self, tck: &Tck, received: &Received) {
        if received.body.get("providerPid").and_then(|v| v.as_str()) != Some(self.provider_pid.as_str()) {
            tck.fail(format!("{} does not carry the node's providerPid {}", received.body, self.provider_pid));
        }
    }

    /// → ContractNegotiationEventMessage ACCEPTED.
    async fn accept(&self, tck: &Tck) {
        let event = msg::event(&self.provider_pid, &self.consumer_pid, "ACCEPTED");
        tck.post(&self.url(tck, "/events"), &event, Expect::Success).await;
    }

    /// → ContractAgreementVerificationMessage.
    async fn verify(&self, tck: &Tck, expect: Expect) {
        let verification = msg::verification(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url(tck, "/agreement/verification"), &verification, expect).await;
    }

    /// → ContractNegotiationTerminationMessage.
    async fn terminate(&self, tck: &Tck, expect: Expect) {
        let termination = msg::negotiation_termination(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url(tck, "/termination"), &termination, expect).await;
    }

    /// → counter ContractRequestMessage to `/negotiations/<providerPid>/request`.
    async fn counter(&self, tck: &Tck, expect: Expect) {
        let assigner = tck.participant_id().await;
        let request =
            msg::counter_request(&self.provider_pid, &self.consumer_pid, &self.offer_id, &assigner, &self.dataset);
        tck.post(&self.url(tck, "/request"), &request, expect).await;
    }

    /// `GET /negotiations/<providerPid>` until the node's state is `state`.
    async fn state(&self, tck: &Tck, state: NegotiationState) {
        tck.wait_state(&self.url(tck, ""), state.as_str()).await;
    }
}

/// CN:01-01 Verify contract request, offer received, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_01_01_request_offer_consumer_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0101").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:01-02 Verify contract request, offer received, consumer counter-offer, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_01_02_request_offer_counter_request_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0102").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.counter(&tck, Expect::Success).await;
    n.receive(&tck, "ContractNegotiationTerminationMessage").await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:01-03 Verify contract request, offer received, consumer accepted, provider agreement,
/// consumer verified, provider finalized.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_01_03_request_offer_accept_agree_verify_finalize() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0103").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.accept(&tck).await;
    n.receive(&tck, "ContractAgreementMessage").await;
    n.verify(&tck, Expect::Success).await;
    n.receive_event(&tck, "FINALIZED").await;
    n.state(&tck, Finalized).await;
    tck.finish().await;
}

/// CN:01-04 Verify contract request, provider agreement, consumer verified, provider finalized.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_01_04_request_agree_verify_finalize() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0104").await;
    n.receive(&tck, "ContractAgreementMessage").await;
    n.verify(&tck, Expect::Success).await;
    n.receive_event(&tck, "FINALIZED").await;
    n.state(&tck, Finalized).await;
    tck.finish().await;
}

/// CN:02-01 Verify contract request, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_02_01_request_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0201").await;
    n.receive(&tck, "ContractNegotiationTerminationMessage").await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:02-02 Verify contract request, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_02_02_request_consumer_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0202").await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:02-03 Verify contract request, provider agreement, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_02_03_request_agree_consumer_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0203").await;
    n.receive(&tck, "ContractAgreementMessage").await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:02-04 Verify contract request, offer received, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_02_04_request_offer_consumer_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0204").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.terminate(&tck, Expect::Success).await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:02-05 Verify contract request, offer received, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_02_05_request_offer_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0205").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.receive(&tck, "ContractNegotiationTerminationMessage").await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:02-06 Verify contract request, offer received, consumer accepted, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_02_06_request_offer_accept_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0206").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.accept(&tck).await;
    n.receive(&tck, "ContractNegotiationTerminationMessage").await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:02-07 Verify contract request, provider agreement, consumer verified, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_02_07_request_agree_verify_provider_terminates() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0207").await;
    n.receive(&tck, "ContractAgreementMessage").await;
    n.verify(&tck, Expect::Success).await;
    n.receive(&tck, "ContractNegotiationTerminationMessage").await;
    n.state(&tck, Terminated).await;
    tck.finish().await;
}

/// CN:03-01 Verify contract request, provider agreement, consumer verified, provider finalized,
/// invalid consumer terminated (FINALIZED is final: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_03_01_terminate_after_finalized_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0301").await;
    n.receive(&tck, "ContractAgreementMessage").await;
    n.verify(&tck, Expect::Success).await;
    n.receive_event(&tck, "FINALIZED").await;
    n.state(&tck, Finalized).await;
    n.terminate(&tck, REFUSED).await;
    n.state(&tck, Finalized).await;
    tck.finish().await;
}

/// CN:03-02 Verify contract request, offer received, invalid consumer verified (OFFERED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_03_02_verify_while_offered_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0302").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.verify(&tck, REFUSED).await;
    n.state(&tck, Offered).await;
    tck.finish().await;
}

/// CN:03-03 Verify contract request, offer received, consumer accepted, illegal consumer verified
/// (ACCEPTED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_03_03_verify_while_accepted_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0303").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.accept(&tck).await;
    n.verify(&tck, REFUSED).await;
    n.state(&tck, NegotiationState::Accepted).await;
    tck.finish().await;
}

/// CN:03-04 Verify contract request, offer received, consumer counter-offer (x2): the second one
/// (REQUESTED) gets 4xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_03_04_second_counter_request_is_refused() {
    let tck = Tck::start().await;
    let n = Negotiation::request(&tck, "ACN0304").await;
    n.receive(&tck, "ContractOfferMessage").await;
    n.counter(&tck, Expect::Success).await;
    n.counter(&tck, REFUSED).await;
    n.state(&tck, Requested).await;
    tck.finish().await;
}

//! TP_01 … TP_03: transfers with the node as provider; the kit is the consumer and opens each one
//! with a TransferRequestMessage for the seeded agreement `ATPxxyy`, format `HttpData-PULL`.
//! Kit sources: `TransferProcessProvider0{1,2,3}Test`, `ProviderTransferProcessPipelineImpl`,
//! `AbstractTransferProcessPipeline`, `HttpProviderTransferProcessClient`, `TransferFunctions`.

use dsp::TransferState::{self, Completed, Requested, Started, Suspended, Terminated};

use crate::harness::{Expect, Tck};
use crate::messages as msg;

const REFUSED: Expect = Expect::Refused("TransferError");

/// A transfer the kit (consumer) opened on the node (provider).
struct Transfer {
    consumer_pid: String,
    provider_pid: String,
}

impl Transfer {
    /// → TransferRequestMessage to `/transfers/request`; 201 with the TransferProcess.
    async fn request(tck: &Tck, agreement: &str) -> Transfer {
        let consumer_pid = tck.kit.new_pid();
        let body = msg::transfer_request(&consumer_pid, agreement, &tck.kit.base);
        let answer = tck.post_first(&tck.dsp("/transfers/request"), &body, "TransferProcess").await;
        let field = |name: &str| answer.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        if field("consumerPid") != consumer_pid || field("providerPid").is_empty() {
            tck.fail(format!("the TransferProcess does not name both processes: {answer}"));
        }
        Transfer { consumer_pid, provider_pid: field("providerPid") }
    }

    fn url(&self, tck: &Tck, path: &str) -> String {
        tck.dsp(&format!("/transfers/{}{path}", self.provider_pid))
    }

    /// ← a message of type `ty` at the kit's `/transfers/<consumerPid>/…`.
    async fn receive(&self, tck: &Tck, ty: &str) {
        let received = tck.expect(&self.consumer_pid, ty).await;
        if received.body.get("providerPid").and_then(|v| v.as_str()) != Some(self.provider_pid.as_str()) {
            tck.fail(format!("{} does not carry the node's providerPid {}", received.body, self.provider_pid));
        }
    }

    /// → TransferStartMessage (the kit resuming a suspended transfer).
    async fn start(&self, tck: &Tck, expect: Expect) {
        let start = msg::transfer_start(&self.provider_pid, &self.consumer_pid, false);
        tck.post(&self.url(tck, "/start"), &start, expect).await;
    }

    async fn suspend(&self, tck: &Tck, expect: Expect) {
        let suspension = msg::transfer_suspension(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url(tck, "/suspension"), &suspension, expect).await;
    }

    async fn complete(&self, tck: &Tck, expect: Expect) {
        let completion = msg::transfer_completion(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url(tck, "/completion"), &completion, expect).await;
    }

    async fn terminate(&self, tck: &Tck, expect: Expect) {
        let termination = msg::transfer_termination(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url(tck, "/termination"), &termination, expect).await;
    }

    /// `GET /transfers/<providerPid>` until the node's state is `state`.
    async fn state(&self, tck: &Tck, state: TransferState) {
        tck.wait_state(&self.url(tck, ""), state.as_str()).await;
    }
}

/// TP:01-01 Verify transfer request, provider started, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_01_01_provider_starts_and_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0101").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.receive(&tck, "TransferTerminationMessage").await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP:01-02 Verify transfer request, provider started, provider completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_01_02_provider_starts_and_completes() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0102").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.receive(&tck, "TransferCompletionMessage").await;
    t.state(&tck, Completed).await;
    tck.finish().await;
}

/// TP:01-03 Verify transfer request, provider started, provider suspended, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_01_03_provider_starts_suspends_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0103").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.receive(&tck, "TransferSuspensionMessage").await;
    t.receive(&tck, "TransferTerminationMessage").await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP:01-04 Verify transfer request, provider started, provider suspended, provider started,
/// provider completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_01_04_provider_starts_suspends_resumes_completes() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0104").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.receive(&tck, "TransferSuspensionMessage").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.receive(&tck, "TransferCompletionMessage").await;
    t.state(&tck, Completed).await;
    tck.finish().await;
}

/// TP:01-05 Verify transfer request, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_01_05_provider_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0105").await;
    t.receive(&tck, "TransferTerminationMessage").await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP:02-01 Verify transfer request, provider started, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_02_01_started_consumer_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0201").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.state(&tck, Started).await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP:02-02 Verify transfer request, provider started, consumer completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_02_02_started_consumer_completes() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0202").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.state(&tck, Started).await;
    t.complete(&tck, Expect::Success).await;
    t.state(&tck, Completed).await;
    tck.finish().await;
}

/// TP:02-03 Verify transfer request, provider started, consumer suspended, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_02_03_started_consumer_suspends_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0203").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.state(&tck, Started).await;
    t.suspend(&tck, Expect::Success).await;
    t.state(&tck, Suspended).await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP:02-04 Verify transfer request, provider started, consumer suspended, consumer started,
/// consumer completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_02_04_started_consumer_suspends_resumes_completes() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0204").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.state(&tck, Started).await;
    t.suspend(&tck, Expect::Success).await;
    t.state(&tck, Suspended).await;
    t.start(&tck, Expect::Success).await;
    t.state(&tck, Started).await;
    t.complete(&tck, Expect::Success).await;
    t.state(&tck, Completed).await;
    tck.finish().await;
}

/// TP:02-05 Verify transfer request, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_02_05_requested_consumer_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0205").await;
    t.state(&tck, Requested).await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP:03-01 Verify transfer request, consumer completed (REQUESTED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_03_01_completion_while_requested_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0301").await;
    t.state(&tck, Requested).await;
    t.complete(&tck, REFUSED).await;
    t.state(&tck, Requested).await;
    tck.finish().await;
}

/// TP:03-02 Verify transfer request, consumer suspended (REQUESTED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_03_02_suspension_while_requested_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0302").await;
    t.state(&tck, Requested).await;
    t.suspend(&tck, REFUSED).await;
    t.state(&tck, Requested).await;
    tck.finish().await;
}

/// TP:03-03 Verify transfer request, provider started, consumer suspended, consumer completed
/// (SUSPENDED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_03_03_completion_while_suspended_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0303").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.state(&tck, Started).await;
    t.suspend(&tck, Expect::Success).await;
    t.state(&tck, Suspended).await;
    t.complete(&tck, REFUSED).await;
    t.state(&tck, Suspended).await;
    tck.finish().await;
}

/// TP:03-04 Verify transfer request, provider started, consumer terminated, consumer started
/// (TERMINATED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_03_04_start_after_termination_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0304").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.state(&tck, Started).await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    t.start(&tck, REFUSED).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP:03-05 Verify transfer request, provider started, consumer terminated, consumer suspended
/// (TERMINATED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_03_05_suspension_after_termination_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0305").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.state(&tck, Started).await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    t.suspend(&tck, REFUSED).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP:03-06 Verify transfer request, provider started, consumer terminated, consumer completed
/// (TERMINATED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_03_06_completion_after_termination_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::request(&tck, "ATP0306").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.state(&tck, Started).await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    t.complete(&tck, REFUSED).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

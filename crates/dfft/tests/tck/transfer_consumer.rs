//! TP_C_01 … TP_C_03: transfers with the node as consumer; the kit is the provider. Each case
//! starts with the kit's `POST /tck/transfers/requests` for the seeded agreement `ATPCxxyy`,
//! format `HttpData-PULL`; the node then sends its TransferRequestMessage to the kit.
//! Kit sources: `TransferProcessConsumer0{1,2,3}Test`, `ConsumerTransferProcessPipelineImpl`,
//! `AbstractTransferProcessPipeline`, `HttpConsumerTransferProcessClient`, `TransferFunctions`.

use dsp::TransferState::{self, Completed, Requested, Started, Suspended, Terminated};
use serde_json::{json, Value};

use crate::harness::{Expect, Tck};
use crate::messages as msg;

const REFUSED: Expect = Expect::Refused("TransferError");

/// A transfer the node (consumer) opened with the kit (provider).
struct Transfer {
    /// The kit's process id.
    provider_pid: String,
    /// The node's process id and callback address, from its TransferRequestMessage.
    consumer_pid: String,
    callback: String,
}

fn text(value: &Value, field: &str) -> String {
    value.get(field).and_then(Value::as_str).unwrap_or_default().to_owned()
}

impl Transfer {
    /// The kit's trigger, then ← the node's TransferRequestMessage (the kit answers 200 with a
    /// TransferProcess REQUESTED).
    async fn start(tck: &Tck, agreement: &str) -> Transfer {
        let trigger = json!({
            "agreementId": agreement,
            "format": msg::FORMAT,
            "providerId": msg::TCK_PARTICIPANT,
            "connectorAddress": tck.kit.base,
        });
        tck.post(&format!("{}/tck/transfers/requests", tck.node.base), &trigger, Expect::Success).await;
        let request = tck.expect_request("TransferRequestMessage").await;
        if text(&request.body, "agreementId") != agreement || text(&request.body, "format") != msg::FORMAT {
            tck.fail(format!("the node's TransferRequestMessage must name {agreement} and {}", msg::FORMAT));
        }
        let (consumer_pid, callback) = (text(&request.body, "consumerPid"), text(&request.body, "callbackAddress"));
        Transfer { provider_pid: request.pid.unwrap_or_default(), consumer_pid, callback }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/transfers/{}{path}", self.callback.trim_end_matches('/'), self.consumer_pid)
    }

    /// → TransferStartMessage, with the kit's pull data address unless `bare` (TP_C:02-04).
    async fn start_transfer(&self, tck: &Tck, expect: Expect, bare: bool) {
        let start = msg::transfer_start(&self.provider_pid, &self.consumer_pid, !bare);
        tck.post(&self.url("/start"), &start, expect).await;
    }

    async fn suspend(&self, tck: &Tck, expect: Expect) {
        let suspension = msg::transfer_suspension(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url("/suspension"), &suspension, expect).await;
    }

    async fn complete(&self, tck: &Tck, expect: Expect) {
        let completion = msg::transfer_completion(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url("/completion"), &completion, expect).await;
    }

    async fn terminate(&self, tck: &Tck, expect: Expect) {
        let termination = msg::transfer_termination(&self.provider_pid, &self.consumer_pid);
        tck.post(&self.url("/termination"), &termination, expect).await;
    }

    /// ← a message of type `ty` at the kit's `/transfers/<providerPid>/…`.
    async fn receive(&self, tck: &Tck, ty: &str) {
        let received = tck.expect(&self.provider_pid, ty).await;
        if text(&received.body, "consumerPid") != self.consumer_pid {
            tck.fail(format!("{} does not carry the node's consumerPid {}", received.body, self.consumer_pid));
        }
    }

    /// `GET <callback>/transfers/<consumerPid>` until the node's state is `state`.
    async fn state(&self, tck: &Tck, state: TransferState) {
        tck.wait_state(&self.url(""), state.as_str()).await;
    }
}

/// TP_C:01-01 Verify transfer request, provider started, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_01_01_provider_starts_and_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0101").await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.state(&tck, Started).await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP_C:01-02 Verify transfer request, provider started, provider completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_01_02_provider_starts_and_completes() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0102").await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.state(&tck, Started).await;
    t.complete(&tck, Expect::Success).await;
    t.state(&tck, Completed).await;
    tck.finish().await;
}

/// TP_C:01-03 Verify transfer request, provider started, provider suspended, provider terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_01_03_provider_starts_suspends_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0103").await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.state(&tck, Started).await;
    t.suspend(&tck, Expect::Success).await;
    t.state(&tck, Suspended).await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP_C:01-04 Verify transfer request, provider started, provider suspended, provider started,
/// provider completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_01_04_provider_starts_suspends_resumes_completes() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0104").await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.state(&tck, Started).await;
    t.suspend(&tck, Expect::Success).await;
    t.state(&tck, Suspended).await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.state(&tck, Started).await;
    t.complete(&tck, Expect::Success).await;
    t.state(&tck, Completed).await;
    tck.finish().await;
}

/// TP_C:01-05 Verify transfer request, provider terminated. (The kit's sample configuration
/// gives this case the agreement ATPC0104, as used here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_01_05_provider_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0104").await;
    t.terminate(&tck, Expect::Success).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP_C:02-01 Verify transfer request, provider started, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_02_01_started_consumer_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0201").await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.receive(&tck, "TransferTerminationMessage").await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP_C:02-02 Verify transfer request, provider started, consumer completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_02_02_started_consumer_completes() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0202").await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.receive(&tck, "TransferCompletionMessage").await;
    t.state(&tck, Completed).await;
    tck.finish().await;
}

/// TP_C:02-03 Verify transfer request, provider started, consumer suspended, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_02_03_started_consumer_suspends_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0203").await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.receive(&tck, "TransferSuspensionMessage").await;
    t.receive(&tck, "TransferTerminationMessage").await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP_C:02-04 Verify transfer request, provider started, consumer suspended, consumer started,
/// consumer completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_02_04_started_consumer_suspends_resumes_completes() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0204").await;
    t.start_transfer(&tck, Expect::Success, true).await;
    t.receive(&tck, "TransferSuspensionMessage").await;
    t.receive(&tck, "TransferStartMessage").await;
    t.receive(&tck, "TransferCompletionMessage").await;
    t.state(&tck, Completed).await;
    tck.finish().await;
}

/// TP_C:02-05 Verify transfer request, consumer terminated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_02_05_requested_consumer_terminates() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0205").await;
    t.receive(&tck, "TransferTerminationMessage").await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP_C:03-01 Verify transfer request, provider completed (REQUESTED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_03_01_completion_while_requested_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0301").await;
    t.state(&tck, Requested).await;
    t.complete(&tck, REFUSED).await;
    t.state(&tck, Requested).await;
    tck.finish().await;
}

/// TP_C:03-02 Verify transfer request, provider suspended (REQUESTED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_03_02_suspension_while_requested_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0302").await;
    t.state(&tck, Requested).await;
    t.suspend(&tck, REFUSED).await;
    t.state(&tck, Requested).await;
    tck.finish().await;
}

/// TP_C:03-03 Verify transfer request, provider started, provider suspended, provider completed
/// (SUSPENDED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_03_03_completion_while_suspended_is_refused() {
    let tck = Tck::start().await;
    let t = Transfer::start(&tck, "ATPC0303").await;
    t.state(&tck, Requested).await;
    t.start_transfer(&tck, Expect::Success, false).await;
    t.state(&tck, Started).await;
    t.suspend(&tck, Expect::Success).await;
    t.state(&tck, Suspended).await;
    t.complete(&tck, REFUSED).await;
    t.state(&tck, Suspended).await;
    tck.finish().await;
}

/// The shared start of TP_C:03-04 … 03-06: started, then terminated by the kit.
async fn started_then_terminated(tck: &Tck, agreement: &str) -> Transfer {
    let t = Transfer::start(tck, agreement).await;
    t.state(tck, Requested).await;
    t.start_transfer(tck, Expect::Success, false).await;
    t.state(tck, Started).await;
    t.terminate(tck, Expect::Success).await;
    t.state(tck, Terminated).await;
    t
}

/// TP_C:03-04 Verify transfer request, provider started, provider terminated, provider started
/// (TERMINATED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_03_04_start_after_termination_is_refused() {
    let tck = Tck::start().await;
    let t = started_then_terminated(&tck, "ATPC0304").await;
    t.start_transfer(&tck, REFUSED, false).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP_C:03-05 Verify transfer request, provider started, provider terminated, provider suspended
/// (TERMINATED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_03_05_suspension_after_termination_is_refused() {
    let tck = Tck::start().await;
    let t = started_then_terminated(&tck, "ATPC0305").await;
    t.suspend(&tck, REFUSED).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

/// TP_C:03-06 Verify transfer request, provider started, provider terminated, provider completed
/// (TERMINATED: 4xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tp_c_03_06_completion_after_termination_is_refused() {
    let tck = Tck::start().await;
    let t = started_then_terminated(&tck, "ATPC0306").await;
    t.complete(&tck, REFUSED).await;
    t.state(&tck, Terminated).await;
    tck.finish().await;
}

//! The connector under test (the `dfft` binary, `serve --tck`, in a temporary node directory) and
//! the kit's HTTP client rules (`HttpFunctions`): the same `Authorization` header on every
//! request; a 404 always fails; a non-404 4xx is retried (3 attempts, 200 ms then 400 ms apart)
//! unless an error is expected; a negative step needs a non-404 4xx; 5xx always fails. Every
//! response body is validated against the official schemas.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::Value;

use crate::kit::{Kit, Received};
use crate::schemas::schemas;

/// Bound of every wait for the node (the kit's default is 15 s).
pub const WAIT: Duration = Duration::from_secs(10);
/// How long a finished case still listens for messages no step expected.
const SETTLE: Duration = Duration::from_millis(600);
/// Bound of the node's start (first stdout line).
const START: Duration = Duration::from_secs(30);
const DSP_PATH: &str = "/dsp/2025-1";

fn dfft() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dfft"))
}

/// `dfft` output, or a panic naming the command and its stderr.
fn run(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A running `dfft serve --tck`, killed (and its directory removed) on drop.
pub struct Node {
    child: Child,
    root: PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The DSP base URL, `<base>/dsp/2025-1` (also the node's callback address).
    pub dsp: String,
    /// The `Authorization` header the kit sends on every request.
    pub auth: String,
}

impl Node {
    pub fn start() -> Node {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let root = std::env::temp_dir().join(format!(
            "dfft-tck-{}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed),
            crate::messages::uuid()
        ));
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        let dir = root.join("node");
        run(dfft().arg("init").arg(&dir).args(["--name", "TCK node", "--jurisdiction", "JP"]));
        let log = std::fs::File::create(root.join("node.log")).expect("a log file");
        let mut child = dfft()
            .arg("serve")
            .arg(&dir)
            .args(["--listen", "127.0.0.1:0", "--tck"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("dfft serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (first, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = first.send(line);
            // Keep draining so the node never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut node = Node { child, root, base: String::new(), dsp: String::new(), auth: String::new() };
        let line = lines.recv_timeout(START).unwrap_or_default();
        let Some(base) = line.trim().strip_prefix("listening on ").filter(|b| b.starts_with("http://127.0.0.1:"))
        else {
            panic!(
                "`dfft serve` did not print `listening on http://127.0.0.1:PORT` first (got {line:?})\n{}",
                node.log()
            );
        };
        node.base = base.trim_end_matches('/').to_owned();
        node.dsp = format!("{}{DSP_PATH}", node.base);
        let token = run(dfft().arg("token").arg(&dir).args(["--audience", &node.dsp, "--reusable"]));
        node.auth = token.trim().to_owned();
        assert!(node.auth.starts_with("Bearer "), "`dfft token` printed {token:?}, not an Authorization header value");
        node
    }

    /// The node's stderr so far (last 60 lines), for failure reports.
    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(self.root.join("node.log")) {
            let _ = file.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        format!("--- node log (tail) ---\n{}", lines[lines.len().saturating_sub(60)..].join("\n"))
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// What a negative step expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// 2xx (a non-404 4xx is retried).
    Success,
    /// A non-404 4xx, with this error `@type` in the body.
    Refused(&'static str),
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

/// One kit case: the node, the kit's callback server and its HTTP client.
pub struct Tck {
    pub node: Node,
    pub kit: Kit,
    http: reqwest::Client,
}

impl Tck {
    pub async fn start() -> Tck {
        let kit = Kit::start().await;
        let node = tokio::task::spawn_blocking(Node::start)
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        let http = reqwest::Client::builder().no_proxy().timeout(WAIT).build().expect("an HTTP client");
        Tck { node, kit, http }
    }

    /// Fails the case with the node's log and everything the kit received.
    pub fn fail(&self, message: impl std::fmt::Display) -> ! {
        panic!("{message}\n--- the kit received ---\n{}{}", self.kit.transcript(), self.node.log())
    }

    /// A DSP URL of the node.
    pub fn dsp(&self, path: &str) -> String {
        format!("{}{path}", self.node.dsp)
    }

    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> Reply {
        let response = match request.header("Authorization", &self.node.auth).send().await {
            Ok(response) => response,
            Err(e) => self.fail(format!("{what}: no answer: {e}")),
        };
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap_or_default();
        let body = if bytes.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(body) => Some(body),
                Err(e) => self.fail(format!(
                    "{what}: {status} with a body that is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )),
            }
        };
        Reply { status, body }
    }

    /// A DSP message (or a trigger, `plain`) POSTed with the kit's rules.
    pub async fn post(&self, url: &str, message: &Value, expect: Expect) -> Reply {
        let what = format!("POST {url} {}", message.get("@type").and_then(Value::as_str).unwrap_or("(trigger)"));
        if message.get("@type").is_some() {
            if let Err(e) = schemas().check(message) {
                self.fail(format!("the suite's own message is invalid: {e}"));
            }
        }
        let mut backoff = Duration::from_millis(200);
        for attempt in 1..=3 {
            let reply = self.send(self.http.post(url).json(message), &what).await;
            let status = reply.status;
            let retry = expect == Expect::Success && (400..500).contains(&status) && status != 404 && attempt < 3;
            if retry {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
                continue;
            }
            if status == 404 {
                self.fail(format!("{what}: unexpected 404 (never acceptable): {:?}", reply.body));
            }
            match expect {
                Expect::Success if !(200..300).contains(&status) => {
                    self.fail(format!("{what}: expected success, got {status} {:?}", reply.body))
                }
                Expect::Refused(_) if !(400..500).contains(&status) => {
                    self.fail(format!("{what}: expected a 4xx refusal, got {status} {:?}", reply.body))
                }
                _ => {}
            }
            self.check_body(&what, reply.body.as_ref(), expect);
            return reply;
        }
        unreachable!("the last attempt returns")
    }

    fn check_body(&self, what: &str, body: Option<&Value>, expect: Expect) {
        let Some(body) = body else {
            if let Expect::Refused(ty) = expect {
                self.fail(format!("{what}: refused without a {ty} body"));
            }
            return;
        };
        if body.get("@type").is_none()
            && body.get("protocolVersions").is_none()
            && !matches!(expect, Expect::Refused(_))
        {
            // A plain-JSON answer (e.g. of a trigger endpoint) is not a DSP message.
            return;
        }
        let ty = match schemas().check(body) {
            Ok(ty) => ty,
            Err(e) => self.fail(format!("{what}: answer: {e}")),
        };
        if let Expect::Refused(expected) = expect {
            if ty != expected {
                self.fail(format!("{what}: refused with a {ty}, expected a {expected}"));
            }
        }
    }

    /// A message that opens a process: 201 with a body of type `ty`.
    pub async fn post_first(&self, url: &str, message: &Value, ty: &str) -> Value {
        let reply = self.post(url, message, Expect::Success).await;
        let body = reply.body.unwrap_or_else(|| self.fail(format!("POST {url}: {} without a {ty} body", reply.status)));
        if reply.status != 201 || body.get("@type").and_then(Value::as_str) != Some(ty) {
            self.fail(format!("POST {url}: expected 201 with a {ty}, got {} {body}", reply.status));
        }
        body
    }

    /// GET with the kit's rules: any non-2xx fails unless `expect_error`, but a 404 only then.
    pub async fn get(&self, url: &str, expect_error: bool) -> Reply {
        let what = format!("GET {url}");
        let reply = self.send(self.http.get(url), &what).await;
        if !expect_error && reply.status == 404 {
            self.fail(format!("{what}: unexpected 404: {:?}", reply.body));
        }
        if !expect_error && !(200..300).contains(&reply.status) {
            self.fail(format!("{what}: unexpected {}: {:?}", reply.status, reply.body));
        }
        if let Some(body) = &reply.body {
            if body.get("@type").is_some() {
                if let Err(e) = schemas().check(body) {
                    self.fail(format!("{what}: answer: {e}"));
                }
            }
        }
        reply
    }

    /// Polls `GET url` (a ContractNegotiation or TransferProcess) until its `state` is `state`.
    pub async fn wait_state(&self, url: &str, state: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let reply = self.get(url, false).await;
            let found = reply.body.as_ref().and_then(|b| b.get("state")).and_then(Value::as_str).map(str::to_owned);
            if found.as_deref() == Some(state) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                self.fail(format!("GET {url}: state {found:?}, expected {state} within {WAIT:?} ({:?})", reply.body));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The next message of type `ty` the node sent for the kit's process `pid`.
    pub async fn expect(&self, pid: &str, ty: &str) -> Received {
        self.kit.expect(Some(pid), ty, None).await.unwrap_or_else(|e| self.fail(e))
    }

    /// The next ContractNegotiationEventMessage with `eventType` `event` for the kit's process.
    pub async fn expect_event(&self, pid: &str, event: &str) -> Received {
        let ty = "ContractNegotiationEventMessage";
        self.kit.expect(Some(pid), ty, Some(event)).await.unwrap_or_else(|e| self.fail(e))
    }

    /// The next opening request of type `ty` (the kit answered it; `pid` is its provider pid).
    pub async fn expect_request(&self, ty: &str) -> Received {
        self.kit.expect(None, ty, None).await.unwrap_or_else(|e| self.fail(e))
    }

    /// The node's participant id, as its catalog names it (the kit's `connector.agent.id`).
    pub async fn participant_id(&self) -> String {
        let catalog =
            self.post(&self.dsp("/catalog/request"), &crate::messages::catalog_request(), Expect::Success).await;
        let id = catalog.body.as_ref().and_then(|c| c.get("participantId")).and_then(Value::as_str);
        id.map(str::to_owned)
            .unwrap_or_else(|| self.fail(format!("the catalog names no participantId: {:?}", catalog.body)))
    }

    /// Ends the case: no check failed and the node sent nothing that no step expected, also not
    /// shortly after the last step (the node paces scripted messages 100–250 ms apart).
    pub async fn finish(self) {
        tokio::time::sleep(SETTLE).await;
        let problems = self.kit.problems();
        if !problems.is_empty() {
            self.fail(problems.join("\n"));
        }
    }
}

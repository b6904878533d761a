//! Running `dfft` (one-shot commands and serving nodes), temporary directories, HTTP on loopback
//! and bounded waiting. Every serving node is a child process killed when its guard drops.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Exit codes documented in `dfft --help`.
pub const OK: i32 = 0;
pub const FAILURE: i32 = 1;
pub const BAD_INPUT: i32 = 2;

/// The longest any single wait in these tests may take.
pub const WAIT: Duration = Duration::from_secs(20);

pub const DSP: &str = "/dsp/2025-1";

pub const CATALOG_REQUEST: &str =
    r#"{"@context":["https://w3id.org/dspace/2025/1/context.jsonld"],"@type":"CatalogRequestMessage"}"#;

// ---- temporary directories ----

/// A directory under the system temp dir, unique per test, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("dfft-node-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temp dir");
        TempDir(path)
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn s(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

// ---- one-shot commands ----

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Both streams, for messages that may go to either.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn drain(mut from: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Runs `dfft ARGS` to its end (at most [`WAIT`] plus a margin; killed and failed beyond).
pub fn dfft(args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfft"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dfft binary starts");
    let out = drain(child.stdout.take().expect("piped"));
    let err = drain(child.stderr.take().expect("piped"));
    let deadline = Instant::now() + WAIT + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for dfft") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`dfft {}` did not finish in time", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run { code: status.code(), stdout: out.join().expect("reader"), stderr: err.join().expect("reader") }
}

/// `dfft init DIR --name NAME --jurisdiction J`, expecting success; returns DIR.
pub fn init_node(tmp: &TempDir, name: &str, jurisdiction: &str) -> PathBuf {
    let dir = tmp.join(name);
    dfft(&["init", s(&dir), "--name", name, "--jurisdiction", jurisdiction]).expect_code(OK);
    dir
}

/// A CSV file of `rows` rows; returns its bytes.
pub fn write_csv(path: &Path, rows: usize) -> Vec<u8> {
    let mut text = String::from("case_id,region,age,diagnosis\n");
    for i in 0..rows {
        text.push_str(&format!("{i},region-{},{},code-{}\n", i % 17, 20 + i % 60, i % 101));
    }
    std::fs::write(path, &text).expect("write the CSV");
    text.into_bytes()
}

pub fn add_dataset(dir: &Path, id: &str, file: &Path, extra: &[&str]) {
    let mut args = vec!["dataset", "add", s(dir), "--id", id, "--file", s(file), "--category", "health"];
    args.extend_from_slice(&["--subjects", "5000"]);
    args.extend_from_slice(extra);
    dfft(&args).expect_code(OK);
}

/// Replaces `old` (which must be there) by `new` in the node's `dfft.toml`.
pub fn edit_config(dir: &Path, old: &str, new: &str) {
    let path = dir.join("dfft.toml");
    let text = std::fs::read_to_string(&path).expect("read dfft.toml");
    assert!(text.contains(old), "dfft.toml lacks {old:?}:\n{text}");
    std::fs::write(&path, text.replacen(old, new, 1)).expect("write dfft.toml");
}

/// `dfft token DIR --audience URL EXTRA…`: the `Bearer …` value.
pub fn token(dir: &Path, audience: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", s(dir), "--audience", audience];
    args.extend_from_slice(extra);
    let run = dfft(&args);
    run.expect_code(OK);
    let value = run.stdout.trim().to_owned();
    assert!(value.starts_with("Bearer "), "dfft token prints `Bearer …`, got {value:?}");
    value
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Polls `probe` every 50 ms until it returns `Some`, for at most [`WAIT`].
pub fn wait_until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---- serving nodes ----

/// A `dfft serve` child process; killed (SIGKILL) when dropped if still running.
pub struct Served {
    pub dir: PathBuf,
    pub url: String,
    pub log: PathBuf,
    child: Option<Child>,
}

impl Served {
    /// `dfft serve DIR --listen LISTEN`; waits for its `listening on URL` line.
    pub fn start(dir: &Path, listen: &str) -> Served {
        Served::start_args(dir, listen, &[])
    }

    /// [`Served::start`] with more arguments (e.g. `--rulebook DIR`).
    pub fn start_args(dir: &Path, listen: &str, extra: &[&str]) -> Served {
        static N: AtomicUsize = AtomicUsize::new(0);
        let log = dir.with_extension(format!("serve-{}.log", N.fetch_add(1, Ordering::Relaxed)));
        let mut child = Command::new(env!("CARGO_BIN_EXE_dfft"))
            .args(["serve", s(dir), "--listen", listen, "--log", "info"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("create the log"))
            .spawn()
            .expect("dfft serve starts");
        let stdout = child.stdout.take().expect("piped");
        let (lines, first) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = lines.send(line);
            }
        });
        let mut served = Served { dir: dir.to_owned(), url: String::new(), log, child: Some(child) };
        let line = match first.recv_timeout(WAIT) {
            Ok(line) => line,
            Err(e) => panic!("dfft serve printed no first line ({e}); log:\n{}", served.log_text()),
        };
        let url = line.strip_prefix("listening on ").unwrap_or_else(|| panic!("first line: {line:?}"));
        assert!(url.starts_with("http://127.0.0.1:"), "first line: {line:?}");
        served.url = url.to_owned();
        served
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("the URL ends in a port")
    }

    pub fn dsp(&self) -> String {
        format!("{}{DSP}", self.url)
    }

    /// SIGKILL, then reap.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM; returns the exit status if it ended within `within`, else kills it and returns None.
    pub fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn admin_token(&self) -> String {
        format!("Bearer {}", std::fs::read_to_string(self.dir.join("admin.token")).expect("admin.token").trim())
    }

    /// `GET /api/PATH` with the admin token, expecting 200.
    pub fn api(&self, path: &str) -> Value {
        let resp = get(&format!("{}{path}", self.url), Some(&self.admin_token()));
        assert_eq!(resp.status, 200, "GET {path}: {}", resp.body);
        resp.json()
    }

    pub fn api_post(&self, path: &str, body: &Value) -> Resp {
        post(&format!("{}{path}", self.url), Some(&self.admin_token()), &body.to_string())
    }

    /// A fresh single-use token of `caller` for this node.
    pub fn token_from(&self, caller: &Path) -> String {
        token(caller, &self.dsp(), &[])
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill9();
    }
}

// ---- HTTP ----

/// An HTTP answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}) [{}]: {}", self.status, self.body))
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime")
    })
}

/// One request, no connection reuse (nodes restart under these tests), at most [`WAIT`].
pub fn request(method: &str, url: &str, auth: Option<&str>, body: Option<&str>) -> Resp {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    runtime().block_on(async {
        let client =
            reqwest::Client::builder().timeout(WAIT).pool_max_idle_per_host(0).build().expect("an HTTP client");
        let mut request = client.request(method, url);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body.to_owned());
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = response.text().await.unwrap_or_else(|e| panic!("{url}: {e}"));
        Resp { status, content_type, body }
    })
}

pub fn get(url: &str, auth: Option<&str>) -> Resp {
    request("GET", url, auth, None)
}

pub fn post(url: &str, auth: Option<&str>, body: &str) -> Resp {
    request("POST", url, auth, Some(body))
}

/// The first string of a DSP error's `reason` (a string or an array of strings).
pub fn reason(value: &Value) -> String {
    match &value["reason"] {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(|i| i.as_str().unwrap_or_default()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

// ---- a provider and a consumer ----

/// Two initialised, serving nodes; the provider offers `cases` (a health CSV, 5000 subjects).
pub struct Pair {
    pub provider: Served,
    pub consumer: Served,
    pub data: PathBuf,
    pub bytes: Vec<u8>,
    pub tmp: TempDir,
}

impl Pair {
    pub fn start(tag: &str, provider_jurisdiction: &str, consumer_jurisdiction: &str) -> Pair {
        Pair::start_with(tag, provider_jurisdiction, consumer_jurisdiction, |_, _| {})
    }

    /// Like [`Pair::start`], calling `prepare(provider_dir, consumer_dir)` before serving.
    pub fn start_with(tag: &str, pj: &str, cj: &str, prepare: impl FnOnce(&Path, &Path)) -> Pair {
        let tmp = TempDir::new(tag);
        let p = init_node(&tmp, "provider", pj);
        let c = init_node(&tmp, "consumer", cj);
        let data = tmp.join("cases.csv");
        let bytes = write_csv(&data, 400);
        add_dataset(&p, "cases", &data, &[]);
        prepare(&p, &c);
        let provider = Served::start(&p, "127.0.0.1:0");
        let consumer = Served::start(&c, "127.0.0.1:0");
        Pair { provider, consumer, data, bytes, tmp }
    }

    /// `dfft negotiate consumer --provider P --dataset ID --purpose research EXTRA…`.
    pub fn negotiate(&self, dataset: &str, extra: &[&str]) -> Run {
        let mut args = vec!["negotiate", s(&self.consumer.dir), "--provider", &self.provider.url];
        args.extend_from_slice(&["--dataset", dataset, "--purpose", "research", "--timeout", "15"]);
        args.extend_from_slice(extra);
        dfft(&args)
    }

    /// Negotiates `dataset`, expecting FINALIZED; returns the agreement id.
    pub fn agreement(&self, dataset: &str) -> String {
        let run = self.negotiate(dataset, &[]);
        run.expect_code(OK);
        agreement_of(&run.stdout)
    }
}

/// The agreement id in `FINALIZED: agreement ID`.
pub fn agreement_of(stdout: &str) -> String {
    let line = stdout.lines().find(|l| l.contains("FINALIZED")).unwrap_or_else(|| panic!("no FINALIZED in {stdout}"));
    let id = line.split_whitespace().last().expect("a word");
    assert!(id.starts_with("urn:"), "agreement id {id:?} in {line:?}");
    id.to_owned()
}
